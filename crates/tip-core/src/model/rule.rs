//! Eligibility rules: the tree that `requires` and `delivered_by` hold.
//!
//! ```yaml
//! requires:
//!   all:
//!     - completed: l2-trauma-awareness
//!     - any: [ { role: [manager] }, { completed: { course: ambassador, within: 2 years } } ]
//! ```

use crate::ix::Ix;
use crate::loc::Loc;
use crate::model::{Course, Duration, Region, Role, Sector};

/// A rule, with where it is written.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Rule {
    /// What the rule asks.
    pub kind: RuleKind,
    /// Where it is written.
    pub loc: Loc,
}

/// The kinds of rule.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum RuleKind {
    /// A completion of the course that still counts (and, with `within`, is
    /// no older than that).
    Completed {
        /// The course.
        course: Ix<Course>,
        /// How recent the completion must be.
        within: Option<Duration>,
    },
    /// The person has one of these roles.
    Role(Vec<Ix<Role>>),
    /// The person is in one of these regions.
    Region(Vec<Ix<Region>>),
    /// The person is in one of these sectors.
    Sector(Vec<Ix<Sector>>),
    /// Every rule holds.
    All(Vec<Rule>),
    /// At least one rule holds.
    Any(Vec<Rule>),
    /// The rule does not hold.
    Not(Box<Rule>),
}

impl Rule {
    /// Every course this rule mentions, depth first.
    pub fn courses(&self) -> Vec<Ix<Course>> {
        let mut out = Vec::new();
        self.visit(&mut |rule| {
            if let RuleKind::Completed { course, .. } = rule.kind {
                out.push(course);
            }
        });
        out
    }

    /// Call `f` on this rule and every rule inside it.
    pub fn visit(&self, f: &mut impl FnMut(&Rule)) {
        f(self);
        match &self.kind {
            RuleKind::All(rules) | RuleKind::Any(rules) => rules.iter().for_each(|r| r.visit(f)),
            RuleKind::Not(rule) => rule.visit(f),
            _ => {}
        }
    }
}
