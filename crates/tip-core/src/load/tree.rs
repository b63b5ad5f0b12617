//! The tree both YAML readers give: a node a value, each with its place in
//! the file. serde-saphyr deserializes into it (below); the line reader
//! (`lines`) builds the same tree faster for the files it can read.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::loc::{FileId, Loc};

/// The most values a fast reader reads (serde-saphyr's budget, which then
/// refuses the file with its own message).
pub(crate) const MAX_NODES: usize = 25_000_000;
/// Mappings with more keys than this check duplicates with a hash set.
const SMALL_MAP: usize = 16;

/// Grow the stack when less than this is left …
pub(crate) const STACK_RED_ZONE: usize = 128 * 1024;
/// … by this much.
pub(crate) const STACK_GROWTH: usize = 4 * 1024 * 1024;

/// A YAML value with its place in the file.
#[derive(Debug, PartialEq)]
pub(crate) struct Node {
    pub(crate) line: u32,
    pub(crate) col: u32,
    /// Length in characters of the value's text (0 for collections).
    pub(crate) len: u32,
    /// Byte range of the value where it is defined (for aliases, the anchor).
    pub(crate) offset: u32,
    pub(crate) bytes: u32,
    pub(crate) kind: Kind,
}

#[derive(Debug, PartialEq)]
pub(crate) enum Kind {
    /// `~`, `null` or nothing.
    Null,
    /// A string: quoted, block, or plain text that is not a number or boolean.
    Str(String),
    /// A plain scalar YAML reads as a number or a boolean; its text is in the source.
    Typed(Typed),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Typed {
    Number,
    Bool,
}

/// Whether two keys of a mapping have the same text.
pub(crate) fn repeats_a_key(entries: &[(Node, Node)]) -> bool {
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

impl Node {
    pub(crate) fn loc(&self, file: FileId) -> Loc {
        Loc::new(file, self.line, self.col, self.len)
    }

    /// The scalar text of this node, as written for numbers and booleans.
    pub(crate) fn text<'a>(&'a self, source: &'a str) -> Option<&'a str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            Kind::Typed(_) => {
                let start = self.offset as usize;
                source.get(start..start + self.bytes as usize)
            }
            _ => None,
        }
    }

    /// How this kind of value is named in "expected X, found Y" messages.
    pub(crate) fn describe(&self) -> &'static str {
        match &self.kind {
            Kind::Null => "nothing",
            Kind::Str(_) => "text",
            Kind::Typed(Typed::Number) => "a number",
            Kind::Typed(Typed::Bool) => "a boolean",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Each level of nesting recurses through serde-saphyr; grow the
        // stack on demand so that every depth up to the budget's limit is
        // read on any thread (a debug build's rayon worker overflowed at 60).
        let spanned = stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
            Spanned::<Kind>::deserialize(d)
        })?;
        let used = spanned.referenced;
        let defined = spanned.defined.span();
        let to_u32 = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        Ok(Node {
            line: to_u32(used.line()),
            col: to_u32(used.column()),
            len: to_u32(used.span().len()),
            offset: defined.byte_offset().map_or(u32::MAX, to_u32),
            bytes: defined.byte_len().map_or(0, to_u32),
            kind: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KindVisitor;
        impl<'de> Visitor<'de> for KindVisitor {
            type Value = Kind;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_unit<E>(self) -> Result<Kind, E> {
                Ok(Kind::Null)
            }
            fn visit_none<E>(self) -> Result<Kind, E> {
                Ok(Kind::Null)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Kind, E> {
                Ok(Kind::Typed(Typed::Bool))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Kind, E> {
                Ok(Kind::Typed(Typed::Number))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Kind, E> {
                Ok(Kind::Typed(Typed::Number))
            }
            fn visit_i128<E>(self, _: i128) -> Result<Kind, E> {
                Ok(Kind::Typed(Typed::Number))
            }
            fn visit_u128<E>(self, _: u128) -> Result<Kind, E> {
                Ok(Kind::Typed(Typed::Number))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Kind, E> {
                Ok(Kind::Typed(Typed::Number))
            }
            fn visit_str<E>(self, v: &str) -> Result<Kind, E> {
                Ok(Kind::Str(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Kind, E> {
                Ok(Kind::Str(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kind, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Kind::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kind, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Kind::Map(entries))
            }
        }
        d.deserialize_any(KindVisitor)
    }
}
