//! The records of a data set, with references resolved to typed indices.
//!
//! Field names and meanings follow `docs/data-format.md`. Every record keeps
//! its [`Loc`] so that later checks can point at it.

mod rule;

pub use rule::{Rule, RuleKind};

use chrono::{Months, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use chrono_tz::Tz;

use crate::ix::Ix;
use crate::loc::Loc;

/// A closed set of words in the data format (`format: face-to-face`),
/// each one variant of an enum. The words live only in the enum's
/// `vocabulary!` declaration; the schema, the loader, the command line
/// and the site all read them from there.
pub trait Vocabulary: Copy + Sized + 'static {
    /// Every value, in documentation order.
    const ALL: &'static [Self];
    /// The words, in the same order as [`Vocabulary::ALL`].
    const WORDS: &'static [&'static str];
    /// The word as written in data files.
    fn as_str(self) -> &'static str;
    /// The value a word names, exactly as written.
    fn from_word(word: &str) -> Option<Self> {
        Self::WORDS
            .iter()
            .position(|w| *w == word)
            .map(|i| Self::ALL[i])
    }
}

/// Declare an enum whose variants are written as words in data files.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $word:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
        }

        impl Vocabulary for $name {
            const ALL: &'static [Self] = &[$($name::$variant),*];
            const WORDS: &'static [&'static str] = &[$($word),*];
            fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)*
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownWord;
            fn from_str(s: &str) -> Result<Self, UnknownWord> {
                <Self as Vocabulary>::from_word(s).ok_or(UnknownWord)
            }
        }
    };
}

/// A word that is not in a [`Vocabulary`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not one of the allowed words")]
pub struct UnknownWord;

/// A record id as written in the data (`l2-trauma-awareness`).
pub type Id = compact_str::CompactString;

/// Short text kept on millions of records (a person's name, email and
/// employer): up to 24 bytes are stored inline, with no allocation of their
/// own. It dereferences to `str`.
pub type Text = compact_str::CompactString;

/// The training programme: one per data set.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Programme {
    /// Its id.
    pub id: Id,
    /// Its full name.
    pub name: String,
    /// The timezone every local time is in.
    pub timezone: Tz,
    /// Domain for calendar UIDs.
    pub domain: String,
    /// The public contact.
    pub organiser: Option<Organiser>,
    /// Which bank holidays are non-working days.
    pub holidays: HolidayCalendar,
    /// Extra non-working dates.
    pub closures: Vec<NaiveDate>,
    /// Working weekdays (default Monday to Friday).
    pub working_days: Vec<Weekday>,
    /// Certificate verification URL template with `{code}`.
    pub verify_url: Option<String>,
    /// Where the site is published.
    pub site_url: Option<String>,
    /// How to book, unless a course or cohort says otherwise.
    pub booking: Option<Booking>,
    /// The certificates' public keys over time (`public_keys`, or the
    /// one-key shorthand `public_key`), in the order written: the newest
    /// last.
    pub public_keys: Vec<PublicKeyEntry>,
    /// Targets: how many people trained by when.
    pub vision: Option<Vision>,
    /// Logo, colour, signatory.
    pub branding: Option<Branding>,
    /// Where it is defined.
    pub loc: Loc,
}

/// One of the programme's public keys for certificates.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PublicKeyEntry {
    /// Its id in the issuer's DID document: `key-1`, `key-2`, … by its
    /// place in the list (so a key's id never changes while keys are only
    /// added).
    pub id: String,
    /// The PEM file, relative to the data folder.
    pub file: String,
    /// The first day it signs (none: from the start).
    pub from: Option<NaiveDate>,
    /// The day from which it is no longer trusted: credentials it signed
    /// on or after that day are revoked.
    pub compromised: Option<NaiveDate>,
    /// Where its `file` is written.
    pub loc: Loc,
}

impl PublicKeyEntry {
    /// Whether a credential this key signed on `issued` stands (it was
    /// not signed on or after the key was compromised).
    pub fn trusted_on(&self, issued: NaiveDate) -> bool {
        self.compromised.is_none_or(|c| issued < c)
    }
}

/// The organiser of a programme.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Organiser {
    /// A team or person.
    pub name: String,
    /// Public contact address.
    pub email: Option<String>,
}

