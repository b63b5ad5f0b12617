//! iCalendar (RFC 5545) feeds of a training offer's sessions.
//!
//! One `VEVENT` per session, with local times in the programme's timezone
//! (`DTSTART;TZID=Europe/London:…`) and a `VTIMEZONE` generated from the tz
//! database for exactly the years the feed covers. Event `UID`s are
//! `<cohort>-<n>@<domain>`, so they survive every edit and re-run; an
//! event whose content changed since the calendar last published (the
//! previous feed, [`Published`]) gets a higher `SEQUENCE`, so clients take
//! the update, and an unchanged one keeps its own; cancelled sessions
//! stay in the feed as `STATUS:CANCELLED`, so clients remove them rather
//! than keep a stale copy. No learner's name or email is ever written.
//!
//! Events are built with the `icalendar` crate; its output is then
//! unfolded and folded again to at most 75 octets a line, never inside a
//! UTF-8 character, and the `VTIMEZONE` (which the crate does not write) is
//! inserted.
//!
//! ```
//! use tip_calendar::{Feed, Filter};
//! use tip_core::Dataset;
//!
//! let (data, _) = Dataset::load("../../data/kent-medway")?;
//! let filter = Filter { region: data.region("east-kent"), ..Filter::default() };
//! let feed = Feed::new("East Kent", chrono::DateTime::UNIX_EPOCH);
//! let ics = tip_calendar::render(&data, &filter, &feed);
//! assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
//! assert!(ics.contains("UID:l2-2022-05-canterbury-1@tip.kent-medway.example.org\r\n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod vtimezone;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike, EventStatus, Property};
use rayon::prelude::*;
use tip_core::model::{Booking, Cohort, Course, Person, Place, Region, Status, Tier, Vocabulary};
use tip_core::timetable::Session;
use tip_core::{Dataset, Ix};

/// Which sessions a feed holds. Every filter given must match (AND).
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only this course.
    pub course: Option<Ix<Course>>,
    /// Only this cohort.
    pub cohort: Option<Ix<Cohort>>,
    /// Only cohorts in this region (a cohort with no region matches none).
    pub region: Option<Ix<Region>>,
    /// Only courses of this tier.
    pub tier: Option<Ix<Tier>>,
    /// Only cohorts this person trains.
    pub trainer: Option<Ix<Person>>,
    /// Only this person's own sessions (as learner or trainer).
    pub person: Option<Ix<Person>>,
    /// Only sessions on or after this date.
    pub from: Option<NaiveDate>,
    /// Only sessions on or before this date.
    pub until: Option<NaiveDate>,
}

impl Filter {
    fn cohort_matches(&self, data: &Dataset, ix: Ix<Cohort>) -> bool {
        let c = &data[ix];
        self.cohort.is_none_or(|x| x == ix)
            && self.course.is_none_or(|x| x == c.course)
            && self.region.is_none_or(|r| c.region == Some(r))
            && self.tier.is_none_or(|t| data[c.course].tier == t)
            && self.trainer.is_none_or(|t| c.trainers.contains(&t))
            && self
                .person
                .is_none_or(|p| c.trainers.contains(&p) || c.enrolled.contains(&p))
    }

    fn date_matches(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|f| day >= f) && self.until.is_none_or(|u| day <= u)
    }
}

/// The feed itself: its name, its `DTSTAMP`, and what was published
/// before.
#[derive(Clone, Debug)]
pub struct Feed {
    /// The calendar's name (`NAME`, `X-WR-CALNAME`).
    pub name: String,
    /// When the feed was made: take it from `SOURCE_DATE_EPOCH` for
    /// reproducible output.
    pub dtstamp: DateTime<Utc>,
    /// Each event published last time (see [`published`]): an event whose
    /// content changed since gets a higher `SEQUENCE`.
    pub previous: Published,
}

