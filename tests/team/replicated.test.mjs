// What a replicator sends is what the server keeps: a revision written with
// `new_edits: false` on top of a stored one (the next edit from another
// device) is stored with its ancestry, and a conflicting one is kept as a
// conflict, both through the write rule (patches/pouchdb-validation: the
// engine replaced the revision's ancestry with the stored document's and
// then dropped it, after answering that all was well).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTeamServer, tempDir, call, signIn, addUser, annotations } from './harness.mjs';

test('replicated revisions on top of a stored one are kept, conflicts as conflicts', async () => {
  const server = await startTeamServer({ dataDir: tempDir() });
  try {
    const { admin } = server;
    await addUser(server.url, admin, 'alice', ['annotator']);
    await addUser(server.url, admin, 'carol', ['curator']);
    const carol = await signIn(server.url, 'carol', 'carol-pw');
    assert.equal((await call(`${server.url}/team/projects`, { method: 'POST', as: carol, body: { name: 'news' } })).status, 201);
    const alice = await signIn(server.url, 'alice', 'alice-pw');
    const doc = `${server.url}/db/news/ann%3Ad1%3Aalice`;
    const first = await call(doc, { method: 'PUT', as: alice, body: annotations('d1', 'alice', [{ start: 0, end: 3, label: 'PER' }]) });
    assert.equal(first.status, 201);
    const [gen, hash] = first.body.rev.split('-');
    assert.equal(gen, '1');
    const next = (h, spans) => ({
      ...annotations('d1', 'alice', spans), _id: 'ann:d1:alice', _rev: `2-${h}`,
      _revisions: { start: 2, ids: [h, hash] },
    });
    const a = next('a'.repeat(32), [{ start: 0, end: 3, label: 'ORG' }]);
    const b = next('b'.repeat(32), [{ start: 4, end: 9, label: 'LOC' }]);
    const sent = await call(`${server.url}/db/news/_bulk_docs`, { method: 'POST', as: alice, body: { docs: [a], new_edits: false } });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    let got = await call(`${doc}?revs=true`, { as: alice });
    assert.equal(got.body._rev, a._rev, 'the replicated revision is the document now');
    assert.deepEqual(got.body._revisions, a._revisions);
    assert.deepEqual(got.body.spans, a.spans);
    // The same person's other device, from the same parent: a conflict.
    assert.equal((await call(`${server.url}/db/news/_bulk_docs`, { method: 'POST', as: alice, body: { docs: [b], new_edits: false } })).status, 201);
    got = await call(`${doc}?conflicts=true`, { as: alice });
    assert.equal(got.body._rev, b._rev, 'CouchDB\'s winner: the larger revision id of one generation');
    assert.deepEqual(got.body._conflicts, [a._rev]);
    // The write rule still holds for replicated revisions.
    const other = { ...next('c'.repeat(32), []), annotator: 'bob' };
    const refused = await call(`${server.url}/db/news/_bulk_docs`, { method: 'POST', as: alice, body: { docs: [other], new_edits: false } });
    assert.equal(refused.body[0]?.error, 'forbidden', JSON.stringify(refused.body));
  } finally {
    await server.kill();
  }
});
