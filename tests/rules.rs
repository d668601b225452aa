//! A person's rules (phrases, case, regexes) as a recognizer stage, and the
//! spaCy EntityRuler patterns they import and export: what a user notices.

use spanmark::doc::Source;
use spanmark::recognize::rules::{Kind, LabelRules, Rule, Rules};
use spanmark::recognize::{Candidate, Context, Recognizer, Stage};
use spanmark::text::OffsetMap;

fn rule(label: &str, kind: Kind, text: &str) -> Rule {
    Rule {
        label: label.into(),
        kind,
        text: text.into(),
        id: None,
    }
}

fn rules(list: &[(&str, Kind, &str)]) -> Rules {
    Rules::new(list.iter().map(|&(l, k, t)| rule(l, k, t))).unwrap()
}

/// (surface, label, source) of the merged suggestions.
fn found(r: &Recognizer, text: &str) -> Vec<(String, String, &'static str)> {
    r.recognize(text)
        .into_iter()
        .map(|c| (text[c.start..c.end].to_string(), c.label, c.source.name()))
        .collect()
}

fn only(rules: &Rules) -> Recognizer {
    rules.install(Recognizer::new(vec![]))
}

fn s(a: &str, b: &str) -> (String, String, &'static str) {
    (a.to_string(), b.to_string(), "rule")
}

#[test]
fn phrases_match_case_sensitively_on_whole_tokens() {
    let r = only(&rules(&[
        ("PRODUCT", Kind::Phrase, "iPhone"),
        ("PRODUCT", Kind::Phrase, "Galaxy S24"),
    ]));
    assert_eq!(
        found(
            &r,
            "The iPhone, an IPHONE, iPhones and the Galaxy S24's rival."
        ),
        [s("iPhone", "PRODUCT"), s("Galaxy S24", "PRODUCT")]
    );
}

#[test]
fn case_insensitive_phrases() {
    let r = only(&rules(&[("CITY", Kind::PhraseIgnoreCase, "san francisco")]));
    assert_eq!(
        found(&r, "SAN FRANCISCO, San Francisco and san franciscan"),
        [s("SAN FRANCISCO", "CITY"), s("San Francisco", "CITY")]
    );
}

#[test]
fn leftmost_longest_among_matches_on_token_edges() {
    let r = only(&rules(&[
        ("ORG", Kind::Phrase, "Apple"),
        ("ORG", Kind::Phrase, "Apple Inc"),
        ("LOC", Kind::Phrase, "New York"),
        ("LOC", Kind::Phrase, "New York City"),
    ]));
    // "Apple Inc" is not on token edges in "Apple Incorporated": "Apple" is.
    assert_eq!(
        found(&r, "Apple Incorporated moved to New York City."),
        [s("Apple", "ORG"), s("New York City", "LOC")]
    );
}

#[test]
fn regexes_match_on_token_edges_only() {
    let r = only(&rules(&[("TICKET", Kind::Regex, r"[A-Z]{2,5}-\d+")]));
    assert_eq!(
        found(&r, "Fixed JIRA-123 and ABC-9; not xJIRA-12 or JIRA-12x."),
        [s("JIRA-123", "TICKET"), s("ABC-9", "TICKET")]
    );
    // A regex that matches nothing but empty strings finds nothing.
    let r = only(&rules(&[("X", Kind::Regex, r"\b")]));
    assert!(found(&r, "a b c").is_empty());
}

#[test]
fn offsets_survive_emoji_and_crlf() {
    let text = "😀 Zoë\r\nmet 👨‍👩‍👧 ACME-7\r\n";
    let r = rules(&[("PER", Kind::Phrase, "Zoë"), ("T", Kind::Regex, r"ACME-\d")]);
    let map = OffsetMap::new(text);
    let spans = r.spans(text, &map);
    let cps: Vec<char> = text.chars().collect();
    let got: Vec<(String, String)> = spans
        .iter()
        .map(|s| (cps[s.start..s.end].iter().collect(), s.label.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("Zoë".to_string(), "PER".to_string()),
            ("ACME-7".to_string(), "T".to_string())
        ]
    );
    assert!(spans
        .iter()
        .all(|s| s.source == Source::Rule && s.score == Some(1.0)));
}

