//! The files of a data folder: discovery, reading, and places within them.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::{Code, Diagnostic, Location, display_path};
use crate::schema::TabularSection;

/// The largest YAML file we read. A national catalogue of 20,000 cohorts is
/// about 15 MiB; anything far larger belongs in CSV.
pub const MAX_YAML_BYTES: u64 = 64 << 20;
/// The largest CSV file we read (three million completions are ~150 MiB).
pub const MAX_CSV_BYTES: u64 = 1 << 30;

use crate::loc::{FileId, Loc};

/// What a file holds, decided by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileKind {
    Yaml,
    Csv(TabularSection),
    /// A CSV file whose name starts with no tabular section.
    StrayCsv,
}

#[derive(Debug)]
pub(crate) struct SourceFile {
    /// Relative to the data folder, `/`-separated.
    pub(crate) name: Arc<str>,
    pub(crate) path: PathBuf,
    pub(crate) kind: FileKind,
    /// The content, for a data set given in memory
    /// ([`crate::Dataset::from_sources`]); `None`: read from `path`.
    pub(crate) bytes: Option<Arc<[u8]>>,
}

/// What a file holds, by its name (`None`: not a data file).
fn kind_of(name: &str) -> Option<FileKind> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        Some(FileKind::Yaml)
    } else if lower.ends_with(".csv") {
        Some(TabularSection::from_file_name(&lower).map_or(FileKind::StrayCsv, FileKind::Csv))
    } else {
        None
    }
}

/// Every data file of a folder, in sorted path order.
#[derive(Debug)]
pub(crate) struct Files {
    pub(crate) files: Vec<SourceFile>,
    /// Data files whose names are not UTF-8 (shown lossily): not read,
    /// and reported.
    pub(crate) unnamed: Vec<String>,
}

impl Files {
    /// Find every `*.yaml`, `*.yml` and `*.csv` file under `root`, in sorted
    /// path order. Hidden files and folders (`.git`) are skipped; symbolic
    /// links to folders are not followed.
    pub(crate) fn discover(root: &Path) -> io::Result<Files> {
        let mut found = Vec::new();
        walk(root, root, &mut found)?;
        found.sort();
        let mut unnamed = Vec::new();
        let files = found
            .into_iter()
            .filter_map(|rel| {
                if rel.to_str().is_none() {
                    let lossy = display_path(&rel);
                    let lower = lossy.to_ascii_lowercase();
                    if [".yaml", ".yml", ".csv"].iter().any(|e| lower.ends_with(e)) {
                        unnamed.push(lossy);
                    }
                    return None;
                }
                let kind = kind_of(rel.file_name()?.to_str()?)?;
                Some(SourceFile {
                    name: display_path(&rel).into(),
                    path: root.join(&rel),
                    kind,
                    bytes: None,
                })
            })
            .collect();
        Ok(Files { files, unnamed })
    }

    /// The data files among `sources` (name relative to a data folder,
    /// `/`-separated, and content), in sorted name order, as
    /// [`Files::discover`] would find them in a folder: hidden names and
    /// names of other kinds are left out.
    pub(crate) fn from_sources(sources: impl IntoIterator<Item = (String, Vec<u8>)>) -> Files {
        let mut files: Vec<SourceFile> = sources
            .into_iter()
            .filter_map(|(name, bytes)| {
                let name = name.replace('\\', "/");
                let hidden = name.split('/').any(|part| part.starts_with('.'));
                let kind = kind_of(name.rsplit('/').next()?)?;
                (!hidden).then(|| SourceFile {
                    path: PathBuf::from(&name),
                    name: name.into(),
                    kind,
                    bytes: Some(bytes.into()),
                })
            })
            .collect();
        files.sort_by(|a, b| a.name.cmp(&b.name));
        files.dedup_by(|a, b| a.name == b.name);
        Files {
            files,
            unnamed: Vec::new(),
        }
    }

