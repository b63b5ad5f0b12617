//! Runs as people book them: a cohort is one run however many sessions
//! it has, with its places counted once, where it meets (and how to get
//! in), its notes, its status, and a link to book it.
//!
//! The site's pages, the bulletin and its email all show runs through
//! [`Run`], so a date reads the same everywhere.

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};
use tip_core::model::{Booking, Cohort, Course, Format, Place, Status, Vocabulary as _};
use tip_core::timetable::Session;
use tip_core::{Dataset, Ix};

/// A run as published: no people, only places.
#[derive(Clone, Debug, serde::Serialize)]
#[non_exhaustive]
pub struct Run {
    /// The cohort id (also the run's anchor on its course page,
    /// `#run-<cohort>`).
    pub cohort: String,
    /// The course id.
    pub course: String,
    /// The course title.
    pub title: String,
    /// The tier level.
    pub tier: u32,
    /// `Tuesday 13 September 2022`, `4 sessions: 26 May, 9, 23 June and 7
    /// July 2022`, or for a series under way `Sessions to come: …`.
    pub when: String,
    /// The first listed session's date, `2022-09-13`.
    pub start: String,
    /// `9:30am to 4pm`: the first listed session's time (each session's
    /// is in [`Run::sessions`]).
    pub time: String,
    /// The sessions listed, in order.
    pub sessions: Vec<RunSession>,
    /// Venue name and address, or `Online`.
    pub place: String,
    /// The venue's name alone (`Ashford Gateway`), or `Online`.
    pub venue: String,
    /// The venue's access notes.
    pub access: Option<String>,
    /// A map of the venue.
    pub map: Option<String>,
    /// Whether it meets online.
    pub online: bool,
    /// The joining link, when the cohort publishes it (`public_link`).
    pub join: Option<String>,
    /// `planned`, `confirmed` or `cancelled`.
    pub status: &'static str,
    /// Whether it is cancelled.
    pub cancelled: bool,
    /// Status tags, most important first: `Cancelled`, `Full`, `Few
    /// places left`, `To be confirmed`, `Under way`, `Held`, `Not
    /// confirmed`.
    pub tags: Vec<Tag>,
    /// Places left (`None`: unlimited), never below zero.
    pub places_left: Option<u32>,
    /// No places left: booking joins the waiting list.
    pub full: bool,
    /// The cohort's notes, word for word.
    pub notes: Option<String>,
    /// How to book it, when it can be booked.
    pub book: Option<Link>,
    /// Whether it can be booked now (not cancelled, not begun, not past,
    /// its course not ended).
    pub bookable: bool,
    /// Whether its first session is before "today" and its last is not.
    pub started: bool,
    /// Whether its last session is before "today".
    pub past: bool,
    /// Whether it is still to come: not past, and not begun unless each
    /// session can be joined on its own.
    pub to_come: bool,
    /// The run that replaces it, when it is cancelled.
    pub replaced_by: Option<Replacement>,
    /// The run's own calendar file in the site, `calendars/runs/<cohort>.ics`.
    pub calendar: String,
    /// When the first listed session starts (local time): what runs are
    /// ordered by (the words in [`Run::time`] do not sort).
    #[serde(skip)]
    pub starts: chrono::NaiveDateTime,
}

/// One session of a run.
#[derive(Clone, Debug, serde::Serialize)]
#[non_exhaustive]
pub struct RunSession {
    /// 1-based.
    pub number: u32,
    /// `Thursday 26 May 2022`.
    pub date: String,
    /// `2022-05-26`.
    pub iso_date: String,
    /// `9:30am to 4pm`.
    pub time: String,
    /// Why it is not on its scheduled day: `moved from Thursday 2 June
    /// (a bank holiday)`.
    pub moved: Option<String>,
}

/// A status tag: its words and its colour class (`red`, `orange`, `blue`,
/// `grey`).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Tag {
    /// `Few places left`.
    pub text: &'static str,
    /// `orange`.
    pub colour: &'static str,
}

/// A link with its words.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Link {
    /// Where it goes: a form, or a `mailto:` with subject and body.
    pub href: String,
    /// `Book a place`, `Join the waiting list`.
    pub text: &'static str,
    /// For an email: the address, for text that cannot hold a link.
    pub email: Option<String>,
    /// For an email: its subject.
    pub subject: Option<String>,
}

/// The run that replaces a cancelled one.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Replacement {
    /// Its cohort id.
    pub cohort: String,
    /// Its course id (the page it is on).
    pub course: String,
    /// When it meets, as [`Run::when`] says it.
    pub when: String,
}

/// Which sessions of a run to show.
#[derive(Clone, Copy, Debug)]
pub struct Shown {
    /// "Today": earlier sessions have happened.
    pub today: NaiveDate,
    /// Show only runs with a session up to this day.
    pub until: NaiveDate,
}