/// A stand-in model that labels every capitalised token PER.
struct Caps;
impl Stage for Caps {
    fn name(&self) -> &'static str {
        "model"
    }
    fn find(&self, cx: &Context, out: &mut Vec<Candidate>) {
        for t in cx.tokens {
            if t.text(cx.text).starts_with(char::is_uppercase) {
                out.push(Candidate {
                    start: t.start,
                    end: t.end,
                    label: "PER".into(),
                    source: Source::Model,
                    score: 0.99,
                });
            }
        }
    }
}

#[test]
fn rules_win_over_model_and_patterns_they_overlap() {
    let text = "Jordan Peterson bought 2024 Widgets on Monday.";
    let rec = Recognizer::standard();
    let before = found(&rec, text);
    assert!(
        before.iter().any(|(t, l, _)| t == "Monday" && l == "DATE"),
        "{before:?}"
    );
    let mine = rules(&[
        ("PRODUCT", Kind::Phrase, "2024 Widgets"),
        ("BRAND", Kind::Phrase, "Jordan"),
        ("DAY", Kind::PhraseIgnoreCase, "monday"),
    ]);
    let r = mine.install(Recognizer::new(vec![Box::new(Caps)]));
    let got = found(&r, text);
    assert_eq!(
        got,
        [
            s("Jordan", "BRAND"),
            ("Peterson".into(), "PER".into(), "model"),
            s("2024 Widgets", "PRODUCT"),
            s("Monday", "DAY"),
        ]
    );
    // Over the standard pipeline too (built-in DATE pattern and model).
    let got = found(&mine.install(Recognizer::standard()), text);
    assert!(got.contains(&s("Monday", "DAY")), "{got:?}");
    assert!(got.contains(&s("2024 Widgets", "PRODUCT")), "{got:?}");
    // Installing again replaces, never stacks, the rules stage.
    let r = Rules::default().install(mine.install(Recognizer::standard()));
    assert_eq!(r.stage_names(), ["patterns", "gazetteer", "model"]);
}

#[test]
fn bad_regex_is_a_clear_error_and_changes_nothing() {
    let e = Rules::new([
        rule("ORG", Kind::Phrase, "Acme"),
        rule("TICKET", Kind::Regex, "[A-Z"),
    ])
    .unwrap_err();
    assert!(e.to_string().contains("TICKET"), "{e}");
    assert!(e.to_string().contains("\"[A-Z\""), "{e}");
    // From the panel: same error, and the previous rules are what they were.
    let previous = rules(&[("ORG", Kind::Phrase, "Acme")]);
    let groups = vec![LabelRules {
        label: "TICKET".into(),
        patterns: vec!["(x".into()],
        ..Default::default()
    }];
    let e = Rules::from_groups(&groups, &previous).unwrap_err();
    assert!(
        e.to_string().starts_with("TICKET: the pattern \"(x\""),
        "{e}"
    );
    assert_eq!(previous.len(), 1);
}

#[test]
fn empty_rules_add_no_stage() {
    let r = Rules::default();
    assert!(r.stage().is_none());
    assert_eq!(
        r.install(Recognizer::standard()).stage_names(),
        ["patterns", "gazetteer", "model"]
    );
    // Blank phrases are dropped, not matched everywhere.
    assert!(rules(&[("X", Kind::Phrase, "  ")]).is_empty());
}

#[test]
fn panel_groups_round_trip_and_keep_ids() {
    let imported = Rules::from_jsonl(
        "{\"label\":\"ORG\",\"pattern\":\"Acme\",\"id\":\"acme\"}\n\
         {\"label\":\"ORG\",\"pattern\":[{\"LOWER\":\"acme\"},{\"LOWER\":\"corp\"}]}\n\
         {\"label\":\"T\",\"pattern\":[{\"TEXT\":{\"REGEX\":\"^T-\\\\d+$\"}}]}\n",
    )
    .unwrap()
    .rules;
    let groups = imported.groups();
    assert_eq!(
        groups,
        [
            LabelRules {
                label: "ORG".into(),
                phrases: vec!["Acme".into()],
                phrases_ignore_case: vec!["acme corp".into()],
                patterns: vec![]
            },
            LabelRules {
                label: "T".into(),
                phrases: vec![],
                phrases_ignore_case: vec![],
                patterns: vec![r"T-\d+".into()]
            }
        ]
    );
    let back = Rules::from_groups(&groups, &imported).unwrap();
    assert_eq!(back, imported);
    assert_eq!(back.rules()[0].id.as_deref(), Some("acme"));
}

