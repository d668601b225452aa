// `spanmark team assign` and `spanmark team curate` against a real team
// server: documents spread over k annotators evenly, an annotator added by
// name, the spans every annotator agrees on taken into the curated records
// (never over the curator's own span on that text), and both refused to an
// annotator with the reason.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT, startTeamServer, tempDir, call, addUser } from './harness.mjs';

const BIN = process.env.SPANMARK_BIN || path.join(ROOT, 'target/release/spanmark');
const ADMIN = 'root:root-pw';
const skip = fs.existsSync(BIN) ? false : `no CLI at ${BIN}: run ./build.sh build (or set SPANMARK_BIN)`;
let server;
const dir = tempDir('spanmark-team-curate-');

function spanmark(args, user) {
  const env = { ...process.env, SPANMARK_USER: user, SPANMARK_PASSWORD: `${user}-pw` };
  const r = spawnSync(BIN, ['team', ...args, '--server', server.url, '--project', 'gold'], { env, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function ok(args, user) {
  const r = spanmark(args, user);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
  return r;
}

const TEXTS = {
  d1: 'Ana Lima met Kofi Mensah in Accra.',
  d2: 'Acme opened an office in Zürich 🙂 today.',
  d3: 'Nothing to see here.',
  d4: 'Bea Silva left Porto for Oslo.',
  d5: 'The Nile flows north.',
  d6: 'Kenji Sato joined Umbra Labs.',
};
const file = (name, spans, status = 'done') => {
  const p = path.join(dir, name);
  const lines = Object.entries(TEXTS).map(([id, text]) => JSON.stringify({ id, text, spans: spans[id] || [], status }));
  fs.writeFileSync(p, lines.join('\n') + '\n');
  return p;
};
const span = (start, end, label) => ({ start, end, label });
const record = async (id) => (await call(`${server.url}/db/gold/${encodeURIComponent(id)}`, { as: ADMIN })).body;

before(async () => {
  server = await startTeamServer({ env: { SPANMARK_ADMIN: ADMIN } });
  for (const [name, role] of [['ced', 'curator'], ['ana', 'annotator'], ['ben', 'annotator'], ['cy', 'annotator']]) {
    await addUser(server.url, ADMIN, name, [role]);
  }
  const r = await call(`${server.url}/team/projects`, { method: 'POST', as: ADMIN, body: { name: 'gold' } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
});
after(() => server?.stop());

test('a curator spreads the documents over k annotators and adds one by name', { skip }, async () => {
  // The curator's file makes the documents (and an empty curated record each).
  ok(['push', file('docs.jsonl', {}, 'todo'), '--as', 'curated', '--no-suggestions'], 'ced');
  const out = ok(['assign', '--each', '2', '--among', 'ana,ben,cy'], 'ced').out;
  assert.match(out, /assigned 6 of 6 documents; each annotator's documents now: ana 4, ben 4, cy 4/);
  const given = {};
  for (const id of Object.keys(TEXTS)) {
    const a = await record(`assign:${id}`);
    assert.equal(a.type, 'assignment');
    assert.equal(a.annotators.length, 2, id);
    assert.notEqual(a.annotators[0], a.annotators[1]);
    given[id] = a.annotators;
  }
  // Spreading again changes nothing already given.
  assert.match(ok(['assign', '--each', '2', '--among', 'ana,ben,cy'], 'ced').out, /assigned 0 of 6/);
  // Adding ana where she is missing.
  const missing = Object.keys(TEXTS).filter((id) => !given[id].includes('ana'));
  assert.equal(missing.length, 2);
  assert.match(ok(['assign', '--to', 'ana', ...missing], 'ced').out, /assigned 2 of 6 documents; .*ana 6/);
  for (const id of missing) assert.ok((await record(`assign:${id}`)).annotators.includes('ana'));

  const refused = spanmark(['assign', '--to', 'ben', 'd1'], 'ana');
  assert.notEqual(refused.code, 0);
  assert.match(refused.err, /only a curator assigns documents \(ana is not one\)/);
  const unknown = spanmark(['assign', '--to', 'ben', 'nope'], 'ced');
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.err, /no document "nope"/);
});

test('take agreed fills the curated records with what every annotator agrees on', { skip }, async () => {
  ok(['push', file('ana.jsonl', {
    d1: [span(0, 8, 'PER'), span(13, 24, 'PER'), span(28, 33, 'LOC')],
    d2: [span(0, 4, 'ORG'), span(25, 31, 'LOC')],
    d4: [span(0, 9, 'PER')],
  }), '--no-suggestions'], 'ana');
  ok(['push', file('ben.jsonl', {
    d1: [span(0, 8, 'PER'), span(13, 17, 'PER'), span(28, 33, 'LOC')],
    d2: [span(0, 4, 'ORG'), span(25, 31, 'LOC')],
    d4: [span(0, 9, 'PER'), span(15, 20, 'LOC')],
  }), '--no-suggestions'], 'ben');
  // The curator settled d2's place herself before: her span stays.
  const d2 = await record('ann:d2:curated');
  const put = await call(`${server.url}/db/gold/ann:d2:curated`, {
    method: 'PUT', as: 'ced:ced-pw', body: { ...d2, spans: [span(25, 33, 'LOC')] },
  });
  assert.equal(put.status, 201, JSON.stringify(put.body));

  const listed = ok(['curate'], 'ced').out;
  assert.match(listed, /^d1: 2 difference\(s\) among ana, ben$/m);
  assert.match(listed, /^d4: 1 difference\(s\) among ana, ben$/m);
  assert.doesNotMatch(listed, /^d2:/m);
  // Each stretch they differ on, quoted, with every version and who gave it
  // (* the one the curated record holds: nothing yet).
  assert.match(listed, /^  13-24 “Kofi Mensah”  ana: \[Kofi Mensah\] PER \| ben: \[Kofi\] PER$/m);
  assert.match(listed, /^  15-20 “Porto”  \*ana: - \| ben: \[Porto\] LOC$/m);

  const out = ok(['curate', '--take-agreed'], 'ced').out;
  assert.match(out, /took 4 agreed span\(s\) into the curated records of 3 document\(s\)/);
  assert.match(out, /3 difference\(s\) left to settle in 2 document\(s\)/);
  const spansOf = async (id) => (await record(`ann:${id}:curated`)).spans.map(({ start, end, label }) => [start, end, label]);
  assert.deepEqual(await spansOf('d1'), [[0, 8, 'PER'], [28, 33, 'LOC']]);
  assert.deepEqual(await spansOf('d2'), [[0, 4, 'ORG'], [25, 33, 'LOC']]);
  assert.deepEqual(await spansOf('d4'), [[0, 9, 'PER']]);
  const d1 = await record('ann:d1:curated');
  assert.equal(d1.annotator, 'curated');
  assert.equal(d1.history.at(-1).added.length, 2, 'the taking is one step of the curated history');

  assert.match(ok(['curate', '--take-agreed'], 'ced').out, /took 0 agreed span\(s\)/);
  const refused = spanmark(['curate', '--take-agreed'], 'ben');
  assert.notEqual(refused.code, 0);
  assert.match(refused.err, /only a curator writes the curated records \(ben is not one\)/);
});