/// When places left count as few.
const FEW: u32 = 3;

/// Whether each session of a course can be joined on its own (webinars, a
/// network's meetings), so a series under way is still listed by its
/// sessions to come; other runs are booked whole.
pub fn drop_in(format: Format) -> bool {
    matches!(
        format,
        Format::Webinar | Format::Network | Format::OnlineLive
    )
}

/// The run of `cohort` as of `shown.today`, or `None` when it has no
/// session up to `shown.until`.
pub fn run(data: &Dataset, cohort: Ix<Cohort>, shown: Shown) -> Option<Run> {
    let c = &data[cohort];
    let course = &data[c.course];
    let all = data.sessions(cohort);
    let (first, last) = (all.first()?, all.last()?);
    if first.date() > shown.until {
        return None;
    }
    let past = last.date() < shown.today;
    let started = !past && first.date() < shown.today;
    // A drop-in series under way lists its sessions to come.
    let listed: Vec<&Session> = if started && drop_in(course.format) {
        all.iter().filter(|s| s.date() >= shown.today).collect()
    } else {
        all.iter().collect()
    };
    let dates: Vec<NaiveDate> = listed.iter().map(|s| s.date()).collect();
    let when = when(&dates, started && drop_in(course.format));
    let cancelled = c.status == Status::Cancelled;
    let places_left = data
        .places(cohort)
        .map(|cap| cap.saturating_sub(c.enrolled.len() as u32));
    let full = places_left == Some(0);
    let ended = course.ended.is_some_and(|e| e < shown.today);
    let bookable = !cancelled && !past && !ended && (!started || drop_in(course.format));
    let Meeting {
        place,
        venue,
        access,
        map,
        online,
        join,
    } = meeting(data, c);
    let sessions: Vec<RunSession> = listed
        .iter()
        .map(|s| RunSession {
            number: s.number,
            date: s.start.format("%A %-d %B %Y").to_string(),
            iso_date: s.date().to_string(),
            time: times(s.start.time(), s.end.time()),
            moved: moved(data, s),
        })
        .collect();
    let first_listed = listed.first().copied().unwrap_or(first);
    let mut run = Run {
        cohort: c.id.to_string(),
        course: course.id.to_string(),
        title: course.title.clone(),
        tier: data[course.tier].level,
        when,
        start: first_listed.date().to_string(),
        time: times(first_listed.start.time(), first_listed.end.time()),
        sessions,
        place,
        venue,
        access,
        map,
        online,
        join,
        status: c.status.as_str(),
        cancelled,
        tags: Vec::new(),
        places_left,
        full,
        notes: c.notes.as_deref().map(|n| n.trim().to_owned()),
        book: None,
        bookable,
        started,
        past,
        to_come: !past && (!started || drop_in(course.format)),
        replaced_by: c.replaced_by.and_then(|r| {
            let other = &data[r];
            let dates: Vec<NaiveDate> = data.sessions(r).iter().map(|s| s.date()).collect();
            (!dates.is_empty()).then(|| Replacement {
                cohort: other.id.to_string(),
                course: data[other.course].id.to_string(),
                when: when_plain(&dates),
            })
        }),
        calendar: format!("calendars/runs/{}.ics", c.id),
        starts: first_listed.start.naive_local(),
    };
    run.tags = tags(&run, c.status);
    if bookable {
        run.book = data.booking(cohort).map(|b| link(b, &run));
    }
    Some(run)
}

/// Every run of `cohorts` [`run`] gives, in order of their first listed
/// session's start (then id).
pub fn runs(data: &Dataset, cohorts: impl Iterator<Item = Ix<Cohort>>, shown: Shown) -> Vec<Run> {
    let mut out: Vec<Run> = cohorts.filter_map(|c| run(data, c, shown)).collect();
    out.sort_by(|a, b| (a.starts, &a.cohort).cmp(&(b.starts, &b.cohort)));
    out
}

/// The link that books `run` (or joins its waiting list): the form, with
/// the cohort's id where the form takes it, or an email with its subject
/// and body written.
fn link(booking: Booking, run: &Run) -> Link {
    let text = if run.full {
        "Join the waiting list"
    } else {
        "Book a place"
    };
    let (mut email, mut subject_line) = (None, None);
    let href = match &booking {
        Booking::Form(_) => booking.form_for(&run.cohort).unwrap_or_default(),
        Booking::Email(address) => {
            let what = if run.full { "Waiting list" } else { "Booking" };
            let subject = format!("{what}: {}, {}", run.title, run.when);
            email = Some(address.to_string());
            subject_line = Some(subject.clone());
            let body = format!(
                "Please {} for:\n\n{}\n{}, {}\n{}\nRun: {}\n\nMy name:\nMy organisation:\nMy job role:\n",
                if run.full {
                    "add me to the waiting list"
                } else {
                    "book me a place"
                },
                run.title,
                run.when,
                run.time,
                run.place,
                run.cohort
            );
            format!(
                "mailto:{address}?subject={}&body={}",
                percent_encode(&subject),
                percent_encode(&body)
            )
        }
        // A booking of a kind not known here: no link rather than a wrong one.
        _ => String::new(),
    };
    Link {
        href,
        text,
        email,
        subject: subject_line,
    }
}

