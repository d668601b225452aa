//! Curation: settling the annotators' spans of one document into its
//! curated (gold) record, `ann:<doc>:curated` (docs/ARCHITECTURE.md,
//! "Curation").
//!
//! A curator sees one row per annotator. Each of an annotator's spans is
//! marked by how many of the others made exactly it (same start, end and
//! label) and whether the curated record already holds it, so that the
//! differences stand out; she takes one annotator's span, or every span
//! all of them agree on at once, and edits the curated record freely.
//!
//! Who counts as "all": the annotators who marked the document done; if
//! none has, every annotator with a record of it (a curator may settle a
//! document before everyone finished, and an unfinished record would
//! otherwise veto every span). Only a person's own (accepted) spans are
//! her answer: suggestions she left unreviewed are not shown.

use crate::doc::{Source, Span, Status};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The annotator name of the curated record.
pub const CURATED: &str = "curated";

/// One annotator's record of the document, as curation reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub annotator: String,
    pub status: Status,
    pub spans: Vec<Span>,
}

/// What the curator sees of one document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Curation {
    /// The annotators whose agreement counts ("all"), by name.
    pub voters: Vec<String>,
    pub rows: Vec<Row>,
    /// Spans every voter made, not yet in the curated record: what "take
    /// agreed" adds.
    pub agreed: Vec<Span>,
    /// Distinct spans some voters made and others did not (the
    /// differences left to settle), counting each once.
    pub differences: usize,
}

/// One annotator's row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    pub annotator: String,
    pub status: Status,
    pub voter: bool,
    pub spans: Vec<Mark>,
}

/// A span of a row, marked.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Mark {
    pub start: usize,
    pub end: usize,
    pub label: String,
    /// How many voters made exactly this span (this annotator included
    /// when she is one).
    pub votes: usize,
    /// Every voter made it.
    pub agreed: bool,
    /// The curated record holds exactly it.
    pub taken: bool,
    /// Another voter's different span overlaps it: a disagreement on the
    /// same text, not just a miss.
    pub clash: bool,
}

type Key = (usize, usize, String);

fn key(s: &Span) -> Key {
    (s.start, s.end, s.label.clone())
}

fn own(spans: &[Span]) -> impl Iterator<Item = &Span> {
    spans.iter().filter(|s| s.source == Source::User)
}

/// The rows, marks and agreed spans of one document. `answers` may come
/// in any order and may include the curated record, which is left out of
/// the rows (it is what `curated` gives).
pub fn curate(answers: &[Answer], curated: &[Span]) -> Curation {
    let mut answers: Vec<&Answer> = answers.iter().filter(|a| a.annotator != CURATED).collect();
    answers.sort_by(|a, b| a.annotator.cmp(&b.annotator));
    let any_done = answers.iter().any(|a| a.status == Status::Done);
    let is_voter = |a: &Answer| !any_done || a.status == Status::Done;
    let voters: Vec<&Answer> = answers.iter().copied().filter(|a| is_voter(a)).collect();

    // span -> how many voters made it (each voter counted once).
    let mut votes: BTreeMap<Key, usize> = BTreeMap::new();
    for v in &voters {
        for k in own(&v.spans).map(key).collect::<BTreeSet<_>>() {
            *votes.entry(k).or_default() += 1;
        }
    }
    let taken: BTreeSet<Key> = curated.iter().map(key).collect();
    let all = voters.len();
    let clash = |s: &Span| {
        voters
            .iter()
            .any(|v| own(&v.spans).any(|o| key(o) != key(s) && o.overlaps(s.start, s.end)))
    };
    let rows = answers
        .iter()
        .map(|a| {
            let mut seen = BTreeSet::new();
            let mut spans: Vec<Mark> = own(&a.spans)
                .filter(|s| seen.insert(key(s)))
                .map(|s| {
                    let n = votes.get(&key(s)).copied().unwrap_or(0);
                    Mark {
                        start: s.start,
                        end: s.end,
                        label: s.label.clone(),
                        votes: n,
                        agreed: all > 0 && n == all,
                        taken: taken.contains(&key(s)),
                        clash: clash(s),
                    }
                })
                .collect();
            spans.sort_by(|x, y| (x.start, x.end, &x.label).cmp(&(y.start, y.end, &y.label)));
            Row {
                annotator: a.annotator.clone(),
                status: a.status,
                voter: is_voter(a),
                spans,
            }
        })
        .collect();
    let agreed = votes
        .iter()
        .filter(|(k, &n)| all > 0 && n == all && !taken.contains(*k))
        .map(|((s, e, l), _)| Span::new(*s, *e, l.clone()))
        .collect();
    let differences = votes.values().filter(|&&n| n < all).count();
    Curation {
        voters: voters.iter().map(|v| v.annotator.clone()).collect(),
        rows,
        agreed,
        differences,
    }
}

