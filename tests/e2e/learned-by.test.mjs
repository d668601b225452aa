// Learning you can see (issue 15, point 9): a suggestion says which model
// made it (the shipped one, the one learned from N documents, a rule), in
// the status when selected and in its title; an untouched document
// suggested anew by a newer model says so when opened; what made a
// document's suggestions is stored with it, and a record from before that
// was noted still opens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from './harness.mjs';

const app = useApp();
const { page, call, idle } = app;

const statusText = () => page.textContent('#status');
const SEEN = 'Her iPhone fell into the lake near Lisbon.';

test('a suggestion names its model when clicked and in its title; a newer model says what it renewed', async () => {
  await call('load', 'Angela Merkel visited Paris on Monday.', { id: 'plain' });
  const per = '#doc mark[data-label="PER"][data-source="model"]';
  assert.equal(await page.getAttribute(per, 'title'), 'PER suggestion by the shipped model');
  await page.click(per);
  assert.equal(await statusText(), 'PER “Angela Merkel”: suggestion by the shipped model, a accept, x reject, or a label key');
  // Keyboard review says it too.
  await page.keyboard.press('Escape');
  await page.focus('#doc');
  await page.keyboard.press('ArrowRight');
  assert.match(await statusText(), /^[A-Z]+ “[^”]+”: suggestion by the shipped model, a accept/);

  await call('load', SEEN, { id: 'seen', name: 'Seen' });
  assert.equal(await page.$('#doc mark[data-label="GADGET"]'), null);
  // Teach GADGET on another document, marked done.
  await call('load', 'I love my new iPhone, said Ana Lima.', { id: 'taught' });
  await call('addSpan', 14, 20, 'GADGET');
  await call('markDone');
  assert.equal(await call('learnedDocs'), 1);

  // Opening the untouched document from the sidebar, as a person would.
  await page.click('#doc-list .doc-row[data-id="seen"]');
  await page.waitForFunction(() => window.spanmark.currentId() === 'seen');
  await idle();
  assert.match(await statusText(), /^opened “Seen” \(\d of \d\); suggestions renewed by the model learned from 1 document: [1-9]\d* changed$/);
  const gadget = '#doc mark[data-label="GADGET"][data-source="model"]';
  assert.equal(await page.textContent(gadget), 'iPhone');
  assert.equal(await page.getAttribute(gadget, 'title'), 'GADGET suggestion by the model learned from 1 document');
  await page.click(gadget);
  assert.match(await statusText(), /^GADGET “iPhone”: suggestion by the model learned from 1 document,/);

  // Stored with the document: after a reload, nothing is renewed and the
  // suggestion still names its model.
  await app.reload();
  await page.waitForFunction(() => window.spanmark && window.spanmark.currentId() === 'seen');
  assert.doesNotMatch(await statusText(), /renewed/);
  await page.click(gadget);
  assert.match(await statusText(), /^GADGET “iPhone”: suggestion by the model learned from 1 document,/);

  // Reset: back to the shipped model, and the open document says what changed.
  await page.click('#model-reset');
  await page.waitForFunction(() => /^model reset/.test(document.getElementById('status').textContent));
  assert.match(await statusText(), /^model reset to the shipped one; suggestions renewed by the shipped model: [1-9]\d* changed$/);
  assert.equal(await page.$(gadget), null);
});

test('a record stored before models were noted still opens and says so', async () => {
  await app.freshProfile();
  await call('load', 'Angela Merkel visited Paris on Monday.', { id: 'old' });
  await call('load', 'Bo went home.', { id: 'other' });
  await idle();
  // Take the field out of the stored record, as an earlier version wrote it.
  await page.evaluate(async () => {
    const db = await new Promise((resolve) => { const r = indexedDB.open('spanmark'); r.onsuccess = () => resolve(r.result); });
    const tx = db.transaction('annotations', 'readwrite');
    const store = tx.objectStore('annotations');
    const rec = await new Promise((resolve) => { store.get('old').onsuccess = (e) => resolve(e.target.result); });
    if (!('suggestedBy' in rec)) throw new Error('the record should say which model made its suggestions');
    delete rec.suggestedBy;
    store.put(rec);
    await new Promise((resolve) => { tx.oncomplete = resolve; });
    db.close();
  });
  await page.click('#doc-list .doc-row[data-id="old"]');
  await page.waitForFunction(() => window.spanmark.currentId() === 'old');
  await idle();
  assert.equal(await page.textContent('#error'), '');
  const per = '#doc mark[data-label="PER"][data-source="model"]';
  await page.click(per);
  assert.match(await statusText(), /^PER “Angela Merkel”: suggestion by an earlier model \(not recorded which\),/);
});
