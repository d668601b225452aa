use super::features::{
    later_index, mix, DocFeatures, FastMap, Histories, History, Tok, Which, CTX_TITLE_HEADLINE,
    F_BREAK, GAZ_SEED, HIST_CASE, MAXF,
};
use super::tags::{allowed, spans_from_tags, split_tag, tag_id, Part, EDGE, LABELS, NT};
use super::{Entity, Model, Slot, LANES};
use std::ops::Range;

/// Transition scores: `[prev][next]`, with [`EDGE`] as the sentence boundary.
pub(crate) type Trans = [[f32; NT + 1]; NT + 1];

/// Tags after which no entity is open: O, L-*, U-*.
const CLOSED: [usize; 9] = [0, 3, 4, 7, 8, 11, 12, 15, 16];

/// Tags that may open a token after a closed one: O, B-*, U-*.
const OPENERS: [usize; 9] = [0, 1, 4, 5, 8, 9, 12, 13, 16];

/// The best of `from` to reach tag `k` from the scores `cur`: the first
/// highest `cur[p] + tr[p][k]` (ties go to the earliest in `from`), and it.
#[inline(always)]
fn best_into(cur: &[f32; NT], tr: &Trans, k: usize, from: &[usize]) -> (f32, usize) {
    let mut best = f32::NEG_INFINITY;
    let mut arg = from[0];
    for &p in from {
        let v = cur[p] + tr[p][k];
        if v > best {
            best = v;
            arg = p;
        }
    }
    (best, arg)
}

/// Best tag sequence under emission scores `em` (one row of NT per token) and
/// transition scores `tr`, over allowed moves only (see [`allowed`]): after a
/// closed tag come O, B or U; after B-x or I-x come I-x or L-x.
///
/// The forward pass keeps each token's best scores (`scores`), not its
/// back-pointers, so that it only takes maxima (no index kept per tag and
/// predecessor); the path is found again from the kept scores by the same
/// comparisons, so it is the one a pass with back-pointers gives, ties
/// included.
pub(super) fn viterbi(
    em: &[[f32; NT]],
    tr: &Trans,
    scores: &mut Vec<[f32; NT]>,
    out: &mut Vec<u8>,
) {
    out.clear();
    let n = em.len();
    if n == 0 {
        return;
    }
    scores.clear();
    scores.reserve(n);
    let mut cur = [f32::NEG_INFINITY; NT];
    for k in 0..NT {
        if allowed(EDGE, k) {
            cur[k] = tr[EDGE][k] + em[0][k];
        }
    }
    scores.push(cur);
    for e in &em[1..] {
        let mut next = [f32::NEG_INFINITY; NT];
        for k in OPENERS {
            let mut best = f32::NEG_INFINITY;
            for p in CLOSED {
                let v = cur[p] + tr[p][k];
                best = if v > best { v } else { best };
            }
            next[k] = best + e[k];
        }
        // I-x, L-x: from B-x or I-x
        for ty in 0..LABELS.len() {
            let (b, i) = (1 + 4 * ty, 2 + 4 * ty);
            for k in [i, i + 1] {
                let (vb, vi) = (cur[b] + tr[b][k], cur[i] + tr[i][k]);
                next[k] = if vi > vb { vi } else { vb } + e[k];
            }
        }
        cur = next;
        scores.push(cur);
    }
    out.resize(n, 0);
    let mut k = best_into(&cur, tr, EDGE, &CLOSED).1;
    out[n - 1] = k as u8;
    for t in (1..n).rev() {
        let prev = &scores[t - 1];
        k = match split_tag(k) {
            Some((ty, Part::I | Part::L)) => {
                let (b, i) = (1 + 4 * ty, 2 + 4 * ty);
                if prev[i] + tr[i][k] > prev[b] + tr[b][k] {
                    i
                } else {
                    b
                }
            }
            _ => best_into(prev, tr, k, &CLOSED).1,
        };
        out[t - 1] = k as u8;
    }
}

