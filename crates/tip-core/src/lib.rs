//! `tip-core`: the data model, loader, validation and rules of a tiered,
//! multi-agency training offer kept as YAML and CSV files in a folder.
//!
//! Load a data folder with [`Dataset::load`] (or [`Dataset::check`] to get
//! every diagnostic whether or not the data is valid), then read its records.
//! Records refer to each other with typed indices ([`Ix`]); index the data
//! set with one to get the record.
//!
//! ```
//! use tip_core::Dataset;
//!
//! let report = Dataset::check("../../data/kent-medway")?;
//! assert!(!report.has_errors());
//! let data = report.dataset().expect("valid data");
//! for cohort in data.cohorts() {
//!     let course = &data[cohort.course];
//!     println!("{}: {} ({} enrolled)", cohort.id, course.title, cohort.enrolled.len());
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The library never reads the clock: anything that depends on "today"
//! takes the date as an argument.

pub mod allocate;
mod check;
mod convert;
mod dataset;
pub mod diagnostic;
pub mod eligibility;
pub mod holidays;
mod ix;
mod load;
pub mod model;
pub mod problems;
mod read;
pub mod reason;
pub mod rule;
pub mod schedule;
pub mod schema;
mod source;
mod suggest;
mod table;
pub mod words;
mod yaml;

pub use dataset::{Dataset, LoadError, Report, Scope};
pub use diagnostic::{Code, Diagnostic, Location, Severity};
pub use eligibility::Decision;
pub use ix::Ix;
pub use read::is_id;
pub use source::{FileRefusal, Loc, MAX_CSV_BYTES, MAX_CSV_LINE, MAX_YAML_BYTES, public_file};
