//! From records to model types, section by section.
//!
//! Each converter reads one [`Record`] (a YAML mapping or a CSV row) with the
//! typed readers of [`Ctx`]. A record whose required fields cannot be read
//! is `Err(id)`: it is left out, and references to its id are not reported
//! a second time.

use std::marker::PhantomData;
use std::str::FromStr;

use chrono::Weekday;
use chrono_tz::Tz;

use crate::dataset::{IdTable, Index};
use crate::diagnostic::Code;
use crate::load::read::{Ctx, Record, Val};
use crate::load::tree::{Kind, Node};
use crate::loc::Loc;
use crate::model::*;
use crate::model::{Rule, RuleKind};
use crate::records::Records;
use crate::schema::{self, Field, Ty};
use crate::suggest::did_you_mean;
use crate::words::is_bidi_control;

/// The outcome of converting one record.
pub(crate) type Converted<T> = Result<T, Option<Id>>;

fn fields(section: &str) -> &'static [Field] {
    schema::section(section).expect("known section").fields
}

/// The nested fields at `path` in `section` (each step a mapping, or a
/// list of mappings): `nested("programme", &["vision", "targets"])`.
fn nested(section: &str, path: &[&str]) -> &'static [Field] {
    path.iter().fold(fields(section), |fields, step| {
        let f = fields
            .iter()
            .find(|f| f.name == *step)
            .expect("a declared field");
        match &f.ty {
            Ty::Map(inner) | Ty::List(Ty::Map(inner)) => inner,
            _ => unreachable!("`{section}.{}` is not a mapping", path.join(".")),
        }
    })
}

/// The id of a record, read once so every converter reports it alike.
fn record_id(ctx: &mut Ctx<'_>, rec: &Record<'_>, what: &str) -> Option<Id> {
    ctx.required(rec, "id", what, Ctx::id)
}

/// Finish a record: all required parts read, or broken under its id.
macro_rules! all_or_broken {
    ($id:expr; $($name:ident),* $(,)?) => {
        let ($(Some($name),)*) = ($($name,)*) else {
            return Err($id);
        };
    };
}

pub(crate) fn named<K>(ctx: &mut Ctx<'_>, rec: &Record<'_>, what: &str) -> Converted<Named<K>> {
    let id = record_id(ctx, rec, what).ok_or(None)?;
    let name = ctx.required(rec, "name", what, Ctx::text);
    all_or_broken!(Some(id); name);
    Ok(Named {
        id,
        name,
        loc: rec.loc,
        _kind: PhantomData,
    })
}

pub(crate) fn tier(ctx: &mut Ctx<'_>, rec: &Record<'_>) -> Option<Tier> {
    let level = ctx.required(rec, "level", "tier", |c, v| c.int(v, 1));
    let name = ctx.required(rec, "name", "tier", Ctx::text);
    let description = ctx.field(rec, "description", Ctx::text);
    Some(Tier {
        level: level?,
        name: name?,
        description,
        loc: rec.loc,
    })
}

pub(crate) fn resource(ctx: &mut Ctx<'_>, rec: &Record<'_>, ix: &Index) -> Converted<Resource> {
    let what = "resource";
    let id = record_id(ctx, rec, what).ok_or(None)?;
    let title = ctx.required(rec, "title", what, Ctx::text);
    let kind = ctx.required(rec, "kind", what, Ctx::vocabulary::<ResourceKind>);
    let url = ctx.field(rec, "url", Ctx::url);
    let file = ctx.field(rec, "file", Ctx::text);
    let location = match (url, file, rec.has("url"), rec.has("file")) {
        (Some(url), None, _, false) => Some(ResourceLocation::Url(url)),
        (None, Some(file), false, _) => Some(ResourceLocation::File(file)),
        (_, _, true, true) => {
            ctx.conflict(rec, ["url", "file"], format!("resource `{id}` has both `url` and `file`"),
                "a resource is either online (`url`) or a file in the data folder (`file`), not both");
            None
        }
        (_, _, false, false) => {
            ctx.error(
                Code::MissingField,
                rec.loc,
                format!("resource `{id}` has neither `url` nor `file`"),
            )
            .help = Some("add `url: https://…` or `file: resources/…`".into());
            None
        }
        _ => None, // the value was reported
    };
    let minutes = ctx.field(rec, "minutes", |c, v| c.int(v, 1));
    let audience = ctx
        .field(rec, "audience", |c, v| c.references(v, &ix.roles))
        .unwrap_or_default();
    let funder = ctx.field(rec, "funder", Ctx::text);
    let description = ctx.field(rec, "description", Ctx::text);
    all_or_broken!(Some(id); title, kind, location);
    Ok(Resource {
        id,
        title,
        kind,
        location,
        minutes,
        audience,
        funder,
        description,
        loc: rec.loc,
        location_loc: ctx
            .value_loc(rec, "file")
            .or_else(|| ctx.value_loc(rec, "url"))
            .unwrap_or(rec.loc),
    })
}

pub(crate) fn venue(ctx: &mut Ctx<'_>, rec: &Record<'_>, ix: &Index) -> Converted<Venue> {
    let what = "venue";
    let id = record_id(ctx, rec, what).ok_or(None)?;
    let name = ctx.required(rec, "name", what, Ctx::text);
    let address = ctx.field(rec, "address", Ctx::text);
    let region = ctx.field(rec, "region", |c, v| c.reference(v, &ix.regions));
    let capacity = ctx.field(rec, "capacity", |c, v| c.int(v, 1));
    let access = ctx.field(rec, "access", Ctx::text);
    let map = ctx.field(rec, "map", Ctx::url);
    all_or_broken!(Some(id); name);
    Ok(Venue {
        id,
        name,
        address,
        region,
        capacity,
        access,
        map,
        loc: rec.loc,
    })
}

