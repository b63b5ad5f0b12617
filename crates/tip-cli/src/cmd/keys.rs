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
    crate::signing::refuse_inside_data(output, None, "the private key would go to")?;
    let key = tip_credential::Key::generate().map_err(io::Error::other)?;
    write_new(output, key.to_pem().as_bytes(), true)?;
    if let Err(e) = write_new(&public, key.public().to_pem().as_bytes(), false) {
        // Leave nothing half made.
        let _ = std::fs::remove_file(output);
        return Err(e);
    }
    let name = public.file_name().map_or_else(
        || "issuer.pub.pem".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    writeln!(
        anstream::stderr(),
        "made a signing key:\n  private: {} (keep it safe, with a backup, and out of the data folder; set TIP_SIGNING_KEY to this path when printing certificates and building the site)\n  public:  {} (copy it into the data folder's `keys/` folder)\n\nthen, for a first key, in the programme:\n  public_key: keys/{name}\nor, to rotate (the old key stays listed, so what it signed still verifies), add it at the end of `public_keys`:\n  public_keys:\n    - file: keys/<the old key>.pub.pem\n    - file: keys/{name}\n      from: <the day it starts signing>",
        output.display(),
        public.display()
    )?;
    Ok(Outcome::Success)
}

/// `issuer.pem` → `issuer.pub.pem`.
fn public_beside(private: &Path) -> PathBuf {
    let stem = private
        .file_stem()
        .map_or_else(|| "key".into(), |s| s.to_string_lossy().into_owned());
    private.with_file_name(format!("{stem}.pub.pem"))
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
        // A new folder for keys is the owner's alone.
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(parent).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot make the folder `{}`: {e}", parent.display()),
            )
        })?;
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
