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
  assert.deepEqual(user.map(({ id, ...span }) => span), [{ start: 0, end: 8, label: 'PER', source: 'user' }]);
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

test('ten thousand labels: the bar shows a few and finds the rest, edits stay quick', async () => {
  const labels = Array.from({ length: 10_000 }, (_, i) => `KIND${String(i).padStart(5, '0')}`);
  const project = JSON.stringify({
    format: 'spanmark', version: 1, offsets: 'codepoint',
    labels: labels.map((name) => ({ name, color: '#a0d8ef', key: null })),
    documents: [{ id: 'many', text: 'Ana Lima met Bo Reyes in Lisbon.', meta: {}, status: 'todo', spans: [] }],
  });
  assert.equal(await call('importFile', 'many.spanmark.json', project), 1);
  const shown = await page.$$eval('#labels button[data-label]', (b) => b.length);
  assert.ok(shown <= 40, `${shown} buttons`);
  assert.match(await page.$eval('#labels .label-more', (e) => e.textContent), /more/);
  await page.fill('#label-search', 'KIND0424');
  const found = await page.$$eval('#labels button[data-label]', (b) => b.map((x) => x.dataset.label));
  assert.deepEqual(found, Array.from({ length: 10 }, (_, i) => `KIND0424${i}`));
  // An edit with a label deep in the set: saved, drawn, and counted in the bar.
  const t0 = Date.now();
  await call('addSpan', 0, 8, 'KIND04242');
  const ms = Date.now() - t0;
  assert.ok(ms < 5000, `${ms} ms`); // the quadratic set took seconds per edit
  assert.equal(await page.$eval('#labels button[data-label="KIND04242"] .label-count', (e) => e.textContent), '1');
  assert.equal(await page.$eval('#doc mark[data-start="0"]', (e) => e.dataset.label), 'KIND04242');
});
