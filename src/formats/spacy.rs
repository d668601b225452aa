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
//! every entity edge ([`util::spacy_tokens`]). Entities are the tokens' IOB
//! (`B`=3, `I`=1, `O`=2) and type. Neither form can hold overlapping spans
//! (spaCy's `doc.ents`); the JSON keeps no ids, the DocBin keeps ids.

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

/// A document's line of the training JSON.
pub(crate) fn json_item(d: &Document, _doc_labels: &[String]) -> Result<String, FormatError> {
    let map = OffsetMap::new(&d.text);
    let spans = util::spans_in(d, &map, OffsetUnit::Codepoint)?;
    util::no_overlaps(d, &spans, "spaCy's doc.ents")?;
    let ents: Vec<Value> = spans
        .iter()
        .map(|&(a, b, s)| json!([a, b, s.label]))
        .collect();
    util::line(&json!([d.text, {"entities": ents}]))
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
}

impl DocBin {
    pub fn add(&mut self, d: &Document, _doc_labels: &[String]) -> Result<(), FormatError> {
        let map = OffsetMap::new(&d.text);
        let spans = util::spans_in(d, &map, OffsetUnit::Codepoint)?;
        util::no_overlaps(d, &spans, "spaCy's doc.ents")?;
        let bytes: Vec<(usize, usize, &str)> = spans
            .iter()
            .map(|&(a, b, s)| {
                (
                    map.char_to_byte(a).unwrap_or(0),
                    map.char_to_byte(b).unwrap_or(0),
                    s.label.as_str(),
                )
            })
            .collect();
        let ranges: Vec<(usize, usize)> = bytes.iter().map(|&(a, b, _)| (a, b)).collect();
        let toks = util::spacy_tokens(&d.text, &ranges);
        debug_assert_eq!(util::rebuild(&d.text, &toks), d.text);
        let n = i32::try_from(toks.len())
            .map_err(|_| FormatError::new(format!("document {:?} has too many tokens", d.id)))?;
        let mut ud = Vec::new();
        let id_map = Mp::Map(vec![(Mp::from(ID_KEY), Mp::from(d.id.as_str()))]);
        rmpv::encode::write_value(&mut ud, &id_map).map_err(|e| FormatError::new(e.to_string()))?;
        let mut k = 0;
        for t in &toks {
            while k < bytes.len() && bytes[k].1 <= t.start {
                k += 1;
            }
            let (iob, ty) = match bytes.get(k) {
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
            (Mp::from("cats"), Mp::Array(vec![Mp::Map(Vec::new()); n])),
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
            // An empty span group list, as msgpack: what SpanGroups writes.
            (
                Mp::from("span_groups"),
                Mp::Array(vec![Mp::Binary(vec![0x90]); n]),
            ),
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
        for (k, val) in annot {
            if k != "entities" {
                meta.insert(k.clone(), val.clone());
                continue;
            }
            let ents = val.as_array().ok_or_else(|| {
                at(format!(
                    "\"entities\" is {}, expected an array",
                    util::type_name(val)
                ))
            })?;
            for (i, e) in ents.iter().enumerate() {
                let span = (|| -> Result<Span, String> {
                    let a = e
                        .as_array()
                        .filter(|a| a.len() == 3)
                        .ok_or("expected [start, end, label]")?;
                    let start = util::as_offset(&a[0], "start")?;
                    let end = util::as_offset(&a[1], "end")?;
                    let label = a[2].as_str().ok_or("label is not a string")?;
                    let (s, t) = util::span_from(&map, start, end, OffsetUnit::Codepoint)?;
                    Ok(Span::new(s, t, label))
                })()
                .map_err(|m| at(format!("entity {i}: {m}")))?;
                d.spans.push(span);
            }
        }
        d.meta = Value::Object(meta);
        docs.push(d);
    }
    util::finish(docs, Vec::new())
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
    let mut warnings = Vec::new();
    let mut docs = Vec::new();
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
        if let Some(Mp::Binary(b)) = list("span_groups").and_then(|l| l.get(n)) {
            if !b.is_empty() && b.as_slice() != [0x90] {
                warnings.push(format!(
                    "document {:?}: spaCy span groups (doc.spans) are not read; only doc.ents",
                    d.id
                ));
            }
        }
        if let Some(Mp::Map(c)) = list("cats").and_then(|l| l.get(n)) {
            if !c.is_empty() {
                let cats: Map<String, Value> = c
                    .iter()
                    .filter_map(|(k, v)| Some((k.as_str()?.to_string(), json!(v.as_f64()?))))
                    .collect();
                d.meta = json!({ "cats": cats });
            }
        }
        d.text = text;
        d.spans = spans;
        docs.push(d);
    }
    util::finish(docs, warnings)
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
        let mut p = sample();
        p.documents[2].spans.push(Span::new(1, 3, "X"));
        assert!(export_docbin(&p, &Options::default())
            .unwrap_err()
            .message
            .contains("overlap"));
    }
}
