//! Why not: the unmet conditions of a "no", as data.
//!
//! Eligibility ([`crate::Dataset::eligibility`]) and allocation
//! ([`crate::Dataset::allocate`]) give their reasons as values an embedder
//! can match on ("not in the region" is [`Reason::OutsideRegions`], "the
//! prerequisite expired" is [`Reason::Completed`] with [`Unmet::Expired`])
//! and say in their own words. [`Reason::explain`] says them in English,
//! as the command line and the site do.
//!
//! ```
//! use chrono::NaiveDate;
//! use tip_core::Dataset;
//! use tip_core::rules::{Reason, Unmet};
//!
//! let (data, _) = Dataset::load("../../data/kent-medway")?;
//! let sian = data.person("sian-llewelyn").unwrap();
//! let l2 = data.course("l2-trauma-awareness").unwrap();
//! let decision = data.eligibility(sian, l2, NaiveDate::from_ymd_opt(2022, 3, 1).unwrap());
//! match &decision.reasons[..] {
//!     [Reason::Completed { standing: Unmet::Expired { expired, .. }, .. }] => {
//!         println!("her e-learning ran out on {expired}: please redo it");
//!     }
//!     other => panic!("{other:?}"),
//! }
//! assert_eq!(
//!     decision.reasons[0].explain(&data, sian).to_string(),
//!     "needs Becoming Trauma Informed (becoming-ti): completed 2018-02-01, expired 2021-02-01 after 3 years",
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use chrono::NaiveDate;

use crate::dataset::Dataset;
use crate::ix::Ix;
use crate::model::{Cohort, Course, Duration, Person, Region, Role, Sector};
use crate::words::{or_list, plural, with_article};

/// One unmet condition of a "no".
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// The course's `audience` names roles the person does not have.
    Audience {
        /// The roles the course is for.
        wanted: Vec<Ix<Role>>,
        /// The person's role, if recorded.
        has: Option<Ix<Role>>,
    },
    /// The course's `regions` do not include the person's.
    OutsideRegions {
        /// The regions the course is for.
        wanted: Vec<Ix<Region>>,
        /// The person's region, if recorded.
        has: Option<Ix<Region>>,
    },
    /// A `role:` rule.
    Role {
        /// Any of these.
        wanted: Vec<Ix<Role>>,
        /// The person's role, if recorded.
        has: Option<Ix<Role>>,
    },
    /// A `region:` rule.
    Region {
        /// Any of these.
        wanted: Vec<Ix<Region>>,
        /// The person's region, if recorded.
        has: Option<Ix<Region>>,
    },
    /// A `sector:` rule.
    Sector {
        /// Any of these.
        wanted: Vec<Ix<Sector>>,
        /// The person's sector, if recorded.
        has: Option<Ix<Sector>>,
    },
    /// A `completed:` rule.
    Completed {
        /// The course that must have been completed.
        course: Ix<Course>,
        /// The rule's `within`, if any.
        within: Option<Duration>,
        /// How the person's completions stand.
        standing: Unmet,
    },
    /// An `any:` rule of which no branch holds: the reasons of each branch.
    AnyOf(Vec<Vec<Reason>>),
    /// A `not:` rule whose inner rule holds: why it holds.
    Not(Met),
}

/// How a `completed:` rule is unmet.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unmet {
    /// No completion of the course at all.
    Never,
    /// Completed, but it does not count yet (a cohort's completion counts
    /// from the day after its last session).
    NotYet {
        /// When.
        completed: NaiveDate,
        /// The first day it counts.
        counts_from: NaiveDate,
    },
    /// The latest completion ran out: older than the course's `valid_for`.
    Expired {
        /// When.
        completed: NaiveDate,
        /// The first day it no longer counted.
        expired: NaiveDate,
        /// The course's `valid_for`.
        valid_for: Duration,
    },
    /// The latest completion is older than the rule's `within`.
    TooOld {
        /// When.
        completed: NaiveDate,
        /// The date asked about.
        on: NaiveDate,
    },
}

/// Why a rule holds (what a `not:` rule forbids).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Met {
    /// The course was completed (on this date, when it still counts).
    Completed {
        /// The course.
        course: Ix<Course>,
        /// When, if the completion counts.
        on: Option<NaiveDate>,
    },
    /// The person has one of these roles.
    Role {
        /// The rule's roles.
        roles: Vec<Ix<Role>>,
        /// The person's.
        has: Option<Ix<Role>>,
    },
    /// The person is in one of these regions.
    Region {
        /// The rule's regions.
        regions: Vec<Ix<Region>>,
        /// The person's.
        has: Option<Ix<Region>>,
    },
    /// The person works in one of these sectors.
    Sector {
        /// The rule's sectors.
        sectors: Vec<Ix<Sector>>,
        /// The person's.
        has: Option<Ix<Sector>>,
    },
    /// Every part of an `all:` holds.
    All(Vec<Met>),
    /// These branches of an `any:` hold.
    Any(Vec<Met>),
    /// A `not:` holds: why its inner rule does not.
    Not(Vec<Reason>),
}

