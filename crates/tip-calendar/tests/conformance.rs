//! The feed read back by an independent parser (the icalendar crate's own),
//! checked line by line against RFC 5545 and value by value against the data.

use chrono::{DateTime, NaiveDateTime, Offset, TimeZone, Utc};
use icalendar::{
    Calendar, CalendarComponent, CalendarDateTime, Component, DatePerhapsTime, EventLike,
};
use tip_calendar::{Feed, Filter, render};
use tip_core::model::{Place, Status};
use tip_core::{Dataset, Ix};

fn data() -> Dataset {
    Dataset::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/kent-medway"
    ))
    .unwrap()
    .0
}

fn feed() -> Feed {
    Feed::new(
        "Test, feed; with \\ specials",
        DateTime::from_timestamp(1_669_852_800, 0).unwrap(),
    )
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') | Some('N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn every_line_is_crlf_and_at_most_75_octets() {
    let ics = render(&data(), &Filter::default(), &feed());
    assert!(ics.ends_with("\r\n"));
    assert!(!ics.replace("\r\n", "").contains('\n'), "no bare LF");
    assert!(!ics.replace("\r\n", "").contains('\r'), "no bare CR");
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
    // Exactly one of each calendar property.
    for key in [
        "VERSION:2.0",
        "PRODID:",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "NAME:",
        "X-WR-CALNAME:",
    ] {
        assert_eq!(ics.matches(&format!("\r\n{key}")).count(), 1, "{key}");
    }
    assert_eq!(ics.matches("BEGIN:VTIMEZONE").count(), 1);
}

#[test]
fn names_are_escaped() {
    let ics = render(&data(), &Filter::default(), &feed());
    assert!(
        ics.contains("\r\nNAME:Test\\, feed\\; with \\\\ specials\r\n"),
        "{}",
        &ics[..400]
    );
}

#[test]
fn round_trip_every_property_matches_the_data() {
    let data = data();
    let ics = render(&data, &Filter::default(), &feed());
    let parsed: Calendar = ics.parse().expect("the icalendar parser reads it");
    let events: Vec<_> = parsed
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    let expected: usize = data
        .cohort_ixs()
        .map(|(ix, _)| data.sessions(ix).len())
        .sum();
    assert_eq!(events.len(), expected);
    for e in events {
        let uid = e.get_uid().unwrap();
        let (local_part, domain) = uid.split_once('@').unwrap();
        let (cohort_id, n) = local_part.rsplit_once('-').unwrap();
        assert_eq!(domain, data.programme().domain);
        let ix: Ix<tip_core::model::Cohort> = data.cohort(cohort_id).unwrap();
        let cohort = &data[ix];
        let course = &data[cohort.course];
        let session = &data.sessions(ix)[n.parse::<usize>().unwrap() - 1];
        let local = |p: Option<DatePerhapsTime>| -> NaiveDateTime {
            match p.unwrap() {
                DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid }) => {
                    assert_eq!(tzid, "Europe/London");
                    date_time
                }
                other => panic!("expected a TZID time, got {other:?}"),
            }
        };
        assert_eq!(local(e.get_start()), session.start.naive_local(), "{uid}");
        assert_eq!(local(e.get_end()), session.end.naive_local(), "{uid}");
        assert_eq!(e.get_sequence(), Some(cohort.revision), "{uid}");
        let status = e.property_value("STATUS").unwrap();
        assert_eq!(
            status,
            match cohort.status {
                Status::Planned => "TENTATIVE",
                Status::Confirmed => "CONFIRMED",
                Status::Cancelled => "CANCELLED",
                other => panic!("a status the test does not know: {other}"),
            }
        );
        let summary = e.get_summary().unwrap();
        assert!(summary.contains(&course.title), "{summary}");
        let of = data.sessions(ix).len();
        if of > 1 {
            assert!(
                summary.ends_with(&format!("(session {} of {of})", session.number)),
                "{summary}"
            );
        }
        let description = unescape(e.property_value("DESCRIPTION").unwrap());
        if let Some(notes) = &cohort.notes {
            assert!(
                description.contains(notes.trim_end()),
                "notes word for word in {uid}: {description:?}"
            );
        }
        // A YAML `|` block's final line break never makes blank lines.
        assert!(!description.contains("\n\n\n"), "{uid}: {description:?}");
        assert!(!description.ends_with('\n'), "{uid}: {description:?}");
        for t in &cohort.trainers {
            assert!(description.contains(data[*t].name.as_str()));
        }
        match &cohort.place {
            Some(Place::Venue(v)) => {
                assert!(unescape(e.get_location().unwrap()).starts_with(&data[*v].name));
                if let Some(access) = &data[*v].access {
                    assert!(
                        description.contains(access.as_str()),
                        "access notes in {uid}"
                    );
                }
            }
            Some(Place::Online(url)) => {
                assert_eq!(e.get_location(), Some("Online"));
                // The joining link only where the site shows it.
                assert_eq!(
                    description.contains(url.as_str()),
                    cohort.public_link,
                    "{uid}: {description:?}"
                );
            }
            None => {}
            Some(other) => panic!("a place the test does not know: {other:?}"),
        }
        // Each event links its course's page.
        let site = data
            .programme()
            .site_url
            .as_deref()
            .unwrap()
            .trim_end_matches('/');
        assert_eq!(
            e.get_url(),
            Some(format!("{site}/courses/{}.html", course.id).as_str()),
            "{uid}"
        );
        let first = Some(DateTime::from_timestamp(1_669_852_800, 0).unwrap());
        assert_eq!(e.get_timestamp(), first);
        assert_eq!(e.get_last_modified(), first);
        assert!(
            e.property_value("ORGANIZER")
                .unwrap()
                .starts_with("mailto:")
        );
        let categories = e
            .multi_properties()
            .get("CATEGORIES")
            .and_then(|v| v.first())
            .map(|p| p.value().to_string());
        assert!(
            categories
                .unwrap()
                .starts_with(&format!("Tier {}", data[course.tier].level))
        );
    }
}

