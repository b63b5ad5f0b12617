//! Entry rules: circles of prerequisites, rules no one can meet, and
//! people enrolled who are not eligible.

use std::collections::BTreeSet;

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::ix::Ix;
use crate::model::*;
use crate::model::{Rule, RuleKind};

impl Checker<'_> {
    /// Courses that require each other in a circle can never be taken.
    pub(super) fn prerequisite_cycles(&mut self) {
        let data = self.data;
        let edges: Vec<Vec<usize>> = data
            .courses
            .iter()
            .map(|c| {
                c.requires
                    .as_ref()
                    .map(|r| necessary(r).into_iter().map(Ix::index).collect())
                    .unwrap_or_default()
            })
            .collect();
        // Where course `from` names course `to` in its rules.
        let edge_at = |from: usize, to: usize| {
            let mut at = data.courses[from].loc;
            if let Some(rule) = &data.courses[from].requires {
                let mut found = false;
                rule.visit(&mut |r| {
                    if let RuleKind::Completed { course, .. } = r.kind
                        && course.index() == to
                        && !found
                    {
                        (at, found) = (r.loc, true);
                    }
                });
            }
            at
        };
        for cycle in cycles(&edges) {
            let next = |k: usize| cycle[(k + 1) % cycle.len()];
            let id = |i: usize| &*data.courses[i].id;
            let mut names: Vec<&str> = cycle.iter().map(|&i| id(i)).collect();
            names.push(id(cycle[0]));
            let mut d = Diagnostic::error(
                Code::PrerequisiteCycle,
                format!(
                    "courses require each other in a circle: {}",
                    names.join(" → ")
                ),
            )
            .help("no one could ever take these courses; remove one of the requirements");
            for (k, &from) in cycle.iter().enumerate().skip(1) {
                let to = next(k);
                d = d.label(
                    data.location(edge_at(from, to)),
                    format!("`{}` requires `{}`", id(from), id(to)),
                );
            }
            self.push(d, edge_at(cycle[0], next(0)));
        }
    }

    /// Trainers must meet `delivered_by`, and learners the course's rules,
    /// on each cohort's first session.
    pub(super) fn eligibility(&mut self) {
        let data = self.data;
        for (ix, cohort) in data.cohort_ixs() {
            let Some(first) = data.sessions(ix).first() else {
                continue;
            };
            let on = first.date();
            if cohort.status == Status::Cancelled {
                continue;
            }
            for (&p, &at) in cohort.enrolled.iter().zip(&cohort.locs.enrolled) {
                let decision = data.eligibility(p, cohort.course, on);
                if !decision.eligible {
                    self.push(
                        Diagnostic::warning(Code::NotEligible, format!("`{}` is enrolled on cohort `{}` but is not eligible on {on}: {}", data[p].id, cohort.id, decision.explain(data).join("; ")))
                            .help("check the person's record and completions, or move them off the cohort"),
                        at,
                    );
                }
            }
        }
    }

    /// A course whose audience, regions and rules no one could ever meet.
    pub(super) fn unsatisfiable_rules(&mut self) {
        let data = self.data;
        for course in &data.courses {
            let mut base = Space::default();
            if !course.audience.is_empty() {
                base.roles = Some(sorted(course.audience.iter().map(|r| r.index())));
            }
            if !course.regions.is_empty() {
                base.regions = Some(sorted(course.regions.iter().map(|r| r.index())));
            }
            let spaces: Vec<Space> = match &course.requires {
                Some(rule) => spaces(rule).iter().map(|s| s.and(&base)).collect(),
                None => vec![base],
            };
            let loc = course.requires.as_ref().map_or(course.loc, |r| r.loc);
            if spaces.iter().all(Space::is_empty) {
                self.push(
                    Diagnostic::warning(Code::UnsatisfiableRule, format!("no one could ever take `{}`: its audience, regions and rules contradict each other", course.id))
                        .help("a person has one role, one region and one sector: check `audience`, `regions` and the `role`/`region`/`sector` conditions under `all`"),
                    loc,
                );
            } else if !data.people.is_empty()
                && !data
                    .people
                    .iter()
                    .any(|p| spaces.iter().any(|s| s.admits(p)))
            {
                self.push(
                    Diagnostic::warning(Code::UnsatisfiableRule, format!("no one in the data could take `{}`: no person has a role, region and sector it allows", course.id))
                        .help("check the ids in `audience`, `regions` and the rules, and the people's records"),
                    loc,
                );
            }
        }
    }
}

/// The roles, regions and sectors a rule allows (`None`: any), as one of
/// several alternatives.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Space {
    roles: Option<Vec<usize>>,
    regions: Option<Vec<usize>>,
    sectors: Option<Vec<usize>>,
}

pub(super) fn sorted(it: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut v: Vec<usize> = it.collect();
    v.sort_unstable();
    v.dedup();
    v
}

