//! Certificates read back: text, fonts, reproducibility, missing glyphs.

use chrono::NaiveDate;
use tip_certificate::{Renderer, plan, register};
use tip_core::Dataset;

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

fn text_of(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).unwrap()
}

#[test]
fn the_certificate_says_who_what_and_its_number() {
    let data = data();
    let cohort = data.cohort("ttt-2022-02").unwrap();
    let plan = plan(&data, cohort, day("2022-12-01"), None, b"").unwrap();
    let renderer = Renderer::new(&data, None).unwrap();
    let zsofia = plan
        .certificates
        .iter()
        .find(|c| c.name == "Zsófia Kovács")
        .unwrap();
    let pdf = renderer.render(&data, std::slice::from_ref(zsofia), Some(1_669_852_800));
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

#[test]
fn greek_cyrillic_and_welsh_names_print() {
    let data = data();
    let cohort = data.cohort("ambassador-plus-2022").unwrap();
    let plan = plan(&data, cohort, day("2022-12-01"), None, b"").unwrap();
    let renderer = Renderer::new(&data, None).unwrap();
    assert!(renderer.check(&data, &plan.certificates).is_empty());
    let pdf = renderer.render(&data, &plan.certificates, None);
    let text = text_of(&pdf);
    assert!(
        text.contains("Αθηνά Παπαδοπούλου") && text.contains("Олена Коваленко"),
        "{text}"
    );
    for name in [
        "Ŵyn Price",
        "Nguyễn Thị Minh",
        "Łukasz Nowak",
        "Şebnem Yılmaz",
        "Дмитрий Волков",
    ] {
        assert!(renderer.missing(name).is_empty(), "{name}");
    }
}

#[test]
fn a_missing_glyph_is_named_not_drawn_as_a_box() {
    let data = data();
    let renderer = Renderer::new(&data, None).unwrap();
    assert_eq!(renderer.missing("Ann 漢字 Lee 🙂"), ['漢', '字', '🙂']);
    let cohort = data.cohort("ttt-2022-02").unwrap();
    let mut plan = plan(&data, cohort, day("2022-12-01"), None, b"").unwrap();
    plan.certificates[0].name = "Zsófia 漢 Kovács".into();
    let found = renderer.check(&data, &plan.certificates[..1]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].character, '漢');
    assert!(
        found[0].place.contains("zsofia-kovacs"),
        "{}",
        found[0].place
    );
}

#[test]
fn fonts_are_embedded_as_subsets() {
    let data = data();
    let cohort = data.cohort("ttt-2022-02").unwrap();
    let plan = plan(&data, cohort, day("2022-12-01"), None, b"").unwrap();
    let pdf = Renderer::new(&data, None)
        .unwrap()
        .render(&data, &plan.certificates[..1], None);
    assert!(pdf.len() < 32 * 1024, "{} bytes", pdf.len());
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let mut fonts = 0;
    for (_, object) in doc.objects.iter() {
        if let Ok(dict) = object.as_dict() {
            if dict.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"FontDescriptor") {
                let name =
                    String::from_utf8_lossy(dict.get(b"FontName").unwrap().as_name().unwrap())
                        .into_owned();
                assert!(
                    name.starts_with("TIPREG+") || name.starts_with("TIPBLD+"),
                    "{name}"
                );
                let file = dict.get(b"FontFile2").unwrap().as_reference().unwrap();
                let stream = doc.get_object(file).unwrap().as_stream().unwrap();
                let bytes = stream
                    .decompressed_content()
                    .unwrap_or_else(|_| stream.content.clone());
                assert!(
                    bytes.len() < 200_000,
                    "a subset, not the whole 750 KB font: {} bytes",
                    bytes.len()
                );
                fonts += 1;
            }
        }
    }
    assert_eq!(fonts, 2);
}

#[test]
fn same_data_same_bytes_in_parallel_or_not() {
    let data = data();
    let cohort = data.cohort("l2-2022-01-maidstone").unwrap();
    let plan = plan(&data, cohort, day("2022-12-01"), None, b"").unwrap();
    let renderer = Renderer::new(&data, None).unwrap();
    let one = |c| renderer.render(&data, std::slice::from_ref(c), None);
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
    let again = Renderer::new(&data, None)
        .unwrap()
        .render(&data, &plan.certificates[..1], None);
    assert_eq!(serial[0], again);
}

#[test]
fn only_completers_earn_certificates() {
    let data = data();
    let ttt = data.cohort("ttt-2022-02").unwrap();
    let p = plan(&data, ttt, day("2022-12-01"), None, b"").unwrap();
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
    let p = plan(&data, ttt, day("2022-02-09"), None, b"").unwrap();
    assert!(p.certificates.is_empty());
    assert!(
        p.not_earned[0].1.starts_with("the course is not over yet"),
        "{:?}",
        p.not_earned
    );
    // A cancelled cohort.
    let cancelled = data.cohort("l2-2022-06-ashford").unwrap();
    let p = plan(&data, cancelled, day("2022-12-01"), None, b"").unwrap();
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
    let refusal = plan(&data, webinars, day("2022-12-01"), None, b"").unwrap_err();
    assert_eq!(
        refusal.to_string(),
        "`trainers-webinars` gives no certificates (`certificate: false` in its course)"
    );
}

#[test]
fn numbers_are_stable_and_the_register_lists_them() {
    let data = data();
    let cohort = data.cohort("l2-2022-01-maidstone").unwrap();
    let all = plan(&data, cohort, day("2022-12-01"), None, b"").unwrap();
    let priya = data.person("priya-sharma").unwrap();
    let one = plan(&data, cohort, day("2022-12-01"), Some(priya), b"").unwrap();
    let from_all = all.certificates.iter().find(|c| c.person == priya).unwrap();
    assert_eq!(
        one.certificates[0].number, from_all.number,
        "the same whichever certificates are printed"
    );
    assert_eq!(one.certificates[0].code, from_all.code);
    let mut numbers: Vec<_> = all.certificates.iter().map(|c| c.number.clone()).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), all.certificates.len(), "distinct");
    let csv = register(&data, &all.certificates);
    assert!(csv.starts_with("number,code,person,course,date\n"));
    assert!(csv.contains(&format!(
        "{},{},priya-sharma,l2-trauma-awareness,2022-01-18\n",
        from_all.number, from_all.code
    )));
    let keyed = plan(&data, cohort, day("2022-12-01"), Some(priya), b"a secret").unwrap();
    assert_ne!(
        keyed.certificates[0].code, from_all.code,
        "TIP_CERT_SECRET keys the code"
    );
}
