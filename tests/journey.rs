//! A coordinator's year, end to end, with the real `tip` in a temporary
//! folder: start a programme, add courses, people and dates, validate,
//! publish, send the bulletin, take applications from a form, place them,
//! move a date, take the register, print certificates, revoke and
//! re-issue one, publish again — and check what each person would see.
//!
//! This is the project's end-to-end contract: when a capability changes,
//! this test changes with it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use support::{edit, s, walk};

/// Seconds since 1970 of a day, as `SOURCE_DATE_EPOCH` ("today").
fn epoch(day: &str) -> String {
    let d: chrono::NaiveDate = day.parse().unwrap();
    d.and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp()
        .to_string()
}

/// The coordinator's terminal: `tip` on a given day, with the signing key
/// once there is one.
struct Desk {
    home: PathBuf,
    key: Option<PathBuf>,
}

impl Desk {
    /// Run `tip args` on `day`; exit code and standard error.
    fn tip(&self, day: &str, args: &[&str]) -> (i32, String) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tip"));
        cmd.args(args)
            .current_dir(&self.home)
            .env("NO_COLOR", "1")
            .env("SOURCE_DATE_EPOCH", epoch(day))
            .env_remove("TIP_SIGNING_KEY");
        if let Some(key) = &self.key {
            cmd.env("TIP_SIGNING_KEY", key);
        }
        let out = cmd.output().expect("tip runs");
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Run it and insist on success.
    #[track_caller]
    fn ok(&self, day: &str, args: &[&str]) -> String {
        let (code, err) = self.tip(day, args);
        assert_eq!(code, 0, "tip {}\n{err}", args.join(" "));
        err
    }
}

/// The `SEQUENCE` and `DTSTAMP` of each event of a calendar, by UID.
fn sequences(ics: &Path) -> std::collections::BTreeMap<String, (u32, String)> {
    let text = fs::read_to_string(ics).unwrap().replace("\r\n ", "");
    let mut out = std::collections::BTreeMap::new();
    for event in text.split("BEGIN:VEVENT").skip(1) {
        let field = |name: &str| {
            event
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .unwrap()
                .to_owned()
        };
        out.insert(
            field("UID:"),
            (field("SEQUENCE:").parse().unwrap(), field("DTSTAMP:")),
        );
    }
    out
}

