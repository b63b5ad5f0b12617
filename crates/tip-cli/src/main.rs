//! `tip`: run a tiered, multi-agency training offer from data kept in git.
//!
//! `main` parses the command line and dispatches; each subcommand lives in
//! its own module under `cmd/`.

mod checks;
mod cmd;
mod data;
mod output;
mod signing;

pub use data::{build_time, done, load, load_allowing, load_timetable, today, unknown};

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
#[command(
    name = "tip",
    version,
    about,
    max_term_width = 100,
    after_help = concat!(
        "Environment:\n",
        "  TIP_SIGNING_KEY    the private key that signs certificates (certify, build, validate)\n",
        "  SOURCE_DATE_EPOCH  seconds since 1970: \"now\" for every timestamp written (reproducible output)\n",
        "  TIP_TIMINGS        print how long each step of loading took\n",
        "  NO_COLOR           plain text diagnostics\n",
        "\n",
        "Documentation: ",
        env!("CARGO_PKG_REPOSITORY"),
        " (docs/guide.md to start; docs/cli.md for every command)"
    )
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start a new programme: a folder of data to change into yours.
    Init(cmd::init::Args),
    /// Load and check a data folder, reporting every problem at once.
    Validate(cmd::validate::Args),
    /// Which courses a person may take, which not and why, and what next.
    Eligible(cmd::eligible::Args),
    /// Every session, expanded, and every problem of the timetable.
    Schedule(cmd::schedule::Args),
    /// Read a form's responses (Microsoft Forms, Google Forms, Eventbrite)
    /// into applications.
    Import(cmd::import::Args),
    /// Place applications into cohorts (a dry run; `-o` writes the new lists).
    Allocate(cmd::allocate::Args),
    /// An iCalendar (RFC 5545) feed of sessions; filters combine.
    Calendar(cmd::calendar::Args),
    /// Issue certificates for everyone who completed a cohort: PDFs, signed
    /// credentials, and the ledger.
    Certify(cmd::certify::Args),
    /// Revoke a certificate: fill its `revoked` and `reason` in the ledger.
    Revoke(cmd::revoke::Args),
    /// Make the key that signs certificates.
    Keys(cmd::keys::Args),
    /// A resource pack: a zip (or folder) of a course's or a role's resources.
    Pack(cmd::pack::Args),
    /// The bulletin: news, then the dates of every course, by tier.
    Bulletin(cmd::bulletin::Args),
    /// The public site: the offer, course pages, calendars, packs, bulletin, progress.
    Build(cmd::build::Args),
    /// A live preview of the site on 127.0.0.1, rebuilt on every change.
    #[cfg(feature = "serve")]
    Serve(cmd::serve::Args),
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
    /// GitLab's Code Quality report (JSON) on standard output.
    Gitlab,
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

impl Command {
    /// Whether the output was asked for as JSON: then failures are a JSON
    /// document on standard output too, for the script that reads it.
    fn json(&self) -> bool {
        match self {
            Command::Validate(a) => a.format == Format::Json,
            Command::Eligible(a) => a.format == ReportFormat::Json,
            Command::Schedule(a) => a.format == ReportFormat::Json,
            Command::Allocate(a) => a.format == ReportFormat::Json,
            _ => false,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    data::JSON_ERRORS.store(cli.command.json(), std::sync::atomic::Ordering::Relaxed);
    let result = match cli.command {
        Command::Validate(args) => cmd::validate::run(&args),
        Command::Eligible(args) => cmd::eligible::run(&args),
        Command::Schedule(args) => cmd::schedule::run(&args),
        Command::Allocate(args) => cmd::allocate::run(&args),
        Command::Calendar(args) => cmd::calendar::run(&args),
        Command::Certify(args) => cmd::certify::run(&args),
        Command::Revoke(args) => cmd::revoke::run(&args),
        Command::Init(args) => cmd::init::run(&args),
        Command::Import(args) => cmd::import::run(&args),
        Command::Keys(args) => cmd::keys::run(&args),
        Command::Pack(args) => cmd::pack::run(&args),
        Command::Bulletin(args) => cmd::bulletin::run(&args),
        Command::Build(args) => cmd::build::run(&args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => cmd::serve::run(&args),
        Command::Schema(args) => cmd::schema::run(&args),
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Invalid) => ExitCode::from(1),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            data::json_error(&e.to_string(), 2);
            ExitCode::from(2)
        }
    }
}
