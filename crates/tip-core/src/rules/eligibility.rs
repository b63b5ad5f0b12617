//! Who may take which course, on which date, and why not.
//!
//! A person may take a course on a date when its `audience` (roles), its
//! `regions` and its `requires` rule hold on that date. Every "no" carries
//! reasons, each naming the unmet condition and what would meet it.
//!
//! Completions come from `completions` records (counting from their date)
//! and from `attendance` that meets the course's `completion` rule, dated on
//! the cohort's last session and counting from the day after it (once the
//! session has ended). A cancelled cohort yields none. A completion counts
//! until the course's `valid_for` runs out: completed on 2018-02-01 with
//! `valid_for: 3 years`, it counts up to 2021-01-31 and has expired on
//! 2021-02-01. A rule's `within` narrows that further.

use chrono::{Days, NaiveDate};

use crate::dataset::{Dataset, Done, Origin};
use crate::ix::Ix;
use crate::model::*;
use crate::model::{Rule, RuleKind};
use crate::rules::{Met, Reason, Unmet};
use crate::timetable::Session;

/// The completion a person's attendance at a cohort earns, if any.
pub fn attendance_completion(data: &Dataset, a: &Attendance) -> Option<Done> {
    let cohort = &data[a.cohort];
    earned(a, cohort, &data[cohort.course], data.sessions(a.cohort))
}

/// The completion attendance `a` at `cohort` (of `course`, with these
/// sessions) earns, if any: none from a cancelled cohort, and only once
/// the course's `completion` rule is met.
pub(crate) fn earned(
    a: &Attendance,
    cohort: &Cohort,
    course: &Course,
    sessions: &[Session],
) -> Option<Done> {
    if cohort.status == Status::Cancelled {
        return None;
    }
    let last = sessions.last()?;
    let n = sessions.len() as u32;
    let attended = attended(&a.sessions, n);
    let met = match course.completion {
        CompletionRule::Percent(p) => f64::from(attended) * 100.0 >= p * f64::from(n) - 1e-9,
        CompletionRule::Sessions(k) => attended >= k,
    };
    let date = last.end.date_naive();
    met.then(|| Done {
        course: cohort.course,
        date,
        counts_from: date + Days::new(1),
        origin: Origin::Cohort(a.cohort),
    })
}

/// How many of a cohort's `n` sessions an attendance record covers.
pub fn attended(sessions: &SessionSet, n: u32) -> u32 {
    match sessions {
        SessionSet::All => n,
        SessionSet::Numbers(list) => {
            let mut seen: Vec<u32> = list
                .iter()
                .copied()
                .filter(|&k| (1..=n).contains(&k))
                .collect();
            seen.sort_unstable();
            seen.dedup();
            seen.len() as u32
        }
    }
}

/// The answer to "may this person take this course on this date?".
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Decision {
    /// Who asked.
    pub person: Ix<Person>,
    /// Which course.
    pub course: Ix<Course>,
    /// On which date.
    pub on: NaiveDate,
    /// Yes or no.
    pub eligible: bool,
    /// For a "no": each unmet condition, as data
    /// ([`Reason::explain`] says it in English).
    pub reasons: Vec<Reason>,
}

impl Decision {
    /// The reasons in English, one sentence each.
    pub fn explain(&self, data: &Dataset) -> Vec<String> {
        self.reasons
            .iter()
            .map(|r| r.explain(data, self.person).to_string())
            .collect()
    }
}

