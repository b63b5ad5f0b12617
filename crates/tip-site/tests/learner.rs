//! The learner's path through the site built from the example data, as a
//! front-line worker on a phone, a manager and a partner with Outlook or
//! Google would follow it: the next dates first, the e-learning started in
//! one tap, each run booked in one tap, every fact the data holds where the
//! dates are, and calendars that link back and change only when an event
//! does.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate};
use tip_core::Dataset;
use tip_site::site;

mod common;

fn data() -> Dataset {
    Dataset::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/kent-medway"
    ))
    .unwrap()
    .0
}

/// The files of `data`'s site as of `as_of` (two months of dates).
fn build(data: &Dataset, as_of: &str) -> BTreeMap<String, Vec<u8>> {
    let opts = site::Options {
        as_of: as_of.parse::<NaiveDate>().unwrap(),
        stamp: DateTime::from_timestamp(1_654_041_600, 0).unwrap(),
        months: 2,
        issuer: None,
        signing_key: None,
        previous: Default::default(),
        previous_status: Default::default(),
    };
    site::build(data, &opts).unwrap().into_iter().collect()
}

/// The site as of `as_of`, its text files by path.
fn site_on(as_of: &str) -> BTreeMap<String, String> {
    build(&data(), as_of)
        .into_iter()
        .filter_map(|(path, bytes)| Some((path, String::from_utf8(bytes).ok()?)))
        .collect()
}

/// The card of a run on a page: from its anchor to its closing `</li>`.
fn card<'a>(html: &'a str, cohort: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"run-{cohort}\""))
        .unwrap_or_else(|| panic!("no card of `{cohort}`"));
    let end = html[at..].find("\n</li>\n").expect("a card ends");
    &html[at..at + end]
}

#[test]
fn the_front_page_leads_with_the_next_dates() {
    let site = site_on("2022-06-01");
    let index = &site["index.html"];
    let dates = index.find("id=\"dates\"").unwrap();
    let offer = index.find("id=\"tier-1\"").unwrap();
    let first_run = index.find("class=\"run").unwrap();
    assert!(
        dates < offer && first_run < offer,
        "dates come before the offer"
    );
    // Before the dates: the header, the title and one sentence.
    let main = index.find("<main").unwrap();
    let words: usize = strip_tags(&index[main..dates]).split_whitespace().count();
    assert!(words < 40, "{words} words before the dates");
    // Each course entry shows its next run, with its place and places.
    let l2 = &index[index.find("courses/l2-trauma-awareness.html\">").unwrap()..];
    let entry = &l2[..l2.find("</li>").unwrap()];
    assert!(
        entry.contains("Next: <a href=\"courses/l2-trauma-awareness.html#run-l2-2022-09-ashford\">Tuesday 13 September 2022</a>, Ashford Gateway, 14 places left"),
        "{entry}"
    );
}

#[test]
fn the_e_learning_course_is_started_in_one_tap() {
    let site = site_on("2022-06-01");
    let start = "href=\"https://learning.kent-medway.example.org/becoming-trauma-informed\"";
    let page = &site["courses/becoming-ti.html"];
    let button = page.find(start).expect("a Start button");
    assert!(
        button < page.find("<dl class=\"summary\"").unwrap(),
        "first"
    );
    assert!(page[button..].starts_with(&format!("{start}>Start the course</a>")));
    assert!(!page.contains("No dates are planned"), "not a dead end");
    assert!(
        site["index.html"].contains(start),
        "and from the front page"
    );
}

