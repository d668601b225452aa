//! Pre-annotation: a pipeline of swappable stages, each proposing candidate
//! spans, merged into one non-overlapping list of suggestions.

use crate::doc::{Source, Span};
use crate::text::OffsetMap;
use crate::tokenize::{self, Token};
use std::ops::Range;

/// A proposed entity: `[start, end)` in UTF-8 bytes of the text.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub source: Source,
    pub score: f32,
}

/// What every stage sees: the text, its tokens and its sentences (token ranges).
pub struct Context<'a> {
    pub text: &'a str,
    pub tokens: &'a [Token],
    pub sentences: &'a [Range<usize>],
}

/// One recognizer stage (patterns, gazetteer, heuristic, model, ...).
pub trait Stage: Send + Sync {
    fn name(&self) -> &'static str;
    fn find(&self, cx: &Context, out: &mut Vec<Candidate>);
}

/// The stages in order; see [`Recognizer::recognize`] for how they merge.
pub struct Recognizer {
    stages: Vec<Box<dyn Stage>>,
}

impl Recognizer {
    pub fn new(stages: Vec<Box<dyn Stage>>) -> Recognizer {
        Recognizer { stages }
    }

    /// The default pipeline.
    pub fn standard() -> Recognizer {
        Recognizer::new(Vec::new())
    }

    /// Candidates from every stage, merged: non-overlapping, sorted, byte offsets.
    pub fn recognize(&self, text: &str) -> Vec<Candidate> {
        let tokens = tokenize::tokenize(text);
        let sentences = tokenize::sentences(text, &tokens);
        let cx = Context {
            text,
            tokens: &tokens,
            sentences: &sentences,
        };
        let mut all = Vec::new();
        for stage in &self.stages {
            stage.find(&cx, &mut all);
        }
        all
    }

    /// [`Recognizer::recognize`] as spans in code points.
    pub fn spans(&self, text: &str, map: &OffsetMap) -> Vec<Span> {
        self.recognize(text)
            .into_iter()
            .filter_map(|c| {
                Some(Span {
                    start: map.byte_to_char(c.start)?,
                    end: map.byte_to_char(c.end)?,
                    label: c.label,
                    source: c.source,
                    score: Some(f64::from(c.score)),
                    id: None,
                })
            })
            .collect()
    }
}
