//! The session's online learning (`recognize::learn`): suggestions in the
//! project's labels, learning from a document marked done, the learned
//! model as bytes, and suggestions that arrive from a worker.

use super::{tables, Error, Result, Session};
use crate::doc::{Source, Span, Status};
use crate::model::Model;
use crate::recognize::learn::{self, Learner, Shared};
use crate::recognize::Recognizer;
use crate::text_index::TextIndex;
use std::sync::{Arc, RwLock};

/// What made a document's model suggestions, in words: the model as
/// shipped or as learned from how many documents (`None`: not recorded, as
/// in a file's suggestions or a record from before this was noted).
pub fn suggester(learned_docs: Option<u32>) -> String {
    match learned_docs {
        Some(0) => "the shipped model".into(),
        Some(1) => "the model learned from 1 document".into(),
        Some(n) => format!("the model learned from {n} documents"),
        None => "an earlier model (not recorded which)".into(),
    }
}

/// Who made the suggestions of each source (see [`Session::suggesters`]).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Suggesters {
    pub model: String,
    pub rule: String,
}

/// How many places (offsets) hold other suggestions than before: a
/// relabel is one change, as is a span added or gone.
fn places_changed(before: &[Span], after: &[Span]) -> usize {
    use std::collections::HashSet;
    let key = |s: &Span| (s.start, s.end, s.label.clone(), s.source);
    let old: HashSet<_> = before.iter().map(key).collect();
    let new: HashSet<_> = after.iter().map(key).collect();
    let places: HashSet<(usize, usize)> =
        old.symmetric_difference(&new).map(|k| (k.0, k.1)).collect();
    places.len()
}

/// A fresh learner on the shipped model, and the pipeline that uses it.
pub(super) fn standard() -> (Shared, Recognizer) {
    let shared: Shared = Arc::new(RwLock::new(Learner::new(Arc::new(Model::shipped()))));
    let rec = learn::recognizer(&shared);
    (shared, rec)
}

impl Session {
    /// Suggestions for a text: the pipeline's, in the project's labels only.
    pub(super) fn suggest(&self, text: &str) -> Vec<Span> {
        self.suggest_in(text, &TextIndex::new(text))
    }

    /// [`Session::suggest`] with the text's complete index at hand.
    pub(super) fn suggest_in(&self, text: &str, index: &TextIndex) -> Vec<Span> {
        learn::project_suggestions(
            &self.recognizer,
            &self.learner,
            self.labels.iter().map(|l| l.name.as_str()),
            text,
            index,
        )
    }

    fn with_learner<T>(&self, f: impl FnOnce(&mut Learner) -> T) -> Result<T> {
        let mut l = self
            .learner
            .write()
            .map_err(|_| Error("the learned model is unavailable".into()))?;
        Ok(f(&mut l))
    }

    /// Follows a label rename in the learned model.
    pub(super) fn learner_rename(&mut self, from: &str, to: &str) {
        let _ = self.with_learner(|l| l.rename(from, to));
    }

    /// Learns from the open document as it is now: every span counts as
    /// right (a suggestion left in place was accepted). Returns the number
    /// of documents learned from.
    pub fn learn_from_document(&mut self) -> Result<u32> {
        let e = &self.open_doc()?.editor;
        let spans: Vec<(usize, usize, &str)> = e
            .doc
            .spans
            .iter()
            .map(|s| (s.start, s.end, s.label.as_str()))
            .collect();
        self.with_learner(|l| {
            l.learn_text(&e.doc.text, &spans);
            l.docs()
        })
    }

    /// How many documents the model has learned from.
    pub fn learned_docs(&self) -> u32 {
        self.learner.read().map_or(0, |l| l.docs())
    }

    /// The learned model as a file (see `Learner::to_bytes`).
    pub fn learned_model(&self) -> Result<Vec<u8>> {
        self.with_learner(|l| l.to_bytes())
    }

    /// Replaces the learned model with one read from a file; on a bad file
    /// nothing changes and the error names what is wrong. Returns the number
    /// of documents it has learned from.
    pub fn load_learned_model(&mut self, bytes: &[u8]) -> Result<u32> {
        let shipped = self.with_learner(|l| l.shipped())?;
        let new = Learner::from_bytes(shipped, bytes)?;
        self.with_learner(|l| {
            *l = new;
            l.docs()
        })
    }

    /// Back to the shipped model.
    pub fn reset_learned_model(&mut self) -> Result<()> {
        self.with_learner(|l| l.reset())
    }

    /// Suggests the open document afresh when the person has not touched it
    /// (no span of theirs, no history of any tab's, not done), so that what
    /// was learned since it was first opened shows. Returns, when anything
    /// changed, the status line that says so ("suggestions renewed by the
    /// model learned from 3 documents: 2 changed"): suggestions never
    /// change silently under a person.
    pub fn resuggest_untouched(&mut self) -> Result<Option<String>> {
        let e = &self.open_doc()?.editor;
        if !e.history.done.is_empty()
            || !e.history.undone.is_empty()
            || e.doc.status == Status::Done
            || e.doc.spans.iter().any(|s| s.source == Source::User)
        {
            return Ok(None);
        }
        let fresh = self.suggest(&e.doc.text);
        let now = self.learned_docs();
        let o = self.open_mut()?;
        let before = o.editor.doc.spans.clone();
        o.editor.set_suggestions(fresh);
        let changed = places_changed(&before, &o.editor.doc.spans);
        if changed == 0 {
            return Ok(None);
        }
        o.view.touch_all();
        o.suggested_by = Some(now);
        Ok(Some(format!(
            "suggestions renewed by {}: {changed} changed",
            suggester(Some(now))
        )))
    }

    /// Who made the open document's suggestions of each source, as the
    /// status line and a span's title say it ("PER suggestion by …").
    pub fn suggesters(&self) -> Suggesters {
        Suggesters {
            model: suggester(self.open.as_ref().and_then(|o| o.suggested_by)),
            rule: "a rule".into(),
        }
    }

    /// Adds a slice of a worker's suggestion table ([`tables::suggestions`],
    /// label codes indexing `labels`, in text order) to the open document;
    /// `first` replaces the suggestions there before. Only the blocks the
    /// slice covers are laid out again. The last slice (`last`) settles
    /// what the worker owed.
    pub fn add_suggestions(
        &mut self,
        table: &[u32],
        labels: &[String],
        first: bool,
        last: bool,
    ) -> Result<()> {
        let spans = tables::decode_suggestions(table, labels);
        let now = self.learned_docs();
        let o = self.open_mut()?;
        if first {
            o.suggested_by = Some(now);
        }
        let dropped = first && o.editor.clear_suggestions();
        let reach = spans
            .iter()
            .map(|s| s.start)
            .min()
            .zip(spans.iter().map(|s| s.end).max());
        o.editor.add_suggestions(spans);
        if dropped {
            o.view.touch_all();
        } else if let Some((lo, hi)) = reach {
            o.view.touch_chars(&o.index, lo, hi);
        }
        if last {
            o.owed = false;
        }
        Ok(())
    }
}
