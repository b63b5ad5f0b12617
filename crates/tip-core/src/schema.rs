//! The data format, declared once.
//!
//! Each section's fields are listed here with their type, whether they are
//! required, and a sentence of documentation. The same tables drive the
//! loader (unknown fields and columns, "did you mean"), the JSON Schema of
//! `tip schema`, and the field tables in `docs/data-format.md` (a test keeps
//! the docs in step).

use serde_json::{Map, Value, json};

/// The type of a field's value.
#[derive(Debug)]
pub(crate) enum Ty {
    /// An id: lowercase `[a-z0-9][a-z0-9-]*`.
    Id,
    /// Free text.
    Text,
    /// Markdown text.
    Markdown,
    /// An email address.
    Email,
    /// An `http://` or `https://` URL.
    Url,
    /// How to book: a form's URL (`{cohort}` in it is replaced by the
    /// cohort's id) or an email address.
    Booking,
    /// A URL template containing `{code}`.
    UrlTemplate,
    /// `YYYY-MM-DD`.
    Date,
    /// `YYYY-MM-DDTHH:MM` local time.
    DateTime,
    /// An IANA timezone.
    Timezone,
    /// A whole number ≥ 0 (or ≥ 1 when `positive`).
    Int {
        positive: bool,
    },
    /// A decimal number ≥ 0.
    Decimal,
    Bool,
    /// `3 years`, `18 months`, `6 weeks`, `10 days`.
    Duration,
    /// `80%` or a session count.
    Attendance,
    /// `free` or an amount.
    Cost,
    /// A colour, `#rrggbb`.
    Colour,
    /// A path relative to the data folder.
    Path,
    /// One of these words.
    Enum(&'static [&'static str]),
    /// The id of a record of this section.
    Ref(&'static str),
    /// A list of these (in CSV: space-separated).
    List(&'static Ty),
    /// A nested mapping.
    Map(&'static [Field]),
    /// An eligibility rule.
    Rule,
    /// `all` or a list of 1-based session numbers.
    SessionSet,
    /// `HH:MM-HH:MM`.
    TimeRange,
    /// `2nd tuesday`, `last friday`, `15`.
    Day,
    /// Weekday names.
    Weekday,
}

/// One field of a section or nested mapping.
#[derive(Debug)]
pub(crate) struct Field {
    pub(crate) name: &'static str,
    pub(crate) required: bool,
    pub(crate) ty: Ty,
    pub(crate) doc: &'static str,
}

const fn req(name: &'static str, ty: Ty, doc: &'static str) -> Field {
    Field {
        name,
        required: true,
        ty,
        doc,
    }
}

const fn opt(name: &'static str, ty: Ty, doc: &'static str) -> Field {
    Field {
        name,
        required: false,
        ty,
        doc,
    }
}

/// A top-level section, named in code: its place in [`SECTIONS`] (checked
/// when compiling), so the loader finds a section without a lookup by
/// string that could fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SectionKey {
    /// `programme`
    Programme,
    /// `regions`
    Regions,
    /// `sectors`
    Sectors,
    /// `roles`
    Roles,
    /// `tiers`
    Tiers,
    /// `resources`
    Resources,
    /// `venues`
    Venues,
    /// `courses`
    Courses,
    /// `people`
    People,
    /// `cohorts`
    Cohorts,
    /// `attendance`
    Attendance,
    /// `completions`
    Completions,
    /// `applications`
    Applications,
    /// `certificates`
    Certificates,
    /// `news`
    News,
}

impl SectionKey {
    /// The section's declaration.
    pub(crate) fn section(self) -> &'static Section {
        &SECTIONS[self as usize]
    }
}

/// A top-level section.
#[derive(Debug)]
pub(crate) struct Section {
    pub(crate) key: SectionKey,
    pub(crate) name: &'static str,
    /// `programme` is one mapping; every other section is a list of records.
    pub(crate) single: bool,
    pub(crate) doc: &'static str,
    pub(crate) fields: &'static [Field],
}

