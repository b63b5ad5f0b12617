//! `tip pack DIR (--course ID | --role ID) -o FILE.zip|DIR`

use std::io::{self, Write};
use std::path::PathBuf;

use tip_site::pack;

use crate::{DataDir, Outcome, load, output, unknown};

/// Arguments of `tip pack`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("of").required(true).args(["course", "role"])))]
pub(crate) struct Args {
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
pub(crate) fn run(args: &Args) -> io::Result<Outcome> {
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
            None => return unknown("role", id, data.suggest_role(id)),
        },
        (None, None) => unreachable!("clap requires one"),
    };
    let files = match pack::files(&data, &p) {
        Ok(files) => files,
        Err(e) => return super::refused(e),
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
