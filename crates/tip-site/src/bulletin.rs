//! The bulletin: news, then the dates of every course, by tier.

use chrono::{Days, Months, NaiveDate};
use serde_json::{Value, json};
use tip_core::model::{Format, Vocabulary as _};
use tip_core::{Dataset, Ix};

use crate::markdown;

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
/// ([`content`]) for a page at the top of the site.
pub fn context(data: &Dataset, window: Window) -> Value {
    let mut ctx = content(data, window);
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

/// What every form of the bulletin shows — the email, the Markdown and
/// the site's page: news, then each tier's courses with their runs, the
/// resources; links absolute.
pub fn content(data: &Dataset, window: Window) -> Value {
    let programme = data.programme();
    let site = programme
        .site_url
        .as_deref()
        .map(|s| format!("{}/", s.trim_end_matches('/')));
    let news: Vec<Value> = news(data, window)
        .iter()
        .map(|n| {
            let body = n.body.as_deref().unwrap_or("");
            json!({
                "date": long(n.date),
                "title": &n.title,
                "text": body.trim(),
                "markdown": markdown::sanitize(body.trim_end()),
                "html": absolute_links(&markdown::to_html(body), site.as_deref()),
            })
        })
        .collect();
    let tiers: Vec<Value> = data
        .tiers()
        .iter()
        .filter_map(|tier| {
            let courses: Vec<Value> = data
                .course_ixs()
                // A programme that has ended is not offered.
                .filter(|&ix| {
                    data[data[ix].tier].level == tier.level
                        && data[ix].ended.is_none_or(|e| e >= window.from)
                })
                .map(|ix| course(data, ix, window, site.as_deref()))
                .collect();
            (!courses.is_empty())
                .then(|| json!({ "level": tier.level, "name": &tier.name, "courses": courses }))
        })
        .collect();
    let resources: Vec<Value> = data
        .resources()
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            // A file is in the packs of the courses it goes with: link the
            // first such course's page.
            let url = match r.location.url() {
                Some(url) => url.to_owned(),
                None => {
                    let course = data
                        .courses()
                        .iter()
                        .find(|c| c.resources.iter().any(|x| x.index() == i));
                    match course {
                        Some(c) => format!("{}courses/{}.html", site.as_deref()?, c.id),
                        None => site.clone()?,
                    }
                }
            };
            Some(json!({ "title": &r.title, "kind": crate::words_kind(r.kind), "url": url }))
        })
        .collect();
    let logo = programme
        .branding
        .as_ref()
        .and_then(|b| b.logo.as_ref())
        .and(site.as_deref())
        .map(|s| format!("{s}images/logo.png"));
    json!({
        "programme": crate::programme_context(data),
        "subject": subject(data, window),
        "date": long(window.from),
        "window": format!("{} to {}", long(window.from), long(window.until())),
        "site": site,
        "logo": logo,
        "colour": programme
            .branding
            .as_ref()
            .and_then(|b| b.colour.clone())
            .unwrap_or_else(|| "#00577a".into()),
        "news": news,
        "tiers": tiers,
        "resources": resources,
    })
}

/// One course in the email: what it is, for whom, its runs in the window
/// and how to take part.
fn course(
    data: &Dataset,
    ix: Ix<tip_core::model::Course>,
    window: Window,
    site: Option<&str>,
) -> Value {
    let c = &data[ix];
    let page = site.map(|s| format!("{s}courses/{}.html", c.id));
    let shown = crate::runs::Shown {
        today: window.from,
        until: window.until(),
    };
    let runs: Vec<crate::runs::Run> = crate::runs::runs(data, data.cohorts_of(ix), shown)
        .into_iter()
        .filter(|r| r.to_come)
        .collect();
    let (action, link) = if c.format == Format::ELearning {
        ("Start the course", c.url.clone().or_else(|| page.clone()))
    } else if runs.iter().any(|r| r.bookable) {
        ("More about the course", page.clone())
    } else {
        ("Register your interest", crate::runs::interest(data, c))
    };
    json!({
        "id": &*c.id,
        "title": &c.title,
        "url": page,
        "summary": c.summary.as_deref().map(first_sentence),
        "who": tip_core::rules::who(data, c),
        "format": c.format.as_str(),
        "runs": runs,
        "action": action,
        "link": link.or(page),
        "elearning": c.format == Format::ELearning,
    })
}

