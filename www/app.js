// The page's start-up and its automation contract (`window.spanmark`).
// Everything else has a module of its own: document.js (the open document:
// opening, edits, storing, long texts), navigate.js (moving between
// documents), keys.js (mouse and keyboard),
// labels.js, search.js, transfer.js (import and export), and the panels
// (rules.js, occurrences.js, learn.js, project-job.js). Decisions about
// text, offsets, labels and records are the core's (src/session/).

import { CORE_WASM } from './boot.js'; // first: it starts the core and the store
import init, { panicForTests, demoText, Annotator } from './pkg/spanmark.js';
import { goNeighbour, goTo, openReadable, renameDocument, setDone } from './navigate.js';
import { freshProfile, openStore } from './store.js';
import { $, state, status, clearError, report, serial, idle, showError } from './page.js';
import { DocView } from './docview.js';
import { DocList } from './doclist.js';
import {
  act, announce, cancelJob, draw, flush, keepSpare, loadText, openDocument, persistAndDraw, refreshProgress,
  openAhead, showAhead, reloadList, reveal, takeWorker, workerSetup,
} from './document.js';
import { refreshLabels, wireLabels } from './labels.js';
import { redrawMatches, wireSearch } from './search.js';
import { selectSpan, selectText, wireKeys } from './keys.js';
import { exportAs, importText, wireTransfer } from './transfer.js';
import { startLearning } from './learn.js';
import { wireRules } from './rules.js';
import { wireOccurrences } from './occurrences.js';
import { wireProjectJob } from './project-job.js';
import { registerOffline } from './offline.js';
import { watchStorage } from './storage.js';
import { wireHelp } from './help.js';
import { askToDelete, deleteDocument, wireDeletion } from './deletion.js';
import { JOURNAL_PREFIX, leftovers } from './journal.js';
import { notice, wireNotice } from './notice.js';
import { wireDrawers } from './drawer.js';
import { wireTeam } from './team.js';
import { wireAgreement } from './agreement.js';
import { drawStructure, wireStructure, STRUCTURE } from './structure.js';

const DEMO = { id: 'demo', name: 'Demo: WHO signs vaccine deal' };

// Whether this browser has opened the project before (a hint only: the
// database decides; storage may be refused).
const SEEN = 'spanmark-seen';
function seenBefore() {
  try {
    return localStorage.getItem(SEEN) !== null;
  } catch {
    return true;
  }
}
function markSeen() {
  try {
    localStorage.setItem(SEEN, '1');
  } catch { /* a hint only */ }
}

let resolveReady;
window.spanmarkReady = new Promise((resolve) => { resolveReady = resolve; });

// The core calls this when it panics (a bug). Its memory can no longer be
// trusted, so nothing more is asked of it; what was saved stays saved, and a
// reload starts a fresh core on it.
globalThis.spanmarkPanic = (message) => {
  state.broken = message;
  showError(`Internal error in the annotator core: ${message}. Your saved work is safe; reload the page to continue.`);
};

function wireControls(features) {
  $('filter').addEventListener('change', () => state.docs.setFilter($('filter').value));
  $('prev-doc').addEventListener('click', () => goNeighbour(true).catch(report));
  $('next-doc').addEventListener('click', () => goNeighbour(false).catch(report));
  $('mark-done').addEventListener('click', () => setDone(undefined, { moveOn: true }).catch(report));
  $('rename-doc').addEventListener('click', () => { if (state.docId) state.docs.rename(state.docId); });
  $('job-cancel').addEventListener('click', () => { cancelJob(); status('pre-annotation cancelled'); });
  // The file pickers are buttons (a hidden input's label is skipped by Tab).
  for (const b of document.querySelectorAll('[data-opens]')) b.addEventListener('click', () => $(b.dataset.opens).click());
  wireLabels();
  wireSearch(goTo);
  wireTransfer();
  wireDrawers();
  wireKeys({
    goNeighbour,
    goTo,
    toggleDone: () => setDone(undefined, { moveOn: true }),
    labelEvery: (start, end, opts) => features.occurrences.labelEvery(start, end, opts),
  });
}

