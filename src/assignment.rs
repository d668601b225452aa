//! Assignment: which annotators a document is given to (`assign:<doc>`
//! records, written by curators), spreading a project over k annotators
//! per document for overlap, and the order an annotator's list takes (her
//! queue first).

use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A document's annotators, by document id.
pub type Assignments = BTreeMap<String, Vec<String>>;

/// The record's CouchDB `_id`.
pub fn record_id(doc_id: &str) -> String {
    format!("assign:{doc_id}")
}

/// The record as stored (without `_rev`).
pub fn record(doc_id: &str, annotators: &[String]) -> Value {
    json!({
        "_id": record_id(doc_id),
        "type": "assignment",
        "doc_id": doc_id,
        "annotators": annotators,
    })
}

/// Reads an `assign:` record: its document and annotators (`None` for any
/// other record, or one without a document id).
pub fn read(body: &Value) -> Option<(String, Vec<String>)> {
    if body["type"] != "assignment" {
        return None;
    }
    let doc = body["doc_id"].as_str()?.to_string();
    let annotators = body["annotators"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    Some((doc, annotators))
}

/// Gives every document of `docs` not yet assigned in `existing` to `k`
/// of `annotators`, those with the fewest documents so far (counting the
/// existing assignments), ties going to the one named first after the
/// last given, so that k-wise overlaps rotate instead of always pairing
/// the same people. Returns only the new assignments.
pub fn spread(
    docs: &[String],
    annotators: &[String],
    k: usize,
    existing: &Assignments,
) -> Result<Assignments, String> {
    let mut names: Vec<String> = annotators.to_vec();
    names.sort();
    names.dedup();
    if names.is_empty() {
        return Err("name the annotators to assign documents to".into());
    }
    if k == 0 || k > names.len() {
        return Err(format!(
            "each document can go to 1 to {} annotators (the number named), not {k}",
            names.len()
        ));
    }
    let mut load: BTreeMap<&str, usize> = names.iter().map(|n| (n.as_str(), 0)).collect();
    for given in existing.values() {
        for a in given {
            if let Some(n) = load.get_mut(a.as_str()) {
                *n += 1;
            }
        }
    }
    let mut out = Assignments::new();
    let mut next = 0;
    for doc in docs {
        if existing.contains_key(doc) || out.contains_key(doc) {
            continue;
        }
        // Candidates in rotation order from `next`, least loaded first
        // (a stable sort keeps the rotation among equals).
        let mut order: Vec<usize> = (0..names.len()).map(|i| (next + i) % names.len()).collect();
        order.sort_by_key(|&i| load[names[i].as_str()]);
        let mut chosen: Vec<usize> = order[..k].to_vec();
        next = (chosen.iter().max().copied().unwrap_or(0) + 1) % names.len();
        chosen.sort();
        let given: Vec<String> = chosen.iter().map(|&i| names[i].clone()).collect();
        for g in &given {
            *load.get_mut(g.as_str()).expect("a named annotator") += 1;
        }
        out.insert(doc.clone(), given);
    }
    Ok(out)
}

/// `docs` (in the project's order) as `me` should see them: her assigned
/// documents first, then the rest, each part in the project's order. With
/// no assignment at all the order is the project's.
pub fn queue<'d>(docs: &[&'d str], assignments: &Assignments, me: &str) -> Vec<&'d str> {
    let mine = |d: &str| {
        assignments
            .get(d)
            .is_some_and(|a| a.iter().any(|n| n == me))
    };
    let (first, rest): (Vec<&str>, Vec<&str>) = docs.iter().partition(|d| mine(d));
    first.into_iter().chain(rest).collect()
}

