//! UK bank holidays: England and Wales, Scotland, Northern Ireland.
//!
//! The regular holidays are computed from the rules of the Banking and
//! Financial Dealings Act 1971 and the customary substitute days (a holiday
//! on a weekend moves to the next weekday not already a holiday). The
//! one-off days and moved days, each made by royal proclamation, are data:
//! [`CHANGES`], one row per day with its reason.
//!
//! Valid for 1995–2099: the years after the early May bank holiday began
//! (1978) and since the last one-off day before 2012 that the table lists
//! (1995). Days proclaimed after this table was written must be added to
//! it. The tests check every year of two snapshots of GOV.UK's
//! `bank-holidays.json` (2012–2015 and 2019–2027, vendored in
//! `tests/fixtures/`) in all three calendars, and every row of the table.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::model::HolidayCalendar;

/// A one-off change to the regular bank holidays, made by royal
/// proclamation, in all three UK calendars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change {
    /// The bank holiday, `(year, month, day)`.
    pub date: (i32, u32, u32),
    /// The regular holiday it replaces, when it moved one.
    pub moved_from: Option<(i32, u32, u32)>,
    /// Why.
    pub reason: &'static str,
    /// The one calendar it was proclaimed for, when not all three.
    pub only: Option<HolidayCalendar>,
}

/// Every one-off and moved bank holiday from 1995, in date order. Sources:
/// the proclamations in The London Gazette, and GOV.UK's
/// `bank-holidays.json` from 2012.
pub const CHANGES: &[Change] = &[
    Change {
        date: (1995, 5, 8),
        moved_from: Some((1995, 5, 1)),
        reason: "early May bank holiday moved for the 50th anniversary of VE Day",
        only: None,
    },
    Change {
        date: (1999, 12, 31),
        moved_from: None,
        reason: "Millennium bank holiday",
        only: None,
    },
    Change {
        date: (2002, 6, 3),
        moved_from: None,
        reason: "Golden Jubilee of Queen Elizabeth II",
        only: None,
    },
    Change {
        date: (2002, 6, 4),
        moved_from: Some((2002, 5, 27)),
        reason: "spring bank holiday moved for the Golden Jubilee",
        only: None,
    },
    Change {
        date: (2011, 4, 29),
        moved_from: None,
        reason: "wedding of Prince William and Catherine Middleton",
        only: None,
    },
    Change {
        date: (2012, 6, 4),
        moved_from: Some((2012, 5, 28)),
        reason: "spring bank holiday moved for the Diamond Jubilee",
        only: None,
    },
    Change {
        date: (2012, 6, 5),
        moved_from: None,
        reason: "Diamond Jubilee of Queen Elizabeth II",
        only: None,
    },
    Change {
        date: (2020, 5, 8),
        moved_from: Some((2020, 5, 4)),
        reason: "early May bank holiday moved for the 75th anniversary of VE Day",
        only: None,
    },
    Change {
        date: (2022, 6, 2),
        moved_from: Some((2022, 5, 30)),
        reason: "spring bank holiday moved for the Platinum Jubilee",
        only: None,
    },
    Change {
        date: (2022, 6, 3),
        moved_from: None,
        reason: "Platinum Jubilee of Queen Elizabeth II",
        only: None,
    },
    Change {
        date: (2022, 9, 19),
        moved_from: None,
        reason: "State Funeral of Queen Elizabeth II",
        only: None,
    },
    Change {
        date: (2023, 5, 8),
        moved_from: None,
        reason: "Coronation of King Charles III",
        only: None,
    },
    Change {
        date: (2026, 6, 15),
        moved_from: None,
        reason: "Scotland's first match at the 2026 FIFA World Cup",
        only: Some(HolidayCalendar::Scotland),
    },
];

/// The first and last years the rules are valid for.
pub const YEARS: std::ops::RangeInclusive<i32> = 1995..=2099;

