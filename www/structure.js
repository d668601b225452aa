// Beyond flat spans: relations between spans (arcs, the `r` key), the
// document's labels (toggles in the header), notes (a drawer, the `m` key)
// and the project's overlap setting. The core holds and checks all of it
// (src/session/, src/relations.rs); this module wires the page to it and
// keeps the project's structure (overlap, relation and document labels) as
// one setting, given back to the core on start.

import { overlapBreach } from './pkg/spanmark.js';
import { $, state, serial, status, report, settingsChanged } from './page.js';
import { drawArcs } from './arcs.js';
import { drawStructureLabels, structureLabelActions } from './structurelabels.js';

// The settings key of the project's structure.
export const STRUCTURE = 'structure';
let act = null; // document.js `act`, given by wireStructure (it imports this module)

const STRICTNESS = { none: 0, nested: 1, any: 2 };

// The project's structure as stored, into the core (before the first edit).
export async function loadStructure(store) {
  const stored = await store.setting(STRUCTURE);
  if (stored) state.core.setStructure(stored);
}

// After every drawing: the open document's relations and labels as the
// core holds them, drawn.
export function refreshStructure() {
  if (!state.core || !state.docId) return;
  const key = state.core.relationsKey();
  if (key !== relationsKey) {
    state.relations = state.core.relations();
    relationsKey = key;
  }
  state.structure = state.core.structure();
  $('overlap-mode').value = state.structure.overlap;
  $('doc-labels-multi').checked = state.structure.docLabels.multi;
  if (!$('notes-panel').hidden) fillNotes();
  drawStructure();
  drawDocLabels();
  drawStructureLabels();
}
let relationsKey = null; // of the relations last asked for

// The arcs from what was last asked of the core (after a scroll drew other
// blocks: nothing is asked again).
const NONE = [];
export function drawStructure() {
  if (!state.structure) return;
  drawArcs($('doc'), state.relations || NONE, state.structure.relations);
}

// ---- document labels ----------------------------------------------------

let drawnDocLabels = '';
function drawDocLabels() {
  const names = state.structure.docLabels.names;
  const on = new Set(state.core.docLabels());
  const shape = JSON.stringify([names, [...on]]);
  if (shape === drawnDocLabels) return;
  drawnDocLabels = shape;
  const row = $('doc-labels-toggles');
  row.replaceChildren(...names.map((name, i) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'doc-label';
    b.dataset.docLabel = name;
    b.setAttribute('aria-pressed', String(on.has(name)));
    if (i < 9) {
      b.title = `Shift+${i + 1}`;
      const k = document.createElement('kbd');
      k.textContent = String(i + 1);
      b.append(k);
    }
    b.append(document.createTextNode(name));
    b.addEventListener('click', () => toggleDocLabel(name).catch(report));
    return b;
  }));
}

// The label on or off for the open document (single choice: on replaces
// the one there).
export function toggleDocLabel(name) {
  const on = state.core.docLabels();
  const multi = state.core.structure().docLabels.multi;
  const labels = on.includes(name) ? on.filter((l) => l !== name) : multi ? [...on, name] : [name];
  return act({ op: 'setDocLabels', labels });
}

// Shift+digit: the document label of that place in the header.
export function docLabelByDigit(digit) {
  const name = state.structure?.docLabels.names[digit - 1];
  return name ? () => toggleDocLabel(name) : undefined;
}

// ---- notes --------------------------------------------------------------

function selectedId() {
  const sel = state.selected;
  if (!sel) return null;
  const span = state.core.spans().find((s) => s.start === sel.start && s.end === sel.end && s.id);
  return span ? span.id : null;
}

function fillNotes() {
  const doc = $('note-doc');
  if (document.activeElement !== doc) doc.value = state.core.note() ?? '';
  const id = selectedId();
  const span = id ? state.core.spans().find((s) => s.id === id) : null;
  const field = $('note-span');
  $('note-span-row').hidden = !span;
  if (span && document.activeElement !== field) {
    field.value = span.note ?? '';
    field.dataset.span = id;
    $('note-span-what').textContent = `${span.label} “${sliceText(span.start, span.end)}”`;
  }
  const list = $('note-relations');
  const rels = (state.relations || []).filter((r) => !id || r.from === id || r.to === id);
  list.replaceChildren(...rels.map((r) => {
    const li = document.createElement('li');
    li.dataset.relation = r.id;
    li.textContent = `${r.label}: ${describe(r.from)} → ${describe(r.to)} `;
    const x = document.createElement('button');
    x.type = 'button';
    x.textContent = 'Remove';
    x.addEventListener('click', () => act({ op: 'removeRelation', id: r.id }).catch(report));
    li.append(x);
    return li;
  }));
}

function sliceText(start, end) {
  const a = state.core.charToUtf16(start);
  const b = state.core.charToUtf16(end);
  const t = state.text.slice(a, b);
  return t.length > 40 ? `${t.slice(0, 40)}…` : t;
}

function describe(id) {
  const s = state.core.spans().find((x) => x.id === id);
  return s ? `“${sliceText(s.start, s.end)}”` : id;
}

export function openNotes() {
  $('notes-panel').hidden = false;
  fillNotes();
  (selectedId() ? $('note-span') : $('note-doc')).focus();
}

