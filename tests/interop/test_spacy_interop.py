"""spaCy reads what spanmark writes, and spanmark reads what spaCy writes.

Run by `./build.sh test` in a virtualenv with spaCy 3.8. The texts are spanmark's own fixtures
(tests/fixtures/formats/interop.jsonl) plus generated ones with emoji, ZWJ
sequences, flags, combining marks, CRLF, tabs and runs of spaces.
"""

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc, DocBin
from spacy.training import Example

def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def generated(seed=7, n=40):
    """Documents of random words and separators, spans on word runs."""
    words = ["Zoë", "Paris", "e\u0301clair", "👨\u200d👩\u200d👧", "🇩🇪", "😀", "日本", "New", "York",
             "U.S.", "O'Neil", "3.5", "-", ",", ".", "Straße", "👍🏽", "𝄞", "ACME"]
    seps = [" ", " ", " ", "  ", "\r\n", "\n", "\t", "", " \n ", "\n\n"]
    labels = ["PER", "ORG", "LOC", "MISC", "GPE", "X_Y"]
    rnd = random.Random(seed)
    docs = []
    for i in range(n):
        text, bounds = "", []
        for k in range(rnd.randrange(0, 14)):
            if k:
                text += rnd.choice(seps)
            w = rnd.choice(words)
            bounds.append((len(text), len(text) + len(w)))
            text += w
        if rnd.random() < 0.3:
            text += rnd.choice(seps)
        spans, used = [], set()
        for _ in range(rnd.randrange(0, 5)):
            if not bounds:
                break
            a = rnd.randrange(len(bounds))
            b = min(len(bounds) - 1, a + rnd.randrange(3))
            if used & set(range(a, b + 1)):
                continue
            used |= set(range(a, b + 1))
            spans.append({"start": bounds[a][0], "end": bounds[b][1], "label": rnd.choice(labels)})
        spans.sort(key=lambda s: s["start"])
        docs.append({"id": f"gen-{i}", "text": text, "spans": spans})
    return docs


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def check_docbin(nlp, docs, path):
    loaded = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    assert len(loaded) == len(docs)
    for doc, src in zip(loaded, docs):
        assert doc.text == src["text"], (doc.text, src["text"])
        assert doc.user_data.get("spanmark_id") == src["id"]
        ents = {(e.start_char, e.end_char, e.label_) for e in doc.ents}
        assert len(doc.ents) == len(src["spans"])
        for s in src["spans"]:
            span = doc.char_span(s["start"], s["end"])
            assert span is not None, (src["id"], s, [t.text for t in doc])
            assert span.text == src["text"][s["start"]:s["end"]]
            assert (span.start_char, span.end_char, s["label"]) in ents, (src["id"], s, ents)
            assert any(e.start == span.start and e.end == span.end and e.label_ == s["label"] for e in doc.ents)


def test_docbin_fixture_loads_exactly(nlp, tmp_path, spanmark, interop_jsonl):
    out = tmp_path / "fixture.spacy"
    spanmark("convert", interop_jsonl, out)
    check_docbin(nlp, read_jsonl(interop_jsonl), out)


def test_docbin_generated_loads_exactly(nlp, tmp_path, spanmark):
    docs = generated()
    src = tmp_path / "gen.jsonl"
    src.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    out = tmp_path / "gen.spacy"
    spanmark("convert", src, out)
    check_docbin(nlp, docs, out)


def test_accepted_only_docbin_holds_just_the_checked_spans(nlp, tmp_path, spanmark):
    """What the page's spaCy export writes by default: suggestions left out."""
    docs = generated(seed=11)
    for d in docs:
        for k, s in enumerate(d["spans"]):
            if k % 2:
                s["source"] = "model"
    src = tmp_path / "mixed.jsonl"
    src.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    out = tmp_path / "checked.spacy"
    spanmark("convert", src, out, "--accepted-only")
    checked = [dict(d, spans=[s for s in d["spans"] if s.get("source", "user") == "user"]) for d in docs]
    assert sum(len(d["spans"]) for d in checked) < sum(len(d["spans"]) for d in docs)
    check_docbin(nlp, checked, out)


def test_training_json_loads_into_examples(nlp, tmp_path, spanmark, interop_jsonl):
    out = tmp_path / "fixture.json"
    spanmark("convert", interop_jsonl, out, "--to", "spacy")
    data = json.loads(out.read_text(encoding="utf-8"))
    docs = read_jsonl(interop_jsonl)
    assert len(data) == len(docs)
    for (text, annot), src in zip(data, docs):
        assert text == src["text"]
        assert annot["entities"] == [[s["start"], s["end"], s["label"]] for s in src["spans"]]
        doc = nlp.make_doc(text)
        example = Example.from_dict(doc, annot)
        got = [(e.start_char, e.end_char, e.label_) for e in example.reference.ents]
        assert got == [(s["start"], s["end"], s["label"]) for s in src["spans"]]
        for s in src["spans"]:
            span = doc.char_span(s["start"], s["end"], label=s["label"])
            assert span is not None and span.label_ == s["label"], (text, s)


def test_spacy_made_docbin_reads_back(nlp, tmp_path, spanmark, interop_jsonl):
    """A DocBin written by spaCy itself (its tokenizer, its attrs) imports
    with the same text and entity offsets."""
    docs = read_jsonl(interop_jsonl)
    db = DocBin()
    for src in docs:
        doc = nlp.make_doc(src["text"])
        doc.ents = [doc.char_span(s["start"], s["end"], label=s["label"]) for s in src["spans"]]
        db.add(doc)
    path = tmp_path / "spacy-made.spacy"
    db.to_disk(path)
    out = tmp_path / "back.jsonl"
    spanmark("convert", path, out)
    back = read_jsonl(out)
    assert [d["text"] for d in back] == [d["text"] for d in docs]
    for b, src in zip(back, docs):
        assert [(s["start"], s["end"], s["label"]) for s in b["spans"]] == \
               [(s["start"], s["end"], s["label"]) for s in src["spans"]]


