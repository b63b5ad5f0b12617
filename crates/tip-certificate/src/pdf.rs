//! Laying out and writing certificate PDFs with krilla.
//!
//! A4 landscape, one page a certificate, PDF/A-2a and PDF/UA-1 (tagged,
//! with its title and language, every decoration an artifact). Every line
//! is shaped (see [`crate::text`]) and measured from its shaped advances;
//! a long name wraps to two lines at a size never below the course
//! title's. The logo is embedded with its own pixels and drawn no larger
//! than 300 dots per inch. Everything is set from the data and the
//! caller's date, so the same data gives the same bytes.

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, Timelike};
use krilla::color::rgb;
use krilla::configure::{Accessibility, Archival, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{Artifact, ArtifactType, ContentTag, SpanTag, Tag, TagGroup, TagTree};
use krilla::{Document, SerializeSettings};
use sha2::{Digest, Sha256};
use tip_core::Dataset;

use crate::Certificate;
use crate::text::{Face, Line, shape, uncovered};

const PAGE_W: f32 = 841.89; // A4 landscape, in points
const PAGE_H: f32 = 595.28;
/// The widest a centred line may be.
const MAX_LINE: f32 = PAGE_W - 2.0 * 90.0;
const NAME_SIZE: f32 = 36.0;
const TITLE_SIZE: f32 = 24.0;
/// The smallest a course title shrinks to (two lines at most).
const TITLE_MIN: f32 = 18.0;
/// The most points a logo pixel may cover: 300 dots per inch.
const LOGO_POINTS_PER_PIXEL: f32 = 72.0 / 300.0;
const LOGO_MAX_HEIGHT: f32 = 56.0;

const INK: (u8, u8, u8) = (0x1a, 0x1a, 0x1a);
const MUTED: (u8, u8, u8) = (0x50, 0x50, 0x50);

/// A font of `fonts/`, deflated by `build.rs`.
macro_rules! deflated_font {
    ($name:literal) => {
        include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".z"))
    };
}

/// The fonts built in, tried in order: DejaVu Sans (Latin, Greek,
/// Cyrillic, Vietnamese), Noto Sans Arabic, Noto Sans Hebrew. Licences in
/// `fonts/`. Kept deflated (half the size in the binary).
const REGULAR: [&[u8]; 3] = [
    deflated_font!("DejaVuSans.ttf"),
    deflated_font!("NotoSansArabic-Regular.ttf"),
    deflated_font!("NotoSansHebrew-Regular.ttf"),
];
const BOLD: [&[u8]; 3] = [
    deflated_font!("DejaVuSans-Bold.ttf"),
    deflated_font!("NotoSansArabic-Bold.ttf"),
    deflated_font!("NotoSansHebrew-Bold.ttf"),
];

/// A built-in font, inflated.
fn inflate(deflated: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut font = Vec::new();
    flate2::read::ZlibDecoder::new(deflated)
        .read_to_end(&mut font)
        .expect("a built-in font inflates");
    font
}

/// The blocks of Hebrew and Arabic (with their presentation forms).
const ARABIC_AND_HEBREW: [std::ops::RangeInclusive<u32>; 6] = [
    0x0590..=0x05FF,
    0x0600..=0x06FF,
    0x0750..=0x077F,
    0x08A0..=0x08FF,
    0xFB1D..=0xFDFF,
    0xFE70..=0xFEFF,
];

/// The built-in fonts of a weight, read once per process.
pub(crate) fn bundled(bold: bool) -> Vec<Face> {
    static FACES: OnceLock<[Vec<Face>; 2]> = OnceLock::new();
    let faces = FACES.get_or_init(|| {
        let read = |set: [&[u8]; 3]| {
            let mut faces: Vec<Face> = set
                .iter()
                .map(|deflated| Face::new(inflate(deflated)).expect("a built-in font reads"))
                .collect();
            // DejaVu has Arabic and Hebrew letters too, but the Noto faces
            // are drawn for them: they set those scripts.
            faces[0] = faces[0].clone().without(&ARABIC_AND_HEBREW);
            faces
        };
        [read(REGULAR), read(BOLD)]
    });
    faces[usize::from(bold)].clone()
}

