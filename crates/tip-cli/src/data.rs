//! Loading the data folder for a command, and the command line's few
//! shared answers (an unknown id, today's date).

use std::io::{self, Write};
use std::path::Path;

use tip_core::{Code, Dataset, LoadError, Report, Scope};
use tip_report as render;

use crate::Outcome;

/// Load a data folder for a command that needs valid data: on errors, print
/// them (as `tip validate` would) and end with exit 1.
pub fn load(dir: &Path) -> io::Result<Result<Dataset, Outcome>> {
    load_scope(dir, Scope::Everything, &[])
}

/// [`load`], reading only the programme, catalogue, people and cohorts (for
/// commands that publish the timetable).
pub fn load_timetable(dir: &Path) -> io::Result<Result<Dataset, Outcome>> {
    load_scope(dir, Scope::Timetable, &[])
}

/// [`load`], except that errors with one of the `allowed` codes do not stop
/// the command (it reports them itself, as `tip schedule` reports clashes).
pub fn load_allowing(dir: &Path, allowed: &[Code]) -> io::Result<Result<Dataset, Outcome>> {
    load_scope(dir, Scope::Everything, allowed)
}

/// Check a data folder: every diagnostic, and the data set. Only an
/// unreadable folder is an error (exit 2).
pub(crate) fn check(dir: &Path, scope: Scope) -> io::Result<Report> {
    let report = match Dataset::check_steps(dir, scope, &mut timings()) {
        Ok(report) => report,
        Err(LoadError::Io { path, source }) => return Err(folder_error(&path, source)),
        Err(e) => return Err(io::Error::other(e.to_string())),
    };
    // A file that cannot be read is an I/O error (exit 2), reported alone:
    // the errors that follow from its absence would only bury it.
    let unreadable: Vec<String> = report
        .diagnostics()
        .iter()
        .filter(|d| d.code == Code::Io)
        .map(|d| d.message.clone())
        .collect();
    if !unreadable.is_empty() {
        return Err(io::Error::other(unreadable.join("\nerror: ")));
    }
    Ok(report)
}

/// With `TIP_TIMINGS` set, each step of loading prints how long it took
/// (wall time, to standard error) and, where the system says, the peak
/// memory so far: the phase table of docs/performance.md.
fn timings() -> impl FnMut(&'static str) {
    let on = std::env::var_os("TIP_TIMINGS").is_some();
    let mut last = std::time::Instant::now();
    move |step| {
        if on {
            let now = std::time::Instant::now();
            let peak =
                peak_memory().map_or(String::new(), |kb| format!("{:>5} MB peak", kb / 1000));
            eprintln!("tip: {:>6.3} s  {peak}  {step}", (now - last).as_secs_f64());
            last = now;
        }
    }
}

/// The process's peak resident memory in kB (Linux: `VmHWM`).
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn load_scope(dir: &Path, scope: Scope, allowed: &[Code]) -> io::Result<Result<Dataset, Outcome>> {
    match check(dir, scope)?.into_result_allowing(allowed) {
        Ok((data, _warnings)) => Ok(Ok(data)),
        Err(diagnostics) => {
            let errors: Vec<_> = diagnostics
                .into_iter()
                .filter(|d| d.is_error() && !allowed.contains(&d.code))
                .collect();
            let mut err = anstream::stderr().lock();
            write!(err, "{}", render::human(&errors, dir, true))?;
            let message = format!(
                "`{}` is invalid: {}; run `tip validate` for details",
                dir.display(),
                render::summary(&errors)
            );
            writeln!(err, "{message}")?;
            json_error(&message, 1);
            Ok(Err(Outcome::Invalid))
        }
    }
}