vocabulary! {
    /// Which UK bank holidays apply.
    #[derive(Default)]
    pub enum HolidayCalendar {
        /// England and Wales (the default).
        #[default]
        EnglandAndWales = "england-and-wales",
        /// Scotland.
        Scotland = "scotland",
        /// Northern Ireland.
        NorthernIreland = "northern-ireland",
        /// No bank holidays.
        None = "none",
    }
}

/// The programme's vision.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Vision {
    /// Target date.
    pub by: NaiveDate,
    /// The targets.
    pub targets: Vec<Target>,
}

/// A target of people trained, optionally narrowed.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Target {
    /// Only this tier.
    pub tier: Option<Ix<Tier>>,
    /// Only this region.
    pub region: Option<Ix<Region>>,
    /// Only this sector.
    pub sector: Option<Ix<Sector>>,
    /// How many people.
    pub people: u32,
}

/// Branding of certificates and the site.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Branding {
    /// PNG logo, relative to the data folder.
    pub logo: Option<String>,
    /// `#rrggbb`.
    pub colour: Option<String>,
    /// A TrueType/OpenType font for certificates, relative to the data
    /// folder, tried before the built-in ones.
    pub font: Option<String>,
    /// More fonts for certificates, tried in order after the built-in
    /// ones (a script they lack).
    pub fonts: Vec<String>,
    /// Where each of `fonts` is written.
    pub fonts_locs: Vec<Loc>,
    /// Who signs certificates.
    pub signatory: Option<Signatory>,
    /// Where `logo:`'s value is written.
    pub logo_loc: Option<Loc>,
    /// Where `colour:`'s value is written.
    pub colour_loc: Option<Loc>,
    /// Where `font:`'s value is written.
    pub font_loc: Option<Loc>,
}

/// Who signs certificates.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Signatory {
    /// Name.
    pub name: String,
    /// Job title.
    pub title: Option<String>,
}

/// A region, sector or role: an id and a display name.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Named<K> {
    /// Its id.
    pub id: Id,
    /// Its display name.
    pub name: String,
    /// Where it is defined.
    pub loc: Loc,
    pub(crate) _kind: std::marker::PhantomData<fn() -> K>,
}

/// Marker for [`Region`].
#[derive(Clone, Copy, Debug)]
pub enum RegionKind {}
/// Marker for [`Sector`].
#[derive(Clone, Copy, Debug)]
pub enum SectorKind {}
/// Marker for [`Role`].
#[derive(Clone, Copy, Debug)]
pub enum RoleKind {}

/// An area people work in and cohorts run in.
pub type Region = Named<RegionKind>;
/// A sector people work in.
pub type Sector = Named<SectorKind>;
/// A job role.
pub type Role = Named<RoleKind>;

/// A tier of the offer.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Tier {
    /// 1, 2, …
    pub level: u32,
    /// Display name.
    pub name: String,
    /// Who it is for.
    pub description: Option<String>,
    /// Where it is defined.
    pub loc: Loc,
}

impl Tier {
    /// How a course's tier is shown: `Tier 2: Trauma Aware`.
    pub fn label(&self) -> String {
        format!("Tier {}: {}", self.level, self.name)
    }
}

/// A learning resource.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Resource {
    /// Its id.
    pub id: Id,
    /// Title.
    pub title: String,
    /// What it is.
    pub kind: ResourceKind,
    /// Where it is.
    pub location: ResourceLocation,
    /// How long it takes.
    pub minutes: Option<u32>,
    /// Roles it is for (empty: everyone).
    pub audience: Vec<Ix<Role>>,
    /// Who paid for it.
    pub funder: Option<String>,
    /// A sentence or two.
    pub description: Option<String>,
    /// Where it is defined.
    pub loc: Loc,
    /// Where its `url:` or `file:` value is written.
    pub location_loc: Loc,
}

vocabulary! {
    /// The kind of a resource.
    pub enum ResourceKind {
        /// An online course.
        ELearning = "e-learning",
        /// A PDF document.
        Pdf = "pdf",
        /// A video.
        Video = "video",
        /// A web page.
        Web = "web",
        /// A leaflet.
        Leaflet = "leaflet",
    }
}