/// Buffers for [`Model::emissions`], kept across the sentences of a document.
#[derive(Default)]
struct Batch {
    /// The feature keys of a sentence's tokens, token after token; then
    /// their rows.
    pub(super) keys: Vec<u32>,
    /// One past each token's last key in `keys`.
    pub(super) ends: Vec<usize>,
    /// What each key's home slot holds.
    pub(super) home: Vec<Slot>,
    /// Per distinct word of the document (`DocFeatures::words`), the rows
    /// of its word features summed, once its first token was scored.
    pub(super) words: Vec<Option<Lanes>>,
}

/// Rows summed as [`Model::emissions`] sums them: biased bytes in 16-bit
/// lanes, even tags and odd tags apart, with the number of rows (for the
/// bias).
#[derive(Clone, Copy, Default)]
struct Lanes {
    even: [u64; 3],
    odd: [u64; 3],
    rows: usize,
}

impl Lanes {
    #[inline(always)]
    fn add(&mut self, row: &[u64; 3]) {
        for ((e, o), &r) in self.even.iter_mut().zip(&mut self.odd).zip(row) {
            *e += r & LANES;
            *o += (r >> 8) & LANES;
        }
        self.rows += 1;
    }
}

impl Model {
    /// Appends the emission scores of the tokens of sentence `s` to `em`.
    ///
    /// The same sums as adding [`Model::row`] per feature, but in passes over
    /// the whole sentence: every feature key first, then each key's row, then
    /// the rows' weights, so that the table's cache misses overlap instead of
    /// each waiting on the one before. This is most of the model's time.
    /// The features of a word alone (about half) are summed once per
    /// distinct word of the document and reused by its other tokens.
    /// Integer sums, and unknown keys add the zero row: the order of adding
    /// cannot change a score. Each row's biased bytes are added in 16-bit
    /// lanes of `u64`s (even tags in one, odd in another), a token's sum then
    /// taken out of its lane less the bias: the same integers.
    fn emissions(
        &self,
        doc: &DocFeatures,
        s: &Range<usize>,
        b: &mut Batch,
        em: &mut Vec<[f32; NT]>,
    ) {
        b.keys.clear();
        b.ends.clear();
        let mut fs = [0u32; MAXF];
        for i in s.clone() {
            let w = doc.words[i] as usize;
            if b.words[w].is_none() {
                let n = doc.features_of(s, i, Which::Word, &mut fs);
                let mut sum = Lanes::default();
                for &k in &fs[..n] {
                    sum.add(&self.rows[self.row_index(k) as usize]);
                }
                b.words[w] = Some(sum);
            }
            let n = doc.features_of(s, i, Which::Context, &mut fs);
            b.keys.extend_from_slice(&fs[..n]);
            b.ends.push(b.keys.len());
        }
        // Loads with no branch between them, so the cache misses overlap.
        b.home.clear();
        b.home
            .extend(b.keys.iter().map(|&k| self.slots[k as usize & self.mask]));
        // Then the probes, which now mostly find their slots in the cache.
        for (k, h) in b.keys.iter_mut().zip(&b.home) {
            *k = if h.key == *k || h.key == 0 {
                h.row
            } else {
                self.row_index(*k)
            };
        }
        let mut from = 0;
        for (i, &to) in s.clone().zip(&b.ends) {
            let mut sum = b.words[doc.words[i] as usize].unwrap_or_default();
            for &r in &b.keys[from..to] {
                sum.add(&self.rows[r as usize]);
            }
            let bias = 128 * sum.rows as i32;
            from = to;
            let mut e = [0f32; NT];
            for (j, o) in e.iter_mut().enumerate() {
                let half = if j % 2 == 0 {
                    sum.even[j / 8]
                } else {
                    sum.odd[j / 8]
                };
                let sum = ((half >> (16 * (j % 8 / 2))) & 0xFFFF) as i32 - bias;
                *o = sum as f32 * self.scale;
            }
            em.push(e);
        }
    }