/// The sections that may also come as CSV files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TabularSection {
    /// `people*.csv`
    People,
    /// `attendance*.csv`
    Attendance,
    /// `completions*.csv`
    Completions,
    /// `applications*.csv`
    Applications,
    /// `certificates*.csv`: the ledger of issued certificates.
    Certificates,
}

impl TabularSection {
    pub(crate) const ALL: [TabularSection; 5] = [
        TabularSection::People,
        TabularSection::Attendance,
        TabularSection::Completions,
        TabularSection::Applications,
        TabularSection::Certificates,
    ];

    /// The section name.
    pub fn name(self) -> &'static str {
        match self {
            TabularSection::People => "people",
            TabularSection::Attendance => "attendance",
            TabularSection::Completions => "completions",
            TabularSection::Applications => "applications",
            TabularSection::Certificates => "certificates",
        }
    }

    pub(crate) fn section(self) -> &'static Section {
        match self {
            TabularSection::People => SectionKey::People,
            TabularSection::Attendance => SectionKey::Attendance,
            TabularSection::Completions => SectionKey::Completions,
            TabularSection::Applications => SectionKey::Applications,
            TabularSection::Certificates => SectionKey::Certificates,
        }
        .section()
    }

    /// The section a CSV file belongs to: its (lowercase) name starts with
    /// the section name, followed by `.`, `-` or `_` (`people.csv`,
    /// `attendance-2022.csv`).
    pub(crate) fn from_file_name(lower: &str) -> Option<TabularSection> {
        Self::ALL.into_iter().find(|s| {
            lower
                .strip_prefix(s.name())
                .is_some_and(|rest| rest.starts_with(['.', '-', '_']))
        })
    }
}

const ID: Field = req("id", Ty::Id, "Unique id, lowercase `[a-z0-9][a-z0-9-]*`.");
const NAME: Field = req("name", Ty::Text, "Display name.");
const NAMED: &[Field] = &[ID, NAME];

const RULE_DOC: &str =
    "An eligibility rule: `completed`, `role`, `region`, `sector`, `all`, `any` or `not`.";

