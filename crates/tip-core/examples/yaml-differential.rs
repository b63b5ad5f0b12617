//! The YAML readers against each other, for as long as asked: the
//! repository's YAML files and a generated timetable, damaged at random
//! (bytes inserted, deleted and replaced with YAML's own punctuation,
//! lines repeated, swapped and re-indented), each reading compared with
//! serde-saphyr's (`tip_core::yaml_readers_agree`). CI runs it for a
//! minute; the fuzz target `yaml` does the same under libFuzzer.
//!
//! ```text
//! cargo run --release -p tip-core --example yaml-differential -- 60 [SEED]
//! ```

use std::path::Path;
use std::time::{Duration, Instant};

/// xorshift64*: enough randomness to damage text, seeded for replay.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Every `*.yaml` and `*.yml` file under `dir`.
fn yaml_files(dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() && !name.starts_with('.') && name != "target" {
            yaml_files(&path, out);
        } else if (name.ends_with(".yaml") || name.ends_with(".yml"))
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            out.push(text);
        }
    }
}

/// A timetable in the national data set's shape.
fn timetable(random: &mut Random) -> String {
    let mut out = String::from("cohorts:\n");
    for i in 0..(1 + random.below(6)) {
        out.push_str(&format!(
            "  - id: cohort-{i:05}\n    course: l2\n    trainers: [p{}]\n    status: confirmed\n    sessions:\n      - {{ start: 2022-01-{:02}T09:00, end: 2022-01-{:02}T09:45 }}\n    enrolled: [p1, p2, Ó{}]\n    notes: Room {i}: step-free\n",
            random.below(100),
            1 + random.below(28),
            1 + random.below(28),
            random.below(9)
        ));
    }
    out
}

const PIECES: &[&str] = &[
    " ", "  ", "\n", "- ", ": ", ":", ",", "[", "]", "{", "}", "#", "'", "\"", "&a ", "*a", "!t ",
    "|", ">", "? ", "---\n", "...\n", "\t", "é", "x", "1", "~", "null", "true", "\r\n", "-", "%",
];

fn damage(text: &str, random: &mut Random) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for _ in 0..(1 + random.below(3)) {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let at = random.below(lines.len());
        match random.below(6) {
            0 => {
                let copy = lines[at].clone();
                lines.insert(at, copy);
            }
            1 => {
                lines.remove(at);
            }
            2 => {
                let other = random.below(lines.len());
                lines.swap(at, other);
            }
            3 => lines[at].insert_str(0, &" ".repeat(1 + random.below(4))),
            _ => {
                let line = &mut lines[at];
                let mut cut = random.below(line.len() + 1);
                while !line.is_char_boundary(cut) {
                    cut -= 1;
                }
                let piece = PIECES[random.below(PIECES.len())];
                if random.below(2) == 0 || cut == line.len() {
                    line.insert_str(cut, piece);
                } else {
                    let mut end = cut + 1;
                    while !line.is_char_boundary(end) {
                        end += 1;
                    }
                    line.replace_range(cut..end, piece);
                }
            }
        }
    }
    let mut out = lines.join("\n");
    if random.below(4) != 0 {
        out.push('\n');
    }
    out
}

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(60);
    let seed: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(0x7469_7079_616d_6c21);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut corpus = Vec::new();
    for dir in [
        "data",
        "tests/fixtures",
        "crates/tip-cli/init",
        "examples",
        "fuzz/corpus",
    ] {
        yaml_files(&root.join(dir), &mut corpus);
    }
    let mut random = Random(seed | 1);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let (mut tried, mut read_fast) = (0u64, 0u64);
    while Instant::now() < deadline {
        let text = if corpus.is_empty() || random.below(3) == 0 {
            timetable(&mut random)
        } else {
            corpus[random.below(corpus.len())].clone()
        };
        let text = damage(&text, &mut random);
        tried += 1;
        match tip_core::yaml_readers_agree(&text) {
            Ok(fast) => read_fast += u64::from(fast > 0),
            Err(difference) => {
                eprintln!("FAILED after {tried} documents (seed {seed}):\n{difference}");
                std::process::exit(1);
            }
        }
    }
    println!(
        "YAML readers agree with serde-saphyr: {tried} damaged documents, {read_fast} of them read by a fast path ({} from the repository, {seconds} s, seed {seed})",
        corpus.len()
    );
}
