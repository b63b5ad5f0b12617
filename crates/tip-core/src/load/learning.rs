//! The records of learning: people, attendance, completions,
//! applications and the certificates ledger, from YAML and CSV side by
//! side; and the news.

use super::*;

/// What reading the records of learning needs: the ids they refer to, and
/// the completions' sources, numbered across files.
pub(crate) struct LearningEnv<'a> {
    pub(crate) index: &'a Index,
    pub(crate) sources: std::sync::Mutex<convert::Interner>,
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
pub(crate) struct LearningYaml {
    pub(crate) attendance: FromYaml<Attendance>,
    pub(crate) completions: FromYaml<Completion>,
    pub(crate) applications: FromYaml<Application>,
    pub(crate) certificates: FromYaml<Issued>,
    pub(crate) news: Vec<News>,
}

impl<T> Default for FromYaml<T> {
    fn default() -> Self {
        FromYaml {
            by_file: Vec::new(),
            diagnostics: Vec::new(),
        }
    }
}

pub(crate) fn learning_yaml(
    files: &Files,
    parts: &[Vec<Part<'_>>],
    env: &LearningEnv<'_>,
    diags: &mut Vec<Diagnostic>,
) -> LearningYaml {
    LearningYaml {
        attendance: gather_yaml(
            files,
            part(parts, SectionKey::Attendance),
            &env.attendance(),
        ),
        completions: gather_yaml(
            files,
            part(parts, SectionKey::Completions),
            &env.completions(),
        ),
        applications: gather_yaml(
            files,
            part(parts, SectionKey::Applications),
            &env.applications(),
        ),
        certificates: gather_yaml(
            files,
            part(parts, SectionKey::Certificates),
            &env.certificates(),
        ),
        news: news(files, parts, diags),
    }
}

/// The big tabular sections' CSV files: they only read the index, so they
/// load side by side.
pub(crate) fn learning(
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

pub(crate) fn news(
    files: &Files,
    parts: &[Vec<Part<'_>>],
    diags: &mut Vec<Diagnostic>,
) -> Vec<News> {
    let mut news = Vec::new();
    each_record(
        files,
        part(parts, SectionKey::News),
        "news item",
        diags,
        |ctx, rec| news.extend(convert::news(ctx, rec)),
    );
    news
}
