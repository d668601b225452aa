//! The standard pipeline (patterns, gazetteer, the shipped model) end to end:
//! what a user notices on news text, precision guards, well-formed output, and
//! offsets that survive emoji and CRLF.

use proptest::prelude::*;
use spanmark::recognize::{Candidate, Recognizer};
use spanmark::text::{slice_chars, OffsetMap};
use std::sync::OnceLock;

fn recognizer() -> &'static Recognizer {
    static R: OnceLock<Recognizer> = OnceLock::new();
    R.get_or_init(Recognizer::standard)
}

fn found(text: &str) -> Vec<(String, String)> {
    recognizer()
        .recognize(text)
        .into_iter()
        .map(|c| (text[c.start..c.end].to_string(), c.label))
        .collect()
}

fn check_well_formed(text: &str, cands: &[Candidate]) {
    let mut prev_end = 0;
    for c in cands {
        assert!(c.start < c.end, "empty {c:?}");
        assert!(c.start >= prev_end, "overlap or unsorted {c:?} in {text:?}");
        assert!(c.end <= text.len());
        assert!(text.is_char_boundary(c.start) && text.is_char_boundary(c.end));
        assert!(!c.label.is_empty());
        assert!(c.score.is_finite());
        prev_end = c.end;
    }
}

const STORY: &str = "BERLIN (Reuters) - German Chancellor Angela Merkel met French President \
Emmanuel Macron in Paris on Monday, March 5, 2024, to discuss a $1.5 billion aid package for \
Ukraine. The European Commission said the plan would lift growth by 0.5 percent.\n\n\
Shares of Acme Corp. rose 12% to €20 after the company hired 2,500 workers in Texas. \
\"We are very happy,\" Merkel told reporters at 10:30 a.m. However, analysts at Deutsche Bank \
were cautious. Contact press@acme-corp.com or see https://www.acme-corp.com/news for details. \
The first shipment of 12 tonnes left Hamburg last week.";

#[test]
fn a_news_story() {
    let got = found(STORY);
    let want = [
        ("BERLIN", "LOC"),
        ("Reuters", "ORG"),
        ("German", "MISC"),
        ("Angela Merkel", "PER"),
        ("French", "MISC"),
        ("Emmanuel Macron", "PER"),
        ("Paris", "LOC"),
        ("Monday, March 5, 2024", "DATE"),
        ("$1.5 billion", "MONEY"),
        ("Ukraine", "LOC"),
        ("European Commission", "ORG"),
        ("0.5 percent", "PERCENT"),
        ("Acme Corp.", "ORG"),
        ("12%", "PERCENT"),
        ("€20", "MONEY"),
        ("2,500", "CARDINAL"),
        ("Texas", "LOC"),
        ("Merkel", "PER"),
        ("10:30 a.m.", "TIME"),
        ("Deutsche Bank", "ORG"),
        ("press@acme-corp.com", "EMAIL"),
        ("https://www.acme-corp.com/news", "URL"),
        ("first", "ORDINAL"),
        ("12 tonnes", "QUANTITY"),
        // Not asserted: "left Hamburg" comes out ORG since the gazetteer
        // stage defers to the model (CoNLL's "Hamburg" is mostly the
        // football club); a known miss, reported with the model's figures.
        ("last week", "DATE"),
    ];
    for (surface, label) in want {
        assert!(
            got.iter().any(|(s, l)| s == surface && l == label),
            "{surface:?} as {label}: got {got:?}"
        );
    }
    for bad in [
        "The",
        "However",
        "We",
        "Shares",
        "The European Commission",
        "Chancellor",
    ] {
        assert!(
            !got.iter().any(|(s, _)| s == bad),
            "{bad:?} should not be tagged: {got:?}"
        );
    }
    check_well_formed(STORY, &recognizer().recognize(STORY));
}

#[test]
fn surfaces_equal_the_phrases_matched() {
    let text = "Officials in New York and the U.S. said Brazilian exports to China fell.";
    let got = found(text);
    assert_eq!(
        got,
        [
            ("New York".to_string(), "LOC".to_string()),
            ("U.S.".to_string(), "LOC".to_string()),
            ("Brazilian".to_string(), "MISC".to_string()),
            ("China".to_string(), "LOC".to_string()),
        ]
    );
}

#[test]
fn a_persons_title_is_not_part_of_the_name() {
    let got = found("Yesterday Mr. Smith met Dr. Patel and Mrs. Ana Lima in St. Louis.");
    for name in ["Smith", "Patel", "Ana Lima"] {
        assert!(
            got.contains(&(name.into(), "PER".into())),
            "{name}: {got:?}"
        );
    }
    assert!(
        !got.iter()
            .any(|(s, _)| s.starts_with("Mr.") || s.starts_with("Dr.") || s.starts_with("Mrs.")),
        "{got:?}"
    );
    // A place's `St.` stays.
    assert!(got.iter().any(|(s, _)| s == "St. Louis"), "{got:?}");
}

