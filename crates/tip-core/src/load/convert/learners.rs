//! People and what they did: attendance, completions, applications and
//! the certificates issued to them.

use super::{Converted, bidi_control};
use crate::dataset::Index;
use crate::diagnostic::Code;
use crate::load::read::{Ctx, Record, Val};
use crate::model::*;
use crate::records::Records;
use crate::words::is_bidi_control;

pub(crate) fn person(ctx: &mut Ctx<'_>, rec: &Record<'_>, ix: &Index) -> Converted<Person> {
    let what = "person";
    let fields = [
        "id",
        "name",
        "email",
        "organisation",
        "sector",
        "role",
        "region",
    ];
    let [id, name, email, organisation, sector, role, region] = ctx.values(rec, fields, what);
    let id = id.and_then(|v| ctx.id(v)).ok_or(None)?;
    let name = name.and_then(|v| {
        let text = ctx.short_text(v)?;
        if !text.is_ascii() && text.contains(is_bidi_control) {
            bidi_control(ctx, v, &text);
        }
        Some(text)
    });
    let email = email.and_then(|v| ctx.email(v));
    let organisation = organisation.and_then(|v| ctx.short_text(v));
    let sector = sector.and_then(|v| ctx.reference(v, &ix.sectors));
    let role = role.and_then(|v| ctx.reference(v, &ix.roles));
    let region = region.and_then(|v| ctx.reference(v, &ix.regions));
    all_or_broken!(Some(id); name);
    Ok(Person {
        id,
        name,
        email,
        organisation,
        sector,
        role,
        region,
        loc: rec.loc,
    })
}

pub(crate) fn attendance(
    ctx: &mut Ctx<'_>,
    rec: &Record<'_>,
    ix: &Index,
    people: &mut PeopleNamed,
) -> Option<Attendance> {
    let what = "attendance record";
    let cohort = ctx.required(rec, "cohort", what, |c, v| c.reference(v, &ix.cohorts));
    let person = people.required(ctx, rec, what);
    // The register says who came: never assumed. In CSV an empty cell is
    // a row with nothing ticked; in YAML the field must be written.
    let mut number_locs = Vec::new();
    let sessions = match rec.get("sessions") {
        None if rec.is_row() => Some(SessionSet::Numbers(Vec::new())),
        None => {
            ctx.error(
                Code::MissingField,
                rec.loc,
                "missing field `sessions` in an attendance record",
            )
            .help = Some(
                "write what the register says: `sessions: all`, `sessions: none`, or the numbers attended, e.g. `sessions: [1, 3]`".into(),
            );
            None
        }
        Some(v) => {
            let word = match v {
                Val::Cell { text, .. } => Some(text.trim()),
                Val::Node(n) => n.text(ctx.source).map(str::trim),
            };
            let is = |w: &str| word.is_some_and(|word| word.eq_ignore_ascii_case(w));
            if is("all") {
                Some(SessionSet::All)
            } else if is("none") {
                Some(SessionSet::Numbers(Vec::new()))
            } else {
                ctx.list(v, |c, item| Some((c.int(item, 1)?, c.loc_of(item))))
                    .map(|numbers| {
                        let (numbers, locs) = numbers.into_iter().unzip();
                        number_locs = locs;
                        SessionSet::Numbers(numbers)
                    })
            }
        }
    };
    Some(Attendance {
        cohort: cohort?,
        person: person?,
        sessions: sessions?,
        loc: rec.loc,
        person_loc: ctx.value_loc(rec, "person").unwrap_or(rec.loc),
        sessions_loc: ctx.value_loc(rec, "sessions").unwrap_or(rec.loc),
        number_locs,
    })
}

/// Per-file state while reading completions: the interned `source`s, and
/// the people named, resolved together at the end of the file
/// ([`IdTable::get_many`]) because probing a million-person table one row
/// at a time is dominated by cache misses.
#[derive(Default)]
pub(crate) struct CompletionFile {
    sources: Interner,
    people: PeopleNamed,
}

/// The people a file's records name, resolved together at the end of the
/// file in one batch ([`IdTable::get_many`]: lookups overlap their waits
/// for memory), not one probe of a million ids per row. Until then a
/// record's `person` is a position in this list.
#[derive(Default)]
pub(crate) struct PeopleNamed {
    /// Where each id is in the file (no copy), or for ids written with
    /// quotes or escapes, a position in `written`.
    at: Vec<PersonAt>,
    written: Vec<(compact_str::CompactString, Written)>,
}

impl PeopleNamed {
    /// The record's required `person`, as a placeholder (see
    /// [`PeopleNamed::keep_known`]).
    fn required(
        &mut self,
        ctx: &mut Ctx<'_>,
        rec: &Record<'_>,
        what: &str,
    ) -> Option<crate::Ix<Person>> {
        ctx.required(rec, "person", what, |c, v| self.person(c, v))
    }

