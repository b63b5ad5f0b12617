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
use crate::suggest::did_you_mean;

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
// Long: the hot loop over millions of rows is kept in one piece, with
// its buffers, so nothing is allocated per row (docs/performance.md).
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
            // The rest of the file became one cell: say where it began.
            let before = &raw.unwrap_or_default()[..at];
            let down = before.matches('\n').count() as u32;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
            ctx.error(
                Code::CsvSyntax,
                Loc::new(file, line + down, col, 1),
                "this quote is never closed: the rest of the file was read as one cell",
            )
            .help = Some("close the quote (`\"…\"`), or remove it; a quote inside a quoted cell is written twice (`\"\"`)".into());
            break;
        }
        if ranges.len() != width {
            ctx.error(
                Code::CsvSyntax,
                Loc::new(file, line, 1, 1),
                format!(
                    "expected {width} cells as in the header, found {}",
                    ranges.len()
                ),
            )
            .help =
                Some("check for a missing or extra comma; quote cells that contain commas".into());
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
            let c = all[bad..].chars().next().unwrap_or('\0');
            let loc = ctx.cell_loc(at(index, bad - cell_start), c.encode_utf8(&mut [0; 4]));
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

/// The rows of a CSV text, one at a time. A row written plainly (see
/// [`split_plain`]) is split where it lies: its cells are slices of the
/// file. Any other row goes through csv-core, which unquotes its cells
/// into a buffer (and reads a line break inside quotes as part of the
/// cell).
struct Rows<'t> {
    text: &'t str,
    /// Where the next row starts, and its line.
    pos: usize,
    line: u32,
    /// The bytes that matter, found ahead of the rows that need them.
    specials: Specials<'t>,
    /// Made for the first row that needs it (most files' rows are plain:
    /// making one costs as much as reading a few hundred rows).
    core: Option<csv_core::Reader>,
    /// csv-core's output: the unquoted cells, and where each ends.
    out: Vec<u8>,
    ends: Vec<usize>,
    /// The current row's cells, as byte ranges of its text.
    cells: Vec<(usize, usize)>,
}

/// One row: where it starts, its text, and its cells as ranges of it.
struct Row<'r> {
    line: u32,
    /// Byte offset of the row in the file.
    start: usize,
    /// The row as written (`verbatim`) or its unquoted cells one after
    /// another.
    text: &'r str,
    verbatim: bool,
    /// Whether the row has a byte a control character starts with (so
    /// that the others are not looked at again).
    suspect: bool,
    cells: &'r [(usize, usize)],
}

impl<'t> Rows<'t> {
    fn new(text: &'t str) -> Self {
        Rows {
            text,
            pos: 0,
            line: 1,
            specials: Specials::new(text.as_bytes()),
            core: None,
            out: vec![0; 1024],
            ends: vec![0; MAX_COLUMNS],
            cells: Vec::with_capacity(MAX_COLUMNS),
        }
    }

    /// The rows of `part` of `text`: they stop where the next part starts
    /// (which starts a row).
    fn of_part(text: &'t str, part: &Part) -> Self {
        Rows {
            pos: part.start,
            line: part.line,
            ..Rows::new(&text[..part.end])
        }
    }