impl Feed {
    /// A feed called `name`, stamped `dtstamp`, published for the first
    /// time.
    pub fn new(name: impl Into<String>, dtstamp: DateTime<Utc>) -> Self {
        Feed {
            name: name.into(),
            dtstamp,
            previous: Published::default(),
        }
    }
}

/// What a calendar published: each event's `UID`, `SEQUENCE`, content
/// fingerprint (`X-TIP-FINGERPRINT`) and when it last changed
/// (`LAST-MODIFIED`). The published file is its own record, so nothing
/// else needs keeping.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Published(pub std::collections::HashMap<String, Previous>);

/// One event as a calendar published it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Previous {
    /// Its `SEQUENCE`.
    pub sequence: u32,
    /// Its content fingerprint.
    pub fingerprint: String,
    /// Its `LAST-MODIFIED` (else its `DTSTAMP`), when readable: an
    /// unchanged event keeps it, and its `DTSTAMP`.
    pub modified: Option<DateTime<Utc>>,
}

impl Previous {
    /// An event published with this sequence, fingerprint and time.
    pub fn new(
        sequence: u32,
        fingerprint: impl Into<String>,
        modified: Option<DateTime<Utc>>,
    ) -> Self {
        Previous {
            sequence,
            fingerprint: fingerprint.into(),
            modified,
        }
    }
}

/// `20220601T000000Z`, as iCalendar writes a UTC time.
fn utc_stamp(text: &str) -> Option<DateTime<Utc>> {
    chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y%m%dT%H%M%SZ")
        .ok()
        .map(|t| t.and_utc())
}

/// Read what a calendar tip wrote before published (any other text gives
/// nothing).
pub fn published(ics: &str) -> Published {
    read_published(ics.as_bytes(), u64::MAX).unwrap_or_default()
}

/// The largest previous calendar [`published_at`] reads: a national
/// timetable's `all.ics` is about 15 MB.
pub const PREVIOUS_LIMIT: u64 = 64 << 20;

/// What the calendar file at `path` published, for the next build of it:
/// nothing when there is no file there; `None` when the file is not a
/// calendar tip wrote or is over [`PREVIOUS_LIMIT`] (its events are then
/// taken as new, and `SEQUENCE` starts again).
pub fn published_at(path: &std::path::Path) -> Option<Published> {
    let Ok(file) = std::fs::File::open(path) else {
        return Some(Published::default());
    };
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Some(Published::default());
    }
    read_published(std::io::BufReader::new(file), PREVIOUS_LIMIT)
}

/// [`published`], read line by line from `reader`, in bounded memory: a
/// calendar longer than `limit` bytes gives `None` (its events are then
/// taken as new), as does one that is not a calendar. A `SEQUENCE` too big
/// to read, or beyond `u32`, counts as `u32::MAX`, never as 0: an event's
/// sequence never goes backwards.
pub fn read_published(reader: impl std::io::BufRead, limit: u64) -> Option<Published> {
    use std::io::BufRead as _;
    let mut out = std::collections::HashMap::new();
    let (mut uid, mut seq, mut print) = (None, 0u32, None);
    let (mut modified, mut stamp) = (None, None);
    let mut reader = std::io::Read::take(reader, limit.saturating_add(1));
    let mut raw = Vec::new();
    let mut line = String::new();
    let mut read = 0u64;
    let mut first = true;
    // Each logical line (folded lines joined) when the next one begins.
    let mut take = |line: &str, out: &mut std::collections::HashMap<String, Previous>| match line
        .split_once(':')
    {
        Some(("BEGIN", "VEVENT")) => {
            (uid, seq, print) = (None, 0, None);
            (modified, stamp) = (None, None);
        }
        Some(("LAST-MODIFIED", v)) => modified = utc_stamp(v),
        Some(("DTSTAMP", v)) => stamp = utc_stamp(v),
        Some(("UID", v)) => uid = Some(v.to_owned()),
        Some(("SEQUENCE", v)) => {
            let v = v.trim();
            seq = match v.parse::<u64>() {
                Ok(n) => u32::try_from(n).unwrap_or(u32::MAX),
                Err(_) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => u32::MAX,
                Err(_) => 0,
            }
        }
        Some(("X-TIP-FINGERPRINT", v)) => print = Some(v.to_owned()),
        Some(("END", "VEVENT")) => {
            if let (Some(u), Some(p)) = (uid.take(), print.take()) {
                out.insert(u, Previous::new(seq, p, modified.take().or(stamp.take())));
            }
        }
        _ => {}
    };
    loop {
        raw.clear();
        let n = reader.read_until(b'\n', &mut raw).ok()?;
        read += n as u64;
        if read > limit {
            return None;
        }
        if n == 0 {
            break;
        }
        let text = String::from_utf8_lossy(&raw);
        let text = text.trim_end_matches(['\r', '\n']);
        if first {
            if !text.starts_with("BEGIN:VCALENDAR") {
                return None;
            }
            first = false;
        }
        if let Some(rest) = text.strip_prefix([' ', '\t']) {
            line.push_str(rest);
            continue;
        }
        take(&line, &mut out);
        line.clear();
        line.push_str(text);
    }
    take(&line, &mut out);
    Some(Published(out))
}