fn ymd((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

/// Every bank holiday of `calendar` in `year`, sorted.
pub fn bank_holidays(calendar: HolidayCalendar, year: i32) -> Vec<NaiveDate> {
    let date = |m, d| ymd((year, m, d));
    let mut fixed: Vec<NaiveDate> = Vec::new(); // fixed-date days, substituted if on a weekend
    let mut days: Vec<NaiveDate> = Vec::new(); // days that fall on weekdays by rule
    if calendar == HolidayCalendar::None {
        return days;
    }
    let easter = easter_sunday(year);
    days.push(easter - Days::new(2)); // Good Friday
    if calendar != HolidayCalendar::Scotland {
        days.push(easter + Days::new(1)); // Easter Monday
    }
    days.push(first_monday(year, 5)); // Early May
    days.push(last_weekday(year, 5, Weekday::Mon)); // Spring
    // Summer: the first Monday of August in Scotland, else the last.
    days.push(match calendar {
        HolidayCalendar::Scotland => first_monday(year, 8),
        _ => last_weekday(year, 8, Weekday::Mon),
    });
    // The year's one-off and moved days.
    for change in CHANGES
        .iter()
        .filter(|c| c.date.0 == year && c.only.is_none_or(|only| only == calendar))
    {
        if let Some(from) = change.moved_from {
            days.retain(|d| *d != ymd(from));
        }
        days.push(ymd(change.date));
    }

    fixed.push(date(1, 1));
    if calendar == HolidayCalendar::Scotland {
        fixed.push(date(1, 2));
        // St Andrew's Day: a bank holiday from 2007 (St Andrew's Day Bank
        // Holiday (Scotland) Act 2007).
        if year >= 2007 {
            fixed.push(date(11, 30));
        }
    }
    if calendar == HolidayCalendar::NorthernIreland {
        fixed.push(date(3, 17)); // St Patrick's Day
        fixed.push(date(7, 12)); // Battle of the Boyne
    }
    fixed.push(date(12, 25));
    fixed.push(date(12, 26));

    // Substitute days: a fixed holiday on a weekend moves to the next
    // weekday that is not already a holiday, in date order.
    fixed.sort();
    for day in fixed {
        let mut d = day;
        while is_weekend(d) || days.contains(&d) {
            d = d.succ_opt().expect("within the calendar");
        }
        days.push(d);
    }
    days.sort();
    days.dedup();
    days
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The n-th (1-based) `weekday` of a month, if the month has one (a
/// month has four or five of each weekday).
pub(crate) fn nth_weekday(year: i32, month: u32, n: u8, weekday: Weekday) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, n)
}

fn first_monday(year: i32, month: u32) -> NaiveDate {
    nth_weekday(year, month, 1, Weekday::Mon).expect("every month has a first Monday")
}

/// The last `weekday` of a month.
pub(crate) fn last_weekday(year: i32, month: u32, weekday: Weekday) -> NaiveDate {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .expect("a real date");
    let last = first_of_next.pred_opt().expect("a real date");
    let back = (7 + last.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
    last - Days::new(back.into())
}

/// Easter Sunday (Gregorian), by the anonymous Gregorian algorithm
/// (Meeus/Jones/Butcher).
pub(crate) fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("Easter is a real date")
}

#[cfg(test)]
mod tests {
    use super::*;
    use HolidayCalendar::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// Every year of a GOV.UK `bank-holidays.json` snapshot, in every
    /// division, matches what we compute, but for the days proclaimed
    /// after the snapshot was taken (`later`).
    fn matches_gov_uk(json: &str, later: &[(HolidayCalendar, &str)]) -> usize {
        let data: serde_json::Value = serde_json::from_str(json).unwrap();
        let mut checked = 0;
        for (division, calendar) in [
            ("england-and-wales", EnglandAndWales),
            ("scotland", Scotland),
            ("northern-ireland", NorthernIreland),
        ] {
            let mut by_year: std::collections::BTreeMap<i32, Vec<NaiveDate>> = Default::default();
            for event in data[division]["events"].as_array().unwrap() {
                let d = day(event["date"].as_str().unwrap());
                by_year.entry(d.year()).or_default().push(d);
            }
            for &(_, d) in later.iter().filter(|(c, _)| *c == calendar) {
                let d = day(d);
                by_year.entry(d.year()).or_default().push(d);
            }
            for (year, mut expected) in by_year {
                expected.sort();
                assert_eq!(bank_holidays(calendar, year), expected, "{division} {year}");
                checked += 1;
            }
        }
        checked
    }

    #[test]
    fn every_year_of_gov_uk_2012_to_2015_matches() {
        let json = include_str!("../../tests/fixtures/gov-uk-bank-holidays-2014.json");
        assert_eq!(matches_gov_uk(json, &[]), 3 * 4);
    }

    #[test]
    fn every_year_of_gov_uk_2019_to_2027_matches() {
        let json = include_str!("../../tests/fixtures/gov-uk-bank-holidays-2025.json");
        // Scotland's World Cup day was proclaimed after this snapshot;
        // scripts/check_holidays.py compares with python-holidays, which
        // has it.
        assert_eq!(matches_gov_uk(json, &[(Scotland, "2026-06-15")]), 3 * 9);
    }

    #[test]
    fn every_change_is_a_holiday_everywhere_and_replaces_its_day() {
        for change in CHANGES {
            let d = ymd(change.date);
            assert!(YEARS.contains(&d.year()));
            assert!(!is_weekend(d), "{d}");
            for calendar in [EnglandAndWales, Scotland, NorthernIreland] {
                let days = bank_holidays(calendar, d.year());
                if change.only.is_some_and(|only| only != calendar) {
                    assert!(!days.contains(&d), "{d} is not a holiday in {calendar:?}");
                    continue;
                }
                assert!(days.contains(&d), "{d} {calendar:?}");
                if let Some(from) = change.moved_from {
                    assert!(!days.contains(&ymd(from)), "{from:?} {calendar:?}");
                }
            }
            assert!(bank_holidays(None, d.year()).is_empty());
        }
        // The regression: a session on the royal wedding day moves.
        assert!(bank_holidays(EnglandAndWales, 2011).contains(&day("2011-04-29")));
        assert!(bank_holidays(EnglandAndWales, 1999).contains(&day("1999-12-31")));
        // 2000: New Year's Day on a Saturday, so Monday 3 January; in
        // Scotland 2 January (a Sunday) moves to Tuesday 4 January.
        assert!(bank_holidays(Scotland, 2000).contains(&day("2000-01-04")));
    }

    #[test]
    fn every_year_of_the_range_is_plausible() {
        for year in YEARS {
            for calendar in [EnglandAndWales, Scotland, NorthernIreland] {
                let days = bank_holidays(calendar, year);
                assert!(
                    (8..=12).contains(&days.len()),
                    "{year} {calendar:?} {days:?}"
                );
                assert!(
                    days.iter().all(|d| !is_weekend(*d) && d.year() == year),
                    "{days:?}"
                );
            }
        }
    }

    #[test]
    fn easter() {
        assert_eq!(easter_sunday(2022), day("2022-04-17"));
        assert_eq!(easter_sunday(2024), day("2024-03-31"));
        assert_eq!(easter_sunday(2030), day("2030-04-21"));
    }

    #[test]
    fn nth_and_last_weekdays() {
        assert_eq!(
            nth_weekday(2022, 3, 2, Weekday::Tue),
            Some(day("2022-03-08"))
        );
        assert_eq!(
            nth_weekday(2022, 3, 5, Weekday::Thu),
            Some(day("2022-03-31"))
        );
        assert_eq!(nth_weekday(2022, 2, 5, Weekday::Tue), Option::None);
        assert_eq!(last_weekday(2022, 12, Weekday::Fri), day("2022-12-30"));
        assert_eq!(last_weekday(2022, 2, Weekday::Mon), day("2022-02-28"));
    }
}
