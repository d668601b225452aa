// Curation and assignment in the page, against the real team server and
// separate browser profiles: two annotators label a document differently,
// a curator opens it for curation and settles it with the keys and a click
// (her own record untouched), the curated record reaches the server, a
// second curator and the CLI; an annotator cannot curate; the curator
// assigns the documents and each annotator's list shows hers first, as
// the CLI's `spanmark team assign` sees them too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT, call, tempDir } from './harness.mjs';
import { chromiumMissing, useTeamPages, ADMIN } from './page.mjs';
import { dragOver } from '../e2e/harness.mjs';

const BIN = process.env.SPANMARK_BIN || path.join(ROOT, 'target/release/spanmark');
const skip = (await chromiumMissing())
  || (fs.existsSync(path.join(ROOT, 'www/pkg/spanmark.js')) ? false : 'no www/pkg: run ./build.sh build')
  || (fs.existsSync(BIN) ? false : `no CLI at ${BIN}: run ./build.sh build`);
const dir = tempDir('spanmark-team-curation-');

// "Ana Lima" 0-8, "Lisbon" 17-23, "Acme" 29-33.
const DOCS = [
  { id: 'd1', text: 'Ana Lima flew to Lisbon with Acme on Monday.' },
  { id: 'd2', text: 'Bob works in Zürich.' },
  { id: 'd3', text: 'Nothing to see here.' },
];
const JSONL = DOCS.map((d) => JSON.stringify({ ...d, spans: [] })).join('\n') + '\n';

const team = useTeamPages({ skip, users: [['ced', 'curator'], ['cid', 'curator'], ['ana', 'annotator'], ['ben', 'annotator']] });
const { profile } = team;

