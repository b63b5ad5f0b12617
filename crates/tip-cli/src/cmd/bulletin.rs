//! `tip bulletin DIR [--from DATE] [--months N] [--format md|html|email] [-o FILE]`

use std::io::{self, Write};

use chrono::NaiveDate;
use tip_site::bulletin::{self, Window};

use crate::{DataDir, Outcome, load};

/// Bulletin formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// Markdown.
    #[default]
    Md,
    /// The email's HTML on its own: inline styles, absolute links, 600
    /// pixels wide.
    Html,
    /// An email message (`.eml`: plain text and HTML) to open in a mail
    /// client, address and send.
    Email,
}

/// Arguments of `tip bulletin`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    data: DataDir,
    /// The first day it covers (default: today).
    #[arg(long, value_name = "DATE", value_parser = crate::data::date)]
    from: Option<NaiveDate>,
    /// How many months it covers.
    #[arg(long, value_name = "N", default_value_t = 2)]
    months: u32,
    /// Markdown, HTML or an email.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Write it to this file (`bulletin.eml`, `bulletin.html`) instead of
    /// standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<std::path::PathBuf>,
}

/// Print the bulletin.
pub(crate) fn run(args: &Args) -> io::Result<Outcome> {
    let data = match load(&args.data.dir)? {
        Ok(data) => data,
        Err(outcome) => return Ok(outcome),
    };
    let window = Window {
        from: args.from.unwrap_or_else(crate::today),
        months: args.months,
    };
    let bytes = match args.format {
        Format::Md => bulletin::markdown(&data, window).map(String::into_bytes),
        Format::Html => tip_site::email::letter(&data, window).map(|l| l.html.into_bytes()),
        Format::Email => tip_site::email::message(&data, window, crate::build_time()?),
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(e) => return super::refused(e),
    };
    match &args.output {
        Some(path) if args.format != Format::Md => {
            let outputs = crate::output::Outputs::new(&args.data.dir, &data.programme().id)?;
            outputs.write_files(&[(path, crate::output::FileKind::Bulletin, &bytes)])?;
            writeln!(anstream::stderr(), "the bulletin is in {}", path.display())?;
        }
        Some(_) => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "`-o` writes the email or its HTML (`--format email` or `html`); Markdown goes to standard output: `tip bulletin DIR > bulletin.md`",
            ));
        }
        None => io::stdout().lock().write_all(&bytes)?,
    }
    crate::done(data);
    Ok(Outcome::Success)
}
