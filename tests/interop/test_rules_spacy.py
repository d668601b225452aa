"""spaCy's EntityRuler reads the patterns spanmark exports and finds what
spanmark's rules find.

tests/fixtures/rules/patterns.jsonl is spanmark's export byte for byte (the
Rust test `tests/rules.rs::fixture_is_our_export` checks that exporting what
it reads gives the same bytes). Here spaCy loads it into an EntityRuler on a
blank English pipeline, and its entities on a text with emoji, CRLF and
near misses are compared with `spanmark annotate --rules` on the same text.
"""

import json

import pytest
import spacy

RULE_LABELS = {"COMPANY", "CITY", "TICKET", "GADGET"}

TEXTS = [
    "Acme Robotics opened in San Francisco and SAN FRANCISCO.\r\n"
    "Ticket ACME-42 and BUG-7 were filed; the Widget Nine and a GIZMO PRO ship 😀 Monday, "
    "not acme robotics, Widget Nines or ACME-42x.",
    "👨‍👩‍👧 san francisco: Gizmo Pro (XY-1), Acme Robotics' Widget Nine.",
]


@pytest.fixture
def patterns(fixtures):
    return fixtures / "rules" / "patterns.jsonl"


def ruler_pipeline(patterns):
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([json.loads(l) for l in patterns.read_text(encoding="utf-8").splitlines() if l.strip()])
    return nlp


def spacy_entities(patterns, text):
    return sorted((e.start_char, e.end_char, e.label_) for e in ruler_pipeline(patterns)(text).ents)


def spanmark_entities(spanmark, patterns, text):
    line = json.dumps({"id": "t", "text": text}) + "\n"
    r = spanmark("annotate", "--rules", patterns, input=line)
    assert r.stderr == b"", r.stderr.decode()  # nothing skipped
    doc = json.loads(r.stdout)
    return sorted((s["start"], s["end"], s["label"]) for s in doc["spans"] if s["label"] in RULE_LABELS)


def test_entity_ruler_matches_what_spanmark_matches(spanmark, patterns):
    for text in TEXTS:
        ours = spanmark_entities(spanmark, patterns, text)
        theirs = spacy_entities(patterns, text)
        assert ours == theirs, (text, ours, theirs)
        assert len(ours) >= 5, ours


def test_ids_reach_spacy(patterns):
    doc = ruler_pipeline(patterns)("We flew to San Francisco.")
    assert [(e.text, e.label_, e.ent_id_) for e in doc.ents] == [("San Francisco", "CITY", "sf")]
