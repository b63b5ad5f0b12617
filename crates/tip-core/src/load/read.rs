//! Reading typed values out of YAML nodes and CSV cells, one diagnostic per
//! problem.
//!
//! A [`Record`] is one YAML mapping or one CSV row; [`Val`] is one value in
//! it. The typed readers on [`Ctx`] turn values into model types and, when a
//! value is wrong, record a diagnostic and return `None`, so loading goes on
//! and reports every problem at once.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use crate::dataset::IdTable;
use crate::diagnostic::{Code, Diagnostic};
use crate::files::Files;
use crate::ix::Ix;
use crate::load::tree::{Kind, Node};
use crate::loc::{FileId, Loc};
use crate::model::{Booking, Duration, Id, Text};
use crate::schema::Field;
use crate::suggest::did_you_mean;

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
    fn not_text(&mut self, node: &Node) {
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

    fn nonempty<'v>(&mut self, val: Val<'v>) -> Option<&'v str>
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

    /// A whole number in `min..=u32::MAX`.
    pub(crate) fn int(&mut self, val: Val<'_>, min: u32) -> Option<u32> {
        let s = self.trimmed(val)?;
        let parsed = s.parse::<u64>();
        if let Ok(n) = parsed
            && n >= u64::from(min)
            && n <= u64::from(u32::MAX)
        {
            return Some(n as u32);
        }
        let loc = self.loc_of(val);
        match parsed {
            Ok(n) if n < u64::from(min) => {
                self.error(
                    Code::InvalidNumber,
                    loc,
                    format!("expected a whole number of at least {min}, found {n}"),
                )
                .help = Some(format!("use {min} or more"));
                None
            }
            _ if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                self.error(
                    Code::InvalidNumber,
                    loc,
                    format!("the number `{s}` is too large"),
                )
                .help = Some(format!("the largest allowed is {}", u32::MAX));
                None
            }
            _ => {
                self.error(
                    Code::InvalidNumber,
                    loc,
                    format!("expected a whole number, found `{s}`"),
                )
                .help = Some("write digits only, e.g. `20`".into());
                None
            }
        }
    }

    /// A decimal number ≥ 0.
    pub(crate) fn decimal(&mut self, val: Val<'_>) -> Option<f64> {
        let s = self.trimmed(val)?;
        match s.parse::<f64>() {
            Ok(n) if n.is_finite() && n >= 0.0 => Some(n),
            _ => {
                self.error(
                    Code::InvalidNumber,
                    self.loc_of(val),
                    format!("expected a number of 0 or more, found `{s}`"),
                )
                .help = Some("write a number such as `6.5`".into());
                None
            }
        }
    }

    /// `true` or `false`.
    pub(crate) fn bool(&mut self, val: Val<'_>) -> Option<bool> {
        let s = self.trimmed(val)?;
        match s {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => {
                self.error(
                    Code::InvalidValue,
                    self.loc_of(val),
                    format!("expected `true` or `false`, found `{s}`"),
                )
                .help = Some("write `true` or `false`".into());
                None
            }
        }
    }

    /// A word of a [`Vocabulary`].
    pub(crate) fn vocabulary<T: crate::model::Vocabulary>(&mut self, val: Val<'_>) -> Option<T> {
        self.word(val, T::WORDS).map(|i| T::ALL[i])
    }

    /// One of `words`; returns its position.
    pub(crate) fn word(&mut self, val: Val<'_>, words: &[&str]) -> Option<usize> {
        let s = self.trimmed(val)?;
        if let Some(i) = words.iter().position(|w| *w == s) {
            return Some(i);
        }
        let lower = s.to_lowercase();
        let help = words
            .iter()
            .position(|w| *w == lower)
            .map(|i| format!("write it in lowercase: `{}`", words[i]))
            .or_else(|| did_you_mean(s, words.iter().copied()))
            .unwrap_or_else(|| {
                let all: Vec<_> = words.iter().map(|w| format!("`{w}`")).collect();
                format!("expected one of {}", all.join(", "))
            });
        self.error(
            Code::InvalidValue,
            self.loc_of(val),
            format!("`{s}` is not an allowed value"),
        )
        .help = Some(help);
        None
    }

    /// `YYYY-MM-DD`.
    pub(crate) fn date(&mut self, val: Val<'_>) -> Option<NaiveDate> {
        let s = self.trimmed(val)?;
        match parse_date(s) {
            Ok(d) => Some(d),
            Err(why) => {
                self.error(Code::InvalidDate, self.loc_of(val), why).help =
                    Some("write dates as `YYYY-MM-DD`, e.g. `2022-01-18`".into());
                None
            }
        }
    }

    /// `YYYY-MM-DDTHH:MM[:SS]` (a space may stand for `T`).
    pub(crate) fn datetime(&mut self, val: Val<'_>) -> Option<NaiveDateTime> {
        let s = self.trimmed(val)?;
        match parse_datetime(s) {
            Ok(dt) => Some(dt),
            Err(why) => {
                self.error(Code::InvalidDate, self.loc_of(val), why).help = Some(
                    "write local date-times as `YYYY-MM-DDTHH:MM`, e.g. `2022-01-18T09:30`".into(),
                );
                None
            }
        }
    }

    /// `HH:MM-HH:MM`.
    pub(crate) fn time_range(&mut self, val: Val<'_>) -> Option<(NaiveTime, NaiveTime)> {
        let s = self.trimmed(val)?;
        let loc = self.loc_of(val);
        let parsed = s
            .split_once(['-', '–'])
            .ok_or_else(|| format!("expected a time range like `10:00-12:00`, found `{s}`"))
            .and_then(|(a, b)| Ok((parse_time(a.trim())?, parse_time(b.trim())?)));
        match parsed {
            Ok((start, end)) if end > start => Some((start, end)),
            Ok(_) => {
                self.error(
                    Code::EndBeforeStart,
                    loc,
                    format!("the time range `{s}` ends before it starts"),
                )
                .help =
                    Some("sessions end on the day they start; write the earlier time first".into());
                None
            }
            Err(why) => {
                self.error(Code::InvalidTime, loc, why).help =
                    Some("write times as 24-hour `HH:MM-HH:MM`, e.g. `10:00-12:00`".into());
                None
            }
        }
    }

    /// `3 years`, `18 months`, `6 weeks`, `10 days` (`1 year` too).
    pub(crate) fn duration(&mut self, val: Val<'_>) -> Option<Duration> {
        let s = self.trimmed(val)?;
        match parse_duration(s) {
            Some(d) => Some(d),
            None => {
                self.error(Code::InvalidDuration, self.loc_of(val), format!("expected a duration, found `{s}`"))
                    .help = Some("write a whole number and a unit: `3 years`, `18 months`, `6 weeks` or `10 days`".into());
                None
            }
        }
    }

    /// A percentage `0%`–`100%`.
    pub(crate) fn percentage(&mut self, val: Val<'_>) -> Option<f64> {
        let s = self.trimmed(val)?;
        let n = s
            .strip_suffix('%')
            .and_then(|n| n.trim().parse::<f64>().ok());
        match n {
            Some(n) if (0.0..=100.0).contains(&n) => Some(n),
            _ => {
                self.error(
                    Code::InvalidPercentage,
                    self.loc_of(val),
                    format!("expected a percentage from 0% to 100%, found `{s}`"),
                )
                .help = Some("write it like `80%`".into());
                None
            }
        }
    }

    /// A URL starting `http://` or `https://`.
    pub(crate) fn url(&mut self, val: Val<'_>) -> Option<String> {
        let s = self.text(val)?;
        // No spaces, control characters or characters a URL never holds
        // unescaped: the address is written into calendars and pages.
        let ok = (s.starts_with("https://") || s.starts_with("http://"))
            && s.len() > 8
            && !s
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "\"<>\\^`|".contains(c));
        if !ok {
            self.error(
                Code::InvalidValue,
                self.loc_of(val),
                format!("expected a web address, found `{s}`"),
            )
            .help = Some("write the whole address, starting `https://`".into());
            return None;
        }
        Some(s)
    }

    /// How to book: a form's web address or an email address (a
    /// `mailto:` prefix is dropped).
    pub(crate) fn booking(&mut self, val: Val<'_>) -> Option<Booking> {
        let s = self.text(val)?;
        let s = s.trim();
        if s.starts_with("http://") || s.starts_with("https://") {
            return self.url(val).map(Booking::Form);
        }
        let address = s.strip_prefix("mailto:").unwrap_or(s);
        if is_email(address) {
            return Some(Booking::Email(address.into()));
        }
        self.error(
            Code::InvalidValue,
            self.loc_of(val),
            format!("`{s}` is neither a web address nor an email address"),
        )
        .help = Some(
            "write a booking form's address (`https://…`, with `{cohort}` where the form takes the run's id) or an email address".into(),
        );
        None
    }

    /// A domain name, for calendar UIDs: dot-separated labels of ASCII
    /// letters, digits and `-`, lowercased.
    pub(crate) fn domain(&mut self, val: Val<'_>) -> Option<String> {
        let s = self.text(val)?;
        let ok = s.len() <= 253
            && s.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if !ok {
            self.error(
                Code::InvalidValue,
                self.loc_of(val),
                format!("`{s}` is not a domain name"),
            )
            .help = Some("write the programme's web domain, e.g. `kentandmedway.example`".into());
            return None;
        }
        Some(s.to_ascii_lowercase())
    }

    /// An email address (a light check: one `@`, text on both sides, no spaces).
    pub(crate) fn email(&mut self, val: Val<'_>) -> Option<Text> {
        let s = self.nonempty(val)?;
        if !is_email(s) {
            self.error(
                Code::InvalidValue,
                self.loc_of(val),
                format!("`{s}` is not an email address"),
            )
            .help = Some("write it like `name@example.org`".into());
            return None;
        }
        Some(s.into())
    }

    /// A weekday: `mon`, `monday`, `Mon`.
    pub(crate) fn weekday(&mut self, val: Val<'_>) -> Option<Weekday> {
        let s = self.trimmed(val)?;
        match parse_weekday(s) {
            Some(d) => Some(d),
            None => {
                self.error(
                    Code::InvalidValue,
                    self.loc_of(val),
                    format!("`{s}` is not a day of the week"),
                )
                .help = Some("write `mon`, `tue`, `wed`, `thu`, `fri`, `sat` or `sun`".into());
                None
            }
        }
    }
}

