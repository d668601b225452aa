"""seqeval reads spanmark's CoNLL export and scores it against the source
annotations as 100 F1, in every tagging scheme.

The gold tags are computed here, independently of spanmark: each CoNLL token
is found in the source text (skipping whitespace; the tokens must rebuild the
text's non-whitespace exactly), and a token inside a source span is tagged
from that span.
"""

import json
from pathlib import Path

import pytest
from seqeval.metrics import classification_report, f1_score
from seqeval.scheme import BILOU, IOB2, IOBES


def read_conll(path):
    """Documents as lists of sentences of (token, tag)."""
    docs, doc, sent = [], None, []
    for line in Path(path).read_text(encoding="utf-8").split("\n"):
        if line.startswith("-DOCSTART-"):
            if sent:
                doc.append(sent)
                sent = []
            if doc is not None:
                docs.append(doc)
            doc = []
            continue
        if not line.strip():
            if sent:
                doc.append(sent)
                sent = []
            continue
        cols = line.split(" ")
        sent.append((cols[0], cols[-1]))
    if sent:
        doc.append(sent)
    if doc is not None:
        docs.append(doc)
    return docs


def gold_tags(text, spans, sentences, scheme):
    """Tags for the CoNLL tokens from the source spans."""
    pos, out = 0, []
    for sent in sentences:
        tags = []
        for token, _ in sent:
            while text[pos].isspace():
                pos += 1
            assert text.startswith(token, pos), (token, text[pos:pos + 20])
            start, end = pos, pos + len(token)
            pos = end
            owner = [s for s in spans if s["start"] <= start and end <= s["end"]]
            tags.append((start, end, owner[0] if owner else None))
        seq = []
        for i, (start, end, s) in enumerate(tags):
            if s is None:
                seq.append("O")
                continue
            first = i == 0 or tags[i - 1][2] is not s
            last = i + 1 == len(tags) or tags[i + 1][2] is not s
            if scheme in ("iob2", "iob1"):
                p = "B" if first else "I"
            else:
                single, begin, end_ = ("U", "B", "L") if scheme == "bilou" else ("S", "B", "E")
                p = single if first and last else begin if first else end_ if last else "I"
            seq.append(f"{p}-{s['label']}")
        out.append(seq)
    # Nothing left but whitespace: every character of the text was seen.
    assert text[pos:].strip() == ""
    return out


@pytest.mark.parametrize("scheme", ["iob1", "iob2", "bilou", "bioes"])
def test_seqeval_scores_export_as_perfect(scheme, tmp_path, spanmark, interop_jsonl):
    out = tmp_path / f"out.{scheme}.conll"
    spanmark("convert", interop_jsonl, out, "--scheme", scheme)
    source = [json.loads(line) for line in interop_jsonl.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs = read_conll(out)
    assert len(docs) == len(source)
    y_true, y_pred = [], []
    for doc, src in zip(docs, source):
        y_true += gold_tags(src["text"], src["spans"], doc, scheme)
        y_pred += [[tag for _, tag in sent] for sent in doc]
    n_spans = sum(len(s["spans"]) for s in source)
    if scheme == "iob1":
        # conlleval-style decoding reads IOB1 (B- only between same-type
        # neighbours) into the same entities as the IOB2 gold.
        f1 = f1_score(y_true, y_pred)
    else:
        mode = {"iob2": IOB2, "bilou": BILOU, "bioes": IOBES}[scheme]
        f1 = f1_score(y_true, y_pred, mode="strict", scheme=mode)
        report = classification_report(y_true, y_pred, mode="strict", scheme=mode, output_dict=True)
        assert report["micro avg"]["support"] == n_spans
    assert f1 == 1.0
