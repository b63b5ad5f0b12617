//! YAML for the tests of the fast tree ([`super::lines`]):
//! the files of the repository, and damage done to random text.

use std::path::{Path, PathBuf};

use proptest::sample::Index;

/// Every `.yaml` and `.yml` file under `dirs`, however deep.
pub(super) fn yaml_files(mut dirs: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                files.push(path);
            }
        }
    }
    files
}

/// The YAML files of the repository: the example data, the test fixtures
/// and the examples.
pub(super) fn repository_yaml_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    yaml_files(vec![
        root.join("data"),
        root.join("tests"),
        root.join("examples"),
    ])
}

/// `text` with `piece` inserted at the character boundary at or before
/// the place `at` picks.
pub(super) fn damaged(mut text: String, at: Index, piece: &str) -> String {
    let mut i = at.index(text.len() + 1);
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    text.insert_str(i, piece);
    text
}
