//! CSV files of the tabular sections.
//!
//! The first row names the columns (fields of the section). Each later row is
//! a [`Record`]; an empty cell is an absent field, and a list is written with
//! spaces between items. Rows are read into one reused buffer: no per-row
//! allocation.

use crate::diagnostic::Code;
use crate::load::read::{CellAt, Ctx, FieldMemo, Record, Val, trim};
use crate::loc::Loc;
use crate::schema::Section;

mod columns;
mod rows;
#[cfg(test)]
mod tests;

use columns::*;
use rows::*;

/// The most columns a file may have (every tabular section has fewer).
const MAX_COLUMNS: usize = 16;

/// The most fields a tabular section has (a test checks each).
const MAX_FIELDS: usize = 16;

/// A file's header, read: which field each column holds, and where the
/// rows after it start.
pub(crate) struct Header {
    columns: Vec<Option<usize>>,
    /// The first byte after the header, and its line.
    body: usize,
    line: u32,
}

/// Read the header of `ctx.source` as one of `section`. `None` when there
/// is none, or no row can be read with it (problems are diagnostics).
pub(crate) fn read_header(ctx: &mut Ctx<'_>, section: &'static Section) -> Option<Header> {
    let mut rows = Rows::new(ctx.source);
    let header = rows.next()?;
    let names: Vec<&str> = header
        .cells
        .iter()
        .map(|&(a, b)| &header.text[a..b])
        .collect();
    let columns = header_columns(ctx, section, &names)?;
    Some(Header {
        columns,
        body: rows.pos,
        line: rows.line,
    })
}

/// A stretch of a file's rows read on its own (so that the rows of a big
/// file are read side by side): from a row's start to the next part's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Part {
    start: usize,
    end: usize,
    /// The line `start` is on.
    line: u32,
    /// The line feeds in the part: at most that many rows, and one more.
    pub(crate) lines: u32,
}

/// The rows of `text` after `header` in parts of about `every` bytes, each
/// starting where csv-core, reading the whole file, would start a row.
pub(crate) fn parts(text: &str, header: &Header, every: usize) -> Vec<Part> {
    let bytes = text.as_bytes();
    let (mut start, mut line) = (header.body, header.line);
    let ends = row_starts(bytes, header.body, every);
    let mut parts = Vec::with_capacity(ends.len() + 1);
    for end in ends.into_iter().chain([bytes.len()]) {
        let lines = memchr::memchr_iter(b'\n', &bytes[start..end]).count() as u32;
        parts.push(Part {
            start,
            end,
            line,
            lines,
        });
        (start, line) = (end, line + lines);
    }
    parts
}

/// Where rows start in `bytes` about every `every` bytes after `from` (a
/// row's start), as csv-core reads a file: after a line feed outside
/// quotes. A quote opens a quoted cell only where a cell starts (after a
/// comma or a line break); in one, two quotes are a quote and one quote
/// closes it; anywhere else a quote is text. One pass over the quotes (a
/// file without any is split at once).
fn row_starts(bytes: &[u8], from: usize, every: usize) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut target = from.saturating_add(every.max(1));
    // Line feeds before `scanned` have been looked at.
    let mut scanned = from;
    let mut quotes = memchr::memchr_iter(b'"', &bytes[from..]).map(|q| q + from);
    let mut quoted = false;
    loop {
        let quote = quotes.next();
        if !quoted {
            // Outside quotes up to the next quote: each line feed ends a row.
            let end = quote.unwrap_or(bytes.len());
            while target < end {
                let lo = target.max(scanned);
                let Some(nl) = memchr::memchr(b'\n', &bytes[lo..end]) else {
                    break;
                };
                let start = lo + nl + 1;
                if start >= bytes.len() {
                    return starts;
                }
                starts.push(start);
                target = start.saturating_add(every.max(1));
            }
            scanned = scanned.max(end);
        }
        let Some(q) = quote else {
            return starts;
        };
        if quoted {
            if bytes.get(q + 1) == Some(&b'"') {
                quotes.next(); // an escaped quote
            } else {
                quoted = false;
                scanned = q + 1;
            }
        } else if q == 0 || matches!(bytes[q - 1], b',' | b'\n' | b'\r') {
            quoted = true;
        }
    }
}

/// Where a quoted cell opens that is never closed, in the row at the start
/// of `row` (which runs on to the end of the file): the scan stops at the
/// row's end, so a row that is merely short costs only its own length.
fn unclosed_quote(row: &str) -> Option<usize> {
    let bytes = row.as_bytes();
    if !bytes.contains(&b'"') {
        return None;
    }
    let mut open: Option<usize> = None;
    let mut i = 0;
    let mut cell_start = true;
    while i < bytes.len() {
        let b = bytes[i];
        match open {
            Some(_) if b == b'"' && bytes.get(i + 1) == Some(&b'"') => i += 1,
            Some(_) if b == b'"' => {
                open = None;
                cell_start = false;
            }
            Some(_) => {}
            None if b == b'\n' => return None,
            None if b == b'"' && cell_start => open = Some(i),
            None => cell_start = matches!(b, b',' | b'\r'),
        }
        i += 1;
    }
    open
}

