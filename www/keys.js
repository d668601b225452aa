// Mouse and keyboard on the document: selections snapped to tokens by the
// core, spans picked, reviewed and edited from the keyboard. Each key
// becomes one action for the core (document.js `act`).

import { $, state, status, statusWith, report, serial, listed } from './page.js';
import { offsetIn, showSelection, spanElement, spanOf } from './view.js';
import { act, draw, reveal } from './document.js';
import { labelWith } from './labels.js';
import { nextMatch } from './search.js';
import { openHelp } from './help.js';
import { docLabelByDigit, openNotes, relationKey, startRelation } from './structure.js';

let nav = null; // {goNeighbour, goTo, toggleDone, labelEvery} from app.js

function showPending() {
  const { start, end } = state.pending;
  reveal(start);
  showSelection($('doc'), state.core.charToUtf16(start), state.core.charToUtf16(end));
  status(state.core.describeSelection(start, end));
}

// Where keyboard moves start from: the selection, else where review
// stands (after a decision with nothing left to select), else the start.
function here() {
  const at = state.selected || state.pending;
  if (at) return at.start;
  return state.place ?? -1;
}

// Selects a span from the keyboard, drawn and scrolled to.
export function selectSpan(start, end) {
  state.selected = { start, end };
  state.pending = null;
  reveal(start);
  draw();
  const el = spanElement($('doc'), start, end);
  if (el) el.scrollIntoView({ block: 'nearest' });
}

// Selects text that has no span yet, ready for a label key.
export function selectText(start, end) {
  state.selected = null;
  state.pending = { start, end };
  draw();
  showPending();
}

function selectNeighbour(backwards) {
  const from = state.selected ? state.selected.start : (state.place ?? -1);
  const next = state.core.neighbourSpan(from, backwards);
  if (!next) {
    status(backwards ? 'no span before this one' : 'no span after this one');
    return;
  }
  selectSpan(next[0], next[1]);
  status(state.core.describeSpan(next[0], next[1]));
}

// Next (or previous) unchecked suggestion: in this document from here on,
// then in the next document to do (the core decides which).
async function review(backwards) {
  await serial(async () => {}); // after the edits already asked for
  const step = state.core.reviewStep(here(), backwards, listed());
  let renewed = null;
  if (step.open) {
    renewed = await nav.goTo(step.open);
    const first = state.core.nextUnchecked(-1, backwards);
    if (first) selectSpan(first[0], first[1]);
  } else if (step.select) {
    selectSpan(step.select[0], step.select[1]);
  }
  statusWith(step.status, renewed);
}

// A one-token selection moved through the text from the keyboard.
function moveCursor(backwards) {
  const from = here();
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
  return () => act({ op: 'resize', start, end, newStart: next[0], newEnd: next[1] });
}

function inTextInput(target) {
  return target && (target.tagName === 'TEXTAREA' || target.tagName === 'SELECT' ||
    (target.tagName === 'INPUT' && target.type !== 'file' && target.type !== 'button') ||
    target.isContentEditable);
}

// The action a key asks for (a function giving a promise), `undefined` when
// the key is not ours (the browser keeps it), `null` when handled at once.
function keyAction(event) {
  const ctrl = event.ctrlKey || event.metaKey;
  const key = event.key;
  const sel = state.selected;
  if (ctrl && (key === 'z' || key === 'Z')) return () => act({ op: event.shiftKey ? 'redo' : 'undo' });
  if (ctrl && (key === 'y' || key === 'Y')) return () => act({ op: 'redo' });
  if (ctrl || (event.altKey && !event.shiftKey)) return undefined;
  const relating = relationKey(key);
  if (relating !== undefined) return relating;
  // Shift+1…9 (by the key's place: the character differs by keyboard).
  if (event.shiftKey && /^Digit[1-9]$/.test(event.code)) return docLabelByDigit(Number(event.code.slice(5)));
  switch (key) {
    case 'r':
      startRelation();
      return null;
    case 'm':
      openNotes();
      return null;
    case 'Delete':
    case 'Backspace':
      return sel ? () => act({ op: 'remove', start: sel.start, end: sel.end }) : null;
    case ']':
    case '[':
      return () => nav.goNeighbour(key === '[');
    case 'd':
      return () => nav.toggleDone();
    case 'u':
    case 'U':
      return () => review(key === 'U');
    case '/':
      $('search').focus();
      return null;
    case '?':
      openHelp();
      return null;
    case 'n':
    case 'N':
      return () => nextMatch(key === 'N');
    case 'Escape':
      // A fresh start: keyboard moves begin again at the document's start.
      state.pending = null;
      state.selected = null;
      state.place = null;
      window.getSelection().removeAllRanges();
      draw();
      return null;
    case 'A':
      return event.shiftKey ? () => act({ op: 'acceptAll' }) : byLabel(key);
    case 'a':
    case 'Enter':
      return sel ? () => act({ op: 'accept', start: sel.start, end: sel.end }) : byLabel(key);
    case 'x':
      return sel ? () => act({ op: 'reject', start: sel.start, end: sel.end }) : byLabel(key);
    case 'e':
    case 'E':
      return sel ? () => nav.labelEvery(sel.start, sel.end, { project: key === 'E' }) : byLabel(key);
    case '.':
    case ',':
      moveCursor(key === ',');
      return null;
    case 'j':
      selectNeighbour(false);
      return null;
    case 'k':
      selectNeighbour(true);
      return null;
    case 'ArrowRight':
    case 'ArrowLeft':
      if (event.shiftKey) return stepEdge(event.altKey ? 'start' : 'end', (key === 'ArrowRight') !== event.altKey);
      selectNeighbour(key === 'ArrowLeft');
      return null;
    default:
      return byLabel(key);
  }
}

// A label's key labels the selection.
function byLabel(key) {
  const label = state.core.labelForKey(key);
  return label && (state.pending || state.selected) ? () => labelWith(label) : undefined;
}

function onKey(event) {
  // Text fields keep their keys; an open dialog (the key sheet) its own; a
  // button its Enter and Space (it was pressed, not a suggestion accepted).
  if (inTextInput(event.target) || document.querySelector('dialog[open]')) return;
  if (event.target.tagName === 'BUTTON' && (event.key === 'Enter' || event.key === ' ')) return;
  const action = keyAction(event);
  if (action === undefined) return;
  event.preventDefault();
  if (action) action().catch(report);
}

export function wireKeys(navigation) {
  nav = navigation;
  const docEl = $('doc');
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
    status(state.core.describeSelection(snapped[0], snapped[1]));
  });

  docEl.addEventListener('click', (event) => {
    const sel = window.getSelection();
    if (sel.rangeCount && !sel.getRangeAt(0).collapsed) return;
    state.pending = null;
    state.selected = spanOf(event.target);
    if (state.selected) state.place = state.selected.start;
    draw();
    // A plain click outside a span leaves the status as it was: clearing it
    // on the first click of a double-click said nothing useful.
    if (state.selected) status(state.core.describeSpan(state.selected.start, state.selected.end));
  });

  document.addEventListener('keydown', (event) => {
    try {
      onKey(event);
    } catch (e) {
      report(e);
    }
  });
}
