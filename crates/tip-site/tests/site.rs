//! The public site built from the example data: links, accessibility,
//! privacy, calendars, packs, and the bulletin.

use std::collections::BTreeMap;
use std::io::Read;

use chrono::{DateTime, NaiveDate};
use sha2::{Digest, Sha256};
use tip_core::Dataset;
use tip_core::model::Status;
use tip_site::bulletin::{self, Window};
use tip_site::{pack, site};

mod common;

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

/// The example's key (a test fixture) and its issuer.
fn key_and_issuer(data: &tip_core::Dataset) -> (tip_credential::Key, tip_credential::Issuer) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let pem =
        std::fs::read_to_string(format!("{root}/tests/fixtures/keys/example-issuer.pem")).unwrap();
    let key = tip_credential::Key::from_pem(&pem).unwrap();
    let p = data.programme();
    let issuer =
        tip_credential::Issuer::new(p.site_url.as_deref().unwrap(), &p.name, key.public()).unwrap();
    (key, issuer)
}

fn build() -> BTreeMap<String, Vec<u8>> {
    let data = data();
    let (key, issuer) = key_and_issuer(&data);
    let opts = site::Options {
        as_of: day("2022-09-01"),
        stamp: DateTime::from_timestamp(1_661_990_400, 0).unwrap(),
        months: 6,
        issuer: Some(issuer),
        signing_key: Some(key),
        previous: Default::default(),
        previous_status: Default::default(),
    };
    site::build(&data, &opts).unwrap().into_iter().collect()
}

/// Every issued certificate has a page at `verify/<code>/`: its status,
/// the course, and the holder's initials — never a name or an email.
#[test]
fn every_issued_certificate_has_a_verify_page_without_the_name() {
    let data = data();
    let site = build();
    assert!(site.contains_key(".well-known/did.json"));
    assert!(site.contains_key("issuer.json"));
    for cert in data.certificates() {
        let page =
            String::from_utf8(site[&format!("verify/{}/index.html", cert.code)].clone()).unwrap();
        let person = &data[cert.person];
        assert!(page.contains(&cert.number), "{page}");
        for private in [person.name.as_str(), person.email.as_deref().unwrap_or("@")] {
            assert!(!page.contains(private), "{private} on {}", cert.code);
        }
        assert_eq!(
            page.contains("Revoked on"),
            cert.revoked.is_some(),
            "{}",
            cert.number
        );
    }
    // The revocation list has exactly the revoked certificates' bits.
    let token = String::from_utf8(site["status/2022.jwt"].clone()).unwrap();
    let (_, issuer) = key_and_issuer(&data);
    assert!(tip_credential::verify(token.trim(), &issuer.keys[0].key));
    let claims = tip_credential::claims_unverified(token.trim()).unwrap();
    let revoked: Vec<u32> = data
        .certificates()
        .iter()
        .filter(|c| c.revoked.is_some())
        .map(|c| c.number[12..].parse().unwrap())
        .collect();
    assert!(!revoked.is_empty(), "the example revokes one");
    assert_eq!(
        claims["credentialSubject"]["encodedList"],
        tip_credential::encoded_list(&revoked, 43).as_str()
    );
}

fn attributes<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let needle = format!("{name}=\"");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut out = Vec::new();
            f.read_to_end(&mut out).unwrap();
            (f.name().unwrap().to_string(), out)
        })
        .collect()
}

#[test]
fn every_local_link_resolves() {
    let files = build();
    let mut checked = 0;
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8(bytes.clone()).unwrap();
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        for link in attributes(&html, "href")
            .into_iter()
            .chain(attributes(&html, "src"))
        {
            if link.starts_with("http")
                || link.starts_with("mailto:")
                || link.starts_with("webcal:")
                || link.starts_with('#')
            {
                continue;
            }
            let mut parts: Vec<&str> = if dir.is_empty() {
                Vec::new()
            } else {
                dir.split('/').collect()
            };
            for part in link.split('#').next().unwrap().split('/') {
                match part {
                    ".." => {
                        parts.pop();
                    }
                    "." | "" => {}
                    p => parts.push(p),
                }
            }
            let target = parts.join("/");
            assert!(
                files.contains_key(&target),
                "{path} links to {link}, which is not in the site"
            );
            checked += 1;
        }
    }
    assert!(checked > 50, "{checked}");
}