/// The first sentence of a summary (the whole, when it is one).
fn first_sentence(text: &str) -> String {
    let text = text.trim();
    match text.find(". ") {
        Some(at) => text[..=at].to_owned(),
        None => text.to_owned(),
    }
}

/// `href` and `src` values that are not absolute made absolute against
/// the site (or dropped to `#` without one).
fn absolute_links(html: &str, site: Option<&str>) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(['h', 's']) {
        let (before, tail) = rest.split_at(at);
        out.push_str(before);
        let attr = ["href=\"", "src=\""]
            .into_iter()
            .find(|a| tail.starts_with(a));
        let Some(attr) = attr else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
            continue;
        };
        out.push_str(attr);
        let value_and_rest = &tail[attr.len()..];
        let end = value_and_rest.find('"').unwrap_or(value_and_rest.len());
        let value = &value_and_rest[..end];
        let absolute = ["https://", "http://", "mailto:"]
            .iter()
            .any(|p| value.starts_with(p));
        if absolute {
            out.push_str(value);
        } else if let Some(site) = site {
            out.push_str(site);
            out.push_str(value.trim_start_matches("./").trim_start_matches('/'));
        } else {
            out.push('#');
        }
        rest = &value_and_rest[end..];
    }
    out.push_str(rest);
    out
}

/// The subject line: the programme and the bulletin's month.
pub fn subject(data: &Dataset, window: Window) -> String {
    format!(
        "{}: bulletin, {}",
        data.programme().name,
        window.from.format("%B %Y")
    )
}

/// `18 January 2022`.
pub fn long(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// The bulletin as Markdown: the same content as the email
/// ([`content`]), links absolute.
pub fn markdown(data: &Dataset, window: Window) -> Result<String, crate::Error> {
    render_with(data, &content(data, window), "bulletin.md")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_made_absolute() {
        let html = r#"<a href="courses/x.html">x</a> <img src="/a.png"> <a href="https://e.org/">e</a> <a href="mailto:a@b">m</a> shh"#;
        assert_eq!(
            absolute_links(html, Some("https://s.org/")),
            r#"<a href="https://s.org/courses/x.html">x</a> <img src="https://s.org/a.png"> <a href="https://e.org/">e</a> <a href="mailto:a@b">m</a> shh"#
        );
        assert!(absolute_links(html, None).contains(r##"href="#""##));
    }

    /// Regression: the bulletin sent interest to the organiser even where
    /// the course names its own booking address (the site did not).
    #[test]
    fn interest_goes_where_the_course_page_sends_it() {
        let files = [
            (
                "programme.yaml",
                "programme: {id: demo, name: Demo, timezone: Europe/London, domain: demo.example.org, organiser: {name: Team, email: team@demo.example.org}}\ntiers: [{level: 1, name: One}]\n",
            ),
            (
                "courses.yaml",
                "courses: [{id: talk, title: Talk, tier: 1, format: webinar, booking: talks@demo.example.org}]\n",
            ),
        ];
        let report = Dataset::from_sources(
            files.map(|(name, text)| (name.to_string(), text.as_bytes().to_vec())),
        );
        let (data, _) = report.into_result().unwrap();
        let window = Window {
            from: "2026-05-01".parse().unwrap(),
            months: 2,
        };
        let content = content(&data, window);
        let course = &content["tiers"][0]["courses"][0];
        assert_eq!(course["action"], "Register your interest");
        let talk = data.course("talk").unwrap();
        let expected = crate::runs::interest(&data, &data[talk]).unwrap();
        assert!(
            expected.starts_with("mailto:talks@demo.example.org?"),
            "{expected}"
        );
        assert_eq!(course["link"], expected.as_str());
    }
}
