//! Publishing a training offer: resource packs, the bulletin, and the
//! public site.
//!
//! Everything here is public, so nothing here ever writes a learner's name
//! or any email but the organiser's: trainers appear by name only, cohorts
//! by their dates and places, and enrolment only as a count of places left.
//!
//! Pages are rendered with minijinja templates built into the crate; a data
//! folder may override any of them with a file of the same name in its
//! `templates/` folder.

mod error;
pub use error::Error;

pub mod bulletin;
pub mod email;
pub mod markdown;
pub mod pack;
pub mod site;
mod templates;
pub use templates::check as check_templates;

use chrono::NaiveDate;
use tip_core::model::{Cohort, Place, Vocabulary};
use tip_core::timetable::Session;
use tip_core::{Dataset, Ix};

/// A session as published: no people, only places.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PublicSession {
    /// The cohort id.
    pub cohort: String,
    /// The course id.
    pub course: String,
    /// The course title.
    pub title: String,
    /// The tier level.
    pub tier: u32,
    /// 1-based.
    pub number: u32,
    /// Of how many.
    pub of: usize,
    /// `Tuesday 18 January 2022`.
    pub date: String,
    /// `2022-01-18`.
    pub iso_date: String,
    /// `09:30–16:00`.
    pub time: String,
    /// Venue name and address, or "Online".
    pub place: String,
    /// `planned`, `confirmed` or `cancelled`.
    pub status: &'static str,
    /// Places left (`None`: unlimited), never below zero.
    pub places_left: Option<u32>,
    /// Trainers' names.
    pub trainers: Vec<String>,
    /// Why it is not on its scheduled day: `moved from Thursday 2 June
    /// (a bank holiday)`.
    pub moved: Option<String>,
}

/// The sessions from `from` up to `until` (inclusive), in time order.
pub fn sessions_between(
    data: &Dataset,
    from: NaiveDate,
    until: NaiveDate,
) -> Vec<(Ix<Cohort>, &Session)> {
    let mut out: Vec<(Ix<Cohort>, &Session)> = data
        .cohort_ixs()
        .flat_map(|(ix, _)| data.sessions(ix).iter().map(move |s| (ix, s)))
        .filter(|(_, s)| s.date() >= from && s.date() <= until)
        .collect();
    out.sort_by(|a, b| {
        (a.1.start, &data[a.0].id, a.1.number).cmp(&(b.1.start, &data[b.0].id, b.1.number))
    });
    out
}

/// A session of a cohort.
pub(crate) type Dated<'d> = (Ix<Cohort>, &'d Session);

/// The public view of a session.
pub fn public(data: &Dataset, ix: Ix<Cohort>, s: &Session) -> PublicSession {
    let c = &data[ix];
    let course = &data[c.course];
    let place = match &c.place {
        Some(Place::Venue(v)) => {
            let venue = &data[*v];
            venue
                .address
                .as_ref()
                .map_or_else(|| venue.name.clone(), |a| format!("{}, {a}", venue.name))
        }
        Some(Place::Online(_)) => "Online".into(),
        _ => String::new(),
    };
    PublicSession {
        cohort: c.id.to_string(),
        course: course.id.to_string(),
        title: course.title.clone(),
        tier: course.tier,
        number: s.number,
        of: data.sessions(ix).len(),
        date: s.start.format("%A %-d %B %Y").to_string(),
        iso_date: s.date().to_string(),
        time: format!("{}–{}", s.start.format("%H:%M"), s.end.format("%H:%M")),
        place,
        status: c.status.as_str(),
        places_left: data
            .places(ix)
            .map(|cap| cap.saturating_sub(c.enrolled.len() as u32)),
        trainers: c
            .trainers
            .iter()
            .map(|t| data[*t].name.to_string())
            .collect(),
        moved: s.moved_from.map(|from| {
            format!(
                "moved from {} ({})",
                from.format("%A %-d %B"),
                data.calendar().why_closed(from, data.programme())
            )
        }),
    }
}

/// How a resource kind is shown.
pub(crate) fn words_kind(k: tip_core::model::ResourceKind) -> &'static str {
    use tip_core::model::ResourceKind::*;
    match k {
        Pdf => "PDF",
        Web => "web page",
        other => other.as_str(),
    }
}
