//! Setting a line of text: bidirectional order, a font for every
//! character from a chain of fonts, and shaping with the font's OpenType
//! tables.
//!
//! A line is split into the runs of the Unicode bidirectional algorithm
//! (`unicode-bidi`), each run into pieces set in the first font of the chain
//! that has their characters, and each piece is shaped by rustybuzz (joined
//! Arabic, positioned marks, kerning) in its direction. The result is a row
//! of pieces in visual order with measured advances, drawn by krilla.

use std::ops::Range;
use std::sync::Arc;

use krilla::text::{Font, GlyphId, KrillaGlyph};
use rustybuzz::{Direction, UnicodeBuffer};
use unicode_bidi::BidiInfo;

/// One font of a chain: the bytes, krilla's handle and which characters
/// it has.
#[derive(Clone)]
pub(crate) struct Face {
    data: Arc<Vec<u8>>,
    pub(crate) font: Font,
    /// Bit `c` is set when the font maps character `c` to a glyph.
    covers: Arc<Vec<u64>>,
    units_per_em: f32,
}

impl Face {
    /// Read a TrueType/OpenType font; `None` when it is not one.
    pub(crate) fn new(bytes: Vec<u8>) -> Option<Face> {
        let face = rustybuzz::Face::from_slice(&bytes, 0)?;
        let mut covers = vec![0u64; 0x11_0000 / 64];
        if let Some(cmap) = face.tables().cmap {
            for table in cmap.subtables.into_iter().filter(|t| t.is_unicode()) {
                table.codepoints(|c| {
                    if table.glyph_index(c).is_some_and(|g| g.0 != 0) && c < 0x11_0000 {
                        covers[c as usize / 64] |= 1 << (c % 64);
                    }
                });
            }
        }
        let units_per_em = face.units_per_em() as f32;
        let data = Arc::new(bytes);
        let font = Font::new(krilla::Data::from(data.clone()), 0)?;
        Some(Face {
            data,
            font,
            covers: Arc::new(covers),
            units_per_em,
        })
    }

    /// The same font, no longer chosen for the characters of `ranges` (so
    /// that a later font of the chain, made for them, sets them).
    pub(crate) fn without(mut self, ranges: &[std::ops::RangeInclusive<u32>]) -> Face {
        let covers = Arc::make_mut(&mut self.covers);
        for c in ranges.iter().flat_map(|r| r.clone()) {
            covers[c as usize / 64] &= !(1 << (c % 64));
        }
        self
    }

    /// Whether the font draws `c`.
    pub(crate) fn covers(&self, c: char) -> bool {
        let c = c as usize;
        self.covers[c / 64] & (1 << (c % 64)) != 0
    }
}

