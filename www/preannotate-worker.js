// Pre-annotation off the main thread, two kinds of job:
//   {job, text, ...}     one text (the open document, when long): annotated
//                        piece by piece (pieces end at line breaks, see
//                        `pieceStarts`), progress after each piece, the table
//                        of suggestions posted back for the page to apply;
//   {project, skip, ...} every document of the project never opened yet
//                        (except `skip`, the open one): each read from
//                        IndexedDB, annotated, and its first snapshot written
//                        there (unless it was opened meanwhile), progress
//                        after each document.
// Both use the page's learned model, label names and rules. The page cancels
// by terminating the worker: a project job's finished documents stay saved.
import init, {
  emptyHistoryJson, packedSuggestions, pieceStarts, preannotateIn, setPreannotateModel,
} from './pkg/spanmark.js';
import { openStore } from './store.js';

const PIECE_BYTES = 256 * 1024;
const ready = init();

// The suggestions of a whole text, as one table (five numbers a suggestion);
// `progress(fraction)` after each piece.
function annotate(text, progress) {
  const starts = pieceStarts(text, PIECE_BYTES);
  const parts = [];
  let total = 0;
  const pieces = starts.length / 2 - 1;
  for (let p = 0; p < pieces; p++) {
    const [u0, c0, u1] = [starts[2 * p], starts[2 * p + 1], starts[2 * p + 2]];
    const table = preannotateIn(text.slice(u0, u1));
    // Piece offsets are from the piece's start: move them to the text's.
    for (let i = 0; i < table.length; i += 5) {
      table[i] += c0;
      table[i + 1] += c0;
    }
    parts.push(table);
    total += table.length;
    progress((p + 1) / pieces);
  }
  const all = new Uint32Array(total);
  let at = 0;
  for (const t of parts) {
    all.set(t, at);
    at += t.length;
  }
  return all;
}

async function preannotateProject({ project, skip, labels, rulesVersion }) {
  const store = await openStore();
  const ids = (await store.unopenedIds()).filter((id) => id !== skip);
  const history = emptyHistoryJson();
  let written = 0;
  self.postMessage({ project, done: 0, total: ids.length });
  for (let k = 0; k < ids.length; k++) {
    const doc = await store.document(ids[k]);
    if (doc) {
      const table = annotate(doc.text, (f) => self.postMessage({ project, done: k + f, total: ids.length }));
      const p = packedSuggestions(table, labels);
      const record = {
        docId: doc.id,
        table: p.table,
        scores: p.scores,
        labels: p.labels,
        ids: p.ids,
        history,
        count: p.table.length / 4,
        preannotated: true,
        rules: rulesVersion,
      };
      p.free();
      if (await store.putIfAbsent(record)) {
        written += 1;
        self.postMessage({ project, saved: doc.id, count: record.count });
      }
    }
    self.postMessage({ project, done: k + 1, total: ids.length });
  }
  self.postMessage({ project, finished: written });
}

self.onmessage = async (event) => {
  const { job, project, text, rules, model, labels } = event.data;
  await ready;
  // From the page: its learned model (empty: as shipped), label names and
  // rules; label codes index those names.
  setPreannotateModel(model || new Uint8Array(0), labels, rules || '');
  if (project) {
    try {
      await preannotateProject(event.data);
    } catch (e) {
      self.postMessage({ project, failed: e && e.message ? e.message : String(e) });
    }
    return;
  }
  const table = annotate(text, (progress) => self.postMessage({ job, progress }));
  self.postMessage({ job, table }, [table.buffer]);
};
