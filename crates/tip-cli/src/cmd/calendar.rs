//! `tip calendar DIR [--course ID] [--cohort ID] [--region ID] [--tier N]
//! [--trainer ID] [--person ID] [--from DATE] [--until DATE] [-o FILE]`

use std::io::{self, Write};
use std::path::PathBuf;

use chrono::NaiveDate;
use tip_calendar::{Feed, Filter};
use tip_core::Dataset;

use crate::{DataDir, Outcome, load_timetable, output, unknown};

/// Arguments of `tip calendar`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    data: DataDir,
    /// Only this course's sessions.
    #[arg(long, value_name = "ID")]
    course: Option<String>,
    /// Only this cohort's sessions.
    #[arg(long, value_name = "ID")]
    cohort: Option<String>,
    /// Only cohorts in this region (cohorts with no region are left out).
    #[arg(long, value_name = "ID")]
    region: Option<String>,
    /// Only courses of this tier.
    #[arg(long, value_name = "N")]
    tier: Option<u32>,
    /// Only cohorts this person trains.
    #[arg(long, value_name = "ID")]
    trainer: Option<String>,
    /// Only this person's own sessions (as learner or trainer).
    #[arg(long, value_name = "ID")]
    person: Option<String>,
    /// Only sessions on or after this date.
    #[arg(long, value_name = "DATE", value_parser = crate::data::date)]
    from: Option<NaiveDate>,
    /// Only sessions on or before this date.
    #[arg(long, value_name = "DATE", value_parser = crate::data::date)]
    until: Option<NaiveDate>,
    /// Write to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Write the iCalendar feed the filters select.
pub(crate) fn run(args: &Args) -> io::Result<Outcome> {
    // A calendar needs the timetable, not the records of learning.
    let data = match load_timetable(&args.data.dir)? {
        Ok(data) => data,
        Err(outcome) => return Ok(outcome),
    };
    let (filter, name) = match filter(&data, args) {
        Ok(f) => f,
        Err(outcome) => return outcome,
    };
    let mut feed = Feed::new(name, crate::build_time()?);
    // The file tip wrote last time says what subscribers have seen: an
    // event that changed since gets a higher SEQUENCE.
    if let Some(path) = &args.output {
        feed.previous = crate::output::previous_calendar(path);
    }
    let ics = tip_calendar::render(&data, &filter, &feed);
    match &args.output {
        Some(path) => output::Outputs::new(&args.data.dir, &data.programme().id)?.write_file(
            path,
            output::FileKind::Calendar,
            ics.as_bytes(),
        )?,
        None => io::stdout().lock().write_all(ics.as_bytes())?,
    }
    crate::done(data);
    Ok(Outcome::Success)
}

type Rejected = io::Result<Outcome>;

/// Resolve the filter's ids, and name the feed after them.
fn filter(data: &Dataset, args: &Args) -> Result<(Filter, String), Rejected> {
    let mut parts: Vec<String> = Vec::new();
    let mut filter = Filter {
        from: args.from,
        until: args.until,
        ..Filter::default()
    };
    if let Some(id) = &args.course {
        let c = data
            .course(id)
            .ok_or_else(|| unknown("course", id, data.suggest_course(id)))?;
        parts.push(data[c].title.clone());
        filter.course = Some(c);
    }
    if let Some(id) = &args.cohort {
        let c = data
            .cohort(id)
            .ok_or_else(|| unknown("cohort", id, data.suggest_cohort(id)))?;
        parts.push(data[c].id.to_string());
        filter.cohort = Some(c);
    }
    if let Some(id) = &args.region {
        let r = data
            .region(id)
            .ok_or_else(|| unknown("region", id, data.suggest_region(id)))?;
        parts.push(data[r].name.clone());
        filter.region = Some(r);
    }
    if let Some(level) = args.tier {
        let tier = data.tier(level).ok_or_else(|| {
            let levels: Vec<String> = data.tiers().iter().map(|t| t.level.to_string()).collect();
            unknown(
                "tier",
                &level.to_string(),
                Some(format!("the tiers are {}", levels.join(", "))),
            )
        })?;
        parts.push(data[tier].label());
        filter.tier = Some(tier);
    }
    if let Some(id) = &args.trainer {
        let p = data
            .person(id)
            .ok_or_else(|| unknown("person", id, data.suggest_person(id)))?;
        parts.push(format!("trained by {}", data[p].name));
        filter.trainer = Some(p);
    }
    if let Some(id) = &args.person {
        let p = data
            .person(id)
            .ok_or_else(|| unknown("person", id, data.suggest_person(id)))?;
        // A personal feed is named without the person's name: calendars
        // are shared, synced and published, and carry no learner's name.
        parts.push("My sessions".into());
        filter.person = Some(p);
    }
    Ok((filter, tip_calendar::feed_name(data, &parts.join(" · "))))
}
