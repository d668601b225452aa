//! A document's revision tree, as CouchDB keeps it: every revision known
//! with its parent, the leaves (the ends of its branches), the winning
//! revision, the conflicts, and the history cut to a depth (`revs_limit`).
//!
//! CouchDB's rule for the winner, which every replica applies alike so that
//! all agree without talking: of the leaves, one not deleted beats a deleted
//! one, then the higher generation, then the larger signature. The other
//! leaves not deleted are the document's conflicts.

use super::rev::Rev;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A revision's ancestry as `_revisions` gives it: the newest generation
/// and the signatures from the newest back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revisions {
    pub start: u64,
    pub ids: Vec<String>,
}

impl Revisions {
    /// The revisions it names, newest first (a path that would reach below
    /// generation 1 is cut there).
    pub fn revs(&self) -> impl Iterator<Item = Rev> + '_ {
        self.ids
            .iter()
            .take(self.start as usize)
            .enumerate()
            .map(|(i, h)| Rev::new(self.start - i as u64, h.clone()))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Node {
    /// `None` at a root: generation 1, or where older history was stemmed.
    parent: Option<String>,
    deleted: bool,
}

/// A leaf revision and whether it is deleted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaf {
    pub rev: Rev,
    pub deleted: bool,
}

impl Leaf {
    /// CouchDB's order of leaves: the winner is the greatest.
    fn rank(&self) -> (bool, &Rev) {
        (!self.deleted, &self.rev)
    }
}

/// What `_revs_diff` answers for one document.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Missing {
    pub missing: Vec<Rev>,
    /// Our leaves older than a missing revision: where it may branch from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub possible_ancestors: Vec<Rev>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RevTree {
    nodes: BTreeMap<Rev, Node>,
}

