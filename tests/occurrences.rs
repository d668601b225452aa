//! Labeling every occurrence of a string (in a document, in another
//! document), and the inconsistency view over a project.

use spanmark::doc::{Document, Source, Span};
use spanmark::edit::EditError;
use spanmark::edit::{Editor, Overlap};
use spanmark::occurrences::{inconsistencies, label_every_occurrence, label_text, Labeled};
use spanmark::text_index::TextIndex;

/// Labels every occurrence of the span at `start..end`, as the session does:
/// over the document's index.
fn every(e: &mut Editor, start: usize, end: usize) -> Result<Labeled, EditError> {
    let index = TextIndex::new(&e.doc.text);
    label_every_occurrence(e, &index, start, end)
}

fn editor(text: &str) -> Editor {
    Editor::new(Document::new("d", text), Overlap::Forbid)
}

fn shape(e: &Editor) -> Vec<(usize, usize, String, &'static str)> {
    e.spans()
        .iter()
        .map(|s| (s.start, s.end, s.label.clone(), s.source.name()))
        .collect()
}

fn sugg(start: usize, end: usize, label: &str) -> Span {
    Span::new(start, end, label).with_source(Source::Model)
}

#[test]
fn every_occurrence_in_one_undo_with_emoji_and_crlf_offsets() {
    // Code points: 😀 is one, the CRLFs two each.
    let text = "😀 Ana Lima\r\nsaw Ana Lima.\r\nAna Limas and Ana Lima's 👨‍👩‍👧 Ana Lima";
    let mut e = editor(text);
    let cps: Vec<char> = text.chars().collect();
    e.add(2, 10, "PER").unwrap();
    let done = every(&mut e, 2, 10).unwrap();
    assert_eq!(done.count, 3, "not inside \"Limas\"");
    assert_eq!(done.text, "Ana Lima");
    for s in e.spans() {
        let surface: String = cps[s.start..s.end].iter().collect();
        assert_eq!(surface, "Ana Lima");
        assert_eq!((s.label.as_str(), s.source), ("PER", Source::User));
    }
    assert_eq!(e.spans().len(), 4);
    // One undo removes them all, one redo brings them back.
    e.undo().unwrap();
    assert_eq!(shape(&e), [(2, 10, "PER".to_string(), "user")]);
    e.redo().unwrap();
    assert_eq!(e.spans().len(), 4);
}

#[test]
fn replaces_suggestions_but_never_the_persons_spans() {
    let text = "Jordan met Jordan in Jordan and Jordan Smith.";
    //          0      7   11     18 21     28  32
    let mut e = editor(text);
    e.set_suggestions(vec![sugg(11, 17, "LOC"), sugg(32, 44, "PER")]);
    e.add(21, 27, "LOC").unwrap();
    e.add(0, 6, "PER").unwrap();
    let done = every(&mut e, 0, 6).unwrap();
    assert_eq!(done.count, 2);
    assert_eq!(
        shape(&e),
        [
            (0, 6, "PER".to_string(), "user"),
            (11, 17, "PER".to_string(), "user"),
            (21, 27, "LOC".to_string(), "user"),
            (32, 38, "PER".to_string(), "user"),
        ]
    );
    e.undo().unwrap();
    let back = |s: Span| {
        e.spans()
            .iter()
            .any(|t| (t.start, t.end, &t.label, t.source) == (s.start, s.end, &s.label, s.source))
    };
    assert!(back(sugg(32, 44, "PER")), "suggestions come back");
    assert!(back(sugg(11, 17, "LOC")));
}

#[test]
fn a_suggestion_is_accepted_with_its_occurrences() {
    let mut e = editor("Acme and Acme");
    e.set_suggestions(vec![sugg(0, 4, "ORG")]);
    let done = every(&mut e, 0, 4).unwrap();
    assert_eq!(done.count, 1);
    assert!(e.spans().iter().all(|s| s.source == Source::User));
    assert_eq!(e.spans().len(), 2);
    assert!(every(&mut e, 1, 3).is_err(), "no span there");
}

#[test]
fn overlapping_occurrences_are_taken_left_to_right() {
    let mut e = editor("ha ha ha ha");
    e.add(0, 5, "X").unwrap();
    let done = every(&mut e, 0, 5).unwrap();
    assert_eq!(done.count, 1);
    assert_eq!(e.spans().len(), 2);
    assert!(e.spans().windows(2).all(|w| w[0].end <= w[1].start));
}

