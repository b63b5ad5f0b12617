//! The ledger file, `certificates.csv`: read and appended with the csv
//! crate (quoted headers, any column order, a byte-order mark), under an
//! exclusive advisory lock held from reading it to the atomic rename of
//! its new version, so two `tip certify` runs at once never hand out the
//! same number or lose each other's rows.
//!
//! The lock is taken on the ledger file itself. A run that waited for it
//! checks, once it holds it, that the path still names the file it locked
//! (the run before may have renamed a new version into place) and locks
//! again if not; so the lock always guards the current file, and no lock
//! file is ever left behind. A temporary file left by a run that was
//! killed (`.tip-ledger-*`) is removed by the next run, which holds the
//! lock, and reported.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use tip_core::Dataset;

use crate::Certificate;
use crate::ledger::{Issuance, IssueError, LEDGER_COLUMNS, LedgerRow, Request, issue};

/// The prefix of the ledger's temporary files.
const TEMPORARY: &str = ".tip-ledger-";

/// The largest ledger read (a million certificates with their credentials
/// are about 2 GB; this is a sanity bound, not a target).
const MAX_LEDGER: u64 = 4 << 30;

/// A ledger file, locked against every other `tip certify` until dropped
/// or [`LedgerFile::append`]ed.
#[derive(Debug)]
pub struct LedgerFile {
    path: PathBuf,
    /// The locked file (the lock is released when it is closed).
    _lock: File,
    /// The file's bytes as read under the lock.
    text: Vec<u8>,
    /// Its columns, lowercase, in its order.
    header: Vec<String>,
    rows: Vec<LedgerRow>,
    /// Temporary files of interrupted runs that were removed.
    cleaned: Vec<PathBuf>,
}

/// What [`issue_and_record`] did.
#[derive(Debug)]
#[non_exhaustive]
pub struct Recorded {
    /// The certificates' numbers and codes, and the new ledger rows.
    pub issuance: Issuance,
    /// The ledger file the new rows were appended to (`None`: there were
    /// none).
    pub file: Option<PathBuf>,
    /// Temporary files of an interrupted run, removed.
    pub cleaned: Vec<PathBuf>,
}

/// Issue `certificates` ([`issue`]) and record them, under the ledger's
/// lock: the ledger file that new rows go to (the last `certificates*.csv`
/// of `data`, or a new `certificates.csv`) is locked and read again, the
/// certificates are numbered from it and the other ledger files, and the
/// new rows are appended with an atomic rename before the lock is
/// released. Issuing is recording: a failure after it reprints the same
/// certificates, never new numbers, and two runs at once never share one.
pub fn issue_and_record(
    data: &Dataset,
    certificates: &mut Vec<Certificate>,
    request: Request<'_>,
) -> Result<Recorded, IssueError> {
    let target = data
        .certificates()
        .iter()
        .map(|c| data.location(c.loc).file)
        .rfind(|f| f.ends_with(".csv"));
    let path = target.as_deref().map_or_else(
        || data.root().join("certificates.csv"),
        |f| data.root().join(f),
    );
    let ledger = LedgerFile::open(&path)?;
    let cleaned = ledger.cleaned().to_vec();
    // The rows of the other ledger files, as loaded, and this file's as
    // read under the lock.
    let mut rows: Vec<LedgerRow> = data
        .certificates()
        .iter()
        .filter(|c| target.as_deref() != Some(&*data.location(c.loc).file))
        .map(|c| LedgerRow::of(data, c))
        .collect();
    rows.extend_from_slice(ledger.rows());
    let issuance = issue(data, certificates, &rows, request)?;
    let file = (!issuance.new.is_empty()).then(|| ledger.path().to_owned());
    if file.is_some() {
        ledger.append(&issuance.new)?;
    }
    Ok(Recorded {
        issuance,
        file,
        cleaned,
    })
}

