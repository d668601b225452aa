// After an unclean stop the next start says what it found (issue 16): a
// job that can be cut short (an import, "Pre-annotate all") is journalled
// while it runs; the browser is closed abruptly mid-job and opened again on
// the same profile. The project is intact and `#error` stays empty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from './harness.mjs';

const app = useApp();
const { page, call } = app;

const noticeText = () => page.$eval('#notice-text', (e) => e.textContent);

// Polls IndexedDB from another tab of the same origin (the app's own page is
// busy reading the file) until a job's journal record is there.
async function waitForJournal() {
  const probe = await app.context.newPage();
  await probe.goto(`${app.url}__probe`);
  for (;;) {
    const found = await probe.evaluate(async () => {
      const db = await new Promise((resolve) => { const r = indexedDB.open('spanmark'); r.onsuccess = () => resolve(r.result); });
      const all = await new Promise((resolve) => {
        const r = db.transaction('settings').objectStore('settings').getAll();
        r.onsuccess = () => resolve(r.result);
      });
      db.close();
      return all.some((s) => s.key.startsWith('job:') && s.value);
    });
    if (found) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('an import killed mid-way: the next start says nothing of the file was kept', async () => {
  await call('load', 'Ana Lima flew to Lisbon on Monday.', { id: 'kept' });
  await call('addSpan', 0, 8, 'PER');
  const before = await call('exportAs', 'json');
  await page.evaluate(() => {
    const para = 'Maria Lopez of Acme Corp met officials in Berlin on Tuesday. '.repeat(160);
    window.__big = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ id: `n${i}`, text: `${i} ${para}` })).join('\n');
  });
  await page.evaluate(() => { window.spanmark.importFile('news.jsonl', window.__big).catch(() => {}); });
  await waitForJournal();
  await app.reopen();
  assert.equal(await noticeText(), 'the import of news.jsonl did not finish: nothing of it was kept.');
  assert.equal(await page.$eval('#notice', (e) => e.hidden), false);
  assert.equal(await page.$eval('#error', (e) => e.textContent), '');
  assert.equal(await call('exportAs', 'json'), before, 'the project is as it was');
  // Said once: the next start has nothing to say.
  await app.reload();
  assert.equal(await page.$eval('#notice', (e) => e.hidden), true);
});

test('"Pre-annotate all" killed mid-way: the next start says how far it got, and a new run finishes', async () => {
  await page.evaluate(async () => {
    const para = 'Maria Lopez of Acme Corp met officials in Berlin on Tuesday to discuss the deal. '.repeat(400);
    // Enough work that the job runs for seconds on a fast machine (40 such
    // documents took 0.7 s, too short a window to stop it in).
    const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({ id: `p${i}`, text: `${i}. ${para}` }));
    await window.spanmark.importFile('batch.jsonl', lines.join('\n'));
  });
  const before = JSON.parse(await call('exportAs', 'json')).documents.length;
  await page.evaluate(() => { window.spanmark.preannotateProject().catch(() => {}); });
  await page.waitForFunction(() => {
    const m = /Pre-annotating (\d+) \/ (\d+) documents \((\d+) saved\)/.exec(document.getElementById('project-job-text').textContent);
    return m && Number(m[3]) >= 3 && Number(m[1]) < Number(m[2]) - 5;
    // A loaded machine (CI beside other work) can take its time to the
    // third save; polled often, so that a fast one is not passed by.
  }, null, { timeout: 120000, polling: 50 });
  await app.reopen();
  const m = /^Pre-annotate all stopped at (\d+) of (\d+); run it again to finish\.$/.exec(await noticeText());
  assert.ok(m, await noticeText());
  const [done, total] = [Number(m[1]), Number(m[2])];
  assert.equal(total, 199, 'every document but the open one');
  assert.ok(done >= 3 && done < total, `${done} of ${total}`);
  assert.equal(await page.$eval('#error', (e) => e.textContent), '');
  assert.equal(JSON.parse(await call('exportAs', 'json')).documents.length, before, 'the project is intact');
  assert.equal(await call('preannotateProject'), total - done, 'the next run does the rest');
});
