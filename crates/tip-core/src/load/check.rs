//! Checks across records, run once every section is loaded.

use std::collections::BTreeSet;

use rustc_hash::{FxHashMap, FxHashSet};

use chrono::Datelike;
use rayon::prelude::*;

use crate::dataset::{Dataset, Scope};
use crate::diagnostic::{Code, Diagnostic, Location};
use crate::files::FileRefusal;
use crate::ix::Ix;
use crate::loc::Loc;
use crate::model::*;
use crate::model::{Rule, RuleKind};

/// Run every cross-record check, adding to `diags` (which holds what
/// loading found).
///
/// When loading lost data — a file that does not parse, a record dropped
/// for an invalid value — the checks derived from it would report the
/// loss again, many times over and each with advice that misleads (revoke
/// a certificate, because its completion "is gone"). Those derived checks
/// are not reported then: they are counted into one `checks-skipped` note
/// that names the first such error, and they run again once it is fixed.
pub(crate) fn run(data: &Dataset, diags: &mut Vec<Diagnostic>) {
    let cause = taint(data, diags);
    let mut found = all_checks(data);
    if let Some(cause) = cause {
        let before = found.len();
        found.retain(|d| !is_derived(d.code));
        let skipped = before - found.len();
        if skipped > 0 {
            count_skipped(diags, skipped, &cause);
        }
    }
    diags.extend(found);
}

/// The checks that follow from completions, enrolments and people as a
/// whole: wrong, not just unchecked, when some of them were not loaded.
fn is_derived(code: Code) -> bool {
    matches!(
        code,
        Code::IssuedWithoutCompletion
            | Code::NotEligible
            | Code::UnsatisfiableRule
            | Code::ChangedSinceIssue
            | Code::CompromisedKey
    )
}

/// The first error of loading that lost data, if any: a file that could
/// not be read or parsed, an id table left incomplete, a record dropped (a
/// broken person, course or cohort), or any error in a file of learners,
/// cohorts, attendance or completions.
fn taint(data: &Dataset, diags: &[Diagnostic]) -> Option<Location> {
    let lost_file = |d: &Diagnostic| d.code.is_syntax();
    let learning_file = |d: &Diagnostic| {
        d.location.as_ref().is_some_and(|l| {
            let name = l.file.rsplit('/').next().unwrap_or(&l.file);
            ["people", "cohorts", "attendance", "completions"]
                .iter()
                .any(|s| name.starts_with(s))
                || l.file.starts_with("cohorts/")
        })
    };
    let tables = data.index.tables();
    let dropped = tables
        .iter()
        .any(|t| t.incomplete.is_some() || !t.broken.is_empty());
    let mut errors: Vec<&Diagnostic> = diags.iter().filter(|d| d.is_error()).collect();
    errors.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let first = errors
        .iter()
        .find(|d| lost_file(d) || learning_file(d))
        .or_else(|| errors.first().filter(|_| dropped))?;
    Some(first.location.clone().unwrap_or_else(|| Location {
        file: "".into(),
        line: 1,
        column: 1,
        len: 1,
    }))
}

/// Add `skipped` derived checks to the `checks-skipped` note (one is made
/// at `cause` when loading made none).
fn count_skipped(diags: &mut Vec<Diagnostic>, skipped: usize, cause: &Location) {
    let what = format!(
        "{} that depend{} on it (certificates standing on completions, eligibility of enrolled people)",
        if skipped == 1 {
            "1 check".to_string()
        } else {
            format!("{} checks", crate::words::thousands(skipped as u64))
        },
        if skipped == 1 { "s" } else { "" }
    );
    if let Some(note) = diags.iter_mut().find(|d| d.code == Code::ChecksSkipped) {
        note.message = format!("{}; and {what} were not run", note.message);
        return;
    }
    let place = if cause.file.is_empty() {
        "the first error".to_string()
    } else {
        format!("`{}`, line {}", cause.file, cause.line)
    };
    diags.push(
        Diagnostic::note(
            Code::ChecksSkipped,
            format!("{what} were not run, because of the error in {place}"),
        )
        .help("fix the first error first; these checks run again then")
        .at(cause.clone()),
    );
}

