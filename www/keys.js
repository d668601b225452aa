// Mouse and keyboard on the document: selections snapped to tokens by the
// core, spans picked, reviewed and edited from the keyboard. Each key
// becomes one action for the core (document.js `act`).

import { $, state, status, report } from './page.js';
import { offsetIn, showSelection, spanElement } from './view.js';
import { act, draw, reveal } from './document.js';
import { labelWith } from './labels.js';
import { nextMatch } from './search.js';
import { openHelp } from './help.js';

let nav = null; // {goNeighbour, labelEvery} from app.js

function showPending() {
  const { start, end } = state.pending;
  reveal(start);
  showSelection($('doc'), state.core.charToUtf16(start), state.core.charToUtf16(end));
  status(`selected ${start}–${end}: press a label key`);
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
  const from = state.selected ? state.selected.start : -1;
  const next = state.core.neighbourSpan(from, backwards);
  if (next) {
    selectSpan(next[0], next[1]);
    status(state.core.describeSpan(next[0], next[1]) ?? '');
  }
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
  switch (key) {
    case 'Delete':
    case 'Backspace':
      return sel ? () => act({ op: 'remove', start: sel.start, end: sel.end }) : null;
    case ']':
    case '[':
      return () => nav.goNeighbour(key === '[');
    case 'd':
      return () => nav.toggleDone();
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
      state.pending = null;
      state.selected = null;
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
  // Text fields keep their keys; an open dialog (the key sheet) its own.
  if (inTextInput(event.target) || document.querySelector('dialog[open]')) return;
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
    status(`selected ${snapped[0]}–${snapped[1]}: press a label key`);
  });

  docEl.addEventListener('click', (event) => {
    const sel = window.getSelection();
    if (sel.rangeCount && !sel.getRangeAt(0).collapsed) return;
    const mark = event.target.closest && event.target.closest('mark.span');
    state.pending = null;
    state.selected = mark ? { start: Number(mark.dataset.start), end: Number(mark.dataset.end) } : null;
    draw();
    status(mark ? state.core.describeSpan(Number(mark.dataset.start), Number(mark.dataset.end)) ?? '' : '');
  });

  document.addEventListener('keydown', (event) => {
    try {
      onKey(event);
    } catch (e) {
      report(e);
    }
  });
}
