//! Online learning: the entity model updated from each document a person
//! marks done, for the shipped labels and for labels the project adds.
//!
//! The tag space is `O` plus B, I, L, U for every label the learner has seen
//! (label 0..4 are the shipped model's PER, ORG, LOC, MISC). A tag's score at
//! a token is
//! - the shipped model's score for that tag, in log-odds (divided by its
//!   calibrated temperature) and relative to its `O` score, for the shipped
//!   labels; a fixed [`NEW_LABEL_OFFSET`] below `O` for the others, so a label
//!   nobody has shown an example of never wins by accident;
//! - plus learned residual weights of the shipped model's own feature keys
//!   (words, shapes, affixes, context), of the shipped model's decoded tag (so
//!   "the model says MISC" can become "the project says GADGET" in a few
//!   documents), of a per-tag bias, and of the phrase memory;
//! - the phrase memory: the surfaces of every span in the documents learned
//!   from (as hashes of their lower-cased tokens, no text), marking a token's
//!   BILU position in a remembered phrase of a label. One weight per position
//!   is shared by all labels and starts at [`MEMORY_PRIOR`], so the first
//!   "iPhone" labelled GADGET makes the next "iPhone" a GADGET suggestion.
//!
//! Transitions are the shipped model's between shipped tags (kept as they
//! are: a few documents must not bend how a name ends) plus learned ones for
//! every pair involving a new label; Viterbi decodes only well-formed BILOU
//! over the labels the project has (a label removed from the project is never
//! suggested). A renamed label keeps what was learned or shipped for it.
//!
//! Learning is an averaged structured perceptron with the usual lazy trick
//! (each weight keeps `w` and `u`, the sum of `step × change`; the average is
//! `w - u / steps`), so the averaged model is ready at any time; suggestions
//! use half the average and half the last weights ([`AVERAGING`]). A document is
//! learned until it is tagged right or [`PASSES`] passes are done, and up to
//! [`REPLAY`] earlier documents of this session are replayed once so that one
//! document does not swamp the rest. The memory features of a document are
//! computed from the memory before it, as they will be met on new documents.

use crate::doc::Source;
use crate::model::{self, finish, mix, Model, Part, PassThrough, Reader, LABELS, NT};
use crate::recognize::{Candidate, Context, Stage};
use crate::text::OffsetMap;
use crate::tokenize;
use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::BuildHasherDefault;
use std::ops::Range;
use std::sync::{Arc, RwLock};

const MAGIC: &[u8; 8] = b"SPANMKLN";
/// Bumped when the file layout or the meaning of a weight key changes.
pub const FILE_VERSION: u32 = 1;
/// Most labels a learner holds (a label set is a bit mask in the memory).
pub const MAX_LABELS: usize = 63;
/// Longest label name it learns (longer ones are not learned).
pub const MAX_LABEL_BYTES: usize = 1000;
/// Memory bit: a longer phrase starts with this one.
const PREFIX: u64 = 1 << 63;
/// Longest remembered phrase, in tokens.
const PHRASE_MAX: usize = 8;
/// Earlier documents of the session replayed after each new one.
pub const REPLAY: usize = 8;
/// Most passes over a new document.
pub const PASSES: usize = 4;
/// Size of one perceptron update, in the log-odds units of the base scores.
pub const RATE: f32 = 0.5;
/// How much of the running average the suggestions use: 1 is the plain
/// averaged perceptron, 0 the last weights. Online, the plain average gives
/// the latest documents almost no say; half and half learned faster and as
/// well in `examples/learn_bench.rs` (bench/RESULTS.md).
pub const AVERAGING: f32 = 0.5;
/// How far below `O` a label without shipped weights starts.
pub const NEW_LABEL_OFFSET: f32 = 3.0;
/// Starting weight of "this token sits at this position of a remembered
/// phrase of this label".
pub const MEMORY_PRIOR: f32 = 6.0;

// Namespaces of the learner's own weight keys (model feature keys are u32).
const NS_SHIP: u64 = 1 << 40;
const NS_BIAS: u64 = 2 << 40;
const NS_MEM_SHARED: u64 = 3 << 40;
const NS_MEM: u64 = 4 << 40;
const NS_TRANS: u64 = 5 << 40;
/// The "tag" of a weight shared by every tag.
const ANY_TAG: u16 = u16::MAX;
/// The boundary pseudo-tag of transitions.
const EDGE: u16 = u16::MAX - 1;

type Tag = u16;

fn tag_of(label: usize, part: Part) -> Tag {
    model::tag_index(label, part) as Tag
}

/// `(label, part)` of a tag; `None` for `O`, the edge and [`ANY_TAG`].
fn parts(t: Tag) -> Option<(usize, Part)> {
    if t >= EDGE {
        return None;
    }
    model::split_tag(t as usize)
}

fn is_open(t: Tag) -> bool {
    matches!(parts(t), Some((_, Part::B | Part::I)))
}

fn key(feature: u64, tag: Tag) -> u32 {
    finish(mix(mix(0x2545_f491_4f6c_dd1d, feature), tag as u64))
}

fn phrase_step(h: u64, word: u64) -> u64 {
    mix(h, word)
}
const PHRASE_SEED: u64 = 0x3c6e_f372_fe94_f82b;

type KeyMap<V> = HashMap<u32, V, BuildHasherDefault<PassThrough>>;
type KeySet = HashSet<u32, BuildHasherDefault<PassThrough>>;

/// A weight with its running sum for averaging.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Cell {
    w: f32,
    u: f32,
}

