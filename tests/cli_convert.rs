//! `spanmark convert` end to end: detection, every output format, folders,
//! stdin/stdout, and bad input leaving no output file behind.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_spanmark");

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "spanmark-cli-convert-{}-{name}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("convert")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn run_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .arg("convert")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstderr: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Only the files we expect, no temporaries left behind.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

const SAMPLE: &str = concat!(
    r#"{"id":"a","text":"Zoë Ball flew to Paris 🇫🇷.\r\nThen\tBerlin.","spans":[{"start":0,"end":8,"label":"PER"},{"start":17,"end":22,"label":"LOC"},{"start":34,"end":40,"label":"LOC"}],"status":"done"}"#,
    "\n",
    r#"{"id":"b","text":"👨‍👩‍👧 at ACME","spans":[{"start":9,"end":13,"label":"ORG","source":"model","score":0.5}]}"#,
    "\n"
);

#[test]
fn every_format_round_trips_through_the_cli() {
    let d = tmp("all");
    fs::write(d.join("in.jsonl"), SAMPLE).unwrap();
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
        ok(&run(&d, &["in.jsonl", out]));
        let back = format!("back-{}.jsonl", out.replace(['/', '.'], "_"));
        ok(&run(&d, &[out.trim_end_matches('/'), &back]));
        let got = fs::read_to_string(d.join(&back)).unwrap();
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
    ok(&run(&d, &["in.jsonl", "out.conll", "--scheme", "bilou"]));
    let conll = fs::read_to_string(d.join("out.conll")).unwrap();
    assert!(
        conll.contains("Zoë -X- -X- B-PER\nBall -X- -X- L-PER\n"),
        "{conll}"
    );
    assert!(conll.contains("ACME -X- -X- U-ORG\n"), "{conll}");
    ok(&run(&d, &["out.conll", "back.jsonl"]));
    let back = fs::read_to_string(d.join("back.jsonl")).unwrap();
    assert!(back.contains("Zoë Ball flew to Paris 🇫🇷 ."), "{back}");
    assert!(
        !listing(&d).iter().any(|f| f.contains(".tmp")),
        "{:?}",
        listing(&d)
    );
}

#[test]
fn brat_folder_and_lone_ann() {
    let d = tmp("brat");
    fs::write(d.join("in.jsonl"), SAMPLE).unwrap();
    ok(&run(&d, &["in.jsonl", "ann", "--to", "brat"]));
    assert_eq!(
        listing(&d.join("ann")),
        ["a.ann", "a.txt", "annotation.conf", "b.ann", "b.txt"]
    );
    let ann = fs::read_to_string(d.join("ann/a.ann")).unwrap();
    assert!(ann.starts_with("T1\tPER 0 8\tZoë Ball\n"), "{ann}");
    // One .ann given alone is read with its .txt.
    ok(&run(&d, &["ann/a.ann", "one.jsonl"]));
    let one = fs::read_to_string(d.join("one.jsonl")).unwrap();
    assert_eq!(one.lines().count(), 1);
    assert!(one.contains("\"id\":\"a\""), "{one}");
    // Discontinuous spans warn, never vanish.
    fs::write(d.join("ann/a.ann"), "T1\tPER 0 3;4 8\tZoë Ball\n").unwrap();
    let o = run(&d, &["ann", "disc.jsonl"]);
    ok(&o);
    assert!(stderr(&o).contains("discontinuous"), "{}", stderr(&o));
    let disc = fs::read_to_string(d.join("disc.jsonl")).unwrap();
    assert!(disc.contains(r#"{"start":0,"end":3,"label":"PER","id":"T1"},{"start":4,"end":8,"label":"PER","id":"T1-2"}"#), "{disc}");
}

#[test]
fn stdin_and_stdout() {
    let d = tmp("std");
    let o = run_stdin(
        &d,
        &["-", "-", "--to", "doccano", "--offsets", "utf16"],
        SAMPLE.as_bytes(),
    );
    ok(&o);
    let out = String::from_utf8(o.stdout).unwrap();
    // After the family emoji (5 code points, 8 UTF-16 units).
    assert!(out.contains(r#""label":[[12,16,"ORG"]]"#), "{out}");
    assert!(out.contains(r#""offsets":"utf16""#), "{out}");
    let o = run_stdin(
        &d,
        &["-", "-", "--from", "doccano", "--to", "jsonl"],
        out.as_bytes(),
    );
    ok(&o);
    assert!(String::from_utf8(o.stdout)
        .unwrap()
        .contains(r#"{"start":9,"end":13,"label":"ORG"}"#));
    // --only-done keeps the one done document.
    let o = run_stdin(
        &d,
        &["-", "-", "--to", "jsonl", "--only-done"],
        SAMPLE.as_bytes(),
    );
    ok(&o);
    assert_eq!(String::from_utf8(o.stdout).unwrap().lines().count(), 1);
}

#[test]
fn bad_input_fails_cleanly_without_output() {
    let d = tmp("bad");
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
        fs::write(d.join(name), content).unwrap();
        fs::write(d.join("keep.conll"), "untouched").unwrap();
        let o = run(&d, &[name, "out.jsonl"]);
        assert!(!o.status.success(), "{name} should fail");
        let e = stderr(&o);
        assert!(e.contains(name), "{name}: {e}");
        for w in wants {
            assert!(e.contains(w), "{name}: {e}");
        }
        assert!(!d.join("out.jsonl").exists(), "{name} left output");
    }
    // Invalid UTF-8 names the byte.
    fs::write(d.join("bin.jsonl"), b"{\"text\":\"a\xff\"}").unwrap();
    let o = run(&d, &["bin.jsonl", "out.jsonl"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("offset 10"), "{}", stderr(&o));
    // An export that cannot be written (overlaps in CoNLL) leaves the old
    // file as it was and no temporary.
    fs::write(
        d.join("overlap.jsonl"),
        r#"{"text":"New York City","spans":[{"start":0,"end":8,"label":"LOC"},{"start":4,"end":13,"label":"LOC"}]}"#,
    )
    .unwrap();
    let o = run(&d, &["overlap.jsonl", "keep.conll"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("overlap"), "{}", stderr(&o));
    assert_eq!(
        fs::read_to_string(d.join("keep.conll")).unwrap(),
        "untouched"
    );
    // Unknown formats, units and undetectable input.
    let o = run(&d, &["overlap.jsonl", "x.out", "--to", "xml"]);
    assert!(stderr(&o).contains("not a format"), "{}", stderr(&o));
    let o = run(&d, &["overlap.jsonl", "x.jsonl", "--offsets", "furlongs"]);
    assert!(stderr(&o).contains("not a unit"), "{}", stderr(&o));
    fs::write(d.join("prose.txt"), "Just prose.\n").unwrap();
    let o = run(&d, &["prose.txt", "x.jsonl"]);
    assert!(stderr(&o).contains("--from"), "{}", stderr(&o));
    let o = run(&d, &["overlap.jsonl", "x.spacy.json", "--offsets", "utf16"]);
    assert!(
        stderr(&o).contains("code point offsets only"),
        "{}",
        stderr(&o)
    );
    assert!(
        !listing(&d)
            .iter()
            .any(|f| f.starts_with("x.") || f.contains(".tmp") || f == "out.jsonl"),
        "{:?}",
        listing(&d)
    );
}