    fn next(&mut self) -> Option<Row<'_>> {
        let bytes = self.text.as_bytes();
        // Empty lines are no rows (as csv-core reads them).
        while let Some(&b) = bytes.get(self.pos).filter(|b| matches!(b, b'\r' | b'\n')) {
            self.line += u32::from(b == b'\n');
            self.pos += 1;
        }
        if self.pos >= bytes.len() {
            return None;
        }
        let (start, line) = (self.pos, self.line);
        self.cells.clear();
        self.specials.seek(start);
        if let Some(plain) = split_plain(bytes, start, &mut self.specials, &mut self.cells) {
            self.pos = plain.next;
            self.line += u32::from(plain.next > plain.end);
            return Some(Row {
                line,
                start,
                text: &self.text[start..plain.end],
                verbatim: true,
                suspect: plain.suspect,
                cells: &self.cells,
            });
        }
        self.cells.clear();
        let rest = &bytes[start..];
        let (used, fields) = self.quoted(rest);
        self.pos = start + used;
        self.line += memchr::memchr_iter(b'\n', &rest[..used]).count() as u32;
        let text =
            std::str::from_utf8(&self.out[..self.ends[..fields].last().copied().unwrap_or(0)])
                .unwrap_or("");
        let mut from = 0;
        for &to in &self.ends[..fields] {
            self.cells.push((from, to.min(text.len())));
            from = to.min(text.len());
        }
        Some(Row {
            line,
            start,
            text,
            verbatim: false,
            suspect: true,
            cells: &self.cells,
        })
    }

    /// One row through csv-core: the bytes it used (its line end too) and
    /// its number of cells.
    fn quoted(&mut self, input: &[u8]) -> (usize, usize) {
        use csv_core::ReadRecordResult as R;
        let core = self.core.get_or_insert_with(csv_core::Reader::new);
        core.reset();
        let (mut used, mut written, mut fields) = (0, 0, 0);
        loop {
            let (result, i, o, e) = core.read_record(
                &input[used..],
                &mut self.out[written..],
                &mut self.ends[fields..],
            );
            (used, written, fields) = (used + i, written + o, fields + e);
            match result {
                // All the input was read: the end of the file ends the row.
                R::InputEmpty => {
                    if fields + 1 >= self.ends.len() {
                        self.ends.resize(self.ends.len() * 2, 0);
                    }
                    let (_, _, _, e) =
                        core.read_record(&[], &mut self.out[written..], &mut self.ends[fields..]);
                    fields += e;
                    break;
                }
                R::OutputFull => self.out.resize(self.out.len() * 2, 0),
                R::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                R::Record | R::End => break,
            }
        }
        // A row ended by `\r` owns the `\n` after it.
        if input[..used].ends_with(b"\r") && input.get(used) == Some(&b'\n') {
            used += 1;
        }
        // Always a step forward, whatever the input.
        (used.max(1), fields)
    }
}

/// A row written plainly, split by [`split_plain`].
struct Plain {
    /// Where the row's text ends, and where the next row starts (after
    /// its line break).
    end: usize,
    next: usize,
    /// Whether it has a byte a control character starts with.
    suspect: bool,
}

/// Split the row starting at `start` of `text`, if it is written plainly,
/// into its cells, as ranges of the row: cells without quotes, and quoted
/// cells with no quote or line break inside (the usual spreadsheet export:
/// `p1,"Ó Súilleabháin, Tomás",…`), whose text is then the slice between
/// the quotes. `specials` must be at `start`. `None` (cells left partial)
/// for anything else — a doubled quote, a quote inside a cell, text after
/// a closing quote, a carriage return not before a line feed, a line
/// break inside quotes, a quote left open — which csv-core reads instead.
fn split_plain(
    text: &[u8],
    start: usize,
    specials: &mut Specials<'_>,
    cells: &mut Vec<(usize, usize)>,
) -> Option<Plain> {
    let mut suspect = false;
    // The row, given the line break found at `at`.
    let row_end = |at: usize, suspect: bool| {
        let next = match text[at] {
            b'\n' => at + 1,
            b'\r' if text.get(at + 1) == Some(&b'\n') => at + 2,
            _ => return None,
        };
        Some(Plain {
            end: at,
            next,
            suspect,
        })
    };
    let mut cell = start;
    loop {
        if text.get(cell) == Some(&b'"') {
            let close = loop {
                let at = specials.next()?;
                match text[at] {
                    b'"' if at > cell => break at,
                    b'\n' => return None,
                    b if !csv_byte(b) => suspect = true,
                    _ => {}
                }
            };
            cells.push((cell + 1 - start, close - start));
            match text.get(close + 1) {
                None => {
                    let end = close + 1;
                    return Some(Plain {
                        end,
                        next: end,
                        suspect,
                    });
                }
                Some(b',') => {
                    specials.next();
                    cell = close + 2;
                }
                Some(_) => return row_end(close + 1, suspect),
            }
        } else {
            let at = loop {
                match specials.next() {
                    Some(at) if !csv_byte(text[at]) => suspect = true,
                    found => break found,
                }
            };
            match at {
                None => {
                    cells.push((cell - start, text.len() - start));
                    let end = text.len();
                    return Some(Plain {
                        end,
                        next: end,
                        suspect,
                    });
                }
                Some(at) if text[at] == b',' => {
                    cells.push((cell - start, at - start));
                    cell = at + 1;
                }
                Some(at) => {
                    cells.push((cell - start, at - start));
                    return row_end(at, suspect);
                }
            }
        }
    }
}

