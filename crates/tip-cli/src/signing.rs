//! The programme's keys for certificates: its public keys over time (from
//! the data folder), the private key `TIP_SIGNING_KEY` names (never from
//! one), and the issuer they make. `certify`, `build` and `validate` share
//! them.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use tip_core::Dataset;
use tip_core::model::PublicKeyEntry;
use tip_credential::{Issuer, IssuerKey, Key, PublicKey};

/// The largest key file read: a PEM key is a few hundred bytes.
const MAX_KEY_FILE: u64 = 64 << 10;

fn invalid(why: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, why)
}

/// The text of a key file: only a regular file (after resolving links) of
/// at most 64 KiB is read, so a device, a FIFO or a huge file never is.
pub(crate) fn read_key_file(path: &Path) -> io::Result<String> {
    let at = |e: io::Error| io::Error::new(e.kind(), format!("`{}`: {e}", path.display()));
    let meta = std::fs::metadata(path).map_err(at)?;
    if !meta.is_file() {
        return Err(invalid(format!(
            "`{}` is not a regular file: a key is a small PEM file",
            path.display()
        )));
    }
    if meta.len() > MAX_KEY_FILE {
        return Err(invalid(format!(
            "`{}` is {} bytes: a key is a small PEM file (a few hundred bytes)",
            path.display(),
            meta.len()
        )));
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .map_err(at)?
        .take(MAX_KEY_FILE)
        .read_to_string(&mut text)
        .map_err(at)?;
    Ok(text)
}

/// One public key of the programme, read.
pub(crate) fn public_key(data: &Dataset, entry: &PublicKeyEntry) -> io::Result<PublicKey> {
    let file = &entry.file;
    let path = tip_core::public_file(data.root(), file)
        .map_err(|e| invalid(format!("the public key `{file}` {e}")))?;
    let text = read_key_file(&path)?;
    PublicKey::from_pem(&text).map_err(|e| invalid(format!("`{file}` is {e}")))
}

/// Every public key of the programme, oldest first, under its id.
pub(crate) fn public_keys(data: &Dataset) -> io::Result<Vec<IssuerKey>> {
    let entries = &data.programme().public_keys;
    if entries.is_empty() {
        return Err(invalid(
            "the programme has no `public_key`\n  = help: make a key pair with `tip keys new -o ~/tip-keys/issuer.pem`, copy `issuer.pub.pem` into the data folder and set `public_key:` to its path".into(),
        ));
    }
    entries
        .iter()
        .map(|e| Ok(IssuerKey::new(e.id.clone(), public_key(data, e)?)))
        .collect()
}

/// The certificates' issuer: `did:web` of the site, with every key.
pub(crate) fn issuer(data: &Dataset) -> io::Result<Issuer> {
    let programme = data.programme();
    let Some(site) = &programme.site_url else {
        return Err(invalid(
            "the programme has no `site_url`: its host names the certificates' issuer (did:web)\n  = help: add `site_url: https://…` to the programme".into(),
        ));
    };
    Issuer::with_keys(site, &programme.name, public_keys(data)?).map_err(|e| invalid(e.to_string()))
}

/// The key in use on `day`: the last whose `from` has come.
pub(crate) fn current(entries: &[PublicKeyEntry], day: NaiveDate) -> Option<&PublicKeyEntry> {
    entries
        .iter()
        .rfind(|e| e.from.is_none_or(|from| from <= day))
}

/// Refuse to sign on `today` with the key `entry` unless it is the key in
/// use: not compromised, its `from` come, and no later key's. (The newest
/// key signs the status lists too, and comes first in `did.json`.)
pub(crate) fn in_use(data: &Dataset, entry: &PublicKeyEntry, today: NaiveDate) -> io::Result<()> {
    if let Some(since) = entry.compromised.filter(|c| *c <= today) {
        return Err(invalid(format!(
            "TIP_SIGNING_KEY is `{}`, marked compromised from {since}: it signs nothing more\n  = help: make a new key (`tip keys new`), add it to `public_keys` with `from:`, and sign with it",
            entry.id
        )));
    }
    let keys = &data.programme().public_keys;
    if let Some(from) = entry.from.filter(|from| *from > today) {
        return Err(invalid(format!(
            "TIP_SIGNING_KEY is `{}`, which signs from {from}: it is not in use yet",
            entry.id
        )));
    }
    if let Some(now) = current(keys, today)
        && now.id != entry.id
    {
        return Err(invalid(format!(
            "TIP_SIGNING_KEY is `{}`, but `{}` ({}) is the key in use since {}: sign with it",
            entry.id,
            now.id,
            now.file,
            now.from
                .map_or_else(|| "the start".into(), |d| d.to_string())
        )));
    }
    Ok(())
}

/// The path `TIP_SIGNING_KEY` names, when set.
pub(crate) fn signing_key_path() -> Option<PathBuf> {
    std::env::var_os("TIP_SIGNING_KEY").map(PathBuf::from)
}

/// The private key `TIP_SIGNING_KEY` names, when set: refused when it is
/// inside the data folder `dir` or any data folder (after resolving
/// links), not a small regular file, or not the private half of one of
/// the programme's keys. Returns the key and the entry it matches.
pub(crate) fn signing_key<'d>(
    data: &'d Dataset,
    dir: &Path,
    keys: &[IssuerKey],
) -> io::Result<Option<(Key, &'d PublicKeyEntry)>> {
    let Some(path) = signing_key_path() else {
        return Ok(None);
    };
    refuse_inside_data(&path, Some(dir), "TIP_SIGNING_KEY names")?;
    let text = read_key_file(&path)?;
    let key = Key::from_pem(&text)
        .map_err(|e| invalid(format!("TIP_SIGNING_KEY (`{}`) is {e}", path.display())))?;
    let public = key.public();
    let Some(k) = keys.iter().find(|k| k.key == public) else {
        return Err(invalid(format!(
            "TIP_SIGNING_KEY (`{}`) is not the private half of any of the programme's public keys\n  = help: use the key made with one of them; a new key pair needs its public half in the data folder, listed in `public_keys`",
            path.display()
        )));
    };
    let entry = data
        .programme()
        .public_keys
        .iter()
        .find(|e| e.id == k.id)
        .expect("the issuer's keys are the programme's");
    Ok(Some((key, entry)))
}