/// The offset the feed's VTIMEZONE gives an instant: the last observance
/// that began at or before it.
fn vtimezone_offset(ics: &str, at: DateTime<Utc>) -> i32 {
    let unfolded = ics.replace("\r\n ", "");
    let block = &unfolded
        [unfolded.find("BEGIN:VTIMEZONE").unwrap()..unfolded.find("END:VTIMEZONE").unwrap()];
    let mut best: Option<(DateTime<Utc>, i32)> = None;
    let secs = |s: &str| {
        let sign = if s.starts_with('-') { -1 } else { 1 };
        let h: i32 = s[1..3].parse().unwrap();
        let m: i32 = s[3..5].parse().unwrap();
        sign * (h * 3600 + m * 60)
    };
    for obs in block.split("BEGIN:").skip(2) {
        let field = |k: &str| {
            obs.lines()
                .find_map(|l| l.strip_prefix(k))
                .unwrap()
                .trim()
                .to_string()
        };
        let start = NaiveDateTime::parse_from_str(&field("DTSTART:"), "%Y%m%dT%H%M%S").unwrap();
        let from = secs(&field("TZOFFSETFROM:"));
        let to = secs(&field("TZOFFSETTO:"));
        let begins = Utc.from_utc_datetime(&(start - chrono::Duration::seconds(from.into())));
        if begins <= at && best.is_none_or(|(b, _)| begins >= b) {
            best = Some((begins, to));
        }
    }
    best.expect("an observance covers every event").1
}

#[test]
fn vtimezone_offsets_agree_with_the_tz_database_for_every_event() {
    let data = data();
    let ics = render(&data, &Filter::default(), &feed());
    let mut checked = 0;
    for (ix, _) in data.cohort_ixs() {
        for s in data.sessions(ix) {
            for t in [s.start, s.end] {
                let utc = t.with_timezone(&Utc);
                let expected = t.offset().fix().local_minus_utc();
                assert_eq!(vtimezone_offset(&ics, utc), expected, "{}", t.to_rfc3339());
                checked += 1;
            }
        }
    }
    assert!(checked > 40);
    // Just after both 2022 changes: 29 March (BST) and 2 November (GMT).
    let chatham = data.sessions(data.cohort("l2-2022-03-chatham").unwrap())[0].start;
    assert_eq!(chatham.to_rfc3339(), "2022-03-29T09:30:00+01:00");
    let north = data.sessions(data.cohort("ambassador-north-2022").unwrap())[0].start;
    assert_eq!(north.to_rfc3339(), "2022-11-02T09:30:00+00:00");
}

#[test]
fn long_unicode_text_folds_between_characters() {
    let ics = render(
        &data(),
        &Filter::default(),
        &Feed::new(
            "Ŵyn ap Gwilym — Αθηνά Παπαδοπούλου — Nguyễn Thị Minh — Олена Коваленко — Łukasz",
            Utc::now(),
        ),
    );
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75);
        assert!(std::str::from_utf8(line.as_bytes()).is_ok());
    }
    assert!(ics.replace("\r\n ", "").contains(
        "NAME:Ŵyn ap Gwilym — Αθηνά Παπαδοπούλου — Nguyễn Thị Minh — Олена Коваленко — Łukasz\r\n"
    ));
}

#[test]
fn cancelled_sessions_stay_in_the_feed() {
    let data = data();
    let ics = render(
        &data,
        &Filter {
            cohort: data.cohort("l2-2022-06-ashford"),
            ..Filter::default()
        },
        &feed(),
    );
    assert!(ics.contains("STATUS:CANCELLED"));
    assert!(ics.contains("SEQUENCE:1"));
    assert!(ics.contains("UID:l2-2022-06-ashford-1@"));
}