/// A feed's name as calendar apps list it, short and distinct: the
/// programme's id, then what the feed holds (`KM-TIP · South Kent`,
/// `KM-TIP · All dates`). A phone shows about twenty characters of it.
pub fn feed_name(data: &Dataset, what: &str) -> String {
    let what = if what.is_empty() { "All dates" } else { what };
    format!("{} · {what}", data.programme().id.to_uppercase())
}

/// The sessions a filter selects, in time order (then cohort, then number).
pub fn sessions<'d>(data: &'d Dataset, filter: &Filter) -> Vec<(Ix<Cohort>, &'d Session)> {
    // One cohort's feed (a run's "Add to calendar") looks at that cohort
    // alone, not at every cohort of a national timetable.
    let cohorts: Box<dyn Iterator<Item = (Ix<Cohort>, &Cohort)>> = match filter.cohort {
        Some(ix) => Box::new(std::iter::once((ix, &data[ix]))),
        None => Box::new(data.cohort_ixs()),
    };
    let mut out: Vec<(Ix<Cohort>, &Session)> = cohorts
        .filter(|(ix, _)| filter.cohort_matches(data, *ix))
        .flat_map(|(ix, _)| data.sessions(ix).iter().map(move |s| (ix, s)))
        .filter(|(_, s)| filter.date_matches(s.date()))
        .collect();
    out.sort_by(|a, b| {
        (a.1.start, &data[a.0].id, a.1.number).cmp(&(b.1.start, &data[b.0].id, b.1.number))
    });
    out
}

