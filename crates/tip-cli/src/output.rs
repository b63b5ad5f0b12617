//! Writing outputs safely.
//!
//! The rules (docs/cli.md, "Where outputs go"):
//!
//! - Nothing is written inside the data folder, and no output may hold the
//!   data folder.
//! - A file output replaces an existing file only when that file is of the
//!   kind the command writes (a calendar over a calendar, a PDF over a PDF),
//!   recognised by its first bytes; never a folder, a link, or anything else.
//! - A folder output (`build -o`, `pack -o DIR`, `certify -o`) is written
//!   only where there is nothing, an empty folder, or a folder tip wrote
//!   itself: one holding a [`MARKER`] file of the same kind that lists every
//!   file in it. A folder with anything else in it is refused, whole.
//! - Every file is written to a temporary file and renamed into place; a
//!   folder is built beside its target and swapped in with one atomic
//!   `renameat2(RENAME_EXCHANGE)` on Linux, under a lock on the parent
//!   folder, so the old site stays whole until the new one replaces it.
//!   Staging folders left by a killed build are removed by the next one.
//!
//! Every refusal and every I/O error names the path it concerns.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};

/// The first words of the file `tip allocate -o` writes: an existing file
/// is replaced only when it starts with them.
pub(crate) const ALLOCATION_HEADER: &str = "# Allocation of applications as of ";

/// The file that marks a folder as written by tip, listing its files.
pub(crate) const MARKER: &str = ".tip-output";
/// Staging folders are named `.tip-staging-<target>-<random>`.
const STAGING_PREFIX: &str = ".tip-staging-";
/// Present in a staging folder from its first moment.
const STAGING_MARK: &str = ".tip-staging";

/// What a folder output holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FolderKind {
    /// `tip build`.
    Site,
    /// `tip pack -o DIR`.
    Pack,
    /// `tip certify -o DIR`.
    Certificates,
}

impl FolderKind {
    fn word(self) -> &'static str {
        match self {
            FolderKind::Site => "site",
            FolderKind::Pack => "pack",
            FolderKind::Certificates => "certificates",
        }
    }

    fn from_word(word: &str) -> Option<Self> {
        [Self::Site, Self::Pack, Self::Certificates]
            .into_iter()
            .find(|k| k.word() == word)
    }
}

/// What a file output holds, recognised by its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// An iCalendar file.
    Calendar,
    /// A zip archive.
    Zip,
    /// A PDF.
    Pdf,
    /// A certificate register (CSV).
    Register,
    /// `tip allocate -o` (YAML).
    Allocation,
    /// `tip schema -o` (JSON).
    Schema,
    /// `tip bulletin -o` (an email message or an HTML page).
    Bulletin,
}

impl FileKind {
    fn noun(self) -> &'static str {
        match self {
            FileKind::Calendar => "an iCalendar file",
            FileKind::Zip => "a zip file",
            FileKind::Pdf => "a PDF",
            FileKind::Register => "a certificate register written by tip",
            FileKind::Allocation => "an allocation written by tip",
            FileKind::Schema => "a JSON Schema",
            FileKind::Bulletin => "a bulletin written by tip",
        }
    }

    /// Whether a file starting with `head` is of this kind.
    fn looks_like(self, head: &[u8]) -> bool {
        let text = String::from_utf8_lossy(head);
        let text = text.trim_start_matches('\u{feff}');
        match self {
            FileKind::Calendar => text.starts_with("BEGIN:VCALENDAR"),
            FileKind::Zip => head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06"),
            FileKind::Pdf => head.starts_with(b"%PDF-"),
            FileKind::Register => text.starts_with(tip_certificate::REGISTER_HEADER),
            FileKind::Allocation => text.starts_with(ALLOCATION_HEADER),
            FileKind::Schema => {
                text.trim_start().starts_with('{')
                    && (text.contains("\"$schema\"") || text.contains("\"$defs\""))
            }
            FileKind::Bulletin => text.contains(tip_site::email::GENERATOR),
        }
    }
}

