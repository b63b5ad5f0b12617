//! The header row: columns required, unknown or repeated.

use crate::diagnostic::Code;
use crate::load::read::Ctx;
use crate::loc::Loc;
use crate::schema::Section;
use crate::suggest::did_you_mean;

use super::MAX_COLUMNS;

/// Report the required columns the header lacks; `false` if any.
pub(super) fn required_columns(
    ctx: &mut Ctx<'_>,
    section: &'static Section,
    columns: &[Option<usize>],
) -> bool {
    let file = ctx.file;
    let missing: Vec<_> = section
        .fields
        .iter()
        .enumerate()
        .filter(|&(i, f)| f.required && !columns.contains(&Some(i)))
        .map(|(_, f)| f)
        .map(|f| f.name)
        .collect();
    if !missing.is_empty() {
        let list: Vec<_> = missing.iter().map(|m| format!("`{m}`")).collect();
        ctx.error(
            Code::MissingField,
            Loc::new(file, 1, 1, 1),
            format!(
                "the header lacks the required column{} {}",
                if missing.len() > 1 { "s" } else { "" },
                list.join(", ")
            ),
        )
        .help = Some(format!(
            "the first row names the columns, e.g. `{}`",
            section
                .fields
                .iter()
                .filter(|f| f.required)
                .map(|f| f.name)
                .collect::<Vec<_>>()
                .join(",")
        ));
        return false;
    }
    true
}

/// The most unknown columns named one by one; more are listed in one
/// diagnostic.
pub(super) const MAX_UNKNOWN_LISTED: usize = 5;

/// Report unknown columns: each with its own "did you mean" when there are
/// a few, or one diagnostic listing the first of many.
pub(super) fn unknown_columns(
    ctx: &mut Ctx<'_>,
    section: &'static Section,
    unknown: &[(String, Loc)],
    count: usize,
) {
    let columns = || {
        let names: Vec<_> = section
            .fields
            .iter()
            .map(|f| format!("`{}`", f.name))
            .collect();
        format!(
            "`{}` files have the columns {}",
            section.name,
            names.join(", ")
        )
    };
    if count <= 3 {
        for (name, loc) in unknown {
            let help =
                did_you_mean(name, section.fields.iter().map(|f| f.name)).unwrap_or_else(columns);
            ctx.error(
                Code::UnknownColumn,
                *loc,
                format!("unknown column `{name}` in a `{}` file", section.name),
            )
            .help = Some(help);
        }
    } else if let Some((_, first)) = unknown.first() {
        let names: Vec<_> = unknown.iter().map(|(n, _)| format!("`{n}`")).collect();
        ctx.error(
            Code::UnknownColumn,
            *first,
            format!(
                "{} unknown columns in a `{}` file: {} and {} more",
                crate::words::thousands(count as u64),
                section.name,
                names.join(", "),
                crate::words::thousands((count - unknown.len()) as u64)
            ),
        )
        .help = Some(columns());
    }
}

/// Map header cells to the positions of their fields in the section;
/// report unknown, repeated and missing required columns. `None` when rows
/// cannot be read at all.
pub(super) fn header_columns(
    ctx: &mut Ctx<'_>,
    section: &'static Section,
    header: &[&str],
) -> Option<Vec<Option<usize>>> {
    let file = ctx.file;
    let mut columns = Vec::with_capacity(header.len());
    // Fields already seen and repeated (a section has a few), and the
    // first unknown columns: a header of a million cells is linear.
    let mut seen = vec![false; section.fields.len()];
    let mut repeated = vec![false; section.fields.len()];
    let mut unknown: Vec<(String, Loc)> = Vec::new();
    let mut unknown_count = 0usize;
    let mut col = 1u32;
    for raw in header {
        let name = raw.trim();
        let loc = Loc::new(file, 1, col, name.chars().count() as u32);
        col = col.saturating_add(raw.chars().count() as u32 + 1);
        match section.fields.iter().position(|f| f.name == name) {
            Some(f) if seen[f] => {
                if !repeated[f] {
                    repeated[f] = true;
                    ctx.error(
                        Code::CsvSyntax,
                        loc,
                        format!("the column `{name}` appears twice"),
                    )
                    .help = Some("keep one column of each name".into());
                }
                columns.push(None);
            }
            Some(f) => {
                seen[f] = true;
                columns.push(Some(f));
            }
            None => {
                unknown_count += 1;
                if unknown.len() < MAX_UNKNOWN_LISTED {
                    unknown.push((crate::diagnostic::shorten(name, 40), loc));
                }
                columns.push(None);
            }
        }
    }
    unknown_columns(ctx, section, &unknown, unknown_count);
    if !required_columns(ctx, section, &columns) {
        return None;
    }
    if columns.len() > MAX_COLUMNS {
        ctx.error(
            Code::CsvSyntax,
            Loc::new(file, 1, 1, 1),
            format!(
                "expected at most {MAX_COLUMNS} columns, found {}",
                columns.len()
            ),
        );
        return None;
    }
    Some(columns)
}
