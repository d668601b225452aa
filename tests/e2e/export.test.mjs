// Exports of a whole project: written in a worker document by document into
// a Blob of pieces, with a progress bar and Cancel (issue 16). The download
// and the contract's exportAs give the same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { useApp } from './harness.mjs';

const app = useApp();
const { page, call } = app;

const text = async (download) => fs.readFile(await download.path(), 'utf8');

test('every text format downloads the same bytes as exportAs, in import order', async () => {
  await call('load', 'Ana Lima flew to Lisbon on Monday.', { id: 'one' });
  await call('addSpan', 0, 8, 'PER');
  await call('load', 'Zoë 😀 met Bo Chen in Paris.', { id: 'two' });
  await call('addSpan', 11, 18, 'PER');
  for (const f of ['json', 'jsonl', 'doccano', 'prodigy', 'conll', 'labelstudio']) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#export-${f}`)]);
    assert.equal(await text(download), await call('exportAs', f), f);
  }
  const ids = JSON.parse(await call('exportAs', 'json')).documents.map((d) => d.id);
  assert.deepEqual(ids.slice(-2), ['one', 'two']);
  assert.equal(await page.$eval('#exporting', (e) => e.hidden), true, 'the bar is gone when done');
});

test('a long export shows its progress and Cancel stops it: nothing is downloaded', async () => {
  // 400 documents of 15 kB: a few seconds of Prodigy tokens in the worker.
  await page.evaluate(async () => {
    const para = 'Maria Lopez of Acme Corp met officials in Berlin on Tuesday to discuss the deal. '.repeat(180);
    const lines = Array.from({ length: 400 }, (_, i) => JSON.stringify({ id: `big${i}`, text: `${i}. ${para}` }));
    await window.spanmark.importFile('big.jsonl', lines.join('\n'));
  });
  let downloaded = false;
  const onDownload = () => { downloaded = true; };
  page.on('download', onDownload);
  await page.click('#export-prodigy');
  await page.waitForFunction(() => {
    const m = /Exporting (\d+) \/ (\d+)/.exec(document.getElementById('exporting-text').textContent);
    return !document.getElementById('exporting').hidden && m && Number(m[1]) > 0 && Number(m[1]) < Number(m[2]);
  });
  const bar = await page.$eval('#exporting-bar', (e) => parseFloat(e.style.width));
  assert.ok(bar > 0 && bar < 100, `the bar shows part done: ${bar}%`);
  await page.click('#exporting-cancel');
  await page.waitForFunction(() => document.getElementById('exporting').hidden);
  await page.waitForTimeout(500);
  page.off('download', onDownload);
  assert.equal(downloaded, false, 'a cancelled export downloads nothing');
  assert.equal(await page.$eval('#status', (e) => e.textContent), 'export cancelled');
  assert.equal(await page.$eval('#error', (e) => e.textContent), '');
  // The next one runs to the end.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-jsonl')]);
  const lines = (await text(download)).trim().split('\n');
  assert.equal(lines.filter((l) => JSON.parse(l).id.startsWith('big')).length, 400);
});
