//! Problems of the timetable: clashes, sessions on closed days, cohorts
//! over capacity, unqualified trainers.
//!
//! `tip validate` reports them as diagnostics and `tip schedule` lists them
//! with the sessions. Clashes are found with a sweep line: every booking of
//! a person or a venue is sorted by (who, start), and each is compared only
//! with the booking of the same person or venue that ends last so far — no
//! pairwise comparison, so a national timetable takes milliseconds.

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::dataset::Dataset;
use crate::diagnostic::{Code, Severity};
use crate::ix::Ix;
use crate::loc::Loc;
use crate::model::*;
use crate::timetable::Session;

/// One problem, with the cohort, session and people involved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The stable code (`trainer-clash`, `over-capacity`, …).
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// What would fix it.
    pub help: String,
    /// The cohort.
    pub cohort: Option<Ix<Cohort>>,
    /// The session number within the cohort.
    pub number: Option<u32>,
    /// The people involved (never shown in public outputs).
    pub people: Vec<Ix<Person>>,
    /// Where to look: the value to change.
    pub loc: Loc,
    /// Other places that explain it (the other session of a clash).
    pub labels: Vec<(Loc, String)>,
}

/// The codes of problems found here: data whose only errors have these
/// codes can still be shown as a timetable.
pub const CODES: &[Code] = &[
    Code::TrainerClash,
    Code::VenueClash,
    Code::LearnerClash,
    Code::SessionOnClosedDay,
    Code::OverCapacity,
    Code::UnqualifiedTrainer,
];

/// Every timetable problem of the data set, in cohort order.
pub fn problems(data: &Dataset) -> Vec<Problem> {
    let mut out = Vec::new();
    for (ix, cohort) in data.cohort_ixs() {
        capacity(data, ix, cohort, &mut out);
        trainers(data, ix, cohort, &mut out);
        closed_days(data, ix, cohort, &mut out);
    }
    out.extend(clashes(data));
    out.sort_by_key(|p| (p.cohort, p.number, p.code));
    out
}

fn capacity(data: &Dataset, ix: Ix<Cohort>, cohort: &Cohort, out: &mut Vec<Problem>) {
    let n = cohort.enrolled.len();
    // The first person enrolled beyond `places`, where the list overflows.
    let beyond = |places: usize| cohort.locs.enrolled.get(places).copied();
    let mut push = |message: String, help: String, loc: Loc, labels: Vec<(Loc, String)>| {
        out.push(Problem {
            code: Code::OverCapacity,
            severity: Severity::Error,
            message,
            help,
            cohort: Some(ix),
            number: None,
            people: Vec::new(),
            loc,
            labels,
        })
    };
    if let Some(cap) = cohort.capacity.or(data[cohort.course].capacity)
        && n > cap as usize
    {
        // Blame the cohort's own `capacity:` when it has one, with the
        // first person beyond it; else that person.
        let over = beyond(cap as usize);
        let (loc, labels) = match (cohort.locs.capacity, over) {
            (Some(c), Some(o)) => (c, vec![(o, format!("enrolled beyond the {cap} places"))]),
            (Some(c), None) => (c, Vec::new()),
            (None, Some(o)) => (o, Vec::new()),
            (None, None) => (cohort.loc, Vec::new()),
        };
        push(
            format!(
                "cohort `{}` has {n} people enrolled but {cap} places",
                cohort.id
            ),
            format!(
                "move {} to `waitlist`, or raise `capacity`",
                n - cap as usize
            ),
            loc,
            labels,
        );
    }
    if let Some(Place::Venue(v)) = &cohort.place {
        let venue = &data[*v];
        if let Some(cap) = venue.capacity {
            let people = n + cohort.trainers.len();
            if people > cap as usize {
                push(
                    format!(
                        "cohort `{}` brings {people} people (enrolled and trainers) to `{}`, which holds {cap}",
                        cohort.id, venue.id
                    ),
                    "choose a bigger venue or move people to `waitlist`".into(),
                    cohort.locs.place.unwrap_or(cohort.loc),
                    Vec::new(),
                );
            }
        }
    }
}

