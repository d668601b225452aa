//! Bad files: every importer (through `formats::import_as` for each of
//! `Format::ALL`, and `formats::import_detected`) and the CLI get truncated,
//! malformed, mis-typed, out-of-range, duplicated, non-UTF-8, enormous,
//! deeply nested and empty input. Each must come back as an `Err` whose
//! message names the place (line and column, byte offset, or document and
//! span), never as a panic; the CLI exits non-zero and leaves no output file.
//!
//! What these tests hold the core to is in SECURITY.md ("Nothing crashes").

mod common;

use common::{listing, spanmark, stderr, CommandExt, Scratch};
use spanmark::doc::{Document, Project, Span};
use spanmark::formats::{self, File, Format, FormatError, Imported, Options};
use spanmark::labels::LabelSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

// ---- helpers -----------------------------------------------------------------

/// Imports without letting a panic escape: a panic fails the test with the
/// input that caused it.
fn try_import(format: Option<Format>, name: &str, content: &[u8]) -> Result<Imported, FormatError> {
    let r = catch_unwind(AssertUnwindSafe(|| match format {
        Some(f) => formats::import_as(f, name, content),
        None => formats::import_detected(name, content),
    }));
    match r {
        Ok(r) => r,
        Err(_) => panic!(
            "PANIC importing {name} as {format:?}: {:?}",
            String::from_utf8_lossy(&content[..content.len().min(300)])
        ),
    }
}

/// The error of an import that must fail; panics (fails the test) on `Ok`.
fn err(format: Option<Format>, name: &str, content: &[u8]) -> String {
    match try_import(format, name, content) {
        Ok(i) => panic!(
            "{name} as {format:?} imported {} document(s) but should fail: {:?}",
            i.project.documents.len(),
            String::from_utf8_lossy(&content[..content.len().min(300)])
        ),
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.len() < 2000,
                "error message of {} bytes: {:.200}…",
                msg.len(),
                msg
            );
            msg
        }
    }
}

/// Whether a message says where the problem is.
fn names_place(msg: &str) -> bool {
    let has_num_after = |word: &str| {
        msg.match_indices(word).any(|(i, _)| {
            msg[i + word.len()..]
                .trim_start_matches([' ', '"', '('])
                .starts_with(|c: char| c.is_ascii_digit())
        })
    };
    [
        "line", "column", "offset", "byte", "item", "task", "span", "entity", "token",
    ]
    .iter()
    .any(|w| has_num_after(w))
        || msg.contains("document \"")
        || msg.contains(".ann")
        || msg.contains(".txt")
}

fn expect(format: Option<Format>, name: &str, content: &[u8], needles: &[&str]) {
    let msg = err(format, name, content);
    assert!(
        names_place(&msg),
        "{name} as {format:?}: error does not name the place: {msg}"
    );
    for n in needles {
        assert!(
            msg.contains(n),
            "{name} as {format:?}: error {msg:?} should contain {n:?}"
        );
    }
}

fn j(format: Format, name: &str, content: &str, needles: &[&str]) {
    expect(Some(format), name, content.as_bytes(), needles);
}

/// A minimal POSIX tar of `(path, bytes)` pairs: what the page's brat
/// download and `import_as(Format::Brat, ..)` read.
fn tar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data) in files {
        let mut h = [0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..107].copy_from_slice(b"0000644");
        h[108..115].copy_from_slice(b"0000000");
        h[116..123].copy_from_slice(b"0000000");
        h[124..135].copy_from_slice(format!("{:011o}", data.len()).as_bytes());
        h[136..147].copy_from_slice(b"00000000000");
        h[156] = b'0';
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| b as u32).sum();
        h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        out.extend_from_slice(&h);
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

fn brat(txt: &str, ann: &str) -> Vec<u8> {
    tar(&[("doc.txt", txt.as_bytes()), ("doc.ann", ann.as_bytes())])
}

/// A small valid project with astral characters, CRLF and combining marks.
fn sample() -> Project {
    let mut a = Document::new(
        "a",
        "Zoë Ball flew to 🇫🇷 Paris.\r\nShe met Ada 😀 Lovelace.",
    );
    a.spans = vec![
        Span::new(0, 8, "PER"),
        Span::new(20, 25, "LOC"),
        Span::new(36, 48, "PER"),
    ];
    let mut b = Document::new("b", "Cafe\u{301} Lumière opened in Québec.");
    b.spans = vec![Span::new(0, 13, "ORG"), Span::new(25, 31, "LOC")];
    let mut p = Project {
        labels: LabelSet::empty(),
        documents: vec![a, b],
        ..Default::default()
    };
    p.add_missing_labels();
    p
}

fn exported(format: Format, binary: bool) -> Vec<u8> {
    let options = Options {
        spacy_binary: binary,
        ..Options::default()
    };
    formats::export_as(format, &sample(), &options).expect("the sample exports")
}

fn import_name(format: Format, binary: bool) -> &'static str {
    match format {
        Format::Json => "p.spanmark.json",
        Format::Jsonl => "p.jsonl",
        Format::Doccano => "p.doccano.jsonl",
        Format::Prodigy => "p.prodigy.jsonl",
        Format::Spacy if binary => "p.spacy",
        Format::Spacy => "p.spacy.json",
        Format::Conll => "p.conll",
        Format::Brat => "p.brat.tar",
        Format::LabelStudio => "p.labelstudio.json",
    }
}

