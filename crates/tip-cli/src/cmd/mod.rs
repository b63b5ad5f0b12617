//! One module per subcommand.

pub(crate) mod allocate;
pub(crate) mod build;
pub(crate) mod bulletin;
pub(crate) mod calendar;
pub(crate) mod certify;
pub(crate) mod eligible;
pub(crate) mod import;
pub(crate) mod init;
pub(crate) mod keys;
pub(crate) mod pack;
pub(crate) mod revoke;
pub(crate) mod schedule;
pub(crate) mod schema;
#[cfg(feature = "serve")]
pub(crate) mod serve;
pub(crate) mod validate;

use std::io::{self, Write};

use crate::Outcome;

/// A publishing error: exit 1 when the data is at fault (a template, a
/// file it names), else an I/O error (exit 2).
fn refused(e: tip_site::Error) -> io::Result<Outcome> {
    if e.is_data_problem() {
        writeln!(anstream::stderr(), "error: {e}")?;
        Ok(Outcome::Invalid)
    } else {
        Err(io::Error::other(e.to_string()))
    }
}
