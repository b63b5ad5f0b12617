//! Loading the data folder for a command, and the command line's few
//! shared answers (an unknown id, today's date).

use std::io::{self, Write};
use std::path::Path;

use tip_core::{Code, Dataset, LoadError, render};

use crate::Outcome;

/// Load a data folder for a command that needs valid data: on errors, print
/// them (as `tip validate` would) and end with exit 1.
pub fn load(dir: &Path) -> io::Result<Result<Dataset, Outcome>> {
    load_allowing(dir, &[])
}

/// [`load`], except that errors with one of the `allowed` codes do not stop
/// the command (it reports them itself, as `tip schedule` reports clashes).
pub fn load_allowing(dir: &Path, allowed: &[Code]) -> io::Result<Result<Dataset, Outcome>> {
    let report = match Dataset::check(dir) {
        Ok(report) => report,
        Err(LoadError::Io { path, source }) => {
            return Err(io::Error::new(
                source.kind(),
                format!("cannot read `{}`: {source}", path.display()),
            ));
        }
        Err(LoadError::Invalid(_)) => unreachable!("check reports diagnostics in Ok"),
    };
    let errors: Vec<_> = report
        .diagnostics
        .into_iter()
        .filter(|d| d.is_error() && !allowed.contains(&d.code))
        .collect();
    match report.dataset {
        Some(data) if errors.is_empty() => Ok(Ok(data)),
        _ => {
            let mut err = anstream::stderr().lock();
            write!(err, "{}", render::human(&errors, dir, true))?;
            writeln!(
                err,
                "`{}` is invalid: {}; run `tip validate` for details",
                dir.display(),
                render::summary(&errors)
            )?;
            Ok(Err(Outcome::Invalid))
        }
    }
}

/// Report an id that names nothing: exit 1, with a "did you mean".
pub fn unknown(what: &str, id: &str, suggestion: Option<String>) -> io::Result<Outcome> {
    let mut err = anstream::stderr().lock();
    writeln!(err, "error: unknown {what} `{id}`")?;
    if let Some(s) = suggestion {
        writeln!(err, "  = help: {s}")?;
    }
    Ok(Outcome::Invalid)
}

/// Today's date, where "today" matters and `--as-of` is not given. The
/// only place that reads the clock.
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}