pub(crate) const WEEKDAYS: &[&str] = &["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

use crate::model::{
    Every, Format, HolidayCalendar, HolidayPolicy, ResourceKind, Status, Vocabulary,
};

pub(crate) const HOLIDAYS: &[&str] = HolidayCalendar::WORDS;
pub(crate) const RESOURCE_KINDS: &[&str] = ResourceKind::WORDS;
pub(crate) const FORMATS: &[&str] = Format::WORDS;
pub(crate) const STATUSES: &[&str] = Status::WORDS;
pub(crate) const EVERY: &[&str] = Every::WORDS;
pub(crate) const HOLIDAY_POLICIES: &[&str] = HolidayPolicy::WORDS;

/// Every section, in documentation order.
pub(crate) const SECTIONS: &[Section] = &[
    Section {
        key: SectionKey::Programme,
        name: "programme",
        single: true,
        doc: "The training programme itself (exactly one).",
        fields: &[
            ID,
            req(
                "name",
                Ty::Text,
                "Full name, e.g. \"Kent and Medway Trauma Informed Practice\".",
            ),
            req(
                "timezone",
                Ty::Timezone,
                "IANA timezone of every local time, e.g. `Europe/London`.",
            ),
            req(
                "domain",
                Ty::Text,
                "Domain used in calendar UIDs, e.g. `tip.example.org`.",
            ),
            opt(
                "organiser",
                Ty::Map(&[
                    req("name", Ty::Text, "Organiser's name (a team or a person)."),
                    opt("email", Ty::Email, "Organiser's public contact address."),
                ]),
                "Who runs the programme; the public contact.",
            ),
            opt(
                "holidays",
                Ty::Enum(HOLIDAYS),
                "Bank holiday calendar; default `england-and-wales`.",
            ),
            opt("closures", Ty::List(&Ty::Date), "Extra non-working dates."),
            opt(
                "working_days",
                Ty::List(&Ty::Weekday),
                "Working weekdays; default `[mon, tue, wed, thu, fri]`.",
            ),
            opt(
                "verify_url",
                Ty::UrlTemplate,
                "Certificate verification URL with `{code}`.",
            ),
            opt(
                "site_url",
                Ty::Url,
                "Where the public site is published (its host names the certificates' issuer, `did:web:<host>`).",
            ),
            opt(
                "booking",
                Ty::Booking,
                "How to book, unless a course or cohort says otherwise: a form's address (`{cohort}` in it becomes the run's id) or an email address.",
            ),
            opt(
                "public_key",
                Ty::Path,
                "The certificates' public key (PEM, from `tip keys new`), relative to the data folder: the shorthand for `public_keys` with one key. The private key never goes in the data folder.",
            ),
            opt(
                "public_keys",
                Ty::List(&Ty::Map(&[
                    req(
                        "file",
                        Ty::Path,
                        "The public key (PEM), relative to the data folder.",
                    ),
                    opt(
                        "from",
                        Ty::Date,
                        "The first day it signs (needed for every key after the first).",
                    ),
                    opt(
                        "compromised",
                        Ty::Date,
                        "The day it stopped being trusted: credentials it signed on or after it are revoked.",
                    ),
                ])),
                "The certificates' public keys over time, oldest first; `tip keys rotate` adds one. Never remove or reorder a key: its place is its id (`key-1`, `key-2`, …) in credentials already issued.",
            ),
            opt(
                "vision",
                Ty::Map(&[
                    req("by", Ty::Date, "Target date."),
                    req(
                        "targets",
                        Ty::List(&Ty::Map(&[
                            opt(
                                "tier",
                                Ty::Int { positive: true },
                                "Tier level the target counts.",
                            ),
                            opt("region", Ty::Ref("regions"), "Region the target counts."),
                            opt("sector", Ty::Ref("sectors"), "Sector the target counts."),
                            req(
                                "people",
                                Ty::Int { positive: true },
                                "How many people to train.",
                            ),
                        ])),
                        "Targets: people trained, optionally per tier, region and sector.",
                    ),
                ]),
                "The programme's vision: how many people trained by when.",
            ),
            opt(
                "branding",
                Ty::Map(&[
                    opt("logo", Ty::Path, "PNG logo, relative to the data folder."),
                    opt("colour", Ty::Colour, "Accent colour, `#rrggbb`."),
                    opt(
                        "font",
                        Ty::Path,
                        "TrueType/OpenType font for certificates, tried first (default: the built-in DejaVu Sans, Noto Sans Arabic and Noto Sans Hebrew).",
                    ),
                    opt(
                        "fonts",
                        Ty::List(&Ty::Path),
                        "More fonts for certificates, tried in order after the built-in ones: add one for a script they lack (e.g. Chinese).",
                    ),
                    opt(
                        "signatory",
                        Ty::Map(&[
                            req("name", Ty::Text, "Who signs certificates."),
                            opt("title", Ty::Text, "Their job title."),
                        ]),
                        "Signatory of certificates.",
                    ),
                ]),
                "Look of certificates and the site.",
            ),
        ],
    },
    Section {
        key: SectionKey::Regions,
        name: "regions",
        single: false,
        doc: "Areas people work in and cohorts run in.",
        fields: NAMED,
    },
    Section {
        key: SectionKey::Sectors,
        name: "sectors",
        single: false,
        doc: "Sectors people work in (health, police, …).",
        fields: NAMED,
    },
    Section {
        key: SectionKey::Roles,
        name: "roles",
        single: false,
        doc: "Job roles that course audiences name.",
        fields: NAMED,
    },
    Section {
        key: SectionKey::Tiers,
        name: "tiers",
        single: false,
        doc: "Levels of the offer, 1 (awareness) upwards.",
        fields: &[
            req("level", Ty::Int { positive: true }, "Tier number, unique."),
            NAME,
            opt("description", Ty::Text, "Who the tier is for."),
        ],
    },
    Section {
        key: SectionKey::Resources,
        name: "resources",
        single: false,
        doc: "Learning resources: e-learning, leaflets, videos, links.",
        fields: &[
            ID,
            req("title", Ty::Text, "Title."),
            req("kind", Ty::Enum(RESOURCE_KINDS), "What it is."),
            opt(
                "url",
                Ty::Url,
                "Where it is online (exactly one of `url` and `file`).",
            ),
            opt(
                "file",
                Ty::Path,
                "A file in the data folder (exactly one of `url` and `file`).",
            ),
            opt("minutes", Ty::Int { positive: true }, "How long it takes."),
            opt(
                "audience",
                Ty::List(&Ty::Ref("roles")),
                "Roles it is for; empty means everyone.",
            ),
            opt("funder", Ty::Text, "Who paid for it."),
            opt("description", Ty::Text, "A sentence or two."),
        ],
    },
    Section {
        key: SectionKey::Venues,
        name: "venues",
        single: false,
        doc: "Places where face-to-face sessions happen.",
        fields: &[
            ID,
            NAME,
            opt("address", Ty::Text, "Postal address."),
            opt("region", Ty::Ref("regions"), "Region it is in."),
            opt(
                "capacity",
                Ty::Int { positive: true },
                "Most people the room holds.",
            ),
            opt(
                "access",
                Ty::Text,
                "Access notes (step-free, parking, hearing loop), published with every date there.",
            ),
            opt("map", Ty::Url, "A map of where it is."),
        ],
    },
    Section {
        key: SectionKey::Courses,
        name: "courses",
        single: false,
        doc: "What the offer contains.",
        fields: &[
            ID,
            req("title", Ty::Text, "Title."),
            req("tier", Ty::Int { positive: true }, "Tier level."),
            req("format", Ty::Enum(FORMATS), "How it is delivered."),
            opt(
                "summary",
                Ty::Text,
                "A paragraph for calendars and the site.",
            ),
            opt(
                "url",
                Ty::Url,
                "Where the course is taken (an e-learning course's start page).",
            ),
            opt(
                "booking",
                Ty::Booking,
                "How to book this course (a form's address or an email address); default the programme's.",
            ),
            opt(
                "ended",
                Ty::Date,
                "When a finished programme ended: the site lists it as past, inviting no interest.",
            ),
            opt("provider", Ty::Text, "Who delivers it."),
            opt(
                "minutes",
                Ty::Int { positive: true },
                "Length of each session.",
            ),
            opt("cpd_hours", Ty::Decimal, "CPD hours on completion."),
            opt("cost", Ty::Cost, "`free` or an amount such as `£40`."),
            opt(
                "audience",
                Ty::List(&Ty::Ref("roles")),
                "Roles it is for; empty means everyone.",
            ),
            opt(
                "regions",
                Ty::List(&Ty::Ref("regions")),
                "Regions it is for; empty means everywhere.",
            ),
            opt("requires", Ty::Rule, "What a learner must meet first."),
            opt(
                "valid_for",
                Ty::Duration,
                "How long a completion counts, e.g. `3 years`.",
            ),
            opt(
                "completion",
                Ty::Map(&[req(
                    "attendance",
                    Ty::Attendance,
                    "`100%` (default), a percentage, or a session count.",
                )]),
                "What counts as completing.",
            ),
            opt(
                "certificate",
                Ty::Bool,
                "Whether completers get a certificate; default true.",
            ),
            opt(
                "resources",
                Ty::List(&Ty::Ref("resources")),
                "Resources that go with it.",
            ),
            opt("delivered_by", Ty::Rule, "What a trainer must meet."),
            opt(
                "capacity",
                Ty::Int { positive: true },
                "Default capacity of its cohorts.",
            ),
        ],
    },
    Section {
        key: SectionKey::People,
        name: "people",
        single: false,
        doc: "Learners and trainers. Also as `people*.csv`.",
        fields: &[
            ID,
            req("name", Ty::Text, "Full name, any script."),
            opt("email", Ty::Email, "Email address (never published)."),
            opt("organisation", Ty::Text, "Employer."),
            opt("sector", Ty::Ref("sectors"), "Sector."),
            opt("role", Ty::Ref("roles"), "Role."),
            opt("region", Ty::Ref("regions"), "Region."),
        ],
    },
    Section {
        key: SectionKey::Cohorts,
        name: "cohorts",
        single: false,
        doc: "Runs of a course, with their sessions and people.",
        fields: &[
            ID,
            req("course", Ty::Ref("courses"), "The course."),
            opt("region", Ty::Ref("regions"), "Region it serves."),
            opt("venue", Ty::Ref("venues"), "Where (or `online`)."),
            opt("online", Ty::Url, "Joining link (or `venue`)."),
            opt(
                "public_link",
                Ty::Bool,
                "Publish the `online` joining link on the site and in the public calendars; default false (the link is sent to those booked).",
            ),
            opt(
                "booking",
                Ty::Booking,
                "How to book this run; default the course's.",
            ),
            opt(
                "replaced_by",
                Ty::Ref("cohorts"),
                "The run that replaces this cancelled one: the site links to it.",
            ),
            opt("trainers", Ty::List(&Ty::Ref("people")), "Who delivers it."),
            opt(
                "capacity",
                Ty::Int { positive: true },
                "Places; default the course's capacity.",
            ),
            opt("status", Ty::Enum(STATUSES), "Default `planned`."),
            opt(
                "revision",
                Ty::Int { positive: false },
                "Raised on every change attendees must see; default 0.",
            ),
            opt(
                "notes",
                Ty::Text,
                "Notes for attendees, published word for word.",
            ),
            opt(
                "enrolled",
                Ty::List(&Ty::Ref("people")),
                "People with a place.",
            ),
            opt(
                "waitlist",
                Ty::List(&Ty::Ref("people")),
                "People waiting, in order.",
            ),
            opt(
                "sessions",
                Ty::List(&Ty::Map(&[
                    req("start", Ty::DateTime, "Local start, `2022-01-18T09:30`."),
                    req("end", Ty::DateTime, "Local end."),
                ])),
                "Hand-set sessions (or `schedule`).",
            ),
            opt(
                "schedule",
                Ty::Map(&[
                    req("every", Ty::Enum(EVERY), "How often."),
                    req(
                        "day",
                        Ty::Day,
                        "`2nd tuesday`, `last friday`, or a day of the month.",
                    ),
                    req("from", Ty::Date, "First possible date."),
                    opt("until", Ty::Date, "Last possible date (or `count`)."),
                    opt(
                        "count",
                        Ty::Int { positive: true },
                        "How many sessions (or `until`).",
                    ),
                    req("time", Ty::TimeRange, "`10:00-12:00`, local."),
                    opt(
                        "holidays",
                        Ty::Enum(HOLIDAY_POLICIES),
                        "On a non-working day: `next-working-day` (default) or `skip`.",
                    ),
                ]),
                "A recurrence (or `sessions`).",
            ),
        ],
    },
    Section {
        key: SectionKey::Attendance,
        name: "attendance",
        single: false,
        doc: "Who came to which sessions. Also as `attendance*.csv`.",
        fields: &[
            req("cohort", Ty::Ref("cohorts"), "The cohort."),
            req("person", Ty::Ref("people"), "The learner."),
            req(
                "sessions",
                Ty::SessionSet,
                "`all`, `none`, or the session numbers attended (`[1, 3]`; in CSV `1 3`). Never assumed: in YAML it must be written; in CSV the column must be there, and an empty cell means none attended.",
            ),
        ],
    },
    Section {
        key: SectionKey::Completions,
        name: "completions",
        single: false,
        doc: "Completions recorded elsewhere (e-learning exports). Also as `completions*.csv`.",
        fields: &[
            req("person", Ty::Ref("people"), "The learner."),
            req("course", Ty::Ref("courses"), "The course."),
            req("date", Ty::Date, "When they completed."),
            opt("source", Ty::Text, "Where the record came from."),
        ],
    },
    Section {
        key: SectionKey::Applications,
        name: "applications",
        single: false,
        doc: "Expressions of interest, to be placed into cohorts. Also as `applications*.csv`.",
        fields: &[
            req("person", Ty::Ref("people"), "The applicant."),
            req("course", Ty::Ref("courses"), "The course."),
            req("applied", Ty::Date, "When they applied."),
            opt(
                "prefer",
                Ty::List(&Ty::Ref("cohorts")),
                "Cohorts in order of preference; empty means any.",
            ),
            opt(
                "regions",
                Ty::List(&Ty::Ref("regions")),
                "Regions they can travel to.",
            ),
            opt(
                "notes",
                Ty::Text,
                "What the applicant added on the form (private: never published).",
            ),
        ],
    },
    Section {
        key: SectionKey::Certificates,
        name: "certificates",
        single: false,
        doc: "The ledger of issued certificates, written by `tip certify` (the one file tip writes in a data folder): each is issued once and never renumbered. Revoke one by filling `revoked` and `reason`. Usually `certificates.csv`.",
        fields: &[
            req(
                "number",
                Ty::Text,
                "`<PROGRAMME>-<YEAR>-<NNNNNN>`, sequential within the programme and year of completion.",
            ),
            req(
                "code",
                Ty::Text,
                "The verification code printed on it (derived from its signature): its page is `verify/<code>/`.",
            ),
            req("person", Ty::Ref("people"), "Who."),
            req("course", Ty::Ref("courses"), "What."),
            req("completed", Ty::Date, "When they completed it."),
            req("issued", Ty::Date, "When the certificate was issued."),
            opt("revoked", Ty::Date, "When it was revoked (with `reason`)."),
            opt("reason", Ty::Text, "Why it was revoked."),
            opt(
                "key",
                Ty::Text,
                "The id of the programme key that signed it (`key-2`; empty: `key-1`).",
            ),
            opt(
                "replaces",
                Ty::Text,
                "The number of the revoked certificate it replaces (`tip certify --reissue`).",
            ),
            opt(
                "credential",
                Ty::Text,
                "The credential as signed (VC-JWT), given back byte for byte by every reprint.",
            ),
        ],
    },
    Section {
        key: SectionKey::News,
        name: "news",
        single: false,
        doc: "Items for the bulletin.",
        fields: &[
            req("date", Ty::Date, "Publication date."),
            req("title", Ty::Text, "Headline."),
            opt("body", Ty::Markdown, "Markdown text."),
        ],
    },
];

/// The section of this name.
// Each section's key is its place in the table.
const _: () = {
    let mut i = 0;
    while i < SECTIONS.len() {
        assert!(SECTIONS[i].key as usize == i, "SECTIONS out of order");
        i += 1;
    }
};

/// The section named `name` in a data file.
pub(crate) fn section(name: &str) -> Option<&'static Section> {
    SECTIONS.iter().find(|s| s.name == name)
}

