// Exports that say what was checked, and names (issue 15, points 5 and 10):
// formats that cannot mark a suggestion get accepted spans only unless
// "include suggestions" is ticked, the status says what was written, the
// file is named after the project; imported documents are named after their
// file and place, pastes after their first words, and a document is renamed
// from the sidebar by keyboard, durably.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { useApp } from './harness.mjs';

const app = useApp();
const { page, call, idle } = app;

const statusText = () => page.textContent('#status');
const rowNames = () => page.$$eval('#doc-list .doc-row .doc-row-name', (els) => els.map((e) => e.textContent || e.value));

test('doccano gets accepted spans only by default, suggestions when ticked; JSON keeps both, marked', async () => {
  await call('load', 'Ana Lima flew to Lisbon on Monday with Rui Falcão.', { id: 'checked' });
  const suggested = (await call('spans')).filter((s) => s.source !== 'user');
  assert.ok(suggested.length >= 3, JSON.stringify(suggested));
  // The person accepts one suggestion; the rest stay unchecked.
  await call('addSpan', suggested[0].start, suggested[0].end, suggested[0].label);
  const left = (await call('spans')).filter((s) => s.source !== 'user').length;

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-doccano')]);
  const line = JSON.parse((await fs.readFile(await download.path(), 'utf8')).trim().split('\n').pop());
  assert.deepEqual(line.label, [[suggested[0].start, suggested[0].end, suggested[0].label]], 'only the accepted span');
  await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Exported'));
  const said = await statusText();
  const project = JSON.parse(await call('exportAs', 'json')).documents;
  const unchecked = project.reduce((n, d) => n + d.spans.filter((s) => s.source !== 'user').length, 0);
  assert.match(await statusText(), /^Exported \d+ documents as spanmark JSON \(\d+ suggestions included, marked as suggestions\)$/);
  assert.equal(said,
    `Exported ${project.length} documents as doccano (accepted spans only; ${unchecked} suggestions left out)`);

  // The box is visible in the export bar and reachable by keyboard.
  await page.focus('#export-suggestions');
  await page.keyboard.press('Space');
  assert.equal(await page.isChecked('#export-suggestions'), true);
  const [withAll] = await Promise.all([page.waitForEvent('download'), page.click('#export-doccano')]);
  const all = JSON.parse((await fs.readFile(await withAll.path(), 'utf8')).trim().split('\n').pop());
  assert.equal(all.label.length, left + 1, 'every span of the document');
  await page.waitForFunction(() => /included as if accepted/.test(document.getElementById('status').textContent));
  await page.uncheck('#export-suggestions');

  // The contract: the same choice, and JSON always keeps them with their source.
  const doccano = (o) => call('exportAs', 'doccano', o).then((t) => JSON.parse(t.trim().split('\n').pop()).label.length);
  assert.equal(await doccano(), 1);
  assert.equal(await doccano({ suggestions: false }), 1);
  assert.equal(await doccano({ suggestions: true }), left + 1);
  assert.equal(await doccano({ suggestions: true, offsets: 'utf16' }), left + 1, 'other options still work');
  const conll = await call('exportAs', 'conll', { suggestions: true, scheme: 'bilou' });
  assert.match(conll, /\bU-|\bB-/);
  const json = JSON.parse(await call('exportAs', 'json'));
  const doc = json.documents.find((d) => d.id === 'checked');
  assert.equal(doc.spans.filter((s) => s.source !== 'user').length, left);
  assert.equal(await call('exportAs', 'json'), await call('exportAs', 'json', { suggestions: true }), 'JSON is the same file either way');
  const ls = JSON.parse(await call('exportAs', 'labelstudio')).find((t) => t.data.id === 'checked');
  assert.equal(ls.predictions.reduce((n, p) => n + p.result.length, 0), left, 'Label Studio: suggestions as predictions');
});

