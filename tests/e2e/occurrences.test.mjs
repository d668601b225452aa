// "Label every occurrence" from the keyboard (this document with `e`, the
// whole project with Shift+E), undone with one Ctrl+Z, durable; and the
// inconsistency list, whose entries open the place they name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, sliceCp } from './harness.mjs';

const app = useApp();
const { page, call, idle } = app;

const userSpans = async (text) => (await call('spans')).filter((s) => s.source === 'user')
  .map((s) => [sliceCp(text, s.start, s.end), s.label]);

const TEXT = 'Zed Quorra met 😀 Zed Quorra.\r\nThen Zed Quorra left; Zed Quorras stayed.';

async function selectSpan(start) {
  await page.click(`#doc [data-start="${start}"]`);
}

test('e labels every occurrence in the document; one Ctrl+Z undoes them all; durable', async () => {
  await call('load', TEXT, { id: 'o1' });
  await call('addSpan', 0, 10, 'PER');
  await selectSpan(0);
  await page.keyboard.press('e');
  await idle();
  assert.deepEqual(await userSpans(TEXT), [['Zed Quorra', 'PER'], ['Zed Quorra', 'PER'], ['Zed Quorra', 'PER']]);
  assert.match(await page.$eval('#status', (e) => e.textContent), /labeled 2 more occurrences of “Zed Quorra” as PER/);
  await page.keyboard.press('Control+z');
  await idle();
  assert.deepEqual(await userSpans(TEXT), [['Zed Quorra', 'PER']]);
  await page.keyboard.press('Control+Shift+Z');
  await idle();
  assert.equal((await userSpans(TEXT)).length, 3);
  await app.reload();
  assert.equal(await call('currentId'), 'o1');
  assert.equal((await userSpans(TEXT)).length, 3);
  // Nothing left to label: resolves to 0.
  assert.equal(await call('labelEveryOccurrence', 0, 10), 0);
  await page.keyboard.press('Control+z');
  await idle();
  assert.equal((await userSpans(TEXT)).length, 1, 'the undo history survived the reload');
});

test('Shift+E labels every occurrence in the whole project, one undo per document', async () => {
  const docs = [
    { id: 'p1', text: 'Kofi Mensah spoke first.' },
    { id: 'p2', text: 'Later Kofi Mensah left. Kofi Mensah returned.' },
    { id: 'p3', text: 'Nobody here.' },
  ];
  const added = await call('importFile', 'project.jsonl', docs.map((d) => JSON.stringify(d)).join('\n'));
  assert.equal(added, 3);
  assert.equal(await call('currentId'), 'p1');
  await call('addSpan', 0, 11, 'PER');
  // p2 has been opened (it has a stored snapshot) and holds a person's span.
  await page.click('#doc-list .doc-row[data-id="p2"]');
  await idle();
  await call('addSpan', 24, 35, 'ORG'); // the second "Kofi Mensah", the person's own
  await page.click('#doc-list .doc-row[data-id="p1"]');
  await idle();
  await selectSpan(0);
  await page.keyboard.press('Shift+E');
  await idle();
  assert.match(await page.$eval('#status', (e) => e.textContent), /labeled 1 more occurrence of “Kofi Mensah” as PER here and in 1 other document/);
  await page.click('#doc-list .doc-row[data-id="p2"]');
  await idle();
  assert.deepEqual(await userSpans(docs[1].text), [['Kofi Mensah', 'PER'], ['Kofi Mensah', 'ORG']]);
  await page.focus('#doc');
  await page.keyboard.press('Control+z');
  await idle();
  assert.deepEqual(await userSpans(docs[1].text), [['Kofi Mensah', 'ORG']]);
  await page.keyboard.press('Control+Shift+Z');
  await idle();
  await app.reload();
  assert.equal(await call('currentId'), 'p2');
  assert.deepEqual(await userSpans(docs[1].text), [['Kofi Mensah', 'PER'], ['Kofi Mensah', 'ORG']]);
  // The contract: a never-opened document (p5) gets them too.
  await call('importFile', 'more.jsonl', [{ id: 'p4', text: 'Zara Obi and Zara Obi.' }, { id: 'p5', text: 'Zara Obi wrote.' }]
    .map((d) => JSON.stringify(d)).join('\n'));
  assert.equal(await call('currentId'), 'p4');
  await call('addSpan', 0, 8, 'PER');
  assert.equal(await call('labelEveryOccurrence', 0, 8, { project: true }), 2);
  await page.click('#doc-list .doc-row[data-id="p5"]');
  await idle();
  assert.deepEqual(await userSpans('Zara Obi wrote.'), [['Zara Obi', 'PER']]);
});

test('the inconsistency list shows strings labeled differently and opens their places', async () => {
  const list = await call('inconsistencies');
  const kofi = list.find((i) => i.text === 'Kofi Mensah');
  assert.ok(kofi, JSON.stringify(list));
  assert.deepEqual(kofi.labels, [{ label: 'PER', count: 2 }, { label: 'ORG', count: 1 }]);
  assert.equal(kofi.unlabeled, 0);
  const withBlank = await call('inconsistencies', { unlabeled: true });
  assert.ok(withBlank.length >= list.length);
  await page.click('#inconsistencies-open');
  await page.waitForSelector('#inconsistencies-list .inconsistency[data-text="Kofi Mensah"]');
  assert.match(await page.$eval('#inconsistencies-list .inconsistency[data-text="Kofi Mensah"]', (e) => e.textContent), /PER ×2, ORG ×1/);
  await page.click('#inconsistencies-list .inconsistency[data-text="Kofi Mensah"] .place[data-doc="p2"][data-start="24"]');
  await idle();
  assert.equal(await call('currentId'), 'p2');
  // The span there is selected: a label key relabels it, making them consistent.
  await page.focus('#doc');
  await page.keyboard.press('1');
  await idle();
  assert.deepEqual(await userSpans('Later Kofi Mensah left. Kofi Mensah returned.'), [['Kofi Mensah', 'PER'], ['Kofi Mensah', 'PER']]);
  assert.ok(!(await call('inconsistencies')).some((i) => i.text === 'Kofi Mensah'));
});