fn all_exports() -> Vec<(Format, bool, Vec<u8>)> {
    let mut v: Vec<(Format, bool, Vec<u8>)> = Format::ALL
        .iter()
        .map(|&f| (f, false, exported(f, false)))
        .collect();
    v.push((Format::Spacy, true, exported(Format::Spacy, true)));
    v
}

// ---- truncated -----------------------------------------------------------------

/// Every format's own export, cut at many points: no panic; a cut that
/// fails names the place; a cut that still parses gives no span outside
/// its text.
#[test]
fn truncated_files_fail_cleanly_at_every_cut() {
    for (format, binary, full) in all_exports() {
        assert!(try_import(Some(format), import_name(format, binary), &full).is_ok());
        let step = (full.len() / 97).max(1);
        let mut failures = 0;
        for cut in (1..full.len()).step_by(step) {
            let part = &full[..cut];
            match try_import(Some(format), import_name(format, binary), part) {
                Ok(i) => {
                    for d in &i.project.documents {
                        d.validate().unwrap_or_else(|e| {
                            panic!("{format} cut at {cut}: invalid span imported: {e}")
                        });
                    }
                }
                Err(e) => {
                    failures += 1;
                    let msg = e.to_string();
                    // A DocBin is zlib: a cut stream has no line to name.
                    if !binary {
                        assert!(
                            names_place(&msg),
                            "{format} cut at {cut}/{}: no place in {msg:?}",
                            full.len()
                        );
                    }
                }
            }
        }
        assert!(failures > 0, "{format}: no truncation was noticed");
    }
}

#[test]
fn truncated_json_names_line_and_column() {
    let full = String::from_utf8(exported(Format::Json, false)).unwrap();
    let cut = &full[..full.find("Paris").unwrap()];
    let msg = err(Some(Format::Json), "p.spanmark.json", cut.as_bytes());
    let last_line = cut.lines().count();
    assert!(msg.contains(&format!("line {last_line}, column")), "{msg}");
    assert!(msg.contains("EOF"), "{msg}");
}

#[test]
fn truncated_tar_names_the_byte() {
    let t = brat("Ada met Bo.", "T1\tPER 0 3\tAda\n");
    // Cut inside the first file's data (bytes 512..523).
    expect(
        Some(Format::Brat),
        "p.tar",
        &t[..515],
        &["cut short", "byte 512"],
    );
}

#[test]
fn truncated_docbin_is_an_error() {
    let full = exported(Format::Spacy, true);
    for cut in [2, 10, full.len() / 2, full.len() - 1] {
        let msg = err(Some(Format::Spacy), "p.spacy", &full[..cut]);
        assert!(msg.contains("DocBin"), "cut {cut}: {msg}");
    }
}

// ---- malformed -------------------------------------------------------------------

#[test]
fn malformed_json_and_jsonl() {
    j(
        Format::Json,
        "a.json",
        "{\"format\":\"spanmark\",\"version\":1,,}",
        &["line 1, column 34"],
    );
    j(
        Format::Json,
        "a.json",
        "{\"format\":\"spanmark\",\n\"version\":1,\n\"documents\":[{\"id\":\"a\" \"text\":\"x\"}]}",
        &["line 3"],
    );
    // Header-level problems need no place beyond what they name.
    let e = err(
        Some(Format::Json),
        "a.json",
        b"{\"format\":\"spanmark\",\"version\":99,\"documents\":[]}",
    );
    assert!(e.contains("version 99"), "{e}");
    j(
        Format::Jsonl,
        "a.jsonl",
        "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\" \"text\":\"y\"}\n",
        &["line 2"],
    );
    j(
        Format::Jsonl,
        "a.jsonl",
        "{\"id\":\"a\",\"text\":\"x\"}\nnot json at all\n",
        &["line 2"],
    );
    j(
        Format::Jsonl,
        "a.jsonl",
        "{\"id\":\"a\",\"text\":\"x\"}\n[1,2]\n",
        &["line 2"],
    );
    j(
        Format::Doccano,
        "a.jsonl",
        "{\"text\":\"abc\"}\n{\"text\":\"abc\",\"label\":[[0,1]]}\n",
        &["line 2", "item 0"],
    );
    j(
        Format::Prodigy,
        "a.jsonl",
        "{\"text\":\"abc\",\"spans\":[{\"start\":0,\"end\":2}]}\n",
        &["line 1", "span 0", "label"],
    );
    j(
        Format::LabelStudio,
        "a.json",
        "[{\"data\":{\"text\":\"abc\"}},]",
        &["line 1"],
    );
    j(
        Format::LabelStudio,
        "a.json",
        "[{\"data\":{}}]",
        &["task 1", "text"],
    );
    j(Format::Spacy, "a.json", "[[\"abc\"]]", &["item 1"]);
    j(
        Format::Spacy,
        "a.json",
        "[[\"abc\", {\"entities\": [[0, 1]]}]]",
        &["item 1"],
    );
}

#[test]
fn malformed_conll() {
    j(
        Format::Conll,
        "a.conll",
        "EU B-ORG\nrejects\n",
        &["line 2", "rejects"],
    );
    j(
        Format::Conll,
        "a.conll",
        "EU B-ORG\nrejects O\nGerman X-MISC\n",
        &["line 3", "X-MISC"],
    );
    j(Format::Conll, "a.conll", "EU B-\n", &["line 1"]);
}