/// The JSON Schema (draft 2020-12) of one data file: a mapping of sections.
pub fn json_schema() -> Value {
    let mut properties = Map::new();
    for section in SECTIONS {
        let record = object(section.fields);
        let schema = if section.single {
            record
        } else {
            json!({ "type": "array", "items": record })
        };
        properties.insert(section.name.into(), describe(schema, section.doc));
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://tip.example.org/schema/data-file.json",
        "title": "tip data file",
        "description": "One YAML file of a tip data folder: a mapping of one or more sections.",
        "type": "object",
        "additionalProperties": false,
        "properties": properties,
        "$defs": {
            "id": { "type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$" },
            "ids": {
                "oneOf": [
                    { "$ref": "#/$defs/id" },
                    { "type": "array", "items": { "$ref": "#/$defs/id" } }
                ]
            },
            "rule": {
                "description": RULE_DOC,
                "type": "object",
                "minProperties": 1,
                "maxProperties": 1,
                "additionalProperties": false,
                "properties": {
                    "completed": {
                        "oneOf": [
                            { "$ref": "#/$defs/id" },
                            {
                                "type": "object",
                                "additionalProperties": false,
                                "required": ["course"],
                                "properties": {
                                    "course": { "$ref": "#/$defs/id" },
                                    "within": ty_schema(&Ty::Duration)
                                }
                            }
                        ]
                    },
                    "role": { "$ref": "#/$defs/ids" },
                    "region": { "$ref": "#/$defs/ids" },
                    "sector": { "$ref": "#/$defs/ids" },
                    "all": { "type": "array", "items": { "$ref": "#/$defs/rule" } },
                    "any": { "type": "array", "items": { "$ref": "#/$defs/rule" } },
                    "not": { "$ref": "#/$defs/rule" }
                }
            }
        }
    })
}

