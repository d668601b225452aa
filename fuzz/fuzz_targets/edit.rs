//! The editor under random edit sequences. Invariants after every step:
//! spans stay sorted, in range and non-empty; under `Overlap::Forbid` no two
//! spans overlap; under `Overlap::Allow` no two spans of one label overlap.
//! Undoing everything gives back the starting spans exactly, and redoing
//! the same number of steps gives back the final ones.
#![no_main]
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use spanmark::doc::{Document, Source, Span};
use spanmark::edit::{Editor, Overlap};

#[derive(Arbitrary, Debug)]
enum Op {
    Add(u8, u8, u8),
    Remove(u8, u8),
    Relabel(u8, u8, u8),
    Resize(u8, u8, u8, u8),
    Accept(u8, u8),
    Reject(u8, u8),
    AcceptAll,
    RejectAll,
    Undo,
    Redo,
}

#[derive(Arbitrary, Debug)]
struct Input {
    allow: bool,
    len: u8,
    suggestions: Vec<(u8, u8, u8, bool)>,
    ops: Vec<Op>,
}

const LABELS: [&str; 4] = ["PER", "ORG", "LOC", ""];

fn label(l: u8) -> &'static str {
    LABELS[l as usize % LABELS.len()]
}

fn check(ed: &Editor, n: usize) {
    let spans = ed.spans();
    for w in spans.windows(2) {
        assert!(
            Span::order(&w[0], &w[1]).is_le(),
            "spans not sorted: {spans:?}"
        );
    }
    for s in spans {
        assert!(
            s.start < s.end && s.end <= n,
            "bad span {s:?} in a text of {n}"
        );
        assert!(!s.label.is_empty());
    }
    for (i, a) in spans.iter().enumerate() {
        for b in &spans[i + 1..] {
            if a.overlaps(b.start, b.end) {
                assert!(
                    ed.overlap == Overlap::Allow,
                    "overlap under Forbid: {a:?} {b:?}"
                );
                assert!(
                    a.label != b.label,
                    "same-label overlap under Allow: {a:?} {b:?}"
                );
            }
        }
    }
}

fuzz_target!(|input: Input| {
    let n = (input.len % 64) as usize + 1;
    let text: String = "abcdé😀 fghij".chars().cycle().take(n).collect();
    let overlap = if input.allow {
        Overlap::Allow
    } else {
        Overlap::Forbid
    };
    let mut ed = Editor::new(Document::new("d", text), overlap);
    let suggestions = input
        .suggestions
        .iter()
        .take(16)
        .map(|&(s, e, l, rule)| {
            let src = if rule { Source::Rule } else { Source::Model };
            Span::new(s as usize % (n + 2), e as usize % (n + 2), label(l)).with_source(src)
        })
        .collect();
    ed.set_suggestions(suggestions);
    check(&ed, n);
    let start = ed.spans().to_vec();
    let p = |x: u8| x as usize % (n + 2);
    for op in input.ops.iter().take(64) {
        let _ = match *op {
            Op::Add(s, e, l) => ed.add(p(s), p(e), label(l)).map(|_| ()),
            Op::Remove(s, e) => ed.remove(p(s), p(e)).map(|_| ()),
            Op::Relabel(s, e, l) => ed.relabel(p(s), p(e), label(l)).map(|_| ()),
            Op::Resize(s, e, a, b) => ed.resize(p(s), p(e), p(a), p(b)).map(|_| ()),
            Op::Accept(s, e) => ed.accept(p(s), p(e)).map(|_| ()),
            Op::Reject(s, e) => ed.reject(p(s), p(e)).map(|_| ()),
            Op::AcceptAll => {
                ed.accept_all();
                Ok(())
            }
            Op::RejectAll => {
                ed.reject_all();
                Ok(())
            }
            Op::Undo => {
                ed.undo();
                Ok(())
            }
            Op::Redo => {
                ed.redo();
                Ok(())
            }
        };
        check(&ed, n);
    }
    let end = ed.spans().to_vec();
    let mut undone = 0;
    while ed.undo().is_some() {
        undone += 1;
        check(&ed, n);
    }
    assert_eq!(
        ed.spans(),
        &start[..],
        "undoing everything does not give back the start"
    );
    // Redoing as many steps as were undone gives back the end (the redo
    // stack may hold more: steps undone before the end and never redone).
    for _ in 0..undone {
        assert!(ed.redo().is_some(), "a step undone cannot be redone");
        check(&ed, n);
    }
    assert_eq!(
        ed.spans(),
        &end[..],
        "redoing what was undone does not give back the end"
    );
});