#[test]
fn malformed_brat() {
    let t = "Ada met Bo in Paris.";
    expect(
        Some(Format::Brat),
        "p.tar",
        &brat(t, "T1\tPER 0 3\tAda\nT2 PER 8 10\n"),
        &["doc.ann", "line 2"],
    );
    expect(
        Some(Format::Brat),
        "p.tar",
        &brat(t, "T1\tPER 0 3\tAda\nT2\tPER\tBo\n"),
        &["doc.ann", "line 2"],
    );
    expect(
        Some(Format::Brat),
        "p.tar",
        &brat(t, "T1\tPER 0 x\tAda\n"),
        &["doc.ann", "line 1", "not a whole number"],
    );
    expect(
        Some(Format::Brat),
        "p.tar",
        &brat(t, "hello\n"),
        &["doc.ann", "line 1"],
    );
    // An .ann without its .txt.
    let lone = tar(&[("doc.ann", b"T1\tPER 0 3\tAda\n")]);
    expect(Some(Format::Brat), "p.tar", &lone, &["doc.ann", "doc.txt"]);
    let e = err(Some(Format::Brat), "doc.ann", b"T1\tPER 0 3\tAda\n");
    assert!(e.contains("doc.txt"), "{e}");
}

#[test]
fn malformed_docbin() {
    let e = err(Some(Format::Spacy), "a.spacy", b"x\x9c\x00\x01");
    assert!(e.contains("DocBin"), "{e}");
    // Well-formed zlib around msgpack that is not a DocBin.
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&[0x93, 1, 2, 3]).unwrap();
    let e = err(Some(Format::Spacy), "a.spacy", &z.finish().unwrap());
    assert!(e.contains("DocBin"), "{e}");
}

/// A DocBin whose tables disagree (more tokens claimed than stored, a
/// string id not in its string table): a clear error, not an index panic.
#[test]
fn inconsistent_docbin_tables() {
    type MsgMap = Vec<(rmpv::Value, rmpv::Value)>;
    use rmpv::Value;
    use std::io::{Read, Write};
    let full = exported(Format::Spacy, true);
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&full[..])
        .read_to_end(&mut raw)
        .unwrap();
    let v = rmpv::decode::read_value(&mut &raw[..]).unwrap();
    let rewrite = |edit: &dyn Fn(&mut MsgMap)| -> Vec<u8> {
        let mut v = v.clone();
        if let Value::Map(m) = &mut v {
            edit(m);
        }
        let mut out = Vec::new();
        rmpv::encode::write_value(&mut out, &v).unwrap();
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&out).unwrap();
        z.finish().unwrap()
    };
    let set = |key: &'static str, val: Value| {
        move |m: &mut MsgMap| {
            for (k, x) in m.iter_mut() {
                if k.as_str() == Some(key) {
                    *x = val.clone();
                }
            }
        }
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "lengths too long",
            rewrite(&set(
                "lengths",
                Value::Binary(vec![0xff, 0xff, 0, 0, 9, 0, 0, 0]),
            )),
        ),
        (
            "lengths negative",
            rewrite(&set("lengths", Value::Binary(vec![0xff, 0xff, 0xff, 0xff]))),
        ),
        (
            "lengths odd bytes",
            rewrite(&set("lengths", Value::Binary(vec![1, 2, 3]))),
        ),
        (
            "tokens cut",
            rewrite(&set("tokens", Value::Binary(vec![0; 12]))),
        ),
        ("no strings", rewrite(&set("strings", Value::Array(vec![])))),
        (
            "spaces cut",
            rewrite(&set("spaces", Value::Binary(vec![1]))),
        ),
        ("attrs empty", rewrite(&set("attrs", Value::Array(vec![])))),
        (
            "attrs typed wrong",
            rewrite(&set("attrs", Value::String("x".into()))),
        ),
    ];
    for (what, bytes) in cases {
        match try_import(Some(Format::Spacy), "a.spacy", &bytes) {
            Err(e) => assert!(e.to_string().contains("DocBin"), "{what}: {e}"),
            Ok(i) => {
                for d in &i.project.documents {
                    d.validate().unwrap_or_else(|e| panic!("{what}: {e}"));
                }
            }
        }
    }
}

// ---- mis-typed -----------------------------------------------------------------------

#[test]
fn mistyped_fields_name_field_and_place() {
    j(
        Format::Json,
        "a.json",
        "{\"format\":\"spanmark\",\"version\":1,\"documents\":[{\"id\":\"a\",\"text\":5}]}",
        &["line 1, column"],
    );
    j(Format::Json, "a.json", "{\"format\":\"spanmark\",\"version\":1,\"documents\":[{\"id\":\"a\",\"text\":\"abc\",\"spans\":[{\"start\":\"0\",\"end\":2,\"label\":\"X\"}]}]}", &["line 1, column"]);
    j(
        Format::Json,
        "a.json",
        "{\"format\":\"spanmark\",\"version\":1,\"labels\":{\"PER\":1},\"documents\":[]}",
        &["line 1, column"],
    );
    j(
        Format::Jsonl,
        "a.jsonl",
        "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":5}\n",
        &["line 2", "\"text\""],
    );
    j(
        Format::Jsonl,
        "a.jsonl",
        "{\"id\":\"a\",\"text\":\"abc\",\"spans\":[{\"start\":0,\"end\":1.5,\"label\":\"X\"}]}\n",
        &["line 1"],
    );
    j(
        Format::Jsonl,
        "a.jsonl",
        "{\"id\":\"a\",\"text\":\"abc\",\"spans\":{\"start\":0}}\n",
        &["line 1"],
    );
    j(Format::Doccano, "a.jsonl", "{\"text\":\"abc\",\"entities\":[{\"start_offset\":0,\"end_offset\":\"2\",\"label\":\"X\"}]}\n", &["line 1", "end_offset", "string"]);
    j(
        Format::Doccano,
        "a.jsonl",
        "{\"text\":[\"abc\"],\"label\":[]}\n",
        &["line 1", "text"],
    );
    j(
        Format::Prodigy,
        "a.jsonl",
        "{\"text\":\"abc\",\"spans\":[{\"start\":0,\"end\":2,\"label\":7}]}\n",
        &["line 1", "label"],
    );
    j(
        Format::LabelStudio,
        "a.json",
        "[{\"data\":{\"text\":5}}]",
        &["task 1", "data.text"],
    );
    j(Format::LabelStudio, "a.json", "[{\"data\":{\"text\":\"abc\"},\"annotations\":[{\"result\":[{\"type\":\"labels\",\"value\":{\"start\":\"0\",\"end\":1,\"labels\":[\"X\"]}}]}]}]", &["task 1"]);
    j(
        Format::Spacy,
        "a.json",
        "[[5, {\"entities\": []}]]",
        &["item 1"],
    );
    let e = err(Some(Format::Spacy), "a.json", b"{\"not\": \"a list\"}");
    assert!(e.contains("array"), "{e}");
}