/// An I/O error that names its path.
pub(crate) fn at(path: &Path) -> impl Fn(io::Error) -> io::Error + '_ {
    move |e| io::Error::new(e.kind(), format!("`{}`: {e}", path.display()))
}

/// A refusal to write: exit 2 with what to do.
fn refuse(message: String, help: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("{message}\n  = help: {help}"),
    )
}

/// Where a command may write: anywhere but in (or around) its data folder.
#[derive(Debug)]
pub(crate) struct Outputs {
    /// The data folder, canonical; `None` for commands without one.
    data: Option<PathBuf>,
    /// The data set's id, recorded in folder markers.
    dataset: String,
}

impl Outputs {
    /// Outputs of a command reading the data folder `dir` of data set `id`.
    pub(crate) fn new(dir: &Path, id: &str) -> io::Result<Self> {
        Ok(Outputs {
            data: Some(dir.canonicalize().map_err(at(dir))?),
            dataset: id.to_owned(),
        })
    }

    /// Outputs of a command that reads no data folder (`tip schema`).
    pub(crate) fn anywhere() -> Self {
        Outputs {
            data: None,
            dataset: String::new(),
        }
    }

    /// Refuse a place in the data folder, or around it.
    fn check_place(&self, out: &Path, given: &Path) -> io::Result<()> {
        let Some(data) = &self.data else {
            return Ok(());
        };
        if out.starts_with(data) {
            return Err(refuse(
                format!(
                    "refusing to write `{}`: it is inside the data folder `{}`",
                    given.display(),
                    data.display()
                ),
                "write outputs outside the data folder (its files are read as data); e.g. `-o site`",
            ));
        }
        if data.starts_with(out) {
            return Err(refuse(
                format!(
                    "refusing to write `{}`: it holds the data folder `{}`",
                    given.display(),
                    data.display()
                ),
                "choose a new folder beside the data folder, e.g. `-o site`",
            ));
        }
        Ok(())
    }

