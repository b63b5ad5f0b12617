//! The catalogue's records: resources, venues, courses, news and the
//! programme itself.

use std::str::FromStr;

use chrono::Weekday;
use chrono_tz::Tz;

use super::rule::attendance_rule;
use super::{Converted, nested, record_id, tier_of_level};
use crate::dataset::Index;
use crate::diagnostic::Code;
use crate::load::read::{Ctx, Record, Val};
use crate::model::*;
use crate::schema::SectionKey;
use crate::suggest::did_you_mean;

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

pub(super) fn course_fields(ctx: &mut Ctx<'_>, rec: &Record<'_>, ix: &Index) -> Converted<Course> {
    let what = "course";
    let id = record_id(ctx, rec, what).ok_or(None)?;
    let title = ctx.required(rec, "title", what, Ctx::text);
    let tier = ctx.required(rec, "tier", what, |c, v| tier_of_level(c, v, ix));
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
            let inner = c.record(
                node,
                nested(SectionKey::Courses, &["completion"]),
                "completion rule",
            )?;
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

pub(crate) fn programme(ctx: &mut Ctx<'_>, rec: &Record<'_>, ix: &Index) -> Option<Programme> {
    let what = "programme";
    let id = ctx.required(rec, "id", what, Ctx::id);
    let name = ctx.required(rec, "name", what, Ctx::text);
    let timezone = ctx.required(rec, "timezone", what, timezone);
    let domain = ctx.required(rec, "domain", what, Ctx::domain);
    let organiser = ctx.field(rec, "organiser", |c, v| {
        let Val::Node(node) = v else { return None };
        let r = c.record(
            node,
            nested(SectionKey::Programme, &["organiser"]),
            "organiser",
        )?;
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

/// The programme's public keys: `public_keys`, a list of `{file, from,
/// compromised}` in the order they came into use, or `public_key`, one
/// file (the shorthand for a list of one key used from the start).
pub(super) fn public_keys(ctx: &mut Ctx<'_>, rec: &Record<'_>) -> Vec<PublicKeyEntry> {
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
    let fields = nested(SectionKey::Programme, &["public_keys"]);
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

pub(super) fn default_working_days() -> Vec<Weekday> {
    vec![
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ]
}

pub(super) fn timezone(ctx: &mut Ctx<'_>, val: Val<'_>) -> Option<Tz> {
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

pub(super) fn vision(ctx: &mut Ctx<'_>, val: Val<'_>, ix: &Index) -> Option<Vision> {
    let Val::Node(node) = val else { return None };
    let rec = ctx.record(node, nested(SectionKey::Programme, &["vision"]), "vision")?;
    let by = ctx.required(&rec, "by", "vision", Ctx::date);
    let target_fields = nested(SectionKey::Programme, &["vision", "targets"]);
    let targets = ctx.required(&rec, "targets", "vision", |c, v| {
        c.list(v, |c, item| {
            let Val::Node(node) = item else { return None };
            let r = c.record(node, target_fields, "target")?;
            let tier = c.field(&r, "tier", |c, v| tier_of_level(c, v, ix));
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

pub(super) fn branding(ctx: &mut Ctx<'_>, val: Val<'_>) -> Option<Branding> {
    let Val::Node(node) = val else { return None };
    let rec = ctx.record(
        node,
        nested(SectionKey::Programme, &["branding"]),
        "branding",
    )?;
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
    let sig_fields = nested(SectionKey::Programme, &["branding", "signatory"]);
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
