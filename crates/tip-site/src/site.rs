//! The public site: the offer, a page per course, calendars to subscribe
//! to, resource packs, the bulletin, and progress against the vision.

use std::sync::Mutex;

use chrono::{DateTime, Months, NaiveDate, Utc};
use plotters::prelude::*;
use rayon::prelude::*;
use serde_json::{Value, json};
use tip_calendar::Filter;
use tip_core::model::RuleKind;
use tip_core::model::{Course, Format, Vocabulary};
use tip_core::{Dataset, Ix};

use crate::bulletin::{self, Window};
use crate::runs::{self, Run, Shown};
use crate::{Error, pack};

/// How to build.
#[derive(Clone, Debug)]
pub struct Options {
    /// "Today": upcoming dates start here; progress counts to here.
    pub as_of: NaiveDate,
    /// When the site was made (`SOURCE_DATE_EPOCH` for reproducible output).
    pub stamp: DateTime<Utc>,
    /// How many months of dates the front page and bulletin show.
    pub months: u32,
    /// The certificates' issuer (`did:web` of the site and its public
    /// key): the site publishes its DID document and a page per issued
    /// certificate.
    pub issuer: Option<tip_credential::Issuer>,
    /// The private key, to sign the revocation lists; without it they are
    /// not published (the pages still say what is revoked).
    pub signing_key: Option<tip_credential::Key>,
    /// What the site's calendars published last time (its `all.ics`):
    /// events that changed since get a higher `SEQUENCE`.
    pub previous: tip_calendar::Published,
    /// The status lists the site published last time (`status/<year>.jwt`,
    /// by year): without the signing key, each is published again while
    /// no revocation changed it.
    pub previous_status: std::collections::BTreeMap<i32, String>,
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::FaceToFace => "face to face",
        Format::OnlineLive => "live online",
        other => other.as_str(),
    }
}

