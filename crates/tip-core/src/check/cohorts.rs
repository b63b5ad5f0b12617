//! Cohorts, enrolments, attendance and completions, record by record.

use rustc_hash::{FxHashMap, FxHashSet};

use rayon::prelude::*;

use super::Checker;
use crate::dataset::Scope;
use crate::diagnostic::{Code, Diagnostic};
use crate::ix::Ix;
use crate::loc::Loc;
use crate::model::*;

impl Checker<'_> {
    pub(super) fn cohorts(&mut self) {
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
    pub(super) fn ways_in(&mut self) {
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

    pub(super) fn attendance(&mut self) {
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

    /// Clashes, closed days, capacity, trainers: see [`crate::problems`].
    pub(super) fn timetable(&mut self) {
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

    /// The same completion exported twice is harmless but worth a warning.
    /// Each person's completions are already sorted by course, date and
    /// record (the completion index): a repeat is next to the record it
    /// repeats.
    pub(super) fn duplicate_completions(&mut self) {
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
