//! `tip keys new -o PRIVATE.pem [--public PUBLIC.pem]`: the programme's
//! signing key for certificates, and where each half belongs.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::Outcome;

/// Arguments of `tip keys`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Make a new Ed25519 key pair for signing certificates.
    New {
        /// Where the private key goes: somewhere safe, never the data folder
        /// or the site (a file that does not exist yet).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Where the public key goes (default: beside the private key, as
        /// `<name>.pub.pem`); copy it into the data folder.
        #[arg(long, value_name = "FILE")]
        public: Option<PathBuf>,
    },
}

/// Make a key pair; refuse to overwrite any file.
pub(crate) fn run(args: &Args) -> io::Result<Outcome> {
    let Action::New { output, public } = &args.action;
    let public = public.clone().unwrap_or_else(|| public_beside(output));
    if inside_a_data_folder(output) {
        return Err(io::Error::other(format!(
            "`{}` is inside a data folder: the private key must never be kept with the data (it is in git, and its files are published); choose a path outside it, e.g. ~/tip-keys/issuer.pem",
            output.display()
        )));
    }
    let key = tip_credential::Key::generate().map_err(io::Error::other)?;
    write_new(output, key.to_pem().as_bytes(), true)?;
    if let Err(e) = write_new(&public, key.public().to_pem().as_bytes(), false) {
        // Leave nothing half made.
        let _ = std::fs::remove_file(output);
        return Err(e);
    }
    writeln!(
        anstream::stderr(),
        "made a signing key:\n  private: {} (keep it safe and out of the data folder; set TIP_SIGNING_KEY to this path when printing certificates and building the site)\n  public:  {} (copy it into the data folder, e.g. keys/issuer.pub.pem, and set `public_key: keys/issuer.pub.pem` in the programme)",
        output.display(),
        public.display()
    )?;
    Ok(Outcome::Success)
}

fn invalid(why: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, why)
}

/// The data set's public key (`programme.public_key`).
pub(crate) fn public_key(data: &tip_core::Dataset) -> io::Result<tip_credential::PublicKey> {
    let Some(file) = &data.programme().public_key else {
        return Err(invalid(
            "the programme has no `public_key`\n  = help: make a key pair with `tip keys new -o ~/tip-keys/issuer.pem`, copy `issuer.pub.pem` into the data folder and set `public_key:` to its path".into(),
        ));
    };
    let path = tip_core::public_file(data.root(), file)
        .map_err(|e| invalid(format!("the public key `{file}` {e}")))?;
    let text = std::fs::read_to_string(&path).map_err(crate::output::at(&path))?;
    tip_credential::PublicKey::from_pem(&text).map_err(|e| invalid(format!("`{file}` is {e}")))
}

/// The private key `TIP_SIGNING_KEY` names, when set: refused when it is
/// inside the data folder `dir` (or any data folder), unreadable, or not
/// the private half of `public`.
pub(crate) fn signing_key(
    dir: &Path,
    public: &tip_credential::PublicKey,
) -> io::Result<Option<tip_credential::Key>> {
    let Some(path) = std::env::var_os("TIP_SIGNING_KEY").map(PathBuf::from) else {
        return Ok(None);
    };
    let data_root = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
    let key_path = std::path::absolute(&path).unwrap_or_else(|_| path.clone());
    if key_path.starts_with(&data_root) || inside_a_data_folder(&path) {
        return Err(invalid(format!(
            "TIP_SIGNING_KEY names `{}`, inside a data folder: the private key must never be kept with the data\n  = help: move it outside (e.g. ~/tip-keys/) and keep only the public key in the data folder",
            path.display()
        )));
    }
    let text = std::fs::read_to_string(&path).map_err(crate::output::at(&path))?;
    let key = tip_credential::Key::from_pem(&text)
        .map_err(|e| invalid(format!("TIP_SIGNING_KEY (`{}`) is {e}", path.display())))?;
    if key.public() != *public {
        return Err(invalid(format!(
            "TIP_SIGNING_KEY (`{}`) is not the private half of the programme's `public_key`\n  = help: use the key made with that public key; a new key pair needs its public half in the data folder",
            path.display()
        )));
    }
    Ok(Some(key))
}

/// `issuer.pem` → `issuer.pub.pem`.
fn public_beside(private: &Path) -> PathBuf {
    let stem = private
        .file_stem()
        .map_or_else(|| "key".into(), |s| s.to_string_lossy().into_owned());
    private.with_file_name(format!("{stem}.pub.pem"))
}

/// Whether a folder above `path` holds a data set (a `programme` in one of
/// its YAML files).
pub(crate) fn inside_a_data_folder(path: &Path) -> bool {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    abs.ancestors().skip(1).any(|dir| {
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

/// Whether the first 64 KiB of a YAML file hold a top-level `programme:`
/// (a look, not a parse: a big or odd file is never read whole).
fn starts_a_programme(path: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(64 << 10).read_to_end(&mut head))
        .is_ok_and(|_| {
            String::from_utf8_lossy(&head)
                .lines()
                .any(|l| l.starts_with("programme:"))
        })
}

/// Write a new file, atomically, never over an existing one; a private
/// key is readable by its owner only.
fn write_new(path: &Path, bytes: &[u8], private: bool) -> io::Result<()> {
    let at = |e: io::Error| io::Error::new(e.kind(), format!("`{}`: {e}", path.display()));
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(io::Error::other(format!(
            "there is no folder `{}` for `{}`",
            parent.display(),
            path.display()
        )));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".tip-key-")
        .tempfile_in(parent)
        .map_err(at)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if private { 0o600 } else { 0o644 };
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(at)?;
    }
    #[cfg(not(unix))]
    let _ = private;
    tmp.write_all(bytes).map_err(at)?;
    tmp.as_file().sync_all().map_err(at)?;
    tmp.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == io::ErrorKind::AlreadyExists {
            io::Error::other(format!(
                "`{}` exists: a key is never overwritten (a certificate signed with it could no longer be checked); choose another name",
                path.display()
            ))
        } else {
            at(e.error)
        }
    })?;
    Ok(())
}
