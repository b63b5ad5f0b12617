//! Fuzz what goes public from Markdown and plain text: whatever the input,
//! no unsafe link, image or raw HTML survives `sanitize`, `to_html` or
//! `escape_text`, and none of them panics.
//!
//! ```text
//! RUSTC_BOOTSTRAP=1 cargo fuzz run markdown -- -max_total_time=600
//! ```
#![no_main]

use libfuzzer_sys::fuzz_target;
use pulldown_cmark::{Event, Parser, Tag};
use tip_site::markdown::{escape_text, safe_url, sanitize, to_html};

/// Every link and image of `md` is safe and it holds no raw HTML.
fn inert(md: &str) -> bool {
    Parser::new(md).all(|e| match e {
        Event::Start(Tag::Link { link_type, dest_url, .. }) => {
            link_type == pulldown_cmark::LinkType::Email || safe_url(&dest_url)
        }
        Event::Start(Tag::Image { dest_url, .. }) => safe_url(&dest_url),
        Event::Html(_) | Event::InlineHtml(_) => false,
        _ => true,
    })
}

fuzz_target!(|input: &[u8]| {
    let Ok(text) = std::str::from_utf8(input) else { return };
    let clean = sanitize(text);
    assert!(inert(&clean), "sanitize left something live: {clean:?}");
    let escaped = escape_text(text);
    assert!(inert(&escaped), "escape_text left something live: {escaped:?}");
    // Text has `<` escaped, so a tag in the output is one the renderer made.
    let html = to_html(text).to_ascii_lowercase();
    for tag in ["<a href=\"", "<img src=\""] {
        for (at, _) in html.match_indices(tag) {
            let url = &html[at + tag.len()..];
            let url = &url[..url.find('"').unwrap_or(url.len())];
            assert!(safe_url(url), "{tag}{url} in {html}");
        }
    }
    assert!(!html.contains("<script"), "{html}");
});
