//! From records to model types, section by section.
//!
//! Each converter reads one [`Record`] (a YAML mapping or a CSV row) with the
//! typed readers of [`Ctx`]. A record whose required fields cannot be read
//! is `Err(id)`: it is left out, and references to its id are not reported
//! a second time.

use std::marker::PhantomData;

use crate::diagnostic::Code;
use crate::load::read::{Ctx, Record, Val};
use crate::model::*;
use crate::schema::{Field, SectionKey, Ty};
use crate::words::is_bidi_control;

/// Finish a record: all required parts read, or broken under its id.
macro_rules! all_or_broken {
    ($id:expr; $($name:ident),* $(,)?) => {
        let ($(Some($name),)*) = ($($name,)*) else {
            return Err($id);
        };
    };
}

mod catalogue;
mod cohort;
mod learners;
mod rule;
#[cfg(test)]
mod tests;

pub(crate) use catalogue::*;
pub(crate) use cohort::*;
pub(crate) use learners::*;
pub(crate) use rule::*;

/// The outcome of converting one record.
pub(crate) type Converted<T> = Result<T, Option<Id>>;

fn fields(section: SectionKey) -> &'static [Field] {
    section.section().fields
}

/// The nested fields at `path` in `section` (each step a mapping, or a
/// list of mappings): `nested(SectionKey::Programme, &["vision", "targets"])`.
fn nested(section: SectionKey, path: &[&str]) -> &'static [Field] {
    path.iter().fold(fields(section), |fields, step| {
        let f = fields
            .iter()
            .find(|f| f.name == *step)
            .expect("a declared field");
        match &f.ty {
            Ty::Map(inner) | Ty::List(Ty::Map(inner)) => inner,
            _ => unreachable!("`{section:?}.{}` is not a mapping", path.join(".")),
        }
    })
}

/// The tier a course or target names by its level: unknown, an error (the
/// levels there are in the hint) and `None`.
fn tier_of_level(
    c: &mut Ctx<'_>,
    v: Val<'_>,
    ix: &crate::dataset::Index,
) -> Option<crate::Ix<Tier>> {
    let level = c.int(v, 1)?;
    if let Some(&tier) = ix.tiers.get(&level) {
        return Some(tier);
    }
    let mut levels: Vec<_> = ix.tiers.keys().copied().collect();
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
    None
}

/// The id of a record, read once so every converter reports it alike.
fn record_id(ctx: &mut Ctx<'_>, rec: &Record<'_>, what: &str) -> Option<Id> {
    ctx.required(rec, "id", what, Ctx::id)
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
