//! The session as the page drives it: open, act, store, reopen.

use super::*;
use crate::doc::{Source, Span, Status};

const TEXT: &str = "Angela Merkel visited Paris on Monday. Merkel met Emmanuel Macron there.";

fn session_with(text: &str) -> (Session, Opened) {
    let mut s = Session::new();
    let opened = s
        .open_text(None, &[], text.to_string(), serde_json::json!({}))
        .unwrap();
    (s, opened)
}

fn add(s: &mut Session, start: usize, end: usize, label: &str) -> Result<Outcome> {
    s.apply(Action::Add {
        start,
        end,
        label: label.into(),
    })
}

fn user_spans(s: &Session) -> Vec<(usize, usize, String)> {
    s.spans()
        .iter()
        .filter(|x| x.source == Source::User)
        .map(|x| (x.start, x.end, x.label.clone()))
        .collect()
}

/// Entries as storage holds them, numbered from 1.
fn logged(entries: Vec<LogEntry>) -> Vec<Logged> {
    entries
        .into_iter()
        .zip(1..)
        .map(|(entry, seq)| Logged { seq, entry })
        .collect()
}

/// The stored state of the open document: what a reload gets back.
fn stored(s: &mut Session) -> (Document, Record) {
    let head = s.head().unwrap();
    let mut doc = Document::new(head.id, s.text().unwrap().to_string());
    doc.meta = head.meta;
    doc.status = head.status;
    (doc, s.record().unwrap())
}

#[test]
fn a_new_text_is_pre_annotated_named_and_stored_at_once() {
    let mut s = Session::new();
    let taken = vec!["doc-1".to_string(), "news".to_string()];
    let opened = s
        .open_text(
            Some("news"),
            &taken,
            TEXT.into(),
            serde_json::json!({"name": "Monday"}),
        )
        .unwrap();
    assert_eq!(opened.id, "news-2", "a duplicate id gets a suffix");
    assert_eq!(opened.name, "Monday");
    assert!(opened.snapshot && !opened.owed);
    assert!(s
        .spans()
        .iter()
        .any(|x| x.label == "PER" && x.source == Source::Model));
    let plain = s
        .open_text(None, &taken, "x".into(), serde_json::json!({}))
        .unwrap();
    assert_eq!((plain.id.as_str(), plain.name.as_str()), ("doc-3", "doc-3"));
    assert!(s
        .open_text(None, &[], "x".into(), serde_json::json!([1]))
        .is_err());
}

#[test]
fn a_new_text_opened_before_its_suggestions_gets_them_once() {
    let mut s = Session::new();
    let opened = s
        .open_new(None, &[], TEXT.into(), serde_json::json!({}))
        .unwrap();
    assert!(opened.snapshot && !opened.owed);
    assert!(
        s.spans().is_empty(),
        "stored as text first, suggested after"
    );
    let head = s.head().unwrap();
    s.suggest_new().unwrap();
    assert_eq!(
        s.head().unwrap(),
        head,
        "suggesting changes no stored field of the document"
    );
    let (expected, _) = session_with(TEXT);
    assert_eq!(s.spans(), expected.spans());
    assert_eq!(s.record().unwrap().suggested_by, Some(0));
    s.suggest_new().unwrap();
    assert_eq!(s.spans(), expected.spans(), "a second call adds nothing");
    // A stored document's suggestions are never made again this way.
    let (doc, record) = stored(&mut s);
    let mut other = Session::new();
    other.open_stored(doc, Some(record), &[], &[]).unwrap();
    let before = other.spans().len();
    other.suggest_new().unwrap();
    assert_eq!(other.spans().len(), before);
}

#[test]
fn long_is_measured_in_utf16_units_as_the_page_measures() {
    assert!(!is_long(&"a".repeat(LONG_TEXT)));
    assert!(is_long(&"a".repeat(LONG_TEXT + 1)));
    // 3 bytes but one unit each: over LONG_TEXT bytes, not over in units.
    assert!(!is_long(&"€".repeat(LONG_TEXT)));
    assert!(is_long(&"€".repeat(LONG_TEXT + 1)));
    // 4 bytes and two units each.
    assert!(is_long(&"😀".repeat(LONG_TEXT / 2 + 1)));
}

#[test]
fn a_long_text_is_owed_to_a_worker_until_its_last_slice() {
    let text = "Ana Lima flew to Lisbon.\n".repeat(LONG_TEXT / 20);
    let (mut s, opened) = session_with(&text);
    assert!(opened.owed && s.spans().is_empty());
    assert!(!s.record().unwrap().preannotated, "stored as still owing");
    let labels: Vec<String> = vec!["PER".into()];
    let p = worker::Preannotator::new(&[], labels.clone(), "").unwrap();
    let table = p.table(&text);
    let half = table.len() / 2 / tables::SUGGESTION_ROW * tables::SUGGESTION_ROW;
    s.add_suggestions(&table[..half], &labels, true, false)
        .unwrap();
    assert!(s.owed());
    s.add_suggestions(&table[half..], &labels, false, true)
        .unwrap();
    assert!(!s.owed());
    assert_eq!(s.spans().len(), table.len() / tables::SUGGESTION_ROW);
    assert!(s.record().unwrap().preannotated);
}

#[test]
fn an_edit_is_one_log_entry_with_its_blocks_labels_and_words() {
    let (mut s, _) = session_with(TEXT);
    s.blocks().unwrap();
    let out = add(&mut s, 22, 27, "GPE").unwrap();
    assert!(out.changed && !out.snapshot);
    assert!(matches!(out.entry, Some(LogEntry::Commit { .. })));
    assert!(!out.patch.is_empty(), "its block is drawn again");
    let bar = s.label_bar("", 40);
    assert_eq!(
        bar.labels.iter().find(|l| l.name == "GPE").map(|l| l.count),
        Some(1)
    );
    assert_eq!(out.select, Some([22, 27]));
    assert_eq!(out.status, "added GPE “Paris”");
    let labels = out.labels.expect("a new label is sent to the page");
    assert!(labels.iter().any(|l| l.name == "GPE"));
    let again = add(&mut s, 22, 27, "GPE").unwrap();
    assert!(!again.changed && again.entry.is_none() && again.labels.is_none());
}

#[test]
fn undo_and_redo_say_what_they_did_and_where() {
    let (mut s, _) = session_with(TEXT);
    add(&mut s, 0, 13, "PER").unwrap();
    let undo = s.apply(Action::Undo).unwrap();
    assert!(matches!(undo.entry, Some(LogEntry::Undo { .. })));
    assert_eq!(undo.reveal, Some(0));
    assert!(undo.status.starts_with("undone"), "{}", undo.status);
    assert!(user_spans(&s).is_empty());
    let redo = s.apply(Action::Redo).unwrap();
    assert!(matches!(redo.entry, Some(LogEntry::Redo { .. })));
    assert_eq!(user_spans(&s), [(0, 13, "PER".to_string())]);
    s.apply(Action::Undo).unwrap();
    s.apply(Action::Undo).unwrap();
    let none = s.apply(Action::Undo).unwrap();
    assert!(!none.changed && none.entry.is_none());
    assert_eq!(none.status, "nothing to undo");
}

