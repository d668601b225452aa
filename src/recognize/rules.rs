//! A person's own rules: per-label phrase lists and regular expressions,
//! edited in the page or imported from spaCy's EntityRuler patterns (JSONL),
//! and matched as a recognizer stage ([`RuleStage`]).
//!
//! - Phrases match exactly (case-sensitive) or ignoring case; Aho-Corasick
//!   finds every occurrence, those that begin and end on token edges are kept,
//!   and of those the leftmost-longest ones are taken ("New York City" over
//!   "New York"; "Apple" in "Apple Incorporated" even when "Apple Inc" is
//!   also listed). Case-insensitive matching of ASCII phrases is
//!   Aho-Corasick's; phrases with other letters are matched by `regex` with
//!   Unicode case folding (Aho-Corasick folds ASCII only).
//! - Regex patterns (the `regex` crate's syntax) are kept where a match
//!   begins and ends on token edges.
//! - Every match is a suggestion with `source: "rule"` and score 1, at
//!   [`PRIORITY_USER_RULE`], above the built-in patterns and the model: a
//!   person's rules are meant.
//!
//! Rules are read from and written as spaCy's EntityRuler patterns (JSONL)
//! by `rules/entity_ruler.rs` ([`Rules::from_jsonl`], [`Rules::to_jsonl`]).

mod entity_ruler;

pub use entity_ruler::{join_tokens, Imported};

use super::{Candidate, Context, EdgeCursor, Recognizer, Stage};
use crate::doc::{Source, Span};
use crate::edit::{Editor, Overlap};
use crate::text::OffsetMap;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Merge priority of a person's rules: above the built-in patterns (20) and
/// the model (10).
pub const PRIORITY_USER_RULE: i32 = 30;

/// Compiled regexes may not grow past this (a pasted monster pattern is
/// refused with an error instead of eating the page's memory).
const REGEX_SIZE_LIMIT: usize = 1 << 22;

/// How a rule matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    /// The exact text.
    Phrase,
    /// The text in any case.
    PhraseIgnoreCase,
    /// A regular expression.
    Regex,
}

/// One rule: a label, how it matches, what it matches, and spaCy's optional
/// pattern id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub label: String,
    pub kind: Kind,
    pub text: String,
    pub id: Option<String>,
}

/// A rule that cannot be used: which and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError(pub String);

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RuleError {}

/// One label's rules as the page's rules panel shows them.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LabelRules {
    pub label: String,
    pub phrases: Vec<String>,
    pub phrases_ignore_case: Vec<String>,
    pub patterns: Vec<String>,
}

/// A checked set of rules (every regex compiles, every rule has a label and
/// a text), in the order given, without duplicates.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Rules {
    rules: Vec<Rule>,
}

fn compile(pattern: &str, case_insensitive: bool) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
}

/// The last line of a regex error (the crate's message draws the pattern
/// with a caret above it; the last line says what is wrong).
fn regex_problem(e: &regex::Error) -> String {
    let s = e.to_string();
    s.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(&s)
        .trim()
        .trim_start_matches("error: ")
        .to_string()
}

