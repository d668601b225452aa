//! Property tests: for generated documents (astral characters, ZWJ
//! sequences, flags, combining marks, CRLF, tabs, double spaces, words glued
//! together, adjacent and nested entities, entities at both ends),
//! import(export(doc)) == doc for every lossless format, in every offset unit
//! the format can record, and for CoNLL the same entity tokens and labels.

use proptest::prelude::*;
use serde_json::json;
use spanmark::doc::{Document, Project, Source, Span, Status};
use spanmark::formats::{self, Format, Options, Scheme};
use spanmark::labels::LabelSet;
use spanmark::relations::{overlap_needed, Relation};
use spanmark::text::{OffsetMap, OffsetUnit};

const WORDS: &[&str] = &[
    "Zoë",
    "Ball",
    "Paris",
    "e\u{301}clair",
    "👨‍👩‍👧",
    "🇩🇪",
    "😀",
    "日本",
    "New",
    "York",
    "U.S.",
    "O'Neil",
    "3.5",
    "-",
    ",",
    ".",
    "a",
    "Straße",
    "👍🏽",
    "\u{200d}",
    "ORG",
    "LOC",
];
const SEPS: &[&str] = &[" ", " ", " ", "  ", "\r\n", "\n", "\t", "", " \n ", "\n\n"];
const LABELS: &[&str] = &["PER", "ORG", "LOC", "MISC", "X_Y"];

/// A document: words joined by separators, spans over runs of whole words.
fn document(nested: bool) -> impl Strategy<Value = Document> {
    (
        prop::collection::vec((0..WORDS.len(), 0..SEPS.len()), 0..14),
        prop::collection::vec((0usize..14, 1usize..4, 0..LABELS.len(), 0u8..4), 0..6),
        any::<bool>(),
        prop::option::of(0u32..100),
        any::<bool>(),
    )
        .prop_map(move |(parts, picks, edge_space, meta, done)| {
            let mut text = String::new();
            let mut words = Vec::new(); // (start, end) in code points
            let mut cp = 0;
            for (i, &(w, s)) in parts.iter().enumerate() {
                let word = WORDS[w];
                words.push((cp, cp + word.chars().count()));
                text.push_str(word);
                cp += word.chars().count();
                if i + 1 < parts.len() || edge_space {
                    text.push_str(SEPS[s]);
                    cp += SEPS[s].chars().count();
                }
            }
            let mut d = Document::new("x", text);
            let mut used = vec![false; words.len()];
            for (k, &(first, len, label, source)) in picks.iter().enumerate() {
                if words.is_empty() {
                    break;
                }
                let first = first % words.len();
                let last = (first + len - 1).min(words.len() - 1);
                let free = used[first..=last].iter().all(|u| !u);
                let may_nest = nested && k % 2 == 1;
                if !free && !may_nest {
                    continue;
                }
                if free {
                    used[first..=last].iter_mut().for_each(|u| *u = true);
                }
                let mut s = Span::new(words[first].0, words[last].1, LABELS[label]);
                s.source = match source {
                    0 | 1 => Source::User,
                    2 => Source::Model,
                    _ => Source::Rule,
                };
                if s.source != Source::User {
                    s.score = Some(f64::from(k as u32) / 8.0);
                }
                if !d
                    .spans
                    .iter()
                    .any(|x| x.start == s.start && x.end == s.end && x.label == s.label)
                {
                    d.spans.push(s);
                }
            }
            if let Some(m) = meta {
                d.meta = json!({ "n": m, "tag": "t" });
            }
            if done {
                d.status = Status::Done;
            }
            d.sort_spans();
            d
        })
}

// At least one document: an empty file is refused on import, so an empty
// project has no file form to round-trip through.
fn project(nested: bool) -> impl Strategy<Value = Project> {
    prop::collection::vec((document(nested), "[a-z0-9]{0,4}"), 1..4).prop_map(|docs| {
        let documents: Vec<Document> = docs
            .into_iter()
            .enumerate()
            .map(|(i, (mut d, suffix))| {
                d.id = format!("doc{i}{suffix}");
                d
            })
            .collect();
        let mut p = Project {
            labels: LabelSet::empty(),
            overlap: overlap_needed(&documents),
            documents,
        };
        p.add_missing_labels();
        p
    })
}

