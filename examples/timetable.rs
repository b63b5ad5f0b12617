//! Expand the timetable: every session of every cohort, in the programme's
//! timezone, with sessions moved off bank holidays marked, then the
//! problems of the timetable.
//!
//! ```text
//! cargo run -p tip-core --example timetable -- data/kent-medway
//! ```

use std::process::ExitCode;

use tip_core::Dataset;

fn main() -> ExitCode {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "data/kent-medway".into());
    let data = match Dataset::load(&dir) {
        Ok((data, _)) => data,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let mut sessions: Vec<_> = data
        .cohort_ixs()
        .flat_map(|(ix, _)| data.sessions(ix).iter().map(move |s| (ix, s)))
        .collect();
    sessions.sort_by_key(|(_, s)| s.start);
    for (cohort, s) in sessions {
        let c = &data[cohort];
        let moved = s
            .moved_from
            .map(|d| format!("  (moved from {d})"))
            .unwrap_or_default();
        println!(
            "{} {}–{}  {} ({} of {}){moved}",
            s.date(),
            s.start.format("%H:%M"),
            s.end.format("%H:%M"),
            data[c.course].title,
            s.number,
            data.sessions(cohort).len()
        );
    }
    let problems = tip_core::problems::problems(&data);
    println!("\n{} problems", problems.len());
    for p in problems {
        println!("  {}[{}]: {}", p.severity, p.code, p.message);
    }
    ExitCode::SUCCESS
}