/// A character no certificate font can draw, in someone's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingGlyph {
    /// The character.
    pub character: char,
    /// Where: "the name of `zoe-obrien`", "the title of `l2`".
    pub place: String,
    /// The person whose name it is in (`None`: a course title).
    pub person: Option<tip_core::Ix<tip_core::model::Person>>,
}

/// Why a renderer could not be made, or a PDF not written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FontError(pub String);

impl std::fmt::Display for FontError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FontError {}

/// Fonts and logo, read once and shared by every certificate.
#[derive(Clone)]
pub struct Renderer {
    regular: Vec<Face>,
    bold: Vec<Face>,
    logo: Option<(Image, f32, f32)>,
    colour: (u8, u8, u8),
    draft: bool,
    /// Whether both weights draw every printable ASCII character: then an
    /// ASCII name needs no look-up at all (control characters need no
    /// glyph), and most of a million names are ASCII.
    ascii: bool,
    /// Bit `c` set when both weights draw the character `c` (below
    /// [`COMMON`]), or it needs no glyph: Latin, Greek, Cyrillic, Hebrew
    /// and Arabic names are checked in this table, not the fonts (a
    /// million names in milliseconds).
    common: [u64; COMMON as usize / 64],
}

/// The characters whose coverage [`Renderer`] keeps in a table.
const COMMON: u32 = 0x800;

