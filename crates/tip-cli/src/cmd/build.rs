//! `tip build DIR -o OUT [--as-of DATE] [--months N]`

use std::io::{self, Write};
use std::path::PathBuf;

use chrono::NaiveDate;
use tip_site::site;

use crate::{DataDir, Outcome, load, output};

/// Arguments of `tip build`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    data: DataDir,
    /// The folder to publish into: new, empty, or a site tip built before
    /// (replaced as a whole; any other folder is refused).
    #[arg(short, long, value_name = "OUT")]
    output: PathBuf,
    /// "Today" for upcoming dates and progress (default: today).
    #[arg(long, value_name = "DATE", value_parser = crate::data::date)]
    as_of: Option<NaiveDate>,
    /// Months of dates on the front page and in the bulletin.
    #[arg(long, value_name = "N", default_value_t = 6)]
    months: u32,
}

/// Build the public site into a temporary folder, then swap it into place.
pub(crate) fn run(args: &Args) -> io::Result<Outcome> {
    let data = match load(&args.data.dir)? {
        Ok(data) => data,
        Err(outcome) => return Ok(outcome),
    };
    // Refuse a bad output before the work of building.
    let outputs = output::Outputs::new(&args.data.dir, &data.programme().id)?;
    let stamp = crate::build_time()?;
    let (issuer, signing_key) = credentials(&data, &args.data.dir, stamp.date_naive())?;
    let opts = site::Options {
        as_of: args.as_of.unwrap_or_else(crate::today),
        stamp,
        months: args.months,
        issuer,
        signing_key,
        previous: crate::output::previous_calendar(&args.output.join("calendars/all.ics")),
        previous_status: previous_status(&args.output),
    };
    let files = match site::build(&data, &opts) {
        Ok(files) => files,
        Err(e) => return super::refused(e),
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

/// The certificates' issuer, when the programme has a public key and a
/// site address; the signing key when `TIP_SIGNING_KEY` is set (to sign the
/// revocation lists).
fn credentials(
    data: &tip_core::Dataset,
    dir: &std::path::Path,
    today: NaiveDate,
) -> io::Result<(Option<tip_credential::Issuer>, Option<tip_credential::Key>)> {
    let programme = data.programme();
    if programme.public_keys.is_empty() || programme.site_url.is_none() {
        if !data.certificates().is_empty() {
            writeln!(
                anstream::stderr(),
                "warning: certificates are recorded but the programme has no `public_key` and `site_url`: no verify pages are published"
            )?;
        }
        return Ok((None, None));
    }
    let issuer = crate::signing::issuer(data)?;
    let key = match crate::signing::signing_key(data, dir, &issuer.keys)? {
        Some((key, entry)) => {
            // The status lists are signed by the key in use.
            crate::signing::in_use(data, entry, today)?;
            Some(key)
        }
        None => None,
    };
    if key.is_none() && !data.certificates().is_empty() {
        writeln!(
            anstream::stderr(),
            "note: TIP_SIGNING_KEY is not set: the status lists (status/<year>.jwt) the last build signed are published again while no revocation changed them; a year never signed has none until a build with the key"
        )?;
    }
    Ok((Some(issuer), key))
}

/// The status lists a previous build published in `out` (`status/<year>.jwt`,
/// each read only if a small regular file).
fn previous_status(out: &std::path::Path) -> std::collections::BTreeMap<i32, String> {
    use std::io::Read as _;
    let Ok(entries) = std::fs::read_dir(out.join("status")) else {
        return Default::default();
    };
    entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let year: i32 = name.strip_suffix(".jwt")?.parse().ok()?;
            let mut text = String::new();
            std::fs::File::open(e.path())
                .ok()?
                .take(4 << 20)
                .read_to_string(&mut text)
                .ok()?;
            Some((year, text))
        })
        .collect()
}
