//! Issuing is recording: numbers from the ledger, credentials signed, new
//! rows for the ledger.
//!
//! A completion already in the ledger keeps its number, code and issue
//! date for ever (a reprint is the same certificate); a new one takes the
//! next number of its programme and year. Nothing here writes a file: the
//! command line writes the rows [`Issuance::rows`] returns, atomically.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use tip_core::Dataset;
use tip_core::model::Issued;
use tip_credential::{Achievement, Award, Issuer, Key, urn_uuid};

use crate::Certificate;

/// The key and the issuer it signs for.
#[derive(Clone, Debug)]
pub struct Signer {
    /// The private key (from `TIP_SIGNING_KEY`).
    pub key: Key,
    /// `did:web` of the programme's site.
    pub issuer: Issuer,
}

/// What issuing a plan did.
#[derive(Clone, Debug, Default)]
pub struct Issuance {
    /// A signed credential for each certificate, in plan order (empty for
    /// drafts).
    pub credentials: Vec<String>,
    /// New certificates that replace a revoked one of the same completion
    /// (a misspelt name corrected): the new number, and the revoked one.
    pub replaced: Vec<(String, String)>,
    /// New ledger rows (`number, code, person, course, completed, issued`).
    pub new: Vec<[String; 6]>,
}

impl Issuance {
    /// The new rows as CSV lines under `header` (the ledger file's own
    /// column order; columns it lacks stay out, extra ones stay empty).
    pub fn rows(&self, header: &[&str]) -> String {
        let mut out = String::new();
        for row in &self.new {
            let cells: Vec<&str> = header
                .iter()
                .map(|h| match *h {
                    "number" => row[0].as_str(),
                    "code" => &row[1],
                    "person" => &row[2],
                    "course" => &row[3],
                    "completed" => &row[4],
                    "issued" => &row[5],
                    _ => "",
                })
                .collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        out
    }
}

/// The ledger's columns, in the order a new ledger file has them.
pub const LEDGER_HEADER: &str = "number,code,person,course,completed,issued,revoked,reason";

/// Give each certificate of `plan` its number and code: from the ledger
/// when it was issued before, else the next number of its year, signed
/// now (`today` is the issue date). Without a `signer` (a draft) nothing
/// new is numbered: new certificates say `DRAFT`.
pub fn issue(
    data: &Dataset,
    certificates: &mut Vec<Certificate>,
    signer: Option<&Signer>,
    today: NaiveDate,
) -> Result<Issuance, tip_credential::Error> {
    let prefix = data.programme().id.to_uppercase();
    let mut last: HashMap<i32, u32> = HashMap::new();
    // The live certificate of each completion; revoked ones stay on record
    // but do not stop a new one (to withdraw a completion for good, remove
    // it from the data too).
    let mut by_completion: HashMap<_, &Issued> = HashMap::new();
    let mut revoked: HashMap<_, &Issued> = HashMap::new();
    for row in data.certificates() {
        if let Some((year, seq)) = Issued::sequence(&row.number, &prefix) {
            let l = last.entry(year).or_default();
            *l = (*l).max(seq);
        }
        let key = (row.person, row.course, row.completed);
        if row.revoked.is_none() {
            by_completion.insert(key, row);
        } else {
            revoked.insert(key, row);
        }
    }
    let mut out = Issuance::default();
    let mut kept = Vec::with_capacity(certificates.len());
    for mut c in std::mem::take(certificates) {
        let issued_on = match by_completion.get(&(c.person, c.course, c.date)) {
            Some(row) => {
                c.number = row.number.clone();
                c.code = row.code.clone();
                Some(row.issued)
            }
            None => None,
        };
        match signer {
            None => {
                if issued_on.is_none() {
                    c.number = "DRAFT".into();
                    c.code = "DRAFT".into();
                }
            }
            Some(signer) => {
                let issued = issued_on.unwrap_or(today);
                if issued_on.is_none() {
                    let year = c.date.year();
                    let seq = last.entry(year).or_default();
                    *seq += 1;
                    c.number = format!("{prefix}-{year}-{seq:06}");
                }
                let signed = signer
                    .issuer
                    .sign(&signer.key, &award(data, &c, &signer.issuer, issued))?;
                if issued_on.is_none() {
                    if let Some(old) = revoked.get(&(c.person, c.course, c.date)) {
                        out.replaced.push((c.number.clone(), old.number.clone()));
                    }
                    c.code = signed.code.clone();
                    out.new.push([
                        c.number.clone(),
                        c.code.clone(),
                        data[c.person].id.to_string(),
                        data[c.course].id.to_string(),
                        c.date.to_string(),
                        issued.to_string(),
                    ]);
                }
                out.credentials.push(signed.token);
            }
        }
        kept.push(c);
    }
    *certificates = kept;
    Ok(out)
}

/// The index of a certificate in its year's status list: its sequence.
pub fn status_index(number: &str, prefix: &str) -> Option<(i32, u32)> {
    Issued::sequence(number, prefix)
}

/// The credential of a certificate, before signing.
pub fn award(data: &Dataset, c: &Certificate, issuer: &Issuer, issued: NaiveDate) -> Award {
    let course = &data[c.course];
    let person = &data[c.person];
    let prefix = data.programme().id.to_uppercase();
    let tier = data.tier(course.tier).map_or_else(
        || format!("Tier {}", course.tier),
        |t| format!("Tier {}: {}", t.level, t.name),
    );
    Award {
        id: urn_uuid(&format!("{}/{}", data.programme().id, c.number)),
        name: c.name.clone(),
        email: person.email.as_deref().map(String::from),
        achievement: Achievement {
            id: format!("{}courses/{}.html", issuer.site_url, course.id),
            name: course.title.clone(),
            description: course
                .summary
                .clone()
                .unwrap_or_else(|| format!("{}, {tier}.", course.title)),
            criteria: criteria(data, c.course),
            tag: vec![tier],
            hours: course.cpd_hours,
        },
        started: c.dates.first().copied(),
        completed: c.date,
        issued,
        status: status_index(&c.number, &prefix).map(|(year, seq)| issuer.status_entry(year, seq)),
    }
}

/// What earns the certificate, in plain words from the course's rules.
pub fn criteria(data: &Dataset, course: tip_core::Ix<tip_core::model::Course>) -> String {
    use tip_core::model::CompletionRule;
    let c = &data[course];
    let attend = match c.completion {
        CompletionRule::Percent(p) if p >= 100.0 => {
            "Attend every session of the course".to_string()
        }
        CompletionRule::Percent(p) => format!("Attend at least {p}% of the course's sessions"),
        CompletionRule::Sessions(1) => "Attend at least one session of the course".to_string(),
        CompletionRule::Sessions(n) => format!("Attend at least {n} of the course's sessions"),
        _ => "Complete the course".to_string(),
    };
    let who = tip_core::rules::who(data, c);
    let mut out = format!("{attend}. Open to: {who}");
    if let Some(rule) = &c.requires {
        out.push_str(&format!(
            ", when {}",
            tip_core::rules::requirement(data, rule)
        ));
    }
    out.push('.');
    out
}