test('an import names its documents after the file and its place; exports are named after the project', async () => {
  await app.freshProfile();
  const lines = [
    { text: 'Ana Lima flew to Lisbon.' },
    { text: 'Bo met Cy.', title: 'Field notes' },
    { id: 'memo-7', text: 'Di went home.' },
    { text: 'Ed stayed.' },
  ].map((o) => JSON.stringify(o)).join('\n');
  assert.equal(await call('importFile', 'news.jsonl', lines), 4);
  const conll = '-DOCSTART- -X- -X- O\n\nEU B-ORG\nrejects O\n\n-DOCSTART- -X- -X- O\n\nBo B-PER\n';
  assert.equal(await call('importFile', 'wire.conll', conll), 2);
  await page.waitForFunction(() => document.querySelectorAll('#doc-list .doc-row').length >= 7);
  const names = await rowNames();
  for (const want of ['news.jsonl #1', 'Field notes', 'memo-7', 'news.jsonl #4', 'wire.conll #1', 'wire.conll #2']) {
    assert.ok(names.includes(want), `${want} in ${names.join(', ')}`);
  }
  assert.equal(await page.textContent('#doc-name'), 'wire.conll #1', 'the first new document is open, by name');
  // The demo came first, but the project takes the first imported file's name.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-conll')]);
  assert.equal(download.suggestedFilename(), 'news.conll');
  const [brat] = await Promise.all([page.waitForEvent('download'), page.click('#export-brat')]);
  assert.equal(brat.suggestedFilename(), 'news.brat.tar');
});

test('a one-document project exports under its document name; a paste is named by its first words', async () => {
  await app.freshProfile();
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-jsonl')]);
  assert.equal(download.suggestedFilename(), 'Demo_ WHO signs vaccine deal.jsonl');
  await page.click('#paste-open');
  await page.fill('#paste-text', 'Ana Lima flew to Lisbon on Monday with Rui Falcão.');
  await page.click('#paste-go');
  await page.waitForFunction(() => document.getElementById('doc-name').textContent.startsWith('Ana'));
  assert.equal(await page.textContent('#doc-name'), 'Ana Lima flew to Lisbon on…');
  // The list gets its row once the document is stored (the name shows before).
  await page.waitForFunction(() => [...document.querySelectorAll('#doc-list .doc-row .doc-row-name')]
    .some((e) => e.textContent === 'Ana Lima flew to Lisbon on…'));
  // load() keeps a given name exactly.
  await call('load', 'x', { id: 'exact', name: '  Spaces kept  ' });
  const json = JSON.parse(await call('exportAs', 'json'));
  assert.equal(json.documents.find((d) => d.id === 'exact').meta.name, '  Spaces kept  ');
});

test('a document is renamed from the sidebar by keyboard: Enter saves, Esc cancels, bad names are refused; it lasts', async () => {
  await app.freshProfile();
  await call('load', 'Bo met Cy in Rome.', { id: 'r1', name: 'First' });
  await call('load', 'Di went home.', { id: 'r2', name: 'Second' });
  // F2 on a focused row (not the open one).
  await page.focus('#doc-list .doc-row[aria-selected="true"]');
  await page.keyboard.press('ArrowUp');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.id), 'r1');
  await page.keyboard.press('F2');
  const input = '#doc-list .doc-row input';
  await page.waitForSelector(input);
  assert.equal(await page.$eval(input, (e) => e.value), 'First');
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'INPUT');
  // Esc cancels.
  await page.keyboard.type(' draft');
  await page.keyboard.press('Escape');
  assert.equal(await page.$(input), null);
  assert.ok((await rowNames()).includes('First'));
  assert.equal(await page.evaluate(() => document.activeElement.dataset.id), 'r1', 'focus back on the row');
  // An empty name is refused with a message, and the row stays open.
  await page.keyboard.press('F2');
  await page.waitForSelector(input);
  await page.fill(input, '   ');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('error').textContent.includes('empty'));
  assert.ok(await page.$(input), 'still open to correct');
  await page.fill(input, 'x'.repeat(121));
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('error').textContent.includes('at most 120'));
  // Enter saves.
  await page.fill(input, 'Rome meeting');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !document.querySelector('#doc-list .doc-row input'));
  assert.ok((await rowNames()).includes('Rome meeting'));
  assert.equal(await page.textContent('#error'), '');
  assert.match(await statusText(), /renamed to “Rome meeting”/);
  assert.equal(await call('currentId'), 'r2', 'renaming does not open the document');
  // The Rename button renames the open one; its name in the top bar follows.
  await page.click('#rename-doc');
  await page.waitForSelector(input);
  await page.fill(input, 'Home');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('doc-name').textContent === 'Home');
  // Marking done afterwards writes the document again: the name stays.
  await call('markDone');
  await idle();
  await app.reload();
  await page.waitForFunction(() => window.spanmark);
  const names = await rowNames();
  assert.ok(names.includes('Rome meeting') && names.includes('Home'), names.join(', '));
  const json = JSON.parse(await call('exportAs', 'json'));
  assert.deepEqual(json.documents.map((d) => d.meta.name).slice(-2), ['Rome meeting', 'Home']);
});

