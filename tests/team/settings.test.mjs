// The project's label set and rules as a team's: what a curator changes in
// her page after the project exists reaches every annotator's page (their
// suggestions included); what an annotator changes stays in her browser
// (the server would refuse it) and nothing is refused or lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, call } from './harness.mjs';
import { chromiumMissing, useTeamPages, ADMIN } from './page.mjs';

const skip = (await chromiumMissing())
  || (fs.existsSync(path.join(ROOT, 'www/pkg/spanmark.js')) ? false : 'no www/pkg: run ./build.sh build');

const team = useTeamPages({ skip, users: [['cora', 'curator'], ['abe', 'annotator']] });
const { profile } = team;

const labelNames = async (p) => JSON.parse(await p.call('exportAs', 'json')).labels.map((l) => l.name);

test('a curator\'s new label and rules reach an annotator\'s page and suggestions; the annotator\'s own stay hers', { skip }, async () => {
  const cora = await profile();
  await cora.call('importFile', 'docs.jsonl', '{"id":"w1","text":"Gizmo Works hired Lena Ortiz in Lyon."}\n');
  await cora.call('join', { user: 'cora', password: 'cora-pw', project: 'shop' });
  const abe = await profile();
  await abe.call('join', { user: 'abe', password: 'abe-pw', project: 'shop' });
  assert.ok(!(await labelNames(abe)).includes('BRAND'));

  // The curator adds a label in the label editor, and a rule for it.
  if (await cora.page.isVisible('#more')) await cora.page.click('#more'); // the bar's menus fold in a team
  await cora.page.click('#edit-labels');
  await cora.page.fill('#new-label', 'BRAND');
  await cora.page.click('.label-add button');
  await cora.page.waitForFunction(() => [...document.querySelectorAll('#label-editor input')].some((i) => i.value === 'BRAND'));
  const rule = '{"label": "BRAND", "pattern": "Gizmo Works"}';
  await cora.call('setRules', rule);
  await cora.call('sync');
  const labels = await call(`${team.server.url}/db/shop/labels`, { as: ADMIN });
  assert.ok(labels.body.labels.some((l) => l.name === 'BRAND'), 'the new label is on the server');
  const rules = await call(`${team.server.url}/db/shop/rules`, { as: ADMIN });
  assert.match(rules.body.rules, /Gizmo Works/, 'the rules are on the server');

  // The annotator's page takes both: the label set, the rules, and the
  // open document's suggestions made with them.
  await abe.call('sync');
  await abe.page.waitForFunction(() => /Gizmo Works/.test(window.spanmark.rules()), null, { timeout: 10000 });
  await abe.page.evaluate(() => window.spanmark.idle());
  assert.ok((await labelNames(abe)).includes('BRAND'));
  await abe.call('openDocument', 'w1');
  const spans = await abe.call('spans');
  assert.ok(spans.some((s) => s.start === 0 && s.end === 11 && s.label === 'BRAND' && s.source !== 'user'),
    `a BRAND suggestion over "Gizmo Works": ${JSON.stringify(spans)}`);

  // The annotator's own rule is hers: not sent, nothing refused.
  await abe.call('setRules', '{"label": "PER", "pattern": "Lena"}');
  await abe.call('sync');
  assert.equal(await abe.call('syncState'), 'synced');
  assert.match(await abe.call('rules'), /Lena/);
  const after = await call(`${team.server.url}/db/shop/rules`, { as: ADMIN });
  assert.equal(after.body._rev, rules.body._rev, 'the team\'s rules are as the curator left them');
  for (const p of [cora, abe]) assert.deepEqual(p.errors, []);
});

const rowName = (p) => p.page.textContent('#doc-list .doc-row[data-id="w1"] .doc-row-name');

// Renames a document as a person does: F2 on its row in the list, a name, Enter.
async function rename(p, name) {
  await p.page.focus('#doc-list .doc-row[data-id="w1"]');
  await p.page.keyboard.press('F2');
  const input = '#doc-list .doc-row input';
  await p.page.waitForSelector(input);
  await p.page.fill(input, name);
  await p.page.keyboard.press('Enter');
}

