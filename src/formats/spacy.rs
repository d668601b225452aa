//! spaCy v3: the training JSON `[[text, {"entities": [[start, end, label], ...]}], ...]`
//! (code point offsets, what `Example.from_dict` reads) and the binary
//! `DocBin` (`.spacy`) that `spacy train` reads directly.
//!
//! DocBin layout (spacy/tokens/_serialize.py, spaCy 3.8): zlib-compressed
//! msgpack of a map with `version` "0.1", `attrs` (attribute ids, ORTH
//! first: here `[ORTH, ENT_IOB, ENT_TYPE]` = `[65, 77, 78]`), `tokens` (one
//! little-endian uint64 per token and attribute, row-major), `spaces` (one
//! bool byte per token), `lengths` (int32 tokens per doc), `strings` (every
//! string the ids stand for, sorted), `cats`, `flags`
//! (`has_unknown_spaces`), `span_groups` (empty) and `user_data` (the
//! spanmark document id under `"spanmark_id"`). String ids are spaCy's:
//! the symbol table's fixed id for its ~460 symbols ("ORG", "DATE", ...),
//! else MurmurHash64A of the UTF-8 with seed 1.
//!
//! Text and whitespace are exact: spaCy rebuilds a Doc's text from each
//! token's text plus one optional trailing space, so other whitespace becomes
//! tokens of its own as spaCy's tokenizer makes them, and tokens are split at
//! every span edge ([`util::spacy_tokens`]).
//!
//! Every span, nested and crossing ones included, is in `doc.spans["sc"]`
//! (spancat's default key); `doc.ents` holds the outermost of them that do
//! not overlap (what spaCy's NER trains on): in the DocBin as the tokens'
//! IOB (`B`=3, `I`=1, `O`=2) and type, in the JSON as `"entities"` beside
//! `"spans": {"sc": [[start, end, label], ...]}` (what `Example.from_dict`
//! reads). Document labels are `doc.cats`: 1.0 for each the document has,
//! 0.0 for the project's others. A DocBin span group is msgpack
//! `{name, attrs, spans}`, each span packed `>QQQllll` (id, kb_id, label,
//! start token, end token, start char, end char: spacy/tokens/span_group.pyx),
//! and a document's groups a map from each group's bytes to its keys
//! (spacy/tokens/_dict_proxies.py); the span's id is its spanmark id. The
//! DocBin keeps span and document ids, the JSON neither. Reading back: spans
//! from `doc.spans` (every key, `sc` first) and `doc.ents`, each place and
//! label once; cats of 0.5 or more are the document's labels, every cat a
//! label of the project. Relations and notes have no place in either.

use super::spacy_symbols;
use super::util;
use super::{FormatError, Imported, Options};
use crate::doc::{Document, Project, Span};
use crate::text::{OffsetMap, OffsetUnit};
use rmpv::Value as Mp;
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, HashMap};
use std::io::{Read, Write};

pub const ORTH: u64 = 65;
pub const ENT_IOB: u64 = 77;
pub const ENT_TYPE: u64 = 78;
pub const SPACY: u64 = 81;

const IOB_I: u64 = 1;
const IOB_O: u64 = 2;
const IOB_B: u64 = 3;

/// The user_data key that carries the document id.
const ID_KEY: &str = "spanmark_id";

/// The `doc.spans` key every span is written under (spancat's default).
const SPAN_KEY: &str = "sc";

/// spaCy's id for a string: its symbol id, or MurmurHash64A(utf8, seed 1).
pub fn string_id(s: &str) -> u64 {
    if s.is_empty() {
        return 0;
    }
    if let Ok(i) = spacy_symbols::BY_NAME.binary_search_by(|(n, _)| (*n).cmp(s)) {
        return spacy_symbols::BY_NAME[i].1;
    }
    murmur64a(s.as_bytes(), 1)
}

/// MurmurHash64A (Austin Appleby), as spaCy's `hash_string` uses it.
fn murmur64a(key: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h: u64 = seed ^ (key.len() as u64).wrapping_mul(M);
    let chunks = key.chunks_exact(8);
    let tail = chunks.remainder();
    for c in chunks {
        let mut k = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= (b as u64) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The training JSON, one `[text, {"entities": ...}]` per line of the array.
pub fn export_json(project: &Project, options: &Options) -> Result<String, FormatError> {
    let options = Options {
        spacy_binary: false,
        ..options.clone()
    };
    super::export_text(super::Format::Spacy, project, &options)
}

/// The spans of `spans` (in export order) that `doc.ents` holds: each one
/// that starts after the last kept ends, so the outermost of a nest.
fn outermost<'s>(spans: &[(usize, usize, &'s Span)]) -> Vec<&'s Span> {
    let mut kept: Vec<&Span> = Vec::new();
    for &(_, _, s) in spans {
        if kept.last().is_none_or(|k| k.end <= s.start) {
            kept.push(s);
        }
    }
    kept
}

