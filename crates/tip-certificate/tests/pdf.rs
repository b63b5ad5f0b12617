//! Certificates read back: text, fonts, reproducibility, missing glyphs.

use chrono::NaiveDate;
use tip_certificate::{Renderer, Signer, plan, register};
use tip_core::Dataset;
use tip_credential::{Issuer, Key};

fn data() -> Dataset {
    Dataset::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/kent-medway"
    ))
    .unwrap()
    .0
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Issue `certificates` against the data set's ledger.
fn issue(
    data: &Dataset,
    certificates: &mut Vec<tip_certificate::Certificate>,
    signer: Option<&Signer>,
    today: NaiveDate,
) -> Result<tip_certificate::Issuance, tip_certificate::IssueError> {
    let ledger = tip_certificate::ledger_rows(data);
    let request = tip_certificate::Request {
        signer,
        today,
        reissue: &[],
    };
    tip_certificate::issue(data, certificates, &ledger, request)
}

fn text_of(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).unwrap()
}

#[test]
fn the_certificate_says_who_what_and_its_number() {
    let data = data();
    let cohort = data.cohort("ttt-2022-02").unwrap();
    let mut plan = plan(&data, cohort, day("2022-12-01"), None).unwrap();
    // From the ledger: issued before, so no key is needed to reprint.
    issue(&data, &mut plan.certificates, None, day("2022-12-01")).unwrap();
    let renderer = Renderer::new(&data).unwrap();
    let zsofia = plan
        .certificates
        .iter()
        .find(|c| c.name == "Zsófia Kovács")
        .unwrap();
    assert!(
        zsofia.number.starts_with("KM-TIP-2022-0000"),
        "{}",
        zsofia.number
    );
    let pdf = renderer
        .render(&data, std::slice::from_ref(zsofia), Some(1_669_852_800))
        .unwrap();
    let text = text_of(&pdf);
    for needle in [
        "Zsófia Kovács",
        "L2 Train the Trainer",
        &zsofia.number,
        &zsofia.code,
        "Dr Morwenna Tregothnan",
        "Dr Hélène Dubois",
    ] {
        assert!(text.contains(needle), "{needle} not in {text}");
    }
    insta::assert_snapshot!(
        text.replace(&zsofia.number, "<NUMBER>")
            .replace(&zsofia.code, "<CODE>")
    );
}

/// A copy of the example data with these people renamed.
fn renamed(names: &[(&str, &str)]) -> (tempfile::TempDir, Dataset) {
    let tmp = tempfile::tempdir().unwrap();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/kent-medway");
    let dst = tmp.path().join("data");
    copy(&src, &dst);
    let people = dst.join("people.csv");
    let mut text = std::fs::read_to_string(&people).unwrap();
    for (id, name) in names {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{id},")))
            .unwrap()
            .to_owned();
        let old = line.split(',').nth(1).unwrap();
        text = text.replace(&line, &line.replacen(old, name, 1));
    }
    std::fs::write(&people, text).unwrap();
    let data = Dataset::load(&dst).unwrap().0;
    (tmp, data)
}

