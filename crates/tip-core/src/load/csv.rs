//! CSV files of the tabular sections.
//!
//! The first row names the columns (fields of the section). Each later row is
//! a [`Record`]; an empty cell is an absent field, and a list is written with
//! spaces between items. Rows are read into one reused buffer: no per-row
//! allocation.

use csv::{ByteRecord, ReaderBuilder};

use crate::diagnostic::Code;
use crate::load::read::{Cell, CellAt, Ctx, Record};
use crate::loc::Loc;
use crate::schema::Section;
use crate::suggest::did_you_mean;

/// The most columns a row may have that we keep (every tabular section has fewer).
const MAX_COLUMNS: usize = 16;

/// Read every row of `ctx.source` as a record of `section`, calling `row`
/// on each. Problems with the header or a row's shape become diagnostics.
// Long: the hot loop over millions of rows is kept in one piece, with
// its buffers, so nothing is allocated per row (docs/performance.md).
pub(crate) fn read_rows<'s>(
    ctx: &mut Ctx<'s>,
    section: &'static crate::schema::Section,
    mut row: impl FnMut(&mut Ctx<'s>, &Record<'_>),
) {
    let text = ctx.source;
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = ByteRecord::new();
    let file = ctx.file;

    // The header: which field each column holds.
    let header = match reader.read_byte_record(&mut record) {
        Ok(true) => record.clone(),
        Ok(false) => return,
        Err(e) => return csv_error(ctx, &e),
    };
    let Some(columns) = header_columns(ctx, section, &header) else {
        return;
    };
    let width = header.len();

    let empty = Cell {
        name: "",
        start: 0,
        end: 0,
        index: 0,
        lead: 0,
    };
    let mut cells = [empty; MAX_COLUMNS];
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                csv_error(ctx, &e);
                // The csv reader cannot resynchronise inside a broken quote.
                break;
            }
        }
        // In a CRLF file the reader's position is the `\n` ending the line
        // before: step over line ends to the record itself.
        let mut line = record.position().map_or(0, |p| p.line() as u32);
        let mut row_start = record.position().map_or(0, |p| p.byte() as usize);
        while let Some(&b) = text
            .as_bytes()
            .get(row_start)
            .filter(|b| matches!(b, b'\r' | b'\n'))
        {
            line += u32::from(b == b'\n');
            row_start += 1;
        }
        if record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace) {
            continue; // a blank line
        }
        if record.len() != width {
            ctx.error(
                Code::CsvSyntax,
                Loc::new(file, line, 1, 1),
                format!(
                    "expected {width} cells as in the header, found {}",
                    record.len()
                ),
            )
            .help =
                Some("check for a missing or extra comma; quote cells that contain commas".into());
            continue;
        }
        // The whole file is UTF-8; check the row once and slice its cells.
        let Ok(all) = std::str::from_utf8(record.as_slice()) else {
            continue;
        };
        let at = |index: usize, offset: usize| CellAt {
            line,
            row: row_start as u32,
            index: index as u32,
            offset: offset as u32,
            source: u32::MAX,
        };
        // One pass over the row; the cell is found only when there is one.
        if let Some(bad) = control_character(all) {
            let index = (0..record.len())
                .position(|i| record.range(i).is_some_and(|r| r.contains(&bad)))
                .unwrap_or(0);
            let cell_start = record.range(index).map_or(0, |r| r.start);
            let c = all[bad..].chars().next().unwrap_or('\0');
            let loc = ctx.cell_loc(at(index, bad - cell_start), &all[bad..bad + c.len_utf8()]);
            ctx.error(
                Code::ControlCharacter,
                loc,
                format!("a cell holds the control character U+{:04X}", c as u32),
            )
            .help = Some(
                "remove it: cells hold text (a spreadsheet export sometimes adds them)".into(),
            );
            continue;
        }
        let mut n = 0;
        for (i, range) in (0..record.len())
            .filter_map(|i| record.range(i))
            .enumerate()
        {
            let text = &all[range.clone()];
            let trimmed = trim(text);
            if let (Some(name), false) = (columns[i], trimmed.is_empty()) {
                let lead = trimmed.as_ptr() as usize - text.as_ptr() as usize;
                let start = range.start + lead;
                cells[n] = Cell {
                    name,
                    start: start as u32,
                    end: (start + trimmed.len()) as u32,
                    index: i as u32,
                    lead: lead as u32,
                };
                n += 1;
            }
        }
        // A row with no quote is its cells with a comma between each.
        let written = row_start..row_start + all.len() + record.len() - 1;
        let verbatim = text
            .as_bytes()
            .get(written)
            .is_some_and(|raw| memchr::memchr(b'"', raw).is_none());
        let rec = Record::row(
            Loc::new(file, line, 1, 1),
            (row_start as u32, verbatim),
            section.fields,
            all,
            &cells[..n],
        );
        row(ctx, &rec);
    }
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

