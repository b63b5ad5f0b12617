//! Diagnostics of a tip data set for people (rustc style), for programs
//! (JSON) and for GitHub Actions (workflow annotations).
//!
//! The core (`tip-core`) finds the problems; this crate only shows them, so
//! a program that embeds the core does not pull in a terminal renderer.
//!
//! ```
//! let report = tip_core::Dataset::check("../../data/kent-medway")?;
//! let text = tip_report::human(report.diagnostics(), "../../data/kent-medway".as_ref(), false);
//! assert!(text.is_empty(), "the example data is clean");
//! assert!(tip_report::json(report.diagnostics()).contains("\"errors\": 0"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use serde::Serialize;

use tip_core::diagnostic::{self, Diagnostic, Location, Severity};

/// Render diagnostics the way rustc does: `error[code]: message`, the
/// place, the source line with carets, and `help:`. Source lines are read
/// from the files under `root`. With `styled`, ANSI colours are included.
pub fn human(diagnostics: &[Diagnostic], root: &Path, styled: bool) -> String {
    let renderer = if styled {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    // Each file is read once, streaming, keeping only the lines some
    // diagnostic points at: a big CSV with many diagnostics is not
    // rescanned for each, and a huge file is never held in memory.
    let mut wanted: HashMap<&str, BTreeSet<u32>> = HashMap::new();
    for d in diagnostics {
        let labels = d.labels.iter().map(|l| &l.location);
        for loc in d.location.iter().chain(labels) {
            wanted.entry(&loc.file).or_default().insert(loc.line);
        }
        // The lines between a place and a nearby label, shown together.
        if let Some(at) = &d.location {
            for l in d.labels.iter().map(|l| &l.location) {
                if l.file == at.file && l.line.abs_diff(at.line) <= NEARBY_LINES {
                    let lines = l.line.min(at.line)..=l.line.max(at.line);
                    wanted.entry(&at.file).or_default().extend(lines);
                }
            }
        }
    }
    let mut sources: HashMap<&str, SourceLines> = HashMap::new();
    let mut out = String::new();
    for d in diagnostics {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            _ => Level::NOTE,
        };
        let mut group = Group::with_title(level.primary_title(&d.message).id(d.code.as_str()));
        if let Some(loc) = &d.location {
            // The primary place, then each label: one snippet per line,
            // several carets on a line when places share it.
            let places = std::iter::once((loc, None)).chain(
                d.labels
                    .iter()
                    .map(|l| (&l.location, Some(l.message.as_str()))),
            );
            let mut snippets: Vec<Shown<'_>> = Vec::new();
            for (at, label) in places {
                let text = sources.entry(&at.file).or_insert_with(|| {
                    SourceLines::read(&root.join(&*at.file), &wanted[&*at.file])
                });
                let Some((shown, span)) = text.line(at.line).and_then(|line| caret(line, at))
                else {
                    if label.is_none() {
                        group = group.element(
                            Origin::path(&*at.file)
                                .line(at.line as usize)
                                .char_column(at.column as usize),
                        );
                    }
                    continue;
                };
                let mark = Mark {
                    span,
                    label,
                    primary: label.is_none(),
                };
                match snippets
                    .iter_mut()
                    .find(|(l, s, _)| l.file == at.file && l.line == at.line && *s == shown)
                {
                    Some((_, _, marks)) => marks.push(mark),
                    None => snippets.push((at, shown, vec![mark])),
                }
            }
            for (at, shown, marks) in merge_nearby(snippets, &sources) {
                let mut snippet = Snippet::source(shown)
                    .line_start(at.line as usize)
                    .path(&*at.file);
                for m in marks {
                    let kind = if m.primary {
                        AnnotationKind::Primary
                    } else {
                        AnnotationKind::Context
                    };
                    let annotation = kind.span(m.span);
                    snippet = snippet.annotation(match m.label {
                        Some(label) => annotation.label(label),
                        None => annotation,
                    });
                }
                group = group.element(snippet);
            }
        }
        if let Some(help) = &d.help {
            group = group.element(Level::HELP.message(help));
        }
        let _ = writeln!(out, "{}\n", renderer.render(&[group]));
    }
    out
}

