//! Review across a project: where "next unchecked suggestion" (`u`) goes
//! from the current place, into the next document to do when this one has
//! no more; where marking a document done goes next; and what the status
//! line says about selections and openings. The page passes the list of
//! documents as it shows them (its order, their status) and carries out the
//! answer.

use super::{action::quote, Session};
use crate::doc::{Source, Status};
use serde::{Deserialize, Serialize};

/// A document of the project as the page lists it.
#[derive(Clone, Debug, Deserialize)]
pub struct Listed {
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub status: Status,
}

/// Where review goes: a span to select in the open document, or a document
/// to open first (then its first unchecked suggestion, or its last going
/// backwards, is selected), and what the status line says.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Step {
    pub select: Option<[usize; 2]>,
    pub open: Option<String>,
    pub status: String,
}

/// The next document to do after `current` in the list's order (before it,
/// `backwards`), round to the other end, never `current` itself.
pub fn next_to_do<'a>(docs: &'a [Listed], current: &str, backwards: bool) -> Option<&'a Listed> {
    let at = docs.iter().position(|d| d.id == current);
    let n = docs.len();
    (1..=n)
        .map(|k| match (at, backwards) {
            (Some(i), false) => (i + k) % n,
            (Some(i), true) => (i + n - k % n) % n,
            (None, false) => k - 1,
            (None, true) => n - k,
        })
        .map(|i| &docs[i])
        .find(|d| d.status == Status::Todo && d.id != current)
}

fn to_do_left(docs: &[Listed]) -> usize {
    docs.iter().filter(|d| d.status == Status::Todo).count()
}

/// After the open document `current` was marked done (`docs` already says
/// so): the next document to do, and the status line.
pub fn after_done(docs: &[Listed], current: &str) -> Step {
    match next_to_do(docs, current, false) {
        Some(d) => {
            let left = to_do_left(docs);
            Step {
                select: None,
                open: Some(d.id.clone()),
                status: format!("marked done; opened “{}” ({left} to do left)", d.name),
            }
        }
        None => Step {
            status: "marked done: all documents done".into(),
            ..Step::default()
        },
    }
}

/// What the status line says once a document is opened by moving through
/// the list: its name and its place in the list.
pub fn opened(docs: &[Listed], id: &str) -> String {
    let name = docs
        .iter()
        .find(|d| d.id == id)
        .map_or(id, |d| d.name.as_str());
    match docs.iter().position(|d| d.id == id) {
        Some(i) => format!("opened “{name}” ({} of {})", i + 1, docs.len()),
        None => format!("opened “{name}”"),
    }
}

impl Session {
    /// The suggestion after code point `from` (before it, `backwards`;
    /// `None`: from the document's start, or its end).
    pub fn next_unchecked(&self, from: Option<usize>, backwards: bool) -> Option<[usize; 2]> {
        let spans = self.spans();
        let found = match (from, backwards) {
            (None, false) => spans.iter().find(|s| s.source.is_suggestion()),
            (None, true) => spans.iter().rev().find(|s| s.source.is_suggestion()),
            (Some(c), false) => spans[spans.partition_point(|s| s.start <= c)..]
                .iter()
                .find(|s| s.source.is_suggestion()),
            (Some(c), true) => spans[..spans.partition_point(|s| s.start < c)]
                .iter()
                .rev()
                .find(|s| s.source.is_suggestion()),
        };
        found.map(|s| [s.start, s.end])
    }

    /// One step of review from code point `from` of the open document
    /// (`docs`: the project's list, the open one among them): its next
    /// unchecked suggestion; past its last, the next document to do; with
    /// none, round to this document's first.
    pub fn review_step(&self, from: Option<usize>, backwards: bool, docs: &[Listed]) -> Step {
        if let Some(select) = self.next_unchecked(from, backwards) {
            return Step {
                select: Some(select),
                status: self.describe_span(select[0], select[1]),
                ..Step::default()
            };
        }
        let current = self.open.as_ref().map(|o| o.editor.doc.id.as_str());
        if let Some(d) = next_to_do(docs, current.unwrap_or(""), backwards) {
            return Step {
                open: Some(d.id.clone()),
                status: format!(
                    "no more suggestions to check here; opened “{}” ({} to do)",
                    d.name,
                    to_do_left(docs)
                ),
                ..Step::default()
            };
        }
        match self.next_unchecked(None, backwards) {
            Some(select) => Step {
                select: Some(select),
                status: format!(
                    "back to the {} unchecked suggestion: {}",
                    if backwards { "last" } else { "first" },
                    self.describe_span(select[0], select[1])
                ),
                ..Step::default()
            },
            None => Step {
                status: "no unchecked suggestions here, and no other document to do".into(),
                ..Step::default()
            },
        }
    }

    /// A selection of text, in the status line's words.
    pub fn describe_selection(&self, start: usize, end: usize) -> String {
        let text = self.text().unwrap_or("");
        format!("selected {}: press a label key", quote(text, start, end))
    }