impl Rules {
    /// Checks and keeps `rules`: labels and phrases are trimmed, empty ones
    /// and repeats dropped; an invalid regex is an error naming its label
    /// and pattern.
    pub fn new(rules: impl IntoIterator<Item = Rule>) -> Result<Rules, RuleError> {
        let mut out: Vec<Rule> = Vec::new();
        for mut r in rules {
            r.label = r.label.trim().to_string();
            if r.kind != Kind::Regex {
                r.text = r.text.trim().to_string();
            }
            if r.text.is_empty() {
                continue;
            }
            if r.label.is_empty() {
                return Err(RuleError(format!("the rule {:?} needs a label", r.text)));
            }
            if r.kind == Kind::Regex {
                if let Err(e) = compile(&r.text, false) {
                    return Err(RuleError(format!(
                        "{}: the pattern {:?} is not a valid regular expression: {}",
                        r.label,
                        r.text,
                        regex_problem(&e)
                    )));
                }
            }
            let same = out
                .iter()
                .any(|o| o.label == r.label && o.kind == r.kind && o.text == r.text);
            if !same {
                out.push(r);
            }
        }
        Ok(Rules { rules: out })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Rules from the panel's per-label lists. A rule that was in `previous`
    /// keeps its id (spaCy's `ent_id_`), so editing in the page does not
    /// lose what an import brought.
    pub fn from_groups(groups: &[LabelRules], previous: &Rules) -> Result<Rules, RuleError> {
        let mut rules = Vec::new();
        for g in groups {
            let lists = [
                (Kind::Phrase, &g.phrases),
                (Kind::PhraseIgnoreCase, &g.phrases_ignore_case),
                (Kind::Regex, &g.patterns),
            ];
            for (kind, list) in lists {
                for text in list {
                    let id = previous
                        .rules
                        .iter()
                        .find(|r| r.label == g.label.trim() && r.kind == kind && r.text == *text)
                        .and_then(|r| r.id.clone());
                    rules.push(Rule {
                        label: g.label.clone(),
                        kind,
                        text: text.clone(),
                        id,
                    });
                }
            }
        }
        Rules::new(rules)
    }

    /// The rules grouped by label, labels in order of first appearance.
    pub fn groups(&self) -> Vec<LabelRules> {
        let mut out: Vec<LabelRules> = Vec::new();
        for r in &self.rules {
            let i = match out.iter().position(|g| g.label == r.label) {
                Some(i) => i,
                None => {
                    out.push(LabelRules {
                        label: r.label.clone(),
                        ..Default::default()
                    });
                    out.len() - 1
                }
            };
            let list = match r.kind {
                Kind::Phrase => &mut out[i].phrases,
                Kind::PhraseIgnoreCase => &mut out[i].phrases_ignore_case,
                Kind::Regex => &mut out[i].patterns,
            };
            list.push(r.text.clone());
        }
        out
    }

    /// The labels the rules give, in order of first appearance.
    pub fn labels(&self) -> Vec<String> {
        self.groups().into_iter().map(|g| g.label).collect()
    }

    /// A short fingerprint of the rules (empty when there are none), for the
    /// page to note which rules a stored document's suggestions have seen.
    /// FNV-1a over the JSONL: stable across builds and machines.
    pub fn version(&self) -> String {
        if self.rules.is_empty() {
            return String::new();
        }
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.to_jsonl().bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        format!("{h:016x}")
    }

    /// The matcher for these rules; `None` when there are none (empty rules
    /// cost nothing).
    pub fn stage(&self) -> Option<RuleStage> {
        (!self.rules.is_empty()).then(|| RuleStage::new(self))
    }

    /// `recognizer` with these rules as its `rules` stage (any previous
    /// `rules` stage removed).
    pub fn install(&self, recognizer: Recognizer) -> Recognizer {
        let r = recognizer.without(RuleStage::NAME);
        match self.stage() {
            Some(s) => r.with_stage(Box::new(s)),
            None => r,
        }
    }

    /// The rules' own matches in `text` (merged, non-overlapping), as
    /// suggestion spans in code points.
    pub fn spans(&self, text: &str, map: &OffsetMap) -> Vec<Span> {
        match self.stage() {
            Some(s) => Recognizer::new(vec![Box::new(s)]).spans(text, map),
            None => Vec::new(),
        }
    }
}

/// The compiled matcher of a [`Rules`] set, a recognizer stage.
pub struct RuleStage {
    labels: Vec<String>,
    /// Case-sensitive phrases, and the label index of each.
    exact: Option<(AhoCorasick, Vec<u32>)>,
    /// Case-insensitive ASCII phrases.
    folded: Option<(AhoCorasick, Vec<u32>)>,
    /// Regexes: the person's patterns, and one alternation per label of the
    /// case-insensitive phrases that are not ASCII.
    regexes: Vec<(Regex, u32)>,
}

impl RuleStage {
    pub const NAME: &'static str = "rules";

    fn new(rules: &Rules) -> RuleStage {
        let mut labels: Vec<String> = Vec::new();
        let mut label_of = |l: &str| -> u32 {
            match labels.iter().position(|x| x == l) {
                Some(i) => i as u32,
                None => {
                    labels.push(l.to_string());
                    (labels.len() - 1) as u32
                }
            }
        };
        let mut exact: (Vec<&str>, Vec<u32>) = (Vec::new(), Vec::new());
        let mut folded: (Vec<&str>, Vec<u32>) = (Vec::new(), Vec::new());
        let mut unicode_folded: Vec<(u32, Vec<&str>)> = Vec::new();
        let mut regexes = Vec::new();
        for r in &rules.rules {
            let li = label_of(&r.label);
            match r.kind {
                Kind::Phrase => {
                    exact.0.push(&r.text);
                    exact.1.push(li);
                }
                Kind::PhraseIgnoreCase if r.text.is_ascii() => {
                    folded.0.push(&r.text);
                    folded.1.push(li);
                }
                Kind::PhraseIgnoreCase => match unicode_folded.iter_mut().find(|(l, _)| *l == li) {
                    Some((_, v)) => v.push(&r.text),
                    None => unicode_folded.push((li, vec![&r.text])),
                },
                Kind::Regex => {
                    if let Ok(re) = compile(&r.text, false) {
                        regexes.push((re, li));
                    }
                }
            }
        }
        for (li, mut phrases) in unicode_folded {
            // Longest first: the regex takes the first alternative that
            // matches, so this gives the longest at each start.
            phrases.sort_by_key(|p| std::cmp::Reverse(p.chars().count()));
            let alt: Vec<String> = phrases.iter().map(|p| regex::escape(p)).collect();
            if let Ok(re) = compile(&format!("(?:{})", alt.join("|")), true) {
                regexes.push((re, li));
            }
        }
        let build = |(phrases, idx): (Vec<&str>, Vec<u32>), fold: bool| {
            if phrases.is_empty() {
                return None;
            }
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .ascii_case_insensitive(fold)
                // Not forced to a full DFA as the gazetteer is: an imported
                // list may hold a hundred thousand phrases, and the DFA's
                // memory grows with them (in the page's wasm memory). The
                // default picks a DFA for small lists itself.
                .build(&phrases)
                .ok()
                .map(|ac| (ac, idx))
        };
        RuleStage {
            exact: build(exact, false),
            folded: build(folded, true),
            regexes,
            labels,
        }
    }