/// Places this few lines apart in one file are shown in one snippet, as
/// rustc does (`enrolled here` above `also waitlisted here`).
const NEARBY_LINES: u32 = 4;

/// Join the one-line snippets of places a few lines apart in one file into
/// one snippet of the lines from the first to the last, when every line is
/// short enough to be shown whole.
fn merge_nearby<'a>(
    snippets: Vec<Shown<'a>>,
    sources: &HashMap<&str, SourceLines>,
) -> Vec<Shown<'a>> {
    // (first line, last line, the places), in order of first appearance.
    let mut groups: Vec<(u32, u32, Vec<Shown<'a>>)> = Vec::new();
    for item in snippets {
        let (at, ..) = &item;
        let whole = |at: &Location, shown: &str| sources[&*at.file].line(at.line) == Some(shown);
        let joined = groups.iter_mut().find(|(first, last, members)| {
            let head = members[0].0;
            head.file == at.file
                && at.line + NEARBY_LINES >= *first
                && at.line <= *last + NEARBY_LINES
                && whole(at, &item.1)
                && members.iter().all(|(a, s, _)| whole(a, s))
                && (at.line.min(*first)..=at.line.max(*last)).all(|n| {
                    sources[&*at.file]
                        .line(n)
                        .is_some_and(|l| l.len() <= MAX_SHOWN_CHARS)
                })
        });
        match joined {
            Some((first, last, members)) => {
                *first = (*first).min(at.line);
                *last = (*last).max(at.line);
                members.push(item);
            }
            None => groups.push((at.line, at.line, vec![item])),
        }
    }
    groups
        .into_iter()
        .map(|(first, last, mut members)| {
            if members.len() == 1 {
                return members.pop().expect("one");
            }
            let file = &sources[&*members[0].0.file];
            let mut text = String::new();
            let mut starts = HashMap::new();
            for n in first..=last {
                starts.insert(n, text.len());
                text.push_str(file.line(n).unwrap_or(""));
                if n < last {
                    text.push('\n');
                }
            }
            let head = members
                .iter()
                .find(|(a, ..)| a.line == first)
                .map_or(members[0].0, |m| m.0);
            let mut marks = Vec::new();
            for (at, _, ms) in members {
                let offset = starts[&at.line];
                marks.extend(ms.into_iter().map(|m| Mark {
                    span: m.span.start + offset..m.span.end + offset,
                    ..m
                }));
            }
            (head, text, marks)
        })
        .collect()
}

/// A snippet: where it starts, the text shown, the carets in it.
type Shown<'a> = (&'a Location, String, Vec<Mark<'a>>);

/// A caret in a shown line.
struct Mark<'a> {
    span: std::ops::Range<usize>,
    label: Option<&'a str>,
    primary: bool,
}

/// The part of `line` to show for `at`, and the byte range of the carets.
fn caret(line: &str, at: &Location) -> Option<(String, std::ops::Range<usize>)> {
    let (shown, first_char) = window(line, at.column as usize - 1);
    let column = (at.column as usize).checked_sub(first_char)?;
    let start = char_to_byte(shown, column.checked_sub(1)?);
    let end = char_to_byte(shown, column - 1 + at.len as usize);
    let end = if end > start {
        end
    } else {
        start + shown[start..].chars().next().map_or(0, char::len_utf8)
    };
    Some((shown.to_owned(), start..end))
}

/// The most characters of a source line shown: a megabyte-long line is
/// shown as a window around the place, never echoed whole.
const MAX_SHOWN_CHARS: usize = 160;

/// The part of `line` to show around character `at` (0-based), and the
/// index of its first character in the line.
fn window(line: &str, at: usize) -> (&str, usize) {
    if line.len() <= MAX_SHOWN_CHARS {
        return (line, 0);
    }
    let first = at.saturating_sub(MAX_SHOWN_CHARS / 4);
    let start = char_to_byte(line, first);
    let end = char_to_byte(&line[start..], MAX_SHOWN_CHARS) + start;
    (&line[start..end], first)
}

