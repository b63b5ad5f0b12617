//! The bulletin: news, then the dates of every course, by tier.

use chrono::{Days, Months, NaiveDate};
use serde_json::{Value, json};
use tip_core::Dataset;

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
    use rayon::prelude::*;
    // Each course's rows made side by side (a national bulletin lists
    // thousands of sessions).
    let tiers = dates(data, window, |list| {
        list.par_iter()
            .map(|&(ix, s)| public(data, ix, s))
            .collect::<Vec<_>>()
    });
    let mut ctx = context_but_dates(data, window);
    ctx["tiers"] = json!(tiers);
    ctx
}

/// A bulletin's dates in a tier: its courses with a session in the window.
/// `S` is a course's sessions: public rows for [`context`], the site's
/// template rows for its bulletin page (made once for every page).
#[derive(serde::Serialize)]
pub(crate) struct TierDates<'d, S> {
    level: u32,
    name: &'d str,
    courses: Vec<CourseDates<'d, S>>,
}

/// A course's sessions in a bulletin's window (see [`TierDates`]).
#[derive(serde::Serialize)]
pub(crate) struct CourseDates<'d, S> {
    id: &'d str,
    title: &'d str,
    sessions: S,
}

/// The window's sessions by tier, then course, in order, each course's
/// made into `S` by `rows`; tiers and courses with none are left out.
pub(crate) fn dates<'d, S>(
    data: &'d Dataset,
    window: Window,
    rows: impl Fn(&[Dated<'d>]) -> S,
) -> Vec<TierDates<'d, S>> {
    let mut by_course: Vec<Vec<Dated<'d>>> = vec![Vec::new(); data.courses().len()];
    for (ix, s) in sessions_between(data, window.from, window.until()) {
        by_course[data[ix].course.index()].push((ix, s));
    }
    data.tiers()
        .iter()
        .filter_map(|tier| {
            let courses: Vec<_> = data
                .course_ixs()
                .filter(|&ix| data[ix].tier == tier.level && !by_course[ix.index()].is_empty())
                .map(|ix| CourseDates {
                    id: &data[ix].id,
                    title: &data[ix].title,
                    sessions: rows(&by_course[ix.index()]),
                })
                .collect();
            (!courses.is_empty()).then(|| TierDates {
                level: tier.level,
                name: &tier.name,
                courses,
            })
        })
        .collect()
}

/// The news a bulletin shows: since the last bulletin (one window back),
/// up to this one's date — never news dated after itself — newest first.
pub(crate) fn news(data: &Dataset, window: Window) -> Vec<&tip_core::model::News> {
    let since = window
        .from
        .checked_sub_months(Months::new(window.months))
        .unwrap_or(NaiveDate::MIN);
    let mut news: Vec<_> = data
        .news()
        .iter()
        .filter(|n| n.date > since && n.date <= window.from)
        .collect();
    news.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.title.cmp(&b.title)));
    news
}

/// The bulletin's context but its `tiers` (the dates): the programme,
/// the window, the news and the resources.
pub(crate) fn context_but_dates(data: &Dataset, window: Window) -> Value {
    let until = window.until();
    let news = news(data, window);
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

/// The bulletin as Markdown: the same content as the email
/// ([`crate::email::context`]), links absolute.
pub fn markdown(data: &Dataset, window: Window) -> Result<String, crate::Error> {
    render_with(data, &crate::email::context(data, window), "bulletin.md")
}

/// The bulletin as an HTML page.
pub fn html(data: &Dataset, window: Window, built: &str) -> Result<String, crate::Error> {
    let mut ctx = context(data, window);
    ctx["built"] = json!(built);
    ctx["logo"] = json!(null);
    render_with(data, &ctx, "bulletin.html")
}

pub(crate) fn render_with(data: &Dataset, ctx: &Value, name: &str) -> Result<String, crate::Error> {
    let env = crate::templates::environment(data.root())?;
    crate::templates::render(&env, name, ctx)
}