    /// Check that `path` may be written as a file of `kind`, and create its
    /// parent folders. Returns the path to write.
    pub(crate) fn file(&self, path: &Path, kind: FileKind) -> io::Result<PathBuf> {
        let target = resolve(path)?;
        self.check_place(&target, path)?;
        match fs::symlink_metadata(&target) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent).map_err(at(parent))?;
                }
            }
            Err(e) => return Err(at(path)(e)),
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(refuse(
                    format!(
                        "refusing to replace `{}`: it is a symbolic link",
                        path.display()
                    ),
                    "give the path of a new file, or of a file tip wrote",
                ));
            }
            Ok(meta) if meta.is_dir() => {
                return Err(refuse(
                    format!("refusing to write `{}`: it is a folder", path.display()),
                    "give a file name, e.g. `-o out/file`",
                ));
            }
            Ok(meta) if !meta.is_file() => {
                return Err(refuse(
                    format!(
                        "refusing to replace `{}`: it is not a regular file",
                        path.display()
                    ),
                    "give the path of a new file",
                ));
            }
            Ok(meta) if meta.len() > 0 => {
                let mut head = Vec::with_capacity(1024);
                fs::File::open(&target)
                    .and_then(|f| f.take(1024).read_to_end(&mut head))
                    .map_err(at(path))?;
                if !kind.looks_like(&head) {
                    return Err(refuse(
                        format!(
                            "refusing to replace `{}`: it is not {}",
                            path.display(),
                            kind.noun()
                        ),
                        "tip replaces only a file of the kind it writes; choose another name, or move the file away yourself",
                    ));
                }
            }
            Ok(_) => {}
        }
        Ok(target)
    }

    /// Write one file of `kind` (see [`Outputs::file`]) atomically.
    pub(crate) fn write_file(&self, path: &Path, kind: FileKind, bytes: &[u8]) -> io::Result<()> {
        self.write_files(&[(path, kind, bytes)])
    }

    /// Write several files so that a failure leaves none of them: all are
    /// checked, then written in full beside their targets, then renamed.
    pub(crate) fn write_files(&self, files: &[(&Path, FileKind, &[u8])]) -> io::Result<()> {
        let targets = files
            .iter()
            .map(|(path, kind, bytes)| Ok((self.file(path, *kind)?, *bytes)))
            .collect::<io::Result<Vec<_>>>()?;
        write_atomic(&targets)
    }

    /// Resolve a folder output and decide what is there.
    fn folder(&self, path: &Path, kind: FolderKind) -> io::Result<(PathBuf, Existing)> {
        let target = resolve(path)?;
        self.check_place(&target, path)?;
        if target.parent().is_none() {
            return Err(refuse(
                format!(
                    "refusing to write `{}`: it is the root folder",
                    path.display()
                ),
                "choose a new folder, e.g. `-o site`",
            ));
        }
        let existing = inspect(&target, path, kind)?;
        Ok((target, existing))
    }

    /// Replace the folder `path` as a whole with `files` (paths inside it,
    /// `/`-separated) and a marker. See the module documentation.
    pub(crate) fn replace_folder(
        &self,
        path: &Path,
        kind: FolderKind,
        files: &[(String, Vec<u8>)],
    ) -> io::Result<()> {
        // Resolve once to find the parent; inspect again under its lock.
        let target = resolve(path)?;
        self.check_place(&target, path)?;
        let parent = target.parent().map(Path::to_path_buf).ok_or_else(|| {
            refuse(
                format!(
                    "refusing to write `{}`: it is the root folder",
                    path.display()
                ),
                "choose a new folder, e.g. `-o site`",
            )
        })?;
        fs::create_dir_all(&parent).map_err(at(&parent))?;
        let _lock = lock(&parent)?;
        remove_stale_staging(&parent)?;
        let (target, existing) = self.folder(path, kind)?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();

        let staging = tempfile::Builder::new()
            .prefix(&format!("{STAGING_PREFIX}{name}-"))
            .tempdir_in(&parent)
            .map_err(at(&parent))?;
        let root = staging.path();
        let mark = root.join(STAGING_MARK);
        fs::write(&mark, b"").map_err(at(&mark))?;
        let mut writes = Vec::with_capacity(files.len());
        for (rel, bytes) in files {
            let full = root.join(checked_relative(rel)?);
            if let Some(dir) = full.parent() {
                fs::create_dir_all(dir).map_err(at(dir))?;
            }
            writes.push((full, bytes));
        }
        // Side by side: a national site is a hundred megabytes.
        {
            use rayon::prelude::*;
            writes
                .par_iter()
                .try_for_each(|(full, bytes)| fs::write(full, bytes).map_err(at(full)))?;
        }
        fs::remove_file(&mark).map_err(at(&mark))?;
        let listed: BTreeSet<String> = files.iter().map(|(p, _)| path_hash(p)).collect();
        let marker = root.join(MARKER);
        fs::write(&marker, self.marker(kind, &listed)).map_err(at(&marker))?;
        #[cfg(unix)]
        fs::set_permissions(root, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .map_err(at(root))?;
        let staging = staging.keep();
        match existing {
            Existing::Absent | Existing::Empty => {
                // `rename` replaces an empty folder atomically.
                fs::rename(&staging, &target).map_err(at(&target))?;
            }
            Existing::Ours(_) => {
                let old = swap(&staging, &target)?;
                fs::remove_dir_all(&old).map_err(at(&old))?;
            }
        }
        Ok(())
    }

    /// Whether [`Outputs::write_into_folder`] would accept `path`: checked
    /// before anything is recorded, so a refusal changes nothing.
    pub(crate) fn check_folder(&self, path: &Path, kind: FolderKind) -> io::Result<()> {
        self.folder(path, kind).map(|_| ())
    }

    /// Add `files` to the folder `path` (created if need be), replacing
    /// files of the same name that tip wrote there before; the marker
    /// lists the old files and the new.
    pub(crate) fn write_into_folder(
        &self,
        path: &Path,
        kind: FolderKind,
        files: &[(String, Vec<u8>)],
    ) -> io::Result<()> {
        let (target, existing) = self.folder(path, kind)?;
        fs::create_dir_all(&target).map_err(at(&target))?;
        let mut listed = match existing {
            Existing::Ours(listed) => listed,
            Existing::Absent | Existing::Empty => BTreeSet::new(),
        };
        let mut writes = Vec::with_capacity(files.len() + 1);
        for (rel, bytes) in files {
            let full = target.join(checked_relative(rel)?);
            if let Some(dir) = full.parent() {
                fs::create_dir_all(dir).map_err(at(dir))?;
            }
            listed.insert(path_hash(rel));
            writes.push((full, bytes.as_slice()));
        }
        let marker = self.marker(kind, &listed);
        writes.push((target.join(MARKER), marker.as_bytes()));
        write_atomic(&writes)
    }

    fn marker(&self, kind: FolderKind, files: &BTreeSet<String>) -> String {
        let mut s = format!(
            "tip-output {}\n\
             # Written by tip from the data set `{}`. tip replaces this folder only\n\
             # while it holds nothing but the files listed here, each by the\n\
             # SHA-256 of its path (so a published folder lists no names or\n\
             # verification codes).\n",
            kind.word(),
            self.dataset
        );
        for f in files {
            s.push_str("sha256 ");
            s.push_str(f);
            s.push('\n');
        }
        s
    }
}

