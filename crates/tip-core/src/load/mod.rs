//! Loading a data folder: find files, parse them in parallel, convert
//! sections in dependency order, then check the whole.
//!
//! Order matters because records refer to each other: regions, sectors,
//! roles and tiers first; then resources, venues and people; then courses
//! (whose rules may name any course, so rules are read once all course ids
//! are known); then cohorts; then attendance, completions, applications and
//! news. Big tabular files are read in parallel, one file per thread.

mod check;
pub(crate) mod convert;
pub(crate) mod csv;
pub(crate) mod differential;
mod events;
mod lines;
pub(crate) mod read;
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
use crate::schema::{self, Section, TabularSection};
use crate::suggest::did_you_mean;
use crate::timetable::{self, ExpandProblem, WorkingCalendar};
use convert::{CompletionFile, Converted, PeopleNamed};
use read::{Ctx, Record};
use tree::{Kind, Node};
use yaml::Document;

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

    /// Whether the data set was given in memory ([`Dataset::from_sources`]):
    /// it has no folder.
    pub fn in_memory(&self) -> bool {
        self.root.as_os_str().is_empty()
    }

    /// The programme.
    pub fn programme(&self) -> &Programme {
        &self.programme
    }

    /// Every region record, in file order (an [`Ix`] is an index into it).
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// Every sector record, in file order (an [`Ix`] is an index into it).
    pub fn sectors(&self) -> &[Sector] {
        &self.sectors
    }

    /// Every role record, in file order (an [`Ix`] is an index into it).
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    /// Every tier record, in file order (an [`Ix`] is an index into it).
    pub fn tiers(&self) -> &[Tier] {
        &self.tiers
    }

    /// Every resource record, in file order (an [`Ix`] is an index into it).
    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    /// Every venue record, in file order (an [`Ix`] is an index into it).
    pub fn venues(&self) -> &[Venue] {
        &self.venues
    }

    /// Every course record, in file order (an [`Ix`] is an index into it).
    pub fn courses(&self) -> &[Course] {
        &self.courses
    }

    /// Every people record, in file order (an [`Ix`] is an index into it).
    pub fn people(&self) -> &Records<Person> {
        &self.people
    }

    /// Every cohort record, in file order (an [`Ix`] is an index into it).
    pub fn cohorts(&self) -> &[Cohort] {
        &self.cohorts
    }

    /// Every attendance record, in file order (an [`Ix`] is an index into it).
    pub fn attendance(&self) -> &Records<Attendance> {
        &self.attendance
    }

    /// Every completion record, in file order (an [`Ix`] is an index into it).
    pub fn completions(&self) -> &Records<Completion> {
        &self.completions
    }

    /// The text of a completion's source ("e-learning export").
    pub fn source(&self, source: Source) -> &str {
        self.sources.get(source.index()).map_or("", |s| s)
    }

    /// Every application record, in file order (an [`Ix`] is an index into it).
    pub fn applications(&self) -> &Records<Application> {
        &self.applications
    }

    /// The ledger of issued certificates, in file order.
    pub fn certificates(&self) -> &Records<Issued> {
        &self.certificates
    }

    /// Every news record, in file order (an [`Ix`] is an index into it).
    pub fn news(&self) -> &[News] {
        &self.news
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
        check::run(data, &mut diags);
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
fn part<'p, 'd>(parts: &'p [Vec<Part<'d>>], name: &str) -> &'p [Part<'d>] {
    let i = schema::SECTIONS
        .iter()
        .position(|s| s.name == name)
        .expect("known section");
    &parts[i]
}

