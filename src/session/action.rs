//! A person's actions on the open document, and what each one asks of the
//! page: what to store, what to draw again, what to say.

use super::{Result, Session, SNAPSHOT_EVERY};
use crate::doc::{Span, Status};
use crate::edit::{Change, LogEntry, Overlap, Turn};
use crate::labels::Label;
use serde::{Deserialize, Serialize};

/// One user action, as the page names it (`{"op": "add", "start": 0,
/// "end": 5, "label": "PER"}`); offsets are code points.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(
    tag = "op",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum Action {
    /// A person's span (replacing the suggestions it overlaps).
    Add {
        start: usize,
        end: usize,
        label: String,
    },
    /// Removes every span at exactly these offsets.
    Remove {
        start: usize,
        end: usize,
    },
    Relabel {
        start: usize,
        end: usize,
        label: String,
    },
    Resize {
        start: usize,
        end: usize,
        new_start: usize,
        new_end: usize,
    },
    Accept {
        start: usize,
        end: usize,
    },
    Reject {
        start: usize,
        end: usize,
    },
    AcceptAll,
    RejectAll,
    Undo,
    Redo,
    /// Marks the document done (`true`) or to do.
    SetDone {
        done: bool,
    },
    /// Done if it was to do, and the other way round (the `d` key).
    ToggleDone,
    /// Every other occurrence of the span's text gets its label.
    LabelEvery {
        start: usize,
        end: usize,
    },
    /// Curation: the spans every annotator made (`curation::curate`'s
    /// `agreed`) taken as ONE undoable change, except where a person's span
    /// already holds the text (the curator's own decision stays).
    TakeAgreed {
        spans: Vec<Span>,
    },
    /// A relation `label` from the span with id `from` to the one with id
    /// `to` (the label joins the project's relation labels if new).
    AddRelation {
        from: String,
        to: String,
        label: String,
    },
    RemoveRelation {
        id: String,
    },
    /// The document's labels, all of them (single choice: at most one).
    SetDocLabels {
        labels: Vec<String>,
    },
    /// The note of the span with id `span`, or of the document; empty
    /// text clears it.
    SetNote {
        #[serde(default)]
        span: Option<String>,
        text: String,
    },
    /// The project's overlap setting, `none`, `nested` or `any`: refused
    /// while the open document has spans the new setting forbids.
    SetOverlap {
        mode: String,
    },
    /// Whether a document may take several of the project's document
    /// labels (single choice refused while the open document has more).
    SetDocLabelChoice {
        multi: bool,
    },
    /// Curation: the stretch `start..end` (`curation::disagreements`)
    /// made to hold exactly one version's `spans` (empty: nothing there),
    /// what was there before replaced, as ONE undoable change.
    TakeVersion {
        start: usize,
        end: usize,
        spans: Vec<Span>,
    },
}

/// What an action did, and what the page is to do about it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// Whether the document changed (nothing to store or draw if not).
    pub changed: bool,
    /// The edit-log entry of the change (what another tab replays).
    pub entry: Option<LogEntry>,
    /// Store a whole snapshot rather than the entry: every
    /// [`SNAPSHOT_EVERY`] edits, or a change an entry cannot hold.
    pub snapshot: bool,
    /// The document record changed too (its status): store it.
    pub document: bool,
    /// Blocks to draw again (see [`super::tables::block_patch`]).
    pub patch: Vec<u32>,
    /// The label set, when the action added a label to it.
    pub labels: Option<Vec<Label>>,
    /// The project's structure, when the action changed it (a new relation
    /// or document label, the overlap setting): the page stores it.
    pub structure: Option<super::Structure>,
    /// The span to show as selected after the action, if any.
    pub select: Option<[usize; 2]>,
    /// Where review stands after the action (code points): the selected
    /// span's start, or the place of a span decided on when nothing after
    /// it is left to select, so that moving on never starts over.
    pub place: Option<usize>,
    /// Where the change happened (code points), for the page to scroll to:
    /// an undo may change what is not on screen.
    pub reveal: Option<usize>,
    /// For the status line: what happened, in words.
    pub status: String,
    /// Labelling every occurrence: how many spans it added, and the text
    /// and label it gave them (for labelling the project's other documents).
    pub count: usize,
    pub every: Option<Every>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Every {
    pub text: String,
    pub label: String,
}

pub(super) fn apply(session: &mut Session, action: Action) -> Result<Outcome> {
    // The label counts are carried across the action by its change, not
    // counted again over every span (the bar is redrawn after each edit).
    let counted = session.take_counts();
    let mut delta = None;
    let before = session.structure();
    let result = apply_to_open(session, action, &mut delta);
    if result.is_err() {
        // A refused action adds no relation or document label either.
        session.set_structure(before.clone());
    }
    let mut out = result?;
    let after = session.structure();
    if after != before {
        out.structure = Some(after);
    }
    if let Some(mut counts) = counted {
        for (label, by) in delta.unwrap_or_default() {
            let n = counts.entry(label.clone()).or_default();
            *n = n.saturating_add_signed(by);
            if *n == 0 {
                counts.remove(&label);
            }
        }
        session.keep_counts(counts);
    }
    Ok(out)
}