impl LedgerFile {
    /// Lock the ledger at `path` (creating it with its header if it does
    /// not exist) and read it.
    pub fn open(path: &Path) -> io::Result<LedgerFile> {
        let at = |e: io::Error| io::Error::new(e.kind(), format!("`{}`: {e}", path.display()));
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        let lock = loop {
            if !path.exists() {
                create(path, &dir).map_err(at)?;
            }
            let file = File::open(path).map_err(at)?;
            file.lock().map_err(at)?;
            // The run before may have renamed a new version into place
            // while this one waited: lock that one instead.
            let current = same_file::Handle::from_path(path).ok();
            let locked = same_file::Handle::from_file(file.try_clone().map_err(at)?).map_err(at)?;
            if current.is_some_and(|c| c == locked) {
                break file;
            }
        };
        let cleaned = clean_temporaries(&dir);
        let mut text = Vec::new();
        (&lock)
            .take(MAX_LEDGER)
            .read_to_end(&mut text)
            .map_err(at)?;
        let (header, rows) = parse(&text).map_err(|e| at(io::Error::other(e)))?;
        Ok(LedgerFile {
            path: path.to_owned(),
            _lock: lock,
            text,
            header,
            rows,
            cleaned,
        })
    }

    /// The rows as read under the lock.
    pub fn rows(&self) -> &[LedgerRow] {
        &self.rows
    }

    /// The path of the ledger.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Temporary files of interrupted runs that opening removed.
    pub fn cleaned(&self) -> &[PathBuf] {
        &self.cleaned
    }

    /// Append `new` rows and rename the new version into place, then
    /// release the lock. The rows already there are kept byte for byte;
    /// a ledger that lacks a column new rows fill (`key`, `replaces`,
    /// `credential`, written by an earlier tip) gains it, its rows an
    /// empty cell.
    pub fn append(self, new: &[LedgerRow]) -> io::Result<()> {
        let at = |e: io::Error| io::Error::new(e.kind(), format!("`{}`: {e}", self.path.display()));
        let missing: Vec<&str> = LEDGER_COLUMNS
            .iter()
            .copied()
            .filter(|c| !self.header.iter().any(|h| h == c))
            .collect();
        let mut out = Vec::with_capacity(self.text.len() + new.len() * 2048);
        let header: Vec<String> = if missing.is_empty() && !self.header.is_empty() {
            out.extend_from_slice(&self.text);
            if !out.is_empty() && !out.ends_with(b"\n") {
                out.push(b'\n');
            }
            self.header.clone()
        } else {
            // Rewrite with the new columns at the end: every value kept.
            let mut header = self.header.clone();
            header.extend(missing.iter().map(|s| s.to_string()));
            let mut w = csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(&mut out);
            w.write_record(&header).map_err(|e| at(e.into()))?;
            let mut reader = reader(&self.text);
            for record in reader.byte_records() {
                let record = record.map_err(|e| at(io::Error::other(e)))?;
                let mut cells: Vec<&[u8]> = record.iter().collect();
                cells.resize(header.len(), b"");
                w.write_record(&cells).map_err(|e| at(e.into()))?;
            }
            w.flush().map_err(at)?;
            drop(w);
            header
        };
        {
            let mut w = csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(&mut out);
            for row in new {
                let cells: Vec<String> = header.iter().map(|h| row.cell(h)).collect();
                w.write_record(&cells).map_err(|e| at(e.into()))?;
            }
            w.flush().map_err(at)?;
        }
        // The lock goes with `self`, after the rename.
        self.replace(&out)
    }
}

