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
    let (issuer, signing_key) = credentials(&data)?;
    let opts = site::Options {
        as_of: args.as_of.unwrap_or_else(crate::today),
        stamp: crate::build_time()?,
        months: args.months,
        issuer,
        signing_key,
        previous: super::calendar::previous_calendar(&args.output.join("calendars/all.ics")),
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
) -> io::Result<(Option<tip_credential::Issuer>, Option<tip_credential::Key>)> {
    let programme = data.programme();
    let (Some(_), Some(site)) = (&programme.public_key, &programme.site_url) else {
        if !data.certificates().is_empty() {
            writeln!(
                anstream::stderr(),
                "warning: certificates are recorded but the programme has no `public_key` and `site_url`: no verify pages are published"
            )?;
        }
        return Ok((None, None));
    };
    let public = super::certify::tip_credential_public(data)?;
    let issuer = tip_credential::Issuer::new(site, &programme.name, public)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
    let key = match std::env::var_os("TIP_SIGNING_KEY") {
        Some(path) => {
            let path = std::path::PathBuf::from(path);
            let text = std::fs::read_to_string(&path).map_err(crate::output::at(&path))?;
            let key = tip_credential::Key::from_pem(&text).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("TIP_SIGNING_KEY (`{}`) is {e}", path.display()),
                )
            })?;
            if key.public() != public {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "TIP_SIGNING_KEY is not the private half of the programme's `public_key`",
                ));
            }
            Some(key)
        }
        None => {
            if !data.certificates().is_empty() {
                writeln!(
                    anstream::stderr(),
                    "warning: TIP_SIGNING_KEY is not set: the revocation lists (status/<year>.jwt) are not signed, so not published; the verify pages still say which certificates are revoked"
                )?;
            }
            None
        }
    };
    Ok((Some(issuer), key))
}