/// Where a resource is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResourceLocation {
    /// Online.
    Url(String),
    /// A file in the data folder (relative, `/`-separated, checked to stay inside).
    File(String),
}

impl ResourceLocation {
    /// The address of an online resource.
    pub fn url(&self) -> Option<&str> {
        match self {
            ResourceLocation::Url(u) => Some(u),
            ResourceLocation::File(_) => None,
        }
    }

    /// The path of a resource that is a file in the data folder.
    pub fn file(&self) -> Option<&str> {
        match self {
            ResourceLocation::File(f) => Some(f),
            ResourceLocation::Url(_) => None,
        }
    }
}

/// A venue.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Venue {
    /// Its id.
    pub id: Id,
    /// Name.
    pub name: String,
    /// Postal address.
    pub address: Option<String>,
    /// Region it is in.
    pub region: Option<Ix<Region>>,
    /// Most people the room holds.
    pub capacity: Option<u32>,
    /// Access notes, published with every date there.
    pub access: Option<String>,
    /// A map of where it is.
    pub map: Option<String>,
    /// Where it is defined.
    pub loc: Loc,
}

impl Venue {
    /// Its name and address, as a date's place is shown: `Ashford
    /// Gateway, Church Road, Ashford` (the name alone without an address).
    pub fn name_and_address(&self) -> String {
        match &self.address {
            Some(a) => format!("{}, {a}", self.name),
            None => self.name.clone(),
        }
    }
}

vocabulary! {
    /// How a course is delivered.
    pub enum Format {
        /// Self-paced online.
        ELearning = "e-learning",
        /// In a room.
        FaceToFace = "face-to-face",
        /// A webinar.
        Webinar = "webinar",
        /// Live online.
        OnlineLive = "online-live",
        /// A programme of several sessions.
        Programme = "programme",
        /// A recurring network meeting.
        Network = "network",
    }
}

/// What counts as completing a course.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum CompletionRule {
    /// At least this percentage of sessions (0–100).
    Percent(f64),
    /// At least this many sessions.
    Sessions(u32),
}

impl Default for CompletionRule {
    fn default() -> Self {
        CompletionRule::Percent(100.0)
    }
}

/// A span of calendar time: whole days or whole months.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Duration {
    /// Days (weeks are 7 days).
    Days(u32),
    /// Months (years are 12 months).
    Months(u32),
}

impl Duration {
    /// `date` plus this duration (saturating at the calendar's end).
    pub fn after(self, date: NaiveDate) -> NaiveDate {
        match self {
            Duration::Days(d) => date.checked_add_days(chrono::Days::new(d.into())),
            Duration::Months(m) => date.checked_add_months(Months::new(m)),
        }
        .unwrap_or(NaiveDate::MAX)
    }
}

impl std::fmt::Display for Duration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (n, unit) = match *self {
            Duration::Months(m) if m % 12 == 0 => (m / 12, "year"),
            Duration::Months(m) => (m, "month"),
            Duration::Days(d) if d % 7 == 0 => (d / 7, "week"),
            Duration::Days(d) => (d, "day"),
        };
        write!(f, "{n} {unit}{}", if n == 1 { "" } else { "s" })
    }
}

/// A course.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Course {
    /// Its id.
    pub id: Id,
    /// Title.
    pub title: String,
    /// Its tier (`data[course.tier].level` is the number the data gives).
    pub tier: Ix<Tier>,
    /// How it is delivered.
    pub format: Format,
    /// A paragraph.
    pub summary: Option<String>,
    /// Where it is taken (an e-learning course's start page).
    pub url: Option<String>,
    /// How to book it (default: the programme's).
    pub booking: Option<Booking>,
    /// When a finished programme ended.
    pub ended: Option<NaiveDate>,
    /// Who delivers it.
    pub provider: Option<String>,
    /// Minutes per session.
    pub minutes: Option<u32>,
    /// CPD hours.
    pub cpd_hours: Option<f64>,
    /// `None` when free, else the amount as written.
    pub cost: Option<String>,
    /// Roles it is for (empty: everyone).
    pub audience: Vec<Ix<Role>>,
    /// Regions it is for (empty: everywhere).
    pub regions: Vec<Ix<Region>>,
    /// What a learner must meet first.
    pub requires: Option<Rule>,
    /// How long a completion counts.
    pub valid_for: Option<Duration>,
    /// What counts as completing.
    pub completion: CompletionRule,
    /// Whether completers get a certificate.
    pub certificate: bool,
    /// Resources that go with it.
    pub resources: Vec<Ix<Resource>>,
    /// What a trainer must meet.
    pub delivered_by: Option<Rule>,
    /// Default capacity of its cohorts.
    pub capacity: Option<u32>,
    /// Where it is defined.
    pub loc: Loc,
}

