//! `spanmark convert` end to end: detection, every output format, folders,
//! stdin/stdout, and bad input leaving no output file behind.

mod common;

use common::{assert_success, listing, spanmark, stderr, CommandExt, Scratch};
use std::path::Path;
use std::process::Output;

fn run(dir: &Path, args: &[&str]) -> Output {
    spanmark()
        .arg("convert")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn run_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    spanmark()
        .arg("convert")
        .args(args)
        .current_dir(dir)
        .output_with_stdin(input)
}

const SAMPLE: &str = concat!(
    r#"{"id":"a","text":"Zoë Ball flew to Paris 🇫🇷.\r\nThen\tBerlin.","spans":[{"start":0,"end":8,"label":"PER"},{"start":17,"end":22,"label":"LOC"},{"start":34,"end":40,"label":"LOC"}],"status":"done"}"#,
    "\n",
    r#"{"id":"b","text":"👨‍👩‍👧 at ACME","spans":[{"start":9,"end":13,"label":"ORG","source":"model","score":0.5}]}"#,
    "\n"
);

#[test]
fn every_format_round_trips_through_the_cli() {
    let d = Scratch::new();
    d.write("in.jsonl", SAMPLE);
    for out in [
        "out.spanmark.json",
        "out.doccano.jsonl",
        "out.prodigy.jsonl",
        "out.spacy",
        "out.spacy.json",
        "out.labelstudio.json",
        "out.tar",
        "brat/",
    ] {
        assert_success(&run(d.path(), &["in.jsonl", out]));
        let back = format!("back-{}.jsonl", out.replace(['/', '.'], "_"));
        assert_success(&run(d.path(), &[out.trim_end_matches('/'), &back]));
        let got = d.read(&back);
        for surface in [
            "\"start\":0,\"end\":8,\"label\":\"PER\"",
            "\"start\":34,\"end\":40,\"label\":\"LOC\"",
        ] {
            assert!(got.contains(surface), "{out}: {got}");
        }
        assert!(
            got.contains("Zoë Ball flew to Paris 🇫🇷.\\r\\nThen\\tBerlin."),
            "{out}: {got}"
        );
    }
    // CoNLL keeps tokens and labels; the text is rebuilt.
    assert_success(&run(
        d.path(),
        &["in.jsonl", "out.conll", "--scheme", "bilou"],
    ));
    let conll = d.read("out.conll");
    assert!(
        conll.contains("Zoë -X- -X- B-PER\nBall -X- -X- L-PER\n"),
        "{conll}"
    );
    assert!(conll.contains("ACME -X- -X- U-ORG\n"), "{conll}");
    assert_success(&run(d.path(), &["out.conll", "back.jsonl"]));
    let back = d.read("back.jsonl");
    assert!(back.contains("Zoë Ball flew to Paris 🇫🇷 ."), "{back}");
    assert!(
        !listing(d.path()).iter().any(|f| f.contains(".tmp")),
        "{:?}",
        listing(d.path())
    );
}