impl LedgerFile {
    /// Revoke the certificate `number` on `on` for `reason`: its row's
    /// `revoked` and `reason` set, every other value kept, the file
    /// written anew and renamed into place, then the lock released.
    pub fn revoke(self, number: &str, on: chrono::NaiveDate, reason: &str) -> io::Result<()> {
        let at = |e: io::Error| io::Error::new(e.kind(), format!("`{}`: {e}", self.path.display()));
        let refuse = |why: String| io::Error::new(io::ErrorKind::InvalidInput, why);
        let Some(row) = self.rows.iter().find(|r| r.number == number) else {
            return Err(refuse(format!(
                "`{number}` is not in `{}`",
                self.path.display()
            )));
        };
        if let Some(when) = row.revoked {
            return Err(refuse(format!("`{number}` was revoked on {when} already")));
        }
        if row.issued.is_some_and(|issued| on < issued) {
            return Err(refuse(format!(
                "`{number}` was issued on {}: it cannot be revoked before, on {on}",
                row.issued.map(|d| d.to_string()).unwrap_or_default()
            )));
        }
        let mut header = self.header.clone();
        for column in ["revoked", "reason"] {
            if !header.iter().any(|h| h == column) {
                header.push(column.into());
            }
        }
        let column = |name: &str| header.iter().position(|h| h == name);
        let (number_at, revoked_at, reason_at) = (
            column("number").unwrap_or(0),
            column("revoked").unwrap_or(0),
            column("reason").unwrap_or(0),
        );
        let mut out = Vec::with_capacity(self.text.len() + 64);
        {
            let mut w = csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(&mut out);
            w.write_record(&header).map_err(|e| at(e.into()))?;
            let mut reader = reader(&self.text);
            let on = on.to_string();
            for record in reader.records() {
                let record = record.map_err(|e| at(io::Error::other(e)))?;
                let mut cells: Vec<&str> = record.iter().collect();
                cells.resize(header.len(), "");
                if cells[number_at].trim() == number {
                    cells[revoked_at] = &on;
                    cells[reason_at] = reason;
                }
                w.write_record(&cells).map_err(|e| at(e.into()))?;
            }
            w.flush().map_err(at)?;
        }
        self.replace(&out)
    }

    /// Write `bytes` as the ledger's new version, atomically.
    fn replace(&self, bytes: &[u8]) -> io::Result<()> {
        let at = |e: io::Error| io::Error::new(e.kind(), format!("`{}`: {e}", self.path.display()));
        let dir = self.path.parent().filter(|p| !p.as_os_str().is_empty());
        let dir = dir.unwrap_or(Path::new("."));
        let mut tmp = tempfile::Builder::new()
            .prefix(TEMPORARY)
            .tempfile_in(dir)
            .map_err(at)?;
        tmp.write_all(bytes).map_err(at)?;
        tmp.as_file().sync_all().map_err(at)?;
        tmp.persist(&self.path).map_err(|e| at(e.error))?;
        Ok(())
    }
}

/// A CSV reader of the ledger's bytes: a header row, rows of any length.
fn reader(text: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().flexible(true).from_reader(text)
}

/// The columns and rows of a ledger file.
fn parse(text: &[u8]) -> Result<(Vec<String>, Vec<LedgerRow>), csv::Error> {
    if text.iter().all(u8::is_ascii_whitespace) {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut reader = reader(text);
    let header: Vec<String> = reader
        .headers()?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record?;
        let mut row = LedgerRow::default();
        for (column, cell) in header.iter().zip(record.iter()) {
            row.set(column, cell);
        }
        rows.push(row);
    }
    Ok((header, rows))
}

/// Create the ledger with its header, unless another run just did.
fn create(path: &Path, dir: &Path) -> io::Result<()> {
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMPORARY)
        .tempfile_in(dir)?;
    tmp.write_all(format!("{}\n", LEDGER_COLUMNS.join(",")).as_bytes())?;
    tmp.as_file().sync_all()?;
    match tmp.persist_noclobber(path) {
        Ok(_) => Ok(()),
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e.error),
    }
}

