//! Cohorts: their sessions or schedule, dates and places.

use super::{Converted, nested, record_id};
use crate::dataset::Index;
use crate::diagnostic::Code;
use crate::load::read::{Ctx, Record, Val};
use crate::model::*;
use crate::schema::SectionKey;

/// A cohort, with the id its `replaced_by` names still to look up (cohorts
/// name each other, so it is looked up once every cohort id is known).
pub(crate) fn cohort(
    ctx: &mut Ctx<'_>,
    rec: &Record<'_>,
    ix: &Index,
) -> (Converted<Cohort>, Option<Id>) {
    let replaced_by = ctx.field(rec, "replaced_by", Ctx::id);
    (cohort_fields(ctx, rec, ix), replaced_by)
}

pub(super) fn cohort_fields(ctx: &mut Ctx<'_>, rec: &Record<'_>, ix: &Index) -> Converted<Cohort> {
    let what = "cohort";
    let id = record_id(ctx, rec, what).ok_or(None)?;
    let course = ctx.required(rec, "course", what, |c, v| c.reference(v, &ix.courses));
    let region = ctx.field(rec, "region", |c, v| c.reference(v, &ix.regions));
    let venue = ctx.field(rec, "venue", |c, v| c.reference(v, &ix.venues));
    let online = ctx.field(rec, "online", Ctx::url);
    if rec.has("venue") && rec.has("online") {
        ctx.conflict(
            rec,
            ["venue", "online"],
            format!("cohort `{id}` has both `venue` and `online`"),
            "a cohort meets either at a venue or online; for blended delivery make two cohorts",
        );
    }
    let place = venue.map(Place::Venue).or(online.map(Place::Online));
    let public_link = ctx.field(rec, "public_link", Ctx::bool).unwrap_or(false);
    let booking = ctx.field(rec, "booking", Ctx::booking);
    let people = |c: &mut Ctx<'_>, v: Val<'_>| c.references_at::<Person>(v, &ix.people);
    let (trainers, trainer_locs) = ctx
        .field(rec, "trainers", people)
        .unwrap_or_default()
        .into_iter()
        .unzip();
    let capacity = ctx.field(rec, "capacity", |c, v| c.int(v, 1));
    let status = ctx
        .field(rec, "status", Ctx::vocabulary::<Status>)
        .unwrap_or_default();
    let revision = ctx.field(rec, "revision", |c, v| c.int(v, 0)).unwrap_or(0);
    let notes = ctx.field(rec, "notes", Ctx::verbatim);
    let (enrolled, enrolled_locs) = ctx
        .field(rec, "enrolled", people)
        .unwrap_or_default()
        .into_iter()
        .unzip();
    let (waitlist, waitlist_locs) = ctx
        .field(rec, "waitlist", people)
        .unwrap_or_default()
        .into_iter()
        .unzip();
    let locs = CohortLocs {
        capacity: ctx.value_loc(rec, "capacity"),
        place: ctx
            .value_loc(rec, "venue")
            .or_else(|| ctx.value_loc(rec, "online")),
        replaced_by: ctx.value_loc(rec, "replaced_by"),
        trainers: trainer_locs,
        enrolled: enrolled_locs,
        waitlist: waitlist_locs,
    };
    let timing = match (rec.get("sessions"), rec.get("schedule")) {
        (Some(_), Some(_)) => {
            ctx.conflict(
                rec,
                ["sessions", "schedule"],
                format!("cohort `{id}` has both `sessions` and `schedule`"),
                "list the sessions by hand or give a schedule, not both",
            );
            None
        }
        (Some(v), None) => sessions(ctx, v).map(Timing::Sessions),
        (None, Some(v)) => schedule(ctx, v).map(Timing::Schedule),
        (None, None) => {
            ctx.error(Code::MissingField, rec.loc, format!("cohort `{id}` has neither `sessions` nor `schedule`"))
                .help = Some("add `sessions: [{start: 2022-01-18T09:30, end: 2022-01-18T12:30}]` or a `schedule`".into());
            None
        }
    };
    all_or_broken!(Some(id); course, timing);
    Ok(Cohort {
        id,
        course,
        region,
        place,
        public_link,
        booking,
        replaced_by: None,
        trainers,
        capacity,
        status,
        revision,
        notes,
        enrolled,
        waitlist,
        timing,
        loc: rec.loc,
        locs,
    })
}

pub(super) fn sessions(ctx: &mut Ctx<'_>, val: Val<'_>) -> Option<Vec<SessionTime>> {
    let fields = nested(SectionKey::Cohorts, &["sessions"]);
    let before = ctx.diagnostics.len();
    let list = ctx.list(val, |c, v| {
        let Val::Node(node) = v else { return None };
        let rec = c.record(node, fields, "session")?;
        let start = c.required(&rec, "start", "session", Ctx::datetime);
        let end = c.required(&rec, "end", "session", Ctx::datetime);
        Some(SessionTime {
            start: start?,
            end: end?,
            loc: c.value_loc(&rec, "start").unwrap_or(rec.loc),
            end_loc: c.value_loc(&rec, "end").unwrap_or(rec.loc),
        })
    })?;
    if list.is_empty() && ctx.diagnostics.len() == before {
        ctx.error(
            Code::MissingField,
            ctx.loc_of(val),
            "a cohort's `sessions` list is empty",
        )
        .help = Some("add at least one `{start, end}`".into());
    }
    (ctx.diagnostics.len() == before).then_some(list)
}

