//! `tip-core`: the data model, loader, validation and rules of a tiered,
//! multi-agency training offer kept as YAML and CSV files in a folder.
//!
//! This is the crate to embed in an intranet or a booking service: it
//! loads and checks a data folder, answers who may take what (and why
//! not), expands the timetable against UK bank holidays and places
//! applicants. It has no PDF, calendar or web dependency; those live in
//! `tip-calendar`, `tip-certificate` and `tip-site`, and `tip-report`
//! renders diagnostics as `tip validate` does.
//!
//! # The pipeline
//!
//! files → YAML and CSV → records → cross-record checks → a [`Dataset`].
//! [`Dataset::load`] returns a data set only when the data is valid;
//! [`Dataset::check`] returns a [`Report`] with every diagnostic either way.
//! A data set cannot be changed after loading, so its indexes and caches
//! always agree with its records. Records refer to each other by typed
//! index ([`Ix<Person>`](Ix), [`Ix<Course>`](Ix)); index the data set with
//! one to get the record. The library never reads the clock: anything that
//! depends on "today" takes the date.
//!
//! # Load and query
//!
//! ```
//! use tip_core::Dataset;
//!
//! let (data, warnings) = Dataset::load("../../data/kent-medway")?;
//! assert!(warnings.is_empty());
//! let l2 = data.course("l2-trauma-awareness").expect("the L2 course");
//! for cohort in data.cohorts_of(l2) {
//!     let c = &data[cohort];
//!     let first = &data.sessions(cohort)[0];
//!     println!("{} on {}: {} enrolled", c.id, first.date(), c.enrolled.len());
//! }
//! assert_eq!(data.programme().timezone.name(), "Europe/London");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Load from memory
//!
//! A web service, an editor plugin or a test with no disk gives the files
//! themselves (name and bytes): the same files give the same data and
//! diagnostics as a folder, except that the files the data names (resource
//! PDFs, the logo, keys) are not looked at.
//!
//! ```
//! use tip_core::Dataset;
//!
//! let files = [
//!     ("programme.yaml", "programme: {id: demo, name: Demo, timezone: Europe/London, domain: demo.example.org}\ntiers: [{level: 1, name: Awareness}]\n"),
//!     ("courses.yaml", "courses: [{id: intro, title: Intro, tier: 1, format: webinar}]\n"),
//!     ("cohorts/2026.yaml", "cohorts:\n  - id: intro-may\n    course: intro\n    sessions: [{start: 2026-05-12T10:00, end: 2026-05-12T11:00}]\n"),
//! ];
//! let report = Dataset::from_sources(files.map(|(name, text)| (name.to_string(), text.as_bytes().to_vec())));
//! let (data, _) = report.into_result().map_err(|d| format!("{d:?}"))?;
//! let may = data.cohort("intro-may").unwrap();
//! // Dates are chrono's, re-exported: no chrono dependency of your own.
//! let first: tip_core::chrono::NaiveDate = data.sessions(may)[0].date();
//! assert_eq!(first.to_string(), "2026-05-12");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Decide eligibility, and say why not in your own words
//!
//! Reasons are data ([`rules::Reason`]), so a booking service can match
//! on them, translate them, or use the English of [`rules::Reason::explain`].
//!
//! ```
//! use tip_core::chrono::NaiveDate;
//! use tip_core::Dataset;
//! use tip_core::rules::{Reason, Unmet};
//!
//! let (data, _) = Dataset::load("../../data/kent-medway")?;
//! let minh = data.person("nguyen-thi-minh").unwrap();
//! let course = data.course("ambassador-north").unwrap();
//! let on = NaiveDate::from_ymd_opt(2022, 11, 1).unwrap();
//! let decision = data.eligibility(minh, course, on);
//! assert!(!decision.eligible);
//! for reason in &decision.reasons {
//!     let words = match reason {
//!         Reason::Audience { wanted, .. } => {
//!             let roles: Vec<&str> = wanted.iter().map(|r| data[*r].name.as_str()).collect();
//!             format!("Réservé aux rôles : {}", roles.join(", "))
//!         }
//!         Reason::OutsideRegions { .. } => "Pas dans votre région".to_string(),
//!         Reason::Completed { course, standing: Unmet::Never, .. } => {
//!             format!("Suivez d'abord « {} »", data[*course].title)
//!         }
//!         other => other.explain(&data, minh).to_string(),
//!     };
//!     println!("- {words}");
//! }
//! assert_eq!(
//!     decision.explain(&data)[0],
//!     "for Managers or Senior leaders; Nguyễn Thị Minh is a Front line worker"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Expand a timetable
//!
//! Sessions come expanded from each cohort's `sessions` or `schedule`, in
//! the programme's timezone, moved off bank holidays as the data asks.
//! [`problems::problems`] finds clashes, closed days, over-full cohorts and
//! unqualified trainers.
//!
//! ```
//! use tip_core::Dataset;
//!
//! let (data, _) = Dataset::load("../../data/kent-medway")?;
//! let leads = data.course("ti-leads-network").unwrap();
//! for cohort in data.cohorts_of(leads) {
//!     for s in data.sessions(cohort) {
//!         let moved = s.moved_from.map(|d| format!(" (moved from {d})")).unwrap_or_default();
//!         println!("{} {}–{}{moved}", s.date(), s.start.format("%H:%M"), s.end.format("%H:%M"));
//!     }
//! }
//! let problems = tip_core::problems::problems(&data);
//! assert!(problems.iter().all(|p| !p.severity.eq(&tip_core::Severity::Error)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The same three programs are in `crates/tip-core/examples/`
//! (`cargo run -p tip-core --example query`, `eligibility`, `timetable`).

