//! Word clusters learned from far more text than the labelled data: every
//! word of `model/clusters.bin` has a cluster id at three granularities (1024,
//! 256 and 64 clusters), derived by `tools/clusters.py` from the CC0 word
//! vectors of spaCy's en_core_web_md 3.7.1 (see model/README.md). A name the
//! training data never had still shares a cluster with names it had.
//!
//! The file holds no words: 32-bit keys (FNV-1a 64 of the word's UTF-8,
//! folded; the script computes the same) and ids. Parsed once, on first use.

use super::features::KeyTable;
use super::file::Reader;
use std::sync::OnceLock;

const MAGIC: &[u8; 8] = b"SPANMKCL";
/// Number of fine clusters; the coarser ids come from the fine one.
const FINE: usize = 1024;

/// The derived table (`tools/clusters.py` writes it).
static FILE: &[u8] = include_bytes!("../../../model/clusters.bin");

pub(super) struct Clusters {
    table: KeyTable,
    /// Per slot of `table`: the fine cluster id.
    fine: Vec<u16>,
    mid: Vec<u8>,
    coarse: Vec<u8>,
}

/// A word's cluster ids, fine to coarse; all `u16::MAX` for a word without.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Ids {
    pub(super) fine: u16,
    pub(super) mid: u16,
    pub(super) coarse: u16,
}

pub(super) const UNKNOWN: Ids = Ids {
    fine: u16::MAX,
    mid: u16::MAX,
    coarse: u16::MAX,
};

impl Default for Ids {
    fn default() -> Ids {
        UNKNOWN
    }
}

impl Clusters {
    /// The shipped table.
    pub(super) fn shipped() -> &'static Clusters {
        static C: OnceLock<Clusters> = OnceLock::new();
        C.get_or_init(|| Clusters::from_bytes(FILE).expect("model/clusters.bin is valid"))
    }

    fn from_bytes(b: &[u8]) -> Result<Clusters, String> {
        let mut r = Reader::new(b, "cluster file");
        if r.take(MAGIC.len(), "magic")? != MAGIC {
            return Err("not a spanmark cluster file".to_string());
        }
        if r.u32("version")? != 1 {
            return Err("cluster file version is not 1".to_string());
        }
        let n = r.u32("word count")? as usize;
        let keys = super::file::read_keys(&mut r, n)?;
        let ids = r.take(2 * n, "cluster ids")?;
        let mid = r.take(FINE, "mid clusters")?.to_vec();
        let coarse = r.take(FINE, "coarse clusters")?.to_vec();
        if r.left() != 0 {
            return Err("cluster file has trailing bytes".to_string());
        }
        let (table, slots) = KeyTable::with_keys(&keys);
        let mut fine = vec![0u16; table.capacity()];
        for (i, s) in slots.into_iter().enumerate() {
            let id = u16::from_le_bytes([ids[2 * i], ids[2 * i + 1]]);
            if id as usize >= FINE {
                return Err("cluster file has an id out of range".to_string());
            }
            fine[s] = id;
        }
        Ok(Clusters {
            table,
            fine,
            mid,
            coarse,
        })
    }

    fn get(&self, key: u32) -> Option<Ids> {
        let s = self.table.find(key)?;
        let f = self.fine[s];
        Some(Ids {
            fine: f,
            mid: self.mid[f as usize] as u16,
            coarse: self.coarse[f as usize] as u16,
        })
    }

    /// The clusters of a word as written, else of its lower-case form, else
    /// (for a word in capitals) of its title-case form: `SUPINSKY` is looked
    /// up as `Supinsky`.
    pub(super) fn of(&self, word: &str) -> Ids {
        if let Some(ids) = self.get(key(word.chars())) {
            return ids;
        }
        let lower = word.chars().flat_map(char::to_lowercase);
        if let Some(ids) = self.get(key(lower)) {
            return ids;
        }
        let mut cs = word.chars();
        match cs.next() {
            Some(first) if first.is_uppercase() => {
                let title = std::iter::once(first).chain(cs.flat_map(char::to_lowercase));
                self.get(key(title)).unwrap_or(UNKNOWN)
            }
            _ => UNKNOWN,
        }
    }
}

/// FNV-1a 64 over the UTF-8 of `chars`, folded to 32 bits, never 0.
fn key(chars: impl Iterator<Item = char>) -> u32 {
    let mut h = 0xcbf2_9ce4_8422_2325_u64;
    let mut buf = [0u8; 4];
    for c in chars {
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    let k = (h ^ (h >> 32)) as u32;
    if k == 0 {
        1
    } else {
        k
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_loads_and_groups_like_words() {
        let c = Clusters::shipped();
        assert!(c.table.capacity() > 10_000);
        // words the table must know, in any casing
        let monday = c.of("Monday");
        assert_ne!(monday, UNKNOWN);
        assert_eq!(c.of("MONDAY"), monday);
        assert_eq!(c.of("monday").coarse, c.of("Tuesday").coarse);
        assert_eq!(c.of("xqzzyvw"), UNKNOWN);
    }

    #[test]
    fn damaged_files_are_refused() {
        assert!(Clusters::from_bytes(b"nope").is_err());
        for cut in [0, 9, 16, FILE.len() / 2, FILE.len() - 1] {
            assert!(Clusters::from_bytes(&FILE[..cut]).is_err(), "cut {cut}");
        }
    }
}
