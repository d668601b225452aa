//! spanmark: a named-entity annotator's core, for the browser (wasm) and the CLI.
//!
//! The map, in the order text flows through it:
//! - [`text`]: offsets, exact between UTF-8 bytes, code points and UTF-16 units;
//! - [`tokenize`]: tokens and sentences, and snapping a selection to token edges;
//! - [`recognize`]: pre-annotation, a pipeline of swappable stages (patterns,
//!   gazetteer, [`model`]: the trained entity tagger, `learn`: the model
//!   learning online from finished documents) merged into non-overlapping
//!   suggestions;
//! - [`text_index`]: a document's offset map and tokens, built once and shared;
//! - [`select`]: a person's selection snapped to tokens, stepped by keyboard;
//! - [`search`]: finding every occurrence of a query in a text;
//! - [`occurrences`]: labeling every occurrence of a string, and strings a
//!   project labels inconsistently;
//! - [`layout`]: the blocks the page draws one by one (only what is seen);
//! - [`doc`]: the data model (project, document, span);
//! - [`labels`]: the label set with colours and hotkeys;
//! - [`edit`]: a person's edits on one document, with undo and redo;
//! - [`snapshot`]: a document's spans packed as columns for storage;
//! - [`relations`]: span ids, relations, relation and document labels, and
//!   the checks that hold them together (overlap rules included);
//! - [`relabel`]: label renames and deletions carried into annotations;
//! - [`formats`]: exchange formats, one module each;
//! - [`session`]: the page's project and open document: every user action
//!   as `apply(action) -> outcome`, the open policy, the stored record;
//! - [`sync`]: team replication through CouchDB: revision ids and trees,
//!   what one replication step moves, the merge of one annotator's
//!   conflicting revisions (no I/O: the page or the CLI moves the bytes);
//! - [`agreement`]: inter-annotator agreement over a team project (span F1,
//!   token kappa, per pair of annotators);
//! - [`curation`]: the annotators' spans of one document side by side,
//!   marked where they differ, taken into the curated (gold) record;
//! - [`assignment`]: which annotators a document is given to, and each
//!   one's queue;
//! - [`cli`]: the command-line tool's commands (native only);
//! - `wasm`: the wasm-bindgen surface for the page (wasm32 only): one-line
//!   delegations to `session`.

pub mod agreement;
pub mod assignment;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod curation;
pub mod doc;
pub mod edit;
pub mod formats;
pub mod labels;
pub mod layout;
pub mod occurrences;
pub mod recognize;
pub mod relabel;
pub mod relations;
pub mod search;
pub mod select;
pub mod session;
pub mod snapshot;
pub mod sync;
pub mod text;
pub mod text_index;
pub mod tokenize;

pub use recognize::model;

#[cfg(target_arch = "wasm32")]
mod wasm;
