//! The public site: the offer, a page per course, calendars to subscribe
//! to, resource packs, the bulletin, and progress against the vision.

use chrono::{DateTime, Months, NaiveDate, Utc};
use plotters::prelude::*;
use serde_json::{Value, json};
use tip_calendar::{Feed, Filter};
use tip_core::model::RuleKind;
use tip_core::model::{Course, Format, Vocabulary};
use tip_core::{Dataset, Ix};

use crate::bulletin::{self, Window};
use crate::{Error, pack, public, sessions_between};

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
}

/// The programme as templates see it: name, organiser, public email only.
pub fn programme_context(data: &Dataset) -> Value {
    let p = &data.programme();
    json!({
        "name": &p.name,
        "organiser": p.organiser.as_ref().map(|o| &o.name),
        "email": p.organiser.as_ref().and_then(|o| o.email.as_ref()),
    })
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
    let words: Vec<&str> = name.split_whitespace().collect();
    let first = |w: &str| {
        w.chars()
            .next()
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

/// `webcal://host/path` for an `https://` site.
fn webcal(data: &Dataset, path: &str) -> Option<String> {
    let site = data.programme().site_url.as_ref()?;
    let base = site
        .strip_prefix("https://")
        .or_else(|| site.strip_prefix("http://"))?;
    Some(format!("webcal://{}/{path}", base.trim_end_matches('/')))
}

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
        files: Vec::new(),
    };
    site.logo()?;
    let calendars = site.calendars();
    site.index(calendars)?;
    for c in data.course_ixs() {
        site.course(c)?;
    }
    site.bulletin()?;
    site.progress()?;
    site.credentials()?;
    site.style()?;
    let mut files = site.files;
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
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
    files: Vec<(String, Vec<u8>)>,
}

