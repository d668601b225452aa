// The page's wiring: starts the core, restores the last document from
// storage, routes mouse, keyboard and file events to the core, and exposes
// the automation contract (`window.spanmark`). Decisions about text,
// offsets and labels are the core's; this module only moves data and draws.

import init, {
  panicForTests,
  Annotator, Finder, FileSet, importBrat, importFile as coreImport, exportProject, exportBytes, exportExtension, relabelRecord,
} from './pkg/spanmark.js';
import { openStore } from './store.js';
import { annotationsJson, openRecord, packedRecord, spanCount, withAnnotations } from './records.js';
import { drawLabels, highlightMatches, offsetIn, showSelection, spanElement } from './view.js';
import { DocView } from './docview.js';
import { download, readFiles } from './files.js';
import { DocList } from './doclist.js';
import { drawLabelEditor } from './labeleditor.js';
import { startLearning } from './learn.js';
import { wireRules } from './rules.js';
import { wireOccurrences } from './occurrences.js';
import { wireProjectJob } from './project-job.js';
import { registerOffline } from './offline.js';
import { watchStorage } from './storage.js';

let resolveReady;
window.spanmarkReady = new Promise((resolve) => { resolveReady = resolve; });

const $ = (id) => document.getElementById(id);
const docEl = $('doc');
const errorEl = $('error');

const state = {
  core: null,      // the wasm Annotator
  store: null,
  docId: null,
  text: '',
  labels: [],      // [{name, color, key}] as the core holds them
  pending: null,   // a snapped selection {start, end} in code points
  selected: null,  // a clicked span {start, end}
  docs: null,      // the document list (DocList)
  view: null,      // the document view (DocView)
  finder: null,    // the active search (Finder), if any
  matches: [],     // its matches in the open document, flat quadruples
  match: -1,       // the match last jumped to
  labelUndo: null, // what a label deletion removed, for its undo
  owed: false,     // a worker still owes the open document its suggestions
  unsnapshotted: 0, // edits logged since the open document's last snapshot
  logHead: 0,      // seq of the last edit-log entry this tab has seen
  broken: null,    // the core's panic message, once it has panicked
  learning: null,  // the learned model's page side (learn.js)
};

// Features wired in their own modules (rules.js, occurrences.js, project-job.js), set in start().
const features = { rules: null, occurrences: null, project: null };

function showError(message) {
  errorEl.textContent = message;
}

function clearError() {
  errorEl.textContent = '';
}

function status(message) {
  $('status').textContent = message;
}

// Every change to the project goes through this queue, one at a time, so
// that writes reach storage in the order they were made.
let queue = Promise.resolve();
function serial(task) {
  const run = queue.then(() => {
    if (state.broken) throw new Error('The annotator core stopped on an internal error; reload the page to continue.');
    return task();
  });
  queue = run.catch(() => {});
  return run;
}

function refreshLabels() {
  state.labels = JSON.parse(state.core.labelsJson());
  const counts = state.docId ? JSON.parse(state.core.labelCounts()) : {};
  drawLabels($('labels'), state.labels, counts, (name) => labelWith(name).catch(report));
  if (!$('label-editor').hidden) drawLabelEditor($('label-editor-rows'), state.labels, labelActions);
}

async function reloadList() {
  state.docs.set(await state.store.summaries());
  state.docs.setCurrent(state.docId);
  refreshProgress();
}

function refreshProgress() {
  const { done, total } = state.docs.progress();
  $('progress-bar').style.width = total ? `${(100 * done) / total}%` : '0';
  $('progress-text').textContent = `${done} / ${total} done`;
}

// Draws what changed in the open document since the last drawing (only the
// blocks an edit touched); `fresh` after opening another one. Returns the
// elements of the blocks drawn again.
function draw(fresh = false) {
  if (fresh) {
    state.view.open(state.text, state.core.blocks(), (a, b) => state.core.spanTableIn(a, b), state.labels, state.selected);
    return [];
  }
  // An edit may have added a label: the drawing looks labels up by index.
  state.labels = JSON.parse(state.core.labelsJson());
  const made = state.view.patch(state.core.blockPatch(), state.labels, state.selected);
  state.view.select(state.selected);
  return made;
}

// An edit the core has applied: drawn at once, its blocks marked unsaved
// until the write is durable (only then is the edit done: the contract's
// promise resolves and the mark goes).
async function commitEdit() {
  performance.mark('spanmark:edit-applied');
  state.view.markUnsaved(draw());
  performance.measure('spanmark:edit-drawn', 'spanmark:edit-applied');
  try {
    await persistEdit();
  } finally {
    // Saved, or (on failure) the saved state is shown again.
    state.view.saved();
  }
  performance.measure('spanmark:edit-durable', 'spanmark:edit-applied');
}

// Brings code point offset `start` into view (drawing it if it was not).
function reveal(start) {
  state.view.reveal(state.core.charToUtf16(start));
}

