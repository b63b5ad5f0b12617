//! Writing outputs so that a failure never leaves a partial file.

use std::io::{self, Write};
use std::path::Path;

/// Write `bytes` to `path` through a temporary file in the same folder,
/// renamed into place only once complete: readers see the old file or the
/// new one, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tip-");
    // Outputs are for sharing: readable by all, as a plain `create` gives
    // (a temporary file would otherwise be private to its owner).
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
