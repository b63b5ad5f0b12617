//! Typed indices: a reference from one record to another.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::num::NonZeroU32;

/// The position of a `T` in its [`Dataset`](crate::Dataset) list.
///
/// An `Ix<Person>` can only index people: the compiler keeps a course index
/// from being used as a person index. Get one from
/// [`Dataset::person`](crate::Dataset::person) and friends, or from another
/// record's fields.
pub struct Ix<T> {
    /// One more than the position: never zero, so that an `Option<Ix<T>>`
    /// takes no more room than an `Ix<T>` (a million people each have
    /// three).
    raw: NonZeroU32,
    _kind: PhantomData<fn() -> T>,
}

impl<T> Ix<T> {
    pub(crate) fn new(index: usize) -> Self {
        Ix {
            raw: u32::try_from(index + 1)
                .ok()
                .and_then(NonZeroU32::new)
                .expect("fewer than 4 billion records"),
            _kind: PhantomData,
        }
    }

    /// The position in the list.
    pub fn index(self) -> usize {
        self.raw.get() as usize - 1
    }
}

impl<T> Clone for Ix<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Ix<T> {}
impl<T> PartialEq for Ix<T> {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}
impl<T> Eq for Ix<T> {}
impl<T> PartialOrd for Ix<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Ix<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.raw.cmp(&other.raw)
    }
}
impl<T> Hash for Ix<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // As the position (u32) hashes: tables keyed by index keep their order.
        (self.raw.get() - 1).hash(state);
    }
}
impl<T> fmt::Debug for Ix<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.index())
    }
}
