//! Files in each tool's own shape (our texts, written the way doccano,
//! Prodigy, Label Studio, brat, CoNLL-2003 and spaCy itself write them) import
//! with the right surfaces, labels and warnings.

use spanmark::doc::{Project, Source, Status};
use spanmark::formats::{self, conll, File, Format, Imported, Scheme};
use spanmark::text::OffsetMap;
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn import(name: &str) -> Imported {
    let bytes = fixture(name);
    let format = Format::detect(name, &bytes).unwrap_or_else(|| panic!("{name}: not detected"));
    formats::import_as(format, name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// (document, surface, label) of every span.
fn surfaces(p: &Project) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    for (i, d) in p.documents.iter().enumerate() {
        let map = OffsetMap::new(&d.text);
        for s in &d.spans {
            out.push((i, d.surface(&map, s).unwrap().to_string(), s.label.clone()));
        }
    }
    out
}

fn owned(v: &[(usize, &str, &str)]) -> Vec<(usize, String, String)> {
    v.iter()
        .map(|&(i, s, l)| (i, s.to_string(), l.to_string()))
        .collect()
}

#[test]
fn doccano_both_variants() {
    let r = import("doccano.jsonl");
    assert_eq!(
        surfaces(&r.project),
        owned(&[
            (0, "Grace Hopper", "PER"),
            (0, "Navy", "ORG"),
            (0, "1943", "DATE"),
            (1, "Ångström", "PER"),
            (1, "Uppsala", "LOC")
        ])
    );
    assert_eq!(r.project.documents[0].id, "41");
    // doccano's comments are the document's note.
    assert_eq!(r.project.documents[0].meta, serde_json::json!({}));
    assert_eq!(r.project.documents[0].note.as_deref(), Some("checked"));
}

#[test]
fn prodigy_task() {
    let r = import("prodigy.jsonl");
    assert_eq!(
        surfaces(&r.project),
        owned(&[(0, "Hedy Lamarr", "PER"), (0, "Wien", "LOC")])
    );
    let d = &r.project.documents[0];
    assert_eq!(d.status, Status::Done);
    assert_eq!(d.meta["_view_id"], "ner_manual");
}

#[test]
fn labelstudio_annotations_and_predictions() {
    let r = import("labelstudio.json");
    assert_eq!(
        surfaces(&r.project),
        owned(&[(0, "Katherine Johnson", "PER"), (0, "NASA", "ORG")])
    );
    let d = &r.project.documents[0];
    assert_eq!(d.id, "301");
    assert_eq!(d.spans[0].source, Source::User);
    assert_eq!(d.spans[1].source, Source::Model);
    assert_eq!(d.spans[1].score, Some(0.8));
    // Its choices are the document's labels.
    assert_eq!(d.doc_labels, ["science"]);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn brat_folder_with_crlf_discontinuous_and_relations() {
    let files: Vec<File> = ["letters.txt", "letters.ann"]
        .iter()
        .map(|n| File::new(*n, fixture(&format!("brat/{n}"))))
        .collect();
    let r = formats::import_files(Format::Brat, &files).unwrap();
    assert_eq!(
        surfaces(&r.project),
        owned(&[
            (0, "Ada Lovelace", "PER"),
            (0, "Charles Babbage", "PER"),
            (0, "London", "LOC"),
            (0, "Analytical", "MISC"),
            (0, "Engine", "MISC"),
            (0, "🚂", "MISC"),
        ])
    );
    assert!(r.project.documents[0].text.contains("\r\n"));
    let all = r.warnings.join("\n");
    assert!(all.contains("T4 is discontinuous"), "{all}");
    assert_eq!(r.warnings.len(), 1, "{all}");
    // The relation and the note are kept (the note on the first fragment).
    let d = &r.project.documents[0];
    let rel = &d.relations[0];
    assert_eq!(
        (rel.from.as_str(), rel.to.as_str(), rel.label.as_str()),
        ("T1", "T2", "Met")
    );
    let noted: Vec<_> = d
        .spans
        .iter()
        .filter_map(|s| Some((s.id.as_deref()?, s.note.as_deref()?)))
        .collect();
    assert_eq!(noted, [("T4", "the machine")]);
}

#[test]
fn conll2003_iob1_with_pos_and_chunk_columns() {
    let content = String::from_utf8(fixture("conll2003.conll")).unwrap();
    assert_eq!(conll::detect_scheme(&content), Some(Scheme::Iob1));
    let r = import("conll2003.conll");
    assert_eq!(r.project.documents.len(), 2);
    assert_eq!(
        r.project.documents[0].text,
        "Lise Meitner met Otto Hahn Fritz in Berlin ."
    );
    assert_eq!(
        surfaces(&r.project),
        owned(&[
            (0, "Lise Meitner", "PER"),
            (0, "Otto Hahn", "PER"),
            (0, "Fritz", "PER"),
            (0, "Berlin", "LOC"),
            (1, "Curie", "PER")
        ])
    );
}

#[test]
fn docbin_written_by_spacy() {
    // spaCy 3.8's own DocBin (its tokenizer, all of its default attrs, user
    // data, a span group and cats) of tests/fixtures/formats/interop.jsonl.
    let r = import("spacy-made.spacy");
    let source = formats::import_as(Format::Jsonl, "x.jsonl", &fixture("interop.jsonl")).unwrap();
    let texts = |p: &Project| {
        p.documents
            .iter()
            .map(|d| d.text.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(texts(&r.project), texts(&source.project));
    assert_eq!(surfaces(&r.project), surfaces(&source.project));
    // Its cats are the document's labels; its span group's spans are
    // among the entities.
    assert_eq!(r.project.documents[0].doc_labels, ["travel"]);
    assert_eq!(r.project.documents[0].meta, serde_json::json!({}));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}