/// The byte offset of the first control character in a cell (a line
/// break or tab is text; NUL, escape, DEL and the C1 controls are not).
fn control_character(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().position(|(i, &b)| {
        (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
            || b == 0x7f
            || (b == 0xc2 && bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)))
    })
}

/// `str::trim`, without its cost when there is nothing to trim (the
/// common case).
fn trim(s: &str) -> &str {
    let untrimmed = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_whitespace() || !b.is_ascii());
    if untrimmed(s.as_bytes().first()) || untrimmed(s.as_bytes().last()) {
        s.trim()
    } else {
        s
    }
}

fn csv_error(ctx: &mut Ctx<'_>, e: &csv::Error) {
    let line = e.position().map_or(1, |p| p.line() as u32);
    let file = ctx.file;
    ctx.error(
        Code::CsvSyntax,
        Loc::new(file, line, 1, 1),
        format!("malformed CSV: {e}"),
    )
    .help = Some(
        "a quoted cell must end with a closing `\"`; double a quote inside a quoted cell".into(),
    );
}

/// Report the required columns the header lacks; `false` if any.
fn required_columns(
    ctx: &mut Ctx<'_>,
    section: &'static Section,
    columns: &[Option<&'static str>],
) -> bool {
    let file = ctx.file;
    let missing: Vec<_> = section
        .fields
        .iter()
        .filter(|f| f.required && !columns.contains(&Some(f.name)))
        .map(|f| f.name)
        .collect();
    if !missing.is_empty() {
        let list: Vec<_> = missing.iter().map(|m| format!("`{m}`")).collect();
        ctx.error(
            Code::MissingField,
            Loc::new(file, 1, 1, 1),
            format!(
                "the header lacks the required column{} {}",
                if missing.len() > 1 { "s" } else { "" },
                list.join(", ")
            ),
        )
        .help = Some(format!(
            "the first row names the columns, e.g. `{}`",
            section
                .fields
                .iter()
                .filter(|f| f.required)
                .map(|f| f.name)
                .collect::<Vec<_>>()
                .join(",")
        ));
        return false;
    }
    true
}

/// The most unknown columns named one by one; more are listed in one
/// diagnostic.
const MAX_UNKNOWN_LISTED: usize = 5;

/// Report unknown columns: each with its own "did you mean" when there are
/// a few, or one diagnostic listing the first of many.
fn unknown_columns(
    ctx: &mut Ctx<'_>,
    section: &'static Section,
    unknown: &[(String, Loc)],
    count: usize,
) {
    let columns = || {
        let names: Vec<_> = section
            .fields
            .iter()
            .map(|f| format!("`{}`", f.name))
            .collect();
        format!(
            "`{}` files have the columns {}",
            section.name,
            names.join(", ")
        )
    };
    if count <= 3 {
        for (name, loc) in unknown {
            let help =
                did_you_mean(name, section.fields.iter().map(|f| f.name)).unwrap_or_else(columns);
            ctx.error(
                Code::UnknownColumn,
                *loc,
                format!("unknown column `{name}` in a `{}` file", section.name),
            )
            .help = Some(help);
        }
    } else if let Some((_, first)) = unknown.first() {
        let names: Vec<_> = unknown.iter().map(|(n, _)| format!("`{n}`")).collect();
        ctx.error(
            Code::UnknownColumn,
            *first,
            format!(
                "{} unknown columns in a `{}` file: {} and {} more",
                crate::words::thousands(count as u64),
                section.name,
                names.join(", "),
                crate::words::thousands((count - unknown.len()) as u64)
            ),
        )
        .help = Some(columns());
    }
}

/// Map header cells to field names; report unknown, repeated and missing
/// required columns. `None` when rows cannot be read at all.
fn header_columns(
    ctx: &mut Ctx<'_>,
    section: &'static Section,
    header: &ByteRecord,
) -> Option<Vec<Option<&'static str>>> {
    let file = ctx.file;
    let mut columns = Vec::with_capacity(header.len());
    // Fields already seen, and the unknown columns: both checked in
    // constant time per column, so a header of a million cells is linear.
    let mut seen: Vec<&'static str> = Vec::new();
    let mut repeated: Vec<&'static str> = Vec::new();
    let mut unknown: Vec<(String, Loc)> = Vec::new();
    let mut unknown_count = 0usize;
    let mut col = 1u32;
    for raw in header.iter() {
        let name = String::from_utf8_lossy(raw);
        let name = name.trim();
        let loc = Loc::new(file, 1, col, name.chars().count() as u32);
        col = col.saturating_add(String::from_utf8_lossy(raw).chars().count() as u32 + 1);
        let field = section
            .fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.name);
        match field {
            Some(f) if seen.contains(&f) => {
                if !repeated.contains(&f) {
                    repeated.push(f);
                    ctx.error(
                        Code::CsvSyntax,
                        loc,
                        format!("the column `{name}` appears twice"),
                    )
                    .help = Some("keep one column of each name".into());
                }
                columns.push(None);
            }
            Some(f) => {
                seen.push(f);
                columns.push(Some(f));
            }
            None => {
                unknown_count += 1;
                if unknown.len() < MAX_UNKNOWN_LISTED {
                    unknown.push((crate::diagnostic::shorten(name, 40), loc));
                }
                columns.push(None);
            }
        }
    }
    unknown_columns(ctx, section, &unknown, unknown_count);
    if !required_columns(ctx, section, &columns) {
        return None;
    }
    if columns.len() > MAX_COLUMNS {
        ctx.error(
            Code::CsvSyntax,
            Loc::new(file, 1, 1, 1),
            format!(
                "expected at most {MAX_COLUMNS} columns, found {}",
                columns.len()
            ),
        );
        return None;
    }
    Some(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_start_where_the_source_has_them() {
        let starts = |raw: &str, n: usize| -> Vec<(u32, u32)> {
            (0..n)
                .map(|i| cell_start(raw, i))
                .map(|(l, c, _)| (l, c))
                .collect()
        };
        assert_eq!(starts("a,b,c\n", 3), [(0, 1), (0, 3), (0, 5)]);
        // `"x, y",z`: the quoted text starts at 2, `z` at 8.
        assert_eq!(starts("\"x, y\",z\n", 2), [(0, 2), (0, 8)]);
        // Doubled quotes count twice; the next cell starts after them.
        assert_eq!(starts("\"a \"\"b\"\"\",c", 2), [(0, 2), (0, 11)]);
        // A line break inside quotes moves the next cell down a line.
        assert_eq!(starts("\"one\ntwo\",z", 2), [(0, 2), (1, 6)]);
        assert_eq!(starts("Zoë,\"Ó'B\",x", 3), [(0, 1), (0, 6), (0, 11)]);
        // Byte offsets point at the cell's text.
        assert_eq!(cell_start("Zoë,\"Ó'B\",x", 1).2, 6);
        assert_eq!(cell_start("Zoë,\"Ó'B\",x", 2).2, 12);
    }
}
