// The open document's life in the page: opening (new text or stored),
// edits stored before they show as done, other tabs' edits, and long texts
// pre-annotated by a worker. What to store, what owes suggestions and what
// to redraw are the core's decisions (src/session/); this module carries
// them out against IndexedDB and the view.

import { $, state, status, clearError, report, serial, nextTask, edited, opened as toldOpened, settingsChanged } from './page.js';
import { refreshLabels } from './labels.js';
import { refreshMatches } from './search.js';
import { setSuggesters } from './view.js';
import { refreshStructure, STRUCTURE } from './structure.js';

const SUGGESTION_SLICE = 8_192; // a worker's suggestions applied per task
const BIG_SNAPSHOT = 50_000; // spans: packed and stored in separate tasks
const TOKEN_PIECE = 32 * 1024; // bytes tokenized per task after opening
const RETRIES = 8; // writes tried again after another tab wrote first

export function refreshProgress() {
  const { done, total } = state.docs.progress();
  $('progress-bar').style.width = total ? `${(100 * done) / total}%` : '0';
  $('progress-text').textContent = `${done} / ${total} done`;
}

export async function reloadList() {
  showList(await state.store.summaries());
}

// Adds the lines of documents just stored (new, never opened: after the
// others in import order), without reading every document back: a first
// sync's 10,000 cost a quarter of a second.
export function appendToList(lines) {
  showList([...state.docs.all, ...lines]);
}

function showList(lines) {
  state.docs.set(state.listOrder ? state.listOrder(lines) : lines);
  state.docs.setCurrent(state.docId);
  refreshProgress();
}

// Draws what changed since the last drawing (only the blocks an edit
// touched; `patch` when the core already gave it), or everything after
// opening (`fresh`; `until`: the view's margin is drawn once this promise,
// the opening's save, has settled). Returns the elements of the blocks
// drawn again.
export function draw({ fresh = false, patch = null, until = null } = {}) {
  setSuggesters(state.core.suggesters());
  if (fresh) {
    state.relating = null; // a relation begun in another document ends there
    state.view.open(state.text, state.core.blocks(), (a, b) => state.core.spanTableIn(a, b), state.labels, state.selected, until);
    refreshStructure();
    return [];
  }
  const made = state.view.patch(patch ? Uint32Array.from(patch) : state.core.blockPatch(), state.labels, state.selected);
  state.view.select(state.selected);
  refreshStructure();
  return made;
}

// Brings code point offset `start` into view (drawing it if it was not).
export function reveal(start) {
  state.view.reveal(state.core.charToUtf16(start));
}

// ---- other tabs -------------------------------------------------------------

// Tabs on the same project tell each other what they saved; a tab showing
// that document reopens it from storage (snapshot plus every tab's logged
// edits), so its next edit builds on the other tab's. See store.js for the
// check that keeps a snapshot from dropping an edit it has not seen.
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('spanmark') : null;

// This tab's id: every edit names it, and undo takes back only its own
// (src/edit.rs). Kept across reloads of the tab (sessionStorage), and held
// as a Web Lock while the tab lives, so that a tab can tell which others
// are open: the steps of closed ones pass to it. A duplicated tab, which
// copies sessionStorage, finds the lock held and takes a new id.
const TAB_LOCK = 'spanmark-tab:';
let claiming = null;
let tabClaimed = false;
function newTabId() {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}
function claimTab() {
  if (!claiming) {
    claiming = (async () => {
      let id = sessionStorage.getItem('spanmark-tab') || newTabId();
      if (navigator.locks) {
        for (;;) {
          const held = await new Promise((resolve) => {
            navigator.locks.request(TAB_LOCK + id, { ifAvailable: true }, (lock) => {
              resolve(Boolean(lock));
              return lock ? new Promise(() => {}) : undefined; // held until the tab closes
            });
          });
          if (held) break;
          id = newTabId();
        }
      }
      sessionStorage.setItem('spanmark-tab', id);
      state.core.setTab(id);
      tabClaimed = true;
      return id;
    })();
  }
  return claiming;
}

