//! Helpers shared by the format modules: reading text and JSON records with
//! positions for errors, checking spans before export, converting offsets on
//! import, finishing an imported project, and spaCy-style tokens.

use super::{FormatError, Imported, Options};
use crate::doc::{unique_id, Document, Project, Span};
use crate::labels::LabelSet;
use crate::text::{OffsetMap, OffsetUnit};
use crate::tokenize;
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap, HashSet};

/// The bytes as UTF-8 text, without a leading byte order mark; an error names
/// the line, column and byte offset of the first bad byte.
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, FormatError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let before = &bytes[..at];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = std::str::from_utf8(&before[line_start..])
            .map_or(at - line_start, |s| s.chars().count())
            + 1;
        FormatError::new(format!("not valid UTF-8 text (bad byte at offset {at})"))
            .at_line(line)
            .at_column(column)
    })
}

/// Prefixes an error's message with the file it came from.
pub(crate) fn in_file(mut e: FormatError, path: &str) -> FormatError {
    e.message = format!("{path}: {}", e.message);
    e
}

/// Refuses a relation to a span the document lacks, or without a label,
/// naming the document and the relation. Repeated ids are left to
/// [`Document::number_ids`] (a relation keeps the first span of an id).
pub(crate) fn check_relations(d: &Document) -> Result<(), String> {
    let ids: HashSet<&str> = d.spans.iter().filter_map(|s| s.id.as_deref()).collect();
    for r in &d.relations {
        if r.label.is_empty() {
            return Err(format!(
                "document {:?}: relation {} has no label",
                d.id, r.id
            ));
        }
        for end in [&r.from, &r.to] {
            if !ids.contains(end.as_str()) {
                return Err(format!(
                    "document {:?}: relation {} ({}) points to span {end:?}, which is not there",
                    d.id, r.id, r.label
                ));
            }
        }
    }
    Ok(())
}

/// Appends one import to another: ids stay unique, labels are merged.
pub(crate) fn merge_into(out: &mut Imported, one: Imported) {
    for l in one.project.labels.iter() {
        out.project.labels.ensure(&l.name);
    }
    let (from, into) = (&one.project.labels, &mut out.project.labels);
    for l in &from.relations.0 {
        if into.relations.get(&l.name).is_none() {
            into.relations.0.push(l.clone());
        }
    }
    for n in &from.doc_labels.names {
        if !into.doc_labels.names.contains(n) {
            into.doc_labels.names.push(n.clone());
        }
    }
    into.doc_labels.multi |= from.doc_labels.multi;
    // The looser setting: each file's spans must still stand.
    use crate::edit::Overlap;
    out.project.overlap = match (out.project.overlap, one.project.overlap) {
        (Overlap::Allow, _) | (_, Overlap::Allow) => Overlap::Allow,
        (Overlap::Nest, _) | (_, Overlap::Nest) => Overlap::Nest,
        _ => Overlap::Forbid,
    };
    for mut d in one.project.documents {
        let taken: HashSet<String> = out.project.documents.iter().map(|d| d.id.clone()).collect();
        d.id = unique_id(&d.id, |x| taken.contains(x));
        out.project.documents.push(d);
    }
    out.warnings.extend(one.warnings);
}

/// Checks a document before export and returns its spans in export order with
/// their offsets in `unit`. The error names the document and the span.
pub(crate) fn spans_in<'d>(
    doc: &'d Document,
    map: &OffsetMap,
    unit: OffsetUnit,
) -> Result<Vec<(usize, usize, &'d Span)>, FormatError> {
    doc.validate()
        .map_err(|e| FormatError::new(format!("cannot export: {e}")))?;
    let mut order: Vec<usize> = (0..doc.spans.len()).collect();
    order.sort_by(|&a, &b| Span::order(&doc.spans[a], &doc.spans[b]));
    let mut out = Vec::with_capacity(order.len());
    for i in order {
        let s = &doc.spans[i];
        let (a, b) = map
            .convert_range(s.start, s.end, OffsetUnit::Codepoint, unit)
            .map_err(|e| {
                FormatError::new(format!(
                    "cannot export: document {:?}, span {i} ({} {}..{}): {e}",
                    doc.id, s.label, s.start, s.end
                ))
            })?;
        out.push((a, b, s));
    }
    Ok(out)
}