/// A learner or trainer.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Person {
    /// Their id.
    pub id: Id,
    /// Full name (Unicode).
    pub name: Text,
    /// Email (never published).
    pub email: Option<Text>,
    /// Employer.
    pub organisation: Option<Text>,
    /// Sector.
    pub sector: Option<Ix<Sector>>,
    /// Role.
    pub role: Option<Ix<Role>>,
    /// Region.
    pub region: Option<Ix<Region>>,
    /// Where they are defined.
    pub loc: Loc,
}

vocabulary! {
    /// Whether a cohort will run.
    #[derive(Default)]
    pub enum Status {
        /// Planned, not yet confirmed (calendars: TENTATIVE).
        #[default]
        Planned = "planned",
        /// Confirmed.
        Confirmed = "confirmed",
        /// Cancelled (kept, published as cancelled).
        Cancelled = "cancelled",
    }
}

/// How to book: a form or an email address.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Booking {
    /// A form's address; `{cohort}` in it stands for the run's id.
    Form(String),
    /// An email address.
    Email(Text),
}

impl Booking {
    /// The form's address for one run (`{cohort}` replaced by its id), or
    /// `None` for an email address.
    pub fn form_for(&self, cohort: &str) -> Option<String> {
        match self {
            Booking::Form(url) => Some(url.replace("{cohort}", cohort)),
            Booking::Email(_) => None,
        }
    }
}

/// Where a cohort meets.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Place {
    /// At a venue.
    Venue(Ix<Venue>),
    /// Online, with this joining link.
    Online(String),
}

/// A hand-set session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionTime {
    /// Local start.
    pub start: NaiveDateTime,
    /// Local end.
    pub end: NaiveDateTime,
    /// Where its `start` value is written: what a clash or a closed day
    /// blames.
    pub loc: Loc,
    /// Where its `end` value is written.
    pub end_loc: Loc,
}

vocabulary! {
    /// How often a schedule repeats.
    pub enum Every {
        /// Weekly.
        Week = "week",
        /// Fortnightly.
        TwoWeeks = "2 weeks",
        /// Monthly.
        Month = "month",
        /// Every two months.
        TwoMonths = "2 months",
        /// Every three months.
        Quarter = "quarter",
    }
}

/// Which day of the period a schedule lands on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Day {
    /// The n-th (1–5) weekday of the month, e.g. 2nd Tuesday.
    Nth(u8, Weekday),
    /// The last weekday of the month.
    Last(Weekday),
    /// A day of the month (1–31).
    OfMonth(u8),
    /// A weekday (for weekly schedules: `tuesday`).
    Weekday(Weekday),
}

vocabulary! {
    /// What a schedule does on a non-working day.
    #[derive(Default)]
    pub enum HolidayPolicy {
        /// Move to the next working day.
        #[default]
        NextWorkingDay = "next-working-day",
        /// Drop the session.
        Skip = "skip",
    }
}

/// Where a schedule stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScheduleEnd {
    /// The last possible date.
    Until(NaiveDate),
    /// How many sessions.
    Count(u32),
}

/// A recurrence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Schedule {
    /// How often.
    pub every: Every,
    /// Which day.
    pub day: Day,
    /// First possible date.
    pub from: NaiveDate,
    /// Where it stops.
    pub end: ScheduleEnd,
    /// Local start time.
    pub start: NaiveTime,
    /// Local end time.
    pub end_time: NaiveTime,
    /// Non-working day policy.
    pub holidays: HolidayPolicy,
    /// Where it is written.
    pub loc: Loc,
}

/// When a cohort meets.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Timing {
    /// Hand-set sessions, as written.
    Sessions(Vec<SessionTime>),
    /// A recurrence.
    Schedule(Schedule),
}

