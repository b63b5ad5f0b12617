//! Rules in plain words: "Managers and Senior leaders in North Kent", "you
//! have completed Becoming Trauma Informed". One copy, for the site's pages
//! and for the criteria written into certificates' credentials.

use crate::Dataset;
use crate::model::Course;
use crate::model::{Rule, RuleKind};

use crate::words::{list, plural, with_article};

/// "Managers and Senior leaders in North Kent", or "Everyone".
pub fn audience(data: &Dataset, course: &Course) -> String {
    let who = if course.audience.is_empty() {
        "Everyone".to_string()
    } else {
        list(
            course
                .audience
                .iter()
                .map(|r| plural(&data[*r].name))
                .collect::<Vec<_>>(),
            "and",
        )
    };
    if course.regions.is_empty() {
        who
    } else {
        format!(
            "{who} in {}",
            list(
                course
                    .regions
                    .iter()
                    .map(|r| data[*r].name.clone())
                    .collect::<Vec<_>>(),
                "or"
            )
        )
    }
}

/// Who a course is for, from its audience *and* the conditions every
/// learner must meet: "Trainers, Trauma Informed Champions, Managers and
/// Senior leaders who have completed L2 Multi-agency Trauma Awareness";
/// "Everyone" only when no rule narrows it.
pub fn who(data: &Dataset, course: &Course) -> String {
    // The conditions every learner meets: the rule, or each part of an
    // `all` (nested `all`s flattened).
    let mut musts: Vec<&Rule> = Vec::new();
    let mut stack: Vec<&Rule> = course.requires.iter().collect();
    while let Some(rule) = stack.pop() {
        match &rule.kind {
            RuleKind::All(parts) => stack.extend(parts.iter().rev()),
            _ => musts.push(rule),
        }
    }
    let roles: Vec<String> = if course.audience.is_empty() {
        musts
            .iter()
            .find_map(|r| match &r.kind {
                RuleKind::Role(roles) => {
                    Some(roles.iter().map(|r| plural(&data[*r].name)).collect())
                }
                _ => None,
            })
            .unwrap_or_default()
    } else {
        course
            .audience
            .iter()
            .map(|r| plural(&data[*r].name))
            .collect()
    };
    let regions: Vec<String> = if course.regions.is_empty() {
        musts
            .iter()
            .find_map(|r| match &r.kind {
                RuleKind::Region(regions) => {
                    Some(regions.iter().map(|r| data[*r].name.clone()).collect())
                }
                _ => None,
            })
            .unwrap_or_default()
    } else {
        course
            .regions
            .iter()
            .map(|r| data[*r].name.clone())
            .collect()
    };
    let completed: Vec<String> = musts
        .iter()
        .filter_map(|r| match &r.kind {
            RuleKind::Completed { course, .. } => Some(data[*course].title.clone()),
            _ => None,
        })
        .collect();
    let everyone = roles.is_empty();
    let mut out = if everyone {
        "Everyone".to_string()
    } else {
        list(roles, "and")
    };
    if !regions.is_empty() {
        out.push_str(&format!(" in {}", list(regions, "or")));
    }
    if !completed.is_empty() {
        let verb = if everyone {
            "who has completed"
        } else {
            "who have completed"
        };
        out.push_str(&format!(" {verb} {}", list(completed, "and")));
    }
    out
}

/// A rule as a sentence ending: "you have completed Becoming Trauma Informed".
pub fn requirement(data: &Dataset, rule: &Rule) -> String {
    match &rule.kind {
        RuleKind::Completed { course, within } => {
            let title = &data[*course].title;
            match within {
                Some(w) => format!("you have completed {title} in the last {w}"),
                None => format!("you have completed {title}"),
            }
        }
        RuleKind::Role(roles) => format!(
            "you are {}",
            list(roles.iter().map(|r| with_article(&data[*r].name)), "or")
        ),
        RuleKind::Region(regions) => format!(
            "you work in {}",
            list(regions.iter().map(|r| data[*r].name.clone()), "or")
        ),
        RuleKind::Sector(sectors) => format!(
            "you work in {}",
            list(sectors.iter().map(|s| data[*s].name.clone()), "or")
        ),
        RuleKind::All(rules) => list(rules.iter().map(|r| requirement(data, r)), "and"),
        RuleKind::Any(rules) => format!(
            "either {}",
            list(rules.iter().map(|r| requirement(data, r)), "or")
        ),
        RuleKind::Not(inner) => format!("it is not the case that {}", requirement(data, inner)),
    }
}