fn describe(mut schema: Value, doc: &str) -> Value {
    if let Value::Object(map) = &mut schema {
        map.insert("description".into(), doc.into());
    }
    schema
}

fn object(fields: &[Field]) -> Value {
    let properties: Map<String, Value> = fields
        .iter()
        .map(|f| (f.name.to_owned(), describe(ty_schema(&f.ty), f.doc)))
        .collect();
    let required: Vec<&str> = fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.name)
        .collect();
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": required,
        "properties": properties,
    })
}

fn ty_schema(ty: &Ty) -> Value {
    let pattern = |p: &str| json!({ "type": "string", "pattern": p });
    match ty {
        Ty::Id | Ty::Ref(_) => json!({ "$ref": "#/$defs/id" }),
        Ty::Text | Ty::Markdown | Ty::Path | Ty::Timezone => json!({ "type": "string" }),
        Ty::Email => pattern("^[^@\\s]+@[^@\\s]+$"),
        Ty::Url => pattern("^https?://"),
        Ty::Booking => json!({ "type": "string", "pattern": "^(https?://|mailto:)?[^\\s]+$" }),
        Ty::UrlTemplate => pattern("^https?://.*\\{code\\}"),
        Ty::Date => pattern("^\\d{4}-\\d{2}-\\d{2}$"),
        Ty::DateTime => pattern("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2})?$"),
        Ty::Int { positive } => json!({ "type": "integer", "minimum": u8::from(*positive) }),
        Ty::Decimal => json!({ "type": "number", "minimum": 0 }),
        Ty::Bool => json!({ "type": "boolean" }),
        Ty::Duration => pattern("^\\s*\\d+\\s*(year|month|week|day)s?\\s*$"),
        Ty::Attendance => json!({
            "oneOf": [
                { "type": "integer", "minimum": 1 },
                { "type": "string", "pattern": "^\\d{1,3}(\\.\\d+)?%$" }
            ]
        }),
        Ty::Cost => json!({ "type": ["string", "number"] }),
        Ty::Colour => pattern("^#[0-9a-fA-F]{6}$"),
        Ty::Enum(words) => json!({ "enum": words }),
        Ty::List(item) => json!({ "type": "array", "items": ty_schema(item) }),
        Ty::Map(fields) => object(fields),
        Ty::Rule => json!({ "$ref": "#/$defs/rule" }),
        Ty::SessionSet => json!({
            "oneOf": [
                { "enum": ["all", "none"] },
                { "type": "array", "items": { "type": "integer", "minimum": 1 } }
            ]
        }),
        Ty::TimeRange => pattern("^\\d{1,2}:\\d{2}\\s*-\\s*\\d{1,2}:\\d{2}$"),
        Ty::Day => json!({
            "oneOf": [
                { "type": "integer", "minimum": 1, "maximum": 31 },
                { "type": "string" }
            ]
        }),
        Ty::Weekday => json!({ "enum": WEEKDAYS }),
    }
}