/// A run of a course.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Cohort {
    /// Its id.
    pub id: Id,
    /// The course.
    pub course: Ix<Course>,
    /// Region it serves.
    pub region: Option<Ix<Region>>,
    /// Where it meets.
    pub place: Option<Place>,
    /// Whether its joining link (`online`) is published.
    pub public_link: bool,
    /// How to book it (default: the course's).
    pub booking: Option<Booking>,
    /// The run that replaces it (when it is cancelled).
    pub replaced_by: Option<Ix<Cohort>>,
    /// Who delivers it.
    pub trainers: Vec<Ix<Person>>,
    /// Places (its own, else the course's).
    pub capacity: Option<u32>,
    /// Whether it will run.
    pub status: Status,
    /// Raised on every change attendees must see.
    pub revision: u32,
    /// Notes for attendees.
    pub notes: Option<String>,
    /// People with a place.
    pub enrolled: Vec<Ix<Person>>,
    /// People waiting, in order.
    pub waitlist: Vec<Ix<Person>>,
    /// When it meets.
    pub timing: Timing,
    /// Where it is defined.
    pub loc: Loc,
    /// Where each of its values is written, for diagnostics that blame one.
    pub locs: CohortLocs,
}

/// Where a cohort's values are written: the value a diagnostic blames, not
/// the cohort's first line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CohortLocs {
    /// `capacity:`'s value.
    pub capacity: Option<Loc>,
    /// `venue:` or `online:`'s value.
    pub place: Option<Loc>,
    /// `replaced_by:`'s value.
    pub replaced_by: Option<Loc>,
    /// Each id in `trainers`, in order.
    pub trainers: Vec<Loc>,
    /// Each id in `enrolled`, in order.
    pub enrolled: Vec<Loc>,
    /// Each id in `waitlist`, in order.
    pub waitlist: Vec<Loc>,
}

/// Which sessions someone attended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionSet {
    /// Every session.
    All,
    /// These 1-based session numbers.
    Numbers(Vec<u32>),
}

impl SessionSet {
    /// Whether session `number` (1-based) was attended.
    pub fn contains(&self, number: u32) -> bool {
        match self {
            SessionSet::All => true,
            SessionSet::Numbers(list) => list.contains(&number),
        }
    }
}

/// Attendance of one person at one cohort.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Attendance {
    /// The cohort.
    pub cohort: Ix<Cohort>,
    /// The learner.
    pub person: Ix<Person>,
    /// Which sessions.
    pub sessions: SessionSet,
    /// Where it is recorded.
    pub loc: Loc,
    /// Where its `person` value is written.
    pub person_loc: Loc,
    /// Where its `sessions` value is written (the record when absent).
    pub sessions_loc: Loc,
    /// Where each session number is written, in order (empty for `all`
    /// and `none`).
    pub number_locs: Vec<Loc>,
}

/// A completion recorded elsewhere.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Completion {
    /// The learner.
    pub person: Ix<Person>,
    /// The course.
    pub course: Ix<Course>,
    /// When.
    pub date: NaiveDate,
    /// Where the record came from (its text: [`crate::Dataset::source`]).
    pub source: Option<Source>,
    /// Where it is recorded.
    pub loc: Loc,
}

/// Where a completion was recorded ("e-learning export"): one of the few
/// sources of a data set, named once, not on each of millions of records.
/// [`crate::Dataset::source`] gives its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Source(std::num::NonZeroU32);

impl Source {
    /// The `i`th source (0-based).
    pub(crate) fn new(i: usize) -> Source {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        Source(std::num::NonZeroU32::new(n).unwrap_or(std::num::NonZeroU32::MIN))
    }

    /// Its position in the data set's list of sources (0-based).
    pub(crate) fn index(self) -> usize {
        self.0.get() as usize - 1
    }
}

/// An expression of interest.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Application {
    /// The applicant.
    pub person: Ix<Person>,
    /// The course.
    pub course: Ix<Course>,
    /// When they applied.
    pub applied: NaiveDate,
    /// Cohorts in order of preference.
    pub prefer: Vec<Ix<Cohort>>,
    /// Regions they can travel to.
    pub regions: Vec<Ix<Region>>,
    /// Where it is recorded.
    pub loc: Loc,
}

