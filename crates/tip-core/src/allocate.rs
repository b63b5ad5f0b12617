//! Placing applicants into cohorts.
//!
//! First come, first served: applications in order of `applied`, then
//! person id. Each applicant's `prefer` list is tried in order (empty: every
//! upcoming cohort of the course, earliest first, in their `regions` if
//! given). A cohort is skipped when it is cancelled, has started by the
//! `as_of` date, would put the applicant in two places at once, or when the
//! applicant is not eligible on its first session. The first remaining
//! cohort with a free place gets them; when all are full, they join the
//! waitlist of the first of them. Existing `enrolled` and `waitlist` entries
//! are never moved or dropped, and no cohort goes over its places. The same
//! data and date always give the same allocation.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::dataset::Dataset;
use crate::ix::Ix;
use crate::model::*;
use crate::problems::{ended, places, started};

/// A place given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    /// The application (index in [`Dataset::applications`]).
    pub application: usize,
    /// The applicant.
    pub person: Ix<Person>,
    /// The course.
    pub course: Ix<Course>,
    /// The cohort.
    pub cohort: Ix<Cohort>,
    /// The 1-based place of the cohort in the applicant's `prefer` list (0
    /// when they had none).
    pub choice: u32,
}

/// A place on a waitlist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waitlisted {
    /// The application.
    pub application: usize,
    /// The applicant.
    pub person: Ix<Person>,
    /// The course.
    pub course: Ix<Course>,
    /// The cohort whose waitlist they joined (their first choice).
    pub cohort: Ix<Cohort>,
    /// 1-based position on the waitlist, after those already on it.
    pub position: u32,
}

/// An application that could not be placed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unplaced {
    /// The application.
    pub application: usize,
    /// The applicant.
    pub person: Ix<Person>,
    /// The course.
    pub course: Ix<Course>,
    /// Why not.
    pub reasons: Vec<String>,
}

/// A cohort's lists after allocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CohortLists {
    /// The cohort.
    pub cohort: Ix<Cohort>,
    /// Everyone enrolled: those already there, in order, then the new.
    pub enrolled: Vec<Ix<Person>>,
    /// The waitlist: those already on it, in order, then the new.
    pub waitlist: Vec<Ix<Person>>,
}

/// The outcome of an allocation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Allocation {
    /// Places given, in the order applications were considered.
    pub placed: Vec<Placed>,
    /// Waitlist places.
    pub waitlisted: Vec<Waitlisted>,
    /// Applications not placed, with reasons.
    pub unplaced: Vec<Unplaced>,
    /// The new lists of every cohort that changed, in cohort order.
    pub cohorts: Vec<CohortLists>,
}

/// How a cohort stands for one applicant.
enum Fit {
    Open,
    Full,
    Skip(String),
    NotEligible(Vec<String>),
}

struct State<'a> {
    data: &'a Dataset,
    on: NaiveDate,
    enrolled: HashMap<Ix<Cohort>, Vec<Ix<Person>>>,
    waitlist: HashMap<Ix<Cohort>, Vec<Ix<Person>>>,
    /// The cohorts each person is in (enrolled or training), not ended.
    busy: HashMap<Ix<Person>, Vec<Ix<Cohort>>>,
    /// Per course: its open cohorts (not cancelled, with sessions), by
    /// first session.
    by_course: HashMap<Ix<Course>, Vec<Ix<Cohort>>>,
}

