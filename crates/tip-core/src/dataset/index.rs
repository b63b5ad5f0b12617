//! The id index of a data set: every section's ids, for looking records up
//! by id and resolving references while loading.

use std::collections::HashMap;

use compact_str::CompactString;
use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::ix::Ix;
use crate::loc::FileId;
use crate::model::{Id, Tier};
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
    /// Tier level → tier.
    pub(crate) tiers: HashMap<u32, Ix<Tier>>,
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
            tiers: HashMap::new(),
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
    /// A file that may define more of this section but could not be read
    /// (the first in file order): unknown references are then counted, not
    /// reported one by one.
    pub(crate) incomplete: Option<FileId>,
    /// How many references were not checked because of `incomplete`.
    pub(crate) skipped: std::sync::atomic::AtomicU32,
}

const SHARD_BITS: u32 = 6;

/// One shard: an open-addressing table of its ids, linear probing over
/// 32-byte slots, at most half full. A slot holds the id itself (inline:
/// ids are short), its record's position and part of its hash, in one
/// cache line: a lookup reads memory once, not a slot and then an entry
/// elsewhere (a million-id table does not fit in any cache), and
/// [`IdTable::get_many`] starts the reads of many lookups before it
/// compares any, so that the processor fetches them side by side.
#[derive(Default)]
struct Shard {
    slots: Vec<Slot>,
    len: usize,
}

#[derive(Clone, Default)]
#[repr(align(32))]
struct Slot {
    id: CompactString,
    /// 1 + the record's position; 0 is an empty slot.
    place: u32,
    /// The top half of the id's hash: most other ids are told apart by it
    /// without comparing text.
    tag: u32,
}

/// The part of a hash kept in a slot.
fn tag(hash: u64) -> u32 {
    (hash >> 32) as u32
}

impl Shard {
    fn find(&self, hash: u64, id: &str) -> Option<u32> {
        self.find_from(self.home(hash), hash, id)
    }

    /// The slot a hash probes first.
    fn home(&self, hash: u64) -> usize {
        hash as usize & self.slots.len().wrapping_sub(1)
    }

    /// [`Shard::find`], probing from slot `at`.
    fn find_from(&self, mut at: usize, hash: u64, id: &str) -> Option<u32> {
        let mask = self.slots.len().wrapping_sub(1);
        while let Some(slot) = self.slots.get(at).filter(|s| s.place != 0) {
            if slot.tag == tag(hash) && slot.id == id {
                return Some(slot.place - 1);
            }
            at = (at + 1) & mask;
        }
        None
    }

    /// Add `id` (hash `hash`) at `position`, unless it is already there:
    /// then its first position.
    fn insert(&mut self, hash: u64, id: CompactString, position: u32) -> Option<u32> {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow(self.len + 1);
        }
        let mask = self.slots.len() - 1;
        let mut at = self.home(hash);
        loop {
            let slot = &mut self.slots[at];
            if slot.place == 0 {
                *slot = Slot {
                    id,
                    place: position + 1,
                    tag: tag(hash),
                };
                self.len += 1;
                return None;
            }
            if slot.tag == tag(hash) && slot.id == id {
                return Some(slot.place - 1);
            }
            at = (at + 1) & mask;
        }
    }

    /// Room for `len` ids at most half full.
    fn grow(&mut self, len: usize) {
        let size = (len * 2).next_power_of_two().max(8);
        if size <= self.slots.len() {
            return;
        }
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); size]);
        self.len = 0;
        for slot in old.into_iter().filter(|s| s.place != 0) {
            let hash = hash_of(&slot.id).0;
            self.insert(hash, slot.id, slot.place - 1);
        }
    }

    fn len(&self) -> usize {
        self.len
    }

    /// The ids in the order they came (their positions').
    fn ids(&self) -> impl Iterator<Item = &str> {
        let mut taken: Vec<&Slot> = self.slots.iter().filter(|s| s.place != 0).collect();
        taken.sort_unstable_by_key(|s| s.place);
        taken.into_iter().map(|s| s.id.as_str())
    }
}

