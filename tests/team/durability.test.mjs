// A team server SIGKILLed after acknowledged writes restarts on the same
// data with all of them, the same generated admin, and sign-ins still valid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTeamServer, tempDir, call, signIn, addUser, annotations } from './harness.mjs';

test('acknowledged writes survive SIGKILL and a restart', async () => {
  const dataDir = tempDir();
  let server = await startTeamServer({ dataDir });
  const { admin } = server;
  assert.ok(admin, `a generated admin is printed:\n${server.output}`);
  try {
    await addUser(server.url, admin, 'alice', ['annotator']);
    await addUser(server.url, admin, 'carol', ['curator']);
    const carol = await signIn(server.url, 'carol', 'carol-pw');
    assert.equal((await call(`${server.url}/team/projects`, { method: 'POST', as: carol, body: { name: 'news' } })).status, 201);
    const alice = await signIn(server.url, 'alice', 'alice-pw');
    const db = `${server.url}/db/news`;
    // One by one (as the page's edits go) and in bulk (as a replicator's).
    for (let i = 0; i < 40; i++) {
      const r = await call(`${db}/ann%3Ad${i}%3Aalice`, { method: 'PUT', as: alice, body: annotations(`d${i}`, 'alice', [{ start: i, end: i + 1, label: 'PER' }]) });
      assert.equal(r.status, 201);
    }
    const docs = Array.from({ length: 200 }, (_, i) => ({ _id: `doc:b${i}`, type: 'document', text: `text ${i}`, meta: {} }));
    const bulk = await call(`${db}/_bulk_docs`, { method: 'POST', as: carol, body: { docs } });
    assert.equal(bulk.status, 201);
    assert.ok(bulk.body.every((r) => r.ok), JSON.stringify(bulk.body.find((r) => !r.ok)));

    const { signal } = await server.kill('SIGKILL');
    assert.equal(signal, 'SIGKILL');
    server = await startTeamServer({ dataDir });
    assert.equal(server.admin, null, 'no new admin is made on a restart');
    // The admin kept in the data dir is still the admin.
    assert.equal((await call(`${server.url}/db/news/_security`, { as: admin })).status, 200);
    const url = `${server.url}/db/news`;
    const after = await call(`${url}/_all_docs?include_docs=true`, { as: alice });
    assert.equal(after.status, 200, 'the sign-in cookie from before the kill still works');
    const byId = new Map(after.body.rows.map((r) => [r.id, r.doc]));
    for (let i = 0; i < 40; i++) assert.deepEqual(byId.get(`ann:d${i}:alice`)?.spans, [{ start: i, end: i + 1, label: 'PER' }]);
    for (let i = 0; i < 200; i++) assert.equal(byId.get(`doc:b${i}`)?.text, `text ${i}`);
    // And the rules still hold.
    assert.equal((await call(`${url}/labels`, { method: 'PUT', as: alice, body: { type: 'labels', labels: [] } })).status, 403);
  } finally {
    await server.stop();
  }
});
