//! Print the bank holidays tip computes, one `CALENDAR DATE` a line, for
//! comparison with an independent source (`scripts/check_holidays.py`).
//!
//! `cargo run -p tip-core --example holidays -- 1995 2030`

use tip_core::model::{HolidayCalendar, Vocabulary};
use tip_core::timetable::holidays::bank_holidays;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut year = |default| args.next().and_then(|a| a.parse().ok()).unwrap_or(default);
    let (first, last): (i32, i32) = (year(1995), year(2030));
    for calendar in [
        HolidayCalendar::EnglandAndWales,
        HolidayCalendar::Scotland,
        HolidayCalendar::NorthernIreland,
    ] {
        for y in first..=last {
            for d in bank_holidays(calendar, y) {
                println!("{} {d}", calendar.as_str());
            }
        }
    }
}
