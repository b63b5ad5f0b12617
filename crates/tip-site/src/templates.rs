//! The built-in templates, and overrides from a data folder's `templates/`.

use std::path::Path;

use minijinja::Environment;

use crate::Error;

const BUILT_IN: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("run.html", include_str!("../templates/run.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("course.html", include_str!("../templates/course.html")),
    ("progress.html", include_str!("../templates/progress.html")),
    ("bulletin.html", include_str!("../templates/bulletin.html")),
    ("bulletin.md", include_str!("../templates/bulletin.md")),
    (
        "bulletin-email.html",
        include_str!("../templates/bulletin-email.html"),
    ),
    (
        "bulletin-email.txt",
        include_str!("../templates/bulletin-email.txt"),
    ),
    ("pack.html", include_str!("../templates/pack.html")),
    ("pack.md", include_str!("../templates/pack.md")),
    ("verify.html", include_str!("../templates/verify.html")),
    ("style.css", include_str!("../templates/style.css")),
];

/// A template environment: a file `templates/<name>` in the data folder
/// replaces the built-in template of that name.
pub(crate) fn environment(root: &Path) -> Result<Environment<'static>, Error> {
    let mut env = Environment::new();
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .keep_trailing_newline(true)
        .build()
        .map_err(|e| Error::template("syntax", e))?;
    env.set_syntax(syntax);
    // `.html` escapes HTML; `.md` escapes Markdown, so text from the data
    // stays text (`{{ x | safe }}` for Markdown that is meant as such).
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            minijinja::AutoEscape::Html
        } else if name.ends_with(".md") {
            minijinja::AutoEscape::Custom("markdown".into())
        } else {
            minijinja::AutoEscape::None
        }
    });
    // HTML escaping of `& < > " '` only: minijinja's default also escapes
    // `/`, which makes every link an entity soup.
    env.set_formatter(|out, state, value| {
        let escape = match state.auto_escape() {
            _ if value.is_safe() => None,
            minijinja::AutoEscape::Html => Some(html_escape as fn(&str) -> String),
            minijinja::AutoEscape::Custom(name) if name == "markdown" => {
                Some(crate::markdown::escape_text as _)
            }
            _ => None,
        };
        match escape {
            Some(escape) => {
                if !value.is_none() && !value.is_undefined() {
                    out.write_str(&escape(&value.to_string()))
                        .map_err(|_| minijinja::Error::from(minijinja::ErrorKind::WriteFailure))?;
                }
                Ok(())
            }
            None => minijinja::escape_formatter(out, state, value),
        }
    });
    // `{{ x | url }}`: a link address from the data, or nothing when its
    // scheme is not http, https or mailto (no `javascript:`, `data:`…).
    env.add_filter("url", |url: String| {
        if crate::markdown::safe_url(&url) {
            url
        } else {
            String::new()
        }
    });
    // `{{ x | mdurl }}`: the same, for a Markdown link or autolink.
    env.add_filter("mdurl", |url: String| {
        minijinja::Value::from_safe_string(crate::markdown::url(&url))
    });
    for (name, source) in BUILT_IN {
        let rel = format!("templates/{name}");
        let text = match tip_core::public_file(root, &rel) {
            Ok(path) => std::fs::read_to_string(&path).map_err(Error::io(&path))?,
            Err(tip_core::FileRefusal::Missing) => (*source).to_string(),
            Err(refusal) => {
                return Err(Error::File {
                    what: "the template override".into(),
                    path: rel,
                    refusal,
                });
            }
        };
        env.add_template_owned(*name, text)
            .map_err(|e| Error::template(name, e))?;
    }
    Ok(env)
}

fn html_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Render template `name` with a JSON context.
pub(crate) fn render(
    env: &Environment<'_>,
    name: &str,
    ctx: &serde_json::Value,
) -> Result<String, Error> {
    render_value(
        env,
        name,
        minijinja::Value::from(minijinja::value::Serde(ctx)),
    )
}

/// [`render`] with a context already made of template values (long lists
/// shared between pages are made once, not converted page by page).
pub(crate) fn render_value(
    env: &Environment<'_>,
    name: &str,
    ctx: minijinja::Value,
) -> Result<String, Error> {
    env.get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| Error::template(name, e))
}

/// Check the data folder's template overrides: each must be a file that
/// may be published and must parse. One diagnostic per broken template,
/// at its line, for `tip validate`.
pub fn check(root: &Path) -> Vec<tip_core::Diagnostic> {
    use tip_core::{Code, Diagnostic, Location};
    let mut out = Vec::new();
    for (name, _) in BUILT_IN {
        let rel = format!("templates/{name}");
        let Ok(path) = tip_core::public_file(root, &rel) else {
            // Missing is the usual case; a refused file is reported by the
            // core's own check of `templates/`.
            continue;
        };
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let mut env = Environment::new();
        if let Err(e) = env.add_template_owned(*name, text) {
            out.push(
                Diagnostic::error(
                    Code::TemplateSyntax,
                    format!("the template `{rel}` does not parse: {}", e.detail().unwrap_or("syntax error")),
                )
                .at(Location {
                    file: rel.as_str().into(),
                    line: e.line().unwrap_or(1) as u32,
                    column: 1,
                    len: 1,
                })
                .help("see the built-in templates in crates/tip-site/templates/ and minijinja's syntax"),
            );
        }
    }
    out
}
