//! The flat tables the page reads, encoded (and, for the workers' tables,
//! decoded) in one place. Large results cross into JavaScript as typed
//! arrays of numbers rather than objects (objects cost several times the
//! work); each table here says what its rows hold.

use crate::doc::Span;
use crate::labels::LabelSet;
use crate::snapshot::{source_code, source_of};
use crate::text::{OffsetMap, OffsetUnit};

/// Numbers per row of [`spans`].
pub const SPAN_ROW: usize = 8;
/// Numbers per row of [`suggestions`].
pub const SUGGESTION_ROW: usize = 5;

/// [`spans`]' flags: the span has a note.
pub const HAS_NOTE: u32 = 1;

/// Spans for drawing, eight numbers each: start and end in code points,
/// start and end in UTF-16 units, the label's index in `labels` (`u32::MAX`
/// if it has none), source (0 user, 1 model, 2 rule), the number `n` of its
/// id `T<n>` (0: no such id; the page's imports renumber others, see
/// [`crate::doc::Document::renumber_foreign_ids`]) and flags ([`HAS_NOTE`]).
pub fn spans<'a>(
    rows: impl Iterator<Item = &'a Span>,
    map: &OffsetMap,
    labels: &LabelSet,
) -> Vec<u32> {
    let mut out = Vec::new();
    for s in rows {
        let label = labels.index_of(&s.label).map_or(u32::MAX, |i| i as u32);
        let id =
            s.id.as_deref()
                .and_then(|id| crate::relations::number('T', id))
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(0);
        out.extend_from_slice(&[
            s.start as u32,
            s.end as u32,
            map.char_to_utf16(s.start).unwrap_or(0) as u32,
            map.char_to_utf16(s.end).unwrap_or(0) as u32,
            label,
            source_code(s.source),
            id,
            if s.note.is_some() { HAS_NOTE } else { 0 },
        ]);
    }
    out
}

/// Search matches (byte ranges of the text), four numbers each: start and
/// end in code points, then in UTF-16 units.
pub fn matches(found: &[(usize, usize)], map: &OffsetMap) -> Vec<u32> {
    let mut out = Vec::with_capacity(found.len() * 4);
    for &(a, b) in found {
        let (Some(ca), Some(cb)) = (map.byte_to_char(a), map.byte_to_char(b)) else {
            continue;
        };
        out.extend_from_slice(&[
            ca as u32,
            cb as u32,
            map.char_to_utf16(ca).unwrap_or(0) as u32,
            map.char_to_utf16(cb).unwrap_or(0) as u32,
        ]);
    }
    out
}

/// Suggestions as a worker sends them, five numbers each: start and end in
/// code points, label code (an index into `labels`), source (1 model, 2
/// rule) and score in thousandths. Suggestions of a label not in `labels`
/// are left out.
pub fn suggestions(spans: &[Span], labels: &[String]) -> Vec<u32> {
    let mut out = Vec::with_capacity(spans.len() * SUGGESTION_ROW);
    for s in spans {
        let Some(code) = labels.iter().position(|l| *l == s.label) else {
            continue;
        };
        out.extend_from_slice(&[
            s.start as u32,
            s.end as u32,
            code as u32,
            source_code(s.source),
            (s.score.unwrap_or(0.0).clamp(0.0, 1.0) * 1000.0).round() as u32,
        ]);
    }
    out
}

/// The suggestions of a [`suggestions`] table. Rows that name no label or
/// no suggestion source are left out (a table is the workers' own, but a
/// stray row must never become a person's span).
pub fn decode_suggestions(table: &[u32], labels: &[String]) -> Vec<Span> {
    table
        .chunks_exact(SUGGESTION_ROW)
        .filter_map(|r| {
            let source = source_of(r[3]).filter(|s| s.is_suggestion())?;
            Some(Span {
                start: r[0] as usize,
                end: r[1] as usize,
                label: labels.get(r[2] as usize)?.clone(),
                source,
                score: Some(f64::from(r[4]) / 1000.0),
                id: None,
                note: None,
                attrs: Default::default(),
            })
        })
        .collect()
}

/// Where a long text is cut for pre-annotation in parts (see
/// [`crate::layout::pieces`]): pairs of the UTF-16 and code point offsets
/// of each piece's start, the text's end last.
pub fn pieces(text: &str, target: usize) -> Vec<u32> {
    let map = OffsetMap::new(text);
    let mut out = vec![0, 0];
    for cut in crate::layout::pieces(text, target) {
        out.push(map.byte_to_utf16(cut).unwrap_or(0) as u32);
        out.push(map.byte_to_char(cut).unwrap_or(0) as u32);
    }
    out.push(map.len(OffsetUnit::Utf16) as u32);
    out.push(map.len(OffsetUnit::Codepoint) as u32);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Source;

    #[test]
    fn span_rows_give_both_units_the_label_index_id_and_note() {
        let text = "😀 Ana in Lisbon";
        let map = OffsetMap::new(text);
        let labels = LabelSet::default();
        let mut ana = Span::new(2, 5, "PER");
        ana.id = Some("T12".into());
        ana.note = Some("which Ana?".into());
        let rows = [ana, Span::new(9, 15, "NEWLABEL").with_source(Source::Rule)];
        let t = spans(rows.iter(), &map, &labels);
        assert_eq!(
            t,
            [
                2,
                5,
                3,
                6,
                0,
                0,
                12,
                HAS_NOTE,
                9,
                15,
                10,
                16,
                u32::MAX,
                2,
                0,
                0
            ]
        );
    }

    #[test]
    fn suggestions_round_trip_through_their_table() {
        let labels = vec!["PER".to_string(), "LOC".to_string()];
        let mut a = Span::new(0, 3, "PER").with_source(Source::Model);
        a.score = Some(0.875);
        let mut b = Span::new(5, 9, "LOC").with_source(Source::Rule);
        b.score = Some(1.0);
        let mut other = Span::new(10, 12, "ORG").with_source(Source::Model);
        other.score = Some(0.5);
        let table = suggestions(&[a.clone(), b.clone(), other], &labels);
        assert_eq!(
            table.len(),
            2 * SUGGESTION_ROW,
            "a label outside the list is left out"
        );
        assert_eq!(decode_suggestions(&table, &labels), [a, b]);
        // A row claiming to be a person's span, or naming no label, is dropped.
        assert!(decode_suggestions(&[0, 3, 0, 0, 500], &labels).is_empty());
        assert!(decode_suggestions(&[0, 3, 7, 1, 500], &labels).is_empty());
    }

    #[test]
    fn pieces_start_after_a_break_in_both_units() {
        let text = "Zoë 😀 met Ana.\nShe left.\nBye.\n".repeat(3);
        let t = pieces(&text, 8);
        let starts: Vec<(usize, usize)> = t
            .chunks(2)
            .map(|p| (p[0] as usize, p[1] as usize))
            .collect();
        assert_eq!(starts[0], (0, 0));
        assert_eq!(
            *starts.last().unwrap(),
            (text.encode_utf16().count(), text.chars().count())
        );
        assert!(starts.len() > 4, "{starts:?}");
        let chars: Vec<char> = text.chars().collect();
        for &(u, c) in &starts[1..starts.len() - 1] {
            let before: String = chars[..c].iter().collect();
            assert_eq!(before.encode_utf16().count(), u, "units agree");
            assert!(
                matches!(chars[c - 1], '\n' | ' '),
                "cut after a break at {c}"
            );
        }
    }
}
