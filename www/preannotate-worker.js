// Pre-annotation off the main thread, two kinds of job:
//   {job, text, ...}     one text (the open document, when long; with
//                        `storeDoc`, a new one, whose record it stores first
//                        with the text, posting `stored`): annotated
//                        piece by piece (pieces end at line breaks, see
//                        `pieceStarts`), progress after each piece, the table
//                        of suggestions posted back for the page to apply;
//   {project, skip, ...} every document of the project never opened yet
//                        (except `skip`, the open one): each read from
//                        IndexedDB, annotated, and its first snapshot written
//                        there (unless it was opened meanwhile; several in one
//                        transaction), progress after each document.
// Both use the page's learned model, label names and rules. The page cancels
// by terminating the worker: a project job's finished documents stay saved.
// And one job that annotates nothing:
//   {exportJob, format, options, labels}  the whole project in a format,
//                        each document read from IndexedDB and written in
//                        turn, the pieces gathered into one Blob posted
//                        back at the end (progress meanwhile).
import init, {
  ExportWriter, pieceStarts, preannotateIn, setPreannotateModel, suggestedRecord,
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

// Documents are read a few at a time and their records written together
// (one durable transaction, not one per document), every FLUSH_MS or
// READ_BATCH documents, whichever comes first: a cancel loses at most that
// much work, which the next run redoes.
const READ_BATCH = 16;
const FLUSH_MS = 250;

async function preannotateProject({ project, skip, labels, rulesVersion }) {
  const store = await openStore();
  const ids = (await store.unopenedIds()).filter((id) => id !== skip);
  const total = ids.length;
  let saved = 0;
  let pending = [];
  let since = Date.now();
  const flush = async () => {
    if (!pending.length) return;
    const written = await store.putAllIfAbsent(pending);
    saved += written.length;
    pending = [];
    since = Date.now();
    self.postMessage({ project, saved: written.map((r) => [r.docId, r.count]), savedTotal: saved });
  };
  self.postMessage({ project, done: 0, total });
  for (let from = 0; from < total; from += READ_BATCH) {
    const docs = await store.documents(ids.slice(from, from + READ_BATCH));
    for (const [j, doc] of docs.entries()) {
      const k = from + j;
      if (doc) {
        const table = annotate(doc.text, (f) => self.postMessage({ project, done: k + f, total }));
        pending.push(suggestedRecord(doc.id, table, labels, rulesVersion));
      }
      self.postMessage({ project, done: k + 1, total });
      if (Date.now() - since >= FLUSH_MS || pending.length >= READ_BATCH) await flush();
    }
  }
  await flush();
  self.postMessage({ project, finished: saved });
}

// Documents are read a batch at a time, the next batch while this one is
// written (reading alone took most of the time); a batch holds about
// EXPORT_READ_BYTES of text, by the average size so far.
const EXPORT_READ_BYTES = 4 << 20;
const EXPORT_READ_MAX = 64;
const EXPORT_BLOB_BYTES = 16 << 20;
const EXPORT_PROGRESS_MS = 100;

async function exportProject({ exportJob, format, options, labels, structure }) {
  const store = await openStore();
  const writer = new ExportWriter(format, options);
  try {
    const ids = await store.idsInOrder();
    const total = ids.length;
    // The pieces become Blobs here, some megabytes at a time, and the page
    // gets one Blob of those at the end: it copies nothing itself.
    const blobs = [];
    let parts = [writer.head(labels, structure)];
    let size = parts[0].length;
    const seal = () => {
      if (parts.length) blobs.push(new Blob(parts));
      parts = [];
      size = 0;
    };
    let since = Date.now();
    self.postMessage({ exportJob, done: 0, total });
    let chars = 0;
    let seen = 0;
    const batchSize = () => (seen ? Math.max(1, Math.min(EXPORT_READ_MAX, Math.floor(EXPORT_READ_BYTES / Math.max(1, chars / seen)))) : 8);
    const read = (from) => (from < total ? store.documentsWithRecords(ids.slice(from, from + batchSize())) : null);
    let from = 0;
    let next = read(0);
    while (next) {
      const batch = await next;
      const at = from;
      from += batch.length;
      for (const { doc } of batch) {
        if (doc && typeof doc.text === 'string') chars += doc.text.length;
        seen += 1;
      }
      next = read(from);
      for (const [j, { doc, record }] of batch.entries()) {
        const piece = doc ? writer.document(doc, record) : undefined;
        if (piece && piece.length) {
          parts.push(piece);
          size += piece.length;
          if (size >= EXPORT_BLOB_BYTES) seal();
        }
        if (Date.now() - since >= EXPORT_PROGRESS_MS) {
          self.postMessage({ exportJob, done: at + j + 1, total });
          since = Date.now();
        }
      }
    }
    parts.push(writer.finish());
    seal();
    self.postMessage({
      exportJob,
      done: total,
      total,
      finished: true,
      blob: new Blob(blobs, { type: writer.mediaType }),
      skipped: writer.skipped(),
      summary: writer.summary(),
      extension: writer.extension,
      mediaType: writer.mediaType,
    });
  } finally {
    writer.free();
  }
}

self.onmessage = async (event) => {
  const { job, project, text, rules, model, labels } = event.data;
  if (event.data.exportJob) {
    await ready;
    try {
      await exportProject(event.data);
    } catch (e) {
      self.postMessage({ exportJob: event.data.exportJob, failed: e && e.message ? e.message : String(e) });
    }
    return;
  }
  if (event.data.storeDoc) {
    // A new document's text is stored from here (before the core is even
    // ready: storing needs none of it): on the page, cloning megabytes into
    // IndexedDB would hold the main thread.
    try {
      const store = await openStore();
      await store.write({ documents: [{ ...event.data.storeDoc, text }], newDocuments: true });
      self.postMessage({ job, stored: true });
    } catch (e) {
      self.postMessage({ job, stored: false, error: e && e.message ? e.message : String(e) });
      return;
    }
  }
  await ready;
  // From the page: its learned model (empty: as shipped), label names and
  // rules; label codes index those names.
  setPreannotateModel(model || new Uint8Array(0), JSON.stringify(labels), rules || '');
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
