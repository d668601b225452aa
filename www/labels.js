// The label bar (with each label's count in the open document) and the
// label-set editor: rename, recolour, key, add, delete with undo. Renames
// and deletions reach every stored document in one durable write; the core
// decides what each record becomes (relabelRecord).

import { relabelRecord } from './pkg/spanmark.js';
import { $, state, status, clearError, report, serial, settingsChanged } from './page.js';
import { drawLabels } from './view.js';
import { drawLabelEditor } from './labeleditor.js';
import { act, changeEveryRecord, flush, foldedRecords, openDocument, reloadList } from './document.js';
import { drawStructureLabels } from './structurelabels.js';

let labelUndo = null; // puts back what the last label deletion removed

const BAR_LIMIT = 40; // labels in the bar at most; the search finds the rest

// Redraws the label bar (and the editor, if open) from the core's labels.
// The whole set is fetched again only when it changed (`all`: a rename or a
// colour, which keep its size): in a set of a hundred thousand labels,
// fetching it after every edit would cost the edit its frame.
export function refreshLabels({ all = false } = {}) {
  if (all || state.core.labelCount() !== state.labels.length) state.labels = state.core.labels();
  const search = $('label-search');
  const bar = state.core.labelBar(search.value, BAR_LIMIT);
  search.hidden = !search.value && !bar.hidden;
  drawLabels($('labels'), bar.labels, bar.hidden, (name) => labelWith(name).catch(report));
  if (!$('label-editor').hidden) {
    drawLabelEditor($('label-editor-rows'), state.labels, labelActions);
    drawStructureLabels();
  }
}

// Gives the pending selection a label (a new span), or relabels the
// selected span.
export async function labelWith(name) {
  if (state.pending) {
    const { start, end } = state.pending;
    state.pending = null;
    await act({ op: 'add', start, end, label: name });
    window.getSelection().removeAllRanges();
  } else if (state.selected) {
    const { start, end } = state.selected;
    await act({ op: 'relabel', start, end, label: name });
  }
}

// Carries a label rename (`to` a name) or deletion (`to` null) into every
// stored record, the core and storage; how many spans it touched, and what
// to restore for an undo.
function applyLabelChange(from, to, coreCall) {
  return serial(async () => {
    await flush();
    const labelsBefore = state.core.labels();
    const { count, before } = await changeEveryRecord({
      change: (record) => relabelRecord(record, from, to),
      apply: () => {
        coreCall();
        refreshLabels({ all: true });
        return { labels: state.core.labels() };
      },
      undo: () => {
        state.core.setLabels(labelsBefore);
        refreshLabels({ all: true });
      },
    });
    await reloadList();
    settingsChanged();
    return { count, undo: { labels: labelsBefore, records: before } };
  });
}

const plural = (n) => (n === 1 ? '' : 's');

export const labelActions = {
  rename: (from, to) => applyLabelChange(from, to, () => state.core.renameLabel(from, to))
    .then(({ count }) => status(`renamed ${from} to ${to.trim()} (${count} span${plural(count)})`))
    .catch((e) => { report(e); refreshLabels({ all: true }); }),
  remove: (name) => applyLabelChange(name, null, () => state.core.deleteLabel(name))
    .then(({ count, undo }) => {
      offerLabelUndo(() => undoLabelDelete(undo));
      status(`deleted ${name} and ${count} span${plural(count)}`);
    })
    .catch(report),
  count: (name) => serial(async () => {
    await flush();
    let n = 0;
    for (const { record } of await foldedRecords()) n += relabelRecord(record, name, null)?.count ?? 0;
    return n;
  }),
  color: (name, color) => labelSetEdit(() => { state.core.setLabelColor(name, color); }),
  key: (name, key) => labelSetEdit(() => {
    const from = state.core.setLabelKey(name, key);
    return from ? `key ${key} moved from ${from} to ${name}` : null;
  }),
  add: (name) => labelSetEdit(() => { state.core.addLabel(name); }),
};

// `apply` changes the set and may return what to say of it.
function labelSetEdit(apply) {
  return serial(async () => {
    const said = apply();
    await state.store.write({ labels: state.core.labels() });
    settingsChanged();
    refreshLabels({ all: true });
    state.view.redraw(state.labels, state.selected);
    clearError();
    if (said) status(said);
  }).catch((e) => { report(e); refreshLabels({ all: true }); });
}

// The drawer's undo button puts back what the last deletion of a label
// (of spans, relations or documents: structurelabels.js) removed.
export function offerLabelUndo(undo) {
  labelUndo = undo;
  $('label-undo').hidden = false;
}

// The undo stays offered until it has worked.
async function undoLast() {
  const undo = labelUndo;
  if (!undo) return;
  await undo();
  if (labelUndo !== undo) return;
  labelUndo = null;
  $('label-undo').hidden = true;
}

function undoLabelDelete(undo) {
  return serial(async () => {
    state.core.setLabels(undo.labels);
    refreshLabels({ all: true });
    await state.store.write({ labels: undo.labels, annotations: undo.records });
    await openDocument(state.docId);
    await reloadList();
    settingsChanged();
    status('label restored');
  });
}

export function wireLabels() {
  $('label-search').addEventListener('input', () => refreshLabels());
  $('label-search').addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { e.target.value = ''; refreshLabels(); $('doc').focus(); }
  });
  $('edit-labels').addEventListener('click', () => {
    $('label-editor').hidden = !$('label-editor').hidden;
    refreshLabels();
  });
  $('label-undo').addEventListener('click', () => undoLast().catch(report));
}
