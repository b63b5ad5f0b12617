//! Tags, found for a clear message: tip's data has no use for YAML tags
//! (`!foo`, `!!int`), and serde-saphyr would read the value and drop the
//! tag without a word. The parser's events say where the first one is.
//!
//! granit-parser is the parser serde-saphyr reads with, depended on
//! directly at the version serde-saphyr uses (one copy is built).

use granit_parser::{Event, Parser};

/// The first YAML tag in `text` (`!foo`, `!!int`), with its line, column
/// and how it is written; `None` when there is none, or the text does not
/// parse as far as one.
pub(crate) fn first_tag(text: &str) -> Option<(u32, u32, String)> {
    for event in Parser::new_from_str(text) {
        let Ok((event, span)) = event else {
            return None;
        };
        let tag = match &event {
            Event::Scalar(_, _, _, tag) => tag.clone(),
            Event::SequenceStart(_, _, tag) | Event::MappingStart(_, _, tag) => tag.clone(),
            _ => None,
        };
        if let Some(tag) = tag {
            // The event is placed at its value; the tag is written before it.
            let value = span.start.byte_offset().unwrap_or(0).min(text.len());
            let before = text.get(..value).unwrap_or_default();
            let bang = before.rfind('!').unwrap_or(before.len());
            let start = before[..bang].trim_end_matches('!').len();
            let line_start = before[..start].rfind('\n').map_or(0, |i| i + 1);
            let line = before[..start].matches('\n').count() + 1;
            let col = before[line_start..start].chars().count() + 1;
            let to_u32 = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
            let written = text[start..]
                .split(char::is_whitespace)
                .next()
                .filter(|w| w.starts_with('!'))
                .map_or_else(|| format!("{tag}"), str::to_owned);
            return Some((to_u32(line), to_u32(col), written));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_tag_is_found_where_it_is_written() {
        assert_eq!(
            first_tag("a: 1\nb: !custom x\n"),
            Some((2, 4, "!custom".into()))
        );
        assert_eq!(first_tag("a: 1\nb: '!not a tag'\n"), None);
        assert_eq!(first_tag("- !!int 7\n"), Some((1, 3, "!!int".into())));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]

        /// Any file the line reader turns away comes here, damaged or not:
        /// a tag found is always on a line of the text, at its `!`.
        #[test]
        fn a_tag_in_damaged_yaml_is_placed_inside_the_text(
            file in proptest::sample::select(super::super::yaml_samples::repository_yaml_files()),
            at in proptest::prelude::any::<proptest::sample::Index>(),
            insert in proptest::sample::select(vec!["!t ", "!!str ", "'", "\"", "\n", "- ", ": ", "é"]),
        ) {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            let text = super::super::yaml_samples::damaged(text, at, insert);
            if let Some((line, col, tag)) = first_tag(&text) {
                let l = text.lines().nth(line as usize - 1);
                proptest::prop_assert!(l.is_some(), "line {line} of {text:?}");
                let from: String = l.unwrap_or_default().chars().skip(col as usize - 1).collect();
                proptest::prop_assert!(from.starts_with('!'), "{tag} at {line}:{col} of {text:?}");
            }
        }
    }
}