/// Adds `to` to the annotators of each of `docs` (documents of the
/// project `known`): the records that change, with their annotators (a
/// document she already has is left out). Refused, changing nothing: an
/// empty name or `curated`, or a document the project does not have.
pub fn assign_to(
    existing: &Assignments,
    known: &[String],
    docs: &[String],
    to: &str,
) -> Result<Assignments, String> {
    if to.is_empty() || to == crate::curation::CURATED {
        return Err(format!("cannot assign documents to {to:?}"));
    }
    let mut changed = Assignments::new();
    for doc in docs {
        if !known.contains(doc) {
            return Err(format!("the project has no document {doc}"));
        }
        let mut names = existing.get(doc).cloned().unwrap_or_default();
        if names.iter().any(|x| x == to) {
            continue;
        }
        names.push(to.to_string());
        names.sort();
        changed.insert(doc.clone(), names);
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assigning_to_one_adds_her_once_and_refuses_what_is_not_there() {
        let known = docs(3);
        let mut existing = Assignments::new();
        existing.insert(known[0].clone(), names(&["cy"]));
        let changed = assign_to(&existing, &known, &known[..2], "ana").unwrap();
        assert_eq!(changed[&known[0]], names(&["ana", "cy"]));
        assert_eq!(changed[&known[1]], names(&["ana"]));
        existing.extend(changed);
        let again = assign_to(&existing, &known, &known[..2], "ana").unwrap();
        assert!(again.is_empty(), "she has them already");
        assert!(assign_to(&existing, &known, &["nope".into()], "ana")
            .unwrap_err()
            .contains("no document nope"));
        assert!(assign_to(&existing, &known, &known, "curated").is_err());
        assert!(assign_to(&existing, &known, &known, "").is_err());
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn docs(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("d{i}")).collect()
    }

    fn loads(a: &Assignments) -> BTreeMap<String, usize> {
        let mut l = BTreeMap::new();
        for given in a.values() {
            for n in given {
                *l.entry(n.clone()).or_default() += 1;
            }
        }
        l
    }

    #[test]
    fn every_document_goes_to_k_different_annotators_evenly() {
        let a = spread(
            &docs(9),
            &names(&["cy", "ana", "ben"]),
            2,
            &Assignments::new(),
        )
        .unwrap();
        assert_eq!(a.len(), 9);
        for given in a.values() {
            assert_eq!(given.len(), 2);
            assert_ne!(given[0], given[1]);
        }
        assert_eq!(loads(&a).values().copied().collect::<Vec<_>>(), [6, 6, 6]);
        // The pairs rotate: all three pairings occur.
        let mut pairs: Vec<&Vec<String>> = a.values().collect();
        pairs.sort();
        pairs.dedup();
        assert_eq!(pairs.len(), 3);
    }

    #[test]
    fn one_annotator_per_document_deals_them_round() {
        let a = spread(&docs(4), &names(&["ana", "ben"]), 1, &Assignments::new()).unwrap();
        assert_eq!(a["d1"], ["ana"]);
        assert_eq!(a["d2"], ["ben"]);
        assert_eq!(a["d3"], ["ana"]);
        assert_eq!(a["d4"], ["ben"]);
    }

    #[test]
    fn existing_assignments_are_kept_and_counted() {
        let mut existing = Assignments::new();
        existing.insert("d1".into(), names(&["ana"]));
        existing.insert("d2".into(), names(&["ana"]));
        let a = spread(&docs(4), &names(&["ana", "ben"]), 1, &existing).unwrap();
        assert!(!a.contains_key("d1"));
        assert_eq!(a["d3"], ["ben"]);
        assert_eq!(a["d4"], ["ben"]);
    }

    #[test]
    fn an_impossible_overlap_is_refused_with_the_rule() {
        let e = spread(&docs(2), &names(&["ana", "ben"]), 3, &Assignments::new()).unwrap_err();
        assert!(
            e.contains("1 to 2 annotators") && e.contains("not 3"),
            "{e}"
        );
        assert!(spread(&docs(2), &[], 1, &Assignments::new()).is_err());
        assert!(spread(&docs(2), &names(&["ana"]), 0, &Assignments::new()).is_err());
    }

    #[test]
    fn her_queue_comes_first_in_the_projects_order() {
        let mut a = Assignments::new();
        a.insert("d3".into(), names(&["ana", "ben"]));
        a.insert("d1".into(), names(&["ben"]));
        a.insert("d4".into(), names(&["ana"]));
        let all = ["d1", "d2", "d3", "d4"];
        assert_eq!(queue(&all, &a, "ana"), ["d3", "d4", "d1", "d2"]);
        assert_eq!(queue(&all, &a, "ben"), ["d1", "d3", "d2", "d4"]);
        assert_eq!(queue(&all, &Assignments::new(), "ana"), all);
    }

    proptest::proptest! {
        #[test]
        fn any_spread_is_k_distinct_per_document_and_even(
            n in 0usize..60,
            m in 1usize..7,
            k_seed in 0usize..100,
        ) {
            let who: Vec<String> = (0..m).map(|i| format!("a{i}")).collect();
            let k = 1 + k_seed % m;
            let a = spread(&docs(n), &who, k, &Assignments::new()).unwrap();
            proptest::prop_assert_eq!(a.len(), n);
            for given in a.values() {
                let mut g = given.clone();
                g.dedup();
                proptest::prop_assert_eq!(g.len(), k);
            }
            let l = loads(&a);
            let counts: Vec<usize> = who.iter().map(|w| l.get(w).copied().unwrap_or(0)).collect();
            let (lo, hi) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
            proptest::prop_assert!(hi - lo <= 1, "loads {:?}", counts);
        }
    }

    #[test]
    fn the_record_reads_back() {
        let body = record("news #3", &names(&["ana", "ben"]));
        assert_eq!(body["_id"], "assign:news #3");
        assert_eq!(
            read(&body),
            Some(("news #3".into(), names(&["ana", "ben"])))
        );
        assert_eq!(read(&json!({"type": "annotations", "doc_id": "x"})), None);
    }
}
