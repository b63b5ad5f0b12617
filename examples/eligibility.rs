//! Decide which courses a person may take on a date, and say why not in
//! your own words: reasons are data, matched here, not parsed English.
//!
//! ```text
//! cargo run -p tip-core --example eligibility -- data/kent-medway nguyen-thi-minh 2022-11-01
//! ```

use std::process::ExitCode;

use chrono::NaiveDate;
use tip_core::Dataset;
use tip_core::rules::{Reason, Unmet};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "data/kent-medway".into());
    let id = args.next().unwrap_or_else(|| "nguyen-thi-minh".into());
    let on: NaiveDate = match args.next().unwrap_or_else(|| "2022-11-01".into()).parse() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("the date must be written YYYY-MM-DD: {e}");
            return ExitCode::FAILURE;
        }
    };
    let data = match Dataset::load(&dir) {
        Ok((data, _)) => data,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let Some(person) = data.person(&id) else {
        eprintln!("no person `{id}` in {dir}");
        return ExitCode::FAILURE;
    };
    println!("{} on {on}:", data[person].name);
    for course in data.course_ixs() {
        let decision = data.eligibility(person, course, on);
        let mark = if decision.eligible { "yes" } else { "no " };
        println!("  {mark} {}", data[course].title);
        for reason in &decision.reasons {
            // A service's own words for the reasons it cares about; the
            // library's English for the rest.
            let words = match reason {
                Reason::Audience { .. } => "not for your role".to_string(),
                Reason::OutsideRegions { .. } => "not run in your region".to_string(),
                Reason::Completed {
                    course,
                    standing: Unmet::Expired { expired, .. },
                    ..
                } => format!("your {} ran out on {expired}", data[*course].title),
                Reason::Completed {
                    course,
                    standing: Unmet::Never,
                    ..
                } => format!("take {} first", data[*course].title),
                other => other.explain(&data, person).to_string(),
            };
            println!("        - {words}");
        }
    }
    ExitCode::SUCCESS
}