/// How a change moves the label counts.
fn count_delta(change: &Change) -> Vec<(String, i64)> {
    let removed = change.removed.iter().map(|s| (s.label.clone(), -1));
    let added = change.added.iter().map(|s| (s.label.clone(), 1));
    removed.chain(added).collect()
}

/// `delta`: how the action's change moved the label counts (`None` when it
/// changed no span).
fn apply_to_open(
    session: &mut Session,
    action: Action,
    delta: &mut Option<Vec<(String, i64)>>,
) -> Result<Outcome> {
    let labels_before = session.labels.len();
    let tab = session.tab.clone();
    let mut out = Outcome::default();
    if let Action::SetOverlap { mode } = &action {
        return set_overlap(session, mode);
    }
    if let Action::SetDocLabelChoice { multi } = action {
        let held = session.doc_labels().len();
        if !multi && held > 1 {
            return Err(super::Error(format!(
                "this document has {held} document labels: keep one before making them single choice"
            )));
        }
        session.labels.doc_labels.multi = multi;
        return Ok(Outcome {
            status: if multi {
                "a document may take several document labels".into()
            } else {
                "a document takes one document label".into()
            },
            ..Outcome::default()
        });
    }
    if let Action::AddRelation { label, .. } = &action {
        crate::labels::check_name(label)?;
        session.labels.relations.ensure(label);
    }
    if let Action::SetDocLabels { labels } = &action {
        session.check_doc_labels(labels)?;
    }
    let o = session.open_mut()?;
    let e = &mut o.editor;
    let action_start = match &action {
        Action::Remove { start, .. }
        | Action::Reject { start, .. }
        | Action::Accept { start, .. } => Some(*start),
        _ => None,
    };
    let change: Option<Change> = match action {
        Action::Add { start, end, label } => {
            crate::labels::check_name(&label)?;
            let c = e.add(start, end, &label)?;
            out.select = Some([start, end]);
            out.status = describe("added", &label, &e.doc.text, start, end);
            Some(c)
        }
        Action::Remove { start, end } => {
            let c = e.remove(start, end)?;
            out.status = removed(&c, &e.doc.text, "deleted");
            out.select = next_after(&e.doc.spans, start);
            Some(c)
        }
        Action::Relabel { start, end, label } => {
            crate::labels::check_name(&label)?;
            let c = e.relabel(start, end, &label)?;
            out.select = Some([start, end]);
            out.status = describe("relabeled as", &label, &e.doc.text, start, end);
            Some(c)
        }
        Action::Resize {
            start,
            end,
            new_start,
            new_end,
        } => {
            let c = e.resize(start, end, new_start, new_end)?;
            out.select = Some([new_start, new_end]);
            let label = c.added.first().map_or("", |s| s.label.as_str()).to_string();
            out.status = describe("resized:", &label, &e.doc.text, new_start, new_end);
            Some(c)
        }
        Action::Accept { start, end } => {
            let c = e.accept(start, end)?;
            out.select = next_after(&e.doc.spans, start);
            let label = c.added.first().map_or("", |s| s.label.as_str()).to_string();
            out.status = describe("accepted", &label, &e.doc.text, start, end);
            Some(c)
        }
        Action::Reject { start, end } => {
            let c = e.reject(start, end)?;
            out.status = removed(&c, &e.doc.text, "rejected");
            out.select = next_after(&e.doc.spans, start);
            Some(c)
        }
        Action::AcceptAll => {
            let c = e.accept_all();
            out.status = format!(
                "accepted {} suggestion{}",
                c.added.len(),
                plural(c.added.len())
            );
            Some(c)
        }
        Action::RejectAll => {
            let c = e.reject_all();
            out.status = format!(
                "rejected {} suggestion{}",
                c.removed.len(),
                plural(c.removed.len())
            );
            Some(c)
        }
        Action::Undo | Action::Redo => {
            let undo = action == Action::Undo;
            let word = if undo { "undo" } else { "redo" };
            let c = match if undo { e.try_undo() } else { e.try_redo() } {
                Turn::Nothing => {
                    out.status = format!("nothing to {word}");
                    return Ok(out);
                }
                Turn::Stale(c) => {
                    out.status = format!(
                        "cannot {word} ({}): those spans have changed since (in another tab, or by new suggestions); nothing changed",
                        summary(&c, &e.doc.text)
                    );
                    return Ok(out);
                }
                Turn::Done(c) => c,
            };
            *delta = Some(count_delta(&c));
            out.status = format!(
                "{}: {}",
                if undo { "undone" } else { "redone" },
                summary(&c, &e.doc.text)
            );
            out.select = c.added.first().map(|s| [s.start, s.end]);
            out.reveal = c.added.iter().chain(&c.removed).map(|s| s.start).min();
            out.place = out.select.map(|[s, _]| s).or(out.reveal);
            o.view.touch(&o.index, &c);
            out.changed = true;
            let (base, at) = (o.rev, e.now);
            out.entry = Some(if undo {
                LogEntry::Undo { tab, base, at }
            } else {
                LogEntry::Redo { tab, base, at }
            });
            return Ok(finish(session, out, labels_before));
        }
        Action::SetDone { done } => set_done(session, &mut out, done)?,
        Action::ToggleDone => {
            let done = e.doc.status != Status::Done;
            set_done(session, &mut out, done)?
        }
        Action::LabelEvery { start, end } => {
            o.index.prepare(&e.doc.text, usize::MAX);
            let done = crate::occurrences::label_every_occurrence(e, &o.index, start, end)?;
            out.count = done.count;
            out.every = Some(Every {
                text: done.text.clone(),
                label: done.label.clone(),
            });
            out.select = Some([start, end]);
            out.status = format!(
                "labeled {} more occurrence{} of “{}” as {}",
                done.count,
                plural(done.count),
                done.text,
                done.label
            );
            Some(done.change)
        }
        Action::TakeAgreed { spans } => {
            let own: Vec<Span> = e
                .doc
                .spans
                .iter()
                .filter(|s| !s.source.is_suggestion())
                .cloned()
                .collect();
            let taken = crate::curation::agreed_to_take(&own, &spans);
            let c = e.add_spans(&taken)?;
            let held = |s: &Span| {
                own.iter()
                    .any(|o| (o.start, o.end, &o.label) == (s.start, s.end, &s.label))
            };
            let left = spans.len() - taken.len() - spans.iter().filter(|s| held(s)).count();
            out.count = c.added.len();
            out.status = format!("took {} agreed span{}", out.count, plural(out.count));
            if left > 0 {
                out.status += &format!(
                    "; {left} left where the curated record has its own span{}",
                    plural(left)
                );
            }
            out.reveal = c.added.iter().map(|s| s.start).min();
            Some(c)
        }
        Action::AddRelation { from, to, label } => {
            let c = e.add_relation(&from, &to, &label)?;
            out.status = format!(
                "{label}: {} → {}",
                span_quote(&e.doc, &from),
                span_quote(&e.doc, &to)
            );
            Some(c)
        }
        Action::RemoveRelation { id } => {
            let c = e.remove_relation(&id)?;
            out.status = match c.unlinked.first() {
                Some(r) => format!(
                    "removed {}: {} → {}",
                    r.label,
                    span_quote(&e.doc, &r.from),
                    span_quote(&e.doc, &r.to)
                ),
                None => format!("removed relation {id}"),
            };
            Some(c)
        }
        Action::SetDocLabels { labels } => {
            let c = e.set_doc_labels(&labels);
            out.status = if labels.is_empty() {
                "no document labels".into()
            } else {
                format!("document labels: {}", labels.join(", "))
            };
            Some(c)
        }
        Action::SetNote { span, text } => {
            let c = e.set_note(span.as_deref(), &text)?;
            let what = span.map_or("the document".to_string(), |id| format!("span {id}"));
            out.status = if text.is_empty() {
                format!("cleared the note of {what}")
            } else {
                format!("noted on {what}")
            };
            Some(c)
        }
        Action::SetOverlap { .. } | Action::SetDocLabelChoice { .. } => {
            unreachable!("handled before the open document")
        }
        Action::TakeVersion { start, end, spans } => {
            for s in &spans {
                crate::labels::check_name(&s.label)?;
            }
            let c = e.replace_within(start, end, &spans)?;
            out.status = if c.is_empty() {
                format!(
                    "{} already holds that version",
                    quote(&e.doc.text, start, end)
                )
            } else if spans.is_empty() {
                format!(
                    "took “nothing there” for {}",
                    quote(&e.doc.text, start, end)
                )
            } else {
                let names: Vec<String> = spans
                    .iter()
                    .map(|s| format!("{} {}", s.label, quote(&e.doc.text, s.start, s.end)))
                    .collect();
                format!("took {}", names.join(", "))
            };
            out.select = spans.first().map(|s| [s.start, s.end]);
            out.reveal = Some(start);
            Some(c)
        }
    };
    if let Some(change) = change {
        *delta = Some(count_delta(&change));
        out.changed = !change.is_empty();
        out.entry = session.changed(change);
    }
    out.place = match (out.select, action_start) {
        (Some([s, _]), _) => Some(s),
        (None, at) => at,
    };
    Ok(finish(session, out, labels_before))
}

