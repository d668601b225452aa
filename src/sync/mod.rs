//! Team replication through CouchDB (docs/ARCHITECTURE.md, "Team sync"):
//! what a replicator speaking the CouchDB replication protocol decides,
//! with no I/O (the page's `fetch` or the CLI's HTTP client moves the bytes).
//!
//! - [`rev`]: revision ids `N-<hex>`, the same for the same content;
//! - [`tree`]: a document's revision tree: leaves, winner, conflicts,
//!   stemming, `_revs_diff`;
//! - [`plan`]: what one `_changes` page asks for and sends, and the
//!   checkpoints in `_local/` documents;
//! - [`merge`]: an annotator's record as the team database holds it, and
//!   the merge of one person's conflicting revisions of it;
//! - [`replicate`]: the page's replicator: a replica of a project, the
//!   requests of a round and what their answers mean.

pub mod merge;
pub mod plan;
pub mod replicate;
pub mod rev;
pub mod tree;

pub use merge::{merge, resolve, Annotations, Resolution};
pub use rev::Rev;
pub use tree::{Missing, RevTree, Revisions};
