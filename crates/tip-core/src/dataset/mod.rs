//! A loaded data set: every record, indexed by id.

use std::fmt;
use std::io;
use std::ops;
use std::path::{Path, PathBuf};

use crate::diagnostic::{self, Diagnostic, Location};
use crate::ix::Ix;
mod completions;
mod index;

pub(crate) use completions::CompletionIndex;
pub use completions::{Done, Origin};
pub(crate) use index::{IdTable, Index};

use crate::files::Files;
use crate::loc::Loc;
use crate::model::*;
use crate::records::Records;
use crate::timetable::{Session, WorkingCalendar};

/// Every record of a data folder, checked and cross-referenced.
///
/// Records refer to each other by [`Ix`]; index the data set with one to get
/// the record (`dataset[cohort.course].title`). Look records up by id with
/// [`Dataset::person`], [`Dataset::course`] and friends.
///
/// ```
/// use tip_core::Dataset;
///
/// let (data, warnings) = Dataset::load("../../data/kent-medway")?;
/// assert!(warnings.iter().all(|w| !w.is_error()));
/// let course = data.course("l2-trauma-awareness").expect("the L2 course");
/// let l2 = &data[course];
/// assert_eq!(data[l2.tier].level, 2);
/// println!("{} has {} cohorts", l2.title, data.cohorts_of(course).count());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Dataset {
    pub(crate) root: PathBuf,
    pub(crate) files: Files,
    pub(crate) index: Index,
    /// The programme.
    pub(crate) programme: Programme,
    /// Regions, in file order.
    pub(crate) regions: Vec<Region>,
    /// Sectors.
    pub(crate) sectors: Vec<Sector>,
    /// Roles.
    pub(crate) roles: Vec<Role>,
    /// Tiers.
    pub(crate) tiers: Vec<Tier>,
    /// Resources.
    pub(crate) resources: Vec<Resource>,
    /// Venues.
    pub(crate) venues: Vec<Venue>,
    /// Courses.
    pub(crate) courses: Vec<Course>,
    /// People.
    pub(crate) people: Records<Person>,
    /// Cohorts.
    pub(crate) cohorts: Vec<Cohort>,
    /// Attendance records.
    pub(crate) attendance: Records<Attendance>,
    /// Completion records from elsewhere.
    pub(crate) completions: Records<Completion>,
    /// The texts of the completions' sources.
    pub(crate) sources: Vec<Box<str>>,
    /// Applications.
    pub(crate) applications: Records<Application>,
    /// The ledger of issued certificates.
    pub(crate) certificates: Records<Issued>,
    /// News items.
    pub(crate) news: Vec<News>,
    pub(crate) calendar: WorkingCalendar,
    /// Expanded sessions of each cohort, by cohort index.
    pub(crate) sessions: Vec<Vec<Session>>,
    /// Completions of each person, from records and attendance.
    pub(crate) done: CompletionIndex,
    /// What was read.
    pub(crate) scope: Scope,
}

/// How much of a data folder to read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scope {
    /// Everything, with every check.
    #[default]
    Everything,
    /// The programme, catalogue, people and cohorts — not the records of
    /// learning (`attendance`, `completions`, `applications`), nor the
    /// checks that need them (eligibility, trainers' qualifications,
    /// attendance). Enough to publish a timetable, quickly; run a full
    /// [`Dataset::check`] in CI.
    Timetable,
}

/// Why a data set could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The folder could not be read.
    #[error("cannot read the data folder `{path}`: {source}")]
    Io {
        /// The folder.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
    /// The data has errors (the diagnostics include any warnings too).
    #[error("the data has {} error(s)", diagnostic::count(.0).0)]
    Invalid(Vec<Diagnostic>),
}

/// The result of checking a data folder: every diagnostic and, when the
/// data is valid, the data set. A data set with errors (records missing,
/// references unresolved) is never handed out as if it were whole.
pub struct Report {
    /// What could be read; handed out only when valid (or when every error
    /// is one the caller allows).
    pub(crate) dataset: Option<Dataset>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Every error and warning, sorted by place.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The data set, when the data is valid.
    pub fn dataset(&self) -> Option<&Dataset> {
        self.dataset.as_ref().filter(|_| !self.has_errors())
    }

    /// The data set and its warnings when the data is valid; else every
    /// diagnostic.
    pub fn into_result(self) -> Result<(Dataset, Vec<Diagnostic>), Vec<Diagnostic>> {
        self.into_result_allowing(&[])
    }

