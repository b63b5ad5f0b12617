//! The timetable: bank holidays, sessions expanded from each cohort's
//! `sessions` or `schedule`, and the problems of the whole timetable
//! (clashes, closed days, over-full cohorts, unqualified trainers).

mod expand;
pub mod holidays;
pub mod problems;

pub(crate) use expand::{ExpandProblem, MAX_SESSIONS, expand, weekday_name};
pub use expand::{Session, WorkingCalendar};
