//! One module per subcommand.

pub mod allocate;
pub mod calendar;
pub mod certify;
pub mod eligible;
pub mod publish;
pub mod schedule;
pub mod schema;
pub mod validate;
