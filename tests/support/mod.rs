//! Helpers shared by the integration tests: the real `tip` binary, the
//! repository's folders, and temporary copies of data sets.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub(crate) fn tip(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tip"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("TIP_SIGNING_KEY")
        .output()
        .expect("tip runs")
}

pub(crate) fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A temporary data folder: the base plus the case's files.
pub(crate) fn fixture(case: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = repo().join("tests/fixtures");
    let case_dir = fixtures.join(case);
    if !case_dir.join(".standalone").exists() {
        copy_dir(&fixtures.join("base"), dir.path());
    }
    if case_dir.exists() {
        copy_dir(&case_dir, dir.path());
    }
    dir
}

/// The example programme's private key: a test fixture, never a real
/// programme's.
pub(crate) fn example_key() -> PathBuf {
    repo().join("tests/fixtures/keys/example-issuer.pem")
}

/// A copy of the example data set in a temporary folder, to change freely.
pub(crate) fn example_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    fs::create_dir_all(&data).unwrap();
    copy_dir(&repo().join("data/kent-medway"), &data);
    (tmp, data)
}

/// Replace `from` with `to` in a data file of a temporary copy; the text
/// must be there, so a changed example fails the test, not silently.
pub(crate) fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "`{from}` not in {}", path.display());
    fs::write(path, text.replace(from, to)).unwrap();
}

/// `tip` with these environment variables (and no `TIP_SIGNING_KEY` from
/// the caller's shell unless given).
pub(crate) fn tip_env(args: &[&str], env: &[(&str, &Path)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tip"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1661990400")
        .env_remove("TIP_SIGNING_KEY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("tip runs");
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub(crate) fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Revoke certificate `number` in the ledger, as a coordinator does: fill
/// `revoked` and `reason` in its row.
pub(crate) fn revoke(data: &Path, number: &str, on: &str, reason: &str) {
    let path = data.join("certificates.csv");
    let text = fs::read_to_string(&path).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with(&format!("{number},")) {
            let mut cells: Vec<&str> = line.split(',').collect();
            cells[6] = on;
            cells[7] = reason;
            out.push_str(&cells.join(","));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    fs::write(path, out).unwrap();
}

/// Every file under `dir`.
pub(crate) fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