#[test]
fn no_learner_is_named_in_a_published_feed() {
    let data = data();
    let ics = render(&data, &Filter::default(), &feed()).replace("\r\n ", "");
    let trainers: Vec<_> = data
        .cohorts()
        .iter()
        .flat_map(|c| c.trainers.iter().copied())
        .collect();
    for ix in data.person_ixs() {
        let p = &data[ix];
        if let Some(email) = &p.email {
            assert!(!ics.contains(email.as_str()), "{email}");
        }
        if !trainers.contains(&ix) {
            assert!(
                !ics.contains(p.name.as_str()),
                "learner {} is in the feed",
                p.name
            );
        }
    }
}

#[test]
fn a_person_feed_holds_only_their_sessions() {
    let data = data();
    let priya = data.person("priya-sharma").unwrap();
    let ics = render(
        &data,
        &Filter {
            person: Some(priya),
            ..Filter::default()
        },
        &feed(),
    );
    let parsed: Calendar = ics.parse().unwrap();
    let uids: Vec<String> = parsed
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => e.get_uid().map(str::to_owned),
            _ => None,
        })
        .collect();
    let mut expected = Vec::new();
    for (ix, c) in data.cohort_ixs() {
        if c.enrolled.contains(&priya) || c.trainers.contains(&priya) {
            expected.extend(
                data.sessions(ix)
                    .iter()
                    .map(|s| format!("{}-{}@{}", c.id, s.number, data.programme().domain)),
            );
        }
    }
    let mut got = uids.clone();
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
    assert!(
        !ics.contains("Priya Sharma"),
        "not even the person's own name"
    );
}

#[test]
fn same_data_and_stamp_give_the_same_bytes() {
    let data = data();
    assert_eq!(
        render(&data, &Filter::default(), &feed()),
        render(&data, &Filter::default(), &feed())
    );
}

#[test]
fn feeds_written_together_are_the_feeds_written_one_by_one() {
    let data = data();
    let stamp = feed().dtstamp;
    // A history in which one event was published before, at SEQUENCE 4.
    let first = render(&data, &Filter::default(), &feed());
    let mut previous = tip_calendar::published(&first);
    let uid = previous.0.keys().min().unwrap().clone();
    previous.0.get_mut(&uid).unwrap().sequence = 4;
    let mut filters = vec![("All", Filter::default())];
    for c in data.course_ixs() {
        filters.push((
            "A course",
            Filter {
                course: Some(c),
                ..Filter::default()
            },
        ));
    }
    let wanted: Vec<(&str, &Filter)> = filters.iter().map(|(n, f)| (*n, f)).collect();
    let together = tip_calendar::render_feeds(&data, stamp, &previous, &wanted);
    assert_eq!(together.len(), filters.len());
    for ((name, filter), text) in filters.iter().zip(&together) {
        let mut one = Feed::new(*name, stamp);
        one.previous = previous.clone();
        assert_eq!(text, &render(&data, filter, &one));
    }
    assert!(together[0].contains("SEQUENCE:4"));
}

/// A subscriber's client sees an event change only when it did: an
/// unchanged event keeps its `DTSTAMP` and `LAST-MODIFIED` across builds
/// made at other times, and a changed one takes the new build's.
#[test]
fn an_unchanged_event_keeps_its_dtstamp_across_builds() {
    let data = data();
    let first = render(&data, &Filter::default(), &feed());
    let mut later = Feed::new("All", DateTime::from_timestamp(1_700_000_000, 0).unwrap());
    later.previous = tip_calendar::published(&first);
    // One event "changed" since: its published fingerprint differs.
    let changed = later.previous.0.keys().min().unwrap().clone();
    later.previous.0.get_mut(&changed).unwrap().fingerprint = "an older content".into();
    let second = render(&data, &Filter::default(), &later);
    let calendar: icalendar::Calendar = second.parse().unwrap();
    let mut seen = 0;
    for e in calendar.components.iter().filter_map(|c| c.as_event()) {
        let uid = e.get_uid().unwrap();
        let cohort = uid.split_once('@').unwrap().0.rsplit_once('-').unwrap().0;
        let revision = data[data.cohort(cohort).unwrap()].revision;
        let (stamp, sequence) = if uid == changed {
            (1_700_000_000, revision.max(1))
        } else {
            (1_669_852_800, revision)
        };
        let at = DateTime::from_timestamp(stamp, 0);
        assert_eq!(e.get_timestamp(), at, "{uid}");
        assert_eq!(e.get_last_modified(), at, "{uid}");
        assert_eq!(e.get_sequence(), Some(sequence), "{uid}");
        seen += 1;
    }
    assert!(seen > 30);
}
