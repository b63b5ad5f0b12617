//! Loading whole data sets: sections in order, parts in parallel.

use super::*;
use proptest::prelude::*;

/// The top-level keys YAML reads in `text`, if it parses.
fn top_level_keys(text: &str) -> Option<Vec<String>> {
    let root: Node = serde_saphyr::from_str_with_options(text, yaml::options()).ok()?;
    Some(match &root.kind {
        Kind::Map(entries) => entries
            .iter()
            .map(|(k, _)| k.text(text).unwrap_or("?").to_owned())
            .collect(),
        _ => Vec::new(),
    })
}

#[test]
fn files_of_cohorts_alone_are_told_by_their_lines() {
    let yes = [
        "cohorts:\n  - id: a\n    course: intro\n",
        "# Cohorts, 2022.\n\n# More.\ncohorts:   # all of them\n  - id: a\n\n  # a note\n  - id: b\n",
        "cohorts:\r\n  - id: a\r\n",
        "cohorts:\n  - name: \"Zoë\n    Ó'Brien\"\n",
    ];
    let no = [
        "",
        "# nothing\n",
        "cohorts:\n  - id: a\npeople:\n  - id: p\n",
        "venues: []\ncohorts:\n  - id: a\n",
        "cohorts: []\n",
        "cohorts: &all\n  - id: a\n",
        "cohorts:#x\n",
        "cohorts:\t\n  - id: a\n",
        "---\ncohorts:\n  - id: a\n",
        "%YAML 1.2\n---\ncohorts:\n",
        "\u{feff}cohorts:\n  - id: a\n",
        "\"cohorts\":\n  - id: a\n",
        "? cohorts\n: []\n",
        "{cohorts: [], people: []}\n",
        "cohorts:\n\t- id: a\n",
        "  cohorts:\n  people:\n",
        // A line YAML breaks where `str::lines` does not.
        "cohorts:\n  - id: a\rpeople: []\n",
        "cohorts:\n  - id: a\u{2028}people: []\n",
        "cohorts:\n  - id: a\u{85}people: []\n",
    ];
    for text in yes {
        assert!(cohorts_only(text), "{text:?}");
        assert_eq!(
            top_level_keys(text),
            Some(vec!["cohorts".to_owned()]),
            "{text:?}"
        );
    }
    for text in no {
        assert!(!cohorts_only(text), "{text:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Whatever the lines, a file taken for cohorts alone has no other
    /// section when YAML reads it.
    #[test]
    fn a_file_taken_for_cohorts_alone_has_no_other_section(
        lines in prop::collection::vec(
            prop::sample::select(vec![
                "cohorts:", "cohorts: # c", "people:", "people: []", "# note", "",
                "  - id: a", "  - \"open", "close\"", "  close\"", "  - [a,", "b]", "  b]",
                "  x: |", "  text", "---", "...", "\t- t", " ", "  people: []",
                "? people", ": []", "{people: []}", "  - id: a\rpeople: []",
                "  - id: a\u{2028}people: []", "  - 'x", "people: 1'",
            ]),
            0..10,
        ),
        crlf in any::<bool>(),
    ) {
        let text = lines.join(if crlf { "\r\n" } else { "\n" });
        if cohorts_only(&text)
            && let Some(keys) = top_level_keys(&text)
        {
            prop_assert_eq!(keys, vec!["cohorts".to_owned()], "{:?}", text);
        }
    }
}

/// A section's files come in file order (each file's parts in order),
/// each YAML file's records before the first CSV file that sorts after
/// it, the diagnostics in the same order.
#[test]
fn csv_and_yaml_files_are_put_in_file_order() {
    let d = |n: u32| Diagnostic::error(Code::CsvSyntax, format!("file {n}"));
    let yaml = || FromYaml {
        by_file: vec![
            (FileId(0), vec![0]),
            (FileId(2), vec![2, 2]),
            (FileId(9), vec![9]),
        ],
        diagnostics: vec![d(0)],
    };
    // A file's records come in its parts.
    let csv = || {
        [
            (FileId(1), vec![vec![1], vec![1, 1]]),
            (FileId(3), vec![vec![3]]),
            (FileId(4), vec![]),
        ]
        .map(|(id, parts)| (id, parts, vec![d(id.0)]))
    };
    let (all, diags) = in_file_order(csv(), yaml());
    let all: Vec<i32> = all.iter().copied().collect();
    assert_eq!(all, [0, 1, 1, 1, 2, 2, 3, 9]);
    let said: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(said, ["file 0", "file 1", "file 3", "file 4"]);
    // No CSV file: the YAML files alone, in order.
    let (all, _) = in_file_order(Vec::new(), yaml());
    assert_eq!(all.iter().copied().collect::<Vec<i32>>(), [0, 2, 2, 9]);
}
