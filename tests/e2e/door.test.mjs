// Text at the door: a string that is not Unicode (an unpaired surrogate) or
// a document whose meta nests too deep is refused where it comes in, with
// the place named, and the project stays whole: it still exports, reloads
// and takes edits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from './harness.mjs';

const app = useApp();
const { page, call, idle } = app;

async function refused(name, ...args) {
  return page.evaluate(([n, a]) => window.spanmark[n](...a).then(() => 'resolved', (e) => e.message), [name, args]);
}

test('an unpaired surrogate is refused by load and import, naming where it is', async () => {
  const before = await call('exportAs', 'json');
  const viaLoad = await page.evaluate(() => window.spanmark.load('Ana \ud800 Lima flew to Lisbon.', { id: 'bad' })
    .then(() => 'resolved', (e) => e.message));
  assert.match(viaLoad, /unpaired surrogate at UTF-16 offset 4/);
  assert.match(await page.$eval('#error', (e) => e.textContent), /unpaired surrogate/);
  const viaImport = await page.evaluate(() => window.spanmark.importFile('notes.txt', 'Bo met \udc00 Ana.')
    .then(() => 'resolved', (e) => e.message));
  assert.match(viaImport, /^notes\.txt has an unpaired surrogate at UTF-16 offset 7/);
  assert.equal(await call('exportAs', 'json'), before, 'nothing changed');
  // The project goes on: a good text loads, is edited, and survives a reload.
  await call('load', 'Ana Lima flew to Lisbon 😀.', { id: 'good' });
  await call('addSpan', 0, 8, 'PER');
  await app.reload();
  assert.equal(await call('currentId'), 'good');
  const user = (await call('spans')).filter((s) => s.source === 'user');
  assert.deepEqual(user, [{ start: 0, end: 8, label: 'PER', source: 'user' }]);
  assert.ok(JSON.parse(await call('exportAs', 'json')).documents.some((d) => d.id === 'good'));
});

test('a document whose meta nests too deep is refused, naming the file and the document', async () => {
  const before = await call('exportAs', 'json');
  const deep = `${'{"m":'.repeat(60)}1${'}'.repeat(60)}`;
  const line = `{"id":"deep","text":"Ana Lima.","meta":${deep}}\n`;
  const message = await refused('importFile', 'deep.jsonl', line);
  assert.match(message, /^deep\.jsonl: document "deep": meta is nested 6\d levels deep \(at most 32\)/);
  await idle();
  assert.equal(await call('exportAs', 'json'), before, 'nothing of the file was kept');
  // Nested within the limit, the same shape imports.
  const fine = `{"id":"fine","text":"Ana Lima.","meta":${'{"m":'.repeat(20)}1${'}'.repeat(20)}}\n`;
  assert.equal(await call('importFile', 'fine.jsonl', fine), 1);
  assert.ok(JSON.parse(await call('exportAs', 'json')).documents.some((d) => d.id === 'fine'));
});