/// `doc.cats`: 1.0 for the document's labels, then 0.0 for the project's
/// others.
fn cats(d: &Document, doc_labels: &[String]) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = d.doc_labels.iter().map(|l| (l.clone(), 1.0)).collect();
    for l in doc_labels {
        if !d.doc_labels.contains(l) {
            out.push((l.clone(), 0.0));
        }
    }
    out
}

/// A document's line of the training JSON.
pub(crate) fn json_item(d: &Document, doc_labels: &[String]) -> Result<String, FormatError> {
    let map = OffsetMap::new(&d.text);
    let spans = util::spans_in(d, &map, OffsetUnit::Codepoint)?;
    let ents: Vec<Value> = outermost(&spans)
        .iter()
        .map(|s| json!([s.start, s.end, s.label]))
        .collect();
    let mut annot = Map::new();
    annot.insert("entities".into(), Value::Array(ents));
    if !spans.is_empty() {
        let all: Vec<Value> = spans
            .iter()
            .map(|&(a, b, s)| json!([a, b, s.label]))
            .collect();
        annot.insert("spans".into(), json!({ SPAN_KEY: all }));
    }
    let cats = cats(d, doc_labels);
    if !cats.is_empty() {
        let cats: Map<String, Value> = cats.into_iter().map(|(l, v)| (l, json!(v))).collect();
        annot.insert("cats".into(), Value::Object(cats));
    }
    util::line(&json!([d.text, annot]))
}

/// The binary DocBin.
pub fn export_docbin(project: &Project, _options: &Options) -> Result<Vec<u8>, FormatError> {
    let mut bin = DocBin::default();
    for d in &project.documents {
        bin.add(d, &project.labels.doc_labels.names)?;
    }
    bin.finish()
}

/// A DocBin built document by document: its columns grow with each, and
/// the whole is packed and compressed at the end (msgpack has no way to
/// write a column before knowing its length).
#[derive(Debug, Default)]
pub struct DocBin {
    strings: BTreeSet<String>,
    tokens: Vec<u8>,
    spaces: Vec<u8>,
    lengths: Vec<u8>,
    user_data: Vec<Mp>,
    cats: Vec<Mp>,
    span_groups: Vec<Mp>,
}

