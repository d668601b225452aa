// Kills mid-replication, each landing while a replication request is
// provably on the wire: held by a Playwright route (and, in one case each,
// already served: the server has the body, the answer never arrives), or
// seen arriving at the server in its request log. The browser SIGKILLed
// (its whole process) and started again on the same profile; the server
// SIGKILLed and started again on the same data. In every case the edits
// acknowledged here (durable in IndexedDB) reach the server exactly once,
// no conflict revision stays, the page's checkpoint never claims what it
// did not store, and the status comes back to synced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, startTeamServer, call, annotations } from './harness.mjs';
import { chromiumMissing, useTeamPages, ADMIN } from './page.mjs';

const skip = (await chromiumMissing())
  || (fs.existsSync(path.join(ROOT, 'www/pkg/spanmark.js')) ? false : 'no www/pkg: run ./build.sh build');

const PROJECT = 'kills';
// Twenty words of three letters each: word i at 4i.
const TEXT = Array.from({ length: 20 }, (_, i) => `w${String(i).padStart(2, '0')}`).join(' ');
const DOCS = ['k1', 'k2', 'k3', 's1', 's2', 's3'];
const word = (i) => [4 * i, 4 * i + 3];

const team = useTeamPages({
  skip,
  log: true,
  users: [['ced', 'curator'], ['ana', 'annotator'], ['fay', 'annotator'], ['eve', 'annotator']],
});
const db = () => `${team.server.url}/db/${PROJECT}`;

// The project, made once by its curator from her documents.
let made = null;
const project = () => {
  made ??= (async () => {
    const ced = await team.profile();
    const jsonl = DOCS.map((id) => JSON.stringify({ id, text: TEXT, spans: [] })).join('\n') + '\n';
    await ced.call('importFile', 'kills.jsonl', jsonl);
    await ced.call('join', { user: 'ced', password: 'ced-pw', project: PROJECT });
    await ced.close();
  })();
  return made;
};

const accepted = (spans) => spans.filter((s) => (s.source ?? 'user') === 'user').map((s) => [s.start, s.end, s.label]);

