//! Pre-annotation: a pipeline of swappable stages, each proposing candidate
//! spans, merged into one non-overlapping list of suggestions.
//!
//! The standard pipeline ([`Recognizer::standard`]) is
//! - [`Patterns`]: regular expressions for dates, times, money, percentages,
//!   quantities, numbers, e-mail addresses and URLs (`Source::Rule`);
//! - [`Gazetteer`]: phrase lists matched on whole tokens (countries, cities,
//!   nationalities, well-known organisations; `Source::Rule`);
//! - [`model`]: the shipped entity tagger for PER, ORG, LOC and MISC
//!   (`Source::Model`, with a calibrated confidence as score).
//!
//! Around it: [`rules`] holds a project's own phrase and regex rules (spaCy
//! EntityRuler patterns), matched before every other stage; [`learn`] keeps
//! the page's learned model (the shipped model plus what was learned from
//! finished documents) and is its pipeline's model stage. [`Heuristic`]
//! (capitalised runs classified by titles, suffixes and first names) stands in
//! for the model in [`Recognizer::rules_only`].
//!
//! # Merging
//!
//! Every stage has a priority ([`Stage::priority`], overridable per pipeline
//! with [`Recognizer::with_stage_at`]). Candidates are first checked (in range,
//! non-empty, on character boundaries, non-empty label; others are dropped),
//! then ranked by
//! 1. higher stage priority,
//! 2. longer span (in bytes),
//! 3. higher score,
//! 4. earlier start, then earlier stage, then label (so the result is
//!    deterministic),
//!
//! and taken greedily in that order, each kept only if it overlaps none kept
//! before. One exception to the priorities: a CARDINAL or ORDINAL inside a
//! longer candidate ranks last (`Euro 96`, `Banc One` are names; dates and
//! amounts are never cut up). The result is sorted by start and never overlaps. This is
//! `O(n log n)` in the number of candidates (one sort, and an ordered map of the
//! kept spans for the overlap test).
//!
//! The standard priorities are [`PRIORITY_RULE`] for patterns (a date or an
//! amount is never cut up by a name guess) and [`PRIORITY_DEFAULT`] for the
//! gazetteer and the model, so that between those two the longer span wins
//! ("University of California" over "California") and on equal spans the
//! higher score: the model's when it is surer than [`GAZETTEER_SCORE`]. A
//! stage added with [`Recognizer::with_stage`] joins that default tier unless
//! it says otherwise.

pub mod gazetteer;
pub mod learn;
pub mod model;
pub mod patterns;
pub mod rules;

pub use gazetteer::Gazetteer;
pub use patterns::Patterns;

use crate::doc::{Source, Span};
use crate::text::OffsetMap;
use crate::tokenize::{self, Token};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ops::Range;

/// Priority of rule stages whose matches are exact (patterns).
pub const PRIORITY_RULE: i32 = 20;
/// Priority of ordinary stages (gazetteer, heuristic, a model).
pub const PRIORITY_DEFAULT: i32 = 10;
/// The score of the standard gazetteer's matches: below what the model gives
/// the names it is sure of, so that on the same span the model's reading wins
/// (a team named after its city is an ORG in a results table, not the
/// list's LOC), while a longer list entry still wins over a shorter guess.
/// Dev F1 through the whole pipeline on raw text: 0.9 91.26, 0.5 91.22,
/// 0.3 91.07; as a stage below the model (only filling gaps) 91.06; without
/// the stage 91.13.
pub const GAZETTEER_SCORE: f32 = 0.5;

/// A proposed entity: `[start, end)` in UTF-8 bytes of the text.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub source: Source,
    pub score: f32,
}

/// What every stage sees: the text, its tokens and its sentences (token ranges).
pub struct Context<'a> {
    pub text: &'a str,
    pub tokens: &'a [Token],
    pub sentences: &'a [Range<usize>],
}

