//! Markdown from the data (news bodies), made safe to publish, and plain
//! text made safe to write into Markdown.
//!
//! Links and images keep only `http`, `https`, `mailto` and relative
//! addresses; any other scheme (`javascript:`, `data:`, `vbscript:`, …) is
//! made inert: the link becomes its text, the image its description. Raw
//! HTML is shown as text, never passed through. The same rules hold for
//! the HTML we render and for the Markdown we copy into `bulletin.md`.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd, html};

/// Whether a link address may be published: `http:`, `https:`, `mailto:`,
/// or relative (no scheme). Browsers ignore ASCII tabs and line breaks
/// inside an address and spaces around it, so those are ignored here too
/// (`java\tscript:` is `javascript:`).
pub fn safe_url(url: &str) -> bool {
    let cleaned: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    if cleaned.chars().any(char::is_control) {
        return false;
    }
    let scheme_end = cleaned.find(':');
    let path_start = cleaned.find(['/', '?', '#']);
    match scheme_end {
        // A colon after the path starts is not a scheme: `a/b:c` is relative.
        Some(colon) if path_start.is_none_or(|p| colon < p) => {
            let scheme = cleaned[..colon].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
        _ => true,
    }
}

fn options() -> Options {
    Options::empty()
}

/// Render Markdown as HTML (CommonMark): raw HTML in the source is shown
/// as text, and links or images with an unsafe address become plain text.
pub fn to_html(md: &str) -> String {
    // Whether each open link or image is kept.
    let mut links: Vec<bool> = Vec::new();
    let mut images: Vec<bool> = Vec::new();
    let mut events = Vec::new();
    for event in Parser::new_ext(md, options()) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => events.push(Event::Text(h)),
            Event::Start(Tag::Link {
                link_type,
                ref dest_url,
                ..
            }) => {
                let ok = link_type == LinkType::Email || safe_url(dest_url);
                links.push(ok);
                if ok {
                    events.push(event);
                }
            }
            Event::End(TagEnd::Link) => {
                if links.pop().unwrap_or(true) {
                    events.push(event);
                }
            }
            // An unsafe image's description is shown as text in its place.
            Event::Start(Tag::Image { ref dest_url, .. }) => {
                let ok = safe_url(dest_url);
                images.push(ok);
                if ok {
                    events.push(event);
                }
            }
            Event::End(TagEnd::Image) => {
                if images.pop().unwrap_or(true) {
                    events.push(event);
                }
            }
            other => events.push(other),
        }
    }
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    out
}

/// The Markdown source with unsafe links and images made inert and raw
/// HTML escaped, so that any Markdown renderer shows it as text. Safe
/// Markdown comes back unchanged.
pub fn sanitize(md: &str) -> String {
    // Escaping one tag can change how the text around it parses (an
    // unquoted attribute that held a `<` no longer does), so repeat until
    // nothing changes; text that never settles is kept as plain text.
    let mut text = sanitize_once(md);
    if text == md {
        // Nothing was unsafe: the usual case, one parse.
        return text;
    }
    for _ in 0..8 {
        let next = sanitize_once(&text);
        if next == text {
            return text;
        }
        text = next;
    }
    escape_text(md)
}

fn sanitize_once(md: &str) -> String {
    let parser = Parser::new_ext(md, options()).into_offset_iter();
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    for (_, def) in parser.reference_definitions().iter() {
        if !safe_url(&def.dest) {
            edits.push((def.span.clone(), String::new()));
        }
    }
    // Inside an unsafe link or image: where it started, and its text.
    let mut open: Option<(usize, usize, String)> = None;
    for (event, range) in parser {
        if let Some((_, depth, text)) = open.as_mut() {
            match &event {
                Event::Start(_) => *depth += 1,
                Event::End(_) if *depth > 0 => *depth -= 1,
                Event::End(_) => {
                    let (start, _, text) = open.take().expect("open");
                    edits.push((start..range.end, escape_text(&text)));
                }
                Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                    text.push_str(t)
                }
                Event::SoftBreak | Event::HardBreak => text.push(' '),
                _ => {}
            }
            continue;
        }
        match &event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) if *link_type != LinkType::Email && !safe_url(dest_url) => {
                open = Some((range.start, 0, String::new()));
            }
            Event::Start(Tag::Image { dest_url, .. }) if !safe_url(dest_url) => {
                open = Some((range.start, 0, String::new()));
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                edits.push((range.clone(), escape_html(h)));
            }
            _ => {}
        }
    }
    if edits.is_empty() {
        return md.to_owned();
    }
    // Apply from the end; an edit inside one already made is dropped.
    edits.sort_by(|a, b| a.0.start.cmp(&b.0.start).then(b.0.end.cmp(&a.0.end)));
    let mut out = String::with_capacity(md.len());
    let mut at = 0;
    for (range, replacement) in edits {
        if range.start < at {
            continue;
        }
        out.push_str(&md[at..range.start]);
        out.push_str(&replacement);
        at = range.end;
    }
    out.push_str(&md[at..]);
    out
}