/// Why an application was not placed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unplacement {
    /// The applicant may not take the course (on the first session of the
    /// first cohort that had room, or on the day of allocation).
    NotEligible(Reason),
    /// Already has a place on a cohort of the course that has not ended.
    AlreadyPlaced(Ix<Cohort>),
    /// Already on the waitlist of a cohort of the course (1-based position).
    AlreadyWaiting(Ix<Cohort>, u32),
    /// No cohort of the course starts on or after the day of allocation
    /// (in the applicant's regions, when they named any).
    NoOpenCohort {
        /// The course.
        course: Ix<Course>,
        /// The day of allocation.
        from: NaiveDate,
        /// Whether the applicant named regions.
        in_their_regions: bool,
    },
    /// A preferred cohort is of another course than the one applied for.
    OtherCourse {
        /// The cohort.
        cohort: Ix<Cohort>,
        /// The course applied for.
        applied: Ix<Course>,
    },
    /// A preferred cohort is cancelled.
    Cancelled(Ix<Cohort>),
    /// A preferred cohort has no sessions.
    NoSessions(Ix<Cohort>),
    /// A preferred cohort had started (on this date).
    Started(Ix<Cohort>, NaiveDate),
    /// A cohort clashes with another the applicant is already in.
    Clash {
        /// The cohort applied for.
        cohort: Ix<Cohort>,
        /// The one they are in.
        with: Ix<Cohort>,
    },
}

impl Reason {
    /// The reason in English, about `person`: "needs Becoming Trauma
    /// Informed (becoming-ti): not completed".
    pub fn explain<'a>(&'a self, data: &'a Dataset, person: Ix<Person>) -> impl fmt::Display + 'a {
        Words {
            data,
            person,
            what: What::Reason(self, false),
        }
    }
}

impl Unplacement {
    /// The reason in English, about `person`.
    pub fn explain<'a>(&'a self, data: &'a Dataset, person: Ix<Person>) -> impl fmt::Display + 'a {
        Words {
            data,
            person,
            what: What::Unplacement(self),
        }
    }
}

/// Something to say in English about a person.
struct Words<'a> {
    data: &'a Dataset,
    person: Ix<Person>,
    what: What<'a>,
}

enum What<'a> {
    /// A reason; `true` leaves out a leading "needs " (inside an `any:`).
    Reason(&'a Reason, bool),
    Met(&'a Met),
    Unplacement(&'a Unplacement),
}

impl fmt::Display for Words<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.what {
            What::Reason(r, bare) => self.reason(f, r, bare),
            What::Met(m) => self.met(f, m),
            What::Unplacement(u) => self.unplacement(f, u),
        }
    }
}

