//! `tip validate DIR [--format human|json|github]`

use std::io::{self, Write};

use tip_report as render;

use crate::{DataDir, Format, Outcome};

/// Arguments of `tip validate`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    data: DataDir,
    /// How to print the diagnostics.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

/// Load the folder, print every diagnostic, exit 1 on any error.
pub(crate) fn run(args: &Args) -> io::Result<Outcome> {
    let dir = &args.data.dir;
    let report = crate::data::check(dir, tip_core::Scope::Everything)?;
    // The site's templates are part of the data set too.
    let mut all = report.diagnostics().to_vec();
    all.extend(tip_site::check_templates(dir));
    // And the certificates' fonts: a name no font draws is found now, not
    // on printing day.
    if let Some(data) = report.dataset() {
        all.extend(tip_certificate::check(data));
        all.extend(keys(data));
    }
    tip_core::diagnostic::sort(&mut all);
    let diags = &all[..];
    let valid = !diags.iter().any(tip_core::Diagnostic::is_error);
    match args.format {
        Format::Human => {
            let mut err = anstream::stderr().lock();
            write!(err, "{}", render::human(diags, dir, true))?;
            let summary = render::summary(diags);
            match report.dataset().filter(|_| valid) {
                Some(data) => writeln!(
                    err,
                    "checked `{}`: {} courses, {} cohorts, {} people, {} completions; {summary}",
                    dir.display(),
                    data.courses().len(),
                    data.cohorts().len(),
                    data.people().len(),
                    data.completions().len(),
                )?,
                None => writeln!(err, "`{}` is invalid: {summary}", dir.display())?,
            }
        }
        Format::Json => io::stdout()
            .lock()
            .write_all(render::json(diags).as_bytes())?,
        Format::Gitlab => {
            let prefix = dir.to_string_lossy();
            io::stdout()
                .lock()
                .write_all(render::gitlab(diags, &prefix).as_bytes())?;
        }
        Format::Github => {
            let prefix = dir.to_string_lossy();
            io::stdout()
                .lock()
                .write_all(render::github(diags, &prefix).as_bytes())?;
        }
    }
    let outcome = if valid {
        Outcome::Success
    } else {
        Outcome::Invalid
    };
    // The process ends now: freeing millions of records one by one would
    // only add a second or so at national scale.
    std::mem::forget(report);
    Ok(outcome)
}

/// The programme's public key reads, and `TIP_SIGNING_KEY` (when set) is
/// its private half.
fn keys(data: &tip_core::Dataset) -> Vec<tip_core::Diagnostic> {
    use tip_core::{Code, Diagnostic};
    let programme = data.programme();
    let Some(file) = &programme.public_key else {
        return Vec::new();
    };
    let at = data.location(programme.public_key_loc.unwrap_or(programme.loc));
    let bad = |message: String, help: &str| {
        vec![
            Diagnostic::error(Code::BadKey, message)
                .at(at.clone())
                .help(help),
        ]
    };
    let Ok(path) = tip_core::public_file(data.root(), file) else {
        // `validate` reports a missing or private file already.
        return Vec::new();
    };
    let public = match std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|t| tip_credential::PublicKey::from_pem(&t).map_err(|e| e.to_string()))
    {
        Ok(key) => key,
        Err(why) => {
            return bad(
                format!("the public key `{file}` does not read: {why}"),
                "give the `.pub.pem` file `tip keys new` made",
            );
        }
    };
    let Some(private) = std::env::var_os("TIP_SIGNING_KEY") else {
        return Vec::new();
    };
    let private = std::path::PathBuf::from(private);
    match std::fs::read_to_string(&private)
        .map_err(|e| e.to_string())
        .and_then(|t| tip_credential::Key::from_pem(&t).map_err(|e| e.to_string()))
    {
        Ok(key) if key.public() == public => Vec::new(),
        Ok(_) => bad(
            format!(
                "TIP_SIGNING_KEY (`{}`) is not the private half of `{file}`",
                private.display()
            ),
            "set TIP_SIGNING_KEY to the key made with this public key, or put the new key's public half here",
        ),
        Err(why) => bad(
            format!(
                "TIP_SIGNING_KEY (`{}`) does not read: {why}",
                private.display()
            ),
            "set it to the private key file `tip keys new` made",
        ),
    }
}