#[test]
fn entity_ruler_jsonl_round_trip() {
    let input = concat!(
        r#"{"label":"ORG","pattern":"Apple Inc."}"#,
        "\n",
        r#"{"label":"GPE","pattern":[{"LOWER":"san"},{"LOWER":"francisco"}],"id":"san-francisco"}"#,
        "\n",
        r#"{"label":"ORG","pattern":[{"ORTH":"Acme"},{"TEXT":"Corp"},{"ORTH":"."}]}"#,
        "\n",
        r#"{"label":"TICKET","pattern":[{"TEXT":{"REGEX":"^(?:[A-Z]+-\\d+)$"}}]}"#,
        "\n",
    );
    let imported = Rules::from_jsonl(input).unwrap();
    assert!(imported.skipped.is_empty());
    let r = &imported.rules;
    let shape: Vec<(&str, Kind, &str, Option<&str>)> = r
        .rules()
        .iter()
        .map(|x| (x.label.as_str(), x.kind, x.text.as_str(), x.id.as_deref()))
        .collect();
    assert_eq!(
        shape,
        [
            ("ORG", Kind::Phrase, "Apple Inc.", None),
            (
                "GPE",
                Kind::PhraseIgnoreCase,
                "san francisco",
                Some("san-francisco")
            ),
            ("ORG", Kind::Phrase, "Acme Corp.", None),
            ("TICKET", Kind::Regex, r"[A-Z]+-\d+", None),
        ]
    );
    let out = r.to_jsonl();
    assert_eq!(
        out.lines().nth(1).unwrap(),
        r#"{"label":"GPE","pattern":[{"LOWER":"san"},{"LOWER":"francisco"}],"id":"san-francisco"}"#
    );
    assert_eq!(
        out.lines().nth(3).unwrap(),
        r#"{"label":"TICKET","pattern":[{"TEXT":{"REGEX":"^(?:[A-Z]+-\\d+)$"}}]}"#
    );
    // Export, import, export: the same bytes; and the same rules.
    let again = Rules::from_jsonl(&out).unwrap().rules;
    assert_eq!(&again, r);
    assert_eq!(again.to_jsonl(), out);
}