async function currentRecords() {
  // The text is the page's own copy: the core does not send megabytes back.
  const doc = { ...JSON.parse(state.core.documentHeadJson()), text: state.text };
  // `preannotated: false` while a worker still owes the suggestions: the
  // next opening asks again.
  // `rules`: the rules the suggestions have seen (rules.js).
  const annotations = packedRecord(state.core, doc.id, { preannotated: !state.owed, rules: state.core.rulesVersion() });
  return { doc, annotations };
}

// ---- other tabs ------------------------------------------------------------------

// Tabs on the same project tell each other what they saved; a tab showing
// that document reopens it from storage (snapshot plus every tab's logged
// edits), so its next edit builds on the other tab's. See store.js for the
// check that keeps a snapshot from dropping an edit it has not seen.
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('spanmark') : null;

function announce(docId) {
  if (channel) channel.postMessage({ docId });
}

if (channel) {
  channel.onmessage = ({ data }) => {
    serial(async () => {
      if (!state.docId) return;
      if (data.docId === state.docId) await openDocument(state.docId, { force: true });
      await reloadList();
    }).catch(report);
  };
}

// ---- pre-annotation of long texts, off the main thread ----------------------

const LONG_TEXT = 200_000; // UTF-16 units; shorter texts are annotated at once
const SUGGESTION_SLICE = 8_192; // suggestions applied per task
const BIG_SNAPSHOT = 50_000; // spans: packed and stored in separate tasks
let job = null;

function cancelJob() {
  if (!job) return;
  job.worker.terminate();
  job.done(null);
  job = null;
  $('job').hidden = true;
}

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

// A long document's tokens (for snapping selections) are found a piece at a
// time after it opens, between frames; an answer that needs them sooner
// finds the rest at once.
const TOKEN_PIECE = 32 * 1024; // bytes: a few milliseconds of work
let tokenRun = 0;
function prepareTokens() {
  const run = ++tokenRun;
  const step = () => {
    if (run !== tokenRun || state.broken) return;
    if (!state.core.prepareTokens(TOKEN_PIECE)) setTimeout(step, 0);
  };
  setTimeout(step, 0);
}

// A pre-annotation worker started ahead, once the page is ready, so that a
// job finds the core compiled and waiting (a new worker spends some hundred
// milliseconds on that before it can start); each job takes it and another
// is started for the next.
let spare = null;
const newWorker = () => new Worker('preannotate-worker.js', { type: 'module' });
function keepSpare() {
  setTimeout(() => { if (!spare) spare = newWorker(); }, 1000);
}
function takeWorker() {
  const worker = spare || newWorker();
  spare = null;
  keepSpare();
  return worker;
}

// What a pre-annotation worker suggests with: the learned model (bytes, to
// transfer), the project's label names (JSON; the table's label codes index
// them) and rules, and the rules' fingerprint for the records it writes.
function workerSetup() {
  return {
    model: state.core.learnedModel(),
    labels: JSON.stringify(JSON.parse(state.core.labelsJson()).map((l) => l.name)),
    rules: state.core.rulesJsonl(),
    rulesVersion: state.core.rulesVersion(),
  };
}

// Starts pre-annotating the open document in a worker; resolves once its
// suggestions are applied, saved and drawn (or at once if cancelled).
// With `storeDoc` (a new document's record without its text), the worker
// first stores the document, text and all (cloning megabytes into
// IndexedDB is a long task here), and `stored` resolves once that is durable.
function preannotateInWorker({ storeDoc = null, stored = null } = {}) {
  cancelJob();
  const docId = state.docId;
  const text = state.text;
  state.owed = true;
  const worker = takeWorker();
  $('job').hidden = false;
  $('job-bar').style.width = '0';
  $('job-text').textContent = 'Pre-annotating…';
  const result = new Promise((resolve, reject) => {
    job = { worker, done: resolve };
    worker.onmessage = (e) => {
      if (e.data.table) resolve(e.data);
      else if (e.data.stored !== undefined) stored.settle(e.data);
      else $('job-bar').style.width = `${Math.round(100 * e.data.progress)}%`;
    };
    worker.onerror = (e) => {
      stored?.settle({ stored: false, error: e.message || 'worker error' });
      reject(new Error(`Pre-annotation failed: ${e.message || 'worker error'}`));
    };
  });
  const setup = workerSetup();
  const labelNames = setup.labels;
  worker.postMessage({ job: docId, text, storeDoc, ...setup }, [setup.model.buffer]);
  return result.then((data) => {
    // Cancelled before the worker stored the text: the page stores it.
    stored?.settle({ stored: false, cancelled: true });
    const table = data && data.table;
    if (job && job.worker === worker) {
      worker.terminate();
      job = null;
      $('job').hidden = true;
    }
    if (!table) return;
    return serial(async () => {
      if (state.docId !== docId) return; // moved on: the next opening asks again
      // A slice per task, each drawn as it lands (only its blocks): at once,
      // the suggestions of a 10 MB text held the page for half a second.
      // Safe to yield: inside `serial`, no edit comes between.
      const rows = table.length / 5;
      let i = 0;
      do {
        const end = Math.min(rows, i + SUGGESTION_SLICE);
        state.core.addSuggestionsTableIn(table.subarray(5 * i, 5 * end), labelNames, i === 0);
        draw();
        await nextTask();
        i = end;
      } while (i < rows);
      state.owed = false;
      await persistAndDraw();
    });
  });
}

