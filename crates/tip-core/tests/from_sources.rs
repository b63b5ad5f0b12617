//! A data set given in memory reads as the same files in a folder do.

use std::path::Path;

use tip_core::Dataset;

/// Every file under `dir`, by its name relative to `root`.
fn sources(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(root, &path, out);
        } else {
            let name = path
                .strip_prefix(root)
                .unwrap()
                .to_str()
                .unwrap()
                .replace('\\', "/");
            out.push((name, std::fs::read(&path).unwrap()));
        }
    }
}

#[test]
fn the_example_from_memory_is_the_example_from_its_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/kent-medway");
    let (disk, disk_warnings) = Dataset::load(&root).unwrap();
    let mut given = Vec::new();
    sources(&root, &root, &mut given);
    // Files of other kinds (PDFs, the key, the logo) are simply not data.
    let (memory, warnings) = Dataset::from_sources(given).into_result().unwrap();
    assert!(memory.in_memory() && !disk.in_memory());
    assert_eq!(warnings.len(), disk_warnings.len());
    assert_eq!(memory.courses().len(), disk.courses().len());
    assert_eq!(memory.cohorts().len(), disk.cohorts().len());
    assert_eq!(memory.people().len(), disk.people().len());
    assert_eq!(memory.completions().len(), disk.completions().len());
    for (ix, cohort) in disk.cohort_ixs() {
        let other = memory.cohort(&cohort.id).unwrap();
        assert_eq!(disk.sessions(ix), memory.sessions(other));
    }
    // The dates are chrono's, reached through tip_core.
    let first: tip_core::chrono::NaiveDate =
        memory.sessions(memory.cohort_ixs().next().unwrap().0)[0].date();
    assert!(first.to_string().starts_with("2022"));
}

#[test]
fn problems_in_memory_name_the_given_file() {
    let report = Dataset::from_sources([
        (
            "programme.yaml".to_string(),
            b"programme: {id: p, name: P, timezone: Europe/London, domain: p.example.org}\n"
                .to_vec(),
        ),
        (
            "cohorts/one.yaml".to_string(),
            b"cohorts:\n  - { id: x\n".to_vec(),
        ),
        (".hidden/people.csv".to_string(), b"not,read\n".to_vec()),
        ("people.csv".to_string(), b"id,name\nann,Ann\n".to_vec()),
    ]);
    let errors: Vec<_> = report
        .diagnostics()
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let at = errors[0].location.as_ref().unwrap();
    assert_eq!((&*at.file, at.line), ("cohorts/one.yaml", 2));
}
