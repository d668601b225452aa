// Whole projects in the page: many documents, the document list, search,
// the label-set editor and exports in every format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, sliceCp } from './harness.mjs';

const app = useApp();
const { page, call, idle } = app;

function jsonl(n) {
  const lines = [];
  for (let i = 0; i < n; i++) {
    const who = ['Ana Lima', 'Kofi Mensah', 'Zoë Ball 😀', 'Li Wei'][i % 4];
    const text = `${who} visited Lisbon on day ${i}.`;
    const end = Array.from(who.replace(' 😀', '')).length;
    lines.push(JSON.stringify({ id: `n${i}`, text, spans: [{ start: 0, end, label: 'PER' }] }));
  }
  return lines.join('\n') + '\n';
}

test('a JSONL of a thousand documents imports into the list, with progress and navigation', async () => {
  const added = await call('importFile', 'batch.jsonl', jsonl(1000));
  assert.equal(added, 1000);
  assert.equal(await call('currentId'), 'n0');
  // Only the visible rows are in the DOM.
  const rows = await page.$$eval('#doc-list .doc-row', (r) => r.length);
  assert.ok(rows > 5 && rows < 100, `rows drawn: ${rows}`);
  assert.match(await page.$eval('#progress-text', (e) => e.textContent), /0 \/ 1001 done/);

  await page.focus('#doc');
  await page.keyboard.press(']');
  await idle();
  assert.equal(await call('currentId'), 'n1');
  await page.keyboard.press('d');
  await idle();
  assert.match(await page.$eval('#progress-text', (e) => e.textContent), /1 \/ 1001 done/);
  assert.equal(await call('currentId'), 'n2', 'done moves on to the next document to do');
  await page.keyboard.press('[');
  await idle();
  assert.equal(await call('currentId'), 'n1');
  await page.keyboard.press('[');
  await idle();
  assert.equal(await call('currentId'), 'n0');
  await call('markDone');
  // Filter: only done documents are listed.
  await page.selectOption('#filter', 'done');
  const listed = await page.$$eval('#doc-list .doc-row', (r) => r.map((e) => e.dataset.id));
  assert.deepEqual(listed, ['n0', 'n1']);
  await page.selectOption('#filter', 'all');
  // Clicking a row opens it.
  await page.click('#doc-list .doc-row[data-id="n3"]');
  await idle();
  assert.equal(await call('currentId'), 'n3');
  assert.deepEqual((await call('spans')).map(({ id, ...span }) => span), [{ start: 0, end: 6, label: 'PER', source: 'user' }]); // "Li Wei"
});

test('search across the project lists matching documents and selects matches for labelling', async () => {
  await page.fill('#search', 'zoë ball');
  await page.waitForFunction(() => /250 in 250 documents/.test(document.getElementById('search-info').textContent));
  const listed = await page.$$eval('#doc-list .doc-row', (r) => r.map((e) => e.dataset.id));
  assert.ok(listed.every((id) => Number(id.slice(1)) % 4 === 2), listed.join());
  await page.press('#search', 'Enter');
  await idle();
  const id = await call('currentId');
  assert.equal(Number(id.slice(1)) % 4, 2);
  await page.keyboard.press('3'); // LOC, just to prove the match is the selection
  await idle();
  const spans = await call('spans');
  assert.deepEqual(spans.filter((s) => s.label === 'LOC').map(({ id, ...span }) => span), [{ start: 0, end: 8, label: 'LOC', source: 'user' }]);
  await page.fill('#search', '');
  await page.waitForFunction(() => document.getElementById('search-info').textContent === '');
});