fn tags(run: &Run, status: Status) -> Vec<Tag> {
    let tag = |text, colour| Tag { text, colour };
    let mut out = Vec::new();
    if run.cancelled {
        out.push(tag("Cancelled", "red"));
        return out;
    }
    if run.past {
        out.push(if status == Status::Confirmed {
            tag("Held", "grey")
        } else {
            tag("Not confirmed", "grey")
        });
        return out;
    }
    if run.started {
        out.push(tag("Under way", "grey"));
    }
    match run.places_left {
        Some(0) => out.push(tag("Full", "orange")),
        Some(n) if n <= FEW => out.push(tag("Few places left", "orange")),
        _ => {}
    }
    if status == Status::Planned {
        out.push(tag("To be confirmed", "blue"));
    }
    out
}

/// Where a run meets, as [`Run`]'s fields of the same names say it.
#[derive(Default)]
struct Meeting {
    place: String,
    venue: String,
    access: Option<String>,
    map: Option<String>,
    online: bool,
    join: Option<String>,
}

/// Where cohort `c` meets: a venue (with its address, access notes and
/// map), or online (with the joining link when the cohort publishes it).
fn meeting(data: &Dataset, c: &Cohort) -> Meeting {
    match &c.place {
        Some(Place::Venue(v)) => {
            let venue = &data[*v];
            Meeting {
                place: venue.name_and_address(),
                venue: venue.name.clone(),
                access: venue.access.clone(),
                map: venue.map.clone(),
                ..Meeting::default()
            }
        }
        Some(Place::Online(url)) => Meeting {
            place: "Online".into(),
            venue: "Online".into(),
            online: true,
            join: c.public_link.then(|| url.clone()),
            ..Meeting::default()
        },
        _ => Meeting::default(),
    }
}

/// `moved from Thursday 2 June (a bank holiday)`.
pub fn moved(data: &Dataset, s: &Session) -> Option<String> {
    s.moved_from.map(|from| {
        format!(
            "moved from {} ({})",
            from.format("%A %-d %B"),
            data.calendar().why_closed(from, data.programme())
        )
    })
}

/// `Tuesday 13 September 2022`, `4 sessions: 26 May, 9, 23 June and 7 July
/// 2022`, `Sessions to come: …`.
fn when(dates: &[NaiveDate], to_come: bool) -> String {
    match dates {
        [] => String::new(),
        [one] if !to_come => one.format("%A %-d %B %Y").to_string(),
        many if to_come => format!("Sessions to come: {}", day_list(many)),
        many => format!("{} sessions: {}", many.len(), day_list(many)),
    }
}

/// [`when`] without the count: `Tuesday 13 September 2022`, `26 May and
/// 9 June 2022`.
fn when_plain(dates: &[NaiveDate]) -> String {
    match dates {
        [one] => one.format("%A %-d %B %Y").to_string(),
        many => day_list(many),
    }
}

/// `9:30am to 4pm`.
pub fn times(start: NaiveTime, end: NaiveTime) -> String {
    format!("{} to {}", clock(start), clock(end))
}

/// `9:30am`, `4pm`, `midday`, `midnight` (the GOV.UK style).
pub fn clock(t: NaiveTime) -> String {
    let (pm, hour) = t.hour12();
    match (hour, t.minute(), pm) {
        (12, 0, true) => "midday".into(),
        (12, 0, false) => "midnight".into(),
        (_, 0, _) => format!("{hour}{}", if pm { "pm" } else { "am" }),
        (_, m, _) => format!("{hour}:{m:02}{}", if pm { "pm" } else { "am" }),
    }
}

/// `26 May, 9, 23 June and 7 July 2022`: each month named once, after its
/// last day; the year at the end (and where it changes).
pub fn day_list(dates: &[NaiveDate]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (i, d) in dates.iter().enumerate() {
        let next = dates.get(i + 1);
        let mut s = d.day().to_string();
        if next.is_none_or(|n| n.month() != d.month() || n.year() != d.year()) {
            s.push(' ');
            s.push_str(&d.format("%B").to_string());
        }
        if next.is_none_or(|n| n.year() != d.year()) {
            s.push(' ');
            s.push_str(&d.year().to_string());
        }
        parts.push(s);
    }
    tip_core::words::list(parts, "and")
}

