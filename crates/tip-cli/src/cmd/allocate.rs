//! `tip allocate DIR [--as-of DATE] [--format human|json] [-o FILE]`

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::PathBuf;

use chrono::NaiveDate;
use serde::Serialize;
use tip_core::Dataset;
use tip_core::allocate::Allocation;

use crate::{DataDir, Outcome, ReportFormat, load, output};

/// Arguments of `tip allocate`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    data: DataDir,
    /// The date to allocate on: cohorts that have started by then are
    /// skipped (default: today).
    #[arg(long, value_name = "DATE", value_parser = crate::data::date)]
    as_of: Option<NaiveDate>,
    /// Output for people or for programs.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: ReportFormat,
    /// Also write the cohorts' new `enrolled` and `waitlist` lists to this
    /// YAML file, for review. The data folder is never changed.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Place the applications and report; a dry run unless `-o` is given.
pub(crate) fn run(args: &Args) -> io::Result<Outcome> {
    let data = match load(&args.data.dir)? {
        Ok(data) => data,
        Err(outcome) => return Ok(outcome),
    };
    let on = args.as_of.unwrap_or_else(crate::today);
    let plan = data.allocate(on);
    if let Some(path) = &args.output {
        output::Outputs::new(&args.data.dir, &data.programme().id)?.write_file(
            path,
            output::FileKind::Allocation,
            yaml(&data, &plan, on).as_bytes(),
        )?;
    }
    let text = match args.format {
        ReportFormat::Human => human(&data, &plan, on),
        ReportFormat::Json => json(&data, &plan),
    };
    io::stdout().lock().write_all(text.as_bytes())?;
    crate::done(data);
    Ok(Outcome::Success)
}

use crate::output::ALLOCATION_HEADER as HEADER;

/// The cohorts' lists as YAML. Ids are `[a-z0-9-]` and need no quoting.
fn yaml(data: &Dataset, plan: &Allocation, on: NaiveDate) -> String {
    let mut s = format!(
        "{HEADER}{on}, by `tip allocate`.\n\
         # Review, then copy each cohort's `enrolled` and `waitlist` into its\n\
         # file: existing places are kept in order and new ones follow.\n"
    );
    if plan.cohorts.is_empty() {
        s.push_str("cohorts: []\n");
        return s;
    }
    s.push_str("cohorts:\n");
    let list = |people: &[tip_core::Ix<tip_core::model::Person>]| {
        people
            .iter()
            .map(|p| &*data[*p].id)
            .collect::<Vec<_>>()
            .join(", ")
    };
    for c in &plan.cohorts {
        let _ = writeln!(s, "  - id: {}", data[c.cohort].id);
        let _ = writeln!(s, "    enrolled: [{}]", list(&c.enrolled));
        let _ = writeln!(s, "    waitlist: [{}]", list(&c.waitlist));
    }
    s
}

#[derive(Serialize)]
struct JsonAllocation<'a> {
    placed: Vec<JsonPlaced<'a>>,
    waitlisted: Vec<JsonWaitlisted<'a>>,
    unplaced: Vec<JsonUnplaced<'a>>,
}

#[derive(Serialize)]
struct JsonPlaced<'a> {
    person: &'a str,
    course: &'a str,
    cohort: &'a str,
    choice: u32,
}

#[derive(Serialize)]
struct JsonWaitlisted<'a> {
    person: &'a str,
    course: &'a str,
    cohort: &'a str,
    position: u32,
}

#[derive(Serialize)]
struct JsonUnplaced<'a> {
    person: &'a str,
    course: &'a str,
    reasons: Vec<String>,
}

fn json(data: &Dataset, plan: &Allocation) -> String {
    let report = JsonAllocation {
        placed: plan
            .placed
            .iter()
            .map(|p| JsonPlaced {
                person: &data[p.person].id,
                course: &data[p.course].id,
                cohort: &data[p.cohort].id,
                choice: p.choice,
            })
            .collect(),
        waitlisted: plan
            .waitlisted
            .iter()
            .map(|w| JsonWaitlisted {
                person: &data[w.person].id,
                course: &data[w.course].id,
                cohort: &data[w.cohort].id,
                position: w.position,
            })
            .collect(),
        unplaced: plan
            .unplaced
            .iter()
            .map(|u| JsonUnplaced {
                person: &data[u.person].id,
                course: &data[u.course].id,
                reasons: u.explain(data),
            })
            .collect(),
    };
    crate::output::json(&report)
}

fn human(data: &Dataset, plan: &Allocation, on: NaiveDate) -> String {
    let mut out = format!("Allocation as of {on}\n");
    let who =
        |p: tip_core::Ix<tip_core::model::Person>| format!("{} ({})", data[p].name, data[p].id);
    if !plan.placed.is_empty() {
        let _ = writeln!(out, "\nPlaced ({})", plan.placed.len());
        for p in &plan.placed {
            let choice = if p.choice == 0 {
                String::new()
            } else {
                format!(", choice {}", p.choice)
            };
            let _ = writeln!(out, "  {} → {}{choice}", who(p.person), data[p.cohort].id);
        }
    }
    if !plan.waitlisted.is_empty() {
        let _ = writeln!(out, "\nWaitlisted ({})", plan.waitlisted.len());
        for w in &plan.waitlisted {
            let _ = writeln!(
                out,
                "  {} → waitlist of {}, position {}",
                who(w.person),
                data[w.cohort].id,
                w.position
            );
        }
    }
    if !plan.unplaced.is_empty() {
        let _ = writeln!(out, "\nNot placed ({})", plan.unplaced.len());
        for u in &plan.unplaced {
            let _ = writeln!(out, "  {}, {}", who(u.person), data.course_name(u.course));
            for r in u.explain(data) {
                let _ = writeln!(out, "    - {r}");
            }
        }
    }
    if plan.placed.is_empty() && plan.waitlisted.is_empty() && plan.unplaced.is_empty() {
        out.push_str("no applications\n");
    }
    out
}
