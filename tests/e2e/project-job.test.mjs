// "Pre-annotate all": every document never opened is pre-annotated in a
// worker and saved as it goes; progress, cancel, and the page keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, sliceCp } from './harness.mjs';

const app = useApp();
const { page, call } = app;

const exported = async () => JSON.parse(await call('exportAs', 'json'));

const PEOPLE = ['Ana Lima', 'Kofi Mensah', 'Li Wei', 'Omar Haddad', 'Grace Hopper'];
const PLACES = ['Lisbon', 'Accra', 'Berlin', 'Nairobi', 'Paris'];
const sentence = (i) => `${PEOPLE[i % 5]} flew to ${PLACES[(i * 2) % 5]} on Monday 😀 to meet the mayor.`;
const jsonl = (docs) => docs.map((d) => JSON.stringify(d)).join('\n') + '\n';

test('pre-annotate all: every unopened document gets its suggestions saved, the open one is left to the page', async () => {
  const docs = Array.from({ length: 12 }, (_, i) => ({ id: `p${i}`, text: `${sentence(i)} ${sentence(i + 1)}` }));
  // One long enough to be annotated piece by piece in the worker.
  docs.push({ id: 'plong', text: Array.from({ length: 3000 }, (_, i) => sentence(i)).join('\r\n') });
  assert.equal(await call('importFile', 'batch.jsonl', jsonl(docs)), docs.length);
  assert.equal(await call('currentId'), 'p0', 'the import opens its first document');
  const before = await exported();
  for (const d of before.documents.filter((x) => x.id !== 'p0' && x.id.startsWith('p'))) {
    assert.equal(d.spans.length, 0, `${d.id} has no suggestions before`);
  }

  const n = await call('preannotateProject');
  assert.equal(n, docs.length - 1, 'every imported document but the open one');
  assert.equal(await page.$eval('#project-job', (e) => e.hidden), true, 'the progress bar is gone');
  const after = await exported();
  for (const d of docs.slice(1)) {
    const got = after.documents.find((x) => x.id === d.id);
    assert.ok(got.spans.length >= 2, `${d.id}: ${got.spans.length} suggestions`);
    assert.ok(got.spans.every((s) => s.source !== 'user'), `${d.id}: suggestions, not a person's spans`);
    const people = got.spans.filter((s) => s.label === 'PER').map((s) => sliceCp(d.text, s.start, s.end));
    assert.ok(people.some((p) => PEOPLE.includes(p)), `${d.id}: a person found: ${JSON.stringify(people)}`);
  }
  // The sidebar counts them without a reload.
  const count = await page.$eval('#doc-list .doc-row[data-id="p5"] .doc-row-count', (e) => e.textContent);
  assert.equal(Number(count), after.documents.find((x) => x.id === 'p5').spans.length);

  // Opening one shows exactly what was saved for it.
  const saved = after.documents.find((x) => x.id === 'p5').spans.map((s) => `${s.start}:${s.end}:${s.label}`).sort();
  await page.click('#doc-list .doc-row[data-id="p5"]');
  await page.waitForFunction(() => window.spanmark.currentId() === 'p5');
  await call('idle');
  const shown = (await call('spans')).map((s) => `${s.start}:${s.end}:${s.label}`).sort();
  assert.deepEqual(shown, saved);

  // Nothing left to do: a second run writes nothing and changes nothing.
  assert.equal(await call('preannotateProject'), 0);
  assert.deepEqual((await exported()).documents, (await exported()).documents);
});

test('pre-annotate all can be cancelled: what is done stays saved, the rest is done by the next run', async () => {
  // 60 documents of about 40,000 characters: long enough to cancel midway.
  const docs = Array.from({ length: 60 }, (_, k) => ({
    id: `c${k}`,
    text: Array.from({ length: 520 }, (_, i) => sentence(i + k)).join(' '),
  }));
  await call('importFile', 'many.jsonl', jsonl(docs));
  const open = await call('currentId');
  // The page answers while the worker works: an edit of the open document
  // is saved while the job runs. Then Cancel, in the task in which the page
  // shows a batch saved.
  const { k, runningAtEdit } = await page.evaluate(async () => {
    const job = document.getElementById('project-job');
    const text = document.getElementById('project-job-text');
    const run = window.spanmark.preannotateProject();
    await window.spanmark.addSpan(0, 8, 'PER');
    const runningAtEdit = !job.hidden;
    const cancelOnSave = () => {
      if (!/\([1-9]\d* saved\)/.test(text.textContent)) return false;
      document.getElementById('project-job-cancel').click();
      return true;
    };
    if (!cancelOnSave()) {
      const mo = new MutationObserver(() => { if (cancelOnSave()) mo.disconnect(); });
      mo.observe(text, { childList: true, characterData: true, subtree: true });
    }
    return { k: await run, runningAtEdit };
  });
  assert.ok(runningAtEdit, 'the job was running when the edit was saved');
  assert.ok(k >= 1 && k < docs.length - 1, `${k} done before the cancel`);
  assert.equal(await page.$eval('#project-job', (e) => e.hidden), true);

  await app.reload();
  // The page heard of k; a write that completed as the worker was stopped
  // may hold a few more.
  const withSpans = (await exported()).documents.filter((d) => d.id.startsWith('c') && d.id !== open && d.spans.length > 0);
  assert.ok(withSpans.length >= k && withSpans.length < docs.length - 1, `${withSpans.length} saved, ${k} reported`);
  assert.equal(await call('preannotateProject'), docs.length - 1 - withSpans.length, 'the next run does the rest');
  const all = (await exported()).documents.filter((d) => d.id.startsWith('c'));
  assert.ok(all.every((d) => d.spans.length > 0));
  assert.ok(all.find((d) => d.id === open).spans.some((s) => s.start === 0 && s.end === 8 && s.source === 'user'), 'the edit made during the run is kept');
});
