//! Reading values: the readers and the parsers under them.

use super::*;
use crate::dataset::IdTable;
use crate::model::Duration;
use chrono::{NaiveDate, NaiveTime, Weekday};
use proptest::prelude::*;

#[test]
fn fields_are_found_by_name_whatever_the_address() {
    let fields = crate::schema::section("completions").unwrap().fields;
    let memo = FieldMemo::default();
    let date: &'static str = String::from("date").leak();
    for _ in 0..3 {
        assert_eq!(memo.field(fields, "person"), Some(0));
        assert_eq!(memo.field(fields, "source"), Some(3));
        // The same name at another address, and a longer one at the
        // same address.
        assert_eq!(memo.field(fields, date), Some(2));
        assert_eq!(memo.field(fields, &"course-x"[..6]), Some(1));
        assert_eq!(memo.field(fields, "courses"), None);
    }
    // Past the memo's size, names are still found.
    let names: Vec<&'static str> = (0..10)
        .map(|i| format!("person{i}").leak() as &str)
        .collect();
    for name in names {
        assert_eq!(memo.field(fields, name), None);
        assert_eq!(memo.field(fields, &name[..6]), Some(0));
    }
}

#[test]
fn emails_are_checked_lightly() {
    for ok in [
        "a@b.org",
        "p0000000@example.org",
        "zoë@exämple.org",
        "a.b@c.d",
    ] {
        assert!(is_email(ok), "{ok}");
    }
    for bad in [
        "",
        "@b.org",
        "a@b",
        "a@@b.org",
        "a@b@c.org",
        "a b@c.org",
        "a@b.org\t",
        "a\u{7f}@b.org",
        "a@b.org\u{85}",
        "a@b.org\u{a0}",
        "<a@b.org>",
        "a,b@c.org",
        "a@[1.2.3.4]",
    ] {
        assert!(!is_email(bad), "{bad:?}");
    }
}

proptest! {
    /// The byte-wise check of ASCII addresses is the character-wise one.
    #[test]
    fn ascii_emails_are_judged_as_by_characters(s in "[ -~\\t\\x00-\\x1f\\x7f@.a]{0,12}") {
        prop_assert_eq!(is_email(&s), is_email_by_chars(&s));
    }

    /// A date is what chrono reads with `%Y-%m-%d`, written with four,
    /// two and two digits, in the years 1900 to 2200.
    #[test]
    fn dates_are_read_as_chrono_reads_them(
        s in "[0-9]{4}-[0-9]{2}-[0-9]{2}|(19|20|21|22)[0-9]{2}-[01][0-9]-[0-3][0-9]|[0-9 +-]{0,11}"
    ) {
        use chrono::Datelike;
        let shaped = s.len() == 10
            && s.bytes().enumerate().all(|(i, c)| match i {
                4 | 7 => c == b'-',
                _ => c.is_ascii_digit(),
            });
        let chrono = NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .ok()
            .filter(|d| shaped && (1900..=2200).contains(&d.year()));
        prop_assert_eq!(parse_date(&s).ok(), chrono);
    }
}

#[test]
fn dates_must_exist() {
    assert!(parse_date("2022-01-18").is_ok());
    assert_eq!(
        parse_date("2022-02-30").unwrap_err(),
        "the date `2022-02-30` does not exist"
    );
    assert!(parse_date("18/01/2022").is_err());
    assert!(parse_date("2022-1-18").is_err());
    assert_eq!(
        parse_date("9999-12-31").unwrap_err(),
        "the date `9999-12-31` is outside the years 1900 to 2200"
    );
}

#[test]
fn times_are_24_hour() {
    assert_eq!(
        parse_time("09:30").unwrap(),
        NaiveTime::from_hms_opt(9, 30, 0).unwrap()
    );
    assert_eq!(
        parse_time("9:30").unwrap(),
        NaiveTime::from_hms_opt(9, 30, 0).unwrap()
    );
    assert!(parse_time("25:00").is_err());
    assert!(parse_time("9.30").is_err());
}

#[test]
fn durations_in_years_months_weeks_days() {
    assert_eq!(parse_duration("3 years"), Some(Duration::Months(36)));
    assert_eq!(parse_duration("18 months"), Some(Duration::Months(18)));
    assert_eq!(parse_duration("1 year"), Some(Duration::Months(12)));
    assert_eq!(parse_duration("6 weeks"), Some(Duration::Days(42)));
    assert_eq!(parse_duration("3 fortnights"), None);
    assert_eq!(parse_duration("years"), None);
    assert_eq!(parse_duration("99999999999 years"), None);
}

#[test]
fn id_table_keeps_first_of_repeats_and_batch_lookups_agree() {
    let mut table = IdTable::new("people", "person");
    let ids: Vec<String> = (0..5000).map(|i| format!("p{i:05}")).collect();
    let mut refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    refs.push("p00042");
    assert_eq!(table.extend(&[&refs], |id| id, 10), vec![(5010, 52)]);
    assert_eq!(table.len(), 5000);
    let probe = ["p00042", "nobody", "p04999", ""];
    let batch = table.get_many(&probe);
    let single: Vec<Option<u32>> = probe
        .iter()
        .map(|id| table.get::<()>(id).map(|ix| ix.index() as u32))
        .collect();
    assert_eq!(batch, single);
    assert_eq!(batch, vec![Some(52), None, Some(5009), None]);
}

#[test]
fn ids_are_lowercase_kebab() {
    assert!(is_id("l2-trauma-awareness"));
    assert!(is_id("2022-east"));
    assert!(!is_id("-x"));
    assert!(!is_id("East_Kent"));
    assert_eq!(to_id("East_Kent"), "east-kent");
}

#[test]
fn weekdays_short_and_long() {
    assert_eq!(parse_weekday("Tuesday"), Some(Weekday::Tue));
    assert_eq!(parse_weekday("fri"), Some(Weekday::Fri));
    assert_eq!(parse_weekday("fry"), None);
}

#[cfg(test)]
mod datetime_tests {
    use super::*;

    /// What docs/data-format.md says a local date-time may be.
    #[test]
    fn date_times_accept_exactly_what_the_docs_say() {
        let parse = parse_datetime;
        for ok in [
            "2022-01-18T09:30",
            "2022-01-18 09:30",
            "2022-01-18T9:30",
            "2022-01-18T09:30:00",
        ] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "2022-01-18T09:30Z",
            "2022-01-18T09:30+01:00",
            "2022-01-18T9:30pm",
            "18/01/2022 09:30",
            "2022-01-18T0930",
            "2022-01-18",
            // Seconds other than `:00` are refused, not dropped.
            "2022-01-18T09:30:45",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(
            parse("2022-01-18T09:30:45")
                .unwrap_err()
                .contains("seconds")
        );
    }
}
