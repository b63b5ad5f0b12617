//! YAML files as a tree of nodes that remember where they came from.
//!
//! serde-saphyr parses (with its duplicate-key, depth and alias-bomb
//! protection); we keep the result as a small tree of [`Node`]s, each with its
//! line and column, so that every later check can point at the exact value.
//! The plainest files (a timetable by the megabyte) are built into the same
//! tree a line at a time, which is faster (`super::lines`); serde-saphyr
//! reads the rest.
//! Scalars that YAML would read as numbers or booleans keep their original
//! spelling, so `id: 007` or `name: No` mean what the author wrote.

use serde_saphyr::Error;

use crate::diagnostic::{Code, Diagnostic};
use crate::files::Files;
use crate::loc::{FileId, Loc};

use super::tree::{Kind, Node};

/// A parsed YAML file: its text and its tree.
pub(crate) struct Document {
    pub(crate) file: FileId,
    pub(crate) text: String,
    pub(crate) root: Node,
}

/// Parse one YAML file.
pub(crate) fn parse(files: &Files, file: FileId, text: String) -> Result<Document, Diagnostic> {
    if text.trim().is_empty() {
        let root = Node {
            line: 1,
            col: 1,
            len: 0,
            offset: 0,
            bytes: 0,
            kind: Kind::Null,
        };
        return Ok(Document { file, text, root });
    }
    // The plainest files (a national timetable) read line by line; the
    // rest (and every error) through serde-saphyr.
    if let Some(root) = super::lines::build(&text) {
        return Ok(Document { file, text, root });
    }
    if let Some((line, col, tag)) = super::tags::first_tag(&text) {
        return Err(Diagnostic::error(
            Code::YamlSyntax,
            format!(
                "a YAML tag (`{tag}`): tip's data does not use tags, and would otherwise drop it"
            ),
        )
        .at(files.location(Loc::new(file, line, col, 1)))
        .help("write the value alone (`capacity: 9`, not `capacity: !foo 9`)"));
    }
    match serde_saphyr::from_str_with_options::<Node>(&text, options()) {
        Ok(root) => Ok(Document { file, text, root }),
        Err(error) => Err(diagnose(files, file, &text, &error)),
    }
}

/// Limits chosen for real data, not for the crate's defaults: a national
/// catalogue has millions of nodes, while no honest file nests more than a
/// few dozen levels or expands an alias more than a few thousand events.
pub(crate) fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_reader_input_bytes: Some(crate::files::MAX_YAML_BYTES as usize),
            max_events: 50_000_000,
            max_nodes: 25_000_000,
            max_total_scalar_bytes: crate::files::MAX_YAML_BYTES as usize,
            max_depth: 128,
            max_documents: 1,
            max_aliases: 100_000,
            max_anchors: 100_000,
            max_recorded_anchor_events: 100_000,
            max_recorded_anchor_bytes: 8 << 20,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 100_000,
            max_replay_stack_depth: 16,
        },
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        with_snippet: false,
    }
}

/// The error inside alias and snippet wrappers.
fn innermost(mut error: &Error) -> &Error {
    while let Error::AliasError { error: inner, .. } | Error::WithSnippet { error: inner, .. } =
        error
    {
        error = inner;
    }
    error
}

fn diagnose(files: &Files, file: FileId, text: &str, outer: &Error) -> Diagnostic {
    let error = innermost(outer);
    let code = match error {
        Error::Budget { .. }
        | Error::AliasReplayCounterOverflow { .. }
        | Error::AliasReplayLimitExceeded { .. }
        | Error::AliasExpansionLimitExceeded { .. }
        | Error::AliasReplayStackDepthExceeded { .. } => Code::YamlLimit,
        Error::DuplicateMappingKey { .. } => Code::DuplicateKey,
        _ if ["recursion limit", "budget", "alias"]
            .iter()
            .any(|w| error.to_string().contains(w)) =>
        {
            Code::YamlLimit
        }
        _ => Code::YamlSyntax,
    };
    let full = error.to_string();
    let message = match code {
        Code::YamlLimit => limit_words(error, &files.get(file).name),
        _ => full
            .find(" at line ")
            .map_or(full.as_str(), |end| &full[..end])
            .trim()
            .replace(", set DuplicateKeyPolicy in Options if acceptable", ""),
    };
    let (mut line, mut col) = match outer.location().or_else(|| error.location()) {
        Some(l) if l.line() > 0 => (l.line() as u32, l.column().max(1) as u32),
        _ => crate::files::line_col(text.as_bytes()),
    };
    // The parser reports a tab at the start of the scalar it was reading;
    // point at the tab itself, the character to change.
    if message.contains("tab") {
        let line_start: usize = text
            .split_inclusive('\n')
            .take(line.saturating_sub(1) as usize)
            .map(str::len)
            .sum();
        if let Some(at) = text.get(line_start..).and_then(|rest| rest.find('\t')) {
            (line, col) = crate::files::line_col(&text.as_bytes()[..line_start + at]);
        }
    }
    let help = match code {
        Code::YamlLimit => {
            "the file nests too deeply or expands aliases too often; write it out plainly"
        }
        Code::DuplicateKey => "each key may appear once in a mapping; remove or rename one of them",
        _ => "check indentation, quoting and the `key: value` form around this place",
    };
    if code == Code::DuplicateKey
        && let Some(key) = message.strip_prefix("duplicate mapping key: ")
    {
        return duplicate_key(files, file, text, key, line, col).help(help);
    }
    Diagnostic::error(code, message.to_lowercase_first())
        .at(files.location(Loc::new(file, line, col, 1)))
        .help(help)
}