/// `6 hours 30 minutes`, `1 hour`, `45 minutes`.
pub fn length(minutes: u32) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    let unit = |n: u32, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    match (h, m) {
        (0, m) => unit(m, "minute"),
        (h, 0) => unit(h, "hour"),
        (h, m) => format!("{} {}", unit(h, "hour"), unit(m, "minute")),
    }
}

/// A `mailto:` to register interest in a course with no dates to book
/// (the course's booking address, else the programme's, else the
/// organiser's): the site's course page and the bulletin both offer it.
pub fn interest(data: &Dataset, course: &Course) -> Option<String> {
    let programme = data.programme();
    let address = [course.booking.as_ref(), programme.booking.as_ref()]
        .into_iter()
        .flatten()
        .find_map(|b| match b {
            Booking::Email(e) => Some(e.to_string()),
            _ => None,
        })
        .or_else(|| Some(programme.organiser.as_ref()?.email.as_ref()?.to_string()))?;
    Some(format!(
        "mailto:{address}?subject={}",
        percent_encode(&format!("Interest: {}", course.title))
    ))
}

/// Percent-encoding (RFC 3986 unreserved characters kept) for a `mailto:`
/// subject and body.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            crate::markdown::push_percent(&mut out, b);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn days_name_each_month_once() {
        let dates = [
            d("2022-05-26"),
            d("2022-06-09"),
            d("2022-06-23"),
            d("2022-07-07"),
        ];
        assert_eq!(day_list(&dates), "26 May, 9, 23 June and 7 July 2022");
        assert_eq!(
            when(&dates, false),
            "4 sessions: 26 May, 9, 23 June and 7 July 2022"
        );
        assert_eq!(
            day_list(&[d("2022-12-13"), d("2023-01-10")]),
            "13 December 2022 and 10 January 2023"
        );
        assert_eq!(when(&[d("2022-09-13")], false), "Tuesday 13 September 2022");
    }

    #[test]
    fn times_read_as_gov_uk_writes_them() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        assert_eq!(times(t(9, 30), t(16, 0)), "9:30am to 4pm");
        assert_eq!(clock(t(12, 0)), "midday");
        assert_eq!(clock(t(12, 30)), "12:30pm");
        assert_eq!(clock(t(0, 0)), "midnight");
    }

    #[test]
    fn lengths_read_in_hours_and_minutes() {
        assert_eq!(length(390), "6 hours 30 minutes");
        assert_eq!(length(60), "1 hour");
        assert_eq!(length(45), "45 minutes");
        assert_eq!(length(61), "1 hour 1 minute");
    }

    /// Regression: runs were ordered by the words of their time, and
    /// "10am" sorts before "9:30am".
    #[test]
    fn runs_on_one_day_are_in_order_of_their_start_time() {
        let files = [
            (
                "programme.yaml",
                "programme: {id: demo, name: Demo, timezone: Europe/London, domain: demo.example.org}\ntiers: [{level: 1, name: One}]\n",
            ),
            (
                "courses.yaml",
                "courses: [{id: talk, title: Talk, tier: 1, format: webinar}]\n",
            ),
            (
                "cohorts.yaml",
                "cohorts:\n  - id: a-ten\n    course: talk\n    sessions: [{start: 2026-05-12T10:00, end: 2026-05-12T11:00}]\n  - id: b-half-nine\n    course: talk\n    sessions: [{start: 2026-05-12T09:30, end: 2026-05-12T10:30}]\n  - id: c-next-day\n    course: talk\n    sessions: [{start: 2026-05-13T08:00, end: 2026-05-13T09:00}]\n",
            ),
        ];
        let report = Dataset::from_sources(
            files.map(|(name, text)| (name.to_string(), text.as_bytes().to_vec())),
        );
        let (data, _) = report.into_result().unwrap();
        let shown = Shown {
            today: d("2026-05-01"),
            until: NaiveDate::MAX,
        };
        let order: Vec<String> = runs(&data, data.cohort_ixs().map(|(ix, _)| ix), shown)
            .into_iter()
            .map(|r| r.cohort)
            .collect();
        assert_eq!(order, ["b-half-nine", "a-ten", "c-next-day"]);
    }

    #[test]
    fn mailto_text_is_encoded() {
        assert_eq!(
            percent_encode("Booking: L2, 9:30am"),
            "Booking%3A%20L2%2C%209%3A30am"
        );
        assert_eq!(percent_encode("a\nb&c"), "a%0Ab%26c");
    }
}