    pub(crate) fn ids(&self) -> impl Iterator<Item = FileId> + '_ {
        (0..self.files.len() as u32).map(FileId)
    }

    pub(crate) fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The file's path relative to the data folder.
    pub(crate) fn name(&self, id: FileId) -> &Arc<str> {
        &self.get(id).name
    }

    /// The public form of a place.
    pub(crate) fn location(&self, loc: Loc) -> Location {
        Location {
            file: self.name(loc.file).clone(),
            line: loc.line,
            column: loc.col,
            len: loc.len,
        }
    }

    /// The location of a whole file (line 1, column 1).
    pub(crate) fn start_of(&self, file: FileId) -> Location {
        self.location(Loc::new(file, 1, 1, 1))
    }

    /// At most the first `max` bytes of a regular file; `None` when it is
    /// not one (a named pipe would block) or cannot be read.
    pub(crate) fn head(&self, id: FileId, max: u64) -> Option<Vec<u8>> {
        use std::io::Read;
        if let Some(bytes) = &self.get(id).bytes {
            return Some(bytes[..bytes.len().min(max as usize)].to_vec());
        }
        let path = &self.get(id).path;
        if !fs::metadata(path).ok()?.is_file() {
            return None;
        }
        let mut bytes = Vec::new();
        fs::File::open(path)
            .ok()?
            .take(max)
            .read_to_end(&mut bytes)
            .ok()?;
        Some(bytes)
    }

    /// Read a file as UTF-8 text, without a byte-order mark. Problems become
    /// diagnostics: unreadable, too large, not UTF-8.
    pub(crate) fn read(&self, id: FileId) -> Result<String, Diagnostic> {
        let mut bytes = Vec::new();
        self.read_into(id, &mut bytes)?;
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.drain(..3);
        }
        String::from_utf8(bytes).map_err(|e| self.not_utf8(id, e.utf8_error(), e.as_bytes()))
    }

    /// [`Files::read`] into `buffer` (its memory reused from file to file:
    /// fresh pages for every file cost more than reading them).
    pub(crate) fn read_text<'b>(
        &self,
        id: FileId,
        buffer: &'b mut Vec<u8>,
    ) -> Result<&'b str, Diagnostic> {
        buffer.clear();
        self.read_into(id, buffer)?;
        let bytes = buffer.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(buffer);
        std::str::from_utf8(bytes).map_err(|e| self.not_utf8(id, e, bytes))
    }

    fn not_utf8(&self, id: FileId, error: std::str::Utf8Error, bytes: &[u8]) -> Diagnostic {
        let valid = error.valid_up_to();
        let (line, col) = line_col(&bytes[..valid]);
        Diagnostic::error(
            Code::NotUtf8,
            format!("`{}` is not valid UTF-8 text", self.get(id).name),
        )
        .at(self.location(Loc::new(id, line, col, 1)))
        .help("save the file as UTF-8 (spreadsheets: \"CSV UTF-8\")")
    }

    /// The bytes of a file, appended to `bytes`, within its kind's limits.
    fn read_into(&self, id: FileId, bytes: &mut Vec<u8>) -> Result<(), Diagnostic> {
        let file = self.get(id);
        let limit = match file.kind {
            FileKind::Yaml => MAX_YAML_BYTES,
            _ => MAX_CSV_BYTES,
        };
        let at = || self.start_of(id);
        let io_error = |e: io::Error| {
            Diagnostic::error(Code::Io, format!("cannot read `{}`: {e}", file.name)).at(at())
        };
        let size = match &file.bytes {
            Some(bytes) => bytes.len() as u64,
            None => {
                let meta = fs::metadata(&file.path).map_err(io_error)?;
                if !meta.is_file() {
                    // A named pipe or device would block or never end.
                    return Err(io_error(io::Error::other("not a regular file")));
                }
                meta.len()
            }
        };
        if size > limit {
            return Err(Diagnostic::error(
                Code::FileTooLarge,
                format!(
                    "`{}` is {size} bytes, more than the {limit} bytes a {} file may have",
                    file.name,
                    if file.kind == FileKind::Yaml {
                        "YAML"
                    } else {
                        "CSV"
                    }
                ),
            )
            .at(at())
            .help("split the file; large tabular sections belong in CSV files"));
        }
        match (file.kind, &file.bytes) {
            (FileKind::Yaml, Some(given)) => bytes.extend_from_slice(given),
            (_, Some(given)) => {
                if let Err(line) = read_csv(&mut &given[..], size, bytes).map_err(io_error)? {
                    return Err(long_line(self, id, line));
                }
            }
            (FileKind::Yaml, None) => {
                use std::io::Read;
                bytes.reserve(size as usize + 1);
                fs::File::open(&file.path)
                    .and_then(|mut f| f.read_to_end(bytes))
                    .map_err(io_error)?;
            }
            (_, None) => {
                let mut f = fs::File::open(&file.path).map_err(io_error)?;
                if let Err(line) = read_csv(&mut f, size, bytes).map_err(io_error)? {
                    return Err(long_line(self, id, line));
                }
            }
        }
        Ok(())
    }
}

