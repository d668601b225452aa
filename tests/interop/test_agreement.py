"""Agreement figures (`spanmark::agreement`) against scikit-learn's
`cohen_kappa_score` and seqeval: random labelings of our own sentences by
three annotators, a few hundred pairs, every figure to 1e-9.

The figures come from the `agree` example (examples/agree.rs), built here
with cargo unless $SPANMARK_AGREE names it.
"""

import json
import os
import random
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest

sklearn_metrics = pytest.importorskip("sklearn.metrics")
seqeval_metrics = pytest.importorskip("seqeval.metrics")

ROOT = Path(__file__).resolve().parents[2]
TYPES = ["PER", "ORG", "LOC", "MISC"]
ANNOTATORS = ["ana", "ben", "cy"]


@pytest.fixture(scope="module")
def agree():
    path = os.environ.get("SPANMARK_AGREE")
    if not path:
        if not shutil.which("cargo"):
            pytest.skip("no cargo to build examples/agree.rs (set SPANMARK_AGREE)")
        subprocess.run(["cargo", "build", "--quiet", "--example", "agree"], cwd=ROOT, check=True)
        target = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
        path = target / "debug" / "examples" / "agree"

    def run(payload, *args):
        r = subprocess.run([path, *args], input=json.dumps(payload).encode(), capture_output=True)
        assert r.returncode == 0, r.stderr.decode()
        return json.loads(r.stdout)

    return run


@pytest.fixture(scope="module")
def documents(interop_jsonl):
    """Our fixture sentences (emoji, CRLF, tabs) and the demo article's lines."""
    docs = [json.loads(line) for line in interop_jsonl.read_text(encoding="utf-8").splitlines()]
    demo = (ROOT / "src" / "session" / "demo.txt").read_text(encoding="utf-8")
    lines = [line for line in demo.splitlines() if len(line.split()) > 3]
    docs += [{"id": f"demo-{i}", "text": t} for i, t in enumerate(lines[:12])]
    return [{"id": d["id"], "text": d["text"]} for d in docs]


def labeling(rng, n):
    """Random non-overlapping runs of tokens: [(first, past_last, label)]."""
    runs, i = [], 0
    while i < n:
        if rng.random() < 0.3:
            j = min(n, i + rng.randint(1, 3))
            runs.append((i, j, rng.choice(TYPES)))
            i = j
        else:
            i += 1
    return runs


def iob(runs, n):
    tags = ["O"] * n
    for i, j, label in runs:
        tags[i] = f"B-{label}"
        for k in range(i + 1, j):
            tags[k] = f"I-{label}"
    return tags


def token_labels(runs, n):
    tags = ["O"] * n
    for i, j, label in runs:
        for k in range(i, j):
            tags[k] = label
    return tags


def project(rng, documents, tokens):
    """Each annotator labels every document; most are marked done."""
    runs = {}
    records = []
    for a in ANNOTATORS:
        for d in documents:
            toks = tokens[d["id"]]
            r = labeling(rng, len(toks))
            done = rng.random() < 0.8
            runs[a, d["id"]] = (r, done)
            spans = [{"start": toks[i][0], "end": toks[j - 1][1], "label": lab} for i, j, lab in r]
            records.append({
                "type": "annotations", "annotator": a, "doc_id": d["id"],
                "status": "done" if done else "todo", "spans": spans,
                "history": [], "updated": 0,
            })
    return runs, records


def expected(runs, documents, tokens, a, b, keep):
    shared = [d["id"] for d in documents if runs[a, d["id"]][1] and runs[b, d["id"]][1]]
    filt = lambda r: [x for x in r if x[2] in keep]
    seq_a, seq_b, lab_a, lab_b = [], [], [], []
    for doc in shared:
        n = len(tokens[doc])
        ra, rb = filt(runs[a, doc][0]), filt(runs[b, doc][0])
        seq_a.append(iob(ra, n))
        seq_b.append(iob(rb, n))
        lab_a += token_labels(ra, n)
        lab_b += token_labels(rb, n)
    return shared, seq_a, seq_b, lab_a, lab_b


def test_kappa_and_f1_match_scikit_learn_and_seqeval(agree, documents):
    tokens = agree({"documents": documents}, "tokens")
    rng = random.Random(12)
    pairs_checked = 0
    for trial in range(100):
        runs, records = project(rng, documents, tokens)
        keep = set(TYPES) if trial % 4 else set(rng.sample(TYPES, 2))
        payload = {"documents": documents, "records": records}
        if keep != set(TYPES):
            payload["labels"] = sorted(keep)
        got = agree(payload)
        assert got["annotators"] == ANNOTATORS
        for p in got["pairs"]:
            shared, seq_a, seq_b, lab_a, lab_b = expected(runs, documents, tokens, p["a"], p["b"], keep)
            assert p["documents"] == len(shared)
            if not shared:
                assert p["f1"] is None and p["kappa"] is None
                continue
            kappa = sklearn_metrics.cohen_kappa_score(lab_a, lab_b, replace_undefined_by=1.0)
            assert abs(p["kappa"] - kappa) < 1e-9, (trial, p["a"], p["b"])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                any_spans = any(t != "O" for s in seq_a + seq_b for t in s)
                f1 = seqeval_metrics.f1_score(seq_a, seq_b) if any_spans else 1.0
                # Symmetric: the other side taken as truth gives the same.
                f1_swapped = seqeval_metrics.f1_score(seq_b, seq_a) if any_spans else 1.0
                report = seqeval_metrics.classification_report(
                    seq_a, seq_b, output_dict=True, zero_division=0
                ) if any_spans else {}
            assert abs(p["f1"] - f1) < 1e-9 and abs(p["f1"] - f1_swapped) < 1e-9
            for label, score in p["perLabel"].items():
                assert label in keep
                assert abs(score["f1"] - report[label]["f1-score"]) < 1e-9, (trial, label)
            pairs_checked += 1
    assert pairs_checked >= 200, pairs_checked


def test_two_identical_constant_labelings_agree_totally(agree, documents):
    """scikit-learn's kappa is undefined there (NaN by default); ours is 1.0."""
    records = [
        {"annotator": a, "doc_id": documents[0]["id"], "status": "done", "spans": []}
        for a in ("ana", "ben")
    ]
    got = agree({"documents": documents, "records": records})
    assert got["pairs"][0]["kappa"] == 1.0
    assert got["pairs"][0]["f1"] == 1.0