/// Every check, side by side.
fn all_checks(data: &Dataset) -> Vec<Diagnostic> {
    // The checks are independent: run them side by side.
    let found: Vec<Vec<Diagnostic>> = (0..10)
        .into_par_iter()
        .map(|i| {
            let mut out = Vec::new();
            let mut c = Checker {
                data,
                diags: &mut out,
            };
            let everything = data.scope() == Scope::Everything;
            match i {
                0 => {
                    c.files();
                    c.contrast();
                }
                1 => c.cohorts(),
                2 if everything => c.attendance(),
                3 => c.prerequisite_cycles(),
                4 if everything => c.eligibility(),
                5 => c.timetable(),
                6 => c.unsatisfiable_rules(),
                7 if everything => c.duplicate_completions(),
                8 if everything => c.ledger(),
                9 => c.ways_in(),
                _ => {}
            }
            out
        })
        .collect();
    found.into_iter().flatten().collect()
}

struct Checker<'a> {
    data: &'a Dataset,
    diags: &'a mut Vec<Diagnostic>,
}

impl Checker<'_> {
    fn push(&mut self, d: Diagnostic, loc: Loc) {
        self.diags.push(d.at(self.data.location(loc)));
    }

    /// Files that will be published (resource files, the logo, the font,
    /// template overrides) are plain files inside the data folder, and none
    /// of them is one of the data set's own (private) files.
    fn files(&mut self) {
        let data = self.data;
        // Given in memory, there is no folder to look in.
        if data.in_memory() {
            return;
        }
        for r in &data.resources {
            if let ResourceLocation::File(path) = &r.location {
                self.data_file(path, &format!("resource `{}`", r.id), r.location_loc);
            }
        }
        let branding = data.programme.branding.as_ref();
        if let Some(logo) = branding.and_then(|b| b.logo.as_ref()) {
            let at = branding
                .and_then(|b| b.logo_loc)
                .unwrap_or(data.programme.loc);
            if self.data_file(logo, "the logo", at) {
                self.logo_is_png(logo, at);
            }
        }
        if let Some(font) = branding.and_then(|b| b.font.as_ref()) {
            let at = branding
                .and_then(|b| b.font_loc)
                .unwrap_or(data.programme.loc);
            self.data_file(font, "the font", at);
        }
        if let Some(b) = branding {
            for (font, &at) in b.fonts.iter().zip(&b.fonts_locs) {
                self.data_file(font, "a font", at);
            }
        }
        for key in &data.programme.public_keys {
            self.data_file(&key.file, "the public key", key.loc);
        }
        self.template_overrides();
    }

    /// Whether the file `path` may be published; if not, say why.
    fn data_file(&mut self, path: &str, what: &str, loc: Loc) -> bool {
        let refusal = match crate::files::public_file(self.data.root(), path) {
            Ok(_) => return true,
            // The logo has its own words for it.
            Err(FileRefusal::WrongType(_)) if what == "the logo" => {
                self.logo_is_png(path, loc);
                return false;
            }
            Err(refusal) => refusal,
        };
        let (code, help) = match &refusal {
            FileRefusal::Outside => (
                Code::ResourcePathEscapes,
                "give a path relative to the data folder, without `..`, e.g. `resources/leaflet.pdf`",
            ),
            FileRefusal::LinkOutside => (
                Code::ResourcePathEscapes,
                "copy the file into the data folder instead of linking to it",
            ),
            FileRefusal::Private(_) => (
                Code::PrivateFile,
                "only files meant to be public may be published: put them under `resources/`, never a data file",
            ),
            FileRefusal::Missing => (
                Code::ResourceFileMissing,
                "paths are relative to the data folder and case-sensitive",
            ),
            FileRefusal::NotAFile => (Code::ResourceFileMissing, "name a file, not a folder"),
            FileRefusal::PrivateKey => (
                Code::PrivateFile,
                "a private key never goes in the data folder: move it out (e.g. to ~/tip-keys/) and name it with TIP_SIGNING_KEY",
            ),
            FileRefusal::Unreadable(_) => (
                Code::ResourceFileMissing,
                "make the file readable (its permissions), or name another",
            ),
            FileRefusal::WrongType(_) => (
                Code::WrongFileType,
                "give the file itself (a renamed data file would publish private records), or a name that says what it is",
            ),
        };
        self.push(
            Diagnostic::error(code, format!("the file of {what}, `{path}`, {refusal}")).help(help),
            loc,
        );
        false
    }

    /// The brand colour is the site's links and headings on white: it must
    /// reach WCAG AA's 4.5:1.
    fn contrast(&mut self) {
        let Some(b) = &self.data.programme.branding else {
            return;
        };
        let (Some(colour), Some(at)) = (&b.colour, b.colour_loc) else {
            return;
        };
        let Some(ratio) = crate::words::contrast_with_white(colour) else {
            return;
        };
        if ratio < 4.5 {
            self.push(
                Diagnostic::warning(
                    Code::LowContrast,
                    format!("`{colour}` on white has a contrast ratio of {ratio:.2}:1, under the 4.5:1 that WCAG AA asks for text"),
                )
                .help("links and headings are drawn in this colour: choose a darker shade (e.g. `#00577a` is 7.6:1)"),
                at,
            );
        }
    }

    /// The logo is published as a PNG: check that it is one.
    fn logo_is_png(&mut self, logo: &str, at: Loc) {
        use std::io::Read;
        let mut head = [0u8; 8];
        let read = std::fs::File::open(self.data.root().join(logo))
            .and_then(|mut f| f.read_exact(&mut head));
        if read.is_err() || &head != crate::files::PNG_SIGNATURE {
            self.push(
                Diagnostic::error(
                    Code::LogoNotPng,
                    format!("the logo, `{logo}`, is not a PNG image"),
                )
                .help("save the logo as PNG (its contents, not only its name)"),
                at,
            );
        }
    }

    /// A template override (`templates/<name>`) is published through the
    /// site: it must be a plain file, not a link to a data file.
    fn template_overrides(&mut self) {
        let dir = self.data.root().join("templates");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return;
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect();
        names.sort();
        for name in names {
            let rel = format!("templates/{name}");
            if let Err(refusal) = crate::files::public_file(self.data.root(), &rel) {
                if matches!(refusal, FileRefusal::NotAFile) {
                    continue;
                }
                let code = match refusal {
                    FileRefusal::Private(_) | FileRefusal::PrivateKey => Code::PrivateFile,
                    FileRefusal::WrongType(_) => Code::WrongFileType,
                    _ => Code::ResourcePathEscapes,
                };
                self.diags.push(
                    Diagnostic::error(code, format!("the template override `{rel}` {refusal}"))
                        .at(Location {
                            file: rel.as_str().into(),
                            line: 1,
                            column: 1,
                            len: 1,
                        })
                        .help("a template must be a plain file in `templates/`, not a link to a data file"),
                );
            }
        }
    }

    fn cohorts(&mut self) {
        let data = self.data;
        for cohort in &data.cohorts {
            if let Timing::Sessions(sessions) = &cohort.timing {
                for s in sessions {
                    if s.end <= s.start {
                        self.push(
                            Diagnostic::error(
                                Code::EndBeforeStart,
                                format!(
                                    "a session of cohort `{}` ends ({}) before it starts ({})",
                                    cohort.id,
                                    s.end.format("%Y-%m-%d %H:%M"),
                                    s.start.format("%Y-%m-%d %H:%M")
                                ),
                            )
                            .label(data.location(s.loc), "it starts here")
                            .help("swap `start` and `end`, or correct the date"),
                            s.end_loc,
                        );
                    }
                }
                let mut sorted: Vec<&SessionTime> = sessions.iter().collect();
                sorted.sort_by_key(|s| s.start);
                for w in sorted.windows(2) {
                    if w[1].start < w[0].end {
                        self.push(
                            Diagnostic::error(Code::SessionOverlap, format!("two sessions of cohort `{}` overlap ({} and {})", cohort.id, w[0].start.format("%Y-%m-%d %H:%M"), w[1].start.format("%Y-%m-%d %H:%M")))
                                .label(data.location(w[0].loc), "while this session is still running")
                                .help("each session of a cohort is a separate time; merge them or correct the times"),
                            w[1].loc,
                        );
                    }
                }
            }

            self.repeats(&cohort.enrolled, &cohort.locs.enrolled, cohort, "enrolled");
            self.repeats(&cohort.waitlist, &cohort.locs.waitlist, cohort, "waitlist");
            self.repeats(&cohort.trainers, &cohort.locs.trainers, cohort, "trainers");
            self.enrolled_and_waitlisted(cohort);
        }
    }

    /// Every e-learning course can be started, and every cancelled run's
    /// replacement is a run of the same course that is going ahead.
    fn ways_in(&mut self) {
        let data = self.data;
        for course in &data.courses {
            if course.format == Format::ELearning && course.url.is_none() && course.ended.is_none()
            {
                self.push(
                    Diagnostic::warning(
                        Code::NoStartLink,
                        format!("e-learning course `{}` has no `url`", course.id),
                    )
                    .help("add `url: https://…`, the page where learners start it: the site's \"Start the course\" button leads there"),
                    course.loc,
                );
            }
        }
        for (ix, cohort) in data.cohort_ixs() {
            let Some(other) = cohort.replaced_by else {
                continue;
            };
            let replacement = &data[other];
            let why = if cohort.status != Status::Cancelled {
                Some((
                    format!(
                        "cohort `{}` has a replacement but is not cancelled",
                        cohort.id
                    ),
                    "set `status: cancelled`, or remove `replaced_by`".to_string(),
                ))
            } else if other == ix {
                Some((
                    format!("cohort `{}` is its own replacement", cohort.id),
                    "name the run that people were moved to".to_string(),
                ))
            } else if replacement.course != cohort.course {
                Some((
                    format!(
                        "cohort `{}` is replaced by `{}`, a run of another course",
                        cohort.id, replacement.id
                    ),
                    format!("name a run of `{}`", data[cohort.course].id),
                ))
            } else if replacement.status == Status::Cancelled {
                Some((
                    format!(
                        "cohort `{}` is replaced by `{}`, which is cancelled too",
                        cohort.id, replacement.id
                    ),
                    format!("name the run that replaces `{}`", replacement.id),
                ))
            } else {
                None
            };
            if let Some((message, help)) = why {
                self.push(
                    Diagnostic::error(Code::BadReplacement, message).help(help),
                    cohort.locs.replaced_by.unwrap_or(cohort.loc),
                );
            }
        }
    }

    fn enrolled_and_waitlisted(&mut self, cohort: &Cohort) {
        // Most cohorts have no waitlist: no map of the enrolled for them.
        if cohort.waitlist.is_empty() {
            return;
        }
        let data = self.data;
        let enrolled: FxHashMap<_, _> = cohort.enrolled.iter().zip(&cohort.locs.enrolled).collect();
        for (p, at) in cohort.waitlist.iter().zip(&cohort.locs.waitlist) {
            let Some(&&first) = enrolled.get(p) else {
                continue;
            };
            self.push(
                Diagnostic::error(
                    Code::EnrolledAndWaitlisted,
                    format!(
                        "`{}` is both enrolled on and waitlisted for cohort `{}`",
                        data[*p].id, cohort.id
                    ),
                )
                .label(data.location(first), "enrolled here")
                .help("remove them from `waitlist` now that they have a place"),
                *at,
            );
        }
    }

    fn repeats(&mut self, list: &[Ix<Person>], locs: &[Loc], cohort: &Cohort, field: &str) {
        let mut seen = FxHashMap::default();
        seen.reserve(list.len());
        for (p, at) in list.iter().zip(locs) {
            if let Some(first) = seen.insert(p, *at) {
                let d = Diagnostic::error(
                    Code::DuplicateEntry,
                    format!(
                        "`{}` appears twice in `{field}` of cohort `{}`",
                        self.data[*p].id, cohort.id
                    ),
                )
                .label(self.data.location(first), "first here")
                .help("list each person once");
                self.push(d, *at);
                seen.insert(p, first);
            }
        }
    }

    fn attendance(&mut self) {
        let data = self.data;
        let mut seen = FxHashSet::default();
        seen.reserve(data.attendance.len());
        for a in &data.attendance {
            let cohort = &data[a.cohort];
            // Found only for a message: most records need none.
            let person = || &data[a.person];
            if !seen.insert((a.cohort, a.person)) {
                self.push(
                    Diagnostic::warning(
                        Code::DuplicateRecord,
                        format!(
                            "attendance of `{}` at cohort `{}` is recorded twice",
                            person().id,
                            cohort.id
                        ),
                    )
                    .help("keep one record; list every session attended in it"),
                    a.loc,
                );
            }
            if !cohort.enrolled.contains(&a.person) {
                self.push(
                    Diagnostic::error(
                        Code::AttendanceNotEnrolled,
                        format!(
                            "`{}` attended cohort `{}` but is not enrolled on it",
                            person().id,
                            cohort.id
                        ),
                    )
                    .help(format!(
                        "add `{}` to the cohort's `enrolled`, or correct the cohort",
                        person().id
                    )),
                    a.person_loc,
                );
            }
            let n = data.sessions(a.cohort).len() as u32;
            if let SessionSet::Numbers(numbers) = &a.sessions {
                for (i, &k) in numbers.iter().enumerate().filter(|(_, k)| **k > n) {
                    self.push(
                        Diagnostic::error(
                            Code::AttendanceUnknownSession,
                            format!(
                                "cohort `{}` has {n} session{}, so there is no session {k}",
                                cohort.id,
                                if n == 1 { "" } else { "s" }
                            ),
                        )
                        .help(format!("session numbers run from 1 to {n}, in time order")),
                        a.number_locs.get(i).copied().unwrap_or(a.sessions_loc),
                    );
                }
            }
        }
    }

    /// Courses that require each other in a circle can never be taken.
    fn prerequisite_cycles(&mut self) {
        let data = self.data;
        let edges: Vec<Vec<usize>> = data
            .courses
            .iter()
            .map(|c| {
                c.requires
                    .as_ref()
                    .map(|r| necessary(r).into_iter().map(Ix::index).collect())
                    .unwrap_or_default()
            })
            .collect();
        // Where course `from` names course `to` in its rules.
        let edge_at = |from: usize, to: usize| {
            let mut at = data.courses[from].loc;
            if let Some(rule) = &data.courses[from].requires {
                let mut found = false;
                rule.visit(&mut |r| {
                    if let RuleKind::Completed { course, .. } = r.kind
                        && course.index() == to
                        && !found
                    {
                        (at, found) = (r.loc, true);
                    }
                });
            }
            at
        };
        for cycle in cycles(&edges) {
            let next = |k: usize| cycle[(k + 1) % cycle.len()];
            let id = |i: usize| &*data.courses[i].id;
            let mut names: Vec<&str> = cycle.iter().map(|&i| id(i)).collect();
            names.push(id(cycle[0]));
            let mut d = Diagnostic::error(
                Code::PrerequisiteCycle,
                format!(
                    "courses require each other in a circle: {}",
                    names.join(" → ")
                ),
            )
            .help("no one could ever take these courses; remove one of the requirements");
            for (k, &from) in cycle.iter().enumerate().skip(1) {
                let to = next(k);
                d = d.label(
                    data.location(edge_at(from, to)),
                    format!("`{}` requires `{}`", id(from), id(to)),
                );
            }
            self.push(d, edge_at(cycle[0], next(0)));
        }
    }

    /// Trainers must meet `delivered_by`, and learners the course's rules,
    /// on each cohort's first session.
    fn eligibility(&mut self) {
        let data = self.data;
        for (ix, cohort) in data.cohort_ixs() {
            let Some(first) = data.sessions(ix).first() else {
                continue;
            };
            let on = first.date();
            if cohort.status == Status::Cancelled {
                continue;
            }
            for (&p, &at) in cohort.enrolled.iter().zip(&cohort.locs.enrolled) {
                let decision = data.eligibility(p, cohort.course, on);
                if !decision.eligible {
                    self.push(
                        Diagnostic::warning(Code::NotEligible, format!("`{}` is enrolled on cohort `{}` but is not eligible on {on}: {}", data[p].id, cohort.id, decision.explain(data).join("; ")))
                            .help("check the person's record and completions, or move them off the cohort"),
                        at,
                    );
                }
            }
        }
    }

    /// Clashes, closed days, capacity, trainers: see [`crate::problems`].
    fn timetable(&mut self) {
        let records = self.data.scope() == Scope::Everything;
        // Trainers' qualifications need the completions.
        for p in crate::problems::problems(self.data)
            .into_iter()
            .filter(|p| records || p.code != Code::UnqualifiedTrainer)
        {
            let mut d = match p.severity {
                crate::Severity::Warning => Diagnostic::warning(p.code, p.message),
                _ => Diagnostic::error(p.code, p.message),
            };
            for (loc, message) in p.labels {
                d = d.label(self.data.location(loc), message);
            }
            self.push(d.help(p.help), p.loc);
        }
    }

    /// A course whose audience, regions and rules no one could ever meet.
    fn unsatisfiable_rules(&mut self) {
        let data = self.data;
        for course in &data.courses {
            let mut base = Space::default();
            if !course.audience.is_empty() {
                base.roles = Some(sorted(course.audience.iter().map(|r| r.index())));
            }
            if !course.regions.is_empty() {
                base.regions = Some(sorted(course.regions.iter().map(|r| r.index())));
            }
            let spaces: Vec<Space> = match &course.requires {
                Some(rule) => spaces(rule).iter().map(|s| s.and(&base)).collect(),
                None => vec![base],
            };
            let loc = course.requires.as_ref().map_or(course.loc, |r| r.loc);
            if spaces.iter().all(Space::is_empty) {
                self.push(
                    Diagnostic::warning(Code::UnsatisfiableRule, format!("no one could ever take `{}`: its audience, regions and rules contradict each other", course.id))
                        .help("a person has one role, one region and one sector: check `audience`, `regions` and the `role`/`region`/`sector` conditions under `all`"),
                    loc,
                );
            } else if !data.people.is_empty()
                && !data
                    .people
                    .iter()
                    .any(|p| spaces.iter().any(|s| s.admits(p)))
            {
                self.push(
                    Diagnostic::warning(Code::UnsatisfiableRule, format!("no one in the data could take `{}`: no person has a role, region and sector it allows", course.id))
                        .help("check the ids in `audience`, `regions` and the rules, and the people's records"),
                    loc,
                );
            }
        }
    }

    /// The certificates ledger: numbers canonical and unique, codes well
    /// formed and unique, dates in order, keys and replacements that
    /// exist, and every certificate still standing on a completion.
    fn ledger(&mut self) {
        let data = self.data;
        let prefix = data.programme.id.to_uppercase();
        let mut numbers: std::collections::HashMap<&str, &Issued> = Default::default();
        let mut codes: std::collections::HashMap<&str, &Issued> = Default::default();
        for c in &data.certificates {
            self.ledger_number(c, &prefix);
            if !Issued::is_code(&c.code) {
                self.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("`{}` is not a verification code", c.code),
                    )
                    .help("codes are written `XXXX-XXXX` in digits and capitals without I, L, O and U, as `tip certify` recorded them"),
                    c.code_loc,
                );
            }
            for (seen, key, what) in [
                (&mut numbers, c.number.as_str(), "number"),
                (&mut codes, c.code.as_str(), "code"),
            ] {
                if let Some(first) = seen.get(key) {
                    let d = Diagnostic::error(
                        Code::DuplicateId,
                        format!("two certificates have the {what} `{key}`"),
                    )
                    .label(data.location(first.loc), "first recorded here")
                    .help("each certificate is issued once: remove the repeated row");
                    self.push(d, c.loc);
                } else {
                    seen.insert(key, c);
                }
            }
            self.ledger_dates(c);
            self.ledger_key(c);
            if c.revoked.is_none()
                && !data
                    .done
                    .of(c.person)
                    .iter()
                    .any(|d| d.course == c.course && d.date == c.completed)
            {
                self.push(
                    Diagnostic::error(
                        Code::IssuedWithoutCompletion,
                        format!(
                            "certificate `{}` says `{}` completed `{}` on {}, but the data no longer records that completion",
                            c.number, data[c.person].id, data[c.course].id, c.completed
                        ),
                    )
                    .help("an issued certificate is never deleted: if the completion was recorded by mistake, revoke it (fill `revoked` with today's date and `reason`); otherwise restore the attendance or completion"),
                    c.loc,
                );
            }
        }
        for c in &data.certificates {
            let Some(old) = &c.replaces else { continue };
            let at = c.replaces_loc.unwrap_or(c.loc);
            let problem = match numbers.get(old.as_str()) {
                None => Some(format!(
                    "`{}` replaces `{old}`, which the ledger does not hold",
                    c.number
                )),
                Some(o) if o.person != c.person || o.course != c.course => Some(format!(
                    "`{}` replaces `{old}`, a certificate of another person or course",
                    c.number
                )),
                Some(o) if o.revoked.is_none() => Some(format!(
                    "`{}` replaces `{old}`, which is not revoked: both would stand",
                    c.number
                )),
                Some(_) => None,
            };
            if let Some(message) = problem {
                self.push(
                    Diagnostic::error(Code::InvalidValue, message)
                        .help("a replacement names the revoked certificate of the same person and course (`tip certify --reissue NUMBER` writes it)"),
                    at,
                );
            }
        }
    }

    /// A certificate's number: of this programme, canonical, in the year
    /// of completion.
    fn ledger_number(&mut self, c: &Issued, prefix: &str) {
        match Issued::sequence(&c.number, prefix) {
            Some((year, _)) if year == c.completed.year() => {}
            Some((year, _)) => self.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!(
                        "certificate `{}` is numbered in {year} but was completed in {}",
                        c.number,
                        c.completed.year()
                    ),
                )
                .help("a number's year is the year of completion: correct `completed`, or revoke this certificate and print a new one"),
                c.number_loc,
            ),
            None => self.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("`{}` is not a certificate number of this programme", c.number),
                )
                .help(format!("numbers are written `{prefix}-<YEAR>-<NNNNNN>` (six digits or more, from 000001), e.g. `{prefix}-2022-000042`; `tip certify` assigns them")),
                c.number_loc,
            ),
        }
    }

    /// Issued on or after completion; revoked on or after issue.
    fn ledger_dates(&mut self, c: &Issued) {
        if c.issued < c.completed {
            self.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!(
                        "certificate `{}` is issued on {}, before its completion on {}",
                        c.number, c.issued, c.completed
                    ),
                )
                .help("a certificate is issued on or after the day the course was completed"),
                c.issued_loc,
            );
        }
        if let Some(revoked) = c.revoked
            && revoked < c.issued
        {
            self.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!(
                        "certificate `{}` is revoked on {revoked}, before it was issued on {}",
                        c.number, c.issued
                    ),
                )
                .help("write the day it was revoked: today, when revoking it now"),
                c.revoked_loc.unwrap_or(c.loc),
            );
        }
    }

    /// The key a certificate names is one of the programme's, in use on
    /// its issue date; signed after a key's compromise, it stands revoked.
    fn ledger_key(&mut self, c: &Issued) {
        let keys = &self.data.programme.public_keys;
        let id = c.key.as_deref().unwrap_or("key-1");
        let Some(key) = keys.iter().find(|k| k.id == id) else {
            if c.key.is_some() {
                let names: Vec<String> = keys.iter().map(|k| format!("`{}`", k.id)).collect();
                self.push(
                    Diagnostic::error(
                        Code::UnknownReference,
                        format!("certificate `{}` names the key `{id}`, which the programme does not list", c.number),
                    )
                    .help(if names.is_empty() {
                        "list the programme's public keys in `public_keys`".to_string()
                    } else {
                        format!("the programme's keys are {}: never remove a key from `public_keys`", names.join(", "))
                    }),
                    c.key_loc.unwrap_or(c.loc),
                );
            }
            return;
        };
        if !key.trusted_on(c.issued) && c.revoked.is_none() {
            let since = key.compromised.expect("untrusted keys are compromised");
            self.push(
                Diagnostic::warning(
                    Code::CompromisedKey,
                    format!(
                        "certificate `{}` was signed on {} by `{}`, which is marked compromised from {since}: it is revoked in its status list",
                        c.number, c.issued, key.id
                    ),
                )
                .label(self.data.location(key.loc), "the compromised key")
                .help(format!("revoke it here too (`revoked`, `reason`), then issue a replacement with the new key: `tip certify --reissue {}`", c.number)),
                c.loc,
            );
        }
    }

    /// The same completion exported twice is harmless but worth a warning.
    /// Each person's completions are already sorted by course, date and
    /// record (the completion index): a repeat is next to the record it
    /// repeats.
    fn duplicate_completions(&mut self) {
        use crate::dataset::Origin;
        let data = self.data;
        let repeats: Vec<(usize, usize)> = (0..data.people.len())
            .into_par_iter()
            .flat_map_iter(|p| {
                data.done
                    .of(Ix::new(p))
                    .windows(2)
                    .filter_map(|w| match (w[0].origin, w[1].origin) {
                        (Origin::Record(a), Origin::Record(b))
                            if w[0].course == w[1].course && w[0].date == w[1].date =>
                        {
                            Some((b.index(), a.index()))
                        }
                        _ => None,
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        for (repeat, first) in repeats {
            let c = &data.completions[repeat];
            let first = data.location(data.completions[first].loc);
            self.push(
                Diagnostic::warning(
                    Code::DuplicateRecord,
                    format!(
                        "`{}` completing `{}` on {} is recorded twice",
                        data[c.person].id, data[c.course].id, c.date
                    ),
                )
                .label(first, "first recorded here")
                .help("remove one of the two rows"),
                c.loc,
            );
        }
    }
}

/// The roles, regions and sectors a rule allows (`None`: any), as one of
/// several alternatives.
#[derive(Clone, Debug, Default, PartialEq)]
struct Space {
    roles: Option<Vec<usize>>,
    regions: Option<Vec<usize>>,
    sectors: Option<Vec<usize>>,
}

fn sorted(it: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut v: Vec<usize> = it.collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn meet(a: &Option<Vec<usize>>, b: &Option<Vec<usize>>) -> Option<Vec<usize>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.iter().copied().filter(|x| b.contains(x)).collect()),
        (Some(x), None) | (None, Some(x)) => Some(x.clone()),
        (None, None) => None,
    }
}

impl Space {
    fn and(&self, other: &Space) -> Space {
        Space {
            roles: meet(&self.roles, &other.roles),
            regions: meet(&self.regions, &other.regions),
            sectors: meet(&self.sectors, &other.sectors),
        }
    }

    fn is_empty(&self) -> bool {
        [&self.roles, &self.regions, &self.sectors]
            .iter()
            .any(|d| d.as_ref().is_some_and(Vec::is_empty))
    }

    fn admits(&self, p: &Person) -> bool {
        let fits = |allowed: &Option<Vec<usize>>, have: Option<usize>| {
            allowed
                .as_ref()
                .is_none_or(|a| have.is_some_and(|h| a.contains(&h)))
        };
        fits(&self.roles, p.role.map(Ix::index))
            && fits(&self.regions, p.region.map(Ix::index))
            && fits(&self.sectors, p.sector.map(Ix::index))
    }
}

/// The alternatives a rule allows (disjunctive normal form, capped: past
/// the cap, "anything" — this check only warns).
fn spaces(rule: &Rule) -> Vec<Space> {
    const CAP: usize = 256;
    let any = || vec![Space::default()];
    match &rule.kind {
        RuleKind::Completed { .. } | RuleKind::Not(_) => any(),
        RuleKind::Role(r) => vec![Space {
            roles: Some(sorted(r.iter().map(|x| x.index()))),
            ..Space::default()
        }],
        RuleKind::Region(r) => vec![Space {
            regions: Some(sorted(r.iter().map(|x| x.index()))),
            ..Space::default()
        }],
        RuleKind::Sector(s) => vec![Space {
            sectors: Some(sorted(s.iter().map(|x| x.index()))),
            ..Space::default()
        }],
        RuleKind::Any(rules) => {
            let all: Vec<Space> = rules.iter().flat_map(spaces).collect();
            if all.len() > CAP { any() } else { all }
        }
        RuleKind::All(rules) => {
            let mut acc = any();
            for r in rules {
                let next = spaces(r);
                if acc.len() * next.len() > CAP {
                    return any();
                }
                acc = acc
                    .iter()
                    .flat_map(|a| next.iter().map(move |b| a.and(b)))
                    .filter(|s| !s.is_empty())
                    .collect();
                if acc.is_empty() {
                    return vec![Space {
                        roles: Some(Vec::new()),
                        ..Space::default()
                    }];
                }
            }
            acc
        }
    }
}

/// The courses every way of meeting `rule` needs completed.
pub(crate) fn necessary(rule: &Rule) -> BTreeSet<Ix<Course>> {
    match &rule.kind {
        RuleKind::Completed { course, .. } => BTreeSet::from([*course]),
        RuleKind::All(rules) => rules.iter().flat_map(necessary).collect(),
        RuleKind::Any(rules) => {
            let mut sets = rules.iter().map(necessary);
            let first = sets.next().unwrap_or_default();
            sets.fold(first, |acc, s| acc.intersection(&s).copied().collect())
        }
        RuleKind::Not(_) | RuleKind::Role(_) | RuleKind::Region(_) | RuleKind::Sector(_) => {
            BTreeSet::new()
        }
    }
}

/// Every elementary circle of a small graph, each once, starting from its
/// lowest node (strongly connected components, then one cycle per component).
fn cycles(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = edges.len();
    let mut out = Vec::new();
    let mut reported = vec![false; n];
    for start in 0..n {
        if reported[start] {
            continue;
        }
        // Depth-first search for a path back to `start` through nodes > start.
        let mut stack = vec![(start, 0usize)];
        let mut on_path = vec![false; n];
        let mut visited = vec![false; n];
        on_path[start] = true;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&to) = edges[node].get(*next) {
                *next += 1;
                if to == start {
                    let cycle: Vec<usize> = stack.iter().map(|&(v, _)| v).collect();
                    cycle.iter().for_each(|&v| reported[v] = true);
                    out.push(cycle);
                    break;
                }
                if to > start && !on_path[to] && !visited[to] {
                    visited[to] = true;
                    on_path[to] = true;
                    stack.push((to, 0));
                }
            } else {
                on_path[node] = false;
                stack.pop();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_circle_once() {
        // 0 → 1 → 2 → 0, 3 → 3, 4 → 0
        let edges = vec![vec![1], vec![2], vec![0], vec![3], vec![0]];
        assert_eq!(cycles(&edges), vec![vec![0, 1, 2], vec![3]]);
        assert!(cycles(&[vec![1], vec![]]).is_empty());
    }
}
