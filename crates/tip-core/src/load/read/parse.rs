//! Parsing the text of one value: dates, times, durations, ids, emails.
//! Pure functions, no diagnostics: the readers on `Ctx` report.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use crate::model::Duration;

/// The light check of an email address: one `@` with text before it and a
/// dot after it, and no whitespace, control character or
/// `"(),:;<>[\]`.
pub(super) fn is_email(s: &str) -> bool {
    if !s.is_ascii() {
        return is_email_by_chars(s);
    }
    // By bytes (a million emails): in ASCII the whitespace and control
    // characters are the bytes up to space, and DEL.
    // One pass: one `@`, not first, a dot after it, nothing forbidden.
    let (mut at, mut dot_after_at) = (None, false);
    for (i, &c) in s.as_bytes().iter().enumerate() {
        match c {
            b'@' if at.is_some() => return false,
            b'@' => at = Some(i),
            b'.' => dot_after_at |= at.is_some(),
            c if c <= b' ' || c == 0x7f || email_punctuation(char::from(c)) => return false,
            _ => {}
        }
    }
    at.is_some_and(|at| at > 0) && dot_after_at
}

/// [`is_email`] by characters, for any text.
pub(super) fn is_email_by_chars(s: &str) -> bool {
    s.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && !domain.contains('@') && domain.contains('.')
    }) && !s
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || email_punctuation(c))
}

pub(super) fn email_punctuation(c: char) -> bool {
    matches!(
        c,
        '"' | '(' | ')' | ',' | ':' | ';' | '<' | '>' | '[' | '\\' | ']'
    )
}

/// `str::trim`, without its cost when there is nothing to trim (the
/// common case: a million cells are trimmed).
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    let untrimmed = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_whitespace() || !b.is_ascii());
    if untrimmed(s.as_bytes().first()) || untrimmed(s.as_bytes().last()) {
        s.trim()
    } else {
        s
    }
}

/// Whether `s` is a valid id.
pub fn is_id(s: &str) -> bool {
    let bytes = s.as_bytes();
    !bytes.is_empty()
        && (bytes[0].is_ascii_lowercase() || bytes[0].is_ascii_digit())
        && bytes
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The nearest valid id to `s` (`My Programme!` → `my-programme`): for
/// hints, and for ids made from names.
pub fn to_id(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

pub(super) fn split_words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(' ')
        .scan(0usize, |pos, word| {
            let start = *pos;
            *pos += word.len() + 1;
            Some((start, word))
        })
        .filter(|(_, w)| !w.is_empty())
}

/// Parse `YYYY-MM-DD` strictly, explaining what is wrong.
pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, String> {
    // Three million completions each have one: digit by digit, no loop.
    let shaped = <&[u8; 10]>::try_from(s.as_bytes())
        .ok()
        .filter(|b| b[4] == b'-' && b[7] == b'-')
        .map(|b| b.map(|c| u32::from(c.wrapping_sub(b'0'))))
        .filter(|n| [0, 1, 2, 3, 5, 6, 8, 9].iter().all(|&i| n[i] < 10));
    let Some(n) = shaped else {
        return Err(format!("expected a date `YYYY-MM-DD`, found `{s}`"));
    };
    let (y, m, d) = (
        (n[0] * 1000 + n[1] * 100 + n[2] * 10 + n[3]) as i32,
        n[5] * 10 + n[6],
        n[8] * 10 + n[9],
    );
    if !(1900..=2200).contains(&y) {
        return Err(format!("the date `{s}` is outside the years 1900 to 2200"));
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("the date `{s}` does not exist"))
}

/// Parse `HH:MM` or `HH:MM:SS` (24-hour).
/// A local date-time: `YYYY-MM-DDTHH:MM` (or a space for the `T`, a
/// one-digit hour, seconds), as docs/data-format.md says.
pub(crate) fn parse_datetime(s: &str) -> Result<NaiveDateTime, String> {
    match s.find(['T', ' ']) {
        Some(i) => {
            parse_date(&s[..i]).and_then(|d| parse_time(s[i + 1..].trim()).map(|t| d.and_time(t)))
        }
        None => Err(format!("expected a date and time, found `{s}`")),
    }
}

pub(crate) fn parse_time(s: &str) -> Result<NaiveTime, String> {
    let parts: Vec<_> = s.split(':').collect();
    let nums: Option<Vec<u32>> = parts
        .iter()
        .map(|p| {
            (p.len() == 2 || (p.len() == 1 && parts.len() > 1))
                .then(|| p.parse().ok())
                .flatten()
        })
        .collect();
    match nums.as_deref() {
        Some([h, m]) => NaiveTime::from_hms_opt(*h, *m, 0),
        // Times are to the minute: `:00` seconds (as spreadsheets write
        // them) are accepted, any others refused rather than dropped.
        Some([h, m, 0]) => NaiveTime::from_hms_opt(*h, *m, 0),
        Some([_, _, _]) => {
            return Err(format!(
                "the time `{s}` has seconds: sessions are timed to the minute"
            ));
        }
        _ => return Err(format!("expected a time `HH:MM`, found `{s}`")),
    }
    .ok_or_else(|| format!("the time `{s}` does not exist"))
}

/// Parse a duration such as `3 years` or `18 months`.
pub(crate) fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let n: u32 = s[..split].parse().ok()?;
    let unit = s[split..].trim().to_ascii_lowercase();
    let unit = unit.strip_suffix('s').unwrap_or(&unit);
    let scale = |n: u32, by: u32| n.checked_mul(by);
    match unit {
        "year" => scale(n, 12).map(Duration::Months),
        "month" => Some(Duration::Months(n)),
        "week" => scale(n, 7).map(Duration::Days),
        "day" => Some(Duration::Days(n)),
        _ => None,
    }
}