impl DocBin {
    pub fn add(&mut self, d: &Document, doc_labels: &[String]) -> Result<(), FormatError> {
        let map = OffsetMap::new(&d.text);
        let spans = util::spans_in(d, &map, OffsetUnit::Codepoint)?;
        let byte = |c: usize| map.char_to_byte(c).unwrap_or(0);
        let ranges: Vec<(usize, usize)> =
            spans.iter().map(|&(a, b, _)| (byte(a), byte(b))).collect();
        // doc.ents, as byte ranges.
        let ents: Vec<(usize, usize, &str)> = outermost(&spans)
            .into_iter()
            .map(|s| (byte(s.start), byte(s.end), s.label.as_str()))
            .collect();
        let toks = util::spacy_tokens(&d.text, &ranges);
        debug_assert_eq!(util::rebuild(&d.text, &toks), d.text);
        let n = i32::try_from(toks.len())
            .map_err(|_| FormatError::new(format!("document {:?} has too many tokens", d.id)))?;
        let mut ud = Vec::new();
        let id_map = Mp::Map(vec![(Mp::from(ID_KEY), Mp::from(d.id.as_str()))]);
        rmpv::encode::write_value(&mut ud, &id_map).map_err(|e| FormatError::new(e.to_string()))?;
        let mut k = 0;
        for t in &toks {
            while k < ents.len() && ents[k].1 <= t.start {
                k += 1;
            }
            let (iob, ty) = match ents.get(k) {
                Some(&(a, _, label)) if a <= t.start => {
                    self.remember(label);
                    (if a == t.start { IOB_B } else { IOB_I }, string_id(label))
                }
                _ => (IOB_O, 0),
            };
            let orth = &d.text[t.start..t.end];
            self.remember(orth);
            for v in [string_id(orth), iob, ty] {
                self.tokens.extend_from_slice(&v.to_le_bytes());
            }
            self.spaces.push(t.space as u8);
        }
        self.lengths.extend_from_slice(&n.to_le_bytes());
        self.user_data.push(Mp::Binary(ud));
        self.cats.push(Mp::Map(
            cats(d, doc_labels)
                .into_iter()
                .map(|(l, v)| (Mp::from(l), Mp::F64(v)))
                .collect(),
        ));
        let mut packed = Vec::with_capacity(spans.len());
        for (&(a, b, s), &(ba, bb)) in spans.iter().zip(&ranges) {
            // Every span edge is a token edge (the tokens were cut there).
            let first = toks.partition_point(|t| t.start < ba);
            let end = toks.partition_point(|t| t.end <= bb);
            let id = s.id.as_deref().map_or(0, |id| {
                self.remember(id);
                string_id(id)
            });
            self.remember(&s.label);
            let mut row = Vec::with_capacity(40);
            for v in [id, 0, string_id(&s.label)] {
                row.extend_from_slice(&v.to_be_bytes());
            }
            for v in [first, end, a, b] {
                let v = i32::try_from(v).map_err(|_| {
                    FormatError::new(format!("document {:?} is too long for a DocBin", d.id))
                })?;
                row.extend_from_slice(&v.to_be_bytes());
            }
            packed.push(Mp::Binary(row));
        }
        self.span_groups.push(if packed.is_empty() {
            Mp::Binary(vec![EMPTY_LIST])
        } else {
            let group = Mp::Map(vec![
                (Mp::from("name"), Mp::from(SPAN_KEY)),
                (Mp::from("attrs"), Mp::Map(Vec::new())),
                (Mp::from("spans"), Mp::Array(packed)),
            ]);
            let groups = Mp::Map(vec![(
                Mp::Binary(msgpack(&group)?),
                Mp::Array(vec![Mp::from(SPAN_KEY)]),
            )]);
            Mp::Binary(msgpack(&groups)?)
        });
        Ok(())
    }

    fn remember(&mut self, s: &str) {
        if !self.strings.contains(s) {
            self.strings.insert(s.to_string());
        }
    }

    pub fn finish(self) -> Result<Vec<u8>, FormatError> {
        let n = self.user_data.len();
        let msg = Mp::Map(vec![
            (Mp::from("version"), Mp::from("0.1")),
            (
                Mp::from("attrs"),
                Mp::Array(vec![Mp::from(ORTH), Mp::from(ENT_IOB), Mp::from(ENT_TYPE)]),
            ),
            (Mp::from("tokens"), Mp::Binary(self.tokens)),
            (Mp::from("spaces"), Mp::Binary(self.spaces)),
            (Mp::from("lengths"), Mp::Binary(self.lengths)),
            (
                Mp::from("strings"),
                Mp::Array(self.strings.into_iter().map(Mp::from).collect()),
            ),
            (Mp::from("cats"), Mp::Array(self.cats)),
            (
                Mp::from("flags"),
                Mp::Array(vec![
                    Mp::Map(vec![(
                        Mp::from("has_unknown_spaces"),
                        Mp::Boolean(false)
                    )]);
                    n
                ]),
            ),
            (Mp::from("span_groups"), Mp::Array(self.span_groups)),
            (Mp::from("user_data"), Mp::Array(self.user_data)),
        ]);
        let mut packed = Vec::new();
        rmpv::encode::write_value(&mut packed, &msg)
            .map_err(|e| FormatError::new(e.to_string()))?;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&packed)
            .and_then(|_| z.finish())
            .map_err(|e| FormatError::new(e.to_string()))
    }
}

/// Reads a DocBin (zlib data) or the training JSON.
pub fn import(content: &[u8]) -> Result<Imported, FormatError> {
    if content.first() == Some(&0x78) {
        return import_docbin(content);
    }
    import_json(util::utf8(content)?)
}

