//! A YAML tree built straight from the parser's events.
//!
//! serde-saphyr reads YAML through serde: every node is deserialized as a
//! span struct and a value, and every mapping keeps a duplicate-key table.
//! For the plain YAML of real data files (no anchors, aliases, tags, merge
//! keys or complex keys) the same tree can be built from granit-parser's
//! events directly, in about half the time. [`build`] does that, and gives
//! up — returns `None` — on anything else: then serde-saphyr reads the
//! file, with its protections and its error messages. A unit test and a
//! property test check that both give the same tree.

use std::borrow::Cow;

use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, Span};

use super::tree::{Kind, Node, Typed};

/// The deepest nesting read here; deeper files go to serde-saphyr, which
/// refuses them with its own message (its budget allows 128).
pub(super) const MAX_DEPTH: usize = 128;
/// The most values read here (serde-saphyr's budget, which then refuses).
pub(super) const MAX_NODES: usize = 25_000_000;
/// Mappings with more keys than this check duplicates with a hash set.
const SMALL_MAP: usize = 16;

/// The first YAML tag in `text` (`!foo`, `!!int`), with where it is and
/// how it is written: tip's data has no use for tags, and a tag would
/// otherwise be dropped without a word.
pub(crate) fn first_tag(text: &str) -> Option<(u32, u32, String)> {
    for event in Parser::new_from_str(text) {
        let Ok((event, span)) = event else {
            return None;
        };
        let tag = match &event {
            Event::Scalar(_, _, _, tag) => tag.clone(),
            Event::SequenceStart(_, _, tag) | Event::MappingStart(_, _, tag) => tag.clone(),
            _ => None,
        };
        if let Some(tag) = tag {
            let at = place(&span);
            return Some((at.line, at.col, format!("{tag}")));
        }
    }
    None
}

/// The tree of `text`, or `None` when serde-saphyr must read it (a syntax
/// error, more than one document, an anchor, alias, tag, merge key, a key
/// that is not plain text, a key written twice, or nesting too deep).
pub(crate) fn build(text: &str) -> Option<Node> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut root = None;
    let mut documents = 0;
    for (n, event) in Parser::new_from_str(text).enumerate() {
        let (event, span) = event.ok()?;
        if n > MAX_NODES {
            return None;
        }
        let node = match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => continue,
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    return None;
                }
                continue;
            }
            Event::Scalar(value, style, anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    return None;
                }
                scalar(value, style, &span)?
            }
            Event::SequenceStart(_, anchor, ref tag) | Event::MappingStart(_, anchor, ref tag) => {
                if anchor != 0 || tag.is_some() || stack.len() >= MAX_DEPTH {
                    return None;
                }
                let node = Node {
                    kind: Kind::Null,
                    ..place(&span)
                };
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq(node, Vec::new())
                } else {
                    Frame::Map(node, Vec::new(), None)
                });
                continue;
            }
            Event::SequenceEnd => match stack.pop()? {
                Frame::Seq(node, items) => Node {
                    kind: Kind::Seq(items),
                    ..node
                },
                Frame::Map(..) => return None,
            },
            Event::MappingEnd => match stack.pop()? {
                Frame::Map(node, entries, None) => {
                    if repeats_a_key(&entries) {
                        return None;
                    }
                    Node {
                        kind: Kind::Map(entries),
                        ..node
                    }
                }
                _ => return None,
            },
            _ => return None,
        };
        match stack.last_mut() {
            None if root.is_none() => root = Some(node),
            None => return None,
            Some(Frame::Seq(_, items)) => items.push(node),
            Some(Frame::Map(_, entries, pending)) => match pending.take() {
                Some(key) => entries.push((key, node)),
                None => match &node.kind {
                    // Plain text keys only: numbers, booleans and nulls are
                    // compared by value, `<<` merges; serde-saphyr decides.
                    Kind::Str(k) if k != "<<" => *pending = Some(node),
                    _ => return None,
                },
            },
        }
    }
    if !stack.is_empty() {
        return None;
    }
    root
}

/// A collection being read: its node (kind still `Null`), and its items.
enum Frame {
    Seq(Node, Vec<Node>),
    Map(Node, Vec<(Node, Node)>, Option<Node>),
}

