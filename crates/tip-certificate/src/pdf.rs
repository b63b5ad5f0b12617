//! Laying out and writing certificate PDFs with printpdf.
//!
//! A4 landscape, one page a certificate. Every line is centred by measuring
//! its glyph advances, and long names and titles shrink to fit inside the
//! border. Fonts are embedded as subsets. Everything printpdf would make
//! random (font and image ids, the trailer `/ID`) is set from the data, and
//! the dates from the caller, so the same data gives the same bytes.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use printpdf::{
    Color, FontId, Line, LinePoint, Op, PaintMode, ParsedFont, PdfDocument, PdfFont, PdfFontHandle,
    PdfPage, PdfSaveOptions, Point, Polygon, PolygonRing, Pt, RawImage, Rgb, TextItem,
    WindingOrder, XObject, XObjectId, XObjectTransform,
};
use sha2::{Digest, Sha256};
use tip_core::Dataset;

use crate::Certificate;

/// DejaVu Sans (Latin Extended, Greek, Cyrillic, Vietnamese); licence in
/// `fonts/LICENSE-DejaVu.txt`.
const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

const PAGE_W: f32 = 841.89; // A4 landscape, in points
const PAGE_H: f32 = 595.28;
const MARGIN: f32 = 42.0;

/// A character the font cannot draw, in someone's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingGlyph {
    /// The character.
    pub character: char,
    /// Where: "the name of `zoe-obrien`", "the course title".
    pub place: String,
}

/// Fonts and logo, parsed once and shared by every certificate.
#[derive(Clone)]
pub struct Renderer {
    regular: Arc<ParsedFont>,
    bold: Arc<ParsedFont>,
    logo: Option<RawImage>,
    colour: Rgb,
}

/// Why a renderer could not be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FontError(pub String);

impl std::fmt::Display for FontError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FontError {}

impl Renderer {
    /// Parse the fonts (DejaVu Sans, or `font`, the bytes of a TrueType
    /// font, for both weights) and the programme's logo.
    pub fn new(data: &Dataset, font: Option<&[u8]>) -> Result<Renderer, FontError> {
        let parse = |bytes: &[u8], what: &str| {
            ParsedFont::from_bytes(bytes, 0, &mut Vec::new())
                .ok_or_else(|| FontError(format!("cannot read the {what} font")))
        };
        let (regular, bold) = match font {
            Some(bytes) => (parse(bytes, "branding")?, parse(bytes, "branding")?),
            None => (parse(REGULAR, "regular")?, parse(BOLD, "bold")?),
        };
        let branding = data.programme().branding.as_ref();
        let logo = branding
            .and_then(|b| b.logo.as_ref())
            .and_then(|path| std::fs::read(data.root().join(path)).ok())
            .and_then(|bytes| RawImage::decode_from_bytes(&bytes, &mut Vec::new()).ok());
        let colour = branding
            .and_then(|b| b.colour.as_deref())
            .and_then(hex)
            .unwrap_or(Rgb {
                r: 0.0,
                g: 0.34,
                b: 0.48,
                icc_profile: None,
            });
        Ok(Renderer {
            regular: Arc::new(regular),
            bold: Arc::new(bold),
            logo,
            colour,
        })
    }

    /// The characters of `text` the font cannot draw.
    pub fn missing(&self, text: &str) -> Vec<char> {
        let mut out: Vec<char> = text
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .filter(|c| {
                self.regular
                    .lookup_glyph_index(*c as u32)
                    .is_none_or(|g| g == 0)
            })
            .collect();
        out.dedup();
        out
    }

    /// Every character on these certificates the font cannot draw.
    pub fn check(&self, data: &Dataset, certificates: &[Certificate]) -> Vec<MissingGlyph> {
        let mut out = Vec::new();
        for c in certificates {
            let texts = [
                (
                    c.name.clone(),
                    format!("the name of `{}`", data[c.person].id),
                ),
                (
                    data[c.course].title.clone(),
                    format!("the title of `{}`", data[c.course].id),
                ),
            ];
            for (text, place) in texts {
                for character in self.missing(&text) {
                    let m = MissingGlyph {
                        character,
                        place: place.clone(),
                    };
                    if !out.contains(&m) {
                        out.push(m);
                    }
                }
            }
        }
        out
    }

