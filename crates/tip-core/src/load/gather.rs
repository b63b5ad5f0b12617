//! Reading the records of a tabular section from YAML parts and CSV
//! files side by side, in file order, each thread's buffer reused.

use super::*;

/// How to read the records of one tabular section: its converter (given
/// the shared `env`, the file, the record and per-file state `S`, such as
/// an interner) and what to do with a file's records at its end.
pub(crate) struct Reader<'e, E, T, S> {
    pub(crate) section: TabularSection,
    /// The record, in messages ("completion").
    pub(crate) what: &'static str,
    pub(crate) env: &'e E,
    pub(crate) convert: fn(&E, &mut Ctx<'_>, &Record<'_>, &mut S) -> Option<T>,
    pub(crate) finish: fn(&E, &mut Ctx<'_>, S, Vec<T>) -> Vec<T>,
}

/// A section's records from YAML files, by file, waiting for its CSV files.
pub(crate) struct FromYaml<T> {
    pub(crate) by_file: Vec<(FileId, Vec<T>)>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// Records of a tabular section from YAML parts and CSV files (in parallel),
/// in file order.
pub(crate) fn gather<E: Sync, T: Send, S: Default>(
    files: &Files,
    parts: &[Part<'_>],
    reader: &Reader<'_, E, T, S>,
) -> (Records<T>, Vec<Diagnostic>) {
    gather_csv(files, gather_yaml(files, parts, reader), reader)
}

/// The YAML half of [`gather`]: after it, the YAML trees may be dropped.
pub(crate) fn gather_yaml<E, T, S: Default>(
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
pub(crate) fn gather_csv<E: Sync, T: Send, S: Default>(
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
pub(crate) type FileRead<T> = (FileId, Vec<Vec<T>>, Vec<Diagnostic>);

/// A section's records and diagnostics in file order: the CSV files
/// (`csv`, in file order), each YAML file's records before the first CSV
/// file that sorts after it.
pub(crate) fn in_file_order<T>(
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
    pub(crate) static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// How many bytes of rows are read as one part: a big file is read by
/// every thread, so that no thread reads the end of a file alone while the
/// others wait. Small enough that the last part is quickly read; big
/// enough that each part's own work (a vector, its lookups) is nothing.
pub(crate) const PART_BYTES: usize = 1 << 20;

/// The records of one CSV file of a tabular section, part by part (see
/// [`PART_BYTES`]), and its diagnostics.
pub(crate) fn read_csv_file<E: Sync, T: Send, S: Default>(
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
pub(crate) fn each_in_parallel<R: Send>(count: usize, work: impl Fn(usize) -> R + Sync) -> Vec<R> {
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
pub(crate) fn keep<E, T>(_: &E, _: &mut Ctx<'_>, _: (), items: Vec<T>) -> Vec<T> {
    items
}
