//! The records of a big section, kept in the parts they were read in:
//! [`Records`] and its iterator.

use std::fmt;
use std::iter::FusedIterator;
use std::ops;

use rayon::prelude::*;

/// Every record of one section (people, completions, …), in file order, as
/// one list: `records[i]`, [`Records::get`], [`Records::iter`],
/// [`Records::len`].
///
/// The records stay in the parts they were read in, side by side, one
/// vector a part: a million people are never copied into one vector (which
/// cost `tip validate` about 5% of its time at national scale, see
/// docs/performance.md). A position is found in its part by a binary search
/// over the parts' starts (a few hundred parts for millions of records).
///
/// ```
/// use tip_core::Dataset;
///
/// let (data, _) = Dataset::load("../../data/kent-medway")?;
/// let people = data.people();
/// assert_eq!(people.iter().count(), people.len());
/// assert_eq!(people.get(0).map(|p| &p.id), people.iter().next().map(|p| &p.id));
/// println!("the last person is {}", people[people.len() - 1].name);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Records<T> {
    /// The parts, none empty.
    parts: Vec<Vec<T>>,
    /// Where each part starts, then the number of records: one more entry
    /// than `parts`, rising.
    starts: Vec<usize>,
}

impl<T> Records<T> {
    /// No records.
    pub(crate) fn new() -> Self {
        Records {
            parts: Vec::new(),
            starts: vec![0],
        }
    }

    /// Append a part's records (an empty part is not kept).
    pub(crate) fn push_part(&mut self, part: Vec<T>) {
        if !part.is_empty() {
            self.starts.push(self.len() + part.len());
            self.parts.push(part);
        }
    }

    /// How many records.
    pub fn len(&self) -> usize {
        self.starts.last().copied().unwrap_or(0)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`th record, in file order.
    pub fn get(&self, i: usize) -> Option<&T> {
        // The last part starting at or before `i`.
        let part = self.starts.partition_point(|&s| s <= i).checked_sub(1)?;
        self.parts.get(part)?.get(i - self.starts[part])
    }

    /// Every record, in file order.
    pub fn iter(&self) -> Iter<'_, T> {
        Iter {
            records: self.parts.iter().flatten(),
            left: self.len(),
        }
    }

    /// Every record, in file order, to change.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.parts.iter_mut().flatten()
    }

    /// The parts, in order.
    pub(crate) fn parts(&self) -> &[Vec<T>] {
        &self.parts
    }

    /// Every record, for [rayon]'s threads (in file order when collected).
    pub fn par_iter(&self) -> impl ParallelIterator<Item = &T>
    where
        T: Sync,
    {
        self.parts.par_iter().flat_map(|part| part.par_iter())
    }
}

impl<T> Default for Records<T> {
    fn default() -> Self {
        Records::new()
    }
}

impl<T> From<Vec<T>> for Records<T> {
    fn from(records: Vec<T>) -> Self {
        let mut all = Records::new();
        all.push_part(records);
        all
    }
}

impl<T> FromIterator<T> for Records<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Records::from(iter.into_iter().collect::<Vec<T>>())
    }
}

impl<T> ops::Index<usize> for Records<T> {
    type Output = T;

    /// The `i`th record; panics when there are not that many, as a slice
    /// does.
    fn index(&self, i: usize) -> &T {
        match self.get(i) {
            Some(record) => record,
            None => panic!("record {i} asked of {} records", self.len()),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Records<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a, T> IntoIterator for &'a Records<T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

/// The records of a [`Records`], in file order (or from the end): the
/// parts flattened, with the count left.
#[derive(Clone)]
pub struct Iter<'a, T> {
    records: std::iter::Flatten<std::slice::Iter<'a, Vec<T>>>,
    left: usize,
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        let record = self.records.next()?;
        self.left -= 1;
        Some(record)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }

    fn fold<B, F: FnMut(B, &'a T) -> B>(self, init: B, f: F) -> B {
        self.records.fold(init, f)
    }
}

impl<T> DoubleEndedIterator for Iter<'_, T> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let record = self.records.next_back()?;
        self.left -= 1;
        Some(record)
    }
}

impl<T> ExactSizeIterator for Iter<'_, T> {}

impl<T> FusedIterator for Iter<'_, T> {}

impl<T> fmt::Debug for Iter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter").field("left", &self.left).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Records in parts read as one list: every position, the order,
        /// the count, and nothing past the end — whatever the parts'
        /// sizes, empty ones included.
        #[test]
        fn records_in_parts_read_as_one_list(sizes in prop::collection::vec(0usize..6, 0..12)) {
            let mut records = Records::new();
            let mut all = Vec::new();
            for size in sizes {
                let part: Vec<usize> = (all.len()..all.len() + size).collect();
                all.extend(&part);
                records.push_part(part);
            }
            prop_assert_eq!(records.len(), all.len());
            prop_assert_eq!(records.is_empty(), all.is_empty());
            prop_assert_eq!(records.iter().len(), all.len());
            prop_assert_eq!(records.iter().copied().collect::<Vec<_>>(), all.clone());
            prop_assert_eq!(records.iter().fold(Vec::new(), |mut v, &x| { v.push(x); v }), all.clone());
            prop_assert_eq!(records.iter().rev().copied().collect::<Vec<_>>(), all.iter().rev().copied().collect::<Vec<_>>());
            prop_assert_eq!(records.par_iter().copied().collect::<Vec<_>>(), all.clone());
            // From both ends at once, then folded: every record once.
            let mut both = records.iter();
            let (first, last) = (both.next().copied(), both.next_back().copied());
            prop_assert_eq!(both.len(), all.len().saturating_sub(2));
            let middle: Vec<usize> = both.copied().collect();
            let whole: Vec<usize> = first.into_iter().chain(middle).chain(last).collect();
            prop_assert_eq!(whole, all.clone());
            for (i, x) in all.iter().enumerate() {
                prop_assert_eq!(records.get(i), Some(x));
                prop_assert_eq!(&records[i], x);
            }
            prop_assert_eq!(records.get(all.len()), None);
            prop_assert_eq!(records.parts().iter().map(Vec::len).sum::<usize>(), all.len());
            prop_assert!(records.parts().iter().all(|p| !p.is_empty()));
        }
    }

    #[test]
    #[should_panic(expected = "record 3 asked of 3 records")]
    fn indexing_past_the_end_panics_as_a_slice_does() {
        let records: Records<u8> = vec![1, 2, 3].into();
        let _ = records[3];
    }
}