impl Site<'_> {
    /// What every page's template is given; `root` leads back to the top.
    fn base(&self, root: &str) -> Value {
        json!({
            "programme": programme_context(self.data),
            "built": &self.built,
            "root": root,
            "logo": &self.logo,
        })
    }

    fn page(&mut self, path: String, template: &str, ctx: &Value) -> Result<(), Error> {
        let html = crate::templates::render(&self.env, template, ctx)?;
        self.files.push((path, html.into_bytes()));
        Ok(())
    }

    /// Everything a verifier needs, with no server of ours: the issuer's
    /// DID document and profile, a page per issued certificate at
    /// `verify/<code>/` (no name, no email: initials), and each year's
    /// signed revocation list.
    fn credentials(&mut self) -> Result<(), Error> {
        let data = self.data;
        let Some(issuer) = self.opts.issuer.clone() else {
            return Ok(());
        };
        let pretty = |v: &Value| {
            let mut s = serde_json::to_string_pretty(v).expect("JSON");
            s.push('\n');
            s.into_bytes()
        };
        self.files
            .push((issuer.did_path.clone(), pretty(&issuer.did_document())));
        let email = data
            .programme()
            .organiser
            .as_ref()
            .and_then(|o| o.email.as_deref());
        self.files
            .push(("issuer.json".into(), pretty(&issuer.profile(email))));
        let prefix = data.programme().id.to_uppercase();
        let mut years: std::collections::BTreeMap<i32, Vec<u32>> = Default::default();
        for cert in data.certificates() {
            let course = &data[cert.course];
            let trainers: Vec<String> = data
                .completions_of(cert.person)
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
                        .map(|t| data[*t].name.clone())
                        .collect()
                })
                .unwrap_or_default();
            let tier = data.tier(course.tier).map_or_else(
                || format!("Tier {}", course.tier),
                |t| format!("Tier {}: {}", t.level, t.name),
            );
            let long = |d: NaiveDate| d.format("%-d %B %Y").to_string();
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
            });
            self.page(
                format!("verify/{}/index.html", cert.code),
                "verify.html",
                &ctx,
            )?;
            if let Some((year, seq)) = tip_core::model::Issued::sequence(&cert.number, &prefix) {
                let list = years.entry(year).or_default();
                if cert.revoked.is_some() {
                    list.push(seq);
                }
            }
        }
        if let Some(key) = &self.opts.signing_key {
            for (year, revoked) in years {
                let token = issuer
                    .status_list(key, year, &revoked, self.opts.stamp.date_naive())
                    .map_err(|e| Error::Credential(e.to_string()))?;
                self.files.push((
                    format!("status/{year}.jwt"),
                    format!("{token}\n").into_bytes(),
                ));
            }
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
        self.files.push((path.clone(), bytes));
        self.logo = Some(path);
        Ok(())
    }

    /// Calendars to subscribe to: all dates, and per region, tier and
    /// course. Returns the list the front page shows.
    fn calendars(&mut self) -> Vec<Value> {
        let data = self.data;
        let mut feeds = vec![(
            "calendars/all.ics".to_string(),
            "All dates".to_string(),
            Filter::default(),
        )];
        for r in data.regions() {
            let region = data.region(&r.id);
            feeds.push((
                format!("calendars/region-{}.ics", r.id),
                r.name.clone(),
                Filter {
                    region,
                    ..Filter::default()
                },
            ));
        }
        for t in data.tiers() {
            feeds.push((
                format!("calendars/tier-{}.ics", t.level),
                format!("Tier {}: {}", t.level, t.name),
                Filter {
                    tier: Some(t.level),
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
        let mut listed = Vec::with_capacity(feeds.len());
        for (path, name, filter) in feeds {
            let mut feed = Feed::new(
                format!("{} — {name}", data.programme().name),
                self.opts.stamp,
            );
            feed.previous = self.opts.previous.clone();
            let ics = tip_calendar::render(data, &filter, &feed);
            // A feed with nothing in it is published (a subscriber's link
            // keeps working) but not offered.
            if ics.contains("BEGIN:VEVENT") {
                listed.push(json!({ "name": name, "href": &path, "webcal": webcal(data, &path) }));
            }
            self.files.push((path, ics.into_bytes()));
        }
        listed
    }

    /// The front page: the offer by tier, the coming dates, the calendars.
    fn index(&mut self, calendars: Vec<Value>) -> Result<(), Error> {
        let data = self.data;
        let until = self
            .opts
            .as_of
            .checked_add_months(Months::new(self.opts.months))
            .unwrap_or(NaiveDate::MAX);
        let upcoming = sessions_between(data, self.opts.as_of, until);
        let before = self.opts.as_of.pred_opt().unwrap_or(self.opts.as_of);
        let past = sessions_between(data, NaiveDate::MIN, before);
        let recent = &past[past.len().saturating_sub(RECENT)..];
        let mut ctx = self.base("");
        ctx["recent"] = json!(
            recent
                .iter()
                .map(|(ix, s)| public(data, *ix, s))
                .collect::<Vec<_>>()
        );
        ctx["tiers"] = json!(data.tiers().iter().map(|t| json!({
            "level": t.level, "name": &t.name, "description": &t.description,
            "courses": data.courses().iter().filter(|c| c.tier == t.level).map(|c| json!({
                "id": &*c.id, "title": &c.title, "summary": &c.summary, "format": format_name(c.format),
                "audience": tip_core::rules::who(data, c),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>());
        ctx["sessions"] = json!(
            upcoming
                .iter()
                .map(|(ix, s)| public(data, *ix, s))
                .collect::<Vec<_>>()
        );
        ctx["calendars"] = json!(calendars);
        self.page("index.html".into(), "index.html", &ctx)
    }

    /// A course's page, and its resource pack.
    fn course(&mut self, c: Ix<Course>) -> Result<(), Error> {
        let data = self.data;
        let course = &data[c];
        let mut ctx = self.base("../");
        ctx["course"] = json!({
            "id": &*course.id, "title": &course.title, "summary": &course.summary, "tier": course.tier,
            "tier_name": data.tier(course.tier).map(|t| t.name.clone()).unwrap_or_default(),
            "format": format_name(course.format), "minutes": course.minutes,
            "cpd": course.cpd_hours.map(tip_core::words::hours),
            "cost": course.cost.clone().unwrap_or_else(|| "Free".into()),
            "audience": tip_core::rules::who(data, course),
            "requires": course.requires.as_ref().map(|r| tip_core::rules::requirement(data, r)),
            "prerequisites": prerequisites(data, course),
            "webcal": webcal(data, &format!("calendars/course-{}.ics", course.id)),
        });
        let mut all: Vec<_> = data
            .cohorts_of(c)
            .flat_map(|ix| data.sessions(ix).iter().map(move |s| (ix, s)))
            .collect();
        all.sort_by_key(|(_, s)| s.start);
        let (past, coming): (Vec<_>, Vec<_>) = all
            .into_iter()
            .partition(|(_, s)| s.date() < self.opts.as_of);
        ctx["sessions"] = json!(
            coming
                .iter()
                .map(|(ix, s)| public(data, *ix, s))
                .collect::<Vec<_>>()
        );
        // The most recent dates, so a course that has run is never a blank
        // page, and when it last ran.
        let recent = &past[past.len().saturating_sub(RECENT)..];
        ctx["recent"] = json!(
            recent
                .iter()
                .map(|(ix, s)| public(data, *ix, s))
                .collect::<Vec<_>>()
        );
        ctx["last_ran"] = json!(past.last().map(|(_, s)| bulletin::long(s.date())));
        ctx["resources"] = json!(course.resources.iter().map(|r| {
            let res = &data[*r];
            let href = res.location.url();
            json!({ "title": &res.title, "kind": crate::words_kind(res.kind), "minutes": res.minutes, "description": &res.description, "href": href })
        }).collect::<Vec<_>>());
        self.page(format!("courses/{}.html", course.id), "course.html", &ctx)?;
        if !course.resources.is_empty() {
            let p = pack::for_course(data, c);
            let zip = pack::zip(&pack::files(data, &p)?);
            self.files.push((format!("packs/{}.zip", course.id), zip));
        }
        Ok(())
    }

    /// The bulletin, as a page and as Markdown.
    fn bulletin(&mut self) -> Result<(), Error> {
        let window = Window {
            from: self.opts.as_of,
            months: self.opts.months,
        };
        let mut ctx = bulletin::context(self.data, window);
        ctx["built"] = json!(&self.built);
        ctx["logo"] = json!(&self.logo);
        self.page("bulletin.html".into(), "bulletin.html", &ctx)?;
        self.page("bulletin.md".into(), "bulletin.md", &ctx)
    }

    /// Progress against the vision: a page and its chart.
    fn progress(&mut self) -> Result<(), Error> {
        let targets = progress(self.data, self.opts.as_of);
        let mut ctx = self.base("");
        ctx["as_of"] = json!(bulletin::long(self.opts.as_of));
        let vision = self.data.programme().vision.as_ref();
        ctx["by"] = json!(vision.map(|v| bulletin::long(v.by)));
        ctx["targets"] = json!(targets);
        self.page("progress.html".into(), "progress.html", &ctx)?;
        if !targets.is_empty() {
            self.files
                .push(("progress.svg".into(), chart(&targets)?.into_bytes()));
        }
        Ok(())
    }

    /// The stylesheet, in the programme's colour.
    fn style(&mut self) -> Result<(), Error> {
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
            let mut label = match t.tier.and_then(|l| data.tier(l)) {
                Some(tier) => format!("Tier {}: {}", tier.level, tier.name),
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
            }
        })
        .collect()
}

/// A horizontal bar chart of per cent achieved, as SVG (plotters).
fn chart(targets: &[Progress]) -> Result<String, Error> {
    let mut svg = String::new();
    {
        let height = 60 + 36 * targets.len() as u32;
        let root = SVGBackend::with_string(&mut svg, (760, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| Error::Chart(e.to_string()))?;
        let max = targets
            .iter()
            .map(|t| t.percent)
            .max()
            .unwrap_or(0)
            .max(100) as f64;
        let n = targets.len();
        let labels: Vec<String> = targets.iter().map(|t| t.label.clone()).collect();
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(260)
            .build_cartesian_2d(0.0..max, (0..n as i32 - 1).into_segmented())
            .map_err(|e| Error::Chart(e.to_string()))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .y_labels(n)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) if (0..n as i32).contains(i) => {
                    labels[n - 1 - *i as usize].clone()
                }
                _ => String::new(),
            })
            .x_desc("% of target")
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(|e| Error::Chart(e.to_string()))?;
        let accent = RGBColor(0, 87, 122);
        chart
            .draw_series(targets.iter().enumerate().map(|(i, t)| {
                let y = (n - 1 - i) as i32;
                let mut bar = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(y)),
                        (t.percent as f64, SegmentValue::Exact(y + 1)),
                    ],
                    accent.filled(),
                );
                bar.set_margin(6, 6, 0, 0);
                bar
            }))
            .map_err(|e| Error::Chart(e.to_string()))?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![
                    (100.0, SegmentValue::Exact(0)),
                    (100.0, SegmentValue::Exact(n as i32)),
                ],
                BLACK.stroke_width(2),
            )))
            .map_err(|e| Error::Chart(e.to_string()))?;
        root.present().map_err(|e| Error::Chart(e.to_string()))?;
    }
    Ok(svg)
}