test('label editor: rename reaches every document, delete shows its count and can be undone', async () => {
  await page.click('#edit-labels');
  const row = '#label-editor .label-edit[data-label="PER"]';
  await page.fill(`${row} .label-name`, 'PERSON');
  await page.press(`${row} .label-name`, 'Enter');
  await page.waitForSelector('#labels button[data-label="PERSON"]');
  assert.equal(await page.$('#labels button[data-label="PER"]'), null);
  const project = JSON.parse(await call('exportAs', 'json'));
  const labels = project.documents.flatMap((d) => d.spans.map((s) => s.label));
  assert.ok(!labels.includes('PER') && labels.filter((l) => l === 'PERSON').length >= 1000);

  await page.click('#label-editor .label-edit[data-label="PERSON"] .label-delete');
  const ask = await page.textContent('#label-editor .label-confirm');
  assert.match(ask, /Delete PERSON and its 10\d\d spans/);
  await page.click('#label-editor .label-delete-yes');
  await page.waitForFunction(() => !document.querySelector('#labels button[data-label="PERSON"]'));
  let after = JSON.parse(await call('exportAs', 'json'));
  assert.equal(after.documents.flatMap((d) => d.spans).filter((s) => s.label === 'PERSON').length, 0);

  await page.click('#label-undo');
  await page.waitForSelector('#labels button[data-label="PERSON"]');
  after = JSON.parse(await call('exportAs', 'json'));
  assert.deepEqual(after.documents.map((d) => d.spans), project.documents.map((d) => d.spans));

  // A key moved to another label; a colour changed.
  await page.fill('#label-editor .label-edit[data-label="URL"] .label-key', '1');
  await page.press('#label-editor .label-edit[data-label="URL"] .label-key', 'Tab');
  await page.waitForSelector('#labels button[data-label="URL"][data-key="1"]');
  assert.equal(await page.$eval('#labels button[data-label="PERSON"]', (b) => b.dataset.key), undefined);
  await page.click('#edit-labels');
});

test('every format exports from the page and its offsets slice the text', async () => {
  await call('load', 'Zoë 😀 met Ana\r\nLima in Lisbon.', { id: 'fmt' });
  await call('addSpan', 10, 19, 'PERSON');
  for (const format of ['json', 'jsonl', 'doccano', 'prodigy', 'spacy', 'conll', 'labelstudio', 'brat']) {
    const out = await call('exportAs', format);
    assert.ok(out.length > 0, format);
    if (format === 'jsonl') {
      const line = out.trim().split('\n').map((l) => JSON.parse(l)).find((d) => d.id === 'fmt');
      // the added span (the model may suggest other names, e.g. "Zoë")
      assert.ok(line.spans.filter((s) => s.label === 'PERSON').map((s) => sliceCp(line.text, s.start, s.end)).includes('Ana\r\nLima'));
    }
    if (format === 'conll') assert.match(out, /-DOCSTART-/);
  }
  const utf16 = JSON.parse(await call('exportAs', 'json', { offsets: 'utf16' }));
  assert.equal(utf16.offsets, 'utf16');
  const doc = utf16.documents.find((d) => d.id === 'fmt');
  const s = doc.spans.find((x) => x.label === 'PERSON' && x.source === 'user');
  assert.equal(doc.text.slice(s.start, s.end), 'Ana\r\nLima');
  // The download buttons give files.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-conll')]);
  assert.match(download.suggestedFilename(), /\.conll$/);
  const err = await page.evaluate(() => window.spanmark.exportAs('nope').then(() => '', (e) => e.message));
  assert.match(err, /unknown format/);
});

test('brat .txt and .ann files picked together import as pairs', async () => {
  const before = JSON.parse(await call('exportAs', 'json')).documents.length;
  await page.setInputFiles('#file-input', [
    { name: 'kofi.txt', mimeType: 'text/plain', buffer: Buffer.from('Kofi Mensah 😀 lives in Accra.') },
    { name: 'kofi.ann', mimeType: 'text/plain', buffer: Buffer.from('T1\tPER 0 11\tKofi Mensah\nT2\tLOC 23 28\tAccra\n') },
    { name: 'plain.txt', mimeType: 'text/plain', buffer: Buffer.from('No annotations here.') },
  ]);
  await page.waitForFunction((n) => window.spanmark.exportAs('json').then((j) => JSON.parse(j).documents.length === n + 2), before);
  const docs = JSON.parse(await call('exportAs', 'json')).documents;
  const kofi = docs.find((d) => d.text === 'Kofi Mensah 😀 lives in Accra.');
  assert.deepEqual(kofi.spans.map((s) => [sliceCp(kofi.text, s.start, s.end), s.label]), [['Kofi Mensah', 'PER'], ['Accra', 'LOC']]);
  assert.ok(docs.some((d) => d.text === 'No annotations here.'));
});