pub(super) fn meet(a: &Option<Vec<usize>>, b: &Option<Vec<usize>>) -> Option<Vec<usize>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.iter().copied().filter(|x| b.contains(x)).collect()),
        (Some(x), None) | (None, Some(x)) => Some(x.clone()),
        (None, None) => None,
    }
}

impl Space {
    fn and(&self, other: &Space) -> Space {
        Space {
            roles: meet(&self.roles, &other.roles),
            regions: meet(&self.regions, &other.regions),
            sectors: meet(&self.sectors, &other.sectors),
        }
    }

    fn is_empty(&self) -> bool {
        [&self.roles, &self.regions, &self.sectors]
            .iter()
            .any(|d| d.as_ref().is_some_and(Vec::is_empty))
    }

    fn admits(&self, p: &Person) -> bool {
        let fits = |allowed: &Option<Vec<usize>>, have: Option<usize>| {
            allowed
                .as_ref()
                .is_none_or(|a| have.is_some_and(|h| a.contains(&h)))
        };
        fits(&self.roles, p.role.map(Ix::index))
            && fits(&self.regions, p.region.map(Ix::index))
            && fits(&self.sectors, p.sector.map(Ix::index))
    }
}

/// The alternatives a rule allows (disjunctive normal form, capped: past
/// the cap, "anything" — this check only warns).
pub(super) fn spaces(rule: &Rule) -> Vec<Space> {
    const CAP: usize = 256;
    let any = || vec![Space::default()];
    match &rule.kind {
        RuleKind::Completed { .. } | RuleKind::Not(_) => any(),
        RuleKind::Role(r) => vec![Space {
            roles: Some(sorted(r.iter().map(|x| x.index()))),
            ..Space::default()
        }],
        RuleKind::Region(r) => vec![Space {
            regions: Some(sorted(r.iter().map(|x| x.index()))),
            ..Space::default()
        }],
        RuleKind::Sector(s) => vec![Space {
            sectors: Some(sorted(s.iter().map(|x| x.index()))),
            ..Space::default()
        }],
        RuleKind::Any(rules) => {
            let all: Vec<Space> = rules.iter().flat_map(spaces).collect();
            if all.len() > CAP { any() } else { all }
        }
        RuleKind::All(rules) => {
            let mut acc = any();
            for r in rules {
                let next = spaces(r);
                if acc.len() * next.len() > CAP {
                    return any();
                }
                acc = acc
                    .iter()
                    .flat_map(|a| next.iter().map(move |b| a.and(b)))
                    .filter(|s| !s.is_empty())
                    .collect();
                if acc.is_empty() {
                    return vec![Space {
                        roles: Some(Vec::new()),
                        ..Space::default()
                    }];
                }
            }
            acc
        }
    }
}

/// The courses every way of meeting `rule` needs completed.
pub(crate) fn necessary(rule: &Rule) -> BTreeSet<Ix<Course>> {
    match &rule.kind {
        RuleKind::Completed { course, .. } => BTreeSet::from([*course]),
        RuleKind::All(rules) => rules.iter().flat_map(necessary).collect(),
        RuleKind::Any(rules) => {
            let mut sets = rules.iter().map(necessary);
            let first = sets.next().unwrap_or_default();
            sets.fold(first, |acc, s| acc.intersection(&s).copied().collect())
        }
        RuleKind::Not(_) | RuleKind::Role(_) | RuleKind::Region(_) | RuleKind::Sector(_) => {
            BTreeSet::new()
        }
    }
}

/// Every elementary circle of a small graph, each once, starting from its
/// lowest node (strongly connected components, then one cycle per component).
pub(super) fn cycles(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = edges.len();
    let mut out = Vec::new();
    let mut reported = vec![false; n];
    for start in 0..n {
        if reported[start] {
            continue;
        }
        // Depth-first search for a path back to `start` through nodes > start.
        let mut stack = vec![(start, 0usize)];
        let mut on_path = vec![false; n];
        let mut visited = vec![false; n];
        on_path[start] = true;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&to) = edges[node].get(*next) {
                *next += 1;
                if to == start {
                    let cycle: Vec<usize> = stack.iter().map(|&(v, _)| v).collect();
                    cycle.iter().for_each(|&v| reported[v] = true);
                    out.push(cycle);
                    break;
                }
                if to > start && !on_path[to] && !visited[to] {
                    visited[to] = true;
                    on_path[to] = true;
                    stack.push((to, 0));
                }
            } else {
                on_path[node] = false;
                stack.pop();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_circle_once() {
        // 0 → 1 → 2 → 0, 3 → 3, 4 → 0
        let edges = vec![vec![1], vec![2], vec![0], vec![3], vec![0]];
        assert_eq!(cycles(&edges), vec![vec![0, 1, 2], vec![3]]);
        assert!(cycles(&[vec![1], vec![]]).is_empty());
    }
}