#[test]
fn pages_have_a_language_and_images_alt_text() {
    for (path, bytes) in build().iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8(bytes.clone()).unwrap();
        assert!(html.contains("<html lang=\"en-GB\">"), "{path}");
        assert!(html.contains("<main"), "{path} has a main landmark");
        assert_eq!(html.matches("<h1").count(), 1, "{path} has one h1");
        for img in html
            .match_indices("<img")
            .map(|(i, _)| &html[i..i + html[i..].find('>').unwrap()])
        {
            assert!(img.contains(" alt=\""), "{path}: {img}");
        }
        assert!(!html.contains("<script"), "{path} needs no JavaScript");
    }
}

#[test]
fn no_learner_is_named_anywhere_public() {
    let data = data();
    let files = build();
    let mut texts: Vec<(String, String)> = Vec::new();
    for (path, bytes) in &files {
        if path.ends_with(".zip") {
            for (inner, b) in unzip(bytes) {
                texts.push((
                    format!("{path}/{inner}"),
                    String::from_utf8_lossy(&b).into_owned(),
                ));
            }
        } else {
            texts.push((
                path.clone(),
                String::from_utf8_lossy(bytes)
                    .into_owned()
                    .replace("\r\n ", ""),
            ));
        }
    }
    let trainers: Vec<_> = data
        .cohorts()
        .iter()
        .flat_map(|c| c.trainers.clone())
        .collect();
    let organiser = data
        .programme()
        .organiser
        .as_ref()
        .and_then(|o| o.email.clone())
        .unwrap();
    for p in data.person_ixs() {
        let person = &data[p];
        for (path, text) in &texts {
            if let Some(email) = &person.email {
                assert!(!text.contains(email.as_str()), "{email} in {path}");
            }
            if !trainers.contains(&p) {
                assert!(
                    !text.contains(person.name.as_str()),
                    "learner {} in {path}",
                    person.name
                );
            }
        }
    }
    assert!(
        texts.iter().any(|(_, t)| t.contains(&organiser)),
        "the organiser is the contact"
    );
}

#[test]
fn calendars_parse_and_webcal_links_are_offered() {
    let files = build();
    let mut n = 0;
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".ics")) {
        let cal: icalendar::Calendar = String::from_utf8(bytes.clone())
            .unwrap()
            .parse()
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(cal.property_value("VERSION").is_some(), "{path}");
        n += 1;
    }
    assert!(n >= 1 + 5 + 4 + 11, "all, regions, tiers, courses: {n}");
    let index = String::from_utf8(files["index.html"].clone()).unwrap();
    assert!(index.contains("webcal://tip.kent-medway.example.org/calendars/all.ics"));
}

