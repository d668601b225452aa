//! The statistical entity tagger (PER, ORG, LOC, MISC): an averaged structured
//! perceptron over hashed sparse features, decoded with Viterbi over BILOU tags
//! whose transition constraints make every output span well formed.
//!
//! Design (see model/README.md for the numbers):
//! - Features are hashed from (template, values) straight into a 32-bit key; no
//!   string is built per feature. Per token the word's normalised forms (lower
//!   case with digits as `0`, cased form, shape, affixes) are hashed once and
//!   combined per template with a multiply-rotate mix.
//! - The shipped weights are an open-addressing table of those keys, each slot
//!   holding its 17 tag weights as `i8` with one per-model scale, so scoring a
//!   token is ~30 table probes and integer adds, and the file stays small.
//! - A gazetteer of multi-token entity names taken from the training data (as
//!   hashes of their lower-cased token sequences, no text) gives BILU-position
//!   features; in training it is built jackknife-style (a document only sees the
//!   names from the other folds) so the model does not over-trust it.
//! - Document context: whether a capitalised word also occurs lower-cased or
//!   title-cased mid-sentence elsewhere in the document, and whether its sentence
//!   is an all-caps headline.
//!
//! Nothing here touches the file system: the CLI reads files, this module takes
//! words and bytes, so it runs the same in wasm.

use crate::doc::Source;
use crate::recognize::{Candidate, Context, Stage};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

/// A hasher for keys that are already hashes: it passes them through
/// (SipHash would be most of the cost of scoring).
#[derive(Default)]
pub(crate) struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = mix(self.0, b as u64);
        }
    }
    fn write_u32(&mut self, x: u32) {
        self.0 = (x as u64).wrapping_mul(MULT);
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<PassThrough>>;

/// The entity types the model knows, in tag order.
pub const LABELS: [&str; 4] = ["PER", "ORG", "LOC", "MISC"];
/// Number of tags: `O` plus B, I, L, U for each type.
pub const NT: usize = 1 + 4 * LABELS.len();
/// Index of the boundary pseudo-tag in the transition table.
const EDGE: usize = NT;
const MAGIC: &[u8; 8] = b"SPANMKNE";
/// Bumped whenever feature extraction changes: a model file records it.
pub const FEATURE_VERSION: u32 = 3;
/// Longest gazetteer entry, in tokens.
const GAZ_MAX: usize = 6;
/// Most features one token can have.
const MAXF: usize = 48;

// ---------------------------------------------------------------- tags

/// Position of a token in its entity: Begin, Inside, Last, Unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    B,
    I,
    L,
    U,
}

/// Tag id for a type index and part (0 is `O`).
pub fn tag_id(ty: usize, part: Part) -> u8 {
    (1 + ty * 4
        + match part {
            Part::B => 0,
            Part::I => 1,
            Part::L => 2,
            Part::U => 3,
        }) as u8
}

/// The type index and part of a tag; `None` for `O`.
pub fn tag_parts(tag: u8) -> Option<(usize, Part)> {
    if tag == 0 || tag as usize >= NT {
        return None;
    }
    let t = tag as usize - 1;
    let part = match t % 4 {
        0 => Part::B,
        1 => Part::I,
        2 => Part::L,
        _ => Part::U,
    };
    Some((t / 4, part))
}

/// The tag's name, e.g. `B-PER`, `U-LOC`, `O`.
pub fn tag_name(tag: u8) -> String {
    match tag_parts(tag) {
        None => "O".to_string(),
        Some((ty, p)) => format!("{:?}-{}", p, LABELS[ty]),
    }
}

/// Whether tag `next` may follow tag `prev` (either may be [`EDGE`], the
/// sentence boundary): an entity opened by B continues with I or closes with
/// L of the same type; outside an entity come O, B or U.
fn allowed(prev: usize, next: usize) -> bool {
    let open = |t: usize| -> Option<usize> {
        match tag_parts(t as u8) {
            Some((ty, Part::B)) | Some((ty, Part::I)) if t != EDGE => Some(ty),
            _ => None,
        }
    };
    let continues = |t: usize| -> Option<usize> {
        match tag_parts(t as u8) {
            Some((ty, Part::I)) | Some((ty, Part::L)) if t != EDGE => Some(ty),
            _ => None,
        }
    };
    match (open(prev), continues(next)) {
        (Some(a), Some(b)) => a == b,
        (Some(_), None) => false,
        (None, Some(_)) => false,
        (None, None) => true,
    }
}

/// Entities from BILOU tags, for any tag sequence: a malformed one (I without B,
/// B inside an entity, ...) still gives non-overlapping, non-empty token ranges.
pub fn spans_from_tags(tags: &[u8]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, usize)> = None; // (start, type)
    for (i, &t) in tags.iter().enumerate() {
        match tag_parts(t) {
            None => {
                if let Some((s, ty)) = open.take() {
                    out.push((s, i, ty));
                }
            }
            Some((ty, part)) => {
                let continuing = matches!(open, Some((_, oty)) if oty == ty)
                    && matches!(part, Part::I | Part::L);
                if !continuing {
                    if let Some((s, oty)) = open.take() {
                        out.push((s, i, oty));
                    }
                    open = Some((i, ty));
                }
                if matches!(part, Part::L | Part::U) {
                    let (s, ty) = open.take().expect("opened above");
                    out.push((s, i + 1, ty));
                }
            }
        }
    }
    if let Some((s, ty)) = open {
        out.push((s, tags.len(), ty));
    }
    out
}

/// BILOU tags for entities given as `(start, end, type)` token ranges
/// (assumed non-overlapping; a later overlapping one is skipped).
pub fn tags_from_spans(n: usize, spans: &[(usize, usize, usize)]) -> Vec<u8> {
    let mut tags = vec![0u8; n];
    for &(s, e, ty) in spans {
        if s >= e || e > n || tags[s..e].iter().any(|&t| t != 0) {
            continue;
        }
        if e - s == 1 {
            tags[s] = tag_id(ty, Part::U);
        } else {
            tags[s] = tag_id(ty, Part::B);
            for t in &mut tags[s + 1..e - 1] {
                *t = tag_id(ty, Part::I);
            }
            tags[e - 1] = tag_id(ty, Part::L);
        }
    }
    tags
}

// ---------------------------------------------------------------- hashing

const MULT: u64 = 0x517c_c1b7_2722_0a95;

#[inline(always)]
pub(crate) fn mix(h: u64, x: u64) -> u64 {
    (h.rotate_left(5) ^ x).wrapping_mul(MULT)
}