/// `mon`, `Monday`, `tues`…
pub(crate) fn parse_weekday(s: &str) -> Option<Weekday> {
    let lower = s.trim().to_ascii_lowercase();
    let days = [
        ("mon", Weekday::Mon),
        ("tue", Weekday::Tue),
        ("wed", Weekday::Wed),
        ("thu", Weekday::Thu),
        ("fri", Weekday::Fri),
        ("sat", Weekday::Sat),
        ("sun", Weekday::Sun),
    ];
    let full = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    days.iter()
        .zip(full)
        .find(|((short, _), long)| lower == *short || lower == *long)
        .map(|((_, d), _)| *d)
}

/// Where cell `index` of the row starting at `raw` begins: lines below the
/// row's first, the 1-based character column of its text (after an opening
/// quote), and its byte offset in `raw`. Quotes, doubled quotes inside them
/// and line breaks inside a quoted cell are counted as the source has them.
pub(crate) fn cell_start(raw: &str, index: usize) -> (u32, u32, usize) {
    let (mut line, mut col) = (0u32, 1u32);
    let mut chars = raw.char_indices().peekable();
    let mut cell = 0;
    loop {
        let quoted = matches!(chars.peek(), Some((_, '"')));
        if quoted {
            chars.next();
            col += 1;
        }
        if cell == index {
            let byte = chars.peek().map_or(raw.len(), |&(b, _)| b);
            return (line, col, byte);
        }
        if quoted {
            loop {
                match chars.next() {
                    None => return (line, col, raw.len()),
                    Some((_, '"')) if matches!(chars.peek(), Some((_, '"'))) => {
                        chars.next();
                        col += 2;
                    }
                    Some((_, '"')) => {
                        col += 1;
                        break;
                    }
                    Some((_, '\n')) => {
                        line += 1;
                        col = 1;
                    }
                    Some(_) => col += 1,
                }
            }
        }
        // To the comma that ends the cell.
        loop {
            match chars.next() {
                None | Some((_, '\n' | '\r')) => return (line, col, raw.len()),
                Some((_, ',')) => {
                    col += 1;
                    break;
                }
                Some(_) => col += 1,
            }
        }
        cell += 1;
    }
}