// Writes the open document's annotations (and the labels, which an edit may
// have extended) durably, then draws. If the write fails, the core goes back
// to what storage holds, so that the page never shows an edit that is not saved.
// `reapply` redoes the change being saved, should another tab have logged
// edits first: the document is then reopened with them, and the change made
// again on top (so both tabs' work is kept).
async function persistAndDraw({ withDocument = false, reapply = null } = {}, retried = false) {
  const { doc, annotations } = await currentRecords();
  // Packing and storing a 10 MB text's snapshot (nearly 300,000 spans) each
  // take tens of milliseconds: in tasks of their own. Safe to yield: every
  // caller is inside `serial`.
  if (spanCount(annotations) > BIG_SNAPSHOT) await nextTask();
  const labels = JSON.parse(state.core.labelsJson());
  try {
    await state.store.write({
      labels,
      annotations: [annotations],
      documents: withDocument ? [doc] : undefined,
      current: doc.id,
      expectHead: state.logHead,
    });
  } catch (e) {
    if (e && e.name === 'ConflictError' && !retried) {
      await openDocument(state.docId, { force: true, compact: false });
      if (reapply) reapply();
      return persistAndDraw({ withDocument, reapply }, true);
    }
    await reopenSaved();
    throw new Error(`Could not save (${e && e.message ? e.message.replace(/\.$/, "") : e}). The last saved state is shown.`);
  }
  state.unsnapshotted = 0;
  state.logHead = 0;
  announce(doc.id);
  state.docs.update(doc.id, {
    status: doc.status,
    count: spanCount(annotations),
    name: doc.meta && typeof doc.meta.name === 'string' ? doc.meta.name : doc.id,
  });
  refreshProgress();
  refreshLabels();
  draw();
  clearError();
}

// `force` reopens the open document from storage; `compact` folds a logged
// tail into a new snapshot (skipped when reopening after a failed write).
async function openDocument(id, { force = false, compact = true } = {}) {
  if (state.docId !== id && !force) await flush();
  const doc = await state.store.document(id);
  if (!doc) throw new Error(`No document with id ${JSON.stringify(id)}`);
  const ann = await state.store.annotations(id);
  const docJson = JSON.stringify({ id: doc.id, text: doc.text, meta: doc.meta, status: doc.status });
  const owed = !ann || ann.preannotated === false;
  const long = doc.text.length > LONG_TEXT;
  cancelJob();
  state.owed = owed && long;
  openRecord(state.core, docJson, ann, owed && !long);
  const { entries: log, head } = ann ? await state.store.editsFor(id) : { entries: [], head: 0 };
  if (log.length) state.core.replay(JSON.stringify(log));
  // Saved before the rules last changed: the current rules' suggestions now.
  const stale = Boolean(ann) && (ann.rules ?? '') !== state.core.rulesVersion() && state.core.applyRules();
  // a document nobody has touched shows what the model learned since
  const resuggested = !state.owed && state.core.learnedDocs() > 0 && state.core.resuggestUntouched();
  state.unsnapshotted = log.length;
  state.logHead = head;
  state.docId = id;
  state.text = doc.text;
  state.pending = null;
  state.selected = null;
  $('doc-name').textContent = (doc.meta && typeof doc.meta.name === 'string') ? doc.meta.name : doc.id;
  state.docs.setCurrent(id);
  refreshMatches();
  refreshLabels();
  draw(true);
  prepareTokens();
  if (compact && (!ann || log.length || stale || resuggested)) {
    // First opening: store the pre-annotation so a reload shows the same;
    // after a replay, fold the log into a new snapshot. Neither is needed
    // for what is saved to stay saved, so a failure here only shows.
    try {
      await persistAndDraw();
    } catch (e) {
      report(e);
    }
  }
  if (state.owed) preannotateInWorker().catch(report);
}

// ---- edits -------------------------------------------------------------

const SNAPSHOT_EVERY = 100; // edit-log entries between snapshots

// Writes one edit as an edit-log entry (a few hundred bytes, whatever the
// document's size), then draws; every SNAPSHOT_EVERY edits, a snapshot.
async function persistEdit() {
  const entry = state.core.lastLogEntry();
  if (!entry || state.unsnapshotted + 1 >= SNAPSHOT_EVERY) {
    // A snapshot serialises every span: let the edit's frame show first
    // (a hidden tab gets no frames, hence the timeout).
    await new Promise((resolve) => {
      requestAnimationFrame(() => setTimeout(resolve, 0)); // after the paint
      setTimeout(resolve, 50);
    });
    return persistAndDraw({ reapply: entry ? () => state.core.replay(`[${entry}]`) : null });
  }
  try {
    state.logHead = await state.store.write({
      edit: { docId: state.docId, entry: JSON.parse(entry) },
      labels: JSON.parse(state.core.labelsJson()),
      current: state.docId,
    });
  } catch (e) {
    await reopenSaved();
    throw new Error(`Could not save (${e && e.message ? e.message.replace(/\.$/, "") : e}). The last saved state is shown.`);
  }
  announce(state.docId);
  state.unsnapshotted += 1;
  state.docs.update(state.docId, { count: state.core.spanCount() });
  refreshLabels();
  draw();
  clearError();
}