// The ids of the tabs open now (this one included), or null when the
// browser cannot tell (then no tab's steps pass to another).
async function liveTabs() {
  await claimTab();
  if (!navigator.locks) return null;
  const { held } = await navigator.locks.query();
  return held.map((l) => l.name).filter((n) => n.startsWith(TAB_LOCK)).map((n) => n.slice(TAB_LOCK.length));
}

export function announce(docId) {
  if (channel) channel.postMessage({ docId });
}

if (channel) {
  channel.onmessage = ({ data }) => {
    serial(async () => {
      state.store?.othersWrote();
      if (!state.docId) return;
      if (data.docId === state.docId && !await state.store.document(state.docId)) {
        // Deleted there: the next one here (none: the list says so).
        const next = state.docs.besides(state.docId);
        state.docId = null;
        state.logHead = 0;
        if (next) await openDocument(next);
        status('the open document was deleted in another tab');
      } else if (data.docId === state.docId) {
        await openDocument(state.docId, { force: true });
      }
      await reloadList();
    }).catch(report);
  };
}

// ---- storing ----------------------------------------------------------------

function saveError(e) {
  return new Error(`Could not save (${e && e.message ? e.message.replace(/\.$/, '') : e}). The last saved state is shown.`);
}

// Writes the open document's record (and the labels, which an edit may have
// extended) durably, then draws. If the write fails, the page goes back to
// what storage holds, so that it never shows an edit that is not saved.
// `reapply` makes the change being saved again, should another tab have
// logged edits or stored a snapshot first: the document is then reopened
// with them, and the change made again on top (so both tabs' work is kept).
// `created`: the document is new; should another tab have stored one under
// its id meanwhile, the core gives it the next free id (as a duplicate id
// always got) and it is stored under that. `text`: the new document's text.
// `suggest`: pre-annotates a new document between the write of its text and
// that of its record, in the same transaction (the text is on its way to
// disk while the model works); its own failure is thrown as it is.
// `redraw: false` when the caller draws the document and its labels itself
// (a new one).
export async function persistAndDraw({ withDocument = false, created = false, text = state.text, suggest = null, reapply = null, redraw = true } = {}, tries = 0) {
  let head = null;
  let record = null;
  const outcome = () => {
    head = state.core.head();
    record = state.core.record();
    return { labels: state.core.labels(), annotations: [record], current: head.id };
  };
  let recognizing = false;
  let writes;
  if (suggest) {
    writes = {
      more: () => {
        recognizing = true;
        suggest();
        recognizing = false;
        return outcome();
      },
    };
  } else {
    writes = outcome();
    // Packing and storing a 10 MB text's snapshot (nearly 300,000 spans)
    // each take tens of milliseconds: in tasks of their own. Safe to yield:
    // every caller is inside `serial`.
    if (record.count > BIG_SNAPSHOT) await nextTask();
  }
  try {
    await state.store.write({
      ...writes,
      documents: withDocument ? [{ ...(head ?? state.core.head()), text }] : undefined,
      newDocuments: created,
    });
  } catch (e) {
    if (recognizing) throw e;
    // Other tabs may keep writing meanwhile: a few tries, then the error.
    if (e && e.name === 'ConflictError' && tries < RETRIES) {
      await openDocument(state.docId, { force: true, compact: false });
      if (reapply) reapply();
      return persistAndDraw({ withDocument, text, reapply, redraw }, tries + 1);
    }
    // Pre-annotated already, should `suggest` have run.
    if (e && e.name === 'IdTakenError' && tries < RETRIES) {
      retakeId(await state.store.documentIds());
      return persistAndDraw({ withDocument, created, text, reapply, redraw }, tries + 1);
    }
    await reopenSaved();
    throw saveError(e);
  }
  saved(head, record.count, redraw);
}

// What a stored record changes on the page besides the document.
function saved(head, count, redraw) {
  state.logHead = 0;
  announce(head.id);
  state.docs.update(head.id, { name: head.name, status: head.status, count });
  refreshProgress();
  // Else the caller has just drawn the document and its labels.
  if (redraw) {
    refreshLabels();
    draw();
  }
  clearError();
}