/// Refuse a private key path inside the data folder `dir` or inside any
/// data folder, links resolved.
pub(crate) fn refuse_inside_data(path: &Path, dir: Option<&Path>, what: &str) -> io::Result<()> {
    let resolved = resolve(path);
    let inside = dir.is_some_and(|d| {
        let root = d.canonicalize().unwrap_or_else(|_| d.to_owned());
        resolved.starts_with(&root)
    }) || inside_a_data_folder(&resolved);
    if inside {
        return Err(io::Error::other(format!(
            "{what} `{}`, inside a data folder: the private key must never be kept with the data (it is in git, and its files are published)\n  = help: keep it outside, e.g. ~/tip-keys/issuer.pem, and only the public key in the data folder",
            path.display()
        )));
    }
    Ok(())
}

/// `path` with every link resolved; for a file that does not exist yet,
/// its folder resolved and its name kept.
fn resolve(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    match (abs.parent(), abs.file_name()) {
        (Some(parent), Some(name)) => parent
            .canonicalize()
            .map_or_else(|_| abs.clone(), |p| p.join(name)),
        _ => abs,
    }
}

/// Whether a folder above `path` holds a data set (a top-level
/// `programme` in one of its YAML files).
pub(crate) fn inside_a_data_folder(path: &Path) -> bool {
    path.ancestors().skip(1).any(|dir| {
        std::fs::read_dir(dir).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                let name = e.file_name().to_string_lossy().to_ascii_lowercase();
                (name.ends_with(".yaml") || name.ends_with(".yml"))
                    && e.file_type().is_ok_and(|t| t.is_file())
                    && starts_a_programme(&e.path())
            })
        })
    })
}

/// Whether the first 64 KiB of a YAML file hold a top-level `programme`
/// key, however it is written (`programme:`, quoted, `? programme`, after
/// a byte-order mark or a document marker): a look, not a parse, so a big
/// or odd file is never read whole.
fn starts_a_programme(path: &Path) -> bool {
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(64 << 10).read_to_end(&mut head))
        .is_ok_and(|_| holds_programme_key(&String::from_utf8_lossy(&head)))
}

/// [`starts_a_programme`] on text.
fn holds_programme_key(text: &str) -> bool {
    text.trim_start_matches('\u{feff}').lines().any(|line| {
        let line = line.trim_start_matches('\u{feff}');
        // Top level: no indentation (a `---` line may come before).
        let key = line
            .strip_prefix("? ")
            .or_else(|| line.strip_prefix("{"))
            .unwrap_or(line)
            .trim_start();
        if line.starts_with([' ', '\t']) {
            return false;
        }
        let unquoted = key
            .strip_prefix('"')
            .and_then(|k| k.strip_prefix("programme\""))
            .or_else(|| {
                key.strip_prefix('\'')
                    .and_then(|k| k.strip_prefix("programme'"))
            })
            .or_else(|| key.strip_prefix("programme"));
        unquoted.is_some_and(|rest| {
            let rest = rest.trim_start();
            rest.is_empty() || rest.starts_with(':')
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_programme_is_found_however_its_key_is_written() {
        for text in [
            "programme:\n  id: x\n",
            "\u{feff}programme:\n",
            "\"programme\":\n  id: x\n",
            "'programme': {id: x}\n",
            "? programme\n: id: x\n",
            "---\nprogramme:\n",
            "{programme: {id: x}}\n",
            "programme :\n",
        ] {
            assert!(holds_programme_key(text), "{text:?}");
        }
        for text in [
            "  programme:\n",
            "programmes:\n",
            "# programme:\n",
            "people:\n",
        ] {
            assert!(!holds_programme_key(text), "{text:?}");
        }
    }

    #[test]
    fn a_key_file_must_be_small_and_regular() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read_key_file(dir.path()).is_err(), "a folder");
        let big = dir.path().join("big.pem");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(MAX_KEY_FILE + 1)
            .unwrap();
        assert!(
            read_key_file(&big)
                .unwrap_err()
                .to_string()
                .contains("small")
        );
        #[cfg(unix)]
        assert!(read_key_file(Path::new("/dev/zero")).is_err());
    }
}