    /// Tags (ids; see [`tag_name`]) for a document given as words and its
    /// sentences (token ranges covering the words; an empty list means one
    /// sentence).
    pub fn tag(&self, words: &[&str], sentences: &[Range<usize>]) -> Vec<u8> {
        let mut tags = Vec::new();
        self.run(words, sentences, &mut tags, None, None);
        tags
    }

    /// Per token, the prediction history features (`DocFeatures::hist`
    /// and `DocFeatures::later`) decoding the document gave it: what a model
    /// trained with history features sees for the training documents.
    pub(super) fn history(&self, words: &[&str], sentences: &[Range<usize>]) -> Histories {
        let mut hist = Histories::default();
        self.run(words, sentences, &mut Vec::new(), None, Some(&mut hist));
        hist
    }

    /// Entities found in a document given as words and sentences.
    pub fn entities(&self, words: &[&str], sentences: &[Range<usize>]) -> Vec<Entity> {
        let mut tags = Vec::new();
        let mut ents = Vec::new();
        self.run(words, sentences, &mut tags, Some(&mut ents), None);
        ents
    }

    /// Decodes a document: sentence by sentence, each with the history of
    /// the sentences before it; then, if the model weighs what later
    /// sentences say of a word, again every sentence where the first
    /// decoding labelled one of its capitalised words later on (Ratinov &
    /// Roth's two-stage aggregation with one model: only those tokens'
    /// scores change, by their later-history feature's weights).
    fn run(
        &self,
        words: &[&str],
        sentences: &[Range<usize>],
        tags: &mut Vec<u8>,
        ents: Option<&mut Vec<Entity>>,
        hist: Option<&mut Histories>,
    ) {
        let whole = std::slice::from_ref(&(0..words.len())).to_vec();
        let sents = if sentences.is_empty() {
            &whole[..]
        } else {
            sentences
        };
        let mut doc = DocFeatures::default();
        doc.build(words, sents, &self.names);
        tags.clear();
        tags.resize(words.len(), 0);
        // the first decoding's scores, sentence after sentence, and tags
        let mut em_all: Vec<[f32; NT]> = Vec::with_capacity(words.len());
        let mut first = vec![0u8; words.len()];
        let mut scores = Vec::new();
        let mut out = Vec::new();
        let mut batch = Batch {
            words: vec![None; doc.distinct],
            ..Batch::default()
        };
        let mut history = History::default();
        for s in sents {
            history.fill(&mut doc, s);
            let a = em_all.len();
            self.emissions(&doc, s, &mut batch, &mut em_all);
            viterbi(&em_all[a..], &self.trans, &mut scores, &mut out);
            history.record(&doc, s, &out);
            first[s.clone()].copy_from_slice(&out);
        }
        // (a caller that asks for the history gets the later one too)
        let any_later =
            (self.later.is_some() || hist.is_some()) && History::later(&mut doc, sents, &first);
        let later = self.later.as_deref().filter(|_| any_later);
        let mut found = Vec::new();
        let mut em = Vec::new();
        let mut from = 0;
        for s in sents {
            let e = &em_all[from..from + s.len()];
            from += s.len();
            let (em, out) = match later {
                Some(table) if doc.later[s.clone()].iter().any(|&l| l != 0) => {
                    em.clear();
                    em.extend_from_slice(e);
                    for (row, i) in em.iter_mut().zip(s.clone()) {
                        let l = doc.later[i];
                        if l != 0 {
                            let w = &table[later_index(l, doc.toks[i].flags & HIST_CASE)];
                            for (o, &x) in row.iter_mut().zip(w) {
                                *o += x;
                            }
                        }
                    }
                    viterbi(&em, &self.trans, &mut scores, &mut out);
                    (&em[..], &out[..])
                }
                _ => (e, &first[s.clone()]),
            };
            for (a, b, ty) in spans_from_tags(out) {
                let score = segment_confidence(em, &self.trans, out, a, b, ty, self.temperature);
                if b - a == 1
                    && doc.ctx[s.start + a] & CTX_TITLE_HEADLINE != 0
                    && score < HEADLINE_SURE
                {
                    continue;
                }
                // A name never runs across a quotation mark (`Said "Hello`)
                // or an emoji: the pieces between them are the names.
                let mut from = s.start + a;
                for i in s.start + a..=s.start + b {
                    if i == s.start + b || doc.toks[i].flags & F_BREAK != 0 {
                        if from < i {
                            found.push(Entity {
                                start: from,
                                end: i,
                                label: ty,
                                score,
                            });
                        }
                        from = i + 1;
                    }
                }
            }
        }
        consistent_types(&doc.toks, &mut found);
        for e in &found {
            let t = &mut tags[e.start..e.end];
            if t.len() == 1 {
                t[0] = tag_id(e.label, Part::U);
            } else {
                t[0] = tag_id(e.label, Part::B);
                let n = t.len();
                for x in &mut t[1..n - 1] {
                    *x = tag_id(e.label, Part::I);
                }
                t[n - 1] = tag_id(e.label, Part::L);
            }
        }
        if let Some(ents) = ents {
            ents.extend(found);
        }
        if let Some(hist) = hist {
            hist.earlier = doc.hist;
            hist.later = doc.later;
        }
    }
}

