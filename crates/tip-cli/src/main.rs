//! `tip`: run a tiered, multi-agency training offer from data kept in git.
//!
//! `main` parses the command line and dispatches; each subcommand lives in
//! its own module under `cmd/`.

mod cmd;
mod output;

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Run a tiered, multi-agency, trauma-informed training offer from a folder
/// of YAML and CSV files.
///
/// Exit status: 0 success (warnings allowed), 1 the data or request is
/// invalid, 2 usage or I/O error.
#[derive(Debug, Parser)]
#[command(name = "tip", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load and check a data folder, reporting every problem at once.
    Validate(cmd::validate::Args),
    /// Which courses a person may take, which not and why, and what next.
    Eligible(cmd::eligible::Args),
    /// Print the JSON Schema (draft 2020-12) of a data file.
    Schema(cmd::schema::Args),
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style text for people (on standard error).
    #[default]
    Human,
    /// One JSON document on standard output.
    Json,
    /// GitHub Actions workflow annotations on standard output.
    Github,
}

/// Output of commands that report to people or to programs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Readable text.
    #[default]
    Human,
    /// JSON, in the shapes documented in `docs/`.
    Json,
}

/// The data folder argument, shared by every command.
#[derive(Debug, clap::Args)]
pub struct DataDir {
    /// The data folder (every `*.yaml`, `*.yml` and `*.csv` under it is read).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// How a command ended.
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: the data or the request is invalid (diagnostics printed).
    Invalid,
}

/// Load a data folder for a command that needs valid data: on errors, print
/// them (as `tip validate` would) and end with exit 1.
pub fn load(dir: &std::path::Path) -> io::Result<Result<tip_core::Dataset, Outcome>> {
    match tip_core::Dataset::load(dir) {
        Ok((data, _warnings)) => Ok(Ok(data)),
        Err(tip_core::LoadError::Invalid(diagnostics)) => {
            let errors: Vec<_> = diagnostics.into_iter().filter(|d| d.is_error()).collect();
            let mut err = anstream::stderr().lock();
            use std::io::Write as _;
            write!(err, "{}", tip_core::render::human(&errors, dir, true))?;
            writeln!(
                err,
                "`{}` is invalid: {}; run `tip validate` for details",
                dir.display(),
                tip_core::render::summary(&errors)
            )?;
            Ok(Err(Outcome::Invalid))
        }
        Err(tip_core::LoadError::Io { path, source }) => Err(io::Error::new(
            source.kind(),
            format!("cannot read `{}`: {source}", path.display()),
        )),
    }
}

/// Report an id that names nothing: exit 1, with a "did you mean".
pub fn unknown(what: &str, id: &str, suggestion: Option<String>) -> io::Result<Outcome> {
    let mut err = anstream::stderr().lock();
    use std::io::Write as _;
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate(args) => cmd::validate::run(&args),
        Command::Eligible(args) => cmd::eligible::run(&args),
        Command::Schema(args) => cmd::schema::run(&args),
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Invalid) => ExitCode::from(1),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tip: error: {e}");
            ExitCode::from(2)
        }
    }
}