#[test]
fn every_hundredth_edit_is_stored_as_a_snapshot() {
    let (mut s, _) = session_with(TEXT);
    s.record().unwrap();
    let mut snapshots = 0;
    for i in 0..(2 * SNAPSHOT_EVERY) {
        let label = if i % 2 == 0 { "PER" } else { "ORG" };
        let out = s
            .apply(Action::Relabel {
                start: 0,
                end: 13,
                label: label.into(),
            })
            .or_else(|_| add(&mut s, 0, 13, label))
            .unwrap();
        assert!(out.changed);
        assert!(out.entry.is_some());
        if out.snapshot {
            snapshots += 1;
            s.record().unwrap();
        }
    }
    assert_eq!(snapshots, 2);
}

#[test]
fn a_decision_moves_review_on_to_the_next_suggestion() {
    let (mut s, _) = session_with("Ana Lima met Bo Reyes and Cy Dunn in Lisbon.");
    s.apply(Action::RejectAll).unwrap();
    for (a, b, l) in [
        (0, 8, "PER"),
        (13, 21, "PER"),
        (26, 33, "PER"),
        (37, 43, "LOC"),
    ] {
        let mut sp = Span::new(a, b, l).with_source(Source::Model);
        sp.score = Some(0.9);
        let o = s.open_mut().unwrap();
        o.editor.add_suggestions(vec![sp]);
    }
    add(&mut s, 26, 33, "PER").unwrap(); // Cy Dunn: the person's own
    let out = s.apply(Action::Accept { start: 0, end: 8 }).unwrap();
    assert_eq!(out.select, Some([13, 21]), "the next suggestion");
    let out = s.apply(Action::Reject { start: 13, end: 21 }).unwrap();
    assert_eq!(out.select, Some([37, 43]), "past the person's own span");
    assert!(
        out.status.starts_with("rejected PER “Bo Reyes”"),
        "{}",
        out.status
    );
    let out = s.apply(Action::Remove { start: 37, end: 43 }).unwrap();
    assert_eq!(out.select, None, "nothing after the last");
    assert_eq!(
        out.place,
        Some(37),
        "review stays where it was, not back at the start"
    );
    assert_eq!(
        s.neighbour_span(out.place, true),
        Some((26, 33)),
        "← from there is the span before it"
    );
    let out = s.apply(Action::Remove { start: 0, end: 8 }).unwrap();
    assert_eq!(
        out.select,
        Some([26, 33]),
        "no suggestion left: the next span"
    );
}

#[test]
fn done_is_stored_with_the_document() {
    let (mut s, _) = session_with(TEXT);
    let out = s.apply(Action::ToggleDone).unwrap();
    assert!(out.changed && out.document && out.snapshot);
    assert_eq!(s.head().unwrap().status, Status::Done);
    assert_eq!(out.status, "marked done");
    let out = s.apply(Action::SetDone { done: true }).unwrap();
    assert!(!out.changed, "already done");
    s.apply(Action::ToggleDone).unwrap();
    assert_eq!(s.head().unwrap().status, Status::Todo);
}

#[test]
fn every_occurrence_is_one_undoable_entry() {
    let text = "Merkel spoke. Then Merkel left, and Merkel's aide stayed.";
    let (mut s, _) = session_with(text);
    add(&mut s, 0, 6, "PER").unwrap();
    let out = s.apply(Action::LabelEvery { start: 0, end: 6 }).unwrap();
    assert_eq!(out.count, 2);
    let every = out.every.as_ref().unwrap();
    assert_eq!(
        (every.text.as_str(), every.label.as_str()),
        ("Merkel", "PER")
    );
    assert!(
        out.status.contains("2 more occurrences of “Merkel” as PER"),
        "{}",
        out.status
    );
    assert_eq!(user_spans(&s).len(), 3);
    s.apply(Action::Undo).unwrap();
    assert_eq!(user_spans(&s).len(), 1);
}

#[test]
fn taking_the_agreed_spans_is_one_step_that_keeps_the_curators_own() {
    // "Angela Merkel visited Paris on Monday. Merkel met Emmanuel Macron there."
    let (mut s, _) = session_with(TEXT);
    // The curator decided on Paris herself before.
    add(&mut s, 22, 27, "GPE").unwrap();
    let a: Action = serde_json::from_str(
        r#"{"op":"takeAgreed","spans":[{"start":0,"end":13,"label":"PER"},{"start":22,"end":27,"label":"LOC"},{"start":50,"end":65,"label":"PER"}]}"#,
    )
    .unwrap();
    let out = s.apply(a).unwrap();
    assert_eq!(out.count, 2);
    assert_eq!(
        out.status,
        "took 2 agreed spans; 1 left where the curated record has its own span"
    );
    assert!(out.entry.is_some(), "stored as one edit-log entry");
    assert_eq!(
        user_spans(&s),
        [
            (0, 13, "PER".to_string()),
            (22, 27, "GPE".to_string()),
            (50, 65, "PER".to_string())
        ]
    );
    // Again: nothing more to take, and what is there is not "left".
    let again = Action::TakeAgreed {
        spans: vec![Span::new(0, 13, "PER")],
    };
    let out = s.apply(again).unwrap();
    assert!(!out.changed);
    assert_eq!(out.status, "took 0 agreed spans");
    s.apply(Action::Undo).unwrap();
    assert_eq!(user_spans(&s), [(22, 27, "GPE".to_string())]);
}

#[test]
fn taking_a_version_replaces_the_stretch_in_one_step_that_undoes_and_replays() {
    // "Angela Merkel visited Paris on Monday. Merkel met Emmanuel Macron there."
    let (mut s, _) = session_with(TEXT);
    let (doc, record) = stored(&mut s);
    let mut log = Vec::new();
    // The curated record holds one annotator's reading of "Emmanuel Macron".
    log.push(add(&mut s, 50, 58, "PER").unwrap().entry.unwrap());
    log.push(add(&mut s, 59, 65, "PER").unwrap().entry.unwrap());
    log.push(add(&mut s, 22, 27, "GPE").unwrap().entry.unwrap());
    let other = |s: &Session| {
        user_spans(s)
            .into_iter()
            .filter(|x| x.0 < 50)
            .collect::<Vec<_>>()
    };
    let before = other(&s);
    let a: Action = serde_json::from_str(
        r#"{"op":"takeVersion","start":50,"end":65,"spans":[{"start":50,"end":65,"label":"PER"}]}"#,
    )
    .unwrap();
    let out = s.apply(a).unwrap();
    assert!(out.changed);
    assert_eq!(out.status, "took PER “Emmanuel Macron”");
    let entry = out.entry.clone().expect("one edit-log entry");
    log.push(entry);
    let in_stretch = |s: &Session| {
        s.spans()
            .iter()
            .filter(|x| x.overlaps(50, 65))
            .map(|x| (x.start, x.end, x.label.clone(), x.source))
            .collect::<Vec<_>>()
    };
    assert_eq!(in_stretch(&s), [(50, 65, "PER".to_string(), Source::User)]);
    assert_eq!(other(&s), before, "text outside the stretch is untouched");
    // Taking it again changes nothing.
    let again = s
        .apply(Action::TakeVersion {
            start: 50,
            end: 65,
            spans: vec![Span::new(50, 65, "PER")],
        })
        .unwrap();
    assert!(!again.changed);
    // Another tab (or a reload) replays it as one step.
    let mut t = Session::new();
    t.open_stored(doc, Some(record), &logged(log), &[]).unwrap();
    assert_eq!(in_stretch(&t), in_stretch(&s));
    // One undo brings back both spans it replaced.
    s.apply(Action::Undo).unwrap();
    assert_eq!(
        in_stretch(&s),
        [
            (50, 58, "PER".to_string(), Source::User),
            (59, 65, "PER".to_string(), Source::User)
        ]
    );
    // The version "nothing there" empties the stretch, suggestions too.
    let out = s
        .apply(Action::TakeVersion {
            start: 50,
            end: 65,
            spans: vec![],
        })
        .unwrap();
    assert!(
        out.status.starts_with("took “nothing there”"),
        "{}",
        out.status
    );
    assert!(in_stretch(&s).is_empty());
    // A span outside the stretch is refused, nothing changed.
    let err = s
        .apply(Action::TakeVersion {
            start: 50,
            end: 58,
            spans: vec![Span::new(22, 27, "LOC")],
        })
        .unwrap_err();
    assert!(err.0.contains("outside the stretch"), "{}", err.0);
    assert_eq!(other(&s), before);
}