/// Where review goes after a decision on the span at `start`: the next
/// suggestion after it, else the next span (as Prodigy and doccano move on).
fn next_after(spans: &[Span], start: usize) -> Option<[usize; 2]> {
    let rest = &spans[spans.partition_point(|s| s.start <= start)..];
    rest.iter()
        .find(|s| s.source.is_suggestion())
        .or_else(|| rest.first())
        .map(|s| [s.start, s.end])
}

/// The project's overlap setting, refused (naming the spans) while the
/// open document breaks it; the page checks the stored documents with
/// [`super::project::overlap_breach`] first.
fn set_overlap(session: &mut Session, mode: &str) -> Result<Outcome> {
    let Some(overlap) = Overlap::from_name(mode) else {
        return Err(super::Error(format!(
            "no overlap setting {mode:?} (none, nested or any)"
        )));
    };
    if let Some(o) = session.open.as_mut() {
        o.editor.doc.check_overlap(overlap)?;
        o.editor.overlap = overlap;
    }
    session.overlap = overlap;
    Ok(Outcome {
        status: format!(
            "spans may {}",
            match overlap {
                Overlap::Forbid => "not overlap",
                Overlap::Nest => "nest inside each other",
                Overlap::Allow => "overlap",
            }
        ),
        ..Outcome::default()
    })
}