fn copy(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// poppler's `pdftotext`, when it is installed (it orders right-to-left
/// text logically, as a reader or a search does).
fn pdftotext(pdf: &[u8]) -> Option<String> {
    pdftotext_with(pdf, &[])
}

/// `pdftotext` with `options`, when it is installed.
fn pdftotext_with(pdf: &[u8], options: &[&str]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(options)
        .args([file.to_str().unwrap(), "-"])
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

const SIX_SCRIPTS: [(&str, &str); 6] = [
    ("chidi-okafor", "Zoë Ó'Brien"),
    ("aoife-ni-bhriain", "Nguyễn Thị Minh Khai"),
    ("jose-martinez", "Αθηνά Παπαδοπούλου"),
    ("fatima-begum", "Дмитрий Соколов"),
    ("priya-sharma", "محمد عبد الله"),
    ("wyn-price", "דוד לוי"),
];

#[test]
fn names_in_six_scripts_print_and_read_back_in_order() {
    let (_tmp, data) = renamed(&SIX_SCRIPTS);
    let cohort = data.cohort("l2-2022-01-maidstone").unwrap();
    let plan = plan(&data, cohort, day("2022-12-01"), None).unwrap();
    let renderer = Renderer::new(&data).unwrap();
    assert!(renderer.check(&data, &plan.certificates).is_empty());
    let pdf = renderer.render(&data, &plan.certificates, None).unwrap();
    // Latin, Greek and Cyrillic read straight from the content streams.
    let text = text_of(&pdf);
    for (_, name) in &SIX_SCRIPTS[..4] {
        assert!(text.contains(name), "{name} not in {text}");
    }
    // Arabic and Hebrew are set by the Noto faces.
    let fonts = font_names(&pdf);
    assert!(
        fonts.iter().any(|f| f.ends_with("+NotoSansArabic-Bold")),
        "{fonts:?}"
    );
    assert!(
        fonts.iter().any(|f| f.ends_with("+NotoSansHebrew-Bold")),
        "{fonts:?}"
    );
    match pdftotext(&pdf) {
        Some(text) => {
            // poppler wraps right-to-left lines in embedding marks.
            let plain: String = text
                .chars()
                .filter(|c| !('\u{202A}'..='\u{202E}').contains(c))
                .collect();
            for (_, name) in &SIX_SCRIPTS {
                assert!(plain.contains(name), "{name} not in {plain}");
            }
        }
        None => eprintln!("skipped: poppler's pdftotext is not installed"),
    }
}

/// A word longer than the line is broken inside it, never run off the
/// page, at a size no smaller than the course title's; a name too long
/// even for that is refused, naming the person.
#[test]
fn a_word_longer_than_the_line_is_broken_inside_it_or_refused() {
    let long = "Hubert Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaftschafers";
    let (_tmp, data) = renamed(&[("zsofia-kovacs", long)]);
    let renderer = Renderer::new(&data).unwrap();
    let cohort = data.cohort("ttt-2022-02").unwrap();
    let plan = plan(&data, cohort, day("2022-12-01"), None).unwrap();
    let c = plan.certificates.iter().find(|c| c.name == long).unwrap();
    assert!(renderer.too_long(std::slice::from_ref(c)).is_empty());
    let pdf = renderer
        .render(&data, std::slice::from_ref(c), None)
        .unwrap();
    match pdftotext_with(&pdf, &["-bbox"]) {
        Some(html) => {
            // Every word on the page (A4 landscape is 842 points wide),
            // and the name's inside the 90-point margins of its lines.
            let mut name = String::new();
            for word in html.split("<word ").skip(1) {
                let attr = |name: &str| -> f32 {
                    let at = word.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                    word[at..].split('"').next().unwrap().parse().unwrap()
                };
                let text = word.split('>').nth(1).unwrap().split('<').next().unwrap();
                assert!(attr("xMin") >= 0.0 && attr("xMax") <= 842.0, "{word}");
                if text.len() > 3 && long.contains(text) {
                    assert!(attr("xMin") >= 89.0 && attr("xMax") <= 753.0, "{word}");
                    name.push_str(text);
                }
            }
            assert_eq!(name, long.replace(' ', ""), "the whole name, in two parts");
        }
        None => eprintln!("skipped: poppler's pdftotext is not installed"),
    }
    let mut longer = c.clone();
    longer.name = "Wolfeschlegelsteinhausenbergerdorff".repeat(6);
    assert_eq!(renderer.too_long(std::slice::from_ref(&longer)), [c.person]);
    let refused = renderer.render(&data, &[longer], None).unwrap_err();
    assert!(refused.to_string().contains("zsofia-kovacs"), "{refused}");
}

#[test]
fn a_name_no_font_draws_is_refused_by_person_and_character() {
    let (_tmp, data) = renamed(&[("zsofia-kovacs", "Wang 王芳")]);
    let renderer = Renderer::new(&data).unwrap();
    assert_eq!(renderer.missing("Ann 漢字 Lee 🙂"), ['漢', '字', '🙂']);
    let cohort = data.cohort("ttt-2022-02").unwrap();
    let plan = plan(&data, cohort, day("2022-12-01"), None).unwrap();
    let found = renderer.check(&data, &plan.certificates);
    assert_eq!(
        found.iter().map(|m| m.character).collect::<String>(),
        "王芳"
    );
    assert_eq!(found[0].person, data.person("zsofia-kovacs"));
    assert!(
        found[0].place.contains("zsofia-kovacs"),
        "{}",
        found[0].place
    );
    // PDF/A forbids blank boxes: the renderer refuses rather than print one.
    let wang = plan
        .certificates
        .iter()
        .find(|c| c.name.starts_with("Wang"))
        .unwrap();
    assert!(
        renderer
            .render(&data, std::slice::from_ref(wang), None)
            .is_err()
    );
}

/// The first Train the Trainer certificate as it is reprinted from the
/// ledger: number, code, verify address and QR code included.
fn reprinted(data: &Dataset) -> Vec<u8> {
    let cohort = data.cohort("ttt-2022-02").unwrap();
    let mut plan = plan(data, cohort, day("2022-12-01"), None).unwrap();
    issue(data, &mut plan.certificates, None, day("2022-12-01")).unwrap();
    assert!(plan.certificates[0].number.starts_with("KM-TIP-2022-"));
    Renderer::new(data)
        .unwrap()
        .render(data, &plan.certificates[..1], None)
        .unwrap()
}

/// `FontName`s of the embedded fonts.
fn font_names(pdf: &[u8]) -> Vec<String> {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let mut out = Vec::new();
    for (_, object) in doc.objects.iter() {
        if let Ok(dict) = object.as_dict()
            && dict.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"FontDescriptor")
        {
            out.push(
                String::from_utf8_lossy(dict.get(b"FontName").unwrap().as_name().unwrap())
                    .into_owned(),
            );
        }
    }
    out
}

#[test]
fn fonts_are_embedded_as_subsets_and_certificates_are_small() {
    let data = data();
    let pdf = reprinted(&data);
    // The QR code is a vector path (sharp at any resolution): a few KB.
    assert!(pdf.len() < 36 * 1024, "{} bytes", pdf.len());
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let mut fonts = 0;
    for (_, object) in doc.objects.iter() {
        if let Ok(dict) = object.as_dict()
            && dict.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"FontDescriptor")
        {
            let name = String::from_utf8_lossy(dict.get(b"FontName").unwrap().as_name().unwrap())
                .into_owned();
            // A subset's name: six capitals, `+`, the font.
            assert_eq!(name.find('+'), Some(6), "{name}");
            let file = dict.get(b"FontFile2").unwrap().as_reference().unwrap();
            let stream = doc.get_object(file).unwrap().as_stream().unwrap();
            let bytes = stream
                .decompressed_content()
                .unwrap_or_else(|_| stream.content.clone());
            assert!(
                bytes.len() < 60_000,
                "a subset, not the whole 580 KB font: {} bytes",
                bytes.len()
            );
            fonts += 1;
        }
    }
    assert_eq!(fonts, 2);
}

