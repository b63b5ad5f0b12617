//! Ids: each record's id added to its section's table, duplicates
//! reported, broken records set aside (their references are then not
//! reported again).

use super::*;

/// A record with an id and a place.
pub(crate) trait Keyed {
    fn key(&self) -> &str;
    fn loc(&self) -> Loc;
}

macro_rules! keyed {
    ($($ty:ty),*) => {$(
        impl Keyed for $ty {
            fn key(&self) -> &str { &self.id }
            fn loc(&self) -> Loc { self.loc }
        }
    )*};
}
keyed!(Resource, Venue, Course, Person, Cohort);
impl<K> Keyed for Named<K> {
    fn key(&self) -> &str {
        &self.id
    }
    fn loc(&self) -> Loc {
        self.loc
    }
}

/// Add converted records to `out` and their ids to `table`; report
/// duplicates. A repeated record stays in `out`, unreachable by its id.
pub(crate) fn register<T: Keyed + Sync>(
    files: &Files,
    results: Vec<Converted<T>>,
    table: &mut IdTable,
    out: &mut Vec<T>,
    diags: &mut Vec<Diagnostic>,
) {
    let start = out.len();
    let mut broken = Vec::new();
    for result in results {
        match result {
            Ok(item) => out.push(item),
            Err(Some(id)) => broken.push(id),
            Err(None) => {}
        }
    }
    let new = [&out[start..]];
    register_ids(files, &new, start, |i| &out[i], broken, table, diags);
}

/// Add the ids of records to `table`: the new records `new`, in parts,
/// whose first is the `start`th of its section (`record` gives any record
/// by position); report duplicates; set aside the ids of `broken` records
/// (whose references are then not reported again).
pub(crate) fn register_ids<'r, T: Keyed + Sync + 'r>(
    files: &Files,
    new: &[&[T]],
    start: usize,
    record: impl Fn(usize) -> &'r T,
    broken: Vec<Id>,
    table: &mut IdTable,
    diags: &mut Vec<Diagnostic>,
) {
    let noun = table.noun;
    for (repeat, first) in table.extend(new, T::key, start) {
        let at = files.location(record(first).loc());
        diags.push(
            Diagnostic::error(
                Code::DuplicateId,
                format!("duplicate {noun} id `{}`", record(repeat).key()),
            )
            .at(files.location(record(repeat).loc()))
            .label(at, "first defined here")
            .help("ids must be unique across all files; rename or remove one"),
        );
    }
    for id in broken {
        if table.get::<T>(&id).is_none() {
            table.broken.insert(id);
        }
    }
}

pub(crate) fn named<K>(
    files: &Files,
    parts: &[Part<'_>],
    noun: &str,
    table: &mut IdTable,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Named<K>> {
    let mut results = Vec::new();
    each_record(files, parts, noun, diags, |ctx, rec| {
        results.push(convert::named(ctx, rec, noun))
    });
    let mut out = Vec::new();
    register(files, results, table, &mut out, diags);
    out
}
