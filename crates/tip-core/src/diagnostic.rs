//! Diagnostics: what is wrong with the data, where, and how to fix it.
//!
//! Every problem the loader finds becomes a [`Diagnostic`] with a stable
//! [`Code`], a message shaped like "expected X, found Y", the place in the
//! data folder ([`Location`]) and, where we can tell, a `help` hint.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// The data is invalid: commands refuse to run on it.
    Error,
    /// Worth a look, but the data can be used.
    Warning,
    /// Not a problem in itself: what was not checked, and why.
    Note,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        })
    }
}

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, )*) => {
        /// A stable, kebab-case identifier for each kind of problem.
        ///
        /// Codes are part of the command-line contract: scripts may match on
        /// them, so they are never renamed. `docs/data-format.md` lists them all.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as written in output, e.g. `unknown-field`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// One line describing what the code means (its doc comment).
            pub fn description(self) -> &'static str {
                match self { $(Code::$variant => concat!($($doc),*).trim_ascii(),)* }
            }
        }
    };
}

codes! {
    /// A file or folder could not be read.
    Io = "io-error",
    /// A file is not valid UTF-8 text.
    NotUtf8 = "not-utf8",
    /// A file is larger than the loader accepts (YAML 64 MiB, CSV 1 GiB).
    FileTooLarge = "file-too-large",
    /// A YAML file is not well-formed YAML.
    YamlSyntax = "yaml-syntax",
    /// A YAML file exceeds a safety limit (nesting depth, alias expansion, node count).
    YamlLimit = "yaml-limit",
    /// A YAML mapping has the same key twice.
    DuplicateKey = "duplicate-key",
    /// A note: references into a section were not checked because a file that may define it could not be read.
    ChecksSkipped = "checks-skipped",
    /// A CSV file is malformed (unbalanced quotes, wrong number of cells, a line longer than 1 MiB).
    CsvSyntax = "csv-syntax",
    /// A CSV cell holds a control character (NUL, escape, DEL, …).
    ControlCharacter = "control-character",
    /// A top-level key is not a known section, or a CSV file name does not start with a tabular section.
    UnknownSection = "unknown-section",
    /// A mapping has a field its section does not define.
    UnknownField = "unknown-field",
    /// A CSV header names a column its section does not define.
    UnknownColumn = "unknown-column",
    /// A required field is absent or empty.
    MissingField = "missing-field",
    /// A value has the wrong shape (a list where text was expected, and so on).
    WrongType = "wrong-type",
    /// An id is not lowercase `[a-z0-9][a-z0-9-]*`.
    InvalidId = "invalid-id",
    /// Two records of one section share an id.
    DuplicateId = "duplicate-id",
    /// An id refers to a record that does not exist.
    UnknownReference = "unknown-reference",
    /// A date or date-time does not exist, is outside 1900–2200, or is not written `YYYY-MM-DD` / `YYYY-MM-DDTHH:MM`.
    InvalidDate = "invalid-date",
    /// A time or time range is not written `HH:MM` / `HH:MM-HH:MM`.
    InvalidTime = "invalid-time",
    /// A local time falls in the gap when clocks go forward.
    NonexistentLocalTime = "nonexistent-local-time",
    /// A local time happens twice when clocks go back.
    AmbiguousLocalTime = "ambiguous-local-time",
    /// A session or time range ends before (or when) it starts.
    EndBeforeStart = "end-before-start",
    /// A timezone is not in the IANA time zone database.
    UnknownTimezone = "unknown-timezone",
    /// A duration is not written like `3 years`, `18 months`, `6 weeks` or `10 days`.
    InvalidDuration = "invalid-duration",
    /// A percentage is not written like `80%` (0–100).
    InvalidPercentage = "invalid-percentage",
    /// A number is not a whole number in range.
    InvalidNumber = "invalid-number",
    /// A value is not one of the allowed words, or is otherwise malformed.
    InvalidValue = "invalid-value",
    /// Two fields that exclude each other are both set (`url` and `file`, `sessions` and `schedule`).
    ConflictingFields = "conflicting-fields",
    /// The data set has no `programme`.
    MissingProgramme = "missing-programme",
    /// The data set has more than one `programme`.
    DuplicateProgramme = "duplicate-programme",
    /// A resource's `file` does not exist.
    ResourceFileMissing = "resource-file-missing",
    /// A resource's `file` is absolute, uses `..`, or is a link leading outside the data folder.
    ResourcePathEscapes = "resource-path-escapes",
    /// A file to be published (a resource, the logo, the font, a template) is one of the data set's own files (`*.yaml`, `*.yml`, `*.csv`) or hidden.
    PrivateFile = "private-file",
    /// The logo is not a PNG image.
    LogoNotPng = "logo-not-png",
    /// A file to be published is not of the type its name says (a `.pdf` that is not a PDF: perhaps a data file renamed).
    WrongFileType = "wrong-file-type",
    /// A font in `branding` is not a TrueType or OpenType font.
    BadFont = "bad-font",
    /// A name or course title has a character no certificate font draws (warning; `tip certify` refuses that certificate).
    NoGlyph = "no-glyph",
    /// A certificate in the ledger stands on a completion the data no longer records (revoke it instead of deleting it).
    IssuedWithoutCompletion = "issued-without-completion",
    /// The certificates' key is missing, unreadable, or its private and public halves do not match.
    BadKey = "bad-key",
    /// A certificate's name or course title is no longer what was signed: reprints give what was issued until it is revoked and re-issued (warning).
    ChangedSinceIssue = "changed-since-issue",
    /// A certificate was signed by a key on or after the day the key is marked compromised: its status list revokes it (warning).
    CompromisedKey = "compromised-key",
    /// A name holds a bidirectional control character (U+202A–U+202E, U+2066–U+2069), which can print it reversed (warning).
    BidiControl = "bidi-control",
    /// `branding.colour` is too light to read against the site's white background (under WCAG AA's 4.5:1; warning).
    LowContrast = "low-contrast",
    /// A template override in `templates/` does not parse.
    TemplateSyntax = "template-syntax",
    /// Courses require each other in a circle, so none can ever be taken.
    PrerequisiteCycle = "prerequisite-cycle",
    /// More people are enrolled than the cohort (or its venue) holds.
    OverCapacity = "over-capacity",
    /// A person is both enrolled on and waitlisted for the same cohort.
    EnrolledAndWaitlisted = "enrolled-and-waitlisted",
    /// A person appears twice in one list (enrolled, waitlist, trainers).
    DuplicateEntry = "duplicate-entry",
    /// Attendance is recorded for someone not enrolled on the cohort.
    AttendanceNotEnrolled = "attendance-not-enrolled",
    /// Attendance names a session number the cohort does not have.
    AttendanceUnknownSession = "attendance-unknown-session",
    /// The same record appears twice (e.g. one completion exported twice).
    DuplicateRecord = "duplicate-record",
    /// Two sessions of one cohort overlap in time.
    SessionOverlap = "session-overlap",
    /// A trainer is due at two overlapping sessions.
    TrainerClash = "trainer-clash",
    /// A venue is booked for two overlapping sessions.
    VenueClash = "venue-clash",
    /// A learner is enrolled on two overlapping sessions.
    LearnerClash = "learner-clash",
    /// A hand-set session falls on a bank holiday, closure or non-working weekday (warning).
    SessionOnClosedDay = "session-on-closed-day",
    /// A trainer does not meet the course's `delivered_by` rule on the cohort's first session.
    UnqualifiedTrainer = "unqualified-trainer",
    /// Someone is enrolled on a cohort they are not eligible for on its first session (warning).
    NotEligible = "not-eligible",
    /// An e-learning course has no `url`: no one can start it from the site or the bulletin (warning).
    NoStartLink = "no-start-link",
    /// A cohort's `replaced_by` names itself, a run of another course, or a cancelled run, or the cohort is not cancelled.
    BadReplacement = "bad-replacement",
    /// A course's audience, regions and rules contradict each other, or no one in the data could meet them (warning).
    UnsatisfiableRule = "unsatisfiable-rule",
}