async function start() {
  const fresh = freshProfile(); // asked before the opening creates the database
  const store = openStore(); // opens while the core compiles
  store.catch(() => {}); // reported where awaited
  // What the first screen needs from storage, asked for all at once as soon
  // as it opens (one round trip, not one per read after the core is built:
  // on a fresh profile the opening itself ends during the build).
  const stored = store.then((s) => Promise.all([s.labels(), s.summaries(), s.current(), s.documentCount(), s.settingsFrom(JOURNAL_PREFIX), s.setting(STRUCTURE)]));
  stored.catch(() => {});
  let known; // whether the profile is new, once the browser has said
  fresh.then((f) => { known = f; }, () => {});
  const mark = (name) => performance.mark(`spanmark:start-${name}`);
  // What needs no core is made while it compiles.
  state.storeOpen = store;
  state.docs = new DocList($('doc-list'), (id) => goTo(id).catch(report), (id, name) => renameDocument(id, name).catch((e) => {
    report(e);
    throw e;
  }), askToDelete);
  state.view = new DocView($('doc'));
  state.view.afterDraw = () => {
    redrawMatches();
    drawStructure();
  };
  state.view.warm();
  await init({ module_or_path: CORE_WASM });
  mark('wasm-ready');
  state.core = new Annotator();
  mark('annotator-built');
  // On a first visit there is nothing stored to wait for: the demo is
  // pre-annotated and drawn at once, and saved once the database exists
  // (creating it takes a few hundred milliseconds on a new profile). The
  // browser's answer to "is this profile new?" can itself take longer than
  // the annotation, so unless it has come the demo is annotated meanwhile
  // (for a returning visitor that is wasted while the store opens anyway,
  // and the document opened below takes its place in the core).
  const ahead = known === false ? null : openAhead(demoText(), DEMO, []);
  // A browser that has been here before says so at once (localStorage):
  // with no such word the demo is drawn now, not after the database's
  // answer (tens of ms more on a new profile); should the database say it
  // is not new after all, its document opens in the demo's place.
  if (ahead && known === undefined && !seenBefore()) showAhead(ahead);
  let first = null;
  const isFresh = await fresh;
  mark('fresh-known');
  if (isFresh) {
    state.docs.set([]);
    refreshLabels();
    first = loadText(demoText(), DEMO, [], ahead);
    first.catch(() => {}); // awaited below
  }
  state.store = await store;
  markSeen();
  const [labels, summaries, current, documentCount, journal, structure] = await stored;
  mark('store-read');
  wireNotice();
  // Before any document opens (opening one changes what is left to do).
  for (const message of await leftovers(state.store, journal)) notice(message);
  if (labels) state.core.setLabels(labels);
  if (structure) state.core.setStructure(structure);
  state.learning = await startLearning({
    core: state.core,
    store: state.store,
    serial,
    report,
    status,
    // Resolves to what the renewal changed, in words (or nothing).
    resuggest: async () => {
      const said = state.docId && !state.core.owed() ? state.core.resuggestUntouched() : null;
      if (said) await persistAndDraw();
      return said;
    },
  });
  // What the panels' modules use of the page.
  const ctx = {
    state, serial, persistAndDraw, openDocument, flush, reloadList, act,
    draw, reveal, selectSpan, selectText, status, clearError, report, announce, workerSetup, takeWorker,
  };
  const rules = await wireRules(ctx);
  const features = {
    team: wireTeam({ setRules: rules.contract.setRules }),
    rules,
    occurrences: wireOccurrences(ctx),
    structure: wireStructure(ctx),
    project: wireProjectJob(ctx),
  };
  if (!first) state.docs.set(summaries);
  refreshProgress();
  refreshLabels();
  wireControls(features);
  wireDeletion(() => [demoText(), DEMO, []]);
  wireAgreement({
    agreement: (labels) => features.team.agreementWithDifferences(labels),
    labels: () => state.core.labels().map((l) => l.name),
    names: (id) => state.docs.all.find((d) => d.id === id)?.name ?? id,
    open: (id) => goTo(id).catch(report),
    report,
  });
  wireHelp(state.store, isFresh).catch(report);
  mark('wired');
  if (first) {
    await first;
  } else if (current && await state.store.document(current) && await openReadable([current])) {
    // opened
  } else if (documentCount > 0) {
    await openReadable((await state.store.documentIds()).filter((id) => id !== current));
  } else {
    await loadText(demoText(), DEMO, []);
  }
  mark('opened');

  const contract = {
    load: (text, opts) => loadText(text, opts || {}).then(() => undefined),
    importFile: (name, content) => importText(name, content),
    spans: () => state.core.spans().map(({ start, end, label, source, id, note }) => (
      note == null ? { start, end, label, source, id } : { start, end, label, source, id, note })),
    addSpan: (start, end, label) => act({ op: 'add', start, end, label: String(label) }).then(() => undefined),
    // Removes every span at exactly these offsets; resolves to whether any was there.
    removeSpan: (start, end) => act({ op: 'remove', start, end }).then((out) => out.changed, () => false),
    markDone: () => setDone(true),
    // Deletes a document with its annotations (no question asked: the page's
    // Delete… asks); the next one opens if it was open.
    deleteDocument: (id) => deleteDocument(String(id)),
    // With `{annotator}` (a name or 'curated'): that person's record of the team project.
    exportAs: (format, options) => (options?.annotator ? features.team.exportFor(format, options) : exportAs(format, options)),
    // Beyond the README's core contract: the open document's id, and a promise that resolves
    // once every edit made so far (by keys, mouse or calls) is saved and drawn.
    currentId: () => state.docId,
    idle,
    // Online learning (README): documents the model has learned from, and
    // back to the shipped model.
    learnedDocs: () => state.learning.learnedDocs(),
    resetModel: () => state.learning.reset(),
    // Rules (rules.js) and every occurrence / inconsistencies (occurrences.js).
    // Team work (team.js): join, sync, syncState, whoami, annotationsOf, agreement.
    ...(({ exportFor, agreementWithDifferences, ...calls }) => calls)(features.team),
    openDocument: (id) => goTo(String(id)).then(() => undefined),
    ...features.rules.contract,
    ...features.occurrences.contract,
    ...features.project.contract,
    // Relations, document labels, notes, the overlap setting (structure.js).
    ...features.structure,
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