/// The light check of an email address: one `@` with text before it and a
/// dot after it, and no whitespace, control character or
/// `"(),:;<>[\]`.
fn is_email(s: &str) -> bool {
    if !s.is_ascii() {
        return is_email_by_chars(s);
    }
    // By bytes (a million emails): in ASCII the whitespace and control
    // characters are the bytes up to space, and DEL.
    // One pass: one `@`, not first, a dot after it, nothing forbidden.
    let (mut at, mut dot_after_at) = (None, false);
    for (i, &c) in s.as_bytes().iter().enumerate() {
        match c {
            b'@' if at.is_some() => return false,
            b'@' => at = Some(i),
            b'.' => dot_after_at |= at.is_some(),
            c if c <= b' ' || c == 0x7f || email_punctuation(char::from(c)) => return false,
            _ => {}
        }
    }
    at.is_some_and(|at| at > 0) && dot_after_at
}

/// [`is_email`] by characters, for any text.
fn is_email_by_chars(s: &str) -> bool {
    s.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && !domain.contains('@') && domain.contains('.')
    }) && !s
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || email_punctuation(c))
}

fn email_punctuation(c: char) -> bool {
    matches!(
        c,
        '"' | '(' | ')' | ',' | ':' | ';' | '<' | '>' | '[' | '\\' | ']'
    )
}

