//! The tree of the plainest YAML, read line by line.
//!
//! A national timetable is megabytes of YAML in one shape: block mappings
//! and sequences, plain scalars, and one-line flow lists and mappings of
//! plain scalars (`enrolled: [p1, p2]`, `- { start: …, end: … }`). The YAML
//! parser spends most of `tip validate`'s YAML time on it, one character
//! and one token at a time. [`build`] reads exactly that shape a line at a
//! time, and gives up — returns `None` — at the first thing outside it: a
//! quote, comment, tab, anchor, tag, block scalar, document marker, a plain
//! scalar over several lines or starting with an indicator, a flow
//! collection over several lines or nested, a key written twice, a line
//! indented unexpectedly. serde-saphyr then reads the file. The tree is
//! serde-saphyr's exactly, places included: the tests compare the two on
//! every YAML file of the repository, on random YAML and on random damage
//! to it, and so do the fuzz target `yaml` and CI's `yaml-differential`.

use std::borrow::Cow;

use super::scalar::plain_kind;
use super::tree::{Kind, MAX_NODES, Node, repeats_a_key};

/// The deepest nesting read here: real files nest a few levels; deeper
/// ones go to the parser (and to its limit).
const MAX_DEPTH: usize = 32;

/// The longest line with characters beyond ASCII read here: a node's
/// column is counted in characters from its line's start, so a long line
/// of many such nodes (a flow list of a thousand accented names) goes to
/// the parser, which counts as it reads.
const LONG_LINE: usize = 1024;

/// The tree of `text`, when it is written in the plain shape read here.
pub(crate) fn build(text: &str) -> Option<Node> {
    if !plain_characters(text) {
        return None;
    }
    let mut reader = Reader {
        text,
        line: None,
        depth: 0,
        nodes: 0,
    };
    reader.line = reader.line_from(0, 1);
    let root = reader.block()?;
    // Every line read, in a file of one collection.
    reader.line.is_none().then_some(root)
}

/// ASCII bytes that may appear in the files read here: printable ones
/// but the indicators that start quotes, comments, anchors, aliases, tags,
/// block scalars, directives and complex keys (anywhere: `#` ends a plain
/// scalar after a space, and a tag or anchor may follow any space), and
/// the line feed.
const ASCII: [bool; 128] = {
    let mut table = [false; 128];
    let mut b = b' ';
    while b < 0x7f {
        table[b as usize] = !matches!(
            b,
            b'#' | b'\''
                | b'"'
                | b'&'
                | b'*'
                | b'!'
                | b'|'
                | b'>'
                | b'%'
                | b'@'
                | b'`'
                | b'?'
                | b'\\'
        );
        b += 1;
    }
    table[b'\n' as usize] = true;
    table
};

/// Whether every character of `text` may be read here: the ASCII above,
/// and letters and digits of any script (no other spaces, no controls,
/// no byte order mark, no line or paragraph separator).
fn plain_characters(text: &str) -> bool {
    text.bytes().all(|b| b >= 0x80 || ASCII[b as usize])
        && (text.is_ascii() || text.chars().all(|c| c.is_ascii() || c.is_alphanumeric()))
}

/// The characters that may not start a plain scalar here (with those
/// [`ASCII`] refuses everywhere).
fn starts_badly(value: &str) -> bool {
    value.starts_with(['-', ':', ',', '[', ']', '{', '}'])
}

/// A line being read: its number, where it starts and ends (its line feed
/// or the end of the text), and where reading it has got to.
#[derive(Clone, Copy)]
struct Line {
    number: u32,
    start: usize,
    at: usize,
    end: usize,
    ascii: bool,
}

impl Line {
    /// The column of `at`, from 0, in bytes: only spaces and `- ` come
    /// before a node that starts a block.
    fn indent(&self) -> usize {
        self.at - self.start
    }
}

struct Reader<'t> {
    text: &'t str,
    /// The line being read; `None` at the end of the text.
    line: Option<Line>,
    depth: usize,
    nodes: usize,
}