// Stores one action's outcome: its edit-log entry (a few hundred bytes,
// whatever the document's size), or a snapshot when the core says so.
async function persistOutcome(out, action) {
  if (out.snapshot) {
    // A snapshot serialises every span: let the edit's frame show first
    // (a hidden tab gets no frames, hence the timeout).
    await new Promise((resolve) => {
      requestAnimationFrame(() => setTimeout(resolve, 0)); // after the paint
      setTimeout(resolve, 50);
    });
    const reapply = out.entry ? () => state.core.replay([out.entry]) : () => state.core.apply(action);
    return persistAndDraw({ withDocument: out.document, reapply });
  }
  try {
    state.logHead = await state.store.write({
      edit: { docId: state.docId, entry: out.entry },
      labels: out.labels ?? undefined,
      current: state.docId,
    });
    state.core.logged(state.logHead);
  } catch (e) {
    await reopenSaved();
    throw saveError(e);
  }
  announce(state.docId);
  state.docs.update(state.docId, { count: state.core.spanCount() });
  refreshLabels();
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
export async function flush() {
  if (state.docId && state.logHead) await persistAndDraw();
}

// Every stored record with its document's log since its last snapshot
// folded in, for a project-wide change (made to the record alone, it would
// be undone by the log replayed over it): `{record, plain}`, `plain` the
// same without what its write checks (for an undo to put back).
export async function foldedRecords() {
  const logs = await state.store.logsByDocument();
  const out = [];
  for (const stored of await state.store.allAnnotations()) {
    const log = logs.get(stored.docId);
    if (!log) {
      out.push({ record: stored, plain: stored });
      continue;
    }
    const record = state.core.foldLog(await state.store.document(stored.docId), stored, log);
    const { expect, ...plain } = record;
    out.push({ record, plain });
  }
  return out;
}

// A project-wide change (a label renamed or deleted) made to every stored
// record and to the core, written in one durable transaction, then the open
// document shown again from storage. `change(record)`: `{record, count}`,
// or null when it changes nothing; `apply()` changes the core and returns
// what else to write (`{labels}`, `{settings}`); `undo()` puts the core back
// should the write fail. Another tab's edit logged between the read and the
// write refuses it: it is then made again from what is stored. Resolves to
// how many things it touched and the records as they were (for an undo).
// Inside `serial`.
export async function changeEveryRecord({ change, apply, undo }) {
  for (let tries = 1; ; tries += 1) {
    let count = 0;
    const changed = [];
    for (const { record, plain } of await foldedRecords()) {
      const out = change(record);
      if (!out) continue;
      count += out.count;
      changed.push({ before: plain, after: out.record });
    }
    const also = apply();
    try {
      await state.store.write({ ...also, annotations: changed.map((c) => c.after) });
    } catch (e) {
      // Nothing was stored: neither is anything shown.
      undo();
      await openDocument(state.docId);
      if (e && e.name === 'ConflictError' && tries < RETRIES) continue;
      throw e;
    }
    await openDocument(state.docId);
    return { count, before: changed.map((c) => c.before) };
  }
}

// ---- edits ------------------------------------------------------------------

// One user action on the open document, as the core names it
// (`{op: 'add', start, end, label}`, ...): applied, drawn at once with its
// blocks marked unsaved, and resolved with the core's outcome once it is
// durable (only then is the edit done).
export function act(action) {
  return serial(async () => {
    if (!state.docId) throw new Error('No document is open');
    const out = state.core.apply(action);
    if (out.labels) state.labels = out.labels;
    if (!out.changed) {
      clearError();
      if (out.status) status(out.status);
      return out;
    }
    performance.mark('spanmark:edit-applied');
    // The write is sent before the drawing: storage commits it while the
    // page draws (an edit's durable time is then the longer of the two, not
    // their sum).
    const persisted = Promise.all([
      persistOutcome(out, action),
      out.structure && state.store.putSetting(STRUCTURE, out.structure),
    ]);
    persisted.catch(() => {}); // awaited below; never an unhandled rejection
    try {
      state.selected = out.select ? { start: out.select[0], end: out.select[1] } : null;
      if (out.place != null) state.place = out.place;
      state.view.markUnsaved(draw({ patch: out.patch }));
      // Review moves on (the next suggestion is selected) and an undo may
      // change what is off screen: either is brought into view, the scroll
      // kept when it is already there.
      const at = out.select ? out.select[0] : out.reveal;
      if (at != null) reveal(at);
      performance.measure('spanmark:edit-drawn', 'spanmark:edit-applied');
      await persisted;
    } finally {
      // Saved, or (on failure) the saved state is shown again.
      state.view.saved();
    }
    performance.measure('spanmark:edit-durable', 'spanmark:edit-applied');
    status(out.status);
    edited();
    if (out.structure) settingsChanged();
    return out;
  });
}

// ---- opening ----------------------------------------------------------------

// A long document's tokens (for snapping selections) are found a piece at a
// time after it opens, between frames; an answer that needs them sooner
// finds the rest at once.
let tokenRun = 0;
function prepareTokens() {
  const run = ++tokenRun;
  const step = () => {
    if (run !== tokenRun || state.broken) return;
    if (!state.core.prepareTokens(TOKEN_PIECE)) setTimeout(step, 0);
  };
  setTimeout(step, 0);
}

// Shows the document the core has just opened.
function shown(opened, text, saving = null) {
  state.docId = opened.id;
  state.text = text;
  state.pending = null;
  state.selected = null;
  state.place = null;
  $('doc-name').textContent = opened.name;
  state.docs.setCurrent(opened.id);
  refreshMatches();
  refreshLabels();
  draw({ fresh: true, until: saving });
  prepareTokens();
  // A newer model's suggestions never replace the old ones silently.
  if (opened.renewed) status(opened.renewed);
  toldOpened();
}

// Opens a stored document (`force`: again, from storage); `compact` lets it
// store what the core decided to store on opening (skipped when reopening
// after a failed write). Resolves to what a newer model renewed, in words
// (or null), for a caller that says more in the status.
export async function openDocument(id, { force = false, compact = true } = {}) {
  if (state.docId !== id && !force) await flush();
  const doc = await state.store.document(id);
  if (!doc) throw new Error(`No document with id ${JSON.stringify(id)}`);
  const record = await state.store.annotations(id);
  const { entries: log, head } = record ? await state.store.editsFor(id) : { entries: [], head: 0 };
  const live = await liveTabs();
  cancelJob();
  const opened = state.core.openStored(doc, record ?? null, log, live);
  state.logHead = head;
  shown(opened, doc.text);
  if (compact && opened.snapshot) {
    // Neither is needed for what is saved to stay saved, so a failure here
    // only shows.
    try {
      await persistAndDraw();
    } catch (e) {
      report(e);
    }
  }
  if (opened.owed) preannotateInWorker().catch(report);
  return opened.renewed ?? null;
}

// A new text opened in the core (pre-annotated) before `loadText` is
// called with it, for app.js's first visit: the demo is annotated while
// the page still waits to hear whether the profile is new.
export function openAhead(text, opts, taken) {
  performance.mark('spanmark:load-start');
  let opened = state.core.openNew(opts.id != null ? String(opts.id) : null, taken, text, metaOf(opts));
  if (!opened.owed) opened = state.core.suggestNew();
  performance.mark('spanmark:load-annotated');
  return { text, opened };
}

const metaOf = (opts) => (opts.name != null ? { name: String(opts.name) } : {});

// Draws what `openAhead` opened before anything is stored (a first visit's
// demo, while the browser has yet to say whether the profile is new):
// `loadText` with it then stores it without drawing it again.
export function showAhead(ahead) {
  shown(ahead.opened, ahead.text);
  performance.mark('spanmark:load-drawn');
  ahead.shown = true;
}

// Opens a new document; resolves once it is pre-annotated, drawn and saved.
// `taken`: the ids in the project when the caller has just read them (the
// first start, which knows the project is empty); else the list's, which the
// write checks against storage. `ahead`: what `openAhead` opened for this
// text, if nothing was opened since.
export async function loadText(text, opts = {}, taken = null, ahead = null) {
  if (typeof text !== 'string') throw new Error('load(text): text must be a string');
  let working = null; // a long text's worker: resolves once its suggestions are saved
  const id = await serial(async () => {
    // The tab's id is asked for now and needed only by the first write: the
    // lock's round trip (tens of ms in a fresh profile) is not waited for
    // before the text is annotated and drawn.
    const tab = claimTab();
    await flush();
    cancelJob();
    const early = ahead && ahead.text === text;
    let opened;
    let saving = null;
    if (early) {
      opened = ahead.opened;
    } else {
      performance.mark('spanmark:load-start');
      opened = state.core.openNew(opts.id != null ? String(opts.id) : null, taken ?? state.docs.all.map((d) => d.id), text, metaOf(opts));
      if (!opened.owed) {
        const suggest = () => { opened = state.core.suggestNew(); };
        // Not before the tab is known: the record's history names it.
        if (state.store && tabClaimed) {
          saving = persistAndDraw({ withDocument: true, created: true, text, suggest, redraw: false });
          saving.catch(() => {}); // awaited below
        } else {
          suggest();
        }
      }
      performance.mark('spanmark:load-annotated');
    }
    state.logHead = 0;
    if (!early || !ahead.shown) {
      shown(opened, text, saving);
      performance.mark('spanmark:load-drawn');
    }
    await tab;
    // A first visit shows the demo while the database is still being
    // created; it is stored once that is done.
    if (!state.store) state.store = await state.storeOpen;
    if (opened.owed) {
      // The worker stores the text, then pre-annotates; the rest of the
      // record (no spans yet), the current document and the labels follow
      // here once the text is durable, so no record ever lacks its document.
      let settle;
      const stored = new Promise((resolve) => { settle = resolve; });
      working = preannotateInWorker({ storeDoc: state.core.head(), stored: { settle } });
      working.catch(() => {}); // awaited after `serial`, or moot if storing fails
      const m = await stored;
      if (m.stored) {
        await persistAndDraw();
      } else if (m.cancelled) {
        await persistAndDraw({ withDocument: true, created: true });
      } else {
        cancelJob();
        await reopenSaved();
        throw saveError(new Error(m.error));
      }
    } else {
      await (saving ?? persistAndDraw({ withDocument: true, created: true, redraw: false }));
    }
    performance.mark('spanmark:load-saved');
    return state.docId;
  });
  if (working) await working;
  return id;
}

function retakeId(taken) {
  const opened = state.core.retakeId(taken);
  state.docId = opened.id;
  $('doc-name').textContent = opened.name;
  state.docs.setCurrent(opened.id);
}

// ---- pre-annotation of long texts, off the main thread ----------------------

let job = null;

export function cancelJob() {
  if (!job) return;
  job.worker.terminate();
  job.done(null);
  job = null;
  $('job').hidden = true;
}

// A pre-annotation worker started ahead, once the page is ready, so that a
// job finds the core compiled and waiting (a new worker spends some hundred
// milliseconds on that before it can start); each job takes it and another
// is started for the next.
let spare = null;
const newWorker = () => new Worker('preannotate-worker.js', { type: 'module' });
export function keepSpare() {
  setTimeout(() => { if (!spare) spare = newWorker(); }, 1000);
}
export function takeWorker() {
  const worker = spare || newWorker();
  spare = null;
  keepSpare();
  return worker;
}

// What a pre-annotation worker suggests with: the learned model (bytes, to
// transfer), the project's label names (the table's label codes index
// them) and rules, and the rules' fingerprint for the records it writes.
export function workerSetup() {
  return {
    model: state.core.learnedModel(),
    labels: state.core.labels().map((l) => l.name),
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
        state.core.addSuggestions(table.subarray(5 * i, 5 * end), labelNames, i === 0, end === rows);
        draw();
        await nextTask();
        i = end;
      } while (i < rows);
      await persistAndDraw();
    });
  });
}
