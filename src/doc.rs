//! The data model: a project holds a label set and documents; a document holds
//! its exact text and its spans, in code points (see docs/ARCHITECTURE.md, "Data model").

use crate::edit::Overlap;
use crate::labels::LabelSet;
use crate::relations::Relation;
use crate::text::{OffsetMap, OffsetUnit};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

/// Who put a span there. Only `User` spans count as accepted; the others are
/// suggestions until a person accepts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    #[default]
    User,
    Model,
    Rule,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::User => "user",
            Source::Model => "model",
            Source::Rule => "rule",
        }
    }

    pub fn is_suggestion(self) -> bool {
        self != Source::User
    }
}

/// `[start, end)` in code points of the document's text, with its label.
///
/// Two spans are equal when they cover the same stretch with the same
/// label, source, score, note and attributes: the id names a span for its relations
/// and is not part of what it is (two devices of one person, or two tabs,
/// that each drew one span there drew the same span, whatever they
/// numbered it).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub label: String,
    #[serde(default)]
    pub source: Source,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// A person's free-text note on the span.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Named values a tool attached to the span (brat's `A`/`M` lines:
    /// `Negated` -> `true`, `Confidence` -> `High`), kept as text.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: BTreeMap<String, String>,
}

impl PartialEq for Span {
    fn eq(&self, o: &Span) -> bool {
        (
            self.start,
            self.end,
            &self.label,
            self.source,
            self.score,
            &self.note,
            &self.attrs,
        ) == (
            o.start, o.end, &o.label, o.source, o.score, &o.note, &o.attrs,
        )
    }
}

impl Span {
    pub fn new(start: usize, end: usize, label: impl Into<String>) -> Span {
        Span {
            start,
            end,
            label: label.into(),
            source: Source::User,
            score: None,
            id: None,
            note: None,
            attrs: BTreeMap::new(),
        }
    }

    pub fn with_source(mut self, source: Source) -> Span {
        self.source = source;
        self
    }

    pub fn overlaps(&self, start: usize, end: usize) -> bool {
        self.start < end && start < self.end
    }

    /// The order spans are kept and exported in: by start, then longer first,
    /// then by label, so that a parent comes before the spans nested in it.
    pub fn order(a: &Span, b: &Span) -> Ordering {
        a.start
            .cmp(&b.start)
            .then(b.end.cmp(&a.end))
            .then_with(|| a.label.cmp(&b.label))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Todo,
    Done,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub id: String,
    pub text: String,
    #[serde(default = "empty_meta")]
    pub meta: Value,
    #[serde(default)]
    pub status: Status,
    #[serde(default)]
    pub spans: Vec<Span>,
    /// Links between its spans, by span id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Relation>,
    /// The labels of the whole document (see [`crate::relations::DocLabels`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub doc_labels: Vec<String>,
    /// A person's free-text note on the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn empty_meta() -> Value {
    Value::Object(Map::new())
}

impl Document {
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Document {
        Document {
            id: id.into(),
            text: text.into(),
            meta: empty_meta(),
            status: Status::Todo,
            spans: Vec::new(),
            relations: Vec::new(),
            doc_labels: Vec::new(),
            note: None,
        }
    }

    /// Length of the text in code points.
    pub fn len_chars(&self) -> usize {
        self.text.chars().count()
    }

    pub fn sort_spans(&mut self) {
        self.spans.sort_by(Span::order);
    }

    /// The text a span covers (code point offsets).
    pub fn surface(&self, map: &OffsetMap, span: &Span) -> Option<&str> {
        let b0 = map.char_to_byte(span.start)?;
        let b1 = map.char_to_byte(span.end)?;
        self.text.get(b0..b1)
    }

    /// Checks every span against the text: in range, not empty, not reversed.
    pub fn validate(&self) -> Result<(), SpanError> {
        let len = OffsetMap::new(&self.text).len(OffsetUnit::Codepoint);
        for (i, s) in self.spans.iter().enumerate() {
            let problem = if s.start >= s.end {
                Some(format!("start {} is not before end {}", s.start, s.end))
            } else if s.end > len {
                Some(format!(
                    "end {} is past the end of the text ({len} code points)",
                    s.end
                ))
            } else if s.label.is_empty() {
                Some("has an empty label".to_string())
            } else {
                None
            };
            if let Some(problem) = problem {
                return Err(SpanError {
                    document: self.id.clone(),
                    index: i,
                    problem,
                });
            }
        }
        Ok(())
    }
}

/// How deep a document's `meta` may nest: far below what any JSON reader
/// allows (serde_json stops at 128), so that a document wrapped in a
/// project file, any format's record and the page's storage still reads.
pub const META_DEPTH: usize = 32;

/// How deeply a JSON value nests (a scalar is 0, `{}` or `[]` 1).
pub fn json_depth(v: &serde_json::Value) -> usize {
    // By hand, with a stack: a recursive walk is what overflows on the
    // very values this is here to refuse.
    let mut deepest = 0;
    let mut stack = vec![(v, 0usize)];
    while let Some((v, d)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &serde_json::Value>> = match v {
            serde_json::Value::Array(a) => Box::new(a.iter()),
            serde_json::Value::Object(o) => Box::new(o.values()),
            _ => continue,
        };
        deepest = deepest.max(d + 1);
        stack.extend(children.map(|c| (c, d + 1)));
    }
    deepest
}

impl Document {
    /// Refuses a `meta` nested deeper than [`META_DEPTH`].
    pub fn check_meta(&self) -> Result<(), String> {
        let depth = json_depth(&self.meta);
        if depth > META_DEPTH {
            return Err(format!(
                "document {:?}: meta is nested {depth} levels deep (at most {META_DEPTH})",
                self.id
            ));
        }
        Ok(())
    }
}

/// The longest name a person may give a document (in characters): a name
/// is a handle in a list, not a place for notes.
pub const NAME_MAX: usize = 120;

/// How many characters of a text's first words name it.
const WORDS_NAME: usize = 32;

impl Document {
    /// What the document is called: its `meta.name` when that is a string,
    /// else its id.
    pub fn name(&self) -> &str {
        match self.meta.get("name") {
            Some(Value::String(name)) => name,
            _ => &self.id,
        }
    }

