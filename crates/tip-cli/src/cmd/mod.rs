//! One module per subcommand.

pub(crate) mod allocate;
pub(crate) mod calendar;
pub(crate) mod certify;
pub(crate) mod eligible;
pub(crate) mod publish;
pub(crate) mod schedule;
pub(crate) mod schema;
pub(crate) mod validate;
