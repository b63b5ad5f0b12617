//! Fuzz the loader: any bytes, as a YAML file or a CSV file beside a valid
//! programme, must give diagnostics — never a panic, hang or runaway memory.
//!
//! ```text
//! RUSTC_BOOTSTRAP=1 cargo fuzz run load -- -max_total_time=600 -rss_limit_mb=2048
//! ```
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("tip-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("a-programme.yaml"),
            "programme: { id: f, name: F, timezone: Europe/London, domain: f.example.org }\n\
             roles: [ { id: manager, name: Manager } ]\n\
             tiers: [ { level: 1, name: One } ]\n\
             courses: [ { id: c, title: C, tier: 1, format: webinar } ]\n\
             people: [ { id: ann, name: Ann } ]\n",
        )
        .unwrap();
        dir
    })
}

fuzz_target!(|input: &[u8]| {
    let Some((&kind, body)) = input.split_first() else { return };
    let dir = folder();
    let names = ["data.yaml", "people-f.csv", "completions-f.csv", "attendance-f.csv"];
    for name in names {
        let _ = std::fs::remove_file(dir.join(name));
    }
    std::fs::write(dir.join(names[kind as usize % names.len()]), body).unwrap();
    let report = tip_core::Dataset::check(dir).expect("the folder is readable");
    for d in report.diagnostics() {
        assert!(!d.message.is_empty());
        assert!(d.message.chars().count() <= 301, "a message echoes its input");
    }
    // The renderers must cope with whatever the loader reported.
    let human = tip_report::human(report.diagnostics(), dir, false);
    assert!(human.len() <= 4096 * (report.diagnostics().len() + 1));
    let _ = tip_report::json(report.diagnostics());
    let _ = tip_report::github(report.diagnostics(), "data");
});