    /// The placeholder for the person `v` names (see
    /// [`PeopleNamed::keep_known`]).
    fn person(&mut self, c: &mut Ctx<'_>, v: Val<'_>) -> Option<crate::Ix<Person>> {
        let id = c.trimmed(v)?;
        let at = match c.source_range(v, id) {
            Some((start, len)) => PersonAt { start, len },
            None => {
                let place = match v {
                    Val::Cell { at, .. } => Written::Csv(at),
                    Val::Node(_) => Written::Yaml(c.loc_of(v)),
                };
                self.written.push((id.into(), place));
                PersonAt {
                    start: (self.written.len() - 1) as u32,
                    len: u32::MAX,
                }
            }
        };
        self.at.push(at);
        Some(crate::Ix::new(self.at.len() - 1))
    }

    /// Resolve every person named, reporting the unknown ones at their
    /// place, and keep the records whose person is known, each with its
    /// person's real index.
    fn keep_known<T: NamesPerson>(&self, ctx: &mut Ctx<'_>, ix: &Index, items: &mut Vec<T>) {
        let source = ctx.source;
        let ids: Vec<&str> = self
            .at
            .iter()
            .map(|p| match p.len {
                u32::MAX => self.written[p.start as usize].0.as_str(),
                len => &source[p.start as usize..(p.start + len) as usize],
            })
            .collect();
        let found = ix.people.get_many(&ids);
        let mut lines = None;
        for ((p, id), hit) in self.at.iter().zip(&ids).zip(&found) {
            if hit.is_some() {
                continue;
            }
            let loc = match p.len {
                u32::MAX => match self.written[p.start as usize].1 {
                    Written::Yaml(loc) => loc,
                    Written::Csv(at) => ctx.cell_loc(at, id),
                },
                _ => {
                    let lines = lines.get_or_insert_with(|| crate::files::LineStarts::new(source));
                    lines.loc(ctx.file, source, p.start as usize, id)
                }
            };
            ctx.unknown_reference(id, loc, &ix.people);
        }
        items.retain_mut(|item| {
            let p = item.person_mut();
            match found[p.index()] {
                Some(real) => {
                    *p = crate::Ix::new(real as usize);
                    true
                }
                None => false,
            }
        });
    }
}

/// Where a record's person id is: bytes `start..start + len` of the file,
/// or (`len == u32::MAX`) entry `start` of [`PeopleNamed::written`].
#[derive(Clone, Copy)]
pub(super) struct PersonAt {
    start: u32,
    len: u32,
}

/// Where a value is, its line and column worked out only if needed.
#[derive(Clone, Copy)]
pub(super) enum Written {
    Yaml(crate::loc::Loc),
    Csv(crate::load::read::CellAt),
}

/// A completion whose `person` is, until [`finish_completions`], a position
/// in [`CompletionFile::people`].
pub(crate) fn completion(
    ctx: &mut Ctx<'_>,
    rec: &Record<'_>,
    ix: &Index,
    file: &mut CompletionFile,
) -> Option<Completion> {
    let what = "completion";
    let [person, course, date, source] =
        ctx.values(rec, ["person", "course", "date", "source"], what);
    let person = person.and_then(|v| file.people.person(ctx, v));
    let course = course.and_then(|v| ctx.reference(v, &ix.courses));
    let date = date.and_then(|v| ctx.date(v));
    let source = source
        .and_then(|v| ctx.trimmed(v))
        .map(|s| Source::new(file.sources.intern(s)));
    Some(Completion {
        person: person?,
        course: course?,
        date: date?,
        source,
        loc: rec.loc,
    })
}

/// Resolve the people of a file's completions in one batch; drop (and
/// report) those naming no one.
pub(crate) fn finish_completions(
    ctx: &mut Ctx<'_>,
    file: CompletionFile,
    mut items: Vec<Completion>,
    ix: &Index,
    sources: &std::sync::Mutex<Interner>,
) -> Vec<Completion> {
    // The file's sources, numbered for the whole data set.
    let global: Vec<Source> = {
        let mut all = sources.lock().unwrap_or_else(|e| e.into_inner());
        file.sources
            .texts
            .iter()
            .map(|t| Source::new(all.intern(t)))
            .collect()
    };
    file.people.keep_known(ctx, ix, &mut items);
    for c in &mut items {
        c.source = c.source.map(|s| global[s.index()]);
    }
    items
}

/// The `finish` of a section whose records name a person: resolve them.
pub(crate) fn finish_people<T: NamesPerson>(
    ctx: &mut Ctx<'_>,
    people: PeopleNamed,
    mut items: Vec<T>,
    ix: &Index,
) -> Vec<T> {
    people.keep_known(ctx, ix, &mut items);
    items
}

/// A record whose `person` is, until its file is finished, a position in
/// the file's [`PeopleNamed`].
pub(crate) trait NamesPerson {
    fn person_mut(&mut self) -> &mut crate::Ix<Person>;
}

macro_rules! names_person {
    ($($record:ty),*) => {
        $(impl NamesPerson for $record {
            fn person_mut(&mut self) -> &mut crate::Ix<Person> {
                &mut self.person
            }
        })*
    };
}