function saveNote(field, span) {
  const current = span ? state.core.spans().find((s) => s.id === span)?.note ?? '' : state.core.note() ?? '';
  if (field.value === current) return;
  act({ op: 'setNote', ...(span ? { span } : {}), text: field.value }).catch(report);
}

// ---- relations by keyboard ----------------------------------------------

// `r` on a selected span starts a relation from it; the target is then
// selected as any span is (click, j/k, arrows) and Enter (or a relation
// label's key) makes it; Esc leaves.
export function startRelation() {
  const from = selectedId();
  if (!from) {
    status('select a span first, then r to relate it to another');
    return;
  }
  state.relating = { from };
  status(`relation from ${describe(from)}: select the other span (click, j/k), then Enter or a relation's key; Esc cancels`);
}

export function relating() {
  return state.relating != null;
}

export function cancelRelation() {
  state.relating = null;
  status('no relation made');
}

// The key while relating: Enter asks for the label, a relation label's
// key uses it; `undefined` when the key is not for this.
export function relationKey(key) {
  if (!state.relating) return undefined;
  if (key === 'Escape') return () => Promise.resolve(cancelRelation());
  const to = selectedId();
  const label = state.structure?.relations.find((l) => l.key === key);
  if (label && to) return () => finishRelation(to, label.name);
  if (key === 'Enter') {
    if (!to || to === state.relating.from) {
      status('select the other span of the relation first');
      return null;
    }
    return () => askLabel().then((name) => (name ? finishRelation(to, name) : cancelRelation()));
  }
  return undefined;
}

let lastLabel = '';
function askLabel() {
  const dialog = $('relation-dialog');
  const input = $('relation-label');
  $('relation-labels').replaceChildren(...(state.structure?.relations ?? []).map((l) => {
    const o = document.createElement('option');
    o.value = l.name;
    return o;
  }));
  input.value = lastLabel || state.structure?.relations[0]?.name || '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'ok' ? input.value.trim() : '');
    }, { once: true });
    dialog.showModal();
    input.select();
  });
}

function finishRelation(to, label) {
  const { from } = state.relating;
  state.relating = null;
  lastLabel = label;
  return act({ op: 'addRelation', from, to, label });
}

// ---- the overlap setting ------------------------------------------------

// Stricter than now: every stored document must stand under it (the open
// one the core checks); the first that does not is named.
export function setOverlap(mode) {
  return serial(async () => {
    mode = String(mode);
    const now = state.core.structure().overlap;
    if (STRICTNESS[mode] !== undefined && STRICTNESS[mode] < STRICTNESS[now]) {
      for (const record of await state.store.allAnnotations()) {
        if (record.docId === state.docId) continue;
        const why = overlapBreach(record, mode);
        if (why) throw new Error(`spans cannot be set to overlap "${mode}": ${why}`);
      }
    }
    await changeProject({ op: 'setOverlap', mode });
  });
}

// An action on the project's structure (not on the open document): stored,
// sent to the team (a curator's), shown.
async function changeProject(action) {
  const out = state.core.apply(action);
  if (out.structure) {
    await state.store.putSetting(STRUCTURE, out.structure);
    settingsChanged();
  }
  refreshStructure();
  status(out.status);
}

function setMultiple(multi) {
  return serial(() => changeProject({ op: 'setDocLabelChoice', multi: Boolean(multi) }));
}

// ---- wiring ---------------------------------------------------------------

export function wireStructure(ctx) {
  act = ctx.act;
  $('note-doc').addEventListener('change', (e) => saveNote(e.target, null));
  $('note-span').addEventListener('change', (e) => saveNote(e.target, e.target.dataset.span));
  $('notes-open').addEventListener('click', () => ($('notes-panel').hidden ? openNotes() : ($('notes-panel').hidden = true)));
  $('doc-label-add').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('doc-label-new');
    const name = input.value.trim();
    if (!name) return;
    input.value = '';
    toggleDocLabel(name).catch(report);
  });
  $('overlap-mode').addEventListener('change', (e) => setOverlap(e.target.value).catch((err) => {
    e.target.value = state.core.structure().overlap;
    report(err);
  }));
  $('doc-labels-multi').addEventListener('change', (e) => setMultiple(e.target.checked).catch((err) => {
    e.target.checked = state.core.structure().docLabels.multi;
    report(err);
  }));
  const span = (target) => (target?.span == null ? {} : { span: String(target.span) });
  return {
    addRelation: async (fromId, toId, label) => {
      const out = await act({ op: 'addRelation', from: String(fromId), to: String(toId), label: String(label) });
      return out.entry?.change?.linked?.[0]?.id ?? null;
    },
    relations: () => state.core.relations(),
    removeRelation: (id) => act({ op: 'removeRelation', id: String(id) }).then((out) => out.changed),
    setOverlap,
    setDocLabels: (labels) => act({ op: 'setDocLabels', labels: [...labels].map(String) }).then(() => undefined),
    docLabels: () => state.core.docLabels(),
    setNote: (target, text) => act({ op: 'setNote', ...span(target), text: String(text ?? '') }).then(() => undefined),
    note: (target) => (target?.span == null
      ? state.core.note()
      : state.core.spans().find((s) => s.id === String(target.span))?.note ?? null),
    overlap: () => state.core.structure().overlap,
    // The project's relation and document labels (structurelabels.js).
    ...structureLabelActions,
  };
}