#[test]
fn every_bookable_run_is_booked_in_one_tap() {
    let site = site_on("2022-06-01");
    let l2 = &site["courses/l2-trauma-awareness.html"];
    let run = card(l2, "l2-2022-09-ashford");
    let href = run
        .split("class=\"button\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a Book link");
    assert!(href.starts_with("mailto:trauma.informed@example.org?subject="));
    let subject =
        "Booking%3A%20L2%20Multi-agency%20Trauma%20Awareness%2C%20Tuesday%2013%20September%202022";
    assert!(href.contains(subject), "{href}");
    assert!(
        href.contains("Run%3A%20l2-2022-09-ashford"),
        "the body names the run"
    );
    // A form that takes the run's id gets it.
    let webinars = &site["courses/trainers-webinars.html"];
    assert!(
        card(webinars, "webinars-2022")
            .contains("href=\"https://beacon-training.example.org/book?series=webinars-2022\"")
    );
    // A full run offers its waiting list; a cancelled one offers nothing.
    let cancelled = card(l2, "l2-2022-06-ashford");
    assert!(!cancelled.contains("Book a place"));
}

#[test]
fn few_places_and_a_full_run_say_so() {
    let site = site_on("2022-06-01");
    let dec = card(
        &site["courses/l2-trauma-awareness.html"],
        "l2-2022-12-maidstone",
    );
    assert!(
        dec.contains("Few places left") && dec.contains("3 left"),
        "{dec}"
    );
    // With three people enrolled, the run of three is full: its link joins
    // the waiting list.
    let tmp = tempfile::tempdir().unwrap();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/kent-medway");
    common::copy(std::path::Path::new(root), tmp.path());
    let file = tmp.path().join("cohorts/l2-2022.yaml");
    let text = std::fs::read_to_string(&file).unwrap().replace(
        "      - { start: 2022-12-06T09:30, end: 2022-12-06T16:00 }\n",
        "      - { start: 2022-12-06T09:30, end: 2022-12-06T16:00 }\n    enrolled: [sian-llewelyn, nguyen-thi-minh, zoe-obrien]\n",
    );
    std::fs::write(&file, text).unwrap();
    let (data, _) = Dataset::load(tmp.path()).unwrap();
    let files = build(&data, "2022-06-01");
    let page = String::from_utf8(files["courses/l2-trauma-awareness.html"].clone()).unwrap();
    let full = card(&page, "l2-2022-12-maidstone");
    assert!(
        full.contains(">Full<") && full.contains("Join the waiting list"),
        "{full}"
    );
    assert!(full.contains("subject=Waiting%20list%3A%20"), "{full}");
}

#[test]
fn access_notes_cohort_notes_and_cancellations_are_where_the_dates_are() {
    let site = site_on("2022-06-01");
    let l2 = &site["courses/l2-trauma-awareness.html"];
    let dartford = card(l2, "l2-2022-10-dartford");
    assert!(dartford.contains("<dt>Access</dt><dd>Step-free; quiet room available.</dd>"));
    assert!(dartford.contains("Orchard Street car park"), "cohort notes");
    assert!(dartford.contains("openstreetmap.org"), "a map link");
    let cancelled = card(l2, "l2-2022-06-ashford");
    assert!(cancelled.contains("Cancelled because the trainer is unwell"));
    assert!(cancelled.contains(
        "href=\"../courses/l2-trauma-awareness.html#run-l2-2022-09-ashford\">Tuesday 13 September 2022</a>"
    ));
    // The cancelled run is not the first card of the page.
    assert!(
        l2.find("run-l2-2022-06-ashford").unwrap() > l2.find("run-l2-2022-12-maidstone").unwrap()
    );
}

#[test]
fn a_run_of_several_sessions_is_one_run_counted_once() {
    let site = site_on("2022-01-10");
    let page = &site["courses/ambassador-north.html"];
    assert_eq!(page.matches("id=\"run-ambassador-north-2022\"").count(), 1);
    let run = card(page, "ambassador-north-2022");
    assert!(run.contains("<h3 class=\"run-when\">4 sessions: "), "{run}");
    assert_eq!(run.matches(" left</dd>").count(), 1, "places once");
    assert_eq!(run.matches("Book a place").count(), 1);
}

