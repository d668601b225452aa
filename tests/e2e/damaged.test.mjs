// A project holding records damaged before the checks at the door (issue 16):
// a text with an unpaired surrogate, an annotations record that does not
// decode, a meta nested too deep, written straight into IndexedDB. The page
// still starts (window.spanmark exists), lists each with its reason and a
// Delete button, and exports the rest with the damaged ones named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from './harness.mjs';

const app = useApp();
const { page, call } = app;

const DAMAGED = ['surrogate', 'undecodable', 'deep'];

async function writeDamaged() {
  await page.evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const r = indexedDB.open('spanmark');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const tx = db.transaction(['documents', 'annotations', 'settings'], 'readwrite');
    const docs = tx.objectStore('documents');
    const seq = Date.now() * 1000;
    let deep = 1;
    for (let i = 0; i < 200; i++) deep = { m: deep };
    docs.put({ id: 'surrogate', text: 'Ana \ud800 Lima flew to Lisbon.', meta: {}, status: 'todo', seq: seq + 1 });
    docs.put({ id: 'undecodable', text: 'Bo met Cy in Rome.', meta: {}, status: 'todo', seq: seq + 2 });
    tx.objectStore('annotations').put({
      docId: 'undecodable', table: new Uint32Array([1, 2, 3]), scores: new Float64Array(0), labels: '[', ids: '[]', history: '', count: 'x',
    });
    docs.put({ id: 'deep', text: 'Di met Ed.', meta: deep, status: 'todo', seq: seq + 3 });
    tx.objectStore('settings').put({ key: 'current', value: 'surrogate' });
    await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
    db.close();
  });
}

const listed = () => page.$$eval('#notice-list li', (lis) => lis.map((li) => [li.dataset.id, li.textContent]));

async function storedIds() {
  return page.evaluate(async () => {
    const db = await new Promise((resolve) => { const r = indexedDB.open('spanmark'); r.onsuccess = () => resolve(r.result); });
    const ids = await new Promise((resolve) => {
      const r = db.transaction('documents').objectStore('documents').getAllKeys();
      r.onsuccess = () => resolve(r.result);
    });
    db.close();
    return ids;
  });
}

test('damaged records: the page starts, names each with its reason, exports the rest, deletes them', async () => {
  await call('load', 'Ana Lima flew to Lisbon on Monday.', { id: 'good' });
  await call('addSpan', 0, 8, 'PER');
  await writeDamaged();
  await app.reload(); // resolves only once window.spanmark exists
  assert.equal(await page.evaluate(() => typeof window.spanmark.exportAs), 'function');
  assert.equal(await page.$eval('#error', (e) => e.textContent), '');
  // The saved current document cannot be opened: it is listed, another opens.
  let rows = await listed();
  assert.equal(rows[0][0], 'surrogate');
  assert.match(rows[0][1], /unpaired surrogate at UTF-16 offset 4/);
  assert.notEqual(await call('currentId'), 'surrogate');
  // The export leaves the damaged ones out, names them, and keeps the rest.
  const project = JSON.parse(await call('exportAs', 'json'));
  const ids = project.documents.map((d) => d.id);
  for (const id of DAMAGED) assert.ok(!ids.includes(id), `${id} is left out`);
  const good = project.documents.find((d) => d.id === 'good');
  assert.ok(good.spans.some((s) => s.start === 0 && s.end === 8 && s.label === 'PER'), 'its span is kept');
  assert.match(await page.$eval('#status', (e) => e.textContent), /^Exported 2 documents as spanmark JSON \(.*\); left out 3 documents that cannot be read: surrogate/);
  for (const f of ['conll', 'prodigy', 'labelstudio', 'brat']) await call('exportAs', f);
  rows = await listed();
  assert.deepEqual(rows.map((r) => r[0]).sort(), [...DAMAGED].sort());
  assert.match(rows.find((r) => r[0] === 'deep')[1], /nested \d+ levels deep/);
  assert.match(rows.find((r) => r[0] === 'undecodable')[1], /stored span labels/);
  assert.equal(await page.$eval('#error', (e) => e.textContent), '');
  // Each can be deleted; then the project is whole again.
  for (const id of DAMAGED) {
    await page.click(`#notice-list li[data-id="${id}"] .notice-delete`);
    await page.waitForFunction((i) => !document.querySelector(`#notice-list li[data-id="${i}"]`), id);
  }
  const left = await storedIds();
  for (const id of DAMAGED) assert.ok(!left.includes(id), `${id} is deleted`);
  assert.ok(left.includes('good'));
  await app.reload();
  assert.equal(await page.$eval('#notice', (e) => e.hidden), true);
  assert.doesNotMatch(await page.$eval('#status', (e) => e.textContent), /cannot be read/);
  assert.ok(JSON.parse(await call('exportAs', 'json')).documents.some((d) => d.id === 'good'));
});