function cli(args, user) {
  const env = { ...process.env, SPANMARK_USER: user, SPANMARK_PASSWORD: `${user}-pw` };
  const r = spawnSync(BIN, ['team', ...args, '--server', team.server.url, '--project', 'cur'], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const own = (spans) => spans.filter((s) => s.source === 'user').map(({ start, end, label }) => [start, end, label]).sort((a, b) => a[0] - b[0]);
const triples = (spans) => spans.map(({ start, end, label }) => [start, end, label]).sort((a, b) => a[0] - b[0]);
const idle = (p) => p.page.evaluate(() => window.spanmark.idle());

async function label(p, docId, spans) {
  await p.call('openDocument', docId);
  for (const [start, end, l] of spans) await p.call('addSpan', start, end, l);
  await p.call('markDone');
  await idle(p);
}

async function press(p, key) {
  await p.page.keyboard.press(key);
  await idle(p);
}

let ced;

test('a curator settles two annotators\' versions into the curated record, which the server, a second curator and the CLI get', { skip }, async () => {
  ced = await profile();
  await ced.call('importFile', 'docs.jsonl', JSONL);
  await ced.call('join', { user: 'ced', password: 'ced-pw', project: 'cur' });
  const [ana, ben] = [await profile(), await profile()];
  await ana.call('join', { user: 'ana', password: 'ana-pw', project: 'cur' });
  await ben.call('join', { user: 'ben', password: 'ben-pw', project: 'cur' });
  await label(ana, 'd1', [[0, 8, 'PER'], [17, 23, 'LOC']]);
  await label(ben, 'd1', [[0, 8, 'PER'], [17, 23, 'ORG'], [29, 33, 'ORG']]);
  await ana.call('sync');
  await ben.call('sync');

  await ced.call('sync');
  await ced.call('openDocument', 'd1');
  const before = own(await ced.call('spans'));
  await ced.call('curate', 'd1');
  assert.equal(await ced.page.textContent('#doc-name'), 'Curating d1 — 2 differences left');
  assert.ok(await ced.page.isVisible('#curation-panel'));
  // One row per annotator, with whether she is done.
  const rows = await ced.page.$$eval('.curation-row', (rs) => rs.map((r) => r.querySelector('.curation-who').textContent));
  assert.deepEqual(rows, ['ana (done)', 'ben (done)']);
  // Each stretch quoted, one line per version with who gave it.
  const stretches = await ced.page.$$eval('.curation-stretch', (ls) => ls.map((l) => [...l.querySelectorAll('.curation-quote, .curation-version')].map((e) => e.textContent)));
  assert.deepEqual(stretches, [
    ['“Lisbon”', '1 ana: LOC “Lisbon”', '2 ben: ORG “Lisbon”'],
    ['“Acme”', '1 ana: nothing there', '2 ben: ORG “Acme”'],
  ]);
  // The agreed span is marked so in both rows.
  assert.equal(await ced.page.getAttribute('.curation-row[data-annotator="ana"] .curation-span[data-start="0"]', 'data-kind'), 'agreed');
  assert.equal(await ced.page.getAttribute('.curation-row[data-annotator="ben"] .curation-span[data-start="17"]', 'data-kind'), 'clash');

  // j: the first stretch, selected; 1: ana's version of it.
  await ced.page.focus('#doc');
  await press(ced, 'j');
  assert.match(await ced.page.textContent('#status'), /stretch 1 of 2/);
  await press(ced, '1');
  // A click on ben's Acme in his row takes it.
  await ced.page.click('.curation-row[data-annotator="ben"] .curation-span[data-start="29"]');
  await idle(ced);
  // A: every agreed span.
  await ced.page.focus('#doc');
  await press(ced, 'Shift+A');
  assert.deepEqual(own(await ced.call('spans')), [[0, 8, 'PER'], [17, 23, 'LOC'], [29, 33, 'ORG']]);
  assert.equal(await ced.page.textContent('#doc-name'), 'Curating d1 — 0 differences left');
  assert.equal(await ced.page.textContent('.curation-stretch .curation-version.held kbd'), '1');
  // Undo takes back the last take (the agreed span) in one step.
  await press(ced, 'Control+z');
  assert.deepEqual(own(await ced.call('spans')), [[17, 23, 'LOC'], [29, 33, 'ORG']]);
  // An edit by hand.
  await ced.call('addSpan', 0, 3, 'PER');
  const settled = [[0, 3, 'PER'], [17, 23, 'LOC'], [29, 33, 'ORG']];
  assert.deepEqual(own(await ced.call('spans')), settled);
  await ced.call('sync');
  const curatedOnServer = async () => triples((await call(`${team.server.url}/db/cur/ann:d1:curated`, { as: ADMIN })).body.spans.filter((s) => !s.source || s.source === 'user'));
  assert.deepEqual(await curatedOnServer(), settled);
  // One more edit, and the tab reloaded at once (before it is sent).
  await ced.call('addSpan', 37, 43, 'DATE');
  const want = [...settled, [37, 43, 'DATE']];
  // Stored as any edit: reloaded at once, the page finds it when curating
  // again (and sends it then), and the list has no line of its own for it.
  await ced.reload();
  await ced.page.waitForFunction(() => window.spanmark.whoami() !== null);
  const ids = await ced.page.$$eval('.doc-row', (rs) => rs.map((r) => r.dataset.id));
  assert.ok(ids.includes('d1') && ids.every((id) => !id.includes('\u0000')), JSON.stringify(ids));
  await ced.call('sync');
  assert.deepEqual(await curatedOnServer(), settled);
  await ced.call('curate', 'd1');
  assert.deepEqual(own(await ced.call('spans')), want);
  // Sent by the replicator's own rounds, with no further edit.
  for (let i = 0; i < 50 && JSON.stringify(await curatedOnServer()) !== JSON.stringify(want); i += 1) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(await curatedOnServer(), want);

  const onServer = await call(`${team.server.url}/db/cur/ann:d1:curated`, { as: ADMIN });
  assert.equal(onServer.status, 200);
  assert.equal(onServer.body.annotator, 'curated');
  assert.deepEqual(triples(onServer.body.spans.filter((s) => !s.source || s.source === 'user')), want);
  // Her own record of the document is untouched.
  await ced.call('curate', null);
  assert.equal(await ced.call('currentId'), 'd1');
  assert.ok(await ced.page.isHidden('#curation-panel'));
  assert.deepEqual(own(await ced.call('spans')), before);
  assert.equal((await call(`${team.server.url}/db/cur/ann:d1:ced`, { as: ADMIN })).status, 404, 'no record of hers was made');

  // A second curator sees the same curated spans, and curates on from them.
  const cid = await profile();
  await cid.call('join', { user: 'cid', password: 'cid-pw', project: 'cur' });
  assert.deepEqual(triples(await cid.call('annotationsOf', 'd1', 'curated')), want);
  const exported = (await cid.call('exportAs', 'jsonl', { annotator: 'curated' })).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(triples(exported.find((d) => d.id === 'd1').spans), want);
  await cid.call('curate', 'd1');
  assert.deepEqual(own(await cid.call('spans')), want);

  // And the CLI pulls them.
  const out = path.join(dir, 'curated.jsonl');
  cli(['pull', out, '--annotator', 'curated'], 'ced');
  const pulled = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(triples(pulled.find((d) => d.id === 'd1').spans), want);

  // An annotator cannot curate: refused with the reason, her edit kept.
  await ana.call('openDocument', 'd2');
  await ana.call('addSpan', 0, 3, 'PER');
  await assert.rejects(ana.call('curate', 'd2'), /only a curator curates: ana is annotator/);
  assert.match(await ana.page.textContent('#error'), /only a curator curates/);
  assert.equal(await ana.call('currentId'), 'd2');
  assert.deepEqual(own(await ana.call('spans')), [[0, 3, 'PER']]);
  await ana.call('sync');
  assert.deepEqual(triples(await ced.call('sync').then(() => ced.call('annotationsOf', 'd2', 'ana'))), [[0, 3, 'PER']]);
});

test('the curated record is done or to do on its own, and a digit over words selected by hand labels them while curating', { skip }, async () => {
  const [ana, ben] = team.profiles.slice(1, 3);
  // "Bob" 0-3, "Zürich" 13-19; ana has Bob as PER, ben says ORG.
  await label(ana, 'd2', []);
  await label(ben, 'd2', [[0, 3, 'ORG']]);
  await ana.call('sync');
  await ben.call('sync');
  await ced.call('sync');
  await ced.call('openDocument', 'd2');
  await ced.call('curate', 'd2');
  assert.equal(await ced.page.textContent('#doc-name'), 'Curating d2 — 1 difference left');
  // Words selected by hand and a digit: the label with that key (LOC is
  // the third), not a third version (there are two).
  await ced.page.focus('#doc');
  await dragOver(ced.page, 13, 19);
  await press(ced, '3');
  assert.deepEqual(own(await ced.call('spans')), [[13, 19, 'LOC']]);
  // The stretch selected (j), the digit takes a version: ben's ORG.
  await press(ced, 'j');
  await press(ced, '2');
  assert.deepEqual(own(await ced.call('spans')), [[0, 3, 'ORG'], [13, 19, 'LOC']]);

  // `d` marks the curated record done and stays on it; her own record of
  // the document stays to do.
  const onServer = async () => (await call(`${team.server.url}/db/cur/ann:d2:curated`, { as: ADMIN })).body;
  await press(ced, 'd');
  assert.equal(await ced.call('currentId'), '\u0000curated:d2');
  assert.equal(await ced.page.textContent('#doc-name'), 'Curating d2 — 0 differences left, marked done');
  await ced.call('sync');
  assert.equal((await onServer()).status, 'done');
  assert.deepEqual(triples((await onServer()).spans), [[0, 3, 'ORG'], [13, 19, 'LOC']]);
  const rowStatus = () => ced.page.$$eval('.doc-row', (rs) => rs.find((r) => r.dataset.id === 'd2')?.dataset.status);
  assert.notEqual(await rowStatus(), 'done', 'her own line of d2 is not done');
  // Kept over a reload; a second curator sees it done; `d` again: to do.
  await ced.reload();
  await ced.page.waitForFunction(() => window.spanmark.whoami() !== null);
  await ced.call('curate', 'd2');
  assert.match(await ced.page.textContent('#doc-name'), /marked done$/);
  const cid = team.profiles[3];
  await cid.call('sync');
  await cid.call('curate', 'd2');
  assert.match(await cid.page.textContent('#doc-name'), /marked done$/);
  await ced.page.focus('#doc');
  await press(ced, 'd');
  assert.equal(await ced.page.textContent('#doc-name'), 'Curating d2 — 0 differences left');
  await ced.call('sync');
  assert.equal((await onServer()).status, 'todo');
  await cid.call('sync');
  await idle(cid);
  assert.equal(await cid.page.textContent('#doc-name'), 'Curating d2 — 0 differences left');
  // Opening it on two browsers made no step of it twice.
  const steps = (await onServer()).history.map((e) => JSON.stringify(e));
  assert.equal(new Set(steps).size, steps.length, steps.join('\n'));
  await cid.call('curate', null);
});

test('a curator assigns the documents from the page: each annotator\'s list shows hers first, as the CLI assigns them too', { skip }, async () => {
  const [ana, ben] = team.profiles.slice(1, 3);
  const all = await ced.call('sync').then(() => ced.page.evaluate(() => window.spanmark.queue()));
  assert.equal(await ced.call('assign', { each: 1, among: ['ana', 'ben'] }), all.length);
  // The CLI reads the page's records: nothing left to spread.
  assert.match(cli(['assign', '--each', '1', '--among', 'ana,ben'], 'ced'), new RegExp(`assigned 0 of ${all.length} documents`));
  const given = async () => {
    const out = {};
    for (const id of all) out[id] = (await call(`${team.server.url}/db/cur/${encodeURIComponent(`assign:${id}`)}`, { as: ADMIN })).body.annotators;
    return out;
  };
  let assigned = await given();
  for (const id of all) assert.equal(assigned[id].length, 1, `${id}: ${assigned[id]}`);
  // And the page reads the CLI's: a document of ana's given to ben too.
  const extra = DOCS.map((d) => d.id).find((id) => assigned[id][0] === 'ana');
  cli(['assign', '--to', 'ben', extra], 'ced');
  assigned = await given();
  assert.deepEqual(assigned[extra], ['ana', 'ben']);
  // Each list: hers first (with the badge), then the rest.
  const check = async (p, who) => {
    await p.call('sync');
    await idle(p);
    const mine = all.filter((id) => assigned[id].includes(who));
    const q = await p.call('queue');
    assert.deepEqual(new Set(q.slice(0, mine.length)), new Set(mine), `${who}'s queue ${q}`);
    assert.deepEqual(new Set(q), new Set(all));
    const rows = await p.page.$$eval('.doc-row', (rs) => rs.map((r) => [r.dataset.id, !!r.querySelector('.doc-row-badge')]));
    assert.deepEqual(rows.map(([id]) => id), q, 'the list in her order');
    assert.deepEqual(rows.map(([, badge]) => badge), q.map((id) => mine.includes(id)));
  };
  await check(ana, 'ana');
  await check(ben, 'ben');
  // An annotator cannot assign.
  await assert.rejects(ana.call('assign', { to: 'ana', docs: ['d2'] }), /only a curator assigns documents/);
  // The curator's form in the Team drawer: chosen documents to a name.
  const toAna = all.find((id) => !assigned[id].includes('ana'));
  if (await ced.page.isVisible('#more')) await ced.page.click('#more');
  await ced.page.click('#team-open');
  await ced.page.fill('#assign-names', 'ana');
  await ced.page.fill('#assign-docs', toAna);
  await ced.page.click('#assign-go');
  await ced.page.waitForFunction(() => /assigned 1 document/.test(document.getElementById('assign-message').textContent));
  assigned = await given();
  assert.ok(assigned[toAna].includes('ana'), `${toAna}: ${assigned[toAna]}`);
  await check(ana, 'ana');
});
