//! The bulletin: news, then the dates of every course, by tier.

use chrono::{Days, Months, NaiveDate};
use serde_json::{Value, json};
use tip_core::Dataset;

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

/// What the bulletin templates are given: the email's content
/// ([`crate::email::context`]) for a page at the top of the site.
pub fn context(data: &Dataset, window: Window) -> Value {
    let mut ctx = crate::email::context(data, window);
    ctx["root"] = json!("");
    ctx
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