#[test]
fn another_document_gets_the_same_as_one_undoable_change() {
    let mut other = editor("Acme Corp hired. Acme Corp's rival, Acme Corpus.");
    other.add(17, 26, "COMPANY").unwrap();
    let done = label_text(&mut other, "Acme Corp", "ORG").unwrap();
    assert_eq!(
        done.count, 1,
        "the person's span and \"Corpus\" are left alone"
    );
    assert_eq!(other.spans()[0].label, "ORG");
    assert_eq!(other.spans()[1].label, "COMPANY");
    other.undo().unwrap();
    assert_eq!(other.spans().len(), 1);
    assert_eq!(label_text(&mut other, "Nothing", "ORG").unwrap().count, 0);
}

fn doc(id: &str, text: &str, spans: &[(usize, usize, &str)]) -> Document {
    let mut d = Document::new(id, text);
    d.spans = spans.iter().map(|&(a, b, l)| Span::new(a, b, l)).collect();
    d
}

#[test]
fn inconsistencies_list_strings_labeled_differently() {
    let docs = vec![
        doc(
            "a",
            "Jordan won. Paris is nice.",
            &[(0, 6, "PER"), (12, 17, "LOC")],
        ),
        doc(
            "b",
            "😀 Jordan fell. Paris too.",
            &[(2, 8, "LOC"), (15, 20, "LOC")],
        ),
        doc("c", "Jordan again.", &[(0, 6, "PER")]),
    ];
    let got = inconsistencies(&docs, false);
    assert_eq!(got.len(), 1, "{got:?}");
    let j = &got[0];
    assert_eq!(j.text, "Jordan");
    let labels: Vec<(&str, usize)> = j
        .labels
        .iter()
        .map(|c| (c.label.as_str(), c.count))
        .collect();
    assert_eq!(labels, [("PER", 2), ("LOC", 1)]);
    let places: Vec<(&str, usize, usize)> = j
        .places
        .iter()
        .map(|p| (p.doc.as_str(), p.start, p.end))
        .collect();
    assert_eq!(places, [("a", 0, 6), ("b", 2, 8), ("c", 0, 6)]);
    // Suggestions are not decisions.
    let mut with_sugg = docs.clone();
    with_sugg[2].spans[0].source = Source::Model;
    assert!(inconsistencies(&with_sugg[..2], false).len() == 1);
    assert!(inconsistencies(&with_sugg[1..], false).is_empty());
}

#[test]
fn inconsistencies_with_unlabeled_places() {
    let docs = vec![
        doc(
            "a",
            "Paris is nice. Paris Hilton came.",
            &[(0, 5, "LOC"), (15, 27, "PER")],
        ),
        doc("b", "In Paris, Parisians and Paris.", &[]),
    ];
    let got = inconsistencies(&docs, true);
    let paris = got.iter().find(|i| i.text == "Paris").unwrap();
    assert_eq!(paris.unlabeled, 2, "{paris:?}");
    let blank: Vec<(&str, usize)> = paris
        .places
        .iter()
        .filter(|p| p.label.is_none())
        .map(|p| (p.doc.as_str(), p.start))
        .collect();
    assert_eq!(blank, [("b", 3), ("b", 24)]);
    assert!(inconsistencies(&docs, false).is_empty());
    let json = serde_json::to_string(&got).unwrap();
    assert!(json.contains(r#""label":null"#), "{json}");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Labeling every occurrence never overlaps spans, labels only the
        /// same text, and one undo gives back exactly what was there.
        #[test]
        fn one_undo_restores_and_spans_never_overlap(
            words in prop::collection::vec(prop::sample::select(vec!["ab", "Ab", "😀", "ab😀", "c", "\r\n", " "]), 1..30),
            pick in 0usize..30,
            len in 1usize..3,
        ) {
            let text: String = words.iter().map(|w| format!("{w} ")).collect();
            let mut e = editor(&text);
            let tokens = spanmark::tokenize::tokenize(&text);
            prop_assume!(!tokens.is_empty());
            let a = tokens[pick % tokens.len()];
            let b = tokens[(pick % tokens.len() + len - 1).min(tokens.len() - 1)];
            let map = spanmark::text::OffsetMap::new(&text);
            let (s, t) = (map.byte_to_char(a.start).unwrap(), map.byte_to_char(b.end).unwrap());
            e.add(s, t, "X").unwrap();
            let before = e.clone();
            let done = every(&mut e, s, t).unwrap();
            let surface = &text[a.start..b.end];
            prop_assert_eq!(e.spans().len(), before.spans().len() + done.count);
            for w in e.spans().windows(2) {
                prop_assert!(w[0].end <= w[1].start);
            }
            for sp in e.spans() {
                prop_assert_eq!(e.doc.surface(&map, sp).unwrap(), surface);
            }
            if done.count > 0 {
                e.undo().unwrap();
                prop_assert_eq!(e.spans(), before.spans());
            }
        }
    }
}
