// Deleting a document: asked in a dialog (the Delete… button, or Delete on
// a row of the list), or by the contract's `deleteDocument(id)`. The
// document goes with its annotations, edit log and curated record, in one
// durable transaction; the next one in the list opens in its place (the
// demo when none is left, as on a first visit). Other tabs hear of it.

import { $, state, serial, status, clearError, report, checkDocumentChange, documentChanged } from './page.js';
import { announce, cancelJob, openDocument, loadText, reloadList } from './document.js';
import { curatedOf } from './curatedkey.js';

let demo = null; // () => [text, opts] of the demo document

export function deleteDocument(given) {
  const id = curatedOf(given) ?? given; // curating it: the document itself
  return serial(async () => {
    const doc = await state.store.document(id);
    if (!doc) throw new Error(`No document with id ${JSON.stringify(id)}`);
    checkDocumentChange('delete', id);
    const name = state.docs.all.find((d) => d.id === id)?.name ?? id;
    const open = id === state.docId || id === curatedOf(state.docId);
    const next = open ? state.docs.besides(id) : null;
    // Edits of it still unsaved (a snapshot owed) go with it, and its
    // worker stops: nothing of it may be written after the deletion.
    if (open) {
      cancelJob();
      state.docId = null;
      state.logHead = 0;
    }
    await state.store.deleteDocument(id);
    documentChanged('delete', doc);
    announce(id);
    if (next) await openDocument(next);
    await reloadList();
    clearError();
    status(`deleted “${name}”`);
    return open && !next;
  }).then(async (noneLeft) => {
    if (noneLeft) await loadText(...demo());
  });
}

// Asks first: the name, and that its annotations go too.
export function askToDelete(id) {
  const dialog = $('delete-dialog');
  const name = state.docs.all.find((d) => d.id === id)?.name ?? id;
  $('delete-what').textContent = `Delete “${name}”?`;
  dialog.returnValue = '';
  dialog.onclose = () => {
    if (dialog.returnValue === 'delete') deleteDocument(id).catch(report);
  };
  dialog.showModal();
}

// `demoOf()`: the demo's text and options (app.js's), for an empty list.
export function wireDeletion(demoOf) {
  demo = demoOf;
  $('delete-doc').addEventListener('click', () => { if (state.docId) askToDelete(state.docId); });
}
