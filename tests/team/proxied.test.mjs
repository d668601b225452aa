// The page through SPANMARK_COUCHDB: the team server in front proxies `/db/`
// to a CouchDB-protocol server of its own (a second embedded instance, as
// access.test.mjs's proxy checks use: Debian has no Apache CouchDB package
// here), and a curator and two annotators work through it in real browser
// profiles as they would against a CouchDB 3.x: the project is created
// through the front, records land in the CouchDB behind it, and continuous
// replication (its `_changes` feed streamed through the proxy) carries an
// edit from one annotator to the other without a `sync()`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, addUser, call, startTeamServer } from './harness.mjs';
import { chromiumMissing, openProfile } from './page.mjs';

const skip = (await chromiumMissing())
  || (fs.existsSync(path.join(ROOT, 'www/pkg/spanmark.js')) ? false : 'no www/pkg: run ./build.sh build');

const ADMIN = 'couch:couch-pw';
const DOCS = [
  { id: 'p1', text: 'Ines Moura opened a bakery in Porto.' },
  { id: 'p2', text: 'Tomas Berg sold Nordlys Shipping to Fjord Capital.' },
];

let couch;
let front;
const profiles = [];
before(async () => {
  if (skip) return;
  couch = await startTeamServer({ env: { SPANMARK_ADMIN: ADMIN } });
  front = await startTeamServer({ env: { SPANMARK_COUCHDB: `${couch.url}/db`, SPANMARK_ADMIN: ADMIN } });
  for (const [name, role] of [['cora', 'curator'], ['ana', 'annotator'], ['ben', 'annotator']]) {
    await addUser(front.url, ADMIN, name, [role]);
  }
});
after(async () => {
  for (const p of profiles) await p.close();
  await front?.stop();
  await couch?.stop();
});

async function profile() {
  const p = await openProfile(front.url);
  profiles.push(p);
  return p;
}

test('a project made, annotated and replicated through the proxy lands in the CouchDB behind it', { skip }, async () => {
  const cora = await profile();
  await cora.call('importFile', 'docs.jsonl', DOCS.map((d) => JSON.stringify({ ...d, spans: [] })).join('\n') + '\n');
  const made = await cora.call('join', { user: 'cora', password: 'cora-pw', project: 'bakeries' });
  assert.deepEqual(DOCS.map((d) => made.documents.includes(d.id)), [true, true]);
  const behind = await call(`${couch.url}/db/bakeries/doc:p1`, { as: ADMIN });
  assert.equal(behind.status, 200, 'the document is in the CouchDB behind the proxy');
  assert.equal(behind.body.text, DOCS[0].text);

  const [ana, ben] = [await profile(), await profile()];
  await ana.call('join', { user: 'ana', password: 'ana-pw', project: 'bakeries' });
  await ben.call('join', { user: 'ben', password: 'ben-pw', project: 'bakeries' });
  await ana.call('openDocument', 'p1');
  await ana.call('addSpan', 0, 10, 'PER');
  await ana.call('addSpan', 30, 35, 'LOC');
  // Ben hears of it through his continuous replication: no sync() called.
  await ben.page.waitForFunction(() => window.spanmark.annotationsOf('p1', 'ana').length === 2, null, { timeout: 15000 });
  assert.deepEqual((await ben.call('annotationsOf', 'p1', 'ana')).map((s) => [s.start, s.end, s.label]),
    [[0, 10, 'PER'], [30, 35, 'LOC']]);
  const record = await call(`${couch.url}/db/bakeries/ann:p1:ana`, { as: ADMIN });
  assert.equal(record.status, 200);
  assert.equal(record.body.annotator, 'ana');
  assert.equal(record.body.type, 'annotations');
  // Ben's own work goes the other way: sync() resolves once it is in the
  // CouchDB behind.
  await ben.call('openDocument', 'p2');
  await ben.call('addSpan', 0, 10, 'PER');
  assert.ok((await ben.call('sync')).pushed >= 1);
  assert.equal(await ben.call('syncState'), 'synced');
  const his = await call(`${couch.url}/db/bakeries/ann:p2:ben`, { as: ADMIN });
  assert.equal(his.status, 200);
  assert.equal(his.body.annotator, 'ben');
  for (const p of [cora, ana, ben]) assert.deepEqual(p.errors, []);
  // No request left the front's origin.
  for (const p of [cora, ana, ben]) assert.ok(p.requests.every((u) => u.startsWith(front.url)), p.requests.find((u) => !u.startsWith(front.url)));
});