/// One document prepared for scoring: everything that does not depend on
/// the weights.
#[derive(Clone, Debug)]
struct Example {
    sents: Vec<Range<usize>>,
    feats: Vec<u32>,
    start: Vec<u32>,
    /// Shipped scores relative to `O`, in log-odds.
    base: Vec<[f32; NT]>,
    ship: Vec<u8>,
    /// Per token and BILU part: the labels whose remembered phrases put the
    /// token at that part.
    mem: Vec<[u64; 4]>,
    /// Gold tags (learning only).
    gold: Vec<Tag>,
    /// For predicting: per token only the model features that have learned
    /// weights (flat, with offsets), filtered once instead of once per tag.
    known: Option<(Vec<u32>, Vec<u32>)>,
}

/// The learned state; see the module documentation.
#[derive(Clone, Debug)]
pub struct Learner {
    shipped: Arc<Model>,
    labels: Vec<String>,
    weights: KeyMap<Cell>,
    /// Model feature keys that have any learned weight (to skip the rest).
    known: KeySet,
    steps: f32,
    memory: KeyMap<u64>,
    docs: u32,
    replay: VecDeque<Example>,
    /// Per label: the project has it (only those are suggested).
    active: Vec<bool>,
}

impl Learner {
    /// A learner that knows nothing beyond the shipped model.
    pub fn new(shipped: Arc<Model>) -> Learner {
        // the shared memory weights start at their prior, so that memory
        // works from the first document on
        let weights = (0..4)
            .map(|p| {
                let c = Cell {
                    w: MEMORY_PRIOR,
                    u: 0.0,
                };
                (key(NS_MEM_SHARED | p, ANY_TAG), c)
            })
            .collect();
        Learner {
            shipped,
            labels: LABELS.iter().map(|s| s.to_string()).collect(),
            weights,
            known: KeySet::default(),
            steps: 1.0,
            memory: KeyMap::default(),
            docs: 0,
            replay: VecDeque::new(),
            active: vec![true; LABELS.len()],
        }
    }

    /// Back to the shipped model, keeping which labels are active.
    pub fn reset(&mut self) {
        let active: Vec<String> = self.active_labels();
        *self = Learner::new(self.shipped.clone());
        self.set_active(active.iter().map(String::as_str));
    }

    /// The shipped model it builds on.
    pub fn shipped(&self) -> Arc<Model> {
        self.shipped.clone()
    }

    /// Follows a label rename: what was learned (or shipped) for `from` now
    /// holds for `to`. Renaming onto a label it already knows changes nothing.
    pub fn rename(&mut self, from: &str, to: &str) {
        if to.is_empty() || self.labels.iter().any(|l| l == to) {
            return;
        }
        if let Some(l) = self.labels.iter_mut().find(|l| *l == from) {
            *l = to.to_string();
        }
    }

    /// How many documents it has learned from.
    pub fn docs(&self) -> u32 {
        self.docs
    }

    /// The labels it knows, in its own order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Number of learned weights and of remembered phrases (and prefixes).
    pub fn sizes(&self) -> (usize, usize) {
        (self.weights.len(), self.memory.len())
    }

    fn active_labels(&self) -> Vec<String> {
        self.labels
            .iter()
            .zip(&self.active)
            .filter(|(_, &a)| a)
            .map(|(l, _)| l.clone())
            .collect()
    }