/// The iCalendar text of a feed: CRLF line ends, lines of at most 75 octets.
pub fn render(data: &Dataset, filter: &Filter, feed: &Feed) -> String {
    let selected = sessions(data, filter);
    let organizer = organizer(data.programme());
    let events: Vec<String> = selected
        .par_iter()
        .map(|(ix, session)| {
            event_text(
                data,
                *ix,
                session,
                feed,
                organizer.as_deref(),
                filter.person.is_some(),
            )
        })
        .collect();
    let mut out = header(data, &feed.name, feed.dtstamp, &selected, &Zones::default());
    for e in events {
        out.push_str(&e);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

/// Several feeds with the same `DTSTAMP` and history (a site's calendars:
/// all dates, each region, tier and course), each as [`render`] writes it.
/// An event is written once however many feeds carry it.
pub fn render_feeds(
    data: &Dataset,
    dtstamp: DateTime<Utc>,
    previous: &Published,
    feeds: &[(&str, &Filter)],
) -> Vec<String> {
    let feed = |name: &str| Feed {
        name: name.to_owned(),
        dtstamp,
        previous: previous.clone(),
    };
    // A person's own feed carries what no public one does: made on its own.
    if feeds.iter().any(|(_, filter)| filter.person.is_some()) {
        return feeds
            .par_iter()
            .map(|(name, filter)| render(data, filter, &feed(name)))
            .collect();
    }
    let selections: Vec<_> = feeds
        .par_iter()
        .map(|(_, filter)| sessions(data, filter))
        .collect();
    // Every session any feed shows, written once, in parallel.
    let mut wanted: Vec<(Ix<Cohort>, u32)> = selections
        .iter()
        .flatten()
        .map(|(ix, s)| (*ix, s.number))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let organizer = organizer(data.programme());
    let shared = feed("");
    let zones = Zones::default();
    let texts: Vec<String> = wanted
        .par_iter()
        .map(|&(ix, number)| {
            let session = data
                .sessions(ix)
                .iter()
                .find(|s| s.number == number)
                .expect("a selected session");
            event_text(data, ix, session, &shared, organizer.as_deref(), false)
        })
        .collect();
    // Each feed put together from them, side by side.
    feeds
        .par_iter()
        .zip(&selections)
        .map(|((name, _), selected)| {
            let mut out = header(data, name, dtstamp, selected, &zones);
            for (ix, s) in selected {
                let at = wanted
                    .binary_search(&(*ix, s.number))
                    .expect("written above");
                out.push_str(&texts[at]);
            }
            fold("END:VCALENDAR", &mut out);
            out
        })
        .collect()
}

/// One event's text, folded, with the organiser line when there is one.
fn event_text(
    data: &Dataset,
    ix: Ix<Cohort>,
    session: &Session,
    feed: &Feed,
    organizer: Option<&str>,
    private: bool,
) -> String {
    let mut text = refold(
        &event(data, ix, session, feed, private)
            .try_into_string()
            .expect("writing to a String cannot fail"),
    );
    if let Some(line) = organizer {
        let end = text.len() - "END:VEVENT\r\n".len();
        text.insert_str(end, line);
    }
    text
}

/// The calendar's properties and time zone, up to its first event.
/// The `VTIMEZONE` lines of each span of years, made once for every feed
/// that spans it (a site has a feed a run: thousands).
#[derive(Default)]
struct Zones(std::sync::Mutex<std::collections::HashMap<YearSpan, std::sync::Arc<[String]>>>);

/// The first and last day of the years a feed spans.
type YearSpan = (NaiveDate, NaiveDate);

impl Zones {
    fn lines(
        &self,
        tz: chrono_tz::Tz,
        start: NaiveDate,
        end: NaiveDate,
    ) -> std::sync::Arc<[String]> {
        let mut made = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        made.entry((start, end))
            .or_insert_with(|| vtimezone::lines(tz, start, end).into())
            .clone()
    }
}

/// A calendar's lines before its events: its name, and the time zone of
/// the years `selected` spans (of `dtstamp`'s year when it is empty).
fn header(
    data: &Dataset,
    name: &str,
    dtstamp: DateTime<Utc>,
    selected: &[(Ix<Cohort>, &Session)],
    zones: &Zones,
) -> String {
    let programme = &data.programme();
    let tz = programme.timezone;

    let mut cal = Calendar::empty();
    cal.append_property(Property::new("VERSION", "2.0"));
    cal.append_property(Property::new(
        "PRODID",
        concat!("-//tip//tip ", env!("CARGO_PKG_VERSION"), "//EN"),
    ));
    cal.append_property(Property::new("CALSCALE", "GREGORIAN"));
    cal.append_property(Property::new("METHOD", "PUBLISH"));
    // NAME and X-WR-CALNAME are not escaped by the crate: escape them here.
    cal.append_property(Property::new("NAME", escape(&clean(name))));
    cal.append_property(Property::new("X-WR-CALNAME", escape(&clean(name))));
    cal.append_property(Property::new("X-WR-TIMEZONE", tz.name()));
    cal.append_property(
        Property::new("REFRESH-INTERVAL", "PT12H")
            .add_parameter("VALUE", "DURATION")
            .done(),
    );
    cal.append_property(Property::new("X-PUBLISHED-TTL", "PT12H"));

    // The years the events span (a day either side for zones far from UTC).
    let (start, end) = match (
        selected.first(),
        selected.iter().map(|(_, s)| s.end.date_naive()).max(),
    ) {
        (Some((_, first)), Some(last)) => (
            first
                .date()
                .checked_sub_days(Days::new(1))
                .unwrap_or(first.date()),
            last.checked_add_days(Days::new(1)).unwrap_or(last),
        ),
        _ => {
            let year = dtstamp.year();
            (
                NaiveDate::from_ymd_opt(year, 1, 1).expect("a date"),
                NaiveDate::from_ymd_opt(year, 12, 31).expect("a date"),
            )
        }
    };
    let start = NaiveDate::from_ymd_opt(start.year(), 1, 1).expect("a date");
    let end = NaiveDate::from_ymd_opt(end.year(), 12, 31).expect("a date");

    // The crate writes the calendar's properties and each event; we unfold
    // what it wrote and fold every line again, correctly, and add the
    // VTIMEZONE it does not write. Events are written in parallel.
    let mut out = refold(&cal.to_string());
    out.truncate(out.len() - "END:VCALENDAR\r\n".len());
    for line in zones.lines(tz, start, end).iter() {
        fold(line, &mut out);
    }
    out
}

/// Unfold iCalendar text and fold it again with [`fold`].
fn refold(text: &str) -> String {
    let unfolded = text.replace("\r\n ", "").replace("\r\n\t", "");
    let mut out = String::with_capacity(unfolded.len() + unfolded.len() / 32);
    for line in unfolded.split("\r\n").filter(|l| !l.is_empty()) {
        fold(line, &mut out);
    }
    out
}

/// A short hash of what a subscriber sees of an event (`X-TIP-FINGERPRINT`).
fn fingerprint(seen: &[&str]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(seen.join("\u{1f}").as_bytes());
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

/// An event's description: what it is, its notes, the venue's access
/// notes, how to book and join, who trains; paragraphs apart.
fn description(
    data: &Dataset,
    ix: Ix<Cohort>,
    session: &Session,
    link: Option<&str>,
    private: bool,
) -> String {
    let cohort = &data[ix];
    let course = &data[cohort.course];
    let cancelled = cohort.status == Status::Cancelled;
    let mut out = Vec::new();
    if cancelled {
        out.push("This session is cancelled.".to_string());
    }
    if let Some(from) = session.moved_from {
        out.push(format!(
            "Moved from {} ({}).",
            from.format("%A %-d %B %Y"),
            data.calendar().why_closed(from, data.programme())
        ));
    }
    if let Some(s) = &course.summary {
        // A YAML `|` block ends with a line break: never blank lines.
        out.push(clean(s).trim().to_string());
    }
    if let Some(notes) = &cohort.notes {
        out.push(clean(notes).trim().to_string());
    }
    if let Some(other) = cohort.replaced_by.filter(|_| cancelled)
        && let Some(first) = data.sessions(other).first()
    {
        out.push(format!("Instead: {}.", first.start.format("%A %-d %B %Y")));
    }
    if let Some(Place::Venue(v)) = &cohort.place
        && let Some(access) = &data[*v].access
    {
        out.push(format!("Access: {}", clean(access).trim()));
    }
    match link {
        Some(url) if private || cohort.public_link => out.push(format!("Join online: {url}")),
        Some(_) if !cancelled => out.push("The joining link is sent when you book.".into()),
        _ => {}
    }
    if !cancelled && !private && course.ended.is_none() {
        match data.booking(ix) {
            Some(form @ Booking::Form(_)) => {
                out.extend(form.form_for(&cohort.id).map(|f| format!("To book: {f}")));
            }
            Some(Booking::Email(email)) => out.push(format!("To book, email {email}.")),
            _ => {}
        }
    }
    if !cohort.trainers.is_empty() {
        let names: Vec<String> = cohort
            .trainers
            .iter()
            .map(|t| clean(&data[*t].name))
            .collect();
        out.push(format!("Trainers: {}", names.join(", ")));
    }
    out.join("\n\n")
}

// Long: one step per property of the event, in RFC 5545 order.
fn event(data: &Dataset, ix: Ix<Cohort>, session: &Session, feed: &Feed, private: bool) -> Event {
    let cohort = &data[ix];
    let course = &data[cohort.course];
    let programme = &data.programme();
    let of = data.sessions(ix).len();
    let tzid = programme.timezone.name().to_string();

    let mut summary = clean(&course.title);
    if of > 1 {
        summary.push_str(&format!(" (session {} of {of})", session.number));
    }
    if cohort.status == Status::Cancelled {
        summary = format!("Cancelled: {summary}");
    }
    let (location, link) = match &cohort.place {
        Some(Place::Venue(v)) => (clean(&data[*v].name_and_address()), None),
        Some(Place::Online(url)) => ("Online".to_string(), Some(url.clone())),
        _ => (String::new(), None),
    };
    let description = description(data, ix, session, link.as_deref(), private);
    // A joining link is published only where the site shows it (the
    // cohort's `public_link`) or in the person's own calendar.
    let link = link.filter(|_| private || cohort.public_link);
    let tier = data[course.tier].label();

    let uid = format!("{}-{}@{}", cohort.id, session.number, programme.domain);
    // The course's page on the site: where to read more and book.
    let page = programme
        .site_url
        .as_deref()
        .map(|site| format!("{}/courses/{}.html", site.trim_end_matches('/'), course.id));
    // What a subscriber sees: when it changes, SEQUENCE goes up, so
    // Outlook and Google take the update without anyone raising
    // `revision` (a higher `revision` still wins).
    let fingerprint = fingerprint(&[
        summary.as_str(),
        &session.start.to_rfc3339(),
        &session.end.to_rfc3339(),
        cohort.status.as_str(),
        &location,
        &description,
        link.as_deref().unwrap_or(""),
        page.as_deref().unwrap_or(""),
        &tier,
    ]);
    let previous = feed.previous.0.get(&uid);
    let unchanged = previous.filter(|p| p.fingerprint == fingerprint);
    let sequence = match previous {
        Some(p) if unchanged.is_some() => p.sequence,
        Some(p) => p.sequence.saturating_add(1),
        None => 0,
    }
    .max(cohort.revision);
    // DTSTAMP and LAST-MODIFIED move only when the event does.
    let modified = unchanged.and_then(|p| p.modified).unwrap_or(feed.dtstamp);
    let mut e = Event::new();
    e.uid(&uid)
        .timestamp(modified)
        .last_modified(modified)
        .sequence(sequence)
        .status(match cohort.status {
            Status::Planned => EventStatus::Tentative,
            Status::Confirmed => EventStatus::Confirmed,
            Status::Cancelled => EventStatus::Cancelled,
            // Anything not yet confirmed is tentative.
            _ => EventStatus::Tentative,
        })
        .summary(&summary)
        .starts(CalendarDateTime::WithTimezone {
            date_time: session.start.naive_local(),
            tzid: tzid.clone(),
        })
        .ends(CalendarDateTime::WithTimezone {
            date_time: session.end.naive_local(),
            tzid,
        });
    if !location.is_empty() {
        e.location(&location);
    }
    e.description(&description);
    if let Some(url) = page.as_ref().or(link.as_ref()) {
        e.url(&clean(url).replace('\n', ""));
    }
    // CATEGORIES is a list: the crate leaves its text unescaped.
    e.append_property(Property::new("CATEGORIES", escape(&clean(&tier))));
    e.append_property(Property::new("X-TIP-FINGERPRINT", fingerprint));
    e.done()
}

/// The `ORGANIZER` line, folded, written here rather than by the crate:
/// the crate quotes a parameter only when it holds `:` or `;`, so a name
/// with a comma would split. RFC 5545 `param-value`: a quoted string of
/// any characters but controls and `"`, always quoted here.
fn organizer(programme: &tip_core::model::Programme) -> Option<String> {
    let org = programme.organiser.as_ref()?;
    let email = org.email.as_ref()?;
    let cn: String = clean(&org.name)
        .chars()
        .map(|c| match c {
            '"' => '\'',
            '\n' | '\t' => ' ',
            c => c,
        })
        .collect();
    let address: String = email.chars().filter(|c| !c.is_control()).collect();
    let mut out = String::new();
    fold(&format!("ORGANIZER;CN=\"{cn}\":mailto:{address}"), &mut out);
    Some(out)
}

/// Line ends as LF only (a CR would pass through the crate unescaped), and
/// no other control characters.
fn clean(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
        .collect()
}

/// RFC 5545 TEXT escaping: backslash, comma, semicolon, newline.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Append `line`, folded to at most 75 octets a physical line (the first
/// 75, then a space and 74), never inside a UTF-8 character, with CRLF.
pub fn fold(line: &str, out: &mut String) {
    let mut rest = line;
    let mut limit = 75;
    loop {
        if rest.len() <= limit {
            out.push_str(rest);
            out.push_str("\r\n");
            return;
        }
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        limit = 74;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_respects_octets_and_characters() {
        let line = format!(
            "DESCRIPTION:{}",
            "Ŵyn ap Gwilym — Αθηνά Παπαδοπούλου, Nguyễn Thị Minh. ".repeat(6)
        );
        let mut out = String::new();
        fold(&line, &mut out);
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(
                physical.len() <= 75,
                "{} octets: {physical}",
                physical.len()
            );
        }
        assert_eq!(out.strip_suffix("\r\n").unwrap().replace("\r\n ", ""), line);
    }

    #[test]
    fn a_previous_calendar_is_read_folded_bounded_and_never_backwards() {
        let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a-1@x\r\nSEQUENCE:4294967295\r\nX-TIP-FINGERPRINT:ab\r\n c\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:b-1@x\r\nSEQUENCE:99999999999999999999999\r\nX-TIP-FINGERPRINT:d\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let p = published(ics);
        assert_eq!(
            (p.0["a-1@x"].sequence, p.0["a-1@x"].fingerprint.as_str()),
            (u32::MAX, "abc"),
            "folded lines joined"
        );
        assert_eq!(
            p.0["b-1@x"].sequence,
            u32::MAX,
            "too big to read is the most, not 0"
        );
        assert!(
            read_published(ics.as_bytes(), 40).is_none(),
            "over the limit"
        );
        assert!(read_published(&b"not a calendar"[..], 1000).is_none());
    }

    #[test]
    fn an_event_keeps_when_it_last_changed() {
        let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a-1@x\r\nDTSTAMP:20220101T000000Z\r\nLAST-MODIFIED:20211201T093000Z\r\nX-TIP-FINGERPRINT:f\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:b-1@x\r\nDTSTAMP:20220101T000000Z\r\nX-TIP-FINGERPRINT:g\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let p = published(ics);
        let at = |s: &str| utc_stamp(s).unwrap();
        assert_eq!(p.0["a-1@x"].modified, Some(at("20211201T093000Z")));
        assert_eq!(
            p.0["b-1@x"].modified,
            Some(at("20220101T000000Z")),
            "DTSTAMP when there is no LAST-MODIFIED"
        );
    }

    #[test]
    fn escaping_and_cleaning() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        assert_eq!(clean("one\r\ntwo\rthree\u{7}"), "one\ntwo\nthree");
    }
}
