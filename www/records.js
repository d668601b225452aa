// The annotations record of a document, in its two stored shapes:
//   packed   {docId, table, scores, labels, ids, history, count, ...}
//            what the page writes for the open document: the spans as the
//            core's packed columns (src/snapshot.rs; typed arrays, which
//            IndexedDB copies) and the history as the core's JSON string;
//   objects  {docId, spans, history, ...}
//            written by imports and project-wide changes, and by earlier
//            versions of the page.
// Both carry `preannotated` and `rules` (see app.js). Everything that reads
// a record goes through here, so either shape works everywhere.

import { unpackedAnnotationsJson } from './pkg/spanmark.js';

// A packed record from the core's `PackedSpans` (freed here) and history
// JSON; `extra` adds the other fields.
export function packedFrom(p, docId, history, extra) {
  const record = {
    docId,
    table: p.table,
    scores: p.scores,
    labels: p.labels,
    ids: p.ids,
    history,
    count: p.table.length / 4,
    ...extra,
  };
  p.free();
  return record;
}

// The open document's snapshot, packed.
export function packedRecord(core, docId, extra) {
  return packedFrom(core.packedSpans(), docId, core.historyJson(), extra);
}

export function spanCount(rec) {
  return rec.table ? rec.count : rec.spans.length;
}

// `{"spans","history"}` as the core's JSON entry points take it.
export function annotationsJson(rec) {
  if (!rec.table) return JSON.stringify({ spans: rec.spans, history: rec.history });
  return unpackedAnnotationsJson(rec.table, rec.scores, rec.labels, rec.ids, rec.history);
}

// The spans as objects (for exports and the project-wide panels).
export function spansOf(rec) {
  return rec.table ? JSON.parse(annotationsJson(rec)).spans : rec.spans;
}

// Opens a stored document in the core with its record (or none).
export function openRecord(core, docJson, rec, preannotate) {
  if (rec && rec.table) core.openPacked(docJson, rec.table, rec.scores, rec.labels, rec.ids, rec.history);
  else core.openStored(docJson, rec ? annotationsJson(rec) : '', preannotate);
}

// A record with new `{spans, history}` (objects), keeping its other fields.
export function withAnnotations(rec, { spans, history }) {
  const { table, scores, labels, ids, count, ...rest } = rec;
  return { ...rest, spans, history };
}