/// Whether a byte [`Specials`] finds is one CSV itself uses (the others
/// may start a control character).
fn csv_byte(b: u8) -> bool {
    matches!(b, b',' | b'"' | b'\r' | b'\n')
}

/// The positions of the bytes that matter to a row — comma, quote,
/// carriage return, line feed, and the bytes a control character starts
/// with — in order, from where it was put ([`Specials::seek`]). Sixty-four
/// bytes are looked at side by side into a mask of one bit each (the
/// compiler makes vector compares of [`special_bytes`]); a row's cells are
/// short, so one search per cell would cost more than the search.
struct Specials<'b> {
    bytes: &'b [u8],
    /// Where the block of `found` starts.
    base: usize,
    /// One bit for each special byte of the block not yet taken.
    found: u64,
}

impl<'b> Specials<'b> {
    fn new(bytes: &'b [u8]) -> Self {
        Specials {
            bytes,
            base: 0,
            found: special_bytes(bytes),
        }
    }

    /// Go on from `at`: the special bytes before it are passed over.
    fn seek(&mut self, at: usize) {
        match at.checked_sub(self.base) {
            Some(ahead) if ahead < 64 => self.found &= u64::MAX << ahead,
            _ => self.load(at),
        }
    }

    fn load(&mut self, at: usize) {
        self.base = at;
        self.found = special_bytes(self.bytes.get(at..).unwrap_or_default());
    }
}

impl Iterator for Specials<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        while self.found == 0 {
            let next = self.base + 64;
            if next >= self.bytes.len() {
                return None;
            }
            self.load(next);
        }
        let at = self.base + self.found.trailing_zeros() as usize;
        self.found &= self.found - 1;
        Some(at)
    }
}

/// Which of the first 64 bytes of `bytes` matter to a row (see
/// [`Specials`]): bit `i` for byte `i`.
fn special_bytes(bytes: &[u8]) -> u64 {
    let block = match bytes.first_chunk::<64>() {
        Some(block) => *block,
        // The last bytes, padded with spaces (which do not matter).
        None => {
            let mut block = [b' '; 64];
            block[..bytes.len()].copy_from_slice(bytes);
            block
        }
    };
    let hits: [u8; 64] = std::array::from_fn(|i| {
        let b = block[i];
        u8::from(b == b',' || b == b'"' || (b < 0x20 && b != b'\t') || b == 0x7f || b == 0xc2)
    });
    // Eight 0-or-1 bytes to eight bits by one multiplication: byte `i`
    // lands on bit 56 + `i`, and no two products overlap.
    let mut mask = 0;
    for (k, eight) in hits.chunks_exact(8).enumerate() {
        let word = u64::from_le_bytes(eight.try_into().unwrap_or_default());
        mask |= (word.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    mask
}

/// The byte offset of the first control character in a cell (a line
/// break or tab is text; NUL, escape, DEL and the C1 controls are not).
fn control_character(bytes: &[u8]) -> Option<usize> {
    // First a pass that the compiler vectorizes (no early exit): almost
    // every row has none of the bytes a control character starts with.
    let suspect =
        |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) | (b == 0x7f) | (b == 0xc2);
    if !bytes
        .chunks(64)
        .any(|chunk| chunk.iter().fold(false, |any, &b| any | suspect(b)))
    {
        return None;
    }
    bytes.iter().enumerate().position(|(i, &b)| {
        (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
            || b == 0x7f
            || (b == 0xc2 && bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)))
    })
}