impl Dataset {
    /// Place the applications as of `on` (the start of that day).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use tip_core::Dataset;
    ///
    /// let (data, _) = Dataset::load("../../data/kent-medway")?;
    /// let plan = data.allocate(NaiveDate::from_ymd_opt(2022, 11, 1).unwrap());
    /// for p in &plan.placed {
    ///     println!("{} → {}", data[p.person].name, data[p.cohort].id);
    /// }
    /// assert!(!plan.placed.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn allocate(&self, on: NaiveDate) -> Allocation {
        let mut state = State::new(self, on);
        let mut order: Vec<usize> = (0..self.applications.len()).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (&self.applications[a], &self.applications[b]);
            (x.applied, &self[x.person].id, a).cmp(&(y.applied, &self[y.person].id, b))
        });
        let mut out = Allocation::default();
        for i in order {
            state.place(i, &mut out);
        }
        let mut changed: Vec<Ix<Cohort>> = state
            .enrolled
            .keys()
            .chain(state.waitlist.keys())
            .copied()
            .collect();
        changed.sort();
        changed.dedup();
        out.cohorts = changed
            .into_iter()
            .map(|c| CohortLists {
                cohort: c,
                enrolled: state
                    .enrolled
                    .get(&c)
                    .cloned()
                    .unwrap_or_else(|| self[c].enrolled.clone()),
                waitlist: state
                    .waitlist
                    .get(&c)
                    .cloned()
                    .unwrap_or_else(|| self[c].waitlist.clone()),
            })
            .collect();
        out
    }
}

impl<'a> State<'a> {
    fn new(data: &'a Dataset, on: NaiveDate) -> Self {
        let mut busy: HashMap<Ix<Person>, Vec<Ix<Cohort>>> = HashMap::new();
        let mut by_course: HashMap<Ix<Course>, Vec<Ix<Cohort>>> = HashMap::new();
        for (ix, c) in data.cohort_ixs() {
            if c.status == Status::Cancelled || data.sessions(ix).is_empty() {
                continue;
            }
            by_course.entry(c.course).or_default().push(ix);
            if !ended(data, ix, on) {
                for &p in c.enrolled.iter().chain(&c.trainers) {
                    busy.entry(p).or_default().push(ix);
                }
            }
        }
        for list in by_course.values_mut() {
            list.sort_by_key(|&c| (data.sessions(c)[0].start, data[c].id.clone()));
        }
        State {
            data,
            on,
            enrolled: HashMap::new(),
            waitlist: HashMap::new(),
            busy,
            by_course,
        }
    }

    fn enrolled(&self, c: Ix<Cohort>) -> &[Ix<Person>] {
        self.enrolled
            .get(&c)
            .map_or(&self.data[c].enrolled, Vec::as_slice)
    }

    fn waitlist(&self, c: Ix<Cohort>) -> &[Ix<Person>] {
        self.waitlist
            .get(&c)
            .map_or(&self.data[c].waitlist, Vec::as_slice)
    }

    fn place(&mut self, i: usize, out: &mut Allocation) {
        let data = self.data;
        let app = &data.applications[i];
        let (person, course) = (app.person, app.course);
        let unplaced = |reasons: Vec<String>| Unplaced {
            application: i,
            person,
            course,
            reasons,
        };

        // Someone with a place (or a waitlist place) on a cohort of the
        // course that has not ended keeps it.
        let cohorts = self.by_course.get(&course).cloned().unwrap_or_default();
        for &c in &cohorts {
            if ended(data, c, self.on) {
                continue;
            }
            if self.enrolled(c).contains(&person) {
                out.unplaced.push(unplaced(vec![format!(
                    "already has a place on `{}`",
                    data[c].id
                )]));
                return;
            }
            if let Some(pos) = self.waitlist(c).iter().position(|p| *p == person) {
                out.unplaced.push(unplaced(vec![format!(
                    "already on the waitlist of `{}` (position {})",
                    data[c].id,
                    pos + 1
                )]));
                return;
            }
        }

        let candidates: Vec<(Ix<Cohort>, u32)> = if app.prefer.is_empty() {
            cohorts
                .iter()
                .copied()
                .filter(|&c| !started(data, c, self.on))
                .filter(|&c| {
                    app.regions.is_empty()
                        || data[c].region.is_none_or(|r| app.regions.contains(&r))
                })
                .map(|c| (c, 0))
                .collect()
        } else {
            let mut list: Vec<(Ix<Cohort>, u32)> = Vec::new();
            for (k, &c) in app.prefer.iter().enumerate() {
                if !list.iter().any(|(x, _)| *x == c) {
                    list.push((c, k as u32 + 1));
                }
            }
            list
        };

        let mut skipped = Vec::new();
        let mut ineligible: Option<Vec<String>> = None;
        let mut first_full: Option<Ix<Cohort>> = None;
        for &(c, choice) in &candidates {
            match self.fit(person, course, c) {
                Fit::Open => {
                    self.enrolled
                        .entry(c)
                        .or_insert_with(|| data[c].enrolled.clone())
                        .push(person);
                    self.busy.entry(person).or_default().push(c);
                    out.placed.push(Placed {
                        application: i,
                        person,
                        course,
                        cohort: c,
                        choice,
                    });
                    return;
                }
                Fit::Full => {
                    first_full.get_or_insert(c);
                }
                Fit::Skip(why) => skipped.push(why),
                Fit::NotEligible(reasons) => {
                    ineligible.get_or_insert(reasons);
                }
            }
        }
        if let Some(c) = first_full {
            let list = self
                .waitlist
                .entry(c)
                .or_insert_with(|| data[c].waitlist.clone());
            list.push(person);
            out.waitlisted.push(Waitlisted {
                application: i,
                person,
                course,
                cohort: c,
                position: list.len() as u32,
            });
            return;
        }
        let mut reasons = ineligible.unwrap_or_default();
        if app.prefer.is_empty() && candidates.is_empty() {
            reasons.extend(data.eligibility(person, course, self.on).reasons);
            let where_ = if app.regions.is_empty() {
                String::new()
            } else {
                " in their regions".into()
            };
            reasons.push(format!(
                "no cohort of `{}` starting on or after {}{where_} is open",
                data[course].id, self.on
            ));
        }
        reasons.extend(skipped);
        out.unplaced.push(unplaced(reasons));
    }