/// "Z. Ó." for "Zoë Ó'Brien": enough to match a certificate to its
/// holder, not enough to find them.
fn initials(name: &str) -> String {
    // Words with a letter (not "(" or a stray control character), each
    // by its first letter.
    let words: Vec<&str> = name
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect();
    let first = |w: &str| {
        w.chars()
            .find(|c| c.is_alphabetic())
            .map(|c| c.to_uppercase().collect::<String>())
    };
    let picked: Vec<String> = match words.as_slice() {
        [] => Vec::new(),
        [one] => first(one).into_iter().collect(),
        [a, .., z] => first(a).into_iter().chain(first(z)).collect(),
    };
    picked
        .iter()
        .map(|c| format!("{c}."))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `webcal://host/path` for an `https://` site (what phones, Outlook and
/// Apple Calendar subscribe to).
fn webcal(data: &Dataset, path: &str) -> Option<String> {
    let site = data.programme().site_url.as_ref()?;
    let base = site
        .strip_prefix("https://")
        .or_else(|| site.strip_prefix("http://"))?;
    Some(format!("webcal://{}/{path}", base.trim_end_matches('/')))
}

/// `https://host/path`: the address Google Calendar's "From URL" takes.
fn https(data: &Dataset, path: &str) -> Option<String> {
    let site = data.programme().site_url.as_ref()?;
    Some(format!("{}/{path}", site.trim_end_matches('/')))
}

/// How many runs the front page lists under "Next dates" (the rest are on
/// their courses' pages).
const FRONT_PAGE_RUNS: usize = 24;

/// How many past sessions a page lists under "Recent dates".
const RECENT: usize = 8;

/// Every file of the site, by path, in a fixed order.
pub fn build(data: &Dataset, opts: &Options) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let mut site = Site {
        data,
        opts,
        env: crate::templates::environment(data.root())?,
        built: opts.stamp.format("%-d %B %Y").to_string(),
        logo: None,
        files: Mutex::new(Vec::new()),
    };
    site.logo()?;
    let calendars = site.calendars();
    // The pages do not depend on each other: they are made side by side.
    let mut parts = vec![
        Part::Index,
        Part::Bulletin,
        Part::Progress,
        Part::Credentials,
        Part::Style,
    ];
    parts.extend(data.course_ixs().map(Part::Course));
    parts.push(Part::Resources);
    parts.par_iter().try_for_each(|part| match part {
        Part::Resources => site.resource_files(),
        Part::Index => site.index(&calendars),
        Part::Course(c) => site.course(*c),
        Part::Bulletin => site.bulletin(),
        Part::Progress => site.progress(),
        Part::Credentials => site.credentials(),
        Part::Style => site.style(),
    })?;
    let mut files = site.files.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

/// A part of the site, made on its own.
enum Part {
    Index,
    Course(Ix<Course>),
    Bulletin,
    Progress,
    Credentials,
    Style,
    Resources,
}

/// A site being built: what every page shares, and the files so far.
struct Site<'a> {
    data: &'a Dataset,
    opts: &'a Options,
    env: minijinja::Environment<'static>,
    /// `18 January 2022`: when it was built.
    built: String,
    /// The logo's path in the site, once copied.
    logo: Option<String>,
    files: Mutex<Vec<(String, Vec<u8>)>>,
}

impl Site<'_> {
    /// What every page's template is given; `root` leads back to the top.
    fn base(&self, root: &str) -> Value {
        json!({
            "programme": crate::programme_context(self.data),
            "built": &self.built,
            "root": root,
            "logo": &self.logo,
        })
    }

    fn page(&self, path: String, template: &str, ctx: &Value) -> Result<(), Error> {
        self.add(
            path,
            crate::templates::render(&self.env, template, ctx)?.into_bytes(),
        );
        Ok(())
    }

    /// [`Site::page`] with lists of runs beside `ctx`, made into template
    /// values directly (a national front page lists thousands).
    fn page_with_runs(
        &self,
        path: String,
        template: &str,
        ctx: &Value,
        runs: &[(&str, &[Run])],
    ) -> Result<(), Error> {
        let lists: std::collections::BTreeMap<String, minijinja::Value> = runs
            .iter()
            .map(|(name, list)| {
                (
                    name.to_string(),
                    minijinja::Value::from(minijinja::value::Serde(list)),
                )
            })
            .collect();
        let ctx = minijinja::value::merge_maps([
            minijinja::Value::from_object(lists),
            minijinja::Value::from(minijinja::value::Serde(ctx)),
        ]);
        let text = crate::templates::render_value(&self.env, template, ctx)?;
        self.add(path, text.into_bytes());
        Ok(())
    }

    /// A year's status list from the last build, kept when it says what the
    /// data says now (signed by one of the issuer's keys, the same revoked
    /// entries, room for every issued one); otherwise the build fails with the
    /// fix, rather than publish a list that answers wrongly.
    fn still_right(
        issuer: &tip_credential::Issuer,
        year: i32,
        previous: &str,
        revoked: &[u32],
        entries: u32,
    ) -> Result<String, Error> {
        let token = previous.trim();
        let signed = issuer
            .keys
            .iter()
            .any(|k| tip_credential::verify(token, &k.key));
        let why = match tip_credential::read_status_list(token) {
            _ if !signed => "it is not signed by any of the programme's keys".to_string(),
            None => "it is not a status list".to_string(),
            Some((_, set)) if set != revoked => {
                "a certificate was revoked (or a revocation withdrawn) since it was signed"
                    .to_string()
            }
            Some((len, _)) if len < u64::from(entries) => {
                "certificates were issued beyond its length since it was signed".to_string()
            }
            Some(_) => return Ok(token.to_owned()),
        };
        Err(Error::StatusList { year, why })
    }

    /// Add a file to the site.
    fn add(&self, path: String, bytes: Vec<u8>) {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((path, bytes));
    }

    /// Everything a verifier needs, with no server of ours: the issuer's
    /// DID document and profile, a page per issued certificate at
    /// `verify/<code>/` (no name, no email: initials), and each year's
    /// signed revocation list.
    fn credentials(&self) -> Result<(), Error> {
        let data = self.data;
        let Some(issuer) = self.opts.issuer.clone() else {
            return Ok(());
        };
        let pretty = |v: &Value| {
            let mut s = serde_json::to_string_pretty(v).expect("JSON");
            s.push('\n');
            s.into_bytes()
        };
        self.add(issuer.did_path.clone(), pretty(&issuer.did_document()));
        let email = data
            .programme()
            .organiser
            .as_ref()
            .and_then(|o| o.email.as_deref());
        self.add("issuer.json".into(), pretty(&issuer.profile(email)));
        // The key in use, for verifiers that take a PEM file (each key is
        // in the DID document).
        if let Some(last) = issuer.keys.last() {
            self.add("issuer.pub.pem".into(), last.key.to_pem().into_bytes());
        }
        let prefix = data.programme().id.to_uppercase();
        // Each year's revoked indexes, and how many entries its list needs.
        let mut years: std::collections::BTreeMap<i32, (Vec<u32>, u32)> = Default::default();
        let keys = &data.programme().public_keys;
        let replaced_by: std::collections::HashMap<&str, &str> = data
            .certificates()
            .iter()
            .filter_map(|c| Some((c.replaces.as_deref()?, c.number.as_str())))
            .collect();
        for cert in data.certificates() {
            let course = &data[cert.course];
            let trainers = trainers_of(data, cert);
            let tier = data[course.tier].label();
            let long = |d: NaiveDate| d.format("%-d %B %Y").to_string();
            // Signed on or after its key was compromised: revoked too.
            let key = cert.key.as_deref().unwrap_or("key-1");
            let untrusted = keys
                .iter()
                .any(|k| k.id == key && !k.trusted_on(cert.issued));
            let mut ctx = self.base("../../");
            ctx["issuer"] = json!({ "did": issuer.did, "did_path": issuer.did_path });
            ctx["cert"] = json!({
                "number": cert.number,
                "code": cert.code,
                "initials": initials(&data[cert.person].name),
                "course": course.title,
                "course_id": &*course.id,
                "tier": tier,
                "completed": long(cert.completed),
                "issued": long(cert.issued),
                "trainers": tip_core::words::list(trainers, "and"),
                "revoked": cert.revoked.map(long),
                "untrusted": untrusted,
                "reason": cert.revoked.and(cert.reason.as_deref()),
                "replaced_by": replaced_by.get(cert.number.as_str()).and_then(|n| {
                    let new = data.certificates().iter().find(|c| c.number == *n)?;
                    Some(json!({ "number": n, "code": new.code }))
                }),
            });
            self.page(
                format!("verify/{}/index.html", cert.code),
                "verify.html",
                &ctx,
            )?;
            if let Some((year, seq)) = tip_core::model::Issued::sequence(&cert.number, &prefix) {
                let (revoked, entries) = years.entry(year).or_default();
                *entries = (*entries).max(seq.saturating_add(1));
                if cert.revoked.is_some() || untrusted {
                    revoked.push(seq);
                }
            }
        }
        for (year, (mut revoked, entries)) in years {
            revoked.sort_unstable();
            let token = match &self.opts.signing_key {
                Some(key) => issuer
                    .status_list(key, year, &revoked, entries, self.opts.stamp.date_naive())
                    .map_err(Error::Credential)?,
                None => match self.opts.previous_status.get(&year) {
                    Some(previous) => {
                        Self::still_right(&issuer, year, previous, &revoked, entries)?
                    }
                    // Never published: nothing to keep (the build says so).
                    None => continue,
                },
            };
            self.add(
                format!("status/{year}.jwt"),
                format!("{}\n", token.trim_end()).into_bytes(),
            );
        }
        Ok(())
    }

    /// The logo, by the same rule as `validate`: a public file, and a PNG.
    fn logo(&mut self) -> Result<(), Error> {
        let branding = self.data.programme().branding.as_ref();
        let Some(l) = branding.and_then(|b| b.logo.as_ref()) else {
            return Ok(());
        };
        let full = tip_core::public_file(self.data.root(), l).map_err(|refusal| Error::File {
            what: "the logo".into(),
            path: l.clone(),
            refusal,
        })?;
        let bytes = std::fs::read(&full).map_err(Error::io(&full))?;
        if !bytes.starts_with(tip_core::PNG_SIGNATURE) {
            return Err(Error::LogoNotPng(l.clone()));
        }
        let path = "images/logo.png".to_string();
        self.add(path.clone(), bytes);
        self.logo = Some(path);
        Ok(())
    }

    /// Calendars to subscribe to: all dates, and per region, tier and
    /// course; and each run's own, for "Add to calendar". Returns the list
    /// the front page shows.
    fn calendars(&self) -> Vec<Value> {
        let data = self.data;
        let mut feeds = vec![(
            "calendars/all.ics".to_string(),
            "All dates".to_string(),
            Filter::default(),
        )];
        for r in data.regions() {
            feeds.push((
                format!("calendars/region-{}.ics", r.id),
                r.name.clone(),
                Filter {
                    region: data.region(&r.id),
                    ..Filter::default()
                },
            ));
        }
        for t in data.tiers() {
            feeds.push((
                format!("calendars/tier-{}.ics", t.level),
                t.label(),
                Filter {
                    tier: data.tier(t.level),
                    ..Filter::default()
                },
            ));
        }
        for c in data.course_ixs() {
            feeds.push((
                format!("calendars/course-{}.ics", data[c].id),
                data[c].title.clone(),
                Filter {
                    course: Some(c),
                    ..Filter::default()
                },
            ));
        }
        let offered = feeds.len();
        // Each run still to come has its own file, for "Add to calendar"
        // (a run that is over is offered no link).
        let today = self.opts.as_of;
        let to_come = |ix| data.sessions(ix).last().is_some_and(|s| s.date() >= today);
        for (ix, cohort) in data.cohort_ixs().filter(|(ix, _)| to_come(*ix)) {
            let place = match &cohort.place {
                Some(tip_core::model::Place::Venue(v)) => data[*v].name.clone(),
                Some(_) => "Online".into(),
                None => String::new(),
            };
            let first = data
                .sessions(ix)
                .first()
                .map(|s| s.start.format("%-d %b %Y").to_string());
            let name = [
                data[cohort.course].title.clone(),
                place,
                first.unwrap_or_default(),
            ]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
            feeds.push((
                format!("calendars/runs/{}.ics", cohort.id),
                name,
                Filter {
                    cohort: Some(ix),
                    ..Filter::default()
                },
            ));
        }
        let names: Vec<String> = feeds
            .iter()
            .map(|(_, name, _)| tip_calendar::feed_name(data, name))
            .collect();
        let wanted: Vec<(&str, &Filter)> = names
            .iter()
            .zip(&feeds)
            .map(|(name, (_, _, filter))| (name.as_str(), filter))
            .collect();
        let texts = tip_calendar::render_feeds(data, self.opts.stamp, &self.opts.previous, &wanted);
        let mut listed = Vec::with_capacity(offered);
        for (k, ((path, name, _), ics)) in feeds.into_iter().zip(texts).enumerate() {
            // A feed with nothing in it is published (a subscriber's link
            // keeps working) but not offered.
            if k < offered && ics.contains("BEGIN:VEVENT") {
                listed.push(json!({
                    "name": name, "href": &path,
                    "webcal": webcal(data, &path), "https": https(data, &path),
                }));
            }
            self.add(path, ics.into_bytes());
        }
        listed
    }

    /// Runs from `today`: to come (in order, cancelled ones apart) up to
    /// `until`, and the last [`RECENT`] that have finished.
    fn runs(
        &self,
        cohorts: impl Iterator<Item = Ix<tip_core::model::Cohort>>,
        until: NaiveDate,
    ) -> (Vec<Run>, Vec<Run>, Vec<Run>) {
        let (data, today) = (self.data, self.opts.as_of);
        let shown = Shown { today, until };
        // Sorted by their dates first, so that only the runs shown are
        // made (a national timetable has thousands that are over).
        let mut over: Vec<(NaiveDate, Ix<tip_core::model::Cohort>)> = Vec::new();
        let mut rest = Vec::new();
        for ix in cohorts {
            let sessions = data.sessions(ix);
            let (Some(first), Some(last)) = (sessions.first(), sessions.last()) else {
                continue;
            };
            if first.date() > until {
                continue;
            }
            if last.date() < today {
                over.push((last.date(), ix));
            } else {
                rest.push(ix);
            }
        }
        over.sort_by_key(|&(last, ix)| (last, &data[ix].id));
        let last_over = over.split_off(over.len().saturating_sub(RECENT));
        let mut recent = runs::runs(data, last_over.iter().map(|&(_, ix)| ix), shown);
        fn last(r: &Run) -> Option<&str> {
            r.sessions.last().map(|s| s.iso_date.as_str())
        }
        recent.sort_by(|a, b| last(a).cmp(&last(b)));
        let (cancelled, coming): (Vec<Run>, Vec<Run>) = runs::runs(data, rest.into_iter(), shown)
            .into_iter()
            .partition(|r| r.cancelled);
        (coming, cancelled, recent)
    }

    /// The front page: the next dates, the offer by tier (each course with
    /// its next run), past programmes, the calendars.
    fn index(&self, calendars: &[Value]) -> Result<(), Error> {
        let data = self.data;
        let today = self.opts.as_of;
        let until = today
            .checked_add_months(Months::new(self.opts.months))
            .unwrap_or(NaiveDate::MAX);
        let (coming, _, recent) = self.runs(data.cohort_ixs().map(|(ix, _)| ix), until);
        // The first few, so that a phone's first screen shows the next dates
        // and a national timetable's front page stays a page: every run is
        // on its course's page.
        let mut coming: Vec<Run> = coming.into_iter().filter(|r| r.to_come).collect();
        let more = coming.len().saturating_sub(FRONT_PAGE_RUNS);
        coming.truncate(FRONT_PAGE_RUNS);
        // Each course's next run, whenever it is: found by its dates, and
        // only that one made.
        let next = |c: Ix<Course>| {
            let shown = Shown {
                today,
                until: NaiveDate::MAX,
            };
            data.cohorts_of(c)
                .filter(|&ix| data[ix].status != tip_core::model::Status::Cancelled)
                .filter_map(|ix| {
                    let s = data.sessions(ix);
                    let (first, last) = (s.first()?.date(), s.last()?.date());
                    let to_come =
                        last >= today && (first >= today || runs::drop_in(data[c].format));
                    let from = s.iter().map(|x| x.date()).find(|d| *d >= today)?;
                    to_come.then_some((from, &data[ix].id, ix))
                })
                .min()
                .and_then(|(_, _, ix)| runs::run(data, ix, shown))
        };
        let ended = |c: &Course| c.ended.is_some_and(|e| e < today);
        let mut ctx = self.base("");
        ctx["tiers"] = json!(data.tiers().iter().map(|t| json!({
            "level": t.level, "name": &t.name, "description": &t.description,
            "courses": data.course_ixs().map(|ix| (ix, &data[ix])).filter(|(_, c)| data[c.tier].level == t.level && !ended(c)).map(|(ix, c)| json!({
                "id": &*c.id, "title": &c.title, "summary": &c.summary, "format": format_name(c.format),
                "audience": tip_core::rules::who(data, c),
                "start": start_link(c),
                "next": next(ix),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>());
        ctx["ended"] = json!(
            data.courses()
                .iter()
                .filter(|c| ended(c))
                .map(|c| json!({
                    "id": &*c.id, "title": &c.title, "ended": c.ended.map(bulletin::long),
                }))
                .collect::<Vec<_>>()
        );
        ctx["calendars"] = json!(calendars);
        ctx["more"] = json!(more);
        self.page_with_runs(
            "index.html".into(),
            "index.html",
            &ctx,
            &[("runs", &coming), ("recent", &recent)],
        )
    }

    /// A course's page, its resource files, and its resource pack.
    fn course(&self, c: Ix<Course>) -> Result<(), Error> {
        let data = self.data;
        let course = &data[c];
        let today = self.opts.as_of;
        let ended = course.ended.is_some_and(|e| e < today);
        let calendar = format!("calendars/course-{}.ics", course.id);
        let (coming, cancelled, recent) = self.runs(data.cohorts_of(c), NaiveDate::MAX);
        let mut ctx = self.base("../");
        // The rule in words when the "who it is for" line cannot say it
        // (a choice, or an exception).
        let unusual = course.requires.as_ref().is_some_and(|r| {
            let mut found = false;
            r.visit(&mut |r| found |= matches!(r.kind, RuleKind::Any(_) | RuleKind::Not(_)));
            found
        });
        let sessions = data
            .cohorts_of(c)
            .map(|ix| data.sessions(ix).len())
            .max()
            .unwrap_or(1);
        ctx["course"] = json!({
            "id": &*course.id, "title": &course.title, "summary": &course.summary, "tier": data[course.tier].level,
            "tier_name": &data[course.tier].name,
            "format": capitalised(format_name(course.format)),
            "length": course.minutes.map(|m| {
                let each = runs::length(m);
                if sessions > 1 { format!("{sessions} sessions of {each}") } else { each }
            }),
            "cpd": course.cpd_hours.map(tip_core::words::hours),
            "cost": course.cost.clone().unwrap_or_else(|| "Free".into()),
            "provider": &course.provider,
            "audience": tip_core::rules::who(data, course),
            "requires": course.requires.as_ref().filter(|_| unusual).map(|r| tip_core::rules::requirement(data, r)),
            "prerequisites": prerequisites(data, course),
            "start": if ended { None } else { start_link(course) },
            "ended": course.ended.filter(|_| ended).map(bulletin::long),
            "interest": if ended { None } else { runs::interest(data, course) },
            "webcal": webcal(data, &calendar),
            "https": https(data, &calendar),
        });
        ctx["last_ran"] = json!(
            recent
                .last()
                .and_then(|r| r.sessions.last())
                .map(|s| s.date.clone())
        );
        ctx["resources"] = json!(course.resources.iter().map(|r| {
            let res = &data[*r];
            let href = match (res.location.url(), res.location.file()) {
                (Some(url), _) => Some(url.to_owned()),
                (None, Some(file)) => Some(format!("../{}", resource_path(&res.id, file))),
                _ => None,
            };
            json!({
                "title": &res.title, "kind": crate::words_kind(res.kind),
                "minutes": res.minutes.map(runs::length), "description": &res.description, "href": href,
            })
        }).collect::<Vec<_>>());
        self.page_with_runs(
            format!("courses/{}.html", course.id),
            "course.html",
            &ctx,
            &[
                ("runs", &coming),
                ("cancelled", &cancelled),
                ("recent", &recent),
            ],
        )?;
        if !course.resources.is_empty() {
            let p = pack::for_course(data, c);
            let zip = pack::zip(&pack::files(data, &p)?);
            self.add(format!("packs/{}.zip", course.id), zip);
        }
        Ok(())
    }

    /// Each resource that is a file, once, at `resources/<id>.<ext>`: a
    /// course page links it as well as packing it.
    fn resource_files(&self) -> Result<(), Error> {
        let data = self.data;
        for res in data.resources() {
            let Some(rel) = res.location.file() else {
                continue;
            };
            // The same rule as `validate` and the packs: only public files.
            let full = tip_core::public_file(data.root(), rel).map_err(|refusal| Error::File {
                what: format!("resource `{}`", res.id),
                path: rel.to_owned(),
                refusal,
            })?;
            let bytes = std::fs::read(&full).map_err(Error::io(&full))?;
            self.add(resource_path(&res.id, rel), bytes);
        }
        Ok(())
    }

    /// The bulletin, as a page and as Markdown: the email's content.
    fn bulletin(&self) -> Result<(), Error> {
        let window = Window {
            from: self.opts.as_of,
            months: self.opts.months,
        };
        let data = self.data;
        let mut ctx = bulletin::content(data, window);
        ctx["built"] = json!(&self.built);
        ctx["logo"] = json!(&self.logo);
        ctx["root"] = json!("");
        let (html, markdown) = rayon::join(
            || self.page("bulletin.html".into(), "bulletin.html", &ctx),
            // The Markdown bulletin is the one `tip bulletin` writes.
            || {
                let text = crate::templates::render(&self.env, "bulletin.md", &ctx)?;
                self.add("bulletin.md".into(), text.into_bytes());
                Ok(())
            },
        );
        html.and(markdown)
    }

    /// Progress against the vision: a page and its chart.
    fn progress(&self) -> Result<(), Error> {
        let targets = progress(self.data, self.opts.as_of);
        let mut ctx = self.base("");
        ctx["as_of"] = json!(bulletin::long(self.opts.as_of));
        let vision = self.data.programme().vision.as_ref();
        ctx["by"] = json!(vision.map(|v| bulletin::long(v.by)));
        ctx["targets"] = json!(targets);
        let (trend, table, target_line) = over_time(self.data, self.opts.as_of, &targets)?;
        ctx["trend"] =
            json!({ "tiers": target_tiers(&targets), "rows": table, "target_line": target_line });
        self.page("progress.html".into(), "progress.html", &ctx)?;
        if !targets.is_empty() {
            self.add("progress.svg".into(), chart(&targets)?.into_bytes());
        }
        if !trend.is_empty() {
            self.add("progress-over-time.svg".into(), trend.into_bytes());
        }
        Ok(())
    }

    /// The stylesheet, in the programme's colour.
    fn style(&self) -> Result<(), Error> {
        let colour = self
            .data
            .programme()
            .branding
            .as_ref()
            .and_then(|b| b.colour.clone())
            .unwrap_or_else(|| "#00577a".into());
        self.page(
            "style.css".into(),
            "style.css",
            &json!({ "colour": colour }),
        )
    }
}

/// Where a course is started from the site: an e-learning course's `url`
/// (any other course's `url` is linked from its runs' joining details).
fn start_link(course: &Course) -> Option<String> {
    (course.format == Format::ELearning).then(|| course.url.clone())?
}

/// `Face to face` for `face to face`.
fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Where a resource file is published: `resources/<id>.<ext>`, by its id
/// (unique) and its file's extension.
fn resource_path(id: &str, file: &str) -> String {
    let ext = std::path::Path::new(file)
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| format!(".{}", e.to_ascii_lowercase()))
        .unwrap_or_default();
    format!("resources/{id}{ext}")
}

/// The names of the trainers of the cohort a certificate's completion
/// came from (none for an imported completion).
fn trainers_of(data: &Dataset, cert: &tip_core::model::Issued) -> Vec<String> {
    data.completions_of(cert.person)
        .iter()
        .find(|d| d.course == cert.course && d.date == cert.completed)
        .and_then(|d| match d.origin {
            tip_core::rules::Origin::Cohort(c) => Some(c),
            _ => None,
        })
        .map(|c| {
            data[c]
                .trainers
                .iter()
                .map(|t| data[*t].name.to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The courses a course's rule names as completed, each once, for links.
fn prerequisites(data: &Dataset, course: &Course) -> Vec<Value> {
    let Some(rule) = &course.requires else {
        return Vec::new();
    };
    let mut seen = Vec::new();
    rule.visit(&mut |r| {
        if let RuleKind::Completed { course, .. } = r.kind
            && !seen.contains(&course)
        {
            seen.push(course);
        }
    });
    seen.iter()
        .map(|p| json!({ "id": &*data[*p].id, "title": &data[*p].title }))
        .collect()
}

/// One target and how far it has got.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Progress {
    /// "Tier 2 in Medway".
    pub label: String,
    /// People trained.
    pub trained: u64,
    /// The target.
    pub people: u32,
    /// Whole per cent.
    pub percent: u64,
    /// `56 of 20,000`.
    pub counts: String,
    /// `1,234`.
    pub trained_shown: String,
    /// `20,000`.
    pub people_shown: String,
    /// `0.3%`, `42%`: one decimal under 10%, whole above; `<0.1%` for a
    /// start.
    pub shown: String,
    /// The level of the tier it counts (`None`: every tier).
    pub tier: Option<u32>,
}

/// People trained (a completion of a course of the target's tier, by
/// `as_of`, whether or not it has since expired) per target of the vision.
pub fn progress(data: &Dataset, as_of: NaiveDate) -> Vec<Progress> {
    let Some(vision) = &data.programme().vision else {
        return Vec::new();
    };
    vision
        .targets
        .iter()
        .map(|t| {
            let trained = data
                .person_ixs()
                .filter(|&p| {
                    let person = &data[p];
                    t.region.is_none_or(|r| person.region == Some(r))
                        && t.sector.is_none_or(|s| person.sector == Some(s))
                        && data.completions_of(p).iter().any(|d| {
                            d.date <= as_of && t.tier.is_none_or(|tier| data[d.course].tier == tier)
                        })
                })
                .count() as u64;
            let mut label = match t.tier {
                Some(tier) => data[tier].label(),
                None => "Everyone trained".into(),
            };
            if let Some(r) = t.region {
                label.push_str(&format!(", {}", data[r].name));
            }
            if let Some(s) = t.sector {
                label.push_str(&format!(", {}", data[s].name));
            }
            Progress {
                label,
                trained,
                people: t.people,
                percent: trained * 100 / u64::from(t.people.max(1)),
                counts: format!(
                    "{} of {}",
                    tip_core::words::thousands(trained),
                    tip_core::words::thousands(u64::from(t.people))
                ),
                trained_shown: tip_core::words::thousands(trained),
                people_shown: tip_core::words::thousands(u64::from(t.people)),
                shown: percent(trained, u64::from(t.people)),
                tier: t.tier.map(|tier| data[tier].level),
            }
        })
        .collect()
}

/// `0.3%`, `42%`, `<0.1%`, as people read a share.
fn percent(part: u64, whole: u64) -> String {
    let p = part as f64 * 100.0 / whole.max(1) as f64;
    match p {
        0.0 => "0%".into(),
        p if p < 0.1 => "<0.1%".into(),
        p if p < 10.0 => format!("{p:.1}%"),
        p => format!("{}%", p.floor()),
    }
}

/// The chart's width in SVG units: narrow, so that on a 390-pixel phone
/// (330 pixels for the figure) its 20-unit text is still 15 pixels.
const CHART_W: u32 = 420;
const CHART_TEXT: u32 = 20;

/// Progress against each target: a labelled bar a row (the label above its
/// bar, so the bars take the whole width), as SVG (plotters).
fn chart(targets: &[Progress]) -> Result<String, Error> {
    let mut svg = String::new();
    {
        let row = 82;
        let height = 16 + row * targets.len() as u32;
        let root = SVGBackend::with_string(&mut svg, (CHART_W, height)).into_drawing_area();
        root.fill(&WHITE).map_err(Error::chart)?;
        let accent = RGBColor(0, 87, 122);
        let track = RGBColor(0xe4, 0xe8, 0xec);
        let ink = RGBColor(0x1a, 0x1a, 0x1a);
        let text = ("sans-serif", CHART_TEXT).into_font().color(&ink);
        let (left, right) = (8, CHART_W as i32 - 8);
        let width = right - left;
        for (k, t) in targets.iter().enumerate() {
            let top = 8 + (k as u32 * row) as i32;
            root.draw(&Text::new(t.label.clone(), (left, top), text.clone()))
                .map_err(Error::chart)?;
            let bar_top = top + 28;
            root.draw(&Rectangle::new(
                [(left, bar_top), (right, bar_top + 18)],
                track.filled(),
            ))
            .map_err(Error::chart)?;
            let share = (t.trained as f64 / f64::from(t.people.max(1))).min(1.0);
            let filled = left + (share * f64::from(width)).round() as i32;
            if filled > left {
                root.draw(&Rectangle::new(
                    [(left, bar_top), (filled.max(left + 2), bar_top + 18)],
                    accent.filled(),
                ))
                .map_err(Error::chart)?;
            }
            let value = format!("{} · {}", t.counts, t.shown);
            root.draw(&Text::new(value, (left, bar_top + 24), text.clone()))
                .map_err(Error::chart)?;
        }
        root.present().map_err(Error::chart)?;
    }
    Ok(dark_mode(svg))
}

/// The tiers the targets name, each once, in order.
fn target_tiers(targets: &[Progress]) -> Vec<u32> {
    let mut tiers: Vec<u32> = targets.iter().filter_map(|t| t.tier).collect();
    tiers.sort_unstable();
    tiers.dedup();
    tiers
}

/// People trained in each tier, at the end of each year, and the tier
/// targets: a line a tier against the target and its date (plotters).
fn over_time(
    data: &Dataset,
    as_of: NaiveDate,
    targets: &[Progress],
) -> Result<(String, Vec<Value>, bool), Error> {
    let Some(vision) = &data.programme().vision else {
        return Ok((String::new(), Vec::new(), false));
    };
    use chrono::Datelike;
    let tiers = target_tiers(targets);
    // Per tier, each person's first completion of a course of the tier:
    // one pass over everyone's completions.
    let mut firsts: std::collections::BTreeMap<u32, Vec<NaiveDate>> = Default::default();
    let mut earliest: Vec<Option<NaiveDate>> = vec![None; tiers.len()];
    for p in data.person_ixs() {
        earliest.fill(None);
        for d in data.completions_of(p).iter().filter(|d| d.date <= as_of) {
            if let Some(k) = tiers
                .iter()
                .position(|&t| t == data[data[d.course].tier].level)
            {
                earliest[k] = Some(earliest[k].map_or(d.date, |e| e.min(d.date)));
            }
        }
        for (k, e) in earliest.iter().enumerate() {
            if let Some(d) = e {
                firsts.entry(tiers[k]).or_default().push(*d);
            }
        }
    }
    for v in firsts.values_mut() {
        v.sort_unstable();
    }
    // From the first year anyone in a target's tier completed, to the
    // vision's year.
    let first = firsts
        .values()
        .filter_map(|v| v.first())
        .min()
        .copied()
        .unwrap_or(as_of);
    let (y0, y1) = (first.year(), vision.by.year().max(as_of.year()));
    // Each year's end up to `as_of`, and `as_of` itself once (not once for
    // every later year of the vision).
    let mut ends: Vec<NaiveDate> = (y0..=y1)
        .filter_map(|y| NaiveDate::from_ymd_opt(y, 12, 31))
        .map(|d| d.min(as_of))
        .collect();
    ends.dedup();
    let count = |tier: u32, on: NaiveDate| {
        firsts
            .get(&tier)
            .map_or(0, |v| v.partition_point(|d| *d <= on)) as u64
    };
    let table: Vec<Value> = ends
        .iter()
        .map(|&end| {
            json!({
                "date": bulletin::long(end),
                "counts": tiers.iter().map(|&t| tip_core::words::thousands(count(t, end))).collect::<Vec<_>>(),
            })
        })
        .collect();
    // Each tier as a share of its own target, so a target of 150 trainers
    // reads as clearly as one of 20,000 people.
    let target_of = |tier: u32| {
        targets
            .iter()
            .find(|t| t.tier == Some(tier) && !t.label.contains(','))
            .or_else(|| targets.iter().find(|t| t.tier == Some(tier)))
            .map_or(1, |t| u64::from(t.people.max(1)))
    };
    let share = |tier: u32, on: NaiveDate| count(tier, on) as f64 * 100.0 / target_of(tier) as f64;
    let shares: Vec<Vec<(NaiveDate, f64)>> = tiers
        .iter()
        .map(|&t| ends.iter().map(|&d| (d, share(t, d))).collect())
        .collect();
    let highest = shares.iter().flatten().map(|(_, s)| *s).fold(0.0, f64::max);
    let svg = over_time_chart(&tiers, &shares, first, as_of, vision.by)?;
    Ok((svg, table, axis_top(highest) >= 100.0))
}

/// The axis's top: a round number just above `highest` (a percentage), so
/// lines at 0.3% to 6% fill the chart rather than lie on its floor.
fn axis_top(highest: f64) -> f64 {
    let want = (highest * 1.15).max(1.0);
    [1.0, 2.0, 2.5, 5.0]
        .iter()
        .flat_map(|step| (0..4).map(move |p| step * 10f64.powi(p)))
        .filter(|t| *t >= want)
        .reduce(f64::min)
        .unwrap_or(want.ceil())
}

/// The over-time chart: a line a tier (its share of its target at each
/// date), the axis fitted to the lines, the targets' 100% drawn when it is
/// on the scale, and the legend under the plot, clear of every line.
fn over_time_chart(
    tiers: &[u32],
    shares: &[Vec<(NaiveDate, f64)>],
    first: NaiveDate,
    as_of: NaiveDate,
    by: NaiveDate,
) -> Result<String, Error> {
    use chrono::Datelike;
    let highest = shares.iter().flatten().map(|(_, s)| *s).fold(0.0, f64::max);
    let top = axis_top(highest);
    let legend_rows = tiers.len().div_ceil(3) as u32;
    let height = 340 + 30 * legend_rows;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (CHART_W, height)).into_drawing_area();
        root.fill(&WHITE).map_err(Error::chart)?;
        let (plot, legend) = root.split_vertically(340);
        // Time as fractional years: 2022.5 is the middle of 2022.
        let fy = |d: NaiveDate| f64::from(d.year()) + f64::from(d.ordinal0()) / 365.25;
        let from = NaiveDate::from_ymd_opt(first.year(), 1, 1).unwrap_or(first);
        let to = by.max(as_of);
        let (x0, x1) = (fy(from), fy(to).max(fy(from) + 1.0));
        let years = (x1 - x0).ceil() as usize + 1;
        let mut chart = ChartBuilder::on(&plot)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, 0.0..top)
            .map_err(Error::chart)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_labels(years.min(6))
            .x_label_formatter(&|v| format!("{}", v.round() as i32))
            .y_labels(6)
            .y_label_formatter(&|v| {
                if top < 10.0 {
                    format!("{v:.1}%")
                } else {
                    format!("{}%", v.round() as i64)
                }
            })
            .label_style(("sans-serif", CHART_TEXT))
            .draw()
            .map_err(Error::chart)?;
        let palette = [
            RGBColor(0, 87, 122),
            RGBColor(0xb3, 0x4a, 0x00),
            RGBColor(0x2e, 0x7d, 0x32),
            RGBColor(0x6a, 0x1b, 0x9a),
        ];
        for (k, points) in shares.iter().enumerate() {
            let colour = palette[k % palette.len()];
            let mut line = vec![(fy(from), 0.0)];
            line.extend(points.iter().map(|&(d, s)| (fy(d), s)));
            chart
                .draw_series(LineSeries::new(line, colour.stroke_width(3)))
                .map_err(Error::chart)?;
        }
        // Every target: 100% by the vision's date, when the scale reaches it.
        if top >= 100.0 {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(x0, 100.0), (fy(by), 100.0)],
                    8,
                    5,
                    RGBColor(0x1a, 0x1a, 0x1a).stroke_width(2),
                ))
                .map_err(Error::chart)?;
        }
        // The legend: three a row, under the plot.
        let ink = RGBColor(0x1a, 0x1a, 0x1a);
        for (k, tier) in tiers.iter().enumerate() {
            let colour = palette[k % palette.len()];
            let (x, y) = (74 + (k as i32 % 3) * 115, 10 + (k as i32 / 3) * 30);
            legend
                .draw(&PathElement::new(
                    vec![(x, y + 10), (x + 24, y + 10)],
                    colour.stroke_width(3),
                ))
                .map_err(Error::chart)?;
            legend
                .draw(&Text::new(
                    format!("Tier {tier}"),
                    (x + 30, y),
                    ("sans-serif", CHART_TEXT).into_font().color(&ink),
                ))
                .map_err(Error::chart)?;
        }
        root.present().map_err(Error::chart)?;
    }
    Ok(dark_mode(svg))
}

/// A chart's colours for a dark page: the SVG's own stylesheet, which
/// browsers apply to an `<img>` by the reader's colour scheme.
fn dark_mode(svg: String) -> String {
    const STYLE: &str = "<style>@media (prefers-color-scheme: dark) {\
rect[fill=\"#FFFFFF\"] { fill: #121416; } line[stroke=\"#FFFFFF\"] { stroke: #121416; }\
text, [fill=\"#000000\"], [fill=\"#1A1A1A\"] { fill: #f0f0f0; }\
[stroke=\"#000000\"], [stroke=\"#1A1A1A\"] { stroke: #f0f0f0; }\
[fill=\"#E4E8EC\"] { fill: #3a3f43; } [fill=\"#00577A\"] { fill: #8cc8ff; } [stroke=\"#00577A\"] { stroke: #8cc8ff; }\
[stroke=\"#B34A00\"] { stroke: #ffb070; } [stroke=\"#2E7D32\"] { stroke: #8fd694; } [stroke=\"#6A1B9A\"] { stroke: #d7a6ff; }\
}</style>";
    match svg.find('>') {
        Some(at) => format!("{}{STYLE}{}", &svg[..=at], &svg[at + 1..]),
        None => svg,
    }
}

#[cfg(test)]
mod tests {
    use super::{axis_top, initials};

    #[test]
    fn the_axis_fits_the_lines() {
        assert_eq!(axis_top(6.0), 10.0);
        assert_eq!(axis_top(0.3), 1.0);
        assert_eq!(axis_top(1.9), 2.5);
        assert_eq!(axis_top(90.0), 250.0_f64.min(axis_top(90.0)));
        assert!(axis_top(90.0) >= 100.0);
        assert_eq!(axis_top(120.0), 200.0);
    }

    #[test]
    fn initials_are_first_letters_of_the_first_and_last_words() {
        assert_eq!(initials("Zoë Ó'Brien"), "Z. Ó.");
        assert_eq!(initials("محمد عبد الله"), "م. ا.");
        // A parenthesis or a control character is not an initial.
        assert_eq!(initials("Sara (سارة) Smith"), "S. S.");
        assert_eq!(initials("Ann \u{202e}eoj Smith"), "A. S.");
        assert_eq!(initials("Ann ( )"), "A.");
        assert_eq!(initials(""), "");
    }
}
