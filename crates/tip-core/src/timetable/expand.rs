//! Sessions: hand-set ones and recurrences, expanded against the
//! programme's working calendar, in its timezone.
//!
//! A cohort's sessions are numbered 1..n in time order. The number is what
//! calendars (`UID`) and attendance refer to, so it depends only on the
//! cohort's own sessions or schedule and on the calendar — never on other
//! cohorts or on the order of files.

use std::collections::BTreeSet;

use chrono::{
    DateTime, Datelike, Days, LocalResult, Months, NaiveDate, NaiveDateTime, TimeZone, Weekday,
};
use chrono_tz::Tz;

use crate::loc::Loc;
use crate::model::*;
use crate::timetable::holidays::{bank_holidays, last_weekday, nth_weekday};

/// The most sessions one cohort may have: a schedule beyond this is a
/// mistake (`count: 100000`), not a plan.
pub(crate) const MAX_SESSIONS: u32 = 1_000;

/// Working days of a programme: its weekdays, less bank holidays and
/// closures.
#[derive(Clone, Debug)]
pub struct WorkingCalendar {
    working: [bool; 7],
    closed: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    /// The calendar of a programme: bank holidays of its `holidays`
    /// calendar (computed for 1995–2099), its `closures`, its `working_days`.
    pub(crate) fn new(programme: &Programme) -> Self {
        let mut working = [false; 7];
        for d in &programme.working_days {
            working[d.num_days_from_monday() as usize] = true;
        }
        let mut closed: BTreeSet<NaiveDate> = (1995..=2099)
            .flat_map(|y| bank_holidays(programme.holidays, y))
            .collect();
        closed.extend(programme.closures.iter().copied());
        WorkingCalendar { working, closed }
    }

    /// Whether sessions can run on `date`.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.working[date.weekday().num_days_from_monday() as usize] && !self.closed.contains(&date)
    }

    /// Why `date` is not a working day, for messages.
    pub fn why_closed(&self, date: NaiveDate, programme: &Programme) -> &'static str {
        if programme.closures.contains(&date) {
            "a closure day"
        } else if self.closed.contains(&date) {
            "a bank holiday"
        } else {
            "not a working day"
        }
    }

    /// The first working day on or after `date` (within 60 days).
    pub fn next_working_day(&self, date: NaiveDate) -> Option<NaiveDate> {
        date.iter_days().take(60).find(|d| self.is_working_day(*d))
    }
}

/// One expanded session of a cohort.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// 1-based, in time order.
    pub number: u32,
    /// Start, in the programme's timezone.
    pub start: DateTime<Tz>,
    /// End, in the programme's timezone.
    pub end: DateTime<Tz>,
    /// For a schedule's session moved off a non-working day: the date it
    /// would have fallen on.
    pub moved_from: Option<NaiveDate>,
    /// Where the session (or its schedule) is written.
    pub loc: Loc,
}

impl Session {
    /// The local start date.
    pub fn date(&self) -> NaiveDate {
        self.start.date_naive()
    }
}

/// A problem found while expanding sessions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ExpandProblem {
    /// A local time that does not exist (clocks go forward) on this date.
    Nonexistent(NaiveDateTime, Loc),
    /// A local time that happens twice (clocks go back): the first is used.
    Ambiguous(NaiveDateTime, Loc),
    /// A schedule with more than [`MAX_SESSIONS`] sessions (cut there).
    TooMany(Loc),
}

/// Expand a cohort's sessions, numbered in time order. Sessions whose local
/// times do not exist are left out and reported.
pub(crate) fn expand(
    timing: &Timing,
    tz: Tz,
    calendar: &WorkingCalendar,
) -> (Vec<Session>, Vec<ExpandProblem>) {
    let mut problems = Vec::new();
    // Start, end, the date it moved from, where the start and end are written.
    type Raw = (NaiveDateTime, NaiveDateTime, Option<NaiveDate>, Loc, Loc);
    let mut raw: Vec<Raw> = match timing {
        Timing::Sessions(list) => list
            .iter()
            .map(|s| (s.start, s.end, None, s.loc, s.end_loc))
            .collect(),
        Timing::Schedule(schedule) => {
            let (dates, too_many) = recurrence(schedule, calendar);
            if too_many {
                problems.push(ExpandProblem::TooMany(schedule.loc));
            }
            dates
                .into_iter()
                .map(|(date, moved)| {
                    (
                        date.and_time(schedule.start),
                        date.and_time(schedule.end_time),
                        moved,
                        schedule.loc,
                        schedule.loc,
                    )
                })
                .collect()
        }
    };
    raw.sort_by_key(|r| (r.0, r.1));
    let mut sessions = Vec::with_capacity(raw.len());
    for (start, end, moved_from, loc, end_loc) in raw {
        let (Some(s), Some(e)) = (
            resolve(tz, start, loc, &mut problems),
            resolve(tz, end, end_loc, &mut problems),
        ) else {
            continue;
        };
        sessions.push(Session {
            number: sessions.len() as u32 + 1,
            start: s,
            end: e,
            moved_from,
            loc,
        });
    }
    (sessions, problems)
}

