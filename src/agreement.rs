//! Inter-annotator agreement over a team project: between every pair of
//! annotators, over the documents both marked done, the exact-span F1 (micro
//! over all labels, and per label) and Cohen's kappa over tokens.
//!
//! - **Spans** are an annotator's own (accepted) spans: suggestions she
//!   left unreviewed are not her answer. A label filter keeps only the
//!   labels named.
//! - **F1** counts a span as matched when the other annotator has one with
//!   the same start, end and label: `2·matched / (|A| + |B|)`, which is
//!   symmetric (what seqeval gives taking either side as truth).
//! - **Kappa** labels every token of the project's tokenizer
//!   ([`crate::tokenize`]) with the label of the span over it, else `O`,
//!   and compares the two labelings as scikit-learn's `cohen_kappa_score`
//!   does: `(p_o − p_e) / (1 − p_e)`. Where it is undefined (`p_e = 1`: both
//!   gave every token the same one label) it is 1.0, the agreement being
//!   total; scikit-learn answers NaN there unless told
//!   `replace_undefined_by=1.0`, and NaN is not JSON.
//! - F1 where neither annotator made a span is likewise 1.0; a pair with no
//!   document both marked done has no figures (`null`).
//!
//! The curated record (annotator `curated`) is gold, not an annotator, and
//! is left out. tests/interop checks the figures against scikit-learn and
//! seqeval.

use crate::doc::{Source, Span, Status};
use crate::text_index::TextIndex;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How many documents a pair's `differences` names at most.
pub const DIFFERENCES: usize = 20;

/// One annotator's record of one document: the fields of an `ann:` record
/// that agreement reads (the rest is ignored).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Annotated {
    pub annotator: String,
    pub doc_id: String,
    #[serde(default)]
    pub status: Status,
    #[serde(default)]
    pub spans: Vec<Span>,
}