names_person!(Attendance, Completion, Application);

/// Numbers distinct strings (a completion's `source`) in order of first
/// appearance.
#[derive(Default)]
pub(crate) struct Interner {
    ids: rustc_hash::FxHashMap<Box<str>, usize>,
    pub(crate) texts: Vec<Box<str>>,
    /// The last string's number: exports repeat one source row after row.
    last: Option<usize>,
}

impl Interner {
    pub(crate) fn intern(&mut self, s: &str) -> usize {
        if let Some(last) = self.last.filter(|&l| &*self.texts[l] == s) {
            return last;
        }
        let id = match self.ids.get(s) {
            Some(&id) => id,
            None => {
                self.texts.push(s.into());
                self.ids.insert(s.into(), self.texts.len() - 1);
                self.texts.len() - 1
            }
        };
        self.last = Some(id);
        id
    }

    /// The texts in sorted order, every completion's `source` renumbered
    /// to match: files and their parts are read side by side, so the order
    /// of first appearance is not the same from one run to the next, and a
    /// data set's numbers must be.
    pub(crate) fn into_sorted(self, completions: &mut Records<Completion>) -> Vec<Box<str>> {
        // Each text with its number so far (the texts are distinct).
        let mut texts: Vec<(Box<str>, usize)> = self.texts.into_iter().zip(0..).collect();
        texts.sort_unstable();
        let mut renumbered = vec![Source::new(0); texts.len()];
        for (to, &(_, from)) in texts.iter().enumerate() {
            renumbered[from] = Source::new(to);
        }
        if texts.iter().enumerate().any(|(to, &(_, from))| to != from) {
            for c in completions.iter_mut() {
                c.source = c.source.map(|s| renumbered[s.index()]);
            }
        }
        texts.into_iter().map(|(text, _)| text).collect()
    }
}

pub(crate) fn application(
    ctx: &mut Ctx<'_>,
    rec: &Record<'_>,
    ix: &Index,
    people: &mut PeopleNamed,
) -> Option<Application> {
    let what = "application";
    let person = people.required(ctx, rec, what);
    let course = ctx.required(rec, "course", what, |c, v| c.reference(v, &ix.courses));
    let applied = ctx.required(rec, "applied", what, Ctx::date);
    let prefer = ctx
        .field(rec, "prefer", |c, v| c.references(v, &ix.cohorts))
        .unwrap_or_default();
    let regions = ctx
        .field(rec, "regions", |c, v| c.references(v, &ix.regions))
        .unwrap_or_default();
    Some(Application {
        person: person?,
        course: course?,
        applied: applied?,
        prefer,
        regions,
        loc: rec.loc,
    })
}

pub(crate) fn issued(ctx: &mut Ctx<'_>, rec: &Record<'_>, ix: &Index) -> Option<Issued> {
    let what = "certificate";
    let number = ctx.required(rec, "number", what, Ctx::text);
    let code = ctx.required(rec, "code", what, Ctx::text);
    let person = ctx.required(rec, "person", what, |c, v| c.reference(v, &ix.people));
    let course = ctx.required(rec, "course", what, |c, v| c.reference(v, &ix.courses));
    let completed = ctx.required(rec, "completed", what, Ctx::date);
    let issued = ctx.required(rec, "issued", what, Ctx::date);
    let revoked = ctx.field(rec, "revoked", Ctx::date);
    let reason = ctx.field(rec, "reason", Ctx::text);
    let key = ctx.field(rec, "key", Ctx::text);
    let replaces = ctx.field(rec, "replaces", Ctx::text);
    let credential = ctx.field(rec, "credential", Ctx::text);
    // A revocation says when and why.
    match (rec.has("revoked"), rec.has("reason")) {
        (true, false) => {
            let at = ctx.value_loc(rec, "revoked").unwrap_or(rec.loc);
            ctx.error(
                Code::MissingField,
                at,
                "a revoked certificate needs a `reason`",
            )
            .help = Some("say why it was revoked, for its page and the record".into());
        }
        (false, true) => {
            let at = ctx.value_loc(rec, "reason").unwrap_or(rec.loc);
            ctx.error(
                Code::MissingField,
                at,
                "a `reason` without a `revoked` date",
            )
            .help = Some("give the date it was revoked in `revoked`".into());
        }
        _ => {}
    }
    Some(Issued {
        number: number?,
        code: code?,
        person: person?,
        course: course?,
        completed: completed?,
        issued: issued?,
        revoked,
        reason,
        key,
        replaces,
        credential,
        loc: rec.loc,
        number_loc: ctx.value_loc(rec, "number").unwrap_or(rec.loc),
        code_loc: ctx.value_loc(rec, "code").unwrap_or(rec.loc),
        issued_loc: ctx.value_loc(rec, "issued").unwrap_or(rec.loc),
        revoked_loc: ctx.value_loc(rec, "revoked"),
        replaces_loc: ctx.value_loc(rec, "replaces"),
        key_loc: ctx.value_loc(rec, "key"),
    })
}
