// Relations, document labels and notes in a team: an annotator's reach the
// server in her record and come back on her other device; the curator's
// project settings (the overlap setting, relation and document labels)
// reach every annotator's page.
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

const TEXT = 'Lena Ortiz works for the Bank of China in Lyon.';

test('an annotator\'s relations, document labels and notes go with her record to the server and to her other device', { skip }, async () => {
  const cora = await profile();
  await cora.call('importFile', 'docs.jsonl', `${JSON.stringify({ id: 'w1', text: TEXT })}\n`);
  await cora.call('setOverlap', 'nested');
  await cora.call('join', { user: 'cora', password: 'cora-pw', project: 'firms' });
  await cora.call('sync');
  const labels = await call(`${team.server.url}/db/firms/labels`, { as: ADMIN });
  assert.equal(labels.body.structure.overlap, 'nested', 'the project\'s overlap setting is on the server');

  const abe = await profile();
  await abe.call('join', { user: 'abe', password: 'abe-pw', project: 'firms' });
  await abe.call('sync');
  assert.equal(await abe.call('overlap'), 'nested', 'the annotator\'s page takes the project\'s setting');
  await abe.call('openDocument', 'w1');
  await abe.call('addSpan', 0, 10, 'PER');
  await abe.call('addSpan', 25, 38, 'ORG');
  await abe.call('addSpan', 33, 38, 'LOC'); // nested: China inside the bank
  const spans = (await abe.call('spans')).filter((s) => s.source === 'user');
  const id = (start, end) => spans.find((s) => s.start === start && s.end === end).id;
  await abe.call('addRelation', id(0, 10), id(25, 38), 'works_for');
  await abe.call('setDocLabels', ['hiring']);
  await abe.call('setNote', {}, 'second paragraph missing');
  await abe.call('setNote', { span: id(0, 10) }, 'Ortiz or Ortíz?');
  await abe.call('sync');

  const record = await call(`${team.server.url}/db/firms/ann:w1:abe`, { as: ADMIN });
  assert.equal(record.status, 200);
  const { body } = record;
  assert.equal(body.spans.length >= 3, true);
  assert.deepEqual(body.relations.map((r) => r.label), ['works_for']);
  assert.deepEqual(body.doc_labels, ['hiring']);
  assert.equal(body.note, 'second paragraph missing');
  assert.equal(body.spans.find((s) => s.start === 0).note, 'Ortiz or Ortíz?');

  // Her other device (a fresh profile) gets it all back.
  const again = await profile();
  await again.call('join', { user: 'abe', password: 'abe-pw', project: 'firms' });
  await again.call('sync');
  await again.call('openDocument', 'w1');
  const rels = await again.call('relations');
  const there = (await again.call('spans')).filter((s) => s.source === 'user');
  const at = (sid) => there.find((s) => s.id === sid);
  assert.deepEqual(rels.map((r) => [at(r.from).start, at(r.to).start, r.label]), [[0, 25, 'works_for']]);
  assert.deepEqual(await again.call('docLabels'), ['hiring']);
  assert.equal(await again.call('note'), 'second paragraph missing');
  assert.equal(there.find((s) => s.start === 0).note, 'Ortiz or Ortíz?');
  assert.equal(there.filter((s) => s.start === 33).length, 1, 'the nested span came too');
  for (const p of [cora, abe, again]) assert.deepEqual(p.errors, []);
});