/// `str::trim`, without its cost when there is nothing to trim (the
/// common case: a million cells are trimmed).
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    let untrimmed = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_whitespace() || !b.is_ascii());
    if untrimmed(s.as_bytes().first()) || untrimmed(s.as_bytes().last()) {
        s.trim()
    } else {
        s
    }
}

/// Whether `s` is a valid id.
pub fn is_id(s: &str) -> bool {
    let bytes = s.as_bytes();
    !bytes.is_empty()
        && (bytes[0].is_ascii_lowercase() || bytes[0].is_ascii_digit())
        && bytes
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The nearest valid id to `s` (`My Programme!` → `my-programme`): for
/// hints, and for ids made from names.
pub fn to_id(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

fn split_words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(' ')
        .scan(0usize, |pos, word| {
            let start = *pos;
            *pos += word.len() + 1;
            Some((start, word))
        })
        .filter(|(_, w)| !w.is_empty())
}

/// Parse `YYYY-MM-DD` strictly, explaining what is wrong.
pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, String> {
    // Three million completions each have one: digit by digit, no loop.
    let shaped = <&[u8; 10]>::try_from(s.as_bytes())
        .ok()
        .filter(|b| b[4] == b'-' && b[7] == b'-')
        .map(|b| b.map(|c| u32::from(c.wrapping_sub(b'0'))))
        .filter(|n| [0, 1, 2, 3, 5, 6, 8, 9].iter().all(|&i| n[i] < 10));
    let Some(n) = shaped else {
        return Err(format!("expected a date `YYYY-MM-DD`, found `{s}`"));
    };
    let (y, m, d) = (
        (n[0] * 1000 + n[1] * 100 + n[2] * 10 + n[3]) as i32,
        n[5] * 10 + n[6],
        n[8] * 10 + n[9],
    );
    if !(1900..=2200).contains(&y) {
        return Err(format!("the date `{s}` is outside the years 1900 to 2200"));
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("the date `{s}` does not exist"))
}

/// Parse `HH:MM` or `HH:MM:SS` (24-hour).
/// A local date-time: `YYYY-MM-DDTHH:MM` (or a space for the `T`, a
/// one-digit hour, seconds), as docs/data-format.md says.
pub(crate) fn parse_datetime(s: &str) -> Result<NaiveDateTime, String> {
    match s.find(['T', ' ']) {
        Some(i) => {
            parse_date(&s[..i]).and_then(|d| parse_time(s[i + 1..].trim()).map(|t| d.and_time(t)))
        }
        None => Err(format!("expected a date and time, found `{s}`")),
    }
}

pub(crate) fn parse_time(s: &str) -> Result<NaiveTime, String> {
    let parts: Vec<_> = s.split(':').collect();
    let nums: Option<Vec<u32>> = parts
        .iter()
        .map(|p| {
            (p.len() == 2 || (p.len() == 1 && parts.len() > 1))
                .then(|| p.parse().ok())
                .flatten()
        })
        .collect();
    match nums.as_deref() {
        Some([h, m]) => NaiveTime::from_hms_opt(*h, *m, 0),
        // Times are to the minute: `:00` seconds (as spreadsheets write
        // them) are accepted, any others refused rather than dropped.
        Some([h, m, 0]) => NaiveTime::from_hms_opt(*h, *m, 0),
        Some([_, _, _]) => {
            return Err(format!(
                "the time `{s}` has seconds: sessions are timed to the minute"
            ));
        }
        _ => return Err(format!("expected a time `HH:MM`, found `{s}`")),
    }
    .ok_or_else(|| format!("the time `{s}` does not exist"))
}

/// Parse a duration such as `3 years` or `18 months`.
pub(crate) fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let n: u32 = s[..split].parse().ok()?;
    let unit = s[split..].trim().to_ascii_lowercase();
    let unit = unit.strip_suffix('s').unwrap_or(&unit);
    let scale = |n: u32, by: u32| n.checked_mul(by);
    match unit {
        "year" => scale(n, 12).map(Duration::Months),
        "month" => Some(Duration::Months(n)),
        "week" => scale(n, 7).map(Duration::Days),
        "day" => Some(Duration::Days(n)),
        _ => None,
    }
}