/// A CSV line over [`MAX_CSV_LINE`], as a diagnostic.
fn long_line(files: &Files, id: FileId, line: u32) -> Diagnostic {
    Diagnostic::error(
        Code::CsvSyntax,
        format!(
            "line {line} of `{}` is longer than {} MiB: no CSV row is",
            files.get(id).name,
            MAX_CSV_LINE >> 20
        ),
    )
    .at(files.location(Loc::new(id, line, 1, 1)))
    .help("check that this is a CSV file with one record per line")
}

/// The longest line a CSV file may have: a real row is a few hundred bytes.
pub const MAX_CSV_LINE: usize = 1 << 20;

/// Read a CSV file, stopping at the first line longer than
/// [`MAX_CSV_LINE`] (its 1-based number is the `Err`): memory stays
/// bounded by what came before it, never by the line itself.
fn read_csv(
    file: &mut impl io::Read,
    size: u64,
    bytes: &mut Vec<u8>,
) -> io::Result<Result<(), u32>> {
    use std::io::Read;
    bytes.reserve(size as usize + 1);
    let mut line_start = 0usize;
    loop {
        // Straight into the buffer, a megabyte at a time (no copy).
        let from = bytes.len();
        let n = file.take(1 << 20).read_to_end(bytes)?;
        if n == 0 {
            break;
        }
        // A line wholly in the chunk is shorter than the chunk: only the
        // line its first line feed ends (begun before it) can be too long.
        let chunk = &bytes[from..];
        if let Some(first) = memchr::memchr(b'\n', chunk)
            && from + first - line_start <= MAX_CSV_LINE
        {
            line_start = from + memchr::memrchr(b'\n', chunk).unwrap_or(first) + 1;
        }
        if bytes.len() - line_start > MAX_CSV_LINE {
            let line = memchr::memchr_iter(b'\n', &bytes[..line_start]).count() + 1;
            return Ok(Err(line as u32));
        }
    }
    Ok(Ok(()))
}

/// Where each line of a text starts, to place many byte offsets quickly.
pub(crate) struct LineStarts(Vec<usize>);

impl LineStarts {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineStarts(starts)
    }

    /// The place of `value`, written at byte `at` of `text`.
    pub(crate) fn loc(&self, file: FileId, text: &str, at: usize, value: &str) -> Loc {
        let line = self.0.partition_point(|&s| s <= at);
        let start = self.0[line - 1];
        let col = text.get(start..at).map_or(0, |s| s.chars().count()) + 1;
        Loc::new(file, line as u32, col as u32, value.chars().count() as u32)
    }
}