fn resolve(
    tz: Tz,
    at: NaiveDateTime,
    loc: Loc,
    problems: &mut Vec<ExpandProblem>,
) -> Option<DateTime<Tz>> {
    match tz.from_local_datetime(&at) {
        LocalResult::Single(t) => Some(t),
        LocalResult::Ambiguous(first, _) => {
            problems.push(ExpandProblem::Ambiguous(at, loc));
            Some(first)
        }
        LocalResult::None => {
            problems.push(ExpandProblem::Nonexistent(at, loc));
            None
        }
    }
}

/// The dates of a recurrence, each with the date it moved from (if moved
/// off a non-working day); and whether it was cut at [`MAX_SESSIONS`].
///
/// - Weekly schedules start on the first `day` on or after `from`.
/// - Monthly ones take `day` in each month from `from`'s month, every 1, 2
///   or 3 months; a month without that day (a 5th Tuesday, the 31st) has no
///   session, as in RFC 5545.
/// - `until` bounds the dates the recurrence falls on (before moving);
///   `count` counts the sessions that happen (after skipping).
pub(crate) fn recurrence(
    schedule: &Schedule,
    calendar: &WorkingCalendar,
) -> (Vec<(NaiveDate, Option<NaiveDate>)>, bool) {
    let mut out: Vec<(NaiveDate, Option<NaiveDate>)> = Vec::new();
    let limit = match schedule.end {
        ScheduleEnd::Count(n) => n.min(MAX_SESSIONS),
        ScheduleEnd::Until(_) => MAX_SESSIONS,
    };
    let until = match schedule.end {
        ScheduleEnd::Until(d) => d,
        ScheduleEnd::Count(_) => NaiveDate::MAX,
    };
    let mut too_many = false;
    // Candidate dates, in order; at most ~100 years of periods.
    let candidates: Box<dyn Iterator<Item = NaiveDate>> = match (schedule.every, schedule.day) {
        (Every::Week | Every::TwoWeeks, Day::Weekday(wd)) => {
            let step = if schedule.every == Every::Week { 7 } else { 14 };
            let ahead = (7 + wd.num_days_from_monday()
                - schedule.from.weekday().num_days_from_monday())
                % 7;
            let first = schedule.from + Days::new(ahead.into());
            Box::new((0..5_300u64).map_while(move |i| first.checked_add_days(Days::new(i * step))))
        }
        (every, day) => {
            let step = match every {
                Every::Month => 1,
                Every::TwoMonths => 2,
                _ => 3,
            };
            let start = schedule.from.with_day(1).expect("the 1st exists");
            let from = schedule.from;
            Box::new(
                (0..1_200u32)
                    .map_while(move |i| start.checked_add_months(Months::new(i * step)))
                    .filter_map(move |month| day_in_month(month.year(), month.month(), day))
                    .filter(move |d| *d >= from),
            )
        }
    };
    for date in candidates {
        if date > until {
            break;
        }
        if out.len() as u32 == limit {
            too_many = matches!(schedule.end, ScheduleEnd::Until(_));
            break;
        }
        let session = if calendar.is_working_day(date) {
            Some((date, None))
        } else {
            match schedule.holidays {
                HolidayPolicy::Skip => None,
                HolidayPolicy::NextWorkingDay => {
                    calendar.next_working_day(date).map(|d| (d, Some(date)))
                }
            }
        };
        if let Some((d, moved)) = session {
            // Two dates moved onto one day (a long closure) make one session.
            if out.last().is_none_or(|(last, _)| *last < d) {
                out.push((d, moved));
            }
        }
    }
    if let ScheduleEnd::Count(n) = schedule.end {
        too_many = n > MAX_SESSIONS;
    }
    (out, too_many)
}

/// The date `day` names in a month, if the month has it.
pub(crate) fn day_in_month(year: i32, month: u32, day: Day) -> Option<NaiveDate> {
    match day {
        Day::Nth(n, wd) => nth_weekday(year, month, n, wd),
        Day::Last(wd) => Some(last_weekday(year, month, wd)),
        Day::OfMonth(d) => NaiveDate::from_ymd_opt(year, month, d.into()),
        Day::Weekday(wd) => nth_weekday(year, month, 1, wd),
    }
}

