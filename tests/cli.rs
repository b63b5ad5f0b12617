//! Integration tests: the real `tip` binary run on fixture folders.
//!
//! Each folder under `tests/fixtures/` (but `base`) is one bad case: its
//! files are laid over `tests/fixtures/base` (unless it holds a
//! `.standalone` marker) in a temporary folder, and `tip validate` runs on
//! that. Cases too big or too strange to commit are made at run time.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

mod support;
use support::*;

/// The base fixture with these files added (name, contents).
fn base_with<T: AsRef<[u8]>>(files: &[(&str, T)]) -> tempfile::TempDir {
    let dir = fixture("base");
    for (name, text) in files {
        fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// `tip validate --format json`, mirrored with `deny_unknown_fields` so a
/// renamed field fails here first.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Report {
    errors: usize,
    warnings: usize,
    diagnostics: Vec<Diag>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Diag {
    severity: String,
    code: String,
    message: String,
    file: Option<String>,
    line: Option<u32>,
    column: Option<u32>,
    help: Option<String>,
    labels: Option<Vec<JsonLabel>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct JsonLabel {
    file: String,
    line: u32,
    column: u32,
    message: String,
}

fn validate_json(dir: &Path) -> (i32, Report) {
    let out = tip(&["validate", dir.to_str().unwrap(), "--format", "json"]);
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), report)
}

fn validate_human(dir: &Path) -> (i32, String) {
    let out = tip(&["validate", dir.to_str().unwrap()]);
    assert!(out.stdout.is_empty(), "human diagnostics go to stderr");
    let text = String::from_utf8(out.stderr).unwrap();
    let text = text.replace(dir.to_str().unwrap(), "<DIR>");
    (out.status.code().unwrap(), text)
}

/// Assert a diagnostic with this code is at file:line:column.
#[track_caller]
fn has(report: &Report, code: &str, file: &str, line: u32, column: u32) {
    let found = report.diagnostics.iter().any(|d| {
        d.code == code
            && d.file.as_deref() == Some(file)
            && d.line == Some(line)
            && d.column == Some(column)
    });
    assert!(
        found,
        "no {code} at {file}:{line}:{column} in {:#?}",
        report.diagnostics
    );
}

/// Run a committed bad case: exit 1, a snapshot of the human output, and
/// the JSON report for precise assertions.
fn bad_case(case: &str) -> Report {
    let dir = fixture(case);
    let (code, human) = validate_human(dir.path());
    assert_eq!(code, 1, "{case} must be invalid:\n{human}");
    insta::assert_snapshot!(case, human);
    let (code, report) = validate_json(dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        report.errors,
        report
            .diagnostics
            .iter()
            .filter(|d| d.severity == "error")
            .count()
    );
    assert!(
        report
            .diagnostics
            .iter()
            .all(|d| d.help.is_some() || d.code == "yaml-syntax"),
        "{report:#?}"
    );
    report
}

#[test]
fn example_data_validates_clean() {
    let (code, report) = validate_json(&repo().join("data/kent-medway"));
    assert_eq!(code, 0, "{report:#?}");
    assert_eq!((report.errors, report.warnings), (0, 0), "{report:#?}");
}

#[test]
fn base_fixture_is_valid() {
    let dir = fixture("base");
    let (code, report) = validate_json(dir.path());
    assert_eq!(code, 0, "{report:#?}");
}

#[test]
fn yaml_syntax() {
    let r = bad_case("yaml-syntax");
    assert_eq!(r.diagnostics[0].code, "yaml-syntax");
    assert_eq!(r.diagnostics[0].file.as_deref(), Some("broken.yaml"));
}

#[test]
fn duplicate_key() {
    let r = bad_case("duplicate-key");
    has(&r, "duplicate-key", "dup.yaml", 4, 5);
}

#[test]
fn unknown_sections_and_fields_suggest_the_right_name() {
    let r = bad_case("unknown-names");
    has(&r, "unknown-section", "names.yaml", 1, 1);
    has(&r, "unknown-field", "names.yaml", 6, 5);
    let field = r
        .diagnostics
        .iter()
        .find(|d| d.code == "unknown-field")
        .unwrap();
    assert_eq!(field.help.as_deref(), Some("did you mean `address`?"));
}

#[test]
fn unknown_csv_column() {
    let r = bad_case("unknown-column");
    has(&r, "unknown-column", "people-extra.csv", 1, 9);
}

#[test]
fn csv_named_after_no_section() {
    let r = bad_case("stray-csv");
    has(&r, "unknown-section", "contacts.csv", 1, 1);
}

#[test]
fn missing_fields() {
    let r = bad_case("missing-fields");
    has(&r, "missing-field", "missing.yaml", 2, 5);
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.message == "missing field `format` in a course")
    );
    has(&r, "missing-field", "missing.yaml", 5, 5);
}

#[test]
fn invalid_ids() {
    let r = bad_case("invalid-ids");
    has(&r, "invalid-id", "ids.yaml", 2, 11);
    has(&r, "invalid-id", "ids.yaml", 3, 11);
}

#[test]
fn duplicate_ids_across_files() {
    let r = bad_case("duplicate-ids");
    has(&r, "duplicate-id", "b.yaml", 2, 5);
    has(&r, "duplicate-id", "people-more.csv", 2, 1);
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.file.as_deref() == Some("b.yaml"))
        .unwrap();
    let first = &d.labels.as_ref().expect("the first definition")[0];
    assert_eq!(
        (
            first.file.as_str(),
            first.line,
            first.column,
            first.message.as_str()
        ),
        ("a.yaml", 2, 5, "first defined here")
    );
}

#[test]
fn dangling_references_of_every_kind() {
    let r = bad_case("dangling-references");
    let dir = fixture("dangling-references");
    let out = tip(&["validate", dir.path().to_str().unwrap(), "--format", "json"]);
    insta::assert_snapshot!(
        "dangling-references-json",
        String::from_utf8(out.stdout).unwrap()
    );
    has(&r, "unknown-reference", "refs.yaml", 2, 42); // region
    has(&r, "unknown-reference", "refs.yaml", 5, 13); // course
    has(&r, "unknown-reference", "refs.yaml", 6, 12); // venue
    has(&r, "unknown-reference", "refs.yaml", 7, 16); // trainer
    has(&r, "unknown-reference", "refs.yaml", 8, 21); // enrolled
    has(&r, "unknown-reference", "refs.yaml", 12, 86); // role
    has(&r, "unknown-reference", "refs.yaml", 15, 28); // completion course
    has(&r, "unknown-reference", "refs.yaml", 17, 68); // cohort
    has(&r, "unknown-reference", "refs.yaml", 17, 90); // application region
    let course = r.diagnostics.iter().find(|d| d.line == Some(5)).unwrap();
    assert_eq!(course.help.as_deref(), Some("did you mean `practice`?"));
}

#[test]
fn impossible_and_ambiguous_times() {
    let r = bad_case("bad-times");
    // At the `start:` value (the `end:` value when it comes first).
    has(&r, "nonexistent-local-time", "times.yaml", 5, 18);
    has(&r, "ambiguous-local-time", "times.yaml", 9, 18);
    has(&r, "end-before-start", "times.yaml", 13, 41);
    has(&r, "invalid-date", "times.yaml", 17, 18);
    has(&r, "invalid-date", "times.yaml", 18, 18);
    has(&r, "session-overlap", "times.yaml", 23, 18);
    has(&r, "invalid-value", "times.yaml", 26, 24);
    has(&r, "conflicting-fields", "times.yaml", 26, 90);
    has(&r, "end-before-start", "times.yaml", 26, 106);
}

#[test]
fn unknown_timezone() {
    let r = bad_case("unknown-timezone");
    has(&r, "unknown-timezone", "zone.yaml", 4, 13);
    assert_eq!(
        r.diagnostics[0].help.as_deref(),
        Some("did you mean `Europe/London`?")
    );
}

#[test]
fn bad_numbers_durations_and_percentages() {
    let r = bad_case("bad-numbers");
    has(&r, "invalid-number", "numbers.yaml", 6, 15);
    has(&r, "invalid-number", "numbers.yaml", 7, 14);
    has(&r, "invalid-number", "numbers.yaml", 8, 16);
    has(&r, "invalid-duration", "numbers.yaml", 9, 16);
    has(&r, "invalid-percentage", "numbers.yaml", 10, 31);
    has(&r, "invalid-value", "numbers.yaml", 11, 18);
    has(&r, "invalid-number", "numbers.yaml", 13, 39);
}

#[test]
fn resource_files_missing_or_escaping() {
    let r = bad_case("resource-files");
    // At the `file:` value, the token to change.
    has(&r, "resource-file-missing", "res.yaml", 2, 53);
    has(&r, "resource-path-escapes", "res.yaml", 3, 51);
    has(&r, "resource-path-escapes", "res.yaml", 4, 55);
    has(&r, "conflicting-fields", "res.yaml", 5, 54);
    has(&r, "missing-field", "res.yaml", 6, 5);
}

#[cfg(unix)]
#[test]
fn resource_symlink_out_of_the_folder_escapes() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret.pdf"), "%PDF-1.4").unwrap();
    let dir = fixture("base");
    std::os::unix::fs::symlink(
        outside.path().join("secret.pdf"),
        dir.path().join("link.pdf"),
    )
    .unwrap();
    fs::write(
        dir.path().join("res.yaml"),
        "resources:\n  - { id: link, title: Link, kind: pdf, file: link.pdf }\n",
    )
    .unwrap();
    let (code, r) = validate_json(dir.path());
    assert_eq!(code, 1);
    has(&r, "resource-path-escapes", "res.yaml", 2, 47);
}

#[test]
fn prerequisite_cycles_but_not_optional_loops() {
    let r = bad_case("prerequisite-cycle");
    let cycles: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.code == "prerequisite-cycle")
        .collect();
    assert_eq!(cycles.len(), 1, "{cycles:#?}");
    assert_eq!(
        cycles[0].message,
        "courses require each other in a circle: egg → chicken → egg"
    );
}

#[test]
fn cohort_capacity_lists_and_attendance() {
    let r = bad_case("cohort-people");
    // Each at the value to change: the person beyond the places, the
    // venue too small, the waitlisted entry, the repeated entry.
    has(&r, "over-capacity", "cohorts.yaml", 8, 26);
    has(&r, "over-capacity", "cohorts.yaml", 6, 12);
    has(&r, "enrolled-and-waitlisted", "cohorts.yaml", 9, 16);
    has(&r, "duplicate-entry", "cohorts.yaml", 14, 21);
    // JSON carries the second place too.
    let both = r
        .diagnostics
        .iter()
        .find(|d| d.code == "enrolled-and-waitlisted")
        .unwrap();
    let labels = both.labels.as_ref().expect("a label");
    assert_eq!(
        (labels[0].line, labels[0].column, labels[0].message.as_str()),
        (8, 16, "enrolled here")
    );
    has(&r, "attendance-not-enrolled", "cohorts.yaml", 19, 30);
    has(&r, "attendance-unknown-session", "cohorts.yaml", 20, 49);
    let caps = r
        .diagnostics
        .iter()
        .filter(|d| d.code == "over-capacity")
        .count();
    assert_eq!(
        caps, 2,
        "course capacity 2 and venue capacity 2 are both exceeded"
    );
}

#[test]
fn csv_syntax() {
    let r = bad_case("csv-syntax");
    has(&r, "csv-syntax", "attendance.csv", 2, 1);
}

#[test]
fn wrong_shapes() {
    let r = bad_case("not-a-list");
    has(&r, "wrong-type", "shapes.yaml", 2, 3);
    has(&r, "wrong-type", "shapes.yaml", 4, 5);
}

#[test]
fn no_programme() {
    let r = bad_case("no-programme");
    assert_eq!(r.diagnostics[0].code, "missing-programme");
    assert_eq!(r.diagnostics[0].file, None);
}

#[test]
fn non_utf8_file_is_located() {
    let dir = base_with(&[("latin1.yaml", b"regions:\n  - { id: x, name: Caf\xe9 }\n")]);
    let (code, r) = validate_json(dir.path());
    assert_eq!(code, 1);
    has(&r, "not-utf8", "latin1.yaml", 2, 23);
}

#[test]
fn alias_bomb_fails_fast() {
    let dir = fixture("base");
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for c in 'b'..='i' {
        text.push_str(&format!(
            "{c}: &{c} [{}]\n",
            vec![format!("*{prev}"); 9].join(",")
        ));
        prev = c;
    }
    fs::write(dir.path().join("bomb.yaml"), text).unwrap();
    let (code, r) = validate_json(dir.path());
    assert_eq!(code, 1);
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.code == "yaml-limit" && d.file.as_deref() == Some("bomb.yaml"))
        .unwrap_or_else(|| panic!("{r:#?}"));
    // In plain words, never a debug dump of the limit.
    assert_eq!(
        d.message,
        "more than 100,000 values copied through anchors and aliases in `bomb.yaml`: the file is refused"
    );
}

#[test]
fn deep_nesting_is_refused_without_overflow() {
    let dir = fixture("base");
    let depth = 200_000;
    let text = format!("regions: {}{}\n", "[".repeat(depth), "]".repeat(depth));
    fs::write(dir.path().join("deep.yaml"), text).unwrap();
    let (code, r) = validate_json(dir.path());
    assert_eq!(code, 1);
    assert!(
        r.diagnostics.iter().any(|d| d.code == "yaml-limit"),
        "{r:#?}"
    );
}

/// A debug build's rayon worker overflowed its stack at 60 levels, below
/// the 128 the reader allows: every depth up to the limit is read.
#[test]
fn nesting_up_to_the_limit_never_overflows_the_stack() {
    for depth in [60, 127, 128, 200] {
        let dir = base_with(&[(
            "deep.yaml",
            format!("regions: {}{}\n", "[".repeat(depth), "]".repeat(depth)),
        )]);
        let (code, r) = validate_json(dir.path());
        assert_eq!(code, 1, "depth {depth}");
        let expected = if depth < 128 {
            "wrong-type"
        } else {
            "yaml-limit"
        };
        assert_eq!(r.diagnostics[0].code, expected, "depth {depth}: {r:#?}");
    }
    let rule = format!(
        "courses:\n  - {{ id: deep, title: Deep, tier: 2, format: webinar, requires: {}{{ role: [manager] }}{} }}\n",
        "{ not: ".repeat(120),
        " }".repeat(120)
    );
    let dir = base_with(&[("deep.yaml", rule)]);
    assert_eq!(validate_json(dir.path()).0, 0);
}