impl Context<'_> {
    /// The text of token `i`.
    pub fn word(&self, i: usize) -> &str {
        self.tokens[i].text(self.text)
    }

    /// Whether `[start, end)` begins and ends on token edges.
    pub fn on_token_edges(&self, start: usize, end: usize) -> bool {
        tokenize::starting_at(self.tokens, start).is_some()
            && tokenize::ending_at(self.tokens, end).is_some()
    }
}

/// The sentences a model decodes: the document's sentences, each also cut at
/// every line break. The tokenizer keeps a hard-wrapped line with its
/// sentence, but a tagger must not run a name from a headline, a list item or
/// a table row into the next line (`Jane\nQuigley`, `GB\nHaitai`): in pasted
/// text a line break ends far more names than it wraps.
pub fn model_sentences(
    text: &str,
    tokens: &[Token],
    sentences: &[Range<usize>],
) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(sentences.len());
    for s in sentences {
        let mut from = s.start;
        for i in s.start + 1..s.end {
            if text[tokens[i - 1].end..tokens[i].start].contains(['\n', '\r']) {
                out.push(from..i);
                from = i;
            }
        }
        if from < s.end {
            out.push(from..s.end);
        }
    }
    out
}

/// Token-edge lookups for byte offsets that mostly increase (matches found in
/// text order): gallops forward from the last answer, so one pass over a
/// document's matches is linear and stays in cache, where a binary search per
/// match would jump around a large token array. Any order is still correct.
pub struct EdgeCursor<'a> {
    tokens: &'a [Token],
    i: usize,
}

impl<'a> EdgeCursor<'a> {
    pub fn new(tokens: &'a [Token]) -> EdgeCursor<'a> {
        EdgeCursor { tokens, i: 0 }
    }

    /// The index of the first token starting at or after byte `b`.
    pub fn seek(&mut self, b: usize) -> usize {
        let t = self.tokens;
        if self.i > 0 && t[self.i - 1].start >= b {
            self.i = t[..self.i].partition_point(|x| x.start < b);
            return self.i;
        }
        // Every token before `lo` starts before `b`.
        let mut lo = self.i;
        let mut step = 1;
        while lo + step <= t.len() && t[lo + step - 1].start < b {
            lo += step;
            step *= 2;
        }
        let hi = (lo + step).min(t.len());
        self.i = lo + t[lo..hi].partition_point(|x| x.start < b);
        self.i
    }

    /// The index of the token starting exactly at byte `b`.
    pub fn starting_at(&mut self, b: usize) -> Option<usize> {
        let k = self.seek(b);
        (k < self.tokens.len() && self.tokens[k].start == b).then_some(k)
    }

    /// The index of the token ending exactly at byte `b` (the last token
    /// starting before `b`, as tokens do not overlap).
    pub fn ending_at(&mut self, b: usize) -> Option<usize> {
        let k = self.seek(b);
        (k > 0 && self.tokens[k - 1].end == b).then(|| k - 1)
    }
}

/// One recognizer stage (patterns, gazetteer, heuristic, model, ...).
pub trait Stage: Send + Sync {
    fn name(&self) -> &'static str;
    /// Appends this stage's candidates for the text in `cx` to `out`.
    fn find(&self, cx: &Context, out: &mut Vec<Candidate>);
    /// Rank in the merge: a higher priority wins an overlap regardless of
    /// length or score. See the module documentation.
    fn priority(&self) -> i32 {
        PRIORITY_DEFAULT
    }
}

/// The stages in order; see [`Recognizer::recognize`] for how they merge.
/// `Send + Sync`: one recognizer can serve many threads.
pub struct Recognizer {
    stages: Vec<(Box<dyn Stage>, i32)>,
}

impl Recognizer {
    /// A pipeline of `stages`, each at its own [`Stage::priority`].
    pub fn new(stages: Vec<Box<dyn Stage>>) -> Recognizer {
        Recognizer {
            stages: stages
                .into_iter()
                .map(|s| {
                    let p = s.priority();
                    (s, p)
                })
                .collect(),
        }
    }