#[test]
fn a_coordinators_year() {
    let tmp = tempfile::tempdir().unwrap();
    let mut desk = Desk {
        home: tmp.path().to_owned(),
        key: None,
    };
    let data = tmp.path().join("our-programme");

    // January: a new programme, which validates and builds as it stands.
    desk.ok(
        "2026-01-05",
        &[
            "init",
            "our-programme",
            "--name",
            "Our Trauma Informed Programme",
        ],
    );
    let err = desk.ok("2026-01-05", &["validate", "our-programme"]);
    assert!(err.contains("0 errors, 0 warnings"), "{err}");
    desk.ok("2026-01-05", &["build", "our-programme", "-o", "site"]);
    let (code, err) = desk.tip("2026-01-05", &["init", "our-programme"]);
    assert_eq!(code, 2, "a folder with files is refused: {err}");

    // The coordinator makes the programme theirs: a site, a key, a second
    // course, a second date, the first learners.
    desk.ok("2026-01-05", &["keys", "new", "-o", "keys/issuer.pem"]);
    fs::create_dir_all(data.join("keys")).unwrap();
    fs::copy(
        tmp.path().join("keys/issuer.pub.pem"),
        data.join("keys/issuer.pub.pem"),
    )
    .unwrap();
    desk.key = Some(tmp.path().join("keys/issuer.pem"));
    edit(
        &data.join("programme.yaml"),
        "  # site_url: https://training.example.org/",
        "  site_url: https://training.example.org/",
    );
    edit(
        &data.join("programme.yaml"),
        "  # public_key: keys/issuer.pub.pem",
        "  public_key: keys/issuer.pub.pem",
    );
    let courses = fs::read_to_string(data.join("courses.yaml")).unwrap();
    fs::write(
        data.join("courses.yaml"),
        format!(
            "{courses}  - id: online-basics\n    title: Trauma Informed Basics Online\n    tier: 1\n    format: e-learning\n    summary: A one-hour online course to start with.\n    url: https://learning.example.org/basics\n    minutes: 60\n    cost: free\n"
        ),
    )
    .unwrap();
    let cohorts = fs::read_to_string(data.join("cohorts/cohorts.yaml")).unwrap();
    let first = cohorts
        .lines()
        .find_map(|l| l.trim().strip_prefix("- id: "))
        .unwrap()
        .to_owned();
    fs::write(
        data.join("cohorts/cohorts.yaml"),
        format!(
            "{cohorts}  - id: introduction-2026-03\n    course: introduction\n    venue: main-hall\n    status: confirmed\n    capacity: 3\n    sessions:\n      - {{ start: 2026-03-10T09:30, end: 2026-03-10T12:30 }}\n    enrolled: []\n"
        ),
    )
    .unwrap();
    let mut people = fs::read_to_string(data.join("people.csv")).unwrap();
    for row in [
        "amara-okafor,Amara Okafor,amara.okafor@example.org,Anytown Council,,practitioner,everywhere",
        "bartosz-nowak,Bartosz Nowak,b.nowak@example.org,Anytown NHS Trust,,practitioner,everywhere",
        "catrin-hughes,Catrin Hughes,catrin.hughes@example.org,Anytown Police,,practitioner,everywhere",
    ] {
        people.push_str(row);
        people.push('\n');
    }
    fs::write(data.join("people.csv"), &people).unwrap();
    let err = desk.ok("2026-01-05", &["validate", "our-programme"]);
    assert!(err.contains("0 errors, 0 warnings"), "{err}");
    desk.ok("2026-01-05", &["build", "our-programme", "-o", "site"]);
    assert!(tmp.path().join("site/courses/online-basics.html").is_file());

    // February: the bulletin, as an email to forward.
    desk.ok(
        "2026-02-01",
        &[
            "bulletin",
            "our-programme",
            "--from",
            "2026-02-01",
            "--format",
            "email",
            "-o",
            "bulletin.eml",
        ],
    );
    let eml = fs::read_to_string(tmp.path().join("bulletin.eml")).unwrap();
    assert!(eml.contains("multipart/alternative"), "{eml}");
    assert!(
        eml.contains("Subject: Our Trauma Informed Programme: bulletin, February 2026"),
        "{eml}"
    );

    // Applications arrive as a Google Forms export; one person is new.
    fs::write(
        tmp.path().join("responses.csv"),
        "\u{feff}Timestamp,Email address,Your name,Which course?,Anything else we should know?\n\
         01/02/2026 09:12:40,amara.okafor@example.org,Amara Okafor,Introduction to Trauma Informed Practice,\n\
         02/02/2026 14:03:11,B.Nowak@example.org,Bartosz Nowak,introduction,\"Step-free access, please.\nThank you\"\n\
         03/02/2026 08:45:00,dev.patel@example.org,Dev Patel,Introduction to Trauma Informed Practice,\n",
    )
    .unwrap();
    let (code, err) = desk.tip(
        "2026-02-05",
        &["import", "applications", "our-programme", "responses.csv"],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("dev-patel,Dev Patel,dev.patel@example.org"),
        "{err}"
    );
    let applications = fs::read_to_string(data.join("applications.csv")).unwrap();
    assert_eq!(applications.lines().count(), 3, "{applications}");
    people.push_str(
        "dev-patel,Dev Patel,dev.patel@example.org,Anytown Schools,,practitioner,everywhere\n",
    );
    fs::write(data.join("people.csv"), &people).unwrap();
    let err = desk.ok(
        "2026-02-05",
        &["import", "applications", "our-programme", "responses.csv"],
    );
    assert!(
        err.contains("added 1 application") && err.contains("already"),
        "{err}"
    );

    // Place them, and copy the new lists into the cohort file.
    desk.ok(
        "2026-02-05",
        &[
            "allocate",
            "our-programme",
            "--as-of",
            "2026-02-05",
            "-o",
            "allocation.yaml",
        ],
    );
    let allocation = fs::read_to_string(tmp.path().join("allocation.yaml")).unwrap();
    let enrolled = allocation
        .lines()
        .find(|l| l.trim().starts_with("enrolled:"))
        .unwrap()
        .trim()
        .to_owned();
    assert!(enrolled.contains("amara-okafor"), "{allocation}");
    let target_id = allocation
        .lines()
        .find_map(|l| l.trim().strip_prefix("- id: "))
        .unwrap()
        .to_owned();
    let cohorts = fs::read_to_string(data.join("cohorts/cohorts.yaml")).unwrap();
    let at = cohorts.find(&format!("- id: {target_id}")).unwrap();
    let (before, after) = cohorts.split_at(at);
    fs::write(
        data.join("cohorts/cohorts.yaml"),
        format!("{before}{}", after.replacen("enrolled: []", &enrolled, 1)),
    )
    .unwrap();
    desk.ok("2026-02-05", &["validate", "our-programme"]);
    desk.ok("2026-02-05", &["build", "our-programme", "-o", "site"]);
    let before = sequences(&tmp.path().join("site/calendars/all.ics"));

    // A date moves: only that event's SEQUENCE rises.
    edit(
        &data.join("cohorts/cohorts.yaml"),
        "2026-03-10T09:30, end: 2026-03-10T12:30",
        "2026-03-11T09:30, end: 2026-03-11T12:30",
    );
    desk.ok("2026-02-06", &["build", "our-programme", "-o", "site"]);
    let after = sequences(&tmp.path().join("site/calendars/all.ics"));
    let risen: Vec<&String> = after
        .iter()
        .filter(|(uid, n)| before.get(*uid).is_some_and(|b| n.0 > b.0))
        .map(|(uid, _)| uid)
        .collect();
    assert_eq!(risen.len(), 1, "{before:?} {after:?} {risen:?}");
    assert!(risen[0].contains("introduction-2026-03"), "{risen:?}");
    // Subscribers see only that event change: the others keep the DTSTAMP
    // of the build that last changed them.
    for (uid, (_, stamp)) in &after {
        let expected = if uid == risen[0] {
            "20260206T000000Z"
        } else {
            before[uid].1.as_str()
        };
        assert_eq!(stamp, expected, "{uid}");
    }
    desk.ok(
        "2026-02-06",
        &["calendar", "our-programme", "-o", "all.ics"],
    );

    // The course runs; the register is taken.
    let cohort_of_amara = if target_id == first {
        &first
    } else {
        &target_id
    };
    fs::write(
        data.join("attendance.csv"),
        format!("cohort,person,sessions\n{cohort_of_amara},amara-okafor,all\n{cohort_of_amara},bartosz-nowak,all\n"),
    )
    .unwrap();
    desk.ok("2026-03-20", &["validate", "our-programme"]);

    // Certificates, then one revoked for a misspelt name and re-issued.
    let err = desk.ok(
        "2026-03-20",
        &[
            "certify",
            "our-programme",
            "--cohort",
            cohort_of_amara,
            "--as-of",
            "2026-03-20",
            "-o",
            "certificates",
        ],
    );
    assert!(err.contains("recorded 2 new certificates"), "{err}");
    let prefix = "OUR-PROGRAMME-2026-";
    let ledger = fs::read_to_string(data.join("certificates.csv")).unwrap();
    assert!(ledger.contains(&format!("{prefix}000001")), "{ledger}");
    let number = format!("{prefix}000002");
    desk.ok(
        "2026-03-21",
        &[
            "revoke",
            "our-programme",
            &number,
            "--reason",
            "name misspelt",
        ],
    );
    let (code, err) = desk.tip(
        "2026-03-21",
        &[
            "certify",
            "our-programme",
            "--cohort",
            cohort_of_amara,
            "--as-of",
            "2026-03-21",
            "-o",
            "certificates",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("--reissue"), "not issued again unasked: {err}");
    let err = desk.ok(
        "2026-03-21",
        &[
            "certify",
            "our-programme",
            "--cohort",
            cohort_of_amara,
            "--as-of",
            "2026-03-21",
            "-o",
            "certificates",
            "--reissue",
            &number,
        ],
    );
    assert!(
        err.contains(&format!("{prefix}000003 replaces {number}")),
        "{err}"
    );
    desk.ok("2026-03-21", &["build", "our-programme", "-o", "site"]);

    // What an employer sees: the credentials verify against the site's
    // key, the status list revokes exactly the one, its page links the
    // replacement.
    let site = tmp.path().join("site");
    let did: serde_json::Value =
        serde_json::from_slice(&fs::read(site.join(".well-known/did.json")).unwrap()).unwrap();
    assert_eq!(did["id"], "did:web:training.example.org");
    let public = tip_credential::PublicKey::from_pem(
        &fs::read_to_string(site.join("issuer.pub.pem")).unwrap(),
    )
    .unwrap();
    let mut verified = 0;
    for entry in fs::read_dir(tmp.path().join("certificates")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "svg") {
            let svg = fs::read_to_string(&path).unwrap();
            let token = tip_credential::unbake_svg(&svg).unwrap();
            assert!(tip_credential::verify(token, &public), "{}", path.display());
            verified += 1;
        }
    }
    assert_eq!(verified, 3);
    let list = fs::read_to_string(site.join("status/2026.jwt")).unwrap();
    assert!(tip_credential::verify(list.trim(), &public));
    let (_, revoked) = tip_credential::read_status_list(list.trim()).unwrap();
    assert_eq!(revoked, [2]);
    let ledger = fs::read_to_string(data.join("certificates.csv")).unwrap();
    let code = |n: &str| {
        ledger
            .lines()
            .find(|l| l.starts_with(n))
            .and_then(|l| l.split(',').nth(1))
            .unwrap()
            .to_owned()
    };
    let page =
        fs::read_to_string(site.join(format!("verify/{}/index.html", code(&number)))).unwrap();
    assert!(page.contains("name misspelt"), "{page}");
    assert!(
        page.contains(&format!(
            "../{}/index.html",
            code(&format!("{prefix}000003"))
        )),
        "{page}"
    );
    // Nothing public names a learner.
    for file in walk(&site) {
        let text = String::from_utf8_lossy(&fs::read(&file).unwrap()).into_owned();
        for private in [
            "Amara",
            "Okafor",
            "amara.okafor@example.org",
            "b.nowak@example.org",
        ] {
            assert!(
                !text.contains(private),
                "{} names {private}",
                file.display()
            );
        }
    }
    let err = desk.ok("2026-03-21", &["validate", "our-programme"]);
    assert!(err.contains("0 errors"), "{err}");
    let _ = s(&data);
}

