//! Benchmark: decide every (person, course) pair of a data set, on one core.
//!
//! ```text
//! cargo run --release -p tip-core --example generate -- /tmp/tip-national
//! cargo run --release -p tip-core --example bench-eligibility -- /tmp/tip-national 2019-06-01
//! ```

use std::time::Instant;

use chrono::NaiveDate;
use tip_core::Dataset;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: bench-eligibility DIR [DATE]");
    let on: NaiveDate = args
        .next()
        .map_or(NaiveDate::from_ymd_opt(2019, 6, 1).expect("date"), |d| {
            d.parse().expect("YYYY-MM-DD")
        });
    let t = Instant::now();
    let (data, _) = Dataset::load(&dir).expect("valid data");
    let load = t.elapsed();

    let courses: Vec<_> = data.course_ixs().collect();
    let t = Instant::now();
    let (mut yes, mut no, mut reasons) = (0usize, 0usize, 0usize);
    for person in data.person_ixs() {
        for &course in &courses {
            let decision = data.eligibility(person, course, on);
            if decision.eligible {
                yes += 1;
            } else {
                no += 1;
                reasons += decision.reasons.len();
            }
        }
    }
    let decide = t.elapsed();
    let pairs = yes + no;
    println!(
        "loaded in {load:.2?}; decided {pairs} pairs ({yes} yes, {no} no with {reasons} reasons) in {decide:.2?} on one core: {:.0} ns a pair",
        decide.as_nanos() as f64 / pairs as f64
    );
    std::mem::forget(data);
}
