//! `tip pack`, `tip bulletin` and `tip build`: what goes public.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use tip_site::bulletin::{self, Window};
use tip_site::{pack, site};

use crate::{DataDir, Outcome, load, output, unknown};

/// Arguments of `tip pack`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("of").required(true).args(["course", "role"])))]
pub struct PackArgs {
    #[command(flatten)]
    data: DataDir,
    /// The resources of this course.
    #[arg(long, value_name = "ID")]
    course: Option<String>,
    /// The resources of every course open to this role.
    #[arg(long, value_name = "ID")]
    role: Option<String>,
    /// `FILE.zip`, or a folder.
    #[arg(short, long, value_name = "FILE.zip|DIR")]
    output: PathBuf,
}

/// Write a resource pack.
pub fn pack(args: &PackArgs) -> io::Result<Outcome> {
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
    let files = pack::files(&data, &p).map_err(io::Error::other)?;
    let is_zip = args
        .output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    if is_zip {
        output::write_atomic(&args.output, &pack::zip(&files))?;
    } else {
        let paths: Vec<(PathBuf, Vec<u8>)> = files
            .into_iter()
            .map(|(p, b)| (args.output.join(p), b))
            .collect();
        for (path, _) in &paths {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
        }
        output::write_all_atomic_paths(&paths)?;
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

/// Bulletin formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum BulletinFormat {
    /// Markdown.
    #[default]
    Md,
    /// An HTML page.
    Html,
}

/// Arguments of `tip bulletin`.
#[derive(Debug, clap::Args)]
pub struct BulletinArgs {
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
pub fn bulletin(args: &BulletinArgs) -> io::Result<Outcome> {
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
            &crate::build_time().format("%-d %B %Y").to_string(),
        ),
    }
    .map_err(io::Error::other)?;
    io::stdout().lock().write_all(text.as_bytes())?;
    crate::done(data);
    Ok(Outcome::Success)
}

/// Arguments of `tip build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    #[command(flatten)]
    data: DataDir,
    /// The folder to publish into (replaced as a whole).
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
pub fn build(args: &BuildArgs) -> io::Result<Outcome> {
    let data = match load(&args.data.dir)? {
        Ok(data) => data,
        Err(outcome) => return Ok(outcome),
    };
    let opts = site::Options {
        as_of: args.as_of.unwrap_or_else(crate::today),
        stamp: crate::build_time(),
        months: args.months,
    };
    let files = site::build(&data, &opts).map_err(io::Error::other)?;
    replace_folder(&args.output, &files)?;
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

/// Write `files` into a new folder beside `out`, then rename it to `out`
/// (moving any old one aside first and removing it after): a failed build
/// never leaves a half-updated site.
fn replace_folder(out: &Path, files: &[(String, Vec<u8>)]) -> io::Result<()> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    let staging = tempfile::Builder::new()
        .prefix(".tip-build-")
        .tempdir_in(&parent)?;
    for (path, bytes) in files {
        let full = staging.path().join(path);
        if let Some(dir) = full.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&full, bytes)?;
    }
    #[cfg(unix)]
    std::fs::set_permissions(
        staging.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )?;
    let staging = staging.keep();
    if out.exists() {
        let old = tempfile::Builder::new()
            .prefix(".tip-old-")
            .tempdir_in(&parent)?
            .keep();
        std::fs::remove_dir(&old)?;
        std::fs::rename(out, &old)?;
        std::fs::rename(&staging, out)?;
        std::fs::remove_dir_all(&old)?;
    } else {
        std::fs::rename(&staging, out)?;
    }
    Ok(())
}