/// Report the required columns the header lacks; `false` if any.
fn required_columns(
    ctx: &mut Ctx<'_>,
    section: &'static Section,
    columns: &[Option<usize>],
) -> bool {
    let file = ctx.file;
    let missing: Vec<_> = section
        .fields
        .iter()
        .enumerate()
        .filter(|&(i, f)| f.required && !columns.contains(&Some(i)))
        .map(|(_, f)| f)
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

/// Map header cells to the positions of their fields in the section;
/// report unknown, repeated and missing required columns. `None` when rows
/// cannot be read at all.
fn header_columns(
    ctx: &mut Ctx<'_>,
    section: &'static Section,
    header: &[&str],
) -> Option<Vec<Option<usize>>> {
    let file = ctx.file;
    let mut columns = Vec::with_capacity(header.len());
    // Fields already seen and repeated (a section has a few), and the
    // first unknown columns: a header of a million cells is linear.
    let mut seen = vec![false; section.fields.len()];
    let mut repeated = vec![false; section.fields.len()];
    let mut unknown: Vec<(String, Loc)> = Vec::new();
    let mut unknown_count = 0usize;
    let mut col = 1u32;
    for raw in header {
        let name = raw.trim();
        let loc = Loc::new(file, 1, col, name.chars().count() as u32);
        col = col.saturating_add(raw.chars().count() as u32 + 1);
        match section.fields.iter().position(|f| f.name == name) {
            Some(f) if seen[f] => {
                if !repeated[f] {
                    repeated[f] = true;
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
                seen[f] = true;
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
    use crate::load::read::cell_start;
    use proptest::prelude::*;

    #[test]
    fn an_unclosed_quote_is_found_where_it_opens() {
        assert_eq!(unclosed_quote("a,\"b,c\nd,e"), Some(2));
        assert_eq!(unclosed_quote("a,b\nc,\"d"), None, "only its own row");
        assert_eq!(unclosed_quote("a,\"b\"\"c\",d"), None);
        assert_eq!(
            unclosed_quote("a,b\"c,d"),
            None,
            "a quote inside a cell opens nothing"
        );
        assert_eq!(unclosed_quote("plain,row"), None);
    }

    /// Every row as (line, cells), read by [`Rows`].
    fn ours(text: &str) -> Vec<(u32, Vec<String>)> {
        let mut rows = Rows::new(text);
        let mut out = Vec::new();
        while let Some(row) = rows.next() {
            // A row's line is the line its first byte is on.
            let before = &text.as_bytes()[..row.start];
            assert_eq!(
                row.line as usize,
                1 + before.iter().filter(|&&b| b == b'\n').count()
            );
            if row.verbatim {
                assert!(text[row.start..].starts_with(row.text));
            }
            // A row with a control character is never passed over.
            if control_character(row.text.as_bytes()).is_some() {
                assert!(row.suspect, "{text:?}");
            }
            out.push((row.line, cells_of(&row)));
        }
        out
    }

    /// Every row's cells as the csv crate reads them.
    fn theirs(text: &str) -> Vec<Vec<String>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut record = csv::ByteRecord::new();
        let mut out = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            out.push(
                record
                    .iter()
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect(),
            );
        }
        out
    }

    /// Up to `pieces` pieces of CSV, each a cell's text or the quotes,
    /// commas and line breaks between them, in any order.
    fn csv_text(pieces: usize) -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "a",
            "bb",
            "Zoë",
            " ",
            ",",
            "\"",
            "\"\"",
            "\n",
            "\r\n",
            "\r",
            "x y",
            "2022-01-18",
            "\t",
            "\u{1b}",
            "\u{85}",
            "£",
        ]);
        prop::collection::vec(piece, 0..pieces).prop_map(|p| p.concat())
    }

    fn agree(text: &str) {
        let cells: Vec<Vec<String>> = ours(text).into_iter().map(|(_, c)| c).collect();
        assert_eq!(cells, theirs(text), "{text:?}");
    }

    #[test]
    fn rows_are_read_as_the_csv_crate_reads_them() {
        for text in [
            "",
            "a,b,c\n1,2,3\n",
            "a,b\r\n1,2\r\n\r\n3,4",
            "a,\"b, c\",d\n\"x \"\"y\"\"\",z,\n",
            "\"multi\nline\",x\r\nnext,row\n",
            "\n\n a , b \n,\n",
            "name,\"Zoë Ó'Brien\"\n\"unclosed,all\n",
            "a\"b,c\n\"q\"tail,d\n",
            "lone\rreturn,x\n",
            "\"\"\n\"\",\n",
            // Quoted cells read where they lie, and the rows that are not.
            "p1,\"Ó Súilleabháin, Tomás\",x@y.org\r\n\"a\",\"\",b,\"\"\n",
            "\"a\"\"b\",c\n\"a\" ,b\n a,\"b\"\n\"in\rside\",x\n\"open,\r\n",
            // Control characters, plain and quoted (each row must be marked).
            "x\u{1b}y,z\na,\"\u{1b}\",\n\"q\u{85}\",r\r\ntab\there,\u{7f}\n",
        ] {
            agree(text);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn random_csv_is_read_as_the_csv_crate_reads_it(text in csv_text(40)) {
            agree(&text);
        }
    }

    /// Every row as (line, cells), read part by part as [`parts`] splits
    /// the text after its first row, the first row read whole.
    fn in_parts(text: &str, every: usize) -> Vec<(u32, Vec<String>)> {
        let mut rows = Rows::new(text);
        let Some(first) = rows.next() else {
            return Vec::new();
        };
        let mut out = vec![(first.line, cells_of(&first))];
        let header = Header {
            columns: Vec::new(),
            body: rows.pos,
            line: rows.line,
        };
        let parts = parts(text, &header, every);
        for pair in parts.windows(2) {
            assert!(pair[0].end == pair[1].start && pair[0].start < pair[0].end);
        }
        for part in parts {
            let mut rows = Rows::of_part(text, &part);
            while let Some(row) = rows.next() {
                out.push((row.line, cells_of(&row)));
            }
        }
        out
    }

    fn cells_of(row: &Row<'_>) -> Vec<String> {
        row.cells
            .iter()
            .map(|&(a, b)| row.text[a..b].to_owned())
            .collect()
    }

    #[test]
    fn parts_start_where_rows_start() {
        for text in [
            "h\n\"a\nb\",c\nd\n\"\"\"\n\"\ne\n",
            "h\nx\"y\nz\n\"q\"\"\n\n\"\nw\n",
            "h\r\n\"a\"b\"\nc\"\n\rd,\"\n\"\n\n\nlast",
        ] {
            for every in 1..text.len() + 2 {
                assert_eq!(in_parts(text, every), ours(text), "{text:?} every {every}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Read in parts of any size, any text gives the rows (and lines)
        /// it gives read whole: each part starts where a row starts.
        #[test]
        fn random_csv_read_in_parts_is_read_as_a_whole(
            text in csv_text(60),
            every in 1usize..24,
        ) {
            prop_assert_eq!(in_parts(&text, every), ours(&text));
        }
    }

    #[test]
    fn every_tabular_section_fits_a_row() {
        for section in crate::schema::TabularSection::ALL {
            assert!(section.section().fields.len() <= MAX_FIELDS, "{section:?}");
        }
    }

    #[test]
    fn special_bytes_are_found_exactly() {
        let matters = |b: u8| matches!(b, b',' | b'"' | 0x7f | 0xc2) || (b < 0x20 && b != b'\t');
        for b in 0..=255u8 {
            for len in [1, 7, 8, 9, 63, 64, 100] {
                for at in [0, len / 2, len - 1] {
                    for fill in [b'a', 0x80, 0xff, b.wrapping_add(1), b.wrapping_sub(1)] {
                        let mut bytes = vec![fill; len];
                        bytes[at] = b;
                        let want = (0..len.min(64))
                            .filter(|&i| matters(bytes[i]))
                            .fold(0u64, |m, i| m | 1 << i);
                        assert_eq!(special_bytes(&bytes), want, "{bytes:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn control_characters_are_found_wherever_they_are() {
        let long = "x".repeat(100);
        for (text, at) in [
            ("plain, text\twith tab\r\n", None),
            ("£5 and © 2022", None),
            ("a\0b", Some(1)),
            ("esc\x1b", Some(3)),
            ("del\x7f", Some(3)),
            ("next line \u{85}", Some(10)),
            ("£\u{9f}", Some(2)),
        ] {
            assert_eq!(control_character(text.as_bytes()), at, "{text:?}");
            // The same past the first block of 64 bytes.
            let far = format!("{long}{text}");
            let want = at.map(|a| a + long.len());
            assert_eq!(control_character(far.as_bytes()), want, "{far:?}");
        }
    }

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
