// SPANMARK_COUCHDB mode's proxy, seen from the CouchDB's side: paths as
// README's reverse-proxy snippet maps them, headers and cookies intact,
// answers streamed (a continuous `_changes` feed arrives as it is written).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { ROOT, startTeamServer } from './harness.mjs';

// The `location PREFIX { proxy_pass URL; }` pairs of README's nginx snippet.
function snippetLocations() {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = readme.match(/```nginx\n([\s\S]*?)```/);
  assert.ok(block, 'README has an nginx snippet');
  return [...block[1].matchAll(/location\s+(\S+)\s*\{[^}]*?proxy_pass\s+([^;\s]+);/g)].map(([, prefix, target]) => ({
    prefix,
    target: new URL(target),
    // nginx: a proxy_pass with a path replaces the matched prefix with it;
    // without one the request's path goes on unchanged.
    hasPath: /^[a-z]+:\/\/[^/]+\//.test(target),
  }));
}

const seen = [];
let couch;
let server;

before(async () => {
  couch = http.createServer((req, res) => {
    seen.push({ url: req.url, cookie: req.headers.cookie, host: req.headers.host, body: '' });
    if (req.url.startsWith('/news/_changes')) {
      // First line now, the rest only once the test has read it.
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"seq":"1","id":"a"}\n');
      couch.finishFeed = () => res.end('{"last_seq":"1"}\n');
      return;
    }
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      seen.at(-1).body = body;
      res.writeHead(201, {
        'Content-Type': 'application/json',
        'Set-Cookie': 'AuthSession=abc; Version=1; Path=/; HttpOnly',
        Location: `http://127.0.0.1:${couch.address().port}${req.url}`,
      });
      res.end('{"ok":true}');
    });
  });
  await new Promise((r) => couch.listen(0, '127.0.0.1', r));
  server = await startTeamServer({
    env: { SPANMARK_COUCHDB: `http://127.0.0.1:${couch.address().port}`, SPANMARK_ADMIN: 'admin:pw' },
  });
});
after(async () => {
  await server?.stop();
  couch?.closeAllConnections();
  await new Promise((r) => couch.close(r));
});

test('the README snippet maps paths as the team server\'s proxy does', async () => {
  const locations = snippetLocations();
  const db = locations.find((l) => l.prefix === '/db/');
  const page = locations.find((l) => l.prefix === '/');
  assert.ok(db && page, JSON.stringify(locations));
  assert.equal(page.hasPath, false);
  assert.equal(page.target.port, '8080', 'the snippet sends the rest to the team server\'s default port');
  for (const p of ['/db/', '/db/_session', '/db/news/ann%3Ad1%3Aana?new_edits=false', '/db/team%2Fnews/_bulk_docs']) {
    const nginx = db.hasPath ? db.target.pathname + p.slice(db.prefix.length) : p;
    const r = await fetch(server.url + p, { method: 'PUT', body: '{"x":1}', headers: { Cookie: 'AuthSession=xyz' } });
    assert.equal(r.status, 201);
    assert.equal(seen.at(-1).url, nginx, p);
  }
});

test('cookies, bodies and Location pass through, under /db/', async () => {
  const r = await fetch(`${server.url}/db/news/doc1`, { method: 'PUT', body: '{"a":"é"}', headers: { Cookie: 'AuthSession=xyz' } });
  assert.equal(seen.at(-1).cookie, 'AuthSession=xyz');
  assert.equal(seen.at(-1).body, '{"a":"é"}');
  assert.equal(seen.at(-1).host, `127.0.0.1:${couch.address().port}`);
  assert.equal(r.headers.get('set-cookie'), 'AuthSession=abc; Version=1; Path=/; HttpOnly');
  assert.equal(r.headers.get('location'), '/db/news/doc1');
});

test('a continuous feed is streamed, not buffered', async () => {
  const r = await fetch(`${server.url}/db/news/_changes?feed=continuous`);
  const reader = r.body.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  assert.equal(first, '{"seq":"1","id":"a"}\n');
  couch.finishFeed();
  let rest = '';
  for (let c = await reader.read(); !c.done; c = await reader.read()) rest += new TextDecoder().decode(c.value);
  assert.equal(rest, '{"last_seq":"1"}\n');
});

test('a CouchDB that does not answer gives 502 with the reason', async () => {
  const down = await startTeamServer({ env: { SPANMARK_COUCHDB: 'http://127.0.0.1:9', SPANMARK_ADMIN: 'admin:pw' } });
  try {
    const r = await fetch(`${down.url}/db/`);
    assert.equal(r.status, 502);
    assert.match((await r.json()).reason, /did not answer/);
  } finally {
    await down.stop();
  }
});
