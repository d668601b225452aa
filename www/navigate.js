// Moving between documents: opening one from the list, search or review,
// the next or previous, the next to do once one is marked done, renaming,
// and the first readable one at start-up. What to open next and what the
// status says are the core's (`afterDone`, `openedStatus`).

import { afterDone, openedStatus } from './pkg/spanmark.js';
import { $, state, status, statusWith, clearError, serial, listed, checkDocumentChange, documentChanged } from './page.js';
import { act, announce, openDocument } from './document.js';
import { curatedOf } from './curatedkey.js';
import { noticeDamaged } from './notice.js';

// Opens a document from the list, the search or review; the status names
// it (no message about the one before stays).
export function goTo(id) {
  return serial(async () => {
    if (id && id !== state.docId) {
      const renewed = await openDocument(id);
      statusWith(openedStatus(listed(), id), renewed);
      clearError();
      return renewed;
    }
    clearError();
    return null;
  });
}

// Stores a name typed for a document (the core checks it: an empty or
// over-long one is refused with the reason); other tabs redraw it.
export function renameDocument(id, name) {
  return serial(async () => {
    const doc = await state.store.document(id);
    if (!doc) throw new Error(`No document with id ${JSON.stringify(id)}`);
    checkDocumentChange('rename', id);
    const renamed = state.core.renameDocument(doc, String(name));
    await state.store.write({ documents: [renamed] });
    documentChanged('rename', renamed);
    announce(id);
    state.docs.update(id, { name: renamed.meta.name });
    if (id === state.docId) $('doc-name').textContent = renamed.meta.name;
    clearError();
    status(`renamed to “${renamed.meta.name}”`);
  });
}

export function goNeighbour(backwards) {
  const id = state.docs.neighbour(backwards);
  if (id) return goTo(id);
  status(backwards ? 'this is the first document' : 'this is the last document');
  return Promise.resolve();
}

// Marks the open document done (`done`), to do, or (undefined) the other
// way round; a document marked done is learned from. With `moveOn` (the
// `d` key, the Done button) a document just marked done gives way to the
// next one to do, and the status says which.
export async function setDone(done, { moveOn = false } = {}) {
  const out = await act(done === undefined ? { op: 'toggleDone' } : { op: 'setDone', done });
  if (state.core.head().status !== 'done') return;
  await serial(async () => {
    if (out.changed || done) await state.learning.learnFromOpen();
    // A curated record marked done stays open: its document is in the
    // list as the curator's own, which is not what was just settled.
    if (!moveOn || !out.changed || curatedOf(state.docId) !== null) return;
    const step = afterDone(listed(), state.docId);
    const renewed = step.open ? await openDocument(step.open) : null;
    clearError();
    statusWith(step.status, renewed);
  });
}

// Opens the first of `ids` that can be read. One that cannot (a record
// damaged before texts were checked at the door) is listed in the notice
// with its reason and a Delete button, and the start-up goes on. Resolves
// to whether one opened.
export async function openReadable(ids) {
  for (const id of ids.slice(0, 20)) {
    try {
      await openDocument(id);
      return true;
    } catch (e) {
      if (state.broken) throw e;
      noticeDamaged(id, e && e.message ? e.message : String(e));
    }
  }
  return false;
}