    /// The default pipeline: [`Patterns`], [`Gazetteer::standard`] and the
    /// shipped entity model ([`crate::model::Model::shipped`]).
    pub fn standard() -> Recognizer {
        Recognizer::new(vec![
            Box::new(Patterns::new()),
            Box::new(Gazetteer::standard().with_score(GAZETTEER_SCORE)),
            Box::new(crate::model::Model::shipped()),
        ])
    }

    /// Adds a stage at its own priority (for example a trained model).
    pub fn with_stage(self, stage: Box<dyn Stage>) -> Recognizer {
        let p = stage.priority();
        self.with_stage_at(stage, p)
    }

    /// Adds a stage at the given merge priority.
    pub fn with_stage_at(mut self, stage: Box<dyn Stage>, priority: i32) -> Recognizer {
        self.stages.push((stage, priority));
        self
    }

    /// Removes every stage with this name (to swap the heuristic for a model:
    /// `standard().without("heuristic").with_stage(model)`).
    pub fn without(mut self, name: &str) -> Recognizer {
        self.stages.retain(|(s, _)| s.name() != name);
        self
    }

    /// The stages' names, in order.
    pub fn stage_names(&self) -> Vec<&'static str> {
        self.stages.iter().map(|(s, _)| s.name()).collect()
    }

    /// Candidates from every stage, merged: non-overlapping, sorted, byte offsets.
    pub fn recognize(&self, text: &str) -> Vec<Candidate> {
        let tokens = tokenize::tokenize(text);
        let sentences = tokenize::sentences(text, &tokens);
        self.recognize_in(&Context {
            text,
            tokens: &tokens,
            sentences: &sentences,
        })
    }

    /// [`Recognizer::recognize`] on text already tokenized.
    pub fn recognize_in(&self, cx: &Context) -> Vec<Candidate> {
        let (all, priorities) = self.collect(cx, &|_| true);
        merge(cx.text, all, &priorities)
    }

    /// [`Recognizer::spans`] with only the candidates whose label `keep`
    /// accepts taking part in the merge, so that a label the project does not
    /// have never hides one it has.
    /// `tokens` and `map` are the text's (a document's `TextIndex` has both).
    pub fn spans_where(
        &self,
        text: &str,
        tokens: &[tokenize::Token],
        map: &OffsetMap,
        keep: &dyn Fn(&str) -> bool,
    ) -> Vec<Span> {
        let sentences = tokenize::sentences(text, tokens);
        let cx = Context {
            text,
            tokens,
            sentences: &sentences,
        };
        let (all, priorities) = self.collect(&cx, keep);
        to_spans(merge(text, all, &priorities), map)
    }

    /// Every stage's candidates, unmerged (they may overlap), sorted by start,
    /// longer first; invalid ones dropped. For projects that allow overlaps.
    pub fn candidates(&self, text: &str) -> Vec<Candidate> {
        let tokens = tokenize::tokenize(text);
        let sentences = tokenize::sentences(text, &tokens);
        let cx = Context {
            text,
            tokens: &tokens,
            sentences: &sentences,
        };
        let (all, _) = self.collect(&cx, &|_| true);
        let mut v: Vec<Candidate> = all.into_iter().filter(|c| valid(text, c)).collect();
        v.sort_by(|a, b| {
            a.start
                .cmp(&b.start)
                .then(b.end.cmp(&a.end))
                .then_with(|| a.label.cmp(&b.label))
        });
        v.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.label == b.label);
        v
    }

    fn collect(
        &self,
        cx: &Context,
        keep: &dyn Fn(&str) -> bool,
    ) -> (Vec<Candidate>, Vec<(usize, i32)>) {
        let mut all = Vec::new();
        // For each stage: (index one past its last candidate, priority).
        let mut priorities = Vec::with_capacity(self.stages.len());
        for (stage, p) in &self.stages {
            let from = all.len();
            stage.find(cx, &mut all);
            let mut k = from;
            for i in from..all.len() {
                if keep(&all[i].label) {
                    all.swap(k, i);
                    k += 1;
                }
            }
            all.truncate(k);
            priorities.push((all.len(), *p));
        }
        (all, priorities)
    }

    /// [`Recognizer::recognize`] as spans in code points.
    pub fn spans(&self, text: &str, map: &OffsetMap) -> Vec<Span> {
        to_spans(self.recognize(text), map)
    }
}