fn set_done(session: &mut Session, out: &mut Outcome, done: bool) -> Result<Option<Change>> {
    let e = &mut session.open_mut()?.editor;
    let status = if done { Status::Done } else { Status::Todo };
    out.changed = e.doc.status != status;
    e.doc.status = status;
    out.document = true;
    out.snapshot = true;
    out.status = if done { "marked done" } else { "marked to do" }.into();
    Ok(None)
}

/// The outcome with what every action reports: whether to snapshot, the
/// patch, and the labels if the action added one.
fn finish(session: &mut Session, mut out: Outcome, labels_before: usize) -> Outcome {
    if let Ok(o) = session.open_mut() {
        if out.entry.is_some() {
            if o.unsnapshotted + 1 >= SNAPSHOT_EVERY {
                out.snapshot = true;
            } else {
                o.unsnapshotted += 1;
            }
        }
        out.patch = o.view.patch(&o.editor, &o.index);
    }
    if session.labels.len() != labels_before {
        out.labels = Some(session.labels.iter().cloned().collect());
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A span's text as the status line quotes it: short texts whole, long
/// ones cut.
pub(super) fn quote(text: &str, start: usize, end: usize) -> String {
    const MAX: usize = 40;
    let chars: String = text
        .chars()
        .skip(start)
        .take(end.saturating_sub(start).min(MAX + 1))
        .collect();
    if chars.chars().count() > MAX {
        format!("“{}…”", chars.chars().take(MAX).collect::<String>())
    } else {
        format!("“{chars}”")
    }
}

/// The span with this id as the status line quotes it (its id when gone).
fn span_quote(doc: &crate::doc::Document, id: &str) -> String {
    doc.spans
        .iter()
        .find(|s| s.id.as_deref() == Some(id))
        .map_or_else(|| id.to_string(), |s| quote(&doc.text, s.start, s.end))
}

fn describe(verb: &str, label: &str, text: &str, start: usize, end: usize) -> String {
    format!("{verb} {label} {}", quote(text, start, end))
}

fn removed(c: &Change, text: &str, verb: &str) -> String {
    match c.removed.as_slice() {
        [] => "nothing there".into(),
        [s] => describe(verb, &s.label, text, s.start, s.end),
        many => format!("{verb} {} spans", many.len()),
    }
}

/// A change in words, for undo and redo.
fn summary(c: &Change, text: &str) -> String {
    let one = |s: &Span| format!("{} {}", s.label, quote(text, s.start, s.end));
    match (c.removed.as_slice(), c.added.as_slice()) {
        ([], [s]) => format!("{} back", one(s)),
        ([s], []) => format!("{} gone", one(s)),
        ([a], [b]) if a.start == b.start && a.end == b.end => {
            format!("{} is {} again", quote(text, b.start, b.end), b.label)
        }
        ([], []) => match (c.unlinked.as_slice(), c.linked.as_slice()) {
            ([], [r]) => format!("relation {} back", r.label),
            ([r], []) => format!("relation {} gone", r.label),
            ([], []) if c.doc_labels.is_some() => "document labels as they were".into(),
            ([], []) if c.note.is_some() => "the note as it was".into(),
            (gone, back) => format!(
                "{} relation{} back, {} gone",
                back.len(),
                plural(back.len()),
                gone.len()
            ),
        },
        (r, a) => format!("{} span{} back, {} gone", a.len(), plural(a.len()), r.len()),
    }
}