// After a failed write: show what storage holds (a document never saved at
// all is closed, and the last one saved is shown instead).
async function reopenSaved() {
  const id = (await state.store.document(state.docId)) ? state.docId : await state.store.current();
  if (id && await state.store.document(id)) await openDocument(id, { force: true, compact: false });
}

// Writes a snapshot of the open document if edits were logged since the
// last one, so that readers of the annotations store see every edit.
async function flush() {
  if (state.docId && state.unsnapshotted > 0) await persistAndDraw();
}

function edit(apply) {
  return serial(async () => {
    if (!state.docId) throw new Error('No document is open');
    const changed = apply();
    if (changed) await commitEdit();
    else clearError();
    return changed;
  });
}

async function labelWith(name) {
  if (state.pending) {
    const { start, end } = state.pending;
    await edit(() => state.core.add(start, end, name));
    state.pending = null;
    state.selected = { start, end };
    draw();
    window.getSelection().removeAllRanges();
  } else if (state.selected) {
    const { start, end } = state.selected;
    await edit(() => state.core.relabel(start, end, name));
  }
}

function report(e) {
  if (state.broken) return; // the panic message stays
  showError(e && e.message ? e.message : String(e));
}

// The core calls this when it panics (a bug). Its memory can no longer be
// trusted, so nothing more is asked of it; what was saved stays saved, and a
// reload starts a fresh core on it.
globalThis.spanmarkPanic = (message) => {
  state.broken = message;
  showError(`Internal error in the annotator core: ${message}. Your saved work is safe; reload the page to continue.`);
};

// ---- mouse ---------------------------------------------------------------

docEl.addEventListener('mouseup', () => {
  const sel = window.getSelection();
  if (!sel.rangeCount) return;
  const range = sel.getRangeAt(0);
  if (!docEl.contains(range.startContainer) || !docEl.contains(range.endContainer)) return;
  if (range.collapsed) return; // a plain click: handled by 'click'
  const a = offsetIn(docEl, range.startContainer, range.startOffset);
  const b = offsetIn(docEl, range.endContainer, range.endOffset);
  if (a === null || b === null) return;
  const snapped = state.core.snap(a, b);
  if (!snapped) {
    state.pending = null;
    return;
  }
  state.pending = { start: snapped[0], end: snapped[1] };
  state.selected = null;
  showSelection(docEl, state.core.charToUtf16(snapped[0]), state.core.charToUtf16(snapped[1]));
  status(`selected ${snapped[0]}–${snapped[1]}: press a label key`);
});

docEl.addEventListener('click', (event) => {
  const sel = window.getSelection();
  if (sel.rangeCount && !sel.getRangeAt(0).collapsed) return;
  const mark = event.target.closest && event.target.closest('mark.span');
  state.pending = null;
  state.selected = mark ? { start: Number(mark.dataset.start), end: Number(mark.dataset.end) } : null;
  draw();
  status(mark ? `${mark.dataset.label} ${mark.dataset.source === 'user' ? '' : '(suggestion) '}selected` : '');
});

// ---- keyboard --------------------------------------------------------------

function inTextInput(target) {
  return target && (target.tagName === 'TEXTAREA' || target.tagName === 'SELECT' ||
    (target.tagName === 'INPUT' && target.type !== 'file' && target.type !== 'button') ||
    target.isContentEditable);
}

function selectNeighbour(backwards) {
  const from = state.selected ? state.selected.start : (backwards ? Number.MAX_SAFE_INTEGER : -1);
  const next = state.core.neighbourSpan(from, backwards);
  if (!next) return;
  state.selected = { start: next[0], end: next[1] };
  state.pending = null;
  reveal(next[0]);
  draw();
  const el = spanElement(docEl, next[0], next[1]);
  if (el) el.scrollIntoView({ block: 'nearest' });
}

function showPending() {
  const { start, end } = state.pending;
  reveal(start);
  showSelection(docEl, state.core.charToUtf16(start), state.core.charToUtf16(end));
  status(`selected ${start}–${end}: press a label key`);
}

// A one-token selection moved through the text from the keyboard.
function moveCursor(backwards) {
  const from = state.pending ? state.pending.start : (state.selected ? state.selected.start : -1);
  const next = state.core.nextToken(from, backwards);
  if (!next) return;
  state.pending = { start: next[0], end: next[1] };
  if (state.selected) { state.selected = null; draw(); }
  showPending();
}

// Moves one edge of the selected span (an edit) or of the pending selection
// by a token; returns the edit to run, if any.
function stepEdge(edge, grow) {
  const target = state.selected || state.pending;
  if (!target) {
    moveCursor(false);
    return null;
  }
  const next = state.core.stepEdge(target.start, target.end, edge, grow);
  if (!next) return null;
  if (state.pending) {
    state.pending = { start: next[0], end: next[1] };
    showPending();
    return null;
  }
  const { start, end } = target;
  state.selected = { start: next[0], end: next[1] };
  return () => edit(() => state.core.resize(start, end, next[0], next[1]));
}

