//! `tip schema [-o FILE]`

use std::io::{self, Write};
use std::path::PathBuf;

use crate::{Outcome, output};

/// Arguments of `tip schema`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Write the schema to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Print the JSON Schema of a data file.
pub(crate) fn run(args: &Args) -> io::Result<Outcome> {
    let mut text =
        serde_json::to_string_pretty(&tip_core::schema::json_schema()).map_err(io::Error::other)?;
    text.push('\n');
    match &args.output {
        Some(path) => output::Outputs::anywhere().write_file(
            path,
            output::FileKind::Schema,
            text.as_bytes(),
        )?,
        None => io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(Outcome::Success)
}