/// The most bytes of one source line kept: past it, a place is shown
/// without its line.
const MAX_LINE_BYTES: usize = 64 << 10;

/// The lines of a file that diagnostics point at.
struct SourceLines {
    lines: HashMap<u32, String>,
}

impl SourceLines {
    /// Read `path` line by line, keeping the `wanted` ones (each cut at
    /// [`MAX_LINE_BYTES`]), and never more of it than the loader itself
    /// reads: memory stays small however large the file or its lines.
    fn read(path: &Path, wanted: &BTreeSet<u32>) -> Self {
        let mut lines = HashMap::new();
        let is_csv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        let limit = if is_csv {
            tip_core::MAX_CSV_BYTES
        } else {
            tip_core::MAX_YAML_BYTES
        };
        // Only a regular file: opening a named pipe would block.
        if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
            return SourceLines { lines };
        }
        let Ok(file) = std::fs::File::open(path) else {
            return SourceLines { lines };
        };
        if file.metadata().map_or(true, |m| m.len() > limit) {
            return SourceLines { lines };
        }
        let Some(&last) = wanted.last() else {
            return SourceLines { lines };
        };
        let mut reader = BufReader::new(file.take(limit));
        let mut number = 1u32;
        let mut buf = Vec::new();
        while number <= last {
            buf.clear();
            let keep = wanted.contains(&number);
            // Read to the end of the line, keeping at most MAX_LINE_BYTES.
            let mut whole = true;
            loop {
                let chunk = match reader.fill_buf() {
                    Ok([]) | Err(_) => break,
                    Ok(chunk) => chunk,
                };
                let (taken, done) = match memchr_newline(chunk) {
                    Some(i) => (i + 1, true),
                    None => (chunk.len(), false),
                };
                if keep && buf.len() < MAX_LINE_BYTES {
                    let room = MAX_LINE_BYTES - buf.len();
                    buf.extend_from_slice(&chunk[..taken.min(room)]);
                    whole &= taken <= room;
                }
                reader.consume(taken);
                if done || (!whole && number == last) {
                    // The end of the line, or of the last line wanted,
                    // which is too long to show anyway.
                    break;
                }
            }
            if keep && whole {
                let text = String::from_utf8_lossy(&buf);
                let text = text.strip_suffix('\n').unwrap_or(&text);
                let text = text.strip_suffix('\r').unwrap_or(text);
                lines.insert(number, text.to_owned());
            }
            if reader.fill_buf().map_or(true, <[u8]>::is_empty) {
                break;
            }
            number += 1;
        }
        SourceLines { lines }
    }

    /// The 1-based `line`, without its line ending.
    fn line(&self, line: u32) -> Option<&str> {
        self.lines.get(&line).map(String::as_str)
    }
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

fn char_to_byte(line: &str, chars: usize) -> usize {
    line.char_indices()
        .nth(chars)
        .map_or(line.len(), |(i, _)| i)
}

/// A one-line summary: `2 errors, 1 warning`.
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let (errors, warnings) = diagnostic::count(diagnostics);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let skipped = skipped(diagnostics);
    let first = if skipped > 0 {
        format!(
            "; fix the first error first: {} {} skipped",
            plural(skipped as usize, "check"),
            if skipped == 1 { "was" } else { "were" }
        )
    } else {
        String::new()
    };
    format!(
        "{}, {}{first}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// How many checks the `checks-skipped` notes say were not run: the
/// numbers before "reference" and "check" in their messages.
fn skipped(diagnostics: &[Diagnostic]) -> u64 {
    diagnostics
        .iter()
        .filter(|d| d.code == tip_core::Code::ChecksSkipped)
        .map(|d| {
            let words: Vec<&str> = d.message.split_whitespace().collect();
            words
                .windows(2)
                .filter(|w| w[1].starts_with("reference") || w[1].starts_with("check"))
                .filter_map(|w| w[0].replace(',', "").parse::<u64>().ok())
                .sum::<u64>()
        })
        .sum()
}

#[derive(Serialize)]
struct JsonReport<'a> {
    errors: usize,
    warnings: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: Severity,
    code: &'static str,
    message: &'a str,
    file: Option<&'a str>,
    line: Option<u32>,
    column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    /// Other places that explain the problem; only when there are some.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    labels: Vec<JsonLabel<'a>>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    message: &'a str,
}

