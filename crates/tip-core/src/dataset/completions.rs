//! Every person's completions, indexed once when the data set is built.

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::ix::Ix;
use crate::model::{Cohort, Completion, Course, Person};
use crate::records::Records;

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

    /// Build from records and the completions attendance earned: a
    /// counting sort by person, no intermediate copy of the millions of
    /// records. The people are split into ranges, one a thread; each
    /// thread reads every record and keeps those of its range, so that it
    /// writes only its own part of the index.
    pub(crate) fn build(
        people: usize,
        completions: &Records<Completion>,
        from_attendance: Vec<(Ix<Person>, Done)>,
    ) -> CompletionIndex {
        let records = || {
            completions
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let done = Done {
                        course: c.course,
                        date: c.date,
                        counts_from: c.date,
                        origin: Origin::Record(Ix::new(i)),
                    };
                    (c.person, done)
                })
                .chain(from_attendance.iter().copied())
        };
        // At most eight ranges: each reads every record.
        let share = people
            .div_ceil(rayon::current_num_threads().clamp(1, 8))
            .max(1);
        let ranges: Vec<std::ops::Range<usize>> = (0..people)
            .step_by(share)
            .map(|from| from..(from + share).min(people))
            .collect();
        // Each range's people's counts, then where each person's slice
        // starts.
        let counts: Vec<Vec<u32>> = ranges
            .par_iter()
            .map(|range| {
                let mut count = vec![0u32; range.len()];
                let mut add = |p: Ix<Person>| {
                    // Below the range, the difference wraps past its end.
                    if let Some(n) = count.get_mut(p.index().wrapping_sub(range.start)) {
                        *n += 1;
                    }
                };
                completions.iter().for_each(|c| add(c.person));
                from_attendance.iter().for_each(|(p, _)| add(*p));
                count
            })
            .collect();
        let mut offsets = Vec::with_capacity(people + 1);
        offsets.push(0u32);
        let mut total = 0u32;
        for n in counts.into_iter().flatten() {
            total += n;
            offsets.push(total);
        }
        let placeholder = Done {
            course: Ix::new(0),
            date: NaiveDate::MIN,
            counts_from: NaiveDate::MIN,
            origin: Origin::Record(Ix::new(0)),
        };
        // Filled in parallel: the first touch of each page is the costly part.
        let mut entries = Vec::with_capacity(total as usize);
        entries.par_extend(rayon::iter::repeat_n(placeholder, total as usize));
        // Each range's part of `entries`.
        let mut parts = Vec::with_capacity(ranges.len());
        let mut rest = entries.as_mut_slice();
        for range in &ranges {
            let len = (offsets[range.end] - offsets[range.start]) as usize;
            let (part, tail) = rest.split_at_mut(len);
            parts.push((range.clone(), part));
            rest = tail;
        }
        parts.into_par_iter().for_each(|(range, part)| {
            let base = offsets[range.start];
            let mut next: Vec<u32> = offsets[range.clone()].iter().map(|o| o - base).collect();
            for (p, done) in records() {
                if let Some(slot) = next.get_mut(p.index().wrapping_sub(range.start)) {
                    part[*slot as usize] = done;
                    *slot += 1;
                }
            }
            // Each person's few completions, by course then date (records
            // before attendance, each in file order: a repeated record
            // follows the one it repeats).
            for i in range {
                let mine =
                    &mut part[(offsets[i] - base) as usize..(offsets[i + 1] - base) as usize];
                mine.sort_unstable_by_key(|d| {
                    let origin = match d.origin {
                        Origin::Record(i) => (0, i.index()),
                        Origin::Cohort(c) => (1, c.index()),
                    };
                    (d.course, d.date, origin)
                });
            }
        });
        CompletionIndex { offsets, entries }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loc::{FileId, Loc};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Each person's slice holds exactly their records and earned
        /// completions, by course, date, then records before attendance in
        /// file order — whatever the number of people and threads.
        #[test]
        fn completion_index_is_each_persons_sorted_completions(
            people in 0usize..40,
            records in prop::collection::vec((0usize..40, 0usize..3, 0i64..5), 0..120),
            earned in prop::collection::vec((0usize..40, 0usize..3, 0i64..5, 0usize..4), 0..40),
            threads in 1usize..5,
        ) {
            let day = |d: i64| NaiveDate::from_ymd_opt(2022, 1, 1).unwrap() + chrono::Days::new(d as u64);
            let loc = Loc::new(FileId(0), 1, 1, 0);
            let completions: Vec<Completion> = records
                .iter()
                .filter(|r| r.0 < people)
                .map(|&(p, c, d)| Completion {
                    person: Ix::new(p),
                    course: Ix::new(c),
                    date: day(d),
                    source: None,
                    loc,
                })
                .collect();
            let from_attendance: Vec<(Ix<Person>, Done)> = earned
                .iter()
                .filter(|e| e.0 < people)
                .map(|&(p, c, d, cohort)| {
                    let done = Done {
                        course: Ix::new(c),
                        date: day(d),
                        counts_from: day(d + 1),
                        origin: Origin::Cohort(Ix::new(cohort)),
                    };
                    (Ix::new(p), done)
                })
                .collect();
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let index = pool.install(|| {
                CompletionIndex::build(people, &completions.clone().into(), from_attendance.clone())
            });
            for p in 0..people {
                let mut want: Vec<(usize, Done)> = completions
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.person.index() == p)
                    .map(|(i, c)| {
                        (0, Done {
                            course: c.course,
                            date: c.date,
                            counts_from: c.date,
                            origin: Origin::Record(Ix::new(i)),
                        })
                    })
                    .chain(
                        from_attendance
                            .iter()
                            .filter(|(q, _)| q.index() == p)
                            .map(|&(_, d)| (1, d)),
                    )
                    .collect();
                // Records in file order, then attendance by cohort.
                want.sort_by_key(|(kind, d)| {
                    let at = match d.origin {
                        Origin::Record(i) => i.index(),
                        Origin::Cohort(c) => c.index(),
                    };
                    (d.course, d.date, *kind, at)
                });
                let want: Vec<Done> = want.into_iter().map(|(_, d)| d).collect();
                prop_assert_eq!(index.of(Ix::new(p)), &want[..]);
            }
        }
    }
}