/// Of the `agreed` spans, those to take into a curated record whose own
/// (a person's) spans are `own`: every one that overlaps none of them, so
/// that a curator's own decision on that text is never overwritten by
/// "take agreed".
pub fn agreed_to_take(own: &[Span], agreed: &[Span]) -> Vec<Span> {
    let mut taken: Vec<Span> = Vec::new();
    for s in agreed {
        let held = |c: &Span| c.overlaps(s.start, s.end);
        if own.iter().any(held) || taken.iter().any(held) {
            continue;
        }
        taken.push(Span::new(s.start, s.end, s.label.clone()));
    }
    taken
}

/// The curated record after taking the agreed spans ([`agreed_to_take`]),
/// and how many were added.
pub fn take_agreed(curated: &[Span], agreed: &[Span]) -> (Vec<Span>, usize) {
    let taken = agreed_to_take(curated, agreed);
    let added = taken.len();
    let mut out = curated.to_vec();
    out.extend(taken);
    out.sort_by(Span::order);
    (out, added)
}

/// A stretch of text the voters labelled differently: every voter's spans
/// there, the same versions grouped, and what the curated record holds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Disagreement {
    /// The stretch: from the first span's start to the last one's end.
    pub start: usize,
    pub end: usize,
    pub versions: Vec<Version>,
    /// The curated record's spans over the stretch.
    pub curated: Vec<Span>,
    /// Which version the curated record holds there, if it holds one
    /// exactly (an empty curated stretch is the version "nothing there").
    pub matches: Option<usize>,
}

/// One way the stretch was labelled, and who labelled it so.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Version {
    pub annotators: Vec<String>,
    /// Empty: they labelled nothing there.
    pub spans: Vec<Span>,
}

/// The stretches of the document the voters disagree on, in text order: a
/// span not every voter made, with every span overlapping it (of any
/// voter), chained, is one stretch. A curator walks these instead of the
/// whole text.
pub fn disagreements(answers: &[Answer], curated: &[Span]) -> Vec<Disagreement> {
    let c = curate(answers, curated);
    let voters: Vec<&Answer> = answers
        .iter()
        .filter(|a| c.voters.contains(&a.annotator))
        .collect();
    let disputed: Vec<(usize, usize)> = c
        .rows
        .iter()
        .filter(|r| r.voter)
        .flat_map(|r| {
            r.spans
                .iter()
                .filter(|m| !m.agreed)
                .map(|m| (m.start, m.end))
        })
        .collect();
    // Chain overlapping spans (any voter's) into stretches.
    let all: Vec<(usize, usize)> = {
        let mut v: Vec<(usize, usize)> = voters
            .iter()
            .flat_map(|a| own(&a.spans).map(|s| (s.start, s.end)))
            .collect();
        v.sort_unstable();
        v
    };
    let mut stretches: Vec<(usize, usize)> = Vec::new();
    for &(s, e) in &all {
        match stretches.last_mut() {
            Some(last) if s < last.1 => last.1 = last.1.max(e),
            _ => stretches.push((s, e)),
        }
    }
    stretches
        .into_iter()
        .filter(|&(s, e)| disputed.iter().any(|&(a, b)| a < e && s < b))
        .map(|(start, end)| {
            let within = |spans: &[Span]| -> Vec<Span> {
                let mut v: Vec<Span> = spans
                    .iter()
                    .filter(|x| x.overlaps(start, end))
                    .map(|x| Span::new(x.start, x.end, x.label.clone()))
                    .collect();
                v.sort_by(Span::order);
                v.dedup();
                v
            };
            let mut versions: Vec<Version> = Vec::new();
            for a in &voters {
                let mine: Vec<Span> = within(&own(&a.spans).cloned().collect::<Vec<_>>());
                match versions.iter_mut().find(|v| v.spans == mine) {
                    Some(v) => v.annotators.push(a.annotator.clone()),
                    None => versions.push(Version {
                        annotators: vec![a.annotator.clone()],
                        spans: mine,
                    }),
                }
            }
            // The most common version first, then by who (stable).
            versions.sort_by_key(|v| std::cmp::Reverse(v.annotators.len()));
            let held = within(curated);
            let matches = versions.iter().position(|v| v.spans == held);
            Disagreement {
                start,
                end,
                versions,
                curated: held,
                matches,
            }
        })
        .collect()
}

