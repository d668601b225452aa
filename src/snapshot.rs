//! A document's spans packed for storage: flat columns instead of one object
//! per span.
//!
//! The page keeps a snapshot of the open document's spans in IndexedDB. As
//! objects, the suggestions of a 10 MB text (nearly 300,000 spans) cost
//! hundreds of milliseconds on the main thread to build and as many again to
//! clone into storage; as a few typed arrays they are copied. Offsets stay
//! code points, as everywhere in the data model.

use crate::doc::{Source, Span};

/// Numbers per span in [`Packed::table`]: start, end, label index, source.
pub const ROW: usize = 4;

/// Spans as columns. `labels` names the label indices of the table (the
/// labels in use, in order of first use), so a snapshot means the same
/// whatever the label set becomes later.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Packed {
    pub table: Vec<u32>,
    /// One per span; NaN for a span without a score.
    pub scores: Vec<f64>,
    pub labels: Vec<String>,
    /// The spans that carry an id: (row, id).
    pub ids: Vec<(u32, String)>,
    /// The spans that carry a note: (row, note).
    pub notes: Vec<(u32, String)>,
    /// The spans that carry attributes (brat's): (row, attributes).
    pub attrs: Vec<(u32, std::collections::BTreeMap<String, String>)>,
}

/// How the span table (here and across the wasm boundary) codes a source.
pub fn source_code(s: Source) -> u32 {
    match s {
        Source::User => 0,
        Source::Model => 1,
        Source::Rule => 2,
    }
}

pub fn source_of(code: u32) -> Option<Source> {
    match code {
        0 => Some(Source::User),
        1 => Some(Source::Model),
        2 => Some(Source::Rule),
        _ => None,
    }
}

/// Packs spans, in their order.
pub fn pack(spans: &[Span]) -> Packed {
    let mut p = Packed {
        table: Vec::with_capacity(spans.len() * ROW),
        scores: Vec::with_capacity(spans.len()),
        ..Packed::default()
    };
    // Few labels: a linear search beats hashing every span's label.
    let mut last: Option<(usize, &str)> = None;
    for (row, s) in spans.iter().enumerate() {
        let label = match last {
            Some((i, l)) if l == s.label => i,
            _ => {
                let i = match p.labels.iter().position(|l| *l == s.label) {
                    Some(i) => i,
                    None => {
                        p.labels.push(s.label.clone());
                        p.labels.len() - 1
                    }
                };
                last = Some((i, &s.label));
                i
            }
        };
        p.table.extend_from_slice(&[
            s.start as u32,
            s.end as u32,
            label as u32,
            source_code(s.source),
        ]);
        p.scores.push(s.score.unwrap_or(f64::NAN));
        if let Some(id) = &s.id {
            p.ids.push((row as u32, id.clone()));
        }
        if let Some(note) = &s.note {
            p.notes.push((row as u32, note.clone()));
        }
        if !s.attrs.is_empty() {
            p.attrs.push((row as u32, s.attrs.clone()));
        }
    }
    p
}