    /// Sets `meta.name` (a `meta` that is not an object becomes one).
    pub fn set_name(&mut self, name: &str) {
        if !self.meta.is_object() {
            self.meta = empty_meta();
        }
        if let Some(m) = self.meta.as_object_mut() {
            m.insert("name".into(), Value::String(name.to_string()));
        }
    }
}

/// A name a person typed for a document, trimmed; refused when empty or
/// longer than [`NAME_MAX`] characters.
pub fn check_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    let n = name.chars().count();
    if n == 0 {
        return Err("a document's name cannot be empty".into());
    }
    if n > NAME_MAX {
        return Err(format!(
            "a document's name can be at most {NAME_MAX} characters (this one has {n})"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("a document's name cannot hold line breaks or tabs".into());
    }
    Ok(name.to_string())
}

/// A text named by its first words ("Ana Lima flew to…"): whole words up to
/// about 32 characters, spaces and line breaks as single spaces, an
/// ellipsis where it was cut. A blank text is "Empty text".
pub fn name_from_words(text: &str) -> String {
    let mut out = String::new();
    let mut chars = 0;
    for word in text.split_whitespace() {
        let n = word.chars().count();
        if chars > 0 && chars + 1 + n > WORDS_NAME {
            out.push('…');
            return out;
        }
        if chars == 0 && n > WORDS_NAME {
            out.extend(word.chars().take(WORDS_NAME));
            out.push('…');
            return out;
        }
        if chars > 0 {
            out.push(' ');
            chars += 1;
        }
        out.push_str(word);
        chars += n;
    }
    if out.is_empty() {
        "Empty text".into()
    } else {
        out
    }
}

/// A span that cannot stand on its document's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpanError {
    pub document: String,
    pub index: usize,
    pub problem: String,
}

impl fmt::Display for SpanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "document {:?}, span {}: {}",
            self.document, self.index, self.problem
        )
    }
}

impl std::error::Error for SpanError {}

/// A whole project: what the native JSON format holds.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Project {
    pub labels: LabelSet,
    pub documents: Vec<Document>,
    /// How its spans may sit on each other.
    pub overlap: Overlap,
}

impl Project {
    /// Adds every label used by a span, a relation or a document that the
    /// label set lacks, so that every label used appears in the project's
    /// labels.
    pub fn add_missing_labels(&mut self) {
        for d in &self.documents {
            for s in &d.spans {
                self.labels.ensure(&s.label);
            }
            for r in &d.relations {
                self.labels.relations.ensure(&r.label);
            }
            for l in &d.doc_labels {
                if !self.labels.doc_labels.names.contains(l) {
                    self.labels.doc_labels.names.push(l.clone());
                }
            }
            // A document holding two labels says the choice is multiple:
            // keeping its labels beats keeping the setting.
            self.labels.doc_labels.multi |= d.doc_labels.len() > 1;
        }
    }
}

impl Project {
    /// Fits an imported project into one whose labels are `current` and
    /// whose documents have the ids `taken`: a document whose id is taken
    /// gets a suffix (as does one repeating an id of the same file), and the
    /// labels the file names or its spans use are added to `current`, which
    /// becomes this project's label set (existing colours and keys kept).
    pub fn merge_into(&mut self, taken: &[String], current: LabelSet) {
        let mut labels = current;
        for l in self.labels.iter() {
            labels.ensure(&l.name);
        }
        let mut used: std::collections::HashSet<String> = taken.iter().cloned().collect();
        for d in &mut self.documents {
            d.id = unique_id(&d.id, |x| used.contains(x));
            used.insert(d.id.clone());
            for s in &d.spans {
                labels.ensure(&s.label);
            }
        }
        self.labels = labels;
    }
}

