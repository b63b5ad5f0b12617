//! The files a data set publishes: resources, the logo, fonts, keys and
//! template overrides, each a plain file inside the data folder.

use super::Checker;
use crate::diagnostic::{Code, Diagnostic, Location};
use crate::files::FileRefusal;
use crate::loc::Loc;
use crate::model::*;

impl Checker<'_> {
    /// Files that will be published (resource files, the logo, the font,
    /// template overrides) are plain files inside the data folder, and none
    /// of them is one of the data set's own (private) files.
    pub(super) fn files(&mut self) {
        let data = self.data;
        // Given in memory, there is no folder to look in.
        if data.in_memory() {
            return;
        }
        for r in &data.resources {
            if let ResourceLocation::File(path) = &r.location {
                self.data_file(path, &format!("resource `{}`", r.id), r.location_loc);
            }
        }
        let branding = data.programme.branding.as_ref();
        if let Some(logo) = branding.and_then(|b| b.logo.as_ref()) {
            let at = branding
                .and_then(|b| b.logo_loc)
                .unwrap_or(data.programme.loc);
            if self.data_file(logo, "the logo", at) {
                self.logo_is_png(logo, at);
            }
        }
        if let Some(font) = branding.and_then(|b| b.font.as_ref()) {
            let at = branding
                .and_then(|b| b.font_loc)
                .unwrap_or(data.programme.loc);
            self.data_file(font, "the font", at);
        }
        if let Some(b) = branding {
            for (font, &at) in b.fonts.iter().zip(&b.fonts_locs) {
                self.data_file(font, "a font", at);
            }
        }
        for key in &data.programme.public_keys {
            self.data_file(&key.file, "the public key", key.loc);
        }
        self.template_overrides();
    }

    /// Whether the file `path` may be published; if not, say why.
    fn data_file(&mut self, path: &str, what: &str, loc: Loc) -> bool {
        let refusal = match crate::files::public_file(self.data.root(), path) {
            Ok(_) => return true,
            // The logo has its own words for it.
            Err(FileRefusal::WrongType(_)) if what == "the logo" => {
                self.logo_is_png(path, loc);
                return false;
            }
            Err(refusal) => refusal,
        };
        let (code, help) = match &refusal {
            FileRefusal::Outside => (
                Code::ResourcePathEscapes,
                "give a path relative to the data folder, without `..`, e.g. `resources/leaflet.pdf`",
            ),
            FileRefusal::LinkOutside => (
                Code::ResourcePathEscapes,
                "copy the file into the data folder instead of linking to it",
            ),
            FileRefusal::Private(_) => (
                Code::PrivateFile,
                "only files meant to be public may be published: put them under `resources/`, never a data file",
            ),
            FileRefusal::Missing => (
                Code::ResourceFileMissing,
                "paths are relative to the data folder and case-sensitive",
            ),
            FileRefusal::NotAFile => (Code::ResourceFileMissing, "name a file, not a folder"),
            FileRefusal::PrivateKey => (
                Code::PrivateFile,
                "a private key never goes in the data folder: move it out (e.g. to ~/tip-keys/) and name it with TIP_SIGNING_KEY",
            ),
            FileRefusal::Unreadable(_) => (
                Code::ResourceFileMissing,
                "make the file readable (its permissions), or name another",
            ),
            FileRefusal::WrongType(_) => (
                Code::WrongFileType,
                "give the file itself (a renamed data file would publish private records), or a name that says what it is",
            ),
        };
        self.push(
            Diagnostic::error(code, format!("the file of {what}, `{path}`, {refusal}")).help(help),
            loc,
        );
        false
    }

    /// The brand colour is the site's links and headings on white: it must
    /// reach WCAG AA's 4.5:1.
    pub(super) fn contrast(&mut self) {
        let Some(b) = &self.data.programme.branding else {
            return;
        };
        let (Some(colour), Some(at)) = (&b.colour, b.colour_loc) else {
            return;
        };
        let Some(ratio) = crate::words::contrast_with_white(colour) else {
            return;
        };
        if ratio < 4.5 {
            self.push(
                Diagnostic::warning(
                    Code::LowContrast,
                    format!("`{colour}` on white has a contrast ratio of {ratio:.2}:1, under the 4.5:1 that WCAG AA asks for text"),
                )
                .help("links and headings are drawn in this colour: choose a darker shade (e.g. `#00577a` is 7.6:1)"),
                at,
            );
        }
    }

    /// The logo is published as a PNG: check that it is one.
    fn logo_is_png(&mut self, logo: &str, at: Loc) {
        use std::io::Read;
        let mut head = [0u8; 8];
        let read = std::fs::File::open(self.data.root().join(logo))
            .and_then(|mut f| f.read_exact(&mut head));
        if read.is_err() || &head != crate::files::PNG_SIGNATURE {
            self.push(
                Diagnostic::error(
                    Code::LogoNotPng,
                    format!("the logo, `{logo}`, is not a PNG image"),
                )
                .help("save the logo as PNG (its contents, not only its name)"),
                at,
            );
        }
    }

    /// A template override (`templates/<name>`) is published through the
    /// site: it must be a plain file, not a link to a data file.
    fn template_overrides(&mut self) {
        let dir = self.data.root().join("templates");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return;
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect();
        names.sort();
        for name in names {
            let rel = format!("templates/{name}");
            if let Err(refusal) = crate::files::public_file(self.data.root(), &rel) {
                if matches!(refusal, FileRefusal::NotAFile) {
                    continue;
                }
                let code = match refusal {
                    FileRefusal::Private(_) | FileRefusal::PrivateKey => Code::PrivateFile,
                    FileRefusal::WrongType(_) => Code::WrongFileType,
                    _ => Code::ResourcePathEscapes,
                };
                self.diags.push(
                    Diagnostic::error(code, format!("the template override `{rel}` {refusal}"))
                        .at(Location {
                            file: rel.as_str().into(),
                            line: 1,
                            column: 1,
                            len: 1,
                        })
                        .help("a template must be a plain file in `templates/`, not a link to a data file"),
                );
            }
        }
    }
}