/// What the online learner (`recognize::learn`) reuses of the model for one
/// document: every token's feature keys (flat, token `t` owns
/// `feats[start[t]..start[t + 1]]`), the model's emission scores per tag, and
/// the tags it decodes (as [`Model::tag`] gives them).
pub(crate) struct TokenView {
    pub feats: Vec<u32>,
    pub start: Vec<u32>,
    pub em: Vec<[f32; NT]>,
    pub tags: Vec<u8>,
}

impl Model {
    /// The features, scores and decoded tags of a document, for a learner
    /// that builds on this model. Does not change what the model itself does.
    pub(crate) fn token_view(&self, words: &[&str], sentences: &[Range<usize>]) -> TokenView {
        let whole = std::slice::from_ref(&(0..words.len())).to_vec();
        let sents = if sentences.is_empty() {
            &whole[..]
        } else {
            sentences
        };
        let mut doc = DocFeatures::default();
        doc.build(words, sents, &self.names);
        let mut tags = Vec::new();
        let mut hist = Histories::default();
        self.run(words, sentences, &mut tags, None, Some(&mut hist));
        (doc.hist, doc.later) = (hist.earlier, hist.later);
        let mut view = TokenView {
            feats: Vec::with_capacity(words.len() * 32),
            start: Vec::with_capacity(words.len() + 1),
            em: vec![[0f32; NT]; words.len()],
            tags,
        };
        view.start.push(0);
        let mut fs = [0u32; MAXF];
        let mut next = 0;
        for s in sents {
            // tokens outside every sentence get no features
            while next < s.start {
                view.start.push(view.feats.len() as u32);
                next += 1;
            }
            for i in s.clone() {
                let n = doc.features(s, i, &mut fs);
                let mut acc = [0i32; NT];
                for &k in &fs[..n] {
                    view.feats.push(k);
                    for (a, x) in acc.iter_mut().zip(self.row(k)) {
                        *a += x as i32;
                    }
                }
                for (o, &a) in view.em[i].iter_mut().zip(&acc) {
                    *o = a as f32 * self.scale;
                }
                view.start.push(view.feats.len() as u32);
                next = i + 1;
            }
        }
        while next < words.len() {
            view.start.push(view.feats.len() as u32);
            next += 1;
        }
        view
    }

    /// The score of tag `next` following tag `prev` ([`EDGE`]: the
    /// sentence boundary).
    pub(crate) fn transition(&self, prev: usize, next: usize) -> f32 {
        self.trans[prev][next]
    }

    /// The softmax temperature that calibrates this model's scores: dividing
    /// a score by it gives roughly a log-odds.
    pub fn temperature(&self) -> f32 {
        self.temperature
    }
}

