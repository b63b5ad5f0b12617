//! The certificates ledger: numbers, dates and signing keys.

use chrono::Datelike;

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::*;

impl Checker<'_> {
    /// The certificates ledger: numbers canonical and unique, codes well
    /// formed and unique, dates in order, keys and replacements that
    /// exist, and every certificate still standing on a completion.
    pub(super) fn ledger(&mut self) {
        let data = self.data;
        let prefix = data.programme.id.to_uppercase();
        let mut numbers: std::collections::HashMap<&str, &Issued> = Default::default();
        let mut codes: std::collections::HashMap<&str, &Issued> = Default::default();
        for c in &data.certificates {
            self.ledger_number(c, &prefix);
            if !Issued::is_code(&c.code) {
                self.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("`{}` is not a verification code", c.code),
                    )
                    .help("codes are written `XXXX-XXXX` in digits and capitals without I, L, O and U, as `tip certify` recorded them"),
                    c.code_loc,
                );
            }
            for (seen, key, what) in [
                (&mut numbers, c.number.as_str(), "number"),
                (&mut codes, c.code.as_str(), "code"),
            ] {
                if let Some(first) = seen.get(key) {
                    let d = Diagnostic::error(
                        Code::DuplicateId,
                        format!("two certificates have the {what} `{key}`"),
                    )
                    .label(data.location(first.loc), "first recorded here")
                    .help("each certificate is issued once: remove the repeated row");
                    self.push(d, c.loc);
                } else {
                    seen.insert(key, c);
                }
            }
            self.ledger_dates(c);
            self.ledger_key(c);
            if c.revoked.is_none()
                && !data
                    .done
                    .of(c.person)
                    .iter()
                    .any(|d| d.course == c.course && d.date == c.completed)
            {
                self.push(
                    Diagnostic::error(
                        Code::IssuedWithoutCompletion,
                        format!(
                            "certificate `{}` says `{}` completed `{}` on {}, but the data no longer records that completion",
                            c.number, data[c.person].id, data[c.course].id, c.completed
                        ),
                    )
                    .help("an issued certificate is never deleted: if the completion was recorded by mistake, revoke it (fill `revoked` with today's date and `reason`); otherwise restore the attendance or completion"),
                    c.loc,
                );
            }
        }
        for c in &data.certificates {
            let Some(old) = &c.replaces else { continue };
            let at = c.replaces_loc.unwrap_or(c.loc);
            let problem = match numbers.get(old.as_str()) {
                None => Some(format!(
                    "`{}` replaces `{old}`, which the ledger does not hold",
                    c.number
                )),
                Some(o) if o.person != c.person || o.course != c.course => Some(format!(
                    "`{}` replaces `{old}`, a certificate of another person or course",
                    c.number
                )),
                Some(o) if o.revoked.is_none() => Some(format!(
                    "`{}` replaces `{old}`, which is not revoked: both would stand",
                    c.number
                )),
                Some(_) => None,
            };
            if let Some(message) = problem {
                self.push(
                    Diagnostic::error(Code::InvalidValue, message)
                        .help("a replacement names the revoked certificate of the same person and course (`tip certify --reissue NUMBER` writes it)"),
                    at,
                );
            }
        }
    }

    /// A certificate's number: of this programme, canonical, in the year
    /// of completion.
    fn ledger_number(&mut self, c: &Issued, prefix: &str) {
        match Issued::sequence(&c.number, prefix) {
            Some((year, _)) if year == c.completed.year() => {}
            Some((year, _)) => self.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!(
                        "certificate `{}` is numbered in {year} but was completed in {}",
                        c.number,
                        c.completed.year()
                    ),
                )
                .help("a number's year is the year of completion: correct `completed`, or revoke this certificate and print a new one"),
                c.number_loc,
            ),
            None => self.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("`{}` is not a certificate number of this programme", c.number),
                )
                .help(format!("numbers are written `{prefix}-<YEAR>-<NNNNNN>` (six digits or more, from 000001), e.g. `{prefix}-2022-000042`; `tip certify` assigns them")),
                c.number_loc,
            ),
        }
    }

    /// Issued on or after completion; revoked on or after issue.
    fn ledger_dates(&mut self, c: &Issued) {
        if c.issued < c.completed {
            self.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!(
                        "certificate `{}` is issued on {}, before its completion on {}",
                        c.number, c.issued, c.completed
                    ),
                )
                .help("a certificate is issued on or after the day the course was completed"),
                c.issued_loc,
            );
        }
        if let Some(revoked) = c.revoked
            && revoked < c.issued
        {
            self.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!(
                        "certificate `{}` is revoked on {revoked}, before it was issued on {}",
                        c.number, c.issued
                    ),
                )
                .help("write the day it was revoked: today, when revoking it now"),
                c.revoked_loc.unwrap_or(c.loc),
            );
        }
    }

    /// The key a certificate names is one of the programme's, in use on
    /// its issue date; signed after a key's compromise, it stands revoked.
    fn ledger_key(&mut self, c: &Issued) {
        let keys = &self.data.programme.public_keys;
        let id = c.key.as_deref().unwrap_or("key-1");
        let Some(key) = keys.iter().find(|k| k.id == id) else {
            if c.key.is_some() {
                let names: Vec<String> = keys.iter().map(|k| format!("`{}`", k.id)).collect();
                self.push(
                    Diagnostic::error(
                        Code::UnknownReference,
                        format!("certificate `{}` names the key `{id}`, which the programme does not list", c.number),
                    )
                    .help(if names.is_empty() {
                        "list the programme's public keys in `public_keys`".to_string()
                    } else {
                        format!("the programme's keys are {}: never remove a key from `public_keys`", names.join(", "))
                    }),
                    c.key_loc.unwrap_or(c.loc),
                );
            }
            return;
        };
        if !key.trusted_on(c.issued) && c.revoked.is_none() {
            let since = key.compromised.expect("untrusted keys are compromised");
            self.push(
                Diagnostic::warning(
                    Code::CompromisedKey,
                    format!(
                        "certificate `{}` was signed on {} by `{}`, which is marked compromised from {since}: it is revoked in its status list",
                        c.number, c.issued, key.id
                    ),
                )
                .label(self.data.location(key.loc), "the compromised key")
                .help(format!("revoke it here too (`revoked`, `reason`), then issue a replacement with the new key: `tip certify --reissue {}`", c.number)),
                c.loc,
            );
        }
    }
}