/// What is at a folder output's place.
#[derive(Debug)]
enum Existing {
    Absent,
    Empty,
    /// A folder tip wrote, with the files its marker lists.
    Ours(BTreeSet<String>),
}

/// Decide whether the folder at `target` may be written as `kind`.
fn inspect(target: &Path, given: &Path, kind: FolderKind) -> io::Result<Existing> {
    let meta = match fs::symlink_metadata(target) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Existing::Absent),
        Err(e) => return Err(at(given)(e)),
        Ok(meta) => meta,
    };
    let not_ours = |what: String| {
        refuse(
            format!("refusing to write into `{}`: {what}", given.display()),
            "tip writes only into a new or empty folder, or one it wrote itself; choose another folder, or empty this one yourself",
        )
    };
    if meta.file_type().is_symlink() {
        return Err(not_ours("it is a symbolic link".into()));
    }
    if !meta.is_dir() {
        return Err(not_ours("it is a file, not a folder".into()));
    }
    let marker_path = target.join(MARKER);
    let marker = match fs::read_to_string(&marker_path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let mut entries = fs::read_dir(target).map_err(at(given))?;
            return match entries.next() {
                None => Ok(Existing::Empty),
                Some(entry) => {
                    let entry = entry.map_err(at(given))?;
                    Err(not_ours(format!(
                        "it holds files tip did not write (`{}`)",
                        entry.file_name().to_string_lossy()
                    )))
                }
            };
        }
        Err(e) => return Err(at(&marker_path)(e)),
    };
    let mut lines = marker.lines();
    let found = lines
        .next()
        .and_then(|l| l.strip_prefix("tip-output "))
        .and_then(FolderKind::from_word);
    match found {
        Some(k) if k == kind => {}
        Some(other) => {
            return Err(not_ours(format!(
                "it holds {} written by tip, not {}",
                other.word(),
                kind.word()
            )));
        }
        None => return Err(not_ours(format!("its `{MARKER}` is not tip's"))),
    }
    // Paths by their hash; a marker of an earlier tip lists them plainly.
    let listed: BTreeSet<String> = lines
        .filter_map(|l| {
            l.strip_prefix("sha256 ")
                .map(str::to_owned)
                .or_else(|| l.strip_prefix("file ").map(path_hash))
        })
        .collect();
    if let Some(stray) = first_unlisted(target, target, &listed)? {
        return Err(not_ours(format!(
            "it holds `{stray}`, which tip did not write"
        )));
    }
    Ok(Existing::Ours(listed))
}