#[test]
fn brat_folder_and_lone_ann() {
    let d = Scratch::new();
    d.write("in.jsonl", SAMPLE);
    assert_success(&run(d.path(), &["in.jsonl", "ann", "--to", "brat"]));
    assert_eq!(
        listing(&d.join("ann")),
        ["a.ann", "a.txt", "annotation.conf", "b.ann", "b.txt"]
    );
    let ann = d.read("ann/a.ann");
    assert!(ann.starts_with("T1\tPER 0 8\tZoë Ball\n"), "{ann}");
    // One .ann given alone is read with its .txt.
    assert_success(&run(d.path(), &["ann/a.ann", "one.jsonl"]));
    let one = d.read("one.jsonl");
    assert_eq!(one.lines().count(), 1);
    assert!(one.contains("\"id\":\"a\""), "{one}");
    // Discontinuous spans warn, never vanish.
    d.write("ann/a.ann", "T1\tPER 0 3;4 8\tZoë Ball\n");
    let o = run(d.path(), &["ann", "disc.jsonl"]);
    assert_success(&o);
    assert!(stderr(&o).contains("discontinuous"), "{}", stderr(&o));
    let disc = d.read("disc.jsonl");
    assert!(disc.contains(r#"{"start":0,"end":3,"label":"PER","id":"T1"},{"start":4,"end":8,"label":"PER","id":"T1-2"}"#), "{disc}");
}

#[test]
fn stdin_and_stdout() {
    let d = Scratch::new();
    let o = run_stdin(
        d.path(),
        &["-", "-", "--to", "doccano", "--offsets", "utf16"],
        SAMPLE.as_bytes(),
    );
    assert_success(&o);
    let out = String::from_utf8(o.stdout).unwrap();
    // After the family emoji (5 code points, 8 UTF-16 units).
    assert!(out.contains(r#""label":[[12,16,"ORG"]]"#), "{out}");
    assert!(out.contains(r#""offsets":"utf16""#), "{out}");
    let o = run_stdin(
        d.path(),
        &["-", "-", "--from", "doccano", "--to", "jsonl"],
        out.as_bytes(),
    );
    assert_success(&o);
    assert!(String::from_utf8(o.stdout)
        .unwrap()
        .contains(r#"{"start":9,"end":13,"label":"ORG"}"#));
    // --only-done keeps the one done document.
    let o = run_stdin(
        d.path(),
        &["-", "-", "--to", "jsonl", "--only-done"],
        SAMPLE.as_bytes(),
    );
    assert_success(&o);
    assert_eq!(String::from_utf8(o.stdout).unwrap().lines().count(), 1);
}

#[test]
fn bad_input_fails_cleanly_without_output() {
    let d = Scratch::new();
    let cases: [(&str, &str, &[&str]); 7] = [
        ("trunc.jsonl", "{\"text\":\"abc\"}\n{\"text\":\"ab", &["line 2, column"]),
        ("past.jsonl", "{\"text\":\"abc\",\"spans\":[{\"start\":1,\"end\":9,\"label\":\"X\"}]}\n", &["line 1", "past the end"]),
        ("neg.jsonl", "{\"text\":\"abc\",\"spans\":[{\"start\":-1,\"end\":2,\"label\":\"X\"}]}\n", &["negative"]),
        ("rev.jsonl", "{\"text\":\"abc\",\"spans\":[{\"start\":2,\"end\":1,\"label\":\"X\"}]}\n", &["after its end"]),
        ("sur.jsonl", "{\"text\":\"a😀\",\"offsets\":\"utf16\",\"spans\":[{\"start\":0,\"end\":2,\"label\":\"X\"}]}\n", &["inside a character"]),
        ("type.jsonl", "{\"text\":[1]}\n", &["\"text\" is an array"]),
        ("tags.conll", "EU B-ORG\nrejects Q-X\n", &["line 2, column 9"]),
    ];
    for (name, content, wants) in cases {
        d.write(name, content);
        d.write("keep.conll", "untouched");
        let o = run(d.path(), &[name, "out.jsonl"]);
        assert!(!o.status.success(), "{name} should fail");
        let e = stderr(&o);
        assert!(e.contains(name), "{name}: {e}");
        for w in wants {
            assert!(e.contains(w), "{name}: {e}");
        }
        assert!(!d.join("out.jsonl").exists(), "{name} left output");
    }
    // Invalid UTF-8 names the byte.
    d.write("bin.jsonl", b"{\"text\":\"a\xff\"}");
    let o = run(d.path(), &["bin.jsonl", "out.jsonl"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("offset 10"), "{}", stderr(&o));
    // Crossing spans in CoNLL: the outermost are written, and the rest is
    // named in a warning.
    d.write(
        "overlap.jsonl",
        r#"{"text":"New York City","spans":[{"start":0,"end":8,"label":"LOC"},{"start":4,"end":13,"label":"LOC"}]}"#,
    );
    let o = run(d.path(), &["overlap.jsonl", "crossed.conll"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("CoNLL cannot hold spans inside or across another")
            && stderr(&o).contains("1 left out"),
        "{}",
        stderr(&o)
    );
    assert!(
        d.read("crossed.conll")
            .contains("New -X- -X- B-LOC\nYork -X- -X- I-LOC\nCity -X- -X- O\n"),
        "{}",
        d.read("crossed.conll")
    );
    // An export that cannot be written (a span past its text) leaves the
    // old file as it was and no temporary.
    d.write(
        "past.spanmark.json",
        r#"{"format":"spanmark","version":1,"documents":[{"text":"Oslo","spans":[{"start":0,"end":9,"label":"LOC"}]}]}"#,
    );
    let o = run(d.path(), &["past.spanmark.json", "keep.conll"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("past the end"), "{}", stderr(&o));
    assert_eq!(d.read("keep.conll"), "untouched");
    // Unknown formats, units and undetectable input.
    let o = run(d.path(), &["overlap.jsonl", "x.out", "--to", "xml"]);
    assert!(stderr(&o).contains("not a format"), "{}", stderr(&o));
    let o = run(
        d.path(),
        &["overlap.jsonl", "x.jsonl", "--offsets", "furlongs"],
    );
    assert!(stderr(&o).contains("not a unit"), "{}", stderr(&o));
    d.write("prose.txt", "Just prose.\n");
    let o = run(d.path(), &["prose.txt", "x.jsonl"]);
    assert!(stderr(&o).contains("--from"), "{}", stderr(&o));
    let o = run(
        d.path(),
        &["overlap.jsonl", "x.spacy.json", "--offsets", "utf16"],
    );
    assert!(
        stderr(&o).contains("code point offsets only"),
        "{}",
        stderr(&o)
    );
    assert!(
        !listing(d.path())
            .iter()
            .any(|f| f.starts_with("x.") || f.contains(".tmp") || f == "out.jsonl"),
        "{:?}",
        listing(d.path())
    );
}

#[test]
fn convert_writes_suggestions_unless_asked_for_accepted_spans_only() {
    let d = Scratch::new();
    d.write("in.jsonl", SAMPLE);
    assert_success(&run(d.path(), &["in.jsonl", "all.doccano.jsonl"]));
    assert!(
        d.read("all.doccano.jsonl").contains("\"ORG\""),
        "kept as before"
    );
    for out in ["checked.doccano.jsonl", "checked/"] {
        assert_success(&run(d.path(), &["in.jsonl", out, "--accepted-only"]));
    }
    let got = d.read("checked.doccano.jsonl");
    assert!(!got.contains("\"ORG\"") && got.contains("\"PER\""), "{got}");
    let ann = d.read("checked/b.ann");
    assert!(!ann.contains("ORG"), "brat folder: {ann}");
}

/// A native project with what version 2 adds: nested spans, a relation of
/// an undirected label, a directed one, a document label, notes, attributes.
const STRUCTURED: &str = r##"{
  "format": "spanmark",
  "version": 2,
  "offsets": "codepoint",
  "overlap": "nested",
  "labels": [],
  "relation_labels": [
    {"name": "works_for", "color": "#1f6fb2", "key": null, "directed": true},
    {"name": "same_as", "color": "#b2411f", "key": null, "directed": false}
  ],
  "doc_labels": {"names": ["business"], "multi": false},
  "documents": [
    {"id": "d1", "text": "Bank of China hired Ana Lima.\nAna works there.",
     "spans": [
       {"start": 0, "end": 13, "label": "ORG", "id": "T1"},
       {"start": 8, "end": 13, "label": "LOC", "id": "T2"},
       {"start": 20, "end": 28, "label": "PER", "id": "T3", "note": "two\nlines <b>", "attrs": {"Negated": "true"}},
       {"start": 30, "end": 33, "label": "PER", "id": "T4"}
     ],
     "relations": [
       {"id": "R1", "from": "T3", "to": "T1", "label": "works_for"},
       {"id": "R2", "from": "T3", "to": "T4", "label": "same_as"}
     ],
     "doc_labels": ["business"],
     "note": "checked"}
  ]
}"##;

#[test]
fn json_to_brat_and_back_keeps_relations_notes_and_attributes() {
    let d = Scratch::new();
    d.write("in.spanmark.json", STRUCTURED);
    for out in ["brat/", "out.tar"] {
        let o = run(d.path(), &["in.spanmark.json", out]);
        assert_success(&o);
        // brat has no place for a document's labels or note: said, not hidden.
        for lost in [
            "brat cannot hold document labels: 1 left out",
            "brat cannot hold notes: 1 left out",
        ] {
            assert!(stderr(&o).contains(lost), "{out}: {}", stderr(&o));
        }
        let back = format!("back-{}.spanmark.json", out.replace(['/', '.'], "_"));
        let o = run(d.path(), &[out.trim_end_matches('/'), &back]);
        assert_success(&o);
        assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
        let j: serde_json::Value = serde_json::from_str(&d.read(&back)).unwrap();
        let doc = &j["documents"][0];
        assert_eq!(j["overlap"], "nested");
        assert_eq!(j["relation_labels"][1]["directed"], false);
        assert_eq!(doc["spans"][2]["note"], "two\nlines <b>");
        assert_eq!(doc["spans"][2]["attrs"]["Negated"], "true");
        assert_eq!(doc["spans"][1]["id"], "T2");
        assert_eq!(
            doc["relations"][0],
            serde_json::json!({"id": "R1", "from": "T3", "to": "T1", "label": "works_for"})
        );
        assert_eq!(
            (&doc["relations"][1]["from"], &doc["relations"][1]["to"]),
            (&serde_json::json!("T3"), &serde_json::json!("T4"))
        );
        assert!(doc.get("doc_labels").is_none() && doc.get("note").is_none());
    }
    let conf = d.read("brat/annotation.conf");
    assert!(conf.contains("<OVERLAP>"), "{conf}");
    assert!(
        conf.contains("same_as\tArg1:<ENTITY>, Arg2:<ENTITY>, <REL-TYPE>:symmetric-transitive"),
        "{conf}"
    );
    // JSON to JSON keeps everything, byte for byte.
    assert_success(&run(d.path(), &["in.spanmark.json", "again.spanmark.json"]));
    assert_success(&run(
        d.path(),
        &["again.spanmark.json", "twice.spanmark.json"],
    ));
    assert_eq!(d.read("again.spanmark.json"), d.read("twice.spanmark.json"));
    let again: serde_json::Value = serde_json::from_str(&d.read("again.spanmark.json")).unwrap();
    assert_eq!(again["documents"][0]["doc_labels"][0], "business");
    assert_eq!(again["documents"][0]["note"], "checked");
}
