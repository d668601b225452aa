// A project's compaction gives the disk back: after many revisions of one
// record, `POST /db/<project>/_compact` leaves the database's files near the
// size of what is live (the embedded engine also compacts LevelDB's own
// files: without that, the old revisions' bytes stayed on disk), and the
// record still reads as last written, also after a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startTeamServer, tempDir, call, addUser, diskUsage as du } from './harness.mjs';

const ADMIN = 'root:root-pw';

test('compaction shrinks a project with many revisions to about its live size', async () => {
  const dataDir = tempDir('spanmark-team-compact-');
  let server = await startTeamServer({ dataDir, env: { SPANMARK_ADMIN: ADMIN } });
  try {
    await addUser(server.url, ADMIN, 'ana', ['annotator']);
    const created = await call(`${server.url}/team/projects`, { method: 'POST', as: ADMIN, body: { name: 'shrink' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const url = `${server.url}/db/shrink/ann:d1:ana`;
    // A record that grows with every edit, as an annotator's does.
    const spans = [];
    let rev;
    for (let i = 0; i < 200; i++) {
      spans.push({ start: i * 10, end: i * 10 + 5, label: 'PER', note: 'x'.repeat(40) });
      const body = { type: 'annotations', annotator: 'ana', doc_id: 'd1', status: 'todo', spans, history: [], updated: i, ...(rev ? { _rev: rev } : {}) };
      const r = await call(url, { method: 'PUT', as: 'ana:ana-pw', body });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      rev = r.body.rev;
    }
    const dir = path.join(dataDir, 'db', 'shrink');
    const before = du(dir);
    const live = JSON.stringify(spans).length;
    assert.ok(before > 20 * live, `200 revisions take ${before} bytes before compaction (the last one ${live})`);
    const c = await call(`${server.url}/db/shrink/_compact`, { method: 'POST', as: ADMIN, body: {} });
    assert.equal(c.status, 202, JSON.stringify(c.body));
    for (let i = 0; i < 100 && (await call(`${server.url}/db/shrink`, { as: ADMIN })).body.compact_running; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const after = du(dir);
    assert.ok(after < 6 * live, `after compaction ${after} bytes on disk, for ${live} bytes live (before: ${before})`);
    await server.stop();
    server = await startTeamServer({ dataDir, env: { SPANMARK_ADMIN: ADMIN } });
    const read = await call(`${server.url}/db/shrink/ann:d1:ana`, { as: 'ana:ana-pw' });
    assert.equal(read.status, 200);
    assert.equal(read.body._rev, rev);
    assert.equal(read.body.spans.length, 200);
  } finally {
    await server.stop();
  }
});