/// docs/guide.md, "Your first programme", run as written: its `sh` blocks
/// in order (with `tip` already installed, and `tip serve` stopped after
/// two seconds, as a person would with Ctrl-C), in a temporary folder that
/// is also `~`; its file blocks applied as the page says (`append`,
/// `uncomment`, `enrol`). The one thing the page leaves to the reader, the
/// form's download, is `responses.csv` here.
#[test]
fn the_guide_runs_as_written() {
    let guide = fs::read_to_string(support::repo().join("docs/guide.md")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    fs::write(
        home.join("responses.csv"),
        "Timestamp,Email address,Your name,Which course?\n\
         01/09/2026 10:04:51,amara.okafor@example.org,Amara Okafor,Introduction to Trauma Informed Practice\n\
         02/09/2026 16:20:09,B.Nowak@example.org,Bartosz Nowak,introduction\n",
    )
    .unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_tip")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |script: &str| {
        let script: String = script
            .lines()
            .filter(|l| !l.starts_with("cargo install"))
            .map(|l| {
                if l.starts_with("tip serve") {
                    format!("timeout 2 {l} || [ $? = 124 ]\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        let out = Command::new("bash")
            .args(["-euo", "pipefail", "-c", &script])
            .current_dir(home)
            .env("HOME", home)
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .env_remove("TIP_SIGNING_KEY")
            .env_remove("SOURCE_DATE_EPOCH")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{script}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let data = home.join("my-programme");
    let mut script = String::new();
    let mut blocks = 0;
    let mut said = String::new();
    for (i, block) in guide.split("```").enumerate() {
        if i % 2 == 0 {
            continue;
        }
        let (info, body) = block.split_once('\n').unwrap();
        let words: Vec<&str> = info.split_whitespace().collect();
        match words.as_slice() {
            ["sh"] => {
                script.push_str(body);
                blocks += 1;
            }
            [_, file, action, rest @ ..] => {
                said.push_str(&run(&script));
                script.clear();
                let path = data.join(file);
                let text = fs::read_to_string(&path).unwrap_or_default();
                let changed = match *action {
                    "append" => format!("{text}{body}"),
                    "uncomment" => body.lines().fold(text, |text, line| {
                        let indent = &line[..line.len() - line.trim_start().len()];
                        let key = line.trim_start().split(':').next().unwrap();
                        let commented = format!("{indent}# {key}:");
                        let at = text
                            .lines()
                            .find(|l| l.starts_with(&commented))
                            .unwrap_or_else(|| {
                                panic!("no `{commented}` line in {file} to uncomment")
                            });
                        text.replacen(at, line, 1)
                    }),
                    "enrol" => {
                        let at = text.find(&format!("- id: {}", rest[0])).unwrap();
                        let (a, b) = text.split_at(at);
                        format!("{a}{}", b.replacen("    enrolled: []", body.trim_end(), 1))
                    }
                    other => panic!("unknown file block `{other}` in the guide"),
                };
                fs::write(&path, changed).unwrap();
            }
            _ => {}
        }
    }
    said.push_str(&run(&script));
    assert!(blocks >= 10, "only {blocks} command blocks");
    // What the page promises along the way.
    assert!(said.contains("0 errors, 0 warnings"), "{said}");
    assert!(home.join("site/index.html").is_file());
    assert!(home.join("bulletin.eml").is_file());
    let applications = fs::read_to_string(data.join("applications.csv")).unwrap();
    assert_eq!(applications.lines().count(), 3, "{applications}");
    let ledger = fs::read_to_string(data.join("certificates.csv")).unwrap();
    assert!(ledger.contains("MY-PROGRAMME-2026-000002"), "{ledger}");
    assert!(ledger.contains("name misspelt"), "{ledger}");
    assert!(home.join("tip-keys/issuer.pem").is_file());
}

/// A learner's path, with the real `tip` on the example: the site's first
/// screen holds the next dates; the e-learning starts in one tap; each run
/// is booked in one tap with access notes and cohort notes beside it; the
/// run's calendar links back to its course page.
#[test]
fn a_learners_path() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = Desk {
        home: tmp.path().to_path_buf(),
        key: None,
    };
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/kent-medway");
    let example = example.to_str().unwrap();
    desk.ok(
        "2022-06-01",
        &["build", example, "-o", "site", "--as-of", "2022-06-01"],
    );
    let read = |p: &str| fs::read_to_string(tmp.path().join("site").join(p)).unwrap();
    let index = read("index.html");
    let dates = index.find("<h2 id=\"dates\">Next dates</h2>").unwrap();
    assert!(dates < index.find("<h2 id=\"tier-1\">").unwrap());
    // A front-line worker starts the e-learning from the front page.
    assert!(index.contains(
        "href=\"https://learning.kent-medway.example.org/becoming-trauma-informed\">Start the course"
    ));
    // A manager books the Dartford run: one tap, with what to know.
    let l2 = read("courses/l2-trauma-awareness.html");
    let card = &l2[l2.find("id=\"run-l2-2022-10-dartford\"").unwrap()..];
    let card = &card[..card.find("\n</li>").unwrap()];
    assert!(card.contains("href=\"mailto:trauma.informed@example.org?subject=Booking%3A"));
    assert!(card.contains("Step-free; quiet room available."));
    assert!(card.contains("Orchard Street car park"));
    // A partner adds it to Outlook: the event links back to the course.
    let ics = read("calendars/runs/l2-2022-10-dartford.ics");
    assert!(
        ics.contains("URL:https://tip.kent-medway.example.org/courses/l2-trauma-awareness.html")
    );
    // Rebuilt later with nothing changed: no event changes.
    let before = sequences(&tmp.path().join("site/calendars/all.ics"));
    desk.ok(
        "2022-06-15",
        &["build", example, "-o", "site", "--as-of", "2022-06-01"],
    );
    assert_eq!(
        sequences(&tmp.path().join("site/calendars/all.ics")),
        before
    );
}
