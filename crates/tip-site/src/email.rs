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
use tip_core::Dataset;

use crate::Error;
use crate::bulletin::Window;

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
    let ctx = crate::bulletin::content(data, window);
    let env = crate::templates::environment(data.root())?;
    Ok(Letter {
        subject: crate::bulletin::subject(data, window),
        text: crate::templates::render(&env, "bulletin-email.txt", &ctx)?,
        html: crate::templates::render(&env, "bulletin-email.html", &ctx)?,
    })
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
