// Projects with relations, nested entities, document labels and notes, in
// the shapes doccano, Label Studio and brat write them, imported into the
// page and exported back to the same format: nothing a format can say is
// lost, and the page draws what came in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from './harness.mjs';

const app = useApp();
const { page, call } = app;

const TEXT = 'Mara Quist joined the Bank of Lund in May.';
// Mara Quist 0..10, Bank of Lund 22..34, Lund 30..34 (nested), May 38..41.

const places = (spans) => spans.map((s) => `${s.start}..${s.end} ${s.label}`).sort();

test('doccano: relations, a nested entity, cats and comments come in and go out unchanged', async () => {
  const line = {
    id: 7,
    text: TEXT,
    entities: [
      { id: 1, label: 'PER', start_offset: 0, end_offset: 10 },
      { id: 2, label: 'ORG', start_offset: 22, end_offset: 34 },
      { id: 3, label: 'LOC', start_offset: 30, end_offset: 34 },
    ],
    relations: [{ id: 1, from_id: 1, to_id: 2, type: 'joined' }, { id: 2, from_id: 2, to_id: 3, type: 'based_in' }],
    cats: ['business'],
    Comments: ['from the spring issue'],
  };
  await call('importFile', 'firms.doccano.jsonl', `${JSON.stringify(line)}\n`);
  assert.equal(await call('overlap'), 'nested', 'the nested entity loosened the project\'s setting');
  const spans = (await call('spans')).filter((s) => s.source === 'user');
  assert.deepEqual(places(spans), ['0..10 PER', '22..34 ORG', '30..34 LOC']);
  assert.equal(await page.$$eval('#doc mark.span[data-source="user"]', (m) => m.length), 3, 'all three drawn');
  await page.waitForFunction(() => document.querySelectorAll('#doc svg.arcs g[data-relation]').length === 2);
  assert.deepEqual(await call('docLabels'), ['business']);
  assert.equal(await call('note'), 'from the spring issue');

  const out = (await call('exportAs', 'doccano')).trim().split('\n').map((l) => JSON.parse(l));
  const back = out.find((d) => d.text === TEXT);
  const at = (id) => back.entities.find((e) => e.id === id);
  assert.deepEqual(places(back.entities.map((e) => ({ start: e.start_offset, end: e.end_offset, label: e.label }))),
    ['0..10 PER', '22..34 ORG', '30..34 LOC']);
  assert.deepEqual(back.relations.map((r) => [at(r.from_id).start_offset, at(r.to_id).start_offset, r.type]).sort(),
    [[0, 22, 'joined'], [22, 30, 'based_in']]);
  assert.deepEqual(back.cats, ['business']);
  assert.deepEqual(back.Comments, ['from the spring issue']);
});

test('Label Studio: relations, nested regions, choices and notes on the task and on a region round-trip', async () => {
  const text = TEXT.replace('May', 'June'); // not the doccano document's text
  const region = (id, start, end, label) => ({
    id, from_name: 'label', to_name: 'text', type: 'labels', value: { start, end, text: text.slice(start, end), labels: [label] },
  });
  const task = [{
    data: { text },
    annotations: [{
      result: [
        region('a1', 0, 10, 'PER'),
        region('a2', 22, 34, 'ORG'),
        region('a3', 30, 34, 'LOC'),
        { from_id: 'a1', to_id: 'a2', type: 'relation', direction: 'right', labels: ['joined'] },
        { id: 'a1', from_name: 'span_note', to_name: 'text', type: 'textarea', value: { text: ['spelled Quist, not Qvist'] } },
        { id: 'c1', from_name: 'category', to_name: 'text', type: 'choices', value: { choices: ['business'] } },
        { id: 'n1', from_name: 'note', to_name: 'text', type: 'textarea', value: { text: ['check the date'] } },
      ],
    }],
  }];
  await call('importFile', 'firms.labelstudio.json', JSON.stringify(task));
  const spans = (await call('spans')).filter((s) => s.source === 'user');
  assert.deepEqual(places(spans), ['0..10 PER', '22..34 ORG', '30..34 LOC']);
  assert.equal(spans.find((s) => s.start === 0).note, 'spelled Quist, not Qvist');
  assert.deepEqual(await call('docLabels'), ['business']);
  assert.equal(await call('note'), 'check the date');
  const rels = await call('relations');
  const start = (id) => spans.find((s) => s.id === id).start;
  assert.deepEqual(rels.map((r) => [start(r.from), start(r.to), r.label]), [[0, 22, 'joined']]);

  const out = JSON.parse(await call('exportAs', 'labelstudio'));
  const back = out.find((t) => t.data.text === text).annotations[0].result;
  const regions = back.filter((r) => r.type === 'labels');
  assert.deepEqual(places(regions.map((r) => ({ start: r.value.start, end: r.value.end, label: r.value.labels[0] }))),
    ['0..10 PER', '22..34 ORG', '30..34 LOC']);
  const byId = (id) => regions.find((r) => r.id === id).value.start;
  const relation = back.find((r) => r.type === 'relation');
  assert.deepEqual([byId(relation.from_id), byId(relation.to_id), relation.labels[0], relation.direction], [0, 22, 'joined', 'right']);
  assert.deepEqual(back.find((r) => r.type === 'choices').value.choices, ['business']);
  const notes = back.filter((r) => r.type === 'textarea').map((r) => r.value.text[0]).sort();
  assert.deepEqual(notes, ['check the date', 'spelled Quist, not Qvist']);
});

test('brat: a project with relations, nesting, notes and attributes goes out as a tar and comes back the same', async () => {
  // The project so far (the doccano and the Label Studio documents) as brat.
  const tar = await call('exportAs', 'brat');
  assert.match(tar, /\nR\d+\tjoined Arg1:T\d+ Arg2:T\d+\n/);
  assert.match(tar, /\n#\d+\tAnnotatorNotes T\d+\tspelled Quist, not Qvist\n/);
  assert.match(tar, /\nT\d+\tLOC 30 34\tLund\n/, 'the nested entity is there');
  assert.match(await page.textContent('#status'), /brat cannot hold document labels/);
  await app.freshProfile();
  await call('importFile', 'firms.brat.tar', tar);
  const docs = JSON.parse(await call('exportAs', 'json')).documents;
  const noted = docs.find((d) => d.spans.some((s) => s.note === 'spelled Quist, not Qvist'));
  assert.ok(noted, 'the document with the span note came back');
  await call('openDocument', noted.id);
  const spans = (await call('spans')).filter((s) => s.source === 'user');
  assert.deepEqual(places(spans), ['0..10 PER', '22..34 ORG', '30..34 LOC']);
  const start = (id) => spans.find((s) => s.id === id).start;
  assert.deepEqual((await call('relations')).map((r) => [start(r.from), start(r.to), r.label]), [[0, 22, 'joined']]);
  assert.equal(spans.find((s) => s.start === 0).note, 'spelled Quist, not Qvist');
  assert.equal(await page.textContent('#error'), '');
});