/// The `--format json` report: `{"errors", "warnings", "diagnostics": [...]}`.
pub fn json(diagnostics: &[Diagnostic]) -> String {
    let (errors, warnings) = diagnostic::count(diagnostics);
    let report = JsonReport {
        errors,
        warnings,
        diagnostics: diagnostics
            .iter()
            .map(|d| JsonDiagnostic {
                severity: d.severity,
                code: d.code.as_str(),
                message: &d.message,
                file: d.location.as_ref().map(|l| &*l.file),
                line: d.location.as_ref().map(|l| l.line),
                column: d.location.as_ref().map(|l| l.column),
                help: d.help.as_deref(),
                labels: d
                    .labels
                    .iter()
                    .map(|l| JsonLabel {
                        file: &l.location.file,
                        line: l.location.line,
                        column: l.location.column,
                        message: &l.message,
                    })
                    .collect(),
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&report).expect("diagnostics serialise");
    s.push('\n');
    s
}

/// GitLab's Code Quality report (a JSON array of issues), for a CI job's
/// `artifacts: reports: codequality`. `prefix` is the data folder as seen
/// from the repository root. Each issue's fingerprint is a SHA-256 of its
/// code, place and message, so the same problem keeps its identity from
/// one pipeline to the next.
pub fn gitlab(diagnostics: &[Diagnostic], prefix: &str) -> String {
    use sha2::{Digest, Sha256};
    // A fingerprint names a problem, not where it happens to be today: its
    // code, its file within the data folder, its message (which quotes the
    // value) and which of its kind it is there — not its line, which
    // moves when a line is added above, nor how the folder was written.
    let mut seen: HashMap<(tip_core::Code, String, &str), usize> = HashMap::new();
    let issues: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let file = file_of(d).unwrap_or_default();
            let occurrence = {
                let n = seen
                    .entry((d.code, file.clone(), d.message.as_str()))
                    .or_default();
                *n += 1;
                *n
            };
            let severity = match d.severity {
                Severity::Error => "major",
                Severity::Warning => "minor",
                _ => "info",
            };
            let path = with_prefix(prefix, &file);
            let line = d.location.as_ref().map_or(1, |l| l.line);
            let mut description = d.message.clone();
            if let Some(help) = &d.help {
                description.push_str(" (help: ");
                description.push_str(help);
                description.push(')');
            }
            let column = d.location.as_ref().map_or(1, |l| l.column);
            let _ = column;
            let identity = format!("{}\0{file}\0{}\0{occurrence}", d.code, d.message);
            let fingerprint: String = Sha256::digest(identity.as_bytes())[..16]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            serde_json::json!({
                "description": description,
                "check_name": d.code.as_str(),
                "fingerprint": fingerprint,
                "severity": severity,
                "location": { "path": path, "lines": { "begin": line } },
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&issues).expect("issues serialise");
    s.push('\n');
    s
}

/// The file a diagnostic is about, relative to the data folder: where it
/// is, or for a problem with no place, the file that should hold the fix
/// (`programme.yaml` for a missing programme).
fn file_of(d: &Diagnostic) -> Option<String> {
    match &d.location {
        Some(l) => Some(l.file.to_string()),
        None if d.code == tip_core::Code::MissingProgramme => Some("programme.yaml".into()),
        None => None,
    }
}

/// A data file's path as seen from the repository root (`./data/` and
/// `data` name the same folder).
fn with_prefix(prefix: &str, file: &str) -> String {
    let mut prefix = prefix.trim_end_matches('/');
    while let Some(rest) = prefix.strip_prefix("./") {
        prefix = rest.trim_start_matches('/');
    }
    if file.is_empty() {
        return if prefix.is_empty() {
            ".".into()
        } else {
            prefix.to_string()
        };
    }
    if prefix.is_empty() || prefix == "." {
        file.to_string()
    } else {
        format!("{}/{}", prefix.trim_end_matches('/'), file)
    }
}

/// GitHub Actions workflow commands (`::error file=…,line=…::message`).
/// `prefix` is the data folder as seen from the repository root, so the
/// annotations land on the right files.
pub fn github(diagnostics: &[Diagnostic], prefix: &str) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            _ => "notice",
        };
        let mut props = vec![format!("title={}", property(d.code.as_str()))];
        if let Some(file) = file_of(d) {
            let (line, column) = d.location.as_ref().map_or((1, 1), |l| (l.line, l.column));
            props.insert(
                0,
                format!(
                    "file={},line={line},col={column}",
                    property(&with_prefix(prefix, &file)),
                ),
            );
        }
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let _ = writeln!(out, "::{command} {}::{}", props.join(","), data(&message));
    }
    out
}

fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use tip_core::diagnostic::{Code, Location};

    fn sample() -> Vec<Diagnostic> {
        vec![
            Diagnostic::error(Code::UnknownField, "unknown field `titel` in a course")
                .at(Location {
                    file: "courses.yaml".into(),
                    line: 3,
                    column: 5,
                    len: 5,
                })
                .help("did you mean `title`?"),
            Diagnostic::error(Code::MissingProgramme, "the data set has no `programme`"),
        ]
    }

    #[test]
    fn lines_are_found_by_number_and_long_ones_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.yaml");
        let long = "x".repeat(MAX_LINE_BYTES + 1);
        std::fs::write(&path, format!("one\r\ntwo\n\nfour\n{long}\nsix")).unwrap();
        let text = SourceLines::read(&path, &[1, 2, 3, 4, 5, 6, 7].into());
        assert_eq!(
            [1, 2, 3, 4, 5, 6, 7].map(|n| text.line(n)),
            [
                Some("one"),
                Some("two"),
                Some(""),
                Some("four"),
                None,
                Some("six"),
                None
            ]
        );
        assert_eq!(text.line(0), None);
        let only = SourceLines::read(&path, &[2].into());
        assert_eq!((only.line(1), only.line(2)), (None, Some("two")));
    }

    #[test]
    fn gitlab_code_quality_locates_and_fingerprints() {
        let report: serde_json::Value =
            serde_json::from_str(&gitlab(&sample(), "data/km")).unwrap();
        let issues = report.as_array().unwrap();
        assert_eq!(issues.len(), 2);
        assert_eq!(issues[0]["check_name"], "unknown-field");
        assert_eq!(issues[0]["severity"], "major");
        assert_eq!(issues[0]["location"]["path"], "data/km/courses.yaml");
        assert_eq!(issues[0]["location"]["lines"]["begin"], 3);
        assert_eq!(
            issues[0]["description"],
            "unknown field `titel` in a course (help: did you mean `title`?)"
        );
        let fp = issues[0]["fingerprint"].as_str().unwrap();
        assert_eq!(fp.len(), 32);
        assert_ne!(fp, issues[1]["fingerprint"].as_str().unwrap());
        assert_eq!(gitlab(&sample(), "data/km"), gitlab(&sample(), "data/km"));
    }

    #[test]
    fn github_annotations_escape_and_locate() {
        insta::assert_snapshot!(github(&sample(), "data/km"), @r"
        ::error file=data/km/courses.yaml,line=3,col=5,title=unknown-field::unknown field `titel` in a course%0Ahelp: did you mean `title`?
        ::error file=data/km/programme.yaml,line=1,col=1,title=missing-programme::the data set has no `programme`
        ");
    }

    #[test]
    fn json_has_the_documented_shape() {
        let v: serde_json::Value = serde_json::from_str(&json(&sample())).unwrap();
        assert_eq!(v["errors"], 2);
        assert_eq!(v["warnings"], 0);
        assert_eq!(v["diagnostics"][0]["code"], "unknown-field");
        assert_eq!(v["diagnostics"][0]["line"], 3);
        assert_eq!(v["diagnostics"][0]["help"], "did you mean `title`?");
        assert!(v["diagnostics"][1].get("help").is_none());
    }
}
