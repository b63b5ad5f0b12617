//! Load a data folder and print a summary of its offer, tier by tier.
//!
//! ```text
//! cargo run -p tip-core --example summary -- data/kent-medway
//! ```
//!
//! The other examples of `tip-core` (`crates/tip-core/examples/`) are
//! tools for the project itself: the national-scale data generator and
//! benchmarks.

use std::process::ExitCode;

use tip_core::{Dataset, LoadError};

fn main() -> ExitCode {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "data/kent-medway".into());
    let data = match Dataset::load(&dir) {
        Ok((data, _warnings)) => data,
        Err(LoadError::Invalid(diagnostics)) => {
            // Each diagnostic has a place, a stable code, a message and
            // often a hint; `tip-report` renders them as `tip validate` does.
            for d in diagnostics.iter().filter(|d| d.is_error()) {
                match &d.location {
                    Some(at) => eprint!("{}:{}:{}: ", at.file, at.line, at.column),
                    None => eprint!("{dir}: "),
                }
                eprintln!("{} [{}]", d.message, d.code);
            }
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", data.programme().name);
    for tier in data.tiers() {
        println!("\n{}", tier.label());
        for course in data
            .courses()
            .iter()
            .filter(|c| data[c.tier].level == tier.level)
        {
            let ix = data.course(&course.id).expect("a listed course");
            let cohorts = data.cohorts_of(ix).count();
            let plural = if cohorts == 1 { "" } else { "s" };
            println!("  {} ({cohorts} cohort{plural})", course.title);
        }
    }
    ExitCode::SUCCESS
}
