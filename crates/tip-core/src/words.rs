//! English for messages and pages: lists, plurals, articles and numbers
//! as people write them. One copy, used by the core's reasons and by the
//! site's pages.

/// A whole number with thousands separators: `1,000,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `A`, `A or B`, `A, B or C` (with `joiner` in place of "or").
pub fn list(items: impl IntoIterator<Item = String>, joiner: &str) -> String {
    let items: Vec<String> = items.into_iter().collect();
    match items.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {joiner} {last}", init.join(", ")),
    }
}

/// `A, B or C`.
pub fn or_list(items: impl IntoIterator<Item = String>) -> String {
    list(items, "or")
}

/// "Manager" → "Managers" (a name ending in `s` stays).
pub fn plural(name: &str) -> String {
    if name.ends_with('s') {
        name.to_owned()
    } else {
        format!("{name}s")
    }
}

/// "a Manager", "an Ambassador".
pub fn with_article(name: &str) -> String {
    let vowel = name
        .chars()
        .next()
        .is_some_and(|c| "AEIOUaeiou".contains(c));
    format!("{} {name}", if vowel { "an" } else { "a" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_naturally() {
        assert_eq!(or_list(["A".to_string()]), "A");
        assert_eq!(
            or_list(["A".to_string(), "B".to_string(), "C".to_string()]),
            "A, B or C"
        );
        assert_eq!(list(["A".into(), "B".into()], "and"), "A and B");
        assert_eq!(plural("Senior leader"), "Senior leaders");
        assert_eq!(with_article("Front line worker"), "a Front line worker");
        assert_eq!(with_article("Ambassador"), "an Ambassador");
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(20_000), "20,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