impl RevTree {
    pub fn new() -> RevTree {
        RevTree::default()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn contains(&self, rev: &Rev) -> bool {
        self.nodes.contains_key(rev)
    }

    /// Adds a revision with its ancestry (the newest is `deleted` or not).
    /// Revisions already known stay as they are, except that a root cut by
    /// stemming gets its parent back when the path names it; so inserting
    /// the same paths in any order gives the same tree.
    pub fn insert(&mut self, path: &Revisions, deleted: bool) {
        let revs: Vec<Rev> = path.revs().collect();
        for (i, rev) in revs.iter().enumerate() {
            let parent = revs.get(i + 1).map(|p| p.hash.clone());
            let node = self.nodes.entry(rev.clone()).or_insert(Node {
                parent: None,
                deleted: false,
            });
            if node.parent.is_none() {
                node.parent = parent;
            }
            if i == 0 {
                node.deleted |= deleted;
            }
        }
    }

    /// Adds one revision written on `parent` (a local edit).
    pub fn add(&mut self, rev: &Rev, parent: Option<&Rev>, deleted: bool) {
        let mut ids = vec![rev.hash.clone()];
        ids.extend(parent.map(|p| p.hash.clone()));
        self.insert(
            &Revisions {
                start: rev.pos,
                ids,
            },
            deleted,
        );
    }

    pub fn leaves(&self) -> Vec<Leaf> {
        let parents: BTreeSet<Rev> = self
            .nodes
            .iter()
            .filter_map(|(r, n)| Some(Rev::new(r.pos.checked_sub(1)?, n.parent.clone()?)))
            .collect();
        let mut leaves: Vec<Leaf> = self
            .nodes
            .iter()
            .filter(|(r, _)| !parents.contains(r))
            .map(|(r, n)| Leaf {
                rev: r.clone(),
                deleted: n.deleted,
            })
            .collect();
        leaves.sort_by(|a, b| b.rank().cmp(&a.rank()));
        leaves
    }

    /// The winning revision and whether it is deleted.
    pub fn winner(&self) -> Option<Leaf> {
        self.leaves().into_iter().next()
    }

    /// The leaves other than the winner that are not deleted (`_conflicts`).
    pub fn conflicts(&self) -> Vec<Rev> {
        self.leaves()
            .into_iter()
            .skip(1)
            .filter(|l| !l.deleted)
            .map(|l| l.rev)
            .collect()
    }

    /// A revision's ancestry as far as the tree knows it (at most `limit`
    /// revisions), for `_revisions`.
    pub fn revisions(&self, rev: &Rev, limit: usize) -> Option<Revisions> {
        let mut node = self.nodes.get(rev)?;
        let mut ids = vec![rev.hash.clone()];
        let mut pos = rev.pos;
        while let Some(parent) = &node.parent {
            if ids.len() >= limit {
                break;
            }
            pos -= 1;
            ids.push(parent.clone());
            match self.nodes.get(&Rev::new(pos, parent.clone())) {
                Some(n) => node = n,
                None => break,
            }
        }
        Some(Revisions {
            start: rev.pos,
            ids,
        })
    }

    /// Keeps only the last `limit` revisions of every branch, as CouchDB's
    /// `revs_limit` does: older ones are forgotten, and the oldest kept
    /// becomes a root.
    pub fn stem(&mut self, limit: usize) {
        let mut kept = BTreeSet::new();
        for leaf in self.leaves() {
            let mut rev = Some(leaf.rev);
            for _ in 0..limit {
                let Some(r) = rev.take() else { break };
                let node = &self.nodes[&r];
                rev = node
                    .parent
                    .as_ref()
                    .map(|p| Rev::new(r.pos - 1, p.clone()))
                    .filter(|p| self.nodes.contains_key(p));
                kept.insert(r);
            }
        }
        self.nodes.retain(|r, _| kept.contains(r));
        let known: BTreeSet<Rev> = self.nodes.keys().cloned().collect();
        for (r, n) in self.nodes.iter_mut() {
            let gone = n
                .parent
                .as_ref()
                .is_some_and(|p| !known.contains(&Rev::new(r.pos - 1, p.clone())));
            if gone {
                n.parent = None;
            }
        }
    }

    /// Which of the revisions another replica offers this one lacks.
    pub fn revs_diff(&self, offered: &[Rev]) -> Missing {
        let mut missing: Vec<Rev> = offered
            .iter()
            .filter(|r| !self.contains(r))
            .cloned()
            .collect();
        missing.sort();
        missing.dedup();
        let newest = missing.iter().map(|r| r.pos).max().unwrap_or(0);
        let possible_ancestors = if missing.is_empty() {
            Vec::new()
        } else {
            let mut a: Vec<Rev> = self
                .leaves()
                .into_iter()
                .map(|l| l.rev)
                .filter(|r| r.pos < newest)
                .collect();
            a.sort();
            a
        };
        Missing {
            missing,
            possible_ancestors,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn path(start: u64, ids: &[&str]) -> Revisions {
        Revisions {
            start,
            ids: ids.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn rev(s: &str) -> Rev {
        s.parse().unwrap()
    }

    #[test]
    fn two_branches_are_a_conflict_and_couchdbs_rule_picks_the_winner() {
        let mut t = RevTree::new();
        t.insert(&path(2, &["b", "a"]), false);
        t.insert(&path(3, &["c", "b", "a"]), false);
        t.insert(&path(3, &["d", "b2", "a"]), false);
        let leaves: Vec<String> = t.leaves().iter().map(|l| l.rev.to_string()).collect();
        assert_eq!(leaves, ["3-d", "3-c"], "the larger signature wins a tie");
        assert_eq!(t.winner().unwrap().rev, rev("3-d"));
        assert_eq!(t.conflicts(), [rev("3-c")]);
        // A deeper branch wins over a larger signature ...
        t.insert(&path(4, &["a9", "c", "b", "a"]), false);
        assert_eq!(t.winner().unwrap().rev, rev("4-a9"));
        // ... unless it is deleted: a live leaf beats any deleted one.
        t.insert(&path(5, &["z", "a9"]), true);
        assert_eq!(t.winner().unwrap().rev, rev("3-d"));
        assert_eq!(
            t.conflicts(),
            Vec::<Rev>::new(),
            "a deleted leaf is no conflict"
        );
        t.insert(&path(4, &["e", "d"]), true);
        let w = t.winner().unwrap();
        assert_eq!(
            (w.rev, w.deleted),
            (rev("5-z"), true),
            "all deleted: the highest"
        );
    }

    #[test]
    fn revisions_give_the_ancestry_and_stemming_cuts_it() {
        let mut t = RevTree::new();
        t.insert(&path(5, &["e", "d", "c", "b", "a"]), false);
        t.insert(&path(3, &["x", "b", "a"]), false);
        assert_eq!(
            t.revisions(&rev("5-e"), 1000),
            Some(path(5, &["e", "d", "c", "b", "a"]))
        );
        assert_eq!(t.revisions(&rev("5-e"), 2), Some(path(5, &["e", "d"])));
        t.stem(2);
        assert_eq!(t.revisions(&rev("5-e"), 1000), Some(path(5, &["e", "d"])));
        assert_eq!(t.revisions(&rev("3-x"), 1000), Some(path(3, &["x", "b"])));
        assert!(!t.contains(&rev("1-a")) && !t.contains(&rev("3-c")));
        assert_eq!(t.leaves().len(), 2, "stemming keeps every branch");
        // A replica offering what was stemmed is told it is not missing
        // only for what is kept (as CouchDB: stemmed revisions come back).
        assert_eq!(t.revs_diff(&[rev("5-e"), rev("4-d")]).missing, []);
        let m = t.revs_diff(&[rev("6-f"), rev("5-e")]);
        assert_eq!(m.missing, [rev("6-f")]);
        assert_eq!(m.possible_ancestors, [rev("3-x"), rev("5-e")]);
    }

    fn hash() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["a", "b", "c", "d"]).prop_map(String::from)
    }

    /// Random paths over a few signatures per generation, so that paths
    /// share ancestors, branch and meet.
    fn paths() -> impl Strategy<Value = Vec<(Revisions, bool)>> {
        let one = (1u64..7, prop::collection::vec(hash(), 1..7)).prop_map(|(start, mut ids)| {
            ids.truncate(start as usize);
            // A revision's parent is a function of the revision, as
            // with real signatures: derive each id from its parent's.
            let n = ids.len();
            for i in (0..n - 1).rev() {
                let parent = ids[i + 1].clone();
                ids[i] = format!("{}{}", parent, ids[i]);
            }
            // Whether a revision is deleted is its own, too.
            let deleted = ids[0].ends_with('d');
            (Revisions { start, ids }, deleted)
        });
        prop::collection::vec(one, 1..8)
    }

    fn tree(paths: &[(Revisions, bool)]) -> RevTree {
        let mut t = RevTree::new();
        for (p, d) in paths {
            t.insert(p, *d);
        }
        t
    }

    proptest! {
        #[test]
        fn merging_paths_in_any_order_gives_the_same_tree_and_winner(
            paths in paths(),
            seed in any::<u64>(),
            limit in 1usize..6,
        ) {
            let mut shuffled = paths.clone();
            // A deterministic shuffle from the seed.
            let mut s = seed | 1;
            for i in (1..shuffled.len()).rev() {
                s ^= s << 13; s ^= s >> 7; s ^= s << 17;
                shuffled.swap(i, (s % (i as u64 + 1)) as usize);
            }
            let (mut a, mut b) = (tree(&paths), tree(&shuffled));
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(a.winner(), b.winner());
            prop_assert_eq!(a.conflicts(), b.conflicts());
            a.stem(limit);
            b.stem(limit);
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(a.winner(), b.winner());
            // Every leaf is still there after stemming.
            prop_assert_eq!(a.leaves(), tree(&paths).leaves());
        }

        #[test]
        fn after_a_full_sync_revs_diff_finds_nothing_missing(
            ours in paths(),
            theirs in paths(),
        ) {
            let (mut a, b) = (tree(&ours), tree(&theirs));
            // Replicate b into a: offer b's leaves, send what is missing
            // with its ancestry.
            let offered: Vec<Rev> = b.leaves().into_iter().map(|l| l.rev).collect();
            let diff = a.revs_diff(&offered);
            for r in &diff.missing {
                let deleted = b.leaves().iter().any(|l| &l.rev == r && l.deleted);
                a.insert(&b.revisions(r, 1000).unwrap(), deleted);
            }
            prop_assert_eq!(a.revs_diff(&offered), Missing::default());
            // and the winner is the one of both trees merged at once.
            let both: Vec<_> = ours.iter().chain(&theirs).cloned().collect();
            prop_assert_eq!(a.winner(), tree(&both).winner());
        }
    }
}