const NOTES: &[&str] = &[
    "",
    "two\nlines",
    "a\ttab",
    "\"quoted\" and 'single'",
    "<script>alert(1)</script>",
    "emoji 🙂 👨‍👩‍👧",
    "\n\nblank lines\n",
];
const RELATIONS: &[&str] = &["works_for", "same_as", "part-of"];
const ATTRS: &[(&str, &str)] = &[
    ("Negated", "true"),
    ("Confidence", "High"),
    ("Confidence", "low_2"),
    ("Speculated", "true"),
];

const RELATION_LABELS: &[&str] = &["works_for", "part of", "<b>x</b>"];
const DOC_LABELS: &[&str] = &["pos", "neg", "news & views"];
const LINKED_NOTES: &[&str] = &["check", "two\nlines <i>x</i>", "😀 \"quoted\" \\ end"];

/// The texts a generated project's structure is drawn from: each format
/// is tried with what it must keep as written.
struct Pools {
    relations: &'static [&'static str],
    doc_labels: &'static [&'static str],
    notes: &'static [&'static str],
    /// Span attributes too (brat's `A`/`M` lines; a format without them
    /// warns that it left them out).
    attrs: bool,
}

/// For the formats that keep everything (native JSON, JSONL) and brat, whose
/// relation types take no spaces.
const WHOLE: Pools = Pools {
    relations: RELATIONS,
    doc_labels: &["news", "sport", "opinion"],
    notes: NOTES,
    attrs: true,
};

/// For doccano, Label Studio, Prodigy and spaCy: labels with spaces and
/// markup, notes with backslashes; no span attributes.
const LINKED: Pools = Pools {
    relations: RELATION_LABELS,
    doc_labels: DOC_LABELS,
    notes: LINKED_NOTES,
    attrs: false,
};

/// A project with what version 2 adds: every span an id, relations between
/// its spans, document labels, notes (document and span) and, if `pools`
/// says so, span attributes.
fn project_with_structure(pools: &'static Pools) -> impl Strategy<Value = Project> {
    let extras = (
        prop::collection::vec((0usize..8, 0usize..8, 0..pools.relations.len()), 0..5),
        prop::collection::vec(any::<bool>(), pools.doc_labels.len()),
        prop::option::of(0..pools.notes.len()),
        prop::collection::vec(
            (
                0usize..8,
                prop::option::of(0..pools.notes.len()),
                0..ATTRS.len(),
            ),
            0..4,
        ),
    );
    (project(true), prop::collection::vec(extras, 4)).prop_map(move |(mut p, extras)| {
        for (d, (links, labels, note, marks)) in p.documents.iter_mut().zip(extras) {
            d.number_ids();
            let n = d.spans.len();
            if n > 0 {
                for (k, (a, b, l)) in links.into_iter().enumerate() {
                    d.relations.push(Relation {
                        id: format!("R{}", k + 1),
                        from: d.spans[a % n].id.clone().unwrap(),
                        to: d.spans[b % n].id.clone().unwrap(),
                        label: pools.relations[l].to_string(),
                    });
                }
                for (i, note, attr) in marks {
                    let s = &mut d.spans[i % n];
                    if let Some(k) = note {
                        s.note = Some(pools.notes[k].into());
                    }
                    if pools.attrs {
                        let (key, value) = ATTRS[attr];
                        s.attrs.insert(key.into(), value.into());
                    }
                }
            }
            d.doc_labels = pools
                .doc_labels
                .iter()
                .zip(labels)
                .filter(|(_, on)| *on)
                .map(|(l, _)| l.to_string())
                .collect();
            d.note = note.map(|k| pools.notes[k].into());
        }
        p.add_missing_labels();
        for l in &mut p.labels.relations.0 {
            l.directed = l.name != "same_as";
        }
        p
    })
}

/// Per document: spans with notes and attributes (as accepted spans), and
/// relations as
/// (from, to, label), the id kept only for directed ones (brat's `*`
/// lines carry none).
type Structure = Vec<(Vec<Span>, Vec<(Option<String>, String, String, String)>)>;

