//! Everything `validate` checks beyond loading — the site's template
//! overrides, the certificates' fonts against every name, the keys and
//! the ledger's credentials — in one call that `validate` and `serve`
//! share, so the preview shows what CI would refuse.

use std::path::Path;

use tip_core::{Diagnostic, Report};

/// Every diagnostic of `report`, with those of the templates, the fonts
/// and the keys, in the order they are shown.
pub(crate) fn everything(dir: &Path, report: &Report) -> Vec<Diagnostic> {
    // The site's templates are part of the data set too.
    let mut all = report.diagnostics().to_vec();
    all.extend(tip_site::check_templates(dir));
    // And the certificates' fonts: a name no font draws is found now, not
    // on printing day.
    if let Some(data) = report.dataset() {
        all.extend(tip_certificate::check(data));
        all.extend(keys(data));
    }
    tip_core::diagnostic::sort(&mut all);
    all
}

/// The programme's public keys read, `TIP_SIGNING_KEY` (when set) is the
/// private half of one of them, and each certificate the ledger records
/// with its credential still matches it: the code is the signature's, the
/// key the one named, the name and title what the data says now.
fn keys(data: &tip_core::Dataset) -> Vec<tip_core::Diagnostic> {
    use tip_core::{Code, Diagnostic};
    let programme = data.programme();
    let mut out = Vec::new();
    let mut publics = Vec::new();
    for entry in &programme.public_keys {
        let at = data.location(entry.loc);
        let Ok(path) = tip_core::public_file(data.root(), &entry.file) else {
            // Reported with the files to publish.
            continue;
        };
        let read = crate::signing::read_key_file(&path)
            .map_err(|e| e.to_string())
            .and_then(|t| tip_credential::PublicKey::from_pem(&t).map_err(|e| e.to_string()));
        match read {
            Ok(key) => publics.push((entry.id.as_str(), key)),
            Err(why) => out.push(
                Diagnostic::error(
                    Code::BadKey,
                    format!("the public key `{}` does not read: {why}", entry.file),
                )
                .at(at)
                .help("give the `.pub.pem` file `tip keys new` made"),
            ),
        }
    }
    if let (Some(private), Some(first)) = (
        crate::signing::signing_key_path(),
        programme.public_keys.first(),
    ) {
        let at = data.location(first.loc);
        let read = crate::signing::read_key_file(&private)
            .map_err(|e| e.to_string())
            .and_then(|t| tip_credential::Key::from_pem(&t).map_err(|e| e.to_string()));
        match read {
            Ok(key) if publics.iter().any(|(_, p)| *p == key.public()) => {}
            Ok(_) => out.push(
                Diagnostic::error(
                    Code::BadKey,
                    format!(
                        "TIP_SIGNING_KEY (`{}`) is not the private half of any of the programme's public keys",
                        private.display()
                    ),
                )
                .at(at)
                .help("set TIP_SIGNING_KEY to the key made with one of them, or add the new key's public half to `public_keys`"),
            ),
            Err(why) => out.push(
                Diagnostic::error(
                    Code::BadKey,
                    format!("TIP_SIGNING_KEY (`{}`) does not read: {why}", private.display()),
                )
                .at(at)
                .help("set it to the private key file `tip keys new` made"),
            ),
        }
    }
    out.extend(ledger(data, &publics));
    out
}

/// What the ledger's credentials and dates say against the data: codes
/// that are their signature's, credentials their key signed, names and
/// titles unchanged since issue, revocations not in the future.
fn ledger(
    data: &tip_core::Dataset,
    publics: &[(&str, tip_credential::PublicKey)],
) -> Vec<tip_core::Diagnostic> {
    use tip_core::{Code, Diagnostic};
    use unicode_normalization::UnicodeNormalization as _;
    let today = crate::today();
    let mut out = Vec::new();
    for c in data.certificates().iter() {
        if let Some(revoked) = c.revoked
            && revoked > today
        {
            out.push(
                Diagnostic::warning(
                    Code::InvalidValue,
                    format!("certificate `{}` is revoked on {revoked}, which is in the future: it stands revoked from now", c.number),
                )
                .at(data.location(c.revoked_loc.unwrap_or(c.loc)))
                .help("write the day it was revoked: today, when revoking it now"),
            );
        }
        let Some(token) = &c.credential else { continue };
        let key = c.key.as_deref().unwrap_or("key-1");
        let signed_by = publics.iter().find(|(id, _)| *id == key);
        if tip_credential::code_of(token) != c.code
            || signed_by.is_some_and(|(_, k)| !tip_credential::verify(token, k))
        {
            out.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("the credential of certificate `{}` is not the one its code and key say was signed", c.number),
                )
                .at(data.location(c.code_loc))
                .help("a ledger row is never edited but for `revoked` and `reason`: restore it from git"),
            );
            continue;
        }
        if c.revoked.is_some() {
            continue;
        }
        let Some((name, title)) = tip_certificate::signed_names(token) else {
            continue;
        };
        let now: String = data[c.person].name.nfc().collect();
        let course = &data[c.course].title;
        let mut changes = Vec::new();
        if now != name {
            changes.push(format!("the name was `{name}` and is now `{now}`"));
        }
        if *course != title {
            changes.push(format!(
                "the course title was `{title}` and is now `{course}`"
            ));
        }
        if !changes.is_empty() {
            out.push(
                Diagnostic::warning(
                    Code::ChangedSinceIssue,
                    format!("certificate `{}` was issued before the data changed: {}", c.number, changes.join("; ")),
                )
                .at(data.location(c.loc))
                .help(format!("reprints give what was issued; to issue a corrected one, revoke it here (`revoked`, `reason`), then `tip certify --reissue {}`", c.number)),
            );
        }
    }
    out
}
