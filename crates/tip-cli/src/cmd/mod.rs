//! One module per subcommand.

pub mod eligible;
pub mod schema;
pub mod validate;