/// Read the rows of `part` of `ctx.source` (after `header`) as records of
/// `section`, calling `row` on each. Problems with a row's shape become
/// diagnostics.
// The hot loop over millions of rows, with its buffers, so nothing is
// allocated per row (docs/performance.md); problems are reported out of line.
pub(crate) fn read_part<'s>(
    ctx: &mut Ctx<'s>,
    section: &'static Section,
    header: &Header,
    part: &Part,
    mut row: impl FnMut(&mut Ctx<'s>, &Record<'_>),
) {
    let text = ctx.source;
    let file = ctx.file;
    let mut rows = Rows::of_part(text, part);
    let columns = &header.columns;
    let width = columns.len();

    let memo = FieldMemo::default();
    while let Some(found) = rows.next() {
        let Row {
            line,
            start: row_start,
            text: all,
            verbatim,
            suspect,
            cells: ranges,
        } = found;
        if ranges.len() == 1 && all.bytes().all(|b| b.is_ascii_whitespace()) {
            continue; // a blank line
        }
        let raw = (ranges.len() != width)
            .then(|| text.get(row_start..))
            .flatten();
        if let Some(at) = raw.and_then(unclosed_quote) {
            never_closed(ctx, &raw.unwrap_or_default()[..at], line);
            break;
        }
        if ranges.len() != width {
            wrong_width(ctx, line, width, ranges.len());
            continue;
        }
        let at = |index: usize, offset: usize| CellAt {
            line,
            row: row_start as u32,
            index: index as u32,
            offset: offset as u32,
            source: u32::MAX,
        };
        // Only a row with a byte a control character starts with is looked
        // at again; the cell is found only when there is one.
        if suspect && let Some(bad) = control_character(all.as_bytes()) {
            let index = ranges
                .iter()
                .position(|&(a, b)| (a..b).contains(&bad))
                .unwrap_or(0);
            let cell_start = ranges.get(index).map_or(0, |r| r.0);
            control_in_cell(ctx, &all[bad..], at(index, bad - cell_start));
            continue;
        }
        // The value of each field of the section, from its column.
        let mut values = [None; MAX_FIELDS];
        for (i, (&(a, b), &field)) in ranges.iter().zip(columns).enumerate() {
            let Some(value) = field.and_then(|f| values.get_mut(f)) else {
                continue;
            };
            let cell = &all[a..b];
            let text = trim(cell);
            if !text.is_empty() {
                let lead = text.as_ptr() as usize - cell.as_ptr() as usize;
                *value = Some(Val::Cell {
                    text,
                    at: CellAt {
                        source: if verbatim {
                            (row_start + a + lead) as u32
                        } else {
                            u32::MAX
                        },
                        ..at(i, lead)
                    },
                });
            }
        }
        let fields = section.fields;
        let values = &values[..fields.len().min(MAX_FIELDS)];
        let rec = Record::row(Loc::new(file, line, 1, 1), fields, values, &memo);
        row(ctx, &rec);
    }
}

/// A quote opened at the end of `before` (the row so far, from `line`) and
/// never closed: the rest of the file became one cell.
#[cold]
fn never_closed(ctx: &mut Ctx<'_>, before: &str, line: u32) {
    let down = before.matches('\n').count() as u32;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
    ctx.error(
        Code::CsvSyntax,
        Loc::new(ctx.file, line + down, col, 1),
        "this quote is never closed: the rest of the file was read as one cell",
    )
    .help = Some("close the quote (`\"…\"`), or remove it; a quote inside a quoted cell is written twice (`\"\"`)".into());
}

/// A row at `line` with `found` cells where the header has `width`.
#[cold]
fn wrong_width(ctx: &mut Ctx<'_>, line: u32, width: usize, found: usize) {
    ctx.error(
        Code::CsvSyntax,
        Loc::new(ctx.file, line, 1, 1),
        format!("expected {width} cells as in the header, found {found}"),
    )
    .help = Some("check for a missing or extra comma; quote cells that contain commas".into());
}

/// A control character at the start of `from`, in the cell `at`.
#[cold]
fn control_in_cell(ctx: &mut Ctx<'_>, from: &str, at: CellAt) {
    let c = from.chars().next().unwrap_or('\0');
    let loc = ctx.cell_loc(at, c.encode_utf8(&mut [0; 4]));
    ctx.error(
        Code::ControlCharacter,
        loc,
        format!("a cell holds the control character U+{:04X}", c as u32),
    )
    .help = Some("remove it: cells hold text (a spreadsheet export sometimes adds them)".into());
}
