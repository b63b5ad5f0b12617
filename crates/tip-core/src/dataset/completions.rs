//! Every person's completions, indexed once when the data set is built.

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::ix::Ix;
use crate::model::{Cohort, Completion, Course, Person};

/// One completion of a course by a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Done {
    /// The course.
    pub course: Ix<Course>,
    /// The date of completion.
    pub date: NaiveDate,
    /// The first date on which it counts (the day after a cohort's last
    /// session; the date itself for a record).
    pub counts_from: NaiveDate,
    /// Where it comes from.
    pub origin: Origin,
}

/// Where a completion comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// A `completions` record.
    Record(Ix<Completion>),
    /// Attendance at this cohort.
    Cohort(Ix<Cohort>),
}

/// Every person's completions, indexed once: a person's completions are one
/// contiguous slice, sorted by course then date.
#[derive(Clone, Debug, Default)]
pub(crate) struct CompletionIndex {
    offsets: Vec<u32>,
    entries: Vec<Done>,
}

impl CompletionIndex {
    pub(crate) fn of(&self, person: Ix<Person>) -> &[Done] {
        let i = person.index();
        &self.entries[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// Build from records and the completions attendance earned (a
    /// counting sort by person: no intermediate copy of the millions of
    /// records).
    pub(crate) fn build(
        people: usize,
        completions: &[Completion],
        from_attendance: Vec<(Ix<Person>, Done)>,
    ) -> CompletionIndex {
        let n = people;
        let mut offsets = vec![0u32; n + 1];
        for c in completions {
            offsets[c.person.index() + 1] += 1;
        }
        for (p, _) in &from_attendance {
            offsets[p.index() + 1] += 1;
        }
        for i in 1..=n {
            offsets[i] += offsets[i - 1];
        }
        let mut next = offsets.clone();
        let placeholder = Done {
            course: Ix::new(0),
            date: NaiveDate::MIN,
            counts_from: NaiveDate::MIN,
            origin: Origin::Record(Ix::new(0)),
        };
        let mut entries = vec![placeholder; offsets[n] as usize];
        let records = completions.iter().enumerate().map(|(i, c)| {
            (
                c.person,
                Done {
                    course: c.course,
                    date: c.date,
                    counts_from: c.date,
                    origin: Origin::Record(Ix::new(i)),
                },
            )
        });
        for (p, done) in records.chain(from_attendance) {
            let slot = &mut next[p.index()];
            entries[*slot as usize] = done;
            *slot += 1;
        }
        // Each person's few completions, by course then date (records
        // before attendance, each in file order: a repeated record follows
        // the one it repeats).
        let mut rest = entries.as_mut_slice();
        let mut slices = Vec::with_capacity(n);
        for i in 0..n {
            let (mine, tail) = rest.split_at_mut((offsets[i + 1] - offsets[i]) as usize);
            slices.push(mine);
            rest = tail;
        }
        slices.par_iter_mut().for_each(|s| {
            s.sort_unstable_by_key(|d| {
                let origin = match d.origin {
                    Origin::Record(i) => (0, i.index()),
                    Origin::Cohort(c) => (1, c.index()),
                };
                (d.course, d.date, origin)
            })
        });
        CompletionIndex { offsets, entries }
    }
}