/// The weekday's English name.
pub(crate) fn weekday_name(d: Weekday) -> &'static str {
    [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ][d.num_days_from_monday() as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loc::FileId;
    use chrono::NaiveTime;

    fn ymd(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn programme(holidays: HolidayCalendar, closures: &[&str]) -> Programme {
        Programme {
            id: "p".into(),
            name: "P".into(),
            timezone: chrono_tz::Europe::London,
            domain: "p.example.org".into(),
            organiser: None,
            holidays,
            closures: closures.iter().map(|d| ymd(d)).collect(),
            working_days: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            verify_url: None,
            site_url: None,
            booking: None,
            public_keys: Vec::new(),
            vision: None,
            branding: None,
            loc: Loc::new(FileId(0), 1, 1, 1),
        }
    }

    fn schedule(
        every: Every,
        day: Day,
        from: &str,
        end: ScheduleEnd,
        holidays: HolidayPolicy,
    ) -> Schedule {
        Schedule {
            every,
            day,
            from: ymd(from),
            end,
            start: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            end_time: NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
            holidays,
            loc: Loc::new(FileId(0), 1, 1, 1),
        }
    }

    fn dates(s: &Schedule, cal: &WorkingCalendar) -> Vec<String> {
        recurrence(s, cal)
            .0
            .iter()
            .map(|(d, _)| d.to_string())
            .collect()
    }

    #[test]
    fn second_tuesday_monthly() {
        let cal = WorkingCalendar::new(&programme(HolidayCalendar::EnglandAndWales, &[]));
        let s = schedule(
            Every::Month,
            Day::Nth(2, Weekday::Tue),
            "2022-01-01",
            ScheduleEnd::Count(4),
            HolidayPolicy::NextWorkingDay,
        );
        assert_eq!(
            dates(&s, &cal),
            ["2022-01-11", "2022-02-08", "2022-03-08", "2022-04-12"]
        );
    }

    #[test]
    fn fifth_weekday_is_absent_in_short_months() {
        let cal = WorkingCalendar::new(&programme(HolidayCalendar::None, &[]));
        let s = schedule(
            Every::Month,
            Day::Nth(5, Weekday::Tue),
            "2022-01-01",
            ScheduleEnd::Until(ymd("2022-06-30")),
            HolidayPolicy::Skip,
        );
        assert_eq!(dates(&s, &cal), ["2022-03-29", "2022-05-31"]);
    }

    #[test]
    fn last_friday_and_quarterly() {
        let cal = WorkingCalendar::new(&programme(HolidayCalendar::None, &[]));
        let s = schedule(
            Every::Quarter,
            Day::Last(Weekday::Thu),
            "2022-01-01",
            ScheduleEnd::Until(ymd("2022-12-31")),
            HolidayPolicy::Skip,
        );
        assert_eq!(
            dates(&s, &cal),
            ["2022-01-27", "2022-04-28", "2022-07-28", "2022-10-27"]
        );
        let s = schedule(
            Every::Month,
            Day::Last(Weekday::Fri),
            "2022-09-15",
            ScheduleEnd::Count(2),
            HolidayPolicy::Skip,
        );
        assert_eq!(dates(&s, &cal), ["2022-09-30", "2022-10-28"]);
    }

    #[test]
    fn day_of_month_skips_months_without_it() {
        let cal = WorkingCalendar::new(&programme(HolidayCalendar::None, &[]));
        let s = schedule(
            Every::Month,
            Day::OfMonth(31),
            "2022-01-01",
            ScheduleEnd::Until(ymd("2022-05-31")),
            HolidayPolicy::Skip,
        );
        // 31 January is a Monday, 31 March a Thursday, 31 May a Tuesday.
        assert_eq!(dates(&s, &cal), ["2022-01-31", "2022-03-31", "2022-05-31"]);
    }

    #[test]
    fn bank_holidays_move_or_skip() {
        let cal = WorkingCalendar::new(&programme(HolidayCalendar::EnglandAndWales, &[]));
        // 1st Thursday: 2 June 2022 (moved spring bank holiday); 3 June is
        // the Platinum Jubilee holiday, so the session moves to Monday 6 June.
        let s = schedule(
            Every::Month,
            Day::Nth(1, Weekday::Thu),
            "2022-05-01",
            ScheduleEnd::Count(3),
            HolidayPolicy::NextWorkingDay,
        );
        let (got, _) = recurrence(&s, &cal);
        assert_eq!(got[1], (ymd("2022-06-06"), Some(ymd("2022-06-02"))));
        let s = schedule(
            Every::Month,
            Day::Nth(1, Weekday::Thu),
            "2022-05-01",
            ScheduleEnd::Count(3),
            HolidayPolicy::Skip,
        );
        assert_eq!(dates(&s, &cal), ["2022-05-05", "2022-07-07", "2022-08-04"]);
        // Monday 19 September 2022: the State Funeral.
        let s = schedule(
            Every::TwoWeeks,
            Day::Weekday(Weekday::Mon),
            "2022-09-05",
            ScheduleEnd::Count(3),
            HolidayPolicy::NextWorkingDay,
        );
        assert_eq!(dates(&s, &cal), ["2022-09-05", "2022-09-20", "2022-10-03"]);
        // Monday 8 May 2023: the Coronation; 1 and 29 May: early May and spring.
        let s = schedule(
            Every::Week,
            Day::Weekday(Weekday::Mon),
            "2023-05-01",
            ScheduleEnd::Count(3),
            HolidayPolicy::Skip,
        );
        assert_eq!(dates(&s, &cal), ["2023-05-15", "2023-05-22", "2023-06-05"]);
    }

    #[test]
    fn closures_and_working_days_count() {
        let mut p = programme(HolidayCalendar::EnglandAndWales, &["2022-12-28"]);
        let cal = WorkingCalendar::new(&p);
        assert!(!cal.is_working_day(ymd("2022-12-28")));
        assert!(
            !cal.is_working_day(ymd("2022-12-27")),
            "Christmas substitute"
        );
        assert_eq!(
            cal.next_working_day(ymd("2022-12-24")),
            Some(ymd("2022-12-29"))
        );
        p.working_days = vec![Weekday::Sat];
        let cal = WorkingCalendar::new(&p);
        assert!(cal.is_working_day(ymd("2022-12-31")));
        assert!(!cal.is_working_day(ymd("2022-12-30")));
    }

    #[test]
    fn sessions_across_both_clock_changes_keep_local_time() {
        let cal = WorkingCalendar::new(&programme(HolidayCalendar::None, &[]));
        let s = schedule(
            Every::Week,
            Day::Weekday(Weekday::Tue),
            "2022-03-22",
            ScheduleEnd::Count(2),
            HolidayPolicy::Skip,
        );
        let (sessions, problems) = expand(&Timing::Schedule(s), chrono_tz::Europe::London, &cal);
        assert!(problems.is_empty());
        assert_eq!(sessions[0].start.to_rfc3339(), "2022-03-22T10:00:00+00:00");
        assert_eq!(sessions[1].start.to_rfc3339(), "2022-03-29T10:00:00+01:00");
        let s = schedule(
            Every::Week,
            Day::Weekday(Weekday::Tue),
            "2022-10-25",
            ScheduleEnd::Count(2),
            HolidayPolicy::Skip,
        );
        let (sessions, _) = expand(&Timing::Schedule(s), chrono_tz::Europe::London, &cal);
        assert_eq!(sessions[0].start.to_rfc3339(), "2022-10-25T10:00:00+01:00");
        assert_eq!(sessions[1].start.to_rfc3339(), "2022-11-01T10:00:00+00:00");
    }

    #[test]
    fn numbers_follow_time_order_not_file_order() {
        let cal = WorkingCalendar::new(&programme(HolidayCalendar::None, &[]));
        let at = |d: &str| ymd(d).and_hms_opt(9, 0, 0).unwrap();
        let loc = Loc::new(FileId(0), 1, 1, 1);
        let timing = Timing::Sessions(vec![
            SessionTime {
                start: at("2022-02-02"),
                end: at("2022-02-02") + chrono::Duration::hours(2),
                loc,
                end_loc: loc,
            },
            SessionTime {
                start: at("2022-01-05"),
                end: at("2022-01-05") + chrono::Duration::hours(2),
                loc,
                end_loc: loc,
            },
        ]);
        let (sessions, _) = expand(&timing, chrono_tz::Europe::London, &cal);
        assert_eq!(
            sessions
                .iter()
                .map(|s| (s.number, s.date().to_string()))
                .collect::<Vec<_>>(),
            [(1, "2022-01-05".to_string()), (2, "2022-02-02".to_string())]
        );
    }

    #[test]
    fn huge_counts_are_cut() {
        let cal = WorkingCalendar::new(&programme(HolidayCalendar::None, &[]));
        let s = schedule(
            Every::Week,
            Day::Weekday(Weekday::Tue),
            "2022-01-01",
            ScheduleEnd::Count(4_000_000_000),
            HolidayPolicy::Skip,
        );
        let (got, too_many) = recurrence(&s, &cal);
        assert!(too_many);
        assert_eq!(got.len(), MAX_SESSIONS as usize);
    }
}