/// `mon`, `Monday`, `tues`…
pub(crate) fn parse_weekday(s: &str) -> Option<Weekday> {
    let lower = s.trim().to_ascii_lowercase();
    let days = [
        ("mon", Weekday::Mon),
        ("tue", Weekday::Tue),
        ("wed", Weekday::Wed),
        ("thu", Weekday::Thu),
        ("fri", Weekday::Fri),
        ("sat", Weekday::Sat),
        ("sun", Weekday::Sun),
    ];
    let full = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    days.iter()
        .zip(full)
        .find(|((short, _), long)| lower == *short || lower == *long)
        .map(|((_, d), _)| *d)
}

/// Where cell `index` of the row starting at `raw` begins: lines below the
/// row's first, the 1-based character column of its text (after an opening
/// quote), and its byte offset in `raw`. Quotes, doubled quotes inside them
/// and line breaks inside a quoted cell are counted as the source has them.
pub(crate) fn cell_start(raw: &str, index: usize) -> (u32, u32, usize) {
    let (mut line, mut col) = (0u32, 1u32);
    let mut chars = raw.char_indices().peekable();
    let mut cell = 0;
    loop {
        let quoted = matches!(chars.peek(), Some((_, '"')));
        if quoted {
            chars.next();
            col += 1;
        }
        if cell == index {
            let byte = chars.peek().map_or(raw.len(), |&(b, _)| b);
            return (line, col, byte);
        }
        if quoted {
            loop {
                match chars.next() {
                    None => return (line, col, raw.len()),
                    Some((_, '"')) if matches!(chars.peek(), Some((_, '"'))) => {
                        chars.next();
                        col += 2;
                    }
                    Some((_, '"')) => {
                        col += 1;
                        break;
                    }
                    Some((_, '\n')) => {
                        line += 1;
                        col = 1;
                    }
                    Some(_) => col += 1,
                }
            }
        }
        // To the comma that ends the cell.
        loop {
            match chars.next() {
                None | Some((_, '\n' | '\r')) => return (line, col, raw.len()),
                Some((_, ',')) => {
                    col += 1;
                    break;
                }
                Some(_) => col += 1,
            }
        }
        cell += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fields_are_found_by_name_whatever_the_address() {
        let fields = crate::schema::section("completions").unwrap().fields;
        let memo = FieldMemo::default();
        let date: &'static str = String::from("date").leak();
        for _ in 0..3 {
            assert_eq!(memo.field(fields, "person"), Some(0));
            assert_eq!(memo.field(fields, "source"), Some(3));
            // The same name at another address, and a longer one at the
            // same address.
            assert_eq!(memo.field(fields, date), Some(2));
            assert_eq!(memo.field(fields, &"course-x"[..6]), Some(1));
            assert_eq!(memo.field(fields, "courses"), None);
        }
        // Past the memo's size, names are still found.
        let names: Vec<&'static str> = (0..10)
            .map(|i| format!("person{i}").leak() as &str)
            .collect();
        for name in names {
            assert_eq!(memo.field(fields, name), None);
            assert_eq!(memo.field(fields, &name[..6]), Some(0));
        }
    }

    #[test]
    fn emails_are_checked_lightly() {
        for ok in [
            "a@b.org",
            "p0000000@example.org",
            "zoë@exämple.org",
            "a.b@c.d",
        ] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "",
            "@b.org",
            "a@b",
            "a@@b.org",
            "a@b@c.org",
            "a b@c.org",
            "a@b.org\t",
            "a\u{7f}@b.org",
            "a@b.org\u{85}",
            "a@b.org\u{a0}",
            "<a@b.org>",
            "a,b@c.org",
            "a@[1.2.3.4]",
        ] {
            assert!(!is_email(bad), "{bad:?}");
        }
    }

    proptest! {
        /// The byte-wise check of ASCII addresses is the character-wise one.
        #[test]
        fn ascii_emails_are_judged_as_by_characters(s in "[ -~\\t\\x00-\\x1f\\x7f@.a]{0,12}") {
            prop_assert_eq!(is_email(&s), is_email_by_chars(&s));
        }

        /// A date is what chrono reads with `%Y-%m-%d`, written with four,
        /// two and two digits, in the years 1900 to 2200.
        #[test]
        fn dates_are_read_as_chrono_reads_them(
            s in "[0-9]{4}-[0-9]{2}-[0-9]{2}|(19|20|21|22)[0-9]{2}-[01][0-9]-[0-3][0-9]|[0-9 +-]{0,11}"
        ) {
            use chrono::Datelike;
            let shaped = s.len() == 10
                && s.bytes().enumerate().all(|(i, c)| match i {
                    4 | 7 => c == b'-',
                    _ => c.is_ascii_digit(),
                });
            let chrono = NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                .ok()
                .filter(|d| shaped && (1900..=2200).contains(&d.year()));
            prop_assert_eq!(parse_date(&s).ok(), chrono);
        }
    }

    #[test]
    fn dates_must_exist() {
        assert!(parse_date("2022-01-18").is_ok());
        assert_eq!(
            parse_date("2022-02-30").unwrap_err(),
            "the date `2022-02-30` does not exist"
        );
        assert!(parse_date("18/01/2022").is_err());
        assert!(parse_date("2022-1-18").is_err());
        assert_eq!(
            parse_date("9999-12-31").unwrap_err(),
            "the date `9999-12-31` is outside the years 1900 to 2200"
        );
    }

    #[test]
    fn times_are_24_hour() {
        assert_eq!(
            parse_time("09:30").unwrap(),
            NaiveTime::from_hms_opt(9, 30, 0).unwrap()
        );
        assert_eq!(
            parse_time("9:30").unwrap(),
            NaiveTime::from_hms_opt(9, 30, 0).unwrap()
        );
        assert!(parse_time("25:00").is_err());
        assert!(parse_time("9.30").is_err());
    }

    #[test]
    fn durations_in_years_months_weeks_days() {
        assert_eq!(parse_duration("3 years"), Some(Duration::Months(36)));
        assert_eq!(parse_duration("18 months"), Some(Duration::Months(18)));
        assert_eq!(parse_duration("1 year"), Some(Duration::Months(12)));
        assert_eq!(parse_duration("6 weeks"), Some(Duration::Days(42)));
        assert_eq!(parse_duration("3 fortnights"), None);
        assert_eq!(parse_duration("years"), None);
        assert_eq!(parse_duration("99999999999 years"), None);
    }

    #[test]
    fn id_table_keeps_first_of_repeats_and_batch_lookups_agree() {
        let mut table = IdTable::new("people", "person");
        let ids: Vec<String> = (0..5000).map(|i| format!("p{i:05}")).collect();
        let mut refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        refs.push("p00042");
        assert_eq!(table.extend(&[&refs], |id| id, 10), vec![(5010, 52)]);
        assert_eq!(table.len(), 5000);
        let probe = ["p00042", "nobody", "p04999", ""];
        let batch = table.get_many(&probe);
        let single: Vec<Option<u32>> = probe
            .iter()
            .map(|id| table.get::<()>(id).map(|ix| ix.index() as u32))
            .collect();
        assert_eq!(batch, single);
        assert_eq!(batch, vec![Some(52), None, Some(5009), None]);
    }

    #[test]
    fn ids_are_lowercase_kebab() {
        assert!(is_id("l2-trauma-awareness"));
        assert!(is_id("2022-east"));
        assert!(!is_id("-x"));
        assert!(!is_id("East_Kent"));
        assert_eq!(to_id("East_Kent"), "east-kent");
    }

    #[test]
    fn weekdays_short_and_long() {
        assert_eq!(parse_weekday("Tuesday"), Some(Weekday::Tue));
        assert_eq!(parse_weekday("fri"), Some(Weekday::Fri));
        assert_eq!(parse_weekday("fry"), None);
    }
}

#[cfg(test)]
mod datetime_tests {
    use super::*;

    /// What docs/data-format.md says a local date-time may be.
    #[test]
    fn date_times_accept_exactly_what_the_docs_say() {
        let parse = parse_datetime;
        for ok in [
            "2022-01-18T09:30",
            "2022-01-18 09:30",
            "2022-01-18T9:30",
            "2022-01-18T09:30:00",
        ] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "2022-01-18T09:30Z",
            "2022-01-18T09:30+01:00",
            "2022-01-18T9:30pm",
            "18/01/2022 09:30",
            "2022-01-18T0930",
            "2022-01-18",
            // Seconds other than `:00` are refused, not dropped.
            "2022-01-18T09:30:45",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(
            parse("2022-01-18T09:30:45")
                .unwrap_err()
                .contains("seconds")
        );
    }
}