#[test]
fn actions_are_read_from_the_pages_words() {
    let a: Action =
        serde_json::from_str(r#"{"op":"resize","start":1,"end":2,"newStart":0,"newEnd":3}"#)
            .unwrap();
    assert_eq!(
        a,
        Action::Resize {
            start: 1,
            end: 2,
            new_start: 0,
            new_end: 3
        }
    );
    let a: Action = serde_json::from_str(r#"{"op":"acceptAll"}"#).unwrap();
    assert_eq!(a, Action::AcceptAll);
    assert!(serde_json::from_str::<Action>(r#"{"op":"explode"}"#).is_err());
    assert!(serde_json::from_str::<Action>(r#"{"op":"add","start":1}"#).is_err());
}

#[test]
fn a_bad_action_changes_nothing_and_says_why() {
    let mut none = Session::new();
    assert_eq!(
        none.apply(Action::Undo).unwrap_err().0,
        "no document is open"
    );
    let (mut closed, _) = session_with("short");
    closed.close();
    assert!(!closed.is_open() && closed.spans().is_empty());
    assert!(closed.record().is_err());
    let (mut s, _) = session_with("short");
    let before = s.spans().to_vec();
    let e = add(&mut s, 2, 99, "PER").unwrap_err();
    assert!(e.0.contains("past the end"), "{e}");
    assert!(s.apply(Action::Remove { start: 0, end: 1 }).is_err());
    assert_eq!(s.spans(), before);
}

#[test]
fn reopening_gives_back_the_snapshot_plus_the_logged_edits() {
    let (mut s, _) = session_with(TEXT);
    let (doc, record) = stored(&mut s);
    let mut log = Vec::new();
    for (start, end, label) in [(0, 13, "PER"), (22, 27, "LOC")] {
        log.push(add(&mut s, start, end, label).unwrap().entry.unwrap());
    }
    log.push(s.apply(Action::Undo).unwrap().entry.unwrap());
    let want = s.spans().to_vec();
    let mut t = Session::new();
    let opened = t
        .open_stored(doc.clone(), Some(record.clone()), &logged(log), &[])
        .unwrap();
    assert_eq!(t.spans(), want);
    assert!(opened.snapshot, "the log is folded into a new snapshot");
    let redo = t.apply(Action::Redo).unwrap();
    assert!(redo.changed, "the undo position came back too");
    let mut u = Session::new();
    let opened = u.open_stored(doc, Some(record), &[], &[]).unwrap();
    assert!(!opened.snapshot, "nothing new to store");
}

#[test]
fn a_document_without_a_record_is_suggested_and_stored() {
    let mut s = Session::new();
    let opened = s
        .open_stored(Document::new("d", TEXT), None, &[], &[])
        .unwrap();
    assert!(opened.snapshot && !opened.owed);
    assert!(!s.spans().is_empty());
}

#[test]
fn a_document_saved_under_other_rules_gets_the_current_rules() {
    let (mut s, _) = session_with(TEXT);
    let (doc, record) = stored(&mut s);
    s.set_rules(r#"{"label":"CITY","pattern":"Paris"}"#)
        .unwrap();
    let opened = s
        .open_stored(doc.clone(), Some(record.clone()), &[], &[])
        .unwrap();
    assert!(opened.snapshot);
    assert!(s
        .spans()
        .iter()
        .any(|x| x.label == "CITY" && x.source == Source::Rule));
    let fresh = s.record().unwrap();
    assert_eq!(fresh.rules, s.rules_version());
    let again = s.open_stored(doc, Some(fresh), &[], &[]).unwrap();
    assert!(!again.snapshot, "up to date");
}

#[test]
fn a_damaged_record_is_refused_and_the_open_document_stays() {
    let (mut s, opened) = session_with(TEXT);
    let (doc, mut record) = stored(&mut s);
    record.spans.table[1] = 10_000; // an end past the text
    let e = s.open_stored(doc, Some(record), &[], &[]).unwrap_err();
    assert!(e.0.contains("past the end"), "{e}");
    assert_eq!(s.head().unwrap().id, opened.id);
}

#[test]
fn label_changes_reach_the_open_document_and_stored_records() {
    let (mut s, _) = session_with(TEXT);
    add(&mut s, 0, 13, "PER").unwrap();
    let (_, record) = stored(&mut s);
    s.rename_label("PER", " PERSON ").unwrap();
    assert!(s.spans().iter().any(|x| x.label == "PERSON"));
    assert!(s.labels().get("PER").is_none());
    let (renamed, n) = project::relabel(&record, "PER", Some("PERSON"))
        .unwrap()
        .unwrap();
    assert!(n >= 1);
    assert!(renamed.spans().unwrap().iter().all(|x| x.label != "PER"));
    assert!(project::relabel(&record, "NOPE", Some("X"))
        .unwrap()
        .is_none());
    s.delete_label("PERSON").unwrap();
    assert!(s.spans().iter().all(|x| x.label != "PERSON"));
    assert!(s.delete_label("PERSON").is_err());
}

#[test]
fn an_import_becomes_documents_and_packed_records() {
    let file = br#"{"id":"a","text":"Ana Lima","spans":[{"start":0,"end":8,"label":"PERSON"}]}
{"id":"b","text":"No spans here"}"#;
    let got = project::import_file(
        "x.jsonl",
        file,
        &["a".into()],
        LabelSet::default(),
        &Default::default(),
    )
    .unwrap();
    let ids: Vec<&str> = got.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["a-2", "b"]);
    assert!(got.documents.iter().all(|d| d.spans.is_empty()));
    assert_eq!(got.records.len(), 1);
    assert_eq!(got.records[0].doc_id, "a-2");
    assert!(got.labels.get("PERSON").is_some());
    let e = project::import_file(
        "broken.jsonl",
        b"{nope",
        &[],
        LabelSet::default(),
        &Default::default(),
    )
    .unwrap_err();
    assert!(e.0.starts_with("broken.jsonl: "), "{e}");
    let deep = format!(
        r#"{{"id":"x","text":"t","meta":{{"m":{}1{}}}}}"#,
        "[".repeat(100),
        "]".repeat(100)
    );
    let e = project::import_file(
        "deep.jsonl",
        deep.as_bytes(),
        &[],
        LabelSet::default(),
        &Default::default(),
    )
    .unwrap_err();
    assert!(
        e.0.starts_with("deep.jsonl: document \"x\": meta is nested"),
        "{e}"
    );
}

#[test]
fn neighbours_and_tokens_in_the_pages_units() {
    let (mut s, _) = session_with("😀 Ana Lima met Bo.");
    assert_eq!(s.snap(4, 5), Some((2, 5)), "UTF-16 in, code points out");
    assert_eq!(s.char_to_utf16(2), Some(3));
    assert_eq!(s.next_token(None, false), Some((0, 1)));
    let first = s.neighbour_span(None, false).map(|x| x.0);
    assert!(first.is_some());
}

#[test]
fn the_label_bar_shows_what_a_person_reaches_for_in_a_huge_set() {
    let (mut s, _) = session_with(TEXT);
    let all = s.label_bar("", 40);
    assert_eq!(
        (all.labels.len(), all.hidden),
        (13, 0),
        "an ordinary set: every label"
    );
    for i in 0..10_000 {
        s.add_label(&format!("TYPE{i:05}")).unwrap();
    }
    add(&mut s, 22, 27, "TYPE09999").unwrap();
    let bar = s.label_bar("", 40);
    assert_eq!(bar.labels.len(), 40);
    assert_eq!(bar.hidden, 10_013 - 40);
    let names: Vec<&str> = bar.labels.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names[0], "PER", "in the set's order, keyed labels first");
    assert!(names.contains(&"TYPE09999"), "used in the document: shown");
    assert_eq!(
        bar.labels
            .iter()
            .find(|l| l.name == "TYPE09999")
            .unwrap()
            .count,
        1
    );
    let found = s.label_bar("type0012", 40);
    let names: Vec<&str> = found.labels.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names.len(), 10, "TYPE00120..TYPE00129");
    assert!(names.iter().all(|n| n.starts_with("TYPE0012")));
}

#[test]
fn the_label_bar_picks_as_a_full_ranking_of_the_set_would() {
    let (mut s, _) = session_with(TEXT);
    for i in 0..500 {
        s.add_label(&format!("K{i:03}")).unwrap();
    }
    for (i, key) in ["q", "w", "z", "!"].iter().enumerate() {
        s.set_label_key(&format!("K{:03}", 100 * i + 7), Some(key))
            .unwrap();
    }
    s.set_label_key("PER", None).unwrap();
    add(&mut s, 22, 27, "K499").unwrap();
    add(&mut s, 0, 4, "K250").unwrap();
    for limit in [0, 1, 5, 13, 40, 600] {
        // Every label ranked: keyed first, then the most used, then set order.
        let counts = s.label_counts();
        let mut all: Vec<(usize, u64, bool, String)> = s
            .labels()
            .iter()
            .enumerate()
            .map(|(i, l)| {
                (
                    i,
                    counts.get(&l.name).copied().unwrap_or(0),
                    l.key.is_some(),
                    l.name.clone(),
                )
            })
            .collect();
        all.sort_by(|a, b| b.2.cmp(&a.2).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)));
        all.truncate(limit);
        all.sort_by_key(|a| a.0);
        let want: Vec<String> = all.into_iter().map(|a| a.3).collect();
        let bar = s.label_bar("", limit);
        let got: Vec<String> = bar.labels.iter().map(|l| l.name.clone()).collect();
        assert_eq!(got, want, "limit {limit}");
        assert_eq!(bar.hidden, s.labels().len() - want.len());
    }
}

#[test]
fn a_label_name_past_the_limit_is_refused_and_changes_nothing() {
    let (mut s, _) = session_with(TEXT);
    let long = "L".repeat(10_000);
    let e = add(&mut s, 0, 13, &long).unwrap_err();
    assert!(e.0.contains("10000 characters long"), "{e}");
    assert!(user_spans(&s).is_empty());
    assert!(s.labels().get(&long).is_none());
    let file =
        format!(r#"{{"id":"a","text":"Ana","spans":[{{"start":0,"end":3,"label":"{long}"}}]}}"#);
    let e = project::import_file(
        "long.jsonl",
        file.as_bytes(),
        &[],
        LabelSet::default(),
        &Default::default(),
    )
    .unwrap_err();
    assert!(e.0.starts_with("long.jsonl: the label “LLLL"), "{e}");
}

// ---- two tabs on one document -------------------------------------------

/// What IndexedDB holds of one document, written by the rules store.js
/// follows: a snapshot only as its `expect` admits, an entry at the next seq.
#[derive(Default)]
struct Storage {
    doc: Option<Document>,
    record: Option<Record>,
    log: Vec<Logged>,
    seq: u64,
}

impl Storage {
    fn snapshot(&mut self, s: &mut Session) -> std::result::Result<(), &'static str> {
        let (doc, record) = stored(s);
        let stored_rev = self.record.as_ref().map_or(0, |r| r.rev);
        let seqs: Vec<u64> = self.log.iter().map(|l| l.seq).collect();
        let expect = record
            .expect
            .clone()
            .expect("a snapshot says what it expects");
        if !expect.admits(stored_rev, &seqs) {
            return Err("conflict");
        }
        self.log.clear();
        self.doc = Some(doc);
        self.record = Some(record);
        Ok(())
    }

    fn log(&mut self, s: &mut Session, out: Outcome) {
        self.seq += 1;
        s.logged(self.seq);
        self.log.push(Logged {
            seq: self.seq,
            entry: out.entry.expect("an edit logs an entry"),
        });
    }

    /// A tab opening (or reopening) the document from storage.
    fn open(&self, s: &mut Session, live: &[&str]) -> Opened {
        let live: Vec<String> = live.iter().map(|t| t.to_string()).collect();
        s.open_stored(
            self.doc.clone().unwrap(),
            self.record.clone(),
            &self.log,
            &live,
        )
        .unwrap()
    }
}

fn tab(name: &str) -> Session {
    let mut s = Session::new();
    s.set_tab(name);
    s
}

/// Issue 16, corner 2: A's edit and snapshot (mark done) at the moment of
/// B's edit. B's entry is logged after A's, before A's snapshot: A's
/// snapshot has not applied it, so it is refused; A reopens, marks done
/// again on top, and B's span survives.
#[test]
fn a_snapshot_never_drops_an_entry_it_has_not_applied() {
    let mut store = Storage::default();
    let mut a = tab("A");
    a.open_text(Some("shared"), &[], TEXT.into(), serde_json::json!({}))
        .unwrap();
    store.snapshot(&mut a).unwrap();
    let mut b = tab("B");
    store.open(&mut b, &["A", "B"]);
    let out = add(&mut a, 0, 13, "PER").unwrap();
    store.log(&mut a, out);
    let out = add(&mut b, 22, 27, "LOC").unwrap();
    store.log(&mut b, out); // B's promise resolves here
    let done = a.apply(Action::SetDone { done: true }).unwrap();
    assert!(done.snapshot);
    assert_eq!(
        store.snapshot(&mut a),
        Err("conflict"),
        "A never read B's entry"
    );
    store.open(&mut a, &["A", "B"]);
    a.apply(Action::SetDone { done: true }).unwrap();
    store.snapshot(&mut a).unwrap();
    assert!(store.log.is_empty(), "both entries folded in");
    // B, not yet told, snapshots too: built on the revision A replaced.
    b.apply(Action::SetDone { done: false }).unwrap();
    assert_eq!(store.snapshot(&mut b), Err("conflict"));
    store.open(&mut b, &["A", "B"]);
    b.apply(Action::SetDone { done: false }).unwrap();
    store.snapshot(&mut b).unwrap();
    let mut reader = tab("C");
    store.open(&mut reader, &[]);
    assert_eq!(
        user_spans(&reader),
        [(0, 13, "PER".to_string()), (22, 27, "LOC".to_string())],
        "every acknowledged edit of both tabs is stored"
    );
    assert_eq!(reader.head().unwrap().status, Status::Todo);
}

/// Issue 16, corner 3: A adds, B adds (acknowledged); A's undo takes back
/// A's span only, in every tab and after a reload.
#[test]
fn undo_in_one_tab_leaves_the_other_tabs_work() {
    let mut store = Storage::default();
    let mut a = tab("A");
    a.open_text(Some("shared"), &[], TEXT.into(), serde_json::json!({}))
        .unwrap();
    store.snapshot(&mut a).unwrap();
    let mut b = tab("B");
    store.open(&mut b, &["A", "B"]);
    let out = add(&mut a, 0, 13, "PER").unwrap();
    store.log(&mut a, out);
    store.open(&mut b, &["A", "B"]); // told of A's save
    let out = add(&mut b, 22, 27, "LOC").unwrap();
    store.log(&mut b, out);
    store.open(&mut a, &["A", "B"]); // told of B's save
    let undo = a.apply(Action::Undo).unwrap();
    assert!(undo.changed);
    assert!(
        matches!(&undo.entry, Some(LogEntry::Undo { tab, base: 1, .. }) if tab == "A"),
        "{:?}",
        undo.entry
    );
    store.log(&mut a, undo);
    assert_eq!(user_spans(&a), [(22, 27, "LOC".to_string())]);
    let none = a.apply(Action::Undo).unwrap();
    assert!(!none.changed, "B's span is not A's to undo");
    assert_eq!(none.status, "nothing to undo");
    for s in [&mut b, &mut tab("C")] {
        store.open(s, &["A", "B"]);
        assert_eq!(user_spans(s), [(22, 27, "LOC".to_string())]);
    }
    // B relabels its span; B's undo of that then fits, A's redo of its own
    // span still does (nothing is there), and an undo that no longer fits
    // says so and changes nothing.
    let out = b
        .apply(Action::Relabel {
            start: 22,
            end: 27,
            label: "GPE".into(),
        })
        .unwrap();
    store.log(&mut b, out);
    store.open(&mut a, &["A", "B"]);
    let out = a
        .apply(Action::Relabel {
            start: 22,
            end: 27,
            label: "CITY".into(),
        })
        .unwrap();
    store.log(&mut a, out);
    store.open(&mut b, &["A", "B"]);
    let stale = b.apply(Action::Undo).unwrap();
    assert!(!stale.changed && stale.entry.is_none());
    assert!(stale.status.starts_with("cannot undo"), "{}", stale.status);
    assert_eq!(user_spans(&b), [(22, 27, "CITY".to_string())]);
}

/// Issue 16, corner 4: two tabs create one id at once; the one that stores
/// second finds it taken and takes the next, by the rule a duplicate id
/// always followed.
#[test]
fn two_tabs_creating_one_id_get_two_documents() {
    let mut a = tab("A");
    let mut b = tab("B");
    let x = a
        .open_text(Some("x"), &[], "Ana flew.".into(), serde_json::json!({}))
        .unwrap();
    let y = b
        .open_text(Some("x"), &[], "Bo swam.".into(), serde_json::json!({}))
        .unwrap();
    assert_eq!((x.id.as_str(), y.id.as_str()), ("x", "x"));
    let again = b.retake_id(&["x".to_string()]).unwrap();
    assert_eq!(again.id, "x-2");
    assert_eq!(b.record().unwrap().doc_id, "x-2");
    let again = b.retake_id(&["x".into(), "x-2".into()]).unwrap();
    assert_eq!(again.id, "x-3", "tried again after a second tab took x-2");
    let r = b.record().unwrap();
    assert_eq!(
        (r.rev, r.expect.map(|e| e.rev)),
        (1, Some(0)),
        "stored over nothing"
    );
    let mut store = Storage::default();
    store.snapshot(&mut a).unwrap();
    store.open(&mut a, &[]);
    assert!(a.retake_id(&[]).is_err(), "a stored document keeps its id");
    let mut c = tab("C");
    c.open_text(None, &["doc-1".into()], "Cy.".into(), serde_json::json!({}))
        .unwrap();
    let again = c.retake_id(&["doc-1".into(), "doc-2".into()]).unwrap();
    assert_eq!(again.id, "doc-3");
}

/// Records and logs from before tabs: steps without a tab, bare undo
/// entries. They open as they did, and the steps pass to the tab opening
/// them, which can undo them.
#[test]
fn a_record_and_log_from_before_tabs_open_as_before() {
    let mut s = tab("");
    s.open_text(Some("old"), &[], TEXT.into(), serde_json::json!({}))
        .unwrap();
    let (doc, record) = stored(&mut s);
    let mut log = Vec::new();
    for (start, end, label) in [(0, 13, "PER"), (22, 27, "LOC")] {
        log.push(add(&mut s, start, end, label).unwrap().entry.unwrap());
    }
    let json = serde_json::to_string(&log).unwrap();
    let old = format!(
        "{},{{\"op\":\"undo\"}}]",
        json.trim_end_matches(']')
            .replace(r#","tab":"","base":1"#, "")
    );
    assert!(!old.contains("tab"), "{old}");
    let log: Vec<LogEntry> = serde_json::from_str(&old).unwrap();
    let mut t = tab("T");
    let opened = t.open_stored(doc, Some(record), &logged(log), &[]).unwrap();
    assert!(opened.snapshot);
    assert_eq!(
        user_spans(&t),
        [(0, 13, "PER".to_string())],
        "the bare undo took back the last edit"
    );
    assert!(t.apply(Action::Redo).unwrap().changed, "and T may redo it");
    assert!(t.apply(Action::Undo).unwrap().changed);
    assert!(t.apply(Action::Undo).unwrap().changed);
    assert!(user_spans(&t).is_empty());
}

/// A document another tab has worked on is not "untouched" here, though
/// nothing of it is this tab's to undo: its suggestions stay as that tab
/// left them.
#[test]
fn another_tabs_work_is_not_suggested_over() {
    let mut store = Storage::default();
    let mut b = tab("B");
    b.open_text(Some("d"), &[], TEXT.into(), serde_json::json!({}))
        .unwrap();
    store.snapshot(&mut b).unwrap();
    let out = b.apply(Action::RejectAll).unwrap();
    assert!(out.changed);
    store.log(&mut b, out);
    let mut a = tab("A");
    store.open(&mut a, &["A", "B"]);
    assert!(a.spans().is_empty());
    assert_eq!(a.resuggest_untouched().unwrap(), None);
    assert!(a.spans().is_empty(), "B's rejections stand");
}

#[test]
fn label_counts_kept_across_actions_match_a_recount() {
    // The counts the bar shows are carried from action to action by each
    // change; a few hundred seeded actions of every kind, each followed by
    // a comparison with the spans counted afresh.
    let text = "Ana Lima flew to Lisbon. Bo Chen met Ana Lima in Porto on Monday. \
                Galp Energia hired Bo Chen. Ana Lima left Lisbon for Madrid.";
    let (mut s, _) = session_with(text);
    let words: Vec<(usize, usize)> = text
        .char_indices()
        .filter(|&(i, c)| c.is_alphabetic() && (i == 0 || text.as_bytes()[i - 1] == b' '))
        .map(|(i, _)| (i, i + text[i..].find([' ', '.']).unwrap()))
        .collect();
    let labels = ["PER", "ORG", "LOC", "NEW"];
    let mut seed = 7u64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for step in 0..400 {
        let (start, end) = words[next(words.len())];
        let end = if next(3) == 0 {
            words[next(words.len())].1.max(end)
        } else {
            end
        };
        let label = labels[next(labels.len())].to_string();
        let action = match next(11) {
            0..=2 => Action::Add { start, end, label },
            3 => Action::Remove { start, end },
            4 => Action::Relabel { start, end, label },
            5 => Action::Accept { start, end },
            6 => Action::Reject { start, end },
            7 => Action::Undo,
            8 => Action::Redo,
            9 => [Action::AcceptAll, Action::RejectAll, Action::ToggleDone][next(3)].clone(),
            _ => Action::LabelEvery { start, end },
        };
        let _ = s.apply(action.clone()); // refusals included
        let mut want = BTreeMap::<String, u64>::new();
        for x in s.spans() {
            *want.entry(x.label.clone()).or_default() += 1;
        }
        assert_eq!(s.label_counts(), want, "after step {step}: {action:?}");
    }
}

#[test]
fn a_relabel_names_the_new_label() {
    let (mut s, _) = session_with("Ana Lima flew to Lisbon.");
    add(&mut s, 17, 23, "PER").unwrap();
    let out = s
        .apply(Action::Relabel {
            start: 17,
            end: 23,
            label: "LOC".into(),
        })
        .unwrap();
    assert_eq!(out.status, "relabeled as LOC “Lisbon”");
    assert_eq!(out.place, Some(17));
}

#[test]
fn a_document_is_renamed_open_or_not_and_a_bad_name_is_refused() {
    let mut s = Session::new();
    s.open_text(
        None,
        &[],
        "Ana Lima flew to Lisbon.".into(),
        serde_json::json!({}),
    )
    .unwrap();
    let open = Document::new(s.head().unwrap().id, "Ana Lima flew to Lisbon.");
    let stored = s.rename(open, "  Flight log ").unwrap();
    assert_eq!(stored.name(), "Flight log");
    assert_eq!(
        s.head().unwrap().meta["name"],
        "Flight log",
        "the open document follows"
    );
    let other = s.rename(Document::new("other", "Bo."), "Bo").unwrap();
    assert_eq!(other.name(), "Bo");
    assert_eq!(s.head().unwrap().meta["name"], "Flight log");
    let e = s.rename(Document::new("other", "Bo."), "").unwrap_err();
    assert!(e.0.contains("empty"), "{e}");
    assert!(s.rename(Document::new("x", "x"), &"n".repeat(121)).is_err());
}

/// The model suggestion of `text`'s first span labelled `label`, if any.
fn suggested(s: &Session, label: &str) -> Option<(usize, usize)> {
    s.spans()
        .iter()
        .find(|x| x.label == label && x.source == Source::Model)
        .map(|x| (x.start, x.end))
}

#[test]
fn a_suggestion_says_which_model_made_it_and_a_newer_model_says_what_it_renewed() {
    let seen = "Her iPhone fell into the lake.";
    let (mut s, _) = session_with(seen);
    s.add_label("GADGET").unwrap();
    let (doc, record) = stored(&mut s);
    assert_eq!(record.suggested_by, Some(0), "made by the shipped model");
    assert_eq!(s.suggesters().model, "the shipped model");
    let (shipped, _) = session_with(TEXT);
    let (a, b) = suggested(&shipped, "PER").unwrap();
    let said = shipped.describe_span(a, b);
    assert!(
        said.starts_with("PER “") && said.contains("”: suggestion by the shipped model, a accept"),
        "{said}"
    );
    // The person teaches GADGET on another document and marks it done.
    s.open_text(
        Some("taught"),
        std::slice::from_ref(&doc.id),
        "I love my new iPhone, said Ana Lima.".into(),
        serde_json::json!({}),
    )
    .unwrap();
    add(&mut s, 14, 20, "GADGET").unwrap();
    assert_eq!(s.learn_from_document().unwrap(), 1);
    // The untouched document, opened again, is suggested anew, and says so.
    let opened = s.open_stored(doc, Some(record), &[], &[]).unwrap();
    let renewed = opened.renewed.expect("the newer model changed something");
    assert!(
        renewed.starts_with("suggestions renewed by the model learned from 1 document: "),
        "{renewed}"
    );
    assert!(
        renewed.ends_with(" changed") && !renewed.contains(": 0 "),
        "{renewed}"
    );
    assert!(opened.snapshot);
    let (a, b) = suggested(&s, "GADGET").expect("iPhone suggested as GADGET");
    assert_eq!(
        s.describe_span(a, b),
        "GADGET “iPhone”: suggestion by the model learned from 1 document, \
         a accept, x reject, or a label key"
    );
    let (doc, record) = stored(&mut s);
    assert_eq!(record.suggested_by, Some(1), "stored with the record");
    // Opened again by the same model: nothing renewed, nothing said.
    let again = s.open_stored(doc, Some(record), &[], &[]).unwrap();
    assert_eq!(again.renewed, None);
}

#[test]
fn a_record_from_before_models_were_noted_opens_and_says_it_does_not_know() {
    let (mut s, _) = session_with(TEXT);
    let (doc, record) = stored(&mut s);
    let old = Record::from_objects(
        record.doc_id.clone(),
        &record.spans().unwrap(),
        record.history.clone(),
        None,
        None,
    );
    assert_eq!(old.suggested_by, None);
    s.open_stored(doc, Some(old), &[], &[]).unwrap();
    assert_eq!(
        s.suggesters().model,
        "an earlier model (not recorded which)"
    );
    let (a, b) = suggested(&s, "PER").unwrap();
    assert!(s
        .describe_span(a, b)
        .contains(": suggestion by an earlier model (not recorded which),"));
    assert_eq!(s.record().unwrap().suggested_by, None, "not made up");
    add(&mut s, a, b, "PER").unwrap();
    assert!(s
        .describe_span(a, b)
        .ends_with(": yours, a label key relabels it"));
}

/// Issue 12: one person's two devices merge by the time of each edit, so
/// every step carries the time the page gave when it was made (or undone).
#[test]
fn edits_carry_the_pages_time_and_reopen_with_it() {
    let (mut s, _) = session_with(TEXT);
    let (doc, record) = stored(&mut s);
    s.set_clock(1_000);
    let mut log = vec![add(&mut s, 0, 13, "PER").unwrap().entry.unwrap()];
    s.set_clock(2_000);
    log.push(add(&mut s, 22, 27, "LOC").unwrap().entry.unwrap());
    s.set_clock(3_000);
    log.push(s.apply(Action::Undo).unwrap().entry.unwrap());
    assert!(matches!(log[0], LogEntry::Commit { at: 1_000, .. }));
    assert!(matches!(log[2], LogEntry::Undo { at: 3_000, .. }));
    let h = s.record().unwrap().history;
    assert_eq!(h.done.iter().map(|st| st.at).collect::<Vec<_>>(), [1_000]);
    assert_eq!(h.undone[0].at, 3_000, "stamped when undone");
    let mut t = Session::new();
    t.open_stored(doc, Some(record), &logged(log), &[]).unwrap();
    assert_eq!(t.record().unwrap().history, h, "the log replays the times");
    let json = s.record().unwrap().history_json();
    assert!(json.contains(r#""at":1000"#), "{json}");
}

fn act(s: &mut Session, json: serde_json::Value) -> Result<Outcome> {
    s.apply(serde_json::from_value(json).unwrap())
}

fn id_at(s: &Session, start: usize, end: usize) -> String {
    let span = s.spans().iter().find(|x| (x.start, x.end) == (start, end));
    span.and_then(|x| x.id.clone()).unwrap()
}

#[test]
fn relations_doc_labels_and_notes_are_logged_undone_and_replayed() {
    let (mut s, _) = session_with("Ana Lima works for Acme.");
    add(&mut s, 0, 8, "PER").unwrap();
    add(&mut s, 19, 23, "ORG").unwrap();
    let (ana, acme) = (id_at(&s, 0, 8), id_at(&s, 19, 23));
    let (doc, record) = stored(&mut s);
    let mut log = Vec::new();
    let out = act(
        &mut s,
        serde_json::json!({"op": "addRelation", "from": ana, "to": acme, "label": "works_for"}),
    )
    .unwrap();
    assert!(out.changed);
    assert_eq!(
        s.labels().relations.get("works_for").unwrap().name,
        "works_for"
    );
    log.extend(out.entry);
    let out = act(
        &mut s,
        serde_json::json!({"op": "setDocLabels", "labels": ["business"]}),
    )
    .unwrap();
    log.extend(out.entry);
    let out = act(
        &mut s,
        serde_json::json!({"op": "setNote", "span": ana, "text": "Lina?"}),
    )
    .unwrap();
    log.extend(out.entry);
    let out = act(
        &mut s,
        serde_json::json!({"op": "setNote", "text": "from the 3 May issue"}),
    )
    .unwrap();
    log.extend(out.entry);
    let e = act(
        &mut s,
        serde_json::json!({"op": "setDocLabels", "labels": ["a", "b"]}),
    )
    .unwrap_err();
    assert!(e.0.contains("single choice"), "{e}");
    // Removing a span takes its relation with it, in one step.
    let out = s.apply(Action::Remove { start: 19, end: 23 }).unwrap();
    log.extend(out.entry);
    let open = |s: &Session| s.open.as_ref().unwrap().editor.doc.clone();
    assert!(open(&s).relations.is_empty());
    s.apply(Action::Undo).unwrap();
    assert_eq!(open(&s).relations.len(), 1);
    s.apply(Action::Redo).unwrap();
    // Another tab (or a reload) replays the log on the stored snapshot.
    let mut other = Session::new();
    other
        .open_stored(doc, Some(record), &logged(log), &[])
        .unwrap();
    let (a, b) = (open(&other), open(&s));
    assert_eq!(
        (&a.relations, &a.doc_labels, &a.note, &a.spans),
        (&b.relations, &b.doc_labels, &b.note, &b.spans)
    );
    assert_eq!(a.spans[0].note.as_deref(), Some("Lina?"));
    assert_eq!(a.note.as_deref(), Some("from the 3 May issue"));
    // A snapshot holds them all: a reload of it alone gives them back.
    s.apply(Action::Undo).unwrap();
    let (doc, record) = stored(&mut s);
    let mut third = Session::new();
    third.open_stored(doc, Some(record), &[], &[]).unwrap();
    let (c, b) = (open(&third), open(&s));
    assert_eq!(c.relations.len(), 1);
    assert_eq!(
        (&c.relations, &c.doc_labels, &c.note, &c.spans),
        (&b.relations, &b.doc_labels, &b.note, &b.spans)
    );
    let ids = |d: &Document| d.spans.iter().map(|x| x.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&c), ids(&b), "span ids always stored");
}

#[test]
fn a_stricter_overlap_setting_is_refused_while_the_document_breaks_it() {
    let (mut s, _) = session_with("Bank of China said so.");
    act(
        &mut s,
        serde_json::json!({"op": "setOverlap", "mode": "nested"}),
    )
    .unwrap();
    assert_eq!(s.overlap(), Overlap::Nest);
    add(&mut s, 0, 13, "ORG").unwrap();
    add(&mut s, 8, 13, "LOC").unwrap();
    assert_eq!(user_spans(&s).len(), 2, "nested");
    let e = act(
        &mut s,
        serde_json::json!({"op": "setOverlap", "mode": "none"}),
    )
    .unwrap_err();
    assert!(
        e.0.contains("T") && e.0.contains("0..13 ORG") && e.0.contains("8..13 LOC"),
        "{e}"
    );
    assert_eq!(s.overlap(), Overlap::Nest, "unchanged");
    assert!(act(
        &mut s,
        serde_json::json!({"op": "setOverlap", "mode": "many"})
    )
    .is_err());
    act(
        &mut s,
        serde_json::json!({"op": "setOverlap", "mode": "any"}),
    )
    .unwrap();
    assert_eq!(s.overlap(), Overlap::Allow);
}

#[test]
fn a_span_id_only_the_history_holds_is_not_given_again_after_reopening() {
    let (mut s, _) = session_with("Ana Lima works for Acme in Oslo.");
    add(&mut s, 0, 8, "PER").unwrap();
    add(&mut s, 19, 23, "ORG").unwrap();
    let removed = id_at(&s, 19, 23);
    s.apply(Action::RejectAll).unwrap();
    s.apply(Action::Remove { start: 19, end: 23 }).unwrap();
    assert_eq!(
        s.spans().len(),
        1,
        "only Ana Lima is left: every other id is in the history only"
    );
    let (doc, record) = stored(&mut s);
    let mut t = Session::new();
    t.open_stored(doc, Some(record), &[], &[]).unwrap();
    add(&mut t, 27, 31, "LOC").unwrap();
    let oslo = id_at(&t, 27, 31);
    assert_ne!(oslo, removed, "the removed span's id is its own still");
    // Undone twice, the removed span is back with its id; redone, the new
    // one is back with its own.
    t.apply(Action::Undo).unwrap();
    t.apply(Action::Undo).unwrap();
    assert_eq!(id_at(&t, 19, 23), removed);
    t.apply(Action::Redo).unwrap();
    t.apply(Action::Redo).unwrap();
    assert_eq!(id_at(&t, 27, 31), oslo);
}

#[test]
fn an_action_that_changes_the_projects_structure_says_so_and_a_new_session_takes_it_back() {
    let (mut s, _) = session_with("Ana Lima works for Acme.");
    add(&mut s, 0, 8, "PER").unwrap();
    add(&mut s, 19, 23, "ORG").unwrap();
    let (ana, acme) = (id_at(&s, 0, 8), id_at(&s, 19, 23));
    let out = act(
        &mut s,
        serde_json::json!({"op": "addRelation", "from": ana, "to": acme, "label": "works_for"}),
    )
    .unwrap();
    assert_eq!(out.status, "works_for: “Ana Lima” → “Acme”");
    let structure = out.structure.expect("a new relation label");
    // Undo and redo say what they did to it.
    let undone = s.apply(Action::Undo).unwrap();
    assert!(
        undone.status.contains("relation works_for gone"),
        "{}",
        undone.status
    );
    let redone = s.apply(Action::Redo).unwrap();
    assert!(
        redone.status.contains("relation works_for back"),
        "{}",
        redone.status
    );
    assert_eq!(structure.relations.0[0].name, "works_for");
    // The same label again changes nothing of the project's.
    let out = act(
        &mut s,
        serde_json::json!({"op": "addRelation", "from": acme, "to": ana, "label": "works_for"}),
    )
    .unwrap();
    assert!(out.changed && out.structure.is_none());
    // A refused action leaves no label behind.
    let e = act(
        &mut s,
        serde_json::json!({"op": "addRelation", "from": ana, "to": "T99", "label": "knows"}),
    )
    .unwrap_err();
    assert!(e.0.contains("T99"), "{e}");
    assert!(s.structure().relations.get("knows").is_none());
    let out = act(
        &mut s,
        serde_json::json!({"op": "setOverlap", "mode": "nested"}),
    )
    .unwrap();
    assert_eq!(out.structure.unwrap().overlap, Overlap::Nest);
    // The span labels set again (a team's labels arrive) keep the rest.
    s.set_labels(s.labels().iter().cloned().collect());
    assert_eq!(s.structure(), structure_with_nest(&structure));
    let stored = serde_json::to_value(s.structure()).unwrap();
    assert_eq!(stored["overlap"], "nested");
    let mut t = Session::new();
    t.set_structure(serde_json::from_value(stored).unwrap());
    assert_eq!(t.structure(), s.structure());
}

fn structure_with_nest(s: &super::Structure) -> super::Structure {
    super::Structure {
        overlap: Overlap::Nest,
        ..s.clone()
    }
}

#[test]
fn a_file_with_nested_spans_loosens_the_projects_overlap_setting_and_says_so() {
    let file = concat!(
        "{\"text\":\"The Bank of China said so.\",\"spans\":[",
        "{\"start\":4,\"end\":17,\"label\":\"ORG\"},{\"start\":12,\"end\":17,\"label\":\"LOC\"}]}\n"
    );
    let now = super::Structure::default();
    let got =
        project::import_file("n.jsonl", file.as_bytes(), &[], LabelSet::default(), &now).unwrap();
    assert_eq!(got.structure.overlap, Overlap::Nest);
    assert!(
        got.warnings.iter().any(|w| w.contains("nest")),
        "{:?}",
        got.warnings
    );
    assert_eq!(got.records[0].spans().unwrap().len(), 2, "both kept");
    // A project that already allows any overlap stays so, and says nothing.
    let any = super::Structure {
        overlap: Overlap::Allow,
        ..Default::default()
    };
    let got =
        project::import_file("n.jsonl", file.as_bytes(), &[], LabelSet::default(), &any).unwrap();
    assert_eq!(got.structure.overlap, Overlap::Allow);
    assert!(got.warnings.is_empty(), "{:?}", got.warnings);
}

#[test]
fn document_labels_become_multiple_choice_and_back_only_when_the_document_allows() {
    let (mut s, _) = session_with("Markets fell in Oslo.");
    let out = act(
        &mut s,
        serde_json::json!({"op": "setDocLabelChoice", "multi": true}),
    )
    .unwrap();
    assert!(out.structure.unwrap().doc_labels.multi);
    act(
        &mut s,
        serde_json::json!({"op": "setDocLabels", "labels": ["finance", "europe"]}),
    )
    .unwrap();
    let e = act(
        &mut s,
        serde_json::json!({"op": "setDocLabelChoice", "multi": false}),
    )
    .unwrap_err();
    assert!(e.0.contains("2 document labels"), "{e}");
    assert!(s.structure().doc_labels.multi, "unchanged");
}

#[test]
fn the_relations_key_changes_with_the_relations_and_only_then() {
    let (mut s, _) = session_with("Ana Lima works for Acme.");
    add(&mut s, 0, 8, "PER").unwrap();
    add(&mut s, 19, 23, "ORG").unwrap();
    let before = s.relations_key();
    let (ana, acme) = (id_at(&s, 0, 8), id_at(&s, 19, 23));
    act(
        &mut s,
        serde_json::json!({"op": "addRelation", "from": ana, "to": acme, "label": "works_for"}),
    )
    .unwrap();
    let linked = s.relations_key();
    assert_ne!(linked, before);
    act(&mut s, serde_json::json!({"op": "setNote", "text": "x"})).unwrap();
    assert_eq!(s.relations_key(), linked, "a note is not a relation");
    s.apply(Action::Remove { start: 19, end: 23 }).unwrap();
    assert_eq!(s.relations_key(), before, "the span took its relation");
    s.apply(Action::Undo).unwrap();
    assert_eq!(s.relations_key(), linked);
}

#[test]
fn a_project_wide_rename_reaches_edits_logged_after_a_documents_last_snapshot() {
    // One tab stores a document, then logs an edit to it (no snapshot yet).
    let (mut a, _) = session_with(TEXT);
    let (doc, record) = stored(&mut a);
    let out = add(&mut a, 22, 27, "GPE").unwrap();
    let log = logged(vec![out.entry.unwrap()]);
    assert!(
        project::relabel(&record, "GPE", Some("CITY"))
            .unwrap()
            .is_none(),
        "the record alone does not hold the logged span"
    );
    // Another tab, with another document open, renames GPE project-wide.
    let (b, _) = session_with("Another text.");
    let folded = b.fold_log(doc.clone(), record.clone(), &log).unwrap();
    let expect = Some(record::Expect {
        rev: record.rev,
        seqs: vec![1],
    });
    assert_eq!(
        folded.expect, expect,
        "written only over what it folded, dropping the entry"
    );
    let (renamed, n) = project::relabel(&folded, "GPE", Some("CITY"))
        .unwrap()
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!((renamed.rev, &renamed.expect), (record.rev + 1, &expect));
    // Reopened from what is then stored: the logged span is a CITY.
    let mut c = Session::new();
    c.open_stored(doc.clone(), Some(renamed), &[], &[]).unwrap();
    assert_eq!(user_spans(&c), [(22, 27, "CITY".to_string())]);
    // Nothing logged: the record as it is.
    assert_eq!(b.fold_log(doc, record.clone(), &[]).unwrap(), record);
}
