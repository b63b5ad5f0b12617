//! The rules of the offer: who may take what on a date, and why not.
//!
//! A person may take a course on a date when its `audience` (roles), its
//! `regions` and its `requires` rule hold on that date; completions come
//! from records and from attendance, and count until the course's
//! `valid_for` runs out. Every "no" carries [`Reason`]s as data.

mod eligibility;
mod plain;
mod reason;

pub use crate::dataset::{Done, Origin};
pub(crate) use eligibility::earned;
pub use eligibility::{Decision, attendance_completion, attended};
pub use plain::{audience, requirement, who};
pub use reason::{Met, Reason, Unmet, Unplacement};
