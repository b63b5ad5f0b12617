//! The timetable: bank holidays, and sessions expanded from each cohort's
//! `sessions` or `schedule` on the programme's working days. The problems
//! of a whole timetable are in `tip_core::problems`.

mod expand;
pub mod holidays;

pub(crate) use expand::{ExpandProblem, MAX_SESSIONS, expand, weekday_name};
pub use expand::{Session, WorkingCalendar};