    /// One PDF with a page for each certificate. `stamp` (seconds since
    /// 1970) dates the document; by default, the latest completion date.
    // Long: replaced by the krilla renderer (issue 13).
    pub fn render(
        &self,
        data: &Dataset,
        certificates: &[Certificate],
        stamp: Option<i64>,
    ) -> Vec<u8> {
        let title = match certificates {
            [one] => format!("Certificate {}", one.number),
            _ => format!("Certificates of {}", data.programme().name),
        };
        let mut doc = PdfDocument::new(&title);
        let latest = certificates
            .iter()
            .map(|c| c.date)
            .max()
            .unwrap_or(NaiveDate::MIN);
        let when = stamp.unwrap_or_else(|| {
            latest
                .and_hms_opt(0, 0, 0)
                .expect("midnight")
                .and_utc()
                .timestamp()
        });
        let date =
            printpdf::DateTime::from_unix_timestamp(when).unwrap_or(printpdf::DateTime::epoch());
        let info = &mut doc.metadata.info;
        info.creation_date = date;
        info.modification_date = date;
        info.metadata_date = date;
        info.producer = concat!("tip ", env!("CARGO_PKG_VERSION")).into();
        info.creator = "tip certify".into();
        info.author = data.programme().name.clone();
        info.identifier = certificates
            .iter()
            .map(|c| c.number.as_str())
            .collect::<Vec<_>>()
            .join(" ");

        // Fixed ids instead of printpdf's random ones.
        let (regular, bold) = (font_id(false), font_id(true));
        doc.resources
            .fonts
            .map
            .insert(regular.clone(), PdfFont::new((*self.regular).clone()));
        doc.resources
            .fonts
            .map
            .insert(bold.clone(), PdfFont::new((*self.bold).clone()));
        let logo = self.logo.as_ref().map(|image| {
            let id = XObjectId("Logo".into());
            doc.resources
                .xobjects
                .map
                .insert(id.clone(), XObject::Image(image.clone()));
            (id, image.width as f32, image.height as f32)
        });

        let pages = certificates
            .iter()
            .map(|c| {
                PdfPage::new(
                    printpdf::Mm(297.0),
                    printpdf::Mm(210.0),
                    self.page(data, c, logo.as_ref()),
                )
            })
            .collect();
        doc.pages = pages;

        let mut warnings = Vec::new();
        let mut pdf = doc.to_lopdf_document(
            &PdfSaveOptions {
                subset_fonts: true,
                ..PdfSaveOptions::default()
            },
            &mut warnings,
        );
        pdf.compress();
        let id = Sha256::digest(info_id(certificates).as_bytes());
        let id = lopdf::Object::String(id[..16].to_vec(), lopdf::StringFormat::Hexadecimal);
        pdf.trailer
            .set("ID", lopdf::Object::Array(vec![id.clone(), id]));
        let mut bytes = Vec::new();
        pdf.save_to(&mut bytes)
            .expect("writing to memory cannot fail");
        bytes
    }

    fn width(&self, font: &ParsedFont, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .map(|c| {
                font.lookup_glyph_index(c as u32)
                    .map_or(0, |g| u32::from(font.get_horizontal_advance(g)))
            })
            .sum();
        units as f32 * size / f32::from(font.font_metrics.units_per_em.max(1))
    }

