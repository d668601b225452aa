// What every page module shares: the page's state, the status line and the
// error line. The state is the page's, not the document's: the open
// document itself lives in the core (src/session/).

export const $ = (id) => document.getElementById(id);

export const state = {
  core: null,      // the wasm Annotator (the session)
  store: null,     // storage (store.js), once open
  storeOpen: null, // the promise of it, while it opens
  docId: null,     // the open document's id
  text: '',        // its text (the page's copy: the core does not send megabytes back)
  labels: [],      // [{name, color, key}] as the core holds them
  pending: null,   // a snapped selection {start, end} in code points
  selected: null,  // a clicked span {start, end}
  place: null,     // where review stands (code point) when nothing is selected
  docs: null,      // the document list (DocList)
  view: null,      // the document view (DocView)
  logHead: 0,      // seq of the last edit-log entry this tab has seen
  broken: null,    // the core's panic message, once it has panicked
  learning: null,  // the learned model's page side (learn.js)
  listOrder: null, // a team project's order of the list's lines (her queue first), or null
  relations: [],   // the open document's relations, as last drawn (structure.js)
  structure: null, // the project's overlap setting, relation and document labels
  relating: null,  // {from: span id} while a relation is being made by keyboard
};

// The project's documents as the list holds them (its order, their status),
// for the core's choices of where review and marking done go next.
export function listed() {
  return state.docs.all.map(({ id, name, status: s }) => ({ id, name, status: s }));
}

export function showError(message) {
  $('error').textContent = message;
}

export function clearError() {
  $('error').textContent = '';
}

export function status(message) {
  $('status').textContent = message;
}

// A status that also carries what opening a document said (a newer model's
// renewed suggestions), so moving on does not hide it.
export function statusWith(message, renewed) {
  status(renewed ? `${message}; ${renewed}` : message);
}

export function report(e) {
  if (state.broken) return; // the panic message stays
  showError(e && e.message ? e.message : String(e));
}

// Every change to the project goes through this queue, one at a time, so
// that writes reach storage in the order they were made.
let queue = Promise.resolve();
export function serial(task) {
  const run = queue.then(() => {
    if (state.broken) throw new Error('The annotator core stopped on an internal error; reload the page to continue.');
    return task();
  });
  queue = run.catch(() => {});
  return run;
}

// Handlers that read a picked or dropped file before they queue a change:
// idle() waits for them too, or it could answer before the change is queued.
const reading = new Set();
export function readsFirst(handler) {
  return (...args) => {
    const run = Promise.resolve(handler(...args));
    reading.add(run);
    run.catch(() => {}).finally(() => reading.delete(run));
    return run;
  };
}

// Resolves once every change queued so far is done, and what those queued
// in turn (marking done, then moving on to the next document).
export async function idle() {
  let seen;
  do {
    await Promise.allSettled([...reading]);
    seen = queue;
    await seen;
  } while (seen !== queue || reading.size);
}

// Who wants to know that the project's spans changed (an open panel that
// lists them), told after every edit is durable.
const editWatchers = new Set();
export function onEdited(fn) {
  editWatchers.add(fn);
}
export function edited() {
  for (const fn of editWatchers) fn();
}

// Who wants to know that the project's label set or rules changed (a team
// curator's page sends them to the team), told once they are stored.
const settingWatchers = new Set();
export function onSettingsChanged(fn) {
  settingWatchers.add(fn);
}
export function settingsChanged() {
  for (const fn of settingWatchers) fn();
}

// Who has a say in a document's name and existence (a team: a project's
// documents are named and deleted by its curators, and a curator's change
// goes to the project): `check(kind, id)` may refuse one before it is
// stored (by throwing), `done(kind, doc)` hears of it once stored; `kind`
// is 'rename' or 'delete'.
const documentWatchers = new Set();
export function onDocumentChange(watcher) {
  documentWatchers.add(watcher);
}
export function checkDocumentChange(kind, id) {
  for (const w of documentWatchers) w.check(kind, id);
}
export function documentChanged(kind, doc) {
  for (const w of documentWatchers) w.done(kind, doc);
}

// Who wants to know that a document was opened (or opened again).
const openWatchers = new Set();
export function onOpened(fn) {
  openWatchers.add(fn);
}
export function opened() {
  for (const fn of openWatchers) fn();
}

export const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));