document.addEventListener('keydown', (event) => {
  try {
    onKey(event);
  } catch (e) {
    report(e);
  }
});

function onKey(event) {
  if (inTextInput(event.target)) return;
  const ctrl = event.ctrlKey || event.metaKey;
  const key = event.key;
  let action = null;
  if (ctrl && (key === 'z' || key === 'Z')) {
    action = () => edit(() => (event.shiftKey ? state.core.redo() : state.core.undo()));
  } else if (ctrl && (key === 'y' || key === 'Y')) {
    action = () => edit(() => state.core.redo());
  } else if (ctrl || (event.altKey && !event.shiftKey)) {
    return;
  } else if (key === 'Delete' || key === 'Backspace') {
    if (state.selected) {
      const { start, end } = state.selected;
      state.selected = null;
      action = () => edit(() => state.core.remove(start, end));
    }
  } else if (key === ']' || key === '[') {
    action = () => goNeighbour(key === '[');
  } else if (key === 'd') {
    action = () => setDone(JSON.parse(state.core.documentHeadJson()).status !== 'done');
  } else if (key === '/') {
    $('search').focus();
  } else if (key === 'n' || key === 'N') {
    action = () => nextMatch(key === 'N');
  } else if (key === 'Escape') {
    state.pending = null;
    state.selected = null;
    window.getSelection().removeAllRanges();
    draw();
  } else if (key === 'A' && event.shiftKey) {
    action = () => edit(() => state.core.acceptAll());
  } else if ((key === 'a' || key === 'Enter') && state.selected) {
    const { start, end } = state.selected;
    action = () => edit(() => state.core.accept(start, end));
  } else if (key === 'x' && state.selected) {
    const { start, end } = state.selected;
    state.selected = null;
    action = () => edit(() => state.core.reject(start, end));
  } else if ((key === 'e' || key === 'E') && state.selected) {
    const { start, end } = state.selected;
    action = () => features.occurrences.labelEvery(start, end, { project: key === 'E' });
  } else if ((key === 'ArrowRight' || key === 'ArrowLeft') && event.shiftKey) {
    action = stepEdge(event.altKey ? 'start' : 'end', (key === 'ArrowRight') !== event.altKey);
  } else if (key === '.' || key === ',') {
    moveCursor(key === ',');
  } else if (key === 'ArrowRight' || key === 'j') {
    selectNeighbour(false);
  } else if (key === 'ArrowLeft' || key === 'k') {
    selectNeighbour(true);
  } else {
    const label = state.core.labelForKey(key);
    if (label && (state.pending || state.selected)) action = () => labelWith(label);
    else return;
  }
  event.preventDefault();
  if (action) action().catch(report);
}

// ---- documents and files ---------------------------------------------------

// Opens a new document; resolves once it is pre-annotated, drawn and saved.
// `taken`: the ids in the project when the caller has just read them (the
// first start, which knows the project is empty), saving a read.
async function loadText(text, opts = {}, taken = null) {
  if (typeof text !== 'string') throw new Error('load(text): text must be a string');
  const long = text.length > LONG_TEXT;
  let working = null; // a long text's worker: resolves once its suggestions are saved
  const id = await serial(async () => {
    await flush();
    const ids = taken ?? await state.store.documentIds();
    const id = Annotator.uniqueId(opts.id != null ? String(opts.id) : `doc-${ids.length + 1}`, JSON.stringify(ids));
    const meta = opts.name != null ? { name: String(opts.name) } : {};
    cancelJob();
    state.owed = long;
    performance.mark('spanmark:load-start');
    state.core.openText(id, text, JSON.stringify(meta), !long);
    state.docId = id;
    state.text = text;
    state.pending = null;
    state.selected = null;
    $('doc-name').textContent = opts.name != null ? String(opts.name) : id;
    state.docs.setCurrent(id);
    refreshLabels();
    performance.mark('spanmark:load-annotated');
    draw(true);
    performance.mark('spanmark:load-drawn');
    prepareTokens();
    if (long) {
      // The worker stores the text, then pre-annotates; the rest of the
      // record (no spans yet), the current document and the labels follow
      // here once the text is durable, so no record ever lacks its document.
      let settle;
      const stored = new Promise((resolve) => { settle = resolve; });
      const doc = JSON.parse(state.core.documentHeadJson());
      working = preannotateInWorker({ storeDoc: doc, stored: { settle } });
      working.catch(() => {}); // awaited after `serial`, or moot if storing fails
      const m = await stored;
      if (m.stored) {
        await persistAndDraw();
      } else if (m.cancelled) {
        await persistAndDraw({ withDocument: true });
      } else {
        cancelJob();
        await reopenSaved();
        throw new Error(`Could not save (${m.error}). The last saved state is shown.`);
      }
    } else {
      await persistAndDraw({ withDocument: true });
    }
    performance.mark('spanmark:load-saved');
    return id;
  });
  if (working) await working;
  return id;
}

async function importText(name, content) {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : new Uint8Array(content);
  return importParsed((taken, labels) => coreImport(String(name), bytes, taken, labels));
}