fn trainers(data: &Dataset, ix: Ix<Cohort>, cohort: &Cohort, out: &mut Vec<Problem>) {
    let course = &data[cohort.course];
    let (Some(rule), Some(first)) = (&course.delivered_by, data.sessions(ix).first()) else {
        return;
    };
    let on = first.date();
    for (i, &t) in cohort.trainers.iter().enumerate() {
        if !data.rule_holds(rule, t, on) {
            let reasons: Vec<String> = data
                .rule_reasons(rule, t, on)
                .iter()
                .map(|r| r.explain(data, t).to_string())
                .collect();
            let reasons = reasons.join("; ");
            out.push(Problem {
                code: Code::UnqualifiedTrainer,
                severity: Severity::Error,
                message: format!(
                    "`{}` may not deliver `{}` on {on} (cohort `{}`): {reasons}",
                    data[t].id, course.id, cohort.id
                ),
                help: "choose a qualified trainer, or record the trainer's qualifying completion"
                    .into(),
                cohort: Some(ix),
                number: Some(first.number),
                people: vec![t],
                labels: Vec::new(),
                loc: cohort.locs.trainers.get(i).copied().unwrap_or(cohort.loc),
            });
        }
    }
}

fn closed_days(data: &Dataset, ix: Ix<Cohort>, cohort: &Cohort, out: &mut Vec<Problem>) {
    if !matches!(cohort.timing, Timing::Sessions(_)) || cohort.status == Status::Cancelled {
        return;
    }
    for s in data.sessions(ix) {
        let day = s.date();
        if !data.calendar().is_working_day(day) {
            let why = data.calendar().why_closed(day, &data.programme);
            out.push(Problem {
                code: Code::SessionOnClosedDay,
                severity: Severity::Warning,
                message: format!(
                    "session {} of cohort `{}` is on {} {day}, {why}",
                    s.number,
                    cohort.id,
                    crate::timetable::weekday_name(chrono::Datelike::weekday(&day))
                ),
                help: "move the session to a working day, or add the day to `working_days`".into(),
                cohort: Some(ix),
                number: Some(s.number),
                people: cohort.trainers.clone(),
                loc: s.loc,
                labels: Vec::new(),
            });
        }
    }
}

/// Who a booking is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Person(u32),
    Venue(u32),
}

impl Who {
    /// In four bytes, ordered as `Who` is (people before venues): a venue
    /// has the top bit set.
    fn key(self) -> u32 {
        match self {
            Who::Person(p) => p & !VENUE,
            Who::Venue(v) => v | VENUE,
        }
    }

    fn of_key(key: u32) -> Who {
        if key & VENUE == 0 {
            Who::Person(key)
        } else {
            Who::Venue(key & !VENUE)
        }
    }
}

const VENUE: u32 = 1 << 31;

/// A session's booking of someone or somewhere: 24 bytes, since a national
/// timetable makes a million or more (`validate`'s peak memory).
#[derive(Clone, Copy)]
struct Booking {
    start: i64,
    /// [`Who::key`].
    who: u32,
    /// Seconds from start to end (negative for a session that ends before
    /// it starts, which is reported elsewhere).
    length: i32,
    cohort: u32,
    session: u16,
    trainer: bool,
}

impl Booking {
    fn end(&self) -> i64 {
        self.start + i64::from(self.length)
    }
}

/// Who each session of a cohort books: its venue, its trainers (`true`),
/// its learners.
fn whos(c: &Cohort) -> impl Iterator<Item = (Who, bool)> + Clone + '_ {
    let venue = match &c.place {
        Some(Place::Venue(v)) => Some((Who::Venue(v.index() as u32), false)),
        _ => None,
    };
    let person = |p: &Ix<Person>| Who::Person(p.index() as u32);
    venue
        .into_iter()
        .chain(c.trainers.iter().map(move |p| (person(p), true)))
        .chain(c.enrolled.iter().map(move |p| (person(p), false)))
}

/// Two overlapping bookings of one person or venue.
fn clashes(data: &Dataset) -> Vec<Problem> {
    // Counted first, then written into one vector of that size: a million
    // bookings are made once, not gathered in pieces and copied (this is
    // where `validate` reaches its peak memory).
    let booked = |(_, c): &(Ix<Cohort>, &Cohort)| c.status != Status::Cancelled;
    let total: usize = data
        .cohort_ixs()
        .filter(booked)
        .map(|(ix, c)| data.sessions(ix).len() * whos(c).count())
        .sum();
    let mut bookings: Vec<Booking> = Vec::with_capacity(total);
    bookings.extend(data.cohort_ixs().filter(booked).flat_map(|(ix, c)| {
        data.sessions(ix).iter().flat_map(move |s| {
            let length = (s.end.timestamp() - s.start.timestamp())
                .clamp(i32::MIN.into(), i32::MAX.into()) as i32;
            whos(c).map(move |(who, trainer)| Booking {
                start: s.start.timestamp(),
                who: who.key(),
                length,
                cohort: ix.index() as u32,
                // At most `MAX_SESSIONS` (1,000) a cohort.
                session: s.number as u16,
                trainer,
            })
        })
    }));
    debug_assert_eq!(bookings.len(), total, "bookings counted as made");
    // By who, then start and end (the length orders ends of one start).
    bookings
        .par_sort_unstable_by_key(|b| (b.who, b.start, b.length, b.cohort, b.session, b.trainer));

    let mut out = Vec::new();
    let mut open: Option<Booking> = None; // the booking of this `who` ending last so far
    for b in bookings {
        match open {
            Some(o) if o.who == b.who => {
                if b.start < o.end() && b.cohort != o.cohort {
                    out.push(clash(data, &o, &b));
                }
                if b.end() > o.end() {
                    open = Some(b);
                }
            }
            _ => open = Some(b),
        }
    }
    out
}

