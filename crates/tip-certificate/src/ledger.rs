//! Issuing is recording: numbers from the ledger, credentials signed, new
//! rows for the ledger.
//!
//! A completion already in the ledger keeps its number, code, issue date
//! and credential for ever (a reprint is the same certificate, byte for
//! byte); a new one takes the next number of its programme and year. A
//! revoked completion is not issued again unless the coordinator asks for
//! its replacement ([`Request::reissue`]). Nothing here writes a file:
//! [`crate::LedgerFile`] re-reads the ledger under a lock, and appends the
//! rows [`Issuance::new`] holds.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use tip_core::model::Issued;
use tip_core::{Dataset, Ix};
use tip_credential::{Achievement, Award, Issuer, Key, urn_uuid};

use crate::Certificate;

/// The key and the issuer it signs for.
#[derive(Clone, Debug)]
pub struct Signer {
    /// The private key (from `TIP_SIGNING_KEY`).
    pub key: Key,
    /// `did:web` of the programme's site, with every public key.
    pub issuer: Issuer,
}

/// A row of the ledger: one certificate as recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LedgerRow {
    /// `KM-TIP-2022-000042`.
    pub number: String,
    /// The verification code printed on it.
    pub code: String,
    /// The person's id.
    pub person: String,
    /// The course's id.
    pub course: String,
    /// When they completed it.
    pub completed: Option<NaiveDate>,
    /// When it was issued.
    pub issued: Option<NaiveDate>,
    /// When it was revoked, if it was.
    pub revoked: Option<NaiveDate>,
    /// Why.
    pub reason: String,
    /// The id of the key that signed it (`key-2`; empty: `key-1`).
    pub key: String,
    /// The number of the revoked certificate it replaces.
    pub replaces: String,
    /// The credential as signed (VC-JWT).
    pub credential: String,
}

impl LedgerRow {
    /// The row of a certificate the data set has loaded.
    pub fn of(data: &Dataset, c: &Issued) -> LedgerRow {
        LedgerRow {
            number: c.number.clone(),
            code: c.code.clone(),
            person: data[c.person].id.to_string(),
            course: data[c.course].id.to_string(),
            completed: Some(c.completed),
            issued: Some(c.issued),
            revoked: c.revoked,
            reason: c.reason.clone().unwrap_or_default(),
            key: c.key.clone().unwrap_or_default(),
            replaces: c.replaces.clone().unwrap_or_default(),
            credential: c.credential.clone().unwrap_or_default(),
        }
    }

    /// The value of the column named `column` (lowercase), as written.
    pub fn cell(&self, column: &str) -> String {
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        match column {
            "number" => self.number.clone(),
            "code" => self.code.clone(),
            "person" => self.person.clone(),
            "course" => self.course.clone(),
            "completed" => date(self.completed),
            "issued" => date(self.issued),
            "revoked" => date(self.revoked),
            "reason" => self.reason.clone(),
            "key" => self.key.clone(),
            "replaces" => self.replaces.clone(),
            "credential" => self.credential.clone(),
            _ => String::new(),
        }
    }

    /// Set the column named `column` (lowercase) from a cell.
    pub fn set(&mut self, column: &str, cell: &str) {
        let cell = cell.trim();
        let date = || cell.parse().ok();
        match column {
            "number" => self.number = cell.into(),
            "code" => self.code = cell.into(),
            "person" => self.person = cell.into(),
            "course" => self.course = cell.into(),
            "completed" => self.completed = date(),
            "issued" => self.issued = date(),
            "revoked" => self.revoked = date(),
            "reason" => self.reason = cell.into(),
            "key" => self.key = cell.into(),
            "replaces" => self.replaces = cell.into(),
            "credential" => self.credential = cell.into(),
            _ => {}
        }
    }
}

/// Every row of the data set's ledger.
pub fn ledger_rows(data: &Dataset) -> Vec<LedgerRow> {
    data.certificates()
        .iter()
        .map(|c| LedgerRow::of(data, c))
        .collect()
}

/// The ledger's columns, in the order a new ledger file has them.
pub const LEDGER_COLUMNS: [&str; 11] = [
    "number",
    "code",
    "person",
    "course",
    "completed",
    "issued",
    "revoked",
    "reason",
    "key",
    "replaces",
    "credential",
];

/// What to issue, beyond the plan.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// The key, or none for drafts (nothing new is numbered).
    pub signer: Option<&'a Signer>,
    /// The issue date of new certificates.
    pub today: NaiveDate,
    /// Revoked certificates to replace with new ones (`--reissue`).
    pub reissue: &'a [String],
}

