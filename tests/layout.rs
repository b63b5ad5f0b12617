//! The modules of every crate depend on each other without cycles.
//!
//! Every source file is read (only `#[cfg(test)]` modules, the files of
//! test modules and comments are left out) and every path through `crate::`, `super::` and `self::` —
//! grouped imports included — is resolved to the module it names. Among
//! the children of any one module, one depends on another when anything
//! inside it names anything inside the other; those dependencies must not
//! go round in a circle. (A child naming its parent's own items is the
//! usual shape of a module and is not a dependency between siblings.)

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

mod support;
use support::repo;

/// A crate's modules: path (`load::yaml`; the root is ``) → source with
/// test modules and comments removed.
fn modules(src: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for file in support::walk(src) {
        if file.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = file.strip_prefix(src).unwrap().with_extension("");
        let mut parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if matches!(
            parts.last().map(String::as_str),
            Some("mod" | "lib" | "main")
        ) {
            parts.pop();
        }
        // A test module's own file (`mod tests;` under `#[cfg(test)]`).
        if parts.last().is_some_and(|p| p == "tests") {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        out.insert(parts.join("::"), code_only(&text));
    }
    out
}

/// The text without comments and without `#[cfg(test)]` modules.
fn code_only(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect();
    let text = lines.join("\n");
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        // A test module: skip to its closing brace.
        let head_end = after.find(['{', ';']).unwrap_or(after.len());
        let is_mod = after[..head_end].contains("mod ");
        if is_mod && after[head_end..].starts_with('{') {
            let mut depth = 0usize;
            let mut end = after.len();
            for (i, c) in after.char_indices().skip(head_end) {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i + 1;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            rest = &after[end..];
        } else {
            out.push_str("#[cfg(test)]");
            rest = &after["#[cfg(test)]".len()..];
        }
    }
    out.push_str(rest);
    out
}

/// Every path `prefix::…` in `code`, grouped imports expanded:
/// `super::{a, b::{c, d}}` gives `super::a`, `super::b::c`, `super::b::d`.
fn paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for start in ["crate::", "super::", "self::"] {
        for (i, _) in code.match_indices(start) {
            let before = code[..i].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            expand(&code[i..], String::new(), &mut out);
        }
    }
    out
}

/// The path at the start of `text`, after `prefix`, into `out`.
fn expand(text: &str, prefix: String, out: &mut Vec<String>) {
    let name_len = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(text.len());
    let path = format!("{prefix}{}", &text[..name_len]);
    let rest = &text[name_len..];
    if path.ends_with("::") && rest.starts_with('{') {
        // A group: split at top-level commas up to the matching brace.
        let mut depth = 0usize;
        let mut item = 1;
        for (i, c) in rest.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        expand(rest[item..i].trim_start(), path.clone(), out);
                        return;
                    }
                }
                ',' if depth == 1 => {
                    expand(rest[item..i].trim_start(), path.clone(), out);
                    item = i + 1;
                }
                _ => {}
            }
        }
    } else {
        out.push(path.trim_end_matches("::").to_owned());
    }
}

/// The module a path names from module `at`: the longest known module
/// its segments lead to.
fn resolve(path: &str, at: &str, known: &BTreeSet<String>) -> Option<String> {
    let mut here: Vec<&str> = if at.is_empty() {
        Vec::new()
    } else {
        at.split("::").collect()
    };
    let mut segments = path.split("::").filter(|s| !s.is_empty()).peekable();
    match segments.peek() {
        Some(&"crate") => {
            here.clear();
            segments.next();
        }
        Some(&"self") => {
            segments.next();
        }
        _ => {}
    }
    while segments.peek() == Some(&"super") {
        here.pop()?;
        segments.next();
    }
    let mut best = here.join("::");
    for s in segments {
        here.push(s);
        let candidate = here.join("::");
        if known.contains(&candidate) {
            best = candidate;
        } else {
            break;
        }
    }
    Some(best)
}

/// The child of `parent` that `module` is in (itself or a descendant).
fn child_of<'m>(parent: &str, module: &'m str) -> Option<&'m str> {
    let rest = if parent.is_empty() {
        module
    } else {
        module.strip_prefix(parent)?.strip_prefix("::")?
    };
    let first = rest.split("::").next()?;
    (!first.is_empty()).then_some(first)
}

/// Cycles among the children of each module of a crate, as `a → b → a`.
fn cycles(src: &Path) -> Vec<String> {
    let modules = modules(src);
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    // Every module's dependencies, resolved.
    let mut edges: Vec<(String, String)> = Vec::new();
    for (module, code) in &modules {
        for path in paths(code) {
            if let Some(target) = resolve(&path, module, &known)
                && target != *module
            {
                edges.push((module.clone(), target));
            }
        }
    }
    let mut found = Vec::new();
    for parent in &known {
        let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (from, to) in &edges {
            if let (Some(a), Some(b)) = (child_of(parent, from), child_of(parent, to))
                && a != b
            {
                graph.entry(a).or_default().insert(b);
            }
        }
        for &start in graph.keys() {
            if let Some(cycle) = path_back(&graph, start, start, &mut BTreeSet::new()) {
                let name = |m: &str| {
                    if parent.is_empty() {
                        m.to_string()
                    } else {
                        format!("{parent}::{m}")
                    }
                };
                let mut words = vec![name(start)];
                words.extend(cycle.iter().map(|m| name(m)));
                found.push(words.join(" → "));
            }
        }
    }
    found
}

