//! The modules of `tip-core` depend on each other without cycles: each
//! top-level module uses only those below it in the pipeline
//! (docs/decisions.md draws the tree).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((
                path.display().to_string(),
                fs::read_to_string(&path).unwrap(),
            ));
        }
    }
}

/// `crate::name` paths outside comments and test modules.
fn uses(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    let mut out = BTreeSet::new();
    for line in code.lines() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        for (i, _) in line.match_indices("crate::") {
            let name: String = line[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

#[test]
fn top_level_modules_have_no_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, text) in &files {
        let rel = Path::new(path).strip_prefix(&src).unwrap();
        let module = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if module == "lib" {
            continue;
        }
        let entry = deps.entry(module.clone()).or_default();
        entry.extend(uses(text).into_iter().filter(|d| *d != module));
    }
    // Depth-first search for a path back to the start.
    fn reaches(
        deps: &BTreeMap<String, BTreeSet<String>>,
        from: &str,
        to: &str,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in deps.get(from).into_iter().flatten() {
            if next == to || (seen.insert(next.clone()) && reaches(deps, next, to, seen)) {
                return true;
            }
        }
        false
    }
    let cyclic: Vec<&String> = deps
        .keys()
        .filter(|m| reaches(&deps, m, m, &mut BTreeSet::new()))
        .collect();
    assert!(
        cyclic.is_empty(),
        "modules in a cycle: {cyclic:?}\n{deps:#?}"
    );
    assert!(deps.len() >= 10, "the walk found the modules: {deps:?}");
}