    /// [`Report::into_result`], except that errors with one of the
    /// `allowed` codes do not make the data set unusable. Only codes of
    /// checks across whole records qualify (a clash, an over-full cohort):
    /// the records themselves are complete. Any other error still fails.
    pub fn into_result_allowing(
        self,
        allowed: &[crate::Code],
    ) -> Result<(Dataset, Vec<Diagnostic>), Vec<Diagnostic>> {
        let usable = self
            .diagnostics
            .iter()
            .all(|d| !d.is_error() || (allowed.contains(&d.code) && d.code.is_cross_record()));
        match self.dataset {
            Some(data) if usable => Ok((data, self.diagnostics)),
            _ => Err(self.diagnostics),
        }
    }
}

impl Dataset {
    /// What was read (see [`Scope`]).
    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// The data folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where a record is written, for messages.
    pub fn location(&self, loc: Loc) -> Location {
        self.files.location(loc)
    }

    /// The person with this id.
    pub fn person(&self, id: &str) -> Option<Ix<Person>> {
        self.index.people.get(id)
    }

    /// The course with this id.
    pub fn course(&self, id: &str) -> Option<Ix<Course>> {
        self.index.courses.get(id)
    }

    /// The cohort with this id.
    pub fn cohort(&self, id: &str) -> Option<Ix<Cohort>> {
        self.index.cohorts.get(id)
    }

    /// The region with this id.
    pub fn region(&self, id: &str) -> Option<Ix<Region>> {
        self.index.regions.get(id)
    }

    /// The role with this id.
    pub fn role(&self, id: &str) -> Option<Ix<Role>> {
        self.index.roles.get(id)
    }

    /// The sector with this id.
    pub fn sector(&self, id: &str) -> Option<Ix<Sector>> {
        self.index.sectors.get(id)
    }

    /// The venue with this id.
    pub fn venue(&self, id: &str) -> Option<Ix<Venue>> {
        self.index.venues.get(id)
    }

    /// The resource with this id.
    pub fn resource(&self, id: &str) -> Option<Ix<Resource>> {
        self.index.resources.get(id)
    }

    /// The tier of this level.
    pub fn tier(&self, level: u32) -> Option<Ix<Tier>> {
        self.index.tiers.get(&level).copied()
    }

    /// The places a cohort has (`None`: unlimited): its own capacity, else
    /// its course's, never more than its venue holds once the trainers are
    /// in the room.
    pub fn places(&self, cohort: Ix<Cohort>) -> Option<u32> {
        self.places_of(&self[cohort])
    }

    /// How to book a cohort: its own `booking`, else its course's, else
    /// the programme's, else the organiser's email (`None`: no way given).
    pub fn booking(&self, cohort: Ix<Cohort>) -> Option<crate::model::Booking> {
        let c = &self[cohort];
        let programme = self.programme();
        c.booking
            .clone()
            .or_else(|| self[c.course].booking.clone())
            .or_else(|| programme.booking.clone())
            .or_else(|| {
                let email = programme.organiser.as_ref()?.email.as_ref()?;
                Some(crate::model::Booking::Email(email.as_str().into()))
            })
    }

    pub(crate) fn places_of(&self, cohort: &Cohort) -> Option<u32> {
        let own = cohort.capacity.or(self[cohort.course].capacity);
        let room = match &cohort.place {
            Some(Place::Venue(v)) => self[*v]
                .capacity
                .map(|c| c.saturating_sub(cohort.trainers.len() as u32)),
            _ => None,
        };
        match (own, room) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The cohorts of a course, in file order.
    pub fn cohorts_of(&self, course: Ix<Course>) -> impl Iterator<Item = Ix<Cohort>> + '_ {
        self.cohorts
            .iter()
            .enumerate()
            .filter(move |(_, c)| c.course == course)
            .map(|(i, _)| Ix::new(i))
    }

    /// The sessions of a cohort, expanded and numbered 1..n in time order.
    pub fn sessions(&self, cohort: Ix<Cohort>) -> &[Session] {
        &self.sessions[cohort.index()]
    }

    /// The programme's working days (bank holidays, closures, weekdays).
    pub fn calendar(&self) -> &WorkingCalendar {
        &self.calendar
    }

    /// Every course's index, in file order.
    pub fn course_ixs(&self) -> impl Iterator<Item = Ix<Course>> + use<> {
        (0..self.courses.len()).map(Ix::new)
    }

    /// Every person's index, in file order.
    pub fn person_ixs(&self) -> impl Iterator<Item = Ix<Person>> + use<> {
        (0..self.people.len()).map(Ix::new)
    }