pub(crate) fn person(ctx: &mut Ctx<'_>, rec: &Record<'_>, ix: &Index) -> Converted<Person> {
    let what = "person";
    let fields = [
        "id",
        "name",
        "email",
        "organisation",
        "sector",
        "role",
        "region",
    ];
    let [id, name, email, organisation, sector, role, region] = ctx.values(rec, fields, what);
    let id = id.and_then(|v| ctx.id(v)).ok_or(None)?;
    let name = name.and_then(|v| {
        let text = ctx.short_text(v)?;
        if !text.is_ascii() && text.contains(is_bidi_control) {
            bidi_control(ctx, v, &text);
        }
        Some(text)
    });
    let email = email.and_then(|v| ctx.email(v));
    let organisation = organisation.and_then(|v| ctx.short_text(v));
    let sector = sector.and_then(|v| ctx.reference(v, &ix.sectors));
    let role = role.and_then(|v| ctx.reference(v, &ix.roles));
    let region = region.and_then(|v| ctx.reference(v, &ix.regions));
    all_or_broken!(Some(id); name);
    Ok(Person {
        id,
        name,
        email,
        organisation,
        sector,
        role,
        region,
        loc: rec.loc,
    })
}

/// A course with its rules still to read (they name other courses, so they
/// are read once every course id is known).
pub(crate) struct PendingCourse<'r> {
    pub(crate) course: Converted<Course>,
    pub(crate) requires: Option<Val<'r>>,
    pub(crate) delivered_by: Option<Val<'r>>,
}

pub(crate) fn course<'r>(ctx: &mut Ctx<'_>, rec: &Record<'r>, ix: &Index) -> PendingCourse<'r> {
    PendingCourse {
        course: course_fields(ctx, rec, ix),
        requires: rec.get("requires"),
        delivered_by: rec.get("delivered_by"),
    }
}

fn course_fields(ctx: &mut Ctx<'_>, rec: &Record<'_>, ix: &Index) -> Converted<Course> {
    let what = "course";
    let id = record_id(ctx, rec, what).ok_or(None)?;
    let title = ctx.required(rec, "title", what, Ctx::text);
    let tier = ctx.required(rec, "tier", what, |c, v| {
        let level = c.int(v, 1)?;
        if !ix.tiers.contains(&level) {
            let mut levels: Vec<_> = ix.tiers.iter().copied().collect();
            levels.sort_unstable();
            let known: Vec<_> = levels.iter().map(u32::to_string).collect();
            c.error(
                Code::UnknownReference,
                c.loc_of(v),
                format!("unknown tier {level}"),
            )
            .help = Some(if known.is_empty() {
                "add the tier to `tiers`".into()
            } else {
                format!("the tiers are {}", known.join(", "))
            });
        }
        Some(level)
    });
    let format = ctx.required(rec, "format", what, Ctx::vocabulary::<Format>);
    let summary = ctx.field(rec, "summary", Ctx::text);
    let url = ctx.field(rec, "url", Ctx::url);
    let booking = ctx.field(rec, "booking", Ctx::booking);
    let ended = ctx.field(rec, "ended", Ctx::date);
    let provider = ctx.field(rec, "provider", Ctx::text);
    let minutes = ctx.field(rec, "minutes", |c, v| c.int(v, 1));
    let cpd_hours = ctx.field(rec, "cpd_hours", Ctx::decimal);
    let cost = ctx
        .field(rec, "cost", Ctx::text)
        .filter(|c| !c.eq_ignore_ascii_case("free"));
    let audience = ctx
        .field(rec, "audience", |c, v| c.references(v, &ix.roles))
        .unwrap_or_default();
    let regions = ctx
        .field(rec, "regions", |c, v| c.references(v, &ix.regions))
        .unwrap_or_default();
    let valid_for = ctx.field(rec, "valid_for", Ctx::duration);
    let completion = ctx
        .field(rec, "completion", |c, v| {
            let Val::Node(node) = v else { return None };
            let inner = c.record(node, nested("courses", &["completion"]), "completion rule")?;
            c.required(&inner, "attendance", "completion rule", attendance_rule)
        })
        .unwrap_or_default();
    let certificate = ctx.field(rec, "certificate", Ctx::bool).unwrap_or(true);
    let resources = ctx
        .field(rec, "resources", |c, v| c.references(v, &ix.resources))
        .unwrap_or_default();
    let capacity = ctx.field(rec, "capacity", |c, v| c.int(v, 1));
    all_or_broken!(Some(id); title, tier, format);
    Ok(Course {
        id,
        title,
        tier,
        format,
        summary,
        url,
        booking,
        ended,
        provider,
        minutes,
        cpd_hours,
        cost,
        audience,
        regions,
        requires: None,
        valid_for,
        completion,
        certificate,
        resources,
        delivered_by: None,
        capacity,
        loc: rec.loc,
    })
}

fn attendance_rule(ctx: &mut Ctx<'_>, val: Val<'_>) -> Option<CompletionRule> {
    let s = ctx.trimmed(val)?;
    if s.ends_with('%') {
        ctx.percentage(val).map(CompletionRule::Percent)
    } else {
        ctx.int(val, 1).map(CompletionRule::Sessions)
    }
}