fn structure(p: &Project) -> Structure {
    let directed = |l: &str| p.labels.relations.get(l).is_none_or(|l| l.directed);
    p.documents
        .iter()
        .map(|d| {
            let relations = d
                .relations
                .iter()
                .map(|r| {
                    (
                        directed(&r.label).then(|| r.id.clone()),
                        r.from.clone(),
                        r.to.clone(),
                        r.label.clone(),
                    )
                })
                .collect();
            // Sources and scores are not brat's to keep.
            let spans = d
                .spans
                .iter()
                .map(|s| Span {
                    source: Source::User,
                    score: None,
                    ..s.clone()
                })
                .collect();
            (spans, relations)
        })
        .collect()
}

/// Span ids of every document (span equality leaves them out).
fn span_ids(p: &Project) -> Vec<Vec<Option<String>>> {
    p.documents
        .iter()
        .map(|d| d.spans.iter().map(|s| s.id.clone()).collect())
        .collect()
}

fn unit() -> impl Strategy<Value = OffsetUnit> {
    prop::sample::select(vec![
        OffsetUnit::Codepoint,
        OffsetUnit::Utf16,
        OffsetUnit::Byte,
    ])
}

fn round_trip(format: Format, p: &Project, options: &Options) -> Project {
    let bytes = formats::export_as(format, p, options)
        .unwrap_or_else(|e| panic!("{format} export failed: {e}"));
    let name = format!("x{}", format.extension(options));
    let back = formats::import_as(format, &name, &bytes).unwrap_or_else(|e| {
        panic!(
            "{format} import failed: {e}\n{}",
            String::from_utf8_lossy(&bytes)
        )
    });
    assert!(back.warnings.is_empty(), "{format}: {:?}", back.warnings);
    back.project
}

/// (id, text, spans as (start, end, label)) of every document.
type Core = Vec<(Option<String>, String, Vec<(usize, usize, String)>)>;

fn core(p: &Project, ids: bool) -> Core {
    p.documents
        .iter()
        .map(|d| {
            (
                ids.then(|| d.id.clone()),
                d.text.clone(),
                d.spans
                    .iter()
                    .map(|s| (s.start, s.end, s.label.clone()))
                    .collect(),
            )
        })
        .collect()
}

/// Sources and scores of every span.
fn provenance(p: &Project) -> Vec<Vec<(Source, Option<f64>)>> {
    p.documents
        .iter()
        .map(|d| d.spans.iter().map(|s| (s.source, s.score)).collect())
        .collect()
}

fn metas(p: &Project) -> Vec<serde_json::Value> {
    p.documents.iter().map(|d| d.meta.clone()).collect()
}