impl Code {
    /// Whether the code says a file could not be read as a whole (its
    /// syntax, encoding or size): listed first, as the first to fix.
    pub fn is_syntax(self) -> bool {
        use Code::*;
        matches!(
            self,
            Io | NotUtf8 | FileTooLarge | YamlSyntax | YamlLimit | DuplicateKey | CsvSyntax
        )
    }

    /// Whether the code comes from a check across whole records (a clash,
    /// an over-full cohort, a missing resource file): the records it
    /// concerns were read completely, so a program may still use the data
    /// set to report on it (see [`crate::Report::into_result_allowing`]).
    pub fn is_cross_record(self) -> bool {
        use Code::*;
        matches!(
            self,
            ResourceFileMissing
                | ResourcePathEscapes
                | TemplateSyntax
                | BadFont
                | NoGlyph
                | IssuedWithoutCompletion
                | ChangedSinceIssue
                | CompromisedKey
                | BadKey
                | LowContrast
                | PrivateFile
                | WrongFileType
                | LogoNotPng
                | PrerequisiteCycle
                | OverCapacity
                | EnrolledAndWaitlisted
                | DuplicateEntry
                | AttendanceNotEnrolled
                | AttendanceUnknownSession
                | DuplicateRecord
                | SessionOverlap
                | TrainerClash
                | VenueClash
                | LearnerClash
                | SessionOnClosedDay
                | UnqualifiedTrainer
                | NotEligible
                | UnsatisfiableRule
        )
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Where a problem is: a file relative to the data folder, and a 1-based
/// line and column (columns count characters, not bytes).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The file, relative to the data folder, with `/` separators.
    pub file: Arc<str>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// How many characters the problem spans on that line (at least 1), for carets.
    pub len: u32,
}

/// One problem found in the data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The stable code.
    pub code: Code,
    /// What is wrong, lowercase, no trailing period.
    pub message: String,
    /// Where, when the problem has a place (a missing programme has none).
    pub location: Option<Location>,
    /// What would fix it, e.g. "did you mean `becoming-ti`?".
    pub help: Option<String>,
    /// Other places that explain it (`enrolled here`, the other session
    /// of a clash), each with a few words.
    pub labels: Vec<Label>,
}

