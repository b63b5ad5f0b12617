//! UK bank holidays: England and Wales, Scotland, Northern Ireland.
//!
//! The regular holidays are computed from the rules of the Banking and
//! Financial Dealings Act 1971 and the customary substitute days (a holiday
//! on a weekend moves to the next weekday not already a holiday). The
//! one-off days and moved days are listed by year, as announced by royal
//! proclamation and published by the UK Government at
//! <https://www.gov.uk/bank-holidays> (also as `bank-holidays.json`), which
//! is the source the tests in this module check against:
//!
//! - 2020-05-08: the early May bank holiday moved from 4 May to Friday 8 May
//!   (75th anniversary of VE Day), all three calendars;
//! - 2022-06-02 and 2022-06-03: the spring bank holiday moved from 30 May to
//!   Thursday 2 June, and an extra holiday on Friday 3 June (Platinum
//!   Jubilee), all three calendars;
//! - 2022-09-19: the State Funeral of Queen Elizabeth II, all three;
//! - 2023-05-08: the Coronation of King Charles III, all three.
//!
//! Rules are valid for the years 1995–2099 (later one-off days must be
//! added here when proclaimed); the tests check 2018–2030.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::model::HolidayCalendar;

/// Every bank holiday of `calendar` in `year`, sorted.
pub fn bank_holidays(calendar: HolidayCalendar, year: i32) -> Vec<NaiveDate> {
    let date = |m, d| NaiveDate::from_ymd_opt(year, m, d).expect("a real date");
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
    // Early May: the first Monday of May (moved for VE Day in 2020).
    days.push(if year == 2020 {
        date(5, 8)
    } else {
        first_monday(year, 5)
    });
    // Spring: the last Monday of May (moved for the Platinum Jubilee in 2022).
    if year == 2022 {
        days.extend([date(6, 2), date(6, 3)]);
    } else {
        days.push(last_weekday(year, 5, Weekday::Mon));
    }
    // Summer: the first Monday of August in Scotland, else the last.
    days.push(match calendar {
        HolidayCalendar::Scotland => first_monday(year, 8),
        _ => last_weekday(year, 8, Weekday::Mon),
    });
    match year {
        2022 => days.push(date(9, 19)), // State Funeral of Queen Elizabeth II
        2023 => days.push(date(5, 8)),  // Coronation of King Charles III
        _ => {}
    }

    fixed.push(date(1, 1));
    if calendar == HolidayCalendar::Scotland {
        fixed.push(date(1, 2));
        fixed.push(date(11, 30)); // St Andrew's Day
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
pub fn nth_weekday(year: i32, month: u32, n: u8, weekday: Weekday) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, n)
}

fn first_monday(year: i32, month: u32) -> NaiveDate {
    nth_weekday(year, month, 1, Weekday::Mon).expect("every month has a first Monday")
}

