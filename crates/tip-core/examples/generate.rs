//! Generate a national-scale synthetic data set for benchmarks.
//!
//! ```text
//! cargo run --release -p tip-core --example generate -- /tmp/national
//! cargo run --release -p tip-core --example generate -- /tmp/small --people 10000
//! ```
//!
//! Defaults: 1,000,000 people (CSV, 4 files), ~3,000,000 completions (CSV,
//! one file a year), 20,000 cohorts (YAML, 10 files), attendance for every
//! cohort that has run, and 100,000 applications. The data is valid: ids
//! resolve, cohorts fit their venues, no trainer, venue or learner is in two
//! places at once, and every learner meets their course's rules. The same
//! arguments always give the same bytes.

use std::fmt::Write as _;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A small, fast, deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const FIRST: &[&str] = &[
    "Zoë",
    "Siân",
    "Łukasz",
    "Minh",
    "Αθηνά",
    "Олена",
    "Chidi",
    "Aoife",
    "José",
    "Björn",
    "Fatima",
    "Priya",
    "Ŵyn",
    "Şebnem",
    "Zsófia",
    "Kwame",
    "Gráinne",
    "Hélène",
    "Tomasz",
    "Amara",
    "Declan",
    "Ioana",
    "Samir",
    "Ewa",
    "Rhiannon",
    "Niamh",
    "Marek",
    "Leilani",
    "Yusuf",
    "Hannah",
    "Kofi",
    "Lucía",
    "Дмитрий",
    "Inês",
    "Callum",
    "Ελένη",
    "Marta",
    "Gareth",
    "Anjali",
    "Stefan",
];
const LAST: &[&str] = &[
    "Ó'Brien",
    "Llewelyn",
    "Nowak",
    "Nguyễn",
    "Παπαδοπούλου",
    "Коваленко",
    "Okafor",
    "Ní Bhriain",
    "Martínez",
    "Ångström",
    "Begum",
    "Sharma",
    "Price",
    "Yılmaz",
    "Kovács",
    "Mensah",
    "Ó Súilleabháin",
    "Dubois",
    "Wiśniewski",
    "Nwosu",
    "Byrne",
    "Popescu",
    "Haddad",
    "Kamińska",
    "Evans",
    "O'Connell",
    "Dvořák",
    "Kahale",
    "Demir",
    "Goldberg",
];
const SECTORS: &[&str] = &[
    "health",
    "social-care",
    "education",
    "police",
    "youth-justice",
    "local-government",
    "housing",
    "voluntary",
];
const ROLES: &[&str] = &[
    "front-line",
    "manager",
    "senior-leader",
    "trainer",
    "champion",
    "ti-lead",
];
const REGIONS: usize = 40;
const VENUES: usize = 500;
const TRAINERS: usize = 2_000;

struct Args {
    out: PathBuf,
    people: usize,
    cohorts: usize,
    completions: usize,
    applications: usize,
}

fn args() -> Args {
    let mut it = std::env::args().skip(1);
    let mut a = Args {
        out: PathBuf::new(),
        people: 1_000_000,
        cohorts: 20_000,
        completions: 3_000_000,
        applications: 100_000,
    };
    while let Some(arg) = it.next() {
        let mut num = || it.next().and_then(|v| v.parse().ok()).expect("a number");
        match arg.as_str() {
            "--people" => {
                a.people = num();
                a.completions = a.people * 3;
                a.cohorts = (a.people / 50).max(10);
                a.applications = (a.people / 10).max(10);
            }
            "--cohorts" => a.cohorts = num(),
            "--completions" => a.completions = num(),
            "--applications" => a.applications = num(),
            _ => a.out = PathBuf::from(arg),
        }
    }
    assert!(
        !a.out.as_os_str().is_empty(),
        "usage: generate OUT_DIR [--people N]"
    );
    assert!(a.people >= 2 * TRAINERS, "at least {} people", 2 * TRAINERS);
    a
}

fn main() -> io::Result<()> {
    let a = args();
    fs::create_dir_all(&a.out)?;
    let mut rng = Rng(0x7469_7020_6461_7461);
    catalogue(&a.out)?;
    people(&a, &mut rng)?;
    let enrolled = cohorts(&a, &mut rng)?;
    completions(&a, &mut rng)?;
    attendance(&a, &enrolled)?;
    applications(&a, &mut rng)?;
    eprintln!(
        "wrote {} people, {} completions, {} cohorts, {} applications to {}",
        a.people,
        a.completions,
        a.cohorts,
        a.applications,
        a.out.display()
    );
    Ok(())
}

fn file(dir: &Path, name: &str) -> io::Result<BufWriter<fs::File>> {
    if let Some(parent) = dir.join(name).parent() {
        fs::create_dir_all(parent)?;
    }
    Ok(BufWriter::with_capacity(
        1 << 20,
        fs::File::create(dir.join(name))?,
    ))
}

