//! Revision ids, `N-<hex>` as CouchDB writes them: the generation `N` (one
//! more than the revision it replaces) and a signature.
//!
//! CouchDB leaves the signature to the writer; ours is the MD5 of the
//! previous revision and the canonical body, so that two devices writing the
//! same content on the same revision make the same revision (and so no
//! conflict), as CouchDB's own deterministic revisions do.

use md5::{Digest, Md5};
use serde_json::Value;
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A revision id: generation and signature.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Rev {
    pub pos: u64,
    pub hash: String,
}

impl Rev {
    pub fn new(pos: u64, hash: impl Into<String>) -> Rev {
        Rev {
            pos,
            hash: hash.into(),
        }
    }

    /// The revision a body written on `prev` (`None`: a new document) gets.
    pub fn next(prev: Option<&Rev>, body: &Value) -> Rev {
        let mut md5 = Md5::new();
        if let Some(p) = prev {
            md5.update(p.to_string().as_bytes());
        }
        md5.update(b"\n");
        md5.update(canonical(body).as_bytes());
        let hash = md5.finalize().iter().map(|b| format!("{b:02x}")).collect();
        Rev {
            pos: prev.map_or(1, |p| p.pos + 1),
            hash,
        }
    }
}

impl fmt::Display for Rev {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.pos, self.hash)
    }
}

impl FromStr for Rev {
    type Err = String;

    fn from_str(s: &str) -> Result<Rev, String> {
        let bad = || format!("{s:?} is not a revision id (N-signature)");
        let (pos, hash) = s.split_once('-').ok_or_else(bad)?;
        let pos: u64 = pos.parse().map_err(|_| bad())?;
        if pos == 0 || hash.is_empty() {
            return Err(bad());
        }
        Ok(Rev::new(pos, hash))
    }
}

/// CouchDB's order of revisions: by generation, then by signature.
impl Ord for Rev {
    fn cmp(&self, other: &Rev) -> Ordering {
        self.pos
            .cmp(&other.pos)
            .then_with(|| self.hash.cmp(&other.hash))
    }
}

impl PartialOrd for Rev {
    fn partial_cmp(&self, other: &Rev) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl serde::Serialize for Rev {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Rev {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Rev, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A body as it is signed: object keys sorted at every depth, and the
/// fields CouchDB keeps beside a revision rather than in it (`_rev`,
/// `_revisions`, `_conflicts`, ...) left out; `_id` and `_deleted` stay.
pub fn canonical(body: &Value) -> String {
    fn write(v: &Value, top: bool, out: &mut String) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m
                    .keys()
                    .filter(|k| !top || !k.starts_with('_') || *k == "_id" || *k == "_deleted")
                    .collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    write(&m[k], false, out);
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(x, false, out);
                }
                out.push(']');
            }
            scalar => out.push_str(&scalar.to_string()),
        }
    }
    let mut out = String::new();
    write(body, true, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_rev_reads_and_writes_as_couchdb_spells_it() {
        let r: Rev = "3-917fa2381192822767f010b95b45325b".parse().unwrap();
        assert_eq!(r.pos, 3);
        assert_eq!(r.to_string(), "3-917fa2381192822767f010b95b45325b");
        for bad in ["", "3", "0-ab", "x-ab", "3-"] {
            assert!(bad.parse::<Rev>().is_err(), "{bad:?}");
        }
        assert!(Rev::new(2, "a") < Rev::new(10, "0"), "generation first");
        assert!(Rev::new(2, "b") > Rev::new(2, "a"));
    }

    #[test]
    fn the_same_content_on_the_same_revision_makes_the_same_revision() {
        let a = json!({"_id": "ann:d:ana", "spans": [1, 2], "status": "todo"});
        // Another device, keys in another order, the revision field set.
        let b = json!({"status": "todo", "_rev": "1-x", "spans": [1, 2], "_id": "ann:d:ana"});
        let first = Rev::next(None, &a);
        assert_eq!(first.pos, 1);
        assert_eq!(first.hash.len(), 32);
        assert_eq!(first, Rev::next(None, &b));
        let second = Rev::next(Some(&first), &a);
        assert_eq!(second.pos, 2);
        assert_ne!(
            second.hash, first.hash,
            "the previous revision is signed too"
        );
        let other = json!({"_id": "ann:d:ana", "spans": [1, 3], "status": "todo"});
        assert_ne!(Rev::next(None, &other), first);
        let deleted = json!({"_id": "ann:d:ana", "_deleted": true});
        assert_ne!(Rev::next(Some(&first), &deleted), second);
    }
}