pub fn import_json(content: &str) -> Result<Imported, FormatError> {
    let v: Value = serde_json::from_str(content).map_err(|e| FormatError::from_json(&e))?;
    let items = v.as_array().ok_or_else(|| {
        FormatError::new(format!(
            "expected a JSON array of [text, {{\"entities\": ...}}], found {}",
            util::type_name(&v)
        ))
    })?;
    let mut docs = Vec::new();
    let mut all_cats = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let at = |m: String| FormatError::new(format!("item {}: {m}", n + 1));
        let pair = item
            .as_array()
            .filter(|a| a.len() == 2)
            .ok_or_else(|| at("expected [text, {\"entities\": [...]}]".into()))?;
        let text = pair[0].as_str().ok_or_else(|| {
            at(format!(
                "text is {}, expected a string",
                util::type_name(&pair[0])
            ))
        })?;
        let annot = pair[1].as_object().ok_or_else(|| {
            at(format!(
                "annotations are {}, expected an object",
                util::type_name(&pair[1])
            ))
        })?;
        let map = OffsetMap::new(text);
        let mut d = Document::new(format!("doc-{}", n + 1), text);
        let mut meta = Map::new();
        // `list` names the list in messages, `what` one of its items.
        let triples = |list: &str, what: &str, v: &Value| -> Result<Vec<Span>, FormatError> {
            let items = v.as_array().ok_or_else(|| {
                at(format!(
                    "{list} is {}, expected an array",
                    util::type_name(v)
                ))
            })?;
            items
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    (|| -> Result<Span, String> {
                        let a = e
                            .as_array()
                            .filter(|a| a.len() >= 3)
                            .ok_or("expected [start, end, label]")?;
                        let start = util::as_offset(&a[0], "start")?;
                        let end = util::as_offset(&a[1], "end")?;
                        let label = a[2].as_str().ok_or("label is not a string")?;
                        let (s, t) = util::span_from(&map, start, end, OffsetUnit::Codepoint)?;
                        Ok(Span::new(s, t, label))
                    })()
                    .map_err(|m| at(format!("{what} {i}: {m}")))
                })
                .collect()
        };
        let mut groups = Vec::new();
        let mut ents = Vec::new();
        let mut cats = Vec::new();
        for (k, val) in annot {
            match k.as_str() {
                "entities" => ents = triples("\"entities\"", "entity", val)?,
                "spans" => {
                    let keys = val.as_object().ok_or_else(|| {
                        at(format!(
                            "\"spans\" is {}, expected an object of span groups",
                            util::type_name(val)
                        ))
                    })?;
                    for (key, list) in keys {
                        groups.push((
                            key.clone(),
                            triples(
                                &format!("span group {key:?}"),
                                &format!("span group {key:?} item"),
                                list,
                            )?,
                        ));
                    }
                }
                "cats" => {
                    let c = val.as_object().ok_or_else(|| {
                        at(format!(
                            "\"cats\" is {}, expected an object",
                            util::type_name(val)
                        ))
                    })?;
                    for (label, score) in c {
                        let score = score
                            .as_f64()
                            .ok_or_else(|| at(format!("cat {label:?} is not a number")))?;
                        cats.push((label.clone(), score));
                    }
                }
                _ => {
                    meta.insert(k.clone(), val.clone());
                }
            }
        }
        d.spans = merge_spans(groups, ents);
        d.doc_labels = doc_labels(&cats);
        d.meta = Value::Object(meta);
        all_cats.extend(cats.into_iter().map(|(l, _)| l));
        docs.push(d);
    }
    finish_with_cats(docs, Vec::new(), all_cats)
}

/// The spans of span groups (`sc` first, then the others in order) and
/// `doc.ents`, each place and label once: the ents of a spanmark file are
/// in `sc` too.
fn merge_spans(mut groups: Vec<(String, Vec<Span>)>, ents: Vec<Span>) -> Vec<Span> {
    groups.sort_by_key(|(key, _)| key != SPAN_KEY);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for s in groups.into_iter().flat_map(|(_, g)| g).chain(ents) {
        if seen.insert((s.start, s.end, s.label.clone())) {
            out.push(s);
        }
    }
    out
}

/// The labels a document's cats give it: those scored 0.5 or more.
fn doc_labels(cats: &[(String, f64)]) -> Vec<String> {
    cats.iter()
        .filter(|(_, v)| *v >= 0.5)
        .map(|(l, _)| l.clone())
        .collect()
}

/// Finishes an import whose cats name the project's document labels.
fn finish_with_cats(
    docs: Vec<Document>,
    warnings: Vec<String>,
    cats: Vec<String>,
) -> Result<Imported, FormatError> {
    let mut out = util::finish_linked(docs, warnings)?;
    let names = &mut out.project.labels.doc_labels.names;
    for l in cats {
        if !names.contains(&l) {
            names.push(l);
        }
    }
    Ok(out)
}

