//! Loading a data folder: find files, parse them in parallel, convert
//! sections in dependency order, then check the whole.
//!
//! Order matters because records refer to each other: regions, sectors,
//! roles and tiers first; then resources, venues and people; then courses
//! (whose rules may name any course, so rules are read once all course ids
//! are known); then cohorts; then attendance, completions, applications and
//! news. Big tabular files are read in parallel, one file per thread.

mod catalogue;
pub(crate) mod convert;
pub(crate) mod csv;
pub(crate) mod differential;
mod gather;
mod learning;
mod lines;
pub(crate) mod read;
mod register;
mod scalar;
mod tags;
#[cfg(test)]
mod tests;
pub(crate) mod tree;
pub(crate) mod yaml;
#[cfg(test)]
mod yaml_samples;

pub use read::{is_id, to_id};

use std::io;
use std::path::Path;

use rayon::prelude::*;

use crate::dataset::IdTable;
use crate::dataset::{CompletionIndex, Done, Index};
use crate::dataset::{Dataset, LoadError, Report, Scope};
use crate::diagnostic::{self, Code, Diagnostic};
use crate::files::{FileKind, Files};
use crate::ix::Ix;
use crate::loc::{FileId, Loc};
use crate::model::*;
use crate::records::Records;
use crate::schema::{self, Section, SectionKey, TabularSection};
use crate::suggest::did_you_mean;
use crate::timetable::{self, ExpandProblem, WorkingCalendar};
use convert::{CompletionFile, Converted, PeopleNamed};
use read::{Ctx, Record};
use tree::{Kind, Node};
use yaml::Document;

use catalogue::*;
use gather::*;
use learning::*;
use register::*;

/// One section's value in one YAML file.
struct Part<'d> {
    doc: &'d Document,
    node: &'d Node,
    section: &'static Section,
}

impl Dataset {
    /// Load and check the data folder at `root`.
    ///
    /// Returns the data set and its warnings, or every diagnostic when there
    /// is an error. Use [`Dataset::check`] to get diagnostics either way.
    pub fn load(root: impl AsRef<Path>) -> Result<(Dataset, Vec<Diagnostic>), LoadError> {
        Dataset::check(root)?
            .into_result()
            .map_err(LoadError::Invalid)
    }

    /// Load and check the data folder at `root`, reporting every problem.
    /// Only an unreadable folder is an `Err`.
    pub fn check(root: impl AsRef<Path>) -> Result<Report, LoadError> {
        Dataset::check_scope(root, Scope::Everything)
    }

    /// [`Dataset::check`], reading only what `scope` asks for.
    pub fn check_scope(root: impl AsRef<Path>, scope: Scope) -> Result<Report, LoadError> {
        Dataset::check_steps(root, scope, &mut |_| {})
    }