    /// Every phrase match on token edges; then per start the longest, taken
    /// left to right without overlaps (leftmost-longest among the matches a
    /// person can see).
    fn phrases(&self, cx: &Context, set: &(AhoCorasick, Vec<u32>), out: &mut Vec<Candidate>) {
        let (ac, idx) = set;
        let mut edges = EdgeCursor::new(cx.tokens);
        let mut found: Vec<(usize, usize, u32)> = Vec::new();
        for m in ac.find_overlapping_iter(cx.text) {
            // Overlapping matches come in order of their end, so the starts
            // jump back and forth: check the (more selective) end first.
            if edges.ending_at(m.end()).is_some()
                && crate::tokenize::starting_at(cx.tokens, m.start()).is_some()
            {
                found.push((m.start(), m.end(), idx[m.pattern().as_usize()]));
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut until = 0;
        for (s, e, li) in found {
            if s >= until {
                until = e;
                out.push(self.candidate(s, e, li));
            }
        }
    }

    fn regex(&self, cx: &Context, re: &Regex, li: u32, out: &mut Vec<Candidate>) {
        let text = cx.text;
        let mut edges = EdgeCursor::new(cx.tokens);
        let mut pos = 0;
        while pos <= text.len() {
            let Some(m) = re.find_at(text, pos) else {
                break;
            };
            if m.start() < m.end()
                && edges.starting_at(m.start()).is_some()
                && edges.ending_at(m.end()).is_some()
            {
                out.push(self.candidate(m.start(), m.end(), li));
                pos = m.end();
            } else {
                // Off the token edges (or empty): look again from the next
                // token start after this match's start.
                let k = edges.seek(m.start() + 1);
                match cx.tokens.get(k) {
                    Some(t) => pos = t.start,
                    None => break,
                }
            }
        }
    }

    fn candidate(&self, start: usize, end: usize, li: u32) -> Candidate {
        Candidate {
            start,
            end,
            label: self.labels[li as usize].clone(),
            source: Source::Rule,
            score: 1.0,
        }
    }
}

impl Stage for RuleStage {
    fn name(&self) -> &'static str {
        RuleStage::NAME
    }

    fn priority(&self) -> i32 {
        PRIORITY_USER_RULE
    }

    fn find(&self, cx: &Context, out: &mut Vec<Candidate>) {
        if let Some(set) = &self.exact {
            self.phrases(cx, set, out);
        }
        if let Some(set) = &self.folded {
            self.phrases(cx, set, out);
        }
        for (re, li) in &self.regexes {
            self.regex(cx, re, *li, out);
        }
    }
}

/// Brings an open document's suggestions up to date after the rules changed
/// from `old` to `new` (each the rules' own matches, see [`Rules::spans`]):
/// suggestions the old rules made go, the new rules' matches come in and
/// replace the suggestions they overlap, except where a person's span is.
/// The person's spans and every other suggestion are left as they are. Not
/// an undoable step: suggestions are not the person's work.
pub fn apply_rule_matches(editor: &mut Editor, old: &[Span], new: Vec<Span>) {
    let overlap = editor.overlap;
    let blocks = |s: &Span, by: &Span| overlap.clashes(s, by.start, by.end, &by.label);
    // Spans sorted by start, each list without overlaps of its own (the
    // person's under the no-overlap rule; merged rule matches), so their
    // ends increase too: the ones overlapping `s` are found by a binary
    // search and a short walk back. Under `Overlap::Allow` the person's
    // spans may nest, so those are scanned.
    fn hits(sorted: &[Span], s: &Span, blocks: impl Fn(&Span, &Span) -> bool) -> bool {
        let i = sorted.partition_point(|x| x.start < s.end);
        sorted[..i]
            .iter()
            .rev()
            .take_while(|x| x.end > s.start)
            .any(|x| blocks(s, x))
    }
    let people: Vec<Span> = editor
        .spans()
        .iter()
        .filter(|s| !s.source.is_suggestion())
        .cloned()
        .collect();
    let mut new: Vec<Span> = new
        .into_iter()
        .filter(|n| match overlap {
            Overlap::Forbid => !hits(&people, n, blocks),
            Overlap::Allow | Overlap::Nest => !people.iter().any(|p| blocks(n, p)),
        })
        .collect();
    new.sort_by(Span::order);
    let old: std::collections::HashSet<(usize, usize, &str)> = old
        .iter()
        .map(|o| (o.start, o.end, o.label.as_str()))
        .collect();
    let mut keep: Vec<Span> = editor
        .spans()
        .iter()
        .filter(|s| s.source.is_suggestion())
        .filter(|s| {
            !(s.source == Source::Rule && old.contains(&(s.start, s.end, s.label.as_str())))
        })
        .filter(|s| !hits(&new, s, blocks))
        .cloned()
        .collect();
    keep.extend(new);
    editor.set_suggestions(keep);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Document;

    fn rule(label: &str, kind: Kind, text: &str) -> Rule {
        Rule {
            label: label.into(),
            kind,
            text: text.into(),
            id: None,
        }
    }

    fn found(rules: &Rules, text: &str) -> Vec<(String, String)> {
        let r = Recognizer::new(vec![Box::new(rules.stage().unwrap())]);
        r.recognize(text)
            .into_iter()
            .map(|c| (text[c.start..c.end].to_string(), c.label))
            .collect()
    }

    #[test]
    fn bad_regex_names_label_and_pattern() {
        let e = Rules::new([rule("TICKET", Kind::Regex, "([A-Z]+")]).unwrap_err();
        assert!(e.0.contains("TICKET") && e.0.contains("([A-Z]+"), "{e}");
        assert!(e.0.contains("unclosed"), "{e}");
    }

    #[test]
    fn apply_rule_matches_keeps_people_and_other_suggestions() {
        let text = "Acme Robotics hired Ana in Lisbon.";
        let mut e = Editor::new(Document::new("d", text), Overlap::Forbid);
        e.set_suggestions(vec![
            Span::new(0, 4, "ORG").with_source(Source::Model),
            Span::new(27, 33, "LOC").with_source(Source::Rule),
        ]);
        e.add(20, 23, "PER").unwrap();
        let map = OffsetMap::new(text);
        let rules = Rules::new([
            rule("COMPANY", Kind::Phrase, "Acme Robotics"),
            rule("NAME", Kind::Phrase, "Ana"),
        ])
        .unwrap();
        let new = rules.spans(text, &map);
        apply_rule_matches(&mut e, &[], new.clone());
        let shape: Vec<_> = e
            .spans()
            .iter()
            .map(|s| (s.start, s.end, s.label.as_str(), s.source.name()))
            .collect();
        assert_eq!(
            shape,
            [
                (0, 13, "COMPANY", "rule"),
                (20, 23, "PER", "user"),
                (27, 33, "LOC", "rule")
            ]
        );
        // Rules removed: their suggestions go, the built-in one stays.
        apply_rule_matches(&mut e, &new, Vec::new());
        assert_eq!(e.spans().len(), 2);
        assert_eq!(e.history.done.len(), 1, "only the person's add is undoable");
    }

    #[test]
    fn apply_rule_matches_when_overlaps_are_allowed() {
        let text = "New York Times Square";
        let mut e = Editor::new(Document::new("d", text), Overlap::Allow);
        e.add(0, 8, "LOC").unwrap();
        e.set_suggestions(vec![
            Span::new(0, 14, "ORG").with_source(Source::Model),
            Span::new(9, 21, "LOC").with_source(Source::Model),
        ]);
        let new = vec![
            Span::new(0, 3, "LOC").with_source(Source::Rule), // inside the person's LOC
            Span::new(4, 8, "CITY").with_source(Source::Rule),
            Span::new(9, 14, "ORG").with_source(Source::Rule),
        ];
        apply_rule_matches(&mut e, &[], new);
        let shape: Vec<_> = e
            .spans()
            .iter()
            .map(|s| (s.start, s.end, s.label.as_str(), s.source.name()))
            .collect();
        assert_eq!(
            shape,
            [
                (0, 8, "LOC", "user"),
                (4, 8, "CITY", "rule"),
                (9, 21, "LOC", "model"),
                (9, 14, "ORG", "rule"),
            ]
        );
    }

    #[test]
    fn unicode_case_insensitive_phrases() {
        let rules = Rules::new([rule("CITY", Kind::PhraseIgnoreCase, "zürich")]).unwrap();
        assert_eq!(
            found(&rules, "ZÜRICH and Zürich"),
            [
                ("ZÜRICH".to_string(), "CITY".to_string()),
                ("Zürich".to_string(), "CITY".to_string())
            ]
        );
    }
}