/// An empty msgpack list: what spaCy writes for a document without span
/// groups.
const EMPTY_LIST: u8 = 0x90;

fn msgpack(v: &Mp) -> Result<Vec<u8>, FormatError> {
    let mut out = Vec::new();
    rmpv::encode::write_value(&mut out, v).map_err(|e| FormatError::new(e.to_string()))?;
    Ok(out)
}

fn bad(m: impl std::fmt::Display) -> FormatError {
    FormatError::new(format!("not a readable spaCy DocBin: {m}"))
}

fn field<'m>(msg: &'m [(Mp, Mp)], key: &str) -> Option<&'m Mp> {
    msg.iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(_, v)| v)
}

pub fn import_docbin(content: &[u8]) -> Result<Imported, FormatError> {
    let mut packed = Vec::new();
    flate2::read::ZlibDecoder::new(content)
        .read_to_end(&mut packed)
        .map_err(|e| bad(format!("zlib: {e}")))?;
    let msg = rmpv::decode::read_value(&mut packed.as_slice())
        .map_err(|e| bad(format!("msgpack: {e}")))?;
    let msg = msg
        .as_map()
        .ok_or_else(|| bad("the top level is not a map"))?;
    let need = |k: &str| field(msg, k).ok_or_else(|| bad(format!("no {k:?}")));
    let attrs: Vec<u64> = need("attrs")?
        .as_array()
        .ok_or_else(|| bad("\"attrs\" is not a list"))?
        .iter()
        .map(|a| {
            a.as_u64()
                .ok_or_else(|| bad("an attribute id is not a number"))
        })
        .collect::<Result<_, _>>()?;
    let col = |id: u64| attrs.iter().position(|&a| a == id);
    let orth_col = col(ORTH).ok_or_else(|| bad("ORTH is not among \"attrs\""))?;
    let (iob_col, type_col, spacy_col) = (col(ENT_IOB), col(ENT_TYPE), col(SPACY));
    let bin = |k: &str| -> Result<&[u8], FormatError> {
        match need(k)? {
            Mp::Binary(b) => Ok(b.as_slice()),
            _ => Err(bad(format!("{k:?} is not binary"))),
        }
    };
    let tokens = bin("tokens")?;
    let spaces = bin("spaces").unwrap_or(&[]);
    let lengths: Vec<usize> = bin("lengths")?
        .chunks(4)
        .map(|c| {
            let c: [u8; 4] = c.try_into().map_err(|_| bad("\"lengths\" is cut short"))?;
            usize::try_from(i32::from_le_bytes(c)).map_err(|_| bad("a negative length"))
        })
        .collect::<Result<_, _>>()?;
    let total: usize = lengths.iter().sum();
    let ncols = attrs.len();
    if tokens.len() != total * ncols * 8 {
        return Err(bad(format!(
            "\"tokens\" holds {} bytes, expected {} ({} tokens x {} attributes x 8)",
            tokens.len(),
            total * ncols * 8,
            total,
            ncols
        )));
    }
    if !spaces.is_empty() && spaces.len() != total {
        return Err(bad(format!(
            "\"spaces\" holds {} flags for {total} tokens",
            spaces.len()
        )));
    }
    let mut strings: HashMap<u64, &str> = HashMap::new();
    for s in need("strings")?
        .as_array()
        .ok_or_else(|| bad("\"strings\" is not a list"))?
    {
        if let Some(s) = s.as_str() {
            strings.insert(string_id(s), s);
        }
    }
    let lookup = |id: u64| -> Option<&str> {
        if (id as usize) < spacy_symbols::BY_ID.len() {
            Some(spacy_symbols::BY_ID[id as usize])
        } else {
            strings.get(&id).copied()
        }
    };
    let value = |row: usize, c: usize| {
        let at = (row * ncols + c) * 8;
        u64::from_le_bytes(tokens[at..at + 8].try_into().expect("8 bytes"))
    };
    let list = |k: &str| field(msg, k).and_then(|v| v.as_array());
    let warnings = Vec::new();
    let mut docs = Vec::new();
    let mut all_cats = Vec::new();
    let mut row = 0;
    for (n, &len) in lengths.iter().enumerate() {
        let mut d = Document::new(format!("doc-{}", n + 1), "");
        if let Some(Mp::Binary(b)) = list("user_data").and_then(|l| l.get(n)) {
            if let Ok(Mp::Map(m)) = rmpv::decode::read_value(&mut b.as_slice()) {
                if let Some(id) = field(&m, ID_KEY).and_then(|v| v.as_str()) {
                    d.id = id.to_string();
                }
            }
        }
        let mut text = String::new();
        let mut chars = 0;
        let mut open: Option<(usize, &str)> = None;
        let mut spans = Vec::new();
        // Where the previous token's text ends (before its trailing space).
        let mut prev_end = 0;
        // Each token's [start, end) in code points, for span groups.
        let mut bounds: Vec<(usize, usize)> = Vec::with_capacity(len);
        for r in row..row + len {
            let id = value(r, orth_col);
            let orth = lookup(id).ok_or_else(|| {
                bad(format!(
                    "document {}, token {}: string {id} is not in \"strings\"",
                    n + 1,
                    r - row
                ))
            })?;
            let iob = iob_col.map_or(0, |c| value(r, c));
            let ty = match type_col.map_or(0, |c| value(r, c)) {
                0 => "",
                t => lookup(t).ok_or_else(|| {
                    bad(format!(
                        "document {}, token {}: entity type {t} is not in \"strings\"",
                        n + 1,
                        r - row
                    ))
                })?,
            };
            let start = chars;
            let continues = iob == IOB_I && open.is_some_and(|(_, t)| t == ty);
            if !continues {
                if let Some((s, t)) = open.take() {
                    spans.push(Span::new(s, prev_end, t));
                }
                if (iob == IOB_B || iob == IOB_I) && !ty.is_empty() {
                    open = Some((start, ty));
                }
            }
            text.push_str(orth);
            chars += orth.chars().count();
            prev_end = chars;
            bounds.push((start, chars));
            let space = if spaces.is_empty() {
                spacy_col.is_some_and(|c| value(r, c) != 0)
            } else {
                spaces[r] != 0
            };
            if space {
                text.push(' ');
                chars += 1;
            }
        }
        if let Some((s, t)) = open.take() {
            spans.push(Span::new(s, prev_end, t));
        }
        row += len;
        let groups = match list("span_groups").and_then(|l| l.get(n)) {
            Some(Mp::Binary(b)) => span_groups(b, &bounds, &lookup)
                .map_err(|m| bad(format!("document {}, span groups: {m}", n + 1)))?,
            _ => Vec::new(),
        };
        let mut cats = Vec::new();
        if let Some(Mp::Map(c)) = list("cats").and_then(|l| l.get(n)) {
            for (k, v) in c {
                let (Some(label), Some(score)) = (k.as_str(), v.as_f64()) else {
                    return Err(bad(format!(
                        "document {}: a cat that is not a label and a score",
                        n + 1
                    )));
                };
                cats.push((label.to_string(), score));
            }
        }
        d.text = text;
        d.spans = merge_spans(groups, spans);
        d.doc_labels = doc_labels(&cats);
        all_cats.extend(cats.into_iter().map(|(l, _)| l));
        docs.push(d);
    }
    finish_with_cats(docs, warnings, all_cats)
}

