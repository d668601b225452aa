// Where the local store keeps a document's curated record (annotator
// `curated`) beside the curator's own: the `annotations` and `edits`
// stores under a key of its own, which no imported document id can take
// (it starts with a NUL). It has no `documents` record: its document is the
// real one (store.js `document`), and it has no line in the list.

const PREFIX = '\u0000curated:';

export const curatedKey = (docId) => PREFIX + docId;

// The document id of a curated record's key, or null for any other id.
export const curatedOf = (key) => (typeof key === 'string' && key.startsWith(PREFIX) ? key.slice(PREFIX.length) : null);

// The range of every curated record's key, for IndexedDB.
export const curatedRange = () => IDBKeyRange.bound(PREFIX, `${PREFIX}\uffff`);
