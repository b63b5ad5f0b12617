//! The catalogue: regions, sectors, roles, tiers, resources, venues,
//! courses (their rules once every course is known) and cohorts (their
//! replacements once every cohort is known).

use super::*;

/// The catalogue, section by section, each after the sections it refers to.
pub(crate) fn catalogue(
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
        part(parts, SectionKey::Regions),
        "region",
        &mut index.regions,
        diags,
    );
    let sectors = named(
        files,
        part(parts, SectionKey::Sectors),
        "sector",
        &mut index.sectors,
        diags,
    );
    let roles = named(
        files,
        part(parts, SectionKey::Roles),
        "role",
        &mut index.roles,
        diags,
    );
    let tiers = tiers(files, part(parts, SectionKey::Tiers), diags);
    index.tiers = tiers
        .iter()
        .enumerate()
        .map(|(i, t)| (t.level, Ix::new(i)))
        .collect();

    let mut resources = Vec::new();
    let mut results = Vec::new();
    each_record(
        files,
        part(parts, SectionKey::Resources),
        "resource",
        diags,
        |ctx, rec| results.push(convert::resource(ctx, rec, index)),
    );
    register(files, results, &mut index.resources, &mut resources, diags);

    let mut venues = Vec::new();
    let mut results = Vec::new();
    each_record(
        files,
        part(parts, SectionKey::Venues),
        "venue",
        diags,
        |ctx, rec| results.push(convert::venue(ctx, rec, index)),
    );
    register(files, results, &mut index.venues, &mut venues, diags);

    step("regions to venues");
    let people = people(files, part(parts, SectionKey::People), index, diags);

    step("people");
    let courses = courses(files, docs, part(parts, SectionKey::Courses), index, diags);

    let cohorts = cohorts(
        files,
        part(parts, SectionKey::Cohorts),
        cohort_files,
        index,
        diags,
    );
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

/// People (a million in a national data set), read in parts side by side;
/// the ids of broken records set aside, not a `Converted` per person.
fn people(
    files: &Files,
    parts: &[Part<'_>],
    index: &mut Index,
    diags: &mut Vec<Diagnostic>,
) -> Records<Person> {
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
    let (people, mut d) = gather(files, parts, &reader);
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

    people
}

/// Cohorts (20,000 in a national timetable), file by file side by side, in
/// file order: those of `parts`, and those of the files of cohorts alone,
/// each parsed now and its tree dropped as soon as its cohorts are read.
pub(crate) fn cohorts(
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
                    read(part(&parts, SectionKey::Cohorts), &mut d);
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
pub(crate) fn replaced_by(
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
pub(crate) fn tiers(files: &Files, parts: &[Part<'_>], diags: &mut Vec<Diagnostic>) -> Vec<Tier> {
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
pub(crate) fn courses(
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
