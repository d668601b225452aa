//! "Label every occurrence" and the inconsistency view.
//!
//! - [`label_every_occurrence`]: after a person labels a span, every other
//!   occurrence of exactly the same text on token edges in the document gets
//!   the same label as the person's, in ONE undoable change that replaces the
//!   suggestions it overlaps; places a person's span already covers are left
//!   alone. [`label_text`] does the same for another document of the project
//!   (where, as in brat's and INCEpTION's "annotate all", the new spans are
//!   the person's own: they asked for them, and one undo in that document
//!   takes them back).
//! - [`inconsistencies`]: strings the person labeled differently in different
//!   places of a project (different labels for the same text), and
//!   optionally strings labeled in one place but left unlabeled in another,
//!   with counts and every place. Only the person's spans count: suggestions
//!   are not decisions (a place left to a suggestion is counted as one, not
//!   as unlabeled). Each place carries its document's name and the words
//!   around it ([`context`]), for a list a person reads.

use crate::doc::{Document, Source, Span};
use crate::edit::{Change, EditError, Editor};
use crate::text::OffsetMap;
use crate::text_index::TextIndex;
use crate::tokenize::{self, Token};
use aho_corasick::{AhoCorasickBuilder, MatchKind};
use serde::Serialize;
use std::collections::HashMap;

/// Byte ranges of the occurrences of `surface` in `text` that begin and end
/// on token edges, left to right, without overlaps.
pub fn find_on_tokens(text: &str, tokens: &[Token], surface: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if surface.is_empty() {
        return out;
    }
    let mut pos = 0;
    while let Some(i) = text[pos..].find(surface) {
        let (a, b) = (pos + i, pos + i + surface.len());
        if tokenize::starting_at(tokens, a).is_some() && tokenize::ending_at(tokens, b).is_some() {
            out.push((a, b));
            pos = b;
        } else {
            // Not on token edges: a later occurrence may start inside this one.
            pos = a + text[a..].chars().next().map_or(1, char::len_utf8);
        }
        if pos >= text.len() {
            break;
        }
    }
    out
}

/// What labeling every occurrence did: the change (for the edit log) and how
/// many spans it added besides the one it started from.
#[derive(Clone, Debug, PartialEq)]
pub struct Labeled {
    pub change: Change,
    pub count: usize,
    /// The text that was looked for, and the label given.
    pub text: String,
    pub label: String,
}

/// The places (code points) where `surface` occurs on token edges in the
/// editor's document and no person's span is in the way (under
/// [`crate::edit::Overlap::Allow`], no person's span of the same label).
fn free_places(
    editor: &Editor,
    index: &TextIndex,
    surface: &str,
    label: &str,
) -> Vec<(usize, usize)> {
    let text = &editor.doc.text;
    let map = index.map();
    let people: Vec<&Span> = editor
        .spans()
        .iter()
        .filter(|s| s.source == Source::User)
        .collect();
    find_on_tokens(text, index.tokens(), surface)
        .into_iter()
        .filter_map(|(a, b)| Some((map.byte_to_char(a)?, map.byte_to_char(b)?)))
        .filter(|&(a, b)| {
            !people
                .iter()
                .any(|p| editor.overlap.clashes(p, a, b, label))
        })
        .collect()
}

/// Labels every other occurrence of the text of the span at `start..end`
/// (code points) with its label, as one undoable change. A suggestion at
/// `start..end` is accepted in the same change. The person's own spans are
/// never touched. `index` is the document's, all its tokens found.
pub fn label_every_occurrence(
    editor: &mut Editor,
    index: &TextIndex,
    start: usize,
    end: usize,
) -> Result<Labeled, EditError> {
    let span = editor
        .at(start, end)
        .min_by_key(|s| s.source.is_suggestion())
        .cloned()
        .ok_or(EditError::NoSpan { start, end })?;
    let surface = editor
        .doc
        .surface(index.map(), &span)
        .ok_or(EditError::NoSpan { start, end })?
        .to_string();
    let mut places: Vec<(usize, usize)> = free_places(editor, index, &surface, &span.label)
        .into_iter()
        .filter(|&(a, b)| !(a < end && start < b))
        .collect();
    let accept = span.source.is_suggestion();
    if accept {
        places.push((start, end));
        places.sort_unstable();
    }
    let change = editor.add_all(&places, &span.label)?;
    Ok(Labeled {
        count: change.added.len() - usize::from(accept && !change.added.is_empty()),
        change,
        text: surface,
        label: span.label,
    })
}

/// Labels every occurrence of `surface` in the editor's document (another
/// document of the project), as one undoable change; see the module
/// documentation.
pub fn label_text(editor: &mut Editor, surface: &str, label: &str) -> Result<Labeled, EditError> {
    let index = TextIndex::new(&editor.doc.text);
    let places = free_places(editor, &index, surface, label);
    let change = editor.add_all(&places, label)?;
    Ok(Labeled {
        count: change.added.len(),
        change,
        text: surface.to_string(),
        label: label.to_string(),
    })
}

