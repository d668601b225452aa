// Durability: nothing acknowledged is lost. Edits at full speed through the
// contract (addSpan/removeSpan resolve only once durable) and through keys;
// the browser SIGKILLed at seeded random moments, again and again, and
// restarted on the same profile; then every acknowledged edit must be there,
// the project must export and re-import cleanly. Also: storage full, an
// export as a backup, and two tabs on one project.
// What this holds the page to is in SECURITY.md ("Nothing acknowledged is lost").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../tools/serve.mjs';
import { CHROMIUM, FLAGS, openApp, stubQuotaFull } from './harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SEED = Number(process.env.DURABILITY_SEED || 20261127);
const ROUNDS = Number(process.env.DURABILITY_ROUNDS || 12);

// mulberry32: a small seeded PRNG, so that a failing run can be replayed.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let server;
let url;
before(async () => {
  server = await startServer(path.join(ROOT, 'www'), 0);
  url = `http://127.0.0.1:${server.address().port}/`;
});
after(() => server.close());

// Chromium started by us (so that we hold its pid), driven over CDP.
async function launch(profile) {
  const proc = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'], {
    detached: true, // its own process group: the kill takes every child with it
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const ws = await new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start: ${buf}`)), 60000);
    proc.stderr.on('data', (d) => {
      buf += d;
      const m = buf.match(/DevTools listening on (ws:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`Chromium exited (${code}): ${buf}`)); });
  });
  const browser = await chromium.connectOverCDP(ws);
  const context = browser.contexts()[0];
  const page = context.pages()[0] || await context.newPage();
  await page.goto(url);
  await page.evaluate(() => window.spanmarkReady);
  return { proc, exited, browser, context, page };
}

async function sigkill(b) {
  try { process.kill(-b.proc.pid, 'SIGKILL'); } catch { /* already gone */ }
  await b.exited;
  await b.browser.close().catch(() => {});
}

async function closeCleanly(b) {
  await b.browser.close().catch(() => {});
  try { process.kill(-b.proc.pid, 'SIGTERM'); } catch { /* gone */ }
  await b.exited;
}

const key = (s) => `${s.start}:${s.end}:${s.label}`;
const userSpans = (doc) => (doc ? doc.spans.filter((s) => (s.source || 'user') === 'user').map(key).sort() : []);

// A text of lowercase words (few suggestions) and the code point range of each.
function wordsText(n, tag) {
  const words = Array.from({ length: n }, (_, i) => `${tag}w${i}`);
  const ranges = [];
  let at = 0;
  for (const w of words) { ranges.push([at, at + w.length]); at += w.length + 1; }
  return { text: words.join(' '), ranges };
}

test(`SIGKILL at ${ROUNDS} random moments loses no acknowledged edit`, { timeout: 30 * 60 * 1000 }, async () => {
  const random = rng(SEED);
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'spanmark-kill-'));
  // What must survive, per document: the issued edit sequence, how many of
  // its edits were acknowledged, and for key rounds the user spans seen drawn.
  const expected = new Map();
  const log = [];
  // The browser of the round under way: a failed assertion must not leave it
  // running (it is detached, and would keep this test file alive forever).
  let b = null;
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      b = await launch(profile);
      const page = b.page;
      // 1. Everything acknowledged before earlier kills is there.
      const project = JSON.parse(await page.evaluate(() => window.spanmark.exportAs('json')));
      const byId = new Map(project.documents.map((d) => [d.id, d]));
      for (const [id, exp] of expected) {
        const got = userSpans(byId.get(id));
        assert.ok(byId.has(id), `round ${round}: document ${id} is gone; the project holds ${JSON.stringify([...byId.keys()])} (seed ${SEED}, rounds ${JSON.stringify(log)})`);
        if (exp.ops) {
          // Serial writes: the stored state is the state after some prefix of
          // the issued edits, at least as long as the acknowledged one.
          const states = [];
          const cur = new Set();
          states.push([...cur].sort());
          for (const op of exp.ops) {
            if (op.add) cur.add(op.k); else cur.delete(op.k);
            states.push([...cur].sort());
          }
          // The last prefix that matches: an edit that changed nothing (a
          // remove of a span not there) leaves the same state twice.
          const want = JSON.stringify(got);
          let k = -1;
          states.forEach((s, i) => { if (JSON.stringify(s) === want) k = i; });
          assert.ok(k >= exp.acked, `round ${round}: ${id} holds ${got.length} user spans, matching edit prefix ${k}; ${exp.acked} were acknowledged (seed ${SEED})`);
        } else {
          for (const s of exp.seen) assert.ok(got.includes(s), `round ${round}: ${id} lost span ${s} that was drawn as done (seed ${SEED})`);
        }
      }
      if (round > 0) {
        const last = log[log.length - 1];
        assert.equal(await page.evaluate(() => window.spanmark.currentId()), last.id, 'the last document worked on is current');
      }
      if (round === ROUNDS) {
        await closeCleanly(b);
        b = null;
        break;
      }
      // 2. A fresh document, then edits at full speed until the kill.
      const id = `round-${round}`;
      const { text, ranges } = wordsText(240, `r${round}`);
      await page.evaluate(([t, id]) => window.spanmark.load(t, { id }), [text, id]);
      const delay = Math.floor(30 + random() * 900);
      if (round % 3 !== 2) {
        const exp = { ops: [], acked: 0 };
        expected.set(id, exp);
        const present = new Set();
        for (let i = 0; i < 400; i++) {
          const [s, e] = ranges[Math.floor(random() * ranges.length)];
          const k = `${s}:${e}:PER`;
          const add = !present.has(k) || random() < 0.3;
          if (add) present.add(k); else present.delete(k);
          exp.ops.push({ add, s, e, k });
        }
        await page.exposeFunction('__ack', (n) => { exp.acked = Math.max(exp.acked, n); }).catch(() => {});
        // Fire every edit without waiting; each acknowledgement reports how
        // many edits (in issue order) are durable.
        page.evaluate((ops) => {
          ops.forEach((op, i) => {
            const p = op.add ? window.spanmark.addSpan(op.s, op.e, 'PER') : window.spanmark.removeSpan(op.s, op.e);
            p.then(() => window.__ack(i + 1), () => {});
          });
        }, exp.ops).catch(() => {});
        await new Promise((r) => setTimeout(r, delay));
        log.push({ round, id, mode: 'api', delay, acked: exp.acked, issued: exp.ops.length });
      } else {
        // Keys: a token cursor (.) and the PER key (1), as fast as they go;
        // whatever is drawn as a person's span, and not in a block marked
        // unsaved (drawn at once, durable a moment later), counts as acknowledged.
        const exp = { seen: new Set() };
        expected.set(id, exp);
        await page.focus('#doc');
        const start = Date.now();
        while (Date.now() - start < delay) {
          await page.keyboard.press('.').catch(() => {});
          await page.keyboard.press('1').catch(() => {});
          const drawn = await page.$$eval('#doc .block:not(.unsaved) mark[data-source="user"]', (els) => els.map((m) => `${m.dataset.start}:${m.dataset.end}:${m.dataset.label}`)).catch(() => []);
          for (const s of drawn) exp.seen.add(s);
        }
        log.push({ round, id, mode: 'keys', delay, seen: exp.seen.size });
      }
      await sigkill(b);
      b = null;
    }
    // 3. The survivor exports, and the export re-imports to the same
    // documents and spans in a fresh profile.
    b = await launch(profile);
    const exported = await b.page.evaluate(() => window.spanmark.exportAs('json'));
    await closeCleanly(b);
    b = null;
    const fresh = await openApp();
    try {
      const n = await fresh.page.evaluate((c) => window.spanmark.importFile('backup.spanmark.json', c), exported);
      const original = JSON.parse(exported);
      assert.equal(n, original.documents.length);
      const back = JSON.parse(await fresh.page.evaluate(() => window.spanmark.exportAs('json')));
      for (const d of original.documents.filter((x) => x.id.startsWith('round-'))) {
        const again = back.documents.find((x) => x.id === d.id);
        assert.ok(again, `${d.id} re-imported`);
        assert.equal(again.text, d.text);
        assert.deepEqual(userSpans(again), userSpans(d), `${d.id}'s spans re-imported`);
      }
    } finally {
      await fresh.close();
    }
    console.log(`# kill rounds (seed ${SEED}): ${JSON.stringify(log)}`);
    assert.ok(log.some((r) => r.mode === 'api' && r.acked > 0 && r.acked < r.issued), 'at least one kill landed mid-burst');
  } finally {
    if (b) await sigkill(b);
    await fs.rm(profile, { recursive: true, force: true });
  }
});