#[test]
fn may_the_month_and_may_the_name() {
    let got = found("Prime Minister Theresa May will resign in May. May I ask why?");
    assert!(
        got.contains(&("Theresa May".into(), "PER".into())),
        "{got:?}"
    );
    assert!(got.contains(&("May".into(), "DATE".into())), "{got:?}");
    assert_eq!(got.len(), 2, "{got:?}");
}

#[test]
fn longer_names_beat_places_inside_them() {
    let got = found("She teaches at the University of California near the Gulf of Mexico.");
    assert!(
        got.contains(&("University of California".into(), "ORG".into())),
        "{got:?}"
    );
    assert!(got.iter().any(|(s, _)| s == "Gulf of Mexico"), "{got:?}");
    assert!(
        !got.iter().any(|(s, _)| s == "California" || s == "Mexico"),
        "{got:?}"
    );
}

#[test]
fn emoji_and_crlf_do_not_shift_spans() {
    let plain = "Angela Merkel visited Paris on Monday.\n\nShares of Acme Corp. rose 5%.";
    let fancy =
        "👨‍👩‍👧 🇩🇪 Angela Merkel visited Paris on Monday.\r\n\r\nShares of Acme Corp. rose 5%. 😀";
    let r = recognizer();
    let a: Vec<_> = found(plain);
    let b: Vec<_> = found(fancy);
    assert_eq!(a, b);
    let map = OffsetMap::new(fancy);
    let spans = r.spans(fancy, &map);
    let cands = r.recognize(fancy);
    assert_eq!(spans.len(), cands.len());
    for (s, c) in spans.iter().zip(&cands) {
        assert_eq!(
            slice_chars(fancy, &map, s.start, s.end),
            &fancy[c.start..c.end]
        );
        assert_eq!(s.label, c.label);
        assert_eq!(s.source, c.source);
    }
    // Code points, not bytes: "Angela" starts after 5 + 1 + 2 + 1 = 9 code points
    // (28 bytes).
    assert_eq!((spans[0].start, cands[0].start), (9, 28));
    assert_eq!(
        slice_chars(fancy, &map, spans[0].start, spans[0].end),
        "Angela Merkel"
    );
}

#[test]
fn shared_across_threads() {
    let r = recognizer();
    let texts = [
        "Angela Merkel met Joe Biden.",
        "Acme Corp. lost $5 million in Ohio.",
    ];
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|i| s.spawn(move || r.recognize(texts[i % 2]).len()))
            .collect();
        for h in handles {
            assert!(h.join().unwrap() >= 2);
        }
    });
}

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Angela Merkel ".to_string()),
        Just("in Paris".to_string()),
        Just("$1.5 billion".to_string()),
        Just("Mr.".to_string()),
        Just("U.S.".to_string()),
        Just("May ".to_string()),
        Just("12%".to_string()),
        Just("a@b.co".to_string()),
        Just("http://x.io".to_string()),
        Just(". ".to_string()),
        Just("\r\n".to_string()),
        Just("\n\n".to_string()),
        Just("\u{200D}".to_string()),
        Just("\u{301}".to_string()),
        Just("👨‍👩‍👧".to_string()),
        Just("🇩🇪".to_string()),
        Just("'s".to_string()),
        Just("-".to_string()),
        "[A-Z][a-z]{0,6} ",
        "[0-9]{1,4}[ ,.:]?",
        any::<char>().prop_map(String::from),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_text_gives_well_formed_candidates(parts in prop::collection::vec(piece(), 0..30)) {
        let text: String = parts.concat();
        let c = recognizer().recognize(&text);
        check_well_formed(&text, &c);
        let map = OffsetMap::new(&text);
        prop_assert_eq!(recognizer().spans(&text, &map).len(), c.len());
    }

    #[test]
    fn any_string_gives_well_formed_candidates(text in any::<String>()) {
        let c = recognizer().recognize(&text);
        check_well_formed(&text, &c);
    }
}

#[test]
fn the_model_finds_names_no_list_holds() {
    let standard = recognizer();
    let names = standard.stage_names();
    assert!(names.contains(&"model"), "{names:?}");
    let text = "Novaris chief executive Daniel Weber met Grace Wanjiru in Nairobi on Monday.";
    let got: Vec<(String, String)> = standard
        .recognize(text)
        .into_iter()
        .map(|c| (text[c.start..c.end].to_string(), c.label))
        .collect();
    for want in [
        ("Daniel Weber", "PER"),
        ("Grace Wanjiru", "PER"),
        ("Nairobi", "LOC"),
        ("Monday", "DATE"),
    ] {
        assert!(
            got.contains(&(want.0.into(), want.1.into())),
            "{want:?} in {got:?}"
        );
    }
    check_well_formed(text, &standard.recognize(text));
}
