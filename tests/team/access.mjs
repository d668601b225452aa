// The access rules a team member meets, as HTTP requests: the same checks
// run against the embedded engine and through the SPANMARK_COUCHDB proxy
// (access.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CSP } from '../../tools/serve.mjs';
import { ROOT, call, signIn, addUser, annotations } from './harness.mjs';

export const PROJECT = 'news';

// Accounts and the project, made as people would: the admin adds accounts,
// a signed-in curator creates the project through the server's route.
export async function setUpTeam(base, admin) {
  await addUser(base, admin, 'alice', ['annotator']);
  await addUser(base, admin, 'bob', ['annotator']);
  await addUser(base, admin, 'carol', ['curator']);
  await addUser(base, admin, 'dave', []);
  const who = {};
  for (const name of ['alice', 'bob', 'carol', 'dave']) who[name] = await signIn(base, name, `${name}-pw`);
  const created = await call(`${base}/team/projects`, { method: 'POST', as: who.carol, body: { name: PROJECT } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return who;
}

// Registers the checks; `server()` gives {url, admin, who} once set up.
export function accessTests(server) {
  const db = (rest = '') => `${server().url}/db/${PROJECT}${rest}`;
  const put = (as, doc) => call(db('/' + encodeURIComponent(doc._id)), { method: 'PUT', as, body: doc });

  test('GET /db/ answers CouchDB\'s welcome', async () => {
    const r = await call(`${server().url}/db/`);
    assert.equal(r.status, 200);
    assert.equal(r.body.couchdb, 'Welcome');
  });

  test('the page is served at / with its Content-Security-Policy', async () => {
    const res = await fetch(`${server().url}/`, { headers: { 'Accept-Encoding': 'identity' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-security-policy'), CSP);
    assert.match(res.headers.get('content-security-policy'), /connect-src 'self'/);
    assert.equal(await res.text(), fs.readFileSync(path.join(ROOT, 'www/index.html'), 'utf8'));
  });

  test('anyone not signed in is refused with 401', async () => {
    assert.equal((await call(db())).status, 401);
    assert.equal((await call(db('/_all_docs'))).status, 401);
    assert.equal((await put(undefined, annotations('d1', 'alice'))).status, 401);
  });

  test('a wrong password is refused with 401', async () => {
    assert.equal((await call(db(), { as: 'alice:not-her-password' })).status, 401);
    const r = await call(`${server().url}/db/_session`, { method: 'POST', body: { name: 'alice', password: 'nope' } });
    assert.equal(r.status, 401);
  });

  test('a signed-in user with neither role is refused with 403', async () => {
    const { dave } = server().who;
    assert.equal((await call(db(), { as: dave })).status, 403);
    assert.equal((await put(dave, annotations('d1', 'dave'))).status, 403);
  });

  test('an annotator writes her own record and no one else\'s', async () => {
    const { alice, bob } = server().who;
    const made = await put(alice, annotations('d1', 'alice', [{ start: 0, end: 3, label: 'PER' }]));
    assert.equal(made.status, 201);
    // Where the record now is, on this server's origin.
    const where = new URL(made.headers.get('location'), server().url);
    assert.equal(where.origin, server().url);
    assert.equal(decodeURIComponent(where.pathname), `/db/${PROJECT}/ann:d1:alice`);
    const theirs = await put(alice, annotations('d1', 'bob'));
    assert.equal(theirs.status, 403);
    assert.match(theirs.body.reason, /bob's: an annotator may change only her own annotations/);
    // Her name in the record but another's id: still another's record.
    assert.equal((await put(alice, { ...annotations('d1', 'alice'), _id: 'ann:d1:bob' })).status, 403);
    const curated = await put(alice, annotations('d1', 'curated'));
    assert.equal(curated.status, 403);
    assert.match(curated.body.reason, /only a curator may change the curated record/);
    assert.equal((await put(bob, annotations('d1', 'bob'))).status, 201);
  });

  test('an annotator cannot delete another\'s record, judged on the stored record', async () => {
    const { alice, bob } = server().who;
    const made = await put(bob, annotations('d2', 'bob', [{ start: 1, end: 2, label: 'LOC' }]));
    assert.equal(made.status, 201);
    const rev = made.body.rev;
    const del = await call(db(`/ann%3Ad2%3Abob?rev=${rev}`), { method: 'DELETE', as: alice });
    assert.equal(del.status, 403);
    // A deletion sent as a replicator would (new_edits: false) is refused too.
    const replicated = await call(db('/_bulk_docs'), {
      method: 'POST',
      as: alice,
      body: { new_edits: false, docs: [{ _id: 'ann:d2:bob', _rev: '2-0123456789abcdef0123456789abcdef', _deleted: true, _revisions: { start: 2, ids: ['0123456789abcdef0123456789abcdef', rev.split('-')[1]] } }] },
    });
    assert.equal(replicated.body[0]?.error, 'forbidden', JSON.stringify(replicated.body));
    const still = await call(db('/ann%3Ad2%3Abob'), { as: bob });
    assert.equal(still.status, 200);
    assert.deepEqual(still.body.spans, [{ start: 1, end: 2, label: 'LOC' }]);
    // Her own: she may.
    const mine = await put(alice, annotations('d2', 'alice'));
    assert.equal((await call(db(`/ann%3Ad2%3Aalice?rev=${mine.body.rev}`), { method: 'DELETE', as: alice })).status, 200);
  });

  test('an annotator cannot write documents, labels, rules or assignments', async () => {
    const { alice } = server().who;
    const cases = [
      [{ _id: 'doc:d1', type: 'document', text: 'Ana flew.', meta: {} }, /only a curator may change the documents/],
      [{ _id: 'labels', type: 'labels', labels: [{ name: 'PER', color: '#f00', key: '1' }] }, /only a curator may change the labels/],
      [{ _id: 'rules', type: 'rules' }, /only a curator may change the rules/],
      [{ _id: 'assign:d1', type: 'assignment', doc_id: 'd1', annotators: ['alice'] }, /only a curator may assign documents/],
    ];
    for (const [doc, reason] of cases) {
      const r = await put(alice, doc);
      assert.equal(r.status, 403, doc._id);
      assert.match(r.body.reason, reason);
    }
  });

  test('a curator writes documents, labels and the curated record', async () => {
    const { carol } = server().who;
    assert.equal((await put(carol, { _id: 'doc:d1', type: 'document', text: 'Ana flew.', meta: {} })).status, 201);
    assert.equal((await put(carol, { _id: 'labels', type: 'labels', labels: [{ name: 'PER', color: '#f00', key: '1' }] })).status, 201);
    assert.equal((await put(carol, annotations('d1', 'curated'))).status, 201);
    const all = await call(db('/_all_docs'), { as: server().who.alice });
    assert.ok(all.body.rows.some((r) => r.id === 'doc:d1'));
  });

  test('no member can change the design document or who may read', async () => {
    const { alice, carol } = server().who;
    for (const who of [alice, carol]) {
      assert.equal((await put(who, { _id: '_design/spanmark', validate_doc_update: 'function(){}' })).status, 403);
      assert.equal((await call(db('/_security'), { method: 'PUT', as: who, body: {} })).status, 403);
    }
    // The embedded engine keeps `_security` as a local document: a member
    // reading it gets its revision, and writing it must still be refused.
    const local = await call(db('/_local/_security'), { method: 'PUT', as: alice, body: { _rev: '0-1', security: {} } });
    assert.ok([403, 404].includes(local.status), `${local.status} ${JSON.stringify(local.body)}`);
    const sec = await call(db('/_security'), { as: server().admin });
    assert.deepEqual(sec.body.members.roles, ['annotator', 'curator']);
    assert.equal((await put(alice, annotations('d1', 'bob'))).status, 403);
  });

  test('creating a project takes a signed-in curator and a valid name', async () => {
    const { alice, carol } = server().who;
    const route = `${server().url}/team/projects`;
    assert.equal((await call(route, { method: 'POST', body: { name: 'p1' } })).status, 401);
    // A form another site makes the curator's browser post: refused unread.
    const form = await fetch(route, { method: 'POST', headers: { 'Content-Type': 'text/plain', Cookie: carol }, body: '{"name":"p9"}' });
    assert.equal(form.status, 415);
    assert.equal((await call(`${server().url}/db/p9`, { as: server().admin })).status, 404, 'nothing created');
    const annotator = await call(route, { method: 'POST', as: alice, body: { name: 'p1' } });
    assert.equal(annotator.status, 403);
    assert.match(annotator.body.reason, /only a curator may create a project/);
    for (const bad of ['News', '1news', 'a b', '_users', 'a'.repeat(239)]) {
      const r = await call(route, { method: 'POST', as: carol, body: { name: bad } });
      assert.equal(r.status, 400, bad);
      assert.match(r.body.reason, /starts with a lowercase letter/);
    }
    assert.equal((await call(route, { method: 'POST', as: carol, body: { name: PROJECT } })).status, 409);
    const made = await call(route, { method: 'POST', as: carol, body: { name: 'team/p1' } });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const sec = await call(`${server().url}/db/team%2Fp1/_security`, { as: server().admin });
    assert.deepEqual(sec.body.members.roles, ['annotator', 'curator']);
    assert.equal((await call(`${server().url}/db/team%2Fp1/ann%3Ad1%3Abob`, { method: 'PUT', as: alice, body: annotations('d1', 'bob') })).status, 403);
  });

  test('refused admin operations leave the server up and the project whole', async () => {
    const { alice } = server().who;
    // Each of these once stopped express-pouchdb for everyone (patches/).
    assert.equal((await call(`${server().url}/db/other`, { method: 'PUT' })).status, 401);
    assert.equal((await call(`${server().url}/db/other`, { method: 'PUT', as: alice })).status, 403);
    assert.equal((await call(db(), { method: 'DELETE' })).status, 401);
    assert.equal((await call(db(), { method: 'DELETE', as: alice })).status, 403);
    const after = await call(db('/ann%3Ad1%3Aalice'), { as: alice });
    assert.equal(after.status, 200);
    assert.deepEqual(after.body.spans, [{ start: 0, end: 3, label: 'PER' }]);
  });
}