const RULE_KEYS: &[&str] = &["completed", "role", "region", "sector", "all", "any", "not"];

/// An eligibility rule (YAML only).
pub(crate) fn rule(ctx: &mut Ctx<'_>, val: Val<'_>, ix: &Index) -> Option<Rule> {
    use crate::load::tree::{STACK_GROWTH, STACK_RED_ZONE};
    // `not: not: …` and nested `all`/`any` recurse once per level.
    stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || rule_at(ctx, val, ix))
}

fn rule_at(ctx: &mut Ctx<'_>, val: Val<'_>, ix: &Index) -> Option<Rule> {
    let Val::Node(node) = val else { return None };
    let loc = node.loc(ctx.file);
    let Kind::Map(entries) = &node.kind else {
        let found = node.describe();
        ctx.error(Code::WrongType, loc, format!("expected a rule, found {found}"))
            .help = Some("a rule is one of `completed: <course>`, `role: [..]`, `region: [..]`, `sector: [..]`, `all: [..]`, `any: [..]`, `not: <rule>`".into());
        return None;
    };
    if entries.len() != 1 {
        ctx.error(
            Code::InvalidValue,
            loc,
            format!("a rule has exactly one key, found {}", entries.len()),
        )
        .help = Some("combine several conditions with `all: [ … ]` or `any: [ … ]`".into());
        return None;
    }
    let (key, value) = &entries[0];
    let name = key.text(ctx.source).unwrap_or("");
    let value = Val::Node(value);
    let mut loc = loc;
    let kind = match name {
        "completed" => {
            let (kind, at) = completed(ctx, value, ix)?;
            // A completion rule is blamed at the course it names.
            loc = at;
            kind
        }
        "role" => RuleKind::Role(rule_ids(ctx, value, &ix.roles)?),
        "region" => RuleKind::Region(rule_ids(ctx, value, &ix.regions)?),
        "sector" => RuleKind::Sector(rule_ids(ctx, value, &ix.sectors)?),
        "all" | "any" => {
            let Val::Node(Node {
                kind: Kind::Seq(items),
                ..
            }) = value
            else {
                ctx.error(
                    Code::WrongType,
                    ctx.loc_of(value),
                    format!("expected a list of rules after `{name}`"),
                );
                return None;
            };
            let rules: Vec<Rule> = items
                .iter()
                .filter_map(|n| rule(ctx, Val::Node(n), ix))
                .collect();
            if rules.len() != items.len() {
                return None;
            }
            if name == "all" {
                RuleKind::All(rules)
            } else {
                RuleKind::Any(rules)
            }
        }
        "not" => RuleKind::Not(Box::new(rule(ctx, value, ix)?)),
        _ => {
            let help = did_you_mean(name, RULE_KEYS.iter().copied()).unwrap_or_else(|| {
                "a rule is one of `completed`, `role`, `region`, `sector`, `all`, `any`, `not`"
                    .into()
            });
            ctx.error(
                Code::UnknownField,
                key.loc(ctx.file),
                format!("unknown rule `{name}`"),
            )
            .help = Some(help);
            return None;
        }
    };
    Some(Rule { kind, loc })
}

/// One id or a list of ids.
fn rule_ids<T>(ctx: &mut Ctx<'_>, val: Val<'_>, table: &IdTable) -> Option<Vec<crate::Ix<T>>> {
    match val {
        Val::Node(Node {
            kind: Kind::Seq(_), ..
        }) => {
            let before = ctx.diagnostics.len();
            let ids = ctx.references(val, table)?;
            (ctx.diagnostics.len() == before).then_some(ids)
        }
        _ => ctx.reference(val, table).map(|r| vec![r]),
    }
}

/// A `completed` rule, and where its course id is written.
fn completed(ctx: &mut Ctx<'_>, val: Val<'_>, ix: &Index) -> Option<(RuleKind, Loc)> {
    match val {
        Val::Node(
            node @ Node {
                kind: Kind::Map(_), ..
            },
        ) => {
            const FIELDS: &[Field] = &[
                Field {
                    name: "course",
                    required: true,
                    ty: Ty::Ref("courses"),
                    doc: "",
                },
                Field {
                    name: "within",
                    required: false,
                    ty: Ty::Duration,
                    doc: "",
                },
            ];
            let rec = ctx.record(node, FIELDS, "`completed` rule")?;
            let course = ctx.required(&rec, "course", "`completed` rule", |c, v| {
                c.reference(v, &ix.courses)
            });
            let within = ctx.field(&rec, "within", Ctx::duration);
            if rec.has("within") && within.is_none() {
                return None;
            }
            let at = ctx.value_loc(&rec, "course").unwrap_or(node.loc(ctx.file));
            Some((
                RuleKind::Completed {
                    course: course?,
                    within,
                },
                at,
            ))
        }
        _ => Some((
            RuleKind::Completed {
                course: ctx.reference(val, &ix.courses)?,
                within: None,
            },
            ctx.loc_of(val),
        )),
    }
}

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

