//! "Did you mean …?" hints for near-miss ids and field names.

/// The candidate closest to `name`, phrased as a hint, when one is close
/// enough to be a likely typo.
pub(crate) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    best_match(name, candidates).map(|c| format!("did you mean `{c}`?"))
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
}