/// The 32-bit key of a feature hash (never 0, which marks an empty slot).
#[inline(always)]
fn finish(h: u64) -> u32 {
    let h = (h ^ (h >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let k = (h >> 32) as u32;
    if k == 0 {
        1
    } else {
        k
    }
}

// ---------------------------------------------------------------- tokens

const F_UPPER: u8 = 1; // has an upper-case letter
const F_LOWER: u8 = 2; // has a lower-case letter
const F_TITLE: u8 = 4; // first character upper-case
const F_DIGIT: u8 = 8;
const F_ALPHA: u8 = 16; // has a letter
const F_ALLCAPS: u8 = 32; // letters, all upper case

/// What the features need of one word, hashed once.
#[derive(Clone, Copy, Default, Debug)]
struct Tok {
    /// Lower case, digits as 0, trailing `.` and possessive `'s` dropped.
    lw: u64,
    /// The same but with case kept.
    form: u64,
    /// Shape: X x d or the character itself, runs collapsed.
    shape: u64,
    pre: [u64; 4],
    suf: [u64; 4],
    flags: u8,
}

/// The part of a word the features look at: without a trailing possessive
/// `'s` and without a trailing period (so `Corp.`/`Corp` and `U.S.`/`U.S`,
/// which tokenizers split differently, look alike).
pub(crate) fn core_of(word: &str) -> &str {
    let mut w = word;
    for suffix in ["'s", "\u{2019}s", "'S"] {
        if let Some(s) = w.strip_suffix(suffix) {
            if s.chars().count() >= 2 {
                w = s;
                break;
            }
        }
    }
    if w.len() > 1 {
        if let Some(s) = w.strip_suffix('.') {
            w = s;
        }
    }
    w
}

fn analyze(word: &str) -> Tok {
    let w = core_of(word);
    let mut lw = 0x2545_f491_4f6c_dd1d_u64;
    let mut form = 0x1405_7b7e_f767_814f_u64;
    let mut shape = 0x9e37_79b9_7f4a_7c15_u64;
    let mut first = [0u32; 4];
    let mut last = [0u32; 4];
    let mut n = 0usize;
    let mut prev_class = u32::MAX;
    let mut flags = 0u8;
    let mut all_upper = true;
    for c in w.chars() {
        let (lc, cased, class): (u32, u32, u32) = if c.is_ascii() {
            let b = c as u8;
            if b.is_ascii_digit() {
                (b'0' as u32, b'0' as u32, b'd' as u32)
            } else if b.is_ascii_uppercase() {
                ((b + 32) as u32, b as u32, b'X' as u32)
            } else if b.is_ascii_lowercase() {
                (b as u32, b as u32, b'x' as u32)
            } else {
                (b as u32, b as u32, b as u32)
            }
        } else if c.is_uppercase() {
            let l = c.to_lowercase().next().unwrap_or(c) as u32;
            (l, c as u32, b'X' as u32)
        } else if c.is_lowercase() {
            (c as u32, c as u32, b'x' as u32)
        } else if c.is_numeric() {
            (b'0' as u32, b'0' as u32, b'd' as u32)
        } else if c.is_alphabetic() {
            (c as u32, c as u32, b'a' as u32)
        } else {
            (c as u32, c as u32, c as u32)
        };
        match class {
            0x58 => {
                flags |= F_UPPER | F_ALPHA;
                if n == 0 {
                    flags |= F_TITLE;
                }
            }
            0x78 => {
                flags |= F_LOWER | F_ALPHA;
                all_upper = false;
            }
            0x61 => {
                flags |= F_ALPHA;
                all_upper = false;
            }
            0x64 => flags |= F_DIGIT,
            _ => {}
        }
        lw = mix(lw, lc as u64);
        form = mix(form, cased as u64);
        if class != prev_class {
            shape = mix(shape, class as u64);
            prev_class = class;
        }
        if n < 4 {
            first[n] = lc;
        }
        last[n % 4] = lc;
        n += 1;
    }
    if all_upper && flags & F_ALPHA != 0 {
        flags |= F_ALLCAPS;
    }
    let mut pre = [0u64; 4];
    let mut suf = [0u64; 4];
    let mut h = 0x7a3f_u64;
    for k in 0..4.min(n) {
        h = mix(h, first[k] as u64);
        pre[k] = h;
    }
    for (k, s) in suf.iter_mut().enumerate().take(4.min(n)) {
        // the last k+1 characters, in order
        let mut h = 0x3c6e_u64;
        for j in (0..=k).rev() {
            h = mix(h, last[(n - 1 - j) % 4] as u64);
        }
        *s = h;
    }
    Tok {
        lw,
        form,
        shape,
        pre,
        suf,
        flags,
    }
}

// ---------------------------------------------------------------- tables

/// An open-addressing set of non-zero 32-bit keys; `find` gives the slot.
#[derive(Clone, Debug, Default)]
struct KeyTable {
    keys: Vec<u32>,
    mask: usize,
}

impl KeyTable {
    fn with_keys(keys: &[u32]) -> (KeyTable, Vec<usize>) {
        let cap = (keys.len() * 5 / 3 + 1).next_power_of_two().max(16);
        let mut t = KeyTable {
            keys: vec![0; cap],
            mask: cap - 1,
        };
        let slots = keys.iter().map(|&k| t.insert(k)).collect();
        (t, slots)
    }

    fn insert(&mut self, key: u32) -> usize {
        let mut s = key as usize & self.mask;
        loop {
            let k = self.keys[s];
            if k == key || k == 0 {
                self.keys[s] = key;
                return s;
            }
            s = (s + 1) & self.mask;
        }
    }

    #[inline(always)]
    fn find(&self, key: u32) -> Option<usize> {
        let mut s = key as usize & self.mask;
        loop {
            let k = self.keys[s];
            if k == key {
                return Some(s);
            }
            if k == 0 {
                return None;
            }
            s = (s + 1) & self.mask;
        }
    }
}

/// Entity names as hashed lower-cased token sequences. Value bits 0..4: the
/// types the name was seen as; bit 7: a longer name starts with it.
#[derive(Clone, Debug, Default)]
struct Gazetteer {
    table: KeyTable,
    values: Vec<u8>,
}

const GAZ_PREFIX: u8 = 0x80;
const GAZ_SEED: u64 = 0x6a09_e667_f3bc_c908;

impl Gazetteer {
    fn from_map(map: &HashMap<u32, u8>) -> Gazetteer {
        let mut entries: Vec<(u32, u8)> = map.iter().map(|(&k, &v)| (k, v)).collect();
        entries.sort_unstable();
        let keys: Vec<u32> = entries.iter().map(|e| e.0).collect();
        let (table, slots) = KeyTable::with_keys(&keys);
        let mut values = vec![0u8; table.keys.len()];
        for (&(_, v), s) in entries.iter().zip(slots) {
            values[s] |= v;
        }
        Gazetteer { table, values }
    }

    fn entries(&self) -> Vec<(u32, u8)> {
        let mut v: Vec<(u32, u8)> = self
            .table
            .keys
            .iter()
            .zip(&self.values)
            .filter(|(&k, _)| k != 0)
            .map(|(&k, &v)| (k, v))
            .collect();
        v.sort_unstable();
        v
    }

    fn len(&self) -> usize {
        self.table.keys.iter().filter(|&&k| k != 0).count()
    }

    /// Adds a name (its tokens' `lw` hashes) of type `ty` to a building map.
    fn add(map: &mut HashMap<u32, u8>, lws: &[u64], ty: usize) {
        if lws.is_empty() || lws.len() > GAZ_MAX {
            return;
        }
        let mut h = GAZ_SEED;
        for (i, &lw) in lws.iter().enumerate() {
            h = mix(h, lw);
            let key = finish(h);
            let v = map.entry(key).or_insert(0);
            if i + 1 == lws.len() {
                *v |= 1 << ty;
            } else {
                *v |= GAZ_PREFIX;
            }
        }
    }

    /// Marks, per token of the sentence, the BILU position of every name
    /// match: bit `ty * 4 + part`.
    fn mark(&self, toks: &[Tok], s: Range<usize>, out: &mut [u16]) {
        if self.values.is_empty() {
            return;
        }
        for start in s.clone() {
            let f = toks[start].flags;
            // names start with a capital or a digit
            if f & (F_UPPER | F_DIGIT) == 0 {
                continue;
            }
            let mut h = GAZ_SEED;
            for end in start + 1..=(start + GAZ_MAX).min(s.end) {
                h = mix(h, toks[end - 1].lw);
                let Some(slot) = self.table.find(finish(h)) else {
                    break;
                };
                let v = self.values[slot];
                for ty in 0..LABELS.len() {
                    if v & (1 << ty) == 0 {
                        continue;
                    }
                    let base = ty * 4;
                    if end - start == 1 {
                        out[start] |= 1 << (base + 3);
                    } else {
                        out[start] |= 1 << base;
                        for o in &mut out[start + 1..end - 1] {
                            *o |= 1 << (base + 1);
                        }
                        out[end - 1] |= 1 << (base + 2);
                    }
                }
                if v & GAZ_PREFIX == 0 {
                    break;
                }
            }
        }
    }
}

// ---------------------------------------------------------------- features

/// Buffers for [`Model::emissions`], kept across the sentences of a document.
#[derive(Default)]
struct Batch {
    /// The feature keys of a sentence's tokens, token after token; then
    /// their rows.
    keys: Vec<u32>,
    /// One past each token's last key in `keys`.
    ends: Vec<usize>,
    /// What each key's home slot holds.
    home: Vec<Slot>,
}

/// Everything the features of a document need, computed once per document.
#[derive(Default)]
struct DocFeatures {
    toks: Vec<Tok>,
    /// Gazetteer BILU bits per token.
    gaz: Vec<u16>,
    /// Per token: bit 0 its word occurs lower-case in the document, bit 1 it
    /// occurs title-case not first in a sentence, bit 2 sentence-initial,
    /// bit 3 its sentence is an all-caps headline.
    ctx: Vec<u8>,
}

const BOS: u64 = 0x0123_4567_89ab_cdef;
const EOS: u64 = 0xfedc_ba98_7654_3210;

impl DocFeatures {
    fn build(&mut self, words: &[&str], sents: &[Range<usize>], gaz: &Gazetteer) {
        self.toks.clear();
        self.toks.extend(words.iter().map(|w| analyze(w)));
        self.gaz.clear();
        self.gaz.resize(words.len(), 0);
        self.ctx.clear();
        self.ctx.resize(words.len(), 0);
        let mut seen: FastMap<u64, u8> = FastMap::default();
        for s in sents {
            gaz.mark(&self.toks, s.clone(), &mut self.gaz);
            let (mut caps, mut letters) = (0, 0);
            for t in &self.toks[s.clone()] {
                if t.flags & F_ALPHA != 0 {
                    letters += 1;
                    if t.flags & F_ALLCAPS != 0 {
                        caps += 1;
                    }
                }
            }
            let headline = letters >= 2 && caps * 5 >= letters * 4;
            for i in s.clone() {
                let t = &self.toks[i];
                if i == s.start {
                    self.ctx[i] |= 4;
                }
                if headline {
                    self.ctx[i] |= 8;
                }
                if t.flags & F_ALPHA == 0 {
                    continue;
                }
                if t.flags & F_TITLE == 0 && t.flags & F_LOWER != 0 {
                    *seen.entry(t.lw).or_insert(0) |= 1;
                } else if t.flags & F_TITLE != 0
                    && t.flags & F_LOWER != 0
                    && i != s.start
                    && !headline
                {
                    *seen.entry(t.lw).or_insert(0) |= 2;
                }
            }
        }
        if !seen.is_empty() {
            for (t, c) in self.toks.iter().zip(self.ctx.iter_mut()) {
                if t.flags & F_UPPER != 0 {
                    *c |= seen.get(&t.lw).copied().unwrap_or(0);
                }
            }
        }
    }

    /// The feature keys of token `i` of sentence `s`; returns how many.
    #[inline]
    fn features(&self, s: &Range<usize>, i: usize, out: &mut [u32; MAXF]) -> usize {
        let toks = &self.toks;
        let t = &toks[i];
        let lw = |j: isize| -> u64 {
            let j = i as isize + j;
            if j < s.start as isize {
                BOS
            } else if j >= s.end as isize {
                EOS
            } else {
                toks[j as usize].lw
            }
        };
        let sh = |j: isize| -> u64 {
            let j = i as isize + j;
            if j < s.start as isize {
                BOS
            } else if j >= s.end as isize {
                EOS
            } else {
                toks[j as usize].shape
            }
        };
        let mut n = 0;
        let mut put = |tid: u64, a: u64, b: u64| {
            out[n] = finish(mix(mix(tid.wrapping_mul(0x2127_599b_f432_5c37), a), b));
            n += 1;
        };
        let (lm2, lm1, l0, lp1, lp2) = (lw(-2), lw(-1), t.lw, lw(1), lw(2));
        let (sm1, s0, sp1) = (sh(-1), t.shape, sh(1));
        put(1, 0, 0);
        put(2, l0, 0);
        put(3, lm1, 0);
        put(4, lp1, 0);
        put(5, lm2, 0);
        put(6, lp2, 0);
        put(7, lm1, l0);
        put(8, l0, lp1);
        put(9, t.form, 0);
        put(10, s0, 0);
        put(11, sm1, s0);
        put(12, s0, sp1);
        put(13, mix(sm1, s0), sp1);
        for k in 0..4 {
            if t.pre[k] != 0 {
                put(14 + k as u64, t.pre[k], 0);
            }
            if t.suf[k] != 0 {
                put(18 + k as u64, t.suf[k], 0);
            }
        }
        let ctx = self.ctx[i];
        put(22, (ctx & 12) as u64, s0);
        put(23, lm1, s0);
        put(24, s0, lp1);
        if t.flags & F_UPPER != 0 {
            put(25, ctx as u64, (t.flags & (F_TITLE | F_ALLCAPS)) as u64);
        }
        let g = self.gaz[i];
        if g != 0 {
            for b in 0..16u64 {
                if g & (1 << b) != 0 {
                    put(26, b, 0);
                }
            }
            put(27, g as u64, 0);
        }
        n
    }
}

// ---------------------------------------------------------------- decoding

/// Transition scores: `[prev][next]`, with [`EDGE`] as the sentence boundary.
pub(crate) type Trans = [[f32; NT + 1]; NT + 1];

/// Tags after which no entity is open: O, L-*, U-*.
const CLOSED: [usize; 9] = [0, 3, 4, 7, 8, 11, 12, 15, 16];

/// Best tag sequence under emission scores `em` (one row of NT per token) and
/// transition scores `tr`, over allowed moves only (see [`allowed`]): after a
/// closed tag come O, B or U; after B-x or I-x come I-x or L-x.
fn viterbi(em: &[[f32; NT]], tr: &Trans, back: &mut Vec<[u8; NT]>, out: &mut Vec<u8>) {
    out.clear();
    let n = em.len();
    if n == 0 {
        return;
    }
    back.clear();
    back.resize(n, [0; NT]);
    let mut cur = [f32::NEG_INFINITY; NT];
    for k in 0..NT {
        if allowed(EDGE, k) {
            cur[k] = tr[EDGE][k] + em[0][k];
        }
    }
    for t in 1..n {
        let e = &em[t];
        let bp = &mut back[t];
        let mut next = [f32::NEG_INFINITY; NT];
        // O, B-x, U-x: from a closed tag
        for k in [0, 1, 4, 5, 8, 9, 12, 13, 16] {
            let mut best = f32::NEG_INFINITY;
            let mut arg = 0u8;
            for p in CLOSED {
                let v = cur[p] + tr[p][k];
                if v > best {
                    best = v;
                    arg = p as u8;
                }
            }
            next[k] = best + e[k];
            bp[k] = arg;
        }
        // I-x, L-x: from B-x or I-x
        for ty in 0..LABELS.len() {
            let (b, i) = (1 + 4 * ty, 2 + 4 * ty);
            for k in [i, i + 1] {
                let vb = cur[b] + tr[b][k];
                let vi = cur[i] + tr[i][k];
                let (best, arg) = if vi > vb { (vi, i) } else { (vb, b) };
                next[k] = best + e[k];
                bp[k] = arg as u8;
            }
        }
        cur = next;
    }
    let mut best = f32::NEG_INFINITY;
    let mut arg = 0usize;
    for p in CLOSED {
        let v = cur[p] + tr[p][EDGE];
        if v > best {
            best = v;
            arg = p;
        }
    }
    out.resize(n, 0);
    out[n - 1] = arg as u8;
    for t in (1..n).rev() {
        out[t - 1] = back[t][out[t] as usize];
    }
}

// ---------------------------------------------------------------- the model

/// A found entity: token range `[start, end)`, type index into [`LABELS`],
/// and a confidence in 0..1 (mean over its tokens of the softmax probability
/// of the chosen tag given the token's features).
#[derive(Clone, Debug, PartialEq)]
pub struct Entity {
    pub start: usize,
    pub end: usize,
    pub label: usize,
    pub score: f32,
}

/// The trained tagger; see the module documentation.
///
/// The weight table is laid out for the cache: an open-addressing array of
/// 8-byte slots, each a key and the index of its row (one load finds both;
/// a miss touches only this array), and the rows packed densely (see [`Row`]),
/// with one all-zero row last that empty slots point to.
#[derive(Clone, Debug)]
pub struct Model {
    slots: Vec<Slot>,
    mask: usize,
    rows: Vec<Row>,
    /// Real weight = stored `i8` × `scale`.
    scale: f32,
    /// Divides scores before the softmax that gives span confidence.
    temperature: f32,
    trans: Box<Trans>,
    gazetteer: Gazetteer,
}

/// A slot of the weight table: a feature key (0: empty) and its row.
#[derive(Clone, Copy, Debug)]
struct Slot {
    key: u32,
    row: u32,
}

/// A feature's [`NT`] weights, each `i8` stored as the byte `w + 128` (byte
/// `j % 8` of word `j / 8`). Biased bytes are added eight at a time inside
/// `u64`s (a tag's sum in a 16-bit lane, see [`Model::emissions`]): in wasm,
/// which has no SIMD, adding a row one `i8` at a time was the biggest cost of
/// scoring.
type Row = [u64; 3];

/// The bytes of even (`LANES`) or odd (`LANES << 8`) tags, widened to 16 bits.
const LANES: u64 = 0x00FF_00FF_00FF_00FF;
// A 16-bit lane holds the biased sum of a token's features without overflow.
const _: () = assert!(MAXF * 255 < 1 << 16);

fn pack(w: &[i8; NT]) -> Row {
    let mut r = [0u64; 3];
    for (j, &x) in w.iter().enumerate() {
        r[j / 8] |= ((x as i32 + 128) as u64) << (8 * (j % 8));
    }
    r
}

fn unpack(r: &Row) -> [i8; NT] {
    let mut w = [0i8; NT];
    for (j, x) in w.iter_mut().enumerate() {
        *x = (((r[j / 8] >> (8 * (j % 8))) & 0xFF) as i32 - 128) as i8;
    }
    w
}

/// The committed weights (`model/ner.bin`).
static SHIPPED: &[u8] = include_bytes!("../../model/ner.bin");

impl Model {
    /// The model shipped with spanmark (compiled in; no file IO).
    pub fn shipped() -> Model {
        Model::from_bytes(SHIPPED).expect("the shipped model file is valid")
    }

    /// A model from its weights and tables, quantising to `i8`.
    fn build(
        weights: &[(u32, [f32; NT])],
        trans: Box<Trans>,
        gazetteer: Gazetteer,
        temperature: f32,
    ) -> Model {
        let max = weights
            .iter()
            .flat_map(|(_, w)| w.iter())
            .fold(0f32, |m, &x| m.max(x.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        let q: Vec<(u32, [i8; NT])> = weights
            .iter()
            .map(|(k, w)| {
                let mut r = [0i8; NT];
                for (o, &x) in r.iter_mut().zip(w) {
                    *o = (x / scale).round().clamp(-127.0, 127.0) as i8;
                }
                (*k, r)
            })
            .filter(|(_, r)| r.iter().any(|&x| x != 0))
            .collect();
        Model::from_quantized(&q, scale, trans, gazetteer, temperature)
    }

    fn from_quantized(
        rows: &[(u32, [i8; NT])],
        scale: f32,
        trans: Box<Trans>,
        gazetteer: Gazetteer,
        temperature: f32,
    ) -> Model {
        // The rows in the order given, then the zero row.
        let zero = rows.len() as u32;
        let cap = (rows.len() * 5 / 3 + 1).next_power_of_two().max(16);
        let mask = cap - 1;
        let mut slots = vec![Slot { key: 0, row: zero }; cap];
        for (i, &(key, _)) in rows.iter().enumerate() {
            let mut s = key as usize & mask;
            // A key listed twice (only a hand-made table has that) keeps its
            // last row.
            while slots[s].key != key && slots[s].key != 0 {
                s = (s + 1) & mask;
            }
            slots[s] = Slot { key, row: i as u32 };
        }
        let mut packed = Vec::with_capacity(rows.len() + 1);
        packed.extend(rows.iter().map(|r| pack(&r.1)));
        packed.push(pack(&[0i8; NT]));
        Model {
            slots,
            mask,
            rows: packed,
            scale,
            temperature,
            trans,
            gazetteer,
        }
    }

    /// Number of weighted features and of gazetteer entries.
    pub fn sizes(&self) -> (usize, usize) {
        let weighted = self.slots.iter().filter(|e| e.key != 0).count();
        (weighted, self.gazetteer.len())
    }

    /// The row of a feature key: the zero row when the model does not know it.
    #[inline(always)]
    fn row_index(&self, key: u32) -> u32 {
        let mut s = key as usize & self.mask;
        loop {
            let e = self.slots[s];
            // An empty slot's row is the zero row.
            if e.key == key || e.key == 0 {
                return e.row;
            }
            s = (s + 1) & self.mask;
        }
    }

    fn row(&self, key: u32) -> [i8; NT] {
        unpack(&self.rows[self.row_index(key) as usize])
    }

    /// Appends the emission scores of the tokens of sentence `s` to `em`.
    ///
    /// The same sums as adding [`Model::row`] per feature, but in passes over
    /// the whole sentence: every feature key first, then each key's row, then
    /// the rows' weights, so that the table's cache misses overlap instead of
    /// each waiting on the one before. This is most of the model's time.
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
            let n = doc.features(s, i, &mut fs);
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
        for &to in &b.ends {
            let (mut even, mut odd) = ([0u64; 3], [0u64; 3]);
            for &r in &b.keys[from..to] {
                let row = &self.rows[r as usize];
                for k in 0..3 {
                    even[k] += row[k] & LANES;
                    odd[k] += (row[k] >> 8) & LANES;
                }
            }
            let bias = 128 * (to - from) as i32;
            from = to;
            let mut e = [0f32; NT];
            for (j, o) in e.iter_mut().enumerate() {
                let half = if j % 2 == 0 { even[j / 8] } else { odd[j / 8] };
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
        self.run(words, sentences, &mut tags, None);
        tags
    }

    /// Entities found in a document given as words and sentences.
    pub fn entities(&self, words: &[&str], sentences: &[Range<usize>]) -> Vec<Entity> {
        let mut tags = Vec::new();
        let mut ents = Vec::new();
        self.run(words, sentences, &mut tags, Some(&mut ents));
        ents
    }

    fn run(
        &self,
        words: &[&str],
        sentences: &[Range<usize>],
        tags: &mut Vec<u8>,
        ents: Option<&mut Vec<Entity>>,
    ) {
        let whole = std::slice::from_ref(&(0..words.len())).to_vec();
        let sents = if sentences.is_empty() {
            &whole[..]
        } else {
            sentences
        };
        let mut doc = DocFeatures::default();
        doc.build(words, sents, &self.gazetteer);
        tags.clear();
        tags.resize(words.len(), 0);
        let mut em: Vec<[f32; NT]> = Vec::new();
        let mut back = Vec::new();
        let mut out = Vec::new();
        let mut batch = Batch::default();
        let mut found = Vec::new();
        for s in sents {
            em.clear();
            self.emissions(&doc, s, &mut batch, &mut em);
            viterbi(&em, &self.trans, &mut back, &mut out);
            for (a, b, ty) in spans_from_tags(&out) {
                found.push(Entity {
                    start: s.start + a,
                    end: s.start + b,
                    label: ty,
                    score: segment_confidence(&em, &self.trans, &out, a, b, ty, self.temperature),
                });
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

/// Index of the sentence-boundary pseudo-tag in [`Model::transition`].
pub(crate) const EDGE_TAG: usize = EDGE;

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
        doc.build(words, sents, &self.gazetteer);
        let mut view = TokenView {
            feats: Vec::with_capacity(words.len() * 32),
            start: Vec::with_capacity(words.len() + 1),
            em: vec![[0f32; NT]; words.len()],
            tags: self.tag(words, sentences),
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

    /// The score of tag `next` following tag `prev` ([`EDGE_TAG`]: the
    /// sentence boundary).
    pub(crate) fn transition(&self, prev: usize, next: usize) -> f32 {
        self.trans[prev][next]
    }

    /// The softmax temperature that calibrates this model's scores: dividing
    /// a score by it gives roughly a log-odds.
    pub(crate) fn temperature(&self) -> f32 {
        self.temperature
    }
}

/// The hash of a word's lower-cased form (digits as `0`, trailing `.` and
/// `'s` dropped), as the model's features and gazetteer see it.
pub(crate) fn word_key(word: &str) -> u64 {
    analyze(word).lw
}

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
fn segment_scores(em: &[[f32; NT]], tr: &Trans, tags: &[u8], a: usize, b: usize) -> [f32; 5] {
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
fn segment_confidence(
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

/// The model as a recognizer stage: PER/ORG/LOC/MISC candidates with
/// `Source::Model`. A span never ends in a possessive `'s` the tokenizer left
/// attached to the name.
impl Stage for Model {
    fn name(&self) -> &'static str {
        "model"
    }

    fn find(&self, cx: &Context, out: &mut Vec<Candidate>) {
        let words: Vec<&str> = cx.tokens.iter().map(|t| t.text(cx.text)).collect();
        for e in self.entities(&words, cx.sentences) {
            let start = cx.tokens[e.start].start;
            let last = &cx.tokens[e.end - 1];
            let w = last.text(cx.text);
            let mut end = last.end;
            let core = core_of(w);
            if core.len() < w.len() && !w.ends_with('.') {
                end = last.start + core.len();
            }
            out.push(Candidate {
                start,
                end,
                label: LABELS[e.label].to_string(),
                source: Source::Model,
                score: e.score,
            });
        }
    }
}

// ---------------------------------------------------------------- file format

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.b.len() - self.at < n {
            return Err(format!(
                "model file is truncated (wanted {n} bytes at offset {})",
                self.at
            ));
        }
        let s = &self.b[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("model file has a malformed number".to_string())
    }
}

/// Reads sorted keys stored as deltas.
fn read_keys(r: &mut Reader, n: usize) -> Result<Vec<u32>, String> {
    let mut keys = Vec::with_capacity(n.min(r.b.len()));
    let mut prev = 0u64;
    for _ in 0..n {
        let k = prev + r.varint()?;
        if k == 0 || k > u32::MAX as u64 || (k <= prev && !keys.is_empty()) {
            return Err("model file has keys out of order".to_string());
        }
        keys.push(k as u32);
        prev = k;
    }
    Ok(keys)
}

fn write_keys(out: &mut Vec<u8>, keys: impl Iterator<Item = u32>) {
    let mut prev = 0u64;
    for k in keys {
        put_varint(out, k as u64 - prev);
        prev = k as u64;
    }
}

impl Model {
    /// The model file: magic, feature version, labels, scale, temperature,
    /// transitions (f32), then the weight rows (sorted keys as deltas; each row
    /// a 17-bit mask of non-zero tags and those `i8` weights), then the
    /// gazetteer (sorted keys as deltas, one byte of type bits each). All
    /// integers little-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FEATURE_VERSION.to_le_bytes());
        out.push(LABELS.len() as u8);
        for l in LABELS {
            out.push(l.len() as u8);
            out.extend_from_slice(l.as_bytes());
        }
        out.extend_from_slice(&self.scale.to_le_bytes());
        out.extend_from_slice(&self.temperature.to_le_bytes());
        for &t in self.trans.iter().flatten() {
            out.extend_from_slice(&t.to_le_bytes());
        }
        let mut rows: Vec<(u32, [i8; NT])> = self
            .slots
            .iter()
            .filter(|e| e.key != 0)
            .map(|e| (e.key, unpack(&self.rows[e.row as usize])))
            .collect();
        rows.sort_unstable_by_key(|r| r.0);
        out.extend_from_slice(&(rows.len() as u32).to_le_bytes());
        write_keys(&mut out, rows.iter().map(|r| r.0));
        for (_, w) in &rows {
            let mut mask = 0u32;
            for (k, &w) in w.iter().enumerate() {
                if w != 0 {
                    mask |= 1 << k;
                }
            }
            out.extend_from_slice(&mask.to_le_bytes()[..3]);
            out.extend(w.iter().filter(|&&w| w != 0).map(|&w| w as u8));
        }
        let gaz = self.gazetteer.entries();
        out.extend_from_slice(&(gaz.len() as u32).to_le_bytes());
        write_keys(&mut out, gaz.iter().map(|e| e.0));
        out.extend(gaz.iter().map(|e| e.1));
        out
    }

    /// Reads a model file written by [`Model::to_bytes`].
    pub fn from_bytes(b: &[u8]) -> Result<Model, String> {
        let mut r = Reader { b, at: 0 };
        if r.take(MAGIC.len()).ok() != Some(&MAGIC[..]) {
            return Err("not a spanmark entity model (bad magic bytes)".to_string());
        }
        let version = r.u32()?;
        if version != FEATURE_VERSION {
            return Err(format!(
                "model was made for feature version {version}, this build extracts version {FEATURE_VERSION}; retrain it"
            ));
        }
        let nl = r.u8()? as usize;
        let mut labels = Vec::new();
        for _ in 0..nl {
            let n = r.u8()? as usize;
            labels.push(String::from_utf8_lossy(r.take(n)?).into_owned());
        }
        if labels != LABELS {
            return Err(format!(
                "model labels {labels:?} differ from {LABELS:?} this build supports"
            ));
        }
        let scale = r.f32()?;
        let temperature = r.f32()?;
        if !(scale.is_finite() && scale > 0.0 && temperature.is_finite() && temperature > 0.0) {
            return Err("model file has an invalid scale".to_string());
        }
        let mut trans = Box::new([[0f32; NT + 1]; NT + 1]);
        for t in trans.iter_mut().flatten() {
            *t = r.f32()?;
        }
        let n = r.u32()? as usize;
        let keys = read_keys(&mut r, n)?;
        let mut rows = Vec::with_capacity(n);
        for k in keys {
            let m = r.take(3)?;
            let mask = u32::from_le_bytes([m[0], m[1], m[2], 0]);
            if mask >> NT != 0 {
                return Err("model file has a malformed weight row".to_string());
            }
            let mut w = [0i8; NT];
            for (j, x) in w.iter_mut().enumerate() {
                if mask & (1 << j) != 0 {
                    *x = r.u8()? as i8;
                }
            }
            rows.push((k, w));
        }
        let g = r.u32()? as usize;
        let gkeys = read_keys(&mut r, g)?;
        let gvals = r.take(g)?;
        if r.at != b.len() {
            return Err("model file has trailing bytes".to_string());
        }
        let map: HashMap<u32, u8> = gkeys.into_iter().zip(gvals.iter().copied()).collect();
        Ok(Model::from_quantized(
            &rows,
            scale,
            trans,
            Gazetteer::from_map(&map),
            temperature,
        ))
    }
}

// ---------------------------------------------------------------- training

/// A sentence with its gold entities as token ranges.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sentence {
    pub words: Vec<String>,
    /// `(start, end, label)`; labels outside [`LABELS`] are ignored.
    pub entities: Vec<(usize, usize, String)>,
}

/// A document: the unit of document-level features.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrainDoc {
    pub sentences: Vec<Sentence>,
}

#[derive(Clone, Debug)]
pub struct TrainOptions {
    /// Most passes over the data; with dev data, the best pass is kept.
    pub epochs: usize,
    pub seed: u64,
    /// Jackknife folds for the gazetteer features (0 or 1: no gazetteer).
    pub folds: usize,
    /// Drop averaged weights with |w| below this fraction of the largest.
    pub prune: f32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 12,
            seed: 1,
            folds: 5,
            prune: 0.004,
        }
    }
}

/// Per epoch: (epoch, train errors, dev F1 when dev data is given).
pub type EpochLog = (usize, usize, Option<f64>);

struct Encoded {
    /// Feature ids per token, flat, with `start[t]..start[t+1]`.
    feats: Vec<u32>,
    start: Vec<u32>,
    /// Sentences as token ranges into the flat arrays, with gold tags.
    sents: Vec<(Range<usize>, Vec<u8>)>,
}

fn label_index(l: &str) -> Option<usize> {
    LABELS.iter().position(|&x| x == l)
}

fn doc_words(d: &TrainDoc) -> (Vec<&str>, Vec<Range<usize>>) {
    let mut words = Vec::new();
    let mut sents = Vec::new();
    for s in &d.sentences {
        let a = words.len();
        words.extend(s.words.iter().map(String::as_str));
        sents.push(a..words.len());
    }
    (words, sents)
}

fn gold_tags(s: &Sentence) -> Vec<u8> {
    let spans: Vec<(usize, usize, usize)> = s
        .entities
        .iter()
        .filter_map(|(a, b, l)| Some((*a, *b, label_index(l)?)))
        .collect();
    tags_from_spans(s.words.len(), &spans)
}

fn build_gazetteer<'a>(docs: impl Iterator<Item = &'a TrainDoc>) -> Gazetteer {
    let mut map = HashMap::new();
    for d in docs {
        for s in &d.sentences {
            for (a, b, l) in &s.entities {
                if let Some(ty) = label_index(l) {
                    let lws: Vec<u64> = s.words[*a..*b].iter().map(|w| analyze(w).lw).collect();
                    Gazetteer::add(&mut map, &lws, ty);
                }
            }
        }
    }
    Gazetteer::from_map(&map)
}

/// Extracts features of `docs`, mapping keys to dense ids (new keys get new
/// ids when `ids` may grow, else are dropped).
fn encode(
    docs: &[&TrainDoc],
    gaz: &dyn Fn(usize) -> usize,
    gazetteers: &[Gazetteer],
    ids: &mut HashMap<u32, u32>,
    keys: &mut Vec<u32>,
    grow: bool,
) -> Encoded {
    let mut enc = Encoded {
        feats: Vec::new(),
        start: vec![0],
        sents: Vec::new(),
    };
    let mut doc = DocFeatures::default();
    let mut fs = [0u32; MAXF];
    for (di, d) in docs.iter().enumerate() {
        let (words, sents) = doc_words(d);
        doc.build(&words, &sents, &gazetteers[gaz(di)]);
        let base = enc.start.len() - 1;
        for (s, sent) in sents.iter().zip(&d.sentences) {
            for i in s.clone() {
                let n = doc.features(s, i, &mut fs);
                for &k in &fs[..n] {
                    let id = match ids.get(&k) {
                        Some(&id) => Some(id),
                        None if grow => {
                            let id = keys.len() as u32;
                            keys.push(k);
                            ids.insert(k, id);
                            Some(id)
                        }
                        None => None,
                    };
                    if let Some(id) = id {
                        enc.feats.push(id);
                    }
                }
                enc.start.push(enc.feats.len() as u32);
            }
            enc.sents
                .push((base + s.start..base + s.end, gold_tags(sent)));
        }
    }
    enc
}

/// A small deterministic generator (SplitMix64) for seeded shuffles.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

fn emissions(enc: &Encoded, w: &[f32], r: &Range<usize>, em: &mut Vec<[f32; NT]>) {
    em.clear();
    for t in r.clone() {
        let mut e = [0f32; NT];
        for &f in &enc.feats[enc.start[t] as usize..enc.start[t + 1] as usize] {
            let row = &w[f as usize * NT..f as usize * NT + NT];
            for (o, &x) in e.iter_mut().zip(row) {
                *o += x;
            }
        }
        em.push(e);
    }
}

/// Entity-level F1 of `w`/`tr` on encoded data, and the emission rows and
/// gold tags of every token (for calibrating the confidence temperature).
fn to_trans(v: &[f32]) -> Box<Trans> {
    let mut t = Box::new([[0f32; NT + 1]; NT + 1]);
    for (o, &x) in t.iter_mut().flatten().zip(v) {
        *o = x;
    }
    t
}

fn evaluate(enc: &Encoded, w: &[f32], tr: &Trans) -> f64 {
    let (mut tp, mut np, mut ng) = (0usize, 0usize, 0usize);
    let mut em = Vec::new();
    let mut back = Vec::new();
    let mut out = Vec::new();
    for (r, gold) in &enc.sents {
        emissions(enc, w, r, &mut em);
        viterbi(&em, tr, &mut back, &mut out);
        let p = spans_from_tags(&out);
        let g = spans_from_tags(gold);
        np += p.len();
        ng += g.len();
        tp += p.iter().filter(|x| g.contains(x)).count();
    }
    f1(tp, np, ng)
}

fn f1(tp: usize, np: usize, ng: usize) -> f64 {
    if tp == 0 {
        0.0
    } else {
        2.0 * tp as f64 / (np + ng) as f64
    }
}

/// Trains a model on `train` (choosing the epoch by F1 on `dev` when given).
/// Deterministic for given data and options.
pub fn train(
    train: &[TrainDoc],
    dev: Option<&[TrainDoc]>,
    opts: &TrainOptions,
    log: &mut dyn FnMut(EpochLog),
) -> Result<Model, String> {
    if train.is_empty() {
        return Err("no training documents".to_string());
    }
    let folds = opts.folds.max(1);
    // gazetteers[0]: from everything (shipped, used on dev); [1 + k]: without fold k
    let full = if folds > 1 {
        build_gazetteer(train.iter())
    } else {
        Gazetteer::default()
    };
    let mut gazetteers = vec![full];
    if folds > 1 {
        for k in 0..folds {
            gazetteers.push(build_gazetteer(
                train
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % folds != k)
                    .map(|(_, d)| d),
            ));
        }
    }
    let mut ids = HashMap::new();
    let mut keys = Vec::new();
    let refs: Vec<&TrainDoc> = train.iter().collect();
    let fold_of = |i: usize| if folds > 1 { 1 + i % folds } else { 0 };
    let tr_enc = encode(&refs, &fold_of, &gazetteers, &mut ids, &mut keys, true);
    let dev_enc = dev.map(|d| {
        let refs: Vec<&TrainDoc> = d.iter().collect();
        encode(&refs, &|_| 0, &gazetteers, &mut ids, &mut keys, false)
    });
    let nf = keys.len();
    let nt = (NT + 1) * (NT + 1);
    let mut w = vec![0f32; nf * NT];
    let mut wa = vec![0f32; nf * NT]; // sum of c * update, for averaging
    let mut tr = vec![0f32; nt];
    let mut tra = vec![0f32; nt];
    let mut c = 1f32;
    let mut order: Vec<usize> = (0..tr_enc.sents.len()).collect();
    let mut rng = Rng(opts.seed ^ 0x5bd1_e995);
    let mut em = Vec::new();
    let mut back = Vec::new();
    let mut out = Vec::new();
    let mut best: Option<(f64, Vec<f32>, Vec<f32>)> = None;
    let average = |w: &[f32], wa: &[f32], c: f32| -> Vec<f32> {
        w.iter().zip(wa).map(|(&a, &b)| a - b / c).collect()
    };
    for epoch in 1..=opts.epochs.max(1) {
        rng.shuffle(&mut order);
        let mut errors = 0;
        for &si in &order {
            let (r, gold) = &tr_enc.sents[si];
            emissions(&tr_enc, &w, r, &mut em);
            viterbi(&em, &to_trans(&tr), &mut back, &mut out);
            if out != *gold {
                errors += 1;
                for (j, t) in r.clone().enumerate() {
                    let (g, p) = (gold[j] as usize, out[j] as usize);
                    if g == p {
                        continue;
                    }
                    for &f in &tr_enc.feats[tr_enc.start[t] as usize..tr_enc.start[t + 1] as usize]
                    {
                        let base = f as usize * NT;
                        w[base + g] += 1.0;
                        wa[base + g] += c;
                        w[base + p] -= 1.0;
                        wa[base + p] -= c;
                    }
                }
                let n = gold.len();
                for j in 0..=n {
                    let gp = if j == 0 { EDGE } else { gold[j - 1] as usize };
                    let gn = if j == n { EDGE } else { gold[j] as usize };
                    let pp = if j == 0 { EDGE } else { out[j - 1] as usize };
                    let pn = if j == n { EDGE } else { out[j] as usize };
                    if (gp, gn) != (pp, pn) {
                        tr[gp * (NT + 1) + gn] += 1.0;
                        tra[gp * (NT + 1) + gn] += c;
                        tr[pp * (NT + 1) + pn] -= 1.0;
                        tra[pp * (NT + 1) + pn] -= c;
                    }
                }
            }
            c += 1.0;
        }
        let dev_f1 = dev_enc.as_ref().map(|d| {
            let aw = average(&w, &wa, c);
            let at = average(&tr, &tra, c);
            let f = evaluate(d, &aw, &to_trans(&at));
            if best.as_ref().is_none_or(|b| f > b.0) {
                best = Some((f, aw, at));
            }
            f
        });
        log((epoch, errors, dev_f1));
    }
    let (aw, at) = match best {
        Some((_, aw, at)) => (aw, at),
        None => (average(&w, &wa, c), average(&tr, &tra, c)),
    };
    // prune and export
    let max = aw.iter().fold(0f32, |m, &x| m.max(x.abs()));
    let cut = max * opts.prune;
    let rows: Vec<(u32, [f32; NT])> = keys
        .iter()
        .enumerate()
        .filter_map(|(f, &k)| {
            let row: [f32; NT] = aw[f * NT..f * NT + NT].try_into().unwrap();
            row.iter()
                .any(|x| x.abs() >= cut && *x != 0.0)
                .then_some((k, row))
        })
        .collect();
    let temperature = match &dev_enc {
        Some(d) => calibrate(d, &aw, &to_trans(&at)),
        None => max / 4.0,
    };
    let gazetteer = gazetteers.swap_remove(0);
    Ok(Model::build(
        &rows,
        to_trans(&at),
        gazetteer,
        temperature.max(1e-3),
    ))
}

/// The temperature that makes [`segment_confidence`] a calibrated probability
/// that a predicted entity is right (least log loss over dev predictions, by
/// grid search).
fn calibrate(enc: &Encoded, w: &[f32], tr: &Trans) -> f32 {
    let mut em = Vec::new();
    let mut back = Vec::new();
    let mut out = Vec::new();
    // (score margin of the predicted type over the others, correct?)
    let mut rows: Vec<([f32; 5], usize, bool)> = Vec::new();
    for (r, gold) in &enc.sents {
        emissions(enc, w, r, &mut em);
        viterbi(&em, tr, &mut back, &mut out);
        let g = spans_from_tags(gold);
        for (a, b, ty) in spans_from_tags(&out) {
            rows.push((
                segment_scores(&em, tr, &out, a, b),
                ty,
                g.contains(&(a, b, ty)),
            ));
        }
    }
    let mut best = (f64::INFINITY, 1.0f32);
    for i in 0..80 {
        let t = 0.25 * 1.1f32.powi(i);
        let loss: f64 = rows
            .iter()
            .map(|(s, ty, ok)| {
                let max = s.iter().fold(f32::NEG_INFINITY, |m, &x| m.max(x));
                let z: f32 = s.iter().map(|&x| ((x - max) / t).exp()).sum();
                let p = (((s[*ty] - max) / t).exp() / z).clamp(1e-6, 1.0 - 1e-6) as f64;
                if *ok {
                    -p.ln()
                } else {
                    -(1.0 - p).ln()
                }
            })
            .sum();
        if loss < best.0 {
            best = (loss, t);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sent(words: &str, ents: &[(usize, usize, &str)]) -> Sentence {
        Sentence {
            words: words.split(' ').map(String::from).collect(),
            entities: ents
                .iter()
                .map(|&(a, b, l)| (a, b, l.to_string()))
                .collect(),
        }
    }

    fn tiny() -> Vec<TrainDoc> {
        vec![
            TrainDoc {
                sentences: vec![
                    sent(
                        "Angela Merkel visited Paris on Monday .",
                        &[(0, 2, "PER"), (3, 4, "LOC")],
                    ),
                    sent(
                        "The European Union said Merkel will go .",
                        &[(1, 3, "ORG"), (4, 5, "PER")],
                    ),
                ],
            },
            TrainDoc {
                sentences: vec![
                    sent(
                        "John Smith works for Acme Corp in London .",
                        &[(0, 2, "PER"), (4, 6, "ORG"), (7, 8, "LOC")],
                    ),
                    sent("He likes German beer .", &[(2, 3, "MISC")]),
                ],
            },
            TrainDoc {
                sentences: vec![sent(
                    "Paris and London are big cities , said John .",
                    &[(0, 1, "LOC"), (2, 3, "LOC"), (8, 9, "PER")],
                )],
            },
        ]
    }

    #[test]
    fn tag_ids_round_trip() {
        for ty in 0..4 {
            for p in [Part::B, Part::I, Part::L, Part::U] {
                assert_eq!(tag_parts(tag_id(ty, p)), Some((ty, p)));
            }
        }
        assert_eq!(tag_name(0), "O");
        assert_eq!(tag_name(tag_id(2, Part::U)), "U-LOC");
    }

    #[test]
    fn constraints() {
        let b = tag_id(0, Part::B) as usize;
        let i = tag_id(0, Part::I) as usize;
        let l = tag_id(0, Part::L) as usize;
        let u = tag_id(1, Part::U) as usize;
        assert!(allowed(EDGE, b) && allowed(b, i) && allowed(i, l) && allowed(l, u));
        assert!(!allowed(b, 0) && !allowed(EDGE, i) && !allowed(b, EDGE));
        assert!(!allowed(b, tag_id(1, Part::I) as usize));
        assert!(allowed(u, EDGE) && allowed(0, EDGE));
    }

    #[test]
    fn viterbi_output_is_well_formed_even_against_emissions() {
        // emissions that love I-PER everywhere: decoding must still be valid
        let mut em = vec![[0f32; NT]; 5];
        for e in &mut em {
            e[tag_id(0, Part::I) as usize] = 10.0;
        }
        let tr = [[0f32; NT + 1]; NT + 1];
        let (mut back, mut out) = (Vec::new(), Vec::new());
        viterbi(&em, &tr, &mut back, &mut out);
        let mut prev = EDGE;
        for &t in &out {
            assert!(allowed(prev, t as usize), "{:?}", out);
            prev = t as usize;
        }
        assert!(allowed(prev, EDGE));
        assert_eq!(spans_from_tags(&out), vec![(0, 5, 0)]);
    }

    proptest! {
        #[test]
        fn spans_from_any_tags_are_well_formed(tags in proptest::collection::vec(0u8..NT as u8, 0..40)) {
            let spans = spans_from_tags(&tags);
            let mut end = 0;
            for &(a, b, ty) in &spans {
                prop_assert!(a >= end && a < b && b <= tags.len() && ty < 4);
                end = b;
            }
            // well-formed spans survive a round trip through tags
            let t2 = tags_from_spans(tags.len(), &spans);
            prop_assert_eq!(spans_from_tags(&t2), spans);
        }

        #[test]
        fn analyze_never_panics(w in "\\PC{0,12}") {
            let _ = analyze(&w);
            let _ = core_of(&w);
        }
    }

    #[test]
    fn word_forms_are_robust_to_tokenization() {
        assert_eq!(analyze("U.S.").lw, analyze("U.S").lw);
        assert_eq!(analyze("Britain's").lw, analyze("Britain").lw);
        assert_eq!(analyze("Britain\u{2019}s").lw, analyze("britain").lw);
        assert_eq!(analyze("1996").lw, analyze("2001").lw);
        assert_ne!(analyze("Apple").form, analyze("apple").form);
        assert_eq!(analyze("Apple").lw, analyze("APPLE").lw);
        assert_eq!(analyze("Xxxx").shape, analyze("Merkel").shape);
        assert_ne!(analyze("NATO").shape, analyze("Nato").shape);
        assert_eq!(core_of("'s"), "'s");
        assert_eq!(core_of("."), ".");
    }

    #[test]
    fn gazetteer_marks_bilu_positions() {
        let words = ["the", "New", "York", "Times", "and", "York"];
        let toks: Vec<Tok> = words.iter().map(|w| analyze(w)).collect();
        let mut map = HashMap::new();
        let lws = |ws: &[&str]| ws.iter().map(|w| analyze(w).lw).collect::<Vec<_>>();
        Gazetteer::add(&mut map, &lws(&["new", "york"]), 2);
        Gazetteer::add(&mut map, &lws(&["New", "York", "Times"]), 1);
        Gazetteer::add(&mut map, &lws(&["York"]), 2);
        let g = Gazetteer::from_map(&map);
        let mut out = vec![0u16; words.len()];
        g.mark(&toks, 0..words.len(), &mut out);
        assert_eq!(out[0], 0);
        assert_eq!(out[1], (1 << 8) | (1 << 4)); // B-LOC, B-ORG
        assert_eq!(out[2], (1 << 10) | (1 << 5) | (1 << 11)); // L-LOC, I-ORG, U-LOC
        assert_eq!(out[3], 1 << 6); // L-ORG
        assert_eq!(out[5], 1 << 11); // U-LOC
    }

    fn opts(epochs: usize) -> TrainOptions {
        TrainOptions {
            epochs,
            seed: 7,
            folds: 2,
            prune: 0.0,
        }
    }

    #[test]
    fn training_is_deterministic_and_learns_the_tiny_set() {
        let docs = tiny();
        let a = train(&docs, Some(&docs), &opts(8), &mut |_| {}).unwrap();
        let b = train(&docs, Some(&docs), &opts(8), &mut |_| {}).unwrap();
        assert_eq!(a.to_bytes(), b.to_bytes());
        let words: Vec<&str> = "John Smith visited London .".split(' ').collect();
        let ents = a.entities(&words, &[]);
        let got: Vec<(usize, usize, &str)> = ents
            .iter()
            .map(|e| (e.start, e.end, LABELS[e.label]))
            .collect();
        assert_eq!(got, vec![(0, 2, "PER"), (3, 4, "LOC")]);
        for e in &ents {
            assert!(e.score > 0.0 && e.score <= 1.0, "{e:?}");
        }
        let c = train(
            &docs,
            Some(&docs),
            &TrainOptions { seed: 8, ..opts(8) },
            &mut |_| {},
        )
        .unwrap();
        // another seed is allowed to differ, but must still be a valid model
        assert!(Model::from_bytes(&c.to_bytes()).is_ok());
    }

    #[test]
    fn shipped_model_writes_back_its_own_file() {
        // Every weight survives the packed, biased rows held in memory.
        assert_eq!(Model::shipped().to_bytes(), SHIPPED);
    }

    #[test]
    fn bytes_round_trip() {
        let docs = tiny();
        let m = train(&docs, None, &opts(3), &mut |_| {}).unwrap();
        let bytes = m.to_bytes();
        let m2 = Model::from_bytes(&bytes).unwrap();
        assert_eq!(m2.to_bytes(), bytes);
        assert_eq!(m.sizes(), m2.sizes());
        let words: Vec<&str> = "Merkel met John in Paris".split(' ').collect();
        assert_eq!(m.tag(&words, &[]), m2.tag(&words, &[]));
        // damaged files are refused with a message, never a panic
        assert!(Model::from_bytes(b"nope").is_err());
        for cut in [0, 9, 20, bytes.len() / 2, bytes.len() - 1] {
            assert!(Model::from_bytes(&bytes[..cut]).is_err(), "cut {cut}");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(Model::from_bytes(&extra).is_err());
    }

    #[test]
    fn shipped_model_loads_and_finds_people_and_places() {
        let m = Model::shipped();
        assert!(m.sizes().0 > 1000);
        let words: Vec<&str> = "Angela Merkel flew to Paris on Tuesday , officials said ."
            .split(' ')
            .collect();
        let ents = m.entities(&words, &[]);
        let got: Vec<(usize, usize, &str)> = ents
            .iter()
            .map(|e| (e.start, e.end, LABELS[e.label]))
            .collect();
        assert_eq!(got, vec![(0, 2, "PER"), (4, 5, "LOC")]);
    }
}