/// Characters every line may hold without a glyph of their own: spaces and
/// invisible format characters (direction marks, joiners).
fn needs_no_glyph(c: char) -> bool {
    c.is_whitespace()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The characters of `text` that no font of `chain` draws, each once.
pub(crate) fn uncovered(chain: &[Face], text: &str) -> Vec<char> {
    let mut out: Vec<char> = Vec::new();
    for c in text.chars() {
        if !needs_no_glyph(c)
            && !c.is_control()
            && !chain.iter().any(|f| f.covers(c))
            && !out.contains(&c)
        {
            out.push(c);
        }
    }
    out
}

/// A piece of a line in one font and one direction, shaped.
pub(crate) struct Piece {
    /// Which font of the chain.
    pub(crate) face: usize,
    /// The text it sets (the glyphs' ranges are into it).
    pub(crate) text: String,
    pub(crate) glyphs: Vec<KrillaGlyph>,
    /// The advance, in ems.
    pub(crate) width: f32,
}

/// A line, shaped: its pieces left to right.
pub(crate) struct Line {
    pub(crate) pieces: Vec<Piece>,
}

impl Line {
    /// The width at `size` points.
    pub(crate) fn width(&self, size: f32) -> f32 {
        self.pieces.iter().map(|p| p.width).sum::<f32>() * size
    }
}

/// Set `text` as one line in `chain`.
pub(crate) fn shape(chain: &[Face], text: &str) -> Line {
    // One line: control characters (a stray line break) read as spaces.
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let info = BidiInfo::new(&text, None);
    let mut pieces = Vec::new();
    let Some(paragraph) = info.paragraphs.first() else {
        return Line { pieces };
    };
    let (levels, runs) = info.visual_runs(paragraph, paragraph.range.clone());
    for run in runs {
        let run_rtl = levels[run.start].is_rtl();
        let mut parts = fonts_for(chain, &text, run);
        if run_rtl {
            parts.reverse();
        }
        for (face, range) in parts {
            pieces.push(shape_piece(chain, face, &text[range], run_rtl));
        }
    }
    Line { pieces }
}

/// Split `range` of `text` into pieces, each in the first font that has its
/// characters; spaces and marks stay with the piece they are in.
fn fonts_for(chain: &[Face], text: &str, range: Range<usize>) -> Vec<(usize, Range<usize>)> {
    let mut parts: Vec<(usize, Range<usize>)> = Vec::new();
    for (i, c) in text[range.clone()].char_indices() {
        let at = range.start + i;
        let end = at + c.len_utf8();
        let current = parts.last().map(|(f, _)| *f);
        let keep = current.is_some_and(|f| chain[f].covers(c) || needs_no_glyph(c) || is_mark(c));
        let face = if keep {
            current.unwrap_or(0)
        } else {
            chain
                .iter()
                .position(|f| f.covers(c))
                .unwrap_or(current.unwrap_or(0))
        };
        match parts.last_mut() {
            Some((f, r)) if *f == face => r.end = end,
            _ => parts.push((face, at..end)),
        }
    }
    parts
}

/// A combining mark: it is drawn on the character before it.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | '\u{0591}'..='\u{05C7}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// Shape one piece with rustybuzz; the glyphs come in visual order, each
/// with the range of the text its cluster stands for (as krilla's own
/// simple shaper does), so the PDF's text extracts as written.
fn shape_piece(chain: &[Face], face: usize, text: &str, rtl: bool) -> Piece {
    let f = &chain[face];
    let mut glyphs = Vec::new();
    let mut width = 0.0;
    if let Some(rb) = rustybuzz::Face::from_slice(&f.data, 0) {
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        buffer.set_direction(if rtl {
            Direction::RightToLeft
        } else {
            Direction::LeftToRight
        });
        let output = rustybuzz::shape(&rb, &[], buffer);
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        let em = f.units_per_em;
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            // The cluster ends where the next different cluster in logical
            // order starts: after this glyph left to right, before it right
            // to left.
            let next_cluster = |mut k: Option<usize>, step: fn(usize) -> Option<usize>| {
                while let Some(j) = k {
                    match infos.get(j) {
                        Some(other) if other.cluster == info.cluster => k = step(j),
                        Some(other) => return other.cluster as usize,
                        None => break,
                    }
                }
                text.len()
            };
            let end = if rtl {
                next_cluster(i.checked_sub(1), |j| j.checked_sub(1))
            } else {
                next_cluster(Some(i + 1), |j| Some(j + 1))
            };
            let end = end.max(start);
            width += pos.x_advance as f32 / em;
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                pos.x_advance as f32 / em,
                pos.x_offset as f32 / em,
                pos.y_offset as f32 / em,
                pos.y_advance as f32 / em,
                start..end,
                None,
            ));
        }
    }
    Piece {
        face,
        text: text.to_owned(),
        glyphs,
        width,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> Vec<Face> {
        crate::pdf::bundled(false)
    }

    #[test]
    fn arabic_is_one_right_to_left_piece_with_joined_forms() {
        let chain = chain();
        let line = shape(&chain, "محمد عبد الله");
        assert_eq!(line.pieces.len(), 1, "one run, one font");
        let piece = &line.pieces[0];
        assert!(chain[piece.face].covers('م'));
        // Shaping joins the letters: the glyphs are contextual forms, not
        // the isolated forms that the characters map to one by one.
        let rb = rustybuzz::Face::from_slice(&chain[piece.face].data, 0).unwrap();
        let isolated: Vec<u32> = "محمد"
            .chars()
            .map(|c| rb.glyph_index(c).unwrap().0.into())
            .collect();
        let shaped: Vec<u32> = piece.glyphs.iter().map(|g| g.glyph_id.to_u32()).collect();
        assert!(
            isolated.iter().any(|g| !shaped.contains(g)),
            "{isolated:?} {shaped:?}"
        );
        // Visual order: the first glyph drawn (leftmost) ends the name.
        assert!(piece.glyphs[0].text_range.start > piece.glyphs.last().unwrap().text_range.start);
    }

    #[test]
    fn a_mixed_line_keeps_latin_left_to_right_around_hebrew() {
        let chain = chain();
        let line = shape(&chain, "Dr דוד לוי MBE");
        let texts: Vec<&str> = line.pieces.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts.first(), Some(&"Dr "));
        assert!(texts.iter().any(|t| t.contains("דוד")));
        assert_eq!(texts.last().map(|t| t.trim()), Some("MBE"));
    }

    #[test]
    fn chinese_is_uncovered_and_latin_is_not() {
        let chain = chain();
        assert_eq!(uncovered(&chain, "Wang 王芳"), vec!['王', '芳']);
        assert!(uncovered(&chain, "Zoë Ó'Brien, Nguyễn Thị Minh Khai, Αθηνά, Дмитрий").is_empty());
    }
}
