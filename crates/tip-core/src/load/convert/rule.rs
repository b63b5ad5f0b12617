//! Entry and completion rules: `completed`, `role`, `region`, `sector`
//! and their `all`, `any` and `not`.

use crate::dataset::{IdTable, Index};
use crate::diagnostic::Code;
use crate::load::read::{Ctx, Val};
use crate::load::tree::{Kind, Node};
use crate::loc::Loc;
use crate::model::CompletionRule;
use crate::model::{Rule, RuleKind};
use crate::schema::{Field, Ty};
use crate::suggest::did_you_mean;

pub(super) fn attendance_rule(ctx: &mut Ctx<'_>, val: Val<'_>) -> Option<CompletionRule> {
    let s = ctx.trimmed(val)?;
    if s.ends_with('%') {
        ctx.percentage(val).map(CompletionRule::Percent)
    } else {
        ctx.int(val, 1).map(CompletionRule::Sessions)
    }
}

pub(super) const RULE_KEYS: &[&str] =
    &["completed", "role", "region", "sector", "all", "any", "not"];

/// An eligibility rule (YAML only).
pub(crate) fn rule(ctx: &mut Ctx<'_>, val: Val<'_>, ix: &Index) -> Option<Rule> {
    use crate::load::tree::{STACK_GROWTH, STACK_RED_ZONE};
    // `not: not: …` and nested `all`/`any` recurse once per level.
    stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || rule_at(ctx, val, ix))
}

pub(super) fn rule_at(ctx: &mut Ctx<'_>, val: Val<'_>, ix: &Index) -> Option<Rule> {
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
pub(super) fn rule_ids<T>(
    ctx: &mut Ctx<'_>,
    val: Val<'_>,
    table: &IdTable,
) -> Option<Vec<crate::Ix<T>>> {
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
pub(super) fn completed(ctx: &mut Ctx<'_>, val: Val<'_>, ix: &Index) -> Option<(RuleKind, Loc)> {
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
