// The project's relation and document labels in the Labels… drawer, managed
// as its span labels are (labels.js): relation labels renamed, recoloured,
// given keys, made directed or not, deleted; document labels renamed or
// deleted. A rename or deletion reaches every stored document in one
// durable write with the project's structure setting; the core decides
// what each record becomes (relabelRecordStructure) and changes the open
// document with its history, so that its undo keeps the new name.

import { relabelRecordStructure } from './pkg/spanmark.js';
import { $, state, status, clearError, report, serial, settingsChanged } from './page.js';
import { changeEveryRecord, flush, openDocument } from './document.js';
import { STRUCTURE, refreshStructure } from './structure.js';
import { offerLabelUndo } from './labels.js';
import { colorInput, deleteButton, textInput } from './labeleditor.js';

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

// Carries a rename (`to` a name) or deletion (`to` null) of a label of
// `kind` ('relation' or 'document') into every stored record, the core and
// storage; how many relations or documents it touched, and what to restore
// for an undo.
function changeEverywhere(kind, from, to, coreCall) {
  return serial(async () => {
    await flush();
    const structureBefore = state.core.structure();
    const { count, before } = await changeEveryRecord({
      change: (record) => relabelRecordStructure(record, kind, from, to),
      apply: () => {
        coreCall();
        return { settings: { [STRUCTURE]: state.core.structure() } };
      },
      undo: () => {
        state.core.setStructure(structureBefore);
        refreshStructure();
      },
    });
    settingsChanged();
    refreshStructure();
    return { count, undo: { structure: structureBefore, records: before } };
  });
}

// Puts back the structure and the records a deletion changed.
function restore({ structure, records }) {
  return serial(async () => {
    state.core.setStructure(structure);
    await state.store.write({ settings: { [STRUCTURE]: structure }, annotations: records });
    await openDocument(state.docId);
    settingsChanged();
    refreshStructure();
    status('label restored');
  });
}

// A change to the set only (colour, key, direction): stored, drawn.
function setEdit(apply) {
  return serial(async () => {
    const said = apply();
    await state.store.putSetting(STRUCTURE, state.core.structure());
    settingsChanged();
    refreshStructure();
    clearError();
    if (said) status(said);
  });
}

export const structureLabelActions = {
  renameRelationLabel: (from, to) => changeEverywhere('relation', from, to, () => state.core.renameRelationLabel(from, to))
    .then(({ count }) => status(`renamed relation label ${from} to ${to.trim()} (${plural(count, 'relation', 'relations')})`)),
  deleteRelationLabel: (name) => changeEverywhere('relation', name, null, () => state.core.deleteRelationLabel(name))
    .then(({ count, undo }) => {
      offerLabelUndo(() => restore(undo));
      status(`deleted relation label ${name} and ${plural(count, 'relation', 'relations')}`);
    }),
  renameDocLabel: (from, to) => changeEverywhere('document', from, to, () => state.core.renameDocLabel(from, to))
    .then(({ count }) => status(`renamed document label ${from} to ${to.trim()} (${plural(count, 'document', 'documents')})`)),
  deleteDocLabel: (name) => changeEverywhere('document', name, null, () => state.core.deleteDocLabel(name))
    .then(({ count, undo }) => {
      offerLabelUndo(() => restore(undo));
      status(`deleted document label ${name} (from ${plural(count, 'document', 'documents')})`);
    }),
  setRelationLabel: (name, { color, key, directed } = {}) => setEdit(() => {
    if (color !== undefined) state.core.setRelationLabelColor(name, String(color));
    if (directed !== undefined) state.core.setRelationLabelDirected(name, Boolean(directed));
    if (key !== undefined) {
      const from = state.core.setRelationLabelKey(name, String(key ?? ''));
      if (from) return `key ${key} moved from ${from} to ${name}`;
    }
    return null;
  }),
};

// ---- the drawer's rows ----------------------------------------------------

let drawnShape = '';

// The relation and document label rows, when the drawer is open and they
// changed (an edit elsewhere does not take the focus from a field here).
export function drawStructureLabels({ force = false } = {}) {
  if ($('label-editor').hidden || !state.structure) return;
  const { relations, docLabels } = state.structure;
  const shape = JSON.stringify([relations, docLabels.names]);
  if (shape === drawnShape && !force) return;
  drawnShape = shape;
  const failed = (e) => {
    report(e);
    drawStructureLabels({ force: true });
  };
  $('relation-label-rows').replaceChildren(...relations.map((l) => relationRow(l, failed)));
  $('doc-label-rows').replaceChildren(...docLabels.names.map((name) => docLabelRow(name, failed)));
  $('relation-labels-none').hidden = relations.length > 0;
  $('doc-labels-none').hidden = docLabels.names.length > 0;
}

function relationRow(l, failed) {
  const a = structureLabelActions;
  const row = document.createElement('div');
  row.className = 'label-edit';
  row.dataset.relationLabel = l.name;
  const color = colorInput(l.color, (v) => a.setRelationLabel(l.name, { color: v }).catch(failed));
  const name = textInput(l.name, 'label-name', 'relation label name', (v) => a.renameRelationLabel(l.name, v).catch(failed));
  const key = textInput(l.key ?? '', 'label-key', 'key', (v) => a.setRelationLabel(l.name, { key: v }).catch(failed));
  key.maxLength = 1;
  const directed = document.createElement('label');
  directed.className = 'label-directed';
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.checked = l.directed;
  box.addEventListener('change', () => a.setRelationLabel(l.name, { directed: box.checked }).catch(failed));
  directed.append(box, document.createTextNode('directed'));
  const del = deleteButton(() => `Delete ${l.name} and its relations in every document?`, () => a.deleteRelationLabel(l.name).catch(failed));
  row.append(color, name, key, directed, del);
  return row;
}

function docLabelRow(label, failed) {
  const a = structureLabelActions;
  const row = document.createElement('div');
  row.className = 'label-edit';
  row.dataset.docLabel = label;
  const name = textInput(label, 'label-name', 'document label name', (v) => a.renameDocLabel(label, v).catch(failed));
  const del = deleteButton(() => `Delete ${label} from every document?`, () => a.deleteDocLabel(label).catch(failed));
  row.append(name, del);
  return row;
}
