//! A `VTIMEZONE` generated from the tz database, for any IANA zone.
//!
//! chrono-tz knows the offset in force at any instant but not its
//! transitions, so we find them: step through the range a day at a time and
//! bisect each change of offset to the second. Each transition becomes a
//! `STANDARD` or `DAYLIGHT` observance with its own `DTSTART` (the local
//! time, in the old offset, at which it happens), `TZOFFSETFROM`,
//! `TZOFFSETTO` and `TZNAME` — explicit dates rather than `RRULE`s, which is
//! exact for every zone and every year, including ones whose rules changed.

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

/// The offset in force at an instant: seconds east of UTC, whether it is
/// daylight time, and its abbreviation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offset {
    /// Seconds east of UTC.
    pub seconds: i32,
    /// Summer (daylight saving) time.
    pub daylight: bool,
    /// `GMT`, `BST`, `CET`…
    pub name: String,
}

/// The offset of `tz` at `at`.
pub fn offset_at(tz: Tz, at: DateTime<Utc>) -> Offset {
    let o = tz.offset_from_utc_datetime(&at.naive_utc());
    let total = o.base_utc_offset() + o.dst_offset();
    Offset {
        seconds: total.num_seconds() as i32,
        daylight: !o.dst_offset().is_zero(),
        name: o
            .abbreviation()
            .map_or_else(|| format_offset(total.num_seconds() as i32), str::to_owned),
    }
}

/// A change of offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    /// The instant of the change.
    pub at: DateTime<Utc>,
    /// Before.
    pub from: Offset,
    /// After.
    pub to: Offset,
}

/// Every change of offset of `tz` from `start` to `end` (UTC dates).
pub fn transitions(tz: Tz, start: NaiveDate, end: NaiveDate) -> Vec<Transition> {
    let mut out = Vec::new();
    let mut day = start;
    let at = |d: NaiveDate| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"));
    let mut before = offset_at(tz, at(day));
    while day <= end {
        let next = day + Days::new(1);
        let after = offset_at(tz, at(next));
        if after != before {
            // Bisect to the second.
            let (mut lo, mut hi) = (at(day).timestamp(), at(next).timestamp());
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                let t = DateTime::from_timestamp(mid, 0).expect("in range");
                if offset_at(tz, t) == before {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let when = DateTime::from_timestamp(hi, 0).expect("in range");
            out.push(Transition {
                at: when,
                from: before.clone(),
                to: offset_at(tz, when),
            });
            before = offset_at(tz, at(next));
        }
        day = next;
    }
    out
}

/// `+0100`, `-0530`, `+053045` (RFC 5545 UTC-OFFSET).
pub fn format_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
    if sec == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{sec:02}")
    }
}

fn local(at: DateTime<Utc>, seconds: i32) -> NaiveDateTime {
    at.naive_utc() + chrono::Duration::seconds(seconds.into())
}

/// The lines of a `VTIMEZONE` for `tz` covering every instant from `start`
/// to `end`: the observance in force at the start, then every transition.
pub fn lines(tz: Tz, start: NaiveDate, end: NaiveDate) -> Vec<String> {
    let first = offset_at(
        tz,
        Utc.from_utc_datetime(&start.and_hms_opt(0, 0, 0).expect("midnight")),
    );
    let mut out = vec!["BEGIN:VTIMEZONE".to_string(), format!("TZID:{}", tz.name())];
    let mut observance = |kind: &str, dtstart: NaiveDateTime, from: &Offset, to: &Offset| {
        out.push(format!("BEGIN:{kind}"));
        out.push(format!("DTSTART:{}", dtstart.format("%Y%m%dT%H%M%S")));
        out.push(format!("TZOFFSETFROM:{}", format_offset(from.seconds)));
        out.push(format!("TZOFFSETTO:{}", format_offset(to.seconds)));
        out.push(format!("TZNAME:{}", to.name));
        out.push(format!("END:{kind}"));
    };
    let kind = |o: &Offset| if o.daylight { "DAYLIGHT" } else { "STANDARD" };
    observance(
        kind(&first),
        local(
            Utc.from_utc_datetime(&start.and_hms_opt(0, 0, 0).expect("midnight")),
            first.seconds,
        ),
        &first,
        &first,
    );
    for t in transitions(tz, start, end) {
        observance(kind(&t.to), local(t.at, t.from.seconds), &t.from, &t.to);
    }
    out.push("END:VTIMEZONE".into());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn london_2022_clock_changes() {
        let t = transitions(
            chrono_tz::Europe::London,
            ymd("2022-01-01"),
            ymd("2022-12-31"),
        );
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].at.to_rfc3339(), "2022-03-27T01:00:00+00:00");
        assert_eq!(
            (t[0].from.name.as_str(), t[0].to.name.as_str()),
            ("GMT", "BST")
        );
        assert_eq!(t[1].at.to_rfc3339(), "2022-10-30T01:00:00+00:00");
        assert!(t[0].to.daylight && !t[1].to.daylight);
    }

    #[test]
    fn london_vtimezone_is_labelled_right() {
        let lines = lines(
            chrono_tz::Europe::London,
            ymd("2022-01-01"),
            ymd("2022-12-31"),
        )
        .join("\n");
        insta::assert_snapshot!(lines, @r"
        BEGIN:VTIMEZONE
        TZID:Europe/London
        BEGIN:STANDARD
        DTSTART:20220101T000000
        TZOFFSETFROM:+0000
        TZOFFSETTO:+0000
        TZNAME:GMT
        END:STANDARD
        BEGIN:DAYLIGHT
        DTSTART:20220327T010000
        TZOFFSETFROM:+0000
        TZOFFSETTO:+0100
        TZNAME:BST
        END:DAYLIGHT
        BEGIN:STANDARD
        DTSTART:20221030T020000
        TZOFFSETFROM:+0100
        TZOFFSETTO:+0000
        TZNAME:GMT
        END:STANDARD
        END:VTIMEZONE
        ");
    }

    #[test]
    fn other_zones_work_too() {
        // Kolkata: no transitions, +0530.
        let lines = lines(
            chrono_tz::Asia::Kolkata,
            ymd("2022-01-01"),
            ymd("2022-12-31"),
        );
        assert!(lines.contains(&"TZOFFSETTO:+0530".to_string()));
        // Auckland: summer time in the southern hemisphere.
        let t = transitions(
            chrono_tz::Pacific::Auckland,
            ymd("2022-01-01"),
            ymd("2022-12-31"),
        );
        assert_eq!(t.len(), 2);
        assert_eq!(
            (t[0].to.name.as_str(), t[1].to.name.as_str()),
            ("NZST", "NZDT")
        );
    }
}