/// One place of a string in a project: the document (its id and name),
/// code points, the person's label there (`None`: not labeled by the
/// person), the label of a suggestion over it when there is one and no
/// label of the person's, and the words before and after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Place {
    pub doc: String,
    pub name: String,
    pub start: usize,
    pub end: usize,
    pub label: Option<String>,
    pub suggestion: Option<String>,
    pub before: String,
    pub after: String,
}

/// Code points of context shown on each side of a place.
const CONTEXT: usize = 32;

/// The words around `start..end` (code points) of `text`: at most
/// [`CONTEXT`] characters each side, cut at a space when cut at all (marked
/// `…`), every run of white space (line breaks too) one space, so that a
/// place reads as one line.
pub fn context(text: &str, map: &OffsetMap, start: usize, end: usize) -> (String, String) {
    let (Some(a), Some(b)) = (map.char_to_byte(start), map.char_to_byte(end)) else {
        return (String::new(), String::new());
    };
    let squeeze = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let before_all = &text[..a];
    let from = before_all
        .char_indices()
        .rev()
        .nth(CONTEXT - 1)
        .map(|(i, _)| i);
    let before = match from {
        None => before_all.to_string(),
        Some(i) => {
            let piece = &before_all[i..];
            // Cut after the first space, so that no word is shown in part.
            let whole = before_all[..i].ends_with(char::is_whitespace);
            let piece = if whole {
                piece
            } else {
                piece
                    .split_once(char::is_whitespace)
                    .map_or(piece, |(_, r)| r)
            };
            format!("…{}", piece.trim_start())
        }
    };
    let after_all = &text[b..];
    let to = after_all.char_indices().nth(CONTEXT).map(|(i, _)| i);
    let after = match to {
        None => after_all.to_string(),
        Some(i) => {
            let piece = &after_all[..i];
            let whole = after_all[i..].starts_with(char::is_whitespace);
            let piece = if whole {
                piece
            } else {
                piece
                    .rsplit_once(char::is_whitespace)
                    .map_or(piece, |(l, _)| l)
            };
            format!("{}…", piece.trim_end())
        }
    };
    let lead = if before.ends_with(char::is_whitespace) {
        " "
    } else {
        ""
    };
    let trail = if after.starts_with(char::is_whitespace) {
        " "
    } else {
        ""
    };
    let before = format!("{}{lead}", squeeze(&before));
    let after = format!("{trail}{}", squeeze(&after));
    (before, after)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LabelCount {
    pub label: String,
    pub count: usize,
}

/// A string labeled inconsistently: its labels with counts (most used
/// first), how often it is left unlabeled (when asked), and every place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Inconsistency {
    pub text: String,
    pub labels: Vec<LabelCount>,
    pub unlabeled: usize,
    /// Places left to a suggestion (with `unlabeled` asked for).
    pub suggested: usize,
    pub places: Vec<Place>,
}

