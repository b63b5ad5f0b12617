//! The bulletin as partners receive it: an email (`multipart/alternative`,
//! plain text and HTML) that reads well forwarded, in Outlook, on a phone.
//!
//! News first (what happened since the last bulletin, never anything dated
//! after this one), then each tier with every course: a line on what it is,
//! who it is for, its next runs with places left, and how to book or start.
//! A course without dates says how to register interest. Every link is
//! absolute (the programme's `site_url`), the styles are inline (mail
//! clients drop `<style>` and never load a stylesheet), and the layout is
//! one column of at most 600 pixels.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tip_core::model::{Format, Vocabulary as _};
use tip_core::{Dataset, Ix};

use crate::bulletin::{Window, long};
use crate::runs::percent;
use crate::{Error, markdown};

/// What marks a file as a bulletin tip wrote (a header of the message, a
/// `<meta>` of the HTML): only such a file is replaced by `-o`.
pub const GENERATOR: &str = "tip bulletin";

/// A bulletin ready to send: its subject and both bodies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Letter {
    /// `Kent and Medway Trauma Informed Practice: bulletin, June 2022`.
    pub subject: String,
    /// The plain-text body, which reads well on its own.
    pub text: String,
    /// The HTML body: inline styles, absolute links, at most 600 px wide.
    pub html: String,
}

/// The bulletin of `window` as a letter.
pub fn letter(data: &Dataset, window: Window) -> Result<Letter, Error> {
    let ctx = context(data, window);
    let env = crate::templates::environment(data.root())?;
    Ok(Letter {
        subject: subject(data, window),
        text: crate::templates::render(&env, "bulletin-email.txt", &ctx)?,
        html: crate::templates::render(&env, "bulletin-email.html", &ctx)?,
    })
}

/// The subject line: the programme and the bulletin's month.
pub fn subject(data: &Dataset, window: Window) -> String {
    format!(
        "{}: bulletin, {}",
        data.programme().name,
        window.from.format("%B %Y")
    )
}

/// The bulletin of `window` as an email message (RFC 5322, MIME): From
/// and Reply-To the organiser, dated `date`, marked unsent so that a mail
/// client opens it as a draft to address and send. The same data and date
/// give the same bytes.
pub fn message(data: &Dataset, window: Window, date: DateTime<Utc>) -> Result<Vec<u8>, Error> {
    use mail_builder::MessageBuilder;
    use mail_builder::headers::address::Address;
    use mail_builder::headers::content_type::ContentType;
    use mail_builder::headers::raw::Raw;
    use mail_builder::mime::{BodyPart, MimePart};

    let letter = letter(data, window)?;
    let programme = data.programme();
    let organiser = programme.organiser.as_ref();
    let name = organiser.map_or(programme.name.as_str(), |o| o.name.as_str());
    // Reproducible: the boundary and Message-ID from the content.
    let digest = {
        use sha2::Digest as _;
        let mut h = sha2::Sha256::new();
        h.update(letter.text.as_bytes());
        h.update(letter.html.as_bytes());
        h.finalize()
            .iter()
            .take(12)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let body = MimePart::new(
        ContentType::new("multipart/alternative").attribute("boundary", format!("tip-{digest}")),
        BodyPart::Multipart(vec![
            MimePart::new("text/plain", letter.text.as_str()),
            MimePart::new("text/html", letter.html.as_str()),
        ]),
    );
    let mut builder = MessageBuilder::new()
        .header("X-Generator", Raw::new(GENERATOR))
        .subject(letter.subject.as_str())
        .date(date.timestamp())
        .message_id(format!(
            "bulletin-{}-{digest}@{}",
            window.from, programme.domain
        ))
        .header("X-Unsent", Raw::new("1"))
        .body(body);
    if let Some(email) = organiser.and_then(|o| o.email.as_deref()) {
        builder = builder
            .from(Address::new_address(Some(name), email))
            .reply_to(Address::new_address(Some(name), email));
    }
    builder.write_to_vec().map_err(|e| Error::Io {
        path: "bulletin.eml".into(),
        source: e,
    })
}

/// What the email templates are given.
pub fn context(data: &Dataset, window: Window) -> Value {
    let programme = data.programme();
    let site = programme
        .site_url
        .as_deref()
        .map(|s| format!("{}/", s.trim_end_matches('/')));
    let email = programme.organiser.as_ref().and_then(|o| o.email.clone());
    let news: Vec<Value> = crate::bulletin::news(data, window)
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
                    data[ix].tier == tier.level && data[ix].ended.is_none_or(|e| e >= window.from)
                })
                .map(|ix| course(data, ix, window, site.as_deref(), email.as_deref()))
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
        "programme": crate::site::programme_context(data),
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
    email: Option<&str>,
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
    let mailto =
        |subject: String| email.map(|e| format!("mailto:{e}?subject={}", percent(&subject)));
    let (action, link) = if c.format == Format::ELearning {
        ("Start the course", c.url.clone().or_else(|| page.clone()))
    } else if runs.iter().any(|r| r.bookable) {
        ("More about the course", page.clone())
    } else {
        (
            "Register your interest",
            mailto(format!("Interest: {}", c.title)),
        )
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
}
