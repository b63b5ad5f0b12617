//! The floor under `tip validate`: read every file of a data folder and
//! parse it, keeping nothing and checking nothing, on one core.
//!
//! ```text
//! cargo run --release -p tip-core --example bare-parse -- /tmp/tip-national
//! ```
//!
//! Three steps, each timed: read every `*.csv` and `*.yaml` file and check
//! that it is UTF-8; split every CSV file into rows and cells with the csv
//! crate (cells borrowed, not copied); run the YAML parser serde-saphyr
//! uses (granit-parser) over every YAML file, events only. The national
//! issue asks `tip validate`'s CPU time to stay within 2× of the total
//! (docs/performance.md).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

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

    let total = read + csv + yaml;
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
    println!("bare parse, one core  {:>7.3} s", total.as_secs_f64());
}