// ---- offsets -------------------------------------------------------------------------

/// Offsets past the end, negative, reversed, and (utf16) between the halves
/// of a surrogate pair, in every format that carries offsets.
#[test]
fn out_of_range_offsets_in_every_offset_format() {
    let t = "a😀b";
    for (s, e, needle) in [
        (0i64, 9i64, "past the end"),
        (-1, 2, "negative"),
        (2, 1, "after its end"),
    ] {
        let span = format!("{{\"start\":{s},\"end\":{e},\"label\":\"X\"}}");
        let native = format!(
            "{{\"format\":\"spanmark\",\"version\":1,\"documents\":[{{\"id\":\"d\",\"text\":\"{t}\",\"spans\":[{span}]}}]}}"
        );
        let place_native: &[&str] = if s < 0 {
            &["line 1, column"]
        } else {
            &["document 1", "span 0", needle]
        };
        j(Format::Json, "a.json", &native, place_native);
        j(Format::Jsonl, "a.jsonl", &format!("{{\"id\":\"x\",\"text\":\"ok\"}}\n{{\"id\":\"d\",\"text\":\"{t}\",\"spans\":[{span}]}}\n"), &["line 2", "span 0"]);
        j(
            Format::Doccano,
            "a.jsonl",
            &format!("{{\"text\":\"{t}\",\"label\":[[{s},{e},\"X\"]]}}\n"),
            &["line 1", "item 0", needle],
        );
        j(Format::Doccano, "a.jsonl", &format!("{{\"text\":\"{t}\",\"entities\":[{{\"start_offset\":{s},\"end_offset\":{e},\"label\":\"X\"}}]}}\n"), &["line 1", "item 0"]);
        j(
            Format::Prodigy,
            "a.jsonl",
            &format!("{{\"text\":\"{t}\",\"spans\":[{span}]}}\n"),
            &["line 1", "span 0"],
        );
        j(
            Format::Spacy,
            "a.json",
            &format!("[[\"{t}\",{{\"entities\":[[{s},{e},\"X\"]]}}]]"),
            &["item 1", "entity 0"],
        );
        j(Format::LabelStudio, "a.json", &format!("[{{\"data\":{{\"text\":\"{t}\"}},\"annotations\":[{{\"result\":[{{\"type\":\"labels\",\"value\":{{\"start\":{s},\"end\":{e},\"labels\":[\"X\"]}}}}]}}]}}]"), &["task 1", "result 0"]);
        expect(
            Some(Format::Brat),
            "p.tar",
            &brat(t, &format!("T1\tX {s} {e}\tx\n")),
            &["doc.ann", "line 1", "T1"],
        );
    }
}

#[test]
fn offsets_splitting_a_surrogate_pair_in_utf16_mode() {
    // "a😀b": in UTF-16 the emoji is units 1..3; 2 falls between its halves.
    let t = "a😀b";
    j(Format::Json, "a.json", &format!("{{\"format\":\"spanmark\",\"version\":1,\"offsets\":\"utf16\",\"documents\":[{{\"id\":\"d\",\"text\":\"{t}\",\"spans\":[{{\"start\":0,\"end\":2,\"label\":\"X\"}}]}}]}}"), &["document 1", "span 0", "offset 2", "inside a character"]);
    j(Format::Jsonl, "a.jsonl", &format!("{{\"id\":\"d\",\"offsets\":\"utf16\",\"text\":\"{t}\",\"spans\":[{{\"start\":2,\"end\":4,\"label\":\"X\"}}]}}\n"), &["line 1", "inside a character", "utf16"]);
    j(
        Format::Doccano,
        "a.jsonl",
        &format!("{{\"offsets\":\"utf16\",\"text\":\"{t}\",\"label\":[[1,2,\"X\"]]}}\n"),
        &["line 1", "inside a character"],
    );
    j(Format::Prodigy, "a.jsonl", &format!("{{\"offsets\":\"utf16\",\"text\":\"{t}\",\"spans\":[{{\"start\":2,\"end\":3,\"label\":\"X\"}}]}}\n"), &["line 1", "inside a character"]);
    j(Format::LabelStudio, "a.json", &format!("[{{\"offsets\":\"utf16\",\"data\":{{\"text\":\"{t}\"}},\"annotations\":[{{\"result\":[{{\"type\":\"labels\",\"value\":{{\"start\":0,\"end\":2,\"labels\":[\"X\"]}}}}]}}]}}]"), &["task 1", "inside a character"]);
    // Byte offsets inside a UTF-8 sequence, likewise.
    j(Format::Json, "a.json", &format!("{{\"format\":\"spanmark\",\"version\":1,\"offsets\":\"byte\",\"documents\":[{{\"id\":\"d\",\"text\":\"{t}\",\"spans\":[{{\"start\":0,\"end\":3,\"label\":\"X\"}}]}}]}}"), &["offset 3", "inside a character"]);
    // And the same offsets that land on boundaries import exactly.
    let ok = try_import(Some(Format::Jsonl), "a.jsonl", format!("{{\"id\":\"d\",\"offsets\":\"utf16\",\"text\":\"{t}\",\"spans\":[{{\"start\":1,\"end\":3,\"label\":\"X\"}}]}}\n").as_bytes()).unwrap();
    assert_eq!(ok.project.documents[0].spans[0].start, 1);
    assert_eq!(
        ok.project.documents[0].spans[0].end, 2,
        "utf16 1..3 is code points 1..2"
    );
}

