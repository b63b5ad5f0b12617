//! Reading numbers, dates, times, durations, addresses and words.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use crate::diagnostic::Code;
use crate::model::{Booking, Duration, Text};
use crate::suggest::did_you_mean;

use super::parse::{
    is_email, parse_date, parse_datetime, parse_duration, parse_time, parse_weekday,
};
use super::{Ctx, Val};

impl<'a> Ctx<'a> {
    /// A whole number in `min..=u32::MAX`.
    pub(crate) fn int(&mut self, val: Val<'_>, min: u32) -> Option<u32> {
        let s = self.trimmed(val)?;
        let parsed = s.parse::<u64>();
        if let Ok(n) = parsed
            && n >= u64::from(min)
            && n <= u64::from(u32::MAX)
        {
            return Some(n as u32);
        }
        let loc = self.loc_of(val);
        match parsed {
            Ok(n) if n < u64::from(min) => {
                self.error(
                    Code::InvalidNumber,
                    loc,
                    format!("expected a whole number of at least {min}, found {n}"),
                )
                .help = Some(format!("use {min} or more"));
                None
            }
            _ if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                self.error(
                    Code::InvalidNumber,
                    loc,
                    format!("the number `{s}` is too large"),
                )
                .help = Some(format!("the largest allowed is {}", u32::MAX));
                None
            }
            _ => {
                self.error(
                    Code::InvalidNumber,
                    loc,
                    format!("expected a whole number, found `{s}`"),
                )
                .help = Some("write digits only, e.g. `20`".into());
                None
            }
        }
    }

    /// A decimal number ≥ 0.
    pub(crate) fn decimal(&mut self, val: Val<'_>) -> Option<f64> {
        let s = self.trimmed(val)?;
        match s.parse::<f64>() {
            Ok(n) if n.is_finite() && n >= 0.0 => Some(n),
            _ => {
                self.error(
                    Code::InvalidNumber,
                    self.loc_of(val),
                    format!("expected a number of 0 or more, found `{s}`"),
                )
                .help = Some("write a number such as `6.5`".into());
                None
            }
        }
    }

    /// `true` or `false`.
    pub(crate) fn bool(&mut self, val: Val<'_>) -> Option<bool> {
        let s = self.trimmed(val)?;
        match s {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => {
                self.error(
                    Code::InvalidValue,
                    self.loc_of(val),
                    format!("expected `true` or `false`, found `{s}`"),
                )
                .help = Some("write `true` or `false`".into());
                None
            }
        }
    }

    /// A word of a [`Vocabulary`].
    pub(crate) fn vocabulary<T: crate::model::Vocabulary>(&mut self, val: Val<'_>) -> Option<T> {
        self.word(val, T::WORDS).map(|i| T::ALL[i])
    }

    /// One of `words`; returns its position.
    pub(crate) fn word(&mut self, val: Val<'_>, words: &[&str]) -> Option<usize> {
        let s = self.trimmed(val)?;
        if let Some(i) = words.iter().position(|w| *w == s) {
            return Some(i);
        }
        let lower = s.to_lowercase();
        let help = words
            .iter()
            .position(|w| *w == lower)
            .map(|i| format!("write it in lowercase: `{}`", words[i]))
            .or_else(|| did_you_mean(s, words.iter().copied()))
            .unwrap_or_else(|| {
                let all: Vec<_> = words.iter().map(|w| format!("`{w}`")).collect();
                format!("expected one of {}", all.join(", "))
            });
        self.error(
            Code::InvalidValue,
            self.loc_of(val),
            format!("`{s}` is not an allowed value"),
        )
        .help = Some(help);
        None
    }

    /// `YYYY-MM-DD`.
    pub(crate) fn date(&mut self, val: Val<'_>) -> Option<NaiveDate> {
        let s = self.trimmed(val)?;
        match parse_date(s) {
            Ok(d) => Some(d),
            Err(why) => {
                self.error(Code::InvalidDate, self.loc_of(val), why).help =
                    Some("write dates as `YYYY-MM-DD`, e.g. `2022-01-18`".into());
                None
            }
        }
    }

    /// `YYYY-MM-DDTHH:MM[:SS]` (a space may stand for `T`).
    pub(crate) fn datetime(&mut self, val: Val<'_>) -> Option<NaiveDateTime> {
        let s = self.trimmed(val)?;
        match parse_datetime(s) {
            Ok(dt) => Some(dt),
            Err(why) => {
                self.error(Code::InvalidDate, self.loc_of(val), why).help = Some(
                    "write local date-times as `YYYY-MM-DDTHH:MM`, e.g. `2022-01-18T09:30`".into(),
                );
                None
            }
        }
    }

    /// `HH:MM-HH:MM`.
    pub(crate) fn time_range(&mut self, val: Val<'_>) -> Option<(NaiveTime, NaiveTime)> {
        let s = self.trimmed(val)?;
        let loc = self.loc_of(val);
        let parsed = s
            .split_once(['-', '–'])
            .ok_or_else(|| format!("expected a time range like `10:00-12:00`, found `{s}`"))
            .and_then(|(a, b)| Ok((parse_time(a.trim())?, parse_time(b.trim())?)));
        match parsed {
            Ok((start, end)) if end > start => Some((start, end)),
            Ok(_) => {
                self.error(
                    Code::EndBeforeStart,
                    loc,
                    format!("the time range `{s}` ends before it starts"),
                )
                .help =
                    Some("sessions end on the day they start; write the earlier time first".into());
                None
            }
            Err(why) => {
                self.error(Code::InvalidTime, loc, why).help =
                    Some("write times as 24-hour `HH:MM-HH:MM`, e.g. `10:00-12:00`".into());
                None
            }
        }
    }

    /// `3 years`, `18 months`, `6 weeks`, `10 days` (`1 year` too).
    pub(crate) fn duration(&mut self, val: Val<'_>) -> Option<Duration> {
        let s = self.trimmed(val)?;
        match parse_duration(s) {
            Some(d) => Some(d),
            None => {
                self.error(Code::InvalidDuration, self.loc_of(val), format!("expected a duration, found `{s}`"))
                    .help = Some("write a whole number and a unit: `3 years`, `18 months`, `6 weeks` or `10 days`".into());
                None
            }
        }
    }

    /// A percentage `0%`–`100%`.
    pub(crate) fn percentage(&mut self, val: Val<'_>) -> Option<f64> {
        let s = self.trimmed(val)?;
        let n = s
            .strip_suffix('%')
            .and_then(|n| n.trim().parse::<f64>().ok());
        match n {
            Some(n) if (0.0..=100.0).contains(&n) => Some(n),
            _ => {
                self.error(
                    Code::InvalidPercentage,
                    self.loc_of(val),
                    format!("expected a percentage from 0% to 100%, found `{s}`"),
                )
                .help = Some("write it like `80%`".into());
                None
            }
        }
    }

    /// A URL starting `http://` or `https://`.
    pub(crate) fn url(&mut self, val: Val<'_>) -> Option<String> {
        let s = self.text(val)?;
        // No spaces, control characters or characters a URL never holds
        // unescaped: the address is written into calendars and pages.
        let ok = (s.starts_with("https://") || s.starts_with("http://"))
            && s.len() > 8
            && !s
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "\"<>\\^`|".contains(c));
        if !ok {
            self.error(
                Code::InvalidValue,
                self.loc_of(val),
                format!("expected a web address, found `{s}`"),
            )
            .help = Some("write the whole address, starting `https://`".into());
            return None;
        }
        Some(s)
    }

    /// How to book: a form's web address or an email address (a
    /// `mailto:` prefix is dropped).
    pub(crate) fn booking(&mut self, val: Val<'_>) -> Option<Booking> {
        let s = self.text(val)?;
        let s = s.trim();
        if s.starts_with("http://") || s.starts_with("https://") {
            return self.url(val).map(Booking::Form);
        }
        let address = s.strip_prefix("mailto:").unwrap_or(s);
        if is_email(address) {
            return Some(Booking::Email(address.into()));
        }
        self.error(
            Code::InvalidValue,
            self.loc_of(val),
            format!("`{s}` is neither a web address nor an email address"),
        )
        .help = Some(
            "write a booking form's address (`https://…`, with `{cohort}` where the form takes the run's id) or an email address".into(),
        );
        None
    }

    /// A domain name, for calendar UIDs: dot-separated labels of ASCII
    /// letters, digits and `-`, lowercased.
    pub(crate) fn domain(&mut self, val: Val<'_>) -> Option<String> {
        let s = self.text(val)?;
        let ok = s.len() <= 253
            && s.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if !ok {
            self.error(
                Code::InvalidValue,
                self.loc_of(val),
                format!("`{s}` is not a domain name"),
            )
            .help = Some("write the programme's web domain, e.g. `kentandmedway.example`".into());
            return None;
        }
        Some(s.to_ascii_lowercase())
    }

    /// An email address (a light check: one `@`, text on both sides, no spaces).
    pub(crate) fn email(&mut self, val: Val<'_>) -> Option<Text> {
        let s = self.nonempty(val)?;
        if !is_email(s) {
            self.error(
                Code::InvalidValue,
                self.loc_of(val),
                format!("`{s}` is not an email address"),
            )
            .help = Some("write it like `name@example.org`".into());
            return None;
        }
        Some(s.into())
    }

    /// A weekday: `mon`, `monday`, `Mon`.
    pub(crate) fn weekday(&mut self, val: Val<'_>) -> Option<Weekday> {
        let s = self.trimmed(val)?;
        match parse_weekday(s) {
            Some(d) => Some(d),
            None => {
                self.error(
                    Code::InvalidValue,
                    self.loc_of(val),
                    format!("`{s}` is not a day of the week"),
                )
                .help = Some("write `mon`, `tue`, `wed`, `thu`, `fri`, `sat` or `sun`".into());
                None
            }
        }
    }
}