fn clash(data: &Dataset, a: &Booking, b: &Booking) -> Problem {
    let (ca, cb) = (
        Ix::<Cohort>::new(a.cohort as usize),
        Ix::<Cohort>::new(b.cohort as usize),
    );
    let sa = &data.sessions(ca)[a.session as usize - 1];
    let sb = &data.sessions(cb)[b.session as usize - 1];
    let both = format!(
        "`{}` session {} ({}) and `{}` session {} ({})",
        data[ca].id,
        a.session,
        span(sa),
        data[cb].id,
        b.session,
        span(sb)
    );
    let (code, message, people, help) = match Who::of_key(b.who) {
        Who::Venue(v) => {
            let venue = &data.venues[v as usize];
            let mut people = data[ca].trainers.clone();
            people.extend(data[cb].trainers.iter().copied());
            people.sort();
            people.dedup();
            (
                Code::VenueClash,
                format!("`{}` is booked twice at once: {both}", venue.id),
                people,
                "move one cohort to another room or time",
            )
        }
        Who::Person(p) => {
            let person = Ix::<Person>::new(p as usize);
            let id = &data[person].id;
            if a.trainer || b.trainer {
                (
                    Code::TrainerClash,
                    format!("trainer `{id}` is due in two places at once: {both}"),
                    vec![person],
                    "give one of the cohorts another trainer, or move a session",
                )
            } else {
                (
                    Code::LearnerClash,
                    format!("learner `{id}` is enrolled on two sessions at once: {both}"),
                    vec![person],
                    "move them to another cohort, or onto a waitlist",
                )
            }
        }
    };
    Problem {
        code,
        severity: Severity::Error,
        message,
        help: help.into(),
        cohort: Some(cb),
        number: Some(b.session.into()),
        people,
        loc: sb.loc,
        labels: vec![(
            sa.loc,
            format!("`{}` session {} is here", data[ca].id, a.session),
        )],
    }
}

/// `2022-01-18 09:30–16:00`.
pub(crate) fn span(s: &Session) -> String {
    let end = if s.end.date_naive() == s.start.date_naive() {
        s.end.format("%H:%M").to_string()
    } else {
        s.end.format("%Y-%m-%d %H:%M").to_string()
    };
    format!("{}–{end}", s.start.format("%Y-%m-%d %H:%M"))
}

/// Whether a cohort has begun by the start of `on` (its first session is
/// on an earlier day).
pub(crate) fn started(data: &Dataset, cohort: Ix<Cohort>, on: NaiveDate) -> bool {
    data.sessions(cohort).first().is_some_and(|s| s.date() < on)
}

/// Whether a cohort has ended by the start of `on` (its last session ended
/// on an earlier day). A place on an ended cohort is no place.
pub(crate) fn ended(data: &Dataset, cohort: Ix<Cohort>, on: NaiveDate) -> bool {
    data.sessions(cohort)
        .last()
        .is_some_and(|s| s.end.date_naive() < on)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A booking's key keeps who it is, and orders people before venues,
    /// each by index; a booking is 24 bytes.
    #[test]
    fn bookings_are_small_and_keep_who_they_are() {
        let whos = [
            Who::Person(0),
            Who::Person(7),
            Who::Person(VENUE - 1),
            Who::Venue(0),
            Who::Venue(3),
        ];
        for pair in whos.windows(2) {
            assert!(pair[0].key() < pair[1].key(), "{pair:?}");
        }
        for who in whos {
            assert_eq!(Who::of_key(who.key()), who);
        }
        assert_eq!(std::mem::size_of::<Booking>(), 24);
        let b = Booking {
            start: 1_700_000_000,
            who: 0,
            length: -60,
            cohort: 0,
            session: 1,
            trainer: false,
        };
        assert_eq!(b.end(), 1_699_999_940);
    }
}