/// 1-based line and character column just after `text`.
pub(crate) fn line_col(text: &[u8]) -> (u32, u32) {
    let line = text.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = text.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&text[start..]).chars().count() + 1;
    (line as u32, col as u32)
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    // An error names the folder it is about, not the data folder.
    let at = |e: io::Error| {
        let rel = dir.strip_prefix(root).unwrap_or(dir);
        if rel.as_os_str().is_empty() {
            e
        } else {
            io::Error::new(
                e.kind(),
                format!("cannot read the folder `{}`: {e}", display_path(rel)),
            )
        }
    };
    for entry in fs::read_dir(dir).map_err(at)? {
        let entry = entry.map_err(at)?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let kind = entry.file_type().map_err(at)?;
        if kind.is_dir() {
            walk(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_owned());
        }
    }
    Ok(())
}

/// The first bytes of every PNG file: the logo must start with them.
pub const PNG_SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// Why a file named in the data cannot be published.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FileRefusal {
    /// An absolute path, or one that climbs out with `..`.
    #[error("is outside the data folder")]
    Outside,
    /// A symbolic link (of the file or a folder on its way) leading out of
    /// the data folder.
    #[error("is a link to outside the data folder")]
    LinkOutside,
    /// One of the data set's own files (`*.yaml`, `*.yml`, `*.csv`: people,
    /// attendance, completions, …), or a hidden file (`.git/…`, `.env`),
    /// directly or through a link.
    #[error("is one of the data set's own files (`{0}`), which are private")]
    Private(String),
    /// Nothing there.
    #[error("does not exist")]
    Missing,
    /// A folder or something else that is not a file.
    #[error("is not a file")]
    NotAFile,
    /// The file holds a private key (PEM `… PRIVATE KEY`), whatever its
    /// name.
    #[error("holds a private key, which is never published")]
    PrivateKey,
    /// The file's bytes are not of the type its name says (a `.pdf` that
    /// does not start `%PDF-`): perhaps a data file renamed.
    #[error("is not a {0} file, as its name says")]
    WrongType(&'static str),
    /// The file is there but cannot be read (its permissions).
    #[error("cannot be read ({0})")]
    Unreadable(String),
}

/// Whether the bytes of a file begin as a private key in PEM does
/// (`-----BEGIN PRIVATE KEY-----`, `… RSA PRIVATE KEY`, `… OPENSSH
/// PRIVATE KEY`, `… ENCRYPTED PRIVATE KEY`), after any byte-order mark or
/// blank space.
pub fn is_private_key(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let rest = &head[start..];
    let Some(line) = rest.strip_prefix(b"-----BEGIN ") else {
        return false;
    };
    let end = line.iter().position(|&b| b == b'\n').unwrap_or(line.len());
    line[..end]
        .windows(b"PRIVATE KEY".len())
        .any(|w| w == b"PRIVATE KEY")
}

/// The first kilobyte of a file.
fn head_of(path: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut head = Vec::with_capacity(1024);
    std::fs::File::open(path)?
        .take(1024)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// The type a file's name says it is, when its first bytes can tell, and
/// whether `head` (its first bytes) is of it. (Fonts are read whole by the
/// certificates' check, `bad-font`.)
pub(crate) fn declared_type_matches(name: &str, head: &[u8]) -> Result<(), &'static str> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let (what, ok) = match ext.as_str() {
        "pdf" => ("PDF", head.starts_with(b"%PDF-")),
        "png" => ("PNG", head.starts_with(PNG_SIGNATURE)),
        "jpg" | "jpeg" => ("JPEG", head.starts_with(&[0xff, 0xd8, 0xff])),
        "gif" => ("GIF", head.starts_with(b"GIF8")),
        "webp" => (
            "WebP",
            head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP",
        ),
        "zip" | "docx" | "xlsx" | "pptx" | "odt" | "ods" | "odp" | "epub" => (
            "zip-based",
            head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06"),
        ),
        "mp4" | "m4v" | "m4a" | "mov" => ("MP4", head.len() >= 8 && &head[4..8] == b"ftyp"),
        "mp3" => (
            "MP3",
            head.starts_with(b"ID3") || head.starts_with(&[0xff, 0xfb]),
        ),
        "svg" => ("SVG", String::from_utf8_lossy(head).contains("<svg")),
        "doc" | "xls" | "ppt" => ("Office", head.starts_with(&[0xd0, 0xcf, 0x11, 0xe0])),
        _ => return Ok(()),
    };
    if ok { Ok(()) } else { Err(what) }
}

