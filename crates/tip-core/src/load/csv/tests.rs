//! Reading CSV: headers, quoting, parts and damaged rows.

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
