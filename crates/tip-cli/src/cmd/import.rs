//! `tip import applications DIR EXPORT [--map FIELD=COLUMN]…`: the
//! responses of a booking form (Microsoft Forms' Excel download, a Google
//! Forms or Eventbrite CSV) as `applications`, appended to an
//! `applications*.csv` of the data folder.

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use tip_core::Dataset;

use crate::{Outcome, load};

/// Arguments of `tip import`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Debug, clap::Subcommand)]
enum What {
    /// Applications from a form's responses (`.xlsx` or `.csv`).
    Applications(Applications),
}

#[derive(Debug, clap::Args)]
struct Applications {
    /// The data folder.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// The export: Microsoft Forms' `.xlsx` (its first sheet), or a `.csv`
    /// (Google Forms, Eventbrite, any spreadsheet).
    #[arg(value_name = "EXPORT")]
    export: PathBuf,
    /// Which column holds which answer, as `FIELD=COLUMN` (FIELD one of
    /// email, name, course, cohort, submitted, notes; COLUMN the header as
    /// written). Fields left out are found by their usual headers.
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    map: Vec<String>,
    /// Check and report, write nothing.
    #[arg(long)]
    dry_run: bool,
}

/// The answers an application is made of.
const FIELDS: [&str; 6] = ["email", "name", "course", "cohort", "submitted", "notes"];

/// Usual headers of each field (lowercase, matched as a part of the
/// header): Microsoft Forms, Google Forms, Eventbrite.
const USUAL: [(&str, &[&str]); 6] = [
    ("email", &["email"]),
    ("name", &["full name", "your name", "name"]),
    ("course", &["course", "event name", "training"]),
    (
        "cohort",
        &["cohort", "which date", "preferred date", "date you"],
    ),
    (
        "submitted",
        &[
            "completion time",
            "timestamp",
            "order date",
            "submitted",
            "start time",
        ],
    ),
    (
        "notes",
        &["anything else", "notes", "comments", "access needs"],
    ),
];

/// Read the export, match its answers to people, courses and cohorts, and
/// append the new applications.
pub(crate) fn run(args: &Args) -> io::Result<Outcome> {
    let What::Applications(args) = &args.what;
    let data = match load(&args.dir)? {
        Ok(data) => data,
        Err(outcome) => return Ok(outcome),
    };
    let mut err = anstream::stderr().lock();
    let table = read_export(&args.export)?;
    let Some((header, rows)) = table.split_first() else {
        writeln!(err, "error: `{}` has no header row", args.export.display())?;
        return Ok(Outcome::Invalid);
    };
    let columns = match columns(header, &args.map) {
        Ok(columns) => columns,
        Err(why) => {
            writeln!(err, "error: {why}")?;
            return Ok(Outcome::Invalid);
        }
    };
    let matched = match_rows(&data, &columns, rows);
    for problem in &matched.problems {
        writeln!(err, "{problem}")?;
    }
    if !matched.missing_people.is_empty() {
        writeln!(
            err,
            "\n{} answer{} match no one in the data: add {} to people.csv (with role, region and organisation), then import again:\nid,name,email,organisation,sector,role,region",
            matched.missing_people.len(),
            if matched.missing_people.len() == 1 {
                ""
            } else {
                "s"
            },
            if matched.missing_people.len() == 1 {
                "this row"
            } else {
                "these rows"
            },
        )?;
        for row in &matched.missing_people {
            writeln!(err, "{row}")?;
        }
    }
    if matched.new.is_empty() {
        writeln!(err, "no new applications to add")?;
        crate::done(data);
        return Ok(
            if matched.missing_people.is_empty()
                && matched.problems.iter().all(|p| p.starts_with("skipped"))
            {
                Outcome::Success
            } else {
                Outcome::Invalid
            },
        );
    }
    let target = target(&data);
    if args.dry_run {
        writeln!(
            err,
            "{} new application{} would be added to {} (a dry run: nothing written)",
            matched.new.len(),
            if matched.new.len() == 1 { "" } else { "s" },
            target.display()
        )?;
    } else {
        append(&target, &matched.new)?;
        writeln!(
            err,
            "added {} application{} to {}\n  = next: `tip allocate {} -o allocation.yaml` places them",
            matched.new.len(),
            if matched.new.len() == 1 { "" } else { "s" },
            target.display(),
            args.dir.display()
        )?;
    }
    crate::done(data);
    Ok(if matched.missing_people.is_empty() {
        Outcome::Success
    } else {
        Outcome::Invalid
    })
}

