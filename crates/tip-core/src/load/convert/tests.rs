//! Converting records, field by field.

use super::*;
use crate::loc::Loc;
use crate::records::Records;
use chrono::Weekday;

#[test]
fn schedule_days() {
    assert_eq!(parse_day("2nd tuesday"), Some(Day::Nth(2, Weekday::Tue)));
    assert_eq!(parse_day("last friday"), Some(Day::Last(Weekday::Fri)));
    assert_eq!(parse_day("15"), Some(Day::OfMonth(15)));
    assert_eq!(parse_day("32"), None);
    assert_eq!(parse_day("tuesday"), Some(Day::Weekday(Weekday::Tue)));
    assert_eq!(parse_day("6th tuesday"), None);
}

#[test]
fn completion_sources_are_named_once_and_read_back() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/kent-medway");
    let (data, _) = crate::Dataset::load(root).unwrap();
    let mut seen: Vec<&str> = data
        .completions()
        .iter()
        .filter_map(|c| c.source.map(|s| data.source(s)))
        .collect();
    let rows = seen.len();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(
        seen,
        [
            "2020–21 pilot register",
            "Kent e-learning export",
            "Partner provider register"
        ]
    );
    assert!(rows > 50, "{rows} completions have a source");
    // Millions of each at national scale (docs/performance.md).
    assert_eq!(std::mem::size_of::<crate::model::Completion>(), 32);
    assert_eq!(std::mem::size_of::<crate::model::Person>(), 128);
    assert_eq!(std::mem::size_of::<crate::dataset::Done>(), 20);
}

/// Sources are numbered in the order of their texts, whatever order
/// the files' threads met them in; each completion keeps its text.
#[test]
fn sources_are_numbered_in_order_of_their_texts() {
    let mut interner = Interner::default();
    let met = ["register", "export", "register", "archive", "export"];
    let mut met: Vec<Completion> = met
        .iter()
        .map(|t| Completion {
            person: crate::Ix::new(0),
            course: crate::Ix::new(0),
            date: chrono::NaiveDate::MIN,
            source: Some(Source::new(interner.intern(t))),
            loc: Loc::new(crate::loc::FileId(0), 1, 1, 1),
        })
        .collect();
    met[1].source = None;
    // In two parts, as files read in parts give them.
    let mut completions = Records::new();
    let rest = met.split_off(2);
    completions.push_part(met);
    completions.push_part(rest);
    let texts = interner.into_sorted(&mut completions);
    assert_eq!(&*texts, ["archive", "export", "register"].map(Box::from));
    let read: Vec<Option<&str>> = completions
        .iter()
        .map(|c| c.source.map(|s| &*texts[s.index()]))
        .collect();
    assert_eq!(
        read,
        [
            Some("register"),
            None,
            Some("register"),
            Some("archive"),
            Some("export")
        ]
    );
}

/// An embedder may load data sets from rayon's own threads, several at
/// once: the per-thread CSV buffers and their release must not get in
/// the way (no deadlock, no borrow panic), and each load is whole.
#[test]
fn loads_inside_rayon_threads_side_by_side_are_whole() {
    use rayon::prelude::*;
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/kent-medway");
    let alone = crate::Dataset::load(root).unwrap().0.completions().len();
    let counts: Vec<usize> = (0..4)
        .into_par_iter()
        .map(|_| crate::Dataset::load(root).unwrap().0.completions().len())
        .collect();
    assert_eq!(counts, [alone; 4]);
}
