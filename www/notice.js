// The notice under the error line: what the start-up found (a job an
// unclean stop cut short) and documents whose stored records cannot be
// read, each with its reason and a Delete button. Nothing here is an
// error of what the person is doing now, so `#error` stays as it is.

import { $, serial, state } from './page.js';
import { reloadList } from './document.js';

const damaged = new Map(); // id -> list item

function shown() {
  $('notice').hidden = !$('notice-text').textContent && damaged.size === 0;
}

export function wireNotice() {
  $('notice-dismiss').addEventListener('click', () => {
    $('notice-text').textContent = '';
    $('notice-list').replaceChildren();
    damaged.clear();
    shown();
  });
}

// Adds a sentence to the notice.
export function notice(message) {
  const t = $('notice-text');
  t.textContent = t.textContent ? `${t.textContent} ${message}.` : `${message}.`;
  shown();
}

// Lists a document that cannot be opened or exported, with the reason and
// a button that deletes it.
export function noticeDamaged(id, reason) {
  if (damaged.has(id)) return;
  const li = document.createElement('li');
  li.dataset.id = id;
  const what = document.createElement('span');
  what.textContent = `Document ${id} cannot be read: ${reason}`;
  const del = document.createElement('button');
  del.type = 'button';
  del.className = 'notice-delete';
  del.textContent = 'Delete it';
  del.addEventListener('click', async () => {
    del.disabled = true;
    try {
      await removeDamaged(id);
      li.remove();
      damaged.delete(id);
      shown();
    } finally {
      del.disabled = false;
    }
  });
  li.append(what, del);
  damaged.set(id, li);
  $('notice-list').append(li);
  shown();
}

// Deletes a damaged document (its record and log too) and redraws the list.
function removeDamaged(id) {
  return serial(async () => {
    await state.store.deleteDocument(id);
    await reloadList();
  });
}
