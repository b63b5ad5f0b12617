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
            list(
                roles
                    .iter()
                    .map(|r| with_article(&data[*r].name))
                    .collect::<Vec<_>>(),
                "or"
            )
        ),
        RuleKind::Region(regions) => format!(
            "you work in {}",
            list(
                regions
                    .iter()
                    .map(|r| data[*r].name.clone())
                    .collect::<Vec<_>>(),
                "or"
            )
        ),
        RuleKind::Sector(sectors) => format!(
            "you work in {}",
            list(
                sectors
                    .iter()
                    .map(|s| data[*s].name.clone())
                    .collect::<Vec<_>>(),
                "or"
            )
        ),
        RuleKind::All(rules) => list(rules.iter().map(|r| requirement(data, r)), "and"),
        RuleKind::Any(rules) => format!(
            "either {}",
            list(rules.iter().map(|r| requirement(data, r)), "or")
        ),
        RuleKind::Not(inner) => format!("it is not the case that {}", requirement(data, inner)),
    }
}