#[test]
fn prodigy_token_indices_out_of_range() {
    j(Format::Prodigy, "a.jsonl", "{\"text\":\"abc\",\"tokens\":[{\"text\":\"abc\",\"start\":0,\"end\":3,\"id\":0}],\"spans\":[{\"token_start\":0,\"token_end\":5,\"label\":\"X\"}]}\n", &["line 1", "token 5"]);
}

// ---- duplicated ids ---------------------------------------------------------------------

/// Duplicate document ids are kept apart with a suffix (the README's contract), never
/// merged or overwritten.
#[test]
fn duplicate_document_ids_get_unique_ids() {
    let cases: Vec<(Format, &str, String)> = vec![
        (Format::Json, "a.json", "{\"format\":\"spanmark\",\"version\":1,\"documents\":[{\"id\":\"a\",\"text\":\"one\"},{\"id\":\"a\",\"text\":\"two\"},{\"id\":\"a-2\",\"text\":\"three\"}]}".into()),
        (Format::Jsonl, "a.jsonl", "{\"id\":\"a\",\"text\":\"one\"}\n{\"id\":\"a\",\"text\":\"two\"}\n{\"id\":\"a-2\",\"text\":\"three\"}\n".into()),
        (Format::Doccano, "a.jsonl", "{\"id\":1,\"text\":\"one\"}\n{\"id\":1,\"text\":\"two\"}\n{\"id\":\"1-2\",\"text\":\"three\"}\n".into()),
        (Format::LabelStudio, "a.json", "[{\"id\":1,\"data\":{\"text\":\"one\"}},{\"id\":1,\"data\":{\"text\":\"two\"}},{\"id\":\"1-2\",\"data\":{\"text\":\"three\"}}]".into()),
        (Format::Prodigy, "a.jsonl", "{\"meta\":{\"id\":\"a\"},\"text\":\"one\"}\n{\"meta\":{\"id\":\"a\"},\"text\":\"two\"}\n{\"meta\":{\"id\":\"a-2\"},\"text\":\"three\"}\n".into()),
    ];
    for (f, name, content) in cases {
        let i =
            try_import(Some(f), name, content.as_bytes()).unwrap_or_else(|e| panic!("{f}: {e}"));
        let ids: Vec<&str> = i.project.documents.iter().map(|d| d.id.as_str()).collect();
        let texts: Vec<&str> = i
            .project
            .documents
            .iter()
            .map(|d| d.text.as_str())
            .collect();
        assert_eq!(texts, ["one", "two", "three"], "{f}: every document kept");
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 3, "{f}: ids must be unique, got {ids:?}");
    }
}

/// brat: two entities with the same id in one .ann (brat itself refuses
/// this) are an error naming the file, line and id.
#[test]
fn duplicate_brat_entity_ids_are_refused() {
    let t = "Ada met Bo.";
    expect(
        Some(Format::Brat),
        "p.tar",
        &brat(t, "T1\tPER 0 3\tAda\nT1\tPER 8 10\tBo\n"),
        &["doc.ann", "line 2", "T1"],
    );
}

/// A tar holding the same document twice.
#[test]
fn duplicate_brat_files_in_a_tar() {
    let t = tar(&[
        ("doc.txt", b"Ada met Bo."),
        ("doc.ann", b"T1\tPER 0 3\tAda\n"),
        ("doc.txt", b"Something else entirely."),
    ]);
    match try_import(Some(Format::Brat), "p.tar", &t) {
        Err(e) => assert!(e.to_string().contains("doc.txt"), "{e}"),
        Ok(i) => {
            for d in &i.project.documents {
                d.validate().unwrap();
            }
            assert!(
                !i.warnings.is_empty() || i.project.documents.len() == 2,
                "a duplicate file vanished silently"
            );
        }
    }
}

// ---- invalid UTF-8 -------------------------------------------------------------------------