/// `wanted` if no existing id has it, else `wanted-2`, `wanted-3`, ...
pub fn unique_id<'a>(wanted: &str, mut taken: impl FnMut(&str) -> bool + 'a) -> String {
    if !taken(wanted) {
        return wanted.to_string();
    }
    (2..)
        .map(|n| format!("{wanted}-{n}"))
        .find(|id| !taken(id))
        .expect("an unbounded counter finds a free id")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_order_puts_parents_first() {
        let mut v = [
            Span::new(5, 7, "B"),
            Span::new(0, 3, "A"),
            Span::new(5, 9, "A"),
        ];
        v.sort_by(Span::order);
        assert_eq!(
            v.iter().map(|s| (s.start, s.end)).collect::<Vec<_>>(),
            [(0, 3), (5, 9), (5, 7)]
        );
    }

    #[test]
    fn validate_names_the_bad_span() {
        let mut d = Document::new("d1", "Zoë 😀");
        d.spans.push(Span::new(0, 3, "PER"));
        d.spans.push(Span::new(4, 5, "MISC"));
        assert!(d.validate().is_ok());
        d.spans.push(Span::new(4, 6, "MISC"));
        let e = d.validate().unwrap_err();
        assert_eq!(e.index, 2);
        assert!(e.to_string().contains("past the end"), "{e}");
        d.spans[2] = Span::new(3, 3, "X");
        assert!(d.validate().unwrap_err().problem.contains("not before"));
    }

    #[test]
    fn surface_slices_by_code_points() {
        let mut d = Document::new("d", "😀 Zoë Ball\r\nin Paris");
        d.spans.push(Span::new(2, 10, "PER"));
        let map = OffsetMap::new(&d.text);
        assert_eq!(d.surface(&map, &d.spans[0]), Some("Zoë Ball"));
    }

    #[test]
    fn an_import_merges_with_fresh_ids_and_the_labels_it_brings() {
        let mut imported = Project {
            labels: LabelSet::empty(),
            ..Default::default()
        };
        imported.labels.ensure("GENE");
        let mut a = Document::new("a", "Ana");
        a.spans.push(Span::new(0, 3, "PERSON"));
        imported.documents = vec![a, Document::new("a", "again"), Document::new("b", "b")];
        let mut current = LabelSet::default();
        current.set_key("PER", Some("q")).unwrap();
        imported.merge_into(&["a".to_string()], current);
        let ids: Vec<&str> = imported.documents.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["a-2", "a-3", "b"]);
        assert_eq!(
            imported.labels.get("PER").unwrap().key.as_deref(),
            Some("q"),
            "kept"
        );
        assert!(imported.labels.get("GENE").is_some());
        assert!(imported.labels.get("PERSON").is_some());
    }

    #[test]
    fn meta_nested_too_deep_is_refused_naming_the_document() {
        let mut d = Document::new("d1", "x");
        assert_eq!(json_depth(&d.meta), 1);
        let mut v = serde_json::json!(1);
        for _ in 0..META_DEPTH {
            v = serde_json::json!([v]);
        }
        d.meta = serde_json::json!({ "a": v.clone() });
        assert!(d.check_meta().is_err());
        d.meta = v;
        assert!(d.check_meta().is_ok(), "exactly the limit");
        let e = {
            d.meta = serde_json::json!({ "deep": d.meta.clone() });
            d.check_meta().unwrap_err()
        };
        assert!(e.contains("\"d1\"") && e.contains("33 levels"), "{e}");
    }

    #[test]
    fn a_text_is_named_by_its_first_whole_words() {
        assert_eq!(
            name_from_words("Ana Lima flew to Lisbon on Monday with Bo."),
            "Ana Lima flew to Lisbon on…"
        );
        assert_eq!(name_from_words("  Short\r\n text. "), "Short text.");
        assert_eq!(name_from_words(" \n\t"), "Empty text");
        let long = "x".repeat(50);
        assert_eq!(name_from_words(&long).chars().count(), 33);
        assert_eq!(name_from_words("Zoë 😀 Ball"), "Zoë 😀 Ball");
    }

    #[test]
    fn a_typed_name_is_trimmed_and_refused_when_empty_or_too_long() {
        assert_eq!(check_name("  Field notes 3 ").unwrap(), "Field notes 3");
        assert!(check_name(" \t ").unwrap_err().contains("empty"));
        let e = check_name(&"é".repeat(NAME_MAX + 1)).unwrap_err();
        assert!(e.contains("at most 120") && e.contains("121"), "{e}");
        assert!(check_name(&"é".repeat(NAME_MAX)).is_ok());
        assert!(check_name("a\nb").is_err());
        let mut d = Document::new("d1", "x");
        assert_eq!(d.name(), "d1");
        d.meta = Value::Null;
        d.set_name("Notes");
        assert_eq!((d.name(), d.meta.is_object()), ("Notes", true));
    }

    #[test]
    fn unique_id_suffixes_duplicates() {
        let taken = ["a", "a-2"];
        assert_eq!(unique_id("b", |x| taken.contains(&x)), "b");
        assert_eq!(unique_id("a", |x| taken.contains(&x)), "a-3");
    }
}