// Storage full. Chromium's CDP quota override (Storage.overrideQuotaForOrigin
// with a 1-byte quota) did not make small IndexedDB writes fail here, so the
// quota error is raised where the page meets it: IDBObjectStore.put throws
// QuotaExceededError, as Chromium does when an origin is over its quota.
test('storage full on a put (QuotaExceededError thrown): error shown, nothing half-saved', async () => {
  const app = await openApp();
  try {
    const page = app.page;
    await stubQuotaFull(app.context);
    await app.reload();
    await page.evaluate(() => window.spanmark.load('Grace Hopper joined the Navy in 1943.', { id: 'full' }));
    await page.evaluate(() => window.spanmark.addSpan(0, 12, 'PER'));
    await page.evaluate(() => { window.__quotaFull = true; });
    const add = await page.evaluate(() => window.spanmark.addSpan(24, 28, 'ORG').then(() => 'resolved', (e) => e.message));
    const load = await page.evaluate(() => window.spanmark.load('A new document.', { id: 'new' }).then(() => 'resolved', (e) => e.message));
    const imp = await page.evaluate(() => window.spanmark.importFile('x.jsonl', '{"id":"imp","text":"Imported."}\n').then(() => 'resolved', (e) => e.message));
    assert.notEqual(add, 'resolved');
    assert.notEqual(load, 'resolved');
    assert.notEqual(imp, 'resolved');
    const error = await page.$eval('#error', (e) => e.textContent);
    assert.match(error, /quota|save|full|stor/i, JSON.stringify(error));
    await page.evaluate(() => { window.__quotaFull = false; });
    await app.reload();
    const ids = JSON.parse(await page.evaluate(() => window.spanmark.exportAs('json'))).documents.map((d) => d.id);
    assert.ok(ids.includes('full') && !ids.includes('new') && !ids.includes('imp'), `stored documents: ${ids}`);
    await page.evaluate(() => window.spanmark.idle());
    assert.equal(await page.evaluate(() => window.spanmark.currentId()), 'full');
    const spans = await page.evaluate(() => window.spanmark.spans().filter((s) => s.source === 'user').map((s) => `${s.start}:${s.end}:${s.label}`));
    assert.deepEqual(spans, ['0:12:PER']);
  } finally {
    await app.close();
  }
});

