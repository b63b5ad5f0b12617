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

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use serde::Serialize;

use tip_core::diagnostic::{self, Diagnostic, Severity};

/// Render diagnostics the way rustc does: `error[code]: message`, the
/// place, the source line with carets, and `help:`. Source lines are read
/// from the files under `root`. With `styled`, ANSI colours are included.
pub fn human(diagnostics: &[Diagnostic], root: &Path, styled: bool) -> String {
    let renderer = if styled {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    // Each file is read once and its lines indexed once: a big CSV with
    // many diagnostics must not be rescanned for each of them.
    let mut sources: HashMap<&str, Option<SourceLines>> = HashMap::new();
    let mut out = String::new();
    for d in diagnostics {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            _ => Level::NOTE,
        };
        let mut group = Group::with_title(level.primary_title(&d.message).id(d.code.as_str()));
        if let Some(loc) = &d.location {
            let text = sources
                .entry(&loc.file)
                .or_insert_with(|| read_bounded(&root.join(&*loc.file)).map(SourceLines::new));
            let line = text.as_ref().and_then(|t| t.line(loc.line as usize));
            group = match line {
                Some(line) => {
                    let (shown, first_char) = window(line, loc.column as usize - 1);
                    let column = loc.column as usize - first_char;
                    let start = char_to_byte(shown, column - 1);
                    let end = char_to_byte(shown, column - 1 + loc.len as usize);
                    let end = if end > start {
                        end
                    } else {
                        start + shown[start..].chars().next().map_or(0, char::len_utf8)
                    };
                    group.element(
                        Snippet::source(shown.to_owned())
                            .line_start(loc.line as usize)
                            .path(&*loc.file)
                            .annotation(AnnotationKind::Primary.span(start..end)),
                    )
                }
                None => group.element(
                    Origin::path(&*loc.file)
                        .line(loc.line as usize)
                        .char_column(loc.column as usize),
                ),
            };
        }
        if let Some(help) = &d.help {
            group = group.element(Level::HELP.message(help));
        }
        let _ = writeln!(out, "{}\n", renderer.render(&[group]));
    }
    out
}

/// A file's text for showing source lines: no more than the loader itself
/// reads (a 3 GB file is never read to show line 1), or nothing.
fn read_bounded(path: &Path) -> Option<String> {
    use std::io::Read;
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let limit = if is_csv {
        tip_core::MAX_CSV_BYTES
    } else {
        tip_core::MAX_YAML_BYTES
    };
    let file = std::fs::File::open(path).ok()?;
    if file.metadata().ok()?.len() > limit {
        return None;
    }
    let mut bytes = Vec::new();
    file.take(limit).read_to_end(&mut bytes).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
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

/// A file's text with the byte offset of each line.
struct SourceLines {
    text: String,
    starts: Vec<usize>,
}

impl SourceLines {
    fn new(text: String) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceLines { text, starts }
    }

    /// The 1-based `line`, without its line ending.
    fn line(&self, line: usize) -> Option<&str> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let end = self
            .starts
            .get(line)
            .map_or(self.text.len(), |&next| next - 1);
        self.text
            .get(start..end)
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
    }
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
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
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
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&report).expect("diagnostics serialise");
    s.push('\n');
    s
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
        if let Some(loc) = &d.location {
            let file = if prefix.is_empty() || prefix == "." {
                loc.file.to_string()
            } else {
                format!("{}/{}", prefix.trim_end_matches('/'), loc.file)
            };
            props.insert(
                0,
                format!(
                    "file={},line={},col={}",
                    property(&file),
                    loc.line,
                    loc.column
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
    fn lines_are_found_by_number() {
        let text = SourceLines::new("one\r\ntwo\n\nfour".to_string());
        assert_eq!(
            [1, 2, 3, 4, 5].map(|n| text.line(n)),
            [Some("one"), Some("two"), Some(""), Some("four"), None]
        );
        assert_eq!(text.line(0), None);
    }

    #[test]
    fn github_annotations_escape_and_locate() {
        insta::assert_snapshot!(github(&sample(), "data/km"), @r"
        ::error file=data/km/courses.yaml,line=3,col=5,title=unknown-field::unknown field `titel` in a course%0Ahelp: did you mean `title`?
        ::error title=missing-programme::the data set has no `programme`
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