/// The export's rows of cells (the first is the header), from an Excel
/// workbook's first sheet or a CSV file.
fn read_export(path: &Path) -> io::Result<Vec<Vec<String>>> {
    let at = crate::output::at(path);
    let meta = std::fs::metadata(path).map_err(&at)?;
    if !meta.is_file() || meta.len() > 64 << 20 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "`{}` is not a form export (a file of at most 64 MB)",
                path.display()
            ),
        ));
    }
    let excel = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xls"));
    if excel {
        return read_workbook(path);
    }
    let bytes = std::fs::read(path).map_err(&at)?;
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    reader
        .records()
        .map(|r| {
            r.map(|r| r.iter().map(|c| c.trim().to_owned()).collect())
                .map_err(|e| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("`{}` is not a CSV file tip can read: {e}", path.display()),
                    )
                })
        })
        .collect()
}

/// The first sheet of a workbook, each cell as text (dates as ISO 8601).
fn read_workbook(path: &Path) -> io::Result<Vec<Vec<String>>> {
    use calamine::{Data, Reader};
    let bad = |e: String| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("`{}` is not a workbook tip can read: {e}", path.display()),
        )
    };
    let mut book = calamine::open_workbook_auto(path).map_err(|e| bad(e.to_string()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| bad("it has no sheet".into()))?
        .map_err(|e| bad(e.to_string()))?;
    Ok(range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::DateTime(d) => d
                        .as_datetime()
                        .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string())
                        .unwrap_or_default(),
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    Data::Empty => String::new(),
                    other => other.to_string().trim().to_owned(),
                })
                .collect()
        })
        .collect())
}