/// What issuing a plan did.
#[derive(Clone, Debug, Default)]
pub struct Issuance {
    /// A signed credential for each certificate, in plan order (empty for
    /// drafts).
    pub credentials: Vec<String>,
    /// New certificates that replace a revoked one of the same completion:
    /// the new number, and the revoked one.
    pub replaced: Vec<(String, String)>,
    /// Completions whose certificate is revoked and not asked to be
    /// replaced: who, and the revoked number. They are not printed.
    pub held: Vec<(Ix<tip_core::model::Person>, String)>,
    /// Certificates reprinted as issued although the data has changed
    /// since: the number and what changed.
    pub changed: Vec<(String, String)>,
    /// New ledger rows.
    pub new: Vec<LedgerRow>,
}

/// Why certificates cannot be issued.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// Signing failed.
    #[error(transparent)]
    Credential(#[from] tip_credential::Error),
    /// `--reissue` names no revoked certificate of the plan.
    #[error(
        "`{0}` is not a revoked certificate of this cohort: only a revoked certificate is re-issued"
    )]
    NotRevoked(String),
    /// The ledger file could not be locked, read or written.
    #[error(transparent)]
    Ledger(#[from] std::io::Error),
}

/// Give each certificate of `plan` its number and code from `ledger` (the
/// rows as read under the ledger's lock): a live certificate of the same
/// completion is reprinted as issued; a revoked one is held back unless
/// its number is in [`Request::reissue`]; anything else takes the next
/// number of its year, signed now. Without a signer (a draft) nothing new
/// is numbered: new certificates say `DRAFT`.
pub fn issue(
    data: &Dataset,
    certificates: &mut Vec<Certificate>,
    ledger: &[LedgerRow],
    request: Request<'_>,
) -> Result<Issuance, IssueError> {
    let prefix = data.programme().id.to_uppercase();
    let mut last: HashMap<i32, u32> = HashMap::new();
    let mut live: HashMap<(&str, &str, NaiveDate), &LedgerRow> = HashMap::new();
    let mut revoked: HashMap<(&str, &str, NaiveDate), &LedgerRow> = HashMap::new();
    for row in ledger {
        if let Some((year, seq)) = Issued::sequence(&row.number, &prefix) {
            let l = last.entry(year).or_default();
            *l = (*l).max(seq);
        }
        let Some(completed) = row.completed else {
            continue;
        };
        let key = (row.person.as_str(), row.course.as_str(), completed);
        if row.revoked.is_none() {
            live.insert(key, row);
        } else {
            // The latest revoked certificate of the completion.
            revoked.insert(key, row);
        }
    }
    for number in request.reissue {
        let found = certificates.iter().any(|c| {
            let key = (&*data[c.person].id, &*data[c.course].id, c.date);
            revoked.get(&key).is_some_and(|r| &r.number == number) && !live.contains_key(&key)
        });
        if !found {
            return Err(IssueError::NotRevoked(number.clone()));
        }
    }
    let mut out = Issuance::default();
    let mut kept = Vec::with_capacity(certificates.len());
    for mut c in std::mem::take(certificates) {
        let key = (&*data[c.person].id, &*data[c.course].id, c.date);
        if let Some(row) = live.get(&key) {
            c.number = row.number.clone();
            c.code = row.code.clone();
            if let Some(token) = reprint(data, &mut c, row, request.signer, &mut out)? {
                out.credentials.push(token);
            }
            kept.push(c);
            continue;
        }
        let replaces = match revoked.get(&key) {
            Some(old) if request.reissue.contains(&old.number) => Some(old.number.clone()),
            Some(old) => {
                out.held.push((c.person, old.number.clone()));
                continue;
            }
            None => None,
        };
        let Some(signer) = request.signer else {
            c.number = "DRAFT".into();
            c.code = "DRAFT".into();
            kept.push(c);
            continue;
        };
        let year = c.date.year();
        let seq = last.entry(year).or_default();
        *seq += 1;
        c.number = Issued::number_of(&prefix, year, *seq);
        let signed = signer
            .issuer
            .sign(&signer.key, &award(data, &c, &signer.issuer, request.today))?;
        c.code = signed.code.clone();
        if let Some(old) = &replaces {
            out.replaced.push((c.number.clone(), old.clone()));
        }
        out.new.push(LedgerRow {
            number: c.number.clone(),
            code: c.code.clone(),
            person: key.0.to_string(),
            course: key.1.to_string(),
            completed: Some(c.date),
            issued: Some(request.today),
            key: key_id(signer),
            replaces: replaces.unwrap_or_default(),
            credential: signed.token.clone(),
            ..LedgerRow::default()
        });
        out.credentials.push(signed.token);
        kept.push(c);
    }
    *certificates = kept;
    Ok(out)
}

