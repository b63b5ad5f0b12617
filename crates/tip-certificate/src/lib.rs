//! PDF certificates for the people who completed a cohort.
//!
//! Only completions earn certificates: attendance that meets the course's
//! `completion` rule, once the cohort's last session has ended. Everyone
//! else in the cohort is listed with the reason. Issuing is recording
//! ([`issue`]): a completion in the data set's ledger (`certificates`)
//! keeps its number and code; a new one takes the next number of its year,
//! `<PROGRAMME>-<YEAR>-<NNNNNN>`, and is signed as an Open Badges 3.0
//! credential whose signature gives the verification code.
//!
//! ```
//! use chrono::NaiveDate;
//! use tip_core::Dataset;
//!
//! let (data, _) = Dataset::load("../../data/kent-medway")?;
//! let cohort = data.cohort("l2-2022-01-maidstone").unwrap();
//! let mut plan = tip_certificate::plan(&data, cohort, NaiveDate::from_ymd_opt(2022, 12, 1).unwrap(), None)?;
//! assert_eq!(plan.certificates.len(), 11);
//! // Without a key: drafts, numbered only when the ledger has them.
//! let today = NaiveDate::from_ymd_opt(2022, 12, 1).unwrap();
//! let ledger = tip_certificate::ledger_rows(&data);
//! let request = tip_certificate::Request { signer: None, today, reissue: &[] };
//! tip_certificate::issue(&data, &mut plan.certificates, &ledger, request)?;
//! let pdf = tip_certificate::Renderer::new(&data)?.render(&data, &plan.certificates[..1], None)?;
//! assert!(pdf.starts_with(b"%PDF-"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod ledger;
mod ledger_file;
mod pdf;
mod text;

use std::fmt;

use chrono::NaiveDate;
use tip_core::model::{Cohort, CompletionRule, Course, Person, Status};
use tip_core::rules::{attendance_completion, attended};
use tip_core::{Dataset, Ix};
use unicode_normalization::UnicodeNormalization;

pub use ledger::{
    Issuance, IssueError, LEDGER_COLUMNS, LedgerRow, Request, Signer, award, criteria, issue,
    ledger_rows, signed_names, status_index,
};
pub use ledger_file::{LedgerFile, Recorded, issue_and_record};
pub use pdf::{FontError, MissingGlyph, Renderer};

/// One certificate to print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    /// `KM-TIP-2022-000042` (empty until [`issue`]; `DRAFT` on a draft).
    pub number: String,
    /// `7KQ3-M9XD`: derived from the credential's signature (empty until
    /// [`issue`]; `DRAFT` on a draft).
    pub code: String,
    /// Who.
    pub person: Ix<Person>,
    /// Their name, NFC-normalised.
    pub name: String,
    /// What.
    pub course: Ix<Course>,
    /// The course title as printed (as signed, for a reprint).
    pub title: String,
    /// Which cohort.
    pub cohort: Ix<Cohort>,
    /// The dates of the sessions they attended.
    pub dates: Vec<NaiveDate>,
    /// The date of completion (the cohort's last session).
    pub date: NaiveDate,
}

/// Certificates for a cohort, and why the others get none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// One per completer, in enrolment order.
    pub certificates: Vec<Certificate>,
    /// Everyone else, with the reason.
    pub not_earned: Vec<(Ix<Person>, String)>,
}

/// Why no certificates can be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The course gives none (`certificate: false`).
    NoCertificates(String),
    /// The person asked for is not in the cohort.
    NotInCohort(String, String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NoCertificates(course) => write!(
                f,
                "`{course}` gives no certificates (`certificate: false` in its course)"
            ),
            Refusal::NotInCohort(person, cohort) => {
                write!(f, "`{person}` is not enrolled on `{cohort}`")
            }
        }
    }
}

impl std::error::Error for Refusal {}

/// Decide who earns a certificate for `cohort` as of `on`: those whose
/// attendance meets the course's completion rule once the last session has
/// ended. `only` narrows to one person. Numbers and codes come from
/// [`issue`].
pub fn plan(
    data: &Dataset,
    cohort: Ix<Cohort>,
    on: NaiveDate,
    only: Option<Ix<Person>>,
) -> Result<Plan, Refusal> {
    let c = &data[cohort];
    let course = &data[c.course];
    if !course.certificate {
        return Err(Refusal::NoCertificates(course.id.to_string()));
    }
    if let Some(p) = only
        && !c.enrolled.contains(&p)
    {
        return Err(Refusal::NotInCohort(
            data[p].id.to_string(),
            c.id.to_string(),
        ));
    }
    let sessions = data.sessions(cohort);
    let n = sessions.len() as u32;
    let mut plan = Plan::default();
    let mut earned = Vec::new();
    // The cohort's attendance, found in one pass over all attendance.
    let records: std::collections::HashMap<Ix<Person>, &tip_core::model::Attendance> = data
        .attendance()
        .iter()
        .filter(|a| a.cohort == cohort)
        .map(|a| (a.person, a))
        .collect();
    for &p in c.enrolled.iter().filter(|p| only.is_none_or(|o| o == **p)) {
        let record = records.get(&p).copied();
        let reason = match (c.status, record) {
            (Status::Cancelled, _) => Some("the cohort was cancelled".to_string()),
            (_, None) => Some("no attendance is recorded".to_string()),
            (_, Some(a)) => match attendance_completion(data, a) {
                Some(done) if done.counts_from <= on => {
                    let mut dates: Vec<NaiveDate> = sessions
                        .iter()
                        .filter(|s| a.sessions.contains(s.number))
                        .map(|s| s.date())
                        .collect();
                    dates.dedup();
                    earned.push((p, done.date, dates));
                    None
                }
                Some(done) => Some(format!(
                    "the course is not over yet (the last session is on {})",
                    done.date
                )),
                None => {
                    let got = attended(&a.sessions, n);
                    let needs = match course.completion {
                        CompletionRule::Percent(pc) => format!("{pc}% of {n}"),
                        CompletionRule::Sessions(k) => format!("{k} of {n}"),
                        _ => "the course's completion rule".to_string(),
                    };
                    Some(format!(
                        "did not attend enough sessions ({got} of {n}; needs {needs})"
                    ))
                }
            },
        };
        if let Some(reason) = reason {
            plan.not_earned.push((p, reason));
        }
    }
    for (p, date, dates) in earned {
        plan.certificates.push(Certificate {
            number: String::new(),
            code: String::new(),
            person: p,
            name: data[p].name.nfc().collect(),
            course: c.course,
            title: course.title.clone(),
            cohort,
            dates,
            date,
        });
    }
    Ok(plan)
}