/// What the file claims: PDF/A-2a and PDF/UA-1 in its XMP, tagged, with a
/// language and an sRGB output intent; no PDF/X claim.
#[test]
fn archival_and_accessible_claims_are_made_and_nothing_else() {
    let data = data();
    let pdf = reprinted(&data);
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let catalog = doc.catalog().unwrap();
    assert_eq!(catalog.get(b"Lang").unwrap().as_str().unwrap(), b"en-GB");
    assert!(catalog.get(b"StructTreeRoot").is_ok());
    let mark = doc
        .dereference(catalog.get(b"MarkInfo").unwrap())
        .unwrap()
        .1
        .as_dict()
        .unwrap();
    assert!(mark.get(b"Marked").unwrap().as_bool().unwrap());
    let intents = doc
        .dereference(catalog.get(b"OutputIntents").unwrap())
        .unwrap()
        .1
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(intents.len(), 1);
    let xmp = doc
        .dereference(catalog.get(b"Metadata").unwrap())
        .unwrap()
        .1
        .as_stream()
        .unwrap()
        .content
        .clone();
    let xmp = String::from_utf8_lossy(&xmp);
    assert!(xmp.contains("<pdfaid:part>2</pdfaid:part>"), "{xmp}");
    assert!(
        xmp.contains("<pdfaid:conformance>A</pdfaid:conformance>"),
        "{xmp}"
    );
    assert!(xmp.contains("<pdfuaid:part>1</pdfuaid:part>"), "{xmp}");
    assert!(
        !String::from_utf8_lossy(&pdf).contains("GTS_PDFX"),
        "no PDF/X claim"
    );
}