fn to_spans(candidates: Vec<Candidate>, map: &OffsetMap) -> Vec<Span> {
    candidates
        .into_iter()
        .filter_map(|c| {
            Some(Span {
                start: map.byte_to_char(c.start)?,
                end: map.byte_to_char(c.end)?,
                label: c.label,
                source: c.source,
                score: Some(f64::from(c.score)),
                id: None,
                note: None,
                attrs: Default::default(),
            })
        })
        .collect()
}

fn valid(text: &str, c: &Candidate) -> bool {
    c.start < c.end
        && c.end <= text.len()
        && text.is_char_boundary(c.start)
        && text.is_char_boundary(c.end)
        && !c.label.is_empty()
}

/// The merge described in the module documentation. `stage_ends[k]` is
/// (one past the last candidate of stage `k`, its priority).
fn merge(text: &str, all: Vec<Candidate>, stage_ends: &[(usize, i32)]) -> Vec<Candidate> {
    // The ranking's keys copied out of the candidates, so that the sort
    // compares small records in place instead of chasing each candidate.
    struct Keyed {
        priority: i32,
        len: usize,
        score: f32,
        start: usize,
        stage: usize,
        i: usize,
    }
    let mut keyed: Vec<Keyed> = Vec::with_capacity(all.len());
    let mut from = 0;
    for (k, &(to, p)) in stage_ends.iter().enumerate() {
        keyed.extend((from..to).filter(|&i| valid(text, &all[i])).map(|i| {
            let c = &all[i];
            Keyed {
                priority: p,
                len: c.end - c.start,
                score: if c.score.is_nan() { f32::MIN } else { c.score },
                start: c.start,
                stage: k,
                i,
            }
        }));
        from = to;
    }
    yield_numbers_inside_names(&all, &mut keyed, |k| k.i, |k| &mut k.priority);
    // Unstable, but with the candidate index last the order is total, so it
    // is the order a stable sort without it gives.
    keyed.sort_unstable_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then(b.len.cmp(&a.len))
            .then(b.score.partial_cmp(&a.score).unwrap_or(Ordering::Equal))
            .then(a.start.cmp(&b.start))
            .then(a.stage.cmp(&b.stage))
            .then_with(|| all[a.i].label.cmp(&all[b.i].label))
            .then(a.i.cmp(&b.i))
    });
    // Kept spans: start -> (end, candidate index).
    let mut kept: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for &Keyed { i, .. } in &keyed {
        let c = &all[i];
        let clash = kept
            .range(..c.end)
            .next_back()
            .is_some_and(|(_, &(end, _))| end > c.start);
        if !clash {
            kept.insert(c.start, (c.end, i));
        }
    }
    let mut slots: Vec<Option<Candidate>> = all.into_iter().map(Some).collect();
    kept.values()
        .filter_map(|&(_, i)| slots[i].take())
        .collect()
}