    /// A centred line at height `y`, shrunk to fit `max` points.
    fn centred(&self, ops: &mut Vec<Op>, bold: bool, size: f32, text: &str, y: f32, max: f32) {
        let font = if bold { &self.bold } else { &self.regular };
        let size = fit(self.width(font, text, size), size, max);
        let w = self.width(font, text, size);
        // One text section per positioned line: the cursor is relative
        // within a section.
        ops.push(Op::StartTextSection);
        ops.push(Op::SetFont {
            font: PdfFontHandle::External(font_id(bold)),
            size: Pt(size),
        });
        ops.push(Op::SetTextCursor {
            pos: Point {
                x: Pt((PAGE_W - w) / 2.0),
                y: Pt(y),
            },
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::Text(text.to_string())],
        });
        ops.push(Op::EndTextSection);
    }

    fn left(&self, ops: &mut Vec<Op>, bold: bool, size: f32, text: &str, x: f32, y: f32) {
        ops.push(Op::StartTextSection);
        ops.push(Op::SetFont {
            font: PdfFontHandle::External(font_id(bold)),
            size: Pt(size),
        });
        ops.push(Op::SetTextCursor {
            pos: Point { x: Pt(x), y: Pt(y) },
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::Text(text.to_string())],
        });
        ops.push(Op::EndTextSection);
    }

    // Long: the page drawn top to bottom; replaced by the krilla renderer
    // (issue 13).
    fn page(
        &self,
        data: &Dataset,
        c: &Certificate,
        logo: Option<&(XObjectId, f32, f32)>,
    ) -> Vec<Op> {
        let course = &data[c.course];
        let cohort = &data[c.cohort];
        let programme = &data.programme();
        let mut ops = Vec::new();
        let colour = Color::Rgb(self.colour.clone());
        let black = Color::Rgb(Rgb {
            r: 0.1,
            g: 0.1,
            b: 0.1,
            icc_profile: None,
        });

        // The border.
        ops.push(Op::SetOutlineColor {
            col: colour.clone(),
        });
        ops.push(Op::SetOutlineThickness { pt: Pt(3.0) });
        let corner = |x: f32, y: f32| LinePoint {
            p: Point { x: Pt(x), y: Pt(y) },
            bezier: false,
        };
        let (l, b, r, t) = (
            MARGIN / 2.0,
            MARGIN / 2.0,
            PAGE_W - MARGIN / 2.0,
            PAGE_H - MARGIN / 2.0,
        );
        ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings: vec![PolygonRing {
                    points: vec![corner(l, b), corner(r, b), corner(r, t), corner(l, t)],
                }],
                mode: PaintMode::Stroke,
                winding_order: WindingOrder::NonZero,
            },
        });

        let max = PAGE_W - 2.0 * MARGIN - 40.0;
        let mut y = PAGE_H - MARGIN - 30.0;
        if let Some((id, w, h)) = logo {
            // 60 points high, centred at the top.
            let scale = 60.0 / h;
            let width = w * scale;
            ops.push(Op::UseXobject {
                id: id.clone(),
                transform: XObjectTransform {
                    translate_x: Some(Pt((PAGE_W - width) / 2.0)),
                    translate_y: Some(Pt(y - 50.0)),
                    scale_x: Some(scale),
                    scale_y: Some(scale),
                    dpi: Some(72.0),
                    ..XObjectTransform::default()
                },
            });
            y -= 75.0;
        }
        ops.push(Op::SetFillColor {
            col: colour.clone(),
        });
        self.centred(&mut ops, true, 20.0, &programme.name, y, max);
        ops.push(Op::SetFillColor { col: black.clone() });
        y -= 48.0;
        self.centred(&mut ops, false, 15.0, "This is to certify that", y, max);
        y -= 52.0;
        self.centred(&mut ops, true, 34.0, &c.name, y, max);
        y -= 40.0;
        self.centred(&mut ops, false, 15.0, "has completed", y, max);
        y -= 40.0;
        ops.push(Op::SetFillColor {
            col: colour.clone(),
        });
        self.centred(&mut ops, true, 24.0, &course.title, y, max);
        ops.push(Op::SetFillColor { col: black.clone() });
        y -= 26.0;
        let tier = data.tier(course.tier).map_or_else(
            || format!("Tier {}", course.tier),
            |t| format!("Tier {}: {}", t.level, t.name),
        );
        self.centred(&mut ops, false, 13.0, &tier, y, max);
        y -= 30.0;
        self.centred(&mut ops, false, 13.0, &dates_line(&c.dates, c.date), y, max);
        let mut facts = Vec::new();
        if let Some(h) = course.cpd_hours {
            facts.push(format!("CPD: {} hours", trim_number(h)));
        }
        if !cohort.trainers.is_empty() {
            let names: Vec<&str> = cohort
                .trainers
                .iter()
                .map(|t| data[*t].name.as_str())
                .collect();
            facts.push(format!("Trainers: {}", names.join(", ")));
        }
        if !facts.is_empty() {
            y -= 22.0;
            self.centred(&mut ops, false, 11.0, &facts.join("   ·   "), y, max);
        }

        // The signatory, bottom left; the number and code, bottom right.
        let base = MARGIN + 22.0;
        if let Some(sig) = programme
            .branding
            .as_ref()
            .and_then(|b| b.signatory.as_ref())
        {
            ops.push(Op::SetOutlineThickness { pt: Pt(0.8) });
            ops.push(Op::SetOutlineColor { col: black.clone() });
            ops.push(Op::DrawLine {
                line: Line {
                    points: vec![
                        corner(MARGIN + 20.0, base + 34.0),
                        corner(MARGIN + 240.0, base + 34.0),
                    ],
                    is_closed: false,
                },
            });
            self.left(&mut ops, true, 11.0, &sig.name, MARGIN + 20.0, base + 18.0);
            if let Some(title) = &sig.title {
                let size = fit(self.width(&self.regular, title, 9.0), 9.0, 300.0);
                self.left(&mut ops, false, size, title, MARGIN + 20.0, base + 5.0);
            }
        }
        let right = PAGE_W - MARGIN - 20.0;
        let mut lines = vec![
            format!("Certificate {}", c.number),
            format!("Verification code {}", c.code),
        ];
        if let Some(url) = &programme.verify_url {
            lines.push(url.replace("{code}", &c.code));
        }
        for (k, line) in lines.iter().enumerate() {
            let w = self.width(&self.regular, line, 9.0);
            self.left(
                &mut ops,
                false,
                9.0,
                line,
                right - w,
                base + 30.0 - 12.0 * k as f32,
            );
        }
        ops
    }
}