// Polls the page's syncState until it is one of `want`.
async function until(p, want, ms = 30000) {
  const wanted = [want].flat();
  const end = Date.now() + ms;
  for (;;) {
    const s = await p.call('syncState');
    if (wanted.includes(s)) return s;
    if (Date.now() > end) {
      const said = await p.page.locator('#sync-state').textContent();
      throw new Error(`syncState never became ${wanted.join(' or ')}: ${s} (${said})`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

// Waits for the page's status element to say `want`, as a person sees it
// (the state may read synced a moment earlier: the round's end draws it).
async function shown(p, want, timeout = 30000) {
  await p.page.waitForFunction((w) => document.getElementById('sync-state').dataset.state === w, want, { timeout })
    .catch(async (e) => { throw new Error(`the status never said ${want}: ${await p.page.locator('#sync-state').textContent()} (${e.message})`); });
  assert.equal(await p.call('syncState'), want);
}

// Every record of the project on the server, by id, with its conflicts.
async function serverRecords() {
  const r = await call(`${db()}/_all_docs?include_docs=true&conflicts=true`, { as: ADMIN });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return new Map(r.body.rows.map((row) => [row.id, row.doc]));
}

const spansOf = (doc) => (doc?.spans ?? []).map((s) => [s.start, s.end, s.label]);

// What the profile has stored of the project, read from its IndexedDB as
// the page left it: the checkpoint, and every record's revisions as the
// `team` log has them (the last entry of an id counts).
const storedTeam = (p) => p.page.evaluate(() => new Promise((resolve, reject) => {
  const open = indexedDB.open('spanmark');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const idb = open.result;
    const tx = idb.transaction(['team', 'settings'], 'readonly');
    const log = tx.objectStore('team').getAll();
    const checkpoint = tx.objectStore('settings').get('team-checkpoint');
    tx.oncomplete = () => {
      const revs = {};
      for (const { entries } of log.result) {
        for (const e of JSON.parse(entries)) {
          // A path is `_revisions`-shaped: its leaf first.
          revs[e.id] = e.paths.flatMap((at) => at.ids.map((id, i) => `${at.start - i}-${id}`));
        }
      }
      idb.close();
      resolve({ checkpoint: checkpoint.result?.value ?? null, revs });
    };
    tx.onerror = () => reject(tx.error);
  };
}));

// The checkpoint stored here covers only what is stored here: every change
// of the server's feed at or before its sequence is a revision of the log.
async function checkpointHolds(p) {
  const { checkpoint, revs } = await storedTeam(p);
  assert.ok(checkpoint, 'a checkpoint was stored before the kill');
  const feed = await call(`${db()}/_changes?style=all_docs`, { as: ADMIN });
  let covered = 0;
  for (const c of feed.body.results) {
    if (c.id.startsWith('_design/') || !(c.seq <= checkpoint.last_seq)) continue;
    covered += 1;
    for (const { rev } of c.changes) {
      assert.ok(revs[c.id]?.includes(rev), `the checkpoint (${checkpoint.last_seq}) is past ${c.id} ${rev} (seq ${c.seq}), which is not stored here`);
    }
  }
  assert.ok(covered > 0, 'the checkpoint covers the project\'s documents');
  return { checkpoint, revs, feed: feed.body.results };
}

// ana's record of a document, written on the server (not by the page
// under test), for that page's next pull to bring.
async function anaWrites(docId) {
  const body = annotations(docId, 'ana', [{ start: 0, end: 3, label: 'ORG' }]);
  const r = await call(`${db()}/${encodeURIComponent(body._id)}`, { method: 'PUT', as: 'ana:ana-pw', body });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.rev;
}

// The browser killed while its request `held` (`_bulk_docs`: the push;
// `_bulk_get`: the pull) is held on its way; `served`: the server has
// answered it, the answer never reaches the page.
async function browserKilled(docId, held, served) {
  await project();
  const p = await team.profile();
  await p.call('join', { user: 'fay', password: 'fay-pw', project: PROJECT });
  await p.call('openDocument', docId);
  await p.call('addSpan', ...word(0), 'PER');
  await p.call('sync');
  const want = [[...word(0), 'PER']];

  // Held, every one (a round that times out sends another); before ana's
  // write, so that no round pulls it first.
  let onWire;
  const wire = new Promise((resolve) => { onWire = resolve; });
  const isHeld = (url) => url.pathname === `/db/${PROJECT}/${held}`;
  await p.context.route(isHeld, (route) => onWire(route));
  const anaRev = await anaWrites(docId);
  await p.call('addSpan', ...word(1), 'PER');
  want.push([...word(1), 'PER']);
  const route = await wire;
  // On the wire: her record going, or ana's being fetched.
  const asked = route.request().postDataJSON().docs.map((d) => d._id ?? d.id);
  assert.ok(asked.includes(`ann:${docId}:${held === '_bulk_docs' ? 'fay' : 'ana'}`), asked.join());
  if (served) {
    const res = await route.fetch();
    assert.equal(res.status(), held === '_bulk_docs' ? 201 : 200);
  }
  // Acknowledged while the round is stuck: durable here, on no server.
  for (const i of [2, 3]) {
    await p.call('addSpan', ...word(i), 'PER');
    want.push([...word(i), 'PER']);
  }
  assert.notEqual(await p.call('syncState'), 'synced');
  const id = `ann:${docId}:fay`;
  const onServerBefore = spansOf((await serverRecords()).get(id));
  assert.deepEqual(onServerBefore.slice(0, 1), want.slice(0, 1));
  assert.ok(onServerBefore.length < want.length, 'the kill came after everything was pushed');

  await p.kill();

  // Started again on the profile, its requests to the server held until
  // what it stored is read.
  const waiting = [];
  let released = false;
  await p.launch({
    beforeOpen: async (context) => {
      await context.route('**/db/**', (r) => (released ? r.continue() : waiting.push(r)));
      // Every state the status shows, from the page's first script on.
      await context.addInitScript(() => {
        window.shownStates = [];
        new MutationObserver(() => {
          const s = document.getElementById('sync-state')?.dataset.state;
          if (s && window.shownStates.at(-1) !== s) window.shownStates.push(s);
        }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-state'] });
      });
    },
  });
  assert.deepEqual(accepted(await p.call('spans')), want, 'every acknowledged edit survived the kill');
  const { checkpoint, revs, feed } = await checkpointHolds(p);
  // ana's record came in no completed pull: the checkpoint is before it.
  const anaChange = feed.find((c) => c.id === `ann:${docId}:ana`);
  if (!revs[anaChange.id]?.includes(anaRev)) assert.ok(anaChange.seq > checkpoint.last_seq, `checkpoint ${checkpoint.last_seq}, ana's change ${anaChange.seq}`);
  released = true;
  for (const r of waiting) await r.continue();

  // The session cookie died with the browser: the page says so (and never
  // synced meanwhile: her edits are not on the server), she signs in again.
  await shown(p, 'error');
  assert.match(await p.page.locator('#sync-state').textContent(), /signed out: sign in again/);
  assert.deepEqual(await p.page.evaluate(() => window.shownStates), ['error']);
  await p.call('join', { user: 'fay', password: 'fay-pw', project: PROJECT });
  await shown(p, 'synced');

  const records = await serverRecords();
  assert.deepEqual(spansOf(records.get(id)), want, 'every acknowledged edit on the server, once');
  assert.equal(records.get(id)._conflicts, undefined, 'no conflict revision left');
  assert.deepEqual(accepted(await p.call('annotationsOf', docId, 'ana')), [[0, 3, 'ORG']], 'ana\'s record pulled');
  assert.deepEqual(accepted(await p.call('spans')), want);
  const after = await checkpointHolds(p);
  assert.ok(after.checkpoint.last_seq >= anaChange.seq, 'the checkpoint moved on once the pull was stored');
  assert.deepEqual(p.errors, []);
  await p.close();
}

test('the browser SIGKILLed while its push is held on the way: restarted on its profile, every durable edit reaches the server once', { skip }, async () => {
  await browserKilled('k1', '_bulk_docs', false);
});

test('the browser SIGKILLed after the server took its push, before the answer came: restarted, nothing twice, no conflict', { skip }, async () => {
  await browserKilled('k2', '_bulk_docs', true);
});

test('the browser SIGKILLed while its pull is on the way (served, not received): the checkpoint stays before it, and it comes after the restart', { skip }, async () => {
  await browserKilled('k3', '_bulk_get', true);
});

// The server killed while the page's push is `how`: 'held' (on its way,
// the server killed before it goes on), 'served' (the server took the body
// and answered; the answer never reaches the page), 'arriving' (killed as
// the server's log says it is serving it).
async function serverKilled(docId, how) {
  await project();
  const p = await team.profile();
  await p.call('join', { user: 'eve', password: 'eve-pw', project: PROJECT });
  await p.call('openDocument', docId);
  await p.call('addSpan', ...word(0), 'PER');
  await p.call('sync');
  const want = [[...word(0), 'PER']];
  const id = `ann:${docId}:eve`;
  const before = await serverRecords();
  // Every state the status element shows from now on.
  await p.page.evaluate(() => {
    const el = document.getElementById('sync-state');
    window.seenStates = [el.dataset.state];
    new MutationObserver(() => {
      if (window.seenStates.at(-1) !== el.dataset.state) window.seenStates.push(el.dataset.state);
    }).observe(el, { attributes: true });
  });

  let onWire;
  const wire = new Promise((resolve) => { onWire = resolve; });
  const isPush = (url) => url.pathname === `/db/${PROJECT}/_bulk_docs`;
  if (how !== 'arriving') await p.page.route(isPush, (route) => onWire(route));
  const arriving = team.server.logged(new RegExp(`> POST /db/${PROJECT}/_bulk_docs`));
  await p.call('addSpan', ...word(1), 'PER');
  want.push([...word(1), 'PER']);
  const { dataDir } = team.server;
  const { port } = new URL(team.server.url);
  if (how === 'arriving') {
    await arriving;
    await team.server.kill('SIGKILL');
  } else {
    const route = await wire;
    if (how === 'served') assert.equal((await route.fetch()).status(), 201);
    await team.server.kill('SIGKILL');
    if (how === 'served') await route.abort('connectionreset');
    else await route.continue();
    await p.page.unroute(isPush);
  }
  for (const i of [2, 3]) {
    await p.call('addSpan', ...word(i), 'PER');
    want.push([...word(i), 'PER']);
  }
  const down = await until(p, ['offline', 'error']);
  team.server = await startTeamServer({ dataDir, port: Number(port), env: { SPANMARK_ADMIN: ADMIN }, log: true });
  // By itself (its backoff), no sync() asked.
  await shown(p, 'synced', 60000);
  const seen = await p.page.evaluate(() => window.seenStates);
  assert.ok(seen.includes(down) && seen.at(-1) === 'synced', seen.join(' → '));

  // The server's data is whole: the same records as before, unchanged but
  // hers, which holds every edit once.
  const records = await serverRecords();
  assert.deepEqual([...records.keys()].sort(), [...before.keys()].sort());
  for (const [rid, doc] of records) {
    assert.equal(doc._conflicts, undefined, `${rid}: a conflict revision left`);
    if (rid !== id) assert.equal(doc._rev, before.get(rid)._rev, `${rid} changed`);
  }
  assert.deepEqual(spansOf(records.get(id)), want, 'every acknowledged edit on the server, once');
  assert.deepEqual(accepted(await p.call('spans')), want);
  assert.deepEqual(p.errors, []);
  await p.close();
}

test('the server SIGKILLed while the page\'s push is on its way, restarted on the same data: synced again by itself', { skip }, async () => {
  await serverKilled('s1', 'held');
});

test('the server SIGKILLed after it took the page\'s push, before the answer reached the page: nothing twice', { skip }, async () => {
  await serverKilled('s2', 'served');
});

test('the server SIGKILLed as its log shows it serving the page\'s push', { skip }, async () => {
  await serverKilled('s3', 'arriving');
});