/// A path of modules from `from` back to `to`, if there is one.
fn path_back<'g>(
    graph: &BTreeMap<&'g str, BTreeSet<&'g str>>,
    from: &'g str,
    to: &str,
    seen: &mut BTreeSet<&'g str>,
) -> Option<Vec<&'g str>> {
    for &next in graph.get(from).into_iter().flatten() {
        if next == to {
            return Some(vec![next]);
        }
        if seen.insert(next)
            && let Some(mut rest) = path_back(graph, next, to, seen)
        {
            rest.insert(0, next);
            return Some(rest);
        }
    }
    None
}

#[test]
fn no_crate_has_a_cycle_of_modules() {
    let mut all = Vec::new();
    let mut crates = 0;
    for entry in fs::read_dir(repo().join("crates")).unwrap().flatten() {
        let src = entry.path().join("src");
        if src.is_dir() {
            crates += 1;
            let name = entry.file_name().to_string_lossy().into_owned();
            all.extend(cycles(&src).into_iter().map(|c| format!("{name}: {c}")));
        }
    }
    assert!(crates >= 7, "{crates} crates");
    assert!(all.is_empty(), "modules in a cycle:\n{}", all.join("\n"));
}

#[test]
fn the_reader_of_paths_reads_grouped_imports_and_skips_tests() {
    let code = code_only(
        "use super::{events::{A, b}, lines};\nuse crate::x::Y;\n// use crate::no;\n#[cfg(test)]\nmod tests {\n    use crate::hidden;\n}\nfn f() { self::g(); }\n",
    );
    let mut found = paths(&code);
    found.sort();
    assert_eq!(
        found,
        [
            "crate::x::Y",
            "self::g",
            "super::events::A",
            "super::events::b",
            "super::lines"
        ]
    );
    let known: BTreeSet<String> = ["load", "load::events", "load::lines", "x"]
        .map(String::from)
        .into();
    assert_eq!(
        resolve("super::events::A", "load::yaml", &known).as_deref(),
        Some("load::events")
    );
    assert_eq!(
        resolve("crate::x::Y", "load::yaml", &known).as_deref(),
        Some("x")
    );
    assert_eq!(
        resolve("super::Ctx", "load::yaml", &known).as_deref(),
        Some("load")
    );
}

/// The longest function a source file may have.
const LONGEST_FUNCTION: usize = 100;

/// The functions of `text` (its test modules left out) longer than
/// [`LONGEST_FUNCTION`] lines, as `name (lines)`: a function runs from its
/// `fn` line to the closing brace at the same indentation.
fn long_functions(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]")
            && lines.get(i + 1).is_some_and(|l| l.contains("mod "))
        {
            break;
        }
        let Some(at) = trimmed.find("fn ") else {
            continue;
        };
        let head = &trimmed[..at];
        let is_fn = head
            .split_whitespace()
            .all(|w| matches!(w, "pub" | "const" | "async" | "unsafe") || w.starts_with("pub("));
        // A declaration, or a function on one line.
        if !is_fn || line.trim_end().ends_with([';', '}']) {
            continue;
        }
        let indent = &line[..line.len() - trimmed.len()];
        let close = format!("{indent}}}");
        if let Some(end) = lines[i..].iter().position(|l| l.trim_end() == close) {
            let name: String = trimmed[at + 3..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if end + 1 > LONGEST_FUNCTION {
                found.push(format!("{name} ({} lines)", end + 1));
            }
        }
    }
    found
}

#[test]
fn no_function_is_over_a_hundred_lines() {
    let mut long = Vec::new();
    for entry in fs::read_dir(repo().join("crates")).unwrap().flatten() {
        for file in support::walk(&entry.path().join("src")) {
            if file.extension().is_some_and(|e| e == "rs")
                && file.file_stem().is_some_and(|s| s != "tests")
            {
                let text = fs::read_to_string(&file).unwrap();
                long.extend(
                    long_functions(&text)
                        .into_iter()
                        .map(|f| format!("{}: {f}", file.display())),
                );
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {LONGEST_FUNCTION} lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_measure_of_a_function_finds_a_long_one() {
    let body = "    x();\n".repeat(LONGEST_FUNCTION);
    let text = format!(
        "fn one_line() -> u32 {{ 1 }}\npub(crate) fn long() {{\n{body}}}\nfn short() {{\n}}\n#[cfg(test)]\nmod tests {{\nfn t() {{\n{body}}}\n}}\n"
    );
    assert_eq!(
        long_functions(&text),
        [format!("long ({} lines)", LONGEST_FUNCTION + 2)]
    );
}

#[test]
fn no_file_of_the_loader_is_over_eight_hundred_lines() {
    let load = repo().join("crates/tip-core/src/load");
    let mut files = 0;
    let mut long = Vec::new();
    for file in support::walk(&load) {
        if file.extension().is_some_and(|e| e == "rs") {
            files += 1;
            let lines = fs::read_to_string(&file).unwrap().lines().count();
            if lines > 800 {
                long.push(format!("{} ({lines} lines)", file.display()));
            }
        }
    }
    assert!(files >= 20, "{files} files");
    assert!(
        long.is_empty(),
        "files over 800 lines:\n{}",
        long.join("\n")
    );
}