/// The last `weekday` of a month.
pub fn last_weekday(year: i32, month: u32, weekday: Weekday) -> NaiveDate {
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
pub fn easter_sunday(year: i32) -> NaiveDate {
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

    fn ymd(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn list(calendar: HolidayCalendar, year: i32) -> Vec<String> {
        bank_holidays(calendar, year)
            .iter()
            .map(|d| d.to_string())
            .collect()
    }

    /// England and Wales, 2018–2027, as published at gov.uk/bank-holidays.
    #[test]
    fn england_and_wales_matches_gov_uk() {
        let expected: &[(i32, &[&str])] = &[
            (
                2018,
                &[
                    "2018-01-01",
                    "2018-03-30",
                    "2018-04-02",
                    "2018-05-07",
                    "2018-05-28",
                    "2018-08-27",
                    "2018-12-25",
                    "2018-12-26",
                ],
            ),
            (
                2019,
                &[
                    "2019-01-01",
                    "2019-04-19",
                    "2019-04-22",
                    "2019-05-06",
                    "2019-05-27",
                    "2019-08-26",
                    "2019-12-25",
                    "2019-12-26",
                ],
            ),
            (
                2020,
                &[
                    "2020-01-01",
                    "2020-04-10",
                    "2020-04-13",
                    "2020-05-08",
                    "2020-05-25",
                    "2020-08-31",
                    "2020-12-25",
                    "2020-12-28",
                ],
            ),
            (
                2021,
                &[
                    "2021-01-01",
                    "2021-04-02",
                    "2021-04-05",
                    "2021-05-03",
                    "2021-05-31",
                    "2021-08-30",
                    "2021-12-27",
                    "2021-12-28",
                ],
            ),
            (
                2022,
                &[
                    "2022-01-03",
                    "2022-04-15",
                    "2022-04-18",
                    "2022-05-02",
                    "2022-06-02",
                    "2022-06-03",
                    "2022-08-29",
                    "2022-09-19",
                    "2022-12-26",
                    "2022-12-27",
                ],
            ),
            (
                2023,
                &[
                    "2023-01-02",
                    "2023-04-07",
                    "2023-04-10",
                    "2023-05-01",
                    "2023-05-08",
                    "2023-05-29",
                    "2023-08-28",
                    "2023-12-25",
                    "2023-12-26",
                ],
            ),
            (
                2024,
                &[
                    "2024-01-01",
                    "2024-03-29",
                    "2024-04-01",
                    "2024-05-06",
                    "2024-05-27",
                    "2024-08-26",
                    "2024-12-25",
                    "2024-12-26",
                ],
            ),
            (
                2025,
                &[
                    "2025-01-01",
                    "2025-04-18",
                    "2025-04-21",
                    "2025-05-05",
                    "2025-05-26",
                    "2025-08-25",
                    "2025-12-25",
                    "2025-12-26",
                ],
            ),
            (
                2026,
                &[
                    "2026-01-01",
                    "2026-04-03",
                    "2026-04-06",
                    "2026-05-04",
                    "2026-05-25",
                    "2026-08-31",
                    "2026-12-25",
                    "2026-12-28",
                ],
            ),
            (
                2027,
                &[
                    "2027-01-01",
                    "2027-03-26",
                    "2027-03-29",
                    "2027-05-03",
                    "2027-05-31",
                    "2027-08-30",
                    "2027-12-27",
                    "2027-12-28",
                ],
            ),
        ];
        for (year, days) in expected {
            assert_eq!(list(EnglandAndWales, *year), *days, "{year}");
        }
    }

    #[test]
    fn scotland_matches_gov_uk() {
        assert_eq!(
            list(Scotland, 2022),
            [
                "2022-01-03",
                "2022-01-04",
                "2022-04-15",
                "2022-05-02",
                "2022-06-02",
                "2022-06-03",
                "2022-08-01",
                "2022-09-19",
                "2022-11-30",
                "2022-12-26",
                "2022-12-27"
            ]
        );
        assert_eq!(
            list(Scotland, 2023),
            [
                "2023-01-02",
                "2023-01-03",
                "2023-04-07",
                "2023-05-01",
                "2023-05-08",
                "2023-05-29",
                "2023-08-07",
                "2023-11-30",
                "2023-12-25",
                "2023-12-26"
            ]
        );
        assert_eq!(
            list(Scotland, 2020),
            [
                "2020-01-01",
                "2020-01-02",
                "2020-04-10",
                "2020-05-08",
                "2020-05-25",
                "2020-08-03",
                "2020-11-30",
                "2020-12-25",
                "2020-12-28"
            ]
        );
        // St Andrew's Day on a Saturday moves to Monday 2 December.
        assert!(list(Scotland, 2024).contains(&"2024-12-02".to_string()));
    }

    #[test]
    fn northern_ireland_matches_gov_uk() {
        assert_eq!(
            list(NorthernIreland, 2022),
            [
                "2022-01-03",
                "2022-03-17",
                "2022-04-15",
                "2022-04-18",
                "2022-05-02",
                "2022-06-02",
                "2022-06-03",
                "2022-07-12",
                "2022-08-29",
                "2022-09-19",
                "2022-12-26",
                "2022-12-27"
            ]
        );
        // St Patrick's Day on a Sunday (2024): Monday 18 March.
        assert!(list(NorthernIreland, 2024).contains(&"2024-03-18".to_string()));
        // The Twelfth on a Sunday (2026): Monday 13 July.
        assert!(list(NorthernIreland, 2026).contains(&"2026-07-13".to_string()));
    }

    #[test]
    fn every_one_off_day_is_a_holiday_everywhere() {
        for day in [
            "2020-05-08",
            "2022-06-02",
            "2022-06-03",
            "2022-09-19",
            "2023-05-08",
        ] {
            let d = ymd(day);
            for calendar in [EnglandAndWales, Scotland, NorthernIreland] {
                assert!(
                    bank_holidays(calendar, d.year()).contains(&d),
                    "{day} {calendar:?}"
                );
            }
            assert!(bank_holidays(None, d.year()).is_empty());
        }
        // ... and the days they replaced are not.
        assert!(!bank_holidays(EnglandAndWales, 2020).contains(&ymd("2020-05-04")));
        assert!(!bank_holidays(EnglandAndWales, 2022).contains(&ymd("2022-05-30")));
    }

    #[test]
    fn every_year_2018_to_2030_is_plausible() {
        for year in 2018..=2030 {
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
        assert_eq!(easter_sunday(2022), ymd("2022-04-17"));
        assert_eq!(easter_sunday(2024), ymd("2024-03-31"));
        assert_eq!(easter_sunday(2030), ymd("2030-04-21"));
    }

    #[test]
    fn nth_and_last_weekdays() {
        assert_eq!(
            nth_weekday(2022, 3, 2, Weekday::Tue),
            Some(ymd("2022-03-08"))
        );
        assert_eq!(
            nth_weekday(2022, 3, 5, Weekday::Thu),
            Some(ymd("2022-03-31"))
        );
        assert_eq!(nth_weekday(2022, 2, 5, Weekday::Tue), Option::None);
        assert_eq!(last_weekday(2022, 12, Weekday::Fri), ymd("2022-12-30"));
        assert_eq!(last_weekday(2022, 2, Weekday::Mon), ymd("2022-02-28"));
    }
}