    /// [`Dataset::check_scope`], calling `step` with the name of each step
    /// of loading as it ends ("yaml", "people", "checks", …), so that a
    /// caller can time them. (The library never reads the clock; `tip`
    /// prints the times when `TIP_TIMINGS` is set.)
    pub fn check_steps(
        root: impl AsRef<Path>,
        scope: Scope,
        step: &mut dyn FnMut(&'static str),
    ) -> Result<Report, LoadError> {
        let root = root.as_ref();
        let (dataset, diagnostics) = load(root, scope, step).map_err(|source| LoadError::Io {
            path: root.to_owned(),
            source,
        })?;
        Ok(Report {
            dataset,
            diagnostics,
        })
    }

    /// Load and check a data set given in memory: each source is a file's
    /// name, relative to a data folder and `/`-separated
    /// (`cohorts/2022.yaml`, `people.csv`), and its bytes. The same files
    /// in a folder give the same data and the same diagnostics, with one
    /// difference: there is no folder, so the files the data names
    /// (resources, the logo, keys, template overrides) are not looked at,
    /// and [`Dataset::root`] is empty. For a web service, an editor, or a
    /// test with no disk.
    ///
    /// ```
    /// let programme = "programme:\n  id: demo\n  name: Demo\n  timezone: Europe/London\n  domain: demo.example.org\n";
    /// let report = tip_core::Dataset::from_sources([("programme.yaml".to_string(), programme.as_bytes().to_vec())]);
    /// let (data, warnings) = report.into_result().unwrap();
    /// assert_eq!(data.programme().name, "Demo");
    /// assert!(warnings.is_empty());
    /// ```
    pub fn from_sources(sources: impl IntoIterator<Item = (String, Vec<u8>)>) -> Report {
        let files = Files::from_sources(sources);
        let (dataset, diagnostics) =
            load_files(Path::new(""), files, Scope::Everything, &mut |_| {});
        Report {
            dataset,
            diagnostics,
        }
    }
}

/// The records of the catalogue and timetable, in file order.
struct Catalogue {
    regions: Vec<Region>,
    sectors: Vec<Sector>,
    roles: Vec<Role>,
    tiers: Vec<Tier>,
    resources: Vec<Resource>,
    venues: Vec<Venue>,
    people: Records<Person>,
    courses: Vec<Course>,
    cohorts: Vec<Cohort>,
}

/// The records of learning, and the news.
#[derive(Default)]
struct Learning {
    attendance: Records<Attendance>,
    completions: Records<Completion>,
    applications: Records<Application>,
    certificates: Records<Issued>,
    news: Vec<News>,
    /// The texts of the completions' sources.
    sources: Vec<Box<str>>,
}

/// Load and check; `None` only when there is no usable programme.
///
/// The pipeline: find the files, parse the YAML, split it into sections,
/// read the catalogue (each section once the ids it refers to are known),
/// the records of learning (side by side), the programme; then expand the
/// timetable, index the completions and run the checks across records.
pub(crate) fn load(
    root: &Path,
    scope: Scope,
    step: &mut dyn FnMut(&'static str),
) -> io::Result<(Option<Dataset>, Vec<Diagnostic>)> {
    if !root.is_dir() {
        return Err(io::Error::new(io::ErrorKind::NotFound, "not a folder"));
    }
    let files = Files::discover(root)?;
    Ok(load_files(root, files, scope, step))
}

/// [`load`] of files found (in a folder, or given in memory with an empty
/// `root`).
fn load_files(
    root: &Path,
    files: Files,
    scope: Scope,
    step: &mut dyn FnMut(&'static str),
) -> (Option<Dataset>, Vec<Diagnostic>) {
    let mut diags = stray_csv(&files);
    // A data file whose name is not UTF-8 is never skipped without a word.
    for name in &files.unnamed {
        diags.push(
            Diagnostic::error(
                Code::NotUtf8,
                format!("the file name `{name}` is not UTF-8: the file is not read"),
            )
            .help("rename it with letters your system writes as UTF-8 (most do: the name was probably copied from an old disk or archive)"),
        );
    }
    step("find");
    let Yaml { docs, cohort_files } = parse_yaml(&files, &mut diags);
    let parts = split_sections(&files, &docs, &mut diags);
    let mut index = Index::new();
    mark_incomplete(&files, &docs, &cohort_files, &mut index);
    step("yaml");
    let catalogue = catalogue(
        &files,
        &docs,
        &parts,
        cohort_files,
        &mut index,
        &mut diags,
        step,
    );
    let programme = programme(root, &files, &parts, &index, &mut diags);
    let env = LearningEnv {
        index: &index,
        sources: std::sync::Mutex::default(),
    };
    let yaml = match scope {
        Scope::Everything => learning_yaml(&files, &parts, &env, &mut diags),
        Scope::Timetable => LearningYaml {
            news: news(&files, &parts, &mut diags),
            ..LearningYaml::default()
        },
    };
    // The YAML trees are done with: their memory is free for the CSV files
    // (freed file by file in parallel; the biggest, files of cohorts alone,
    // were freed as their cohorts were read).
    drop(parts);
    docs.into_par_iter().for_each(drop);
    let mut learning = match scope {
        Scope::Everything => learning(&files, yaml, &env, &mut diags),
        Scope::Timetable => Learning {
            news: yaml.news,
            ..Learning::default()
        },
    };
    learning.sources = env
        .sources
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_sorted(&mut learning.completions);
    // The threads' file buffers are not kept once the files are read.
    rayon::broadcast(|_| {
        BUFFER.with(|cell| {
            if let Ok(mut buffer) = cell.try_borrow_mut() {
                *buffer = Vec::new();
            }
        })
    });
    step("attendance, completions, applications");
    skipped_notes(&files, &index, &mut diags);
    let dataset = programme.map(|programme| {
        assemble(
            root, files, index, programme, catalogue, learning, scope, &mut diags,
        )
    });
    step("timetable and completion index");
    if let Some(data) = &dataset {
        crate::check::run(data, &mut diags);
    }
    diagnostic::sort(&mut diags);
    step("checks");
    (dataset, diags)
}

/// For each YAML file that could not be parsed, the sections it may have
/// defined (its top-level keys, read plainly; else its name; else every
/// section) are incomplete: references into them are not reported one by
/// one (a broken `venues.yaml` is one error, not one per cohort).
fn mark_incomplete(
    files: &Files,
    docs: &[Document],
    later: &[(FileId, String)],
    index: &mut Index,
) {
    for id in files.ids() {
        let file = files.get(id);
        if file.kind != FileKind::Yaml
            || docs.iter().any(|d| d.file == id)
            || later.iter().any(|(l, _)| *l == id)
        {
            continue;
        }
        let text = files
            .head(id, crate::files::MAX_YAML_BYTES)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let mut sections: Vec<&str> = text
            .lines()
            .filter_map(|l| l.split_once(':').map(|(k, _)| k))
            .filter(|k| !k.starts_with([' ', '\t', '-', '#']))
            .collect();
        if sections.is_empty() {
            let stem = file.name.rsplit('/').next().unwrap_or("");
            sections = schema::SECTIONS
                .iter()
                .map(|s| s.name)
                .filter(|s| stem.starts_with(s))
                .collect();
        }
        for table in index.tables_mut() {
            if sections.is_empty() || sections.contains(&table.section) {
                table.mark_incomplete(id);
            }
        }
    }
}

/// The files with a `csv-syntax` error among `diags`: rows of theirs may
/// be lost.
fn files_with_lost_rows(files: &Files, diags: &[Diagnostic]) -> Vec<FileId> {
    diags
        .iter()
        .filter(|d| d.code == Code::CsvSyntax)
        .filter_map(|d| {
            let loc = d.location.as_ref()?;
            files.ids().find(|&id| **files.name(id) == *loc.file)
        })
        .collect()
}

/// One note per section whose references were not checked.
fn skipped_notes(files: &Files, index: &Index, diags: &mut Vec<Diagnostic>) {
    for table in index.tables() {
        let n = table.skipped.load(std::sync::atomic::Ordering::Relaxed);
        let Some(id) = table.incomplete else {
            continue;
        };
        if n == 0 {
            continue;
        }
        let file = files.name(id);
        let note = Diagnostic::note(
            Code::ChecksSkipped,
            format!(
                "{} to `{}` {} not checked, because `{file}` could not be read",
                if n == 1 {
                    "1 reference".to_string()
                } else {
                    format!("{} references", crate::words::thousands(u64::from(n)))
                },
                table.section,
                if n == 1 { "was" } else { "were" },
            ),
        )
        .help("fix the error in that file first; the references are checked again then")
        .at(files.start_of(id));
        diags.push(note);
    }
}

/// A CSV file named after no tabular section.
fn stray_csv(files: &Files) -> Vec<Diagnostic> {
    let names: Vec<_> = TabularSection::ALL
        .iter()
        .map(|s| format!("`{}`", s.name()))
        .collect();
    files
        .ids()
        .filter(|&id| files.get(id).kind == FileKind::StrayCsv)
        .map(|id| {
            Diagnostic::error(
                Code::UnknownSection,
                format!("`{}` is not named after a tabular section", files.name(id)),
            )
            .at(files.start_of(id))
            .help(format!(
                "CSV file names start with {} (e.g. `people-2022.csv`)",
                names.join(", ")
            ))
        })
        .collect()
}

/// The YAML files: parsed, but for files of cohorts alone, only read.
struct Yaml {
    docs: Vec<Document>,
    /// Files of cohorts alone ([`cohorts_only`]), in file order: each is
    /// parsed when the cohorts are read, and its tree dropped once they
    /// are, so that a national timetable's trees (a million nodes) are
    /// never all in memory at once, nor while the people are read.
    cohort_files: Vec<(FileId, String)>,
}

/// Every YAML file, parsed side by side (a file of cohorts alone only
/// read); the broken ones as diagnostics.
fn parse_yaml(files: &Files, diags: &mut Vec<Diagnostic>) -> Yaml {
    enum Read {
        Parsed(Document),
        Later(FileId, String),
    }
    let yaml_ids: Vec<FileId> = files
        .ids()
        .filter(|&id| files.get(id).kind == FileKind::Yaml)
        .collect();
    let read: Vec<Result<Read, Diagnostic>> = yaml_ids
        .par_iter()
        .map(|&id| {
            let text = files.read(id)?;
            if cohorts_only(&text) {
                Ok(Read::Later(id, text))
            } else {
                yaml::parse(files, id, text).map(Read::Parsed)
            }
        })
        .collect();
    let mut yaml = Yaml {
        docs: Vec::with_capacity(read.len()),
        cohort_files: Vec::new(),
    };
    for result in read {
        match result {
            Ok(Read::Parsed(doc)) => yaml.docs.push(doc),
            Ok(Read::Later(id, text)) => yaml.cohort_files.push((id, text)),
            Err(d) => diags.push(d),
        }
    }
    yaml
}

/// Whether a YAML file's only section is `cohorts`, as its lines tell: the
/// first line that is not blank or a comment is `cohorts:` (a comment may
/// follow), and every other line is blank, a comment, or starts with a
/// space. Exact whenever the file parses: `cohorts` at the first column
/// makes the file a mapping indented by nothing, each of whose keys must
/// then start a line at the first column, as no other line does (a
/// comment's line is a comment, or text inside a quoted value). Anything
/// else — another key, `---`, a directive, a tab, a byte-order mark, an
/// anchor, a value on the same line, a line ended otherwise than by a line
/// feed — is parsed with the others.
fn cohorts_only(text: &str) -> bool {
    if !only_line_feeds(text.as_bytes()) {
        return false;
    }
    let mut lines = text
        .lines()
        .filter(|l| !l.trim_end().is_empty() && !l.starts_with('#'));
    let key_alone = |line: &str| match line.strip_prefix("cohorts:") {
        Some("") => true,
        Some(rest) if rest.starts_with(' ') => {
            let rest = rest.trim_start_matches(' ');
            rest.is_empty() || rest.starts_with('#')
        }
        _ => false,
    };
    lines.next().is_some_and(key_alone) && lines.all(|l| l.starts_with(' '))
}

/// Whether every line of `bytes` ends with a line feed (or a carriage
/// return and a line feed): no lone carriage return, and none of the
/// characters YAML 1.1 also took for line breaks (U+0085, U+2028, U+2029).
fn only_line_feeds(bytes: &[u8]) -> bool {
    memchr::memchr3_iter(b'\r', 0xc2, 0xe2, bytes).all(|at| match bytes[at] {
        b'\r' => bytes.get(at + 1) == Some(&b'\n'),
        0xc2 => bytes.get(at + 1) != Some(&0x85),
        _ => !matches!(bytes.get(at + 1..at + 3), Some([0x80, 0xa8 | 0xa9])),
    })
}

/// The parts of one section.
fn part<'p, 'd>(parts: &'p [Vec<Part<'d>>], key: SectionKey) -> &'p [Part<'d>] {
    &parts[key as usize]
}

/// The programme: exactly one. `None` when there is none to use.
fn programme(
    root: &Path,
    files: &Files,
    parts: &[Vec<Part<'_>>],
    index: &Index,
    diags: &mut Vec<Diagnostic>,
) -> Option<Programme> {
    let mut programmes = Vec::new();
    for p in part(parts, SectionKey::Programme) {
        let mut ctx = Ctx::new(files, p.doc.file, &p.doc.text);
        let section = SectionKey::Programme.section();
        if let Some(rec) = ctx.record(p.node, section.fields, "programme") {
            if programmes.is_empty() {
                programmes.push(convert::programme(&mut ctx, &rec, index));
            } else {
                ctx.error(Code::DuplicateProgramme, rec.loc, "a second `programme`")
                    .help =
                    Some("a data set describes one programme; keep one `programme` section".into());
            }
        }
        diags.append(&mut ctx.diagnostics);
    }
    if parts.iter().all(Vec::is_empty) && files.files.is_empty() {
        diags.push(
            Diagnostic::error(Code::MissingProgramme, format!("no data files in `{}`", root.display()))
                .help("a data folder holds `*.yaml` files (and CSV exports); start with a `programme` section"),
        );
    } else if programmes.is_empty() {
        diags.push(
            Diagnostic::error(Code::MissingProgramme, "the data set has no `programme`")
                .help("add a file with `programme: {id, name, timezone, domain}`"),
        );
    }
    programmes.into_iter().next().flatten()
}

/// The data set, whole: its timetable expanded and its completions
/// indexed before it exists, so no part of it is ever a placeholder.
#[allow(clippy::too_many_arguments)] // the stages of the pipeline, once
fn assemble(
    root: &Path,
    files: Files,
    index: Index,
    programme: Programme,
    catalogue: Catalogue,
    learning: Learning,
    scope: Scope,
    diags: &mut Vec<Diagnostic>,
) -> Dataset {
    let calendar = WorkingCalendar::new(&programme);
    let tz = programme.timezone;
    let cohorts = catalogue.cohorts;
    let expanded: Vec<_> = cohorts
        .par_iter()
        .map(|c| timetable::expand(&c.timing, tz, &calendar))
        .collect();
    let mut sessions = Vec::with_capacity(expanded.len());
    for ((list, problems), cohort) in expanded.into_iter().zip(&cohorts) {
        for problem in problems {
            diags.push(expand_problem(&files, cohort, tz, problem));
        }
        sessions.push(list);
    }
    let from_attendance: Vec<(Ix<Person>, Done)> = learning
        .attendance
        .par_iter()
        .filter_map(|a| {
            let cohort = &cohorts[a.cohort.index()];
            let course = &catalogue.courses[cohort.course.index()];
            crate::rules::earned(a, cohort, course, &sessions[a.cohort.index()])
                .map(|d| (a.person, d))
        })
        .collect();
    let done = CompletionIndex::build(
        catalogue.people.len(),
        &learning.completions,
        from_attendance,
    );
    Dataset {
        root: root.to_owned(),
        files,
        index,
        programme,
        regions: catalogue.regions,
        sectors: catalogue.sectors,
        roles: catalogue.roles,
        tiers: catalogue.tiers,
        resources: catalogue.resources,
        venues: catalogue.venues,
        courses: catalogue.courses,
        people: catalogue.people,
        cohorts,
        attendance: learning.attendance,
        completions: learning.completions,
        sources: learning.sources,
        applications: learning.applications,
        certificates: learning.certificates,
        news: learning.news,
        calendar,
        sessions,
        done,
        scope,
    }
}

fn expand_problem(
    files: &Files,
    cohort: &Cohort,
    tz: chrono_tz::Tz,
    problem: ExpandProblem,
) -> Diagnostic {
    let (d, loc) = match problem {
        ExpandProblem::Nonexistent(at, loc) => (
            Diagnostic::error(
                Code::NonexistentLocalTime,
                format!(
                    "{} does not exist in {}: the clocks go forward then (cohort `{}`)",
                    at.format("%Y-%m-%d %H:%M"),
                    tz.name(),
                    cohort.id
                ),
            )
            .help("choose a time an hour later"),
            loc,
        ),
        ExpandProblem::Ambiguous(at, loc) => (
            Diagnostic::error(
                Code::AmbiguousLocalTime,
                format!(
                    "{} happens twice in {}: the clocks go back then (cohort `{}`)",
                    at.format("%Y-%m-%d %H:%M"),
                    tz.name(),
                    cohort.id
                ),
            )
            .help("choose a time outside the repeated hour"),
            loc,
        ),
        ExpandProblem::TooMany(loc) => (
            Diagnostic::error(
                Code::InvalidValue,
                format!(
                    "the schedule of cohort `{}` has more than {} sessions",
                    cohort.id,
                    timetable::MAX_SESSIONS
                ),
            )
            .help("check `count` and `until`; split a long series into cohorts"),
            loc,
        ),
    };
    d.at(files.location(loc))
}

/// Group every YAML file's top-level keys by section.
fn split_sections<'d>(
    files: &Files,
    docs: &'d [Document],
    diags: &mut Vec<Diagnostic>,
) -> Vec<Vec<Part<'d>>> {
    let mut parts: Vec<Vec<Part<'d>>> = schema::SECTIONS.iter().map(|_| Vec::new()).collect();
    for doc in docs {
        let entries = match &doc.root.kind {
            Kind::Map(entries) => entries,
            Kind::Null => continue,
            _ => {
                diags.push(
                    Diagnostic::error(
                        Code::WrongType,
                        format!(
                            "expected a mapping of sections, found {}",
                            doc.root.describe()
                        ),
                    )
                    .at(files.location(doc.root.loc(doc.file)))
                    .help("a data file starts with section names such as `courses:` or `people:`"),
                );
                continue;
            }
        };
        for (key, node) in entries {
            let name = key.text(&doc.text).unwrap_or("");
            match schema::section(name) {
                Some(section) => parts[section.key as usize].push(Part { doc, node, section }),
                None => {
                    let help = did_you_mean(name, schema::SECTIONS.iter().map(|s| s.name))
                        .unwrap_or_else(|| {
                            let all: Vec<_> = schema::SECTIONS
                                .iter()
                                .map(|s| format!("`{}`", s.name))
                                .collect();
                            format!("the sections are {}", all.join(", "))
                        });
                    diags.push(
                        Diagnostic::error(
                            Code::UnknownSection,
                            format!("unknown section `{name}`"),
                        )
                        .at(files.location(key.loc(doc.file)))
                        .help(help),
                    );
                }
            }
        }
    }
    parts
}

/// Call `f` on every record of a list section's YAML parts.
fn each_record<'d>(
    files: &'d Files,
    parts: &[Part<'d>],
    what: &str,
    diags: &mut Vec<Diagnostic>,
    mut f: impl FnMut(&mut Ctx<'d>, &Record<'d>),
) {
    for part in parts {
        let section = part.section;
        let mut ctx = Ctx::new(files, part.doc.file, &part.doc.text);
        match &part.node.kind {
            Kind::Seq(items) => {
                for item in items {
                    if let Some(rec) = ctx.record(item, section.fields, what) {
                        f(&mut ctx, &rec);
                    }
                }
            }
            Kind::Null => {}
            _ => {
                let found = part.node.describe();
                ctx.error(
                    Code::WrongType,
                    part.node.loc(part.doc.file),
                    format!(
                        "expected a list of {what} records under `{}`, found {found}",
                        section.name
                    ),
                )
                .help = Some(format!(
                    "write each {what} as a list item starting with `- `"
                ));
            }
        }
        diags.append(&mut ctx.diagnostics);
    }
}
