//! The id index of a data set: every section's ids, for looking records up
//! by id and resolving references while loading.

use std::collections::HashSet;

use compact_str::CompactString;
use hashbrown::hash_table::{Entry, HashTable};
use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::ix::Ix;
use crate::model::Id;
use crate::suggest::did_you_mean;

/// Id tables of every section, filled in dependency order.
pub(crate) struct Index {
    pub(crate) regions: IdTable,
    pub(crate) sectors: IdTable,
    pub(crate) roles: IdTable,
    pub(crate) resources: IdTable,
    pub(crate) venues: IdTable,
    pub(crate) courses: IdTable,
    pub(crate) people: IdTable,
    pub(crate) cohorts: IdTable,
    pub(crate) tiers: HashSet<u32>,
}

impl Index {
    /// Every id table, with its section's name.
    pub(crate) fn tables_mut(&mut self) -> [&mut IdTable; 8] {
        [
            &mut self.regions,
            &mut self.sectors,
            &mut self.roles,
            &mut self.resources,
            &mut self.venues,
            &mut self.courses,
            &mut self.people,
            &mut self.cohorts,
        ]
    }

    /// Every id table.
    pub(crate) fn tables(&self) -> [&IdTable; 8] {
        [
            &self.regions,
            &self.sectors,
            &self.roles,
            &self.resources,
            &self.venues,
            &self.courses,
            &self.people,
            &self.cohorts,
        ]
    }

    pub(crate) fn new() -> Self {
        Index {
            regions: IdTable::new("regions", "region"),
            sectors: IdTable::new("sectors", "sector"),
            roles: IdTable::new("roles", "role"),
            resources: IdTable::new("resources", "resource"),
            venues: IdTable::new("venues", "venue"),
            courses: IdTable::new("courses", "course"),
            people: IdTable::new("people", "person"),
            cohorts: IdTable::new("cohorts", "cohort"),
            tiers: HashSet::new(),
        }
    }
}

/// Ids of one section, for resolving references.
pub(crate) struct IdTable {
    /// The section's name, plural (`courses`).
    pub(crate) section: &'static str,
    /// The singular, for messages (`course`).
    pub(crate) noun: &'static str,
    /// Id → position, split into shards by hash so that a million ids are
    /// indexed in parallel, each shard small enough to stay in cache.
    shards: Vec<Shard>,
    /// Ids of records too broken to load: references to them are not
    /// reported again.
    pub(crate) broken: FxHashSet<Id>,
    /// A file that may define more of this section but could not be read:
    /// unknown references are then counted, not reported one by one.
    pub(crate) incomplete: Option<std::sync::Arc<str>>,
    /// How many references were not checked because of `incomplete`.
    pub(crate) skipped: std::sync::atomic::AtomicU32,
}

const SHARD_BITS: u32 = 6;

/// One shard: its ids in the order they came, each with its record's
/// position (ids are short: stored inline), and a hash table of 4-byte
/// slots into them. A table of a million ids is 38 MB, not the 69 MB of
/// half-empty power-of-two tables of whole entries.
#[derive(Default)]
struct Shard {
    entries: Vec<(CompactString, u32)>,
    slots: HashTable<u32>,
}

impl Shard {
    fn find(&self, hash: u64, id: &str) -> Option<u32> {
        self.slots
            .find(hash, |&i| self.entries[i as usize].0 == id)
            .map(|&i| self.entries[i as usize].1)
    }

    fn len(&self) -> usize {
        self.entries.len()
    }
}

/// The hash of an id, and its shard (from other bits than the table uses).
fn hash_of(id: &str) -> (u64, usize) {
    use std::hash::{BuildHasher, Hasher};
    let mut h = rustc_hash::FxBuildHasher.build_hasher();
    h.write(id.as_bytes());
    let hash = h.finish();
    (
        hash,
        (hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SHARD_BITS)) as usize,
    )
}

impl IdTable {
    pub(crate) fn new(section: &'static str, noun: &'static str) -> Self {
        IdTable {
            section,
            noun,
            shards: (0..1 << SHARD_BITS).map(|_| Shard::default()).collect(),
            broken: FxHashSet::default(),
            incomplete: None,
            skipped: std::sync::atomic::AtomicU32::new(0),
        }
    }

    pub(crate) fn get<T>(&self, id: &str) -> Option<Ix<T>> {
        let (hash, shard) = hash_of(id);
        self.shards[shard]
            .find(hash, id)
            .map(|i| Ix::new(i as usize))
    }

    /// Look up many ids at once: grouped by shard, so that each shard is
    /// probed while it is in cache (a partitioned hash join). Several times
    /// faster than one lookup at a time on a table of a million ids.
    pub(crate) fn get_many(&self, ids: &[&str]) -> Vec<Option<u32>> {
        let hashes: Vec<(u64, usize)> = ids.iter().map(|id| hash_of(id)).collect();
        let mut starts = vec![0usize; self.shards.len() + 1];
        for &(_, shard) in &hashes {
            starts[shard + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut order = vec![0u32; ids.len()];
        for (i, &(_, shard)) in hashes.iter().enumerate() {
            order[starts[shard]] = i as u32;
            starts[shard] += 1;
        }
        let mut found = vec![None; ids.len()];
        for i in order {
            let i = i as usize;
            let (hash, shard) = hashes[i];
            found[i] = self.shards[shard].find(hash, ids[i]);
        }
        found
    }

    /// How many ids.
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| s.len()).sum()
    }

    /// Register `ids` at positions `first..`, in parallel. An id already
    /// known keeps its first position; returns `(position, first position)`
    /// of each repeat, in order.
    pub(crate) fn extend(&mut self, ids: &[&str], first: usize) -> Vec<(usize, usize)> {
        let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); self.shards.len()];
        let hashes: Vec<(u64, usize)> = ids.par_iter().map(|id| hash_of(id)).collect();
        for (i, &(_, s)) in hashes.iter().enumerate() {
            buckets[s].push(i as u32);
        }
        let mut repeats: Vec<(usize, usize)> = self
            .shards
            .par_iter_mut()
            .zip(buckets)
            .flat_map_iter(|(shard, positions)| {
                let Shard { entries, slots } = shard;
                let rehash = |&i: &u32| hash_of(&entries[i as usize].0).0;
                slots.reserve(positions.len(), rehash);
                entries.reserve_exact(positions.len());
                let mut repeats = Vec::new();
                for i in positions {
                    let position = first + i as usize;
                    let id = ids[i as usize];
                    let hash = hashes[i as usize].0;
                    let slot = slots.entry(
                        hash,
                        |&e| entries[e as usize].0 == id,
                        |&e| hash_of(&entries[e as usize].0).0,
                    );
                    match slot {
                        Entry::Occupied(o) => {
                            repeats.push((position, entries[*o.get() as usize].1 as usize))
                        }
                        Entry::Vacant(v) => {
                            v.insert(entries.len() as u32);
                            entries.push((CompactString::from(id), position as u32));
                        }
                    }
                }
                repeats
            })
            .collect();
        repeats.sort_unstable();
        repeats
    }

    /// A near-miss suggestion among the ids, when the table is small enough
    /// to search quickly.
    pub(crate) fn suggest(&self, id: &str) -> Option<String> {
        if self.len() > 50_000 {
            return None;
        }
        // Ids of broken records too: a reference to a misspelling of one
        // should still say which was meant.
        did_you_mean(
            id,
            self.shards
                .iter()
                .flat_map(|s| s.entries.iter().map(|(k, _)| k.as_str()))
                .chain(self.broken.iter().map(|b| &**b)),
        )
    }
}