pub mod allocate;
mod check;
mod dataset;
pub mod diagnostic;
mod files;
mod ix;
mod load;
mod loc;
pub mod model;
pub mod problems;
pub mod records;
pub mod rules;
pub mod schema;
mod suggest;
pub mod timetable;
pub mod words;

/// The date and time library the API is made of (`NaiveDate`,
/// `DateTime<Tz>`): use it from here, and no version can disagree.
pub use chrono;
/// The time zone database the programme's `timezone` is read with.
pub use chrono_tz;
pub use dataset::{Dataset, LoadError, Report, Scope};
pub use diagnostic::{Code, Diagnostic, Label, Location, Severity};
pub use files::{
    FileRefusal, MAX_CSV_BYTES, MAX_CSV_LINE, MAX_YAML_BYTES, PNG_SIGNATURE, is_private_key,
    public_file,
};
pub use ix::Ix;
#[doc(hidden)] // the YAML readers checked against each other (fuzzing, CI)
pub use load::differential::yaml_readers_agree;
pub use load::{is_id, to_id};
pub use loc::Loc;
pub use records::Records;
pub use rules::Decision;

// Every Rust block of the README and the docs compiles, as a doc test (the
// examples they name also run in CI).
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
#[cfg(doctest)]
#[doc = include_str!("../../../docs/eligibility.md")]
struct EligibilityDoctests;

#[cfg(test)]
mod doc_tests {
    /// Every Markdown page with a Rust block is compiled as a doc test
    /// above: a page that gains one must be added there.
    #[test]
    fn every_rust_block_of_the_docs_is_a_doc_test() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let lib = std::fs::read_to_string(root.join("crates/tip-core/src/lib.rs")).unwrap();
        let mut pages = vec![root.join("README.md")];
        for entry in std::fs::read_dir(root.join("docs")).unwrap() {
            pages.push(entry.unwrap().path());
        }
        for page in pages {
            let text = std::fs::read_to_string(&page).unwrap_or_default();
            if text.contains("```rust") {
                let name = page
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                assert!(
                    lib.contains(&format!("include_str!(\"../../../{name}\")")),
                    "{name} has a Rust block that is not compiled as a doc test"
                );
            }
        }
    }
}