test('a curator\'s rename of a project document reaches every annotator\'s list; an annotator\'s is refused with the reason', { skip }, async () => {
  const [cora, abe] = team.profiles;
  await cora.call('openDocument', 'w1');
  await rename(cora, 'Hiring in Lyon');
  await cora.page.waitForFunction(() => document.getElementById('doc-name').textContent === 'Hiring in Lyon');
  await cora.call('sync');
  const doc = await call(`${team.server.url}/db/shop/doc:w1`, { as: ADMIN });
  assert.equal(doc.body.meta.name, 'Hiring in Lyon', 'the name is on the server');
  assert.equal(doc.body.text, 'Gizmo Works hired Lena Ortiz in Lyon.', 'with its text');

  await abe.call('sync');
  await abe.page.evaluate(() => window.spanmark.idle());
  assert.equal(await rowName(abe), 'Hiring in Lyon');
  assert.equal(await abe.page.textContent('#doc-name'), 'Hiring in Lyon', 'her open document\'s name too');

  // The annotator's own rename: refused, said, nothing changed.
  await rename(abe, 'My name');
  await abe.page.waitForFunction(() => /only a curator renames the project's documents: abe is annotator/.test(document.getElementById('error').textContent));
  await abe.page.keyboard.press('Escape'); // the row was left open, as for any refused name
  assert.equal(await rowName(abe), 'Hiring in Lyon');
  await abe.call('sync');
  assert.equal(await abe.call('syncState'), 'synced');
  assert.equal((await call(`${team.server.url}/db/shop/doc:w1`, { as: ADMIN })).body.meta.name, 'Hiring in Lyon');
  assert.deepEqual(cora.errors, []);
});

test('a curator\'s deletion of a project document reaches every annotator\'s page (their records stay on the server); an annotator\'s is refused', { skip }, async () => {
  const [cora, abe] = team.profiles;
  // Imported after joining: the project's.
  await cora.call('importFile', 'more.jsonl', '{"id":"w2","text":"Mira Soto left Oslo."}\n');
  await cora.call('sync');
  await abe.call('sync');
  await abe.call('openDocument', 'w2');
  await abe.call('addSpan', 0, 9, 'PER');
  await abe.call('sync');
  const rows = (p) => p.page.$$eval('#doc-list .doc-row', (rs) => rs.map((r) => r.dataset.id));
  assert.ok((await rows(abe)).includes('w2'));

  await assert.rejects(abe.call('deleteDocument', 'w2'), /only a curator deletes the project's documents: abe is annotator/);
  assert.ok((await rows(abe)).includes('w2'), 'still hers to annotate');

  // Deleted while she curates it (the open record is its curated one).
  await cora.call('curate', 'w2');
  await cora.call('deleteDocument', await cora.call('currentId'));
  assert.equal(await cora.call('currentId'), 'w1', 'the next one opens');
  await cora.call('sync');
  assert.equal(await cora.call('syncState'), 'synced');
  const onServer = await call(`${team.server.url}/db/shop/_all_docs?keys=${encodeURIComponent('["doc:w2"]')}`, { as: ADMIN });
  assert.equal(onServer.body.rows[0].value?.deleted, true, JSON.stringify(onServer.body));

  // Abe had it open: it leaves her list, the next opens.
  await abe.call('sync');
  await abe.page.evaluate(() => window.spanmark.idle());
  assert.ok(!(await rows(abe)).includes('w2'), (await rows(abe)).join(', '));
  assert.notEqual(await abe.call('currentId'), 'w2');
  assert.match(await abe.page.textContent('#status'), /deleted from the project by a curator/);
  assert.equal(await abe.call('syncState'), 'synced');
  const hers = await call(`${team.server.url}/db/shop/ann:w2:abe`, { as: ADMIN });
  assert.equal(hers.status, 200, 'her record of it stays on the server');
  // Another round brings nothing back.
  await cora.call('sync');
  await abe.call('sync');
  assert.ok(!(await rows(abe)).includes('w2'));
  assert.ok(!(await rows(cora)).includes('w2'));
  assert.equal((await call(`${team.server.url}/db/shop/doc:w2`, { as: ADMIN })).status, 404);
});