/// What `tip validate` says about certificates before printing day: a
/// font in `branding` that is not a font (an error), and each name or
/// course title with a character no font draws (a warning: `tip certify`
/// refuses that certificate).
pub fn check(data: &Dataset) -> Vec<tip_core::Diagnostic> {
    use rayon::prelude::*;
    use tip_core::{Code, Diagnostic};
    let renderer = match Renderer::new(data) {
        Ok(r) => r,
        Err(e) => {
            // Blame the font the error names.
            let message = e.to_string();
            let branding = data.programme().branding.as_ref();
            let at = branding
                .and_then(|b| {
                    let first = b.font.iter().zip(b.font_loc);
                    let rest = b.fonts.iter().zip(b.fonts_locs.iter().copied());
                    first
                        .chain(rest)
                        .find(|(path, _)| message.contains(&format!("`{path}`")))
                        .map(|(_, loc)| loc)
                })
                .unwrap_or(data.programme().loc);
            return vec![
                Diagnostic::error(Code::BadFont, e.to_string())
                    .at(data.location(at))
                    .help("give a TrueType (.ttf) or OpenType (.otf) font file"),
            ];
        }
    };
    let advice = "add a font that has it to `branding.fonts` (for Chinese, e.g. Noto Sans SC)";
    let mut out: Vec<Diagnostic> = data
        .people()
        .par_iter()
        .filter_map(|p| {
            let missing = renderer.missing(&p.name);
            (!missing.is_empty()).then(|| {
                Diagnostic::warning(
                    Code::NoGlyph,
                    format!(
                        "no certificate font can draw {} in the name of `{}`",
                        characters(&missing),
                        p.id
                    ),
                )
                .at(data.location(p.loc))
                .help(advice)
            })
        })
        .collect();
    for course in data.courses().iter().filter(|c| c.certificate) {
        let missing = renderer.missing(&course.title);
        if !missing.is_empty() {
            out.push(
                Diagnostic::warning(
                    Code::NoGlyph,
                    format!(
                        "no certificate font can draw {} in the title of `{}`",
                        characters(&missing),
                        course.id
                    ),
                )
                .at(data.location(course.loc))
                .help(advice),
            );
        }
    }
    out
}

/// `` `王` (U+738B) and `芳` (U+82B3) ``.
pub fn characters(chars: &[char]) -> String {
    tip_core::words::list(
        chars
            .iter()
            .take(5)
            .map(|c| format!("`{c}` (U+{:04X})", *c as u32)),
        "and",
    )
}

/// Where a certificate is checked: `programme.verify_url` with the code,
/// else the site's `verify/<code>/` page. `None` without either, or for a
/// draft.
pub fn verify_url(data: &Dataset, code: &str) -> Option<String> {
    if code.is_empty() || code == "DRAFT" {
        return None;
    }
    let p = data.programme();
    match (&p.verify_url, &p.site_url) {
        (Some(template), _) => Some(template.replace("{code}", code)),
        (None, Some(site)) => Some(format!("{}/verify/{code}/", site.trim_end_matches('/'))),
        (None, None) => None,
    }
}

/// The register: `number,code,person,course,date`, one row a certificate.
pub fn register(data: &Dataset, certificates: &[Certificate]) -> String {
    let mut out = format!("{REGISTER_HEADER}\n");
    for c in certificates {
        out.push_str(&format!(
            "{},{},{},{},{}\n",
            c.number, c.code, data[c.person].id, data[c.course].id, c.date
        ));
    }
    out
}

/// The header row of a [`register`].
pub const REGISTER_HEADER: &str = "number,code,person,course,date";

/// A file name for a certificate: `KM-TIP-2022-004217-zoe-obrien.pdf`.
pub fn file_name(data: &Dataset, c: &Certificate) -> String {
    format!("{}-{}.pdf", c.number, data[c.person].id)
}
