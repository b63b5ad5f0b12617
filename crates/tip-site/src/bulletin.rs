//! The bulletin: news, then the dates of every course, by tier.

use chrono::{Days, Months, NaiveDate};
use serde_json::{Value, json};
use tip_core::model::{Course, Tier};
use tip_core::{Dataset, Ix};

use crate::{Dated, markdown, public, sessions_between};

/// The period a bulletin covers: `months` from `from`.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    /// First day.
    pub from: NaiveDate,
    /// How many months.
    pub months: u32,
}

impl Window {
    /// The last day.
    pub fn until(&self) -> NaiveDate {
        self.from
            .checked_add_months(Months::new(self.months))
            .unwrap_or(NaiveDate::MAX)
            - Days::new(1)
    }
}

/// What the bulletin templates are given.
pub fn context(data: &Dataset, window: Window) -> Value {
    let sessions = sessions_between(data, window.from, window.until());
    let by_tier = by_tier(data, &sessions);
    // Each session's row made side by side (a national bulletin lists
    // thousands), then put under its course, in order.
    let rows: Vec<Vec<Vec<Value>>> = by_tier
        .iter()
        .map(|(_, courses)| {
            courses
                .iter()
                .map(|(_, list)| {
                    use rayon::prelude::*;
                    list.par_iter()
                        .map(|(ix, s)| json!(public(data, *ix, s)))
                        .collect()
                })
                .collect()
        })
        .collect();
    let mut ctx = context_but_dates(data, window);
    ctx["tiers"] = Value::Array(
        by_tier
            .iter()
            .zip(rows)
            .map(|((tier, courses), rows)| {
                let courses = courses
                    .iter()
                    .zip(rows)
                    .map(|(&(course, _), rows)| {
                        let course = &data[course];
                        let mut entry = json!({ "id": &*course.id, "title": &course.title });
                        // Moved in, not written through `json!` (which would
                        // copy every session's row once more).
                        entry["sessions"] = Value::Array(rows);
                        entry
                    })
                    .collect();
                let mut entry = json!({ "level": tier.level, "name": &tier.name });
                entry["courses"] = Value::Array(courses);
                entry
            })
            .collect(),
    );
    ctx
}

/// The sessions of a window by tier, then course (those with none left
/// out), each course's in the order given.
pub(crate) type ByTier<'d> = Vec<(&'d Tier, Vec<(Ix<Course>, Vec<Dated<'d>>)>)>;

/// `sessions` by tier and course: see [`ByTier`].
pub(crate) fn by_tier<'d>(data: &'d Dataset, sessions: &[Dated<'d>]) -> ByTier<'d> {
    let mut by_course: Vec<Vec<Dated<'d>>> = vec![Vec::new(); data.courses().len()];
    for &(ix, s) in sessions {
        by_course[data[ix].course.index()].push((ix, s));
    }
    data.tiers()
        .iter()
        .map(|tier| {
            let courses: Vec<_> = data
                .course_ixs()
                .filter(|&ix| data[ix].tier == tier.level)
                .map(|ix| (ix, std::mem::take(&mut by_course[ix.index()])))
                .filter(|(_, list)| !list.is_empty())
                .collect();
            (tier, courses)
        })
        .filter(|(_, courses)| !courses.is_empty())
        .collect()
}

/// The bulletin's context but its `tiers` (the dates): the programme,
/// the window, the news and the resources.
pub(crate) fn context_but_dates(data: &Dataset, window: Window) -> Value {
    let until = window.until();
    let mut news: Vec<_> = data
        .news()
        .iter()
        .filter(|n| n.date >= window.from && n.date <= until)
        .collect();
    news.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.title.cmp(&b.title)));
    let resources: Vec<Value> = data
        .resources()
        .iter()
        .map(|r| {
            let url = r.location.url();
            json!({ "title": &r.title, "kind": crate::words_kind(r.kind), "url": url, "description": &r.description })
        })
        .collect();
    let mut ctx = json!({
        "programme": crate::site::programme_context(data),
        "window": format!("{} to {}", long(window.from), long(until)),
        "news": news.iter().map(|n| json!({
            "date": long(n.date),
            "title": &n.title,
            "body": markdown::sanitize(n.body.as_deref().unwrap_or("").trim_end()),
            "html": markdown::to_html(n.body.as_deref().unwrap_or("")),
        })).collect::<Vec<_>>(),
        "root": "",
    });
    ctx["resources"] = Value::Array(resources);
    ctx
}

/// `18 January 2022`.
pub fn long(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// The bulletin as Markdown.
pub fn markdown(data: &Dataset, window: Window) -> Result<String, crate::Error> {
    render(data, window, "bulletin.md")
}

/// The bulletin as an HTML page.
pub fn html(data: &Dataset, window: Window, built: &str) -> Result<String, crate::Error> {
    let mut ctx = context(data, window);
    ctx["built"] = json!(built);
    ctx["logo"] = json!(null);
    render_with(data, &ctx, "bulletin.html")
}

fn render(data: &Dataset, window: Window, name: &str) -> Result<String, crate::Error> {
    render_with(data, &context(data, window), name)
}

pub(crate) fn render_with(data: &Dataset, ctx: &Value, name: &str) -> Result<String, crate::Error> {
    let env = crate::templates::environment(data.root())?;
    crate::templates::render(&env, name, ctx)
}