fn cohort_fields(ctx: &mut Ctx<'_>, rec: &Record<'_>, ix: &Index) -> Converted<Cohort> {
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

fn sessions(ctx: &mut Ctx<'_>, val: Val<'_>) -> Option<Vec<SessionTime>> {
    let fields = nested("cohorts", &["sessions"]);
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
fn schedule(ctx: &mut Ctx<'_>, val: Val<'_>) -> Option<Schedule> {
    let Val::Node(node) = val else { return None };
    let what = "schedule";
    let rec = ctx.record(node, nested("cohorts", &["schedule"]), what)?;
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
fn day(ctx: &mut Ctx<'_>, val: Val<'_>) -> Option<Day> {
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

pub(crate) fn attendance(
    ctx: &mut Ctx<'_>,
    rec: &Record<'_>,
    ix: &Index,
    people: &mut PeopleNamed,
) -> Option<Attendance> {
    let what = "attendance record";
    let cohort = ctx.required(rec, "cohort", what, |c, v| c.reference(v, &ix.cohorts));
    let person = people.required(ctx, rec, what);
    // The register says who came: never assumed. In CSV an empty cell is
    // a row with nothing ticked; in YAML the field must be written.
    let mut number_locs = Vec::new();
    let sessions = match rec.get("sessions") {
        None if rec.is_row() => Some(SessionSet::Numbers(Vec::new())),
        None => {
            ctx.error(
                Code::MissingField,
                rec.loc,
                "missing field `sessions` in an attendance record",
            )
            .help = Some(
                "write what the register says: `sessions: all`, `sessions: none`, or the numbers attended, e.g. `sessions: [1, 3]`".into(),
            );
            None
        }
        Some(v) => {
            let word = match v {
                Val::Cell { text, .. } => Some(text.trim()),
                Val::Node(n) => n.text(ctx.source).map(str::trim),
            };
            let is = |w: &str| word.is_some_and(|word| word.eq_ignore_ascii_case(w));
            if is("all") {
                Some(SessionSet::All)
            } else if is("none") {
                Some(SessionSet::Numbers(Vec::new()))
            } else {
                ctx.list(v, |c, item| Some((c.int(item, 1)?, c.loc_of(item))))
                    .map(|numbers| {
                        let (numbers, locs) = numbers.into_iter().unzip();
                        number_locs = locs;
                        SessionSet::Numbers(numbers)
                    })
            }
        }
    };
    Some(Attendance {
        cohort: cohort?,
        person: person?,
        sessions: sessions?,
        loc: rec.loc,
        person_loc: ctx.value_loc(rec, "person").unwrap_or(rec.loc),
        sessions_loc: ctx.value_loc(rec, "sessions").unwrap_or(rec.loc),
        number_locs,
    })
}

/// Per-file state while reading completions: the interned `source`s, and
/// the people named, resolved together at the end of the file
/// ([`IdTable::get_many`]) because probing a million-person table one row
/// at a time is dominated by cache misses.
#[derive(Default)]
pub(crate) struct CompletionFile {
    sources: Interner,
    people: PeopleNamed,
}

/// The people a file's records name, resolved together at the end of the
/// file in one batch ([`IdTable::get_many`]: lookups overlap their waits
/// for memory), not one probe of a million ids per row. Until then a
/// record's `person` is a position in this list.
#[derive(Default)]
pub(crate) struct PeopleNamed {
    /// Where each id is in the file (no copy), or for ids written with
    /// quotes or escapes, a position in `written`.
    at: Vec<PersonAt>,
    written: Vec<(compact_str::CompactString, Written)>,
}

impl PeopleNamed {
    /// The record's required `person`, as a placeholder (see
    /// [`PeopleNamed::keep_known`]).
    fn required(
        &mut self,
        ctx: &mut Ctx<'_>,
        rec: &Record<'_>,
        what: &str,
    ) -> Option<crate::Ix<Person>> {
        ctx.required(rec, "person", what, |c, v| self.person(c, v))
    }

    /// The placeholder for the person `v` names (see
    /// [`PeopleNamed::keep_known`]).
    fn person(&mut self, c: &mut Ctx<'_>, v: Val<'_>) -> Option<crate::Ix<Person>> {
        let id = c.trimmed(v)?;
        let at = match c.source_range(v, id) {
            Some((start, len)) => PersonAt { start, len },
            None => {
                let place = match v {
                    Val::Cell { at, .. } => Written::Csv(at),
                    Val::Node(_) => Written::Yaml(c.loc_of(v)),
                };
                self.written.push((id.into(), place));
                PersonAt {
                    start: (self.written.len() - 1) as u32,
                    len: u32::MAX,
                }
            }
        };
        self.at.push(at);
        Some(crate::Ix::new(self.at.len() - 1))
    }

    /// Resolve every person named, reporting the unknown ones at their
    /// place, and keep the records whose person is known, each with its
    /// person's real index.
    fn keep_known<T: NamesPerson>(&self, ctx: &mut Ctx<'_>, ix: &Index, items: &mut Vec<T>) {
        let source = ctx.source;
        let ids: Vec<&str> = self
            .at
            .iter()
            .map(|p| match p.len {
                u32::MAX => self.written[p.start as usize].0.as_str(),
                len => &source[p.start as usize..(p.start + len) as usize],
            })
            .collect();
        let found = ix.people.get_many(&ids);
        let mut lines = None;
        for ((p, id), hit) in self.at.iter().zip(&ids).zip(&found) {
            if hit.is_some() {
                continue;
            }
            let loc = match p.len {
                u32::MAX => match self.written[p.start as usize].1 {
                    Written::Yaml(loc) => loc,
                    Written::Csv(at) => ctx.cell_loc(at, id),
                },
                _ => {
                    let lines = lines.get_or_insert_with(|| crate::files::LineStarts::new(source));
                    lines.loc(ctx.file, source, p.start as usize, id)
                }
            };
            ctx.unknown_reference(id, loc, &ix.people);
        }
        items.retain_mut(|item| {
            let p = item.person_mut();
            match found[p.index()] {
                Some(real) => {
                    *p = crate::Ix::new(real as usize);
                    true
                }
                None => false,
            }
        });
    }
}

/// Where a record's person id is: bytes `start..start + len` of the file,
/// or (`len == u32::MAX`) entry `start` of [`PeopleNamed::written`].
#[derive(Clone, Copy)]
struct PersonAt {
    start: u32,
    len: u32,
}

/// Where a value is, its line and column worked out only if needed.
#[derive(Clone, Copy)]
enum Written {
    Yaml(crate::loc::Loc),
    Csv(crate::load::read::CellAt),
}

/// A completion whose `person` is, until [`finish_completions`], a position
/// in [`CompletionFile::people`].
pub(crate) fn completion(
    ctx: &mut Ctx<'_>,
    rec: &Record<'_>,
    ix: &Index,
    file: &mut CompletionFile,
) -> Option<Completion> {
    let what = "completion";
    let [person, course, date, source] =
        ctx.values(rec, ["person", "course", "date", "source"], what);
    let person = person.and_then(|v| file.people.person(ctx, v));
    let course = course.and_then(|v| ctx.reference(v, &ix.courses));
    let date = date.and_then(|v| ctx.date(v));
    let source = source
        .and_then(|v| ctx.trimmed(v))
        .map(|s| Source::new(file.sources.intern(s)));
    Some(Completion {
        person: person?,
        course: course?,
        date: date?,
        source,
        loc: rec.loc,
    })
}

/// Resolve the people of a file's completions in one batch; drop (and
/// report) those naming no one.
pub(crate) fn finish_completions(
    ctx: &mut Ctx<'_>,
    file: CompletionFile,
    mut items: Vec<Completion>,
    ix: &Index,
    sources: &std::sync::Mutex<Interner>,
) -> Vec<Completion> {
    // The file's sources, numbered for the whole data set.
    let global: Vec<Source> = {
        let mut all = sources.lock().unwrap_or_else(|e| e.into_inner());
        file.sources
            .texts
            .iter()
            .map(|t| Source::new(all.intern(t)))
            .collect()
    };
    file.people.keep_known(ctx, ix, &mut items);
    for c in &mut items {
        c.source = c.source.map(|s| global[s.index()]);
    }
    items
}

/// The `finish` of a section whose records name a person: resolve them.
pub(crate) fn finish_people<T: NamesPerson>(
    ctx: &mut Ctx<'_>,
    people: PeopleNamed,
    mut items: Vec<T>,
    ix: &Index,
) -> Vec<T> {
    people.keep_known(ctx, ix, &mut items);
    items
}

/// A record whose `person` is, until its file is finished, a position in
/// the file's [`PeopleNamed`].
pub(crate) trait NamesPerson {
    fn person_mut(&mut self) -> &mut crate::Ix<Person>;
}

macro_rules! names_person {
    ($($record:ty),*) => {
        $(impl NamesPerson for $record {
            fn person_mut(&mut self) -> &mut crate::Ix<Person> {
                &mut self.person
            }
        })*
    };
}

names_person!(Attendance, Completion, Application);

/// Numbers distinct strings (a completion's `source`) in order of first
/// appearance.
#[derive(Default)]
pub(crate) struct Interner {
    ids: rustc_hash::FxHashMap<Box<str>, usize>,
    pub(crate) texts: Vec<Box<str>>,
    /// The last string's number: exports repeat one source row after row.
    last: Option<usize>,
}

impl Interner {
    pub(crate) fn intern(&mut self, s: &str) -> usize {
        if let Some(last) = self.last.filter(|&l| &*self.texts[l] == s) {
            return last;
        }
        let id = match self.ids.get(s) {
            Some(&id) => id,
            None => {
                self.texts.push(s.into());
                self.ids.insert(s.into(), self.texts.len() - 1);
                self.texts.len() - 1
            }
        };
        self.last = Some(id);
        id
    }

    /// The texts in sorted order, every completion's `source` renumbered
    /// to match: files and their parts are read side by side, so the order
    /// of first appearance is not the same from one run to the next, and a
    /// data set's numbers must be.
    pub(crate) fn into_sorted(self, completions: &mut Records<Completion>) -> Vec<Box<str>> {
        // Each text with its number so far (the texts are distinct).
        let mut texts: Vec<(Box<str>, usize)> = self.texts.into_iter().zip(0..).collect();
        texts.sort_unstable();
        let mut renumbered = vec![Source::new(0); texts.len()];
        for (to, &(_, from)) in texts.iter().enumerate() {
            renumbered[from] = Source::new(to);
        }
        if texts.iter().enumerate().any(|(to, &(_, from))| to != from) {
            for c in completions.iter_mut() {
                c.source = c.source.map(|s| renumbered[s.index()]);
            }
        }
        texts.into_iter().map(|(text, _)| text).collect()
    }
}

pub(crate) fn application(
    ctx: &mut Ctx<'_>,
    rec: &Record<'_>,
    ix: &Index,
    people: &mut PeopleNamed,
) -> Option<Application> {
    let what = "application";
    let person = people.required(ctx, rec, what);
    let course = ctx.required(rec, "course", what, |c, v| c.reference(v, &ix.courses));
    let applied = ctx.required(rec, "applied", what, Ctx::date);
    let prefer = ctx
        .field(rec, "prefer", |c, v| c.references(v, &ix.cohorts))
        .unwrap_or_default();
    let regions = ctx
        .field(rec, "regions", |c, v| c.references(v, &ix.regions))
        .unwrap_or_default();
    Some(Application {
        person: person?,
        course: course?,
        applied: applied?,
        prefer,
        regions,
        loc: rec.loc,
    })
}

pub(crate) fn issued(ctx: &mut Ctx<'_>, rec: &Record<'_>, ix: &Index) -> Option<Issued> {
    let what = "certificate";
    let number = ctx.required(rec, "number", what, Ctx::text);
    let code = ctx.required(rec, "code", what, Ctx::text);
    let person = ctx.required(rec, "person", what, |c, v| c.reference(v, &ix.people));
    let course = ctx.required(rec, "course", what, |c, v| c.reference(v, &ix.courses));
    let completed = ctx.required(rec, "completed", what, Ctx::date);
    let issued = ctx.required(rec, "issued", what, Ctx::date);
    let revoked = ctx.field(rec, "revoked", Ctx::date);
    let reason = ctx.field(rec, "reason", Ctx::text);
    let key = ctx.field(rec, "key", Ctx::text);
    let replaces = ctx.field(rec, "replaces", Ctx::text);
    let credential = ctx.field(rec, "credential", Ctx::text);
    // A revocation says when and why.
    match (rec.has("revoked"), rec.has("reason")) {
        (true, false) => {
            let at = ctx.value_loc(rec, "revoked").unwrap_or(rec.loc);
            ctx.error(
                Code::MissingField,
                at,
                "a revoked certificate needs a `reason`",
            )
            .help = Some("say why it was revoked, for its page and the record".into());
        }
        (false, true) => {
            let at = ctx.value_loc(rec, "reason").unwrap_or(rec.loc);
            ctx.error(
                Code::MissingField,
                at,
                "a `reason` without a `revoked` date",
            )
            .help = Some("give the date it was revoked in `revoked`".into());
        }
        _ => {}
    }
    Some(Issued {
        number: number?,
        code: code?,
        person: person?,
        course: course?,
        completed: completed?,
        issued: issued?,
        revoked,
        reason,
        key,
        replaces,
        credential,
        loc: rec.loc,
        number_loc: ctx.value_loc(rec, "number").unwrap_or(rec.loc),
        code_loc: ctx.value_loc(rec, "code").unwrap_or(rec.loc),
        issued_loc: ctx.value_loc(rec, "issued").unwrap_or(rec.loc),
        revoked_loc: ctx.value_loc(rec, "revoked"),
        replaces_loc: ctx.value_loc(rec, "replaces"),
        key_loc: ctx.value_loc(rec, "key"),
    })
}

pub(crate) fn news(ctx: &mut Ctx<'_>, rec: &Record<'_>) -> Option<News> {
    let date = ctx.required(rec, "date", "news item", Ctx::date);
    let title = ctx.required(rec, "title", "news item", Ctx::text);
    let body = ctx.field(rec, "body", Ctx::verbatim);
    Some(News {
        date: date?,
        title: title?,
        body,
        loc: rec.loc,
    })
}

pub(crate) fn programme(ctx: &mut Ctx<'_>, rec: &Record<'_>, ix: &Index) -> Option<Programme> {
    let what = "programme";
    let id = ctx.required(rec, "id", what, Ctx::id);
    let name = ctx.required(rec, "name", what, Ctx::text);
    let timezone = ctx.required(rec, "timezone", what, timezone);
    let domain = ctx.required(rec, "domain", what, Ctx::domain);
    let organiser = ctx.field(rec, "organiser", |c, v| {
        let Val::Node(node) = v else { return None };
        let r = c.record(node, nested("programme", &["organiser"]), "organiser")?;
        let name = c.required(&r, "name", "organiser", Ctx::text);
        let email = c.field(&r, "email", Ctx::email);
        Some(Organiser {
            name: name?,
            email: email.map(String::from),
        })
    });
    let holidays = ctx
        .field(rec, "holidays", Ctx::vocabulary::<HolidayCalendar>)
        .unwrap_or_default();
    let closures = ctx
        .field(rec, "closures", |c, v| c.list(v, Ctx::date))
        .unwrap_or_default();
    let working_days = match ctx.field(rec, "working_days", |c, v| c.list(v, Ctx::weekday)) {
        Some(days) if days.is_empty() => {
            let loc = rec.get("working_days").map_or(rec.loc, |v| ctx.loc_of(v));
            ctx.error(Code::InvalidValue, loc, "`working_days` is empty")
                .help = Some("list at least one day, e.g. `[mon, tue, wed, thu, fri]`".into());
            default_working_days()
        }
        Some(days) => days,
        None => default_working_days(),
    };
    let verify_url = ctx.field(rec, "verify_url", |c, v| {
        let url = c.url(v)?;
        if !url.contains("{code}") {
            c.error(
                Code::InvalidValue,
                c.loc_of(v),
                "`verify_url` does not contain `{code}`",
            )
            .help =
                Some("write where the code goes, e.g. `https://example.org/verify/{code}`".into());
            return None;
        }
        Some(url)
    });
    let site_url = ctx.field(rec, "site_url", Ctx::url);
    let booking = ctx.field(rec, "booking", Ctx::booking);
    let public_keys = public_keys(ctx, rec);
    let vision = ctx.field(rec, "vision", |c, v| vision(c, v, ix));
    let branding = ctx.field(rec, "branding", branding);
    Some(Programme {
        id: id?,
        name: name?,
        timezone: timezone?,
        domain: domain?,
        organiser,
        holidays,
        closures,
        working_days,
        verify_url,
        site_url,
        booking,
        public_keys,
        vision,
        branding,
        loc: rec.loc,
    })
}

#[cold]
fn bidi_control(ctx: &mut Ctx<'_>, v: Val<'_>, name: &str) {
    let shown: String = name
        .chars()
        .map(|c| {
            if is_bidi_control(c) {
                format!("<U+{:04X}>", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect();
    let loc = ctx.loc_of(v);
    ctx.warning(
        Code::BidiControl,
        loc,
        format!("the name `{shown}` holds a bidirectional control character, which can make it print reversed"),
    )
    .help = Some("remove the control character: right-to-left letters need none, they are ordered by the Unicode bidirectional algorithm".into());
}

/// The programme's public keys: `public_keys`, a list of `{file, from,
/// compromised}` in the order they came into use, or `public_key`, one
/// file (the shorthand for a list of one key used from the start).
fn public_keys(ctx: &mut Ctx<'_>, rec: &Record<'_>) -> Vec<PublicKeyEntry> {
    if rec.has("public_key") && rec.has("public_keys") {
        ctx.conflict(
            rec,
            ["public_key", "public_keys"],
            "both `public_key` and `public_keys` are set",
            "keep `public_keys` and list the one key there as its first entry: `- file: …`",
        );
    }
    if let Some(file) = ctx.field(rec, "public_key", Ctx::text) {
        let loc = ctx.value_loc(rec, "public_key").unwrap_or(rec.loc);
        return vec![PublicKeyEntry {
            id: "key-1".into(),
            file,
            from: None,
            compromised: None,
            loc,
        }];
    }
    let fields = nested("programme", &["public_keys"]);
    let keys = ctx
        .field(rec, "public_keys", |c, v| {
            c.list(v, |c, item| {
                let Val::Node(node) = item else { return None };
                let r = c.record(node, fields, "public key")?;
                let file = c.required(&r, "file", "public key", Ctx::text);
                let from = c.field(&r, "from", Ctx::date);
                let compromised = c.field(&r, "compromised", Ctx::date);
                let loc = c.value_loc(&r, "file").unwrap_or(r.loc);
                Some((file?, from, compromised, loc, r.loc))
            })
        })
        .unwrap_or_default();
    let mut out: Vec<PublicKeyEntry> = Vec::with_capacity(keys.len());
    for (i, (file, from, compromised, loc, at)) in keys.into_iter().enumerate() {
        // Keys come into use one after another: each `from` after the last.
        if let (Some(prev), Some(from)) = (out.last().and_then(|k| k.from), from)
            && from <= prev
        {
            ctx.error(
                Code::InvalidValue,
                at,
                format!("this key's `from` ({from}) is not after the previous key's ({prev})"),
            )
            .help = Some("list keys in the order they came into use, each `from` later than the one before; add a new key at the end".into());
        }
        if i > 0 && from.is_none() {
            ctx.error(
                Code::MissingField,
                at,
                "a key after the first needs `from`: the day it starts signing",
            )
            .help = Some("write `from: YYYY-MM-DD` (`tip keys rotate` does)".into());
        }
        if let (Some(from), Some(c)) = (from, compromised)
            && c < from
        {
            ctx.error(
                Code::InvalidValue,
                at,
                format!("the key is marked compromised on {c}, before it came into use on {from}"),
            )
            .help = Some(
                "a compromised key's date is when it stopped being trusted, on or after `from`"
                    .into(),
            );
        }
        out.push(PublicKeyEntry {
            id: format!("key-{}", i + 1),
            file,
            from,
            compromised,
            loc,
        });
    }
    out
}

fn default_working_days() -> Vec<Weekday> {
    vec![
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ]
}

fn timezone(ctx: &mut Ctx<'_>, val: Val<'_>) -> Option<Tz> {
    let s = ctx.trimmed(val)?;
    match Tz::from_str(s) {
        Ok(tz) => Some(tz),
        Err(_) => {
            let help = did_you_mean(s, chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()))
                .unwrap_or_else(|| "use an IANA name such as `Europe/London`".into());
            ctx.error(
                Code::UnknownTimezone,
                ctx.loc_of(val),
                format!("unknown timezone `{s}`"),
            )
            .help = Some(help);
            None
        }
    }
}

fn vision(ctx: &mut Ctx<'_>, val: Val<'_>, ix: &Index) -> Option<Vision> {
    let Val::Node(node) = val else { return None };
    let rec = ctx.record(node, nested("programme", &["vision"]), "vision")?;
    let by = ctx.required(&rec, "by", "vision", Ctx::date);
    let target_fields = nested("programme", &["vision", "targets"]);
    let targets = ctx.required(&rec, "targets", "vision", |c, v| {
        c.list(v, |c, item| {
            let Val::Node(node) = item else { return None };
            let r = c.record(node, target_fields, "target")?;
            let tier = c.field(&r, "tier", |c, v| {
                let level = c.int(v, 1)?;
                if !ix.tiers.contains(&level) {
                    c.error(
                        Code::UnknownReference,
                        c.loc_of(v),
                        format!("unknown tier {level}"),
                    );
                }
                Some(level)
            });
            let region = c.field(&r, "region", |c, v| c.reference(v, &ix.regions));
            let sector = c.field(&r, "sector", |c, v| c.reference(v, &ix.sectors));
            let people = c.required(&r, "people", "target", |c, v| c.int(v, 1));
            Some(Target {
                tier,
                region,
                sector,
                people: people?,
            })
        })
    });
    Some(Vision {
        by: by?,
        targets: targets?,
    })
}

fn branding(ctx: &mut Ctx<'_>, val: Val<'_>) -> Option<Branding> {
    let Val::Node(node) = val else { return None };
    let rec = ctx.record(node, nested("programme", &["branding"]), "branding")?;
    let logo = ctx.field(&rec, "logo", Ctx::text);
    let colour = ctx.field(&rec, "colour", |c, v| {
        let s = c.text(v)?;
        let ok =
            s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit());
        if !ok {
            c.error(
                Code::InvalidValue,
                c.loc_of(v),
                format!("`{s}` is not a colour"),
            )
            .help = Some("write it as `#rrggbb`, e.g. `#005eb8`".into());
        }
        ok.then_some(s)
    });
    let sig_fields = nested("programme", &["branding", "signatory"]);
    let signatory = ctx.field(&rec, "signatory", |c, v| {
        let Val::Node(node) = v else { return None };
        let r = c.record(node, sig_fields, "signatory")?;
        let name = c.required(&r, "name", "signatory", Ctx::text);
        let title = c.field(&r, "title", Ctx::text);
        Some(Signatory { name: name?, title })
    });
    let font = ctx.field(&rec, "font", Ctx::text);
    let (fonts, fonts_locs) = ctx
        .field(&rec, "fonts", |c, v| {
            c.list(v, |c, item| Some((c.text(item)?, c.loc_of(item))))
        })
        .unwrap_or_default()
        .into_iter()
        .unzip();
    Some(Branding {
        logo,
        colour,
        font,
        fonts,
        fonts_locs,
        signatory,
        logo_loc: ctx.value_loc(&rec, "logo"),
        colour_loc: ctx.value_loc(&rec, "colour"),
        font_loc: ctx.value_loc(&rec, "font"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_days() {
        assert_eq!(parse_day("2nd tuesday"), Some(Day::Nth(2, Weekday::Tue)));
        assert_eq!(parse_day("last friday"), Some(Day::Last(Weekday::Fri)));
        assert_eq!(parse_day("15"), Some(Day::OfMonth(15)));
        assert_eq!(parse_day("32"), None);
        assert_eq!(parse_day("tuesday"), Some(Day::Weekday(Weekday::Tue)));
        assert_eq!(parse_day("6th tuesday"), None);
    }

    #[test]
    fn completion_sources_are_named_once_and_read_back() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/kent-medway");
        let (data, _) = crate::Dataset::load(root).unwrap();
        let mut seen: Vec<&str> = data
            .completions()
            .iter()
            .filter_map(|c| c.source.map(|s| data.source(s)))
            .collect();
        let rows = seen.len();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(
            seen,
            [
                "2020–21 pilot register",
                "Kent e-learning export",
                "Partner provider register"
            ]
        );
        assert!(rows > 50, "{rows} completions have a source");
        // Millions of each at national scale (docs/performance.md).
        assert_eq!(std::mem::size_of::<crate::model::Completion>(), 32);
        assert_eq!(std::mem::size_of::<crate::model::Person>(), 128);
        assert_eq!(std::mem::size_of::<crate::dataset::Done>(), 20);
    }

    /// Sources are numbered in the order of their texts, whatever order
    /// the files' threads met them in; each completion keeps its text.
    #[test]
    fn sources_are_numbered_in_order_of_their_texts() {
        let mut interner = Interner::default();
        let met = ["register", "export", "register", "archive", "export"];
        let mut met: Vec<Completion> = met
            .iter()
            .map(|t| Completion {
                person: crate::Ix::new(0),
                course: crate::Ix::new(0),
                date: chrono::NaiveDate::MIN,
                source: Some(Source::new(interner.intern(t))),
                loc: Loc::new(crate::loc::FileId(0), 1, 1, 1),
            })
            .collect();
        met[1].source = None;
        // In two parts, as files read in parts give them.
        let mut completions = Records::new();
        let rest = met.split_off(2);
        completions.push_part(met);
        completions.push_part(rest);
        let texts = interner.into_sorted(&mut completions);
        assert_eq!(&*texts, ["archive", "export", "register"].map(Box::from));
        let read: Vec<Option<&str>> = completions
            .iter()
            .map(|c| c.source.map(|s| &*texts[s.index()]))
            .collect();
        assert_eq!(
            read,
            [
                Some("register"),
                None,
                Some("register"),
                Some("archive"),
                Some("export")
            ]
        );
    }

    /// An embedder may load data sets from rayon's own threads, several at
    /// once: the per-thread CSV buffers and their release must not get in
    /// the way (no deadlock, no borrow panic), and each load is whole.
    #[test]
    fn loads_inside_rayon_threads_side_by_side_are_whole() {
        use rayon::prelude::*;
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/kent-medway");
        let alone = crate::Dataset::load(root).unwrap().0.completions().len();
        let counts: Vec<usize> = (0..4)
            .into_par_iter()
            .map(|_| crate::Dataset::load(root).unwrap().0.completions().len())
            .collect();
        assert_eq!(counts, [alone; 4]);
    }
}