/// Entities as CoNLL keeps them: (document, non-whitespace text, label).
fn entity_tokens(p: &Project) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    for (i, d) in p.documents.iter().enumerate() {
        let map = OffsetMap::new(&d.text);
        for s in &d.spans {
            let surface: String = d
                .surface(&map, s)
                .unwrap()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            out.push((i, surface, s.label.clone()));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn native_json(p in project(true), offsets in unit()) {
        let o = Options { offsets, ..Options::default() };
        let back = round_trip(Format::Json, &p, &o);
        prop_assert_eq!(back, p);
    }

    #[test]
    fn jsonl_is_lossless(p in project(true), offsets in unit()) {
        let o = Options { offsets, ..Options::default() };
        let back = round_trip(Format::Jsonl, &p, &o);
        prop_assert_eq!(back.documents, p.documents);
    }

    #[test]
    fn doccano(p in project(true), offsets in unit()) {
        let o = Options { offsets, ..Options::default() };
        let back = round_trip(Format::Doccano, &p, &o);
        prop_assert_eq!(core(&back, true), core(&p, true));
        prop_assert_eq!(metas(&back), metas(&p));
    }

    #[test]
    fn prodigy(p in project(true), offsets in unit()) {
        let o = Options { offsets, ..Options::default() };
        let back = round_trip(Format::Prodigy, &p, &o);
        prop_assert_eq!(core(&back, true), core(&p, true));
        prop_assert_eq!(provenance(&back), provenance(&p));
        prop_assert_eq!(metas(&back), metas(&p));
    }

    #[test]
    fn labelstudio(p in project(true), offsets in unit()) {
        let o = Options { offsets, ..Options::default() };
        let back = round_trip(Format::LabelStudio, &p, &o);
        prop_assert_eq!(core(&back, true), core(&p, true));
        prop_assert_eq!(provenance(&back), provenance(&p));
        prop_assert_eq!(metas(&back), metas(&p));
    }

    #[test]
    fn brat(p in project(true)) {
        let back = round_trip(Format::Brat, &p, &Options::default());
        prop_assert_eq!(core(&back, true), core(&p, true));
        // And through the folder form.
        let files = formats::export_files(Format::Brat, &p, &Options::default()).unwrap();
        let again = formats::import_files(Format::Brat, &files).unwrap();
        prop_assert_eq!(core(&again.project, true), core(&p, true));
    }

    #[test]
    fn native_json_keeps_structure(p in project_with_structure(&WHOLE), offsets in unit()) {
        let o = Options { offsets, ..Options::default() };
        let back = round_trip(Format::Json, &p, &o);
        prop_assert_eq!(span_ids(&back), span_ids(&p));
        prop_assert_eq!(&back, &p);
        let again = formats::export_as(Format::Json, &back, &o).unwrap();
        prop_assert_eq!(again, formats::export_as(Format::Json, &p, &o).unwrap());
    }

    #[test]
    fn jsonl_keeps_structure(p in project_with_structure(&WHOLE), offsets in unit()) {
        let o = Options { offsets, ..Options::default() };
        let back = round_trip(Format::Jsonl, &p, &o);
        prop_assert_eq!(span_ids(&back), span_ids(&p));
        prop_assert_eq!(&back.documents, &p.documents);
        prop_assert_eq!(back.overlap, p.overlap);
    }

    /// brat keeps all but a document's labels and note (the export says
    /// so) and the ids of equivalences (`*` lines have none).
    #[test]
    fn brat_keeps_structure(p in project_with_structure(&WHOLE)) {
        let (bytes, warnings) = formats::export_warned(Format::Brat, &p, &Options::default()).unwrap();
        let lost_labels = p.documents.iter().any(|d| !d.doc_labels.is_empty());
        let lost_notes = p.documents.iter().any(|d| d.note.is_some());
        prop_assert_eq!(warnings.len(), usize::from(lost_labels) + usize::from(lost_notes), "{:?}", warnings);
        let back = formats::import_as(Format::Brat, "x.tar", &bytes).unwrap();
        prop_assert!(back.warnings.is_empty(), "{:?}", back.warnings);
        let back = back.project;
        let ids: Vec<_> = p.documents.iter().map(|d| d.id.clone()).collect();
        let back_ids: Vec<_> = back.documents.iter().map(|d| d.id.clone()).collect();
        prop_assert_eq!(back_ids, ids);
        prop_assert_eq!(span_ids(&back), span_ids(&p));
        prop_assert_eq!(structure(&back), structure(&p));
        prop_assert_eq!(back.overlap, p.overlap);
        prop_assert_eq!(&back.labels.relations, &p.labels.relations);
        // And through the folder form.
        let files = formats::export_files(Format::Brat, &p, &Options::default()).unwrap();
        let again = formats::import_files(Format::Brat, &files).unwrap();
        prop_assert_eq!(structure(&again.project), structure(&p));
    }

    #[test]
    fn spacy_json(p in project(false)) {
        let back = round_trip(Format::Spacy, &p, &Options::default());
        prop_assert_eq!(core(&back, false), core(&p, false));
    }

    #[test]
    fn spacy_docbin(p in project(false)) {
        let o = Options { spacy_binary: true, ..Options::default() };
        let back = round_trip(Format::Spacy, &p, &o);
        prop_assert_eq!(core(&back, true), core(&p, true));
    }

    #[test]
    fn conll_keeps_entity_tokens_and_labels(
        p in project(false),
        scheme in prop::sample::select(vec![Scheme::Iob1, Scheme::Iob2, Scheme::Bilou, Scheme::Bioes]),
    ) {
        // Entities over whitespace-only text cannot be written in CoNLL.
        let o = Options { scheme, ..Options::default() };
        let back = round_trip(Format::Conll, &p, &o);
        prop_assert_eq!(back.documents.len(), p.documents.len());
        prop_assert_eq!(entity_tokens(&back), entity_tokens(&p));
    }
}

#[test]
fn only_done_filters_every_format() {
    let mut a = Document::new("a", "Ada");
    a.spans.push(Span::new(0, 3, "PER"));
    a.status = Status::Done;
    let b = Document::new("b", "Bob");
    let mut p = Project {
        labels: LabelSet::empty(),
        documents: vec![a, b],
        ..Default::default()
    };
    p.add_missing_labels();
    let o = Options {
        only_done: true,
        ..Options::default()
    };
    for f in Format::ALL {
        let back = round_trip(f, &p, &o);
        assert_eq!(back.documents.len(), 1, "{f}");
        assert_eq!(back.documents[0].text, "Ada", "{f}");
    }
}

// Relations, document labels and notes (doccano, Label Studio, Prodigy,
// spaCy): `project_with_structure(&LINKED)`; each format must give back
// what its `Format::holds` says it holds.

/// What a document says besides its spans' places and labels, cut to
/// what `holds` holds: (span ids where there are relations, relations sorted by id, document
/// labels, document note, span notes).
type Links = (
    Vec<Option<String>>,
    Vec<Relation>,
    Vec<String>,
    Option<String>,
    Vec<Option<String>>,
);

fn links(p: &Project, holds: formats::Holds) -> Vec<Links> {
    p.documents
        .iter()
        .map(|d| {
            let mut rels = if holds.relations {
                d.relations.clone()
            } else {
                Vec::new()
            };
            rels.sort_by(|a, b| a.id.cmp(&b.id));
            (
                // Ids name a relation's ends; without relations a format
                // may leave them out.
                d.spans
                    .iter()
                    .map(|s| s.id.clone().filter(|_| !rels.is_empty()))
                    .collect(),
                rels,
                if holds.doc_labels {
                    d.doc_labels.clone()
                } else {
                    Vec::new()
                },
                d.note.clone().filter(|_| holds.doc_note),
                d.spans
                    .iter()
                    .map(|s| s.note.clone().filter(|_| holds.span_notes))
                    .collect(),
            )
        })
        .collect()
}

/// A linked project through `format`: every span back in place, and
/// everything the format holds back as it was.
fn linked_round_trip(format: Format, p: &Project, options: &Options) -> Result<(), TestCaseError> {
    let back = round_trip(format, p, options);
    prop_assert_eq!(core(&back, true), core(p, true));
    prop_assert_eq!(links(&back, format.holds()), links(p, format.holds()));
    for d in &back.documents {
        for r in &d.relations {
            prop_assert!(back.labels.relations.get(&r.label).is_some());
        }
        for l in &d.doc_labels {
            prop_assert!(back.labels.doc_labels.names.contains(l));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn doccano_keeps_relations_document_labels_and_notes(p in project_with_structure(&LINKED), offsets in unit()) {
        let o = Options { offsets, ..Options::default() };
        linked_round_trip(Format::Doccano, &p, &o)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn labelstudio_keeps_relations_document_labels_and_notes(p in project_with_structure(&LINKED), offsets in unit()) {
        let o = Options { offsets, ..Options::default() };
        linked_round_trip(Format::LabelStudio, &p, &o)?;
        let back = round_trip(Format::LabelStudio, &p, &o);
        prop_assert_eq!(provenance(&back), provenance(&p));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn spacy_docbin_keeps_nested_spans_and_document_labels(p in project_with_structure(&LINKED)) {
        let o = Options { spacy_binary: true, ..Options::default() };
        linked_round_trip(Format::Spacy, &p, &o)?;
    }

    #[test]
    fn spacy_json_keeps_nested_spans_and_document_labels(p in project_with_structure(&LINKED)) {
        let back = round_trip(Format::Spacy, &p, &Options::default());
        prop_assert_eq!(core(&back, false), core(&p, false));
        let labels = |p: &Project| -> Vec<Vec<String>> {
            p.documents.iter().map(|d| d.doc_labels.clone()).collect()
        };
        prop_assert_eq!(labels(&back), labels(&p));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn prodigy_keeps_relations_and_document_labels(p in project_with_structure(&LINKED), offsets in unit()) {
        let o = Options { offsets, ..Options::default() };
        linked_round_trip(Format::Prodigy, &p, &o)?;
    }
}