#[test]
fn past_runs_that_never_ran_are_not_held_and_ended_programmes_invite_no_interest() {
    let site = site_on("2023-01-10");
    let l2 = &site["courses/l2-trauma-awareness.html"];
    let planned = card(l2, "l2-2022-12-maidstone");
    assert!(
        planned.contains("Not confirmed") && !planned.contains("Held"),
        "{planned}"
    );
    assert!(card(l2, "l2-2022-10-dartford").contains(">Held<"));
    let index = &site["index.html"];
    let past = index
        .find("id=\"past-programmes\"")
        .expect("past programmes");
    assert!(index[past..].contains("courses/ambassador-pilot.html"));
    let offer = &index[..past];
    assert!(!offer.contains("courses/ambassador-pilot.html\">"));
    let pilot = &site["courses/ambassador-pilot.html"];
    assert!(pilot.contains("This programme ended on 31 July 2021"));
    assert!(!pilot.contains("Register your interest"));
}

#[test]
fn each_run_has_its_own_calendar_with_the_feeds_uids() {
    let data = data();
    let site = site_on("2022-06-01");
    let uids = |ics: &str| -> Vec<String> {
        ics.lines()
            .filter_map(|l| l.strip_prefix("UID:"))
            .map(str::to_owned)
            .collect()
    };
    let all = uids(&site["calendars/all.ics"]);
    let today: NaiveDate = "2022-06-01".parse().unwrap();
    for (ix, cohort) in data.cohort_ixs() {
        let path = format!("calendars/runs/{}.ics", cohort.id);
        let over = data.sessions(ix).last().unwrap().date() < today;
        // A run that is over is offered no "Add to calendar".
        assert_eq!(site.contains_key(&path), !over, "{path}");
        if over {
            continue;
        }
        let own = uids(&site[&path]);
        assert_eq!(own.len(), data.sessions(ix).len(), "{}", cohort.id);
        assert!(own.iter().all(|u| all.contains(u)), "{}", cohort.id);
        let course = &data[cohort.course].id;
        let page = &site[&format!("courses/{course}.html")];
        let card = card(page, &cohort.id);
        assert!(
            card.contains(&format!("href=\"../calendars/runs/{}.ics\"", cohort.id))
                || card.contains("Cancelled"),
            "Add to calendar for {}",
            cohort.id
        );
    }
    // Events link their course's page; names are short and distinct.
    let ashford = &site["calendars/runs/l2-2022-09-ashford.ics"];
    assert!(
        ashford.contains(
            "URL:https://tip.kent-medway.example.org/courses/l2-trauma-awareness.html\r\n"
        )
    );
    assert!(ashford.contains("X-WR-CALNAME:KM-TIP · L2 Multi-agency Trauma Awareness · Ashford"));
    let index = &site["index.html"];
    assert!(index.contains("href=\"webcal://tip.kent-medway.example.org/calendars/all.ics\""));
    assert!(index.contains("href=\"https://tip.kent-medway.example.org/calendars/all.ics\""));
}

#[test]
fn joining_links_go_only_where_the_site_shows_them() {
    let site = site_on("2022-06-01");
    let public_link = "https://meet.example.org/km-tip/trainers-webinars";
    let private_link = "https://meet.example.org/km-tip/champions-extra";
    assert!(site["courses/trainers-webinars.html"].contains(public_link));
    assert!(site["calendars/all.ics"].contains(public_link));
    for (path, text) in &site {
        assert!(!text.contains(private_link), "{path}");
    }
    let extra = card(
        &site["courses/champions-extra.html"],
        "champions-extra-2022-09",
    );
    assert!(
        extra.contains("the joining link is sent when you book"),
        "{extra}"
    );
}

#[test]
fn resources_are_linked_as_their_own_files() {
    let files = build(&data(), "2022-06-01");
    let page = String::from_utf8(files["courses/l2-trauma-awareness.html"].clone()).unwrap();
    assert!(page.contains("href=\"../resources/understanding-trauma-leaflet.pdf\""));
    let original = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/kent-medway/resources/understanding-trauma-leaflet.pdf"
    ))
    .unwrap();
    assert_eq!(
        files["resources/understanding-trauma-leaflet.pdf"],
        original
    );
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in html.chars() {
        match c {
            '<' => inside = true,
            '>' => {
                inside = false;
                out.push(' ');
            }
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}