/// How the marker lists a file: the SHA-256 of its `/`-separated path, in
/// hex.
fn path_hash(rel: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(rel.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The first file under `dir` (relative to `root`) that `listed` lacks.
fn first_unlisted(
    root: &Path,
    dir: &Path,
    listed: &BTreeSet<String>,
) -> io::Result<Option<String>> {
    let mut entries = fs::read_dir(dir)
        .map_err(at(dir))?
        .collect::<io::Result<Vec<_>>>()
        .map_err(at(dir))?;
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        let rel = path
            .strip_prefix(root)
            .map(|r| {
                r.components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .unwrap_or_default();
        if rel == MARKER {
            continue;
        }
        let kind = entry.file_type().map_err(at(&path))?;
        if kind.is_dir() {
            if let Some(stray) = first_unlisted(root, &path, listed)? {
                return Ok(Some(stray));
            }
        } else if kind.is_symlink() || !listed.contains(&path_hash(&rel)) {
            return Ok(Some(rel));
        }
    }
    Ok(None)
}

/// A `/`-separated path inside an output, checked to stay inside it.
fn checked_relative(rel: &str) -> io::Result<PathBuf> {
    let path = Path::new(rel);
    let inside = !rel.is_empty()
        && !rel.contains(['\n', '\r', '\\'])
        && rel != MARKER
        && path.components().all(|c| matches!(c, Component::Normal(_)));
    if inside {
        Ok(path.to_path_buf())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("`{rel}` is not a plain path inside the output"),
        ))
    }
}

/// An absolute path with every existing folder resolved (links followed)
/// except the last component, which is kept as given so that a link there
/// is seen as a link.
fn resolve(path: &Path) -> io::Result<PathBuf> {
    let absolute = std::path::absolute(path).map_err(at(path))?;
    match absolute.components().next_back() {
        Some(Component::Normal(name)) => {
            let parent = absolute.parent().unwrap_or(Path::new("/"));
            Ok(resolve_dir(parent)?.join(name))
        }
        _ => resolve_dir(&absolute),
    }
}

/// Canonicalize the longest existing prefix of `dir`, then apply the rest
/// of it by hand.
fn resolve_dir(dir: &Path) -> io::Result<PathBuf> {
    let mut existing = dir.to_path_buf();
    let mut rest = Vec::new();
    loop {
        match existing.canonicalize() {
            Ok(canonical) => {
                let mut out = canonical;
                for c in rest.iter().rev() {
                    match c {
                        Some(n) => out.push(n),
                        None => {
                            out.pop();
                        }
                    }
                }
                return Ok(out);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                // A name to push back, or `None` for `..`.
                let last = match existing.components().next_back() {
                    Some(Component::Normal(n)) => Some(n.to_owned()),
                    Some(Component::ParentDir) => None,
                    _ => return Err(at(dir)(e)),
                };
                rest.push(last);
                if !existing.pop() {
                    return Err(at(dir)(e));
                }
            }
            Err(e) => return Err(at(&existing)(e)),
        }
    }
}

/// Write each file beside its target, complete and synced, then rename
/// them all into place.
fn write_atomic(files: &[(PathBuf, &[u8])]) -> io::Result<()> {
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
        let mut tmp = builder.tempfile_in(dir).map_err(at(dir))?;
        tmp.write_all(bytes).map_err(at(path))?;
        tmp.as_file().sync_all().map_err(at(path))?;
        staged.push((tmp, path));
    }
    for (tmp, path) in staged {
        tmp.persist(path).map_err(|e| at(path)(e.error))?;
    }
    Ok(())
}

/// Hold an exclusive lock on `dir` while its outputs are replaced, so two
/// builds into one folder run one after the other.
#[cfg(unix)]
fn lock(dir: &Path) -> io::Result<fs::File> {
    let file = fs::File::open(dir).map_err(at(dir))?;
    rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
        .map_err(|e| at(dir)(e.into()))?;
    Ok(file)
}