/// A document's span groups (spaCy's `SpanGroups.to_bytes`: a map from each
/// group's bytes to its keys, or an older list of groups), as (key, spans);
/// `bounds` are the tokens' code point ranges.
fn span_groups<'s>(
    bytes: &[u8],
    bounds: &[(usize, usize)],
    lookup: &dyn Fn(u64) -> Option<&'s str>,
) -> Result<Vec<(String, Vec<Span>)>, String> {
    if bytes.is_empty() || bytes == [EMPTY_LIST] {
        return Ok(Vec::new());
    }
    let msg = rmpv::decode::read_value(&mut &bytes[..]).map_err(|e| format!("msgpack: {e}"))?;
    let groups: Vec<(&[u8], Option<&str>)> = match &msg {
        Mp::Map(m) => m
            .iter()
            .filter_map(|(k, keys)| {
                let key = keys.as_array().and_then(|a| a.first()).and_then(Mp::as_str);
                Some((k.as_slice()?, key))
            })
            .collect(),
        Mp::Array(a) => a
            .iter()
            .filter_map(|g| Some((g.as_slice()?, None)))
            .collect(),
        _ => return Err("neither a map nor a list".into()),
    };
    let mut out = Vec::new();
    for (g, key) in groups {
        let g = rmpv::decode::read_value(&mut &g[..]).map_err(|e| format!("msgpack: {e}"))?;
        let g = g.as_map().ok_or("a group is not a map")?;
        let name = field(g, "name").and_then(Mp::as_str).unwrap_or("");
        let key = key.unwrap_or(name).to_string();
        let mut spans = Vec::new();
        for row in field(g, "spans")
            .and_then(Mp::as_array)
            .into_iter()
            .flatten()
        {
            let row = row
                .as_slice()
                .filter(|r| r.len() == 40)
                .ok_or_else(|| format!("group {key:?}: a span is not 40 bytes"))?;
            let q =
                |i: usize| u64::from_be_bytes(row[i * 8..i * 8 + 8].try_into().expect("8 bytes"));
            let l = |i: usize| {
                i32::from_be_bytes(row[24 + i * 4..28 + i * 4].try_into().expect("4 bytes"))
            };
            let (id, label, first, end) = (q(0), q(2), l(0), l(1));
            let label = lookup(label).filter(|l| !l.is_empty()).ok_or_else(|| {
                format!("group {key:?}: span label {label} is not in \"strings\"")
            })?;
            let (first, end) = (usize::try_from(first), usize::try_from(end));
            let (Ok(first), Ok(end)) = (first, end) else {
                return Err(format!("group {key:?}: a span with a negative token index"));
            };
            if first >= end || end > bounds.len() {
                return Err(format!(
                    "group {key:?}: span of tokens {first}..{end} is not within the {} tokens",
                    bounds.len()
                ));
            }
            let mut s = Span::new(bounds[first].0, bounds[end - 1].1, label);
            if id != 0 {
                s.id = lookup(id).map(String::from);
            }
            spans.push(s);
        }
        out.push((key, spans));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_ids_match_spacy() {
        // Values from spaCy 3.8's StringStore.
        assert_eq!(string_id("apple"), 8566208034543834098);
        assert_eq!(string_id("PER"), 4317129024397789502);
        assert_eq!(string_id("ORG"), 383);
        assert_eq!(string_id("LOC"), 385);
        assert_eq!(string_id("MISC"), 7654241940133152407);
        assert_eq!(string_id("Zoë"), 16948573035762911534);
        assert_eq!(string_id("😀"), 13900606239988879105);
        assert_eq!(string_id(" "), 8532415787641010193);
        assert_eq!(string_id("\n"), 962983613142996970);
        assert_eq!(string_id("EMAIL"), 17587345535198158200);
        assert_eq!(string_id("CARDINAL"), 397);
        assert_eq!(string_id(""), 0);
    }

    fn sample() -> Project {
        let text = "  Zoë Ball\r\nflew  to 🇫🇷Paris\tand ORG’s e\u{301}clair 👨‍👩‍👧 New York ";
        let cp = |s: &str| text[..text.find(s).unwrap()].chars().count();
        let mut d = Document::new("first doc", text);
        d.spans.push(Span::new(2, 10, "PER"));
        let p = cp("Paris");
        d.spans.push(Span::new(p, p + 5, "LOC"));
        d.spans.push(Span::new(cp("ORG’s"), cp("ORG’s") + 3, "ORG"));
        d.spans
            .push(Span::new(cp("e\u{301}"), cp("e\u{301}") + 7, "MISC"));
        d.spans.push(Span::new(cp("👨"), cp("👨") + 5, "MISC"));
        // "New York " with its trailing space, ending the text.
        d.spans.push(Span::new(cp("New"), cp("New") + 9, "LOC"));
        let mut e = Document::new("2", "Paris");
        e.spans.push(Span::new(0, 5, "GPE"));
        let mut p = Project {
            labels: crate::labels::LabelSet::empty(),
            documents: vec![d, Document::new("empty", ""), e],
            ..Default::default()
        };
        p.add_missing_labels();
        p
    }

    #[test]
    fn docbin_round_trip_keeps_text_spans_and_ids() {
        let p = sample();
        let bytes = export_docbin(&p, &Options::default()).unwrap();
        let back = import(&bytes).unwrap();
        assert_eq!(back.project, p);
        assert!(back.warnings.is_empty());
    }

    #[test]
    fn json_round_trip_keeps_text_and_spans() {
        let p = sample();
        let out = export_json(&p, &Options::default()).unwrap();
        assert!(out.starts_with("[\n[\"  Zoë Ball"), "{out}");
        let back = import(out.as_bytes()).unwrap().project;
        let strip = |p: &Project| -> Vec<(String, Vec<Span>)> {
            p.documents
                .iter()
                .map(|d| (d.text.clone(), d.spans.clone()))
                .collect()
        };
        assert_eq!(strip(&back), strip(&p));
        assert!(export_json(
            &p,
            &Options {
                offsets: OffsetUnit::Utf16,
                ..Options::default()
            }
        )
        .is_err());
    }

    #[test]
    fn bad_input_is_reported() {
        assert!(import(b"\x78\x9c garbage")
            .unwrap_err()
            .message
            .contains("DocBin"));
        let e = import(br#"[["abc", {"entities": [[0, 9, "X"]]}]]"#).unwrap_err();
        assert!(
            e.message.contains("item 1: entity 0") && e.message.contains("past the end"),
            "{e}"
        );
        let e = import(b"[[\"abc\", {\"entities\": [[0, 1]]}]]").unwrap_err();
        assert!(e.message.contains("[start, end, label]"), "{e}");
        let e = import(b"[[\"abc\",\n {\"entities\": [[0, 1, \"X\"]}]]").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        let e =
            import(br#"[["abc", {"entities": [], "spans": {"sc": [[0, 1, "X"], [1, 1, "Y"]]}}]]"#)
                .unwrap_err();
        assert!(e.message.contains("span group \"sc\" item 1"), "{e}");
        let e = import(br#"[["abc", {"entities": {}}]]"#).unwrap_err();
        assert!(
            e.message
                .contains("\"entities\" is an object, expected an array"),
            "{e}"
        );
    }

    /// "Bank of China" with "China" inside it and "of China hired" across
    /// it; document labels from a project of three.
    fn nested() -> Project {
        let mut d = Document::new("n1", "Bank of China hired Ada");
        for (a, b, l) in [
            (0, 13, "ORG"),
            (8, 13, "LOC"),
            (5, 19, "X"),
            (20, 23, "PER"),
        ] {
            d.spans.push(Span::new(a, b, l));
        }
        d.sort_spans();
        d.number_ids();
        d.doc_labels = vec!["hiring".into()];
        let mut p = Project {
            labels: crate::labels::LabelSet::empty(),
            documents: vec![d, Document::new("n2", "nothing")],
            ..Default::default()
        };
        p.labels.doc_labels.names = vec!["finance".into(), "hiring".into(), "sport".into()];
        p.add_missing_labels();
        p.overlap = crate::edit::Overlap::Allow;
        p
    }

    #[test]
    fn every_span_in_sc_the_outermost_as_ents_and_labels_as_cats() {
        let p = nested();
        let out = export_json(&p, &Options::default()).unwrap();
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            v[0][1]["entities"],
            json!([[0, 13, "ORG"], [20, 23, "PER"]])
        );
        assert_eq!(
            v[0][1]["spans"]["sc"],
            json!([
                [0, 13, "ORG"],
                [5, 19, "X"],
                [8, 13, "LOC"],
                [20, 23, "PER"]
            ])
        );
        assert_eq!(
            v[0][1]["cats"],
            json!({"hiring": 1.0, "finance": 0.0, "sport": 0.0})
        );
        assert_eq!(
            v[1][1]["cats"],
            json!({"finance": 0.0, "hiring": 0.0, "sport": 0.0})
        );
        let back = import(out.as_bytes()).unwrap();
        assert!(back.warnings.is_empty(), "{:?}", back.warnings);
        let strip = |p: &Project| -> Vec<(Vec<Span>, Vec<String>)> {
            p.documents
                .iter()
                .map(|d| (d.spans.clone(), d.doc_labels.clone()))
                .collect()
        };
        assert_eq!(strip(&back.project), strip(&p));
        // Every cat is a label of the project (first seen first).
        let names = ["hiring", "finance", "sport"];
        assert_eq!(back.project.labels.doc_labels.names, names);
        // The DocBin keeps the ids too.
        let bin = export_docbin(&p, &Options::default()).unwrap();
        let back = import(&bin).unwrap();
        assert!(back.warnings.is_empty(), "{:?}", back.warnings);
        assert_eq!(back.project.documents, p.documents);
        assert_eq!(back.project.overlap, crate::edit::Overlap::Allow);
        assert_eq!(back.project.labels.doc_labels.names, names);
    }
}