/// A certificate issued before: its recorded credential, printed with the
/// name and title it carries (noting what the data has changed since), or
/// for a row recorded without one, the credential signed again.
fn reprint(
    data: &Dataset,
    c: &mut Certificate,
    row: &LedgerRow,
    signer: Option<&Signer>,
    out: &mut Issuance,
) -> Result<Option<String>, IssueError> {
    if !row.credential.is_empty() {
        if let Some((name, title)) = signed_names(&row.credential) {
            let changes = changes(c, &name, &title);
            if !changes.is_empty() {
                out.changed.push((row.number.clone(), changes));
            }
            c.name = name;
            c.title = title;
        }
        return Ok(signer.map(|_| row.credential.clone()));
    }
    let Some(signer) = signer else {
        return Ok(None);
    };
    let issued = row.issued.unwrap_or(c.date);
    let signed = signer
        .issuer
        .sign(&signer.key, &award(data, c, &signer.issuer, issued))?;
    Ok(Some(signed.token))
}

/// The name and course title a credential was signed with.
pub fn signed_names(token: &str) -> Option<(String, String)> {
    let claims = tip_credential::claims_unverified(token)?;
    let subject = &claims["credentialSubject"];
    let name = subject["identifier"][0]["identityHash"].as_str()?;
    let title = subject["achievement"]["name"].as_str()?;
    Some((name.to_owned(), title.to_owned()))
}

/// What differs between the data's certificate and what was signed, in
/// words ("the name is now `Zoë`").
fn changes(c: &Certificate, name: &str, title: &str) -> String {
    let mut out = Vec::new();
    if c.name != name {
        out.push(format!(
            "the name was `{name}`, the data now says `{}`",
            c.name
        ));
    }
    if c.title != title {
        out.push(format!(
            "the course title was `{title}`, the data now says `{}`",
            c.title
        ));
    }
    out.join("; ")
}

/// The id of the signer's key in its issuer's DID document (`key-2`).
fn key_id(signer: &Signer) -> String {
    let public = signer.key.public();
    signer
        .issuer
        .keys
        .iter()
        .find(|k| k.key == public)
        .map(|k| k.id.clone())
        .unwrap_or_default()
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
    let tier = data[course.tier].label();
    Award {
        id: urn_uuid(&format!("{}/{}", data.programme().id, c.number)),
        name: c.name.clone(),
        email: person.email.as_deref().map(String::from),
        achievement: Achievement {
            id: format!("{}courses/{}.html", issuer.site_url, course.id),
            name: c.title.clone(),
            description: course
                .summary
                .clone()
                .unwrap_or_else(|| format!("{}, {tier}.", c.title)),
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

/// The parts of a course's `requires` that [`tip_core::rules::who`] does
/// not put in words: it names the roles (without an audience), the regions
/// (without regions of the course's own), and the courses to have completed
/// (without a time limit).
fn unsaid(course: &tip_core::model::Course) -> Vec<&tip_core::model::Rule> {
    use tip_core::model::RuleKind;
    let mut musts = Vec::new();
    let mut stack: Vec<&tip_core::model::Rule> = course.requires.iter().collect();
    while let Some(rule) = stack.pop() {
        match &rule.kind {
            RuleKind::All(parts) => stack.extend(parts.iter().rev()),
            _ => musts.push(rule),
        }
    }
    let first_role = musts
        .iter()
        .position(|r| matches!(r.kind, RuleKind::Role(_)));
    let first_region = musts
        .iter()
        .position(|r| matches!(r.kind, RuleKind::Region(_)));
    musts
        .into_iter()
        .enumerate()
        .filter(|(i, rule)| match &rule.kind {
            RuleKind::Completed { within: None, .. } => false,
            RuleKind::Role(_) => !(course.audience.is_empty() && first_role == Some(*i)),
            RuleKind::Region(_) => !(course.regions.is_empty() && first_region == Some(*i)),
            _ => true,
        })
        .map(|(_, rule)| rule)
        .collect()
}

/// What earns the certificate, in plain words from the course's rules:
/// what to attend, who may take it, and what they must have done first
/// (each said once).
pub fn criteria(data: &Dataset, course: Ix<tip_core::model::Course>) -> String {
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
    // The conditions `who` does not already say, once each.
    let rest: Vec<String> = unsaid(c)
        .into_iter()
        .map(|rule| tip_core::rules::requirement(data, rule))
        .collect();
    if !rest.is_empty() {
        out.push_str(&format!(", when {}", tip_core::words::list(rest, "and")));
    }
    out.push('.');
    out
}