/// Refuses overlapping spans for formats that cannot hold them; `spans` are
/// in export order (by start).
pub(crate) fn no_overlaps(
    doc: &Document,
    spans: &[(usize, usize, &Span)],
    format: &str,
) -> Result<(), FormatError> {
    for w in spans.windows(2) {
        let (a, b) = (w[0].2, w[1].2);
        if b.start < a.end {
            return Err(FormatError::new(format!(
                "cannot export: document {:?}: spans {} {}..{} and {} {}..{} overlap, \
                 and {format} cannot hold overlapping spans",
                doc.id, a.label, a.start, a.end, b.label, b.start, b.end
            )));
        }
    }
    Ok(())
}

/// Refuses an offset unit that the format's consumers cannot read.
pub(crate) fn codepoints_only(options: &Options, format: &str) -> Result<(), FormatError> {
    if options.offsets != OffsetUnit::Codepoint {
        return Err(FormatError::new(format!(
            "{format} files carry code point offsets only (their readers know no other \
             unit); --offsets {} is not possible here",
            options.offsets
        )));
    }
    Ok(())
}

/// Converts a span read from a file into code points of `text`.
pub(crate) fn span_from(
    map: &OffsetMap,
    start: usize,
    end: usize,
    unit: OffsetUnit,
) -> Result<(usize, usize), String> {
    let (a, b) = map
        .convert_range(start, end, unit, OffsetUnit::Codepoint)
        .map_err(|e| format!("{e} (offsets in {unit})"))?;
    if a == b {
        return Err(format!("span {start}..{end} is empty"));
    }
    Ok((a, b))
}

/// Gives every document a unique id (duplicates get a suffix), sorts and
/// checks spans, and builds the label set from the labels used.
pub(crate) fn finish(
    documents: Vec<Document>,
    warnings: Vec<String>,
) -> Result<Imported, FormatError> {
    let mut seen = HashSet::new();
    let mut docs = Vec::with_capacity(documents.len());
    let mut warnings = warnings;
    for mut d in documents {
        d.id = unique_id(&d.id, |x| seen.contains(x));
        seen.insert(d.id.clone());
        d.validate().map_err(|e| FormatError::new(e.to_string()))?;
        d.sort_spans();
        let before = d.spans.len();
        d.spans
            .dedup_by(|b, a| (a.start, a.end, &a.label) == (b.start, b.end, &b.label));
        if d.spans.len() < before {
            warnings.push(format!(
                "document {:?}: {} span(s) repeated at the same offsets with the same label, kept once",
                d.id,
                before - d.spans.len()
            ));
        }
        docs.push(d);
    }
    // Same-label crossings are kept too (under `any` the editor would not
    // make them, but refusing a file that holds them loses its other work).
    let overlap = crate::relations::overlap_needed(&docs);
    let mut project = Project {
        labels: LabelSet::empty(),
        documents: docs,
        overlap,
    };
    project.add_missing_labels();
    Ok(Imported { project, warnings })
}

/// [`finish`] for the formats that carry relations, document labels and
/// notes: a relation to a span repeated at one place follows the span kept;
/// in a document with ids or relations every span and relation gets an id
/// ([`Document::number_ids`]); a relation
/// to a span that is not there is refused naming the document and the
/// relation; the relation and document labels used join the label set (a
/// document with more than one label makes it multiple choice).
pub(crate) fn finish_linked(
    mut documents: Vec<Document>,
    warnings: Vec<String>,
) -> Result<Imported, FormatError> {
    for d in &mut documents {
        follow_repeats(d);
    }
    let mut out = finish(documents, warnings)?;
    for d in &mut out.project.documents {
        // A file without ids or relations stays without ids, as the
        // formats that have neither read it.
        if !d.relations.is_empty() || d.spans.iter().any(|s| s.id.is_some()) {
            let renumbered = d.number_ids();
            out.warnings.extend(renumbered);
        }
        d.check_links().map_err(FormatError::new)?;
    }
    add_link_labels(&mut out.project);
    Ok(out)
}