// Long: one step per field of a schedule, then the checks across them.
pub(super) fn schedule(ctx: &mut Ctx<'_>, val: Val<'_>) -> Option<Schedule> {
    let Val::Node(node) = val else { return None };
    let what = "schedule";
    let rec = ctx.record(node, nested(SectionKey::Cohorts, &["schedule"]), what)?;
    let every = ctx.required(&rec, "every", what, Ctx::vocabulary::<Every>);
    let day = ctx.required(&rec, "day", what, day);
    let from = ctx.required(&rec, "from", what, Ctx::date);
    let until = ctx.field(&rec, "until", Ctx::date);
    let count = ctx.field(&rec, "count", |c, v| c.int(v, 1));
    let end = match (rec.has("until"), rec.has("count")) {
        (true, true) => {
            ctx.conflict(
                &rec,
                ["until", "count"],
                "a schedule has both `until` and `count`",
                "say where it stops with one of them",
            );
            None
        }
        (false, false) => {
            ctx.error(
                Code::MissingField,
                rec.loc,
                "a schedule needs `until` or `count`",
            )
            .help = Some("add `until: 2022-12-31` or `count: 4`".into());
            None
        }
        _ => until
            .map(ScheduleEnd::Until)
            .or(count.map(ScheduleEnd::Count)),
    };
    if let (Some(from), Some(ScheduleEnd::Until(until))) = (from, end)
        && until < from
    {
        let loc = rec.get("until").map_or(rec.loc, |v| ctx.loc_of(v));
        ctx.error(
            Code::EndBeforeStart,
            loc,
            format!("the schedule ends ({until}) before it starts ({from})"),
        );
    }
    let time = ctx.required(&rec, "time", what, Ctx::time_range);
    let holidays = ctx
        .field(&rec, "holidays", Ctx::vocabulary::<HolidayPolicy>)
        .unwrap_or_default();
    let (every, day) = (every?, day?);
    let weekly = matches!(every, Every::Week | Every::TwoWeeks);
    match (weekly, day) {
        (true, Day::Weekday(_)) | (false, Day::Nth(..) | Day::Last(_) | Day::OfMonth(_)) => {}
        (true, _) => {
            let loc = rec.get("day").map_or(rec.loc, |v| ctx.loc_of(v));
            ctx.error(
                Code::InvalidValue,
                loc,
                "a weekly schedule needs a day of the week",
            )
            .help = Some(
                "write `day: tuesday`; `2nd tuesday` and `15` are for monthly schedules".into(),
            );
            return None;
        }
        (false, Day::Weekday(d)) => {
            let loc = rec.get("day").map_or(rec.loc, |v| ctx.loc_of(v));
            let name = crate::timetable::weekday_name(d).to_lowercase();
            ctx.error(
                Code::InvalidValue,
                loc,
                format!("a monthly schedule needs to say which {name} of the month"),
            )
            .help = Some(format!(
                "write `1st {name}`, `2nd {name}`, … or `last {name}`"
            ));
            return None;
        }
    }
    let (start, end_time) = time?;
    Some(Schedule {
        every,
        day,
        from: from?,
        end: end?,
        start,
        end_time,
        holidays,
        loc: rec.loc,
    })
}

/// `2nd tuesday`, `last friday`, `15`, `tuesday`.
pub(super) fn day(ctx: &mut Ctx<'_>, val: Val<'_>) -> Option<Day> {
    let s = ctx.str(val)?.trim().to_ascii_lowercase();
    let parsed = parse_day(&s);
    if parsed.is_none() {
        ctx.error(Code::InvalidValue, ctx.loc_of(val), format!("`{s}` is not a day a schedule can fall on"))
            .help = Some("write `2nd tuesday`, `last friday`, `15` (a day of the month) or, for weekly schedules, `tuesday`".into());
    }
    parsed
}

pub(crate) fn parse_day(s: &str) -> Option<Day> {
    if let Ok(n) = s.parse::<u8>() {
        return (1..=31).contains(&n).then_some(Day::OfMonth(n));
    }
    let mut words = s.split_whitespace();
    let (first, second) = (words.next()?, words.next());
    if words.next().is_some() {
        return None;
    }
    let Some(second) = second else {
        return crate::load::read::parse_weekday(first).map(Day::Weekday);
    };
    let weekday = crate::load::read::parse_weekday(second)?;
    let nth = match first {
        "1st" | "first" => 1,
        "2nd" | "second" => 2,
        "3rd" | "third" => 3,
        "4th" | "fourth" => 4,
        "5th" | "fifth" => 5,
        "last" => return Some(Day::Last(weekday)),
        _ => return None,
    };
    Some(Day::Nth(nth, weekday))
}