/// The agreement of a project, as the contract's `agreement()` and
/// `spanmark team agree --json` give it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Agreement {
    pub annotators: Vec<String>,
    pub pairs: Vec<Pair>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pair {
    pub a: String,
    pub b: String,
    /// Documents both marked done.
    pub documents: usize,
    pub f1: Option<f64>,
    pub kappa: Option<f64>,
    /// Per label used by either: F1 and the span counts.
    pub per_label: BTreeMap<String, LabelScore>,
    /// The documents where they differ most (most tokens labelled
    /// differently first), for the matrix's "click a cell".
    pub differences: Vec<Difference>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LabelScore {
    pub f1: f64,
    /// Spans of this label by `a`, by `b`, and those both made.
    pub a: usize,
    pub b: usize,
    pub both: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Difference {
    pub doc_id: String,
    /// Tokens labelled differently.
    pub tokens: usize,
    pub f1: f64,
}

/// Counts for one pair over some documents.
#[derive(Default)]
struct Tally {
    /// (label, a's spans, b's spans, matched)
    labels: BTreeMap<String, [usize; 3]>,
    /// How often each (a's label, b's label) pair labels a token.
    tokens: HashMap<(String, String), usize>,
}

impl Tally {
    fn f1(&self) -> f64 {
        let [a, b, m] = self
            .labels
            .values()
            .fold([0; 3], |t, c| [t[0] + c[0], t[1] + c[1], t[2] + c[2]]);
        ratio(m, a + b)
    }

    fn kappa(&self) -> f64 {
        let n: usize = self.tokens.values().sum();
        if n == 0 {
            return 1.0;
        }
        let n = n as f64;
        let mut pa: HashMap<&str, f64> = HashMap::new();
        let mut pb: HashMap<&str, f64> = HashMap::new();
        let mut agreed = 0.0;
        for ((x, y), &c) in &self.tokens {
            *pa.entry(x).or_default() += c as f64;
            *pb.entry(y).or_default() += c as f64;
            if x == y {
                agreed += c as f64;
            }
        }
        let po = agreed / n;
        let pe: f64 = pa
            .iter()
            .map(|(l, ca)| ca * pb.get(l).copied().unwrap_or(0.0))
            .sum::<f64>()
            / (n * n);
        if pe >= 1.0 {
            return 1.0;
        }
        (po - pe) / (1.0 - pe)
    }

    fn add(&mut self, other: Tally) {
        for (l, c) in other.labels {
            let t = self.labels.entry(l).or_default();
            for i in 0..3 {
                t[i] += c[i];
            }
        }
        for (k, c) in other.tokens {
            *self.tokens.entry(k).or_default() += c;
        }
    }

    fn disagreeing_tokens(&self) -> usize {
        self.tokens
            .iter()
            .filter(|((x, y), _)| x != y)
            .map(|(_, c)| c)
            .sum()
    }
}

/// `2m / n`, 1.0 when there is nothing to match.
fn ratio(matched: usize, total: usize) -> f64 {
    if total == 0 {
        1.0
    } else {
        2.0 * matched as f64 / total as f64
    }
}

/// The agreement over `records`, the documents' texts by id given by
/// `text` (a record whose text is unknown is left out); `labels` keeps only
/// those labels (`None`: all).
pub fn agreement<'t>(
    records: &[Annotated],
    text: impl Fn(&str) -> Option<&'t str>,
    labels: Option<&[String]>,
) -> Agreement {
    let keep = |s: &Span| s.source == Source::User && labels.is_none_or(|ls| ls.contains(&s.label));
    // annotator -> doc -> accepted spans, for documents marked done.
    let mut done: BTreeMap<&str, BTreeMap<&str, Vec<&Span>>> = BTreeMap::new();
    let mut annotators = BTreeSet::new();
    for r in records.iter().filter(|r| r.annotator != "curated") {
        annotators.insert(r.annotator.clone());
        if r.status == Status::Done {
            let spans = r.spans.iter().filter(|s| keep(s)).collect();
            done.entry(&r.annotator)
                .or_default()
                .insert(&r.doc_id, spans);
        }
    }
    let annotators: Vec<String> = annotators.into_iter().collect();
    let mut indexes: HashMap<&str, Option<TextIndex>> = HashMap::new();
    let mut pairs = Vec::new();
    for (i, a) in annotators.iter().enumerate() {
        for b in &annotators[i + 1..] {
            let (Some(da), Some(db)) = (done.get(a.as_str()), done.get(b.as_str())) else {
                pairs.push(pair(a, b, 0, Tally::default(), Vec::new()));
                continue;
            };
            let mut total = Tally::default();
            let mut differences = Vec::new();
            let mut documents = 0;
            for (doc, sa) in da {
                let Some(sb) = db.get(doc) else { continue };
                let index = indexes
                    .entry(doc)
                    .or_insert_with(|| text(doc).map(TextIndex::new));
                let Some(index) = index.as_ref() else {
                    continue;
                };
                let t = tally(index, sa, sb);
                documents += 1;
                let tokens = t.disagreeing_tokens();
                let f1 = t.f1();
                if tokens > 0 || f1 < 1.0 {
                    differences.push(Difference {
                        doc_id: doc.to_string(),
                        tokens,
                        f1,
                    });
                }
                total.add(t);
            }
            differences.sort_by(|x, y| {
                y.tokens
                    .cmp(&x.tokens)
                    .then(x.f1.total_cmp(&y.f1))
                    .then_with(|| x.doc_id.cmp(&y.doc_id))
            });
            differences.truncate(DIFFERENCES);
            pairs.push(pair(a, b, documents, total, differences));
        }
    }
    Agreement { annotators, pairs }
}

fn pair(a: &str, b: &str, documents: usize, t: Tally, differences: Vec<Difference>) -> Pair {
    let measured = documents > 0;
    Pair {
        a: a.into(),
        b: b.into(),
        documents,
        f1: measured.then(|| t.f1()),
        kappa: measured.then(|| t.kappa()),
        per_label: t
            .labels
            .iter()
            .map(|(l, &[na, nb, m])| {
                let score = LabelScore {
                    f1: ratio(m, na + nb),
                    a: na,
                    b: nb,
                    both: m,
                };
                (l.clone(), score)
            })
            .collect(),
        differences,
    }
}

/// One document's counts between two annotators' spans.
fn tally(index: &TextIndex, a: &[&Span], b: &[&Span]) -> Tally {
    let mut t = Tally::default();
    let key = |s: &&Span| (s.start, s.end, s.label.clone());
    let kb: BTreeSet<_> = b.iter().map(key).collect();
    let ka: BTreeSet<_> = a.iter().map(key).collect();
    for (_, _, l) in &ka {
        t.labels.entry(l.clone()).or_default()[0] += 1;
    }
    for (_, _, l) in &kb {
        t.labels.entry(l.clone()).or_default()[1] += 1;
    }
    for (_, _, l) in ka.intersection(&kb) {
        t.labels.entry(l.clone()).or_default()[2] += 1;
    }
    let (la, lb) = (token_labels(index, a), token_labels(index, b));
    for (x, y) in la.into_iter().zip(lb) {
        *t.tokens.entry((x.to_string(), y.to_string())).or_default() += 1;
    }
    t
}

/// Each token's label: that of the first span (in [`Span::order`], the
/// outermost) over any part of it, else `O`.
fn token_labels<'s>(index: &TextIndex, spans: &[&'s Span]) -> Vec<&'s str> {
    let mut spans = spans.to_vec();
    spans.sort_by(|x, y| Span::order(x, y));
    index
        .tokens()
        .iter()
        .map(|tok| {
            let (s, e) = index.token_chars(tok);
            // Spans are few per document next to its tokens; a span starts
            // before the token's end and ends after its start.
            spans
                .iter()
                .find(|sp| sp.overlaps(s, e))
                .map_or("O", |sp| sp.label.as_str())
        })
        .collect()
}