/// Points relations at the first of spans repeated at the same offsets with
/// the same label: the one [`finish`] keeps.
fn follow_repeats(d: &mut Document) {
    if d.relations.is_empty() {
        return;
    }
    let mut first: HashMap<(usize, usize, String), usize> = HashMap::new();
    let mut renamed: HashMap<String, String> = HashMap::new();
    for i in 0..d.spans.len() {
        let s = &d.spans[i];
        let key = (s.start, s.end, s.label.clone());
        let Some(&k) = first.get(&key) else {
            first.insert(key, i);
            continue;
        };
        let Some(id) = d.spans[i].id.clone() else {
            continue;
        };
        match d.spans[k].id.clone() {
            Some(kept) => {
                renamed.insert(id, kept);
            }
            // The kept span takes the repeat's id, and its relations with it.
            None => d.spans[k].id = Some(id),
        }
    }
    for r in &mut d.relations {
        for end in [&mut r.from, &mut r.to] {
            if let Some(kept) = renamed.get(end.as_str()) {
                *end = kept.clone();
            }
        }
    }
}

/// Adds the relation labels and document labels the documents use to the
/// project's label set.
pub(crate) fn add_link_labels(p: &mut Project) {
    for d in &p.documents {
        for r in &d.relations {
            p.labels.relations.ensure(&r.label);
        }
        for l in &d.doc_labels {
            if !p.labels.doc_labels.names.contains(l) {
                p.labels.doc_labels.names.push(l.clone());
            }
        }
        if d.doc_labels.len() > 1 {
            p.labels.doc_labels.multi = true;
        }
    }
}

/// A JSON object read from a file, with where it came from.
pub(crate) type Record = (Where, Map<String, Value>);

/// The records of a JSON-lines file as objects, each with its 1-based line;
/// blank lines are skipped. A file that is one JSON array of objects (as some
/// tools write their "JSON" export) is read too, each element its own record
/// (numbered from 1, reported as "record N").
pub(crate) fn json_records(content: &str) -> Result<Vec<Record>, FormatError> {
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    let mut out = Vec::new();
    if content.trim_start().starts_with('[') {
        let v: Value = serde_json::from_str(content).map_err(|e| FormatError::from_json(&e))?;
        for (i, item) in v.as_array().into_iter().flatten().enumerate() {
            match item {
                Value::Object(o) => out.push((Where::Record(i + 1), o.clone())),
                other => {
                    return Err(FormatError::new(format!(
                        "record {}: expected a JSON object, found {}",
                        i + 1,
                        type_name(other)
                    )))
                }
            }
        }
        return Ok(out);
    }
    for (i, line) in content.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let n = i + 1;
        let v: Value =
            serde_json::from_str(line).map_err(|e| FormatError::from_json(&e).at_line(n))?;
        match v {
            Value::Object(o) => out.push((Where::Line(n), o)),
            other => {
                return Err(FormatError::new(format!(
                    "expected a JSON object, found {}",
                    type_name(&other)
                ))
                .at_line(n))
            }
        }
    }
    Ok(out)
}

/// Where a record came from, for error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Where {
    Line(usize),
    Record(usize),
}

impl Where {
    /// An error at this record.
    pub(crate) fn error(self, message: impl Into<String>) -> FormatError {
        let message = message.into();
        match self {
            Where::Line(n) => FormatError::new(message).at_line(n),
            Where::Record(n) => FormatError::new(format!("record {n}: {message}")),
        }
    }
}

pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A non-negative whole number.
pub(crate) fn as_offset(v: &Value, name: &str) -> Result<usize, String> {
    match v {
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Ok(u as usize)
            } else if n.as_i64().is_some() {
                Err(format!("{name} is negative ({n})"))
            } else {
                match n.as_f64() {
                    Some(f) if f.fract() == 0.0 && (0.0..9.0e15).contains(&f) => Ok(f as usize),
                    Some(f) if f < 0.0 => Err(format!("{name} is negative ({n})")),
                    _ => Err(format!("{name} is not a whole number ({n})")),
                }
            }
        }
        other => Err(format!("{name} is {}, expected a number", type_name(other))),
    }
}