/// What a completion looks like on a date.
enum Standing<'a> {
    /// None recorded, or none yet counting.
    Missing(Option<&'a Done>),
    /// The latest counting completion, expired on this date.
    Expired(&'a Done, NaiveDate, Duration),
    /// Counts, but is older than a rule's `within`.
    TooOld(&'a Done),
    /// Counts.
    Valid(&'a Done),
}

impl Dataset {
    /// May `person` take `course` on `on`? A "yes" allocates nothing.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use tip_core::Dataset;
    ///
    /// let (data, _) = Dataset::load("../../data/kent-medway")?;
    /// let minh = data.person("nguyen-thi-minh").unwrap();
    /// let ambassador = data.course("ambassador-north").unwrap();
    /// let decision = data.eligibility(minh, ambassador, NaiveDate::from_ymd_opt(2022, 11, 1).unwrap());
    /// assert!(!decision.eligible);
    /// assert_eq!(
    ///     decision.explain(&data)[0],
    ///     "for Managers or Senior leaders; Nguyễn Thị Minh is a Front line worker"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn eligibility(&self, person: Ix<Person>, course: Ix<Course>, on: NaiveDate) -> Decision {
        let eligible = self.may_take(person, course, on, None);
        Decision {
            person,
            course,
            on,
            eligible,
            reasons: if eligible {
                Vec::new()
            } else {
                self.why_not(person, course, on)
            },
        }
    }

    /// The fast yes/no of [`Dataset::eligibility`], optionally pretending
    /// `extra` has just been completed.
    pub(crate) fn may_take(
        &self,
        person: Ix<Person>,
        course: Ix<Course>,
        on: NaiveDate,
        extra: Option<Ix<Course>>,
    ) -> bool {
        let c = &self[course];
        let p = &self[person];
        (c.audience.is_empty() || p.role.is_some_and(|r| c.audience.contains(&r)))
            && (c.regions.is_empty() || p.region.is_some_and(|r| c.regions.contains(&r)))
            && c.requires
                .as_ref()
                .is_none_or(|rule| self.holds(rule, person, on, extra))
    }

    /// Whether a rule holds for a person on a date.
    pub fn rule_holds(&self, rule: &Rule, person: Ix<Person>, on: NaiveDate) -> bool {
        self.holds(rule, person, on, None)
    }

    fn holds(
        &self,
        rule: &Rule,
        person: Ix<Person>,
        on: NaiveDate,
        extra: Option<Ix<Course>>,
    ) -> bool {
        let p = &self[person];
        match &rule.kind {
            RuleKind::Completed { course, within } => {
                extra == Some(*course)
                    || matches!(
                        self.standing(person, *course, *within, on),
                        Standing::Valid(_)
                    )
            }
            RuleKind::Role(roles) => p.role.is_some_and(|r| roles.contains(&r)),
            RuleKind::Region(regions) => p.region.is_some_and(|r| regions.contains(&r)),
            RuleKind::Sector(sectors) => p.sector.is_some_and(|s| sectors.contains(&s)),
            RuleKind::All(rules) => rules.iter().all(|r| self.holds(r, person, on, extra)),
            RuleKind::Any(rules) => rules.iter().any(|r| self.holds(r, person, on, extra)),
            RuleKind::Not(rule) => !self.holds(rule, person, on, extra),
        }
    }

    /// Why a rule does not hold for a person on a date (empty when it holds).
    pub fn rule_reasons(&self, rule: &Rule, person: Ix<Person>, on: NaiveDate) -> Vec<Reason> {
        let mut out = Vec::new();
        self.explain(rule, person, on, &mut out);
        out
    }

    /// The person's completions (records and attendance), by course then date.
    pub fn completions_of(&self, person: Ix<Person>) -> &[Done] {
        self.done.of(person)
    }

    fn standing(
        &self,
        person: Ix<Person>,
        course: Ix<Course>,
        within: Option<Duration>,
        on: NaiveDate,
    ) -> Standing<'_> {
        let all = self.done.of(person);
        let start = all.partition_point(|d| d.course < course);
        let mine = &all[start..start + all[start..].partition_point(|d| d.course == course)];
        // The latest completion already counting on `on`.
        let Some(latest) = mine
            .iter()
            .filter(|d| d.counts_from <= on)
            .max_by_key(|d| d.date)
        else {
            return Standing::Missing(mine.iter().min_by_key(|d| d.counts_from));
        };
        if let Some(valid_for) = self[course].valid_for {
            let expires = valid_for.after(latest.date);
            if on >= expires {
                return Standing::Expired(latest, expires, valid_for);
            }
        }
        if let Some(within) = within
            && on >= within.after(latest.date)
        {
            return Standing::TooOld(latest);
        }
        Standing::Valid(latest)
    }

    fn why_not(&self, person: Ix<Person>, course: Ix<Course>, on: NaiveDate) -> Vec<Reason> {
        let c = &self[course];
        let p = &self[person];
        let mut reasons = Vec::new();
        if !c.audience.is_empty() && !p.role.is_some_and(|r| c.audience.contains(&r)) {
            reasons.push(Reason::Audience {
                wanted: c.audience.clone(),
                has: p.role,
            });
        }
        if !c.regions.is_empty() && !p.region.is_some_and(|r| c.regions.contains(&r)) {
            reasons.push(Reason::OutsideRegions {
                wanted: c.regions.clone(),
                has: p.region,
            });
        }
        if let Some(rule) = &c.requires {
            self.explain(rule, person, on, &mut reasons);
        }
        reasons
    }

    /// Why `rule` does not hold: one reason per unmet condition.
    fn explain(&self, rule: &Rule, person: Ix<Person>, on: NaiveDate, out: &mut Vec<Reason>) {
        if self.holds(rule, person, on, None) {
            return;
        }
        let p = &self[person];
        match &rule.kind {
            RuleKind::Completed { course, within } => out.push(Reason::Completed {
                course: *course,
                within: *within,
                standing: self.unmet(person, *course, *within, on),
            }),
            RuleKind::Role(roles) => out.push(Reason::Role {
                wanted: roles.clone(),
                has: p.role,
            }),
            RuleKind::Region(regions) => out.push(Reason::Region {
                wanted: regions.clone(),
                has: p.region,
            }),
            RuleKind::Sector(sectors) => out.push(Reason::Sector {
                wanted: sectors.clone(),
                has: p.sector,
            }),
            RuleKind::All(rules) => rules.iter().for_each(|r| self.explain(r, person, on, out)),
            RuleKind::Any(rules) => out.push(Reason::AnyOf(
                rules
                    .iter()
                    .map(|r| {
                        let mut why = Vec::new();
                        self.explain(r, person, on, &mut why);
                        why
                    })
                    .collect(),
            )),
            RuleKind::Not(inner) => out.push(Reason::Not(self.met(inner, person, on))),
        }
    }

    /// Why a rule holds (for explaining a `not`).
    fn met(&self, rule: &Rule, person: Ix<Person>, on: NaiveDate) -> Met {
        let p = &self[person];
        match &rule.kind {
            RuleKind::Completed { course, .. } => Met::Completed {
                course: *course,
                on: match self.standing(person, *course, None, on) {
                    Standing::Valid(d) => Some(d.date),
                    _ => None,
                },
            },
            RuleKind::Role(roles) => Met::Role {
                roles: roles.clone(),
                has: p.role,
            },
            RuleKind::Region(regions) => Met::Region {
                regions: regions.clone(),
                has: p.region,
            },
            RuleKind::Sector(sectors) => Met::Sector {
                sectors: sectors.clone(),
                has: p.sector,
            },
            RuleKind::All(rules) => {
                Met::All(rules.iter().map(|r| self.met(r, person, on)).collect())
            }
            RuleKind::Any(rules) => Met::Any(
                rules
                    .iter()
                    .filter(|r| self.holds(r, person, on, None))
                    .map(|r| self.met(r, person, on))
                    .collect(),
            ),
            RuleKind::Not(inner) => {
                let mut why = Vec::new();
                self.explain(inner, person, on, &mut why);
                Met::Not(why)
            }
        }
    }

    /// How an unmet `completed:` rule stands.
    fn unmet(
        &self,
        person: Ix<Person>,
        course: Ix<Course>,
        within: Option<Duration>,
        on: NaiveDate,
    ) -> Unmet {
        match self.standing(person, course, within, on) {
            Standing::Missing(None) => Unmet::Never,
            Standing::Missing(Some(d)) => Unmet::NotYet {
                completed: d.date,
                counts_from: d.counts_from,
            },
            Standing::Expired(d, expired, valid_for) => Unmet::Expired {
                completed: d.date,
                expired,
                valid_for,
            },
            Standing::TooOld(d) => Unmet::TooOld {
                completed: d.date,
                on,
            },
            Standing::Valid(_) => unreachable!("only unmet rules are explained"),
        }
    }

    /// "Becoming Trauma Informed (becoming-ti)".
    pub fn course_name(&self, course: Ix<Course>) -> String {
        let c = &self[course];
        format!("{} ({})", c.title, c.id)
    }

    /// Courses that would become open to `person` on `on` once they complete
    /// `course` (and that are not open already).
    pub fn opens(&self, person: Ix<Person>, course: Ix<Course>, on: NaiveDate) -> Vec<Ix<Course>> {
        self.course_ixs()
            .filter(|&c| c != course)
            .filter(|&c| {
                self[c]
                    .requires
                    .as_ref()
                    .is_some_and(|r| r.courses().contains(&course))
            })
            .filter(|&c| {
                !self.may_take(person, c, on, None) && self.may_take(person, c, on, Some(course))
            })
            .collect()
    }

    /// Whether a completion of `course` counts for `person` on `on`.
    pub fn has_completed(&self, person: Ix<Person>, course: Ix<Course>, on: NaiveDate) -> bool {
        matches!(self.standing(person, course, None, on), Standing::Valid(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attended_counts_distinct_real_sessions() {
        assert_eq!(attended(&SessionSet::All, 4), 4);
        assert_eq!(attended(&SessionSet::Numbers(vec![1, 1, 3, 9]), 4), 2);
    }
}

#[cfg(test)]
mod rule_tests {
    use super::*;

    const DATA: &str = r#"
programme: { id: t, name: T, timezone: Europe/London, domain: t.example.org, holidays: none }
regions: [ { id: coast, name: Coast }, { id: town, name: Town } ]
sectors: [ { id: health, name: Health }, { id: police, name: Police } ]
roles: [ { id: worker, name: Front line worker }, { id: manager, name: Manager } ]
tiers: [ { level: 1, name: One } ]
people:
  - { id: minh, name: Nguyễn Thị Minh, role: worker, region: town, sector: health }
  - { id: ann, name: Ann, role: manager, region: coast, sector: police }
courses:
  - { id: intro, title: Introduction, tier: 1, format: e-learning, valid_for: 3 years }
  - { id: series, title: Series, tier: 1, format: programme, completion: { attendance: 75% } }
  - { id: pair, title: Pair, tier: 1, format: programme, completion: { attendance: 2 } }
  - { id: next, title: Next, tier: 1, format: webinar, requires: { completed: intro } }
  - { id: recent, title: Recent, tier: 1, format: webinar, requires: { completed: { course: intro, within: 1 year } } }
  - { id: managers, title: Managers, tier: 1, format: webinar, audience: [manager, worker], requires: { role: [manager] } }
  - { id: coastal, title: Coastal, tier: 1, format: webinar, regions: [coast] }
  - { id: police-only, title: Police, tier: 1, format: webinar, requires: { sector: [police] } }
  - id: either
    title: Either
    tier: 1
    format: webinar
    requires: { any: [ { completed: series }, { role: [manager] } ] }
  - id: both
    title: Both
    tier: 1
    format: webinar
    requires: { all: [ { completed: intro }, { region: [coast] }, { completed: pair } ] }
  - id: fresh
    title: Fresh start
    tier: 1
    format: webinar
    requires: { not: { completed: intro } }
cohorts:
  - id: s1
    course: series
    enrolled: [minh, ann]
    sessions:
      - { start: 2022-01-04T10:00, end: 2022-01-04T12:00 }
      - { start: 2022-01-11T10:00, end: 2022-01-11T12:00 }
      - { start: 2022-01-18T10:00, end: 2022-01-18T12:00 }
      - { start: 2022-01-25T10:00, end: 2022-01-25T12:00 }
  - id: p2
    course: pair
    enrolled: [ann]
    sessions:
      - { start: 2022-03-01T10:00, end: 2022-03-01T12:00 }
      - { start: 2022-03-08T10:00, end: 2022-03-08T12:00 }
      - { start: 2022-03-15T10:00, end: 2022-03-15T12:00 }
  - id: p1
    course: pair
    status: cancelled
    enrolled: [minh]
    sessions:
      - { start: 2022-02-01T10:00, end: 2022-02-01T12:00 }
      - { start: 2022-02-08T10:00, end: 2022-02-08T12:00 }
attendance:
  - { cohort: s1, person: minh, sessions: [1, 2, 4] }
  - { cohort: s1, person: ann, sessions: [1, 3] }
  - { cohort: p1, person: minh, sessions: all }
  - { cohort: p2, person: ann, sessions: [2, 3] }
completions:
  - { person: minh, course: intro, date: 2018-02-01 }
  - { person: ann, course: intro, date: 2021-06-01 }
"#;

    fn data() -> Dataset {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("data.yaml"), DATA).unwrap();
        Dataset::check(dir.path())
            .unwrap()
            .into_result()
            .unwrap_or_else(|errors| panic!("{errors:#?}"))
            .0
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn decide(data: &Dataset, person: &str, course: &str, on: &str) -> Decision {
        data.eligibility(
            data.person(person).unwrap(),
            data.course(course).unwrap(),
            day(on),
        )
    }

    #[test]
    fn expiry_edges_of_valid_for() {
        let data = data();
        assert!(
            decide(&data, "minh", "next", "2021-01-31").eligible,
            "the day before"
        );
        let on_the_day = decide(&data, "minh", "next", "2021-02-01");
        assert!(!on_the_day.eligible, "the day valid_for ends");
        insta::assert_snapshot!(on_the_day.explain(&data).join("\n"), @"needs Introduction (intro): completed 2018-02-01, expired 2021-02-01 after 3 years");
        assert!(
            !decide(&data, "minh", "next", "2021-02-02").eligible,
            "the day after"
        );
        assert!(
            !decide(&data, "minh", "next", "2018-01-31").eligible,
            "before completing"
        );
        assert!(
            decide(&data, "minh", "next", "2018-02-01").eligible,
            "a record counts from its date"
        );
    }

    #[test]
    fn within_narrows_valid_for() {
        let data = data();
        assert!(decide(&data, "ann", "recent", "2022-05-31").eligible);
        let late = decide(&data, "ann", "recent", "2022-06-01");
        insta::assert_snapshot!(late.explain(&data).join("\n"), @"needs Introduction (intro) completed within 1 year: completed 2021-06-01, more than 1 year before 2022-06-01");
        assert!(
            decide(&data, "ann", "next", "2022-06-01").eligible,
            "valid_for alone still holds"
        );
    }

    #[test]
    fn attendance_thresholds_and_the_day_after_the_last_session() {
        let data = data();
        let minh = data.person("minh").unwrap();
        let ann = data.person("ann").unwrap();
        let series = data.course("series").unwrap();
        // 3 of 4 sessions meets 75%; 2 of 4 does not.
        assert!(
            !data.has_completed(minh, series, day("2022-01-25")),
            "not until the last session has ended"
        );
        assert!(data.has_completed(minh, series, day("2022-01-26")));
        assert!(!data.has_completed(ann, series, day("2022-06-01")));
        let done = data
            .completions_of(minh)
            .iter()
            .find(|d| d.course == series)
            .unwrap();
        assert_eq!(done.date, day("2022-01-25"));
    }

    #[test]
    fn a_session_count_threshold() {
        let data = data();
        let ann = data.person("ann").unwrap();
        let pair = data.course("pair").unwrap();
        assert!(!data.has_completed(ann, pair, day("2022-03-15")));
        assert!(
            data.has_completed(ann, pair, day("2022-03-16")),
            "2 of 3 sessions meets `attendance: 2`"
        );
    }

    #[test]
    fn all_explains_each_unmet_rule() {
        let data = data();
        assert!(decide(&data, "ann", "both", "2022-03-16").eligible);
        let d = decide(&data, "minh", "both", "2022-03-16");
        insta::assert_snapshot!(d.explain(&data).join("\n"), @r"
        needs Introduction (intro): completed 2018-02-01, expired 2021-02-01 after 3 years
        needs to be in Coast; Nguyễn Thị Minh is in Town
        needs Pair (pair): not completed
        ");
    }

    #[test]
    fn reasons_are_data_an_embedder_can_match() {
        use crate::rules::{Reason, Unmet};
        let data = data();
        let d = decide(&data, "minh", "both", "2022-03-16");
        let intro = data.course("intro").unwrap();
        assert!(matches!(
            &d.reasons[0],
            Reason::Completed { course, standing: Unmet::Expired { expired, .. }, .. }
                if *course == intro && *expired == day("2021-02-01")
        ));
        assert!(matches!(&d.reasons[1], Reason::Region { has: Some(_), .. }));
        assert!(matches!(
            &d.reasons[2],
            Reason::Completed {
                standing: Unmet::Never,
                ..
            }
        ));
        let d = decide(&data, "minh", "coastal", "2022-06-01");
        assert!(matches!(&d.reasons[..], [Reason::OutsideRegions { .. }]));
    }

    #[test]
    fn cancelled_cohorts_yield_nothing() {
        let data = data();
        let minh = data.person("minh").unwrap();
        assert!(!data.has_completed(minh, data.course("pair").unwrap(), day("2023-01-01")));
    }

    #[test]
    fn audience_and_regions_explain_themselves() {
        let data = data();
        let d = decide(&data, "minh", "managers", "2022-06-01");
        insta::assert_snapshot!(d.explain(&data).join("\n"), @"needs the role Manager; Nguyễn Thị Minh is a Front line worker");
        let d = decide(&data, "minh", "coastal", "2022-06-01");
        insta::assert_snapshot!(d.explain(&data).join("\n"), @"only for people in Coast; Nguyễn Thị Minh is in Town");
        assert!(decide(&data, "ann", "coastal", "2022-06-01").eligible);
        let d = decide(&data, "minh", "police-only", "2022-06-01");
        insta::assert_snapshot!(d.explain(&data).join("\n"), @"needs to work in Police; Nguyễn Thị Minh works in Health");
    }

    #[test]
    fn any_explains_every_branch() {
        let data = data();
        assert!(
            decide(&data, "minh", "either", "2022-02-01").eligible,
            "completed the series"
        );
        assert!(
            decide(&data, "ann", "either", "2022-02-01").eligible,
            "a manager"
        );
        let d = decide(&data, "minh", "either", "2022-01-20");
        insta::assert_snapshot!(d.explain(&data).join("\n"), @"needs one of these: (1) Series (series): completed 2022-01-25, which counts from 2022-01-26; or (2) the role Manager; Nguyễn Thị Minh is a Front line worker");
    }

    #[test]
    fn not_explains_what_blocked_it() {
        let data = data();
        assert!(
            decide(&data, "minh", "fresh", "2022-06-01").eligible,
            "minh's intro has expired"
        );
        let d = decide(&data, "ann", "fresh", "2022-06-01");
        insta::assert_snapshot!(d.explain(&data).join("\n"), @"must not have completed Introduction (intro): completed 2021-06-01");
    }

    #[test]
    fn next_steps_are_courses_one_completion_away() {
        let data = data();
        let minh = data.person("minh").unwrap();
        let opens: Vec<&str> = data
            .opens(minh, data.course("intro").unwrap(), day("2022-06-01"))
            .iter()
            .map(|c| &*data[*c].id)
            .collect();
        assert_eq!(opens, ["next", "recent"]);
    }
}
