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

/// The WCAG contrast ratio of a `#rrggbb` colour against white (1 to 21).
pub fn contrast_with_white(colour: &str) -> Option<f64> {
    let hex = colour.strip_prefix('#').filter(|h| h.len() == 6)?;
    let channel = |i: usize| -> Option<f64> {
        let c = f64::from(u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()?) / 255.0;
        Some(if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        })
    };
    let l = 0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?;
    Some(1.05 / (l + 0.05))
}

/// `13 hours`, `1 hour`, `1.5 hours`: as people write a number of hours.
pub fn hours(n: f64) -> String {
    let s = format!("{n:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "1" {
        "1 hour".into()
    } else {
        format!("{s} hours")
    }
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

/// A bidirectional embedding, override or isolate control (U+202A–U+202E,
/// U+2066–U+2069): in a name it can make the printed text read backwards
/// (`validate` warns, `bidi-control`).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_follows_wcag() {
        let r = |c| (contrast_with_white(c).unwrap() * 100.0).round() / 100.0;
        assert_eq!(r("#000000"), 21.0);
        assert_eq!(r("#ffffff"), 1.0);
        assert_eq!(r("#767676"), 4.54, "the lightest grey that passes AA");
        assert!(contrast_with_white("#ffd700").unwrap() < 1.5, "yellow");
        assert!(contrast_with_white("red").is_none());
    }

    #[test]
    fn hours_as_people_write_them() {
        assert_eq!(hours(13.0), "13 hours");
        assert_eq!(hours(1.0), "1 hour");
        assert_eq!(hours(1.5), "1.5 hours");
    }

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