/// In a title-case headline (`Killer Whales Leave Bay After Storm`) a
/// capital says nothing, so a one-word name needs this confidence: the
/// model trained on web text and tweets, where `Bay` and the like stand
/// alone as places, otherwise reads common nouns there as names.
const HEADLINE_SURE: f32 = 0.9;

/// How much more confidence the document's majority type of a name needs than
/// a mention's own type to relabel that mention (dev F1: 2 -> 91.43, 3 -> 91.60,
/// 4 -> 91.57, 6 -> 91.52, plain majority 90.93, off 91.45).
const CONSISTENCY: f32 = 4.0;

/// Document-level label consistency: a mention of a name (same lower-cased
/// token sequence) takes the type the rest of the document gives that name
/// when that type's summed confidence is [`CONSISTENCY`] times its own (so a
/// team's name in a results table is not an ORG in one line and a person in
/// the next). Boundaries are kept. A plain majority vote hurt: cities named as
/// teams are ORG in CoNLL while most of their mentions look like places.
fn consistent_types(toks: &[Tok], ents: &mut [Entity]) {
    if ents.len() < 2 {
        return;
    }
    let key = |e: &Entity| {
        toks[e.start..e.end]
            .iter()
            .fold(GAZ_SEED, |h, t| mix(h, t.lw))
    };
    let mut votes: FastMap<u64, [f32; 4]> = FastMap::default();
    for e in ents.iter() {
        votes.entry(key(e)).or_insert([0.0; 4])[e.label] += e.score;
    }
    if votes.len() == ents.len() {
        return;
    }
    for e in ents.iter_mut() {
        let v = votes[&key(e)];
        let (best, &w) = v
            .iter()
            .enumerate()
            .fold((0, &f32::MIN), |a, b| if b.1 > a.1 { b } else { a });
        if best != e.label && w > CONSISTENCY * v[e.label] {
            e.label = best;
            e.score = e.score.min(w / v.iter().sum::<f32>());
        }
    }
}

/// Scores of the segment `[a, b)` of a decoded sentence labelled as each type
/// (same boundaries, BILU parts) and, last, as all `O`, with the emissions and
/// the transitions to the decoded neighbours.
pub(super) fn segment_scores(
    em: &[[f32; NT]],
    tr: &Trans,
    tags: &[u8],
    a: usize,
    b: usize,
) -> [f32; 5] {
    let prev = if a == 0 { EDGE } else { tags[a - 1] as usize };
    let next = if b == tags.len() {
        EDGE
    } else {
        tags[b] as usize
    };
    let mut out = [0f32; 5];
    for (ty, o) in out.iter_mut().enumerate() {
        let tag = |t: usize| -> usize {
            if ty == LABELS.len() {
                0
            } else if b - a == 1 {
                tag_id(ty, Part::U) as usize
            } else if t == a {
                tag_id(ty, Part::B) as usize
            } else if t + 1 == b {
                tag_id(ty, Part::L) as usize
            } else {
                tag_id(ty, Part::I) as usize
            }
        };
        let mut v = tr[prev][tag(a)];
        for t in a..b {
            v += em[t][tag(t)];
            if t + 1 < b {
                v += tr[tag(t)][tag(t + 1)];
            }
        }
        *o = v + tr[tag(b - 1)][next];
    }
    out
}

/// Confidence in 0..1 that the decoded segment `[a, b)` is an entity of type
/// `ty`: a softmax at temperature `temp` over [`segment_scores`] (its four
/// types and "no entity"). Boundaries are taken as decoded.
pub(super) fn segment_confidence(
    em: &[[f32; NT]],
    tr: &Trans,
    tags: &[u8],
    a: usize,
    b: usize,
    ty: usize,
    temp: f32,
) -> f32 {
    let s = segment_scores(em, tr, tags, a, b);
    let max = s.iter().fold(f32::NEG_INFINITY, |m, &x| m.max(x));
    let z: f32 = s.iter().map(|&x| ((x - max) / temp).exp()).sum();
    ((s[ty] - max) / temp).exp() / z
}