/// Markdown tables of every section's fields, as `docs/data-format.md` shows them.
#[doc(hidden)] // for the project's own docs generator (examples/field-tables.rs)
pub fn field_tables() -> String {
    let mut out = String::new();
    for section in SECTIONS {
        out.push_str(&format!("### `{}`\n\n{}\n\n", section.name, section.doc));
        table(&mut out, section.fields, "");
    }
    out
}

fn table(out: &mut String, fields: &[Field], prefix: &str) {
    if prefix.is_empty() {
        out.push_str("| field | required | type | meaning |\n|---|---|---|---|\n");
    }
    for f in fields {
        out.push_str(&format!(
            "| `{prefix}{}` | {} | {} | {} |\n",
            f.name,
            if f.required { "yes" } else { "" },
            ty_name(&f.ty),
            f.doc
        ));
        let nested = match &f.ty {
            Ty::Map(inner) => Some(inner),
            Ty::List(Ty::Map(inner)) => Some(inner),
            _ => None,
        };
        if let Some(inner) = nested {
            table(out, inner, &format!("{prefix}{}.", f.name));
        }
    }
    if prefix.is_empty() {
        out.push('\n');
    }
}

fn ty_name(ty: &Ty) -> String {
    match ty {
        Ty::Id => "id".into(),
        Ty::Text => "text".into(),
        Ty::Markdown => "Markdown".into(),
        Ty::Email => "email".into(),
        Ty::Url => "URL".into(),
        Ty::Booking => "URL or email".into(),
        Ty::UrlTemplate => "URL with `{code}`".into(),
        Ty::Date => "date".into(),
        Ty::DateTime => "local date-time".into(),
        Ty::Timezone => "IANA timezone".into(),
        Ty::Int { positive: true } => "whole number ≥ 1".into(),
        Ty::Int { positive: false } => "whole number ≥ 0".into(),
        Ty::Decimal => "number".into(),
        Ty::Bool => "true/false".into(),
        Ty::Duration => "duration".into(),
        Ty::Attendance => "percentage or count".into(),
        Ty::Cost => "`free` or amount".into(),
        Ty::Colour => "`#rrggbb`".into(),
        Ty::Path => "path".into(),
        Ty::Enum(words) => words
            .iter()
            .map(|w| format!("`{w}`"))
            .collect::<Vec<_>>()
            .join(" \\| "),
        Ty::Ref("people") => "person id".into(),
        Ty::Ref(section) => format!("{} id", section.trim_end_matches('s')),
        Ty::List(item) => format!("list of {}", ty_name(item)),
        Ty::Map(_) => "mapping".into(),
        Ty::Rule => "rule".into(),
        Ty::SessionSet => "`all`, `none` or numbers".into(),
        Ty::TimeRange => "`HH:MM-HH:MM`".into(),
        Ty::Day => "day".into(),
        Ty::Weekday => "weekday".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_file_names_map_to_sections() {
        use TabularSection::*;
        assert_eq!(TabularSection::from_file_name("people.csv"), Some(People));
        assert_eq!(
            TabularSection::from_file_name("attendance-2022.csv"),
            Some(Attendance)
        );
        assert_eq!(TabularSection::from_file_name("peoples.csv"), None);
        assert_eq!(TabularSection::from_file_name("cohorts.csv"), None);
    }

    fn yaml_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                yaml_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                out.push(path);
            }
        }
    }

    fn schema_errors(yaml: &str) -> Vec<String> {
        let validator = jsonschema::validator_for(&json_schema()).expect("a valid schema");
        let value: Value =
            serde_saphyr::from_str_with_options(yaml, crate::load::yaml::options()).unwrap();
        validator
            .iter_errors(&value)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect()
    }

    #[test]
    fn every_example_file_validates_against_the_schema() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/kent-medway");
        let mut files = Vec::new();
        yaml_files(&root, &mut files);
        assert!(files.len() >= 8, "{files:?}");
        for file in files {
            let errors = schema_errors(&std::fs::read_to_string(&file).unwrap());
            assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
        }
    }

    #[test]
    fn schema_rejects_what_the_loader_rejects() {
        assert!(
            !schema_errors("courses:\n  - { id: x, titel: X, tier: 1, format: webinar }\n")
                .is_empty()
        );
        assert!(!schema_errors("cohort:\n  - { id: x }\n").is_empty());
        assert!(
            !schema_errors("courses:\n  - { id: x, title: X, tier: 1, format: lecture }\n")
                .is_empty()
        );
        assert!(!schema_errors("courses:\n  - { id: X, title: X, tier: 1, format: webinar, requires: { done: y } }\n").is_empty());
        assert!(schema_errors("courses:\n  - { id: x, title: X, tier: 1, format: webinar, requires: { all: [ { role: manager }, { not: { completed: { course: y, within: 2 years } } } ] } }\n").is_empty());
    }

    #[test]
    fn docs_show_the_current_field_tables() {
        let docs = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/data-format.md"
        ))
        .unwrap();
        assert!(
            docs.contains(&field_tables()),
            "docs/data-format.md is out of date: run `scripts/regen-docs.sh`"
        );
    }

    #[test]
    fn every_section_has_unique_field_names() {
        for s in SECTIONS {
            let mut names: Vec<_> = s.fields.iter().map(|f| f.name).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), s.fields.len(), "{}", s.name);
        }
    }
}
