// Search across the project: matches counted in every document (the list
// shows where), highlighted in the open one, and stepped through with
// `n`/`N` or Enter, each match becoming the selection, ready for a label
// key. The core finds the matches; this module draws them.

import { Finder } from './pkg/spanmark.js';
import { $, state, status, report } from './page.js';
import { highlightMatches, showSelection } from './view.js';

let finder = null; // the active search, if any
let matches = [];  // its matches in the open document, flat quadruples
let match = -1;    // the match last jumped to
let goTo = null;   // opens a document (app.js)

// The open document's matches, highlighted (after it opens or changes).
export function refreshMatches() {
  matches = finder && state.docId ? state.core.find(finder) : [];
  match = -1;
  highlightMatches($('doc'), matches);
  if (finder) $('search-info').textContent = `${matches.length / 4} in this document`;
}

// Draws the highlights again (after the view draws blocks).
export function redrawMatches() {
  highlightMatches($('doc'), matches);
}

let timer = null;
function onInput() {
  clearTimeout(timer);
  timer = setTimeout(() => run().catch(report), 150);
}

async function run() {
  const q = $('search').value;
  if (finder) finder.free();
  finder = q ? new Finder(q, true, false) : null;
  if (!finder) {
    state.docs.setHits(null);
    refreshMatches();
    $('search-info').textContent = '';
    return;
  }
  const hits = new Map();
  let total = 0;
  await state.store.eachText((id, text) => {
    const n = finder.count(text);
    if (n) { hits.set(id, n); total += n; }
  });
  state.docs.setHits(hits);
  refreshMatches();
  $('search-info').textContent = `${matches.length / 4} here, ${total} in ${hits.size} document${hits.size === 1 ? '' : 's'}`;
}

// Jumps to the next match (in this document, then the next documents that
// have one) and makes it the selection, ready for a label key.
export async function nextMatch(backwards) {
  if (!finder) return;
  const n = matches.length / 4;
  const j = match + (backwards ? -1 : 1);
  if (j < 0 || j >= n) {
    const id = state.docs.neighbour(backwards);
    if (!id) return;
    await goTo(id);
    const m = matches.length / 4;
    if (!m) return;
    match = backwards ? m - 1 : 0;
  } else {
    match = j;
  }
  const i = match * 4;
  state.pending = { start: matches[i], end: matches[i + 1] };
  state.selected = null;
  const docEl = $('doc');
  docEl.focus();
  state.view.reveal(matches[i + 2]);
  showSelection(docEl, matches[i + 2], matches[i + 3]);
  const sel = window.getSelection();
  if (sel.rangeCount) {
    const el = sel.getRangeAt(0).startContainer.parentElement;
    if (el) el.scrollIntoView({ block: 'center' });
  }
  status(`match ${match + 1} of ${matches.length / 4}: press a label key`);
}

export function wireSearch(open) {
  goTo = open;
  $('search').addEventListener('input', onInput);
  $('search').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); nextMatch(e.shiftKey).catch(report); }
    if (e.key === 'Escape') { $('search').value = ''; onInput(); $('doc').focus(); }
  });
}