    /// A selected span, in the status line's words: its label, its text, and
    /// for a suggestion what made it ("by the model learned from 3
    /// documents") and what it asks for.
    pub fn describe_span(&self, start: usize, end: usize) -> String {
        let text = self.text().unwrap_or("");
        let Some(s) = self
            .spans()
            .iter()
            .find(|s| s.start == start && s.end == end)
        else {
            return format!("selected {}", quote(text, start, end));
        };
        let quoted = quote(text, start, end);
        let who = self.suggesters();
        let by = match s.source {
            Source::User => return format!("{} {quoted}: yours, a label key relabels it", s.label),
            Source::Model => who.model,
            Source::Rule => who.rule,
        };
        format!(
            "{} {quoted}: suggestion by {by}, a accept, x reject, or a label key",
            s.label
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn listed(docs: &[(&str, Status)]) -> Vec<Listed> {
        docs.iter()
            .map(|&(id, status)| Listed {
                id: id.into(),
                name: format!("name of {id}"),
                status,
            })
            .collect()
    }

    fn session(text: &str) -> Session {
        let mut s = Session::new();
        s.open_text(Some("here"), &[], text.into(), json!({}))
            .unwrap();
        s
    }

    const TEXT: &str = "Ana Lima met Bo Reyes in Lisbon on Monday.";

    fn suggestions(s: &Session) -> Vec<[usize; 2]> {
        s.spans()
            .iter()
            .filter(|x| x.source.is_suggestion())
            .map(|x| [x.start, x.end])
            .collect()
    }

    #[test]
    fn the_next_document_to_do_comes_after_the_current_one_and_wraps() {
        use Status::{Done, Todo};
        let docs = listed(&[("a", Todo), ("b", Done), ("c", Todo), ("d", Done)]);
        assert_eq!(next_to_do(&docs, "a", false).unwrap().id, "c");
        assert_eq!(next_to_do(&docs, "c", false).unwrap().id, "a", "wraps");
        assert_eq!(next_to_do(&docs, "c", true).unwrap().id, "a");
        assert_eq!(next_to_do(&docs, "a", true).unwrap().id, "c", "wraps back");
        assert_eq!(next_to_do(&docs, "b", false).unwrap().id, "c");
        assert_eq!(next_to_do(&docs, "gone", false).unwrap().id, "a");
        let last = listed(&[("a", Done), ("b", Todo)]);
        assert!(next_to_do(&last, "b", false).is_none(), "never itself");
    }

    #[test]
    fn marking_done_names_the_next_document_and_what_is_left() {
        use Status::{Done, Todo};
        let docs = listed(&[("a", Done), ("b", Todo), ("c", Done), ("d", Todo)]);
        let step = after_done(&docs, "a");
        assert_eq!(step.open.as_deref(), Some("b"));
        assert_eq!(
            step.status,
            "marked done; opened “name of b” (2 to do left)"
        );
        let all = listed(&[("a", Done), ("b", Done)]);
        let step = after_done(&all, "b");
        assert_eq!(step.open, None);
        assert_eq!(step.status, "marked done: all documents done");
    }

    #[test]
    fn opening_names_the_document_and_its_place() {
        let docs = listed(&[("a", Status::Todo), ("b", Status::Todo)]);
        assert_eq!(opened(&docs, "b"), "opened “name of b” (2 of 2)");
    }

    #[test]
    fn review_walks_suggestions_in_order_then_opens_the_next_document_to_do() {
        let s = session(TEXT);
        let all = suggestions(&s);
        assert!(all.len() >= 3, "{all:?}");
        let docs = listed(&[
            ("other", Status::Done),
            ("here", Status::Todo),
            ("next", Status::Todo),
        ]);
        // From the start, each step selects the next suggestion in order.
        let mut at = None;
        for want in &all {
            let step = s.review_step(at, false, &docs);
            assert_eq!(step.select.as_ref(), Some(want));
            assert_eq!(step.open, None);
            at = Some(want[0]);
        }
        let past = s.review_step(at, false, &docs);
        assert_eq!(past.select, None);
        assert_eq!(
            past.open.as_deref(),
            Some("next"),
            "the done one is skipped"
        );
        assert!(past.status.contains("name of next"), "{}", past.status);
        // Backwards from the last, the one before it.
        let back = s.review_step(Some(all[all.len() - 1][0]), true, &docs);
        assert_eq!(back.select, Some(all[all.len() - 2]));
    }

    #[test]
    fn review_skips_checked_spans_and_comes_round_when_nothing_else_is_to_do() {
        let mut s = session(TEXT);
        let all = suggestions(&s);
        s.apply(crate::session::Action::Accept {
            start: all[1][0],
            end: all[1][1],
        })
        .unwrap();
        let docs = listed(&[("here", Status::Todo)]);
        let step = s.review_step(Some(all[0][0]), false, &docs);
        assert_eq!(step.select, Some(all[2]), "the accepted one is passed by");
        let last = suggestions(&s).last().copied().unwrap();
        let round = s.review_step(Some(last[0]), false, &docs);
        assert_eq!(round.select, Some(all[0]));
        assert!(
            round.status.starts_with("back to the first"),
            "{}",
            round.status
        );
        s.apply(crate::session::Action::AcceptAll).unwrap();
        let none = s.review_step(None, false, &docs);
        assert_eq!(
            none,
            Step {
                status: "no unchecked suggestions here, and no other document to do".into(),
                ..Step::default()
            }
        );
    }

    #[test]
    fn selections_are_described_by_their_text() {
        let s = session(TEXT);
        assert_eq!(
            s.describe_selection(13, 21),
            "selected “Bo Reyes”: press a label key"
        );
        let [a, b] = suggestions(&s)[0];
        let said = s.describe_span(a, b);
        assert!(
            said.contains("“Ana Lima”") && said.contains("suggestion"),
            "{said}"
        );
        let long = "word ".repeat(30);
        let s = session(&long);
        assert_eq!(
            s.describe_selection(0, 149),
            format!("selected “{}…”: press a label key", &long[..40])
        );
    }
}