/// A key written twice: blamed at the second, with the first labelled
/// when the mapping is written in block style (one key per line).
fn duplicate_key(
    files: &Files,
    file: FileId,
    text: &str,
    key: &str,
    line: u32,
    col: u32,
) -> Diagnostic {
    let len = key.chars().count() as u32;
    let mut d = Diagnostic::error(
        Code::DuplicateKey,
        format!("the key `{key}` appears twice in one mapping"),
    )
    .at(files.location(Loc::new(file, line, col, len)));
    let lines: Vec<&str> = text.lines().take(line.saturating_sub(1) as usize).collect();
    let indent = col as usize - 1;
    for (i, l) in lines.iter().enumerate().rev() {
        let body = l.trim_start_matches([' ', '-']);
        let at = l.len() - body.len();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if at == indent
            && body
                .strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with(':'))
        {
            let first = Loc::new(file, i as u32 + 1, col, len);
            d = d.label(files.location(first), "first written here");
            break;
        }
        // A shallower line, or the `- ` that starts this mapping, ends it.
        if at < indent || l[..at].contains('-') {
            break;
        }
    }
    d
}

/// A safety limit of the YAML reader, in plain words: "more than 100,000
/// values copied through aliases in `rules.yaml`", never a debug dump.
fn limit_words(error: &Error, file: &str) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    let n = |n: usize| crate::words::thousands(n as u64);
    let what = match error {
        Error::Budget { breach, .. } => match breach {
            B::Events { .. } => format!("more than {} YAML events", n(50_000_000)),
            B::Aliases { .. } => format!("more than {} aliases (`*name`)", n(100_000)),
            B::Anchors { .. } => format!("more than {} anchors (`&name`)", n(100_000)),
            B::Depth { .. } => "lists and mappings nested more than 128 deep".into(),
            B::Documents { .. } => "more than one YAML document (`---`)".into(),
            B::Nodes { .. } => format!("more than {} values", n(25_000_000)),
            B::ScalarBytes { .. } | B::InputBytes { .. } => "more than 64 MiB of text".into(),
            B::RecordedAnchorEvents { .. } | B::RecordedAnchorBytes { .. } => format!(
                "more than {} values copied through anchors and aliases",
                n(100_000)
            ),
            B::AliasAnchorRatio { .. } => "far more aliases than anchors".into(),
            B::MergeKeys { .. } => "too many merge keys (`<<`)".into(),
            _ => "more than the YAML reader's safety limits allow".into(),
        },
        Error::AliasReplayCounterOverflow { .. }
        | Error::AliasReplayLimitExceeded { .. }
        | Error::AliasExpansionLimitExceeded { .. } => {
            format!("more than {} alias expansions", n(100_000))
        }
        Error::AliasReplayStackDepthExceeded { .. } => "aliases nested more than 16 deep".into(),
        _ if error.to_string().contains("recursion limit") => {
            "lists and mappings nested more than 128 deep".into()
        }
        _ => "more than the YAML reader's safety limits allow".into(),
    };
    format!("{what} in `{file}`: the file is refused")
}

trait LowercaseFirst {
    fn to_lowercase_first(&self) -> String;
}

impl LowercaseFirst for String {
    fn to_lowercase_first(&self) -> String {
        let mut chars = self.chars();
        match chars.next() {
            Some(c) if chars.clone().next().is_some_and(|n| n.is_lowercase()) => {
                c.to_lowercase().chain(chars).collect()
            }
            _ => self.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::tree::Typed;

    fn parse_str(text: &str) -> Result<Node, Error> {
        serde_saphyr::from_str_with_options::<Node>(text, options())
    }

    #[test]
    fn plain_numbers_and_booleans_keep_their_spelling() {
        let text = "a: 007\nb: no\nc: 1.50\nd: true\n";
        let root = parse_str(text).unwrap();
        let Kind::Map(entries) = &root.kind else {
            panic!("expected a map")
        };
        let values: Vec<_> = entries.iter().map(|(_, v)| v.text(text).unwrap()).collect();
        assert_eq!(values, ["007", "no", "1.50", "true"]);
        assert!(matches!(entries[3].1.kind, Kind::Typed(Typed::Bool)));
    }

    #[test]
    fn nodes_know_their_line_and_column() {
        let root = parse_str("x:\n  name: Zoë Ó'Brien\n").unwrap();
        let Kind::Map(outer) = &root.kind else {
            panic!()
        };
        let Kind::Map(inner) = &outer[0].1.kind else {
            panic!()
        };
        let value = &inner[0].1;
        assert_eq!((value.line, value.col, value.len), (2, 9, 11));
    }
}