/// A named pipe called `*.yaml` would block the reader for ever.
#[cfg(unix)]
#[test]
fn a_named_pipe_is_refused_not_waited_on() {
    let dir = fixture("base");
    let fifo = dir.path().join("fifo.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let out = tip(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("`fifo.yaml`: not a regular file"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn gigabyte_line_is_refused_without_reading_it() {
    let dir = fixture("base");
    for name in ["huge.yaml", "people-huge.csv"] {
        let f = fs::File::create(dir.path().join(name)).unwrap();
        f.set_len((1 << 30) + 1).unwrap(); // sparse: one 1 GiB line of NULs
    }
    let (code, r) = validate_json(dir.path());
    assert_eq!(code, 1);
    has(&r, "file-too-large", "huge.yaml", 1, 1);
    has(&r, "file-too-large", "people-huge.csv", 1, 1);
}

#[test]
fn empty_folder_has_no_programme() {
    let dir = tempfile::tempdir().unwrap();
    let (code, r) = validate_json(dir.path());
    assert_eq!(code, 1);
    assert_eq!(r.diagnostics[0].code, "missing-programme");
}

#[test]
fn missing_folder_is_an_io_error() {
    let out = tip(&["validate", "/nonexistent/tip-data"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("there is no folder `/nonexistent/tip-data`")
    );
}

#[test]
fn usage_error_exits_2() {
    let out = tip(&["validate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn github_annotations_name_the_file_from_the_repository_root() {
    let dir = fixture("unknown-names");
    let out = tip(&[
        "validate",
        dir.path().to_str().unwrap(),
        "--format",
        "github",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let expected = format!(
        "::error file={}/names.yaml,line=6,col=5,title=unknown-field::",
        dir.path().display()
    );
    assert!(text.contains(&expected), "{text}");
}

#[test]
fn input_files_are_never_modified() {
    let dir = fixture("cohort-people");
    let before: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| fs::read(e.unwrap().path()).unwrap())
        .collect();
    validate_json(dir.path());
    let after: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| fs::read(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(before, after);
}

#[test]
fn schema_is_json_schema_2020_12() {
    let out = tip(&["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert!(v["properties"]["cohorts"]["items"]["properties"]["schedule"].is_object());
}

#[test]
fn schema_written_atomically_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema.json");
    for _ in 0..2 {
        let out = tip(&["schema", "-o", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0));
        assert!(fs::read_to_string(&path).unwrap().starts_with('{'));
    }
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left behind"
    );
}

#[test]
fn unqualified_trainers_and_unsatisfiable_rules() {
    let r = bad_case("eligibility-checks");
    let trainer: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.code == "unqualified-trainer")
        .collect();
    assert_eq!(trainer.len(), 1, "{trainer:#?}");
    assert!(
        trainer[0]
            .message
            .starts_with("`bob` may not deliver `teach` on 2022-03-01"),
        "{}",
        trainer[0].message
    );
    has(&r, "unsatisfiable-rule", "rules.yaml", 12, 7);
    has(&r, "unsatisfiable-rule", "rules.yaml", 15, 5);
}

fn eligible(args: &[&str]) -> (i32, String, String) {
    let data = repo().join("data/kent-medway");
    let mut all = vec!["eligible", data.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = tip(&all);
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// `tip eligible --format json`, mirrored with `deny_unknown_fields`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Eligible {
    person: String,
    as_of: String,
    courses: Vec<EligibleCourse>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EligibleCourse {
    course: String,
    eligible: bool,
    reasons: Vec<String>,
    #[serde(default)]
    next: Vec<String>,
}

fn eligible_json(person: &str, course: &str) -> EligibleCourse {
    let (code, out, err) = eligible(&[
        "--person",
        person,
        "--course",
        course,
        "--as-of",
        "2022-11-01",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let mut report: Eligible = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (report.person.as_str(), report.as_of.as_str()),
        (person, "2022-11-01")
    );
    assert_eq!(report.courses.len(), 1);
    assert_eq!(report.courses[0].course, course);
    report.courses.remove(0)
}

#[test]
fn eligible_no_because_the_prerequisite_expired() {
    let c = eligible_json("sian-llewelyn", "l2-trauma-awareness");
    assert!(!c.eligible);
    assert_eq!(
        c.reasons,
        [
            "needs Becoming Trauma Informed (becoming-ti): completed 2018-02-01, expired 2021-02-01 after 3 years"
        ]
    );
}

#[test]
fn eligible_no_because_of_role_and_region() {
    let c = eligible_json("nguyen-thi-minh", "ambassador-north");
    assert!(!c.eligible);
    assert_eq!(
        c.reasons[0],
        "for Managers or Senior leaders; Nguyễn Thị Minh is a Front line worker"
    );
    assert_eq!(
        c.reasons[1],
        "only for people in North Kent; Nguyễn Thị Minh is in Medway"
    );
    let c = eligible_json("oluwaseun-adeyemi", "ambassador-north");
    assert_eq!(
        c.reasons,
        ["only for people in North Kent; Oluwaseun Adeyemi is in Medway"]
    );
}

#[test]
fn eligible_no_for_ambassador_plus_without_the_pilot() {
    let c = eligible_json("zoe-obrien", "ambassador-plus");
    assert!(!c.eligible);
    assert_eq!(
        c.reasons,
        [
            "needs Trauma Informed Ambassador Programme (East Kent pilot) (ambassador-pilot): not completed"
        ]
    );
    let c = eligible_json("athina-papadopoulou", "ambassador-plus");
    assert!(c.eligible && c.reasons.is_empty());
}

#[test]
fn eligible_yes_with_next_steps() {
    let c = eligible_json("nguyen-thi-minh", "l2-trauma-awareness");
    assert!(c.eligible);
    assert!(
        c.next.is_empty(),
        "L2 opens nothing for a front-line worker in Medway: {:?}",
        c.next
    );
    let c = eligible_json("marek-dvorak", "l2-train-the-trainer");
    assert!(!c.eligible);
    let c = eligible_json("zoe-obrien", "l2-train-the-trainer");
    assert!(c.eligible);
}

#[test]
fn eligible_human_report_for_a_phone_call() {
    let (code, out, _) = eligible(&["--person", "sian-llewelyn", "--as-of", "2022-11-01"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("eligible-sian-llewelyn", out);
}

#[test]
fn eligible_json_report_snapshot() {
    let (code, out, _) = eligible(&[
        "--person",
        "zoe-obrien",
        "--as-of",
        "2022-11-01",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("eligible-zoe-obrien-json", out);
}

#[test]
fn eligible_unknown_person_or_course_suggests() {
    let (code, _, err) = eligible(&["--person", "zoe-obrian"]);
    assert_eq!(code, 1);
    assert!(err.contains("did you mean `zoe-obrien`?"), "{err}");
    let (code, _, err) = eligible(&["--person", "zoe-obrien", "--course", "ambassador-plas"]);
    assert_eq!(code, 1);
    assert!(err.contains("did you mean `ambassador-plus`?"), "{err}");
}

#[test]
fn eligible_refuses_invalid_data() {
    let dir = fixture("unknown-names");
    let out = tip(&["eligible", dir.path().to_str().unwrap(), "--person", "ann"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown-field"));
}

#[test]
fn clashes_of_trainers_venues_and_learners() {
    let r = bad_case("clashes");
    let codes: Vec<(&str, Option<u32>)> = r
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.line))
        .collect();
    assert_eq!(
        codes,
        [
            ("trainer-clash", Some(19)),
            ("venue-clash", Some(19)),
            ("learner-clash", Some(19)),
            ("session-on-closed-day", Some(32))
        ],
        "back-to-back sessions and cancelled cohorts do not clash: {r:#?}"
    );
    assert!(
        r.diagnostics[3]
            .message
            .contains("Friday 2022-06-03, a bank holiday"),
        "{}",
        r.diagnostics[3].message
    );
}

fn run_on_example(args: &[&str]) -> (i32, String, String) {
    let data = repo().join("data/kent-medway");
    let mut all = vec![args[0], data.to_str().unwrap()];
    all.extend_from_slice(&args[1..]);
    let out = tip(&all);
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn schedule_timetable_by_month() {
    let (code, out, err) =
        run_on_example(&["schedule", "--from", "2022-05-01", "--until", "2022-09-30"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("schedule-summer-2022", out);
}

#[test]
fn schedule_json_has_local_offsets_and_moved_sessions() {
    let (code, out, _) =
        run_on_example(&["schedule", "--cohort", "webinars-2022", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let sessions = v["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 6);
    // 1st Thursday of June 2022 is the moved spring bank holiday, the Friday
    // the Platinum Jubilee: the session moves to Monday 6 June.
    assert_eq!(sessions[2]["start"], "2022-06-06T12:30:00+01:00");
    assert_eq!(sessions[2]["number"], 3);
    assert_eq!(sessions[2]["of"], 6);
    assert!(sessions[2].get("venue").is_none());
    assert_eq!(v["problems"].as_array().unwrap().len(), 0);
    let (_, out, _) = run_on_example(&[
        "schedule",
        "--cohort",
        "l2-2022-01-maidstone",
        "--format",
        "json",
    ]);
    insta::assert_snapshot!("schedule-l2-january-json", out);
}

#[test]
fn schedule_lists_clashes_and_exits_1() {
    let dir = fixture("clashes");
    let out = tip(&["schedule", dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "trainer-clash",
            "venue-clash",
            "learner-clash",
            "session-on-closed-day"
        ]
    );
    let trainer = &v["problems"][0];
    assert_eq!(trainer["cohort"], "overlap");
    assert_eq!(trainer["number"], 1);
    assert_eq!(trainer["people"], serde_json::json!(["ann"]));
}

#[test]
fn schedule_unknown_cohort_suggests() {
    let (code, _, err) = run_on_example(&["schedule", "--cohort", "webinar-2022"]);
    assert_eq!(code, 1);
    assert!(err.contains("did you mean `webinars-2022`?"), "{err}");
}

#[test]
fn allocate_report_and_yaml_for_review() {
    let out_dir = tempfile::tempdir().unwrap();
    let yaml = out_dir.path().join("allocation.yaml");
    let data = repo().join("data/kent-medway");
    let before = fs::read(data.join("cohorts/l2-2022.yaml")).unwrap();
    let (code, out, err) = run_on_example(&[
        "allocate",
        "--as-of",
        "2022-11-01",
        "--format",
        "json",
        "-o",
        yaml.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("allocate-2022-11-01-json", out);
    insta::assert_snapshot!(
        "allocate-2022-11-01-yaml",
        fs::read_to_string(&yaml).unwrap()
    );
    assert_eq!(
        before,
        fs::read(data.join("cohorts/l2-2022.yaml")).unwrap(),
        "a dry run: data untouched"
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["placed"][0],
        serde_json::json!({"person": "nguyen-thi-minh", "course": "l2-trauma-awareness", "cohort": "l2-2022-12-maidstone", "choice": 1})
    );
    assert_eq!(v["waitlisted"][0]["position"], 1);
}

fn calendar(args: &[&str]) -> (i32, String, String) {
    let data = repo().join("data/kent-medway");
    let mut all = vec!["calendar", data.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = Command::new(env!("CARGO_BIN_EXE_tip"))
        .args(&all)
        .env("SOURCE_DATE_EPOCH", "1669852800")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn calendar_of_one_cohort_snapshot() {
    let (code, out, err) = calendar(&["--cohort", "ambassador-north-2022"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("calendar-ambassador-north-2022", out.replace("\r\n", "⏎\n"));
}

#[test]
fn calendar_filters_combine() {
    let uids = |out: &str| out.lines().filter(|l| l.starts_with("UID:")).count();
    let (_, all, _) = calendar(&[]);
    let (_, east, _) = calendar(&["--region", "east-kent"]);
    let (_, east_l2, _) = calendar(&["--region", "east-kent", "--course", "l2-trauma-awareness"]);
    let (_, tier4, _) = calendar(&["--tier", "4"]);
    let (_, ffion, _) = calendar(&[
        "--trainer",
        "ffion-wyn-jones",
        "--from",
        "2022-06-01",
        "--until",
        "2022-12-31",
    ]);
    assert_eq!(uids(&all), 38, "every session, cancelled ones too");
    assert_eq!(
        uids(&east),
        4,
        "online cohorts have no region: they match no --region"
    );
    assert_eq!(uids(&east_l2), 1);
    assert_eq!(
        uids(&tier4),
        19,
        "three Ambassador programmes of 4, Ambassador Plus 3, the network 4"
    );
    assert_eq!(uids(&ffion), 3);
    assert!(east.contains("NAME:KM-TIP · East Kent"));
}

#[test]
fn calendar_unknown_ids_suggest() {
    let (code, _, err) = calendar(&["--region", "east-kemt"]);
    assert_eq!(code, 1);
    assert!(err.contains("did you mean `east-kent`?"), "{err}");
    let (code, _, err) = calendar(&["--tier", "9"]);
    assert_eq!(code, 1);
    assert!(err.contains("the tiers are 1, 2, 3, 4"), "{err}");
}

#[test]
fn calendar_is_reproducible_and_written_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("east.ics");
    for _ in 0..2 {
        let (code, _, err) = calendar(&["--region", "east-kent", "-o", path.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
    }
    let (_, stdout, _) = calendar(&["--region", "east-kent"]);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        stdout,
        "same data and SOURCE_DATE_EPOCH, same bytes"
    );
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// `tip certify` on a copy of the example (issuing writes its ledger),
/// signed with the example's key.
fn certify(args: &[&str]) -> (i32, String) {
    let (_tmp, data) = example_copy();
    let mut all = vec!["certify", data.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = Command::new(env!("CARGO_BIN_EXE_tip"))
        .args(&all)
        .env("SOURCE_DATE_EPOCH", "1669852800")
        .env("TIP_SIGNING_KEY", example_key())
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn certify_writes_a_pdf_per_completer_and_a_register() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("certs");
    let (code, err) = certify(&[
        "--cohort",
        "ttt-2022-02",
        "--as-of",
        "2022-12-01",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(
            "no certificate for Abdi Warsame (abdi-warsame): did not attend enough sessions"
        ),
        "{err}"
    );
    let mut names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".tip-output")
        .collect();
    names.sort();
    // A PDF and a badge with the signed credential for each of the three,
    // and the register.
    assert_eq!(names.len(), 7, "{names:?}");
    assert!(
        names
            .iter()
            .filter(|n| n.ends_with(".pdf") || n.ends_with(".svg"))
            .all(|n| n.starts_with("KM-TIP-2022-"))
    );
    // Each badge carries a credential signed by the programme's key, for
    // the certificate's number (reprinted from the ledger: re-signed with
    // the data as it is now, under the code first printed).
    let public = tip_credential::PublicKey::from_pem(
        &fs::read_to_string(repo().join("data/kent-medway/keys/issuer.pub.pem")).unwrap(),
    )
    .unwrap();
    let ledger = fs::read_to_string(repo().join("data/kent-medway/certificates.csv")).unwrap();
    for svg in names.iter().filter(|n| n.ends_with(".svg")) {
        let text = fs::read_to_string(out.join(svg)).unwrap();
        let token = tip_credential::unbake_svg(&text).expect("a baked credential");
        assert!(tip_credential::verify(token, &public), "{svg}");
        let number = &svg[..18];
        let code = ledger
            .lines()
            .find(|l| l.starts_with(number))
            .and_then(|l| l.split(',').nth(1))
            .unwrap();
        assert!(register_has_code(&out, code), "{svg}: {code}");
    }
    let register = fs::read_to_string(out.join("register.csv")).unwrap();
    assert_eq!(register.lines().count(), 4);
    for name in names.iter().filter(|n| n.ends_with(".pdf")) {
        let bytes = fs::read(out.join(name)).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        // The QR code is a vector path: a few KB more than an image.
        assert!(bytes.len() <= 36 * 1024, "{name}: {} bytes", bytes.len());
    }
    // The same again: the same bytes.
    let again = dir.path().join("again");
    certify(&[
        "--cohort",
        "ttt-2022-02",
        "--as-of",
        "2022-12-01",
        "-o",
        again.to_str().unwrap(),
    ]);
    for name in &names {
        assert_eq!(
            fs::read(out.join(name)).unwrap(),
            fs::read(again.join(name)).unwrap(),
            "{name}"
        );
    }
}

fn register_has_code(dir: &Path, code: &str) -> bool {
    fs::read_to_string(dir.join("register.csv"))
        .unwrap()
        .lines()
        .any(|l| l.split(',').nth(1) == Some(code))
}

#[test]
fn certify_combined_for_printing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("maidstone.pdf");
    let (code, err) = certify(&[
        "--cohort",
        "l2-2022-01-maidstone",
        "--as-of",
        "2022-12-01",
        "--combined",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("Saoirse Kelly (saoirse-kelly): no attendance is recorded"),
        "{err}"
    );
    let pdf = fs::read(&file).unwrap();
    let count = b"/Count 11";
    assert!(
        pdf.windows(count.len()).any(|w| w == count),
        "one page for each of the 11 completers"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("maidstone-register.csv"))
            .unwrap()
            .lines()
            .count(),
        12
    );
}

#[test]
fn certify_refuses_courses_without_certificates_and_unknown_cohorts() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = certify(&[
        "--cohort",
        "webinars-2022",
        "--as-of",
        "2022-12-01",
        "-o",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("gives no certificates"), "{err}");
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
    let (code, err) = certify(&["--cohort", "ttt-2022", "-o", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("did you mean `ttt-2022-02`?"), "{err}");
    let (code, _) = certify(&["--cohort", "ttt-2022-02"]);
    assert_eq!(code, 2, "-o or --combined is required");
}

#[test]
fn build_replaces_the_site_it_built_as_a_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let data = repo().join("data/kent-medway");
    for as_of in ["2022-09-01", "2023-09-01"] {
        let o = Command::new(env!("CARGO_BIN_EXE_tip"))
            .args([
                "build",
                data.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
                "--as-of",
                as_of,
            ])
            .env("SOURCE_DATE_EPOCH", "1661990400")
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert!(out.join("index.html").exists() && out.join("calendars/all.ics").exists());
    let marker = fs::read_to_string(out.join(".tip-output")).unwrap();
    assert!(marker.starts_with("tip-output site\n"), "{marker}");
    assert!(!marker.contains("index.html"), "paths are hashed: {marker}");
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["site"], "no temporary folder left behind");
}

#[test]
fn pack_as_zip_or_folder_and_the_bulletin() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("l2.zip");
    let (code, _, err) = run_on_example(&[
        "pack",
        "--course",
        "l2-trauma-awareness",
        "-o",
        zip.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(fs::read(&zip).unwrap().starts_with(b"PK"));
    let folder = dir.path().join("managers");
    let (code, _, err) =
        run_on_example(&["pack", "--role", "manager", "-o", folder.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        folder.join("index.html").exists()
            && folder.join("manifest.json").exists()
            && folder.join("files").is_dir()
    );
    let (code, out, _) = run_on_example(&["bulletin", "--from", "2022-06-01", "--months", "3"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("~~Tuesday 14 June 2022, 9:30am to 4pm~~ **cancelled**"),
        "{out}"
    );
    let (code, out, _) = run_on_example(&["bulletin", "--from", "2022-06-01", "--format", "html"]);
    assert_eq!(code, 0);
    // The email's HTML on its own: styles inline, every link absolute.
    assert!(
        out.to_ascii_lowercase().starts_with("<!doctype html>"),
        "{out}"
    );
    assert!(
        !out.contains("<link") && !out.contains("href=\"courses/"),
        "{out}"
    );
}

// ---------------------------------------------------------------------------
// Safe by construction (issue 10): every test here failed on the code before
// it. Everything destructive happens inside temporary folders only.

/// Run `tip` with `SOURCE_DATE_EPOCH` fixed; exit code, stdout, stderr.
fn tip_at(args: &[&str]) -> (i32, String, String) {
    tip_env(args, &[])
}

/// Every file under `dir` with its contents, zips unpacked.
fn all_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = fs::read(&path).unwrap();
            let name = path.strip_prefix(dir).unwrap().display().to_string();
            if name.ends_with(".zip") {
                let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
                for i in 0..z.len() {
                    let mut f = z.by_index(i).unwrap();
                    let mut inner = Vec::new();
                    std::io::Read::read_to_end(&mut f, &mut inner).unwrap();
                    out.push((format!("{name}!{}", f.name().unwrap()), inner));
                }
            }
            out.push((name, bytes));
        }
    }
    out
}

#[test]
fn build_refuses_a_folder_it_did_not_write() {
    let (tmp, data) = example_copy();
    // A folder like a home folder: a user's files, hidden and not.
    let home = tmp.path().join("home");
    fs::create_dir_all(home.join("Documents")).unwrap();
    fs::write(home.join(".bashrc"), "export A=1").unwrap();
    fs::write(home.join("Documents/notes.txt"), "my notes").unwrap();
    let (code, _, err) = tip_at(&["build", s(&data), "-o", s(&home)]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("refusing to write into") && err.contains(s(&home)),
        "{err}"
    );
    assert!(err.contains("help:"), "{err}");
    assert_eq!(
        fs::read_to_string(home.join("Documents/notes.txt")).unwrap(),
        "my notes"
    );
    assert_eq!(
        fs::read_to_string(home.join(".bashrc")).unwrap(),
        "export A=1"
    );
    // The same for a site tip built, once someone added a file to it.
    let site = tmp.path().join("site");
    let (code, _, err) = tip_at(&["build", s(&data), "-o", s(&site), "--as-of", "2022-09-01"]);
    assert_eq!(code, 0, "{err}");
    fs::write(site.join("notes.txt"), "added by hand").unwrap();
    let (code, _, err) = tip_at(&["build", s(&data), "-o", s(&site), "--as-of", "2022-09-01"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`notes.txt`, which tip did not write"),
        "{err}"
    );
    assert!(site.join("notes.txt").exists() && site.join("index.html").exists());
}

#[test]
fn outputs_in_or_around_the_data_folder_are_refused() {
    let (tmp, data) = example_copy();
    let before = all_files(&data);
    let inside = data.join("site");
    let ics = data.join("feed.ics");
    let zip = data.join("pack.zip");
    for args in [
        vec!["build", s(&data), "-o", s(&data)],
        vec!["build", s(&data), "-o", s(&inside)],
        vec!["build", s(&data), "-o", s(tmp.path())],
        vec!["calendar", s(&data), "-o", s(&ics)],
        vec![
            "pack",
            s(&data),
            "--course",
            "l2-trauma-awareness",
            "-o",
            s(&zip),
        ],
        vec![
            "pack",
            s(&data),
            "--course",
            "l2-trauma-awareness",
            "-o",
            s(&inside),
        ],
        vec![
            "certify",
            s(&data),
            "--cohort",
            "l2-2022-01-maidstone",
            "--as-of",
            "2022-12-01",
            "-o",
            s(&inside),
        ],
    ] {
        let (code, _, err) = tip_env(&args, &[("TIP_SIGNING_KEY", &example_key())]);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains("inside the data folder") || err.contains("holds the data folder"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(all_files(&data), before, "the data folder is untouched");
}

#[test]
fn pack_and_certify_refuse_folders_they_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    let mine = tmp.path().join("mine");
    fs::create_dir_all(&mine).unwrap();
    fs::write(mine.join("keep.txt"), "keep").unwrap();
    let (code, _, err) =
        run_on_example(&["pack", "--course", "l2-trauma-awareness", "-o", s(&mine)]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run_on_example(&[
        "certify",
        "--cohort",
        "l2-2022-01-maidstone",
        "--as-of",
        "2022-12-01",
        "-o",
        s(&mine),
    ]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(fs::read_dir(&mine).unwrap().count(), 1);
    // A pack folder is replaced whole on the next run; a site may not
    // replace it.
    let pack = tmp.path().join("pack");
    for _ in 0..2 {
        let (code, _, err) = run_on_example(&["pack", "--role", "manager", "-o", s(&pack)]);
        assert_eq!(code, 0, "{err}");
    }
    let (code, _, err) = run_on_example(&["build", "-o", s(&pack)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("holds pack written by tip"), "{err}");
}

#[test]
fn a_file_output_replaces_only_a_file_of_its_kind() {
    let tmp = tempfile::tempdir().unwrap();
    let notes = tmp.path().join("notes.ics");
    fs::write(&notes, "not a calendar").unwrap();
    let (code, _, err) = run_on_example(&["calendar", "-o", s(&notes)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not an iCalendar file"), "{err}");
    assert_eq!(fs::read_to_string(&notes).unwrap(), "not a calendar");
    let report = tmp.path().join("report.pdf");
    fs::write(&report, "quarterly report").unwrap();
    let (code, _, err) = run_on_example(&[
        "certify",
        "--cohort",
        "l2-2022-01-maidstone",
        "--as-of",
        "2022-12-01",
        "--combined",
        s(&report),
    ]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(fs::read_to_string(&report).unwrap(), "quarterly report");
    // A folder given where a file is wanted is refused, not replaced.
    let (code, _, err) = run_on_example(&["calendar", "-o", s(tmp.path())]);
    assert_eq!(code, 2, "{err}");
    // Missing parent folders are made; a calendar replaces a calendar.
    let feed = tmp.path().join("a/b/feed.ics");
    for _ in 0..2 {
        let (code, _, err) = run_on_example(&["calendar", "-o", s(&feed)]);
        assert_eq!(code, 0, "{err}");
    }
    assert!(
        fs::read_to_string(&feed)
            .unwrap()
            .starts_with("BEGIN:VCALENDAR")
    );
}

#[test]
fn a_killed_builds_staging_folder_is_removed_by_the_next() {
    let tmp = tempfile::tempdir().unwrap();
    let stale = tmp.path().join(".tip-staging-site-x1y2z3");
    fs::create_dir_all(stale.join("courses")).unwrap();
    fs::write(stale.join(".tip-staging"), "").unwrap();
    fs::write(stale.join("courses/a.html"), "half").unwrap();
    let site = tmp.path().join("site");
    let (code, _, err) = run_on_example(&["build", "-o", s(&site), "--as-of", "2022-09-01"]);
    assert_eq!(code, 0, "{err}");
    assert!(!stale.exists());
    let names: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(names.len(), 1);
}

#[test]
fn two_builds_into_one_folder_leave_one_whole_site() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let data = repo().join("data/kent-medway");
    let spawn = |as_of: &str| {
        Command::new(env!("CARGO_BIN_EXE_tip"))
            .args(["build", s(&data), "-o", s(&site), "--as-of", as_of])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    for _ in 0..3 {
        let a = spawn("2022-03-01");
        let b = spawn("2022-09-01");
        assert!(a.wait_with_output().unwrap().status.success());
        assert!(b.wait_with_output().unwrap().status.success());
        // The marker lists exactly the files there: one build's, whole.
        let marker = fs::read_to_string(site.join(".tip-output")).unwrap();
        let mut listed: Vec<String> = marker
            .lines()
            .filter_map(|l| l.strip_prefix("sha256 "))
            .map(str::to_owned)
            .collect();
        let mut present: Vec<String> = all_files(&site)
            .into_iter()
            .map(|(n, _)| n)
            .filter(|n| !n.contains('!') && n != ".tip-output")
            .map(|n| {
                use sha2::Digest as _;
                sha2::Sha256::digest(n.as_bytes())
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect()
            })
            .collect();
        listed.sort();
        present.sort();
        assert_eq!(listed, present);
        assert_eq!(
            fs::read_dir(tmp.path()).unwrap().count(),
            1,
            "nothing beside it"
        );
    }
}

#[cfg(unix)]
#[test]
fn an_unreadable_input_file_exits_2_and_comes_alone() {
    let (_tmp, data) = example_copy();
    // A link to nothing cannot be read, even by root.
    fs::remove_file(data.join("venues.yaml")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/venues.yaml", data.join("venues.yaml")).unwrap();
    let (code, _, err) = tip_at(&["validate", s(&data)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: cannot read `venues.yaml`"), "{err}");
    assert!(!err.contains("unknown venue"), "no cascade: {err}");
}

#[test]
fn a_malformed_source_date_epoch_is_an_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_tip"))
        .args(["calendar", s(&repo().join("data/kent-medway"))])
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("SOURCE_DATE_EPOCH is `yesterday`"), "{err}");
    assert!(out.stdout.is_empty());
}

/// The example data with hostile text in every published field.
fn hostile_example() -> (tempfile::TempDir, PathBuf) {
    let (tmp, data) = example_copy();
    fs::write(
        data.join("news.yaml"),
        "news:\n  - date: 2022-09-02\n    title: \"Evil <script>alert(1)</script> [x](javascript:alert(2))\"\n    body: |\n      [click](javascript:alert(3)) and ![pic](data:image/png;base64,AAAA)\n      and <javascript:alert(4)> and [ok](https://example.org) <img src=x onerror=alert(5)>\n\n      [ref][r]\n\n      [r]: vbscript:msgbox(6)\n",
    )
    .unwrap();
    edit(
        &data.join("courses.yaml"),
        "title: L2 Multi-agency Trauma Awareness",
        "title: \"L2 *Trauma* [Awareness](javascript:alert(7)) <b>\"",
    );
    let programme = data.join("programme.yaml");
    edit(
        &programme,
        "name: Kent and Medway Trauma Informed Practice Team",
        "name: \"Team, \\\"Kent\\\": Medway; \\r\\nEND:VEVENT\"",
    );
    edit(
        &programme,
        "name: Awareness",
        "name: \"Awareness <script>alert(8)</script>\"",
    );
    (tmp, data)
}

#[test]
fn published_markdown_and_html_carry_no_script() {
    let (tmp, data) = hostile_example();
    let site = tmp.path().join("site");
    let (code, _, err) = tip_at(&["build", s(&data), "-o", s(&site), "--as-of", "2022-09-03"]);
    assert_eq!(code, 0, "{err}");
    let (code, md, _) = tip_at(&["bulletin", s(&data), "--from", "2022-09-03"]);
    assert_eq!(code, 0);
    let (code, html, _) = tip_at(&[
        "bulletin",
        s(&data),
        "--from",
        "2022-09-03",
        "--format",
        "html",
    ]);
    assert_eq!(code, 0);
    let pack = tmp.path().join("pack");
    let (code, _, err) = tip_at(&[
        "pack",
        s(&data),
        "--course",
        "l2-trauma-awareness",
        "-o",
        s(&pack),
    ]);
    assert_eq!(code, 0, "{err}");
    let mut outputs = all_files(&site);
    outputs.extend(all_files(&pack));
    outputs.push(("bulletin.md (stdout)".into(), md.clone().into_bytes()));
    outputs.push(("bulletin.html (stdout)".into(), html.into_bytes()));
    for (name, bytes) in &outputs {
        let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
        if name.ends_with(".md") || name.contains(".md ") {
            // What any CommonMark reader makes of it: no unsafe link, no HTML.
            for event in pulldown_cmark::Parser::new(&String::from_utf8_lossy(bytes)) {
                match event {
                    pulldown_cmark::Event::Start(
                        pulldown_cmark::Tag::Link { dest_url, .. }
                        | pulldown_cmark::Tag::Image { dest_url, .. },
                    ) => {
                        let url = dest_url.to_ascii_lowercase();
                        assert!(
                            url.starts_with("https:")
                                || url.starts_with("http:")
                                || url.starts_with("mailto:")
                                || !url.contains(':'),
                            "link to `{url}` in {name}"
                        );
                    }
                    pulldown_cmark::Event::Html(h) | pulldown_cmark::Event::InlineHtml(h) => {
                        panic!("raw HTML `{h}` in {name}")
                    }
                    _ => {}
                }
            }
        } else if name.ends_with(".html") || name.ends_with(".svg") || name.contains("html (") {
            for bad in [
                "href=\"javascript",
                "href=\"vbscript",
                "src=\"data:",
                "<script",
                "<img src=x",
                "<b>",
            ] {
                assert!(!text.contains(bad), "`{bad}` in {name}");
            }
        }
    }
    // Plain text stays text in Markdown: the title's brackets are escaped.
    assert!(md.contains("L2 \\*Trauma\\* \\[Awareness\\]"), "{md}");
    assert!(md.contains("[ok](https://example.org)"), "{md}");
}

#[test]
fn calendar_values_are_escaped_and_quoted() {
    let (_tmp, data) = hostile_example();
    let (code, ics, err) = tip_at(&["calendar", s(&data), "--cohort", "l2-2022-01-maidstone"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = ics.split("\r\n").collect();
    let count = |l: &str| lines.iter().filter(|x| **x == l).count();
    assert_eq!(count("BEGIN:VEVENT"), 1, "one event per session");
    assert_eq!(count("END:VEVENT"), 1, "one event per session");
    let unfolded = ics.replace("\r\n ", "");
    let organizer = unfolded
        .lines()
        .find(|l| l.starts_with("ORGANIZER"))
        .unwrap();
    assert_eq!(
        organizer,
        "ORGANIZER;CN=\"Team, 'Kent': Medway;  END:VEVENT\":mailto:trauma.informed@example.org"
    );
    assert!(
        !ics.bytes()
            .any(|b| (b < 0x20 && b != b'\r' && b != b'\n') || b == 0x7f),
        "no control characters"
    );
    assert!(
        !ics.replace("\r\n", "").contains('\n'),
        "every line ends CRLF"
    );
}

#[test]
fn only_public_files_may_be_published() {
    let (_tmp, data) = example_copy();
    edit(
        &data.join("resources.yaml"),
        "file: resources/understanding-trauma-leaflet.pdf",
        "file: people.csv",
    );
    fs::write(data.join("branding/logo.png"), "GIF89a not a png").unwrap();
    fs::create_dir_all(data.join("templates")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        data.join("completions.csv"),
        data.join("templates/bulletin.md"),
    )
    .unwrap();
    let (code, r) = validate_json(&data);
    assert_eq!(code, 1);
    has(&r, "private-file", "resources.yaml", 18, 11);
    assert!(
        r.diagnostics.iter().any(|d| d.code == "logo-not-png"),
        "{r:#?}"
    );
    #[cfg(unix)]
    has(&r, "private-file", "templates/bulletin.md", 1, 1);
}

#[test]
fn a_personal_calendar_names_no_one() {
    let (code, ics, err) = run_on_example(&["calendar", "--person", "zoe-obrien"]);
    assert_eq!(code, 0, "{err}");
    for private in ["Zoë", "Ó'Brien", "zoe.obrien@example.org"] {
        assert!(!ics.contains(private), "`{private}` in:\n{ics}");
    }
    assert!(ics.contains("X-WR-CALNAME:KM-TIP · My sessions"));
}

#[test]
fn no_learner_name_or_email_reaches_the_site() {
    let (tmp, data) = example_copy();
    // Learners whose names are awkward in every encoding the site uses.
    let learners = [
        (
            "priv-one",
            "Zoë Ó'Brien-Smithers",
            "zoe.private@example.org",
        ),
        ("priv-two", "Ann <b>\"Nan\"</b> & Co", "ann+co@example.org"),
        (
            "priv-three",
            "Łukasz O'Neill Żółć",
            "lukasz.private@example.org",
        ),
    ];
    let mut people = fs::read_to_string(data.join("people.csv")).unwrap();
    let mut completions = fs::read_to_string(data.join("completions.csv")).unwrap();
    for (id, name, email) in learners {
        people.push_str(&format!(
            "{id},\"{}\",{email},Private Org,health,front-line,medway\n",
            name.replace('"', "\"\"")
        ));
        completions.push_str(&format!("{id},becoming-ti,2022-01-10,test\n"));
    }
    fs::write(data.join("people.csv"), people).unwrap();
    fs::write(data.join("completions.csv"), completions).unwrap();
    fs::write(
        data.join("cohorts/private.yaml"),
        "cohorts:\n  - id: l2-2022-10-private\n    course: l2-trauma-awareness\n    region: medway\n    venue: gun-wharf\n    trainers: [aisha-rahman]\n    status: confirmed\n    sessions:\n      - { start: 2022-10-04T09:30, end: 2022-10-04T16:00 }\n    enrolled: [priv-one, priv-two, priv-three]\n",
    )
    .unwrap();
    let site = tmp.path().join("site");
    let (code, _, err) = tip_at(&["build", s(&data), "-o", s(&site), "--as-of", "2022-09-01"]);
    assert_eq!(code, 0, "{err}");
    // Every learner of the data set: everyone who trains no cohort.
    let csv = fs::read_to_string(data.join("people.csv")).unwrap();
    let mut private: Vec<String> = Vec::new();
    let trainers = fs::read_to_string(data.join("trainers.yaml")).unwrap();
    for line in csv.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        if trainers.contains(&format!("id: {}", cells[0])) {
            continue;
        }
        private.push(cells[2].to_string());
    }
    private.extend(["Ó'Brien-Smithers", "Żółć", "\"Nan\""].map(String::from));
    for (_, name, email) in learners {
        private.push(email.into());
        private.push(name.into());
        let html = name
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;");
        private.push(html);
        let url: String = name
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        private.push(url);
    }
    // Every email of a trainer, too: only the organiser's is public.
    for line in trainers.lines() {
        if let Some(e) = line.trim().strip_prefix("email: ") {
            private.push(e.to_string());
        }
    }
    let files = all_files(&site);
    assert!(
        files.iter().any(|(n, _)| n.ends_with(".zip")),
        "packs are checked"
    );
    assert!(
        files.iter().any(|(n, _)| n.contains('!')),
        "zip entries are checked"
    );
    for (name, bytes) in files {
        let text = String::from_utf8_lossy(&bytes);
        for p in &private {
            assert!(!text.contains(p.as_str()), "`{p}` appears in {name}");
        }
    }
}

#[test]
fn huge_file_gives_file_too_large_quickly_in_human_output() {
    let dir = fixture("base");
    let f = fs::File::create(dir.path().join("people-huge.csv")).unwrap();
    f.set_len(3 << 30).unwrap(); // sparse 3 GB
    let started = std::time::Instant::now();
    let (code, human) = validate_human(dir.path());
    assert_eq!(code, 1);
    assert!(human.contains("error[file-too-large]"), "{human}");
    assert!(human.len() < 2000, "no source echoed: {human}");
    // A sanity bound, not a benchmark: reading 3 GB would take far longer.
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn a_csv_with_an_enormous_line_is_refused_at_that_line() {
    let dir = fixture("base");
    let mut text = String::from("id,name\nzed,Zed\n");
    text.push_str(&"x".repeat(3 << 20));
    text.push('\n');
    fs::write(dir.path().join("people-long.csv"), text).unwrap();
    let (code, r) = validate_json(dir.path());
    assert_eq!(code, 1);
    has(&r, "csv-syntax", "people-long.csv", 3, 1);
    let (_, human) = validate_human(dir.path());
    assert!(
        human.len() < 4000,
        "the line is not echoed: {} bytes",
        human.len()
    );
}

#[test]
fn many_unknown_columns_give_one_capped_diagnostic() {
    let dir = fixture("base");
    let columns: Vec<String> = (0..50_000).map(|i| format!("extra{i}")).collect();
    let text = format!("id,name,{}\n", columns.join(","));
    fs::write(dir.path().join("people-wide.csv"), text).unwrap();
    let (code, r) = validate_json(dir.path());
    assert_eq!(code, 1);
    let unknown: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.code == "unknown-column")
        .collect();
    assert_eq!(unknown.len(), 1, "{unknown:#?}");
    assert!(
        unknown[0]
            .message
            .starts_with("50,000 unknown columns in a `people` file: `extra0`"),
        "{}",
        unknown[0].message
    );
    assert!(unknown[0].message.len() < 400);
}

#[test]
fn control_characters_in_csv_cells_are_errors() {
    let dir = base_with(&[(
        "people-ctl.csv",
        "id,name\nnul,\"Nu\u{0}ll\"\nesc,Es\u{1b}c\nfine,\"Two\nlines\"\n",
    )]);
    let (code, r) = validate_json(dir.path());
    assert_eq!(code, 1);
    has(&r, "control-character", "people-ctl.csv", 2, 8);
    has(&r, "control-character", "people-ctl.csv", 3, 7);
    assert_eq!(
        r.diagnostics
            .iter()
            .filter(|d| d.code == "control-character")
            .count(),
        2
    );
}

#[test]
fn resources_sharing_a_file_name_get_their_own_pack_entries() {
    let (tmp, data) = example_copy();
    fs::create_dir_all(data.join("resources/other")).unwrap();
    fs::copy(
        data.join("resources/understanding-trauma-leaflet.pdf"),
        data.join("resources/other/understanding-trauma-leaflet.pdf"),
    )
    .unwrap();
    fs::write(data.join("resources/weird\\name.pdf"), "%PDF-1.4 weird").unwrap();
    fs::write(
        data.join("resources-more.yaml"),
        "resources:\n  - { id: leaflet-copy, title: Copy, kind: leaflet, file: resources/other/understanding-trauma-leaflet.pdf }\n  - { id: weird, title: Weird, kind: pdf, file: \"resources/weird\\\\name.pdf\" }\n",
    )
    .unwrap();
    edit(
        &data.join("courses.yaml"),
        "resources: [understanding-trauma-leaflet, opening-doors-video]",
        "resources: [understanding-trauma-leaflet, leaflet-copy, weird, opening-doors-video]",
    );
    let zip = tmp.path().join("l2.zip");
    let (code, _, err) = tip_at(&[
        "pack",
        s(&data),
        "--course",
        "l2-trauma-awareness",
        "-o",
        s(&zip),
    ]);
    assert_eq!(code, 0, "{err}");
    let mut z = zip::ZipArchive::new(fs::File::open(&zip).unwrap()).unwrap();
    let names: Vec<String> = (0..z.len())
        .map(|i| z.by_index(i).unwrap().name().unwrap().to_string())
        .collect();
    assert!(names.iter().all(|n| !n.contains('\\')), "{names:?}");
    assert!(
        names.contains(&"files/understanding-trauma-leaflet.pdf".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"files/leaflet-copy-understanding-trauma-leaflet.pdf".to_string()),
        "{names:?}"
    );
    let mut manifest = String::new();
    std::io::Read::read_to_string(&mut z.by_name("manifest.json").unwrap(), &mut manifest).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    for item in manifest["items"].as_array().unwrap() {
        if let Some(path) = item["path"].as_str() {
            assert!(names.contains(&path.to_string()), "{path} is in the zip");
        }
    }
}

#[test]
fn a_broken_template_override_is_a_data_error_everywhere() {
    let (_tmp, data) = example_copy();
    fs::create_dir_all(data.join("templates")).unwrap();
    fs::write(
        data.join("templates/bulletin.md"),
        "# {{ programme.name }}\n\n{% for item in news %}\n{{ item.title }\n",
    )
    .unwrap();
    let (code, r) = validate_json(&data);
    assert_eq!(code, 1);
    has(&r, "template-syntax", "templates/bulletin.md", 4, 1);
    let (code, _, err) = tip_at(&["bulletin", s(&data), "--from", "2022-06-01"]);
    assert_eq!(code, 1, "a data problem, not an I/O error: {err}");
    assert!(err.contains("template `bulletin.md`"), "{err}");
}

/// The message of the one note whose message holds `about` (any note for
/// `""`); there must be exactly one.
fn the_note<'r>(r: &'r Report, about: &str) -> &'r str {
    let notes: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.severity == "note" && d.message.contains(about))
        .collect();
    assert_eq!(notes.len(), 1, "{r:#?}");
    &notes[0].message
}

#[test]
fn one_broken_file_gives_one_error_and_one_note_not_a_cascade() {
    let dir = base_with(&[
        (
            "venues.yaml",
            "venues:\n  - id: hall\n\tname: Hall\n  - id: room\n    name: Room\n",
        ),
        (
            "cohorts.yaml",
            "cohorts:\n  - id: a\n    course: intro\n    venue: hall\n    sessions: [{start: 2022-01-18T09:30, end: 2022-01-18T12:30}]\n  - id: b\n    course: intro\n    venue: room\n    sessions: [{start: 2022-02-18T09:30, end: 2022-02-18T12:30}]\n",
        ),
    ]);
    let (code, r) = validate_json(dir.path());
    assert_eq!(code, 1);
    assert_eq!(r.errors, 1, "{r:#?}");
    // The tab is reported where it is, not at the line above.
    has(&r, "yaml-syntax", "venues.yaml", 3, 1);
    assert_eq!(
        the_note(&r, ""),
        "2 references to `venues` were not checked, because `venues.yaml` could not be read"
    );
    assert!(!r.diagnostics.iter().any(|d| d.code == "unknown-reference"));
}

#[test]
fn a_broken_file_of_cohorts_alone_gives_one_error_and_one_note() {
    // A file of cohorts alone is parsed when the cohorts are read, after
    // the people: its error and its note are the same as any file's.
    let dir = base_with(&[
        ("venues.yaml", "venues:\n  - id: hall\n    name: Hall\n"),
        (
            "cohorts.yaml",
            "# This year's.\ncohorts:\n  - id: a\n    course: [intro\n  - id: b\n    course: intro\n",
        ),
        (
            "attendance.csv",
            "cohort,person,sessions\na,ann,all\nb,bob,all\n",
        ),
    ]);
    let (code, r) = validate_json(dir.path());
    assert_eq!(code, 1);
    assert_eq!(r.errors, 1, "{r:#?}");
    has(&r, "yaml-syntax", "cohorts.yaml", 5, 7);
    assert_eq!(
        the_note(&r, ""),
        "2 references to `cohorts` were not checked, because `cohorts.yaml` could not be read"
    );
}

#[test]
fn the_note_names_the_first_broken_file_of_cohorts_in_file_order() {
    // One file of cohorts alone (parsed late), one of venues and cohorts
    // (parsed first), both broken, in either order: the note names the
    // first, as it did when every file was parsed first.
    let alone = "cohorts:\n  - id: x\n    course: [intro\n  - id: y\n";
    let mixed = "venues:\n\t- id: hall\ncohorts: []\n";
    for (first, second) in [(alone, mixed), (mixed, alone)] {
        let dir = base_with(&[
            ("a.yaml", first),
            ("c.yaml", second),
            ("attendance.csv", "cohort,person,sessions\nx,ann,all\n"),
        ]);
        let (_, r) = validate_json(dir.path());
        assert!(
            the_note(&r, "`cohorts`").ends_with("because `a.yaml` could not be read"),
            "{r:#?}"
        );
    }
}

#[test]
fn cohorts_keep_file_order_whether_their_file_holds_them_alone_or_not() {
    // `a` and `c` hold cohorts alone (parsed when the cohorts are read),
    // `b` holds venues too (parsed first): the first `dup` is still `a`'s.
    let cohort = "  - id: dup\n    course: intro\n    venue: hall\n    sessions: [{start: 2022-01-18T09:30, end: 2022-01-18T12:30}]\n";
    let dir = base_with(&[
        ("a.yaml", format!("cohorts:\n{cohort}")),
        (
            "b.yaml",
            format!("venues:\n  - id: hall\n    name: Hall\ncohorts:\n{cohort}"),
        ),
        ("c.yaml", format!("# More.\ncohorts:\n{cohort}")),
    ]);
    let (_, r) = validate_json(dir.path());
    let dups: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.code == "duplicate-id")
        .collect();
    assert_eq!(dups.len(), 2, "{r:#?}");
    for (d, file) in dups.iter().zip(["b.yaml", "c.yaml"]) {
        assert_eq!(d.file.as_deref(), Some(file), "{r:#?}");
        let first = &d.labels.as_ref().expect("a label")[0];
        assert_eq!((first.file.as_str(), first.line), ("a.yaml", 2), "{r:#?}");
    }
}

#[test]
fn csv_columns_are_exact_after_quoted_cells_and_in_crlf_files() {
    let dir = base_with(&[(
        "people-quoted.csv",
        "id,name,region\r\nzed,\"Zed, \"\"the\"\" Third\",nowhere\r\nyan,\"Yan\nTwo\",nowhere\r\n",
    )]);
    let (code, r) = validate_json(dir.path());
    assert_eq!(code, 1);
    // `nowhere` starts after `zed,"Zed, ""the"" Third",`: column 26.
    has(&r, "unknown-reference", "people-quoted.csv", 2, 26);
    // After a line break inside quotes: line 4, after `Two",`.
    has(&r, "unknown-reference", "people-quoted.csv", 4, 6);
}

#[test]
fn command_line_errors_say_what_to_do() {
    let example = repo().join("data/kent-medway");
    // A mistyped folder, and a file given for the folder.
    let typo = repo().join("data/kent-medwy");
    let out = tip(&["validate", s(&typo)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("there is no folder") && err.contains("did you mean"),
        "{err}"
    );
    assert!(err.contains("kent-medway`?"), "{err}");
    let file = example.join("courses.yaml");
    let out = tip(&["validate", s(&file)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is a file, not a data folder"), "{err}");
    // A date in another form names the one expected.
    let (code, _, err) = run_on_example(&[
        "eligible",
        "--person",
        "zoe-obrien",
        "--as-of",
        "25/11/2026",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("expected a date written YYYY-MM-DD"), "{err}");
    // Every id flag suggests: reordered words, whole-word prefixes.
    let (code, _, err) = run_on_example(&["calendar", "--region", "kent-east"]);
    assert_eq!(code, 1);
    assert!(err.contains("did you mean `east-kent`?"), "{err}");
    let (code, _, err) = run_on_example(&["eligible", "--person", "zoe-obrien", "--course", "l2"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("did you mean `l2-train-the-trainer` or `l2-trauma-awareness`?"),
        "{err}"
    );
    let tmp = tempfile::tempdir().unwrap();
    let zip = tmp.path().join("x.zip");
    let (code, _, err) = run_on_example(&["pack", "--role", "managr", "-o", s(&zip)]);
    assert_eq!(code, 1);
    assert!(err.contains("did you mean `manager`?"), "{err}");
}

#[test]
fn a_failed_json_run_still_prints_json() {
    let (code, out, _) = run_on_example(&["eligible", "--person", "zoe", "--format", "json"]);
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON on stdout");
    assert_eq!(doc["error"]["message"], "unknown person `zoe`");
    assert_eq!(doc["error"]["help"], "did you mean `zoe-obrien`?");
    assert_eq!(doc["error"]["exit"], 1);
    let missing = repo().join("data/no-such-folder");
    let out = tip(&["validate", s(&missing), "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(doc["error"]["exit"], 2);
}

#[test]
fn gitlab_code_quality_report_for_ci() {
    let dir = fixture("unknown-names");
    let out = tip(&["validate", s(dir.path()), "--format", "gitlab"]);
    assert_eq!(out.status.code(), Some(1));
    let issues: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let issues = issues.as_array().unwrap();
    assert!(!issues.is_empty());
    for issue in issues {
        let path = issue["location"]["path"].as_str().unwrap();
        assert!(path.starts_with(s(dir.path())), "{path}");
        assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        assert_eq!(issue["fingerprint"].as_str().unwrap().len(), 32);
    }
    // The shipped CI files call the commands this binary has.
    let action = fs::read_to_string(repo().join("action.yml")).unwrap();
    assert!(action.contains("tip validate \"$FOLDER\" --format github"));
    let hooks = fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap();
    assert!(hooks.contains("entry: tip validate"));
    let docs = fs::read_to_string(repo().join("docs/ci.md")).unwrap();
    assert!(docs.contains("--format gitlab > gl-code-quality-report.json"));
}

/// Every `console` block of README.md and docs/*.md runs for real
/// (trycmd): each `$ tip …` line must print what the block shows, with its
/// exit status (`? failed`). They run in a temporary copy of the example
/// data, so a documented `-o site` writes there, never into the
/// repository. `TRYCMD=overwrite` rewrites the copies, not the docs:
/// update the docs by hand from its diff.
#[test]
fn documented_commands_print_what_the_docs_show() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    for folder in ["data", "examples/mistakes", "tests/fixtures/keys"] {
        fs::create_dir_all(work.join(folder)).unwrap();
        copy_dir(&repo().join(folder), &work.join(folder));
    }
    let mut docs = vec![repo().join("README.md")];
    for entry in fs::read_dir(repo().join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            docs.push(path);
        }
    }
    let mut blocks = 0;
    for doc in &docs {
        let text = fs::read_to_string(doc).unwrap();
        blocks += text.matches("```console").count();
        let name = doc.file_stem().unwrap().to_str().unwrap();
        // trycmd runs a page's commands in `<page>.in/`.
        fs::write(tmp.path().join(format!("{name}.md")), text).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&work, tmp.path().join(format!("{name}.in"))).unwrap();
    }
    assert!(blocks >= 8, "only {blocks} documented commands");
    trycmd::TestCases::new()
        .register_bin("tip", std::path::Path::new(env!("CARGO_BIN_EXE_tip")))
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1667260800")
        .case(tmp.path().join("*.md"));
}

#[test]
fn attendance_means_what_the_register_says() {
    let (tmp, data) = example_copy();
    // A register row with nothing ticked: an empty cell is no session.
    edit(
        &data.join("attendance-2022.csv"),
        "l2-2022-01-maidstone,chidi-okafor,all",
        "l2-2022-01-maidstone,chidi-okafor,",
    );
    // Chidi's certificate was issued on that completion: the ledger row is
    // now an error, pointing at the row, until it is revoked.
    let (code, r) = validate_json(&data);
    assert_eq!(code, 1);
    has(&r, "issued-without-completion", "certificates.csv", 2, 1);
    edit(
        &data.join("certificates.csv"),
        "chidi-okafor,l2-trauma-awareness,2022-01-18,2022-12-01,,",
        "chidi-okafor,l2-trauma-awareness,2022-01-18,2022-12-01,2022-12-05,attendance entered in error",
    );
    assert_eq!(validate_json(&data).0, 0);
    let out = tmp.path().join("certs.pdf");
    let (code, _, err) = tip_at(&[
        "certify",
        s(&data),
        "--cohort",
        "l2-2022-01-maidstone",
        "--as-of",
        "2022-12-01",
        "--draft",
        "--combined",
        s(&out),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(
            "no certificate for Chidi Okafor (chidi-okafor): did not attend enough sessions (0 of 1"
        ),
        "{err}"
    );
    // `none` says the same; in YAML the field must be written.
    fs::write(
        data.join("attendance-more.yaml"),
        "attendance:\n  - { cohort: l2-2022-01-maidstone, person: aoife-ni-bhriain }\n",
    )
    .unwrap();
    let (code, r) = validate_json(&data);
    assert_eq!(code, 1);
    has(&r, "missing-field", "attendance-more.yaml", 2, 5);
}

/// The fixture that shows each diagnostic code, when it is not named after
/// the code itself (`tests/fixtures/<code>`).
const CODE_FIXTURES: &[(&str, &str)] = &[
    ("unknown-section", "unknown-names"),
    ("unknown-field", "unknown-names"),
    ("missing-field", "missing-fields"),
    ("wrong-type", "not-a-list"),
    ("invalid-id", "invalid-ids"),
    ("duplicate-id", "duplicate-ids"),
    ("unknown-reference", "dangling-references"),
    ("invalid-date", "bad-times"),
    ("nonexistent-local-time", "bad-times"),
    ("ambiguous-local-time", "bad-times"),
    ("end-before-start", "bad-times"),
    ("session-overlap", "bad-times"),
    ("invalid-duration", "bad-numbers"),
    ("invalid-percentage", "bad-numbers"),
    ("invalid-number", "bad-numbers"),
    ("invalid-value", "bad-numbers"),
    ("conflicting-fields", "resource-files"),
    ("missing-programme", "no-programme"),
    ("resource-file-missing", "resource-files"),
    ("resource-path-escapes", "resource-files"),
    ("over-capacity", "cohort-people"),
    ("enrolled-and-waitlisted", "cohort-people"),
    ("duplicate-entry", "cohort-people"),
    ("attendance-not-enrolled", "cohort-people"),
    ("attendance-unknown-session", "cohort-people"),
    ("not-eligible", "cohort-people"),
    ("trainer-clash", "clashes"),
    ("venue-clash", "clashes"),
    ("learner-clash", "clashes"),
    ("session-on-closed-day", "clashes"),
    ("unqualified-trainer", "eligibility-checks"),
    ("unsatisfiable-rule", "eligibility-checks"),
];

/// A data folder that shows `code`: a fixture, or (for what cannot be
/// committed) one made here.
fn code_example(code: &str) -> tempfile::TempDir {
    match code {
        "io-error" => {
            let dir = fixture("base");
            #[cfg(unix)]
            std::os::unix::fs::symlink("/nonexistent/venues.yaml", dir.path().join("venues.yaml"))
                .unwrap();
            dir
        }
        "file-too-large" => {
            let dir = fixture("base");
            let f = fs::File::create(dir.path().join("huge.yaml")).unwrap();
            f.set_len((64 << 20) + 1).unwrap();
            dir
        }
        _ => {
            let case = CODE_FIXTURES
                .iter()
                .find(|(c, _)| *c == code)
                .map_or(code, |(_, case)| case);
            assert!(
                repo().join("tests/fixtures").join(case).is_dir(),
                "no example of `{code}`: add tests/fixtures/{code} or a row to CODE_FIXTURES"
            );
            fixture(case)
        }
    }
}

/// The first diagnostic with `code` in a human report, whole (the command
/// line's own message when the problem stops the run).
fn first_block(human: &str, code: &str) -> Option<String> {
    let heads = [
        format!("error[{code}]"),
        format!("warning[{code}]"),
        format!("note[{code}]"),
    ];
    human
        .split("\n\n")
        .find(|b| heads.iter().any(|h| b.starts_with(h.as_str())))
        .map(|b| format!("{}\n", b.trim_end()))
}

/// Every diagnostic code has an example whose full rendering (the source
/// lines, every label, the help) is a snapshot, so a label that moves off
/// the value a user must change fails here; `docs/diagnostics.md` shows
/// the same examples (`TIP_BLESS_DOCS=1 cargo test` rewrites it).
#[test]
fn every_diagnostic_code_has_a_placed_example() {
    let mut doc = String::from(DIAGNOSTICS_HEAD);
    for code in tip_core::Code::ALL {
        let (code, meaning) = (code.as_str(), code.description());
        let dir = code_example(code);
        let (_, human) = validate_human(dir.path());
        let block = if code == "io-error" {
            // The one problem that stops the run: it comes alone.
            assert!(human.starts_with("error: cannot read"), "{human}");
            human
        } else {
            first_block(&human, code)
                .unwrap_or_else(|| panic!("the example of `{code}` does not show it:\n{human}"))
        };
        insta::assert_snapshot!(format!("code-{code}"), block);
        doc.push_str(&format!(
            "## `{code}`\n\n{meaning}\n\n```text\n{block}```\n\n"
        ));
    }
    let path = repo().join("docs/diagnostics.md");
    if std::env::var_os("TIP_BLESS_DOCS").is_some() {
        fs::write(&path, &doc).unwrap();
    }
    assert!(
        fs::read_to_string(&path).unwrap_or_default() == doc,
        "docs/diagnostics.md is out of date: run `TIP_BLESS_DOCS=1 cargo test --test cli every_diagnostic_code`"
    );
}

const DIAGNOSTICS_HEAD: &str = "\
# Diagnostics, code by code

Every problem `tip validate` reports has a stable code (scripts may match
on it; codes are never renamed). For each code: what it means, and what
`tip validate` prints for a small example. The primary label (`^^^`) sits
on the value to change; secondary labels (`---`) show a second place that
explains it.

The examples are the program's real output on the folders under
`tests/fixtures/`, kept in step by the test
`every_diagnostic_code_has_a_placed_example` (which also snapshots each
one). `<DIR>` stands for the data folder.

";

/// A diagnostic shown in the docs is one the program prints: each is
/// copied from docs/diagnostics.md, which is the program's real output.
#[test]
fn diagnostics_shown_in_the_docs_are_real_output() {
    let real = fs::read_to_string(repo().join("docs/diagnostics.md")).unwrap();
    let mut checked = 0;
    for entry in fs::read_dir(repo().join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "md") || path.ends_with("diagnostics.md") {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap();
        for block in text.split("```text\n").skip(1) {
            let block = &block[..block.find("```").unwrap_or(block.len())];
            let head = block.split(['[', ']']).next().unwrap_or("");
            if ["error", "warning", "note"].contains(&head) && block.contains(" --> ") {
                assert!(
                    real.contains(block),
                    "{} shows a diagnostic the program does not print:\n{block}",
                    path.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 3, "{checked}");
}

/// A Thai name: no built-in font has the script. `validate` warns,
/// `certify` prints everyone else and exits 1 naming the person and the
/// characters, and a font added to `branding.fonts` fixes it.
#[test]
fn a_name_no_font_draws_is_refused_until_a_font_is_added() {
    let (tmp, data) = example_copy();
    edit(
        &data.join("people.csv"),
        "zsofia-kovacs,Zsófia Kovács",
        "zsofia-kovacs,สมชาย ใจดี",
    );
    let (code, r) = validate_json(&data);
    assert_eq!(code, 0, "a warning: {r:#?}");
    has(&r, "no-glyph", "people.csv", 18, 1);
    let key = example_key();
    let certify = |out: &Path| certify_signed(&data, "ttt-2022-02", out, &key);
    let first = tmp.path().join("first");
    let (code, _, err) = certify(&first);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("error: no font can draw `ส` (U+0E2A)")
            && err.contains("in the name of `zsofia-kovacs`: that certificate is not printed"),
        "{err}"
    );
    let pdfs = |dir: &Path| {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".pdf"))
            .collect();
        names.sort();
        names
    };
    assert_eq!(pdfs(&first).len(), 2, "the others are printed");
    assert!(!pdfs(&first).iter().any(|n| n.contains("zsofia")));

    fs::copy(
        repo().join("tests/fixtures/fonts/NotoSansThai-Regular.ttf"),
        data.join("branding/thai.ttf"),
    )
    .unwrap();
    edit(
        &data.join("programme.yaml"),
        "    logo: branding/logo.png\n",
        "    logo: branding/logo.png\n    fonts: [branding/thai.ttf]\n",
    );
    let (code, r) = validate_json(&data);
    assert_eq!((code, r.warnings), (0, 0), "{r:#?}");
    let second = tmp.path().join("second");
    let (code, _, err) = certify(&second);
    assert_eq!(code, 0, "{err}");
    assert_eq!(pdfs(&second).len(), 3);
}

/// A copy of the example with a key pair of its own: the private half
/// outside the data folder, the public half in it.
fn example_with_new_key() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (tmp, data) = example_copy();
    let key = tmp.path().join("secrets/issuer.pem");
    fs::create_dir_all(key.parent().unwrap()).unwrap();
    fs::remove_file(data.join("keys/issuer.pub.pem")).unwrap();
    let (code, _, err) = tip_at(&[
        "keys",
        "new",
        "-o",
        s(&key),
        "--public",
        s(&data.join("keys/issuer.pub.pem")),
    ]);
    assert_eq!(code, 0, "{err}");
    // A new key: the example's ledger was signed with the old one, so it
    // starts afresh here.
    fs::remove_file(data.join("certificates.csv")).unwrap();
    (tmp, data, key)
}

/// `tip certify DATA --cohort COHORT --as-of 2022-12-01 -o OUT`, signed
/// with `key`: (exit code, stdout, stderr).
fn certify_signed(data: &Path, cohort: &str, out: &Path, key: &Path) -> (i32, String, String) {
    tip_env(
        &[
            "certify",
            s(data),
            "--cohort",
            cohort,
            "--as-of",
            "2022-12-01",
            "-o",
            s(out),
        ],
        &[("TIP_SIGNING_KEY", key)],
    )
}

#[test]
fn certify_without_a_key_refuses_and_drafts_record_nothing() {
    let (tmp, data) = example_copy();
    let before = all_files(&data);
    let out = tmp.path().join("certs");
    let args = [
        "certify",
        s(&data),
        "--cohort",
        "l2-2022-10-dartford",
        "--as-of",
        "2022-12-01",
        "-o",
        s(&out),
    ];
    let (code, _, err) = tip_at(&args);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("TIP_SIGNING_KEY is not set") && err.contains("tip keys new"),
        "{err}"
    );
    assert!(!out.exists());
    let mut draft = args.to_vec();
    draft.push("--draft");
    let (code, _, err) = tip_at(&draft);
    assert_eq!(code, 0, "{err}");
    assert_eq!(all_files(&data), before, "a draft records nothing");
    let pdfs: Vec<_> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pdf"))
        .collect();
    assert!(
        !pdfs.is_empty() && pdfs.iter().all(|n| n.starts_with("DRAFT-")),
        "{pdfs:?}"
    );
    let bytes = fs::read(out.join(&pdfs[0])).unwrap();
    let has = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(has("DRAFT"), "the draft says so in its title");
    // A key inside the data folder is refused before anything is read.
    fs::copy(example_key(), data.join("keys/oops.pem")).unwrap();
    let (code, _, err) = tip_env(&args, &[("TIP_SIGNING_KEY", &data.join("keys/oops.pem"))]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("inside a data folder"), "{err}");
    // `tip build` reads the same key by the same rule.
    let site = tmp.path().join("site");
    let (code, _, err) = tip_env(
        &["build", s(&data), "-o", s(&site)],
        &[("TIP_SIGNING_KEY", &data.join("keys/oops.pem"))],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("inside a data folder") && !site.exists(),
        "{err}"
    );
}

#[test]
fn issued_certificates_keep_their_numbers_and_bytes_when_other_data_changes() {
    let (tmp, data, key) = example_with_new_key();
    let certify = |cohort: &str, out: &Path| certify_signed(&data, cohort, out, &key);
    let first = tmp.path().join("first");
    let (code, _, err) = certify("ttt-2022-02", &first);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("recorded 3 new certificates"), "{err}");
    let ledger = fs::read_to_string(data.join("certificates.csv")).unwrap();
    assert!(ledger.starts_with(
        "number,code,person,course,completed,issued,revoked,reason,key,replaces,credential\n"
    ));
    assert!(ledger.contains("\nKM-TIP-2022-000001,") && ledger.contains("\nKM-TIP-2022-000003,"));
    assert_eq!(validate_json(&data).0, 0);
    // Unrelated data arrives: a completion of the same year, earlier in
    // every order the old numbering sorted by.
    let mut completions = fs::read_to_string(data.join("completions.csv")).unwrap();
    completions.push_str("aaron-abbott-test,becoming-ti,2022-01-01,test\n");
    fs::write(data.join("completions.csv"), completions).unwrap();
    fs::write(
        data.join("people-test.csv"),
        "id,name\naaron-abbott-test,Aaron Abbott\n",
    )
    .unwrap();
    let again = tmp.path().join("again");
    let (code, _, err) = certify("ttt-2022-02", &again);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("recorded"), "nothing new: {err}");
    assert_eq!(
        fs::read_to_string(data.join("certificates.csv")).unwrap(),
        ledger
    );
    for (name, bytes) in all_files(&first) {
        if name != ".tip-output" {
            assert_eq!(fs::read(again.join(&name)).unwrap(), bytes, "{name}");
        }
    }
    // Another cohort continues the sequence.
    let (code, _, err) = certify("l2-2022-10-dartford", &tmp.path().join("dartford"));
    assert_eq!(code, 0, "{err}");
    let ledger = fs::read_to_string(data.join("certificates.csv")).unwrap();
    assert!(ledger.contains("\nKM-TIP-2022-000004,"), "{ledger}");
}

#[test]
fn a_revocation_shows_on_its_page_and_in_the_status_list() {
    let (tmp, data, key) = example_with_new_key();
    let certs = tmp.path().join("certs");
    let (code, _, err) = certify_signed(&data, "ttt-2022-02", &certs, &key);
    assert_eq!(code, 0, "{err}");
    let ledger = fs::read_to_string(data.join("certificates.csv")).unwrap();
    let row = ledger.lines().nth(2).unwrap().to_owned();
    let code_of_row = row.split(',').nth(1).unwrap().to_owned();
    revoke(
        &data,
        row.split(',').next().unwrap(),
        "2022-12-05",
        "issued in error",
    );
    assert_eq!(validate_json(&data).0, 0);
    let site = tmp.path().join("site");
    let (code, _, err) = tip_env(
        &["build", s(&data), "-o", s(&site), "--as-of", "2022-12-01"],
        &[("TIP_SIGNING_KEY", &key)],
    );
    assert_eq!(code, 0, "{err}");
    let page = fs::read_to_string(site.join(format!("verify/{code_of_row}/index.html"))).unwrap();
    assert!(page.contains("Revoked on 5 December 2022"), "{page}");
    let token = fs::read_to_string(site.join("status/2022.jwt")).unwrap();
    let claims = tip_credential::claims_unverified(token.trim()).unwrap();
    assert_eq!(
        claims["credentialSubject"]["encodedList"],
        tip_credential::encoded_list(&[2], 0).as_str()
    );
    let public = tip_credential::PublicKey::from_pem(
        &fs::read_to_string(data.join("keys/issuer.pub.pem")).unwrap(),
    )
    .unwrap();
    assert!(tip_credential::verify(token.trim(), &public));
    let did = fs::read_to_string(site.join(".well-known/did.json")).unwrap();
    assert!(
        did.contains("did:web:tip.kent-medway.example.org#key-1"),
        "{did}"
    );
    // The private key is nowhere in the site.
    let secret = fs::read_to_string(&key).unwrap();
    let body: String = secret.lines().filter(|l| !l.starts_with("-----")).collect();
    for (name, bytes) in all_files(&site) {
        assert!(!String::from_utf8_lossy(&bytes).contains(&body), "{name}");
    }
}

#[test]
fn keys_are_never_overwritten_nor_kept_with_the_data() {
    let (tmp, data) = example_copy();
    let key = tmp.path().join("issuer.pem");
    let (code, _, err) = tip_at(&["keys", "new", "-o", s(&key)]);
    assert_eq!(code, 0, "{err}");
    assert!(tmp.path().join("issuer.pub.pem").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let before = fs::read(&key).unwrap();
    let (code, _, err) = tip_at(&["keys", "new", "-o", s(&key)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is never overwritten"), "{err}");
    assert_eq!(fs::read(&key).unwrap(), before);
    let (code, _, err) = tip_at(&["keys", "new", "-o", s(&data.join("keys/new.pem"))]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("inside a data folder"), "{err}");
    assert!(!data.join("keys/new.pem").exists());
}

/// A coordinator moves a session and rebuilds: that event's SEQUENCE goes
/// up, so subscribed calendars take the change; every other event keeps
/// its SEQUENCE. Read back with the icalendar crate's parser.
#[test]
fn a_changed_session_reaches_subscribers_with_a_higher_sequence() {
    use icalendar::parser;
    let (tmp, data) = example_copy();
    let site = tmp.path().join("site");
    let build = || {
        let (code, _, err) = tip_at(&["build", s(&data), "-o", s(&site), "--as-of", "2022-06-01"]);
        assert_eq!(code, 0, "{err}");
        let text = fs::read_to_string(site.join("calendars/all.ics")).unwrap();
        let unfolded = parser::unfold(&text);
        let cal = parser::read_calendar(&unfolded).unwrap();
        cal.components
            .iter()
            .filter(|c| c.name == "VEVENT")
            .map(|c| {
                let get = |name: &str| {
                    c.properties
                        .iter()
                        .find(|p| p.name == name)
                        .map(|p| p.val.to_string())
                        .unwrap()
                };
                (get("UID"), get("SEQUENCE").parse::<u32>().unwrap())
            })
            .collect::<std::collections::BTreeMap<String, u32>>()
    };
    let first = build();
    assert_eq!(build(), first, "nothing changed, nothing raised");
    edit(
        &data.join("cohorts/l2-2022.yaml"),
        "{ start: 2022-03-29T09:30, end: 2022-03-29T16:00 }",
        "{ start: 2022-03-29T10:00, end: 2022-03-29T16:30 }",
    );
    let second = build();
    let moved = "l2-2022-03-chatham-1@tip.kent-medway.example.org";
    assert_eq!(second[moved], first[moved] + 1);
    for (uid, seq) in &first {
        if uid != moved {
            assert_eq!(second[uid], *seq, "{uid}");
        }
    }
    // And `tip calendar -o FILE` does the same from its own file.
    let ics = tmp.path().join("chatham.ics");
    let calendar = || {
        let (code, _, err) = tip_at(&[
            "calendar",
            s(&data),
            "--cohort",
            "l2-2022-03-chatham",
            "-o",
            s(&ics),
        ]);
        assert_eq!(code, 0, "{err}");
        fs::read_to_string(&ics).unwrap()
    };
    assert!(calendar().contains("SEQUENCE:0"));
    edit(
        &data.join("cohorts/l2-2022.yaml"),
        "{ start: 2022-03-29T10:00, end: 2022-03-29T16:30 }",
        "{ start: 2022-03-29T09:30, end: 2022-03-29T16:00 }",
    );
    assert!(calendar().contains("SEQUENCE:1"));
}

#[cfg(feature = "serve")]
/// `GET path` from the preview server, as a browser would.
fn http_get(port: u16, path: &str) -> String {
    http_raw(
        port,
        &format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"),
    )
}

/// A running `tip serve`, killed when dropped (a failed assertion leaves
/// no preview behind).
#[cfg(feature = "serve")]
struct Preview {
    child: std::process::Child,
    port: u16,
}

#[cfg(feature = "serve")]
impl Preview {
    /// `cmd serve DATA --port 0 --as-of 2022-06-01`, once it says where.
    fn start(mut cmd: Command, data: &Path) -> Preview {
        use std::io::BufRead;
        let mut child = cmd
            .args(["serve", s(data), "--port", "0", "--as-of", "2022-06-01"])
            .env("NO_COLOR", "1")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let port: u16 = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                panic!("tip serve stopped before serving");
            };
            if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
                break rest.split('/').next().unwrap().parse().unwrap();
            }
        };
        // Keep reading its output so it never blocks.
        std::thread::spawn(move || lines.for_each(drop));
        Preview { child, port }
    }
}

#[cfg(feature = "serve")]
impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Send `request` as written and read the whole answer.
#[cfg(feature = "serve")]
fn http_raw(port: u16, request: &str) -> String {
    use std::io::{Read, Write};
    let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    c.read_to_string(&mut out).unwrap();
    out
}

/// A coordinator edits the data while `tip serve` runs: the page shows the
/// edit within two seconds, and a broken file shows its error instead of a
/// stale site.
#[cfg(feature = "serve")]
#[test]
fn serve_shows_an_edit_within_two_seconds() {
    let (_tmp, data) = example_copy();
    let preview = Preview::start(Command::new(env!("CARGO_BIN_EXE_tip")), &data);
    let port = preview.port;
    let page = http_get(port, "/");
    assert!(
        page.contains("<h1>Kent and Medway Trauma Informed Practice</h1>"),
        "{page}"
    );
    assert!(page.contains("__tip/version"), "the preview reloads itself");
    // A page elsewhere that points its own name at 127.0.0.1 (DNS
    // rebinding) is not answered.
    {
        let out = http_raw(port, "GET / HTTP/1.0\r\nHost: attacker.example\r\n\r\n");
        assert!(
            out.starts_with("HTTP/1.0 421") || out.starts_with("HTTP/1.1 421"),
            "{out}"
        );
        assert!(!out.contains("Kent and Medway"), "{out}");
    }
    let wait_for = |needle: &str| {
        let start = std::time::Instant::now();
        while start.elapsed() < std::time::Duration::from_secs(2) {
            if http_get(port, "/").contains(needle) {
                return start.elapsed();
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("`{needle}` not shown within two seconds");
    };
    edit(
        &data.join("programme.yaml"),
        "name: Kent and Medway Trauma Informed Practice\n",
        "name: Kent and Medway Trauma Informed Practice (draft)\n",
    );
    wait_for("Trauma Informed Practice (draft)</h1>");
    fs::write(data.join("broken.yaml"), "venues:\n  - { id: hall\n").unwrap();
    wait_for("The data has problems");
    assert!(http_get(port, "/").contains("broken.yaml:2:5"));
    // Many errors: the first few in full, then how many more (a phone
    // need not scroll past thirty).
    fs::remove_file(data.join("broken.yaml")).unwrap();
    let people = fs::read_to_string(data.join("people.csv")).unwrap();
    let bad: String = (0..20)
        .map(|i| {
            format!("extra-{i},Extra {i},e{i}@example.org,Org,no-such-sector,front-line,medway\n")
        })
        .collect();
    fs::write(data.join("people.csv"), format!("{people}{bad}")).unwrap();
    wait_for("more errors");
    let page = http_get(port, "/");
    assert_eq!(
        page.matches("error[unknown-reference]").count(),
        3,
        "{page}"
    );
    assert!(page.contains("… and 17 more errors"), "{page}");
}

/// Completions and applications keep their people's ids as places in the file;
/// an unknown one is still reported at its cell, with or without quotes,
/// after Unicode text, in a CRLF file, and beyond an escaped quote.
#[test]
fn unknown_people_in_tabular_records_are_placed_at_their_cell() {
    let dir = fixture("duplicate-record");
    fs::write(
        dir.path().join("completions.csv"),
        "course,date,source,person\r\n\
         intro,2022-01-10,Zoë's export,nobody\r\n\
         intro,2022-01-11,\"an \"\"odd\"\" one\",\"nemo\"\r\n\
         intro,2022-01-12,x,ann\r\n\
         intro,2022-01-13,\"a, b\",  ghost\r\n",
    )
    .unwrap();
    let (code, report) = validate_json(dir.path());
    assert_eq!(code, 1);
    has(&report, "unknown-reference", "completions.csv", 2, 31);
    has(&report, "unknown-reference", "completions.csv", 3, 36);
    has(&report, "unknown-reference", "completions.csv", 5, 27);
    let unknown = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "unknown-reference")
        .count();
    assert_eq!(unknown, 3, "{:#?}", report.diagnostics);
    // Applications resolve their people the same way.
    fs::write(
        dir.path().join("applications.csv"),
        "person,course,applied\nann,intro,2022-01-10\n\"zoë\",intro,2022-01-11\nbod,intro,2022-01-12\n",
    )
    .unwrap();
    let (_, report) = validate_json(dir.path());
    has(&report, "unknown-reference", "applications.csv", 3, 2);
    has(&report, "unknown-reference", "applications.csv", 4, 1);
    let bod = report
        .diagnostics
        .iter()
        .find(|d| d.message.contains("`bod`"))
        .expect("bod is unknown");
    assert!(
        bod.help.as_deref().is_some_and(|h| h.contains("`bob`")),
        "{bod:?}"
    );
}

/// `TIP_TIMINGS` prints each step of loading to standard error and
/// changes nothing else.
#[test]
fn timings_go_to_stderr_and_change_no_output() {
    let data = repo().join("data/kent-medway");
    let args = ["validate", data.to_str().unwrap(), "--format", "json"];
    let (code, plain, quiet) = tip_env(&args, &[]);
    let (timed_code, timed, err) = tip_env(&args, &[("TIP_TIMINGS", Path::new("1"))]);
    assert_eq!((code, timed_code), (0, 0));
    assert_eq!(plain, timed);
    assert!(!quiet.contains("tip: "), "{quiet}");
    let steps: Vec<&str> = err
        .lines()
        .filter_map(|l| l.strip_prefix("tip: "))
        .map(|l| l.rsplit_once("  ").map_or("", |(_, step)| step))
        .collect();
    assert_eq!(
        steps,
        [
            "find",
            "yaml",
            "regions to venues",
            "people",
            "courses and cohorts",
            "attendance, completions, applications",
            "timetable and completion index",
            "checks"
        ],
        "{err}"
    );
}

/// People and completions are read a whole row at a time when every
/// required cell is there, field by field when one is not: both ways give
/// every problem of the row at its cell, in CSV and in YAML alike. A
/// person with neither id nor name is told of both.
/// Big CSV files are read in parts side by side: every row is read once,
/// in its part or across a line break inside quotes, and every problem is
/// reported at its own line and column — none lost or repeated where
/// parts meet.
#[test]
fn big_files_read_in_parts_report_every_problem_at_its_place() {
    let (_tmp, data) = example_copy();
    let mut people = fs::read_to_string(data.join("people.csv")).unwrap();
    let mut completions = fs::read_to_string(data.join("completions.csv")).unwrap();
    let mut line = people.lines().count() as u32;
    let mut done = completions.lines().count() as u32;
    let (mut bad_sectors, mut unknown_people) = (Vec::new(), Vec::new());
    // About 3 MB of each: several parts, whatever the part size.
    for n in 0..40_000u32 {
        let sector = if n % 9_000 == 4_500 {
            "nowhere"
        } else {
            "health"
        };
        // Every so often a name with a line break inside its quotes.
        let name = if n % 7_777 == 0 {
            format!("\"Zoë Ó'Brien, {n}\nsecond line\"")
        } else {
            format!("\"Nguyễn Thị Minh, {n}\"")
        };
        // A quote inside a cell is text: it opens nothing.
        let org = if n % 3_000 == 0 { "5\" Screens" } else { "Org" };
        line += 1;
        if sector == "nowhere" {
            let row = format!("p{n:06},{name},p{n}@example.org,{org},");
            bad_sectors.push((line, row.chars().count() as u32 + 1));
        }
        people.push_str(&format!(
            "p{n:06},{name},p{n}@example.org,{org},{sector},front-line,medway\n"
        ));
        line += u32::from(n % 7_777 == 0);
        // A person from any part of the other file; now and then one who
        // is nowhere.
        let person = if n % 11_000 == 5_500 {
            format!("q{n:06}")
        } else {
            format!("p{n:06}")
        };
        done += 1;
        if person.starts_with('q') {
            unknown_people.push(done);
        }
        completions.push_str(&format!(
            "{person},becoming-ti,2022-01-18,\"export, {n}\"\n"
        ));
    }
    assert!(people.len() > 3_000_000 && completions.len() > 1_500_000);
    fs::write(data.join("people.csv"), people).unwrap();
    fs::write(data.join("completions.csv"), completions).unwrap();
    let (code, r) = validate_json(&data);
    assert_eq!(code, 1);
    for &(line, column) in &bad_sectors {
        has(&r, "unknown-reference", "people.csv", line, column);
    }
    for &line in &unknown_people {
        has(&r, "unknown-reference", "completions.csv", line, 1);
    }
    let said: Vec<_> = r
        .diagnostics
        .iter()
        .map(|d| (&d.code, &d.file, d.line))
        .collect();
    assert_eq!(
        said.len(),
        bad_sectors.len() + unknown_people.len(),
        "nothing else, nothing twice: {said:#?}"
    );
}

#[test]
fn rows_missing_required_cells_report_each_at_its_place() {
    let (_tmp, data) = example_copy();
    let mut people = fs::read_to_string(data.join("people.csv")).unwrap();
    let first = people.lines().count() as u32 + 1;
    people.push_str(",,x@example.org,Org,health,front-line,medway\n");
    people.push_str("Bad Id,,y@example.org,,,,\n");
    people.push_str("fine-person,Fine Person,not-an-email,,nowhere,,\n");
    fs::write(data.join("people.csv"), people).unwrap();
    let mut completions = fs::read_to_string(data.join("completions.csv")).unwrap();
    let done = completions.lines().count() as u32 + 1;
    completions.push_str("sian-llewelyn,,2022-01-01,\n");
    completions.push_str("nobody-here,nope,2022-02-30,x\n");
    fs::write(data.join("completions.csv"), completions).unwrap();
    fs::write(
        data.join("more-people.yaml"),
        "people:\n  - email: q@example.org\n  - id: yaml-person\n    sector: nowhere\n",
    )
    .unwrap();
    let (code, r) = validate_json(&data);
    assert_eq!(code, 1);
    let at = |code: &str, file: &str, line: u32, column: u32| has(&r, code, file, line, column);
    at("missing-field", "people.csv", first, 1);
    assert_eq!(
        r.diagnostics
            .iter()
            .filter(|d| d.line == Some(first) && d.code == "missing-field")
            .count(),
        2,
        "missing id and missing name: {:#?}",
        r.diagnostics
    );
    at("invalid-id", "people.csv", first + 1, 1);
    at("missing-field", "people.csv", first + 1, 1);
    at("invalid-value", "people.csv", first + 2, 25);
    at("unknown-reference", "people.csv", first + 2, 39);
    at("missing-field", "completions.csv", done, 1);
    at("unknown-reference", "completions.csv", done + 1, 1);
    at("unknown-reference", "completions.csv", done + 1, 13);
    at("invalid-date", "completions.csv", done + 1, 18);
    at("missing-field", "more-people.yaml", 2, 5);
    at("missing-field", "more-people.yaml", 3, 5);
    at("unknown-reference", "more-people.yaml", 4, 13);
}

/// A Microsoft Forms workbook and a Google Forms CSV (examples/forms/)
/// become applications: matched by email (any case) or name, course by
/// title or id, cohort by id; a new person is listed as the people.csv row
/// to add; rows already imported are skipped, never written twice; rows
/// already in the file stay byte for byte.
#[test]
fn form_exports_become_applications() {
    let (_tmp, data) = example_copy();
    let import = |export: &str, dry: bool| {
        let path = repo().join("examples/forms").join(export);
        let mut args = vec!["import", "applications", s(&data), s(&path)];
        if dry {
            args.push("--dry-run");
        }
        tip_env(&args, &[])
    };
    let (code, _, err) = import("microsoft-forms.xlsx", true);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("priya-natarajan,Priya Natarajan,priya.new@example.org,,,,"),
        "{err}"
    );
    assert!(
        !data.join("applications.csv").exists(),
        "a dry run writes nothing"
    );
    let (code, _, err) = import("microsoft-forms.xlsx", false);
    assert_eq!(code, 1, "{err}");
    let first = fs::read_to_string(data.join("applications.csv")).unwrap();
    assert_eq!(
        first,
        "person,course,applied,prefer,notes\n\
         athina-papadopoulou,l2-trauma-awareness,2022-11-02,l2-2022-12-maidstone,\"Step-free access, please.\"\n\
         dylan-ap-rhys,l2-trauma-awareness,2022-11-03,,\n"
    );
    let (code, _, err) = import("google-forms.csv", false);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("athina-papadopoulou") && err.contains("already"),
        "{err}"
    );
    let second = fs::read_to_string(data.join("applications.csv")).unwrap();
    assert!(second.starts_with(&first), "rows already there stay");
    assert!(
        second.contains("maeve-fitzgerald,l2-trauma-awareness,2022-11-03,,\n"),
        "{second}"
    );
    assert!(
        second.contains("sebnem-yilmaz,l2-trauma-awareness,2022-11-04,,Could I bring a colleague? She is not registered yet.\n"),
        "{second}"
    );
    let (code, _, err) = tip_env(&["validate", s(&data)], &[]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = import("google-forms.csv", false);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("no new applications"), "{err}");
    assert_eq!(
        fs::read_to_string(data.join("applications.csv")).unwrap(),
        second
    );
}

/// One mistake, one error at its real place (and at most one note that
/// counts what was skipped), however much of the data depends on it: a
/// missing `}`, an unclosed quote in people.csv, a date written the UK
/// way, a course id misspelt — in every output format.
#[test]
fn each_single_mistake_gives_one_error_at_its_place() {
    struct Case {
        file: &'static str,
        from: &'static str,
        to: &'static str,
        code: &'static str,
        line: u32,
        column: u32,
    }
    let cases = [
        Case {
            file: "cohorts/l2-2022.yaml",
            from: "{ start: 2022-01-18T09:30, end: 2022-01-18T16:00 }",
            to: "{ start: 2022-01-18T09:30, end: 2022-01-18T16:00 ",
            code: "yaml-syntax",
            line: 0,
            column: 0,
        },
        Case {
            file: "people.csv",
            from: "sian-llewelyn,Siân Llewelyn,",
            to: "sian-llewelyn,\"Siân Llewelyn,",
            code: "csv-syntax",
            line: 2,
            column: 15,
        },
        Case {
            file: "cohorts/l2-2022.yaml",
            from: "{ start: 2022-01-18T09:30,",
            to: "{ start: 18/01/2022 09:30,",
            code: "invalid-date",
            line: 10,
            column: 18,
        },
        Case {
            file: "cohorts/l2-2022.yaml",
            from: "  - id: l2-2022-01-maidstone\n    course: l2-trauma-awareness",
            to: "  - id: l2-2022-01-maidstone\n    course: l2-trauma-awarenes",
            code: "unknown-reference",
            line: 4,
            column: 13,
        },
    ];
    for case in cases {
        let (_tmp, data) = example_copy();
        edit(&data.join(case.file), case.from, case.to);
        // JSON: one error, at most one note, nothing derived.
        let (code, report) = validate_json(&data);
        assert_eq!(code, 1);
        let errors: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == "error")
            .collect();
        assert_eq!(errors.len(), 1, "{}: {:#?}", case.code, report.diagnostics);
        assert_eq!(errors[0].code, case.code, "{:#?}", errors);
        assert_eq!(errors[0].file.as_deref(), Some(case.file));
        if case.line > 0 {
            assert_eq!(
                (errors[0].line, errors[0].column),
                (Some(case.line), Some(case.column)),
                "{}",
                case.code
            );
        }
        let warnings = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == "warning")
            .count();
        assert_eq!(warnings, 0, "{}: {:#?}", case.code, report.diagnostics);
        let notes = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == "note")
            .count();
        assert!(notes <= 1, "{}: {:#?}", case.code, report.diagnostics);
        // The terminal: the error first, the summary says what to do.
        let (_, human) = validate_human(&data);
        assert!(
            human.starts_with(&format!("error[{}]", case.code)),
            "{human}"
        );
        // GitHub and GitLab: the same one error, and a line for the log.
        let gh = tip(&["validate", s(&data), "--format", "github"]);
        let annotations = String::from_utf8_lossy(&gh.stdout);
        assert_eq!(annotations.matches("::error ").count(), 1, "{annotations}");
        assert!(String::from_utf8_lossy(&gh.stderr).contains("is invalid: 1 error"));
        let gl = tip(&["validate", s(&data), "--format", "gitlab"]);
        let issues: Vec<serde_json::Value> = serde_json::from_slice(&gl.stdout).unwrap();
        assert_eq!(
            issues.iter().filter(|i| i["severity"] == "major").count(),
            1
        );
    }
}

/// A CI job always gets a document it can read, and its log a line: on a
/// folder that does not exist (exit 2) too. GitLab fingerprints do not
/// move when a comment line is added above a problem, nor with how the
/// folder is written.
#[test]
fn ci_formats_survive_a_wrong_folder_and_fingerprints_stay_put() {
    let gl = tip(&["validate", "/nonexistent/tip-data", "--format", "gitlab"]);
    assert_eq!(gl.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&gl.stdout), "[]\n");
    assert!(!gl.stderr.is_empty());
    let js = tip(&["validate", "/nonexistent/tip-data", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&js.stdout).unwrap();
    assert_eq!(doc["error"]["exit"], 2, "{doc}");
    let gh = tip(&["validate", "/nonexistent/tip-data", "--format", "github"]);
    assert!(String::from_utf8_lossy(&gh.stdout).starts_with("::error "));

    let (tmp, data) = example_copy();
    edit(
        &data.join("courses.yaml"),
        "    title: Becoming Trauma Informed",
        "    titel: Becoming Trauma Informed",
    );
    let prints = |folder: &str| -> Vec<String> {
        let out = Command::new(env!("CARGO_BIN_EXE_tip"))
            .args(["validate", folder, "--format", "gitlab"])
            .current_dir(tmp.path())
            .output()
            .unwrap();
        let issues: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        issues
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap().to_owned())
            .collect()
    };
    let first = prints("data");
    assert_eq!(prints("./data"), first);
    assert_eq!(prints("data/"), first);
    let text = fs::read_to_string(data.join("courses.yaml")).unwrap();
    fs::write(
        data.join("courses.yaml"),
        format!("# a comment added above\n{text}"),
    )
    .unwrap();
    assert_eq!(prints("data"), first);
}

/// A previous calendar of 500 MB (here a sparse file) costs the build a
/// bounded read, not minutes and gigabytes: its events are taken as new.
#[test]
fn a_huge_previous_calendar_is_read_in_bounded_time() {
    let (tmp, data) = example_copy();
    let site = tmp.path().join("site");
    let (code, _, err) = tip_env(&["build", s(&data), "-o", s(&site)], &[]);
    assert_eq!(code, 0, "{err}");
    let all = site.join("calendars/all.ics");
    let f = fs::OpenOptions::new().append(true).open(&all).unwrap();
    f.set_len(500 << 20).unwrap();
    drop(f);
    let started = std::time::Instant::now();
    let (code, _, err) = tip_env(&["build", s(&data), "-o", s(&site)], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("taken as new"), "{err}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

/// The boundary by identity and content: a hard link to people.csv under
/// a public name is the private file itself; a copy of it renamed `.pdf`
/// is not a PDF. Both are refused before anything is published.
#[test]
fn hard_linked_and_renamed_private_files_are_refused() {
    let (_tmp, data) = example_copy();
    #[cfg(unix)]
    {
        fs::hard_link(data.join("people.csv"), data.join("resources/x.pdf")).unwrap();
        edit(
            &data.join("resources.yaml"),
            "file: resources/understanding-trauma-leaflet.pdf",
            "file: resources/x.pdf",
        );
        let (code, r) = validate_json(&data);
        assert_eq!(code, 1);
        assert!(
            r.diagnostics
                .iter()
                .any(|d| d.code == "private-file" && d.message.contains("people.csv")),
            "{r:#?}"
        );
        fs::remove_file(data.join("resources/x.pdf")).unwrap();
    }
    fs::copy(data.join("people.csv"), data.join("resources/x.pdf")).unwrap();
    let (code, r) = validate_json(&data);
    assert_eq!(code, 1);
    has(&r, "wrong-file-type", "resources.yaml", 18, 11);
    let (code, _, err) = tip_env(&["build", s(&data), "-o", s(&data.join("../site"))], &[]);
    assert_eq!(code, 1, "{err}");
}

/// A cohort file whose name is not UTF-8 is an error naming it (shown
/// lossily), never skipped without a word; an unreadable folder is named.
#[cfg(unix)]
#[test]
fn every_file_name_is_accounted_for() {
    use std::os::unix::ffi::OsStrExt;
    let (_tmp, data) = example_copy();
    let odd = std::ffi::OsStr::from_bytes(b"cohorts/caf\xe9-2022.yaml");
    fs::rename(data.join("cohorts/tier3-2022.yaml"), data.join(odd)).unwrap();
    let (code, _, err) = tip_env(&["validate", s(&data)], &[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("error[not-utf8]") && err.contains("caf\u{fffd}-2022.yaml"),
        "{err}"
    );
    fs::remove_file(data.join(odd)).unwrap();
    // An unreadable folder: its own name in the message (root can read
    // anything, so this part is skipped as root).
    let cohorts = data.join("cohorts");
    fs::set_permissions(
        &cohorts,
        std::os::unix::fs::PermissionsExt::from_mode(0o000),
    )
    .unwrap();
    if fs::read_dir(&cohorts).is_err() {
        let (code, _, err) = tip_env(&["validate", s(&data)], &[]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("the folder `cohorts`"), "{err}");
    }
    fs::set_permissions(
        &cohorts,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
}

/// A YAML tag is refused with a clear message, not dropped.
#[test]
fn yaml_tags_are_refused() {
    let dir = base_with(&[(
        "v.yaml",
        "venues:\n  - id: hall\n    name: Hall\n    capacity: !foo 9\n",
    )]);
    let (code, r) = validate_json(dir.path());
    assert_eq!(code, 1);
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.code == "yaml-syntax")
        .unwrap();
    assert!(d.message.contains("`!foo`"), "{d:?}");
    // At the tag itself, not the value after it.
    assert_eq!(
        (d.file.as_deref(), d.line, d.column),
        (Some("v.yaml"), Some(4), Some(15))
    );
}

/// An unreadable resource or logo is said to be unreadable at `validate`
/// time (not "not a PNG image", not a later exit 2 from `build`). Root
/// reads anything: then there is nothing to see.
#[cfg(unix)]
#[test]
fn unreadable_public_files_are_reported_as_such() {
    use std::os::unix::fs::PermissionsExt;
    let (_tmp, data) = example_copy();
    let logo = data.join("branding/logo.png");
    fs::set_permissions(&logo, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&logo).is_ok() {
        return;
    }
    let (code, r) = validate_json(&data);
    assert_eq!(code, 1);
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.message.contains("logo"))
        .unwrap();
    assert!(d.message.contains("cannot be read"), "{d:?}");
}

/// docs/hostile-inputs.md names a test for each row: each exists.
#[test]
fn every_test_the_hostile_inputs_table_names_exists() {
    let doc = fs::read_to_string(repo().join("docs/hostile-inputs.md")).unwrap();
    let mut sources = String::new();
    for file in walk(&repo().join("crates"))
        .into_iter()
        .chain(walk(&repo().join("tests")))
    {
        if file.extension().is_some_and(|e| e == "rs") {
            sources.push_str(&fs::read_to_string(file).unwrap());
        }
    }
    let mut named = 0;
    for line in doc.lines().filter(|l| l.starts_with('|')) {
        let last = line.trim_end_matches('|').rsplit('|').next().unwrap_or("");
        for name in last.split('`').skip(1).step_by(2) {
            if name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                assert!(sources.contains(&format!("fn {name}(")), "no test `{name}`");
                named += 1;
            }
        }
    }
    assert!(named >= 25, "{named}");
}

#[cfg(feature = "serve")]
/// Peak resident memory of a process, in kB (Linux).
fn peak_kb(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// The preview cannot be knocked over: 2,000 connections left idle and a
/// 200 MB header later it answers normally, in under 100 MB; a foreign
/// `Host` is refused and a head too large is answered 431.
#[cfg(feature = "serve")]
#[test]
fn serve_answers_after_two_thousand_idle_connections_and_a_huge_header() {
    use std::io::{Read, Write};
    let (_tmp, data) = example_copy();
    let preview = Preview::start(Command::new(env!("CARGO_BIN_EXE_tip")), &data);
    let port = preview.port;
    assert!(http_get(port, "/").contains("Next dates"));
    // 2,000 connections that never send a byte, held open.
    let idle: Vec<std::net::TcpStream> = (0..2000)
        .filter_map(|_| std::net::TcpStream::connect(("127.0.0.1", port)).ok())
        .collect();
    assert!(idle.len() >= 1900, "only {} connected", idle.len());
    let started = std::time::Instant::now();
    let page = http_get(port, "/");
    assert!(page.contains("Next dates"), "{page}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "answered in {:?}",
        started.elapsed()
    );
    drop(idle);
    // A header of 200 MB: refused after its first kilobytes.
    {
        let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        c.set_write_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        write!(c, "GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ").unwrap();
        let chunk = vec![b'a'; 1 << 20];
        let mut sent = 0;
        while sent < 200 && c.write_all(&chunk).is_ok() {
            sent += 1;
        }
        assert!(sent < 200, "the server read all 200 MB");
        let mut out = Vec::new();
        let _ = c.read_to_end(&mut out);
        let out = String::from_utf8_lossy(&out);
        assert!(out.is_empty() || out.starts_with("HTTP/1.1 431"), "{out}");
    }
    assert!(http_get(port, "/").contains("Next dates"));
    // Nothing but this computer's names.
    let out = http_raw(port, "GET / HTTP/1.1\r\nHost: rebound.example\r\n\r\n");
    assert!(out.starts_with("HTTP/1.1 421"), "{out}");
    if let Some(kb) = peak_kb(preview.child.id()) {
        assert!(kb < 100 * 1024, "peak {kb} kB");
    }
}

/// A folder the preview cannot read is a problem shown on its page, not
/// the end of the preview. (Run as an ordinary user: as root every folder
/// is readable, so the test runs `tip` as `nobody` through `setpriv`, or
/// says it is skipped.)
#[cfg(unix)]
#[cfg(feature = "serve")]
#[test]
fn serve_shows_an_unreadable_folder_on_its_page() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let open = |p: &Path, mode| fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
    open(tmp.path(), 0o755);
    let data = tmp.path().join("data");
    fs::create_dir(&data).unwrap();
    copy_dir(&repo().join("data/kent-medway"), &data);
    let tip = tmp.path().join("tip");
    fs::copy(env!("CARGO_BIN_EXE_tip"), &tip).unwrap();
    // Readable by `nobody` (folders are made 0755 under the usual umask).
    for file in walk(&data) {
        open(&file, 0o644);
    }
    open(&data, 0o755);
    open(&tip, 0o755);
    let locked = data.join("locked");
    fs::create_dir(&locked).unwrap();
    fs::write(locked.join("venues.yaml"), "venues: []\n").unwrap();
    open(&locked, 0o000);
    let root = fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"));
    let cmd = if root {
        if Command::new("setpriv").arg("--version").output().is_err() {
            eprintln!("skipped: running as root without setpriv");
            return;
        }
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&tip);
        c
    } else {
        Command::new(&tip)
    };
    let mut preview = Preview::start(cmd, &data);
    let page = http_raw(preview.port, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert!(page.contains("The data has problems"), "{page}");
    assert!(page.contains("locked"), "{page}");
    assert!(preview.child.try_wait().unwrap().is_none(), "still serving");
    // Readable again, so the temporary folder can be removed.
    open(&locked, 0o755);
}
