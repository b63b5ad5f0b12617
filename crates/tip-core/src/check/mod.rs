//! Checks across records, run once every section is loaded: the last stage
//! of loading, after [`crate::rules`] and the timetable have what they need.
//!
//! Each check is a method of [`Checker`] in the file for its subject, and
//! one entry of [`CATALOGUE_CHECKS`] or [`LEARNER_CHECKS`]; they are
//! independent and run side by side.

mod cohorts;
mod files;
mod ledger;
mod rules;

use rayon::prelude::*;

use crate::dataset::{Dataset, Scope};
use crate::diagnostic::{Code, Diagnostic, Location};
use crate::loc::Loc;

/// Run every cross-record check, adding to `diags` (which holds what
/// loading found).
///
/// When loading lost data — a file that does not parse, a record dropped
/// for an invalid value — the checks derived from it would report the
/// loss again, many times over and each with advice that misleads (revoke
/// a certificate, because its completion "is gone"). Those derived checks
/// are not reported then: they are counted into one `checks-skipped` note
/// that names the first such error, and they run again once it is fixed.
pub(crate) fn run(data: &Dataset, diags: &mut Vec<Diagnostic>) {
    let cause = taint(data, diags);
    let mut found = all_checks(data);
    if let Some(cause) = cause {
        let before = found.len();
        found.retain(|d| !is_derived(d.code));
        let skipped = before - found.len();
        if skipped > 0 {
            count_skipped(diags, skipped, &cause);
        }
    }
    diags.extend(found);
}

/// The checks that follow from completions, enrolments and people as a
/// whole: wrong, not just unchecked, when some of them were not loaded.
fn is_derived(code: Code) -> bool {
    matches!(
        code,
        Code::IssuedWithoutCompletion
            | Code::NotEligible
            | Code::UnsatisfiableRule
            | Code::ChangedSinceIssue
            | Code::CompromisedKey
    )
}

/// The first error of loading that lost data, if any: a file that could
/// not be read or parsed, an id table left incomplete, a record dropped (a
/// broken person, course or cohort), or any error in a file of learners,
/// cohorts, attendance or completions.
fn taint(data: &Dataset, diags: &[Diagnostic]) -> Option<Location> {
    let lost_file = |d: &Diagnostic| d.code.is_syntax();
    let learning_file = |d: &Diagnostic| {
        d.location.as_ref().is_some_and(|l| {
            let name = l.file.rsplit('/').next().unwrap_or(&l.file);
            ["people", "cohorts", "attendance", "completions"]
                .iter()
                .any(|s| name.starts_with(s))
                || l.file.starts_with("cohorts/")
        })
    };
    let tables = data.index.tables();
    let dropped = tables
        .iter()
        .any(|t| t.incomplete.is_some() || !t.broken.is_empty());
    let mut errors: Vec<&Diagnostic> = diags.iter().filter(|d| d.is_error()).collect();
    errors.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let first = errors
        .iter()
        .find(|d| lost_file(d) || learning_file(d))
        .or_else(|| errors.first().filter(|_| dropped))?;
    Some(first.location.clone().unwrap_or_else(|| Location {
        file: "".into(),
        line: 1,
        column: 1,
        len: 1,
    }))
}

/// Add `skipped` derived checks to the `checks-skipped` note (one is made
/// at `cause` when loading made none).
fn count_skipped(diags: &mut Vec<Diagnostic>, skipped: usize, cause: &Location) {
    let what = format!(
        "{} that depend{} on it (certificates standing on completions, eligibility of enrolled people)",
        if skipped == 1 {
            "1 check".to_string()
        } else {
            format!("{} checks", crate::words::thousands(skipped as u64))
        },
        if skipped == 1 { "s" } else { "" }
    );
    if let Some(note) = diags.iter_mut().find(|d| d.code == Code::ChecksSkipped) {
        note.message = format!("{}; and {what} were not run", note.message);
        return;
    }
    let place = if cause.file.is_empty() {
        "the first error".to_string()
    } else {
        format!("`{}`, line {}", cause.file, cause.line)
    };
    diags.push(
        Diagnostic::note(
            Code::ChecksSkipped,
            format!("{what} were not run, because of the error in {place}"),
        )
        .help("fix the first error first; these checks run again then")
        .at(cause.clone()),
    );
}

/// One check, run on its own [`Checker`].
type Check = fn(&mut Checker<'_>);

/// The checks of the catalogue and the timetable, which every [`Scope`]
/// loads. The first two share a slot: both only read files.
const CATALOGUE_CHECKS: &[Check] = &[
    |c| {
        c.files();
        c.contrast();
    },
    |c| c.cohorts(),
    |c| c.prerequisite_cycles(),
    |c| c.timetable(),
    |c| c.unsatisfiable_rules(),
    |c| c.ways_in(),
];

/// The checks of the learners' records (people's completions, attendance,
/// the ledger), which a narrower [`Scope`] leaves out.
const LEARNER_CHECKS: &[Check] = &[
    |c| c.attendance(),
    |c| c.eligibility(),
    |c| c.duplicate_completions(),
    |c| c.ledger(),
];

/// Every check that `data`'s scope allows, side by side.
fn all_checks(data: &Dataset) -> Vec<Diagnostic> {
    let learners = if data.scope() == Scope::Everything {
        LEARNER_CHECKS
    } else {
        &[]
    };
    let found: Vec<Vec<Diagnostic>> = CATALOGUE_CHECKS
        .par_iter()
        .chain(learners.par_iter())
        .map(|check| {
            let mut out = Vec::new();
            check(&mut Checker {
                data,
                diags: &mut out,
            });
            out
        })
        .collect();
    found.into_iter().flatten().collect()
}

/// A check's view: the data set, and where its findings go.
struct Checker<'a> {
    data: &'a Dataset,
    diags: &'a mut Vec<Diagnostic>,
}

impl Checker<'_> {
    /// Report `d` at `loc`.
    fn push(&mut self, d: Diagnostic, loc: Loc) {
        self.diags.push(d.at(self.data.location(loc)));
    }
}
