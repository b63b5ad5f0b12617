//! The built-in templates, and overrides from a data folder's `templates/`.

use std::path::Path;

use minijinja::Environment;

const BUILT_IN: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("sessions.html", include_str!("../templates/sessions.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("course.html", include_str!("../templates/course.html")),
    ("progress.html", include_str!("../templates/progress.html")),
    ("bulletin.html", include_str!("../templates/bulletin.html")),
    ("bulletin.md", include_str!("../templates/bulletin.md")),
    ("pack.html", include_str!("../templates/pack.html")),
    ("pack.md", include_str!("../templates/pack.md")),
    ("style.css", include_str!("../templates/style.css")),
];

/// A template environment: a file `templates/<name>` in the data folder
/// replaces the built-in template of that name.
pub fn environment(root: &Path) -> Result<Environment<'static>, String> {
    let mut env = Environment::new();
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .keep_trailing_newline(true)
        .build()
        .map_err(|e| e.to_string())?;
    env.set_syntax(syntax);
    // HTML escaping of `& < > " '` only: minijinja's default also escapes
    // `/`, which makes every link an entity soup.
    env.set_formatter(|out, state, value| {
        if matches!(state.auto_escape(), minijinja::AutoEscape::Html) && !value.is_safe() {
            let text = value.to_string();
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
            if !value.is_none() && !value.is_undefined() {
                out.write_str(&escaped)
                    .map_err(|_| minijinja::Error::from(minijinja::ErrorKind::WriteFailure))?;
            }
            Ok(())
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    for (name, source) in BUILT_IN {
        let custom = root.join("templates").join(name);
        let text = match std::fs::read_to_string(&custom) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (*source).to_string(),
            Err(e) => return Err(format!("cannot read `{}`: {e}", custom.display())),
        };
        env.add_template_owned(*name, text)
            .map_err(|e| format!("template `{name}`: {e}"))?;
    }
    Ok(env)
}

/// Render template `name` with a JSON context.
pub fn render(
    env: &Environment<'_>,
    name: &str,
    ctx: &serde_json::Value,
) -> Result<String, String> {
    env.get_template(name)
        .and_then(|t| t.render(minijinja::value::Serde(ctx)))
        .map_err(|e| format!("template `{name}`: {e}"))
}