/// A certificate in the ledger (`certificates`): issued once, recorded,
/// never renumbered.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Issued {
    /// `KM-TIP-2022-000042`.
    pub number: String,
    /// The verification code printed on it.
    pub code: String,
    /// Who.
    pub person: Ix<Person>,
    /// What.
    pub course: Ix<Course>,
    /// When they completed it.
    pub completed: NaiveDate,
    /// When it was issued.
    pub issued: NaiveDate,
    /// When it was revoked, if it was.
    pub revoked: Option<NaiveDate>,
    /// Why it was revoked.
    pub reason: Option<String>,
    /// The id of the key that signed it (`key-2`); none for rows written
    /// before keys had ids (the first key).
    pub key: Option<String>,
    /// The number of the revoked certificate it replaces.
    pub replaces: Option<String>,
    /// The credential as signed (a VC-JWT): what a reprint gives back.
    pub credential: Option<String>,
    /// Where it is recorded.
    pub loc: Loc,
    /// Where its `number` is written.
    pub number_loc: Loc,
    /// Where its `code` is written.
    pub code_loc: Loc,
    /// Where its `issued` date is written.
    pub issued_loc: Loc,
    /// Where its `revoked` date is written.
    pub revoked_loc: Option<Loc>,
    /// Where its `replaces` is written.
    pub replaces_loc: Option<Loc>,
    /// Where its `key` is written.
    pub key_loc: Option<Loc>,
}

impl Issued {
    /// The year and sequence of a number `<PREFIX>-<YEAR>-<NNNNNN>` with
    /// this prefix, written canonically: the sequence from 1, at least six
    /// digits, zero-padded to six and never otherwise (`…-000041`,
    /// `…-1000000`; not `…-+00041` or `…-0000041`).
    pub fn sequence(number: &str, prefix: &str) -> Option<(i32, u32)> {
        let rest = number.strip_prefix(prefix)?.strip_prefix('-')?;
        let (year, seq) = rest.split_once('-')?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if seq.len() < 6 || seq.len() > 10 || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u32 = seq.parse().ok()?;
        if n == 0 || (seq.len() > 6 && seq.starts_with('0')) {
            return None;
        }
        Some((year.parse().ok()?, n))
    }

    /// The canonical number of sequence `seq` in `year`: the inverse of
    /// [`Issued::sequence`].
    pub fn number_of(prefix: &str, year: i32, seq: u32) -> String {
        format!("{prefix}-{year}-{seq:06}")
    }

    /// Whether `code` is written as verification codes are: `XXXX-XXXX`
    /// in Crockford's base 32 (digits and capitals without I, L, O, U).
    pub fn is_code(code: &str) -> bool {
        let b = code.as_bytes();
        b.len() == 9
            && b[4] == b'-'
            && b.iter().enumerate().all(|(i, c)| {
                i == 4 || (c.is_ascii_digit() || c.is_ascii_uppercase()) && !b"ILOU".contains(c)
            })
    }
}

/// A bulletin item.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct News {
    /// Publication date.
    pub date: NaiveDate,
    /// Headline.
    pub title: String,
    /// Markdown body.
    pub body: Option<String>,
    /// Where it is written.
    pub loc: Loc,
}

#[cfg(test)]
mod vocabulary_tests {
    use super::*;

    fn round_trips<T: Vocabulary + std::str::FromStr + PartialEq + std::fmt::Debug>() {
        assert_eq!(T::ALL.len(), T::WORDS.len());
        for (value, word) in T::ALL.iter().zip(T::WORDS) {
            assert_eq!(value.as_str(), *word);
            assert_eq!(word.parse::<T>().ok().as_ref(), Some(value));
        }
        assert!("no-such-word".parse::<T>().is_err());
    }

    #[test]
    fn every_word_names_its_own_variant() {
        round_trips::<HolidayCalendar>();
        round_trips::<ResourceKind>();
        round_trips::<Format>();
        round_trips::<Status>();
        round_trips::<Every>();
        round_trips::<HolidayPolicy>();
        assert_eq!(Status::default(), Status::Planned);
        assert_eq!(HolidayCalendar::default(), HolidayCalendar::EnglandAndWales);
        assert_eq!("face-to-face".parse(), Ok(Format::FaceToFace));
    }
}