#[test]
fn the_l2_pack_checksums_match_its_files() {
    let files = build();
    let zipped = unzip(&files["packs/l2-trauma-awareness.zip"]);
    let manifest: serde_json::Value = serde_json::from_slice(&zipped["manifest.json"]).unwrap();
    let items = manifest["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let mut files_checked = 0;
    for item in items {
        if let Some(path) = item["path"].as_str() {
            let bytes = &zipped[path];
            assert_eq!(
                item["sha256"].as_str().unwrap(),
                pack::hex(&Sha256::digest(bytes))
            );
            assert_eq!(item["bytes"].as_u64().unwrap(), bytes.len() as u64);
            files_checked += 1;
        } else {
            assert!(
                item["url"].as_str().unwrap().starts_with("https://"),
                "links are listed, not fetched"
            );
        }
    }
    assert_eq!(files_checked, 1);
    assert!(zipped.contains_key("index.html") && zipped.contains_key("README.md"));
    for name in zipped.keys() {
        assert!(!name.starts_with('/') && !name.contains(".."), "{name}");
    }
}

#[test]
fn packs_are_reproducible() {
    let data = data();
    let p = pack::for_role(&data, data.role("manager").unwrap());
    let a = pack::zip(&pack::files(&data, &p).unwrap());
    let b = pack::zip(&pack::files(&data, &p).unwrap());
    assert_eq!(a, b);
    assert!(p.resources.len() >= 3, "{:?}", p.resources);
}

#[test]
fn the_bulletin_lists_exactly_the_upcoming_sessions() {
    let data = data();
    // June to October 2022: a cancelled cohort, runs of one session and
    // of several.
    let window = Window {
        from: day("2022-06-01"),
        months: 5,
    };
    let md = bulletin::markdown(&data, window).unwrap();
    let dates = &md[md.find("## Tier").unwrap()..md.find("## Resources").unwrap()];
    // One line a run (a cohort starting in the window, or a series of
    // drop-in sessions under way), however many sessions it has.
    let listed = dates.lines().filter(|l| l.starts_with("- **")).count();
    let cancelled_listed = dates.lines().filter(|l| l.starts_with("- ~~")).count();
    let mut expected = 0;
    let mut cancelled = 0;
    let in_window = |d: NaiveDate| d >= window.from && d <= window.until();
    for (ix, c) in data.cohort_ixs() {
        let sessions = data.sessions(ix);
        let starts = sessions.first().map(|s| s.date());
        let drop_in = matches!(
            data[c.course].format,
            tip_core::model::Format::Webinar | tip_core::model::Format::Network
        );
        let continuing = drop_in && sessions.iter().any(|s| in_window(s.date()));
        if starts.is_some_and(in_window) || continuing {
            if c.status == Status::Cancelled {
                cancelled += 1
            } else {
                expected += 1
            }
        }
    }
    assert_eq!((listed, cancelled_listed), (expected, cancelled));
    assert!(cancelled > 0 && expected > 0);
    insta::assert_snapshot!(md);
}

/// The site's bulletin takes its dates from the rows its other pages show,
/// `bulletin::markdown` from `bulletin::context`: the same page either way.
#[test]
fn the_sites_bulletin_is_the_bulletin_of_its_window() {
    let data = data();
    let site = build();
    let window = Window {
        from: day("2022-09-01"),
        months: 6,
    };
    let alone = bulletin::markdown(&data, window).unwrap();
    assert!(
        alone.contains("### [L2 Multi-agency Trauma Awareness](https://tip.kent-medway.example.org/courses/l2-trauma-awareness.html)\n"),
        "{alone}"
    );
    assert!(
        alone.contains("- **Tuesday 13 September 2022**, 9:30am to 4pm"),
        "{alone}"
    );
    assert_eq!(String::from_utf8_lossy(&site["bulletin.md"]), alone);
}

#[test]
fn templates_can_be_overridden_from_the_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/kent-medway");
    common::copy(std::path::Path::new(src), dir.path());
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(
        dir.path().join("templates/bulletin.md"),
        "Our own bulletin for {{ programme.name }}\n",
    )
    .unwrap();
    let (data, _) = Dataset::load(dir.path()).unwrap();
    let md = bulletin::markdown(
        &data,
        Window {
            from: day("2022-09-01"),
            months: 1,
        },
    )
    .unwrap();
    assert_eq!(
        md,
        "Our own bulletin for Kent and Medway Trauma Informed Practice\n"
    );
}

/// The progress over time lists each date once: `as_of` ends its year and
/// every later year of the vision, and was once listed for each.
#[test]
fn progress_over_time_lists_each_date_once() {
    let site = build();
    let page = String::from_utf8(site["progress.html"].clone()).unwrap();
    let table = &page[page
        .find("at the end of each year</caption>")
        .expect("the table")..];
    let dates: Vec<&str> = table
        .split("<th scope=\"row\">")
        .skip(1)
        .map(|row| &row[..row.find('<').unwrap()])
        .collect();
    assert!(dates.len() >= 2, "{dates:?}");
    let mut unique = dates.clone();
    unique.dedup();
    assert_eq!(unique, dates);
    assert_eq!(
        dates.last(),
        Some(&"1 September 2022"),
        "it ends on the day it is built for"
    );
}