/// Remove the temporary files interrupted runs left beside the ledger (the
/// caller holds the lock: no live run is writing one).
fn clean_temporaries(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(TEMPORARY))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| std::fs::remove_file(p).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(number: &str) -> LedgerRow {
        LedgerRow {
            number: number.into(),
            code: "ABCD-EFGH".into(),
            person: "ann".into(),
            course: "intro".into(),
            completed: "2022-01-10".parse().ok(),
            issued: "2022-02-01".parse().ok(),
            ..LedgerRow::default()
        }
    }

    #[test]
    fn a_quoted_header_in_any_order_is_read_and_appended_to() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("certificates.csv");
        std::fs::write(
            &path,
            "\u{feff}\"code\",\"Number\",person,course,completed,issued,revoked,reason\nWXYZ-0123,T-2022-000001,bo,intro,2022-01-10,2022-02-01,,\n",
        )
        .unwrap();
        let ledger = LedgerFile::open(&path).unwrap();
        assert_eq!(ledger.rows()[0].number, "T-2022-000001");
        assert_eq!(ledger.rows()[0].code, "WXYZ-0123");
        ledger.append(&[row("T-2022-000002")]).unwrap();
        let again = LedgerFile::open(&path).unwrap();
        assert_eq!(again.rows().len(), 2);
        assert_eq!(again.rows()[1], row("T-2022-000002"));
        assert_eq!(again.rows()[0].person, "bo");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("code,number,"), "{text}");
        assert!(
            text.lines()
                .next()
                .unwrap()
                .ends_with(",key,replaces,credential")
        );
    }

    #[test]
    fn a_new_ledger_has_every_column_and_rows_already_there_stay_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("certificates.csv");
        LedgerFile::open(&path)
            .unwrap()
            .append(&[row("T-2022-000001")])
            .unwrap();
        let first = std::fs::read(&path).unwrap();
        assert!(first.starts_with(LEDGER_COLUMNS.join(",").as_bytes()));
        LedgerFile::open(&path)
            .unwrap()
            .append(&[row("T-2022-000002")])
            .unwrap();
        let second = std::fs::read(&path).unwrap();
        assert!(second.starts_with(&first));
    }

    #[test]
    fn revoking_sets_one_row_and_keeps_every_other_value() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("certificates.csv");
        LedgerFile::open(&path)
            .unwrap()
            .append(&[row("T-2022-000001"), row("T-2022-000002")])
            .unwrap();
        let day = |s: &str| s.parse().unwrap();
        let early =
            LedgerFile::open(&path)
                .unwrap()
                .revoke("T-2022-000002", day("2022-01-01"), "x");
        assert!(early.unwrap_err().to_string().contains("before"));
        LedgerFile::open(&path)
            .unwrap()
            .revoke(
                "T-2022-000002",
                day("2022-03-01"),
                "name misspelt, corrected",
            )
            .unwrap();
        let ledger = LedgerFile::open(&path).unwrap();
        assert_eq!(ledger.rows()[0], row("T-2022-000001"));
        assert_eq!(ledger.rows()[1].revoked, Some(day("2022-03-01")));
        assert_eq!(ledger.rows()[1].reason, "name misspelt, corrected");
        let again = ledger.revoke("T-2022-000002", day("2022-03-02"), "x");
        assert!(again.unwrap_err().to_string().contains("already"));
    }

    #[test]
    fn temporary_files_of_a_killed_run_are_removed_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("certificates.csv");
        std::fs::write(dir.path().join(".tip-ledger-abc123"), "half a ledger").unwrap();
        let ledger = LedgerFile::open(&path).unwrap();
        assert_eq!(ledger.cleaned().len(), 1);
        assert!(!dir.path().join(".tip-ledger-abc123").exists());
    }

    #[test]
    fn a_second_run_waits_for_the_first_and_sees_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("certificates.csv");
        let first = LedgerFile::open(&path).unwrap();
        let p = path.clone();
        let second = std::thread::spawn(move || {
            let ledger = LedgerFile::open(&p).unwrap();
            let n = ledger.rows().len();
            ledger.append(&[row("T-2022-000002")]).unwrap();
            n
        });
        std::thread::sleep(std::time::Duration::from_millis(200));
        first.append(&[row("T-2022-000001")]).unwrap();
        assert_eq!(
            second.join().unwrap(),
            1,
            "the second run read the first's row"
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
    }
}