    /// Sets the labels the project has: only these are suggested.
    pub fn set_active<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) {
        let names: HashSet<&str> = names.into_iter().collect();
        self.active = self
            .labels
            .iter()
            .map(|l| names.contains(l.as_str()))
            .collect();
    }

    fn label_index(&mut self, name: &str) -> Option<usize> {
        if let Some(i) = self.labels.iter().position(|l| l == name) {
            return Some(i);
        }
        if self.labels.len() >= MAX_LABELS || name.is_empty() || name.len() > MAX_LABEL_BYTES {
            return None;
        }
        self.labels.push(name.to_string());
        self.active.push(true);
        Some(self.labels.len() - 1)
    }

    /// Whether it would tag exactly as the shipped model: nothing learned
    /// and every shipped label in the project.
    fn is_shipped(&self) -> bool {
        self.docs == 0
            && self.labels[..LABELS.len()] == LABELS
            && self.active[..LABELS.len()].iter().all(|&a| a)
    }

    // ------------------------------------------------------------ scoring

    fn weight(&self, k: u32, averaged: bool) -> f32 {
        match self.weights.get(&k) {
            None => 0.0,
            Some(c) if averaged => c.w - AVERAGING * c.u / self.steps,
            Some(c) => c.w,
        }
    }

    fn prepare(&self, words: &[&str], sents: &[Range<usize>]) -> Example {
        let view = self.shipped.token_view(words, sents);
        let inv = 1.0 / self.shipped.temperature();
        let base = view
            .em
            .iter()
            .map(|e| {
                let mut b = [0f32; NT];
                for (o, &x) in b.iter_mut().zip(e) {
                    *o = (x - e[0]) * inv;
                }
                b
            })
            .collect();
        let lws: Vec<u64> = words.iter().map(|w| model::word_key(w)).collect();
        let mut mem = vec![[0u64; 4]; words.len()];
        if !self.memory.is_empty() {
            for s in sents {
                for a in s.clone() {
                    let mut h = PHRASE_SEED;
                    for b in a + 1..=(a + PHRASE_MAX).min(s.end) {
                        h = phrase_step(h, lws[b - 1]);
                        let Some(&v) = self.memory.get(&finish(h)) else {
                            break;
                        };
                        let labels = v & !PREFIX;
                        if labels != 0 {
                            if b - a == 1 {
                                mem[a][3] |= labels;
                            } else {
                                mem[a][0] |= labels;
                                for m in &mut mem[a + 1..b - 1] {
                                    m[1] |= labels;
                                }
                                mem[b - 1][2] |= labels;
                            }
                        }
                        if v & PREFIX == 0 {
                            break;
                        }
                    }
                }
            }
        }
        Example {
            sents: sents.to_vec(),
            feats: view.feats,
            start: view.start,
            base,
            ship: view.tags,
            mem,
            gold: Vec::new(),
            known: None,
        }
    }

    /// Calls `f` with the key of every weight that fires for tag `t` at
    /// token `i` (with `only_known`, skipping model features never updated).
    fn for_each_key(
        &self,
        ex: &Example,
        i: usize,
        t: Tag,
        only_known: bool,
        f: &mut impl FnMut(u32),
    ) {
        match &ex.known {
            Some((feats, start)) if only_known => {
                for &k in &feats[start[i] as usize..start[i + 1] as usize] {
                    f(key(k as u64, t));
                }
            }
            _ => {
                for &k in &ex.feats[ex.start[i] as usize..ex.start[i + 1] as usize] {
                    if !only_known || self.known.contains(&k) {
                        f(key(k as u64, t));
                    }
                }
            }
        }
        f(key(NS_SHIP | ex.ship[i] as u64, t));
        f(key(NS_BIAS, t));
        if let Some((l, p)) = parts(t) {
            if ex.mem[i][p as usize] >> l & 1 == 1 {
                f(key(NS_MEM_SHARED | p as u64, ANY_TAG));
                f(key(NS_MEM | p as u64, t));
            }
        }
    }

    fn base_score(&self, ex: &Example, i: usize, t: Tag) -> f32 {
        match parts(t) {
            None => 0.0,
            Some((l, p)) if l < LABELS.len() => ex.base[i][model::tag_id(l, p) as usize],
            Some(_) => -NEW_LABEL_OFFSET,
        }
    }

    fn emission(&self, ex: &Example, i: usize, t: Tag, averaged: bool) -> f32 {
        let mut s = self.base_score(ex, i, t);
        self.for_each_key(ex, i, t, true, &mut |k| {
            s += self.weight(k, averaged);
        });
        s
    }

    fn ship_tag(t: Tag) -> Option<usize> {
        match parts(t) {
            None if t == EDGE => Some(model::EDGE),
            None => Some(0),
            Some((l, p)) if l < LABELS.len() => Some(model::tag_id(l, p) as usize),
            Some(_) => None,
        }
    }

    fn transition(&self, prev: Tag, next: Tag, averaged: bool) -> f32 {
        let base = match (Self::ship_tag(prev), Self::ship_tag(next)) {
            (Some(a), Some(b)) => self.shipped.transition(a, b) / self.shipped.temperature(),
            _ => 0.0,
        };
        base + self.weight(key(NS_TRANS | prev as u64, next), averaged)
    }

    /// The tags decoding may use: `O` and BILU of the labels in `use_label`.
    fn tag_set(use_label: &[bool]) -> Vec<Tag> {
        let mut tags = vec![0];
        for (l, &u) in use_label.iter().enumerate() {
            if u {
                tags.extend(Part::ALL.map(|p| tag_of(l, p)));
            }
        }
        tags
    }

    /// Transition scores between `tags` (and the edge, index `tags.len()`),
    /// minus infinity where BILOU forbids the move.
    fn transitions(&self, tags: &[Tag], averaged: bool) -> Vec<f32> {
        let k = tags.len();
        let allowed = |p: Tag, q: Tag| model::may_follow(parts(p), parts(q));
        let mut tr = vec![f32::NEG_INFINITY; (k + 1) * (k + 1)];
        let idx = |j: usize| if j == k { EDGE } else { tags[j] };
        for a in 0..=k {
            for b in 0..=k {
                if a == k && b == k {
                    continue;
                }
                if allowed(idx(a), idx(b)) {
                    tr[a * (k + 1) + b] = self.transition(idx(a), idx(b), averaged);
                }
            }
        }
        tr
    }

    /// Best well-formed tag sequence of sentence `r`, with each token's
    /// emission row (over `tags`) for confidence; `tr` from `transitions`.
    fn decode(
        &self,
        ex: &Example,
        r: &Range<usize>,
        tags: &[Tag],
        tr: &[f32],
        averaged: bool,
    ) -> (Vec<Tag>, Vec<Vec<f32>>) {
        let k = tags.len();
        let n = r.len();
        if n == 0 {
            return (Vec::new(), Vec::new());
        }
        let em: Vec<Vec<f32>> = r
            .clone()
            .map(|i| {
                tags.iter()
                    .map(|&t| self.emission(ex, i, t, averaged))
                    .collect()
            })
            .collect();
        let mut cur: Vec<f32> = (0..k).map(|j| tr[k * (k + 1) + j] + em[0][j]).collect();
        let mut back = vec![0u16; n * k];
        for t in 1..n {
            let mut next = vec![f32::NEG_INFINITY; k];
            for j in 0..k {
                let mut best = f32::NEG_INFINITY;
                let mut arg = 0;
                for (p, &c) in cur.iter().enumerate() {
                    let v = c + tr[p * (k + 1) + j];
                    if v > best {
                        best = v;
                        arg = p;
                    }
                }
                next[j] = best + em[t][j];
                back[t * k + j] = arg as u16;
            }
            cur = next;
        }
        let mut best = f32::NEG_INFINITY;
        let mut arg = 0;
        for (p, &c) in cur.iter().enumerate() {
            let v = c + tr[p * (k + 1) + k];
            if v > best {
                best = v;
                arg = p;
            }
        }
        let mut out = vec![0usize; n];
        out[n - 1] = arg;
        for t in (1..n).rev() {
            out[t - 1] = back[t * k + out[t]] as usize;
        }
        (out.into_iter().map(|j| tags[j]).collect(), em)
    }

    // ------------------------------------------------------------ learning

    fn add(&mut self, k: u32, delta: f32) {
        let steps = self.steps;
        let c = self.weights.entry(k).or_default();
        c.w += delta;
        c.u += steps * delta;
    }

    fn update_token(&mut self, ex: &Example, i: usize, t: Tag, delta: f32) {
        let mut keys = Vec::with_capacity(40);
        self.for_each_key(ex, i, t, false, &mut |k| keys.push(k));
        for &k in &ex.feats[ex.start[i] as usize..ex.start[i + 1] as usize] {
            self.known.insert(k);
        }
        for k in keys {
            self.add(k, delta);
        }
    }

    /// One perceptron step on sentence `r` of `ex`; whether it was wrong.
    fn train_sentence(&mut self, ex: &Example, r: &Range<usize>) -> bool {
        let mut use_label = self.active.clone();
        for &g in &ex.gold[r.clone()] {
            if let Some((l, _)) = parts(g) {
                use_label[l] = true;
            }
        }
        let tags = Self::tag_set(&use_label);
        let tr = self.transitions(&tags, false);
        let (pred, _) = self.decode(ex, r, &tags, &tr, false);
        let gold = &ex.gold[r.clone()];
        let wrong = pred != gold;
        if wrong {
            for (j, i) in r.clone().enumerate() {
                if gold[j] != pred[j] {
                    self.update_token(ex, i, gold[j], RATE);
                    self.update_token(ex, i, pred[j], -RATE);
                }
            }
            let n = gold.len();
            for j in 0..=n {
                let at = |v: &[Tag], j: usize| if j == 0 || j > n { EDGE } else { v[j - 1] };
                let g = (at(gold, j), if j == n { EDGE } else { gold[j] });
                let p = (at(&pred, j), if j == n { EDGE } else { pred[j] });
                // the shipped transitions are learned from 200,000 tokens:
                // a few documents must not bend how a PER name ends
                let shipped =
                    |x: (Tag, Tag)| Self::ship_tag(x.0).is_some() && Self::ship_tag(x.1).is_some();
                if g != p && !(shipped(g) && shipped(p)) {
                    self.add(key(NS_TRANS | g.0 as u64, g.1), RATE);
                    self.add(key(NS_TRANS | p.0 as u64, p.1), -RATE);
                }
            }
        }
        self.steps += 1.0;
        wrong
    }

    fn train_example(&mut self, ex: &Example) -> usize {
        let mut wrong = 0;
        for r in ex.sents.clone() {
            if self.train_sentence(ex, &r) {
                wrong += 1;
            }
        }
        wrong
    }

    /// Learns from a finished document given as words, sentences (token
    /// ranges; empty means one) and its entities as `(start, end, label)`
    /// token ranges. Every entity counts as right: what the person left in
    /// place was accepted. Overlapping entities after the first are skipped.
    pub fn learn(
        &mut self,
        words: &[&str],
        sentences: &[Range<usize>],
        entities: &[(usize, usize, &str)],
    ) {
        let whole = std::slice::from_ref(&(0..words.len())).to_vec();
        let sents = if sentences.is_empty() {
            &whole[..]
        } else {
            sentences
        };
        let mut ex = self.prepare(words, sents);
        ex.gold = vec![0; words.len()];
        let mut taken: Vec<(usize, usize, usize)> = Vec::new();
        for &(a, b, label) in entities {
            if a >= b || b > words.len() || ex.gold[a..b].iter().any(|&t| t != 0) {
                continue;
            }
            let Some(l) = self.label_index(label) else {
                continue;
            };
            if b - a == 1 {
                ex.gold[a] = tag_of(l, Part::U);
            } else {
                ex.gold[a] = tag_of(l, Part::B);
                for g in &mut ex.gold[a + 1..b - 1] {
                    *g = tag_of(l, Part::I);
                }
                ex.gold[b - 1] = tag_of(l, Part::L);
            }
            taken.push((a, b, l));
        }
        // an entity crossing a sentence edge cannot be tagged: join them
        let mut sents: Vec<Range<usize>> = Vec::new();
        for s in ex.sents.drain(..) {
            match sents.last_mut() {
                Some(last) if s.start > 0 && is_open(ex.gold[s.start - 1]) => last.end = s.end,
                _ => sents.push(s),
            }
        }
        ex.sents = sents;
        for _ in 0..PASSES {
            if self.train_example(&ex) == 0 {
                break;
            }
        }
        let earlier: Vec<Example> = self.replay.iter().cloned().collect();
        for e in &earlier {
            self.train_example(e);
        }
        // remember the phrases after learning, so the memory features of
        // this document were those of a document not seen before
        for (a, b, l) in taken {
            if b - a > PHRASE_MAX {
                continue;
            }
            let mut h = PHRASE_SEED;
            for (j, w) in words.iter().enumerate().take(b).skip(a) {
                h = phrase_step(h, model::word_key(w));
                let v = self.memory.entry(finish(h)).or_insert(0);
                if j + 1 == b {
                    *v |= 1 << l;
                } else {
                    *v |= PREFIX;
                }
            }
        }
        self.replay.push_back(ex);
        while self.replay.len() > REPLAY {
            self.replay.pop_front();
        }
        self.docs += 1;
    }

    /// [`Learner::learn`] on a text and its spans in code points (all the
    /// spans a done document has).
    pub fn learn_text(&mut self, text: &str, spans: &[(usize, usize, &str)]) {
        let tokens = tokenize::tokenize(text);
        let sents = tokenize::sentences(text, &tokens);
        let sents = crate::recognize::model_sentences(text, &tokens, &sents);
        let words: Vec<&str> = tokens.iter().map(|t| t.text(text)).collect();
        let map = OffsetMap::new(text);
        let mut ents = Vec::new();
        for &(s, e, label) in spans {
            let (Some(bs), Some(be)) = (map.char_to_byte(s), map.char_to_byte(e)) else {
                continue;
            };
            // the tokens the span touches
            let a = tokens.partition_point(|t| t.end <= bs);
            let b = tokens.partition_point(|t| t.start < be);
            if a < b {
                ents.push((a, b, label));
            }
        }
        ents.sort_by_key(|e| (e.0, std::cmp::Reverse(e.1)));
        self.learn(&words, &sents, &ents);
    }

    // ------------------------------------------------------------ predicting

    /// Entities `(start, end, label index, confidence)` over the active labels.
    pub fn entities(
        &self,
        words: &[&str],
        sentences: &[Range<usize>],
    ) -> Vec<(usize, usize, usize, f32)> {
        let whole = std::slice::from_ref(&(0..words.len())).to_vec();
        let sents = if sentences.is_empty() {
            &whole[..]
        } else {
            sentences
        };
        let mut ex = self.prepare(words, sents);
        let mut feats = Vec::new();
        let mut start = vec![0u32];
        for i in 0..words.len() {
            let all = &ex.feats[ex.start[i] as usize..ex.start[i + 1] as usize];
            feats.extend(all.iter().filter(|k| self.known.contains(k)));
            start.push(feats.len() as u32);
        }
        ex.known = Some((feats, start));
        let tags = Self::tag_set(&self.active);
        let tr = self.transitions(&tags, true);
        let mut out = Vec::new();
        for r in sents {
            let (pred, em) = self.decode(&ex, r, &tags, &tr, true);
            let mut open: Option<usize> = None;
            for (j, &t) in pred.iter().enumerate() {
                let Some((l, p)) = parts(t) else {
                    continue;
                };
                if p == Part::B {
                    open = Some(j);
                }
                let a = match p {
                    Part::U => Some(j),
                    Part::L => open.take(),
                    _ => None,
                };
                if let Some(a) = a {
                    // confidence: mean softmax probability of the chosen tags
                    let mut conf = 0.0;
                    for (x, row) in em.iter().enumerate().take(j + 1).skip(a) {
                        let ti = tags.iter().position(|&q| q == pred[x]).unwrap_or(0);
                        let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
                        let z: f32 = row.iter().map(|&v| (v - max).exp()).sum();
                        conf += (row[ti] - max).exp() / z;
                    }
                    let conf = conf / (j + 1 - a) as f32;
                    // as the shipped model: no name across a quote or emoji
                    let (first, end) = (r.start + a, r.start + j + 1);
                    let mut from = first;
                    for (i, w) in words.iter().enumerate().take(end).skip(first) {
                        if model::breaks_names(w) {
                            if from < i {
                                out.push((from, i, l, conf));
                            }
                            from = i + 1;
                        }
                    }
                    if from < end {
                        out.push((from, end, l, conf));
                    }
                }
            }
        }
        out
    }

    // ------------------------------------------------------------ file

    /// The learned state as a file: magic `SPANMKLN`, file version, the
    /// shipped model's feature version, documents learned, steps, labels
    /// (count, then length-prefixed UTF-8), weights (count, then key, w, u
    /// sorted by key), the model features that have weights (count, keys),
    /// memory (count, then key and label bits sorted by key).
    /// Little-endian. The replay buffer (texts' features) is not saved.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(32 + self.weights.len() * 12 + self.memory.len() * 12);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FILE_VERSION.to_le_bytes());
        out.extend_from_slice(&model::FEATURE_VERSION.to_le_bytes());
        out.extend_from_slice(&self.docs.to_le_bytes());
        out.extend_from_slice(&self.steps.to_le_bytes());
        out.push(self.labels.len() as u8);
        for l in &self.labels {
            out.extend_from_slice(&(l.len() as u16).to_le_bytes());
            out.extend_from_slice(l.as_bytes());
        }
        let mut w: Vec<(&u32, &Cell)> = self.weights.iter().collect();
        w.sort_unstable_by_key(|x| *x.0);
        out.extend_from_slice(&(w.len() as u32).to_le_bytes());
        for (k, c) in w {
            out.extend_from_slice(&k.to_le_bytes());
            out.extend_from_slice(&c.w.to_le_bytes());
            out.extend_from_slice(&c.u.to_le_bytes());
        }
        let mut known: Vec<u32> = self.known.iter().copied().collect();
        known.sort_unstable();
        out.extend_from_slice(&(known.len() as u32).to_le_bytes());
        for k in known {
            out.extend_from_slice(&k.to_le_bytes());
        }
        let mut m: Vec<(&u32, &u64)> = self.memory.iter().collect();
        m.sort_unstable_by_key(|x| *x.0);
        out.extend_from_slice(&(m.len() as u32).to_le_bytes());
        for (k, v) in m {
            out.extend_from_slice(&k.to_le_bytes());
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    /// Reads a file written by [`Learner::to_bytes`] on top of the shipped
    /// model; a bad, truncated or foreign file is an error naming what is
    /// wrong (never a panic).
    pub fn from_bytes(shipped: Arc<Model>, b: &[u8]) -> Result<Learner, String> {
        let mut r = Reader::new(b, "learned model file");
        if r.take(MAGIC.len(), "magic").ok() != Some(&MAGIC[..]) {
            return Err(
                "not a spanmark learned model (it does not start with SPANMKLN)".to_string(),
            );
        }
        let version = r.u32("file version")?;
        if version != FILE_VERSION {
            return Err(format!(
                "learned model file version {version} is not the {FILE_VERSION} this build reads"
            ));
        }
        let fv = r.u32("feature version")?;
        if !(model::FEATURES_UNCHANGED_SINCE..=model::FEATURE_VERSION).contains(&fv) {
            return Err(format!(
                "learned model was made for feature version {fv}, this build extracts version {}",
                model::FEATURE_VERSION
            ));
        }
        let docs = r.u32("document count")?;
        let steps = f32::from_bits(r.u32("step count")?);
        if !(steps.is_finite() && steps >= 1.0) {
            return Err("learned model file has an invalid step count".to_string());
        }
        let nl = r.u8("label count")? as usize;
        if !(LABELS.len()..=MAX_LABELS).contains(&nl) {
            return Err(format!(
                "learned model file has {nl} labels (must be 4 to {MAX_LABELS})"
            ));
        }
        let mut labels = Vec::with_capacity(nl);
        for i in 0..nl {
            let n = u16::from_le_bytes(r.take(2, "label length")?.try_into().unwrap()) as usize;
            let name = std::str::from_utf8(r.take(n, "label name")?)
                .map_err(|_| format!("learned model file: label {} is not UTF-8", i + 1))?;
            if name.trim().is_empty()
                || name.len() > MAX_LABEL_BYTES
                || labels.iter().any(|l: &String| l == name)
            {
                return Err(format!(
                    "learned model file: label {} is empty or repeated",
                    i + 1
                ));
            }
            labels.push(name.to_string());
        }
        if labels[..LABELS.len()] != LABELS {
            return Err(
                "learned model file does not build on the shipped labels PER, ORG, LOC, MISC"
                    .to_string(),
            );
        }
        let nw = r.u32("weight count")? as usize;
        if nw > r.left() / 12 {
            return Err(format!(
                "learned model file is truncated (says {nw} weights)"
            ));
        }
        let mut weights = KeyMap::with_capacity_and_hasher(nw, Default::default());
        let mut prev: Option<u32> = None;
        for _ in 0..nw {
            let k = r.u32("weight key")?;
            let w = f32::from_bits(r.u32("weight")?);
            let u = f32::from_bits(r.u32("weight sum")?);
            if prev.is_some_and(|p| k <= p) {
                return Err("learned model file has weight keys out of order".to_string());
            }
            if !(w.is_finite() && u.is_finite()) {
                return Err(
                    "learned model file has a weight that is not a finite number".to_string(),
                );
            }
            prev = Some(k);
            weights.insert(k, Cell { w, u });
        }
        let nk = r.u32("feature count")? as usize;
        if nk > r.left() / 4 {
            return Err(format!(
                "learned model file is truncated (says {nk} features)"
            ));
        }
        let mut known = KeySet::with_capacity_and_hasher(nk, Default::default());
        for _ in 0..nk {
            known.insert(r.u32("feature key")?);
        }
        let nm = r.u32("phrase count")? as usize;
        if nm > r.left() / 12 {
            return Err(format!(
                "learned model file is truncated (says {nm} phrases)"
            ));
        }
        let mut memory = KeyMap::with_capacity_and_hasher(nm, Default::default());
        let mut prev: Option<u32> = None;
        for _ in 0..nm {
            let k = r.u32("phrase key")?;
            let v = u64::from_le_bytes(r.take(8, "phrase labels")?.try_into().unwrap());
            if prev.is_some_and(|p| k <= p) {
                return Err("learned model file has phrase keys out of order".to_string());
            }
            if (v & !PREFIX) >> nl != 0 {
                return Err(
                    "learned model file has a phrase with a label it does not list".to_string(),
                );
            }
            prev = Some(k);
            memory.insert(k, v);
        }
        if r.left() != 0 {
            return Err(format!(
                "learned model file has {} bytes after its end",
                r.left()
            ));
        }
        let mut l = Learner::new(shipped);
        l.active = vec![true; labels.len()];
        l.labels = labels;
        l.docs = docs;
        l.steps = steps;
        l.weights = weights;
        l.memory = memory;
        l.known = known;
        Ok(l)
    }
}

