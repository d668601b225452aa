// `spanmark team push | pull | agree` against a real team server: what a
// file pushes is what a pull gives back (byte for byte what `convert` makes
// of the same data), the agreement is the hand-computed one, a push killed
// while the server takes one of its chunks resumes, sending only what is
// missing, without duplicates, and refusals name their reason.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { ROOT, startTeamServer, tempDir, call, addUser, annotations } from './harness.mjs';

const BIN = process.env.SPANMARK_BIN || path.join(ROOT, 'target/release/spanmark');
const ADMIN = 'root:root-pw';
const skip = fs.existsSync(BIN) ? false : `no CLI at ${BIN}: run ./build.sh build (or set SPANMARK_BIN)`;
let server;
const dir = tempDir('spanmark-team-cli-');

const envOf = (user) => ({ ...process.env, SPANMARK_ADMIN: ADMIN, SPANMARK_USER: user, SPANMARK_PASSWORD: `${user}-pw` });

function spanmark(args, user = 'ced') {
  const r = spawnSync(BIN, args, { env: envOf(user), encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function ok(args, user) {
  const r = spanmark(args, user);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
  return r;
}

const write = (name, lines) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return p;
};

const TEXTS = {
  d1: 'Ana Lima flew to Lisbon on Monday.',
  d2: 'Bob works for Acme in Zürich 🙂 now.',
  d3: 'Nothing here.',
};
const file = (name, spans, status = 'done') =>
  write(name, Object.entries(TEXTS).map(([id, text]) => ({ id, text, spans: spans[id] || [], status })));

before(async () => {
  server = await startTeamServer({ env: { SPANMARK_ADMIN: ADMIN }, log: true });
  for (const [name, role] of [['ced', 'curator'], ['ana', 'annotator'], ['ben', 'annotator']]) {
    await addUser(server.url, ADMIN, name, [role]);
  }
  for (const p of ['news', 'tiny', 'big']) {
    const r = await call(`${server.url}/team/projects`, { method: 'POST', as: ADMIN, body: { name: p } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
});
after(() => server?.stop());

test('push as curator and annotators, pull each: what convert makes of the same files', { skip }, () => {
  const u = server.url;
  const gold = file('gold.jsonl', {
    d1: [{ start: 0, end: 8, label: 'PER' }, { start: 17, end: 23, label: 'LOC' }, { start: 27, end: 33, label: 'DATE' }],
    d2: [{ start: 0, end: 3, label: 'PER' }, { start: 14, end: 18, label: 'ORG' }, { start: 22, end: 28, label: 'LOC' }],
  });
  const ana = file('ana.jsonl', {
    d1: [{ start: 0, end: 8, label: 'PER' }, { start: 17, end: 23, label: 'LOC' }],
    d2: [{ start: 0, end: 3, label: 'PER' }, { start: 22, end: 28, label: 'LOC' }],
  });
  const ben = file('ben.jsonl', { d1: [{ start: 0, end: 3, label: 'PER' }], d2: [{ start: 14, end: 18, label: 'ORG' }] }, 'todo');
  ok(['team', 'push', gold, '--server', u, '--project', 'news', '--as', 'curated'], 'ced');
  ok(['team', 'push', ana, '--server', u, '--project', 'news'], 'ana');
  ok(['team', 'push', ben, '--server', u, '--project', 'news'], 'ben');

  for (const [who, src, user] of [['curated', gold, 'ced'], ['ana', ana, 'ana'], ['ben', ben, 'ced']]) {
    // The native JSON carries the project's label set, which the curator's file made.
    for (const ext of who === 'curated' ? ['jsonl', 'conll', 'spanmark.json'] : ['jsonl', 'conll']) {
      const pulled = path.join(dir, `pulled-${who}.${ext}`);
      const expected = path.join(dir, `expected-${who}.${ext}`);
      ok(['team', 'pull', '--server', u, '--project', 'news', pulled, '--annotator', who], user);
      ok(['convert', src, expected]);
      assert.deepEqual(fs.readFileSync(pulled), fs.readFileSync(expected), `${who} as ${ext}`);
    }
  }
  // A second push of the same file sends nothing and makes no revision.
  const again = ok(['team', 'push', ana, '--server', u, '--project', 'news'], 'ana');
  assert.match(again.out, /0 record\(s\) sent/);

  // An edited file updates what changed, on top of the server's revision.
  const lines = fs.readFileSync(gold, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  lines[2].source = 'v2';
  const gold2 = write('gold2.jsonl', lines);
  assert.match(ok(['team', 'push', gold2, '--server', u, '--project', 'news', '--as', 'curated'], 'ced').out, /1 record\(s\) sent/);
  const pulled = path.join(dir, 'pulled-v2.jsonl');
  const expected = path.join(dir, 'expected-v2.jsonl');
  ok(['team', 'pull', '--server', u, '--project', 'news', pulled, '--annotator', 'curated'], 'ced');
  ok(['convert', gold2, expected]);
  assert.equal(fs.readFileSync(pulled, 'utf8'), fs.readFileSync(expected, 'utf8'));
});

test('pull merges one annotator\'s conflicting revisions, and writes the merge only with --resolve', { skip }, async () => {
  const u = server.url;
  const id = 'ann:d3:cy';
  // Two devices of cy's, each with one span of "Nothing here.", replicated in
  // one request (the embedded engine drops a replicated revision on top of a
  // stored one, see cli/team/member.rs).
  const device = (hash, spans, updated) => ({
    ...annotations('d3', 'cy', spans), status: 'done', updated, _rev: `1-${hash}`, _revisions: { start: 1, ids: [hash] },
  });
  const put = await call(`${u}/db/news/_bulk_docs`, {
    method: 'POST', as: ADMIN,
    body: { new_edits: false, docs: [device('a'.repeat(32), [{ start: 0, end: 7, label: 'PER' }], 1), device('b'.repeat(32), [{ start: 8, end: 12, label: 'LOC' }], 2)] },
  });
  assert.equal(put.status, 201, JSON.stringify(put.body));
  const conflicts = async () => (await call(`${u}/db/news/${encodeURIComponent(id)}?conflicts=true`, { as: ADMIN })).body._conflicts;
  assert.equal((await conflicts()).length, 1, 'the test made no conflict');
  const out = path.join(dir, 'merged.jsonl');
  const d3 = () => fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).find((d) => d.id === 'd3');
  let r = ok(['team', 'pull', '--server', u, '--project', 'news', out, '--annotator', 'cy'], 'ced');
  assert.match(r.err, /ann:d3:cy has 2 conflicting revisions: merged them \(--resolve/);
  assert.deepEqual(d3().spans, [{ start: 0, end: 7, label: 'PER' }, { start: 8, end: 12, label: 'LOC' }]);
  assert.equal((await conflicts()).length, 1, 'a pull without --resolve wrote to the server');
  r = ok(['team', 'pull', '--server', u, '--project', 'news', out, '--annotator', 'cy', '--resolve'], 'ced');
  assert.match(r.err, /wrote the merge to the server/);
  assert.equal(await conflicts(), undefined);
  r = ok(['team', 'pull', '--server', u, '--project', 'news', out, '--annotator', 'cy'], 'ced');
  assert.doesNotMatch(r.err, /conflicting/);
  assert.deepEqual(d3().spans, [{ start: 0, end: 7, label: 'PER' }, { start: 8, end: 12, label: 'LOC' }]);
});

test('agree --json gives the figures computed by hand', { skip }, () => {
  const u = server.url;
  // Tokens: Ana met Bob in Rome . (6)
  const text = 'Ana met Bob in Rome .';
  ok(['team', 'push', write('tiny.jsonl', [{ id: 't', text, spans: [], status: 'todo' }]), '--server', u, '--project', 'tiny', '--as', 'curated', '--no-suggestions'], 'ced');
  const mine = (spans) => write('tiny-x.jsonl', [{ id: 't', text, spans, status: 'done' }]);
  ok(['team', 'push', mine([{ start: 0, end: 3, label: 'PER' }, { start: 8, end: 11, label: 'PER' }, { start: 15, end: 19, label: 'LOC' }]), '--server', u, '--project', 'tiny'], 'ana');
  ok(['team', 'push', mine([{ start: 0, end: 3, label: 'PER' }, { start: 8, end: 11, label: 'LOC' }]), '--server', u, '--project', 'tiny'], 'ben');
  const r = ok(['team', 'agree', '--server', u, '--project', 'tiny', '--json'], 'ced');
  const a = JSON.parse(r.out);
  assert.deepEqual(a.annotators, ['ana', 'ben']);
  assert.equal(a.pairs.length, 1);
  const p = a.pairs[0];
  assert.deepEqual(Object.keys(p), ['a', 'b', 'documents', 'f1', 'kappa', 'perLabel']);
  assert.equal(p.documents, 1);
  // F1: 1 span matched of 3 + 2: 2/5. Kappa over 6 tokens: ana PER O PER O LOC O,
  // ben PER O LOC O O O: p_o = 4/6, p_e = (2·1 + 3·4 + 1·1)/36 = 15/36, κ = 9/21.
  assert.ok(Math.abs(p.f1 - 0.4) < 1e-12, p.f1);
  assert.ok(Math.abs(p.kappa - 3 / 7) < 1e-12, p.kappa);
  assert.deepEqual(p.perLabel.PER, { f1: 2 / 3, a: 2, b: 1, both: 1 });
  assert.deepEqual(p.perLabel.LOC, { f1: 0, a: 1, b: 1, both: 0 });
  const only = JSON.parse(ok(['team', 'agree', '--server', u, '--project', 'tiny', '--json', '--labels', 'PER'], 'ced').out);
  assert.deepEqual(Object.keys(only.pairs[0].perLabel), ['PER']);
  const table = ok(['team', 'agree', '--server', u, '--project', 'tiny'], 'ced').out;
  assert.match(table, /0\.400 \/ 0\.429 \(1\)/);
});

test('a push killed while the server takes its second chunk, rerun, sends only what is missing and leaves every document once', { skip }, async () => {
  const u = server.url;
  const n = 3000;
  const chunk = 500; // documents: 1000 records a request
  const big = write('big.jsonl', Array.from({ length: n }, (_, i) => ({
    id: `b${String(i).padStart(5, '0')}`, text: `Ana number ${i} lives in Rome.`, spans: [{ start: 0, end: 3, label: 'PER' }],
  })));
  const args = ['team', 'push', big, '--server', u, '--project', 'big', '--chunk', String(chunk)];
  // Its writes: the label set, then a request per chunk. Killed as soon as
  // the server's log shows the second chunk's arriving.
  const write3 = / POST \/db\/big\/_bulk_docs$/;
  const arrives = server.logged(new RegExp(`^spanmark team server: >${write3.source}`), 3);
  const ends = server.logged(new RegExp(`^spanmark team server: [<x].*${write3.source.slice(0, -1)}`), 3);
  const child = spawn(BIN, args, { env: envOf('ced') });
  let err = '';
  child.stderr.on('data', (c) => { err += c; });
  // 'close': its output read to the end too.
  const exited = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  await Promise.race([arrives, exited.then(() => { throw new Error(`the push ended before it was killed:\n${err}`); })]);
  child.kill('SIGKILL');
  assert.equal((await exited).signal, 'SIGKILL');
  assert.match(err, new RegExp(`pushed ${chunk}/${n}`), 'the first chunk was acknowledged');
  assert.doesNotMatch(err, new RegExp(`pushed ${2 * chunk}/`), 'killed before the second was');
  // What the server holds once it is done with the request it was serving.
  const ended = await ends;
  const count = async () => {
    const rows = (await call(`${u}/db/big/_all_docs`, { as: ADMIN })).body.rows;
    return rows.filter((r) => /^(doc|ann):/.test(r.id)).length;
  };
  const stored = await count();
  assert.ok(stored >= 2 * chunk && stored <= 4 * chunk, `${stored} records stored at the kill`);
  const r = ok(args, 'ced');
  const sent = Number(r.out.match(/(\d+) record\(s\) sent/)[1]);
  console.log(`killed with ${stored} record(s) stored, the second chunk's write ${ended.split(': ')[1]}; the rerun sent ${sent}`);
  // Exactly what was missing: nothing the server had acknowledged (the
  // first chunk at least) is sent again; a write the server was still
  // finishing at the count (at most the second chunk) may be left out.
  assert.ok(sent <= 2 * n - stored && sent >= 2 * n - stored - 2 * chunk, `the rerun sent ${sent} record(s), ${2 * n - stored} were missing`);
  // Once more if the first try fails: the rerun takes about as long as the
  // server keeps an idle connection (5 s), and fetch may reuse one it just closed.
  const read = () => call(`${u}/db/big/_all_docs?conflicts=true&include_docs=true`, { as: ADMIN });
  const all = await read().catch(read);
  const ids = all.body.rows.map((row) => row.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(ids.filter((id) => id.startsWith('doc:')).length, n);
  assert.equal(ids.filter((id) => id.startsWith('ann:')).length, n);
  assert.ok(all.body.rows.every((row) => !row.doc._conflicts && row.value.rev.startsWith('1-')), 'a conflict or a second revision');
});

test('refusals: another annotator\'s record, a wrong password, no project, no server, a bad file', { skip }, () => {
  const u = server.url;
  const src = path.join(dir, 'ana.jsonl');
  const refused = (args, user, pattern) => {
    const r = spanmark(args, user);
    assert.notEqual(r.code, 0, `${args.join(' ')} succeeded`);
    assert.match(r.err, pattern, args.join(' '));
  };
  refused(['team', 'push', src, '--server', u, '--project', 'news', '--as', 'ben'], 'ana',
    /refused 3 write\(s\) by ana: ann:d\d:ben: this record is ben's: an annotator may change only her own annotations/);
  refused(['team', 'pull', '--server', u, '--project', 'news', path.join(dir, 'x.jsonl')], 'eve', /did not accept the password of eve/);
  refused(['team', 'pull', '--server', u, '--project', 'nope', path.join(dir, 'x.jsonl')], 'ana', /there is no project nope/);
  refused(['team', 'agree', '--server', 'http://127.0.0.1:9', '--project', 'news'], 'ana', /cannot reach the team server at http:\/\/127\.0\.0\.1:9/);
  const bad = path.join(dir, 'bad.jsonl');
  fs.writeFileSync(bad, '{"id":"a","text":"x"}\n{"id":\n');
  refused(['team', 'push', bad, '--server', u, '--project', 'news'], 'ced', /bad\.jsonl.*line 2/);
});