#[test]
fn invalid_utf8_names_line_column_and_byte() {
    let mut bad = b"{\"id\":\"a\",\"text\":\"ok\"}\n{\"id\":\"b\",\"text\":\"caf".to_vec();
    bad.push(0xe9); // Latin-1 é
    bad.extend_from_slice(b"\"}\n");
    let at = bad.iter().position(|&b| b == 0xe9).unwrap();
    for f in Format::ALL {
        if f == Format::Brat {
            continue;
        }
        let name = if f == Format::Spacy {
            "a.json"
        } else {
            "a.jsonl"
        };
        expect(
            Some(f),
            name,
            &bad,
            &["line 2", "UTF-8", &format!("offset {at}")],
        );
    }
    expect(None, "a.jsonl", &bad, &["line 2", "UTF-8"]);
    expect(
        None,
        "a.txt",
        &[b'o', b'k', b'\n', 0xff, 0xfe],
        &["line 2", "UTF-8"],
    );
    // brat: a .txt or .ann that is not UTF-8 names the file.
    expect(
        Some(Format::Brat),
        "p.tar",
        &tar(&[("doc.txt", b"Ada \xff"), ("doc.ann", b"")]),
        &["doc.txt", "UTF-8"],
    );
    expect(
        Some(Format::Brat),
        "p.tar",
        &tar(&[("doc.txt", b"Ada"), ("doc.ann", b"T1\tPER 0 3\tA\xffa\n")]),
        &["doc.ann", "UTF-8"],
    );
    // Overlong encodings and lone surrogates (CESU-8) are not UTF-8 either.
    expect(
        Some(Format::Jsonl),
        "a.jsonl",
        b"{\"text\":\"\xc0\xaf\"}",
        &["UTF-8"],
    );
    expect(
        Some(Format::Jsonl),
        "a.jsonl",
        b"{\"text\":\"\xed\xa0\x80\"}",
        &["UTF-8"],
    );
}

/// JSON's own escapes for a lone surrogate are not text either.
#[test]
fn escaped_lone_surrogates_are_refused() {
    j(
        Format::Jsonl,
        "a.jsonl",
        "{\"id\":\"a\",\"text\":\"x\\ud83d y\"}\n",
        &["line 1"],
    );
    j(Format::Json, "a.json", "{\"format\":\"spanmark\",\"version\":1,\"documents\":[{\"id\":\"a\",\"text\":\"\\udc00\"}]}", &["line 1"]);
}

// ---- very large ------------------------------------------------------------------------------

const BIG: usize = 50 << 20;

/// A 50 MB single line: a valid one imports (the text kept exactly); one
/// broken at its very end fails naming line 1 and a column near 50 million,
/// with a short message (the line is not quoted whole).
#[test]
fn fifty_megabyte_single_line() {
    let t0 = std::time::Instant::now();
    let word = "Ada met Bo in Paris. ";
    let text: String = word.repeat(BIG / word.len());
    let line = format!("{{\"id\":\"big\",\"text\":\"{text}\",\"spans\":[{{\"start\":0,\"end\":3,\"label\":\"PER\"}}]}}\n");
    let ok = try_import(Some(Format::Jsonl), "big.jsonl", line.as_bytes()).unwrap();
    assert_eq!(ok.project.documents[0].text.len(), text.len());
    let broken = &line[..line.len() - 3];
    let msg = err(Some(Format::Jsonl), "big.jsonl", broken.as_bytes());
    assert!(msg.contains("line 1, column 5"), "{msg}");
    // Plain text of 50 MB is one document.
    let plain = try_import(None, "big.txt", text.as_bytes()).unwrap();
    assert_eq!(plain.project.documents.len(), 1);
    // CoNLL: one 50 MB line without a tag; the error must not quote it whole.
    let msg = err(
        Some(Format::Conll),
        "big.conll",
        text.replace(' ', "_").as_bytes(),
    );
    assert!(msg.contains("line 1"), "{:.200}", msg);
    // brat: a 50 MB .txt with an entity past its end.
    let t = tar(&[
        ("doc.txt", text.as_bytes()),
        ("doc.ann", format!("T1\tPER 0 {}\tx\n", BIG * 2).as_bytes()),
    ]);
    let msg = err(Some(Format::Brat), "p.tar", &t);
    assert!(
        msg.contains("line 1") && msg.contains("past the end"),
        "{msg}"
    );
    assert!(
        t0.elapsed().as_secs() < 120,
        "50 MB inputs took {:?}",
        t0.elapsed()
    );
}

/// A long bad line in any line format: the error quotes at most a little.
#[test]
fn errors_never_quote_a_whole_long_line() {
    let long = "x".repeat(1 << 20);
    let cases: Vec<(Format, &str, String)> = vec![
        (Format::Conll, "a.conll", long.clone()),
        (Format::Conll, "a.conll", format!("{long} BAD-TAG\n")),
        (
            Format::Jsonl,
            "a.jsonl",
            format!("{{\"id\":\"a\",\"text\":{long}}}"),
        ),
        (
            Format::Doccano,
            "a.jsonl",
            format!("{{\"text\":\"a\",\"label\":[[0,1,\"X\"]],\"{long}\":1}}\n{long}"),
        ),
        (Format::Brat, "p.tar", String::new()),
    ];
    for (f, name, content) in cases {
        let bytes = if f == Format::Brat {
            brat("Ada", &format!("T1\tPER 0 3 {long}\tAda\n"))
        } else {
            content.into_bytes()
        };
        let _ = err(Some(f), name, &bytes); // err() asserts the message is short
    }
}

// ---- deeply nested JSON ---------------------------------------------------------------------------

