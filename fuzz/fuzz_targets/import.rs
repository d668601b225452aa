//! Every importer on arbitrary bytes. The first byte picks the reader
//! (`import_as` with one of `Format::ALL`, or `import_detected`) and the file
//! name it is given; the rest is the file. Whatever the bytes, the result is
//! `Ok` or `Err`, never a panic, and a project that imported is valid:
//! every span inside its text, on code point offsets, with a label in the
//! label set; its native JSON export succeeds and re-imports to the same
//! project, and that re-export is byte-identical.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spanmark::formats::{self, Format, Options};

const NAMES: [&str; 8] = [
    "a.spanmark.json",
    "a.jsonl",
    "a.doccano.jsonl",
    "a.prodigy.jsonl",
    "a.json",
    "a.conll",
    "a.ann",
    "a.labelstudio.json",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, content)) = data.split_first() else {
        return;
    };
    let k = pick as usize % (Format::ALL.len() + 2);
    let result = if k < Format::ALL.len() {
        let f = Format::ALL[k];
        // spaCy: the name picks DocBin against JSON.
        let name = if f == Format::Spacy && pick & 0x80 != 0 {
            "a.spacy"
        } else {
            NAMES[k]
        };
        formats::import_as(f, name, content)
    } else if k == Format::ALL.len() {
        formats::import_detected("upload.json", content)
    } else {
        formats::import_detected("upload", content)
    };
    let Ok(imported) = result else {
        return;
    };
    let project = imported.project;
    for d in &project.documents {
        d.validate()
            .unwrap_or_else(|e| panic!("imported an invalid span: {e}"));
        for s in &d.spans {
            assert!(
                project.labels.get(&s.label).is_some(),
                "label {:?} not in the label set",
                s.label
            );
        }
    }
    let json = formats::export_as(Format::Json, &project, &Options::default())
        .unwrap_or_else(|e| panic!("an imported project did not export: {e}"));
    let again = formats::import_as(Format::Json, "b.spanmark.json", &json).unwrap_or_else(|e| {
        panic!(
            "our own export did not re-import: {e}\n{}",
            String::from_utf8_lossy(&json)
        )
    });
    let json2 = formats::export_as(Format::Json, &again.project, &Options::default()).unwrap();
    assert!(
        json == json2,
        "export -> import -> export is not byte-stable"
    );
});