/// Fixed font ids (printpdf's own are random): six capitals, so readers
/// see the `XXXXXX+Name` of a subset font.
fn font_id(bold: bool) -> FontId {
    FontId(if bold { "TIPBLD" } else { "TIPREG" }.into())
}

/// The font size that fits `width` (measured at `size`) into `max`.
fn fit(width: f32, size: f32, max: f32) -> f32 {
    if width > max {
        size * max / width
    } else {
        size
    }
}

fn info_id(certificates: &[Certificate]) -> String {
    certificates
        .iter()
        .map(|c| format!("{} {}", c.number, c.code))
        .collect::<Vec<_>>()
        .join("\n")
}

fn hex(s: &str) -> Option<Rgb> {
    let v = |i: usize| {
        u8::from_str_radix(s.get(i..i + 2)?, 16)
            .ok()
            .map(|n| f32::from(n) / 255.0)
    };
    Some(Rgb {
        r: v(1)?,
        g: v(3)?,
        b: v(5)?,
        icc_profile: None,
    })
}

fn trim_number(n: f64) -> String {
    let s = format!("{n:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `18 January 2022`.
pub(crate) fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// "Completed on 18 January 2022", or "Sessions: … · completed on …".
fn dates_line(dates: &[NaiveDate], completed: NaiveDate) -> String {
    match dates {
        [] => format!("Completed on {}", long_date(completed)),
        [one] if *one == completed => format!("Completed on {}", long_date(completed)),
        _ => {
            let mut shown: Vec<String> = dates
                .iter()
                .map(|d| format!("{} {}", d.day(), d.format("%b %Y")))
                .collect();
            if shown.len() > 6 {
                shown = vec![format!(
                    "{} sessions from {}",
                    dates.len(),
                    long_date(dates[0])
                )];
            }
            format!(
                "Sessions: {}  ·  completed on {}",
                shown.join(", "),
                long_date(completed)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_shrink_to_fit_inside_the_border() {
        let (data, _) = Dataset::load(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/kent-medway"
        ))
        .unwrap();
        let r = Renderer::new(&data, None).unwrap();
        let max = PAGE_W - 2.0 * MARGIN - 40.0;
        let long = "Maria Dolores Ŵynfford-Παπαδοπούλου Nguyễn Thị Minh Kowalczyk-Ó Súilleabháin de la Fuente";
        let size = fit(r.width(&r.bold, long, 34.0), 34.0, max);
        assert!(size < 34.0);
        assert!(r.width(&r.bold, long, size) <= max + 0.01);
        assert_eq!(
            fit(r.width(&r.bold, "Ann Lee", 34.0), 34.0, max),
            34.0,
            "short names keep their size"
        );
    }

    #[test]
    fn dates_read_naturally() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(
            dates_line(&[d("2022-01-18")], d("2022-01-18")),
            "Completed on 18 January 2022"
        );
        assert_eq!(
            dates_line(&[d("2022-02-08"), d("2022-02-09")], d("2022-02-09")),
            "Sessions: 8 Feb 2022, 9 Feb 2022  ·  completed on 9 February 2022"
        );
    }
}