/// serde_json stops at 128 levels; every JSON reader must report that (or
/// another error with its place), never overflow the stack.
#[test]
fn deeply_nested_json_hits_the_recursion_limit() {
    let n = 100_000;
    let deep_array = format!("{}1{}", "[".repeat(n), "]".repeat(n));
    let deep_object = format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n));
    for f in Format::ALL {
        if matches!(f, Format::Conll | Format::Brat) {
            continue;
        }
        for deep in [&deep_array, &deep_object] {
            let msg = err(Some(f), "a.json", deep.as_bytes());
            assert!(names_place(&msg), "{f}: {msg}");
        }
    }
    // Nested inside fields each reader keeps or skips.
    let meta = format!("{{\"format\":\"spanmark\",\"version\":1,\"documents\":[{{\"id\":\"a\",\"text\":\"x\",\"meta\":{deep_object}}}]}}");
    j(
        Format::Json,
        "a.json",
        &meta,
        &["recursion limit", "line 1"],
    );
    let unknown = format!(
        "{{\"format\":\"spanmark\",\"version\":1,\"extra\":{deep_array},\"documents\":[]}}"
    );
    let _ = try_import(Some(Format::Json), "a.json", unknown.as_bytes());
    let unknown = format!(
        "{{\"format\":\"spanmark\",\"version\":1,\"extra\":{deep_object},\"documents\":[]}}"
    );
    let _ = try_import(Some(Format::Json), "a.json", unknown.as_bytes());
    j(
        Format::Jsonl,
        "a.jsonl",
        &format!("{{\"id\":\"a\",\"text\":\"x\",\"meta\":{deep_array}}}\n"),
        &["line 1", "recursion limit"],
    );
    j(
        Format::Doccano,
        "a.jsonl",
        &format!("{{\"text\":\"x\",\"extra\":{deep_object}}}\n"),
        &["line 1", "recursion limit"],
    );
    j(
        Format::Prodigy,
        "a.jsonl",
        &format!("{{\"text\":\"x\",\"meta\":{deep_object}}}\n"),
        &["line 1", "recursion limit"],
    );
    j(
        Format::LabelStudio,
        "a.json",
        &format!("[{{\"data\":{{\"text\":\"x\",\"more\":{deep_array}}}}}]"),
        &["line 1", "recursion limit"],
    );
    j(
        Format::Spacy,
        "a.json",
        &format!("[[\"x\",{{\"entities\":[],\"cats\":{deep_object}}}]]"),
        &["line 1", "recursion limit"],
    );
    // 120 levels of meta are fine, and kept exactly.
    let ok = format!("{}1{}", "[".repeat(120), "]".repeat(120));
    let i = try_import(
        Some(Format::Jsonl),
        "a.jsonl",
        format!("{{\"id\":\"a\",\"text\":\"x\",\"meta\":{{\"k\":{ok}}}}}\n").as_bytes(),
    )
    .unwrap();
    assert_eq!(i.project.documents.len(), 1);
}

// ---- empty ----------------------------------------------------------------------------------------------

/// An empty or blank file never yields a document and never panics.
#[test]
fn empty_and_blank_files_add_nothing() {
    for content in [&b""[..], b"   \n\r\n\t", b"\xef\xbb\xbf", b"\n\n\n"] {
        for f in Format::ALL {
            if let Ok(i) = try_import(Some(f), import_name(f, false), content) {
                assert!(
                    i.project.documents.is_empty(),
                    "{f}: {content:?} made documents"
                );
            }
        }
        let _ = try_import(None, "a.json", content);
        let _ = try_import(None, "a.jsonl", content);
    }
}

/// An empty file is reported as empty (the person picked the wrong file),
/// not taken silently as "0 documents added".
#[test]
fn empty_file_is_an_error_that_says_so() {
    for f in Format::ALL {
        let name = import_name(f, false);
        let msg = err(Some(f), name, b"");
        assert!(
            msg.to_lowercase().contains("empty") || msg.contains("EOF"),
            "{f}: {msg}"
        );
    }
    for name in ["a.jsonl", "a.json", "a.conll", "a.txt"] {
        let msg = err(None, name, b"");
        assert!(
            msg.to_lowercase().contains("empty") || msg.contains("EOF"),
            "{name}: {msg}"
        );
    }
}

// ---- odd but valid ------------------------------------------------------------------------------------------

/// Null bytes, RTL overrides and zero-width characters are text: kept
/// exactly, offsets counted over them.
#[test]
fn control_and_invisible_characters_are_kept() {
    let t = "A\u{0}B \u{202e}evil\u{202c} \u{200b}\u{feff}Zoë";
    let line = serde_json::json!({"id": "x\u{0}y", "text": t, "spans": [{"start": 13, "end": 16, "label": "PER\u{202e}"}]});
    let i = try_import(
        Some(Format::Jsonl),
        "a.jsonl",
        format!("{line}\n").as_bytes(),
    )
    .unwrap();
    let d = &i.project.documents[0];
    assert_eq!(d.text, t);
    assert_eq!((d.spans[0].start, d.spans[0].end), (13, 16));
    assert_eq!(d.id, "x\u{0}y");
}

// ---- brat multi-file -------------------------------------------------------------------------------------------

#[test]
fn brat_files_given_as_a_list() {
    let files = [
        File::new("x/doc.txt", "Ada met Bo."),
        File::new("x/doc.ann", "T1\tPER 0 99\tAda\n"),
    ];
    let e = formats::import_files(Format::Brat, &files)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("doc.ann") && e.contains("line 1") && e.contains("past the end"),
        "{e}"
    );
}

// ---- the CLI -----------------------------------------------------------------------------------------------------

fn fixture(name: &str) -> PathBuf {
    common::fixture(&format!("bad/{name}"))
}

/// Runs the CLI; it must fail (non-zero, not killed by a signal, no panic
/// message) and its stderr must contain every needle. Returns stderr.
fn cli_fails(args: &[&std::ffi::OsStr], needles: &[&str]) -> String {
    let out = spanmark().args(args).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success(),
        "{args:?} succeeded; stderr: {stderr}"
    );
    assert!(
        out.status.code().is_some(),
        "{args:?} was killed by a signal: {:?}",
        out.status
    );
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    for n in needles {
        assert!(
            stderr.contains(n),
            "{args:?}: stderr {stderr:?} should contain {n:?}"
        );
    }
    stderr
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

