use super::clusters::{Clusters, Ids};
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

pub(super) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<PassThrough>>;
/// Bumped whenever feature extraction changes: a model file records it.
pub const FEATURE_VERSION: u32 = 7;
/// The oldest feature version whose features this build still extracts
/// unchanged (7 only added the later-history template): a learned model
/// made under it still fits, so a person's corrections survive the update.
pub const FEATURES_UNCHANGED_SINCE: u32 = 6;
/// Longest gazetteer entry, in tokens.
const GAZ_MAX: usize = 6;
/// Most features one token can have (34 besides the gazetteer bits, of
/// which there are at most 28).
pub(super) const MAXF: usize = 64;

const MULT: u64 = 0x517c_c1b7_2722_0a95;

#[inline(always)]
pub(crate) fn mix(h: u64, x: u64) -> u64 {
    (h.rotate_left(5) ^ x).wrapping_mul(MULT)
}

/// The 32-bit key of a feature hash (never 0, which marks an empty slot).
#[inline(always)]
pub(crate) fn finish(h: u64) -> u32 {
    let h = (h ^ (h >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let k = (h >> 32) as u32;
    if k == 0 {
        1
    } else {
        k
    }
}

// ---------------------------------------------------------------- tokens

pub(super) const F_UPPER: u8 = 1; // has an upper-case letter
const F_LOWER: u8 = 2; // has a lower-case letter
const F_TITLE: u8 = 4; // first character upper-case
const F_DIGIT: u8 = 8;
const F_ALPHA: u8 = 16; // has a letter
const F_ALLCAPS: u8 = 32; // letters, all upper case
pub(super) const F_BREAK: u8 = 64; // no name runs across it: see `breaks_names`

/// Typographic quotes as the ASCII ones the training text has (CoNLL-2003
/// has no curly quotes), so `“` is scored as `"` and `’s` as `'s`.
fn plain_quote(c: char) -> char {
    match c {
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}'
        | '\u{2033}' => '"',
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => '\'',
        c => c,
    }
}

/// Whether no name may run across this token: a double quote (`Said "Hello`
/// is not a name; `'` is left out, it closes plural possessives inside
/// names, CoNLL's `Barbarians ' XV`, but an opening `‘` never does), or
/// symbols only, such as an emoji.
pub(crate) fn breaks_names(word: &str) -> bool {
    let (mut quotes, mut symbols) = (true, true);
    for c in word.chars() {
        quotes &= c == '\u{2018}' || plain_quote(c) == '"';
        symbols &= !c.is_ascii()
            && !c.is_alphanumeric()
            && plain_quote(c) == c
            && !matches!(c, '\u{2010}'..='\u{2015}' | '\u{00B7}');
    }
    !word.is_empty() && (quotes || symbols)
}

/// What the features need of one word, hashed once: the part that a
/// token's neighbours and the document's passes read, kept per token.
#[derive(Clone, Copy, Default, Debug)]
pub(super) struct Tok {
    /// Lower case, digits as 0, trailing `.` and possessive `'s` dropped.
    pub(super) lw: u64,
    /// Shape: X x d or the character itself, runs collapsed.
    pub(super) shape: u64,
    pub(super) flags: u8,
    /// The word's clusters ([`Clusters`]).
    pub(super) cl: Ids,
}

/// The rest of what the features need of a word, which only its own word
/// features read: kept once per distinct word of a document, not per token
/// (copied per token it was most of the memory the model's passes moved).
#[derive(Clone, Copy, Default, Debug)]
pub(super) struct Spelling {
    /// [`Tok::lw`] with case kept.
    pub(super) form: u64,
    pub(super) pre: [u64; 4],
    pub(super) suf: [u64; 4],
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

pub(super) fn analyze(word: &str) -> (Tok, Spelling) {
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
        let c = plain_quote(c);
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
    if breaks_names(w) {
        flags |= F_BREAK;
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
    let tok = Tok {
        lw,
        shape,
        flags,
        cl: Clusters::shipped().of(w),
    };
    (tok, Spelling { form, pre, suf })
}

// ---------------------------------------------------------------- tables

/// An open-addressing set of non-zero 32-bit keys; `find` gives the slot.
#[derive(Clone, Debug, Default)]
pub(super) struct KeyTable {
    keys: Vec<u32>,
    mask: usize,
}

impl KeyTable {
    pub(super) fn with_keys(keys: &[u32]) -> (KeyTable, Vec<usize>) {
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

    /// Number of slots (a slot index is below it).
    pub(super) fn capacity(&self) -> usize {
        self.keys.len()
    }

    #[inline(always)]
    pub(super) fn find(&self, key: u32) -> Option<usize> {
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
/// types the name was seen as in the training data; bits 4..7: the lists of
/// `model/names.bin` it is on ([`LISTED`]); bit 7: a longer name starts with it.
#[derive(Clone, Debug, Default)]
pub(super) struct EntityNames {
    table: KeyTable,
    values: Vec<u8>,
}

const GAZ_PREFIX: u8 = 0x80;
/// The value bits of names from lists beyond the training data
/// (`tools/gazetteers.py`): places, companies, nationality adjectives.
pub(super) const LISTED: u8 = 0x70;
/// Bits of a value that say where a name is from (all but the prefix bit).
const SOURCES: usize = 7;
pub(super) const GAZ_SEED: u64 = 0x6a09_e667_f3bc_c908;

impl EntityNames {
    pub(super) fn from_map(map: &HashMap<u32, u8>) -> EntityNames {
        let mut entries: Vec<(u32, u8)> = map.iter().map(|(&k, &v)| (k, v)).collect();
        entries.sort_unstable();
        let keys: Vec<u32> = entries.iter().map(|e| e.0).collect();
        let values: Vec<u8> = entries.iter().map(|e| e.1).collect();
        EntityNames::from_sorted(&keys, &values)
    }

    /// From distinct keys in increasing order (as a model file holds them)
    /// and their values: the table `from_map` builds, without the map.
    pub(super) fn from_sorted(keys: &[u32], vals: &[u8]) -> EntityNames {
        let (table, slots) = KeyTable::with_keys(keys);
        let mut values = vec![0u8; table.keys.len()];
        for (&v, s) in vals.iter().zip(slots) {
            values[s] |= v;
        }
        EntityNames { table, values }
    }

    pub(super) fn entries(&self) -> Vec<(u32, u8)> {
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

    pub(super) fn len(&self) -> usize {
        self.table.keys.iter().filter(|&&k| k != 0).count()
    }

    /// Adds a name (its tokens' `lw` hashes) of type `ty` to a building map.
    pub(super) fn add(map: &mut HashMap<u32, u8>, lws: &[u64], ty: usize) {
        Self::add_bits(map, lws, 1 << ty)
    }

    /// Adds a name with value bits `bits` (a type or [`LISTED`] bits).
    pub(super) fn add_bits(map: &mut HashMap<u32, u8>, lws: &[u64], bits: u8) {
        if lws.is_empty() || lws.len() > GAZ_MAX {
            return;
        }
        let mut h = GAZ_SEED;
        for (i, &lw) in lws.iter().enumerate() {
            h = mix(h, lw);
            let key = finish(h);
            let v = map.entry(key).or_insert(0);
            if i + 1 == lws.len() {
                *v |= bits;
            } else {
                *v |= GAZ_PREFIX;
            }
        }
    }

    /// Marks, per token of the sentence, the BILU position of every name
    /// match: bit `source * 4 + part`, a source being a value bit below 7
    /// (a training type or a list).
    pub(super) fn mark(&self, toks: &[Tok], s: Range<usize>, out: &mut [u32]) {
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
                for src in 0..SOURCES {
                    if v & (1 << src) == 0 {
                        continue;
                    }
                    let base = src * 4;
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

/// Everything the features of a document need, computed once per document.
#[derive(Default)]
pub(super) struct DocFeatures {
    pub(super) toks: Vec<Tok>,
    /// Per distinct word ([`DocFeatures::words`]).
    pub(super) spellings: Vec<Spelling>,
    /// EntityNames BILU bits per token.
    pub(super) gaz: Vec<u32>,
    /// Per token: bit 0 its word occurs lower-case in the document, bit 1 it
    /// occurs title-case not first in a sentence, bit 2 sentence-initial,
    /// bit 3 its sentence is an all-caps headline, bit 4 a title-case one.
    pub(super) ctx: Vec<u8>,
    /// Per capitalised token: what the model labelled the same word in the
    /// document's earlier sentences (Ratinov & Roth's extended prediction
    /// history): bit `ty` a name of type `ty`, [`HIST_NONE`] no name (not
    /// first in its sentence). Filled while decoding, sentence by sentence
    /// ([`History`]); in training, from a jackknifed model's decoding.
    pub(super) hist: Vec<u8>,
    /// Per capitalised token: the same, from the document's later sentences
    /// (Ratinov & Roth's two-stage prediction aggregation): filled from a
    /// first decoding of the whole document ([`History::later`]), for a
    /// second.
    pub(super) later: Vec<u8>,
    /// Per token: its word's index among the document's distinct words
    /// (first seen first), so that what depends on the word alone is worked
    /// out once per word ([`Which::Word`]).
    pub(super) words: Vec<u32>,
    /// Number of distinct words.
    pub(super) distinct: usize,
}

/// Which of a token's features [`DocFeatures::features_of`] gives: those of
/// its word alone (the same for every token of that word) or the rest.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Which {
    All,
    Word,
    Context,
}

/// `DocFeatures::ctx`'s bit for a token of a title-case headline.
pub(super) const CTX_TITLE_HEADLINE: u8 = 16;

/// A capitalised word was seen outside any name, not first in its sentence.
pub(super) const HIST_NONE: u8 = 16;

/// A document's prediction history features per token: from its earlier
/// sentences ([`DocFeatures::hist`]) and its later ones
/// ([`DocFeatures::later`]).
#[derive(Clone, Debug, Default)]
pub(super) struct Histories {
    pub(super) earlier: Vec<u8>,
    pub(super) later: Vec<u8>,
}

/// The labels given so far in a document, per word (its `lw`).
#[derive(Default)]
pub(super) struct History(FastMap<u64, u8>);

impl History {
    /// Sets `doc.hist` for the capitalised tokens of sentence `s`.
    pub(super) fn fill(&self, doc: &mut DocFeatures, s: &Range<usize>) {
        if self.0.is_empty() {
            return;
        }
        for i in s.clone() {
            let t = &doc.toks[i];
            if t.flags & F_UPPER != 0 {
                doc.hist[i] = self.0.get(&t.lw).copied().unwrap_or(0);
            }
        }
    }

    /// Records the tags decoded for sentence `s` (tag ids, one per token).
    pub(super) fn record(&mut self, doc: &DocFeatures, s: &Range<usize>, tags: &[u8]) {
        for (j, &tag) in tags.iter().enumerate() {
            let t = &doc.toks[s.start + j];
            if let Some(bit) = history_bit(t, tag, j) {
                *self.0.entry(t.lw).or_insert(0) |= bit;
            }
        }
    }

    /// Sets `doc.later` from the tags decoded for the whole document (one
    /// per token): for each capitalised token, what its word was labelled in
    /// the sentences after its own. Returns whether any token got some.
    pub(super) fn later(doc: &mut DocFeatures, sents: &[Range<usize>], tags: &[u8]) -> bool {
        let mut after = History::default();
        let mut any = false;
        for s in sents.iter().rev() {
            if !after.0.is_empty() {
                for i in s.clone() {
                    let t = &doc.toks[i];
                    if t.flags & F_UPPER != 0 {
                        let l = after.0.get(&t.lw).copied().unwrap_or(0);
                        doc.later[i] = l;
                        any |= l != 0;
                    }
                }
            }
            after.record(doc, s, &tags[s.clone()]);
        }
        any
    }
}

/// The history bit that tag `tag` of the `j`-th token of its sentence gives
/// its word: its type, or [`HIST_NONE`] outside a name but not first in the
/// sentence; none for a word without capitals.
fn history_bit(t: &Tok, tag: u8, j: usize) -> Option<u8> {
    if t.flags & F_UPPER == 0 {
        return None;
    }
    match super::tags::tag_parts(tag) {
        Some((ty, _)) => Some(1 << ty),
        None if j > 0 => Some(HIST_NONE),
        None => None,
    }
}

/// The key of template `tid` over the values `a` and `b`.
#[inline(always)]
fn template_key(tid: u64, a: u64, b: u64) -> u32 {
    finish(mix(mix(tid.wrapping_mul(0x2127_599b_f432_5c37), a), b))
}

/// The template of [`DocFeatures::later`].
const T_LATER: u64 = 35;

/// The casing bits the history templates pair their value with.
pub(super) const HIST_CASE: u8 = F_TITLE | F_ALLCAPS;

/// Every value of a token's [`HIST_CASE`] bits.
pub(super) const HIST_CASES: [u8; 4] = [0, F_TITLE, F_ALLCAPS, HIST_CASE];

/// Where [`later_key`]'s feature of these values is in a table of `32 * 4`.
pub(super) fn later_index(later: u8, case: u8) -> usize {
    (later as usize & 31) * 4
        + (case & F_TITLE != 0) as usize
        + 2 * (case & F_ALLCAPS != 0) as usize
}

/// The key of the later-history feature `later` of a token whose flags'
/// [`HIST_CASE`] bits are `case`.
pub(super) fn later_key(later: u8, case: u8) -> u32 {
    template_key(T_LATER, later as u64, case as u64)
}

const BOS: u64 = 0x0123_4567_89ab_cdef;
const EOS: u64 = 0xfedc_ba98_7654_3210;

impl DocFeatures {
    pub(super) fn build(&mut self, words: &[&str], sents: &[Range<usize>], gaz: &EntityNames) {
        // Most tokens repeat a word seen before: each distinct word is
        // analysed (hashed, looked up in the clusters) once.
        self.toks.clear();
        self.toks.reserve(words.len());
        self.words.clear();
        self.words.reserve(words.len());
        self.spellings.clear();
        // word -> (its index among the distinct words, its first token)
        let mut distinct: HashMap<&str, (u32, usize), BuildHasherDefault<PassThrough>> =
            HashMap::default();
        for (i, &w) in words.iter().enumerate() {
            let next = distinct.len() as u32;
            let (k, first) = *distinct.entry(w).or_insert((next, i));
            let tok = if first == i {
                let (tok, spelling) = analyze(w);
                self.spellings.push(spelling);
                tok
            } else {
                self.toks[first]
            };
            self.toks.push(tok);
            self.words.push(k);
        }
        self.distinct = distinct.len();
        self.gaz.clear();
        self.gaz.resize(words.len(), 0);
        self.ctx.clear();
        self.ctx.resize(words.len(), 0);
        self.hist.clear();
        self.hist.resize(words.len(), 0);
        self.later.clear();
        self.later.resize(words.len(), 0);
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
            // Title case in every word but short function words: a headline
            // as news sites write it (`Killer Whales Leave Bay After Storm`),
            // where capitals do not mark names.
            let mut titled = 0;
            let mut words = 0;
            for t in &self.toks[s.clone()] {
                if t.flags & F_ALPHA != 0 && t.flags & F_LOWER != 0 {
                    words += 1;
                    titled += (t.flags & F_TITLE != 0) as usize;
                }
            }
            let title_headline = words >= 4 && titled * 5 >= words * 4;
            for i in s.clone() {
                let t = &self.toks[i];
                if i == s.start {
                    self.ctx[i] |= 4;
                }
                if headline {
                    self.ctx[i] |= 8;
                }
                if title_headline {
                    self.ctx[i] |= CTX_TITLE_HEADLINE;
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
                    && !title_headline
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
    pub(super) fn features(&self, s: &Range<usize>, i: usize, out: &mut [u32; MAXF]) -> usize {
        self.features_of(s, i, Which::All, out)
    }

    /// [`DocFeatures::features`], only those of the kind `which`. One list
    /// of templates for both kinds (in the order training sums them), each
    /// marked with what it reads: a word template only of `t`'s own fields.
    #[inline(always)]
    pub(super) fn features_of(
        &self,
        s: &Range<usize>,
        i: usize,
        which: Which,
        out: &mut [u32; MAXF],
    ) -> usize {
        let (word, context) = (which != Which::Context, which != Which::Word);
        let toks = &self.toks;
        let t = &toks[i];
        // What the token `j` places away holds, or the sentence's edge.
        let near = |j: isize, of: fn(&Tok) -> u64| -> u64 {
            let j = i as isize + j;
            if j < s.start as isize {
                BOS
            } else if j >= s.end as isize {
                EOS
            } else {
                of(&toks[j as usize])
            }
        };
        let lw = |j: isize| near(j, |t| t.lw);
        let sh = |j: isize| near(j, |t| t.shape);
        let mut n = 0;
        let mut put = |tid: u64, a: u64, b: u64| {
            out[n] = template_key(tid, a, b);
            n += 1;
        };
        let (lm2, lm1, l0, lp1, lp2) = (lw(-2), lw(-1), t.lw, lw(1), lw(2));
        let (sm1, s0, sp1) = (sh(-1), t.shape, sh(1));
        if word {
            put(1, 0, 0);
            put(2, l0, 0);
        }
        if context {
            put(3, lm1, 0);
            put(4, lp1, 0);
            put(5, lm2, 0);
            put(6, lp2, 0);
            put(7, lm1, l0);
            put(8, l0, lp1);
        }
        // (the context pass never reads it)
        let spelling = || &self.spellings[self.words[i] as usize];
        if word {
            put(9, spelling().form, 0);
            put(10, s0, 0);
        }
        if context {
            put(11, sm1, s0);
            put(12, s0, sp1);
            put(13, mix(sm1, s0), sp1);
        }
        if word {
            let spelling = spelling();
            for k in 0..4 {
                if spelling.pre[k] != 0 {
                    put(14 + k as u64, spelling.pre[k], 0);
                }
                if spelling.suf[k] != 0 {
                    put(18 + k as u64, spelling.suf[k], 0);
                }
            }
        }
        if context {
            let ctx = self.ctx[i];
            put(22, (ctx & 28) as u64, s0);
            put(23, lm1, s0);
            put(24, s0, lp1);
            if t.flags & F_UPPER != 0 {
                put(25, ctx as u64, (t.flags & (F_TITLE | F_ALLCAPS)) as u64);
            }
            let g = self.gaz[i];
            if g != 0 {
                for b in 0..(SOURCES * 4) as u64 {
                    if g & (1 << b) != 0 {
                        put(26, b, 0);
                    }
                }
                let (trained, listed) = (g & 0xFFFF, g >> 16);
                if trained != 0 {
                    put(27, trained as u64, 0);
                }
                if listed != 0 {
                    put(33, listed as u64, 0);
                }
            }
            let h = self.hist[i];
            if h != 0 {
                put(34, h as u64, (t.flags & HIST_CASE) as u64);
            }
            let l = self.later[i];
            if l != 0 {
                put(T_LATER, l as u64, (t.flags & HIST_CASE) as u64);
            }
        }
        if word {
            put(28, t.cl.fine as u64, 0);
            put(29, t.cl.mid as u64, 0);
            put(30, t.cl.coarse as u64, s0);
        }
        if context {
            let mid = |j: isize| near(j, |t| t.cl.mid as u64);
            put(31, mid(-1), t.cl.coarse as u64);
            put(32, t.cl.coarse as u64, mid(1));
        }
        n
    }
}

/// The hash of a word's lower-cased form (digits as `0`, trailing `.` and
/// `'s` dropped), as the model's features and gazetteer see it.
pub(crate) fn word_key(word: &str) -> u64 {
    analyze(word).0.lw
}