/// A learner shared between the page's core and its recognizer stage.
pub type Shared = Arc<RwLock<Learner>>;

/// The learner as the recognizer's model stage: the shipped model's exact
/// suggestions until something is learned or a shipped label leaves the
/// project, then the learner's.
pub struct LearnedStage(pub Shared);

impl Stage for LearnedStage {
    fn name(&self) -> &'static str {
        "model"
    }

    fn find(&self, cx: &Context, out: &mut Vec<Candidate>) {
        let Ok(l) = self.0.read() else {
            return;
        };
        if l.is_shipped() {
            return l.shipped.find(cx, out);
        }
        let words: Vec<&str> = cx.tokens.iter().map(|t| t.text(cx.text)).collect();
        let sentences = crate::recognize::model_sentences(cx.text, cx.tokens, cx.sentences);
        for (a, b, label, score) in l.entities(&words, &sentences) {
            let start = cx.tokens[a].start;
            let last = &cx.tokens[b - 1];
            let w = last.text(cx.text);
            let mut end = last.end;
            let core = model::core_of(w);
            if core.len() < w.len() && !w.ends_with('.') {
                end = last.start + core.len();
            }
            out.push(Candidate {
                start,
                end,
                label: l.labels[label].clone(),
                source: Source::Model,
                score,
            });
        }
    }
}

