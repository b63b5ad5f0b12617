//! CSV files of the tabular sections.
//!
//! The first row names the columns (fields of the section). Each later row is
//! a [`Record`]; an empty cell is an absent field, and a list is written with
//! spaces between items. Rows are read into one reused buffer: no per-row
//! allocation.

use csv::{ByteRecord, ReaderBuilder};

use crate::diagnostic::Code;
use crate::load::read::{Ctx, Record, Val};
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

    let filler = Val::Cell {
        text: "",
        loc: Loc::new(file, 1, 1, 1),
    };
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
        let mut raw = record
            .position()
            .and_then(|p| text.get(p.byte() as usize..))
            .unwrap_or("");
        while let Some(rest) = raw.strip_prefix(['\r', '\n']) {
            if raw.starts_with('\n') {
                line += 1;
            }
            raw = rest;
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
        let ascii = all.is_ascii();
        let chars = |s: &str| if ascii { s.len() } else { s.chars().count() } as u32;
        // With a quoted cell, columns come from the source, not the cells.
        let first_line = &raw[..memchr::memchr(b'\n', raw.as_bytes()).unwrap_or(raw.len())];
        let quoted = first_line
            .contains('"')
            .then(|| field_starts(raw, record.len()));
        let mut cells = [("", filler); MAX_COLUMNS];
        let mut n = 0;
        let mut next_col = 1u32;
        let mut bad = false;
        for (i, range) in (0..record.len())
            .filter_map(|i| record.range(i))
            .enumerate()
        {
            let text = &all[range];
            let (line, col) = match quoted.as_ref().and_then(|q| q.get(i)) {
                Some(&(down, at)) => (line + down, at),
                None => (line, next_col),
            };
            if let Some(at) = control_character(text) {
                let c = text[at..].chars().next().unwrap_or('\0');
                ctx.error(
                    Code::ControlCharacter,
                    Loc::new(file, line, col + chars(&text[..at]), 1),
                    format!("a cell holds the control character U+{:04X}", c as u32),
                )
                .help = Some(
                    "remove it: cells hold text (a spreadsheet export sometimes adds them)".into(),
                );
                bad = true;
                break;
            }
            let trimmed = trim(text);
            if let (Some(name), false) = (columns[i], trimmed.is_empty()) {
                let lead = if trimmed.len() == text.len() {
                    0
                } else {
                    chars(&text[..text.len() - text.trim_start().len()])
                };
                let loc = Loc::new(file, line, col + lead, chars(trimmed));
                cells[n] = (name, Val::Cell { text: trimmed, loc });
                n += 1;
            }
            next_col = col + chars(text) + 1;
        }
        if bad {
            continue;
        }
        let rec = Record::row(Loc::new(file, line, 1, 1), section.fields, &cells[..n]);
        row(ctx, &rec);
    }
}

/// Where each of the first `n` cells of the row starting at `raw` begins:
/// lines below the row's first, and the 1-based character column of its
/// text (after an opening quote). Quotes, doubled quotes inside them and
/// line breaks inside a quoted cell are counted as the source has them.
fn field_starts(raw: &str, n: usize) -> Vec<(u32, u32)> {
    let mut out = Vec::with_capacity(n);
    let (mut line, mut col) = (0u32, 1u32);
    let mut chars = raw.chars().peekable();
    while out.len() < n {
        if chars.peek() == Some(&'"') {
            chars.next();
            col += 1;
            out.push((line, col));
            loop {
                match chars.next() {
                    None => return out,
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        col += 2;
                    }
                    Some('"') => {
                        col += 1;
                        break;
                    }
                    Some('\n') => {
                        line += 1;
                        col = 1;
                    }
                    Some(_) => col += 1,
                }
            }
        } else {
            out.push((line, col));
        }
        // To the comma that ends the cell.
        loop {
            match chars.next() {
                None | Some('\n' | '\r') => return out,
                Some(',') => {
                    col += 1;
                    break;
                }
                Some(_) => col += 1,
            }
        }
    }
    out
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
        assert_eq!(field_starts("a,b,c\n", 3), [(0, 1), (0, 3), (0, 5)]);
        // `"x, y",z`: the quoted text starts at 2, `z` at 8.
        assert_eq!(field_starts("\"x, y\",z\n", 2), [(0, 2), (0, 8)]);
        // Doubled quotes count twice; the next cell starts after them.
        assert_eq!(field_starts("\"a \"\"b\"\"\",c", 2), [(0, 2), (0, 11)]);
        // A line break inside quotes moves the next cell down a line.
        assert_eq!(field_starts("\"one\ntwo\",z", 2), [(0, 2), (1, 6)]);
        assert_eq!(field_starts("Zoë,\"Ó'B\",x", 3), [(0, 1), (0, 6), (0, 11)]);
    }
}