impl Words<'_> {
    fn say(&self, what: What<'_>) -> String {
        Words {
            data: self.data,
            person: self.person,
            what,
        }
        .to_string()
    }

    fn name(&self) -> &str {
        &self.data[self.person].name
    }

    fn names<T>(&self, ixs: &[Ix<T>], each: impl Fn(&str) -> String) -> String
    where
        Dataset: std::ops::Index<Ix<T>>,
        <Dataset as std::ops::Index<Ix<T>>>::Output: Named,
    {
        or_list(ixs.iter().map(|i| each(self.data[*i].name())))
    }

    fn role_of(&self, has: Option<Ix<Role>>) -> String {
        match has {
            Some(r) => format!("{} is {}", self.name(), with_article(&self.data[r].name)),
            None => format!("{} has no role recorded", self.name()),
        }
    }

    fn region_of(&self, has: Option<Ix<Region>>) -> String {
        match has {
            Some(r) => format!("{} is in {}", self.name(), self.data[r].name),
            None => format!("{} has no region recorded", self.name()),
        }
    }

    // Long: one arm per kind of reason, each a sentence; kept together so
    // the English reads as one piece.
    fn reason(&self, f: &mut fmt::Formatter<'_>, r: &Reason, bare: bool) -> fmt::Result {
        let needs = if bare { "" } else { "needs " };
        match r {
            Reason::Audience { wanted, has } => write!(
                f,
                "for {}; {}",
                self.names(wanted, plural),
                self.role_of(*has)
            ),
            Reason::OutsideRegions { wanted, has } => write!(
                f,
                "only for people in {}; {}",
                self.names(wanted, str::to_owned),
                self.region_of(*has)
            ),
            Reason::Role { wanted, has } => write!(
                f,
                "{needs}the role {}; {}",
                self.names(wanted, str::to_owned),
                self.role_of(*has)
            ),
            Reason::Region { wanted, has } => write!(
                f,
                "{needs}to be in {}; {}",
                self.names(wanted, str::to_owned),
                self.region_of(*has)
            ),
            Reason::Sector { wanted, has } => {
                let theirs = match has {
                    Some(s) => format!("{} works in {}", self.name(), self.data[*s].name),
                    None => format!("{} has no sector recorded", self.name()),
                };
                write!(
                    f,
                    "{needs}to work in {}; {theirs}",
                    self.names(wanted, str::to_owned)
                )
            }
            Reason::Completed {
                course,
                within,
                standing,
            } => {
                let name = self.data.course_name(*course);
                match within {
                    Some(w) => write!(f, "{needs}{name} completed within {w}")?,
                    None => write!(f, "{needs}{name}")?,
                }
                match standing {
                    Unmet::Never => write!(f, ": not completed"),
                    Unmet::NotYet {
                        completed,
                        counts_from,
                    } => write!(
                        f,
                        ": completed {completed}, which counts from {counts_from}"
                    ),
                    Unmet::Expired {
                        completed,
                        expired,
                        valid_for,
                    } => write!(
                        f,
                        ": completed {completed}, expired {expired} after {valid_for}"
                    ),
                    Unmet::TooOld { completed, on } => {
                        let w = within.map(|w| w.to_string()).unwrap_or_default();
                        write!(f, ": completed {completed}, more than {w} before {on}")
                    }
                }
            }
            Reason::AnyOf(branches) => {
                let numbered: Vec<String> = branches
                    .iter()
                    .enumerate()
                    .map(|(i, why)| {
                        let why: Vec<String> = why
                            .iter()
                            .map(|r| self.say(What::Reason(r, true)))
                            .collect();
                        format!("({}) {}", i + 1, why.join(", and "))
                    })
                    .collect();
                write!(f, "{needs}one of these: {}", numbered.join("; or "))
            }
            Reason::Not(met) => write!(f, "must not {}", self.say(What::Met(met))),
        }
    }

    fn met(&self, f: &mut fmt::Formatter<'_>, m: &Met) -> fmt::Result {
        match m {
            Met::Completed { course, on } => {
                write!(f, "have completed {}", self.data.course_name(*course))?;
                match on {
                    Some(d) => write!(f, ": completed {d}"),
                    None => Ok(()),
                }
            }
            Met::Role { roles, has } => write!(
                f,
                "be {}; {}",
                self.names(roles, with_article),
                self.role_of(*has)
            ),
            Met::Region { regions, has } => write!(
                f,
                "be in {}; {}",
                self.names(regions, str::to_owned),
                self.region_of(*has)
            ),
            Met::Sector { sectors, has } => {
                write!(f, "work in {}", self.names(sectors, str::to_owned))?;
                match has {
                    Some(s) => write!(f, "; {} works in {}", self.name(), self.data[*s].name),
                    None => Ok(()),
                }
            }
            Met::All(parts) => {
                let parts: Vec<String> = parts.iter().map(|m| self.say(What::Met(m))).collect();
                write!(f, "meet all of: {}", parts.join("; "))
            }
            Met::Any(parts) => {
                let parts: Vec<String> = parts.iter().map(|m| self.say(What::Met(m))).collect();
                write!(f, "{}", parts.join("; nor "))
            }
            Met::Not(reasons) => {
                let why: Vec<String> = reasons
                    .iter()
                    .map(|r| self.say(What::Reason(r, false)))
                    .collect();
                write!(f, "fail this: {}", why.join("; "))
            }
        }
    }

    fn unplacement(&self, f: &mut fmt::Formatter<'_>, u: &Unplacement) -> fmt::Result {
        let data = self.data;
        match u {
            Unplacement::NotEligible(r) => self.reason(f, r, false),
            Unplacement::AlreadyPlaced(c) => write!(f, "already has a place on `{}`", data[*c].id),
            Unplacement::AlreadyWaiting(c, position) => write!(
                f,
                "already on the waitlist of `{}` (position {position})",
                data[*c].id
            ),
            Unplacement::NoOpenCohort {
                course,
                from,
                in_their_regions,
            } => write!(
                f,
                "no cohort of `{}` starting on or after {from}{} is open",
                data[*course].id,
                if *in_their_regions {
                    " in their regions"
                } else {
                    ""
                }
            ),
            Unplacement::OtherCourse { cohort, applied } => {
                let cohort = &data[*cohort];
                write!(
                    f,
                    "`{}` is a cohort of `{}`, not `{}`",
                    cohort.id, data[cohort.course].id, data[*applied].id
                )
            }
            Unplacement::Cancelled(c) => write!(f, "`{}` is cancelled", data[*c].id),
            Unplacement::NoSessions(c) => write!(f, "`{}` has no sessions", data[*c].id),
            Unplacement::Started(c, on) => write!(f, "`{}` started on {on}", data[*c].id),
            Unplacement::Clash { cohort, with } => write!(
                f,
                "`{}` clashes with `{}`, which they are already in",
                data[*cohort].id, data[*with].id
            ),
        }
    }
}

/// Records with a display name.
trait Named {
    fn name(&self) -> &str;
}

macro_rules! named {
    ($($t:ty),*) => {$(
        impl Named for $t {
            fn name(&self) -> &str {
                &self.name
            }
        }
    )*};
}

named!(Role, Region, Sector);