pub(crate) fn get_offset(o: &Map<String, Value>, key: &str) -> Result<usize, String> {
    match o.get(key) {
        None => Err(format!("missing {key:?}")),
        Some(v) => as_offset(v, &format!("{key:?}")),
    }
}

pub(crate) fn get_str<'v>(o: &'v Map<String, Value>, key: &str) -> Result<&'v str, String> {
    match o.get(key) {
        None => Err(format!("missing {key:?}")),
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(format!(
            "{key:?} is {}, expected a string",
            type_name(other)
        )),
    }
}

/// An id given as a string or a number.
pub(crate) fn id_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The offset unit a record names under `"offsets"`, else `default`.
pub(crate) fn unit_of(o: &Map<String, Value>, default: OffsetUnit) -> Result<OffsetUnit, String> {
    match o.get("offsets") {
        None | Some(Value::Null) => Ok(default),
        Some(Value::String(s)) => {
            OffsetUnit::parse(s).ok_or_else(|| format!("unknown offset unit {s:?}"))
        }
        Some(other) => Err(format!(
            "\"offsets\" is {}, expected a string",
            type_name(other)
        )),
    }
}

/// The meta of a document as a JSON object (an object is kept as it is; any
/// other value is wrapped as `{"meta": value}`).
pub(crate) fn meta_object(meta: &Value) -> Map<String, Value> {
    match meta {
        Value::Object(m) => m.clone(),
        Value::Null => Map::new(),
        other => {
            let mut m = Map::new();
            m.insert("meta".into(), other.clone());
            m
        }
    }
}

/// One line of JSON (compact, keys in insertion order).
pub(crate) fn line(v: &Value) -> Result<String, FormatError> {
    serde_json::to_string(v).map_err(|e| FormatError::new(e.to_string()))
}

/// A token as spaCy makes them: `[start, end)` in bytes, and whether one
/// space follows it (spaCy's `whitespace_`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tok {
    pub start: usize,
    pub end: usize,
    pub space: bool,
}

impl Tok {
    pub(crate) fn is_space(&self, text: &str) -> bool {
        text[self.start..self.end].chars().all(char::is_whitespace)
    }
}

/// Tokens that rebuild `text` exactly from token text plus one optional
/// trailing space each, the way spaCy's `Doc` does: spanmark's tokenizer's
/// tokens, split further at every edge of `spans` (byte ranges) and at every
/// change between whitespace and non-whitespace. A single space after a word
/// is that word's trailing space; any other whitespace run is a token of its
/// own (spaCy makes `"a \n b"` into `a`+space, `"\n "`, `b`). A space that an
/// entity starts or ends on stays a token, so that every entity covers whole
/// tokens.
pub(crate) fn spacy_tokens(text: &str, spans: &[(usize, usize)]) -> Vec<Tok> {
    let mut cuts: BTreeSet<usize> = BTreeSet::new();
    cuts.insert(0);
    cuts.insert(text.len());
    for t in tokenize::tokenize(text) {
        if t.start <= t.end && t.end <= text.len() {
            cuts.insert(t.start);
            cuts.insert(t.end);
        }
    }
    let mut starts = HashSet::new();
    let mut ends = HashSet::new();
    for &(a, b) in spans {
        cuts.insert(a);
        cuts.insert(b);
        starts.insert(a);
        ends.insert(b);
    }
    // Segments between cuts, split where whitespace starts or stops.
    let mut segs: Vec<(usize, usize, bool)> = Vec::new();
    let cuts: Vec<usize> = cuts
        .into_iter()
        .filter(|&c| text.is_char_boundary(c))
        .collect();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let mut seg_start = a;
        let mut kind: Option<bool> = None;
        for (i, c) in text[a..b].char_indices() {
            let ws = c.is_whitespace();
            match kind {
                Some(k) if k != ws => {
                    segs.push((seg_start, a + i, k));
                    seg_start = a + i;
                }
                _ => {}
            }
            kind = Some(ws);
        }
        if let Some(k) = kind {
            segs.push((seg_start, b, k));
        }
    }
    let mut toks: Vec<Tok> = Vec::with_capacity(segs.len());
    for (a, b, ws) in segs {
        if ws && text.as_bytes()[a] == b' ' && !starts.contains(&a) && !ends.contains(&(a + 1)) {
            if let Some(prev) = toks.last_mut() {
                if prev.end == a
                    && !prev.space
                    && !text[prev.start..prev.end].chars().all(char::is_whitespace)
                {
                    prev.space = true;
                    if b > a + 1 {
                        toks.push(Tok {
                            start: a + 1,
                            end: b,
                            space: false,
                        });
                    }
                    continue;
                }
            }
        }
        toks.push(Tok {
            start: a,
            end: b,
            space: false,
        });
    }
    toks
}