impl Renderer {
    /// Read the programme's fonts and logo from the data folder: the
    /// `branding.font` first (when set), then the built-in fonts, then each
    /// of `branding.fonts`. Files go through [`tip_core::public_file`].
    pub fn new(data: &Dataset) -> Result<Renderer, FontError> {
        let branding = data.programme().branding.as_ref();
        let read = |path: &str| -> Result<Face, FontError> {
            let file = tip_core::public_file(data.root(), path)
                .map_err(|e| FontError(format!("the font `{path}` {e}")))?;
            let bytes = std::fs::read(&file)
                .map_err(|e| FontError(format!("cannot read the font `{path}`: {e}")))?;
            Face::new(bytes)
                .ok_or_else(|| FontError(format!("`{path}` is not a TrueType or OpenType font")))
        };
        let first = branding
            .and_then(|b| b.font.as_deref())
            .map(read)
            .transpose()?;
        let after = branding
            .map(|b| {
                b.fonts
                    .iter()
                    .map(|f| read(f))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        let chain = |bold: bool| {
            let mut faces: Vec<Face> = first.iter().cloned().collect();
            faces.extend(bundled(bold));
            faces.extend(after.iter().cloned());
            faces
        };
        let logo = branding
            .and_then(|b| b.logo.as_ref())
            .and_then(|path| tip_core::public_file(data.root(), path).ok())
            .and_then(|file| std::fs::read(file).ok())
            // PDF/A forbids asking viewers to smooth images.
            .and_then(|bytes| Image::from_png(bytes.into(), false).ok())
            .map(|image| {
                let (w, h) = image.size();
                (image, w as f32, h as f32)
            });
        let colour = branding
            .and_then(|b| b.colour.as_deref())
            .and_then(hex)
            .unwrap_or((0x00, 0x57, 0x7a));
        let (regular, bold) = (chain(false), chain(true));
        let printable: String = (' '..='~').collect();
        let ascii =
            uncovered(&regular, &printable).is_empty() && uncovered(&bold, &printable).is_empty();
        let below: String = (0..COMMON).filter_map(char::from_u32).collect();
        let mut common = [u64::MAX; COMMON as usize / 64];
        for c in [&regular, &bold]
            .iter()
            .flat_map(|chain| uncovered(chain, &below))
        {
            common[c as usize / 64] &= !(1 << (c as u32 % 64));
        }
        Ok(Renderer {
            regular,
            bold,
            logo,
            colour,
            draft: false,
            ascii,
            common,
        })
    }

    /// Print drafts: "DRAFT — not a certificate" across every page.
    pub fn draft(mut self) -> Renderer {
        self.draft = true;
        self
    }

    /// The characters of `text` no font of the renderer draws.
    pub fn missing(&self, text: &str) -> Vec<char> {
        if self.ascii && text.is_ascii() {
            return Vec::new();
        }
        let common = |c: char| {
            let c = c as usize;
            self.common
                .get(c / 64)
                .is_some_and(|bits| bits & (1 << (c % 64)) != 0)
        };
        if text.chars().all(common) {
            return Vec::new();
        }
        let mut out = uncovered(&self.regular, text);
        for c in uncovered(&self.bold, text) {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// Every character on these certificates no font can draw: a person
    /// with one gets no certificate (it would print a blank box).
    pub fn check(&self, data: &Dataset, certificates: &[Certificate]) -> Vec<MissingGlyph> {
        let mut out = Vec::new();
        for c in certificates {
            let course = &data[c.course];
            let texts = [
                (
                    &c.name,
                    format!("the name of `{}`", data[c.person].id),
                    Some(c.person),
                ),
                (&course.title, format!("the title of `{}`", course.id), None),
            ];
            for (text, place, person) in texts {
                for character in self.missing(text) {
                    let m = MissingGlyph {
                        character,
                        place: place.clone(),
                        person,
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
    /// Fails when a text has a character no font draws (see
    /// [`Renderer::check`]): PDF/A forbids blank boxes.
    pub fn render(
        &self,
        data: &Dataset,
        certificates: &[Certificate],
        stamp: Option<i64>,
    ) -> Result<Vec<u8>, FontError> {
        if let Some(p) = self.too_long(certificates).first() {
            return Err(FontError(format!(
                "the name of `{}` does not fit on the page, even on two lines at the course title's size",
                data[*p].id
            )));
        }
        let configuration = ConfigurationBuilder::new()
            .with_archival_validator(Archival::A2_A)
            .with_accessibility_validator(Accessibility::UA1)
            .finish()
            .map_err(|e| FontError(format!("{e:?}")))?;
        let mut document = Document::new_with(SerializeSettings {
            configuration,
            enable_tagging: true,
            ..SerializeSettings::default()
        });
        let mut tree = TagTree::new();
        for c in certificates {
            let mut page =
                document.start_page_with(PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4"));
            let mut surface = page.surface();
            let mut sheet = Sheet {
                surface: &mut surface,
                tags: Vec::new(),
            };
            self.page(&mut sheet, data, c);
            let tags = std::mem::take(&mut sheet.tags);
            surface.finish();
            page.finish();
            for group in tags {
                tree.push(group);
            }
        }
        document.set_tag_tree(tree);
        // PDF/UA asks for an outline: one entry a certificate.
        let mut outline = Outline::new();
        for (k, c) in certificates.iter().enumerate() {
            outline.push_child(OutlineNode::new(
                format!("{} ({})", c.name, c.number),
                XyzDestination::new(k, Point::from_xy(0.0, 0.0)),
            ));
        }
        document.set_outline(outline);
        document.set_metadata(self.metadata(data, certificates, stamp));
        document
            .finish()
            .map_err(|e| FontError(format!("the PDF could not be written: {e:?}")))
    }

    fn metadata(
        &self,
        data: &Dataset,
        certificates: &[Certificate],
        stamp: Option<i64>,
    ) -> Metadata {
        let title = match certificates {
            [one] => format!("Certificate {}: {}", one.number, one.title),
            _ => format!("Certificates of {}", data.programme().name),
        };
        let latest = certificates
            .iter()
            .map(|c| c.date)
            .max()
            .unwrap_or(NaiveDate::MIN);
        let when = stamp
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .map_or_else(
                || latest.and_hms_opt(0, 0, 0).expect("midnight"),
                |t| t.naive_utc(),
            );
        let date = DateTime::new(when.year().clamp(0, 9999) as u16)
            .month(when.month() as u8)
            .day(when.day() as u8)
            .hour(when.hour() as u8)
            .minute(when.minute() as u8)
            .second(when.second() as u8)
            .utc_offset_hour(0)
            .utc_offset_minute(0);
        let id = Sha256::digest(
            certificates
                .iter()
                .map(|c| format!("{} {}", c.number, c.code))
                .collect::<Vec<_>>()
                .join("\n")
                .as_bytes(),
        );
        Metadata::new()
            .title(title)
            .language("en-GB".into())
            .creator("tip certify".into())
            .producer(concat!("tip ", env!("CARGO_PKG_VERSION")).into())
            .authors(vec![data.programme().name.clone()])
            .creation_date(date)
            .document_id(id[..16].iter().map(|b| format!("{b:02x}")).collect())
    }

    /// One certificate, top to bottom: the frame and logo, the top block,
    /// the lower third, the signatory and the verification.
    fn page(&self, sheet: &mut Sheet<'_, '_>, data: &Dataset, c: &Certificate) {
        let programme = data.programme();
        let colour = self.colour;

        // Two rules around the page: decoration.
        sheet.artifact(|s| {
            frame(s, 18.0, 2.5, colour);
            frame(s, 25.0, 0.6, colour);
        });

        // The logo, centred at the top, at 300 dpi or finer.
        let mut y = 62.0;
        if let Some((image, w, h)) = &self.logo {
            let height = (h * LOGO_POINTS_PER_PIXEL).min(LOGO_MAX_HEIGHT);
            let width = w * height / h;
            let alt = format!("Logo of {}", programme.name);
            sheet.figure(alt, |s| {
                s.push_transform(&Transform::from_translate((PAGE_W - width) / 2.0, 44.0));
                if let Some(size) = Size::from_wh(width, height) {
                    s.draw_image(image.clone(), size);
                }
                s.pop();
            });
            y = 44.0 + height + 30.0;
        }

        let y = self.top_block(sheet, data, c, y);
        self.lower_third(sheet, data, c, y);
        self.verification(sheet, data, c);
        if self.draft {
            self.watermark(sheet);
        }
    }

    /// The programme, the name and the course, from `y`; where it ends.
    /// Its lines come first, then their places, so that a two-line name or
    /// title moves what follows (`render` refused what does not fit).
    fn top_block(
        &self,
        sheet: &mut Sheet<'_, '_>,
        data: &Dataset,
        c: &Certificate,
        mut y: f32,
    ) -> f32 {
        let course = &data[c.course];
        let programme = data.programme();
        let colour = self.colour;
        let title_lines = self
            .fit(&self.bold, &c.title, TITLE_SIZE, TITLE_MIN)
            .unwrap_or_else(|| (vec![c.title.clone()], TITLE_MIN));
        let title_size = title_lines.1;
        // The name is never smaller than the title.
        let name_lines = self
            .fit(&self.bold, &c.name, NAME_SIZE, title_size)
            .unwrap_or_else(|| (vec![c.name.clone()], title_size));
        let name_size = name_lines.1;
        let tier = &data[course.tier];
        let tier = format!("Tier {} · {}", tier.level, tier.name);
        y += 16.0;
        self.centred(sheet, false, 16.0, &programme.name, y, colour);
        y += 46.0;
        self.centred(sheet, false, 13.0, "This is to certify that", y, MUTED);
        y += 16.0;
        for line in &name_lines.0 {
            y += name_size * 1.2;
            self.centred(sheet, true, name_size, line, y, INK);
        }
        y += 36.0;
        self.centred(sheet, false, 13.0, "has completed", y, MUTED);
        y += 8.0;
        for line in &title_lines.0 {
            y += title_size * 1.25;
            self.centred(sheet, true, title_size, line, y, colour);
        }
        y += 24.0;
        self.centred(sheet, false, 12.0, &tier, y, MUTED);
        y += 20.0;
        sheet.artifact(|s| {
            rule(s, PAGE_W / 2.0 - 40.0, PAGE_W / 2.0 + 40.0, y, 1.2, colour);
        });

        y
    }

    /// When, how many sessions, CPD and who taught it, below `y`.
    fn lower_third(&self, sheet: &mut Sheet<'_, '_>, data: &Dataset, c: &Certificate, y: f32) {
        let course = &data[c.course];
        let cohort = &data[c.cohort];
        let mut facts = vec![("Completed", crate::pdf::long_date(c.date))];
        if c.dates.len() > 1 {
            facts.push(("Sessions", sessions_line(&c.dates)));
        }
        if let Some(h) = course.cpd_hours {
            facts.push(("CPD", tip_core::words::hours(h)));
        }
        let top = (y + 34.0).max(430.0);
        let step = 190.0;
        let x0 = PAGE_W / 2.0 - step * (facts.len() as f32 - 1.0) / 2.0;
        for (k, (label, value)) in facts.iter().enumerate() {
            let x = x0 + step * k as f32;
            self.at(
                sheet,
                false,
                9.0,
                &label.to_uppercase(),
                x,
                top,
                MUTED,
                Align::Centre,
            );
            self.at(sheet, false, 12.5, value, x, top + 18.0, INK, Align::Centre);
        }
        if !cohort.trainers.is_empty() {
            let names: Vec<&str> = cohort
                .trainers
                .iter()
                .map(|t| data[*t].name.as_str())
                .collect();
            let line = format!(
                "Delivered by {}",
                tip_core::words::list(names.iter().map(|n| n.to_string()), "and")
            );
            self.centred(sheet, false, 11.0, &line, top + 44.0, MUTED);
        }
    }

    /// The signatory, bottom left; the number, the code and the QR code of
    /// the verify address, bottom right.
    fn verification(&self, sheet: &mut Sheet<'_, '_>, data: &Dataset, c: &Certificate) {
        let programme = data.programme();
        let base = PAGE_H - 50.0;
        if let Some(sig) = programme
            .branding
            .as_ref()
            .and_then(|b| b.signatory.as_ref())
        {
            sheet.artifact(|s| rule(s, 70.0, 270.0, base - 30.0, 0.8, INK));
            self.at(
                sheet,
                true,
                11.0,
                &sig.name,
                70.0,
                base - 14.0,
                INK,
                Align::Left,
            );
            if let Some(title) = &sig.title {
                self.at(sheet, false, 9.5, title, 70.0, base, MUTED, Align::Left);
            }
        }
        // The QR code of the verify address, with the address and code
        // beside it for those who type.
        let mut right = PAGE_W - 70.0;
        let url = crate::verify_url(data, &c.code).filter(|_| !self.draft);
        if let Some(url) = &url {
            let size = 64.0;
            let alt = format!("QR code of the verification address {url}");
            sheet.figure(alt, |s| qr(s, url, right - size, base - size + 4.0, size));
            right -= size + 12.0;
        }
        let mut lines = vec![
            format!("Certificate {}", c.number),
            format!("Verification code {}", c.code),
        ];
        if let Some(url) = &url {
            lines.push(url.clone());
        }
        let first = base - 13.0 * (lines.len() as f32 - 1.0);
        for (k, line) in lines.iter().enumerate() {
            let y = first + 13.0 * k as f32;
            self.at(sheet, false, 9.5, line, right, y, MUTED, Align::Right);
        }
    }

    /// "DRAFT — not a certificate", large, across the page: a line like
    /// any other, drawn turned about the page's centre.
    fn watermark(&self, sheet: &mut Sheet<'_, '_>) {
        let size = 54.0;
        sheet
            .surface
            .push_transform(&Transform::from_translate(PAGE_W / 2.0, PAGE_H / 2.0));
        sheet.surface.push_transform(&Transform::from_rotate(-30.0));
        let red = (0xc8, 0x1e, 0x1e);
        let text = "DRAFT — not a certificate";
        self.at(sheet, true, size, text, 0.0, size / 3.0, red, Align::Centre);
        sheet.surface.pop();
        sheet.surface.pop();
    }

    /// `text` on one line at `size`, or on two (broken at a space, as evenly
    /// as possible) at the largest size from `size` down to `min` that
    /// fits; only a text too long for two lines at `min` goes smaller.
    /// `text` on at most two lines no wider than the page allows, at
    /// `size` or as near it as fits, never below `min`: whole; else broken
    /// at the space that balances the lines; else (a word longer than the
    /// line) broken inside it. `None` when even that needs a size below
    /// `min`.
    fn fit(&self, chain: &[Face], text: &str, size: f32, min: f32) -> Option<(Vec<String>, f32)> {
        let width = |t: &str| shape(chain, t).width(1.0);
        let whole = width(text);
        if whole * size <= MAX_LINE {
            return Some((vec![text.to_owned()], size));
        }
        let two = |a: &str, b: &str| {
            let widest = width(a).max(width(b));
            let fits = (MAX_LINE / widest).min(size);
            (fits >= min).then(|| (vec![a.to_owned(), b.to_owned()], fits))
        };
        let at_space = text
            .match_indices(' ')
            .map(|(i, _)| (text[..i].trim(), text[i..].trim()))
            .filter(|(a, b)| !a.is_empty() && !b.is_empty())
            .min_by(|x, y| {
                let w = |(a, b): &(&str, &str)| width(a).max(width(b));
                w(x).total_cmp(&w(y))
            })
            .and_then(|(a, b)| two(a, b));
        if at_space.is_some() {
            return at_space;
        }
        // One line, smaller.
        if MAX_LINE / whole >= min {
            return Some((vec![text.to_owned()], MAX_LINE / whole));
        }
        // Inside a word: the character boundary that balances the halves
        // (found by halving: the first part only grows).
        let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).skip(1).collect();
        let (mut lo, mut hi) = (0, bounds.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            let (a, b) = text.split_at(bounds[mid]);
            if width(a) < width(b) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        [lo.saturating_sub(1), lo]
            .into_iter()
            .filter_map(|k| bounds.get(k))
            .filter_map(|&i| {
                let (a, b) = text.split_at(i);
                two(a.trim(), b.trim())
            })
            .max_by(|x, y| x.1.total_cmp(&y.1))
    }

    /// The people on `certificates` whose name cannot be printed: even
    /// broken over two lines it needs a size below the course title's.
    pub fn too_long(
        &self,
        certificates: &[Certificate],
    ) -> Vec<tip_core::Ix<tip_core::model::Person>> {
        certificates
            .iter()
            .filter(|c| {
                let title = self.fit(&self.bold, &c.title, TITLE_SIZE, TITLE_MIN);
                let min = title.map_or(TITLE_MIN, |(_, size)| size);
                self.fit(&self.bold, &c.name, NAME_SIZE, min).is_none()
            })
            .map(|c| c.person)
            .collect()
    }

    fn centred(
        &self,
        sheet: &mut Sheet<'_, '_>,
        bold: bool,
        size: f32,
        text: &str,
        y: f32,
        colour: (u8, u8, u8),
    ) {
        self.at(
            sheet,
            bold,
            size,
            text,
            PAGE_W / 2.0,
            y,
            colour,
            Align::Centre,
        );
    }

    /// A line of text, tagged as a paragraph of its own.
    #[allow(clippy::too_many_arguments)]
    fn at(
        &self,
        sheet: &mut Sheet<'_, '_>,
        bold: bool,
        size: f32,
        text: &str,
        x: f32,
        y: f32,
        colour: (u8, u8, u8),
        align: Align,
    ) {
        let chain = if bold { &self.bold } else { &self.regular };
        let line: Line = shape(chain, text);
        let width = line.width(size);
        let mut x = match align {
            Align::Left => x,
            Align::Centre => x - width / 2.0,
            Align::Right => x - width,
        };
        let s = &mut *sheet.surface;
        let id = s.start_tagged(ContentTag::Span(SpanTag::empty()));
        s.set_fill(Some(fill(colour)));
        s.set_stroke(None);
        for piece in &line.pieces {
            s.draw_glyphs(
                Point::from_xy(x, y),
                &piece.glyphs,
                chain[piece.face].font.clone(),
                &piece.text,
                size,
                false,
            );
            x += piece.width * size;
        }
        s.end_tagged();
        let mut p = TagGroup::new(Tag::P);
        p.push(id);
        sheet.tags.push(p);
    }
}

/// Where a line stands against its `x`.
#[derive(Clone, Copy)]
enum Align {
    Left,
    Centre,
    Right,
}

/// A page being drawn, and the structure of what is on it.
struct Sheet<'s, 'p> {
    surface: &'s mut Surface<'p>,
    tags: Vec<TagGroup>,
}

impl Sheet<'_, '_> {
    /// Decoration, outside the document's structure.
    fn artifact(&mut self, draw: impl FnOnce(&mut Surface<'_>)) {
        self.surface
            .start_tagged(ContentTag::Artifact(Artifact::with_kind(
                ArtifactType::Layout,
            )));
        draw(self.surface);
        self.surface.end_tagged();
    }

    /// A picture, with the words a screen reader says for it.
    fn figure(&mut self, alt: String, draw: impl FnOnce(&mut Surface<'_>)) {
        let id = self.surface.start_tagged(ContentTag::Other);
        draw(self.surface);
        self.surface.end_tagged();
        let mut figure = TagGroup::new(Tag::Figure(Some(alt)));
        figure.push(id);
        self.tags.push(figure);
    }
}

fn fill((r, g, b): (u8, u8, u8)) -> Fill {
    Fill {
        paint: rgb::Color::new(r, g, b).into(),
        ..Fill::default()
    }
}

fn stroke((r, g, b): (u8, u8, u8), width: f32) -> Stroke {
    Stroke {
        paint: rgb::Color::new(r, g, b).into(),
        width,
        opacity: NormalizedF32::ONE,
        ..Stroke::default()
    }
}

/// A rectangle `inset` points inside the page edge.
fn frame(s: &mut Surface<'_>, inset: f32, width: f32, colour: (u8, u8, u8)) {
    let mut pb = PathBuilder::new();
    if let Some(rect) = Rect::from_xywh(inset, inset, PAGE_W - 2.0 * inset, PAGE_H - 2.0 * inset) {
        pb.push_rect(rect);
    }
    if let Some(path) = pb.finish() {
        s.set_fill(None);
        s.set_stroke(Some(stroke(colour, width)));
        s.draw_path(&path);
    }
}

/// A QR code of `text`, `size` points square, its top left at (x, y),
/// drawn as vector paths: each run of dark modules in a row is one
/// rectangle of a single filled path, so it stays sharp at any resolution
/// (an image of one pixel per module was smoothed by viewers and scanners
/// could not read it at 72 dpi).
fn qr(s: &mut Surface<'_>, text: &str, x: f32, y: f32, size: f32) {
    let Some((n, dark)) = qr_modules(text) else {
        return;
    };
    // A quiet zone of four modules is the page's white around the code.
    let module = size / n as f32;
    let mut pb = PathBuilder::new();
    for (row, cells) in dark.chunks(n).enumerate() {
        let mut col = 0;
        while col < n {
            if !cells[col] {
                col += 1;
                continue;
            }
            let start = col;
            while col < n && cells[col] {
                col += 1;
            }
            if let Some(r) = Rect::from_xywh(
                x + start as f32 * module,
                y + row as f32 * module,
                (col - start) as f32 * module,
                module,
            ) {
                pb.push_rect(r);
            }
        }
    }
    if let Some(path) = pb.finish() {
        s.set_stroke(None);
        s.set_fill(Some(fill((0x1a, 0x1a, 0x1a))));
        s.draw_path(&path);
    }
}

/// The modules of a QR code of `text`: its width and, row by row, whether
/// each is dark.
fn qr_modules(text: &str) -> Option<(usize, Vec<bool>)> {
    // One fixed mask, not the best of eight: choosing scores every mask
    // and took a tenth of a certificate's time; any mask scans.
    let ec = qrcode::EcLevel::M;
    let bits = qrcode::bits::encode_auto(text.as_bytes(), ec).ok()?;
    let version = bits.version();
    let (data, check) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, ec).ok()?;
    let mut canvas = qrcode::canvas::Canvas::new(version, ec);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &check);
    canvas.apply_mask(qrcode::canvas::MaskPattern::Checkerboard);
    let n = version.width() as usize;
    let dark = canvas
        .into_colors()
        .iter()
        .map(|c| *c == qrcode::Color::Dark)
        .collect();
    Some((n, dark))
}

/// A horizontal rule.
fn rule(s: &mut Surface<'_>, x0: f32, x1: f32, y: f32, width: f32, colour: (u8, u8, u8)) {
    let mut pb = PathBuilder::new();
    pb.move_to(x0, y);
    pb.line_to(x1, y);
    if let Some(path) = pb.finish() {
        s.set_fill(None);
        s.set_stroke(Some(stroke(colour, width)));
        s.draw_path(&path);
    }
}

fn hex(s: &str) -> Option<(u8, u8, u8)> {
    let v = |i: usize| u8::from_str_radix(s.get(i..i + 2)?, 16).ok();
    Some((v(1)?, v(3)?, v(5)?))
}

/// `18 January 2022`.
pub(crate) fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// `8 and 9 Feb 2022`, `4 sessions, 5 Sep to 10 Oct 2022`.
fn sessions_line(dates: &[NaiveDate]) -> String {
    let short = |d: &NaiveDate| d.format("%-d %b %Y").to_string();
    match dates {
        [] => String::new(),
        [one] => short(one),
        [a, b] if a.year() == b.year() && a.month() == b.month() => {
            format!("{} and {}", a.day(), short(b))
        }
        [a, b] => format!("{} and {}", short(a), short(b)),
        [a, .., z] if a.year() == z.year() => {
            format!("{}, {} to {}", dates.len(), a.format("%-d %b"), short(z))
        }
        [a, .., z] => format!("{}, {} to {}", dates.len(), short(a), short(z)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renderer() -> (Dataset, Renderer) {
        let (data, _) = Dataset::load(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/kent-medway"
        ))
        .unwrap();
        let r = Renderer::new(&data).unwrap();
        (data, r)
    }

    #[test]
    fn a_long_name_wraps_and_stays_larger_than_the_title() {
        let (_, r) = renderer();
        let long = "Maria Dolores Ŵynfford-Παπαδοπούλου Nguyễn Thị Minh Kowalczyk-Ó Súilleabháin de la Fuente";
        assert!(long.chars().count() > 80);
        let (lines, size) = r.fit(&r.bold, long, NAME_SIZE, TITLE_SIZE).unwrap();
        assert_eq!(lines.len(), 2);
        assert!(size >= TITLE_SIZE, "{size}");
        for line in &lines {
            assert!(shape(&r.bold, line).width(size) <= MAX_LINE + 0.01);
        }
        let (lines, size) = r.fit(&r.bold, "Ann Lee", NAME_SIZE, TITLE_SIZE).unwrap();
        assert_eq!(
            (lines.len(), size),
            (1, NAME_SIZE),
            "short names keep their size"
        );
    }

    /// The table of common characters says what the fonts say, for every
    /// character it holds, alone and inside a name (Syriac, below U+0800,
    /// is in none of the built-in fonts: the table is not all yes).
    #[test]
    fn the_common_characters_table_is_what_the_fonts_draw() {
        let (_, r) = renderer();
        let mut missing = 0;
        for c in (0..COMMON).filter_map(char::from_u32) {
            let text = c.to_string();
            let mut fonts = uncovered(&r.regular, &text);
            fonts.extend(uncovered(&r.bold, &text));
            fonts.dedup();
            assert_eq!(r.missing(&text), fonts, "U+{:04X}", c as u32);
            assert_eq!(r.missing(&format!("Ann {c}é")), fonts, "U+{:04X}", c as u32);
            missing += fonts.len();
        }
        assert!(r.missing("ܐ") == ['ܐ'] && missing > 0, "{missing}");
        assert!(r.missing("Zoë\tÓ Súilleabháin").is_empty());
    }

    #[test]
    fn facts_read_naturally() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(
            sessions_line(&[d("2022-02-08"), d("2022-02-09")]),
            "8 and 9 Feb 2022"
        );
        assert_eq!(
            sessions_line(&[d("2022-09-05"), d("2022-09-20"), d("2022-10-03")]),
            "3, 5 Sep to 3 Oct 2022"
        );
    }
}
