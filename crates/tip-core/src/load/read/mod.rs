//! Reading typed values out of YAML nodes and CSV cells, one diagnostic per
//! problem.
//!
//! A [`Record`] is one YAML mapping or one CSV row; [`Val`] is one value in
//! it. The typed readers on [`Ctx`] turn values into model types and, when a
//! value is wrong, record a diagnostic and return `None`, so loading goes on
//! and reports every problem at once.

use crate::diagnostic::{Code, Diagnostic};
use crate::files::Files;
use crate::load::tree::{Kind, Node};
use crate::loc::{FileId, Loc};
use crate::schema::Field;
use crate::suggest::did_you_mean;

mod parse;
mod scalar;
#[cfg(test)]
mod tests;
mod text;

pub(crate) use parse::*;
pub use parse::{is_id, to_id};

/// A value in a record.
#[derive(Clone, Copy)]
pub(crate) enum Val<'a> {
    Node(&'a Node),
    Cell { text: &'a str, at: CellAt },
}

/// Where a CSV cell's value is, kept as byte positions: its line and
/// column are worked out from the source only when a diagnostic or a
/// record needs them (most cells never do).
#[derive(Clone, Copy, Debug)]
pub(crate) struct CellAt {
    /// The row's first line.
    pub(crate) line: u32,
    /// Byte offset of the row in the file.
    pub(crate) row: u32,
    /// Which cell of the row (0-based).
    pub(crate) index: u32,
    /// Byte offset of the value inside the cell's text (after leading
    /// spaces, or at a word of a list).
    pub(crate) offset: u32,
    /// Byte offset of the value in the file when the row is written
    /// without quotes (the value is then a slice of the file); else
    /// `u32::MAX`.
    pub(crate) source: u32,
}

/// One YAML mapping or CSV row, with the fields its section defines.
pub(crate) struct Record<'a> {
    pub(crate) loc: Loc,
    /// The fields the schema declares for this record: every name the
    /// loader reads must be one of them (checked in debug builds).
    fields: &'static [Field],
    /// Keys the schema does not know (already reported): a missing field
    /// that one of them misspells is not reported again.
    unknown: Vec<&'a str>,
    entries: Entries<'a>,
}

enum Entries<'a> {
    Map(&'a [(Node, Node)]),
    Row {
        /// One value per field of the record's section (`None`: no such
        /// column, or an empty cell), made as the row was split.
        values: &'a [Option<Val<'a>>],
        memo: &'a FieldMemo,
    },
}

impl<'a> Record<'a> {
    /// A CSV row on line `loc.line`: `values[i]` is field `i` of `fields`.
    pub(crate) fn row(
        loc: Loc,
        fields: &'static [Field],
        values: &'a [Option<Val<'a>>],
        memo: &'a FieldMemo,
    ) -> Self {
        Record {
            loc,
            fields,
            unknown: Vec::new(),
            entries: Entries::Row { values, memo },
        }
    }

    /// The value of a field, if present and not null.
    pub(crate) fn get(&self, name: &'static str) -> Option<Val<'a>> {
        debug_assert!(
            self.fields.iter().any(|f| f.name == name),
            "the loader reads `{name}`, which schema.rs does not declare here"
        );
        match self.entries {
            Entries::Map(entries) => entries
                .iter()
                .find(|(k, _)| matches!(&k.kind, Kind::Str(s) if s == name))
                .map(|(_, v)| v)
                .filter(|v| !matches!(v.kind, Kind::Null))
                .map(Val::Node),
            Entries::Row { values, memo } => *values.get(memo.field(self.fields, name)?)?,
        }
    }

    /// A CSV row's values, one per field of its section in the schema's
    /// order; `None` for a YAML record.
    fn row_values(&self) -> Option<&'a [Option<Val<'a>>]> {
        match self.entries {
            Entries::Row { values, .. } => Some(values),
            Entries::Map(_) => None,
        }
    }

    /// Whether this is a CSV row (else a YAML mapping).
    pub(crate) fn is_row(&self) -> bool {
        matches!(self.entries, Entries::Row { .. })
    }

    /// Whether the field is present with a value (not null or empty).
    pub(crate) fn has(&self, name: &'static str) -> bool {
        self.get(name).is_some()
    }
}

/// Which field of a section a name asked for is, remembered by the name's
/// address: the loader asks for fields with the same few string constants
/// on every row of a file, so from the second row on, finding one is a
/// comparison of addresses rather than a search by name. Names are
/// `&'static str`, so an address never comes back with another name.
#[derive(Default)]
pub(crate) struct FieldMemo([std::cell::Cell<(usize, usize, u32)>; 8]);

