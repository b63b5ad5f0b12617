//! `tip init DIR [--name NAME]`: a new programme that validates and builds
//! as it stands, for a coordinator to change into theirs.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::Outcome;

/// Arguments of `tip init`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The folder to make (new, or empty).
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// The programme's name (default: from the folder's name).
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
}

/// The files of a new programme: path, and text with `{{…}}` to fill.
const FILES: &[(&str, &str)] = &[
    ("programme.yaml", include_str!("../../init/programme.yaml")),
    ("courses.yaml", include_str!("../../init/courses.yaml")),
    ("venues.yaml", include_str!("../../init/venues.yaml")),
    (
        "cohorts/cohorts.yaml",
        include_str!("../../init/cohorts/cohorts.yaml"),
    ),
    ("people.csv", include_str!("../../init/people.csv")),
    (".gitignore", include_str!("../../init/gitignore")),
    (
        ".github/workflows/tip.yml",
        include_str!("../../init/workflow.yml"),
    ),
];

/// Write a new programme into an empty (or new) folder.
pub(crate) fn run(args: &Args) -> io::Result<Outcome> {
    let dir = &args.dir;
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if let Some(entry) = entries.next() {
                let entry = entry?;
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!(
                        "`{}` is not empty (it holds `{}`): `tip init` starts a programme in a new or empty folder, and never changes files it did not write\n  = help: choose a new folder, e.g. `tip init my-programme`",
                        dir.display(),
                        entry.file_name().to_string_lossy()
                    ),
                ));
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(crate::output::at(dir)(e)),
    }
    let folder = std::path::absolute(dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "programme".into());
    let id = match tip_core::to_id(&folder) {
        id if id.is_empty() => "programme".to_string(),
        id => id,
    };
    let name = args.name.clone().unwrap_or_else(|| title_case(&folder));
    let today = crate::build_time()?.date_naive();
    let date = first_session(today);
    let schema =
        serde_json::to_string_pretty(&tip_core::schema::json_schema()).map_err(io::Error::other)?;
    let mut files: Vec<(PathBuf, String)> = FILES
        .iter()
        .map(|(path, text)| {
            let text = text
                .replace("{{id}}", &id)
                .replace("{{name}}", &yaml_text(&name))
                .replace("{{date}}", &date.to_string())
                .replace("{{cohort}}", &date.format("%Y-%m").to_string())
                .replace("{{repository}}", env!("CARGO_PKG_REPOSITORY"));
            (dir.join(path), text)
        })
        .collect();
    files.push((dir.join(".tip/schema.json"), format!("{schema}\n")));
    write_all(dir, &files)?;
    let mut err = anstream::stderr().lock();
    writeln!(
        err,
        "a new programme in {dir}:\n  programme.yaml, courses.yaml, venues.yaml, cohorts/cohorts.yaml  your offer, one of each to copy\n  people.csv  your learners (one row each)\n  .gitignore, .github/workflows/tip.yml  keys out of git; checks and publishing on GitHub\n\nnext:\n  tip validate {dir}        check it (every problem, with where and how to fix it)\n  tip serve {dir}           see the site as you edit\n  docs/guide.md             your first programme, step by step",
        dir = dir.display()
    )?;
    Ok(Outcome::Success)
}

/// The first Tuesday at least six weeks after `today`: a date to copy
/// that is not in the past. (`validate` checks it against bank holidays.)
fn first_session(today: NaiveDate) -> NaiveDate {
    let mut day = today + Days::new(42);
    while day.weekday() != Weekday::Tue {
        day = day + Days::new(1);
    }
    day
}

/// `my-programme` → `My Programme`.
fn title_case(folder: &str) -> String {
    folder
        .split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A name as a YAML scalar: quoted when YAML would read it otherwise.
fn yaml_text(name: &str) -> String {
    let plain = name
        .chars()
        .all(|c| c.is_alphanumeric() || " -'().,".contains(c))
        && !name.starts_with(['-', '\'', ' '])
        && !name.is_empty();
    if plain {
        name.to_owned()
    } else {
        serde_json::to_string(name).unwrap_or_default()
    }
}

/// Write every file, or none: into a temporary folder beside `dir`, then
/// renamed into place.
fn write_all(dir: &Path, files: &[(PathBuf, String)]) -> io::Result<()> {
    let at = crate::output::at;
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(at(&parent))?;
    let staging = tempfile::Builder::new()
        .prefix(".tip-init-")
        .tempdir_in(&parent)
        .map_err(at(&parent))?;
    for (path, text) in files {
        let rel = path.strip_prefix(dir).unwrap_or(path);
        let full = staging.path().join(rel);
        if let Some(folder) = full.parent() {
            std::fs::create_dir_all(folder).map_err(at(folder))?;
        }
        std::fs::write(&full, text).map_err(at(&full))?;
    }
    #[cfg(unix)]
    std::fs::set_permissions(
        staging.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .map_err(at(staging.path()))?;
    let staged = staging.keep();
    // `rename` onto an empty folder replaces it; onto nothing, makes it.
    if let Err(e) = std::fs::rename(&staged, dir) {
        let _ = std::fs::remove_dir_all(&staged);
        return Err(at(dir)(e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_dates() {
        assert_eq!(title_case("kent-medway_tip"), "Kent Medway Tip");
        assert_eq!(yaml_text("Plymouth: Trauma"), "\"Plymouth: Trauma\"");
        assert_eq!(yaml_text("Islington TIP"), "Islington TIP");
        let d = first_session("2026-12-07".parse().unwrap());
        assert_eq!(
            (d.weekday(), d.to_string()),
            (Weekday::Tue, "2027-01-19".into())
        );
    }
}