/// The text that tokens rebuild (token text, plus a space where flagged).
pub(crate) fn rebuild(text: &str, toks: &[Tok]) -> String {
    let mut out = String::with_capacity(text.len());
    for t in toks {
        out.push_str(&text[t.start..t.end]);
        if t.space {
            out.push(' ');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str, spans: &[(usize, usize)]) -> Vec<String> {
        let toks = spacy_tokens(text, spans);
        assert_eq!(rebuild(text, &toks), text);
        toks.iter()
            .map(|t| {
                format!(
                    "{}{}",
                    &text[t.start..t.end],
                    if t.space { "_" } else { "" }
                )
            })
            .collect()
    }

    #[test]
    fn whitespace_like_spacy() {
        // spaCy 3.8: 'a  b\nc \n d\r\ne\t f ' -> a_, ' ', b, \n, c_, '\n ', d, \r\n, e, '\t ', f_
        assert_eq!(
            pieces("a  b\nc \n d\r\ne\t f ", &[]),
            ["a_", " ", "b", "\n", "c_", "\n ", "d", "\r\n", "e", "\t ", "f_"]
        );
        assert_eq!(pieces(" lead", &[]), [" ", "lead"]);
        assert_eq!(pieces("", &[]), Vec::<String>::new());
    }

    #[test]
    fn entity_edges_split_tokens_and_keep_spaces() {
        // "Zoë" inside "XZoëY"; "York " with its trailing space.
        let t = "XZoëY New York is";
        let z = t.find("Zoë").unwrap();
        assert_eq!(
            pieces(t, &[(z, z + "Zoë".len())]),
            ["X", "Zoë", "Y_", "New_", "York_", "is"]
        );
        let y = t.find("York").unwrap();
        assert_eq!(
            pieces(t, &[(y, y + 5)]),
            ["XZoëY_", "New_", "York", " ", "is"]
        );
        // An entity starting on a space keeps that space as a token.
        assert_eq!(pieces("a b", &[(1, 3)]), ["a", " ", "b"]);
    }

    #[test]
    fn offsets_are_checked() {
        let o: Map<String, Value> =
            serde_json::from_str(r#"{"a":-1,"b":1.5,"c":"x","d":3,"e":2.0}"#).unwrap();
        assert!(get_offset(&o, "a").unwrap_err().contains("negative"));
        assert!(get_offset(&o, "b").unwrap_err().contains("whole"));
        assert!(get_offset(&o, "c").unwrap_err().contains("a string"));
        assert!(get_offset(&o, "z").unwrap_err().contains("missing"));
        assert_eq!(get_offset(&o, "d"), Ok(3));
        assert_eq!(get_offset(&o, "e"), Ok(2));
    }

    #[test]
    fn bad_utf8_names_line_and_column() {
        let e = utf8(b"ok\nab\xffc").unwrap_err();
        assert_eq!((e.line, e.column), (Some(2), Some(3)));
        assert!(e.message.contains("offset 5"), "{e}");
        assert_eq!(utf8(b"\xef\xbb\xbfhi").unwrap(), "hi");
    }
}
