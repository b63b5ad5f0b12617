//! `tip schedule DIR [--from DATE] [--until DATE] [--cohort ID] [--format human|json]`

use std::fmt::Write as _;
use std::io::{self, Write};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use tip_core::model::{Cohort, Place, Status, Vocabulary};
use tip_core::problems::{self, Problem};
use tip_core::timetable::Session;
use tip_core::{Dataset, Ix};

use crate::{DataDir, Outcome, ReportFormat, unknown};

/// Arguments of `tip schedule`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    data: DataDir,
    /// Only sessions on or after this date.
    #[arg(long, value_name = "DATE", value_parser = crate::data::date)]
    from: Option<NaiveDate>,
    /// Only sessions on or before this date.
    #[arg(long, value_name = "DATE", value_parser = crate::data::date)]
    until: Option<NaiveDate>,
    /// Only this cohort.
    #[arg(long, value_name = "ID")]
    cohort: Option<String>,
    /// Output for people or for programs.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: ReportFormat,
}

/// Print every session in the window, and every problem of the timetable.
/// Exit 1 when a problem is an error (a clash, say).
pub(crate) fn run(args: &Args) -> io::Result<Outcome> {
    let data = match crate::load_allowing(&args.data.dir, problems::CODES)? {
        Ok(data) => data,
        Err(outcome) => return Ok(outcome),
    };
    let only = match &args.cohort {
        Some(id) => match data.cohort(id) {
            Some(c) => Some(c),
            None => return unknown("cohort", id, data.suggest_cohort(id)),
        },
        None => None,
    };
    let in_window =
        |d: NaiveDate| args.from.is_none_or(|f| d >= f) && args.until.is_none_or(|u| d <= u);
    let mut sessions: Vec<(Ix<Cohort>, &Session)> = data
        .cohort_ixs()
        .filter(|(ix, _)| only.is_none_or(|o| o == *ix))
        .flat_map(|(ix, _)| data.sessions(ix).iter().map(move |s| (ix, s)))
        .filter(|(_, s)| in_window(s.date()))
        .collect();
    sessions.sort_by_key(|(ix, s)| (s.start, data[*ix].id.clone(), s.number));
    let problems: Vec<Problem> = problems::problems(&data)
        .into_iter()
        .filter(|p| only.is_none_or(|o| p.cohort == Some(o)))
        .filter(|p| match (p.cohort, p.number) {
            (Some(c), Some(n)) => data
                .sessions(c)
                .get(n as usize - 1)
                .is_none_or(|s| in_window(s.date())),
            _ => true,
        })
        .collect();
    let text = match args.format {
        ReportFormat::Human => human(&data, &sessions, &problems),
        ReportFormat::Json => json(&data, &sessions, &problems),
    };
    io::stdout().lock().write_all(text.as_bytes())?;
    let errors = problems
        .iter()
        .any(|p| p.severity == tip_core::Severity::Error);
    crate::done(data);
    Ok(if errors {
        Outcome::Invalid
    } else {
        Outcome::Success
    })
}

fn status(s: Status) -> &'static str {
    s.as_str()
}

#[derive(Serialize)]
struct JsonSchedule<'a> {
    sessions: Vec<JsonSession<'a>>,
    problems: Vec<JsonProblem<'a>>,
}

#[derive(Serialize)]
struct JsonSession<'a> {
    cohort: &'a str,
    course: &'a str,
    number: u32,
    of: usize,
    start: String,
    end: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    venue: Option<&'a str>,
    trainers: Vec<&'a str>,
}

#[derive(Serialize)]
struct JsonProblem<'a> {
    code: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    cohort: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    number: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    people: Vec<&'a str>,
}

fn json(data: &Dataset, sessions: &[(Ix<Cohort>, &Session)], problems: &[Problem]) -> String {
    let report = JsonSchedule {
        sessions: sessions
            .iter()
            .map(|(ix, s)| {
                let c = &data[*ix];
                JsonSession {
                    cohort: &c.id,
                    course: &data[c.course].id,
                    number: s.number,
                    of: data.sessions(*ix).len(),
                    start: s.start.to_rfc3339(),
                    end: s.end.to_rfc3339(),
                    status: status(c.status),
                    venue: match &c.place {
                        Some(Place::Venue(v)) => Some(&data[*v].id),
                        _ => None,
                    },
                    trainers: c.trainers.iter().map(|t| &*data[*t].id).collect(),
                }
            })
            .collect(),
        problems: problems
            .iter()
            .map(|p| JsonProblem {
                code: p.code.as_str(),
                message: &p.message,
                cohort: p.cohort.map(|c| &*data[c].id),
                number: p.number,
                people: p.people.iter().map(|x| &*data[*x].id).collect(),
            })
            .collect(),
    };
    crate::output::json(&report)
}

fn human(data: &Dataset, sessions: &[(Ix<Cohort>, &Session)], problems: &[Problem]) -> String {
    let mut out = String::new();
    let mut month = None;
    let title_width = sessions
        .iter()
        .map(|(ix, _)| data[data[*ix].course].title.chars().count())
        .max()
        .unwrap_or(0);
    for (ix, s) in sessions {
        let c = &data[*ix];
        let date = s.date();
        if month != Some((date.year(), date.month())) {
            month = Some((date.year(), date.month()));
            let _ = writeln!(
                out,
                "{}{}",
                if out.is_empty() { "" } else { "\n" },
                date.format("%B %Y")
            );
        }
        let place = match &c.place {
            Some(Place::Venue(v)) => data[*v].name.clone(),
            Some(Place::Online(_)) => "Online".into(),
            _ => String::new(),
        };
        let mut notes = Vec::new();
        if c.status != Status::Confirmed {
            notes.push(status(c.status).to_string());
        }
        if let Some(from) = s.moved_from {
            notes.push(format!("moved from {from}"));
        }
        let _ = writeln!(
            out,
            "  {}  {}–{}  {:title_width$}  {} {}/{}  {place}{}",
            date.format("%a %e"),
            s.start.format("%H:%M"),
            s.end.format("%H:%M"),
            data[c.course].title,
            c.id,
            s.number,
            data.sessions(*ix).len(),
            if notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", notes.join(", "))
            },
        );
    }
    if sessions.is_empty() {
        out.push_str("no sessions\n");
    }
    if !problems.is_empty() {
        let _ = writeln!(out, "\nProblems");
        for p in problems {
            let _ = writeln!(out, "  {}[{}]: {}", p.severity, p.code, p.message);
        }
    }
    out
}