/// A data file (YAML, CSV) or a hidden one inside `root` that is the same
/// file as `file` (a hard link to it): looked for only when `file` has
/// more than one link.
#[cfg(unix)]
fn same_as_private(root: &Path, file: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt as _;
    let meta = std::fs::metadata(file).ok()?;
    if meta.nlink() < 2 {
        return None;
    }
    let (dev, ino) = (meta.dev(), meta.ino());
    let mut stack = vec![root.to_owned()];
    let mut seen = 0usize;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).ok()?.flatten() {
            seen += 1;
            if seen > 200_000 {
                return None;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                stack.push(path);
                continue;
            }
            let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
            let private = name.starts_with('.')
                || name.ends_with(".yaml")
                || name.ends_with(".yml")
                || name.ends_with(".csv");
            if private
                && kind.is_file()
                && std::fs::metadata(&path).is_ok_and(|m| m.dev() == dev && m.ino() == ino)
            {
                let rel = path.strip_prefix(root).unwrap_or(&path);
                return Some(display_path(rel));
            }
        }
    }
    None
}

#[cfg(not(unix))]
fn same_as_private(_root: &Path, _file: &Path) -> Option<String> {
    None
}

/// The path of the file `rel` (relative to the data folder `root`, `/`-
/// separated) if it may be copied into a public output: inside the folder
/// (links followed), an existing regular file, and not one of the data
/// set's own files nor hidden. Both `validate` and every publisher ask
/// this, so what validates is what is published.
pub fn public_file(root: &Path, rel: &str) -> Result<PathBuf, FileRefusal> {
    let relative = Path::new(rel);
    let escapes = rel.is_empty()
        || rel.starts_with(['/', '\\'])
        || relative.is_absolute()
        || relative.components().any(|c| {
            !matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        });
    if escapes {
        return Err(FileRefusal::Outside);
    }
    let root = root.canonicalize().map_err(|_| FileRefusal::Missing)?;
    let file = root
        .join(relative)
        .canonicalize()
        .map_err(|_| FileRefusal::Missing)?;
    let Ok(inside) = file.strip_prefix(&root) else {
        return Err(FileRefusal::LinkOutside);
    };
    let private = inside.components().any(|c| {
        let name = c.as_os_str().to_string_lossy();
        name.starts_with('.')
    }) || inside
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| matches!(e.as_str(), "yaml" | "yml" | "csv"));
    if private {
        return Err(FileRefusal::Private(display_path(inside)));
    }
    if !file.is_file() {
        return Err(FileRefusal::NotAFile);
    }
    if let Some(private) = same_as_private(&root, &file) {
        return Err(FileRefusal::Private(private));
    }
    let head = head_of(&file).map_err(|e| FileRefusal::Unreadable(e.kind().to_string()))?;
    if is_private_key(&head) {
        return Err(FileRefusal::PrivateKey);
    }
    declared_type_matches(rel, &head).map_err(FileRefusal::WrongType)?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    /// A line of up to [`MAX_CSV_LINE`] bytes is read, one byte more is
    /// refused at its line, wherever the reads of a megabyte fall.
    #[test]
    fn csv_lines_longer_than_the_limit_are_refused_at_their_line() {
        // As a file is read, and as bytes given in memory are.
        let read = |text: &str| {
            let mut bytes = Vec::new();
            let result =
                super::read_csv(&mut text.as_bytes(), text.len() as u64, &mut bytes).unwrap();
            (result, bytes.len())
        };
        let max = super::MAX_CSV_LINE;
        for lead in [0, 1, 7, max - 3, max] {
            let head = "a\n".repeat(lead / 2);
            let lines = u32::try_from(lead / 2).unwrap();
            let ok = format!("{head}{}\nb\n{}\n", "x".repeat(max), "y".repeat(max));
            assert_eq!(read(&ok), (Ok(()), ok.len()), "lead {lead}");
            let long = format!("{head}b\n{}\nc\n", "x".repeat(max + 1));
            assert_eq!(read(&long).0, Err(lines + 2), "lead {lead}");
            let last = format!("{head}{}", "x".repeat(max + 1));
            assert_eq!(read(&last).0, Err(lines + 1), "lead {lead}");
        }
    }

    use super::*;

    #[test]
    fn a_file_is_the_type_its_name_says() {
        assert_eq!(declared_type_matches("a.pdf", b"%PDF-1.7"), Ok(()));
        assert_eq!(declared_type_matches("a.PDF", b"id,name"), Err("PDF"));
        assert_eq!(declared_type_matches("x.png", PNG_SIGNATURE), Ok(()));
        assert_eq!(declared_type_matches("x.jpg", b"GIF89a"), Err("JPEG"));
        assert_eq!(
            declared_type_matches("v.mp4", b"\0\0\0\x18ftypmp42"),
            Ok(())
        );
        assert_eq!(declared_type_matches("d.docx", b"PK\x03\x04"), Ok(()));
        assert_eq!(
            declared_type_matches("notes.txt", b"anything"),
            Ok(()),
            "no way to tell"
        );
    }

    #[test]
    fn only_plain_files_inside_the_folder_are_public() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("data");
        fs::create_dir_all(root.join("resources")).unwrap();
        fs::create_dir_all(root.join(".git")).unwrap();
        fs::write(root.join("resources/a.pdf"), "%PDF-1.7").unwrap();
        fs::write(root.join("people.csv"), "id,name").unwrap();
        fs::write(root.join("People.YAML"), "people: []").unwrap();
        fs::write(root.join(".git/config"), "").unwrap();
        fs::write(tmp.path().join("secret.txt"), "").unwrap();
        assert!(public_file(&root, "resources/a.pdf").is_ok());
        assert!(public_file(&root, "./resources/a.pdf").is_ok());
        assert_eq!(
            public_file(&root, "../secret.txt"),
            Err(FileRefusal::Outside)
        );
        assert_eq!(public_file(&root, "/etc/passwd"), Err(FileRefusal::Outside));
        assert_eq!(
            public_file(&root, "people.csv"),
            Err(FileRefusal::Private("people.csv".into()))
        );
        assert!(matches!(
            public_file(&root, "People.YAML"),
            Err(FileRefusal::Private(_))
        ));
        assert!(matches!(
            public_file(&root, ".git/config"),
            Err(FileRefusal::Private(_))
        ));
        assert_eq!(public_file(&root, "resources"), Err(FileRefusal::NotAFile));
        assert_eq!(public_file(&root, "nope.pdf"), Err(FileRefusal::Missing));
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink(root.join("people.csv"), root.join("resources/list.pdf")).unwrap();
            symlink(tmp.path().join("secret.txt"), root.join("resources/s.pdf")).unwrap();
            symlink(tmp.path(), root.join("up")).unwrap();
            assert!(matches!(
                public_file(&root, "resources/list.pdf"),
                Err(FileRefusal::Private(_))
            ));
            assert_eq!(
                public_file(&root, "resources/s.pdf"),
                Err(FileRefusal::LinkOutside)
            );
            assert_eq!(
                public_file(&root, "up/secret.txt"),
                Err(FileRefusal::LinkOutside)
            );
        }
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        assert_eq!(line_col(b""), (1, 1));
        assert_eq!(line_col("ab\nZo\u{eb}".as_bytes()), (2, 4));
    }
}