// Stores what the core made of one or more files (`parse` gets the taken ids
// and the labels as JSON) and opens the first new document.
async function importParsed(parse) {
  return serial(async () => {
    const taken = await state.store.documentIds();
    let parsed;
    try {
      parsed = JSON.parse(parse(JSON.stringify(taken), state.core.labelsJson()));
    } catch (e) {
      throw new Error(e && e.message ? e.message : String(e));
    }
    const docs = parsed.documents;
    const annotations = docs.filter((d) => d.spans && d.spans.length)
      .map((d) => ({ docId: d.id, spans: d.spans, history: { done: [], undone: [] } }));
    await state.store.write({
      labels: parsed.labels,
      documents: docs,
      annotations,
      current: docs.length ? docs[0].id : state.docId,
    });
    state.core.setLabelsJson(JSON.stringify(parsed.labels));
    await reloadList();
    if (docs.length) await openDocument(docs[0].id);
    clearError();
    if (parsed.warnings && parsed.warnings.length) status(parsed.warnings.join('; '));
    return docs.length;
  });
}

async function exportProject_(format, options) {
  return serial(async () => {
    await flush();
    const documents = await state.store.allDocuments();
    const labels = JSON.parse(state.core.labelsJson());
    const out = exportProject(String(format), JSON.stringify({ labels, documents }), options ? JSON.stringify(options) : '');
    clearError();
    return out;
  });
}

$('folder-input').addEventListener('change', async (event) => {
  const files = [...event.target.files];
  event.target.value = '';
  await importFiles(files);
});

$('file-input').addEventListener('change', async (event) => {
  const files = [...event.target.files];
  event.target.value = '';
  await importFiles(files);
});

async function importFiles(files) {
  let added = 0;
  let all = await readFiles(files);
  // brat pairs (.txt + .ann, e.g. a folder) are read together, as one set.
  if (all.some((f) => /\.ann$/i.test(f.name))) {
    const set = new FileSet();
    const rest = [];
    for (const f of all) {
      if (/\.(ann|txt|conf)$/i.test(f.name)) set.add(f.name, f.bytes);
      else rest.push(f);
    }
    try {
      added += await importParsed((taken, labels) => importBrat(set, taken, labels));
    } catch (e) {
      report(e);
      return;
    } finally {
      set.free();
    }
    all = rest;
  }
  for (const { name, bytes } of all) {
    try {
      added += await importText(name, bytes);
    } catch (e) {
      report(e);
      return;
    }
  }
  status(`${added} document${added === 1 ? '' : 's'} added`);
}

document.addEventListener('dragover', (e) => { e.preventDefault(); });
document.addEventListener('drop', (e) => {
  e.preventDefault();
  if (e.dataTransfer && e.dataTransfer.files.length) importFiles([...e.dataTransfer.files]);
});

$('paste-open').addEventListener('click', () => {
  $('paste-panel').hidden = false;
  $('paste-text').focus();
});
$('paste-cancel').addEventListener('click', () => { $('paste-panel').hidden = true; });
$('paste-go').addEventListener('click', () => {
  const text = $('paste-text').value;
  if (!text) return;
  loadText(text, { name: 'Pasted text' }).then(() => {
    $('paste-panel').hidden = true;
    $('paste-text').value = '';
  }).catch(report);
});


// ---- documents, search ----------------------------------------------------

function goTo(id) {
  return serial(async () => {
    if (id && id !== state.docId) await openDocument(id);
    clearError();
  });
}

function goNeighbour(backwards) {
  const id = state.docs.neighbour(backwards);
  if (id) return goTo(id);
  status(backwards ? 'this is the first document' : 'this is the last document');
  return Promise.resolve();
}

function setDone(done) {
  return serial(async () => {
    state.core.setDone(done);
    await persistAndDraw({ withDocument: true });
    status(done ? 'marked done' : 'marked to do');
    if (done) await state.learning.learnFromOpen();
  });
}

function refreshMatches() {
  state.matches = state.finder && state.docId ? state.core.find(state.finder) : [];
  state.match = -1;
  highlightMatches(docEl, state.matches);
  const n = state.matches.length / 4;
  if (state.finder) $('search-info').textContent = `${n} in this document`;
}

let searchTimer = null;
function onSearchInput() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => runSearch().catch(report), 150);
}

async function runSearch() {
  const q = $('search').value;
  if (state.finder) state.finder.free();
  state.finder = q ? new Finder(q, true, false) : null;
  if (!state.finder) {
    state.docs.setHits(null);
    refreshMatches();
    $('search-info').textContent = '';
    return;
  }
  const hits = new Map();
  let total = 0;
  await state.store.eachText((id, text) => {
    const n = state.finder.count(text);
    if (n) { hits.set(id, n); total += n; }
  });
  state.docs.setHits(hits);
  refreshMatches();
  $('search-info').textContent = `${state.matches.length / 4} here, ${total} in ${hits.size} document${hits.size === 1 ? '' : 's'}`;
}

