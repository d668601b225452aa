// A sign-in that runs out mid-session (the laptop closed past the server's
// cookie timeout): the page says so and keeps every edit made meanwhile,
// which reach the server once she signs in again. Against the real team
// server, its cookie timeout shortened through CouchDB's `_config`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, call } from './harness.mjs';
import { chromiumMissing, useTeamPages, ADMIN } from './page.mjs';

const skip = (await chromiumMissing())
  || (fs.existsSync(path.join(ROOT, 'www/pkg/spanmark.js')) ? false : 'no www/pkg: run ./build.sh build');

// "Ana Lima" 0-8, "Lisbon" 17-23, "Monday" 27-33.
const JSONL = `${JSON.stringify({ id: 'd1', text: 'Ana Lima flew to Lisbon on Monday.', spans: [] })}\n`;

const team = useTeamPages({ skip, users: [['cy', 'curator'], ['eve', 'annotator']] });

const mine = (spans) => spans.filter((s) => !s.source || s.source === 'user').map(({ start, end, label }) => [start, end, label]).sort((a, b) => a[0] - b[0]);

async function cookieTimeout(seconds) {
  const url = `${team.server.url}/db/_config/couch_httpd_auth/timeout`;
  const r = await call(url, { method: 'PUT', as: ADMIN, body: String(seconds) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

test('a sign-in that runs out while offline: the page says to sign in again, keeps the edits, and sends them after', { skip }, async () => {
  const cy = await team.profile();
  await cy.call('importFile', 'docs.jsonl', JSONL);
  await cy.call('join', { user: 'cy', password: 'cy-pw', project: 'exp' });
  const eve = await team.profile();
  await eve.call('join', { user: 'eve', password: 'eve-pw', project: 'exp' });
  await eve.call('openDocument', 'd1');
  await eve.call('addSpan', 0, 8, 'PER');
  await eve.call('sync');

  // Away longer than the cookie lasts, editing meanwhile.
  await cookieTimeout(2);
  await eve.context.setOffline(true);
  await eve.call('addSpan', 17, 23, 'LOC');
  await eve.call('addSpan', 27, 33, 'DATE');
  await new Promise((r) => setTimeout(r, 3500));
  await eve.context.setOffline(false);
  await eve.page.waitForFunction(() => document.getElementById('sync-state').dataset.state === 'error', null, { timeout: 20000 });
  assert.match(await eve.page.locator('#sync-state').textContent(), /exp: signed out: sign in again/);
  assert.equal(await eve.call('syncState'), 'error');
  assert.equal(await eve.call('whoami').then((w) => w?.user), 'eve', 'still her project, only not signed in');
  const want = [[0, 8, 'PER'], [17, 23, 'LOC'], [27, 33, 'DATE']];
  assert.deepEqual(mine(await eve.call('spans')), want, 'every edit kept here');
  const onServer = async () => mine((await call(`${team.server.url}/db/exp/ann:d1:eve`, { as: ADMIN })).body.spans);
  assert.deepEqual(await onServer(), [[0, 8, 'PER']], 'nothing sent without a sign-in');
  // It stays so (no retry loop against a server that refuses her) ...
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await eve.call('syncState'), 'error');
  // ... and after a reload it still asks, the edits still here.
  await eve.reload();
  await eve.page.waitForFunction(() => document.getElementById('sync-state').dataset.state === 'error', null, { timeout: 20000 });
  assert.match(await eve.page.locator('#sync-state').textContent(), /signed out: sign in again/);
  assert.deepEqual(mine(await eve.call('spans')), want);

  // Signed in again: everything goes.
  await cookieTimeout(600);
  await eve.call('join', { user: 'eve', password: 'eve-pw', project: 'exp' });
  await eve.call('sync');
  assert.equal(await eve.call('syncState'), 'synced', await eve.page.locator('#sync-state').textContent());
  assert.deepEqual(await onServer(), want);
  assert.deepEqual(mine(await eve.call('spans')), want);
});