/// The catalogue, section by section, each after the sections it refers to.
fn catalogue(
    files: &Files,
    docs: &[Document],
    parts: &[Vec<Part<'_>>],
    cohort_files: Vec<(FileId, String)>,
    index: &mut Index,
    diags: &mut Vec<Diagnostic>,
    step: &mut dyn FnMut(&'static str),
) -> Catalogue {
    let regions = named(
        files,
        part(parts, "regions"),
        "region",
        &mut index.regions,
        diags,
    );
    let sectors = named(
        files,
        part(parts, "sectors"),
        "sector",
        &mut index.sectors,
        diags,
    );
    let roles = named(files, part(parts, "roles"), "role", &mut index.roles, diags);
    let tiers = tiers(files, part(parts, "tiers"), diags);
    index.tiers = tiers.iter().map(|t| t.level).collect();

    let mut resources = Vec::new();
    let mut results = Vec::new();
    each_record(
        files,
        part(parts, "resources"),
        "resource",
        diags,
        |ctx, rec| results.push(convert::resource(ctx, rec, index)),
    );
    register(files, results, &mut index.resources, &mut resources, diags);

    let mut venues = Vec::new();
    let mut results = Vec::new();
    each_record(files, part(parts, "venues"), "venue", diags, |ctx, rec| {
        results.push(convert::venue(ctx, rec, index))
    });
    register(files, results, &mut index.venues, &mut venues, diags);

    step("regions to venues");
    // A million people: kept in the parts they are read in, the ids of
    // broken records set aside (not a `Converted` per person, copied).
    let env = (&*index, std::sync::Mutex::new(Vec::new()));
    let reader = Reader {
        section: TabularSection::People,
        what: "person",
        env: &env,
        convert: |(index, broken), ctx, rec, _: &mut ()| match convert::person(ctx, rec, index) {
            Ok(person) => Some(person),
            Err(id) => {
                if let Some(id) = id {
                    broken.lock().unwrap_or_else(|e| e.into_inner()).push(id);
                }
                None
            }
        },
        finish: keep,
    };
    let (people, mut d) = gather(files, part(parts, "people"), &reader);
    // A file of people whose rows could not all be read (an unclosed
    // quote swallows the rest of it) leaves the table incomplete: a
    // reference to someone in the lost rows is not an error of its own.
    let lost = files_with_lost_rows(files, &d);
    diags.append(&mut d);
    let broken = env.1.into_inner().unwrap_or_else(|e| e.into_inner());
    for id in lost {
        index.people.mark_incomplete(id);
    }
    let new: Vec<&[Person]> = people.parts().iter().map(Vec::as_slice).collect();
    register_ids(
        files,
        &new,
        0,
        |i| &people[i],
        broken,
        &mut index.people,
        diags,
    );

    step("people");
    let courses = courses(files, docs, part(parts, "courses"), index, diags);

    let cohorts = cohorts(files, part(parts, "cohorts"), cohort_files, index, diags);
    step("courses and cohorts");

    Catalogue {
        regions,
        sectors,
        roles,
        tiers,
        resources,
        venues,
        people,
        courses,
        cohorts,
    }
}

/// Cohorts (20,000 in a national timetable), file by file side by side, in
/// file order: those of `parts`, and those of the files of cohorts alone,
/// each parsed now and its tree dropped as soon as its cohorts are read.
fn cohorts(
    files: &Files,
    parts: &[Part<'_>],
    cohort_files: Vec<(FileId, String)>,
    index: &mut Index,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Cohort> {
    enum Cohorts<'p, 'd> {
        Parsed(&'p Part<'d>),
        Later(FileId, String),
    }
    let mut sources: Vec<Cohorts> = parts
        .iter()
        .map(Cohorts::Parsed)
        .chain(
            cohort_files
                .into_iter()
                .map(|(id, text)| Cohorts::Later(id, text)),
        )
        .collect();
    sources.sort_by_key(|source| match source {
        Cohorts::Parsed(p) => p.doc.file,
        Cohorts::Later(id, _) => *id,
    });
    // Each taken by the thread that reads it (through the runner every
    // section shares: see `each_in_parallel`).
    let sources: Vec<std::sync::Mutex<Option<Cohorts>>> = sources
        .into_iter()
        .map(|source| std::sync::Mutex::new(Some(source)))
        .collect();
    let mut cohorts = Vec::new();
    let shared: &Index = index;
    let by_file = each_in_parallel(sources.len(), |k| {
        let (mut out, mut d, mut pending) = (Vec::new(), Vec::new(), Vec::new());
        let mut read = |parts: &[Part<'_>], d: &mut Vec<Diagnostic>| {
            each_record(files, parts, "cohort", d, |ctx, rec| {
                let (cohort, replaced_by) = convert::cohort(ctx, rec, shared);
                if let (Ok(_), Some(id)) = (&cohort, replaced_by) {
                    pending.push((out.len(), id));
                }
                out.push(cohort);
            });
        };
        let mut unreadable = None;
        match sources[k].lock().unwrap_or_else(|e| e.into_inner()).take() {
            Some(Cohorts::Parsed(p)) => read(std::slice::from_ref(p), &mut d),
            Some(Cohorts::Later(id, text)) => match yaml::parse(files, id, text) {
                Ok(doc) => {
                    let docs = [doc];
                    let parts = split_sections(files, &docs, &mut d);
                    debug_assert!(
                        schema::SECTIONS
                            .iter()
                            .zip(&parts)
                            .all(|(s, p)| s.name == "cohorts" || p.is_empty()),
                        "a file read as cohorts alone has another section"
                    );
                    read(part(&parts, "cohorts"), &mut d);
                }
                Err(e) => {
                    d.push(e);
                    unreadable = Some(id);
                }
            },
            None => {}
        }
        (out, d, pending, unreadable)
    });
    let mut results = Vec::new();
    // Each `replaced_by` id, by the place of its cohort among the kept.
    let (mut replacements, mut kept) = (Vec::new(), 0usize);
    for (mut out, mut d, pending, unreadable) in by_file {
        let mut places = Vec::with_capacity(out.len());
        for r in &out {
            places.push(kept);
            kept += usize::from(r.is_ok());
        }
        replacements.extend(pending.into_iter().map(|(at, id)| (places[at], id)));
        results.append(&mut out);
        diags.append(&mut d);
        // As `mark_incomplete` does for a file it could not parse.
        if let Some(id) = unreadable {
            index.cohorts.mark_incomplete(id);
        }
    }
    register(files, results, &mut index.cohorts, &mut cohorts, diags);
    replaced_by(files, &mut cohorts, replacements, &index.cohorts, diags);
    cohorts
}

/// Look up each cohort's `replaced_by`, now that every cohort id is known.
fn replaced_by(
    files: &Files,
    cohorts: &mut [Cohort],
    replacements: Vec<(usize, Id)>,
    table: &IdTable,
    diags: &mut Vec<Diagnostic>,
) {
    for (at, id) in replacements {
        let cohort = &mut cohorts[at];
        match table.get(&id) {
            Some(ix) => cohort.replaced_by = Some(ix),
            None => {
                let loc = cohort.locs.replaced_by.unwrap_or(cohort.loc);
                let mut ctx = Ctx::new(files, loc.file, "");
                ctx.unknown_reference(&id, loc, table);
                diags.append(&mut ctx.diagnostics);
            }
        }
    }
}

/// Tiers, each level once.
fn tiers(files: &Files, parts: &[Part<'_>], diags: &mut Vec<Diagnostic>) -> Vec<Tier> {
    let mut tiers: Vec<Tier> = Vec::new();
    each_record(files, parts, "tier", diags, |ctx, rec| {
        let Some(tier) = convert::tier(ctx, rec) else {
            return;
        };
        if let Some(first) = tiers.iter().find(|t| t.level == tier.level) {
            let at = ctx.files.location(first.loc);
            let d = ctx.error(
                Code::DuplicateId,
                tier.loc,
                format!("duplicate tier level {}", tier.level),
            );
            d.labels.push(crate::diagnostic::Label {
                location: at,
                message: "first defined here".into(),
            });
            d.help = Some("each tier level is defined once".into());
            return;
        }
        tiers.push(tier);
    });
    tiers
}

/// Courses: everything but the rules, then the rules once every course id
/// is known (those of broken courses too, for their diagnostics).
fn courses(
    files: &Files,
    docs: &[Document],
    parts: &[Part<'_>],
    index: &mut Index,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Course> {
    let mut pending = Vec::new();
    each_record(files, parts, "course", diags, |ctx, rec| {
        pending.push((ctx.file, convert::course(ctx, rec, index)));
    });
    let mut courses = Vec::new();
    let mut rules = Vec::new();
    for (file, p) in pending {
        let before = courses.len();
        let ok = p.course.is_ok();
        register(
            files,
            vec![p.course],
            &mut index.courses,
            &mut courses,
            diags,
        );
        let slot = ok.then_some(before);
        rules.push((file, slot, p.requires, p.delivered_by));
    }
    for (file, slot, requires, delivered_by) in rules {
        let doc = docs
            .iter()
            .find(|d| d.file == file)
            .expect("course file parsed");
        let mut ctx = Ctx::new(files, file, &doc.text);
        let requires = requires.and_then(|v| convert::rule(&mut ctx, v, index));
        let delivered_by = delivered_by.and_then(|v| convert::rule(&mut ctx, v, index));
        if let Some(i) = slot {
            courses[i].requires = requires;
            courses[i].delivered_by = delivered_by;
        }
        diags.append(&mut ctx.diagnostics);
    }
    courses
}

/// What reading the records of learning needs: the ids they refer to, and
/// the completions' sources, numbered across files.
struct LearningEnv<'a> {
    index: &'a Index,
    sources: std::sync::Mutex<convert::Interner>,
}

impl LearningEnv<'_> {
    fn attendance(&self) -> Reader<'_, Self, Attendance, PeopleNamed> {
        self.naming_people(
            TabularSection::Attendance,
            "attendance record",
            |env, ctx, rec, people| convert::attendance(ctx, rec, env.index, people),
        )
    }

    fn completions(&self) -> Reader<'_, Self, Completion, CompletionFile> {
        Reader {
            section: TabularSection::Completions,
            what: "completion",
            env: self,
            convert: |env, ctx, rec, file| convert::completion(ctx, rec, env.index, file),
            finish: |env, ctx, file, items| {
                convert::finish_completions(ctx, file, items, env.index, &env.sources)
            },
        }
    }

    fn applications(&self) -> Reader<'_, Self, Application, PeopleNamed> {
        self.naming_people(
            TabularSection::Applications,
            "application",
            |env, ctx, rec, people| convert::application(ctx, rec, env.index, people),
        )
    }

    /// The reader of a section whose records name a person, resolved for
    /// each file once it is read.
    fn naming_people<T: convert::NamesPerson>(
        &self,
        section: TabularSection,
        what: &'static str,
        read: fn(&Self, &mut Ctx<'_>, &Record<'_>, &mut PeopleNamed) -> Option<T>,
    ) -> Reader<'_, Self, T, PeopleNamed> {
        Reader {
            section,
            what,
            env: self,
            convert: read,
            finish: |env, ctx, people, items| convert::finish_people(ctx, people, items, env.index),
        }
    }

    fn certificates(&self) -> Reader<'_, Self, Issued, ()> {
        Reader {
            section: TabularSection::Certificates,
            what: "certificate",
            env: self,
            convert: |env, ctx, rec, _| convert::issued(ctx, rec, env.index),
            finish: keep,
        }
    }
}

