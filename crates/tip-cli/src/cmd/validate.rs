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