    /// Every cohort with its index.
    pub fn cohort_ixs(&self) -> impl Iterator<Item = (Ix<Cohort>, &Cohort)> + '_ {
        self.cohorts
            .iter()
            .enumerate()
            .map(|(i, c)| (Ix::new(i), c))
    }

    /// A near-miss suggestion for a mistyped person id.
    pub fn suggest_person(&self, id: &str) -> Option<String> {
        self.index.people.suggest(id)
    }

    /// A near-miss suggestion for a mistyped region id.
    pub fn suggest_region(&self, id: &str) -> Option<String> {
        self.index.regions.suggest(id)
    }

    /// A near-miss suggestion for a mistyped cohort id.
    pub fn suggest_cohort(&self, id: &str) -> Option<String> {
        self.index.cohorts.suggest(id)
    }

    /// A near-miss suggestion for a mistyped role id.
    pub fn suggest_role(&self, id: &str) -> Option<String> {
        self.index.roles.suggest(id)
    }

    /// A near-miss suggestion for a mistyped course id.
    pub fn suggest_course(&self, id: &str) -> Option<String> {
        self.index.courses.suggest(id)
    }
}

impl fmt::Debug for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dataset")
            .field("root", &self.root)
            .field("programme", &self.programme.id)
            .field("courses", &self.courses.len())
            .field("people", &self.people.len())
            .field("cohorts", &self.cohorts.len())
            .field("completions", &self.completions.len())
            .finish_non_exhaustive()
    }
}

macro_rules! index_by {
    ($($ty:ty => $field:ident),* $(,)?) => {$(
        impl ops::Index<Ix<$ty>> for Dataset {
            type Output = $ty;
            fn index(&self, ix: Ix<$ty>) -> &$ty {
                &self.$field[ix.index()]
            }
        }
    )*};
}

index_by! {
    Region => regions,
    Sector => sectors,
    Role => roles,
    Tier => tiers,
    Resource => resources,
    Venue => venues,
    Course => courses,
    Person => people,
    Cohort => cohorts,
    Attendance => attendance,
    Completion => completions,
    Application => applications,
}

/// The records of a data set, section by section.
impl Dataset {
    /// Whether the data set was given in memory ([`Dataset::from_sources`]):
    /// it has no folder.
    pub fn in_memory(&self) -> bool {
        self.root.as_os_str().is_empty()
    }

    /// The programme.
    pub fn programme(&self) -> &Programme {
        &self.programme
    }

    /// Every region record, in file order (an [`Ix`] is an index into it).
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// Every sector record, in file order (an [`Ix`] is an index into it).
    pub fn sectors(&self) -> &[Sector] {
        &self.sectors
    }

    /// Every role record, in file order (an [`Ix`] is an index into it).
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    /// Every tier record, in file order (an [`Ix`] is an index into it).
    pub fn tiers(&self) -> &[Tier] {
        &self.tiers
    }

    /// Every resource record, in file order (an [`Ix`] is an index into it).
    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    /// Every venue record, in file order (an [`Ix`] is an index into it).
    pub fn venues(&self) -> &[Venue] {
        &self.venues
    }

    /// Every course record, in file order (an [`Ix`] is an index into it).
    pub fn courses(&self) -> &[Course] {
        &self.courses
    }

    /// Every people record, in file order (an [`Ix`] is an index into it).
    pub fn people(&self) -> &Records<Person> {
        &self.people
    }

    /// Every cohort record, in file order (an [`Ix`] is an index into it).
    pub fn cohorts(&self) -> &[Cohort] {
        &self.cohorts
    }

    /// Every attendance record, in file order (an [`Ix`] is an index into it).
    pub fn attendance(&self) -> &Records<Attendance> {
        &self.attendance
    }

    /// Every completion record, in file order (an [`Ix`] is an index into it).
    pub fn completions(&self) -> &Records<Completion> {
        &self.completions
    }

    /// The text of a completion's source ("e-learning export").
    pub fn source(&self, source: Source) -> &str {
        self.sources.get(source.index()).map_or("", |s| s)
    }

    /// Every application record, in file order (an [`Ix`] is an index into it).
    pub fn applications(&self) -> &Records<Application> {
        &self.applications
    }

    /// The ledger of issued certificates, in file order.
    pub fn certificates(&self) -> &Records<Issued> {
        &self.certificates
    }

    /// Every news record, in file order (an [`Ix`] is an index into it).
    pub fn news(&self) -> &[News] {
        &self.news
    }
}