/// The records of learning written in YAML, and the news: everything that
/// needs the YAML trees, which can be dropped after it.
#[derive(Default)]
struct LearningYaml {
    attendance: FromYaml<Attendance>,
    completions: FromYaml<Completion>,
    applications: FromYaml<Application>,
    certificates: FromYaml<Issued>,
    news: Vec<News>,
}

impl<T> Default for FromYaml<T> {
    fn default() -> Self {
        FromYaml {
            by_file: Vec::new(),
            diagnostics: Vec::new(),
        }
    }
}

fn learning_yaml(
    files: &Files,
    parts: &[Vec<Part<'_>>],
    env: &LearningEnv<'_>,
    diags: &mut Vec<Diagnostic>,
) -> LearningYaml {
    LearningYaml {
        attendance: gather_yaml(files, part(parts, "attendance"), &env.attendance()),
        completions: gather_yaml(files, part(parts, "completions"), &env.completions()),
        applications: gather_yaml(files, part(parts, "applications"), &env.applications()),
        certificates: gather_yaml(files, part(parts, "certificates"), &env.certificates()),
        news: news(files, parts, diags),
    }
}

/// The big tabular sections' CSV files: they only read the index, so they
/// load side by side.
fn learning(
    files: &Files,
    yaml: LearningYaml,
    env: &LearningEnv<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Learning {
    let LearningYaml {
        attendance,
        completions,
        applications,
        certificates,
        news,
    } = yaml;
    let ((attendance, mut d1), ((completions, mut d2), (applications, mut d3))) = rayon::join(
        || gather_csv(files, attendance, &env.attendance()),
        || {
            rayon::join(
                || gather_csv(files, completions, &env.completions()),
                || gather_csv(files, applications, &env.applications()),
            )
        },
    );
    let (certificates, mut d4) = gather_csv(files, certificates, &env.certificates());
    diags.append(&mut d1);
    diags.append(&mut d2);
    diags.append(&mut d3);
    diags.append(&mut d4);
    Learning {
        attendance,
        completions,
        applications,
        certificates,
        news,
        sources: Vec::new(),
    }
}

fn news(files: &Files, parts: &[Vec<Part<'_>>], diags: &mut Vec<Diagnostic>) -> Vec<News> {
    let mut news = Vec::new();
    each_record(
        files,
        part(parts, "news"),
        "news item",
        diags,
        |ctx, rec| news.extend(convert::news(ctx, rec)),
    );
    news
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
    for p in part(parts, "programme") {
        let mut ctx = Ctx::new(files, p.doc.file, &p.doc.text);
        let section = schema::section("programme").expect("programme");
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
            match schema::SECTIONS.iter().position(|s| s.name == name) {
                Some(i) => parts[i].push(Part {
                    doc,
                    node,
                    section: &schema::SECTIONS[i],
                }),
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

/// How to read the records of one tabular section: its converter (given
/// the shared `env`, the file, the record and per-file state `S`, such as
/// an interner) and what to do with a file's records at its end.
struct Reader<'e, E, T, S> {
    section: TabularSection,
    /// The record, in messages ("completion").
    what: &'static str,
    env: &'e E,
    convert: fn(&E, &mut Ctx<'_>, &Record<'_>, &mut S) -> Option<T>,
    finish: fn(&E, &mut Ctx<'_>, S, Vec<T>) -> Vec<T>,
}

/// A section's records from YAML files, by file, waiting for its CSV files.
struct FromYaml<T> {
    by_file: Vec<(FileId, Vec<T>)>,
    diagnostics: Vec<Diagnostic>,
}

/// Records of a tabular section from YAML parts and CSV files (in parallel),
/// in file order.
fn gather<E: Sync, T: Send, S: Default>(
    files: &Files,
    parts: &[Part<'_>],
    reader: &Reader<'_, E, T, S>,
) -> (Records<T>, Vec<Diagnostic>) {
    gather_csv(files, gather_yaml(files, parts, reader), reader)
}

/// The YAML half of [`gather`]: after it, the YAML trees may be dropped.
fn gather_yaml<E, T, S: Default>(
    files: &Files,
    parts: &[Part<'_>],
    reader: &Reader<'_, E, T, S>,
) -> FromYaml<T> {
    let mut diagnostics = Vec::new();
    let mut by_file = Vec::new();
    for part in parts {
        let mut out = Vec::new();
        let mut state = S::default();
        each_record(
            files,
            std::slice::from_ref(part),
            reader.what,
            &mut diagnostics,
            |ctx, rec| out.extend((reader.convert)(reader.env, ctx, rec, &mut state)),
        );
        let mut ctx = Ctx::new(files, part.doc.file, &part.doc.text);
        let out = (reader.finish)(reader.env, &mut ctx, state, out);
        diagnostics.append(&mut ctx.diagnostics);
        by_file.push((part.doc.file, out));
    }
    FromYaml {
        by_file,
        diagnostics,
    }
}

/// The CSV half of [`gather`]: every file of the section, in file order
/// with the records from YAML.
fn gather_csv<E: Sync, T: Send, S: Default>(
    files: &Files,
    yaml: FromYaml<T>,
    reader: &Reader<'_, E, T, S>,
) -> (Records<T>, Vec<Diagnostic>) {
    let csv_ids: Vec<FileId> = files
        .ids()
        .filter(|&id| files.get(id).kind == FileKind::Csv(reader.section))
        .collect();
    // Every thread takes the next file in order until none is left (and
    // reads its parts, which idle threads share: see `read_csv_file`), so
    // that no thread waits for a batch to finish. Each part's records are
    // kept in the vector they were read into, never copied.
    let read: std::sync::Mutex<Vec<Option<FileRead<T>>>> =
        std::sync::Mutex::new(csv_ids.iter().map(|_| None).collect());
    let taken = std::sync::atomic::AtomicUsize::new(0);
    let work = || loop {
        let k = taken.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let Some(&id) = csv_ids.get(k) else {
            break;
        };
        let read_file = |buffer: &mut Vec<u8>| match files.read_text(id, buffer) {
            Ok(text) => read_csv_file(files, id, text, reader),
            Err(d) => (id, Vec::new(), vec![d]),
        };
        let done = BUFFER.with(|cell| match cell.try_borrow_mut() {
            Ok(mut buffer) => read_file(&mut buffer),
            // Only if a thread ever nests two reads.
            Err(_) => read_file(&mut Vec::new()),
        });
        read.lock().unwrap_or_else(|e| e.into_inner())[k] = Some(done);
    };
    rayon::scope(|s| {
        for _ in 1..rayon::current_num_threads() {
            s.spawn(|_| work());
        }
        work();
    });
    let read = read.into_inner().unwrap_or_else(|e| e.into_inner());
    in_file_order(read.into_iter().flatten(), yaml)
}

/// A CSV file read: its records part by part (see [`PART_BYTES`]), and its
/// diagnostics.
type FileRead<T> = (FileId, Vec<Vec<T>>, Vec<Diagnostic>);

/// A section's records and diagnostics in file order: the CSV files
/// (`csv`, in file order), each YAML file's records before the first CSV
/// file that sorts after it.
fn in_file_order<T>(
    csv: impl IntoIterator<Item = FileRead<T>>,
    yaml: FromYaml<T>,
) -> (Records<T>, Vec<Diagnostic>) {
    let FromYaml {
        by_file,
        mut diagnostics,
    } = yaml;
    let mut yaml = by_file.into_iter().peekable();
    let mut all = Records::new();
    for (id, parts, mut d) in csv {
        while let Some((_, v)) = yaml.next_if(|(y, _)| *y < id) {
            all.push_part(v);
        }
        diagnostics.append(&mut d);
        for part in parts {
            all.push_part(part);
        }
    }
    for (_, v) in yaml {
        all.push_part(v);
    }
    (all, diagnostics)
}

thread_local! {
    /// Each thread's buffer for the CSV file it is reading: its memory is
    /// reused from file to file.
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// How many bytes of rows are read as one part: a big file is read by
/// every thread, so that no thread reads the end of a file alone while the
/// others wait. Small enough that the last part is quickly read; big
/// enough that each part's own work (a vector, its lookups) is nothing.
const PART_BYTES: usize = 1 << 20;

/// The records of one CSV file of a tabular section, part by part (see
/// [`PART_BYTES`]), and its diagnostics.
fn read_csv_file<E: Sync, T: Send, S: Default>(
    files: &Files,
    id: FileId,
    text: &str,
    reader: &Reader<'_, E, T, S>,
) -> FileRead<T> {
    let section = reader.section.section();
    let mut ctx = Ctx::new(files, id, text);
    let Some(header) = csv::read_header(&mut ctx, section) else {
        return (id, Vec::new(), ctx.diagnostics);
    };
    let read = |part: &csv::Part| {
        let mut ctx = Ctx::new(files, id, text);
        // A row a line: no vector grows (and is copied) while reading.
        let mut out = Vec::with_capacity(part.lines as usize + 1);
        let mut state = S::default();
        csv::read_part(&mut ctx, section, &header, part, |ctx, rec| {
            out.extend((reader.convert)(reader.env, ctx, rec, &mut state))
        });
        let out = (reader.finish)(reader.env, &mut ctx, state, out);
        (out, ctx.diagnostics)
    };
    let parts = csv::parts(text, &header, PART_BYTES);
    let read = each_in_parallel(parts.len(), |k| read(&parts[k]));
    let mut records = Vec::with_capacity(read.len());
    for (part, mut d) in read {
        records.push(part);
        ctx.diagnostics.append(&mut d);
    }
    (id, records, ctx.diagnostics)
}

/// `work(k)` for every `k` below `count`, side by side, the results in
/// order. The threads are run by one function for every kind of result:
/// rayon's machinery is not built again for each section's records.
fn each_in_parallel<R: Send>(count: usize, work: impl Fn(usize) -> R + Sync) -> Vec<R> {
    fn run(count: usize, each: &(dyn Fn(usize) + Sync)) {
        (0..count).into_par_iter().for_each(each);
    }
    let done: Vec<std::sync::Mutex<Option<R>>> = (0..count).map(|_| Default::default()).collect();
    run(count, &|k| {
        let r = work(k);
        *done[k].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
    });
    done.into_iter()
        .map(|r| r.into_inner().unwrap_or_else(|e| e.into_inner()))
        .map(|r| r.expect("`run` returns when every `work` has"))
        .collect()
}

/// The `finish` of [`gather`] for sections that need none.
fn keep<E, T>(_: &E, _: &mut Ctx<'_>, _: (), items: Vec<T>) -> Vec<T> {
    items
}

/// A record with an id and a place.
pub(crate) trait Keyed {
    fn key(&self) -> &str;
    fn loc(&self) -> Loc;
}

macro_rules! keyed {
    ($($ty:ty),*) => {$(
        impl Keyed for $ty {
            fn key(&self) -> &str { &self.id }
            fn loc(&self) -> Loc { self.loc }
        }
    )*};
}
keyed!(Resource, Venue, Course, Person, Cohort);
impl<K> Keyed for Named<K> {
    fn key(&self) -> &str {
        &self.id
    }
    fn loc(&self) -> Loc {
        self.loc
    }
}

/// Add converted records to `out` and their ids to `table`; report
/// duplicates. A repeated record stays in `out`, unreachable by its id.
fn register<T: Keyed + Sync>(
    files: &Files,
    results: Vec<Converted<T>>,
    table: &mut IdTable,
    out: &mut Vec<T>,
    diags: &mut Vec<Diagnostic>,
) {
    let start = out.len();
    let mut broken = Vec::new();
    for result in results {
        match result {
            Ok(item) => out.push(item),
            Err(Some(id)) => broken.push(id),
            Err(None) => {}
        }
    }
    let new = [&out[start..]];
    register_ids(files, &new, start, |i| &out[i], broken, table, diags);
}

/// Add the ids of records to `table`: the new records `new`, in parts,
/// whose first is the `start`th of its section (`record` gives any record
/// by position); report duplicates; set aside the ids of `broken` records
/// (whose references are then not reported again).
fn register_ids<'r, T: Keyed + Sync + 'r>(
    files: &Files,
    new: &[&[T]],
    start: usize,
    record: impl Fn(usize) -> &'r T,
    broken: Vec<Id>,
    table: &mut IdTable,
    diags: &mut Vec<Diagnostic>,
) {
    let noun = table.noun;
    for (repeat, first) in table.extend(new, T::key, start) {
        let at = files.location(record(first).loc());
        diags.push(
            Diagnostic::error(
                Code::DuplicateId,
                format!("duplicate {noun} id `{}`", record(repeat).key()),
            )
            .at(files.location(record(repeat).loc()))
            .label(at, "first defined here")
            .help("ids must be unique across all files; rename or remove one"),
        );
    }
    for id in broken {
        if table.get::<T>(&id).is_none() {
            table.broken.insert(id);
        }
    }
}

fn named<K>(
    files: &Files,
    parts: &[Part<'_>],
    noun: &str,
    table: &mut IdTable,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Named<K>> {
    let mut results = Vec::new();
    each_record(files, parts, noun, diags, |ctx, rec| {
        results.push(convert::named(ctx, rec, noun))
    });
    let mut out = Vec::new();
    register(files, results, table, &mut out, diags);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The top-level keys YAML reads in `text`, if it parses.
    fn top_level_keys(text: &str) -> Option<Vec<String>> {
        let root: Node = serde_saphyr::from_str_with_options(text, yaml::options()).ok()?;
        Some(match &root.kind {
            Kind::Map(entries) => entries
                .iter()
                .map(|(k, _)| k.text(text).unwrap_or("?").to_owned())
                .collect(),
            _ => Vec::new(),
        })
    }

    #[test]
    fn files_of_cohorts_alone_are_told_by_their_lines() {
        let yes = [
            "cohorts:\n  - id: a\n    course: intro\n",
            "# Cohorts, 2022.\n\n# More.\ncohorts:   # all of them\n  - id: a\n\n  # a note\n  - id: b\n",
            "cohorts:\r\n  - id: a\r\n",
            "cohorts:\n  - name: \"Zoë\n    Ó'Brien\"\n",
        ];
        let no = [
            "",
            "# nothing\n",
            "cohorts:\n  - id: a\npeople:\n  - id: p\n",
            "venues: []\ncohorts:\n  - id: a\n",
            "cohorts: []\n",
            "cohorts: &all\n  - id: a\n",
            "cohorts:#x\n",
            "cohorts:\t\n  - id: a\n",
            "---\ncohorts:\n  - id: a\n",
            "%YAML 1.2\n---\ncohorts:\n",
            "\u{feff}cohorts:\n  - id: a\n",
            "\"cohorts\":\n  - id: a\n",
            "? cohorts\n: []\n",
            "{cohorts: [], people: []}\n",
            "cohorts:\n\t- id: a\n",
            "  cohorts:\n  people:\n",
            // A line YAML breaks where `str::lines` does not.
            "cohorts:\n  - id: a\rpeople: []\n",
            "cohorts:\n  - id: a\u{2028}people: []\n",
            "cohorts:\n  - id: a\u{85}people: []\n",
        ];
        for text in yes {
            assert!(cohorts_only(text), "{text:?}");
            assert_eq!(
                top_level_keys(text),
                Some(vec!["cohorts".to_owned()]),
                "{text:?}"
            );
        }
        for text in no {
            assert!(!cohorts_only(text), "{text:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Whatever the lines, a file taken for cohorts alone has no other
        /// section when YAML reads it.
        #[test]
        fn a_file_taken_for_cohorts_alone_has_no_other_section(
            lines in prop::collection::vec(
                prop::sample::select(vec![
                    "cohorts:", "cohorts: # c", "people:", "people: []", "# note", "",
                    "  - id: a", "  - \"open", "close\"", "  close\"", "  - [a,", "b]", "  b]",
                    "  x: |", "  text", "---", "...", "\t- t", " ", "  people: []",
                    "? people", ": []", "{people: []}", "  - id: a\rpeople: []",
                    "  - id: a\u{2028}people: []", "  - 'x", "people: 1'",
                ]),
                0..10,
            ),
            crlf in any::<bool>(),
        ) {
            let text = lines.join(if crlf { "\r\n" } else { "\n" });
            if cohorts_only(&text)
                && let Some(keys) = top_level_keys(&text)
            {
                prop_assert_eq!(keys, vec!["cohorts".to_owned()], "{:?}", text);
            }
        }
    }

    /// A section's files come in file order (each file's parts in order),
    /// each YAML file's records before the first CSV file that sorts after
    /// it, the diagnostics in the same order.
    #[test]
    fn csv_and_yaml_files_are_put_in_file_order() {
        let d = |n: u32| Diagnostic::error(Code::CsvSyntax, format!("file {n}"));
        let yaml = || FromYaml {
            by_file: vec![
                (FileId(0), vec![0]),
                (FileId(2), vec![2, 2]),
                (FileId(9), vec![9]),
            ],
            diagnostics: vec![d(0)],
        };
        // A file's records come in its parts.
        let csv = || {
            [
                (FileId(1), vec![vec![1], vec![1, 1]]),
                (FileId(3), vec![vec![3]]),
                (FileId(4), vec![]),
            ]
            .map(|(id, parts)| (id, parts, vec![d(id.0)]))
        };
        let (all, diags) = in_file_order(csv(), yaml());
        let all: Vec<i32> = all.iter().copied().collect();
        assert_eq!(all, [0, 1, 1, 1, 2, 2, 3, 9]);
        let said: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(said, ["file 0", "file 1", "file 3", "file 4"]);
        // No CSV file: the YAML files alone, in order.
        let (all, _) = in_file_order(Vec::new(), yaml());
        assert_eq!(all.iter().copied().collect::<Vec<i32>>(), [0, 2, 2, 9]);
    }
}
