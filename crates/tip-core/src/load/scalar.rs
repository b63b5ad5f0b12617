//! What a plain scalar is, by serde-saphyr's rules with tip's options
//! (YAML 1.2 booleans, `007` kept as text): null, a boolean, a number or
//! text. The line reader types its scalars here, so that its tree is the
//! one serde-saphyr would have given.

use std::borrow::Cow;

use super::tree::{Kind, Typed};

/// What an untagged plain scalar is: see [`plain`].
pub(super) fn plain_kind(value: Cow<'_, str>) -> Option<Kind> {
    Some(match plain(&value)? {
        Plain::Null => Kind::Null,
        Plain::Typed(t) => Kind::Typed(t),
        Plain::Text => Kind::Str(value.into_owned()),
    })
}

enum Plain {
    Null,
    Typed(Typed),
    Text,
}

/// What serde-saphyr makes of an untagged plain scalar with our options
/// (YAML 1.2 booleans, `007` kept as text): null, a boolean, a number, or
/// text. `None` for a number it would refuse (`.inf`, `.nan`, `1e999`).
fn plain(value: &str) -> Option<Plain> {
    if matches!(value, "" | "~" | "null" | "Null" | "NULL") {
        return Some(Plain::Null);
    }
    let t = value.trim_matches([' ', '\t', '\r', '\n']);
    if matches!(t, "true" | "True" | "TRUE" | "false" | "False" | "FALSE") {
        return Some(Plain::Typed(Typed::Bool));
    }
    let (negative, unsigned) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let leading_zero = unsigned.len() > 1
        && unsigned.starts_with('0')
        && unsigned.bytes().all(|b| b.is_ascii_digit());
    if matches!(unsigned.as_bytes(), [b'0', b'X' | b'O' | b'B', ..])
        || (t.starts_with(['+', '-']) && matches!(unsigned, ".nan" | ".NaN" | ".NAN"))
        || leading_zero
    {
        return Some(Plain::Text);
    }
    if integer(unsigned, negative) {
        return Some(Plain::Typed(Typed::Number));
    }
    if matches!(
        unsigned,
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF"
    ) {
        return None;
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(Plain::Typed(Typed::Number)),
        Ok(_) if unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit) => None,
        _ => Some(Plain::Text),
    }
}

/// Whether serde-saphyr reads `unsigned` (the text after any sign) as an
/// integer that fits in 64 bits: decimal, `0x`, `0o` or `0b`, with single
/// underscores between digits.
fn integer(unsigned: &str, negative: bool) -> bool {
    let (radix, digits) = if let Some(d) = unsigned.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = unsigned.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = unsigned.strip_prefix("0b") {
        (2, d)
    } else {
        if unsigned.starts_with('0') && unsigned != "0" {
            return false;
        }
        (10, unsigned)
    };
    let bytes = digits.as_bytes();
    let mut magnitude: u128 = 0;
    let mut seen = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let lone =
                i > 0 && bytes[i - 1] != b'_' && bytes.get(i + 1).is_some_and(|&n| n != b'_');
            if !lone {
                return false;
            }
            continue;
        }
        let Some(d) = (b as char).to_digit(16).filter(|&d| d < radix) else {
            return false;
        };
        let Some(m) = magnitude
            .checked_mul(u128::from(radix))
            .and_then(|m| m.checked_add(u128::from(d)))
        else {
            return false;
        };
        magnitude = m;
        seen = true;
    }
    let limit = if negative {
        u128::from(i64::MIN.unsigned_abs())
    } else {
        u128::from(u64::MAX)
    };
    seen && magnitude <= limit
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::tree::Node;

    #[test]
    fn scalars_are_typed_as_serde_saphyr_types_them() {
        let scalars = [
            "0",
            "7",
            "007",
            "-007",
            "+5",
            "-5",
            "1_000",
            "1__0",
            "_1",
            "1_",
            "0x1F",
            "0X1F",
            "0o17",
            "0O17",
            "0b101",
            "0b102",
            "0x",
            "-0x10",
            "1.5",
            "1.",
            ".5",
            "-.5",
            "1e5",
            "1E-3",
            "+1.5e+3",
            "99999999999999999999",
            "-9223372036854775808",
            "-9223372036854775809",
            "18446744073709551615",
            "18446744073709551616",
            "true",
            "True",
            "TRUE",
            "tRue",
            "false",
            "yes",
            "no",
            "on",
            "off",
            "y",
            "n",
            "null",
            "Null",
            "NULL",
            "nUll",
            "~",
            "inf",
            "-inf",
            "nan",
            "infinity",
            "+.nan",
            "-.NaN",
            "0.0.1",
            "2022-01-18",
            "09:30",
            "09:30-12:30",
            "1:30",
            "12e",
            "e12",
            "1,000",
            "£5",
            "5%",
            "0",
            "-0",
            "+0",
            "00",
            "0.",
            "0e0",
        ];
        for s in scalars {
            let read = serde_saphyr::from_str_with_options::<Node>(
                &format!("a: {s}\n"),
                super::super::yaml::options(),
            );
            let Ok(Node {
                kind: Kind::Map(entries),
                ..
            }) = read
            else {
                panic!("{s}: not read");
            };
            assert_eq!(
                plain_kind(Cow::Borrowed(s)),
                Some(entries.into_iter().next().map(|(_, v)| v.kind).unwrap()),
                "{s}"
            );
        }
        // The refused numbers go to serde-saphyr, which explains them.
        for s in [".inf", "-.inf", ".NaN", "1e999"] {
            assert!(plain_kind(Cow::Borrowed(s)).is_none(), "{s}");
        }
    }
}
