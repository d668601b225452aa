"""`spanmark eval` agrees with seqeval (default, conlleval-compatible mode)."""

import json
import random
import warnings

import pytest

seqeval_metrics = pytest.importorskip("seqeval.metrics")

TYPES = ["PER", "ORG", "LOC", "MISC"]


def write_conll(path, sentences, tags, docstart=False):
    lines = ["-DOCSTART- -X- -X- O", ""] if docstart else []
    for toks, ts in zip(sentences, tags):
        lines += [f"{w} X {t}" for w, t in zip(toks, ts)]
        lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def spanmark_scores(spanmark, tmp_path, sentences, gold, pred):
    g = tmp_path / "gold.conll"
    p = tmp_path / "pred.conll"
    write_conll(g, sentences, gold, docstart=True)
    write_conll(p, sentences, pred)
    return json.loads(spanmark("eval", "--json", "--pred", p, g).stdout)


def check_against_seqeval(spanmark, tmp_path, sentences, gold, pred):
    got = spanmark_scores(spanmark, tmp_path, sentences, gold, pred)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = seqeval_metrics.classification_report(gold, pred, output_dict=True)
        micro = (
            seqeval_metrics.precision_score(gold, pred),
            seqeval_metrics.recall_score(gold, pred),
            seqeval_metrics.f1_score(gold, pred),
        )
    m = got["micro"]
    assert abs(m["precision"] - micro[0]) < 1e-9, (m, micro)
    assert abs(m["recall"] - micro[1]) < 1e-9, (m, micro)
    assert abs(m["f1"] - micro[2]) < 1e-9, (m, micro)
    labels = {k: v for k, v in report.items() if not k.endswith(" avg")}
    assert set(labels) == set(got["labels"]), (labels.keys(), got["labels"].keys())
    for name, r in labels.items():
        mine = got["labels"][name]
        assert abs(mine["precision"] - r["precision"]) < 1e-9, (name, mine, r)
        assert abs(mine["recall"] - r["recall"]) < 1e-9, (name, mine, r)
        assert abs(mine["f1"] - r["f1-score"]) < 1e-9, (name, mine, r)
        assert mine["support"] == r["support"], (name, mine, r)


def test_hand_made_fixture(spanmark, tmp_path):
    sentences = [
        ["EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."],
        ["Peter", "Blackburn"],
        ["Acme", "Corp", "and", "Globex", "Inc", "met", "in", "New", "York", "City"],
    ]
    # IOB1 gold (as CoNLL-2003 ships it): B- only between neighbours of one type
    gold = [
        ["I-ORG", "O", "I-MISC", "O", "O", "O", "I-MISC", "O", "O"],
        ["I-PER", "I-PER"],
        ["I-ORG", "I-ORG", "O", "I-ORG", "B-ORG", "O", "O", "I-LOC", "I-LOC", "I-LOC"],
    ]
    # IOB2 predictions with a wrong type, a wrong boundary and a spurious entity
    pred = [
        ["B-ORG", "O", "B-MISC", "O", "O", "O", "B-LOC", "O", "O"],
        ["B-PER", "I-PER"],
        ["B-ORG", "I-ORG", "O", "B-ORG", "I-ORG", "B-MISC", "O", "B-LOC", "I-LOC", "O"],
    ]
    check_against_seqeval(spanmark, tmp_path, sentences, gold, pred)
    got = spanmark_scores(spanmark, tmp_path, sentences, gold, pred)
    # gold: ORG EU, MISC German, MISC British, PER, ORG Acme Corp, ORG Globex,
    # ORG Inc, LOC New York City = 8; pred: ORG EU, MISC German, LOC British,
    # PER, ORG Acme Corp, ORG Globex Inc, MISC met, LOC New York = 8;
    # correct: EU, German, PER, Acme Corp = 4
    assert (got["micro"]["support"], got["micro"]["predicted"], got["micro"]["correct"]) == (8, 8, 4)


@pytest.mark.parametrize("seed", range(25))
def test_random_tag_sequences(spanmark, tmp_path, seed):
    rng = random.Random(seed)
    tagset = ["O"] * 6 + [f"{p}-{t}" for p in "BI" for t in TYPES]
    if seed % 5 == 4:
        tagset += [f"{p}-{t}" for p in "ES" for t in TYPES]  # IOBES too
    sentences, gold, pred = [], [], []
    for _ in range(rng.randint(1, 30)):
        n = rng.randint(1, 25)
        sentences.append([f"w{rng.randint(0, 99)}" for _ in range(n)])
        g = [rng.choice(tagset) for _ in range(n)]
        # predictions: mostly the gold tag, sometimes another one
        p = [t if rng.random() < 0.7 else rng.choice(tagset) for t in g]
        gold.append(g)
        pred.append(p)
    if not any(t != "O" for s in gold for t in s):
        gold[0][0] = "B-PER"
    check_against_seqeval(spanmark, tmp_path, sentences, gold, pred)