/// The hash of an id, and its shard (from other bits than the slots use).
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

/// How many lookups [`IdTable::get_many`] keeps in flight.
const IN_FLIGHT: usize = 16;

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

    /// Look up many ids at once, [`IN_FLIGHT`] at a time: the first slot
    /// of each is read before any is compared, so that their cache misses
    /// overlap. Several times faster than one lookup after another on a
    /// table of a million ids.
    pub(crate) fn get_many(&self, ids: &[&str]) -> Vec<Option<u32>> {
        // In parts an idle thread can take: a file's lookups come at its
        // end, when the other threads may have finished their files.
        const PART: usize = 1 << 14;
        let mut found = vec![None; ids.len()];
        found
            .par_chunks_mut(PART)
            .zip(ids.par_chunks(PART))
            .for_each(|(found, ids)| self.get_batch(ids, found));
        found
    }

    /// [`IdTable::get_many`] on this thread, into `found` (as long as
    /// `ids`): for a few ids at a time.
    pub(crate) fn get_batch(&self, ids: &[&str], found: &mut [Option<u32>]) {
        let mut out = found.iter_mut();
        for batch in ids.chunks(IN_FLIGHT) {
            let hashes: [(u64, usize); IN_FLIGHT] =
                std::array::from_fn(|k| batch.get(k).map_or((0, 0), |id| hash_of(id)));
            let first: [Option<&Slot>; IN_FLIGHT] = std::array::from_fn(|k| {
                let (hash, shard) = hashes[k];
                let shard = &self.shards[shard];
                shard.slots.get(shard.home(hash))
            });
            // Each lookup's first slot read before any is compared.
            let places: [u32; IN_FLIGHT] = std::array::from_fn(|k| first[k].map_or(0, |s| s.place));
            for ((k, id), slot) in batch.iter().enumerate().zip(&mut out) {
                let (hash, shard) = hashes[k];
                *slot = match first[k] {
                    Some(s) if places[k] != 0 && s.tag == tag(hash) && s.id == *id => {
                        Some(places[k] - 1)
                    }
                    // Elsewhere in its run of slots, or nowhere.
                    _ => self.shards[shard].find(hash, id),
                };
            }
        }
    }

    /// `file`, which may define more of this section, could not be read;
    /// the first such file in file order is the one named.
    pub(crate) fn mark_incomplete(&mut self, file: FileId) {
        if self.incomplete.is_none_or(|first| file < first) {
            self.incomplete = Some(file);
        }
    }

    /// How many ids.
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| s.len()).sum()
    }

    /// Register the ids (`key`) of records given in parts, the first at
    /// position `first`, the others after it in order, in parallel. An id
    /// already known keeps its first position; returns `(position, first
    /// position)` of each repeat, in order.
    pub(crate) fn extend<T: Sync>(
        &mut self,
        parts: &[&[T]],
        key: impl Fn(&T) -> &str + Sync,
        first: usize,
    ) -> Vec<(usize, usize)> {
        // Pieces of at most `PIECE` records, each with its first's position:
        // the records are read where they are, their ids never gathered.
        const PIECE: usize = 1 << 16;
        let mut pieces = Vec::new();
        let mut position = first;
        for part in parts {
            for piece in part.chunks(PIECE) {
                pieces.push((position, piece));
                position += piece.len();
            }
        }
        // Each piece's ids, dealt to the shards with their hashes and
        // positions: a shard then reads only its own, one after another,
        // rather than picking them out of all the records.
        let shards = self.shards.len();
        let dealt: Vec<Vec<Vec<(u64, CompactString, u32)>>> = pieces
            .par_iter()
            .map(|&(start, piece)| {
                // Not `vec![hand; shards]`: a clone of an empty vector has
                // none of its room, and the hands would grow by copying.
                let room = piece.len() / shards * 5 / 4;
                let mut hands: Vec<Vec<_>> =
                    (0..shards).map(|_| Vec::with_capacity(room)).collect();
                for (k, record) in piece.iter().enumerate() {
                    let id = key(record);
                    let (hash, shard) = hash_of(id);
                    hands[shard].push((hash, CompactString::from(id), (start + k) as u32));
                }
                hands
            })
            .collect();
        let mut by_shard: Vec<Vec<Vec<_>>> = (0..shards).map(|_| Vec::new()).collect();
        for hands in dealt {
            for (shard, hand) in by_shard.iter_mut().zip(hands) {
                shard.push(hand);
            }
        }
        let mut repeats: Vec<(usize, usize)> = self
            .shards
            .par_iter_mut()
            .zip(by_shard)
            .flat_map_iter(|(shard, hands)| {
                let added: usize = hands.iter().map(Vec::len).sum();
                shard.grow(shard.len() + added);
                hands
                    .into_iter()
                    .flatten()
                    .filter_map(|(hash, id, position)| {
                        shard
                            .insert(hash, id, position)
                            .map(|earlier| (position as usize, earlier as usize))
                    })
                    .collect::<Vec<_>>()
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
                .flat_map(Shard::ids)
                .chain(self.broken.iter().map(|b| &**b)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    /// Lookups of more ids than one part of [`IdTable::get_many`] (split
    /// among threads) come back in the order asked.
    #[test]
    fn many_lookups_in_parts_keep_their_order() {
        let ids: Vec<String> = (0..50_000).map(|n| format!("p{n:07}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let mut table = IdTable::new("people", "person");
        assert!(table.extend(&[&refs], |id| id, 0).is_empty());
        // Every id from the last back, with an unknown one every seventh.
        let probes: Vec<String> = (0..60_000)
            .map(|k| match k % 7 {
                6 => format!("nobody-{k}"),
                _ => ids[(7 * 50_000 - 1 - k) % 50_000].clone(),
            })
            .collect();
        let asked: Vec<&str> = probes.iter().map(String::as_str).collect();
        let found = table.get_many(&asked);
        assert_eq!(found.len(), asked.len());
        for (id, got) in asked.iter().zip(found) {
            let want = id.strip_prefix('p').and_then(|n| n.parse::<u32>().ok());
            assert_eq!(got, want, "{id}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The table answers as a map from each id to its first position,
        /// whether filled in one batch or several, looked up one by one or
        /// many at once.
        #[test]
        fn id_table_is_a_map_of_first_positions(
            batches in prop::collection::vec(
                prop::collection::vec("[a-c]{0,2}|p[0-9]{1,4}|[a-z0-9-]{20,30}", 0..300),
                1..4,
            ),
            probes in prop::collection::vec("[a-c]{0,2}|p[0-9]{1,4}|nobody", 0..100),
        ) {
            let mut table = IdTable::new("people", "person");
            let mut model: HashMap<&str, usize> = HashMap::new();
            let mut position = 0;
            for batch in &batches {
                let ids: Vec<&str> = batch.iter().map(String::as_str).collect();
                let mut want = Vec::new();
                for (i, id) in ids.iter().enumerate() {
                    match model.get(id) {
                        Some(&first) => want.push((position + i, first)),
                        None => {
                            model.insert(id, position + i);
                        }
                    }
                }
                // In two parts, as a section read in parts comes.
                let (a, b) = ids.split_at(ids.len() / 3);
                prop_assert_eq!(table.extend(&[a, b], |id| id, position), want);
                position += ids.len();
            }
            prop_assert_eq!(table.len(), model.len());
            // Each probe a few times in a row, as a file sorted by person
            // asks for them.
            let all: Vec<&str> = probes
                .iter()
                .enumerate()
                .flat_map(|(i, p)| std::iter::repeat_n(p.as_str(), 1 + i % 3))
                .chain(model.keys().copied())
                .collect();
            let many = table.get_many(&all);
            for (id, got) in all.iter().zip(many) {
                let want = model.get(id).map(|&p| p as u32);
                prop_assert_eq!(got, want);
                prop_assert_eq!(table.get::<()>(id).map(|ix| ix.index() as u32), want);
            }
        }
    }
}
