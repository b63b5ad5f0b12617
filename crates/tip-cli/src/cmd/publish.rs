//! `tip pack`, `tip bulletin` and `tip build`: what goes public.

use std::io::{self, Write};
use std::path::PathBuf;

use chrono::NaiveDate;
use tip_site::bulletin::{self, Window};
use tip_site::{pack, site};

use crate::{DataDir, Outcome, load, output, unknown};

/// Arguments of `tip pack`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("of").required(true).args(["course", "role"])))]
pub(crate) struct PackArgs {
    #[command(flatten)]
    data: DataDir,
    /// The resources of this course.
    #[arg(long, value_name = "ID")]
    course: Option<String>,
    /// The resources of every course open to this role.
    #[arg(long, value_name = "ID")]
    role: Option<String>,
    /// `FILE.zip`, or a folder (new, empty, or a pack tip wrote before).
    #[arg(short, long, value_name = "FILE.zip|DIR")]
    output: PathBuf,
}

/// Write a resource pack.
pub(crate) fn pack(args: &PackArgs) -> io::Result<Outcome> {
    let data = match load(&args.data.dir)? {
        Ok(data) => data,
        Err(outcome) => return Ok(outcome),
    };
    let p = match (&args.course, &args.role) {
        (Some(id), _) => match data.course(id) {
            Some(c) => pack::for_course(&data, c),
            None => return unknown("course", id, data.suggest_course(id)),
        },
        (None, Some(id)) => match data.role(id) {
            Some(r) => pack::for_role(&data, r),
            None => return unknown("role", id, None),
        },
        (None, None) => unreachable!("clap requires one"),
    };
    let files = match pack::files(&data, &p) {
        Ok(files) => files,
        Err(e) => return refused(e),
    };
    let outputs = output::Outputs::new(&args.data.dir, &data.programme().id)?;
    let is_zip = args
        .output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    if is_zip {
        outputs.write_file(&args.output, output::FileKind::Zip, &pack::zip(&files))?;
    } else {
        outputs.replace_folder(&args.output, output::FolderKind::Pack, &files)?;
    }
    writeln!(
        anstream::stderr(),
        "{} ({} items) in {}",
        p.title,
        p.resources.len(),
        args.output.display()
    )?;
    crate::done(data);
    Ok(Outcome::Success)
}

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

/// Bulletin formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum BulletinFormat {
    /// Markdown.
    #[default]
    Md,
    /// An HTML page.
    Html,
}

/// Arguments of `tip bulletin`.
#[derive(Debug, clap::Args)]
pub(crate) struct BulletinArgs {
    #[command(flatten)]
    data: DataDir,
    /// The first day it covers (default: today).
    #[arg(long, value_name = "DATE")]
    from: Option<NaiveDate>,
    /// How many months it covers.
    #[arg(long, value_name = "N", default_value_t = 2)]
    months: u32,
    /// Markdown or HTML.
    #[arg(long, value_enum, default_value_t)]
    format: BulletinFormat,
}

/// Print the bulletin.
pub(crate) fn bulletin(args: &BulletinArgs) -> io::Result<Outcome> {
    let data = match load(&args.data.dir)? {
        Ok(data) => data,
        Err(outcome) => return Ok(outcome),
    };
    let window = Window {
        from: args.from.unwrap_or_else(crate::today),
        months: args.months,
    };
    let text = match args.format {
        BulletinFormat::Md => bulletin::markdown(&data, window),
        BulletinFormat::Html => bulletin::html(
            &data,
            window,
            &crate::build_time()?.format("%-d %B %Y").to_string(),
        ),
    };
    let text = match text {
        Ok(text) => text,
        Err(e) => return refused(e),
    };
    io::stdout().lock().write_all(text.as_bytes())?;
    crate::done(data);
    Ok(Outcome::Success)
}

/// Arguments of `tip build`.
#[derive(Debug, clap::Args)]
pub(crate) struct BuildArgs {
    #[command(flatten)]
    data: DataDir,
    /// The folder to publish into: new, empty, or a site tip built before
    /// (replaced as a whole; any other folder is refused).
    #[arg(short, long, value_name = "OUT")]
    output: PathBuf,
    /// "Today" for upcoming dates and progress (default: today).
    #[arg(long, value_name = "DATE")]
    as_of: Option<NaiveDate>,
    /// Months of dates on the front page and in the bulletin.
    #[arg(long, value_name = "N", default_value_t = 6)]
    months: u32,
}

/// Build the public site into a temporary folder, then swap it into place.
pub(crate) fn build(args: &BuildArgs) -> io::Result<Outcome> {
    let data = match load(&args.data.dir)? {
        Ok(data) => data,
        Err(outcome) => return Ok(outcome),
    };
    // Refuse a bad output before the work of building.
    let outputs = output::Outputs::new(&args.data.dir, &data.programme().id)?;
    let opts = site::Options {
        as_of: args.as_of.unwrap_or_else(crate::today),
        stamp: crate::build_time()?,
        months: args.months,
    };
    let files = match site::build(&data, &opts) {
        Ok(files) => files,
        Err(e) => return refused(e),
    };
    outputs.replace_folder(&args.output, output::FolderKind::Site, &files)?;
    writeln!(
        anstream::stderr(),
        "{} files in {}; open {}",
        files.len(),
        args.output.display(),
        args.output.join("index.html").display()
    )?;
    crate::done(data);
    Ok(Outcome::Success)
}