impl FieldMemo {
    /// The position of `name` in `fields`.
    fn field(&self, fields: &[Field], name: &'static str) -> Option<usize> {
        let key = (name.as_ptr() as usize, name.len());
        for slot in &self.0 {
            let (address, len, field) = slot.get();
            if (address, len) == key {
                return Some(field as usize);
            }
            if address == 0 {
                let field = fields.iter().position(|f| f.name == name)?;
                slot.set((key.0, key.1, field as u32));
                return Some(field);
            }
        }
        fields.iter().position(|f| f.name == name)
    }
}

/// Reading context for one file: where diagnostics go, and the text YAML
/// numbers are spelled in.
pub(crate) struct Ctx<'a> {
    pub(crate) files: &'a Files,
    pub(crate) file: FileId,
    pub(crate) source: &'a str,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(files: &'a Files, file: FileId, source: &'a str) -> Self {
        Ctx {
            files,
            file,
            source,
            diagnostics: Vec::new(),
        }
    }

    pub(crate) fn loc_of(&self, val: Val<'_>) -> Loc {
        match val {
            Val::Node(n) => n.loc(self.file),
            Val::Cell { text, at } => self.cell_loc(at, text),
        }
    }

    /// Where `val` is in the file, as a byte range, when its text is
    /// written there as it is (no quotes or escapes): it can then be kept as
    /// the range, not copied.
    pub(crate) fn source_range(&self, val: Val<'_>, text: &str) -> Option<(u32, u32)> {
        let start = match val {
            Val::Cell { at, .. } if at.source != u32::MAX => at.source,
            Val::Node(n) if matches!(n.kind, Kind::Typed(_)) => n.offset,
            _ => return None,
        };
        let len = u32::try_from(text.len()).ok()?;
        let range = start as usize..start as usize + len as usize;
        // A CSV value is usually that very slice of the file.
        let written = self.source.get(range)?;
        (std::ptr::eq(written, text) || written == text).then_some((start, len))
    }

    /// The line and column of a CSV value `text` at `at`, counted in the
    /// source as written (quotes, doubled quotes and line breaks inside a
    /// quoted cell included).
    pub(crate) fn cell_loc(&self, at: CellAt, text: &str) -> Loc {
        // A value written as it lies (no quotes around a line break or
        // doubled quotes before it): on the row's line, its column the
        // characters before it. Most rows' places are asked for this way
        // (an attendance record keeps two).
        if let Some(before) = self.source.get(at.row as usize..at.source as usize) {
            let col = if before.is_ascii() {
                before.len()
            } else {
                before.chars().count()
            };
            let loc = Loc::new(
                self.file,
                at.line,
                col as u32 + 1,
                text.chars().count() as u32,
            );
            debug_assert_eq!(loc, self.cell_loc_by_cells(at, text), "{at:?} {text:?}");
            return loc;
        }
        self.cell_loc_by_cells(at, text)
    }

    /// [`Ctx::cell_loc`] by going through the row's cells.
    fn cell_loc_by_cells(&self, at: CellAt, text: &str) -> Loc {
        let raw = self.source.get(at.row as usize..).unwrap_or("");
        let (down, col, byte) = cell_start(raw, at.index as usize);
        let before = raw
            .get(byte..)
            .and_then(|cell| cell.get(..at.offset as usize))
            .unwrap_or("");
        let (line, col) = match before.rfind('\n') {
            Some(nl) => (
                at.line + down + before.matches('\n').count() as u32,
                1 + before[nl + 1..].chars().count() as u32,
            ),
            None => (at.line + down, col + before.chars().count() as u32),
        };
        Loc::new(self.file, line, col, text.chars().count() as u32)
    }

    pub(crate) fn error(
        &mut self,
        code: Code,
        loc: Loc,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.push(Diagnostic::error(code, message), loc)
    }

    pub(crate) fn warning(
        &mut self,
        code: Code,
        loc: Loc,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.push(Diagnostic::warning(code, message), loc)
    }

    fn push(&mut self, diagnostic: Diagnostic, loc: Loc) -> &mut Diagnostic {
        self.diagnostics
            .push(diagnostic.at(self.files.location(loc)));
        self.diagnostics.last_mut().expect("just pushed")
    }

    /// Where a field's key is written (a CSV cell: the cell), if present.
    pub(crate) fn key_loc(&self, rec: &Record<'_>, name: &'static str) -> Option<Loc> {
        match rec.entries {
            Entries::Map(entries) => entries
                .iter()
                .find(|(k, v)| {
                    matches!(&k.kind, Kind::Str(s) if s == name) && !matches!(v.kind, Kind::Null)
                })
                .map(|(k, _)| k.loc(self.file)),
            Entries::Row { .. } => self.value_loc(rec, name),
        }
    }

    /// Two fields that exclude each other are both set: the one written
    /// second is blamed, and the first is labelled.
    pub(crate) fn conflict(
        &mut self,
        rec: &Record<'_>,
        [a, b]: [&'static str; 2],
        message: impl Into<String>,
        help: &str,
    ) {
        let at = |name| self.key_loc(rec, name).unwrap_or(rec.loc);
        let (mut first, mut second) = ((at(a), a), (at(b), b));
        if second.0 < first.0 {
            (first, second) = (second, first);
        }
        let label = self.files.location(first.0);
        self.push(
            Diagnostic::error(Code::ConflictingFields, message)
                .label(label, format!("`{}` is set here", first.1))
                .help(help),
            second.0,
        );
    }

    /// A YAML mapping as a record of `fields`; unknown keys are reported.
    /// `what` names the record in messages ("course", "schedule").
    pub(crate) fn record<'n>(
        &mut self,
        node: &'n Node,
        fields: &'static [Field],
        what: &str,
    ) -> Option<Record<'n>> {
        let Kind::Map(entries) = &node.kind else {
            let found = node.describe();
            self.error(
                Code::WrongType,
                node.loc(self.file),
                format!("expected a mapping for a {what}, found {found}"),
            )
            .help = Some(format!("write the {what} as `field: value` lines"));
            return None;
        };
        let mut unknown = Vec::new();
        for (key, _) in entries {
            let name = match &key.kind {
                Kind::Str(s) => s.as_str(),
                _ => key.text(self.source).unwrap_or(""),
            };
            if !fields.iter().any(|f| f.name == name) {
                if let Kind::Str(s) = &key.kind {
                    unknown.push(s.as_str());
                }
                let help = did_you_mean(name, fields.iter().map(|f| f.name)).unwrap_or_else(|| {
                    let names: Vec<_> = fields.iter().map(|f| format!("`{}`", f.name)).collect();
                    format!("a {what} has the fields {}", names.join(", "))
                });
                self.error(
                    Code::UnknownField,
                    key.loc(self.file),
                    format!("unknown field `{name}` in a {what}"),
                )
                .help = Some(help);
            }
        }
        Some(Record {
            loc: node.loc(self.file),
            fields,
            unknown,
            entries: Entries::Map(entries),
        })
    }

    /// A required field: reported as missing when absent or empty.
    pub(crate) fn require<'r>(
        &mut self,
        record: &Record<'r>,
        name: &'static str,
        what: &str,
    ) -> Option<Val<'r>> {
        let val = record.get(name);
        // `titel` for `title` is one mistake: its unknown-field error says
        // "did you mean `title`?", so the missing field is not reported too.
        let misspelt =
            || crate::suggest::best_match(name, record.unknown.iter().copied()).is_some();
        if val.is_none() && !misspelt() {
            self.error(
                Code::MissingField,
                record.loc,
                format!("missing field `{name}` in a {what}"),
            )
            .help = Some(format!("every {what} needs `{name}`"));
        }
        val
    }

    /// The values of `names` — every field of the record's section, in
    /// the schema's order — the required ones reported when missing (as
    /// [`Ctx::require`] does). A CSV row with every required cell gives
    /// its values as they lie, none looked up by name: the loader's two
    /// busiest readers (people, completions: millions of rows) read
    /// through this, the other readers field by field.
    pub(crate) fn values<'r, const N: usize>(
        &mut self,
        record: &Record<'r>,
        names: [&'static str; N],
        what: &str,
    ) -> [Option<Val<'r>>; N] {
        debug_assert!(
            record.fields.iter().map(|f| f.name).eq(names),
            "the loader reads {names:?}, not the schema's fields in order"
        );
        let required = |i: usize| record.fields.get(i).is_some_and(|f| f.required);
        if let Some(row) = record
            .row_values()
            .and_then(|v| <&[_; N]>::try_from(v).ok())
            && row
                .iter()
                .enumerate()
                .all(|(i, v)| v.is_some() || !required(i))
        {
            return *row;
        }
        std::array::from_fn(|i| {
            if required(i) {
                self.require(record, names[i], what)
            } else {
                record.get(names[i])
            }
        })
    }

    /// An optional field, read with `read` when present.
    pub(crate) fn field<'r, T>(
        &mut self,
        record: &Record<'r>,
        name: &'static str,
        read: impl FnOnce(&mut Self, Val<'r>) -> Option<T>,
    ) -> Option<T> {
        record.get(name).and_then(|v| read(self, v))
    }

    /// A required field, read with `read`; reported when missing.
    pub(crate) fn required<'r, T>(
        &mut self,
        record: &Record<'r>,
        name: &'static str,
        what: &str,
        read: impl FnOnce(&mut Self, Val<'r>) -> Option<T>,
    ) -> Option<T> {
        self.require(record, name, what).and_then(|v| read(self, v))
    }
}
