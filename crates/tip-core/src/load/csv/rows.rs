//! Splitting a part of a CSV file into rows and cells, quoted or plain,
//! into one reused buffer.

use super::{MAX_COLUMNS, Part};

/// The rows of a CSV text, one at a time. A row written plainly (see
/// [`split_plain`]) is split where it lies: its cells are slices of the
/// file. Any other row goes through csv-core, which unquotes its cells
/// into a buffer (and reads a line break inside quotes as part of the
/// cell).
pub(super) struct Rows<'t> {
    pub(super) text: &'t str,
    /// Where the next row starts, and its line.
    pub(super) pos: usize,
    pub(super) line: u32,
    /// The bytes that matter, found ahead of the rows that need them.
    specials: Specials<'t>,
    /// Made for the first row that needs it (most files' rows are plain:
    /// making one costs as much as reading a few hundred rows).
    core: Option<csv_core::Reader>,
    /// csv-core's output: the unquoted cells, and where each ends.
    out: Vec<u8>,
    ends: Vec<usize>,
    /// The current row's cells, as byte ranges of its text.
    pub(super) cells: Vec<(usize, usize)>,
}

/// One row: where it starts, its text, and its cells as ranges of it.
pub(super) struct Row<'r> {
    pub(super) line: u32,
    /// Byte offset of the row in the file.
    pub(super) start: usize,
    /// The row as written (`verbatim`) or its unquoted cells one after
    /// another.
    pub(super) text: &'r str,
    pub(super) verbatim: bool,
    /// Whether the row has a byte a control character starts with (so
    /// that the others are not looked at again).
    pub(super) suspect: bool,
    pub(super) cells: &'r [(usize, usize)],
}

impl<'t> Rows<'t> {
    pub(super) fn new(text: &'t str) -> Self {
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
    pub(super) fn of_part(text: &'t str, part: &Part) -> Self {
        Rows {
            pos: part.start,
            line: part.line,
            ..Rows::new(&text[..part.end])
        }
    }

    pub(super) fn next(&mut self) -> Option<Row<'_>> {
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
pub(super) struct Plain {
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
pub(super) fn split_plain(
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
pub(super) fn csv_byte(b: u8) -> bool {
    matches!(b, b',' | b'"' | b'\r' | b'\n')
}

/// The positions of the bytes that matter to a row — comma, quote,
/// carriage return, line feed, and the bytes a control character starts
/// with — in order, from where it was put ([`Specials::seek`]). Sixty-four
/// bytes are looked at side by side into a mask of one bit each (the
/// compiler makes vector compares of [`special_bytes`]); a row's cells are
/// short, so one search per cell would cost more than the search.
pub(super) struct Specials<'b> {
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
pub(super) fn special_bytes(bytes: &[u8]) -> u64 {
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
pub(super) fn control_character(bytes: &[u8]) -> Option<usize> {
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