/// Raw HTML in Markdown, kept as visible text: `<` becomes `&lt;` (and `&`
/// `&amp;`), line breaks kept.
fn escape_html(html: &str) -> String {
    html.replace('&', "&amp;").replace('<', "&lt;")
}

/// Plain text for a Markdown file: every character that could start a
/// link, emphasis, code, HTML or an entity is backslash-escaped, line
/// breaks become spaces, and a line-starting marker (`#`, `-`, `1.`) is
/// escaped, so the text reads the same and stays text.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.chars().enumerate() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '!' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '-' | '+' | '=' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    // `1. text` or `1) text` at the start would be a numbered list.
    let digits = out.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && matches!(out.as_bytes().get(digits), Some(b'.' | b')')) {
        out.insert(digits, '\\');
    }
    out
}

/// `%XX` for byte `b`, pushed onto `out`.
pub(crate) fn push_percent(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 15)]));
}

/// An address for a Markdown link or autolink: safe ones only (else
/// empty), with the characters that would end the link percent-encoded.
pub fn url(url: &str) -> String {
    if !safe_url(url) {
        return String::new();
    }
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' | '<' | '>' | '(' | ')' | '[' | ']' | '\\' | '"' | '`' => {
                push_percent(&mut out, c as u8)
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_mail_and_relative_addresses_are_safe() {
        for ok in [
            "https://example.org/a",
            "http://x",
            "mailto:a@b.org",
            "HTTPS://X",
            "page.html",
            "../a/b.html",
            "#top",
            "a/b:c",
            "?q=a:b",
        ] {
            assert!(safe_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "data:text/html,<script>",
            "vbscript:msgbox",
            "file:///etc/passwd",
            "\u{0}javascript:x",
        ] {
            assert!(!safe_url(bad), "{bad:?}");
        }
    }

    #[test]
    fn unsafe_links_and_images_become_text_in_html() {
        let html = to_html(
            "[click](javascript:alert(1)) ![pic](data:image/png;base64,AAAA) \
             <javascript:alert(2)> [ok](https://example.org) <b>bold</b>\n\n\
             [ref][r]\n\n[r]: vbscript:msgbox",
        );
        assert!(!html.contains("javascript:alert(1)"), "{html}");
        assert!(!html.contains("data:image"), "{html}");
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert!(!html.contains("vbscript"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("click") && html.contains("pic"), "{html}");
        assert!(
            html.contains("<a href=\"https://example.org\">ok</a>"),
            "{html}"
        );
    }

    #[test]
    fn sanitized_markdown_keeps_safe_text_and_drops_unsafe_links() {
        let safe = "Hello *world*, see [the site](https://example.org).\n";
        assert_eq!(sanitize(safe), safe);
        let md = "[click *me*](javascript:alert(1)) and ![pic](data:x) and \
                  <script>x</script>\n\n[ref][r]\n\n[r]: vbscript:msgbox\n";
        let out = sanitize(md);
        assert!(!out.contains("javascript"), "{out}");
        assert!(!out.contains("data:x"), "{out}");
        assert!(!out.contains("vbscript"), "{out}");
        assert!(!out.contains("<script>"), "{out}");
        assert!(out.contains("click me") && out.contains("pic"), "{out}");
        // What any renderer makes of it has no unsafe link.
        let html = to_html(&out);
        assert!(!html.contains("<a"), "{html}");
    }

    #[test]
    fn escaping_that_makes_a_new_tag_is_escaped_again() {
        // Found by the fuzzer: escaping `</p>` left `<a h=…>` a tag.
        let md = "\u{4}<ATh\u{b}<a h\u{b}=t;t&</p>t";
        let out = sanitize(md);
        assert!(
            Parser::new(&out).all(|e| !matches!(e, Event::Html(_) | Event::InlineHtml(_))),
            "{out:?}"
        );
    }

    #[test]
    fn plain_text_stays_text_in_markdown() {
        let text = "# Title [x](javascript:y) <img src=x> *a* `b` &amp;\nnext";
        let md = escape_text(text);
        let html = to_html(&md);
        assert!(!html.contains("<a") && !html.contains("<img") && !html.contains("<em>"));
        assert!(!html.contains("<h1>") && !html.contains("<code>"), "{html}");
        assert!(html.contains("# Title [x](javascript:y)"), "{html}");
        assert!(html.contains("&amp;amp;"), "{html}");
        assert_eq!(to_html(&escape_text("1. one")), "<p>1. one</p>\n");
        assert_eq!(to_html(&escape_text("- one")), "<p>- one</p>\n");
    }
}