/// The place of a node, as serde-saphyr reports it: 1-based line and
/// column, length in characters, byte offset and length.
fn place(span: &Span) -> Node {
    let (start, end) = (&span.start, &span.end);
    let to_u32 = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    let (offset, bytes) = match (start.byte_offset(), end.byte_offset()) {
        (Some(s), Some(e)) => (to_u32(s), to_u32(e.saturating_sub(s))),
        _ => (u32::MAX, 0),
    };
    Node {
        line: to_u32(start.line()),
        col: to_u32(start.col() + 1),
        len: to_u32(end.index().saturating_sub(start.index())),
        offset,
        bytes,
        kind: Kind::Null,
    }
}

fn scalar(value: Cow<'_, str>, style: ScalarStyle, span: &Span) -> Option<Node> {
    let kind = if style == ScalarStyle::Plain {
        plain_kind(value)?
    } else {
        Kind::Str(value.into_owned())
    };
    Some(Node {
        kind,
        ..place(span)
    })
}

/// What an untagged plain scalar is: see [`plain`].
pub(super) fn plain_kind(value: Cow<'_, str>) -> Option<Kind> {
    Some(match plain(&value)? {
        Plain::Null => Kind::Null,
        Plain::Typed(t) => Kind::Typed(t),
        Plain::Text => Kind::Str(value.into_owned()),
    })
}

enum Plain {
    Null,
    Typed(Typed),
    Text,
}

/// What serde-saphyr makes of an untagged plain scalar with our options
/// (YAML 1.2 booleans, `007` kept as text): null, a boolean, a number, or
/// text. `None` for a number it would refuse (`.inf`, `.nan`, `1e999`).
fn plain(value: &str) -> Option<Plain> {
    if matches!(value, "" | "~" | "null" | "Null" | "NULL") {
        return Some(Plain::Null);
    }
    let t = value.trim_matches([' ', '\t', '\r', '\n']);
    if matches!(t, "true" | "True" | "TRUE" | "false" | "False" | "FALSE") {
        return Some(Plain::Typed(Typed::Bool));
    }
    let (negative, unsigned) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let leading_zero = unsigned.len() > 1
        && unsigned.starts_with('0')
        && unsigned.bytes().all(|b| b.is_ascii_digit());
    if matches!(unsigned.as_bytes(), [b'0', b'X' | b'O' | b'B', ..])
        || (t.starts_with(['+', '-']) && matches!(unsigned, ".nan" | ".NaN" | ".NAN"))
        || leading_zero
    {
        return Some(Plain::Text);
    }
    if integer(unsigned, negative) {
        return Some(Plain::Typed(Typed::Number));
    }
    if matches!(
        unsigned,
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF"
    ) {
        return None;
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(Plain::Typed(Typed::Number)),
        Ok(_) if unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit) => None,
        _ => Some(Plain::Text),
    }
}

/// Whether serde-saphyr reads `unsigned` (the text after any sign) as an
/// integer that fits in 64 bits: decimal, `0x`, `0o` or `0b`, with single
/// underscores between digits.
fn integer(unsigned: &str, negative: bool) -> bool {
    let (radix, digits) = if let Some(d) = unsigned.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = unsigned.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = unsigned.strip_prefix("0b") {
        (2, d)
    } else {
        if unsigned.starts_with('0') && unsigned != "0" {
            return false;
        }
        (10, unsigned)
    };
    let bytes = digits.as_bytes();
    let mut magnitude: u128 = 0;
    let mut seen = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let lone =
                i > 0 && bytes[i - 1] != b'_' && bytes.get(i + 1).is_some_and(|&n| n != b'_');
            if !lone {
                return false;
            }
            continue;
        }
        let Some(d) = (b as char).to_digit(16).filter(|&d| d < radix) else {
            return false;
        };
        let Some(m) = magnitude
            .checked_mul(u128::from(radix))
            .and_then(|m| m.checked_add(u128::from(d)))
        else {
            return false;
        };
        magnitude = m;
        seen = true;
    }
    let limit = if negative {
        u128::from(i64::MIN.unsigned_abs())
    } else {
        u128::from(u64::MAX)
    };
    seen && magnitude <= limit
}