impl<'t> Reader<'t> {
    /// The first line from byte `from` with more than spaces on it.
    fn line_from(&self, mut from: usize, mut number: u32) -> Option<Line> {
        let bytes = self.text.as_bytes();
        loop {
            if from >= bytes.len() {
                return None;
            }
            let end = memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |i| from + i);
            let at = from + bytes[from..end].iter().take_while(|&&b| b == b' ').count();
            if at < end {
                return Some(Line {
                    number,
                    start: from,
                    at,
                    end,
                    ascii: bytes[from..end].is_ascii(),
                });
            }
            from = end + 1;
            number += 1;
        }
    }

    /// On to the next line with more than spaces on it.
    fn next_line(&mut self) {
        self.line = self
            .line
            .and_then(|line| self.line_from(line.end + 1, line.number + 1));
    }

    /// A node at bytes `from..to` of `line`, as the YAML parser places it
    /// (line from 1, column from 1, length in characters).
    fn node(&mut self, line: &Line, from: usize, to: usize, kind: Kind) -> Option<Node> {
        self.nodes += 1;
        if self.nodes > MAX_NODES || (!line.ascii && line.end - line.start > LONG_LINE) {
            return None;
        }
        let chars = |a: usize, b: usize| {
            if line.ascii {
                b - a
            } else {
                self.text[a..b].chars().count()
            }
        };
        let to_u32 = |v: usize| u32::try_from(v).ok();
        Some(Node {
            line: line.number,
            col: to_u32(chars(line.start, from) + 1)?,
            len: to_u32(chars(from, to))?,
            offset: to_u32(from)?,
            bytes: to_u32(to - from)?,
            kind,
        })
    }

    /// A plain scalar at bytes `from..to` of `line` (its spaces trimmed).
    fn scalar(&mut self, line: &Line, from: usize, to: usize) -> Option<Node> {
        let value = &self.text[from..to];
        let kind = plain_kind(Cow::Borrowed(value))?;
        self.node(line, from, to, kind)
    }

    /// A key at bytes `from..to`: plain text, not a merge key.
    fn key(&mut self, line: &Line, from: usize, to: usize) -> Option<Node> {
        let key = &self.text[from..to];
        if key.is_empty() || starts_badly(key) || key.ends_with(' ') || key.contains(FLOW) {
            return None;
        }
        let node = self.scalar(line, from, to)?;
        matches!(&node.kind, Kind::Str(k) if k != "<<").then_some(node)
    }

    /// The block collection the current line starts (at its `at`): a
    /// sequence of `- ` items, or a mapping of `key: value` lines.
    fn block(&mut self) -> Option<Node> {
        let line = self.line?;
        let rest = &self.text[line.at..line.end];
        if is_item(rest) {
            self.nested(|r| r.sequence(false))
        } else if key_end(rest).is_some() {
            self.nested(Self::mapping)
        } else {
            None
        }
    }

    /// A collection read by `read`, one level deeper.
    fn nested(&mut self, read: impl FnOnce(&mut Self) -> Option<Node>) -> Option<Node> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let node = read(self);
        self.depth -= 1;
        node
    }

    /// A block sequence: the `- ` items at the current line's indent. The
    /// parser places it at its first dash; one at the indent of the key
    /// whose value it is (`indentless`), at its first item.
    fn sequence(&mut self, indentless: bool) -> Option<Node> {
        let first = self.line?;
        let indent = first.indent();
        let place = if indentless {
            past_spaces(self.text, first.at + 1, first.end)
        } else {
            first.at
        };
        let mut items = Vec::new();
        while let Some(line) = self.line {
            let rest = &self.text[line.at..line.end];
            if line.indent() != indent || !is_item(rest) {
                break;
            }
            let item = past_spaces(self.text, line.at + 1, line.end);
            if item == line.end {
                // `-` with nothing after it.
                return None;
            }
            let value = &self.text[item..line.end];
            if !value.starts_with(['[', '{']) && (is_item(value) || key_end(value).is_some()) {
                // A collection in the item, from its column.
                self.line = Some(Line { at: item, ..line });
                items.push(self.block()?);
            } else {
                items.push(self.inline(&line, item)?);
                self.next_line();
            }
        }
        let mut node = self.node(&first, place, place, Kind::Null)?;
        node.kind = Kind::Seq(items);
        Some(node)
    }

    /// A block mapping: the `key: value` lines at the current line's
    /// indent, each value on its line or the block below it.
    fn mapping(&mut self) -> Option<Node> {
        let first = self.line?;
        let indent = first.indent();
        let mut entries = Vec::new();
        while let Some(line) = self.line {
            let rest = &self.text[line.at..line.end];
            if line.indent() != indent || is_item(rest) {
                break;
            }
            let colon = line.at + key_end(rest)?;
            let key = self.key(&line, line.at, colon)?;
            let after = past_spaces(self.text, colon + 1, line.end);
            let value = if after < line.end {
                let value = self.inline(&line, after)?;
                self.next_line();
                value
            } else {
                self.next_line();
                match self.line {
                    // The block below, deeper; or a sequence at this indent.
                    Some(next) if next.indent() > indent => self.block()?,
                    Some(next)
                        if next.indent() == indent && is_item(&self.text[next.at..next.end]) =>
                    {
                        self.nested(|r| r.sequence(true))?
                    }
                    // Nothing: null, placed at the colon.
                    _ => self.node(&line, colon, colon, Kind::Null)?,
                }
            };
            entries.push((key, value));
        }
        if repeats_a_key(&entries) {
            return None;
        }
        let mut node = self.node(&first, first.at, first.at, Kind::Null)?;
        node.kind = Kind::Map(entries);
        Some(node)
    }

    /// The value that fills the rest of `line` from byte `from`: a plain
    /// scalar, or a flow sequence or mapping of plain scalars.
    fn inline(&mut self, line: &Line, from: usize) -> Option<Node> {
        let end = from + self.text[from..line.end].trim_end_matches(' ').len();
        let (node, to) = match self.text.as_bytes()[from] {
            b'[' => self.flow(line, from, false)?,
            b'{' => self.flow(line, from, true)?,
            _ => {
                // Not a key (`a: b`, `a:`), nor flow indicators inside.
                let value = &self.text[from..end];
                if starts_badly(value)
                    || value.contains(": ")
                    || value.ends_with(':')
                    || value.contains(['[', ']', '{', '}'])
                {
                    return None;
                }
                (self.scalar(line, from, end)?, end)
            }
        };
        // Nothing after the value on its line.
        (to == end).then_some(node)
    }

    /// A flow sequence (`[a, b]`) or mapping (`{a: 1, b: 2}`) of plain
    /// scalars starting at byte `open` of `line`, and where it ends.
    fn flow(&mut self, line: &Line, open: usize, mapping: bool) -> Option<(Node, usize)> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        let close = if mapping { b'}' } else { b']' };
        let bytes = &self.text.as_bytes()[..line.end];
        let mut node = self.node(line, open, open + 1, Kind::Null)?;
        let mut items = Vec::new();
        let mut entries = Vec::new();
        let mut at = open + 1;
        let skip_spaces = |mut at: usize| {
            while bytes.get(at) == Some(&b' ') {
                at += 1;
            }
            at
        };
        at = skip_spaces(at);
        if bytes.get(at) == Some(&close) {
            at += 1;
        } else {
            loop {
                if mapping {
                    let colon = at + flow_key_end(&bytes[at..])?;
                    let key = self.key(line, at, colon)?;
                    let from = skip_spaces(colon + 1);
                    let (value, to) = self.flow_scalar(line, from)?;
                    entries.push((key, value));
                    at = to;
                } else {
                    let (value, to) = self.flow_scalar(line, at)?;
                    items.push(value);
                    at = to;
                }
                at = skip_spaces(at);
                match bytes.get(at) {
                    Some(b',') => at = skip_spaces(at + 1),
                    Some(&b) if b == close => {
                        at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        node.kind = if mapping {
            if repeats_a_key(&entries) {
                return None;
            }
            Kind::Map(entries)
        } else {
            Kind::Seq(items)
        };
        Some((node, at))
    }

    /// A plain scalar in a flow collection, from byte `from` of `line` to
    /// the comma or closing bracket after it: the node, and where its text
    /// ends.
    fn flow_scalar(&mut self, line: &Line, from: usize) -> Option<(Node, usize)> {
        let bytes = &self.text.as_bytes()[from..line.end];
        let len = bytes
            .iter()
            .position(|b| matches!(b, b',' | b']' | b'}'))
            .unwrap_or(bytes.len());
        let value = self.text[from..from + len].trim_end_matches(' ');
        if value.is_empty() || starts_badly(value) || value.contains(['[', '{']) {
            return None;
        }
        // `a: b` is a mapping in a sequence; `a:` before the comma a key.
        if value.contains(": ") || value.ends_with(':') {
            return None;
        }
        let to = from + value.len();
        Some((self.scalar(line, from, to)?, to))
    }
}

/// The first byte from `from` (up to `end`) of `text` that is not a space.
fn past_spaces(text: &str, from: usize, end: usize) -> usize {
    from + text.as_bytes()[from..end]
        .iter()
        .take_while(|&&b| b == b' ')
        .count()
}

/// The flow indicators, which plain keys here never hold.
const FLOW: [char; 5] = [',', '[', ']', '{', '}'];

/// Whether a line's rest is a block sequence item: `- ` (or a lone `-`).
fn is_item(rest: &str) -> bool {
    rest == "-" || rest.starts_with("- ")
}

/// Where the key of a `key: value` line ends (its colon, followed by a
/// space or the end of the line), if the line is one.
fn key_end(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    memchr::memchr_iter(b':', bytes).find(|&i| matches!(bytes.get(i + 1), None | Some(b' ')))
}

/// Where a key in a flow mapping ends: its colon, followed by a space.
fn flow_key_end(bytes: &[u8]) -> Option<usize> {
    let colon = memchr::memchr(b':', bytes)?;
    (bytes.get(colon + 1) == Some(&b' ')).then_some(colon)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Whenever the lines give a tree, it is serde-saphyr's exactly.
    fn agrees(text: &str) -> bool {
        match build(text) {
            Some(quick) => {
                let read = serde_saphyr::from_str_with_options::<Node>(
                    text,
                    super::super::yaml::options(),
                );
                assert_eq!(Some(&quick), read.as_ref().ok(), "{text:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn a_timetable_is_read_a_line_at_a_time() {
        let text = "cohorts:\n  - id: cohort-00000\n    course: l2-trauma-awareness\n    trainers: [p0000000]\n    status: confirmed\n    sessions:\n      - { start: 2019-01-07T09:00, end: 2019-01-07T09:45 }\n    enrolled: [p0002000, p0002001,  p2]\n    waitlist: []\n    extra: {}\n    capacity: 12\n    notes:\n    place: Ó Súilleabháin Hall\n  - id: b\n";
        assert!(agrees(text));
        // And with the sequence at the key's own indent.
        assert!(agrees(
            "cohorts:\n- id: a\n  sessions:\n  - {start: x}\n- id: b\n"
        ));
    }

    #[test]
    fn shapes_of_real_files_agree() {
        let texts = [
            "a: 1\nb:\n  - x\n  - y\n",
            "a:\nb: ~\nc:\n",
            "key with spaces: value with, comma\n",
            "a: [1, 2, 3]\nb: {x: 1, y: two}\n",
            "- - a\n  - b\n- - c\n",
            "- a: 1\n  b: 2\n- c: 3\n",
            "- a:\n  - x\n  b: y\n",
            "- a:\n- b\n",
            "a:\n  - b:\n  - c\n",
            "x:\n  y:\n    z: 1\n  w: 2\nv: 3\n",
            "name: Zoë Ó Brien\ncity: Zürich\n",
            "a: 2022-01-18\nb: 09:30-12:30\nc: http://x.org/a\n",
            "  a: 1\n  b: 2\n",
            "a: 1\n\n\nb: 2",
            "a:   spaced   \nb: [ a ,  b ]\n",
            "a: 007\nb: true\nc: 1_000\nd: 0x1F\ne: 1.5\n",
            "a:b: c\nhttp://x: y\n",
            "a:   \nb: 1\n",
            "- - a: 1\n    b: 2\n  - c\n",
            "-   a: 1\n    b: 2\n",
        ];
        for text in texts {
            assert!(agrees(text), "{text:?} not read here");
        }
    }

    #[test]
    fn what_the_lines_do_not_read_is_left_to_the_parser() {
        for text in [
            "a: 'quoted'\n",
            "a: \"quoted\"\n",
            "a: 1 # comment\n",
            "# comment\na: 1\n",
            "a: &x 1\nb: *x\n",
            "a: !t 1\n",
            "a: |\n  block\n",
            "a: >\n  folded\n",
            "---\na: 1\n",
            "a: 1\n...\n",
            "a: long\n  plain\n",
            "a: [1,\n  2]\n",
            "a: [[1], 2]\n",
            "a: {b: {c: 1}}\n",
            "a: [1, 2,]\n",
            "a: [1, 2] x\n",
            "a: 1\na: 2\n",
            "a: {b: 1, b: 2}\n",
            "1: a\n",
            "true: a\n",
            "<<: a\n",
            "a : 1\n",
            "a: b: c\n",
            "a: -1\n",
            "a: - b\n",
            "a:\n\t- b\n",
            "a: 1\r\nb: 2\r\n",
            "\u{feff}a: 1\n",
            "a: b\u{a0}c\n",
            "? a\n: b\n",
            "-\n  a: 1\n",
            "- \n",
            "a: 1\n - b\n",
            "a: 1\n   b: 2\n",
            "top level scalar\n",
            "[a, b]\n",
            "a: [b: c]\n",
            "a: {b}\n",
            "a: {b:c}\n",
            "a: [b, c]]\n",
        ] {
            assert!(build(text).is_none(), "{text:?}");
        }
        let deep: String = (0..200)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        assert!(build(&format!("{deep}{}x: 1\n", " ".repeat(200))).is_none());
        let dashes = format!("{}a\n", "- ".repeat(500));
        assert!(build(&dashes).is_none());
        // Columns in characters are counted from the line's start: a long
        // line beyond ASCII is left to the parser, which counts as it reads.
        let names: Vec<String> = (0..2_000).map(|i| format!("é{i}")).collect();
        let long = format!("a: [{}]\n", names.join(", "));
        assert!(build(&long).is_none());
        assert!(build(&long.replace('é', "e")).is_some());
    }

    #[test]
    fn every_yaml_file_of_the_repository_agrees() {
        let read = super::super::yaml_samples::repository_yaml_files()
            .iter()
            .filter_map(|path| std::fs::read_to_string(path).ok())
            .filter(|text| agrees(text))
            .count();
        assert!(read > 5, "only {read} files read line by line");
    }

    /// `TIP_YAML_DIR=/tmp/tip-national cargo test -p tip-core --release
    /// -- --ignored national`: a generated timetable is read line by line,
    /// as the parser reads it.
    #[test]
    #[ignore = "needs TIP_YAML_DIR"]
    fn a_national_timetable_is_read_line_by_line() {
        let dir = std::path::PathBuf::from(std::env::var("TIP_YAML_DIR").expect("TIP_YAML_DIR"));
        let files = super::super::yaml_samples::yaml_files(vec![dir.join("cohorts")]);
        for path in &files {
            let text = std::fs::read_to_string(path).expect("UTF-8");
            assert!(agrees(&text), "{} not read line by line", path.display());
        }
        assert!(!files.is_empty());
    }

    /// A plain scalar, or a one-line flow list or mapping of them.
    fn inline() -> BoxedStrategy<String> {
        let scalar = prop_oneof![
            "[a-z][a-z0-9 -]{0,8}",
            "[0-9]{1,4}(\\.[0-9]{1,2})?",
            prop::sample::select(vec![
                "007",
                "true",
                "no",
                "~",
                "null",
                "2022-01-18",
                "09:30-12:30",
                "2019-01-07T09:00",
                "0x1F",
                "1_000",
                "Zoë Ó Brien",
                "a, b",
                "a:b",
                "http://x",
                "-",
                "x -",
            ])
            .prop_map(str::to_owned),
        ];
        prop_oneof![
            3 => scalar.clone(),
            1 => (prop::collection::vec(scalar.clone(), 0..4), " {0,2}")
                .prop_map(|(items, pad)| format!("[{pad}{}{pad}]", items.join(", "))),
            1 => prop::collection::vec(("[a-z]{1,6}", scalar), 0..4).prop_map(|entries| {
                let body: Vec<String> = entries
                    .iter()
                    .enumerate()
                    .map(|(i, (k, v))| format!("{k}{i}: {v}"))
                    .collect();
                format!("{{ {} }}", body.join(", "))
            }),
        ]
        .boxed()
    }

    /// A mapping's value: on its key's line, or `- ` items below it.
    #[derive(Clone, Debug)]
    enum Value {
        Inline(String),
        /// Each item a value, or a mapping of a few (`- a: 1` / `  b: 2`).
        Items(Vec<Vec<(String, String)>>),
    }

    fn value() -> impl Strategy<Value = Value> {
        let item = prop_oneof![
            2 => inline().prop_map(|v| vec![(String::new(), v)]),
            1 => prop::collection::vec(("[a-z]{1,4}", inline()), 1..3),
        ];
        prop_oneof![
            3 => inline().prop_map(Value::Inline),
            1 => prop::collection::vec(item, 1..4).prop_map(Value::Items),
        ]
    }

    /// A block mapping of random values, at an indent of 0 to 2: its
    /// items below their key, at its indent or deeper.
    fn block() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(("[a-z_]{1,8}", value(), any::<bool>()), 1..6),
            0..3usize,
        )
            .prop_map(|(entries, indent)| {
                let mut out = String::new();
                let pad = " ".repeat(indent);
                for (i, (key, value, deeper)) in entries.into_iter().enumerate() {
                    match value {
                        Value::Inline(v) => out.push_str(&format!("{pad}{key}{i}: {v}\n")),
                        Value::Items(items) => {
                            out.push_str(&format!("{pad}{key}{i}:\n"));
                            let dash = " ".repeat(indent + if deeper { 2 } else { 0 });
                            for item in items {
                                for (n, (k, v)) in item.iter().enumerate() {
                                    let lead = if n == 0 { "- " } else { "  " };
                                    let entry = if k.is_empty() {
                                        v.clone()
                                    } else {
                                        format!("{k}{n}: {v}")
                                    };
                                    out.push_str(&format!("{dash}{lead}{entry}\n"));
                                }
                            }
                        }
                    }
                }
                out
            })
    }

    /// `N=300000 cargo test -p tip-core --release -- --ignored
    /// lines_at_length`: many more random documents, line by line from
    /// pieces of every kind (valid or not) — on 2026-11-26, 300,000
    /// documents, 14,489 of them read here, every one as the parser reads it.
    #[test]
    #[ignore = "long; set N"]
    fn lines_at_length_agree_with_the_parser() {
        let cases = std::env::var("N")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(10_000);
        let pick = |v: &[&'static str]| prop::sample::select(v.to_vec());
        let line = (
            pick(&["", " ", "  ", "   ", "    ", "      "]),
            pick(&["", "", "- ", "- - ", "-   ", "-"]),
            pick(&[
                "", "", "a: ", "b: ", "c: ", "a:", "b:", "k k: ", "é: ", "a:b: ", "1: ",
            ]),
            pick(&[
                "",
                "x",
                "y z",
                "1",
                "007",
                "~",
                "null",
                "true",
                "2022-01-18T09:30",
                "09:30",
                "[a, b]",
                "[]",
                "{}",
                "{k: v}",
                "{k: v, l: w}",
                "[a, [b]]",
                "[a,]",
                "{a: b: c}",
                "é",
                "a,b",
                "-x",
                "x:",
                "x: y",
                "[ a , b ]",
                "{ k: v }  ",
                "x  ",
            ]),
        )
            .prop_map(|(indent, dash, key, value)| format!("{indent}{dash}{key}{value}\n"));
        let text = prop::collection::vec(line, 1..12).prop_map(|lines| lines.concat());
        let read = agreeing(text, cases);
        eprintln!("{read} of {cases} documents read line by line");
    }

    /// How many of `cases` documents from `text` are read line by line,
    /// each checked to be as the parser reads it.
    fn agreeing(text: impl Strategy<Value = String>, cases: u32) -> usize {
        use proptest::test_runner::{Config, TestRunner};
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        let read = std::cell::Cell::new(0);
        runner
            .run(&text, |text| {
                read.set(read.get() + usize::from(agrees(&text)));
                Ok(())
            })
            .unwrap();
        read.get()
    }

    /// The random documents below exercise the reader, not only its
    /// giving up: most of them are read line by line (a reader that
    /// always gave up would pass the property tests alone).
    #[test]
    fn most_random_documents_are_read_line_by_line() {
        let read = agreeing(block(), 500);
        assert!(read >= 350, "only {read} of 500 read line by line");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn random_yaml_read_by_lines_is_read_as_the_parser_reads_it(text in block()) {
            agrees(&text);
        }

        #[test]
        fn damaged_yaml_is_never_read_differently(
            text in block(),
            at in any::<prop::sample::Index>(),
            insert in prop::sample::select(vec![
                " ", "  ", "\n", "\n  ", "\n- ", ":", ": ", "- ", "-", ",", "[", "]", "{", "}",
                "x", "~", "\u{e9}", "a: b", "\n\n", "k:\n", "  - ", "#", "'", "&a ", "\t",
                "\r\n",
            ]),
        ) {
            agrees(&super::super::yaml_samples::damaged(text, at, insert));
        }
    }
}