/// The spans of a packed snapshot, or what is wrong with it (naming the
/// row). Offsets are not checked against a text here: that is
/// [`crate::doc::Document::validate`]'s job once they meet one.
pub fn unpack(p: &Packed) -> Result<Vec<Span>, String> {
    if !p.table.len().is_multiple_of(ROW) {
        return Err(format!(
            "the span table holds {} numbers, not a multiple of {ROW}",
            p.table.len()
        ));
    }
    let rows = p.table.len() / ROW;
    if p.scores.len() != rows {
        return Err(format!("{} scores for {rows} spans", p.scores.len()));
    }
    let mut spans = Vec::with_capacity(rows);
    for (row, r) in p.table.chunks_exact(ROW).enumerate() {
        let label = p
            .labels
            .get(r[2] as usize)
            .ok_or_else(|| format!("span {row}: label index {} of {}", r[2], p.labels.len()))?;
        let source = source_of(r[3]).ok_or_else(|| format!("span {row}: source code {}", r[3]))?;
        let score = p.scores[row];
        spans.push(Span {
            start: r[0] as usize,
            end: r[1] as usize,
            label: label.clone(),
            source,
            score: (!score.is_nan()).then_some(score),
            id: None,
            note: None,
            attrs: Default::default(),
        });
    }
    for (row, id) in &p.ids {
        let span = spans
            .get_mut(*row as usize)
            .ok_or_else(|| format!("an id for span {row} of {rows}"))?;
        span.id = Some(id.clone());
    }
    for (row, note) in &p.notes {
        let span = spans
            .get_mut(*row as usize)
            .ok_or_else(|| format!("a note for span {row} of {rows}"))?;
        span.note = Some(note.clone());
    }
    for (row, attrs) in &p.attrs {
        let span = spans
            .get_mut(*row as usize)
            .ok_or_else(|| format!("attributes for span {row} of {rows}"))?;
        span.attrs = attrs.clone();
    }
    Ok(spans)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn span(start: usize, end: usize, label: &str, source: Source) -> Span {
        Span {
            start,
            end,
            label: label.into(),
            source,
            score: None,
            id: None,
            note: None,
            attrs: Default::default(),
        }
    }

    #[test]
    fn round_trips_every_field() {
        let mut a = span(0, 5, "PER", Source::User);
        a.id = Some("T1".into());
        a.note = Some("Lina?".into());
        let mut b = span(6, 12, "ORG", Source::Model);
        b.score = Some(0.8125);
        let c = span(13, 20, "PER", Source::Rule);
        let spans = vec![a, b, c];
        let p = pack(&spans);
        assert_eq!(p.labels, ["PER", "ORG"]);
        assert_eq!(p.table.len(), 3 * ROW);
        let back = unpack(&p).unwrap();
        assert_eq!(back[0].id.as_deref(), Some("T1"));
        assert_eq!(back, spans);
    }

    #[test]
    fn refuses_a_damaged_snapshot_naming_the_span() {
        let p = pack(&[
            span(0, 5, "PER", Source::User),
            span(6, 9, "LOC", Source::User),
        ]);
        let mut bad = p.clone();
        bad.table[ROW + 2] = 7;
        assert_eq!(unpack(&bad).unwrap_err(), "span 1: label index 7 of 2");
        let mut bad = p.clone();
        bad.table[3] = 9;
        assert_eq!(unpack(&bad).unwrap_err(), "span 0: source code 9");
        let mut bad = p.clone();
        bad.table.pop();
        assert!(unpack(&bad).unwrap_err().contains("not a multiple of 4"));
        let mut bad = p.clone();
        bad.scores.pop();
        assert_eq!(unpack(&bad).unwrap_err(), "1 scores for 2 spans");
        let mut bad = p;
        bad.ids.push((2, "T9".into()));
        assert_eq!(unpack(&bad).unwrap_err(), "an id for span 2 of 2");
    }

    proptest! {
        #[test]
        fn any_spans_round_trip(rows in proptest::collection::vec(
            (0usize..1_000_000, 1usize..50, 0usize..4, 0u32..3, proptest::option::of(0.0f64..1.0), proptest::option::of("[A-Za-z0-9]{1,6}")),
            0..200,
        )) {
            let labels = ["PER", "ORG", "LOC", "Ünïcode label"];
            let spans: Vec<Span> = rows
                .into_iter()
                .map(|(start, len, l, s, score, id)| Span {
                    start,
                    end: start + len,
                    label: labels[l].into(),
                    source: source_of(s).unwrap(),
                    score,
                    id,
                    note: None,
                    attrs: Default::default(),
                })
                .collect();
            let back = unpack(&pack(&spans)).unwrap();
            let ids = |v: &[Span]| v.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
            prop_assert_eq!(ids(&back), ids(&spans));
            prop_assert_eq!(back, spans);
        }

        #[test]
        fn never_panics_on_any_snapshot(
            table in proptest::collection::vec(any::<u32>(), 0..40),
            scores in proptest::collection::vec(any::<f64>(), 0..12),
            ids in proptest::collection::vec((any::<u32>(), "[a-z]{0,3}"), 0..3),
        ) {
            let p = Packed { table, scores, labels: vec!["A".into(), "B".into()], ids, notes: Vec::new(), attrs: Vec::new() };
            let _ = unpack(&p);
        }
    }
}