// Jumps to the next match (in this document, then the next documents that
// have one) and makes it the selection, ready for a label key.
async function nextMatch(backwards) {
  if (!state.finder) return;
  const n = state.matches.length / 4;
  const j = state.match + (backwards ? -1 : 1);
  if (j < 0 || j >= n) {
    const id = state.docs.neighbour(backwards);
    if (!id) return;
    await goTo(id);
    const m = state.matches.length / 4;
    if (!m) return;
    state.match = backwards ? m - 1 : 0;
  } else {
    state.match = j;
  }
  const i = state.match * 4;
  state.pending = { start: state.matches[i], end: state.matches[i + 1] };
  state.selected = null;
  docEl.focus();
  state.view.reveal(state.matches[i + 2]);
  showSelection(docEl, state.matches[i + 2], state.matches[i + 3]);
  const sel = window.getSelection();
  if (sel.rangeCount) {
    const el = sel.getRangeAt(0).startContainer.parentElement;
    if (el) el.scrollIntoView({ block: 'center' });
  }
  status(`match ${state.match + 1} of ${state.matches.length / 4}: press a label key`);
}

// ---- the label set ------------------------------------------------------------

// Carries a label rename (to non-empty) or deletion (to empty) into every
// stored document, in one durable write; returns what it changed, for undo.
async function relabelProject(from, to, { dryRun = false } = {}) {
  const records = await state.store.allAnnotations();
  let count = 0;
  const changed = [];
  for (const r of records) {
    const before = annotationsJson(r);
    const out = JSON.parse(relabelRecord(before, from, to));
    if (out.count || JSON.stringify(out.record.history) !== JSON.stringify(JSON.parse(before).history)) {
      count += out.count;
      changed.push({ before: r, after: withAnnotations(r, out.record) });
    }
  }
  return dryRun ? { count } : { count, changed };
}

async function applyLabelChange(from, to, coreCall) {
  return serial(async () => {
    await flush();
    const labelsBefore = state.core.labelsJson();
    const { count, changed } = await relabelProject(from, to);
    coreCall();
    await state.store.write({
      labels: JSON.parse(state.core.labelsJson()),
      annotations: changed.map((c) => c.after),
    });
    await openDocument(state.docId);
    await reloadList();
    return { count, undo: { labels: labelsBefore, records: changed.map((c) => c.before) } };
  });
}

const labelActions = {
  rename: (from, to) => applyLabelChange(from, to, () => state.core.renameLabel(from, to))
    .then(({ count }) => status(`renamed ${from} to ${to.trim()} (${count} span${count === 1 ? '' : 's'})`))
    .catch((e) => { report(e); refreshLabels(); }),
  remove: (name) => applyLabelChange(name, '', () => state.core.deleteLabel(name))
    .then(({ count, undo }) => {
      state.labelUndo = undo;
      $('label-undo').hidden = false;
      status(`deleted ${name} and ${count} span${count === 1 ? '' : 's'}`);
    })
    .catch(report),
  count: (name) => serial(async () => {
    await flush();
    return (await relabelProject(name, '', { dryRun: true })).count;
  }),
  color: (name, color) => labelSetEdit(() => state.core.setLabelColor(name, color)),
  key: (name, key) => labelSetEdit(() => state.core.setLabelKey(name, key)),
  add: (name) => labelSetEdit(() => state.core.addLabel(name)),
};

function labelSetEdit(apply) {
  return serial(async () => {
    apply();
    await state.store.write({ labels: JSON.parse(state.core.labelsJson()) });
    refreshLabels();
    state.view.redraw(state.labels, state.selected);
    clearError();
  }).catch((e) => { report(e); refreshLabels(); });
}

async function undoLabelDelete() {
  const undo = state.labelUndo;
  if (!undo) return;
  await serial(async () => {
    state.core.setLabelsJson(undo.labels);
    await state.store.write({ labels: JSON.parse(undo.labels), annotations: undo.records });
    state.labelUndo = null;
    $('label-undo').hidden = true;
    await openDocument(state.docId);
    await reloadList();
    status('label restored');
  });
}

// ---- export ----------------------------------------------------------------------

function exportOptions() {
  return JSON.stringify({
    offsets: $('export-offsets').value,
    scheme: $('export-scheme').value,
    onlyDone: $('export-only-done').checked,
    binary: true,
  });
}

async function downloadExport(format) {
  const documents = await serial(async () => {
    await flush();
    return state.store.allDocuments();
  });
  const labels = state.core.labelsJson();
  const project = JSON.stringify({ labels: JSON.parse(labels), documents });
  const options = exportOptions();
  const bytes = exportBytes(format, project, options);
  const type = format === 'spacy' || format === 'brat' ? 'application/octet-stream' : 'application/json';
  download(`project${exportExtension(format, options)}`, bytes, type);
  clearError();
}

// ---- start -------------------------------------------------------------------