/// A second place a diagnostic points at, with what it shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub location: Location,
    /// A few words: `enrolled here`.
    pub message: String,
}

/// The longest message or help kept, in characters: a value quoted from a
/// megabyte-long cell is cut, never echoed whole.
pub(crate) const MAX_MESSAGE_CHARS: usize = 300;

/// `text` cut to at most `max` characters (and an ellipsis), closing an
/// open backtick quote so the message still reads right.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((cut, _)) => {
            let kept = &text[..cut];
            let mut out = format!("{kept}…");
            if kept.matches('`').count() % 2 == 1 {
                out.push('`');
            }
            out
        }
    }
}

impl Diagnostic {
    /// A new error.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: shorten(&message.into(), MAX_MESSAGE_CHARS),
            location: None,
            help: None,
            labels: Vec::new(),
        }
    }

    /// A new warning.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// A new note: not a problem, but what was not checked and why.
    pub fn note(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Note,
            ..Diagnostic::error(code, message)
        }
    }

    /// Attach a location.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// Add a second place that explains the problem.
    pub fn label(mut self, location: Location, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            location,
            message: message.into(),
        });
        self
    }

    /// Attach a help hint.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(shorten(&help.into(), MAX_MESSAGE_CHARS));
        self
    }

    /// Attach a help hint when there is one.
    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The order diagnostics are reported in: by file, line, column, then code.
    pub(crate) fn sort_key(&self) -> impl Ord + '_ {
        (
            // Notes (what was not checked) come after the problems, and a
            // file that could not be read before everything else: the
            // first thing to fix.
            self.severity == Severity::Note,
            !self.code.is_syntax(),
            self.location.as_ref().map(|l| (&*l.file, l.line, l.column)),
            self.code,
            &self.message,
        )
    }
}

/// The Markdown table of every code, as `docs/data-format.md` shows it.
#[doc(hidden)] // for the project's own docs generator (examples/field-tables.rs)
pub fn code_table() -> String {
    let mut out = String::from("| code | meaning |\n|---|---|\n");
    for code in Code::ALL {
        // Each code links to its example in docs/diagnostics.md.
        out.push_str(&format!(
            "| [`{0}`](diagnostics.md#{0}) | {1} |\n",
            code.as_str(),
            code.description()
        ));
    }
    out
}

/// Sort diagnostics into report order and drop exact repeats; cut any
/// over-long help (set directly on the field) as messages are cut.
pub fn sort(diagnostics: &mut Vec<Diagnostic>) {
    for d in diagnostics.iter_mut() {
        if let Some(help) = &mut d.help
            && help.len() > MAX_MESSAGE_CHARS
        {
            *help = shorten(help, MAX_MESSAGE_CHARS);
        }
    }
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup();
}

/// Counts of errors and warnings.
pub fn count(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let of = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    (of(Severity::Error), of(Severity::Warning))
}

/// Render a path relative to the data folder with `/` separators, the form
/// used in every diagnostic.
pub(crate) fn display_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_kebab_case_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let s = code.as_str();
            assert!(crate::is_id(s), "{s}");
            assert!(seen.insert(s), "{s} twice");
            assert!(!code.description().is_empty());
        }
    }

    #[test]
    fn docs_list_every_code() {
        let docs = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/data-format.md"
        ))
        .unwrap();
        assert!(
            docs.contains(&code_table()),
            "docs/data-format.md is out of date: run `scripts/regen-docs.sh`"
        );
    }
}
