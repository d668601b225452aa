// Online learning in the real page: a label the shipped model does not know
// is learned from documents marked done, suggested on the next ones (also by
// the worker for long texts), kept over a reload, exported, reset, imported,
// and a bad model file changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { useApp, sliceCp } from './harness.mjs';

const app = useApp();
const { page, call, idle } = app;

// Spans of the current document as "surface/LABEL/source".
async function shown() {
  const text = await page.evaluate(() => document.getElementById('doc').textContent);
  return (await call('spans')).map((s) => `${sliceCp(text, s.start, s.end)}/${s.label}/${s.source}`);
}

async function teach(id, text, spans, { byKey = false } = {}) {
  await call('load', text, { id });
  for (const [surface, label] of spans) {
    const at = Array.from(text.slice(0, text.indexOf(surface))).length;
    await call('addSpan', at, at + Array.from(surface).length, label);
  }
  if (byKey) {
    await page.focus('#doc');
    await page.keyboard.press('d');
    await idle();
  } else {
    await call('markDone');
  }
}

const SEEN = 'Her iPhone fell into the lake.';
const UNSEEN = 'She bought a new Krell X5 phone today.';

test('a new label is learned from documents marked done and suggested on the next', async () => {
  assert.equal(await call('learnedDocs'), 0);
  assert.match(await page.textContent('#learned-docs'), /as shipped/);
  await call('load', UNSEEN, { id: 'before' });
  assert.ok(!(await shown()).some((s) => s.includes('/GADGET/')));

  await teach('t1', 'I love my new iPhone, said Ana Lima.', [['iPhone', 'GADGET']]);
  assert.equal(await call('learnedDocs'), 1);
  await teach('t2', 'I bought a new Zorbo X2 phone yesterday and it works.', [['Zorbo X2', 'GADGET']], { byKey: true });
  await teach('t3', 'The Vantix Q7 tablet is slow, said Maria.', [['Vantix Q7', 'GADGET']]);
  await teach('t4', 'My old Plurn Z3 camera broke again.', [['Plurn Z3', 'GADGET']]);
  await teach('t5', 'Everyone wants the Grell K9 headset this year.', [['Grell K9', 'GADGET']]);
  assert.equal(await call('learnedDocs'), 5);
  assert.match(await page.textContent('#learned-docs'), /learned from 5 documents/);
  assert.equal(await page.textContent('#error'), '');

  await call('load', SEEN, { id: 'seen' });
  assert.ok((await shown()).includes('iPhone/GADGET/model'), (await shown()).join(', '));
  await call('load', UNSEEN, { id: 'unseen' });
  assert.ok((await shown()).includes('Krell X5/GADGET/model'), (await shown()).join(', '));
  // drawn as a suggestion like any other
  const mark = await page.$('#doc [data-label="GADGET"][data-source="model"]');
  assert.equal(await mark.textContent(), 'Krell X5');
  // the shipped labels are still suggested
  await call('load', 'Angela Merkel visited Paris on Monday.', { id: 'shipped' });
  const s = await shown();
  assert.ok(s.includes('Angela Merkel/PER/model') && s.some((x) => x.startsWith('Paris/LOC/')), s.join(', '));

  // a document opened before the learning, untouched, is suggested afresh
  await page.click('#doc-list .doc-row[data-id="before"]');
  await page.waitForFunction(() => window.spanmark.currentId() === 'before');
  await idle();
  assert.ok((await shown()).includes('Krell X5/GADGET/model'), (await shown()).join(', '));
});

test('the learned model survives a reload', async () => {
  await app.reload();
  assert.equal(await call('learnedDocs'), 5);
  assert.match(await page.textContent('#learned-docs'), /learned from 5 documents/);
  await call('load', SEEN, { id: 'after-reload' });
  assert.ok((await shown()).includes('iPhone/GADGET/model'));
});

test('a long text is pre-annotated in the worker with the learned model', async () => {
  const text = `${SEEN} `.repeat(7000);
  assert.ok(text.length > 200_000);
  await call('load', text, { id: 'long' });
  const spans = await call('spans');
  const gadgets = spans.filter((s) => s.label === 'GADGET');
  assert.ok(gadgets.length >= 6900, `GADGET suggestions: ${gadgets.length}`);
  assert.equal(sliceCp(text, gadgets[0].start, gadgets[0].end), 'iPhone');
});

test('export, reset and import bring the learned model back; a bad file changes nothing', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#model-export')]);
  const bytes = await fs.readFile(await download.path());
  assert.equal(bytes.subarray(0, 8).toString(), 'SPANMKLN');

  await page.click('#model-reset');
  await page.waitForFunction(() => window.spanmark.learnedDocs() === 0);
  assert.match(await page.textContent('#learned-docs'), /as shipped/);
  await call('load', SEEN, { id: 'after-reset' });
  assert.ok(!(await shown()).some((s) => s.includes('/GADGET/')), (await shown()).join(', '));

  // bad files: foreign, truncated; nothing changes and #error says why
  await page.setInputFiles('#model-import', [{ name: 'notes.spanmark-model', mimeType: 'application/octet-stream', buffer: Buffer.from('hello, not a model') }]);
  await page.waitForFunction(() => document.getElementById('error').textContent !== '');
  assert.match(await page.textContent('#error'), /notes\.spanmark-model: not a spanmark learned model/);
  assert.equal(await call('learnedDocs'), 0);
  await page.setInputFiles('#model-import', [{ name: 'cut.spanmark-model', mimeType: 'application/octet-stream', buffer: bytes.subarray(0, bytes.length - 5) }]);
  await page.waitForFunction(() => /cut\.spanmark-model/.test(document.getElementById('error').textContent));
  assert.match(await page.textContent('#error'), /truncated/);
  assert.equal(await call('learnedDocs'), 0);

  await page.setInputFiles('#model-import', [{ name: 'model.spanmark-model', mimeType: 'application/octet-stream', buffer: bytes }]);
  await page.waitForFunction(() => window.spanmark.learnedDocs() === 5);
  await page.waitForFunction(() => document.getElementById('error').textContent === '');
  await call('load', SEEN, { id: 'after-import' });
  assert.ok((await shown()).includes('iPhone/GADGET/model'));

  // the import is durable
  await app.reload();
  assert.equal(await call('learnedDocs'), 5);
});

test('a label removed from the project is not suggested any more', async () => {
  await page.click('#edit-labels');
  await page.click('#label-editor .label-edit[data-label="GADGET"] .label-delete');
  await page.click('#label-editor .label-delete-yes');
  await page.waitForFunction(() => !document.querySelector('#labels button[data-label="GADGET"]'));
  await page.click('#edit-labels');
  await call('load', SEEN, { id: 'no-gadget' });
  assert.ok(!(await shown()).some((s) => s.includes('/GADGET/')), (await shown()).join(', '));
  assert.equal(await page.$('#labels button[data-label="GADGET"]'), null);
});