function wireControls() {
  $('search').addEventListener('input', onSearchInput);
  $('search').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); nextMatch(e.shiftKey).catch(report); }
    if (e.key === 'Escape') { $('search').value = ''; onSearchInput(); docEl.focus(); }
  });
  $('filter').addEventListener('change', () => state.docs.setFilter($('filter').value));
  $('prev-doc').addEventListener('click', () => goNeighbour(true).catch(report));
  $('next-doc').addEventListener('click', () => goNeighbour(false).catch(report));
  $('mark-done').addEventListener('click', () => setDone(JSON.parse(state.core.documentHeadJson()).status !== 'done').catch(report));
  $('edit-labels').addEventListener('click', () => {
    $('label-editor').hidden = !$('label-editor').hidden;
    refreshLabels();
  });
  $('label-undo').addEventListener('click', () => undoLabelDelete().catch(report));
  $('job-cancel').addEventListener('click', () => { cancelJob(); status('pre-annotation cancelled'); });
  for (const b of document.querySelectorAll('button[id^="export-"]')) {
    const format = b.id.slice('export-'.length);
    b.addEventListener('click', () => downloadExport(format).catch(report));
  }
}

async function start() {
  const store = openStore(); // opens while the core compiles
  // A fresh profile opens the demo: fetched meanwhile too (1 kB, unused otherwise).
  const demo = fetch('demo.txt').then((r) => r.text());
  demo.catch(() => {});
  store.catch(() => {}); // reported where awaited
  // What the first screen needs from storage, asked for all at once as soon
  // as it opens (one round trip, not one per read after the core is built:
  // on a fresh profile the opening itself ends during the build).
  const stored = store.then((s) => Promise.all([s.labels(), s.summaries(), s.current(), s.documentCount()]));
  stored.catch(() => {});
  const mark = (name) => performance.mark(`spanmark:start-${name}`);
  await init();
  mark('wasm-ready');
  state.core = new Annotator();
  mark('annotator-built');
  state.store = await store;
  const [labels, summaries, current, documentCount] = await stored;
  mark('store-read');
  if (labels) state.core.setLabelsJson(JSON.stringify(labels));
  state.learning = await startLearning({
    core: state.core,
    store: state.store,
    serial,
    report,
    status,
    resuggest: async () => {
      if (state.docId && !state.owed && state.core.resuggestUntouched()) await persistAndDraw();
    },
  });
  const ctx = {
    state, serial, persistEdit, persistAndDraw, openDocument, flush, reloadList,
    draw, reveal, showPending, status, clearError, report, announce, workerSetup, takeWorker, LONG_TEXT,
  };
  features.rules = await wireRules(ctx);
  features.occurrences = wireOccurrences(ctx);
  features.project = wireProjectJob(ctx);
  state.docs = new DocList($('doc-list'), (id) => goTo(id).catch(report));
  state.view = new DocView(docEl);
  state.view.afterDraw = () => highlightMatches(docEl, state.matches);
  state.docs.set(summaries);
  refreshProgress();
  refreshLabels();
  wireControls();
  mark('wired');
  if (current && await state.store.document(current)) {
    await openDocument(current);
  } else if (documentCount > 0) {
    const [first] = await state.store.documentIds();
    await openDocument(first);
  } else {
    const text = await demo;
    mark('demo-fetched');
    await loadText(text, { id: 'demo', name: 'Demo: WHO signs vaccine deal' }, []);
  }
  mark('opened');

  const contract = {
    load: (text, opts) => loadText(text, opts || {}).then(() => undefined),
    importFile: (name, content) => importText(name, content),
    spans: () => JSON.parse(state.core.spansJson())
      .map(({ start, end, label, source }) => ({ start, end, label, source })),
    addSpan: (start, end, label) => edit(() => state.core.add(start, end, String(label))).then(() => undefined),
    removeSpan: (start, end) => serial(async () => {
      let changed = false;
      try { changed = state.core.remove(start, end); } catch { changed = false; }
      if (changed) await commitEdit();
      return changed;
    }),
    markDone: () => serial(async () => {
      state.core.setDone(true);
      await persistAndDraw({ withDocument: true });
      await state.learning.learnFromOpen();
    }),
    exportAs: (format, options) => exportProject_(format, options),
    // Beyond DESIGN.md: the open document's id, and a promise that resolves
    // once every edit made so far (by keys, mouse or calls) is saved and drawn.
    currentId: () => state.docId,
    idle: () => queue.then(() => undefined),
    // Online learning (README): documents the model has learned from, and
    // back to the shipped model.
    learnedDocs: () => state.learning.learnedDocs(),
    resetModel: () => state.learning.reset(),
    // Rules (rules.js) and every occurrence / inconsistencies (occurrences.js).
    ...features.rules.contract,
    ...features.occurrences.contract,
    ...features.project.contract,
    // For tests of the panic path only.
    panicForTests: () => panicForTests(),
  };
  // A failed call also shows its reason in #error, as a failed click would.
  for (const [name, fn] of Object.entries(contract)) {
    contract[name] = (...args) => {
      try {
        const out = fn(...args);
        return out instanceof Promise ? out.catch((e) => { report(e); throw e; }) : out;
      } catch (e) {
        report(e);
        throw e;
      }
    };
  }
  window.spanmark = Object.freeze(contract);
  resolveReady(contract);
  registerOffline();
  watchStorage();
  keepSpare();
}

start().catch((e) => {
  report(e);
  console.error(e);
});