test('a document is deleted from the list, asked first: Cancel keeps it; its annotations go with it; the next opens, the demo when none is left; another tab follows', async () => {
  await app.freshProfile();
  await call('load', 'Bo met Cy in Rome.', { id: 'k1', name: 'Keep' });
  await call('load', 'Di went home.', { id: 'k2', name: 'Gone' });
  await call('addSpan', 0, 2, 'PER');
  await idle();
  const other = await app.context.newPage();
  await other.goto(page.url());
  await other.evaluate(() => window.spanmarkReady);
  await other.evaluate(() => window.spanmark.openDocument('k2'));
  const ids = () => page.$$eval('#doc-list .doc-row', (rs) => rs.map((r) => r.dataset.id));
  assert.ok((await ids()).includes('k2'));

  // Delete on the open document's row: asked, with its name; Cancel keeps it.
  await page.focus('#doc-list .doc-row[data-id="k2"]');
  await page.keyboard.press('Delete');
  await page.waitForSelector('#delete-dialog[open]');
  assert.equal(await page.textContent('#delete-what'), 'Delete “Gone”?');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Cancel', 'Cancel has the focus');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !document.getElementById('delete-dialog').open);
  await idle();
  assert.ok((await ids()).includes('k2'));
  assert.equal(await call('currentId'), 'k2');

  // The Delete… button, then Delete: gone with its annotations; the next opens.
  await page.click('#delete-doc');
  await page.click('#delete-confirm');
  await page.waitForFunction(() => /deleted “Gone”/.test(document.getElementById('status').textContent));
  await idle();
  assert.ok(!(await ids()).includes('k2'));
  assert.notEqual(await call('currentId'), 'k2');
  const json = JSON.parse(await call('exportAs', 'json'));
  assert.ok(!json.documents.some((d) => d.id === 'k2'), 'not in an export');
  // The other tab, which had it open, moved on.
  await other.waitForFunction(() => window.spanmark.currentId() !== 'k2');
  await other.waitForFunction(() => !document.querySelector('#doc-list .doc-row[data-id="k2"]'));
  assert.match(await other.textContent('#status'), /deleted in another tab/);
  await other.close();
  // It stays gone after a reload; loading the same id again starts it afresh.
  await app.reload();
  await page.waitForFunction(() => window.spanmark);
  assert.ok(!(await ids()).includes('k2'));
  await call('load', 'Di went home.', { id: 'k2', name: 'Back' });
  assert.deepEqual((await call('spans')).filter((s) => s.source === 'user'), [], 'no annotation of the deleted one came back');

  // The contract deletes without asking; with none left, the demo opens.
  for (const id of JSON.parse(await call('exportAs', 'json')).documents.map((d) => d.id)) await call('deleteDocument', id);
  await idle();
  assert.equal(await call('currentId'), 'demo');
  assert.deepEqual(await ids(), ['demo']);
  await assert.rejects(call('deleteDocument', 'nope'), /No document with id "nope"/);
});
