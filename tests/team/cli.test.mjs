// `spanmark team add-user` and `create-project` against a running team
// server, end to end: the accounts and project they make work as promised,
// and the CLI refuses what it must with a message and a non-zero exit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT, startTeamServer, call, signIn, annotations } from './harness.mjs';

const BIN = process.env.SPANMARK_BIN || path.join(ROOT, 'target/release/spanmark');
const ADMIN = 'root:root-pw';
let server;

function spanmark(args, env = {}) {
  const r = spawnSync(BIN, ['team', ...args], {
    env: { ...process.env, SPANMARK_ADMIN: ADMIN, SPANMARK_PASSWORD: '', ...env },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(async () => {
  server = await startTeamServer({ env: { SPANMARK_ADMIN: ADMIN } });
});
after(() => server?.stop());

const skip = fs.existsSync(BIN) ? false : `no CLI at ${BIN}: run ./build.sh build (or set SPANMARK_BIN)`;

test('add-user and create-project make accounts and a project that work', { skip }, async () => {
  const u = server.url;
  let r = spanmark(['add-user', 'ana', '--role', 'annotator', '--server', u, '--password', 'ana-pw']);
  assert.equal(r.code, 0, r.err);
  r = spanmark(['add-user', 'ced', '--role', 'curator', '--server', u + '/'], { SPANMARK_PASSWORD: 'ced-pw' });
  assert.equal(r.code, 0, r.err);
  r = spanmark(['create-project', 'news', '--server', u]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /created the project news/);

  const ana = await signIn(u, 'ana', 'ana-pw');
  const ced = await signIn(u, 'ced', 'ced-pw');
  assert.equal((await call(`${u}/db/news/ann%3Ad1%3Aana`, { method: 'PUT', as: ana, body: annotations('d1', 'ana') })).status, 201);
  assert.equal((await call(`${u}/db/news/doc%3Ad1`, { method: 'PUT', as: ana, body: { type: 'document', text: 'x' } })).status, 403);
  assert.equal((await call(`${u}/db/news/doc%3Ad1`, { method: 'PUT', as: ced, body: { type: 'document', text: 'x' } })).status, 201);
});

test('the CLI refuses bad names, roles, passwords and admins with a reason', { skip }, () => {
  const u = server.url;
  const refused = (args, pattern, env) => {
    const r = spanmark(args, env);
    assert.notEqual(r.code, 0, `${args.join(' ')} succeeded`);
    assert.match(r.err, pattern, args.join(' '));
  };
  refused(['add-user', 'curated', '--role', 'annotator', '--server', u, '--password', 'x'], /reserved/);
  refused(['add-user', 'ana:b', '--role', 'annotator', '--server', u, '--password', 'x'], /is not a user name/);
  refused(['add-user', 'eve', '--role', 'admin', '--server', u, '--password', 'x'], /possible values: annotator, curator/);
  refused(['add-user', 'eve', '--role', 'annotator', '--server', u], /--password or SPANMARK_PASSWORD/);
  refused(['add-user', 'eve', '--role', 'annotator', '--server', u, '--password', 'x'], /did not accept SPANMARK_ADMIN/, { SPANMARK_ADMIN: 'root:wrong' });
  refused(['add-user', 'eve', '--role', 'annotator', '--server', u, '--password', 'x'], /SPANMARK_ADMIN/, { SPANMARK_ADMIN: '' });
  refused(['create-project', 'News', '--server', u], /starts with a lowercase letter/);
  refused(['create-project', 'news', '--server', u], /already exists/);
  refused(['add-user', 'ana', '--role', 'annotator', '--server', u, '--password', 'x'], /already exists/);
});