/// A number (CARDINAL or ORDINAL) that lies inside a longer candidate is
/// part of a name (`Euro 96`, `Banc One`, `First Chicago`, `FTSE 100`): it
/// drops to the lowest priority, so the name wins, and is kept only if no
/// name is. Dates and amounts keep their priority.
fn yield_numbers_inside_names<K>(
    all: &[Candidate],
    keyed: &mut [K],
    index: impl Fn(&K) -> usize,
    priority: impl Fn(&mut K) -> &mut i32,
) {
    let number = |c: &Candidate| c.label == "CARDINAL" || c.label == "ORDINAL";
    let mut names: Vec<(usize, usize)> = keyed
        .iter()
        .map(|k| &all[index(k)])
        .filter(|c| !number(c))
        .map(|c| (c.start, c.end))
        .collect();
    if names.is_empty() {
        return;
    }
    names.sort_unstable();
    // reach[j]: the furthest end of names[..=j]
    let reach: Vec<usize> = names
        .iter()
        .scan(0, |m, &(_, e)| {
            *m = e.max(*m);
            Some(*m)
        })
        .collect();
    for k in keyed.iter_mut() {
        let c = &all[index(k)];
        if !number(c) {
            continue;
        }
        let before = names.partition_point(|&(s, _)| s < c.start);
        let at = names.partition_point(|&(s, _)| s <= c.start);
        let inside = (before > 0 && reach[before - 1] >= c.end)
            || names[before..at].iter().any(|&(_, e)| e > c.end);
        if inside {
            *priority(k) = i32::MIN;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    struct Fixed(&'static str, i32, Vec<(usize, usize, &'static str, f32)>);

    impl Stage for Fixed {
        fn name(&self) -> &'static str {
            self.0
        }
        fn priority(&self) -> i32 {
            self.1
        }
        fn find(&self, _cx: &Context, out: &mut Vec<Candidate>) {
            for &(start, end, label, score) in &self.2 {
                out.push(Candidate {
                    start,
                    end,
                    label: label.to_string(),
                    source: Source::Model,
                    score,
                });
            }
        }
    }

    fn labels(r: &Recognizer, text: &str) -> Vec<(String, String)> {
        r.recognize(text)
            .into_iter()
            .map(|c| (text[c.start..c.end].to_string(), c.label))
            .collect()
    }

    #[test]
    fn merge_prefers_priority_then_length_then_score() {
        let text = "University of California at Berkeley";
        let r = Recognizer::new(vec![
            Box::new(Fixed(
                "gaz",
                10,
                vec![(14, 24, "LOC", 0.9), (28, 36, "LOC", 0.9)],
            )),
            Box::new(Fixed(
                "heur",
                10,
                vec![(0, 24, "ORG", 0.5), (28, 36, "ORG", 0.4)],
            )),
        ]);
        assert_eq!(
            labels(&r, text),
            [
                ("University of California".into(), "ORG".into()),
                ("Berkeley".into(), "LOC".into())
            ]
        );
        // A higher-priority stage wins even with a shorter span.
        let r = r.with_stage_at(Box::new(Fixed("rule", 0, vec![(14, 24, "X", 0.1)])), 99);
        assert_eq!(labels(&r, text)[0], ("California".into(), "X".into()));
    }

    #[test]
    fn a_number_inside_a_name_is_part_of_the_name() {
        let text = "Euro 96 hurt First Chicago by 3 points in August 1996";
        let at = |w: &str| text.find(w).unwrap();
        let span = |w: &str| (at(w), at(w) + w.len());
        let c = |w: &'static str, l: &'static str| (span(w).0, span(w).1, l, 0.8);
        let r = Recognizer::new(vec![
            Box::new(Fixed(
                "patterns",
                PRIORITY_RULE,
                vec![
                    c("96", "CARDINAL"),
                    c("First", "ORDINAL"),
                    c("3", "CARDINAL"),
                    c("August 1996", "DATE"),
                ],
            )),
            Box::new(Fixed(
                "model",
                PRIORITY_DEFAULT,
                vec![
                    c("Euro 96", "MISC"),
                    c("First Chicago", "ORG"),
                    c("August", "PER"),
                ],
            )),
        ]);
        assert_eq!(
            labels(&r, text),
            [
                ("Euro 96".into(), "MISC".into()),
                ("First Chicago".into(), "ORG".into()),
                ("3".into(), "CARDINAL".into()),
                // a date is never cut up by a name guess
                ("August 1996".into(), "DATE".into()),
            ]
        );
    }

    #[test]
    fn merge_drops_invalid_and_breaks_ties_deterministically() {
        let text = "Zoë Ball 😀";
        let r = Recognizer::new(vec![Box::new(Fixed(
            "x",
            10,
            vec![
                (0, 3, "PER", 0.5), // inside "ë"
                (5, 5, "PER", 0.5), // empty
                (0, 100, "PER", 0.5),
                (0, 4, "", 0.5),
                (5, 9, "B", f32::NAN),
                (5, 9, "A", 0.5),
                (0, 4, "PER", 0.5),
            ],
        ))]);
        assert_eq!(
            labels(&r, text),
            [("Zoë".into(), "PER".into()), ("Ball".into(), "A".into())]
        );
    }

    #[test]
    fn stages_can_be_swapped() {
        assert_eq!(
            Recognizer::standard().stage_names(),
            ["patterns", "gazetteer", "model"]
        );
        let r = Recognizer::standard().without("model");
        assert_eq!(r.stage_names(), ["patterns", "gazetteer"]);
        let r = r.with_stage(Box::new(Fixed("learned", 10, vec![])));
        assert_eq!(r.stage_names(), ["patterns", "gazetteer", "learned"]);
        fn is_send_sync<T: Send + Sync>() {}
        is_send_sync::<Recognizer>();
    }

    #[test]
    fn candidates_keeps_overlaps_sorted() {
        let r = Recognizer::new(vec![
            Box::new(Fixed("a", 10, vec![(3, 5, "X", 0.5), (0, 5, "Y", 0.5)])),
            Box::new(Fixed("b", 10, vec![(0, 2, "Z", 0.5), (0, 5, "Y", 0.7)])),
        ]);
        let got: Vec<_> = r
            .candidates("abcdefg")
            .into_iter()
            .map(|c| (c.start, c.end, c.label))
            .collect();
        assert_eq!(
            got,
            [
                (0, 5, "Y".to_string()),
                (0, 2, "Z".to_string()),
                (3, 5, "X".to_string())
            ]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn edge_cursor_agrees_with_binary_search(
            text in "[a-c ,.]{0,60}",
            offsets in prop::collection::vec(0usize..64, 0..30),
        ) {
            let tokens = tokenize::tokenize(&text);
            let mut cur = EdgeCursor::new(&tokens);
            let mut sorted = offsets.clone();
            sorted.sort();
            for b in sorted.into_iter().chain(offsets) {
                prop_assert_eq!(cur.starting_at(b), tokenize::starting_at(&tokens, b));
                prop_assert_eq!(cur.ending_at(b), tokenize::ending_at(&tokens, b));
                prop_assert_eq!(cur.seek(b), tokenize::first_at_or_after(&tokens, b));
            }
        }

        #[test]
        fn merge_output_never_overlaps(
            spans in prop::collection::vec((0usize..60, 0usize..12, 0i32..3, 0u8..4, 0.0f32..1.0), 0..60)
        ) {
            let text = "x".repeat(80);
            let mut all = Vec::new();
            let mut ends = Vec::new();
            for p in 0..3 {
                for &(s, len, prio, l, score) in &spans {
                    if prio == p {
                        all.push(Candidate { start: s, end: s + len, label: ["A", "B", "C", "D"][l as usize].into(), source: Source::Rule, score });
                    }
                }
                ends.push((all.len(), p));
            }
            let n_valid = all.iter().filter(|c| c.start < c.end).count();
            let out = merge(&text, all.clone(), &ends);
            for w in out.windows(2) {
                prop_assert!(w[0].end <= w[1].start);
            }
            // Maximality: every dropped valid candidate overlaps a kept one.
            for c in all.iter().filter(|c| c.start < c.end) {
                prop_assert!(out.iter().any(|k| k.start < c.end && c.start < k.end));
            }
            prop_assert!(out.len() <= n_valid);
        }
    }
}
