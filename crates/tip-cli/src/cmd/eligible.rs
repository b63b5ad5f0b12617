//! `tip eligible DIR --person ID [--course ID] [--as-of DATE] [--format human|json]`

use std::fmt::Write as _;
use std::io::{self, Write};

use chrono::NaiveDate;
use serde::Serialize;
use tip_core::{Dataset, Ix, model::Course};

use crate::{DataDir, Outcome, ReportFormat, load, unknown};

/// Arguments of `tip eligible`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    data: DataDir,
    /// The person's id.
    #[arg(long, value_name = "ID")]
    person: String,
    /// Only this course (default: every course).
    #[arg(long, value_name = "ID")]
    course: Option<String>,
    /// The date to decide on (default: today).
    #[arg(long, value_name = "DATE", value_parser = crate::data::date)]
    as_of: Option<NaiveDate>,
    /// Output for people or for programs.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: ReportFormat,
}

/// One course's answer.
struct Row {
    course: Ix<Course>,
    eligible: bool,
    reasons: Vec<String>,
    next: Vec<Ix<Course>>,
}

/// Decide every (or one) course for the person and print the answers.
pub(crate) fn run(args: &Args) -> io::Result<Outcome> {
    let data = match load(&args.data.dir)? {
        Ok(data) => data,
        Err(outcome) => return Ok(outcome),
    };
    let Some(person) = data.person(&args.person) else {
        return unknown("person", &args.person, data.suggest_person(&args.person));
    };
    let courses: Vec<Ix<Course>> = match &args.course {
        Some(id) => match data.course(id) {
            Some(c) => vec![c],
            None => return unknown("course", id, data.suggest_course(id)),
        },
        None => {
            let mut all: Vec<Ix<Course>> = data.course_ixs().collect();
            all.sort_by_key(|&c| data[data[c].tier].level);
            all
        }
    };
    let on = args.as_of.unwrap_or_else(crate::today);
    let rows: Vec<Row> = courses
        .iter()
        .map(|&course| {
            let decision = data.eligibility(person, course, on);
            // Next steps: what taking this course (open now, not yet done) would open.
            let next = if decision.eligible && !data.has_completed(person, course, on) {
                data.opens(person, course, on)
            } else {
                Vec::new()
            };
            Row {
                course,
                eligible: decision.eligible,
                reasons: decision.explain(&data),
                next,
            }
        })
        .collect();
    let text = match args.format {
        ReportFormat::Human => human(&data, person, on, &rows),
        ReportFormat::Json => json_report(&data, person, on, &rows),
    };
    io::stdout().lock().write_all(text.as_bytes())?;
    crate::done(data);
    Ok(Outcome::Success)
}

/// `{"person", "as_of", "courses": [{"course", "eligible", "reasons", "next"?}]}`
#[derive(Serialize)]
struct JsonReport<'a> {
    person: &'a str,
    as_of: String,
    courses: Vec<JsonCourse<'a>>,
}

#[derive(Serialize)]
struct JsonCourse<'a> {
    course: &'a str,
    eligible: bool,
    reasons: &'a [String],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    next: Vec<&'a str>,
}

fn json_report(
    data: &Dataset,
    person: Ix<tip_core::model::Person>,
    on: NaiveDate,
    rows: &[Row],
) -> String {
    let report = JsonReport {
        person: &data[person].id,
        as_of: on.to_string(),
        courses: rows
            .iter()
            .map(|r| JsonCourse {
                course: &data[r.course].id,
                eligible: r.eligible,
                reasons: &r.reasons,
                next: r.next.iter().map(|c| &*data[*c].id).collect(),
            })
            .collect(),
    };
    crate::output::json(&report)
}

// Long: the report for people, section by section, as it reads.
fn human(
    data: &Dataset,
    person: Ix<tip_core::model::Person>,
    on: NaiveDate,
    rows: &[Row],
) -> String {
    let p = &data[person];
    let mut out = String::new();
    let mut about = vec![];
    if let Some(r) = p.role {
        about.push(data[r].name.clone());
    }
    if let Some(o) = &p.organisation {
        about.push(o.to_string());
    }
    if let Some(r) = p.region {
        about.push(data[r].name.clone());
    }
    let _ = writeln!(
        out,
        "{} ({}){}{}",
        p.name,
        p.id,
        if about.is_empty() { "" } else { ": " },
        about.join(", ")
    );
    let _ = writeln!(out, "as of {on}\n");

    let width = rows
        .iter()
        .map(|r| data[r.course].title.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let _ = writeln!(out, "  tier  {:width$}  may take", "course");
    for r in rows {
        let c = &data[r.course];
        let _ = writeln!(
            out,
            "  {:<4}  {:width$}  {}",
            data[c.tier].level,
            c.title,
            if r.eligible { "yes" } else { "no" }
        );
    }

    let done = data.completions_of(person);
    if !done.is_empty() {
        let _ = writeln!(out, "\nCompleted");
        let mut seen: Vec<Ix<Course>> = Vec::new();
        for d in done.iter().rev() {
            if seen.contains(&d.course) || d.counts_from > on {
                continue;
            }
            seen.push(d.course);
            let c = &data[d.course];
            let status = match c.valid_for {
                Some(v) if v.after(d.date) <= on => format!("expired {}", v.after(d.date)),
                Some(v) => format!(
                    "counts until {}",
                    v.after(d.date).pred_opt().unwrap_or(d.date)
                ),
                None => "does not expire".to_string(),
            };
            let _ = writeln!(
                out,
                "  {}  {}: {status}",
                d.date,
                data.course_name(d.course)
            );
        }
    }

    let no: Vec<&Row> = rows.iter().filter(|r| !r.eligible).collect();
    if !no.is_empty() {
        let _ = writeln!(out, "\nWhy not");
        for r in no {
            let _ = writeln!(out, "  {}", data.course_name(r.course));
            for reason in &r.reasons {
                let _ = writeln!(out, "    - {reason}");
            }
        }
    }
    let next: Vec<&Row> = rows.iter().filter(|r| !r.next.is_empty()).collect();
    if !next.is_empty() {
        let _ = writeln!(out, "\nNext steps");
        for r in next {
            let opens: Vec<String> = r.next.iter().map(|c| data[*c].title.clone()).collect();
            let _ = writeln!(out, "  {} opens {}", data[r.course].title, opens.join(", "));
        }
    }
    out
}
