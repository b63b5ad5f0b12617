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
    let report = match crate::data::check(dir, tip_core::Scope::Everything) {
        Ok(report) => report,
        Err(e) => {
            // A CI job still gets a document it can read (and the job log a
            // line), then exits 2.
            let message = e.to_string();
            let doc = match args.format {
                // `main` writes JSON's error document, as for every command.
                Format::Human | Format::Json => String::new(),
                Format::Gitlab => "[]\n".to_string(),
                Format::Github => format!(
                    "::error title=io-error::{}\n",
                    message.replace('%', "%25").replace('\n', "%0A")
                ),
            };
            io::stdout().lock().write_all(doc.as_bytes())?;
            return Err(e);
        }
    };
    let all = crate::checks::everything(dir, &report);
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
        Format::Json => {
            io::stdout()
                .lock()
                .write_all(render::json(diags).as_bytes())?;
            summary_line(dir, diags)?;
        }
        Format::Gitlab => {
            let prefix = dir.to_string_lossy();
            io::stdout()
                .lock()
                .write_all(render::gitlab(diags, &prefix).as_bytes())?;
            summary_line(dir, diags)?;
        }
        Format::Github => {
            let prefix = dir.to_string_lossy();
            io::stdout()
                .lock()
                .write_all(render::github(diags, &prefix).as_bytes())?;
            summary_line(dir, diags)?;
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

/// The one line a machine format's job log shows on standard error.
fn summary_line(dir: &std::path::Path, diags: &[tip_core::Diagnostic]) -> io::Result<()> {
    let valid = !diags.iter().any(tip_core::Diagnostic::is_error);
    writeln!(
        anstream::stderr(),
        "`{}` is {}: {}",
        dir.display(),
        if valid { "valid" } else { "invalid" },
        render::summary(diags)
    )
}