/// Whether two keys of a mapping have the same text.
pub(super) fn repeats_a_key(entries: &[(Node, Node)]) -> bool {
    fn key(n: &Node) -> &str {
        match &n.kind {
            Kind::Str(s) => s,
            _ => "",
        }
    }
    if entries.len() <= SMALL_MAP {
        entries
            .iter()
            .enumerate()
            .any(|(i, (a, _))| entries[..i].iter().any(|(b, _)| key(a) == key(b)))
    } else {
        let mut seen = rustc_hash::FxHashSet::default();
        !entries.iter().all(|(k, _)| seen.insert(key(k)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The tree serde-saphyr reads, with our options.
    fn through_serde(text: &str) -> Option<Node> {
        serde_saphyr::from_str_with_options::<Node>(text, super::super::yaml::options()).ok()
    }

    /// When the fast tree is built, it is serde-saphyr's tree exactly.
    fn agrees(text: &str) -> bool {
        match build(text) {
            Some(fast) => {
                assert_eq!(Some(&fast), through_serde(text).as_ref(), "{text:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn every_yaml_file_of_the_repository_builds_as_serde_saphyr_reads_it() {
        let files = super::super::yaml_samples::repository_yaml_files();
        assert!(files.len() > 30, "found {} YAML files", files.len());
        let mut fast = 0;
        for path in &files {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            if agrees(&text) {
                fast += 1;
            } else if path.components().any(|c| c.as_os_str() == "kent-medway") {
                // The example data set is plain YAML but for one anchor.
                assert!(
                    ["&", "*", "!", "<<"].iter().any(|m| text.contains(m)),
                    "{} should take the fast way",
                    path.display()
                );
            }
        }
        assert!(fast > files.len() / 2, "{fast} of {} built", files.len());
    }

    /// `TIP_YAML_DIR=/tmp/tip-national cargo test -p tip-core --release
    /// -- --ignored national`: the same on a generated data set.
    #[test]
    #[ignore = "needs TIP_YAML_DIR"]
    fn national_yaml_builds_as_serde_saphyr_reads_it() {
        let dir = std::path::PathBuf::from(std::env::var("TIP_YAML_DIR").expect("TIP_YAML_DIR"));
        let files = super::super::yaml_samples::yaml_files(vec![dir]);
        for path in &files {
            let text = std::fs::read_to_string(path).expect("UTF-8");
            assert!(agrees(&text), "{} not built", path.display());
        }
        assert!(!files.is_empty());
    }

    #[test]
    fn scalars_are_typed_as_serde_saphyr_types_them() {
        let scalars = [
            "0",
            "7",
            "007",
            "-007",
            "+5",
            "-5",
            "1_000",
            "1__0",
            "_1",
            "1_",
            "0x1F",
            "0X1F",
            "0o17",
            "0O17",
            "0b101",
            "0b102",
            "0x",
            "-0x10",
            "1.5",
            "1.",
            ".5",
            "-.5",
            "1e5",
            "1E-3",
            "+1.5e+3",
            "99999999999999999999",
            "-9223372036854775808",
            "-9223372036854775809",
            "18446744073709551615",
            "18446744073709551616",
            "true",
            "True",
            "TRUE",
            "tRue",
            "false",
            "yes",
            "no",
            "on",
            "off",
            "y",
            "n",
            "null",
            "Null",
            "NULL",
            "nUll",
            "~",
            "inf",
            "-inf",
            "nan",
            "infinity",
            "+.nan",
            "-.NaN",
            "0.0.1",
            "2022-01-18",
            "09:30",
            "09:30-12:30",
            "1:30",
            "12e",
            "e12",
            "1,000",
            "£5",
            "5%",
            "0",
            "-0",
            "+0",
            "00",
            "0.",
            "0e0",
        ];
        for s in scalars {
            for text in [format!("a: {s}\n"), format!("- {s}\n"), format!("[{s}]")] {
                agrees(&text);
            }
        }
        // The refused numbers go to serde-saphyr, which explains them.
        for s in [".inf", "-.inf", ".NaN", "1e999"] {
            assert!(build(&format!("a: {s}\n")).is_none(), "{s}");
        }
    }

    #[test]
    fn styles_and_places_match_serde_saphyr() {
        let texts = [
            "",
            "# only a comment\n",
            "a: 1\nb:\n  - x\n  - 'y'\n  - \"z\\n\"\n",
            "a:\nb: ~\nc: \"\"\n",
            "text: |\n  line one\n  line two\n\nfolded: >-\n  one\n  two\n",
            "plain: a long\n  plain scalar\n  over lines\n",
            "flow: {a: 1, b: [x, y, {c: d}]}\n",
            "- - a\n  - b\n- - c\n",
            "name: Zoë Ó'Brien\nemoji: \"🙂 x\"\n",
            "a: 1\r\nb: two\r\n",
            "---\na: 1\n...\n",
            "a: 'it''s'\nb: \"tab\\there\"\n",
            "key with spaces: value with: colon\n",
            "? a\n: b\n",
            "a: [1, 2,\n  3]\n",
            "top level scalar",
            "[a, b]",
            "a:\n  - b: 1\n    c: 2\n  - d\n",
            "a: -\n",
            "a: - b\n",
        ];
        for text in texts {
            agrees(text);
        }
    }

    #[test]
    fn what_serde_saphyr_must_read_is_left_to_it() {
        for text in [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: !custom x\n",
            "base: &b {x: 1}\nc:\n  <<: *b\n",
            "a: 1\na: 2\n",
            "? [a, b]\n: c\n",
            "1: a\n",
            "true: a\n",
            "~: a\n",
            "--- a\n--- b\n",
            "a: [1, 2\n",
            "a:\n\t- b\n",
        ] {
            assert!(build(text).is_none(), "{text:?}");
        }
        let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        assert!(build(&deep).is_none());
    }

    /// Random YAML from pieces real files use, in block and flow style.
    fn yaml_value(depth: u32) -> BoxedStrategy<String> {
        let scalar = prop_oneof![
            "[a-z][a-z0-9-]{0,8}",
            "-?[0-9]{1,4}(\\.[0-9]{1,2})?",
            prop::sample::select(vec![
                "007",
                "true",
                "no",
                "~",
                "''",
                "'quoted, text'",
                "\"dq \\u00e9\"",
                "Zoë Ó'Brien",
                "2022-01-18",
                "09:30-12:30",
                "0x1F",
                "1_000",
            ])
            .prop_map(str::to_owned),
        ];
        if depth == 0 {
            return scalar.boxed();
        }
        let inner = yaml_value(depth - 1);
        prop_oneof![
            2 => scalar,
            1 => prop::collection::vec(inner.clone(), 0..4)
                .prop_map(|items| format!("[{}]", items.join(", "))),
            1 => prop::collection::vec(("[a-z]{1,6}", inner), 0..4).prop_map(|entries| {
                let body: Vec<String> = entries
                    .iter()
                    .enumerate()
                    .map(|(i, (k, v))| format!("{k}{i}: {v}"))
                    .collect();
                format!("{{{}}}", body.join(", "))
            }),
        ]
        .boxed()
    }

    fn yaml_block() -> impl Strategy<Value = String> {
        prop::collection::vec(("[a-z_]{1,8}", yaml_value(2), any::<bool>()), 1..6).prop_map(
            |entries| {
                let mut out = String::new();
                for (i, (key, value, as_list)) in entries.into_iter().enumerate() {
                    let key = format!("{key}{i}");
                    if as_list {
                        out.push_str(&format!("{key}:\n  - {value}\n  - x\n"));
                    } else {
                        out.push_str(&format!("{key}: {value}\n"));
                    }
                }
                out
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn random_yaml_builds_as_serde_saphyr_reads_it(text in yaml_block()) {
            prop_assert!(agrees(&text), "not built: {text:?}");
        }

        #[test]
        fn damaged_yaml_is_never_read_differently(
            text in yaml_block(),
            at in any::<prop::sample::Index>(),
            insert in prop::sample::select(vec!["\t", ":", "- ", "\n  ", "[", "'", "&a ", "*a", "!t ", "#"]),
        ) {
            agrees(&super::super::yaml_samples::damaged(text, at, insert));
        }
    }
}