#[cfg(not(unix))]
fn lock(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// Remove the staging folders a killed build left in `parent`: only
/// folders named like ours that carry our mark (or are empty).
fn remove_stale_staging(parent: &Path) -> io::Result<()> {
    for entry in fs::read_dir(parent).map_err(at(parent))? {
        let entry = entry.map_err(at(parent))?;
        if !entry
            .file_name()
            .to_string_lossy()
            .starts_with(STAGING_PREFIX)
        {
            continue;
        }
        let path = entry.path();
        if !entry.file_type().map_err(at(&path))?.is_dir() {
            continue;
        }
        let ours = path.join(STAGING_MARK).is_file()
            || path.join(MARKER).is_file()
            || fs::read_dir(&path).map_err(at(&path))?.next().is_none();
        if ours {
            fs::remove_dir_all(&path).map_err(at(&path))?;
        }
    }
    Ok(())
}

/// Put `staging` at `target` and the old `target` at the returned path,
/// with no moment where `target` is missing (Linux: one
/// `renameat2(RENAME_EXCHANGE)`; elsewhere, or on a file system without it,
/// two renames in quick succession).
fn swap(staging: &Path, target: &Path) -> io::Result<PathBuf> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, staging, CWD, target, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(staging.to_path_buf()),
            Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => {}
            Err(e) => return Err(at(target)(e.into())),
        }
    }
    let mut old = staging.as_os_str().to_owned();
    old.push("-old");
    let old = PathBuf::from(old);
    fs::rename(target, &old).map_err(at(target))?;
    fs::rename(staging, target).map_err(at(target))?;
    Ok(old)
}

/// Pretty JSON with a final newline, as every `--format json` prints it.
pub(crate) fn json<T: serde::Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("report types always serialise");
    s.push('\n');
    s
}

