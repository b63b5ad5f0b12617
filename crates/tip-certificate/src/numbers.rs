//! Certificate numbers and verification codes.

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, NaiveDate};
use sha2::{Digest, Sha256};
use tip_core::model::{Course, Person};
use tip_core::rules::attendance_completion;
use tip_core::{Dataset, Ix};

/// A completion: who, what, when.
pub(crate) type Key = (Ix<Person>, Ix<Course>, NaiveDate);

/// The numbers of these completions: `<PROGRAMME>-<YEAR>-<NNNNNN>`.
///
/// `NNNNNN` comes from SHA-256 of the programme, person, course and date,
/// so it does not depend on which certificates are printed, in what order,
/// or on which machine. Two completions of one year that hash to the same
/// number are told apart against *every* completion of that year in the
/// data, in a fixed order (hash, then person, course, date): the later one
/// takes the next free number.
pub fn certificate_numbers(data: &Dataset, keys: &[Key]) -> Vec<String> {
    let prefix = data.programme().id.to_uppercase();
    let years: HashSet<i32> = keys.iter().map(|k| k.2.year()).collect();
    // Every completion of those years: records and attendance.
    let mut all: Vec<Key> = data
        .completions()
        .iter()
        .filter(|c| years.contains(&c.date.year()))
        .map(|c| (c.person, c.course, c.date))
        .collect();
    all.extend(
        data.attendance()
            .iter()
            .filter_map(|a| attendance_completion(data, a).map(|d| (a.person, d.course, d.date)))
            .filter(|k| years.contains(&k.2.year())),
    );
    all.extend(keys.iter().copied());
    let mut ranked: Vec<(u32, &str, &str, NaiveDate, Key)> = all
        .iter()
        .map(|&k| (hash6(data, k), &*data[k.0].id, &*data[k.1].id, k.2, k))
        .collect();
    ranked.sort_unstable_by(|a, b| (a.0, a.1, a.2, a.3).cmp(&(b.0, b.1, b.2, b.3)));
    ranked.dedup_by(|a, b| a.4 == b.4);
    let mut taken: HashSet<(i32, u32)> = HashSet::new();
    let mut numbers: BTreeMap<(usize, usize, NaiveDate), u32> = BTreeMap::new();
    for (h, _, _, date, k) in ranked {
        let mut n = h;
        while !taken.insert((date.year(), n)) {
            n = (n + 1) % 1_000_000;
        }
        numbers.insert((k.0.index(), k.1.index(), k.2), n);
    }
    keys.iter()
        .map(|k| {
            format!(
                "{prefix}-{}-{:06}",
                k.2.year(),
                numbers[&(k.0.index(), k.1.index(), k.2)]
            )
        })
        .collect()
}

fn hash6(data: &Dataset, (person, course, date): Key) -> u32 {
    let digest = Sha256::new()
        .chain_update(data.programme().id.as_bytes())
        .chain_update([0])
        .chain_update(data[person].id.as_bytes())
        .chain_update([0])
        .chain_update(data[course].id.as_bytes())
        .chain_update([0])
        .chain_update(date.to_string().as_bytes())
        .finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % 1_000_000
}

/// The unambiguous alphabet of the codes (Crockford's base 32: no I, L, O, U).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A verification code such as `7KQ3-M9XD`: 40 bits of SHA-256 over the
/// secret, the number, the person, the course and the date. Without a
/// secret anyone with the data can compute a code; with one (set
/// `TIP_CERT_SECRET`), only the programme can.
pub fn verification_code(
    secret: &[u8],
    number: &str,
    person: &str,
    course: &str,
    date: NaiveDate,
) -> String {
    let digest = Sha256::new()
        .chain_update(secret)
        .chain_update([0])
        .chain_update(number.as_bytes())
        .chain_update([0])
        .chain_update(person.as_bytes())
        .chain_update([0])
        .chain_update(course.as_bytes())
        .chain_update([0])
        .chain_update(date.to_string().as_bytes())
        .finalize();
    let bits = u64::from_be_bytes([
        0, 0, 0, digest[0], digest[1], digest[2], digest[3], digest[4],
    ]);
    let chars: String = (0..8)
        .rev()
        .map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char)
        .collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_short_unambiguous_and_keyed() {
        let date = NaiveDate::from_ymd_opt(2022, 1, 18).unwrap();
        let a = verification_code(b"", "KM-TIP-2022-000001", "zoe", "l2", date);
        let b = verification_code(b"secret", "KM-TIP-2022-000001", "zoe", "l2", date);
        assert_eq!(a.len(), 9);
        assert_ne!(a, b);
        assert!(
            a.chars()
                .all(|c| c == '-' || (c.is_ascii_alphanumeric() && !"ILOU".contains(c)))
        );
        assert_eq!(
            a,
            verification_code(b"", "KM-TIP-2022-000001", "zoe", "l2", date),
            "deterministic"
        );
    }
}