/// The strings a project's person labeled differently in different places
/// (and, with `unlabeled`, also those labeled somewhere but left without a
/// span of the person's elsewhere, on token edges: there a suggestion is
/// counted as such, else as unlabeled); most places first, then by text.
pub fn inconsistencies(docs: &[Document], unlabeled: bool) -> Vec<Inconsistency> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut groups: Vec<(String, Vec<Place>)> = Vec::new();
    for d in docs {
        let map = OffsetMap::new(&d.text);
        for s in d.spans.iter().filter(|s| s.source == Source::User) {
            let Some(surface) = d.surface(&map, s) else {
                continue;
            };
            let i = *index.entry(surface.to_string()).or_insert_with(|| {
                groups.push((surface.to_string(), Vec::new()));
                groups.len() - 1
            });
            groups[i]
                .1
                .push(place(d, &map, s.start, s.end, Some(s.label.clone()), None));
        }
    }
    if unlabeled && !groups.is_empty() {
        add_unlabeled(docs, &mut groups);
    }
    let mut out: Vec<Inconsistency> = groups
        .into_iter()
        .filter_map(|(text, places)| {
            let mut labels: Vec<LabelCount> = Vec::new();
            let mut blank = 0;
            let mut suggested = 0;
            for p in &places {
                match &p.label {
                    None if p.suggestion.is_some() => suggested += 1,
                    Some(l) => match labels.iter_mut().find(|c| &c.label == l) {
                        Some(c) => c.count += 1,
                        None => labels.push(LabelCount {
                            label: l.clone(),
                            count: 1,
                        }),
                    },
                    None => blank += 1,
                }
            }
            if labels.len() < 2 && blank + suggested == 0 {
                return None;
            }
            labels.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
            Some(Inconsistency {
                text,
                labels,
                unlabeled: blank,
                suggested,
                places,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.places
            .len()
            .cmp(&a.places.len())
            .then_with(|| a.text.cmp(&b.text))
    });
    out
}

fn place(
    d: &Document,
    map: &OffsetMap,
    start: usize,
    end: usize,
    label: Option<String>,
    suggestion: Option<String>,
) -> Place {
    let (before, after) = context(&d.text, map, start, end);
    Place {
        doc: d.id.clone(),
        name: crate::session::display_name(d),
        start,
        end,
        label,
        suggestion,
        before,
        after,
    }
}

/// Adds to each group the places where its text stands on token edges with
/// no person's span over it. One Aho-Corasick pass per document for all the
/// labeled strings.
fn add_unlabeled(docs: &[Document], groups: &mut [(String, Vec<Place>)]) {
    let Ok(ac) = AhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        .build(groups.iter().map(|(t, _)| t.as_str()))
    else {
        return;
    };
    for d in docs {
        let map = OffsetMap::new(&d.text);
        let tokens = tokenize::tokenize(&d.text);
        // The person's spans sorted by start with a running maximum of ends:
        // a place is covered when a span starting before its end reaches
        // past its start.
        let mut people: Vec<(usize, usize)> = d
            .spans
            .iter()
            .filter(|s| s.source == Source::User)
            .map(|s| (s.start, s.end))
            .collect();
        people.sort_unstable();
        let mut reach = 0;
        for p in people.iter_mut() {
            reach = reach.max(p.1);
            p.1 = reach;
        }
        let covered = |a: usize, b: usize| {
            let i = people.partition_point(|&(s, _)| s < b);
            i > 0 && people[i - 1].1 > a
        };
        let mut last_end: HashMap<usize, usize> = HashMap::new();
        for m in ac.find_overlapping_iter(&d.text) {
            if tokenize::starting_at(&tokens, m.start()).is_none()
                || tokenize::ending_at(&tokens, m.end()).is_none()
            {
                continue;
            }
            let (Some(a), Some(b)) = (map.byte_to_char(m.start()), map.byte_to_char(m.end()))
            else {
                continue;
            };
            let g = m.pattern().as_usize();
            // One string's places do not overlap each other ("a a" in "a a a").
            if last_end.get(&g).is_some_and(|&e| e > m.start()) || covered(a, b) {
                continue;
            }
            last_end.insert(g, m.end());
            let suggestion = d
                .spans
                .iter()
                .find(|s| s.source.is_suggestion() && s.overlaps(a, b))
                .map(|s| s.label.clone());
            groups[g].1.push(place(d, &map, a, b, None, suggestion));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_whole_tokens_only() {
        let text = "Iran, Iranian, Iran's Iran";
        let tokens = tokenize::tokenize(text);
        let got = find_on_tokens(text, &tokens, "Iran");
        assert_eq!(got, [(0, 4), (15, 19), (22, 26)]);
        assert!(find_on_tokens(text, &tokens, "").is_empty());
    }

    fn around(text: &str, word: &str) -> (String, String) {
        let at = text.find(word).unwrap();
        let map = OffsetMap::new(text);
        let a = map.byte_to_char(at).unwrap();
        context(text, &map, a, a + word.chars().count())
    }

    #[test]
    fn a_place_reads_as_a_line_with_whole_words_around_it() {
        assert_eq!(
            around("Ana met Kofi Mensah today.", "Kofi Mensah"),
            ("Ana met ".into(), " today.".into())
        );
        let long = "one two three four five six seven eight nine\n\nKofi Mensah ten eleven twelve thirteen fourteen fifteen";
        let (before, after) = around(long, "Kofi Mensah");
        assert_eq!(before, "…four five six seven eight nine ");
        assert_eq!(after, " ten eleven twelve thirteen…");
        assert!(before.chars().count() <= CONTEXT + 2 && after.chars().count() <= CONTEXT + 2);
        let (before, _) = around("Çé🎉 ünï Kofi", "Kofi");
        assert_eq!(before, "Çé🎉 ünï ", "code points, not bytes");
    }

    fn doc(id: &str, name: &str, text: &str, spans: Vec<Span>) -> Document {
        let mut d = Document::new(id, text);
        d.meta = serde_json::json!({ "name": name });
        d.spans = spans;
        d
    }

    #[test]
    fn places_carry_the_documents_name_and_a_suggestion_is_not_unlabeled() {
        let docs = [
            doc(
                "d1",
                "Monday news",
                "Kofi Mensah won.",
                vec![Span::new(0, 11, "PER")],
            ),
            doc(
                "d2",
                "Tuesday news",
                "Then Kofi Mensah lost.",
                vec![Span::new(5, 16, "ORG").with_source(Source::Model)],
            ),
            doc("d3", "Wednesday", "Where is Kofi Mensah now?", vec![]),
        ];
        assert!(
            inconsistencies(&docs, false).is_empty(),
            "suggestions are no decisions"
        );
        let found = inconsistencies(&docs, true);
        assert_eq!(found.len(), 1);
        let k = &found[0];
        assert_eq!((k.unlabeled, k.suggested), (1, 1));
        let by_doc = |id: &str| k.places.iter().find(|p| p.doc == id).unwrap();
        assert_eq!(by_doc("d2").suggestion.as_deref(), Some("ORG"));
        assert_eq!(by_doc("d2").label, None);
        assert_eq!(by_doc("d2").name, "Tuesday news");
        assert_eq!(by_doc("d3").suggestion, None);
        assert_eq!(
            (by_doc("d3").before.as_str(), by_doc("d3").after.as_str()),
            ("Where is ", " now?")
        );
        assert_eq!(by_doc("d1").label.as_deref(), Some("PER"));
    }
}