/// `convert` on each bad fixture: non-zero exit, the file and the place on
/// stderr, no output file (nor a temporary one) left behind, and an
/// existing output untouched.
#[test]
fn cli_convert_refuses_bad_files_and_writes_nothing() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "truncated.spanmark.json",
            "out.jsonl",
            &["truncated.spanmark.json", "line 5, column"],
        ),
        (
            "offset-past-end.jsonl",
            "out.spanmark.json",
            &["offset-past-end.jsonl", "line 2", "past the end"],
        ),
        (
            "surrogate-split.jsonl",
            "out.conll",
            &["surrogate-split.jsonl", "line 1", "inside a character"],
        ),
        (
            "reversed.doccano.jsonl",
            "out.jsonl",
            &["reversed.doccano.jsonl", "line 1", "after its end"],
        ),
        (
            "negative.labelstudio.json",
            "out.jsonl",
            &["negative.labelstudio.json", "task 1"],
        ),
        (
            "mistyped.jsonl",
            "out.jsonl",
            &["mistyped.jsonl", "line 2", "\"text\""],
        ),
        (
            "latin1.jsonl",
            "out.jsonl",
            &["latin1.jsonl", "line 1", "UTF-8"],
        ),
        (
            "bad-tag.conll",
            "out.jsonl",
            &["bad-tag.conll", "line 3", "X-PER"],
        ),
        (
            "entities.spacy.json",
            "out.jsonl",
            &["entities.spacy.json", "item 2", "entity 0"],
        ),
        (
            "nested.jsonl",
            "out.jsonl",
            &["nested.jsonl", "line 1", "recursion limit"],
        ),
    ];
    for (input, output, needles) in cases {
        let dir = Scratch::new();
        let out = dir.join(output);
        cli_fails(
            &[os("convert"), fixture(input).as_os_str(), out.as_os_str()],
            needles,
        );
        assert_eq!(
            listing(dir.path()),
            Vec::<String>::new(),
            "{input}: left files behind"
        );
        // An existing output is left as it was.
        std::fs::write(&out, "keep me").unwrap();
        cli_fails(
            &[os("convert"), fixture(input).as_os_str(), out.as_os_str()],
            needles,
        );
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me", "{input}");
        assert_eq!(
            listing(dir.path()),
            vec![output.to_string()],
            "{input}: left files behind"
        );
    }
}

#[test]
fn cli_convert_refuses_a_bad_brat_folder() {
    let dir = Scratch::new();
    let out = dir.join("out.jsonl");
    cli_fails(
        &[os("convert"), fixture("brat").as_os_str(), out.as_os_str()],
        &["letters.ann", "line 2", "past the end"],
    );
    assert!(!out.exists());
    // stdin too, with --from.
    let o = spanmark()
        .args(["convert", "-", "-", "--from", "jsonl", "--to", "conll"])
        .output_with_stdin(
            b"{\"text\":\"abc\",\"spans\":[{\"start\":0,\"end\":9,\"label\":\"X\"}]}\n",
        );
    assert!(!o.status.success());
    assert!(o.stdout.is_empty(), "wrote to stdout on failure");
    let e = stderr(&o);
    assert!(e.contains("<stdin>") && e.contains("line 1"), "{e}");
}

/// `annotate` on bad JSONL (line 3 is broken, lines 1-2 are fine) or on a
/// .txt that is not UTF-8: non-zero exit naming the line, and no output
/// file: not even the lines before the bad one.
#[test]
fn cli_annotate_refuses_bad_input_and_writes_nothing() {
    let cases: &[(&str, &[&str])] = &[
        ("annotate-line3.jsonl", &["line 3"]),
        ("annotate-noid.jsonl", &["line 2", "id"]),
        ("latin1.txt", &["UTF-8"]),
    ];
    for (input, needles) in cases {
        let dir = Scratch::new();
        let out = dir.join("out.jsonl");
        cli_fails(
            &[os("annotate"), fixture(input).as_os_str(), out.as_os_str()],
            needles,
        );
        assert_eq!(
            listing(dir.path()),
            Vec::<String>::new(),
            "annotate {input}: left a (partial) output file"
        );
    }
}

#[test]
fn cli_eval_refuses_bad_gold() {
    cli_fails(
        &[os("eval"), fixture("one-column.conll").as_os_str()],
        &["line 2"],
    );
    cli_fails(
        &[os("eval"), fixture("offset-past-end.jsonl").as_os_str()],
        &["line 2"],
    );
    cli_fails(
        &[os("eval"), fixture("latin1.jsonl").as_os_str()],
        &["UTF-8"],
    );
}

/// A tag that is not O or B-/I-/E-/L-/S-/U- plus a type is refused by
/// `eval` as it is by the CoNLL importer (which says "line 3, column 4: tag
/// \"X-PER\" is not ..."), not scored as if it were something.
#[test]
fn cli_eval_refuses_a_bad_tag() {
    cli_fails(
        &[os("eval"), fixture("bad-tag.conll").as_os_str()],
        &["line 3", "X-PER"],
    );
}

#[test]
fn cli_refuses_empty_input() {
    let dir = Scratch::new();
    let empty = dir.write("empty.jsonl", "");
    let out = dir.join("out.conll");
    cli_fails(
        &[os("convert"), empty.as_os_str(), out.as_os_str()],
        &["empty.jsonl"],
    );
    assert!(
        !out.exists(),
        "converted an empty file into an empty project"
    );
}
