//! What can go wrong while publishing.

use std::io;
use std::path::PathBuf;

use tip_core::FileRefusal;

/// Why a page, pack or bulletin could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A template (a data folder's override, or a built-in one) does not
    /// parse or fails to render.
    #[error("template `{name}`: {source}")]
    Template {
        /// The template's name (`bulletin.md`).
        name: String,
        /// What minijinja said, with the line.
        source: minijinja::Error,
    },
    /// A file named in the data may not be published.
    #[error("the file of {what}, `{path}`, {refusal}")]
    File {
        /// "resource `leaflet`", "the logo", "the template override".
        what: String,
        /// As written in the data.
        path: String,
        /// Why not.
        refusal: FileRefusal,
    },
    /// The logo is not a PNG.
    #[error("the logo, `{0}`, is not a PNG image")]
    LogoNotPng(String),
    /// A file could not be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
    /// The progress chart could not be drawn.
    #[error("the progress chart: {0}")]
    Chart(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A revocation list could not be signed.
    #[error("the revocation list: {0}")]
    Credential(#[from] tip_credential::Error),
    /// A year's status list must change and there is no key to sign it.
    #[error(
        "the status list for {year} must be signed again: {why}\n  = help: set TIP_SIGNING_KEY to the programme's private key and build again; without it the published list would answer wrongly"
    )]
    StatusList {
        /// Its year.
        year: i32,
        /// What changed.
        why: String,
    },
}

impl Error {
    /// Whether the data is at fault (a template, a file the data names):
    /// the command line exits 1 for these, 2 for the rest.
    pub fn is_data_problem(&self) -> bool {
        matches!(
            self,
            Error::Template { .. }
                | Error::File { .. }
                | Error::LogoNotPng(_)
                | Error::StatusList { .. }
        )
    }

    pub(crate) fn template(name: &str, source: minijinja::Error) -> Self {
        Error::Template {
            name: name.to_owned(),
            source,
        }
    }

    /// The chart's drawing failed (plotters).
    pub(crate) fn chart(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::Chart(Box::new(source))
    }

    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}