#[test]
fn entity_ruler_bad_lines_name_the_line_and_import_nothing() {
    let good = r#"{"label":"ORG","pattern":"Acme"}"#;
    let cases = [
        ("not json", "line 2: not a JSON object"),
        (r#"{"pattern":"x"}"#, "line 2: needs a \"label\""),
        (r#"{"label":"","pattern":"x"}"#, "line 2: \"label\" must be"),
        (r#"{"label":"X"}"#, "line 2: needs a \"pattern\""),
        (
            r#"{"label":"X","pattern":7}"#,
            "line 2: \"pattern\" must be",
        ),
        (
            r#"{"label":"X","pattern":[]}"#,
            "line 2: the token pattern is empty",
        ),
        (
            r#"{"label":"X","pattern":[{"TEXT":{"REGEX":"(a"}}]}"#,
            "line 2: X: the pattern \"(a\" is not a valid regular expression",
        ),
        (
            r#"{"label":"X","pattern":"x","id":3}"#,
            "line 2: \"id\" must be a string",
        ),
    ];
    for (bad, want) in cases {
        let e = Rules::from_jsonl(&format!("{good}\n{bad}\n")).unwrap_err();
        assert!(e.to_string().starts_with(want), "{bad}: {e}");
    }
}

#[test]
fn entity_ruler_unsupported_patterns_are_skipped_and_reported() {
    let input = concat!(
        r#"{"label":"ORG","pattern":"Acme"}"#,
        "\n\n",
        r#"{"label":"PER","pattern":[{"POS":"PROPN"}]}"#,
        "\n",
        r#"{"label":"PER","pattern":[{"LOWER":"dr"},{"IS_TITLE":true,"OP":"+"}]}"#,
        "\n",
        r#"{"label":"N","pattern":[{"TEXT":{"REGEX":"a"}},{"TEXT":"b"}]}"#,
        "\n",
        r#"{"label":"N","pattern":[{"LOWER":{"IN":["a","b"]}}]}"#,
        "\n",
    );
    let imported = Rules::from_jsonl(input).unwrap();
    assert_eq!(imported.rules.len(), 1);
    let lines: Vec<usize> = imported.skipped.iter().map(|(n, _)| *n).collect();
    assert_eq!(lines, [3, 4, 5, 6]);
    assert!(
        imported.skipped[0].1.contains("POS"),
        "{:?}",
        imported.skipped
    );
}

#[test]
fn fixture_is_our_export() {
    // tests/interop/test_rules_spacy.py loads this file into spaCy as our export.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/rules/patterns.jsonl"
    );
    let fixture = std::fs::read_to_string(path).unwrap();
    let imported = Rules::from_jsonl(&fixture).unwrap();
    assert!(imported.skipped.is_empty());
    assert_eq!(imported.rules.to_jsonl(), fixture);
}

#[test]
fn version_tells_rule_sets_apart() {
    let a = rules(&[("ORG", Kind::Phrase, "Acme")]);
    let b = rules(&[("ORG", Kind::PhraseIgnoreCase, "Acme")]);
    assert_eq!(Rules::default().version(), "");
    assert_eq!(a.version().len(), 16);
    assert_ne!(a.version(), b.version());
    assert_eq!(
        a.version(),
        rules(&[("ORG", Kind::Phrase, " Acme ")]).version()
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Any patterns file, any regex: an error or rules, never a panic;
        /// what is read exports and reads back the same.
        #[test]
        fn any_input_is_read_or_refused(
            lines in prop::collection::vec(prop_oneof![
                1 => "\\PC{0,30}",
                1 => "[\\[\\]{}\":,A-Za-z0-9 ^$()|*+?.\\\\-]{0,40}",
                10 => "[a-zA-Z][a-zA-Z ]{0,12}".prop_map(|p| format!("{{\"label\":\"L\",\"pattern\":{}}}", serde_json::json!(p))),
                10 => "[a-z(|)*+?\\\\^$\\[\\]]{1,12}".prop_map(|r| format!("{{\"label\":\"R\",\"pattern\":[{{\"TEXT\":{{\"REGEX\":{}}}}}]}}", serde_json::json!(r))),
            ], 0..8),
            text in "\\PC{0,40}",
        ) {
            if let Ok(imported) = Rules::from_jsonl(&lines.join("\n")) {
                let out = imported.rules.to_jsonl();
                let again = Rules::from_jsonl(&out).unwrap();
                prop_assert!(again.skipped.is_empty());
                prop_assert_eq!(again.rules.to_jsonl(), out);
                let map = OffsetMap::new(&text);
                for s in imported.rules.spans(&text, &map) {
                    prop_assert!(s.start < s.end && s.end <= text.chars().count());
                }
            }
        }

        /// Whatever the phrases and text: no panic, every rule match lies
        /// on token edges, is exactly a phrase (in some case), and matches
        /// never overlap.
        #[test]
        fn matches_are_whole_tokens_and_never_overlap(
            text in "([aAbB😀é]{1,3}[ ,.\r\n-]{0,2}){0,20}",
            phrases in prop::collection::vec("[aAbB😀é]{1,3}( [aAbB]{1,2})?", 1..6),
            fold in any::<bool>(),
        ) {
            let kind = if fold { Kind::PhraseIgnoreCase } else { Kind::Phrase };
            let r = Rules::new(phrases.iter().map(|p| rule("X", kind, p))).unwrap();
            let tokens = spanmark::tokenize::tokenize(&text);
            let found = r.install(Recognizer::new(vec![])).recognize(&text);
            let mut last = 0;
            for c in &found {
                prop_assert!(c.start >= last);
                last = c.end;
                prop_assert!(spanmark::tokenize::starting_at(&tokens, c.start).is_some());
                prop_assert!(spanmark::tokenize::ending_at(&tokens, c.end).is_some());
                let surface = &text[c.start..c.end];
                prop_assert!(phrases.iter().any(|p| if fold {
                    p.to_lowercase() == surface.to_lowercase()
                } else {
                    p == surface
                }), "{surface:?} not in {phrases:?}");
            }
        }
    }
}