/// Why a data folder cannot be read, and what to do: a missing folder
/// suggests a near name beside it; a file names the folder that holds it.
fn folder_error(path: &Path, source: io::Error) -> io::Error {
    let shown = path.display();
    let message = if path.is_file() {
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        format!(
            "`{shown}` is a file, not a data folder\n  = help: give the folder that holds the data, e.g. `tip validate {}`",
            parent.display()
        )
    } else if !path.exists() {
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let siblings: Vec<String> = std::fs::read_dir(parent)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        let near = siblings
            .iter()
            .map(|s| (strsim::jaro_winkler(s, &name), s))
            .filter(|(score, _)| *score > 0.85)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, s)| s);
        match near {
            Some(s) => format!(
                "there is no folder `{shown}`\n  = help: did you mean `{}`?",
                parent.join(s).display()
            ),
            None => format!(
                "there is no folder `{shown}`\n  = help: give the folder of the data set, e.g. `tip validate data/kent-medway`"
            ),
        }
    } else {
        format!("cannot read `{shown}`: {source}")
    };
    io::Error::new(source.kind(), message)
}

/// Report an id that names nothing: exit 1, with a "did you mean".
pub fn unknown(what: &str, id: &str, suggestion: Option<String>) -> io::Result<Outcome> {
    let mut err = anstream::stderr().lock();
    let message = format!("unknown {what} `{id}`");
    writeln!(err, "error: {message}")?;
    if let Some(s) = &suggestion {
        writeln!(err, "  = help: {s}")?;
    }
    match suggestion {
        Some(s) => json_error(&format!("{message}\n  = help: {s}"), 1),
        None => json_error(&message, 1),
    }
    Ok(Outcome::Invalid)
}

/// Set when the command's output is JSON: see [`json_error`].
pub(crate) static JSON_ERRORS: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Under `--format json`, a failure is also a JSON document on standard
/// output, `{"error": {"message", "help"?, "exit"}}`, so a script reading
/// stdout never finds nothing.
pub(crate) fn json_error(text: &str, exit: u8) {
    if !JSON_ERRORS.load(std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    let (message, help) = match text.split_once("\n  = help: ") {
        Some((m, h)) => (m, Some(h)),
        None => (text, None),
    };
    let mut error = serde_json::json!({ "message": message, "exit": exit });
    if let Some(help) = help {
        error["help"] = serde_json::json!(help);
    }
    let doc = crate::output::json(&serde_json::json!({ "error": error }));
    let _ = io::stdout().lock().write_all(doc.as_bytes());
}

/// A date on the command line: `YYYY-MM-DD`, and an error that says so.
pub(crate) fn date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("expected a date written YYYY-MM-DD (e.g. 2022-09-01), found `{s}`"))
}

/// Today's date, where "today" matters and `--as-of` is not given. The
/// only place that reads the clock.
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// When outputs are made: `SOURCE_DATE_EPOCH` (seconds since 1970) when
/// set, for reproducible builds; else now.
pub fn build_time() -> io::Result<chrono::DateTime<chrono::Utc>> {
    Ok(match source_date_epoch()? {
        Some(secs) => chrono::DateTime::from_timestamp(secs, 0).expect("checked in range"),
        None => chrono::Utc::now(),
    })
}

/// `SOURCE_DATE_EPOCH`, when set: seconds since 1970. A value that is not
/// a whole number of seconds in years 1970–9999 is an error (exit 2), never
/// silently replaced by the clock: a build that asked to be reproducible
/// must not quietly stop being so.
pub(crate) fn source_date_epoch() -> io::Result<Option<i64>> {
    let Some(raw) = std::env::var_os("SOURCE_DATE_EPOCH") else {
        return Ok(None);
    };
    let text = raw.to_string_lossy();
    // 253402300799 is 9999-12-31T23:59:59Z.
    match text.parse::<i64>() {
        Ok(secs) if (0..=253_402_300_799).contains(&secs) => Ok(Some(secs)),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "SOURCE_DATE_EPOCH is `{}`, not a number of seconds since 1970\n  = help: set it to a whole number such as `1700000000` (`date +%s`), or unset it",
                text.chars().take(40).collect::<String>()
            ),
        )),
    }
}

/// End a command's use of a data set without freeing it record by record:
/// the process ends next, and freeing a million people one by one costs
/// most of a second (see docs/performance.md).
pub fn done(data: Dataset) {
    std::mem::forget(data);
}
