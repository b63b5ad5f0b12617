//! Writing outputs so that a failure never leaves a partial file.

use std::io::{self, Write};
use std::path::Path;

/// Write `bytes` to `path` through a temporary file in the same folder,
/// renamed into place only once complete: readers see the old file or the
/// new one, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_all_atomic_paths(&[(path.to_path_buf(), bytes.to_vec())])
}

/// Pretty JSON with a final newline, as every `--format json` prints it.
pub fn json<T: serde::Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("report types always serialise");
    s.push('\n');
    s
}

/// Write several files into `dir` (created if need be) so that a failure
/// leaves none of them: every file is first written, complete, into a
/// temporary folder beside them, then renamed into place.
pub fn write_all_atomic(dir: &Path, files: &[(String, Vec<u8>)]) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let paths: Vec<(std::path::PathBuf, Vec<u8>)> = files
        .iter()
        .map(|(name, bytes)| (dir.join(name), bytes.clone()))
        .collect();
    write_all_atomic_paths(&paths)
}

/// [`write_all_atomic`] for files anywhere.
pub fn write_all_atomic_paths(files: &[(std::path::PathBuf, Vec<u8>)]) -> io::Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".tip-");
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
        let mut tmp = builder.tempfile_in(dir)?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        staged.push((tmp, path));
    }
    // Everything is written: now move each into place.
    for (tmp, path) in staged {
        tmp.persist(path).map_err(|e| e.error)?;
    }
    Ok(())
}