/// How many stretches are left to settle: those whose curated spans are
/// none of the versions, or empty (a curator who chose "nothing there"
/// still sees it, as nothing has been taken there yet).
pub fn left_to_settle(disagreements: &[Disagreement]) -> usize {
    disagreements
        .iter()
        .filter(|d| d.matches.is_none() || d.curated.is_empty())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ans(name: &str, done: bool, spans: &[(usize, usize, &str)]) -> Answer {
        Answer {
            annotator: name.into(),
            status: if done { Status::Done } else { Status::Todo },
            spans: spans.iter().map(|&(s, e, l)| Span::new(s, e, l)).collect(),
        }
    }

    fn spans(v: &[(usize, usize, &str)]) -> Vec<Span> {
        v.iter().map(|&(s, e, l)| Span::new(s, e, l)).collect()
    }

    fn marks(c: &Curation, who: &str) -> Vec<(usize, usize, String, usize, bool, bool, bool)> {
        c.rows
            .iter()
            .find(|r| r.annotator == who)
            .unwrap()
            .spans
            .iter()
            .map(|m| {
                (
                    m.start,
                    m.end,
                    m.label.clone(),
                    m.votes,
                    m.agreed,
                    m.taken,
                    m.clash,
                )
            })
            .collect()
    }

    #[test]
    fn differences_are_marked_and_agreed_spans_offered() {
        // "Ana Lima met Kofi Mensah in Accra."
        let c = curate(
            &[
                ans(
                    "ben",
                    true,
                    &[(0, 8, "PER"), (13, 24, "PER"), (28, 33, "ORG")],
                ),
                ans(
                    "ana",
                    true,
                    &[(0, 8, "PER"), (13, 24, "PER"), (28, 33, "LOC")],
                ),
                ans(
                    "cy",
                    true,
                    &[(0, 8, "PER"), (13, 17, "PER"), (28, 33, "LOC")],
                ),
            ],
            &[],
        );
        assert_eq!(c.voters, ["ana", "ben", "cy"]);
        assert_eq!(
            c.rows
                .iter()
                .map(|r| r.annotator.as_str())
                .collect::<Vec<_>>(),
            ["ana", "ben", "cy"]
        );
        assert_eq!(c.agreed, spans(&[(0, 8, "PER")]));
        assert_eq!(
            marks(&c, "ben"),
            [
                (0, 8, "PER".into(), 3, true, false, false),
                (13, 24, "PER".into(), 2, false, false, true),
                (28, 33, "ORG".into(), 1, false, false, true),
            ]
        );
        // 13-24 PER (2 of 3), 13-17 PER, 28-33 ORG, 28-33 LOC (2 of 3).
        assert_eq!(c.differences, 4);
    }

    #[test]
    fn a_span_only_one_made_with_nothing_against_it_is_a_miss_not_a_clash() {
        let c = curate(
            &[
                ans("ana", true, &[(0, 8, "PER"), (28, 33, "LOC")]),
                ans("ben", true, &[(0, 8, "PER")]),
            ],
            &[],
        );
        assert_eq!(
            marks(&c, "ana")[1],
            (28, 33, "LOC".into(), 1, false, false, false)
        );
        assert_eq!(c.differences, 1);
    }

    #[test]
    fn only_finished_records_vote_once_anyone_finished() {
        let c = curate(
            &[
                ans("ana", true, &[(0, 8, "PER")]),
                ans("ben", false, &[]),
                ans("cy", true, &[(0, 8, "PER")]),
            ],
            &[],
        );
        assert_eq!(c.voters, ["ana", "cy"]);
        assert_eq!(c.agreed, spans(&[(0, 8, "PER")]));
        assert!(
            !c.rows[1].voter,
            "ben's unfinished record is shown, not counted"
        );
        // Nobody finished: everyone counts, and an empty record vetoes.
        let c = curate(
            &[ans("ana", false, &[(0, 8, "PER")]), ans("ben", false, &[])],
            &[],
        );
        assert_eq!(c.voters, ["ana", "ben"]);
        assert!(c.agreed.is_empty());
    }

    #[test]
    fn suggestions_left_unreviewed_are_not_an_answer() {
        let mut a = ans("ana", true, &[(0, 8, "PER")]);
        let mut suggestion = Span::new(28, 33, "LOC");
        suggestion.source = Source::Model;
        a.spans.push(suggestion);
        let c = curate(&[a, ans("ben", true, &[(0, 8, "PER")])], &[]);
        assert_eq!(marks(&c, "ana").len(), 1);
        assert_eq!(c.differences, 0);
    }

    #[test]
    fn the_curated_record_is_not_a_row_and_marks_what_was_taken() {
        let c = curate(
            &[
                ans("ana", true, &[(0, 8, "PER"), (28, 33, "LOC")]),
                ans("ben", true, &[(0, 8, "PER"), (28, 33, "LOC")]),
                ans(CURATED, true, &[(0, 8, "PER")]),
            ],
            &spans(&[(0, 8, "PER")]),
        );
        assert_eq!(c.rows.len(), 2);
        assert!(c.rows[0].spans[0].taken);
        assert!(!c.rows[0].spans[1].taken);
        // What is already taken is not offered again.
        assert_eq!(c.agreed, spans(&[(28, 33, "LOC")]));
    }

    #[test]
    fn take_agreed_never_overwrites_the_curators_own_decision() {
        let curated = spans(&[(28, 33, "ORG")]);
        let agreed = spans(&[(0, 8, "PER"), (28, 33, "LOC")]);
        let (out, added) = take_agreed(&curated, &agreed);
        assert_eq!(added, 1);
        assert_eq!(out, spans(&[(0, 8, "PER"), (28, 33, "ORG")]));
        // Again: nothing more to add.
        assert_eq!(take_agreed(&out, &agreed), (out.clone(), 0));
    }

    #[test]
    fn a_span_repeated_in_one_record_counts_once() {
        let c = curate(
            &[
                ans("ana", true, &[(0, 8, "PER"), (0, 8, "PER")]),
                ans("ben", true, &[]),
            ],
            &[],
        );
        assert_eq!(
            marks(&c, "ana"),
            [(0, 8, "PER".into(), 1, false, false, false)]
        );
    }

    #[test]
    fn disagreements_are_stretches_with_each_version_and_who_gave_it() {
        // "Ana Lima met Kofi Mensah in Accra."
        let answers = [
            ans(
                "ana",
                true,
                &[(0, 8, "PER"), (13, 24, "PER"), (28, 33, "LOC")],
            ),
            ans(
                "ben",
                true,
                &[(0, 8, "PER"), (13, 17, "PER"), (18, 24, "PER")],
            ),
            ans(
                "cy",
                true,
                &[(0, 8, "PER"), (13, 24, "PER"), (28, 33, "LOC")],
            ),
        ];
        let d = disagreements(&answers, &spans(&[(13, 24, "PER")]));
        assert_eq!(d.len(), 2, "{d:#?}");
        assert_eq!((d[0].start, d[0].end), (13, 24));
        assert_eq!(d[0].versions[0].annotators, ["ana", "cy"]);
        assert_eq!(d[0].versions[0].spans, spans(&[(13, 24, "PER")]));
        assert_eq!(d[0].versions[1].annotators, ["ben"]);
        assert_eq!(
            d[0].versions[1].spans,
            spans(&[(13, 17, "PER"), (18, 24, "PER")])
        );
        assert_eq!(
            d[0].matches,
            Some(0),
            "the curated record took ana and cy's version"
        );
        // ben labelled nothing in Accra: an empty version.
        assert_eq!((d[1].start, d[1].end), (28, 33));
        assert_eq!(d[1].versions[1].annotators, ["ben"]);
        assert!(d[1].versions[1].spans.is_empty());
        assert_eq!(d[1].matches, Some(1), "nothing there yet, as ben has it");
        let d = disagreements(&answers, &spans(&[(28, 33, "GPE")]));
        assert_eq!(d[1].matches, None);
        // Where all agree there is nothing to walk.
        let same = [
            ans("ana", true, &[(0, 8, "PER")]),
            ans("ben", true, &[(0, 8, "PER")]),
        ];
        assert!(disagreements(&same, &[]).is_empty());
    }

    #[test]
    fn a_stretch_is_settled_once_the_curated_record_holds_a_version_there() {
        let answers = [
            ans("ana", true, &[(0, 8, "PER"), (28, 33, "LOC")]),
            ans("ben", true, &[(0, 8, "ORG")]),
        ];
        let left = |curated: &[(usize, usize, &str)]| {
            left_to_settle(&disagreements(&answers, &spans(curated)))
        };
        assert_eq!(left(&[]), 2, "nothing taken yet");
        assert_eq!(left(&[(0, 8, "PER")]), 1, "ana's version of the first");
        assert_eq!(left(&[(0, 8, "PER"), (28, 33, "LOC")]), 0);
        assert_eq!(
            left(&[(0, 8, "LOC")]),
            2,
            "a label no one gave settles nothing"
        );
    }
}
