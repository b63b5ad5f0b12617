//! Resource packs: the resources of a course, or of every course for a role.
//!
//! A pack is `index.html` (readable offline, printable), `README.md`, the
//! pack's local files under their own names, and `manifest.json` (each item
//! with its id, title, kind, url or path, and for files their SHA-256 and
//! size). Links are listed, never fetched. As a zip it is reproducible:
//! entries in a fixed order with a fixed time, and no absolute or `..` paths.

use std::io::Write;

use serde_json::json;
use sha2::{Digest, Sha256};
use tip_core::model::{Course, Resource, Role, Vocabulary};
use tip_core::{Dataset, Ix};

/// What a pack holds.
#[derive(Clone, Debug)]
pub struct Pack {
    /// File-name friendly id: the course or role id.
    pub id: String,
    /// "Resources: L2 Multi-agency Trauma Awareness".
    pub title: String,
    /// A sentence on what it is for.
    pub about: String,
    /// The resources, in order, each once.
    pub resources: Vec<Ix<Resource>>,
}

/// The pack of a course: its `resources`.
pub fn for_course(data: &Dataset, course: Ix<Course>) -> Pack {
    let c = &data[course];
    Pack {
        id: c.id.to_string(),
        title: format!("Resources: {}", c.title),
        about: format!("The resources that go with {}.", c.title),
        resources: c.resources.clone(),
    }
}

/// The pack of a role: the resources of every course open to the role
/// (its audience names the role, or is everyone) that are themselves for
/// the role.
pub fn for_role(data: &Dataset, role: Ix<Role>) -> Pack {
    let mut resources = Vec::new();
    for c in data.courses() {
        if !c.audience.is_empty() && !c.audience.contains(&role) {
            continue;
        }
        for &r in &c.resources {
            let res = &data[r];
            if (res.audience.is_empty() || res.audience.contains(&role)) && !resources.contains(&r)
            {
                resources.push(r);
            }
        }
    }
    let name = &data[role].name;
    Pack {
        id: data[role].id.to_string(),
        title: format!("Resources for {name}s"),
        about: format!("Resources of the courses open to {name}s."),
        resources,
    }
}

/// The files of a pack, by path inside it, in a fixed order. A local file
/// that cannot be read is an error naming it.
pub fn files(data: &Dataset, pack: &Pack) -> Result<Vec<(String, Vec<u8>)>, crate::Error> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let mut items = Vec::new();
    let mut manifest = Vec::new();
    let mut taken = std::collections::HashSet::new();
    for &r in &pack.resources {
        let res = &data[r];
        let (href, url, path, file) = match (res.location.url(), res.location.file()) {
            (Some(url), _) => (url.to_owned(), Some(url.to_owned()), None, None),
            (None, None) => continue,
            (None, Some(rel)) => {
                // The same rule as `validate`: only public files, read
                // where they really are.
                let full = tip_core::public_file(data.root(), rel).map_err(|refusal| {
                    crate::Error::File {
                        what: format!("resource `{}`", res.id),
                        path: rel.to_owned(),
                        refusal,
                    }
                })?;
                let bytes = std::fs::read(&full).map_err(crate::Error::io(&full))?;
                let path = format!("files/{}", entry_name(rel, &res.id, &taken));
                // Unique ignoring case: `X.PDF` and `x.pdf` would overwrite
                // each other when unzipped on Windows or macOS.
                taken.insert(path.to_lowercase());
                (path.clone(), None, Some(path), Some(bytes))
            }
        };
        let mut entry = json!({ "id": &*res.id, "title": &res.title, "kind": res.kind.as_str() });
        if let Some(u) = &url {
            entry["url"] = json!(u);
        }
        if let (Some(p), Some(bytes)) = (&path, &file) {
            entry["path"] = json!(p);
            entry["sha256"] = json!(hex(&Sha256::digest(bytes)));
            entry["bytes"] = json!(bytes.len());
            out.push((p.clone(), bytes.clone()));
        }
        manifest.push(entry);
        items.push(json!({
            "id": &*res.id, "title": &res.title, "kind": res.kind.as_str(), "href": href, "url": url, "path": path,
            "minutes": res.minutes, "funder": &res.funder, "description": &res.description,
        }));
    }
    // The version changes whenever an item or a file does.
    let version = hex(&Sha256::digest(
        serde_json::to_vec(&manifest).expect("json"),
    ))[..12]
        .to_string();
    let manifest =
        json!({ "pack": &pack.id, "title": &pack.title, "version": &version, "items": manifest });
    let context = json!({
        "programme": { "name": &data.programme().name },
        "pack": { "id": &pack.id, "title": &pack.title, "about": &pack.about, "version": &version },
        "items": items,
    });
    let env = crate::templates::environment(data.root())?;
    let render = |name: &str| crate::templates::render(&env, name, &context);
    out.push(("index.html".into(), render("pack.html")?.into_bytes()));
    out.push(("README.md".into(), render("pack.md")?.into_bytes()));
    let mut manifest = serde_json::to_string_pretty(&manifest).expect("json");
    manifest.push('\n');
    out.push(("manifest.json".into(), manifest.into_bytes()));
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// A name for a resource file inside a pack, unique among `taken`
/// (`files/…` paths, lowercase: names are unique ignoring case): its own file name with anything but letters, digits,
/// `.`, `-` and `_` replaced by `-` (no backslash, no path, nothing a zip
/// tool could read as a folder); then the resource id before it, then a
/// number, until it is free.
fn entry_name(rel: &str, id: &str, taken: &std::collections::HashSet<String>) -> String {
    let base: String = rel
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(rel)
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let base = base.trim_start_matches('.');
    let base = if base.is_empty() { id } else { base };
    let free = |name: &str| !taken.contains(&format!("files/{name}").to_lowercase());
    if free(base) {
        return base.to_owned();
    }
    let with_id = format!("{id}-{base}");
    if free(&with_id) {
        return with_id;
    }
    (2..)
        .map(|n| format!("{id}-{n}-{base}"))
        .find(|name| free(name))
        .expect("a free name")
}

/// The files as a zip: fixed order, fixed times (1980-01-01, the zip epoch),
/// fixed permissions, deflated.
pub fn zip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644);
        for (path, bytes) in files {
            debug_assert!(
                !path.starts_with('/')
                    && !path.contains('\\')
                    && !path.split('/').any(|p| p == "..")
            );
            z.start_file(path.as_str(), options)
                .expect("names are unique and writing to memory cannot fail");
            z.write_all(bytes).expect("writing to memory");
        }
        z.finish().expect("writing to memory");
    }
    buf.into_inner()
}

/// Lowercase hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn entry_names_are_unique_and_plain() {
        let mut taken = HashSet::new();
        let mut names = Vec::new();
        for (rel, id) in [
            ("a/leaflet.pdf", "one"),
            ("b/leaflet.pdf", "two"),
            ("c/leaflet.pdf", "two"),
            ("d/two-leaflet.pdf", "three"),
            ("e/..\\..\\evil.pdf", "four"),
            ("f/.hidden", "five"),
            ("g/LEAFLET.PDF", "six"),
        ] {
            let name = entry_name(rel, id, &taken);
            assert!(
                taken.insert(format!("files/{name}").to_lowercase()),
                "{name} twice"
            );
            names.push(name);
        }
        assert_eq!(
            names,
            [
                "leaflet.pdf",
                "two-leaflet.pdf",
                "two-2-leaflet.pdf",
                "three-two-leaflet.pdf",
                "evil.pdf",
                "hidden",
                "six-LEAFLET.PDF"
            ]
        );
    }
}