/// What the calendar at `path` published, when tip wrote it; anything else
/// there is warned about here (its events are taken as new) and refused
/// later, when writing.
pub(crate) fn previous_calendar(path: &Path) -> tip_calendar::Published {
    tip_calendar::published_at(path).unwrap_or_else(|| {
        let _ = writeln!(
            anstream::stderr(),
            "warning: `{}` is not a calendar tip wrote, or is over {} MB: its events are taken as new (SEQUENCE starts again)",
            path.display(),
            tip_calendar::PREVIOUS_LIMIT >> 20
        );
        tip_calendar::Published::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[&str]) -> Vec<(String, Vec<u8>)> {
        files
            .iter()
            .map(|f| (f.to_string(), f.as_bytes().to_vec()))
            .collect()
    }

    fn outputs(tmp: &Path) -> Outputs {
        let data = tmp.join("data");
        fs::create_dir_all(&data).unwrap();
        Outputs::new(&data, "demo").unwrap()
    }

    #[test]
    fn a_marker_of_an_earlier_tip_that_lists_plain_paths_is_still_read() {
        let tmp = tempfile::tempdir().unwrap();
        let out = outputs(tmp.path());
        let site_dir = tmp.path().join("site");
        fs::create_dir_all(&site_dir).unwrap();
        fs::write(site_dir.join("a.html"), "a").unwrap();
        fs::write(site_dir.join(MARKER), "tip-output site\nfile a.html\n").unwrap();
        out.replace_folder(&site_dir, FolderKind::Site, &site(&["b.html"]))
            .unwrap();
        assert!(!site_dir.join("a.html").exists());
    }

    #[test]
    fn a_folder_tip_wrote_is_replaced_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let out = outputs(tmp.path());
        let site_dir = tmp.path().join("site");
        out.replace_folder(&site_dir, FolderKind::Site, &site(&["a.html", "x/b.html"]))
            .unwrap();
        out.replace_folder(&site_dir, FolderKind::Site, &site(&["c.html"]))
            .unwrap();
        assert!(site_dir.join("c.html").is_file());
        assert!(!site_dir.join("a.html").exists());
        let marker = fs::read_to_string(site_dir.join(MARKER)).unwrap();
        assert!(marker.starts_with("tip-output site\n"), "{marker}");
        // Listed by the hash of its path: the marker names nothing.
        assert!(marker.contains(&format!("sha256 {}\n", path_hash("c.html"))));
        assert!(!marker.contains("c.html"), "{marker}");
        // Nothing is left beside it.
        let beside: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(beside.len(), 2, "{beside:?}");
    }

    #[test]
    fn a_folder_with_a_file_tip_did_not_write_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let out = outputs(tmp.path());
        let site_dir = tmp.path().join("site");
        out.replace_folder(&site_dir, FolderKind::Site, &site(&["a.html"]))
            .unwrap();
        fs::write(site_dir.join("notes.txt"), "mine").unwrap();
        let e = out
            .replace_folder(&site_dir, FolderKind::Site, &site(&["a.html"]))
            .unwrap_err();
        assert!(e.to_string().contains("`notes.txt`"), "{e}");
        assert_eq!(
            fs::read_to_string(site_dir.join("notes.txt")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn a_folder_of_another_kind_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let out = outputs(tmp.path());
        let dir = tmp.path().join("certs");
        out.write_into_folder(&dir, FolderKind::Certificates, &site(&["a.pdf"]))
            .unwrap();
        let e = out
            .replace_folder(&dir, FolderKind::Site, &site(&["a.html"]))
            .unwrap_err();
        assert!(e.to_string().contains("certificates written by tip"), "{e}");
        assert!(dir.join("a.pdf").is_file());
    }

    #[test]
    fn stale_staging_folders_are_removed_and_others_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let out = outputs(tmp.path());
        let stale = tmp.path().join(".tip-staging-site-abc");
        fs::create_dir_all(stale.join("x")).unwrap();
        fs::write(stale.join(STAGING_MARK), "").unwrap();
        let lookalike = tmp.path().join(".tip-staging-mine");
        fs::create_dir_all(&lookalike).unwrap();
        fs::write(lookalike.join("precious"), "").unwrap();
        out.replace_folder(&tmp.path().join("site"), FolderKind::Site, &site(&["a"]))
            .unwrap();
        assert!(!stale.exists());
        assert!(lookalike.join("precious").exists());
    }

    #[test]
    fn outputs_in_or_around_the_data_folder_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let out = outputs(tmp.path());
        let inside = tmp.path().join("data/site");
        let e = out
            .replace_folder(&inside, FolderKind::Site, &site(&["a"]))
            .unwrap_err();
        assert!(e.to_string().contains("inside the data folder"), "{e}");
        let e = out
            .replace_folder(tmp.path(), FolderKind::Site, &site(&["a"]))
            .unwrap_err();
        assert!(e.to_string().contains("holds the data folder"), "{e}");
        let e = out
            .file(&tmp.path().join("data/../data/x.ics"), FileKind::Calendar)
            .unwrap_err();
        assert!(e.to_string().contains("inside the data folder"), "{e}");
    }

    #[test]
    fn a_file_is_replaced_only_by_its_own_kind() {
        let tmp = tempfile::tempdir().unwrap();
        let out = outputs(tmp.path());
        let notes = tmp.path().join("notes.ics");
        fs::write(&notes, "my notes").unwrap();
        let e = out
            .write_file(&notes, FileKind::Calendar, b"BEGIN:VCALENDAR\r\n")
            .unwrap_err();
        assert!(e.to_string().contains("not an iCalendar file"), "{e}");
        assert_eq!(fs::read_to_string(&notes).unwrap(), "my notes");
        let feed = tmp.path().join("new/dir/feed.ics");
        out.write_file(&feed, FileKind::Calendar, b"BEGIN:VCALENDAR\r\n1")
            .unwrap();
        out.write_file(&feed, FileKind::Calendar, b"BEGIN:VCALENDAR\r\n2")
            .unwrap();
        assert_eq!(fs::read_to_string(&feed).unwrap(), "BEGIN:VCALENDAR\r\n2");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_never_followed_or_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let out = outputs(tmp.path());
        let target = tmp.path().join("real.ics");
        fs::write(&target, "BEGIN:VCALENDAR\r\n").unwrap();
        let link = tmp.path().join("link.ics");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(out.write_file(&link, FileKind::Calendar, b"x").is_err());
        let dir_link = tmp.path().join("site");
        std::os::unix::fs::symlink(tmp.path().join("data"), &dir_link).unwrap();
        assert!(
            out.replace_folder(&dir_link, FolderKind::Site, &site(&["a"]))
                .is_err()
        );
    }

    #[test]
    fn paths_inside_an_output_stay_inside() {
        for bad in ["", "../x", "/etc/x", "a/../../x", "a\\b", MARKER] {
            assert!(checked_relative(bad).is_err(), "{bad}");
        }
        assert!(checked_relative("calendars/all.ics").is_ok());
    }
}
