//! "Did you mean …?" hints for near-miss ids and field names.

/// The candidate closest to `name`, phrased as a hint, when one is close
/// enough to be a likely typo.
pub(crate) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let found = near(name, &candidates);
    match found.as_slice() {
        [] => None,
        [one] => Some(format!("did you mean `{one}`?")),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(|c| format!("`{c}`")).collect();
            Some(format!("did you mean {} or `{last}`?", init.join(", ")))
        }
    }
}

/// The candidates `name` most likely meant: the same words in another
/// order (`kent-east` for `east-kent`), else a near-miss spelling, else
/// up to three that start with it as a whole word (`l2` for
/// `l2-trauma-awareness`).
fn near<'a>(name: &str, candidates: &[&'a str]) -> Vec<&'a str> {
    let words = |s: &str| {
        let mut w: Vec<String> = s
            .to_lowercase()
            .split(['-', '_', ' '])
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        w.sort();
        w
    };
    let mine = words(name);
    if mine.len() > 1
        && let Some(c) = candidates.iter().find(|c| words(c) == mine)
    {
        return vec![c];
    }
    if let Some(c) = best_match(name, candidates.iter().copied()) {
        return vec![c];
    }
    let prefix = format!("{}-", name.to_lowercase());
    let mut starts: Vec<&str> = candidates
        .iter()
        .copied()
        .filter(|c| c.to_lowercase().starts_with(&prefix))
        .collect();
    starts.sort_unstable();
    starts.truncate(3);
    starts
}

/// The candidate closest to `name`, if any is close enough.
pub(crate) fn best_match<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let score = strsim::jaro_winkler(&lower, &c.to_lowercase());
            let edits = strsim::levenshtein(&lower, &c.to_lowercase());
            (c, score, edits)
        })
        .filter(|&(c, score, edits)| score >= 0.85 || (edits <= 2 && edits < c.chars().count()))
        .max_by(|a, b| {
            a.1.partial_cmp(&b.1)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| b.0.cmp(a.0))
        })
        .map(|(c, _, _)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_misses_only() {
        let ids = ["becoming-ti", "l2-trauma-awareness", "ambassador-north"];
        assert_eq!(best_match("becomming-ti", ids), Some("becoming-ti"));
        assert_eq!(
            best_match("l2-trauma-awarenes", ids),
            Some("l2-trauma-awareness")
        );
        assert_eq!(best_match("zzz", ids), None);
        assert_eq!(
            best_match("titel", ["title", "tier", "format"]),
            Some("title")
        );
    }

    #[test]
    fn suggests_reordered_words_and_whole_word_prefixes() {
        let ids = [
            "east-kent",
            "north-kent",
            "l2-trauma-awareness",
            "l2-train-the-trainer",
        ];
        assert_eq!(
            did_you_mean("kent-east", ids).as_deref(),
            Some("did you mean `east-kent`?")
        );
        assert_eq!(
            did_you_mean("l2", ids).as_deref(),
            Some("did you mean `l2-train-the-trainer` or `l2-trauma-awareness`?")
        );
        assert_eq!(did_you_mean("kent", ids), None);
    }
}
