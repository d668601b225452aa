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
//! - The entity names of the training data (as hashes of their lower-cased
//!   token sequences, no text, [`EntityNames`]) give BILU-position gazetteer
//!   features; in training they are collected jackknife-style (a document only
//!   sees the names from the other folds) so the model does not over-trust them.
//!   Names from lists beyond the training data (`tools/gazetteers.py`:
//!   places, listed companies, nationality adjectives) are in the same table
//!   with their own type bits, learned as features, never forced.
//! - Word clusters learned from far more text than the training data
//!   (`tools/clusters.py`), so unseen names look like seen ones.
//! - Prediction history: what the model labelled the same word in the
//!   document's earlier sentences (decoding goes sentence by sentence), and
//!   in its later ones (a second decoding of the sentences where the first
//!   labelled one of their words further on).
//! - Document context: whether a capitalised word also occurs lower-cased or
//!   title-cased mid-sentence elsewhere in the document, and whether its sentence
//!   is an all-caps or a title-case headline.
//!
//! One file per stage of the model's life:
//! - `tags`: the tag ids (`O` plus BILU per type) and spans <-> tags;
//! - `features`: the hash, word analysis, the entity names and the feature templates;
//! - `clusters`: word clusters from word vectors (`model/clusters.bin`);
//! - `decode`: scoring, Viterbi, document consistency and span confidence;
//! - `file`: the byte format (and the reader the learned model's file shares);
//! - `train`: perceptron training from documents;
//! - this file: the weight table and the model as a recognizer stage.
//!
//! Nothing here touches the file system: the CLI reads files, this module takes
//! words and bytes, so it runs the same in wasm.

mod clusters;
mod decode;
mod features;
mod file;
mod tags;
#[cfg(test)]
mod tests;
mod train;

pub(crate) use features::{breaks_names, core_of, finish, mix, word_key, PassThrough};
pub use features::{FEATURES_UNCHANGED_SINCE, FEATURE_VERSION};
pub use file::read_listed_names;
pub(crate) use file::Reader;
pub(crate) use tags::{may_follow, split_tag, tag_index};
pub use tags::{
    spans_from_tags, tag_id, tag_name, tag_parts, tags_from_spans, Part, EDGE, LABELS, NT,
};
pub use train::{train, Casing, EpochLog, Sentence, TrainDoc, TrainOptions};

use decode::Trans;
use features::{EntityNames, MAXF};

use crate::doc::Source;
use crate::recognize::{Candidate, Context, Stage};

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
    names: EntityNames,
    /// The emission scores of every later-history feature
    /// ([`features::later_key`]), at [`features::later_index`]; `None` when the model
    /// has no weight for any (then the second decoding would change
    /// nothing, and is skipped).
    later: Option<Box<[[f32; NT]]>>,
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
static SHIPPED: &[u8] = include_bytes!("../../../model/ner.bin");

impl Model {
    /// The model shipped with spanmark (compiled in; no file IO).
    pub fn shipped() -> Model {
        Model::from_bytes(SHIPPED).expect("the shipped model file is valid")
    }

    /// A model from its weights and tables, quantising to `i8`.
    fn build(
        weights: &[(u32, [f32; NT])],
        trans: Box<Trans>,
        names: EntityNames,
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
        let keys: Vec<u32> = q.iter().map(|r| r.0).collect();
        let rows = q.iter().map(|r| pack(&r.1)).collect();
        Model::from_rows(&keys, rows, scale, trans, names, temperature)
    }

    /// A model from its feature keys and their rows (in the same order).
    fn from_rows(
        keys: &[u32],
        mut rows: Vec<Row>,
        scale: f32,
        trans: Box<Trans>,
        names: EntityNames,
        temperature: f32,
    ) -> Model {
        // The rows in the order given, then the zero row.
        let zero = rows.len() as u32;
        let cap = (rows.len() * 5 / 3 + 1).next_power_of_two().max(16);
        let mask = cap - 1;
        let mut slots = vec![Slot { key: 0, row: zero }; cap];
        for (i, &key) in keys.iter().enumerate() {
            let mut s = key as usize & mask;
            // A key listed twice (only a hand-made table has that) keeps its
            // last row.
            while slots[s].key != key && slots[s].key != 0 {
                s = (s + 1) & mask;
            }
            slots[s] = Slot { key, row: i as u32 };
        }
        rows.push(pack(&[0i8; NT]));
        let mut m = Model {
            slots,
            mask,
            rows,
            scale,
            temperature,
            trans,
            names,
            later: None,
        };
        let mut later = vec![[0f32; NT]; 32 * 4];
        let mut any = false;
        for l in 1..32u8 {
            for case in features::HIST_CASES {
                let row = m.row(features::later_key(l, case));
                any |= row.iter().any(|&x| x != 0);
                for (o, &x) in later[features::later_index(l, case)].iter_mut().zip(&row) {
                    *o = x as f32 * scale;
                }
            }
        }
        if any {
            m.later = Some(later.into_boxed_slice());
        }
        m
    }

    /// Number of weighted features and of gazetteer entries.
    pub fn sizes(&self) -> (usize, usize) {
        let weighted = self.slots.iter().filter(|e| e.key != 0).count();
        (weighted, self.names.len())
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
}

/// Whether the `.` that ends token `i` also ends its sentence: the token is
/// the last of a sentence the model decodes, or a quote, a digit (a
/// dateline's date), a line break or the end of the text follows.
fn stop_after(cx: &Context, sentences: &[std::ops::Range<usize>], i: usize) -> bool {
    let k = sentences.partition_point(|s| s.end <= i);
    if sentences.get(k).is_some_and(|s| s.end == i + 1) {
        return true;
    }
    let rest = cx.text[cx.tokens[i].end..].trim_start_matches([' ', '\t']);
    rest.chars().next().is_none_or(|c| {
        c.is_ascii_digit()
            || matches!(
                c,
                '\n' | '\r' | '"' | '\'' | '\u{201C}' | '\u{201D}' | '\u{2018}' | '\u{2019}'
            )
    })
}

/// The model as a recognizer stage: PER/ORG/LOC/MISC candidates with
/// `Source::Model`. A span never ends in a possessive `'s` the tokenizer left
/// attached to the name, and a person's never starts with a title (`Mr.`).
impl Stage for Model {
    fn name(&self) -> &'static str {
        "model"
    }

    fn find(&self, cx: &Context, out: &mut Vec<Candidate>) {
        let words: Vec<&str> = cx.tokens.iter().map(|t| t.text(cx.text)).collect();
        let sentences = crate::recognize::model_sentences(cx.text, cx.tokens, cx.sentences);
        for e in self.entities(&words, &sentences) {
            // `Mr. Smith`: the title is not part of the name.
            let first = if LABELS[e.label] == "PER"
                && e.end - e.start > 1
                && crate::tokenize::is_personal_title(words[e.start])
            {
                e.start + 1
            } else {
                e.start
            };
            let start = cx.tokens[first].start;
            let last = &cx.tokens[e.end - 1];
            let w = last.text(cx.text);
            let mut end = last.end;
            let core = core_of(w);
            if core.len() < w.len() && !w.ends_with('.') {
                end = last.start + core.len();
            }
            if w.len() > 1 && w.ends_with('.') && stop_after(cx, &sentences, e.end - 1) {
                // `Lear Corp.` at a sentence's end: its period is the full
                // stop, outside the name (as CoNLL and OntoNotes tokenize it)
                end -= 1;
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
