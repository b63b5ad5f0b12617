//! `tip bulletin DIR [--from DATE] [--months N] [--format md|html]`

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
    /// An HTML page.
    Html,
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
    /// Markdown or HTML.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
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
    let text = match args.format {
        Format::Md => bulletin::markdown(&data, window),
        Format::Html => bulletin::html(
            &data,
            window,
            &crate::build_time()?.format("%-d %B %Y").to_string(),
        ),
    };
    let text = match text {
        Ok(text) => text,
        Err(e) => return super::refused(e),
    };
    io::stdout().lock().write_all(text.as_bytes())?;
    crate::done(data);
    Ok(Outcome::Success)
}