    fn fit(&self, person: Ix<Person>, course: Ix<Course>, c: Ix<Cohort>) -> Fit {
        let data = self.data;
        let cohort = &data[c];
        if cohort.course != course {
            return Fit::Skip(format!(
                "`{}` is a cohort of `{}`, not `{}`",
                cohort.id, data[cohort.course].id, data[course].id
            ));
        }
        if cohort.status == Status::Cancelled {
            return Fit::Skip(format!("`{}` is cancelled", cohort.id));
        }
        let Some(first) = data.sessions(c).first() else {
            return Fit::Skip(format!("`{}` has no sessions", cohort.id));
        };
        if started(data, c, self.on) {
            return Fit::Skip(format!("`{}` started on {}", cohort.id, first.date()));
        }
        let decision = data.eligibility(person, course, first.date());
        if !decision.eligible {
            return Fit::NotEligible(decision.reasons);
        }
        if let Some(other) = self.clash(person, c) {
            return Fit::Skip(format!(
                "`{}` clashes with `{}`, which they are already in",
                cohort.id, data[other].id
            ));
        }
        match places(data, cohort) {
            Some(cap) if self.enrolled(c).len() >= cap as usize => Fit::Full,
            _ => Fit::Open,
        }
    }

    /// A cohort the person is in whose sessions overlap `c`'s.
    fn clash(&self, person: Ix<Person>, c: Ix<Cohort>) -> Option<Ix<Cohort>> {
        let mine = self.busy.get(&person)?;
        let sessions = self.data.sessions(c);
        mine.iter().copied().find(|&other| {
            other != c
                && self
                    .data
                    .sessions(other)
                    .iter()
                    .any(|a| sessions.iter().any(|b| a.start < b.end && b.start < a.end))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(yaml: &str) -> Dataset {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("data.yaml"), yaml).unwrap();
        let report = Dataset::check(dir.path()).unwrap();
        let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(errors.is_empty(), "{errors:#?}");
        report.dataset.unwrap()
    }

    const DATA: &str = r#"
programme: { id: t, name: T, timezone: Europe/London, domain: t.example.org }
roles: [ { id: worker, name: Worker } ]
tiers: [ { level: 1, name: One } ]
people:
  - { id: existing, name: Existing }
  - { id: waiting, name: Waiting }
  - { id: p2, name: Two }
  - { id: p3, name: Three }
  - { id: p4, name: Four }
  - { id: p5, name: Five }
  - { id: p6, name: Six }
courses:
  - { id: intro, title: Intro, tier: 1, format: e-learning }
  - { id: l2, title: L2, tier: 1, format: face-to-face, requires: { completed: intro }, capacity: 2 }
cohorts:
  - id: a
    course: l2
    enrolled: [existing]
    waitlist: [waiting]
    sessions: [ { start: 2022-03-01T09:30, end: 2022-03-01T16:00 } ]
  - id: b
    course: l2
    sessions: [ { start: 2022-03-08T09:30, end: 2022-03-08T16:00 } ]
  - id: started
    course: l2
    sessions: [ { start: 2022-01-10T09:30, end: 2022-01-10T16:00 } ]
  - id: called-off
    course: l2
    status: cancelled
    sessions: [ { start: 2022-02-15T09:30, end: 2022-02-15T16:00 } ]
completions:
  - { person: existing, course: intro, date: 2021-01-01 }
  - { person: waiting, course: intro, date: 2021-01-01 }
  - { person: p2, course: intro, date: 2021-01-01 }
  - { person: p3, course: intro, date: 2021-01-01 }
  - { person: p4, course: intro, date: 2021-01-01 }
  - { person: p5, course: intro, date: 2022-02-20 }
applications:
  - { person: p3, course: l2, applied: 2022-01-20 }
  - { person: p2, course: l2, applied: 2022-01-20 }
  - { person: p4, course: l2, applied: 2022-01-21, prefer: [a] }
  - { person: p5, course: l2, applied: 2022-01-15, prefer: [started, a] }
  - { person: p6, course: l2, applied: 2022-01-16 }
  - { person: existing, course: l2, applied: 2022-01-17 }
"#;

    fn ids(data: &Dataset, plan: &Allocation) -> Vec<String> {
        let mut out: Vec<String> = plan
            .placed
            .iter()
            .map(|p| {
                format!(
                    "placed {} {} choice {}",
                    data[p.person].id, data[p.cohort].id, p.choice
                )
            })
            .collect();
        out.extend(plan.waitlisted.iter().map(|w| {
            format!(
                "waitlisted {} {} position {}",
                data[w.person].id, data[w.cohort].id, w.position
            )
        }));
        out.extend(
            plan.unplaced
                .iter()
                .map(|u| format!("unplaced {}: {}", data[u.person].id, u.reasons.join("; "))),
        );
        out
    }

    #[test]
    fn first_come_first_served_with_preferences_ties_and_waitlists() {
        let data = load(DATA);
        let plan = data.allocate("2022-02-01".parse().unwrap());
        insta::assert_snapshot!(ids(&data, &plan).join("\n"), @r"
        placed p5 a choice 2
        placed p2 b choice 0
        placed p3 b choice 0
        waitlisted p4 a position 2
        unplaced p6: needs Intro (intro): not completed
        unplaced existing: already has a place on `a`
        ");
    }

    #[test]
    fn eligibility_is_judged_at_the_cohort_start_not_the_application() {
        let data = load(DATA);
        let p5 = data.person("p5").unwrap();
        let l2 = data.course("l2").unwrap();
        assert!(
            !data
                .eligibility(p5, l2, "2022-01-15".parse().unwrap())
                .eligible,
            "not on the application date"
        );
        let plan = data.allocate("2022-02-01".parse().unwrap());
        assert!(
            plan.placed.iter().any(|p| p.person == p5),
            "placed: eligible on 1 March"
        );
    }

    #[test]
    fn existing_places_are_kept_in_order() {
        let data = load(DATA);
        let plan = data.allocate("2022-02-01".parse().unwrap());
        let a = plan
            .cohorts
            .iter()
            .find(|c| data[c.cohort].id.as_ref() == "a")
            .unwrap();
        let names = |list: &[Ix<Person>]| {
            list.iter()
                .map(|p| data[*p].id.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&a.enrolled), ["existing", "p5"]);
        assert_eq!(names(&a.waitlist), ["waiting", "p4"]);
    }

    #[test]
    fn allocation_is_deterministic() {
        let data = load(DATA);
        let on = "2022-02-01".parse().unwrap();
        assert_eq!(data.allocate(on), data.allocate(on));
    }

    #[test]
    fn started_cancelled_and_wrong_course_preferences_are_explained() {
        let data = load(&DATA.replace("prefer: [started, a]", "prefer: [started, called-off]"));
        let plan = data.allocate("2022-02-01".parse().unwrap());
        let p5 = plan
            .unplaced
            .iter()
            .find(|u| data[u.person].id.as_ref() == "p5")
            .unwrap();
        assert_eq!(
            p5.reasons,
            [
                "`started` started on 2022-01-10",
                "`called-off` is cancelled"
            ]
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// A random small data set: cohorts on separate days with random
        /// places, existing lists within capacity, random applications.
        fn data_set() -> impl Strategy<Value = String> {
            let cohorts = prop::collection::vec((1u32..4, 0usize..4, 0usize..3, 0u32..20), 1..5);
            let apps = prop::collection::vec(
                (0usize..10, 0u32..28, prop::collection::vec(0usize..5, 0..3)),
                0..16,
            );
            (cohorts, apps).prop_map(|(cohorts, apps)| {
                let mut s = String::from(
                    "programme: { id: t, name: T, timezone: Europe/London, domain: t.example.org, holidays: none }\ntiers: [ { level: 1, name: One } ]\ncourses: [ { id: c, title: C, tier: 1, format: webinar } ]\npeople:\n",
                );
                for p in 0..10 {
                    s.push_str(&format!("  - {{ id: p{p}, name: P{p} }}\n"));
                }
                s.push_str("cohorts:\n");
                let mut next = 0;
                for (k, (cap, enrolled, waiting, day)) in cohorts.iter().enumerate() {
                    let enrolled = (*enrolled).min(*cap as usize);
                    let list = |from: usize, n: usize| (from..from + n).map(|p| format!("p{}", p % 10)).collect::<Vec<_>>().join(", ");
                    let e = list(next, enrolled);
                    let w = list(next + enrolled, *waiting);
                    next += enrolled + waiting;
                    let date = chrono::NaiveDate::from_ymd_opt(2022, 3, 1).unwrap() + chrono::Days::new((*day + 30 * k as u32).into());
                    s.push_str(&format!("  - {{ id: k{k}, course: c, capacity: {cap}, enrolled: [{e}], waitlist: [{w}], sessions: [ {{ start: {date}T10:00, end: {date}T11:00 }} ] }}\n"));
                }
                let n = cohorts.len();
                s.push_str("applications:\n");
                for (person, day, prefer) in apps {
                    let prefer: Vec<String> = prefer.iter().map(|k| format!("k{}", k % n)).collect();
                    s.push_str(&format!("  - {{ person: p{person}, course: c, applied: 2022-02-{:02}, prefer: [{}] }}\n", day + 1, prefer.join(", ")));
                }
                s
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

            #[test]
            fn never_over_capacity_and_never_drops_a_place(yaml in data_set()) {
                let dir = tempfile::tempdir().unwrap();
                std::fs::write(dir.path().join("data.yaml"), &yaml).unwrap();
                let report = Dataset::check(dir.path()).unwrap();
                // Random lists may repeat someone (an error): those data sets are not for allocating.
                prop_assume!(!report.has_errors());
                let data = report.dataset.unwrap();
                let on = "2022-03-15".parse().unwrap();
                let plan = data.allocate(on);
                prop_assert_eq!(&plan, &data.allocate(on));
                for lists in &plan.cohorts {
                    let cohort = &data[lists.cohort];
                    prop_assert!(lists.enrolled.starts_with(&cohort.enrolled), "existing places kept, first");
                    prop_assert!(lists.waitlist.starts_with(&cohort.waitlist), "existing waitlist kept, first");
                    let cap = cohort.capacity.unwrap() as usize;
                    prop_assert!(lists.enrolled.len() <= cap.max(cohort.enrolled.len()));
                }
                for p in &plan.placed {
                    let lists = plan.cohorts.iter().find(|c| c.cohort == p.cohort).unwrap();
                    prop_assert!(lists.enrolled.contains(&p.person));
                }
                prop_assert_eq!(plan.placed.len() + plan.waitlisted.len() + plan.unplaced.len(), data.applications.len());
            }
        }
    }
}
