//! Reading text, ids and references: the values most fields hold.

use crate::dataset::IdTable;
use crate::diagnostic::Code;
use crate::ix::Ix;
use crate::load::tree::{Kind, Node};
use crate::loc::Loc;
use crate::model::{Id, Text};

use super::parse::{is_id, split_words, to_id, trim};
use super::{CellAt, Ctx, Record, Val};

impl<'a> Ctx<'a> {
    /// The text of a scalar.
    // Inline, the problem out of line: every value of every row comes here.
    #[inline]
    pub(crate) fn str<'v>(&mut self, val: Val<'v>) -> Option<&'v str>
    where
        'a: 'v,
    {
        match val {
            Val::Cell { text, .. } => Some(text),
            Val::Node(node) => match node.text(self.source) {
                Some(text) => Some(text),
                None => {
                    self.not_text(node);
                    None
                }
            },
        }
    }

    #[cold]
    pub(super) fn not_text(&mut self, node: &Node) {
        let found = node.describe();
        self.error(
            Code::WrongType,
            node.loc(self.file),
            format!("expected text, found {found}"),
        );
    }

    /// The text of a scalar without whitespace at its ends.
    // Inline, as `str` and `trim` are: every id, reference and text cell
    // comes here. Left to the compiler, whether it is inlined depends on
    // how the crate is split into code-generation units; one split made
    // `validate` 5% slower (docs/performance.md).
    #[inline]
    pub(crate) fn trimmed<'v>(&mut self, val: Val<'v>) -> Option<&'v str>
    where
        'a: 'v,
    {
        self.str(val).map(trim)
    }

    /// Non-empty text, trimmed of surrounding whitespace at the ends.
    pub(crate) fn text(&mut self, val: Val<'_>) -> Option<String> {
        self.nonempty(val).map(str::to_owned)
    }

    /// [`Ctx::text`], kept inline when short (names on a million records).
    pub(crate) fn short_text(&mut self, val: Val<'_>) -> Option<Text> {
        self.nonempty(val).map(Text::from)
    }

    pub(super) fn nonempty<'v>(&mut self, val: Val<'v>) -> Option<&'v str>
    where
        'a: 'v,
    {
        let s = self.trimmed(val)?;
        if s.is_empty() {
            self.error(
                Code::MissingField,
                self.loc_of(val),
                "expected text, found an empty value",
            );
            return None;
        }
        Some(s)
    }

    /// Text kept exactly as written (notes, Markdown), with CRLF as LF.
    pub(crate) fn verbatim(&mut self, val: Val<'_>) -> Option<String> {
        self.str(val).map(|s| s.replace("\r\n", "\n"))
    }

    /// An id: lowercase `[a-z0-9][a-z0-9-]*`. A malformed id is reported
    /// but kept, so that references to it still resolve.
    pub(crate) fn id(&mut self, val: Val<'_>) -> Option<Id> {
        let s = self.trimmed(val)?;
        if s.is_empty() {
            self.error(
                Code::MissingField,
                self.loc_of(val),
                "expected an id, found an empty value",
            );
            return None;
        }
        if !is_id(s) {
            let fixed = to_id(s);
            self.error(
                Code::InvalidId,
                self.loc_of(val),
                format!("`{s}` is not a valid id"),
            )
            .help = Some(format!(
                "ids are lowercase letters, digits and `-`, starting with a letter or digit: `{fixed}`"
            ));
        }
        Some(s.into())
    }

    /// A reference to a record of `table`.
    pub(crate) fn reference<T>(&mut self, val: Val<'_>, table: &IdTable) -> Option<Ix<T>> {
        let s = self.trimmed(val)?;
        if let Some(ix) = table.get(s) {
            return Some(ix);
        }
        let loc = self.loc_of(val);
        self.unknown_reference(s, loc, table);
        None
    }

    /// Report `s` as an unknown id of `table` (unless its record was broken).
    pub(crate) fn unknown_reference(&mut self, s: &str, loc: Loc, table: &IdTable) {
        if table.broken.contains(s) {
            return;
        }
        if table.incomplete.is_some() {
            // A file that may define it could not be read: one note later,
            // not an error for every reference.
            table
                .skipped
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return;
        }
        if s.is_empty() {
            self.error(
                Code::MissingField,
                loc,
                format!("expected a {} id, found an empty value", table.noun),
            )
            .help = Some(format!("write the id of a record in `{}`", table.section));
            return;
        }
        let help = table
            .suggest(s)
            .unwrap_or_else(|| format!("add it to `{}`, or correct the id", table.section));
        self.error(
            Code::UnknownReference,
            loc,
            format!("unknown {} `{s}`", table.noun),
        )
        .help = Some(help);
    }

    /// A list: a YAML sequence, or a CSV cell of space-separated items.
    pub(crate) fn list<'v, T>(
        &mut self,
        val: Val<'v>,
        mut item: impl FnMut(&mut Self, Val<'v>) -> Option<T>,
    ) -> Option<Vec<T>> {
        match val {
            Val::Node(node) => match &node.kind {
                Kind::Seq(items) => Some(
                    items
                        .iter()
                        .filter_map(|n| item(self, Val::Node(n)))
                        .collect(),
                ),
                _ => {
                    let found = node.describe();
                    let example = node
                        .text(self.source)
                        .map_or_else(String::new, |t| format!(": `[{t}]`"));
                    self.error(
                        Code::WrongType,
                        node.loc(self.file),
                        format!("expected a list, found {found}"),
                    )
                    .help = Some(format!("write a list in brackets{example}"));
                    None
                }
            },
            Val::Cell { text, at } => {
                let mut out = Vec::new();
                for (start, word) in split_words(text) {
                    let at = CellAt {
                        offset: at.offset + start as u32,
                        source: at.source.saturating_add(start as u32),
                        ..at
                    };
                    if let Some(v) = item(self, Val::Cell { text: word, at }) {
                        out.push(v);
                    }
                }
                Some(out)
            }
        }
    }

    /// References to records of `table`, each with where it is written.
    /// The list's ids are looked up together: a cohort's learners are a
    /// dozen cache misses in a table of a million people, waited for side
    /// by side ([`IdTable::get_batch`]) rather than one after another.
    pub(crate) fn references_at<'v, T>(
        &mut self,
        val: Val<'v>,
        table: &IdTable,
    ) -> Option<Vec<(Ix<T>, Loc)>>
    where
        'a: 'v,
    {
        let items = self.list(val, |ctx, v| ctx.trimmed(v).map(|s| (v, s)))?;
        let ids: Vec<&str> = items.iter().map(|&(_, s)| s).collect();
        let mut found = vec![None; ids.len()];
        table.get_batch(&ids, &mut found);
        let mut out = Vec::with_capacity(items.len());
        for ((v, s), hit) in items.into_iter().zip(found) {
            let loc = self.loc_of(v);
            match hit {
                Some(i) => out.push((Ix::new(i as usize), loc)),
                None => self.unknown_reference(s, loc, table),
            }
        }
        Some(out)
    }

    /// Where a field's value is written, if present.
    pub(crate) fn value_loc(&self, rec: &Record<'_>, name: &'static str) -> Option<Loc> {
        rec.get(name).map(|v| self.loc_of(v))
    }

    /// References to records of `table`.
    pub(crate) fn references<T>(&mut self, val: Val<'_>, table: &IdTable) -> Option<Vec<Ix<T>>> {
        self.list(val, |ctx, v| ctx.reference(v, table))
    }
}
