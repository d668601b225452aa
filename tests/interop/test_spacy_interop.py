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