/// The standard pipeline (patterns, gazetteer) with the shared learner as
/// its model.
pub fn recognizer(shared: &Shared) -> crate::recognize::Recognizer {
    crate::recognize::Recognizer::new(vec![
        Box::new(crate::recognize::Patterns::new()),
        Box::new(
            crate::recognize::Gazetteer::standard().with_score(crate::recognize::GAZETTEER_SCORE),
        ),
        Box::new(LearnedStage(shared.clone())),
    ])
}

/// What the page suggests for a text (`index`: its complete index): the
/// pipeline's spans (in code points) with labels in the project's set only,
/// the learner told which labels those are.
pub fn project_suggestions<'a>(
    rec: &crate::recognize::Recognizer,
    shared: &Shared,
    labels: impl IntoIterator<Item = &'a str>,
    text: &str,
    index: &crate::text_index::TextIndex,
) -> Vec<crate::doc::Span> {
    let labels: HashSet<&str> = labels.into_iter().collect();
    if let Ok(mut l) = shared.write() {
        l.set_active(labels.iter().copied());
    }
    debug_assert!(index.is_ready());
    rec.spans_where(text, index.tokens(), index.map(), &|l| labels.contains(l))
}

/// Whether `bytes` look like a learned model file (its magic bytes).
pub fn is_learned_model(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// The standard pipeline with a learned model file as its model, every
/// label the file knows active (for the command line, which has no project).
pub fn recognizer_from_file(bytes: &[u8]) -> Result<crate::recognize::Recognizer, String> {
    let l = Learner::from_bytes(Arc::new(Model::shipped()), bytes)?;
    Ok(recognizer(&Arc::new(RwLock::new(l))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text_index::TextIndex;

    fn shipped() -> Arc<Model> {
        static SHIPPED: std::sync::OnceLock<Arc<Model>> = std::sync::OnceLock::new();
        SHIPPED.get_or_init(|| Arc::new(Model::shipped())).clone()
    }

    /// Spans of `text` as (surface, label) pairs.
    fn found(l: &Learner, text: &str) -> Vec<(String, String)> {
        let tokens = tokenize::tokenize(text);
        let sents = tokenize::sentences(text, &tokens);
        let words: Vec<&str> = tokens.iter().map(|t| t.text(text)).collect();
        l.entities(&words, &sents)
            .into_iter()
            .map(|(a, b, lab, _)| {
                (
                    text[tokens[a].start..tokens[b - 1].end].to_string(),
                    l.labels()[lab].clone(),
                )
            })
            .collect()
    }

    fn span(text: &str, surface: &str, label: &'static str) -> (usize, usize, &'static str) {
        let b = text.find(surface).unwrap();
        let s = text[..b].chars().count();
        (s, s + surface.chars().count(), label)
    }

    /// Learns each text with its spans given as (surface, label).
    fn teach(l: &mut Learner, docs: &[(&str, &[(&str, &'static str)])]) {
        for (t, spans) in docs {
            let spans: Vec<_> = spans.iter().map(|(s, lab)| span(t, s, lab)).collect();
            l.learn_text(t, &spans);
        }
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn a_new_label_is_learned_from_a_handful_of_documents() {
        let mut l = Learner::new(shipped());
        let before = "She bought a new Krell X5 phone today .";
        assert!(found(&l, before).iter().all(|(_, lab)| lab != "GADGET"));
        teach(
            &mut l,
            &[
                (
                    "I bought a new Zorbo X2 phone yesterday and it works .",
                    &[("Zorbo X2", "GADGET")],
                ),
                (
                    "The Vantix Q7 tablet is slow , said Maria .",
                    &[("Vantix Q7", "GADGET"), ("Maria", "PER")],
                ),
                (
                    "My old Plurn Z3 camera broke again .",
                    &[("Plurn Z3", "GADGET")],
                ),
                (
                    "Everyone wants the Grell K9 headset this year .",
                    &[("Grell K9", "GADGET")],
                ),
                (
                    "Reviews of the Dorva M4 laptop are out .",
                    &[("Dorva M4", "GADGET")],
                ),
            ],
        );
        assert_eq!(l.docs(), 5);
        // a name seen before, and one never seen that looks like them
        assert_eq!(
            found(&l, "The Zorbo X2 is here ."),
            pairs(&[("Zorbo X2", "GADGET")])
        );
        assert_eq!(found(&l, before), pairs(&[("Krell X5", "GADGET")]));
        // the shipped labels still work
        assert_eq!(
            found(&l, "Maria met John Smith in Paris ."),
            pairs(&[("Maria", "PER"), ("John Smith", "PER"), ("Paris", "LOC")])
        );
    }

    #[test]
    fn one_labelled_phrase_is_suggested_in_the_next_document() {
        let mut l = Learner::new(shipped());
        teach(
            &mut l,
            &[(
                "I love my new iPhone , it is great .",
                &[("iPhone", "GADGET")],
            )],
        );
        assert_eq!(
            found(&l, "Her iPhone fell into the lake ."),
            pairs(&[("iPhone", "GADGET")])
        );
    }

    #[test]
    fn the_shipped_labels_are_corrected() {
        let mut l = Learner::new(shipped());
        let t = "Jordan signed with Nike on Monday .";
        let jordan = |l: &Learner| {
            found(l, t)
                .into_iter()
                .find(|(s, _)| s == "Jordan")
                .map(|(_, label)| label)
        };
        assert_eq!(jordan(&l).as_deref(), Some("LOC"));
        teach(
            &mut l,
            &[
                (
                    "Jordan scored 30 points as the Bulls won .",
                    &[("Jordan", "PER"), ("Bulls", "ORG")],
                ),
                (
                    "Coach Phil Jackson praised Jordan .",
                    &[("Phil Jackson", "PER"), ("Jordan", "PER")],
                ),
                ("Jordan retired in 1993 .", &[("Jordan", "PER")]),
            ],
        );
        assert_eq!(jordan(&l).as_deref(), Some("PER"));
    }

    #[test]
    fn untrained_it_suggests_exactly_what_the_shipped_model_does() {
        let text = "Angela Merkel met German officials in Paris on Monday , Reuters said .";
        let shipped = Recognizer_standard_spans(text);
        let shared: Shared = Arc::new(RwLock::new(Learner::new(self::shipped())));
        let rec = recognizer(&shared);
        let all = crate::labels::DEFAULT_LABELS;
        assert_eq!(
            project_suggestions(&rec, &shared, all, text, &TextIndex::new(text)),
            shipped
        );
        // a shipped label the project does not have is never suggested, and
        // does not hide what else the text holds
        let no_misc: Vec<&str> = all.iter().copied().filter(|l| *l != "MISC").collect();
        let got = project_suggestions(&rec, &shared, no_misc, text, &TextIndex::new(text));
        assert!(shipped.iter().any(|s| s.label == "MISC"));
        assert!(got.iter().all(|s| s.label != "MISC"), "{got:?}");
        assert!(got.iter().any(|s| s.label == "PER"));
        // renamed, a shipped label keeps what the model knows
        shared.write().unwrap().rename("PER", "PERSON");
        let renamed: Vec<&str> = all
            .iter()
            .map(|l| if *l == "PER" { "PERSON" } else { l })
            .collect();
        let got = project_suggestions(&rec, &shared, renamed, text, &TextIndex::new(text));
        assert!(
            got.iter()
                .any(|s| s.label == "PERSON" && s.start == 0 && s.end == 13),
            "{got:?}"
        );
        assert!(got.iter().all(|s| s.label != "PER"));
    }

    #[allow(non_snake_case)]
    fn Recognizer_standard_spans(text: &str) -> Vec<crate::doc::Span> {
        crate::recognize::Recognizer::standard().spans(text, &OffsetMap::new(text))
    }

    fn trained() -> Learner {
        let mut l = Learner::new(shipped());
        teach(
            &mut l,
            &[
                (
                    "I love my new iPhone , said Ana Lima .",
                    &[("iPhone", "GADGET"), ("Ana Lima", "PER")],
                ),
                ("The Zorbo X2 is a phone .", &[("Zorbo X2", "GADGET")]),
            ],
        );
        l
    }

    #[test]
    fn the_file_round_trips() {
        let l = trained();
        let bytes = l.to_bytes();
        let back = Learner::from_bytes(shipped(), &bytes).unwrap();
        assert_eq!(back.to_bytes(), bytes);
        assert_eq!(back.docs(), 2);
        assert_eq!(back.labels(), l.labels());
        let t = "Ana Lima sold her iPhone and a Zorbo X2 .";
        assert_eq!(found(&back, t), found(&l, t));
        assert!(found(&back, t).contains(&("iPhone".to_string(), "GADGET".to_string())));
        // it goes on learning where it left off
        let mut back = back;
        teach(
            &mut back,
            &[("A Plurn Z3 arrived .", &[("Plurn Z3", "GADGET")])],
        );
        assert_eq!(back.docs(), 3);
        // and a reset is the shipped model again
        back.reset();
        assert_eq!(back.docs(), 0);
        assert_eq!(back.to_bytes(), Learner::new(shipped()).to_bytes());
    }

    #[test]
    fn bad_files_are_refused_with_a_reason() {
        let bytes = trained().to_bytes();
        let err = |b: &[u8]| Learner::from_bytes(shipped(), b).unwrap_err();
        assert!(err(b"").contains("not a spanmark learned model"));
        assert!(err(b"SPANMKNE\x03\0\0\0").contains("not a spanmark learned model"));
        assert!(err(b"{\"format\":\"spanmark\"}").contains("not a spanmark learned model"));
        for cut in 8..bytes.len() {
            let e = err(&bytes[..cut]);
            assert!(
                e.contains("truncated") || e.contains("labels"),
                "cut at {cut}: {e}"
            );
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(err(&extra).contains("1 bytes after its end"));
        let mut v = bytes.clone();
        v[8] = 9;
        assert!(err(&v).contains("version 9"));
        let mut v = bytes.clone();
        v[12] ^= 0xff;
        assert!(err(&v).contains("feature version"));
        // One made before the later-history features, whose other features
        // are unchanged, is read (a person's corrections survive an update).
        let mut v = bytes.clone();
        v[12..16].copy_from_slice(&model::FEATURES_UNCHANGED_SINCE.to_le_bytes());
        let older = Learner::from_bytes(shipped(), &v).unwrap();
        assert_eq!(older.docs(), trained().docs());
        v[12..16].copy_from_slice(&(model::FEATURES_UNCHANGED_SINCE - 1).to_le_bytes());
        assert!(err(&v).contains("feature version"));
        // a weight that is not a number
        let mut v = bytes.clone();
        let labels_end = 25 + l_bytes(&trained());
        v[labels_end + 4 + 4..labels_end + 4 + 8].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(err(&v).contains("finite"), "{}", err(&v));
    }

    /// Bytes the label list takes in the file.
    fn l_bytes(l: &Learner) -> usize {
        l.labels().iter().map(|x| 2 + x.len()).sum()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        #[test]
        fn any_bytes_are_an_error_or_a_model_never_a_panic(
            noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
            at in 0usize..400,
        ) {
            static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
            let mut b = BYTES.get_or_init(|| trained().to_bytes()).clone();
            let at = at.min(b.len());
            b.splice(at..(at + noise.len()).min(b.len()), noise);
            let _ = Learner::from_bytes(shipped(), &b);
        }
    }
}