def test_spacy_train_reads_the_docbin(tmp_path, spanmark, interop_jsonl):
    """`spacy train` runs a few steps on the exported DocBin."""
    out = tmp_path / "train.spacy"
    spanmark("convert", interop_jsonl, out)
    cfg = tmp_path / "config.cfg"
    py = [sys.executable, "-m", "spacy"]
    r = subprocess.run(py + ["init", "config", str(cfg), "--lang", "en", "--pipeline", "ner", "--force"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run(py + ["train", str(cfg), "--paths.train", str(out), "--paths.dev", str(out),
                             "--training.max_steps", "4", "--training.eval_frequency", "2",
                             "--output", str(tmp_path / "model")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path / "model" / "model-last").is_dir()


NESTED = [
    # "Bank of China" holds "China"; "of China hired" crosses it.
    {"id": 1, "text": "Bank of China hired Ada Lima in 😀 Paris.",
     "entities": [{"id": 1, "label": "ORG", "start_offset": 0, "end_offset": 13},
                  {"id": 2, "label": "LOC", "start_offset": 8, "end_offset": 13},
                  {"id": 3, "label": "X", "start_offset": 5, "end_offset": 19},
                  {"id": 4, "label": "PER", "start_offset": 20, "end_offset": 28},
                  {"id": 5, "label": "LOC", "start_offset": 34, "end_offset": 39}],
     "relations": [], "cats": ["finance"]},
    {"id": 2, "text": "Zoë\r\nBall  ran.", "label": [[0, 9, "PER"], [5, 9, "SURNAME"]], "cats": ["sport", "people"]},
]


def write_doccano(path, lines):
    path.write_text("".join(json.dumps(l, ensure_ascii=False) + "\n" for l in lines), encoding="utf-8")


def spans_of(line):
    if "entities" in line:
        return {(e["start_offset"], e["end_offset"], e["label"]) for e in line["entities"]}
    return {tuple(t) for t in line["label"]}


def outermost(spans):
    kept = []
    for s in sorted(spans, key=lambda s: (s[0], -s[1], s[2])):
        if not kept or kept[-1][1] <= s[0]:
            kept.append(s)
    return kept


def test_docbin_holds_nested_spans_in_sc_flat_ents_and_cats(nlp, tmp_path, spanmark):
    src = tmp_path / "nested.doccano.jsonl"
    write_doccano(src, NESTED)
    out = tmp_path / "nested.spacy"
    spanmark("convert", src, out)
    docs = list(DocBin().from_disk(out).get_docs(nlp.vocab))
    assert [d.text for d in docs] == [l["text"] for l in NESTED]
    every = ["finance", "sport", "people"]
    for doc, line in zip(docs, NESTED):
        want = spans_of(line)
        assert {(s.start_char, s.end_char, s.label_) for s in doc.spans["sc"]} == want
        for s in doc.spans["sc"]:
            assert s.text == line["text"][s.start_char:s.end_char]
        # doc.ents: the outermost, never overlapping (what NER trains on).
        assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == outermost(want)
        assert doc.cats == {c: (1.0 if c in line["cats"] else 0.0) for c in every}
    # The training JSON says the same, and spaCy's Example reads it.
    out = tmp_path / "nested.json"
    spanmark("convert", src, out, "--to", "spacy")
    for (text, annot), line in zip(json.loads(out.read_text(encoding="utf-8")), NESTED):
        example = Example.from_dict(nlp.make_doc(text), annot)
        ref = example.reference
        assert {(s.start_char, s.end_char, s.label_) for s in ref.spans["sc"]} == spans_of(line)
        assert [(e.start_char, e.end_char, e.label_) for e in ref.ents] == outermost(spans_of(line))
        assert {c for c, v in ref.cats.items() if v >= 0.5} == set(line["cats"])


def test_spacy_made_docbin_with_span_groups_and_cats_imports(nlp, tmp_path, spanmark):
    """A DocBin written by spaCy with overlapping spans under two keys,
    entities and cats: every span once, the cats of 0.5 or more as
    document labels."""
    doc = nlp.make_doc("Bank of China hired Ada Lima in Paris.")
    doc.spans["sc"] = [doc.char_span(0, 13, label="ORG"), doc.char_span(8, 13, label="LOC"),
                       doc.char_span(5, 19, label="X")]
    doc.spans["people"] = [doc.char_span(20, 28, label="PER"), doc.char_span(24, 28, label="SURNAME")]
    doc.ents = [doc.char_span(0, 13, label="ORG"), doc.char_span(32, 37, label="GPE")]
    doc.cats = {"finance": 0.9, "sport": 0.1, "people": 0.5}
    db = DocBin(docs=[doc, nlp.make_doc("nothing")])
    path = tmp_path / "made.spacy"
    db.to_disk(path)
    out = tmp_path / "made.doccano.jsonl"
    spanmark("convert", path, out)
    back = read_jsonl(out)
    assert back[0]["text"] == doc.text
    assert spans_of(back[0]) == {(0, 13, "ORG"), (8, 13, "LOC"), (5, 19, "X"), (20, 28, "PER"),
                                 (24, 28, "SURNAME"), (32, 37, "GPE")}
    assert len(back[0].get("entities", back[0].get("label"))) == 6
    assert sorted(back[0]["cats"]) == ["finance", "people"]
    assert "cats" not in back[1]
