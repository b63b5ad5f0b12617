//! The floor under `tip validate`: read every file of a data folder and
//! parse it, keeping nothing and checking nothing, on one core.
//!
//! ```text
//! cargo run --release -p tip-core --example bare-parse -- /tmp/tip-national
//! ```
//!
//! Each step timed: read every `*.csv` and `*.yaml` file and check that it
//! is UTF-8; split every CSV file into rows and cells with the csv crate
//! (cells borrowed, not copied); then the YAML two ways: the events of the
//! parser serde-saphyr uses (granit-parser), and serde-saphyr deserializing
//! straight into typed structs (a cohort's fields as strings; the other
//! sections skipped). The national issue's bare parse is read + CSV + YAML
//! into typed structs ("one core can read everything in roughly 1.3 s"),
//! and asks `tip validate`'s CPU time to stay within 2× of it; the events
//! alone give a stricter floor (docs/performance.md).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Deserialize;
use serde::de::IgnoredAny;

/// A file of cohorts, typed (the national timetable's YAML).
#[derive(Deserialize)]
struct CohortFile {
    cohorts: Vec<Cohort>,
}

/// A cohort's fields as the generator writes them, each value typed as
/// little as a loader could: strings and lists of strings.
#[derive(Deserialize)]
#[allow(dead_code)] // read, never used: the point is the reading
struct Cohort {
    id: String,
    course: String,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    venue: Option<String>,
    #[serde(default)]
    trainers: Vec<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    sessions: Vec<Session>,
    #[serde(default)]
    enrolled: Vec<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Session {
    start: String,
    end: String,
}

/// The loader's budget (`load/yaml.rs`), not serde-saphyr's defaults: a
/// file of 100,000 applications has millions of nodes, which the default
/// node budget refuses — and every data set `validate` reads is read here.
fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_reader_input_bytes: Some(tip_core::MAX_YAML_BYTES as usize),
            max_events: 50_000_000,
            max_nodes: 25_000_000,
            max_total_scalar_bytes: tip_core::MAX_YAML_BYTES as usize,
            max_depth: 128,
            max_documents: 1,
        },
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "csv" || e == "yaml" || e == "yml")
        {
            out.push(path);
        }
    }
}

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: bare-parse DATA_DIR");
        std::process::exit(2);
    };
    let mut paths = Vec::new();
    files(Path::new(&dir), &mut paths);
    paths.sort();

    let started = Instant::now();
    let texts: Vec<(PathBuf, String)> = paths
        .into_iter()
        .map(|p| {
            let bytes = fs::read(&p).expect("readable");
            let text = String::from_utf8(bytes).expect("UTF-8");
            (p, text)
        })
        .collect();
    let read = started.elapsed();
    let bytes: usize = texts.iter().map(|(_, t)| t.len()).sum();

    let started = Instant::now();
    let (mut rows, mut cells) = (0usize, 0usize);
    for (_, text) in texts
        .iter()
        .filter(|(p, _)| p.extension().unwrap() == "csv")
    {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut record = csv::ByteRecord::new();
        while reader.read_byte_record(&mut record).expect("CSV") {
            rows += 1;
            cells += record.iter().filter(|c| !c.is_empty()).count();
        }
    }
    let csv = started.elapsed();

    let started = Instant::now();
    let mut events = 0usize;
    for (_, text) in texts
        .iter()
        .filter(|(p, _)| p.extension().unwrap() != "csv")
    {
        for event in serde_saphyr::granit_parser::Parser::new_from_str(text) {
            event.expect("YAML");
            events += 1;
        }
    }
    let yaml = started.elapsed();

    let started = Instant::now();
    let mut cohorts = 0usize;
    for (_, text) in texts
        .iter()
        .filter(|(p, _)| p.extension().unwrap() != "csv")
    {
        if text.starts_with("cohorts:") {
            let file: CohortFile =
                serde_saphyr::from_str_with_options(text, options()).expect("cohorts");
            cohorts += file.cohorts.len();
        } else {
            let _: BTreeMap<String, IgnoredAny> =
                serde_saphyr::from_str_with_options(text, options()).expect("YAML");
        }
    }
    let typed = started.elapsed();

    let total = read + csv + yaml;
    let issue = read + csv + typed;
    println!(
        "read and UTF-8 check  {:>7.3} s  ({} MB)",
        read.as_secs_f64(),
        bytes >> 20
    );
    println!(
        "CSV rows and cells    {:>7.3} s  ({rows} rows, {cells} cells)",
        csv.as_secs_f64()
    );
    println!(
        "YAML events           {:>7.3} s  ({events} events)",
        yaml.as_secs_f64()
    );
    println!(
        "YAML, typed structs   {:>7.3} s  ({cohorts} cohorts)",
        typed.as_secs_f64()
    );
    println!(
        "bare parse, one core  {:>7.3} s  (read, CSV, YAML typed: the issue's floor)",
        issue.as_secs_f64()
    );
    println!(
        "  with YAML events    {:>7.3} s  (read, CSV, YAML events: a stricter floor)",
        total.as_secs_f64()
    );
}