fn region(i: usize) -> String {
    format!("region-{:02}", i % REGIONS)
}

/// The catalogue: the Kent and Medway courses, national regions and venues.
fn catalogue(out: &Path) -> io::Result<()> {
    let mut s = String::from(
        "programme:\n  id: national-tip\n  name: National Trauma Informed Practice\n  timezone: Europe/London\n  domain: tip.example.org\n  organiser: { name: National TIP Team, email: tip@example.org }\n",
    );
    s.push_str("regions:\n");
    for r in 0..REGIONS {
        let _ = writeln!(s, "  - {{ id: {}, name: Region {r} }}", region(r));
    }
    s.push_str("sectors:\n");
    for id in SECTORS {
        let _ = writeln!(s, "  - {{ id: {id}, name: {id} }}");
    }
    s.push_str("roles:\n");
    for id in ROLES {
        let _ = writeln!(s, "  - {{ id: {id}, name: {id} }}");
    }
    s.push_str("tiers:\n  - { level: 1, name: Awareness }\n  - { level: 2, name: Practitioner }\n  - { level: 3, name: Trainers and Champions }\n  - { level: 4, name: Leadership }\n");
    s.push_str(
        "courses:
  - { id: becoming-ti, title: Becoming Trauma Informed, tier: 1, format: e-learning, url: https://learning.example.org/becoming-ti, valid_for: 10 years }
  - id: l2-trauma-awareness
    title: L2 Multi-agency Trauma Awareness
    tier: 2
    format: face-to-face
    requires: { completed: becoming-ti }
    valid_for: 10 years
    capacity: 20
    delivered_by: { completed: l2-train-the-trainer }
  - { id: l2-train-the-trainer, title: L2 Train the Trainer, tier: 3, format: face-to-face, requires: { completed: becoming-ti } }
  - { id: trainers-webinars, title: Webinars for Trainers and Champions, tier: 3, format: webinar, requires: { completed: becoming-ti }, completion: { attendance: 3 } }
  - { id: ambassador, title: Ambassador Programme, tier: 4, format: programme, requires: { completed: becoming-ti }, completion: { attendance: 75% }, capacity: 20 }
  - { id: ti-leads-network, title: Network of Trauma Informed Leads, tier: 4, format: network, certificate: false }
  - id: ambassador-plus
    title: Ambassador Plus
    tier: 4
    format: programme
    audience: [manager, senior-leader]
    regions: [region-00, region-01, region-02, region-03, region-04, region-05, region-06, region-07, region-08, region-09]
    requires:
      all:
        - completed: l2-trauma-awareness
        - completed: { course: becoming-ti, within: 3 years }
  - id: leads-forum
    title: Leads Forum
    tier: 4
    format: network
    requires: { any: [ { role: [ti-lead] }, { completed: ambassador }, { not: { sector: [police, health] } } ] }
",
    );
    s.push_str("venues:\n");
    for v in 0..VENUES {
        let _ = writeln!(
            s,
            "  - {{ id: venue-{v:03}, name: Venue {v}, region: {}, capacity: 40 }}",
            region(v)
        );
    }
    file(out, "catalogue.yaml")?.write_all(s.as_bytes())
}

fn people(a: &Args, rng: &mut Rng) -> io::Result<()> {
    let files = 4;
    let per = a.people.div_ceil(files);
    for f in 0..files {
        let mut w = file(&a.out, &format!("people/people-{f}.csv"))?;
        writeln!(w, "id,name,email,organisation,sector,role,region")?;
        for i in f * per..((f + 1) * per).min(a.people) {
            let first = FIRST[rng.below(FIRST.len() as u64) as usize];
            let last = LAST[rng.below(LAST.len() as u64) as usize];
            let role = if i < TRAINERS {
                "trainer"
            } else {
                ROLES[rng.below(ROLES.len() as u64) as usize]
            };
            writeln!(
                w,
                "p{i:07},\"{first} {last}\",p{i:07}@example.org,Organisation {},{},{role},{}",
                i % 997,
                SECTORS[i % SECTORS.len()],
                region(i)
            )?;
        }
    }
    Ok(())
}

/// Cohorts: each on its own day at its own venue; trainers are the first
/// people, each cohort's trainer different on any one day; learners are
/// distinct across cohorts. Returns the enrolled people of each cohort.
fn cohorts(a: &Args, rng: &mut Rng) -> io::Result<Vec<(usize, Vec<usize>, u32)>> {
    let files = 10;
    let per = a.cohorts.div_ceil(files);
    let mut next_learner = TRAINERS;
    let mut out = Vec::with_capacity(a.cohorts);
    let start = chrono::NaiveDate::from_ymd_opt(2019, 1, 7).expect("date");
    for f in 0..files {
        let mut s = String::from("cohorts:\n");
        for k in f * per..((f + 1) * per).min(a.cohorts) {
            let venue = k % VENUES;
            // Weekdays only: the k/VENUES-th working day from the start.
            let n = (k / VENUES) as u64;
            let day = start + chrono::Days::new(n / 5 * 7 + n % 5);
            // Courses spread over venues (so over regions) by a hash of k.
            let (course, sessions) =
                match (((k as u64).wrapping_mul(2_654_435_761) >> 8) & 0xffff) % 10 {
                    0..=5 => ("l2-trauma-awareness", 1),
                    6 => ("l2-train-the-trainer", 2),
                    7 => ("trainers-webinars", 3),
                    8 => ("ambassador", 4),
                    _ => ("ti-leads-network", 4),
                };
            let size = 8 + rng.below(12) as usize;
            let enrolled: Vec<usize> = (0..size)
                .map(|j| {
                    let p = next_learner + j;
                    if p < a.people {
                        p
                    } else {
                        TRAINERS + (p - TRAINERS) % (a.people - TRAINERS)
                    }
                })
                .collect();
            next_learner += size;
            let trainer = k % TRAINERS;
            let _ = writeln!(
                s,
                "  - id: cohort-{k:05}\n    course: {course}\n    region: {}\n    venue: venue-{venue:03}",
                region(venue)
            );
            let _ = writeln!(s, "    trainers: [p{trainer:07}]\n    status: confirmed");
            s.push_str("    sessions:\n");
            // Each cohort has its venue to itself for the day; several
            // sessions follow one another.
            for j in 0..sessions {
                let h = 9 + 2 * j;
                let _ = writeln!(
                    s,
                    "      - {{ start: {day}T{h:02}:00, end: {day}T{h:02}:45 }}"
                );
            }
            s.push_str("    enrolled: [");
            for (j, p) in enrolled.iter().enumerate() {
                if j > 0 {
                    s.push_str(", ");
                }
                let _ = write!(s, "p{p:07}");
            }
            s.push_str("]\n");
            out.push((k, enrolled, sessions));
        }
        file(&a.out, &format!("cohorts/cohorts-{f}.yaml"))?.write_all(s.as_bytes())?;
    }
    Ok(out)
}

fn completions(a: &Args, rng: &mut Rng) -> io::Result<()> {
    let years = 2013..2019;
    let mut writers = Vec::new();
    for y in years.clone() {
        let mut w = file(&a.out, &format!("completions/completions-{y}.csv"))?;
        writeln!(w, "person,course,date,source")?;
        writers.push((y, w));
    }
    // Every person has completed the e-learning, and trainers the L2 and
    // Train the Trainer courses, before the first cohort (2019).
    let mut written = 0;
    for p in 0..a.people {
        let (y, w) = &mut writers[p % 6];
        writeln!(
            w,
            "p{p:07},becoming-ti,{y}-{:02}-{:02},e-learning export",
            1 + rng.below(12),
            1 + rng.below(28)
        )?;
        written += 1;
        if p < TRAINERS {
            writeln!(
                w,
                "p{p:07},l2-train-the-trainer,{y}-12-01,provider register"
            )?;
            written += 1;
        }
    }
    // The rest: each person again, in another year (never the same record twice).
    let mut pass = 1;
    while written < a.completions {
        for p in 0..a.people {
            if written >= a.completions {
                break;
            }
            let (y, w) = &mut writers[(p + pass) % 6];
            writeln!(
                w,
                "p{p:07},becoming-ti,{y}-{:02}-{:02},e-learning export",
                1 + rng.below(12),
                1 + rng.below(28)
            )?;
            written += 1;
        }
        pass += 1;
        assert!(pass < 6, "at most six completions a person");
    }
    Ok(())
}

fn attendance(a: &Args, enrolled: &[(usize, Vec<usize>, u32)]) -> io::Result<()> {
    let mut w = file(&a.out, "attendance/attendance.csv")?;
    writeln!(w, "cohort,person,sessions")?;
    for (k, people, sessions) in enrolled {
        for (j, p) in people.iter().enumerate() {
            let attended = if j % 7 == 3 && *sessions > 1 {
                "1"
            } else {
                "all"
            };
            writeln!(w, "cohort-{k:05},p{p:07},{attended}")?;
        }
    }
    Ok(())
}

fn applications(a: &Args, rng: &mut Rng) -> io::Result<()> {
    let mut w = file(&a.out, "applications/applications.csv")?;
    writeln!(w, "person,course,applied,prefer,regions")?;
    for i in 0..a.applications {
        let p = TRAINERS + rng.below((a.people - TRAINERS) as u64) as usize;
        let course = ["l2-trauma-awareness", "ambassador", "trainers-webinars"][i % 3];
        let prefer = if i % 4 == 0 {
            format!("cohort-{:05}", rng.below(a.cohorts as u64))
        } else {
            String::new()
        };
        writeln!(
            w,
            "p{p:07},{course},2024-{:02}-{:02},{prefer},{}",
            1 + i % 12,
            1 + i % 28,
            region(p)
        )?;
    }
    Ok(())
}
