//! Load a data folder and query it: the cohorts of a course, with their
//! first dates and how many are enrolled.
//!
//! ```text
//! cargo run -p tip-core --example query -- data/kent-medway l2-trauma-awareness
//! ```

use std::process::ExitCode;

use tip_core::Dataset;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "data/kent-medway".into());
    let id = args.next().unwrap_or_else(|| "l2-trauma-awareness".into());
    let data = match Dataset::load(&dir) {
        Ok((data, _warnings)) => data,
        Err(e) => {
            eprintln!("{e} (run `tip validate {dir}` for details)");
            return ExitCode::FAILURE;
        }
    };
    let Some(course) = data.course(&id) else {
        eprintln!("no course `{id}` in {dir}");
        return ExitCode::FAILURE;
    };
    println!("{}", data[course].title);
    for cohort in data.cohorts_of(course) {
        let c = &data[cohort];
        let when = data
            .sessions(cohort)
            .first()
            .map_or_else(|| "no sessions".to_string(), |s| s.date().to_string());
        let places = data
            .places(cohort)
            .map_or_else(|| "unlimited".to_string(), |p| p.to_string());
        println!(
            "  {:<28} {when}  {} enrolled of {places} ({})",
            c.id,
            c.enrolled.len(),
            c.status
        );
    }
    ExitCode::SUCCESS
}