test('an export of the whole project recovers it in a new profile', async () => {
  const app = await openApp();
  const fresh = await openApp();
  try {
    const page = app.page;
    await page.evaluate(() => window.spanmark.load('Zoë 😀 met Ada in Paris.\r\nThe end.', { id: 'backup-1', name: 'One' }));
    await page.evaluate(() => window.spanmark.addSpan(0, 3, 'PER'));
    await page.evaluate(() => window.spanmark.addSpan(10, 13, 'NEWLABEL'));
    await page.evaluate(() => window.spanmark.markDone());
    await page.evaluate(() => window.spanmark.load('Second document.', { id: 'backup-2' }));
    const backup = await page.evaluate(() => window.spanmark.exportAs('json'));
    const n = await fresh.page.evaluate((c) => window.spanmark.importFile('project.spanmark.json', c), backup);
    const original = JSON.parse(backup);
    assert.equal(n, original.documents.length);
    const back = JSON.parse(await fresh.page.evaluate(() => window.spanmark.exportAs('json')));
    for (const d of original.documents.filter((x) => x.id.startsWith('backup-'))) {
      const again = back.documents.find((x) => x.id === d.id);
      assert.deepEqual(again, d, `${d.id} comes back exactly`);
    }
    for (const l of original.labels) assert.ok(back.labels.some((x) => x.name === l.name), `label ${l.name}`);
    // And it survives a restart of the new profile.
    await fresh.reopen();
    const again = JSON.parse(await fresh.page.evaluate(() => window.spanmark.exportAs('json')));
    assert.deepEqual(again, back);
  } finally {
    await app.close();
    await fresh.close();
  }
});

// The plain case, one edit at a time; tabs.test.mjs fires the races.
test('two tabs on one project do not lose each other\'s edits', async () => {
  const app = await openApp();
  try {
    const a = app.page;
    await a.evaluate(() => window.spanmark.load('Ada met Bo and Cy in Rome.', { id: 'shared' }));
    const b = await app.context.newPage();
    await b.goto(app.url);
    await b.evaluate(() => window.spanmarkReady);
    assert.equal(await b.evaluate(() => window.spanmark.currentId()), 'shared', 'the second tab opens the same document');
    await a.evaluate(() => window.spanmark.addSpan(0, 3, 'PER'));  // acknowledged in tab A
    await b.evaluate(() => window.spanmark.addSpan(8, 10, 'PER')); // acknowledged in tab B
    await a.evaluate(() => window.spanmark.addSpan(15, 17, 'PER')); // and A again
    await a.reload();
    await b.reload();
    await a.evaluate(() => window.spanmarkReady);
    await b.evaluate(() => window.spanmarkReady);
    const user = (p) => p.evaluate(() => window.spanmark.spans().filter((s) => s.source === 'user').map((s) => `${s.start}:${s.end}`).sort());
    const [inA, inB] = [await user(a), await user(b)];
    assert.deepEqual(inA, inB, 'both tabs show the same stored state');
    assert.deepEqual(inA, ['0:3', '15:17', '8:10'], `every acknowledged edit of both tabs survives; stored: ${JSON.stringify(inA)}`);
  } finally {
    await app.close();
  }
});