/// The column of each field: from `--map`, else the first header that
/// reads like it.
fn columns(header: &[String], map: &[String]) -> Result<[Option<usize>; 6], String> {
    let mut out = [None; 6];
    for m in map {
        let Some((field, column)) = m.split_once('=') else {
            return Err(format!(
                "`--map {m}`: write it as FIELD=COLUMN, e.g. `--map email=\"Email address\"`"
            ));
        };
        let Some(f) = FIELDS.iter().position(|x| *x == field.trim()) else {
            return Err(format!(
                "`--map {m}`: `{field}` is not one of {}",
                FIELDS.join(", ")
            ));
        };
        let Some(c) = header.iter().position(|h| h.trim() == column.trim()) else {
            return Err(format!(
                "`--map {m}`: no column is headed `{column}`; the headers are {}",
                header
                    .iter()
                    .map(|h| format!("`{h}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        };
        out[f] = Some(c);
    }
    let mut taken: HashSet<usize> = out.iter().flatten().copied().collect();
    for (f, (_, usual)) in USUAL.iter().enumerate() {
        if out[f].is_some() {
            continue;
        }
        let found = usual.iter().find_map(|u| {
            header
                .iter()
                .enumerate()
                .find(|(i, h)| !taken.contains(i) && h.to_lowercase().contains(u))
                .map(|(i, _)| i)
        });
        if let Some(i) = found {
            taken.insert(i);
            out[f] = Some(i);
        }
    }
    if out[0].is_none() && out[1].is_none() {
        return Err(format!(
            "no column holds the applicant's email or name: say which with `--map email=COLUMN`; the headers are {}",
            header
                .iter()
                .map(|h| format!("`{h}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if out[2].is_none() && out[3].is_none() {
        return Err(format!(
            "no column holds the course or the date chosen: say which with `--map course=COLUMN`; the headers are {}",
            header
                .iter()
                .map(|h| format!("`{h}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(out)
}

/// A new application, as a row of `applications*.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NewApplication {
    person: String,
    course: String,
    applied: NaiveDate,
    prefer: String,
    notes: String,
}

/// What the rows came to.
#[derive(Debug, Default)]
struct Matched {
    new: Vec<NewApplication>,
    /// `people.csv` rows to add for answers that match no one.
    missing_people: Vec<String>,
    /// One line each: rows skipped or not understood.
    problems: Vec<String>,
}

/// Match each row to a person, a course (and cohort) and a date.
fn match_rows(data: &Dataset, columns: &[Option<usize>; 6], rows: &[Vec<String>]) -> Matched {
    let cell = |row: &Vec<String>, f: usize| -> String {
        columns[f]
            .and_then(|i| row.get(i))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let mut out = Matched::default();
    let mut seen: HashSet<(String, String)> = data
        .applications()
        .iter()
        .map(|a| (data[a.person].id.to_string(), data[a.course].id.to_string()))
        .collect();
    let mut missing: HashSet<String> = HashSet::new();
    for (n, row) in rows.iter().enumerate() {
        let line = n + 2;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let (email, name) = (cell(row, 0), cell(row, 1));
        let Some(person) = find_person(data, &email, &name) else {
            let key = if email.is_empty() {
                name.to_lowercase()
            } else {
                email.to_lowercase()
            };
            if missing.insert(key) {
                let id = tip_core::to_id(if name.is_empty() {
                    email.split('@').next().unwrap_or("")
                } else {
                    &name
                });
                out.missing_people
                    .push(format!("{id},{},{email},,,,", csv_cell(&name)));
            }
            continue;
        };
        let (course_answer, cohort_answer) = (cell(row, 2), cell(row, 3));
        let cohort = find_cohort(data, &cohort_answer);
        let course = cohort
            .map(|c| data[c].course)
            .or_else(|| find_course(data, &course_answer));
        let Some(course) = course else {
            out.problems.push(format!(
                "row {line}: `{}` is no course of the data (by id or title): not imported",
                if course_answer.is_empty() {
                    &cohort_answer
                } else {
                    &course_answer
                }
            ));
            continue;
        };
        let submitted = cell(row, 4);
        let Some(applied) = parse_when(&submitted) else {
            out.problems.push(format!(
                "row {line}: `{submitted}` is not a date tip can read: not imported (map the submission time with `--map submitted=COLUMN`)"
            ));
            continue;
        };
        let person_id = data[person].id.to_string();
        let course_id = data[course].id.to_string();
        if !seen.insert((person_id.clone(), course_id.clone())) {
            out.problems.push(format!(
                "skipped row {line}: {} ({person_id}) has applied for `{course_id}` already",
                data[person].name
            ));
            continue;
        }
        out.new.push(NewApplication {
            person: person_id,
            course: course_id,
            applied,
            prefer: cohort.map(|c| data[c].id.to_string()).unwrap_or_default(),
            notes: cell(row, 5),
        });
    }
    out
}

/// The person with this email (ignoring case), else the one person with
/// this name.
fn find_person(
    data: &Dataset,
    email: &str,
    name: &str,
) -> Option<tip_core::Ix<tip_core::model::Person>> {
    if !email.is_empty()
        && let Some(p) = data.people().iter().find(|p| {
            p.email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        })
    {
        return data.person(&p.id);
    }
    if name.is_empty() {
        return None;
    }
    let mut same = data
        .people()
        .iter()
        .filter(|p| p.name.trim().to_lowercase() == name.to_lowercase());
    match (same.next(), same.next()) {
        (Some(p), None) => data.person(&p.id),
        _ => None,
    }
}

/// A course by id or title (ignoring case).
fn find_course(data: &Dataset, answer: &str) -> Option<tip_core::Ix<tip_core::model::Course>> {
    if answer.is_empty() {
        return None;
    }
    data.course(answer).or_else(|| {
        let c = data
            .courses()
            .iter()
            .find(|c| c.title.eq_ignore_ascii_case(answer.trim()))?;
        data.course(&c.id)
    })
}

/// A cohort by id.
fn find_cohort(data: &Dataset, answer: &str) -> Option<tip_core::Ix<tip_core::model::Cohort>> {
    let id = answer.split_whitespace().next()?;
    data.cohort(id)
}

/// A submission time as forms write it: ISO 8601 (an Excel date cell, an
/// Eventbrite export), `18/01/2022 09:30:12` (Google Forms in the UK),
/// `1/18/22 9:30:12` (Microsoft Forms' CSV, month first when the day
/// cannot be).
fn parse_when(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let head = s.split([' ', 'T']).next()?;
    if let Ok(d) = NaiveDate::parse_from_str(head, "%Y-%m-%d") {
        return Some(d);
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%:z") {
        return Some(t.date());
    }
    let parts: Vec<&str> = head.split(['/', '.', '-']).collect();
    let [a, b, y] = parts.as_slice() else {
        return None;
    };
    let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
    let mut y: i32 = y.parse().ok()?;
    if y < 100 {
        y += 2000;
    }
    // Day first (the UK), unless the first number cannot be a day's
    // month pair: `1/18/22` is 18 January.
    NaiveDate::from_ymd_opt(y, b, a).or_else(|| NaiveDate::from_ymd_opt(y, a, b))
}

/// A CSV cell, quoted when it needs to be.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The file new applications go to: the last `applications*.csv` of the
/// data set, or a new `applications.csv`.
fn target(data: &Dataset) -> PathBuf {
    data.applications()
        .iter()
        .map(|a| data.location(a.loc).file)
        .rfind(|f| f.ends_with(".csv"))
        .map_or_else(
            || data.root().join("applications.csv"),
            |f| data.root().join(&*f),
        )
}

/// Append `new` to the CSV at `path` (made with its header if it does not
/// exist), atomically; the rows already there are kept byte for byte.
fn append(path: &Path, new: &[NewApplication]) -> io::Result<()> {
    let at = crate::output::at(path);
    let old = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(at(e)),
    };
    let header: Vec<String> = if old.iter().all(u8::is_ascii_whitespace) {
        Vec::new()
    } else {
        csv::ReaderBuilder::new()
            .from_reader(old.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&old))
            .headers()
            .map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("`{}`: {e}", path.display()),
                )
            })?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect()
    };
    let mut out = old.clone();
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(&mut out);
        let header = if header.is_empty() {
            let h: Vec<String> = ["person", "course", "applied", "prefer", "notes"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            w.write_record(&h).map_err(|e| at(e.into()))?;
            h
        } else {
            header
        };
        for a in new {
            let cells: Vec<String> = header
                .iter()
                .map(|h| match h.as_str() {
                    "person" => a.person.clone(),
                    "course" => a.course.clone(),
                    "applied" => a.applied.to_string(),
                    "prefer" => a.prefer.clone(),
                    "notes" => a.notes.replace(['\r', '\n'], " "),
                    _ => String::new(),
                })
                .collect();
            w.write_record(&cells).map_err(|e| at(e.into()))?;
        }
        w.flush().map_err(&at)?;
    }
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let mut tmp = tempfile::Builder::new()
        .prefix(".tip-import-")
        .tempfile_in(dir.unwrap_or(Path::new(".")))
        .map_err(&at)?;
    tmp.write_all(&out).map_err(&at)?;
    tmp.as_file().sync_all().map_err(&at)?;
    tmp.persist(path).map_err(|e| at(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submission_times_as_forms_write_them() {
        let d = |s: &str| s.parse::<NaiveDate>().ok();
        assert_eq!(parse_when("2022-10-03T09:30:12"), d("2022-10-03"));
        assert_eq!(parse_when("2022-10-03 09:30:12+01:00"), d("2022-10-03"));
        assert_eq!(parse_when("03/10/2022 09:30:12"), d("2022-10-03"));
        assert_eq!(parse_when("1/18/22 9:30:12"), d("2022-01-18"));
        assert_eq!(parse_when("yesterday"), None);
    }

    #[test]
    fn usual_headers_are_found() {
        let header: Vec<String> = [
            "ID",
            "Start time",
            "Completion time",
            "Email",
            "Name",
            "Which course?",
            "Which date would you like?",
            "Anything else we should know?",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let c = columns(&header, &[]).unwrap();
        assert_eq!(c, [Some(3), Some(4), Some(5), Some(6), Some(2), Some(7)]);
        let c = columns(&header, &["submitted=Start time".into()]).unwrap();
        assert_eq!(c[4], Some(1));
        assert!(columns(&header, &["when=Start time".into()]).is_err());
    }
}