#[test]
fn same_data_same_bytes_in_parallel_or_not() {
    let data = data();
    let cohort = data.cohort("l2-2022-01-maidstone").unwrap();
    let plan = plan(&data, cohort, day("2022-12-01"), None).unwrap();
    let renderer = Renderer::new(&data).unwrap();
    let one = |c| {
        renderer
            .render(&data, std::slice::from_ref(c), None)
            .unwrap()
    };
    let serial: Vec<Vec<u8>> = plan.certificates.iter().map(one).collect();
    let parallel: Vec<Vec<u8>> = std::thread::scope(|s| {
        let handles: Vec<_> = plan
            .certificates
            .iter()
            .map(|c| s.spawn(move || one(c)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(serial, parallel);
    let again = Renderer::new(&data)
        .unwrap()
        .render(&data, &plan.certificates[..1], None)
        .unwrap();
    assert_eq!(serial[0], again);
}

#[test]
fn only_completers_earn_certificates() {
    let data = data();
    let ttt = data.cohort("ttt-2022-02").unwrap();
    let p = plan(&data, ttt, day("2022-12-01"), None).unwrap();
    assert_eq!(p.certificates.len(), 3);
    let abdi = data.person("abdi-warsame").unwrap();
    assert_eq!(
        p.not_earned,
        [(
            abdi,
            "did not attend enough sessions (1 of 2; needs 100% of 2)".to_string()
        )]
    );
    // Before the course is over.
    let p = plan(&data, ttt, day("2022-02-09"), None).unwrap();
    assert!(p.certificates.is_empty());
    assert!(
        p.not_earned[0].1.starts_with("the course is not over yet"),
        "{:?}",
        p.not_earned
    );
    // A cancelled cohort.
    let cancelled = data.cohort("l2-2022-06-ashford").unwrap();
    let p = plan(&data, cancelled, day("2022-12-01"), None).unwrap();
    assert!(
        p.not_earned
            .iter()
            .all(|(_, why)| why == "the cohort was cancelled")
    );
}

#[test]
fn courses_without_certificates_are_refused() {
    let data = data();
    let webinars = data.cohort("webinars-2022").unwrap();
    let refusal = plan(&data, webinars, day("2022-12-01"), None).unwrap_err();
    assert_eq!(
        refusal.to_string(),
        "`trainers-webinars` gives no certificates (`certificate: false` in its course)"
    );
}

/// The example programme's signer (its key is a test fixture).
fn signer(data: &Dataset) -> Signer {
    let pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/keys/example-issuer.pem"
    ))
    .unwrap();
    let key = Key::from_pem(&pem).unwrap();
    let issuer = Issuer::new(
        data.programme().site_url.as_deref().unwrap(),
        &data.programme().name,
        key.public(),
    )
    .unwrap();
    Signer { key, issuer }
}

#[test]
fn issued_certificates_keep_their_ledger_numbers_and_new_ones_come_next() {
    let data = data();
    let signer = signer(&data);
    let today = day("2023-01-10");
    // Everyone in the January cohort is in the ledger: nothing new.
    let cohort = data.cohort("l2-2022-01-maidstone").unwrap();
    let mut all = plan(&data, cohort, today, None).unwrap().certificates;
    let issued = issue(&data, &mut all, Some(&signer), today).unwrap();
    assert!(issued.new.is_empty());
    let priya = data.person("priya-sharma").unwrap();
    let row = data
        .certificates()
        .iter()
        .find(|r| r.person == priya)
        .unwrap();
    let from_all = all.iter().find(|c| c.person == priya).unwrap();
    assert_eq!((&from_all.number, &from_all.code), (&row.number, &row.code));
    // The same certificate whichever others are printed, and signed alike.
    let mut one = plan(&data, cohort, today, Some(priya))
        .unwrap()
        .certificates;
    let again = issue(&data, &mut one, Some(&signer), today).unwrap();
    assert_eq!(one[0].number, from_all.number);
    let k = all.iter().position(|c| c.person == priya).unwrap();
    assert_eq!(again.credentials[0], issued.credentials[k]);
    // The Dartford cohort is not: it takes the next numbers of 2022.
    let last = data
        .certificates()
        .iter()
        .filter_map(|r| r.number.strip_prefix("KM-TIP-2022-"))
        .map(|n| n.parse::<u32>().unwrap())
        .max()
        .unwrap();
    let december = data.cohort("l2-2022-10-dartford").unwrap();
    let mut new = plan(&data, december, today, None).unwrap().certificates;
    assert!(!new.is_empty());
    let issued = issue(&data, &mut new, Some(&signer), today).unwrap();
    let numbers: Vec<&str> = new.iter().map(|c| c.number.as_str()).collect();
    let expected: Vec<String> = (1..=new.len())
        .map(|k| format!("KM-TIP-2022-{:06}", last + k as u32))
        .collect();
    assert_eq!(numbers, expected);
    assert_eq!(issued.new.len(), new.len());
    assert_eq!(issued.new[0].issued, Some(today), "issued today");
    assert_eq!(issued.new[0].key, "key-1");
    assert_eq!(
        issued.new[0].credential, issued.credentials[0],
        "what was signed is recorded"
    );
    // The code is the signature's.
    for (c, token) in new.iter().zip(&issued.credentials) {
        assert_eq!(c.code, tip_credential::code_of(token));
        assert!(tip_credential::verify(token, &signer.issuer.keys[0].key));
    }
    // A draft numbers nothing new.
    let mut drafts = plan(&data, december, today, None).unwrap().certificates;
    let none = issue(&data, &mut drafts, None, today).unwrap();
    assert!(none.new.is_empty() && none.credentials.is_empty());
    assert!(drafts.iter().all(|c| c.number == "DRAFT"));
    let csv = register(&data, &all);
    assert!(csv.starts_with("number,code,person,course,date\n"));
    assert!(csv.contains(&format!(
        "{},{},priya-sharma,l2-trauma-awareness,2022-01-18\n",
        from_all.number, from_all.code
    )));
}

/// The credential's criteria say each condition once: "Open to: everyone
/// who has completed X", not "…, when you have completed X" again.
#[test]
fn criteria_say_each_condition_once() {
    let data = data();
    for course in data.courses().iter() {
        let ix = data.course(&course.id).unwrap();
        let text = tip_certificate::criteria(&data, ix);
        for other in data.courses().iter() {
            assert!(
                text.matches(other.title.as_str()).count() <= 1,
                "{}: {text}",
                course.id
            );
        }
    }
    let l2 = data.course("l2-trauma-awareness").unwrap();
    assert_eq!(
        tip_certificate::criteria(&data, l2),
        "Attend every session of the course. Open to: Everyone who has completed Becoming Trauma Informed."
    );
}

/// An embedder issues and records in one call: the new rows are in the
/// ledger file afterwards, and the next call, on the data as reloaded,
/// reprints them under the same numbers and records nothing.
#[test]
fn issue_and_record_numbers_and_records_in_one_call() {
    let (tmp, data) = renamed(&[]);
    let signer = signer(&data);
    let today = day("2023-01-10");
    let december = data.cohort("l2-2022-10-dartford").unwrap();
    let request = || tip_certificate::Request {
        signer: Some(&signer),
        today,
        reissue: &[],
    };
    let mut new = plan(&data, december, today, None).unwrap().certificates;
    let recorded = tip_certificate::issue_and_record(&data, &mut new, request()).unwrap();
    assert_eq!(recorded.issuance.new.len(), new.len());
    let file = recorded.file.expect("new rows were recorded");
    let ledger = std::fs::read_to_string(&file).unwrap();
    for c in &new {
        assert!(ledger.contains(&c.number), "{} not in the ledger", c.number);
    }
    assert!(recorded.cleaned.is_empty());
    // Reloaded, the same run reprints: same numbers, nothing new.
    let data = Dataset::load(tmp.path().join("data")).unwrap().0;
    let december = data.cohort("l2-2022-10-dartford").unwrap();
    let mut again = plan(&data, december, today, None).unwrap().certificates;
    let reprint = tip_certificate::issue_and_record(&data, &mut again, request()).unwrap();
    assert!(reprint.issuance.new.is_empty() && reprint.file.is_none());
    let numbers = |cs: &[tip_certificate::Certificate]| -> Vec<String> {
        cs.iter().map(|c| c.number.clone()).collect()
    };
    assert_eq!(numbers(&again), numbers(&new));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), ledger);
}