/// The contract's shape: the pairs without the documents they differ on
/// (the page's matrix asks for those when a cell is clicked).
pub fn contract_json(a: &Agreement) -> serde_json::Value {
    let mut v = serde_json::json!(a);
    for p in v["pairs"].as_array_mut().into_iter().flatten() {
        if let serde_json::Value::Object(m) = p {
            m.remove("differences");
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Ana Lima met Kofi Mensah in Accra on Monday.";

    fn rec(annotator: &str, doc: &str, done: bool, spans: &[(usize, usize, &str)]) -> Annotated {
        Annotated {
            annotator: annotator.into(),
            doc_id: doc.into(),
            status: if done { Status::Done } else { Status::Todo },
            spans: spans.iter().map(|&(s, e, l)| Span::new(s, e, l)).collect(),
        }
    }

    fn run(records: &[Annotated], labels: Option<&[String]>) -> Agreement {
        agreement(records, |d| (d != "gone").then_some(TEXT), labels)
    }

    #[test]
    fn pairs_compare_only_documents_both_marked_done() {
        let records = [
            rec("ana", "d1", true, &[(0, 8, "PER"), (28, 33, "LOC")]),
            rec("ben", "d1", true, &[(0, 8, "PER"), (28, 33, "ORG")]),
            // ben has not finished d2: it does not count.
            rec("ana", "d2", true, &[(0, 8, "PER")]),
            rec("ben", "d2", false, &[]),
            rec("cy", "d2", true, &[(0, 8, "PER")]),
            rec("curated", "d1", true, &[(0, 8, "PER")]),
        ];
        let a = run(&records, None);
        assert_eq!(
            a.annotators,
            ["ana", "ben", "cy"],
            "curated is gold, not a peer"
        );
        let ab = &a.pairs[0];
        assert_eq!(
            (ab.a.as_str(), ab.b.as_str(), ab.documents),
            ("ana", "ben", 1)
        );
        assert_eq!(ab.f1, Some(0.5), "1 of 2 spans each side match");
        // Tokens: Ana Lima met Kofi Mensah in Accra on Monday . = 10;
        // they differ on one (Accra): p_o = 0.9; ana: PER 2, LOC 1, O 7;
        // ben: PER 2, ORG 1, O 7; p_e = (4 + 49) / 100.
        let pe = 0.53;
        assert!((ab.kappa.unwrap() - (0.9 - pe) / (1.0 - pe)).abs() < 1e-12);
        assert_eq!(
            ab.per_label["PER"],
            LabelScore {
                f1: 1.0,
                a: 1,
                b: 1,
                both: 1
            }
        );
        assert_eq!(
            ab.per_label["LOC"],
            LabelScore {
                f1: 0.0,
                a: 1,
                b: 0,
                both: 0
            }
        );
        assert_eq!(ab.differences[0].doc_id, "d1");
        assert_eq!(ab.differences[0].tokens, 1);
        let bc = &a.pairs[2];
        assert_eq!(
            (bc.b.as_str(), bc.documents, bc.f1, bc.kappa),
            ("cy", 0, None, None)
        );
        let ac = &a.pairs[1];
        assert_eq!((ac.f1, ac.kappa), (Some(1.0), Some(1.0)));
        assert!(ac.differences.is_empty());
    }

    #[test]
    fn agreement_is_symmetric_and_filters_labels() {
        let records = [
            rec(
                "ana",
                "d1",
                true,
                &[(0, 8, "PER"), (28, 33, "LOC"), (37, 43, "DATE")],
            ),
            rec("ben", "d1", true, &[(0, 3, "PER"), (28, 33, "LOC")]),
        ];
        let swapped: Vec<_> = records
            .iter()
            .map(|r| Annotated {
                annotator: if r.annotator == "ana" {
                    "zed".into()
                } else {
                    r.annotator.clone()
                },
                ..r.clone()
            })
            .collect();
        let (x, y) = (&run(&records, None).pairs[0], &run(&swapped, None).pairs[0]);
        assert_eq!(x.f1, y.f1);
        assert!((x.kappa.unwrap() - y.kappa.unwrap()).abs() < 1e-15);
        assert_eq!(x.f1, Some(2.0 * 1.0 / 5.0));
        let only = ["LOC".to_string()];
        let loc = &run(&records, Some(&only)).pairs[0];
        assert_eq!((loc.f1, loc.kappa), (Some(1.0), Some(1.0)));
        assert_eq!(loc.per_label.keys().collect::<Vec<_>>(), ["LOC"]);
    }

    #[test]
    fn suggestions_and_unknown_texts_do_not_count_and_all_o_agrees() {
        let mut a = rec("ana", "d1", true, &[]);
        a.spans
            .push(Span::new(0, 8, "PER").with_source(Source::Model));
        let records = [
            a,
            rec("ben", "d1", true, &[]),
            rec("ana", "gone", true, &[(0, 3, "PER")]),
            rec("ben", "gone", true, &[]),
        ];
        let p = &run(&records, None).pairs[0];
        assert_eq!(
            p.documents, 1,
            "a document whose text is unknown is left out"
        );
        assert_eq!(
            (p.f1, p.kappa),
            (Some(1.0), Some(1.0)),
            "both all O: total agreement"
        );
    }
}
