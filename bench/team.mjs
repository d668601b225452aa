// Section 9 of the benchmarks: the team server (issue 12), started as
// tests/team/harness.mjs starts it (the real embedded CouchDB-compatible
// engine, data on disk in a temporary directory).
//
// - disk: one annotator's 1,000 edits, each sent as its own revision of
//   her `ann:` record (the page sends at most one revision per edit; fewer
//   when edits come faster than its push), against the floor: the same
//   final records written once; both measured after the engine's
//   compaction (`POST /db/<project>/_compact`);
// - a 10,000-document project read whole by a new annotator in the page:
//   her `join()` on a fresh profile against the plain
//   `_all_docs?include_docs=true` download in the same page (the peer);
// - an edit of one annotator seen by another in his own browser.
import path from 'node:path';
import { startTeamServer, tempDir, call, addUser, signIn, diskUsage as du } from '../tests/team/harness.mjs';
import { articles } from './corpus.mjs';
import { launch, median, ms, pct, table, kb, int, ratio, putSection } from './lib.mjs';

const ADMIN = 'root:root-pw';
const EDITS = 1000;
const DOCS_FOR_EDITS = 10;
const BIG = 10_000;

async function ok(r, what) {
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body;
}

async function createProject(url, name) {
  await ok(await call(`${url}/team/projects`, { method: 'POST', as: ADMIN, body: { name } }), `creating ${name}`);
}

async function bulk(url, project, docs, as = ADMIN) {
  for (let i = 0; i < docs.length; i += 1000) {
    const answer = await ok(await call(`${url}/db/${project}/_bulk_docs`, { method: 'POST', as, body: { docs: docs.slice(i, i + 1000) } }), `writing to ${project}`);
    const refused = answer.filter((r) => r.error);
    if (refused.length) throw new Error(`${project}: ${refused.length} refused, e.g. ${JSON.stringify(refused[0])}`);
  }
}

async function compact(url, project) {
  await ok(await call(`${url}/db/${project}/_compact`, { method: 'POST', as: ADMIN, body: {} }), `compacting ${project}`);
  for (let i = 0; i < 600; i++) {
    const info = await ok(await call(`${url}/db/${project}`, { as: ADMIN }), `reading ${project}`);
    if (!info.compact_running) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${project}: compaction did not end in 60 s`);
}

const texts = (n, chars) => {
  const parts = articles(n * chars * 1.2, 20261206, chars);
  return Array.from({ length: n }, (_, i) => parts[i % parts.length]);
};

// An annotator's record as the page writes it: spans, and a history step
// per edit.
function record(docId, annotator, spans, history) {
  return { _id: `ann:${docId}:${annotator}`, type: 'annotations', annotator, doc_id: docId, status: 'todo', spans, history, updated: Date.now() };
}

// The text's first `n` words as spans, in order: what n edits of a
// document add.
function spansOf(text, n) {
  const out = [];
  for (const m of text.matchAll(/\b\w+\b/g)) {
    out.push({ start: m.index, end: m.index + m[0].length, label: out.length % 2 ? 'LOC' : 'PER' });
    if (out.length === n) break;
  }
  return out;
}

async function disk(server) {
  const { url } = server;
  await createProject(url, 'edits');
  await createProject(url, 'floor');
  const docTexts = texts(DOCS_FOR_EDITS, 2000);
  const docs = docTexts.map((text, i) => ({ _id: `doc:d${i}`, type: 'document', text, meta: {} }));
  await bulk(url, 'edits', docs);
  await bulk(url, 'floor', docs);
  const per = EDITS / DOCS_FOR_EDITS;
  const finals = [];
  const latencies = [];
  const cookie = await signIn(url, 'ana', 'ana-pw');
  for (let d = 0; d < DOCS_FOR_EDITS; d++) {
    const all = spansOf(docTexts[d], per);
    const history = [];
    let rev;
    for (let e = 0; e < all.length; e++) {
      history.push({ at: Date.now(), removed: [], added: [all[e]] });
      const body = { ...record(`d${d}`, 'ana', all.slice(0, e + 1), history), ...(rev ? { _rev: rev } : {}) };
      const t0 = performance.now();
      const r = await ok(await call(`${url}/db/edits/ann:d${d}:ana`, { method: 'PUT', as: cookie, body }), 'an edit');
      latencies.push(performance.now() - t0);
      rev = r.rev;
    }
    finals.push(record(`d${d}`, 'ana', all, history));
  }
  const edits = latencies.length;
  await bulk(url, 'floor', finals, cookie);
  const dbDir = path.join(server.dataDir, 'db');
  const before = du(path.join(dbDir, 'edits'));
  await compact(url, 'edits');
  await compact(url, 'floor');
  const after = du(path.join(dbDir, 'edits'));
  const floor = du(path.join(dbDir, 'floor'));
  const docsOnly = JSON.stringify(docs).length;
  return { edits, before, after, floor, latencies, docsOnly };
}

// A page loaded and its offline cache in place: on a fresh profile the
// service worker downloads the page's assets (megabytes of wasm) from the
// same server right after loading, which is not the sync's work (a person
// types her name and password meanwhile); the peer's page waits as long.
async function settled(page) {
  await page.evaluate(async () => {
    await window.spanmarkReady;
    await navigator.serviceWorker?.ready;
  });
}

async function bigProject(server) {
  const { url } = server;
  await createProject(url, 'big');
  const t = texts(BIG, 500);
  const docs = [];
  for (let i = 0; i < BIG; i++) {
    docs.push({ _id: `doc:n${i}`, type: 'document', text: t[i], meta: { name: `news #${i + 1}` } });
    docs.push(record(`n${i}`, 'ben', spansOf(t[i], 6), []));
  }
  const t0 = Date.now();
  await bulk(url, 'big', docs);
  const writeMs = Date.now() - t0;
  const info = await ok(await call(`${url}/db/big`, { as: ADMIN }), 'reading big');
  // The peer, in the page's own origin and browser: sign in, download
  // every document with its body, parse it. Each run of it is followed by
  // a run of the page's own first sync (a new annotator on a fresh profile
  // joins), so that both see the machine as loaded as it is then.
  const peer = [];
  const joins = [];
  const b = await launch();
  try {
    await b.page.goto(`${url}/`);
    await settled(b.page);
    for (let i = 0; i < 3; i++) {
      peer.push(await b.page.evaluate(async () => {
        const s = await fetch('/db/_session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'cy', password: 'cy-pw' }) });
        if (!s.ok) throw new Error(`sign-in: ${s.status}`);
        const t = performance.now();
        const r = await fetch('/db/big/_all_docs?include_docs=true');
        const body = await r.json();
        return { ms: performance.now() - t, rows: body.rows.length, bytes: JSON.stringify(body).length };
      }));
      const p = await launch();
      try {
        await p.page.goto(`${url}/`);
        const has = await p.page.evaluate(async () => typeof (await window.spanmarkReady).join === 'function');
        if (!has) continue;
        await settled(p.page);
        joins.push(await p.page.evaluate(async () => {
          const t = performance.now();
          const r = await window.spanmark.join({ user: 'cy', password: 'cy-pw', project: 'big' });
          return { ms: performance.now() - t, documents: r.documents.length };
        }));
      } finally {
        await p.close();
      }
    }
  } finally {
    await b.close();
  }
  return { docs: info.doc_count, writeMs, peer, joins };
}

// One annotator's edit, seen by another in her own browser without asking
// (continuous replication both ways): from ana's `addSpan` resolving
// (durable locally) to ben's `annotationsOf` holding it.
async function editToOther(server) {
  const { url } = server;
  await createProject(url, 'live');
  const t = texts(20, 600);
  await bulk(url, 'live', t.map((text, i) => ({ _id: `doc:l${i}`, type: 'document', text, meta: {} })));
  const [a, b] = [await launch(), await launch()];
  try {
    for (const [x, user] of [[a, 'ana'], [b, 'ben']]) {
      await x.page.goto(`${url}/`);
      const has = await x.page.evaluate(async () => typeof (await window.spanmarkReady).join === 'function');
      if (!has) return null;
      await x.page.evaluate(({ user }) => window.spanmark.join({ user, password: `${user}-pw`, project: 'live' }), { user });
    }
    await a.page.evaluate(() => window.spanmark.openDocument('l0'));
    const words = [...t[0].matchAll(/\b\w+\b/g)].slice(0, 30).map((m) => [m.index, m.index + m[0].length]);
    const lat = [];
    for (const [start, end] of words) {
      await a.page.evaluate(({ start, end }) => window.spanmark.addSpan(start, end, 'PER'), { start, end });
      const t0 = Date.now();
      // Polled from Node: the page's `annotationsOf` resolves to the spans.
      for (;;) {
        const seen = await b.page.evaluate(async ({ start, end }) => {
          const spans = await window.spanmark.annotationsOf('l0', 'ana');
          return spans.some((s) => s.start === start && s.end === end);
        }, { start, end });
        if (seen) break;
        if (Date.now() - t0 > 30000) throw new Error(`ben did not see ana's edit ${start}-${end} in 30 s`);
        await new Promise((r) => setTimeout(r, 10));
      }
      lat.push(Date.now() - t0);
    }
    return lat;
  } finally {
    await a.close();
    await b.close();
  }
}

export async function teamSection(say) {
  const server = await startTeamServer({ dataDir: tempDir('spanmark-bench-team-'), env: { SPANMARK_ADMIN: ADMIN } });
  try {
    for (const [name, role] of [['ced', 'curator'], ['ana', 'annotator'], ['ben', 'annotator'], ['cy', 'annotator']]) {
      await addUser(server.url, ADMIN, name, [role]);
    }
    const d = await disk(server);
    say(table(['server disk (embedded engine, LevelDB)', 'edits', 'before compaction kB', 'after compaction kB', 'per 1,000 edits after compaction kB', 'floor: the final records written once kB', 'after ÷ floor'], [
      [`${DOCS_FOR_EDITS} documents of 2,000 chars, one annotator's edits each sent as a revision of her record`, int(d.edits), kb(d.before), kb(d.after),
        `**${kb((d.after / d.edits) * 1000)}**`, kb(d.floor), ratio(d.after, d.floor)],
    ]));
    say();
    say(`Each edit is a PUT of the whole \`ann:\` record (spans and history so far) as the signed-in annotator, through \`validate_doc_update\`: p50 ${ms(median(d.latencies))} / p95 ${ms(pct(d.latencies, 95))} ms per write on loopback. The documents' own JSON is ${kb(d.docsOnly)} kB of both databases. Compaction keeps only the leaf revision's body (and the revision tree's ids, up to \`revs_limit\` 1000), so what is left per edit is its revision id and the record's final size; the embedded engine then compacts LevelDB's own files (tools/team/embedded.mjs), without which the old bodies' bytes stayed on disk.`);
    say();
    const big = await bigProject(server);
    const pm = median(big.peer.map((r) => r.ms));
    const jm = median(big.joins.map((r) => r.ms));
    const rows = [
      ['peer: `_all_docs?include_docs=true` in the page (fetch + parse)', int(big.docs), big.peer.length, `**${ms(pm)}**`, int(big.peer[0].rows), (big.peer[0].bytes / 1e6).toFixed(2), ''],
    ];
    if (big.joins.length) {
      rows.push(['the page: `join()` on a fresh profile (signed in, first two-way sync done, documents stored)', int(big.docs), big.joins.length, `**${ms(jm)}**`, `${int(big.joins[0].documents)} documents`, '', `**${ratio(jm, pm)}**`]);
    }
    say(table(['a new annotator reads a 10,000-document project', 'documents in the database', 'runs', 'median ms', 'rows', 'JSON MB', 'page ÷ peer'], rows));
    say();
    say(`10,000 documents of about 500 characters and another annotator's record of each (6 spans), written in \`_bulk_docs\` of 1,000 in ${int(big.writeMs)} ms; the peer's and the page's runs alternate, so that both meet the same load on a shared machine, each in a page loaded with its offline cache installed. Target (issue 12): the page's first sync within 2× the peer.${big.joins.length ? '' : ' **The page has no `join()` yet: its first sync is not measured.**'}`);
    say();
    const lat = await editToOther(server);
    if (lat) {
      say(table(['edit to the other annotator, loopback', 'n', 'p50 ms', 'p95 ms', 'max ms'], [
        ['ana\'s `addSpan` resolved → ben\'s `annotationsOf` holds it (both pages replicating continuously)', lat.length, `**${ms(median(lat))}**`, `**${ms(pct(lat, 95))}**`, ms(Math.max(...lat))],
      ]));
      say();
      say('Two browsers on fresh profiles, each joined to a 20-document project; ana labels 30 words of one document one after another, ben never calls `sync()`: what he sees is what continuous replication brought (polled every 10 ms). Target (issue 12): an edit reaches the server within 2 s.');
    } else {
      say('Edit-to-other latency: **not measured** (the page has no `join()` yet).');
    }
  } finally {
    await server.stop();
  }
}

// `node bench/team.mjs`: this section alone, printed and put in place of
// its part of bench/RESULTS.md (as `BENCH_ONLY=export` does for section 8).
if (import.meta.url === `file://${process.argv[1]}`) {
  const { execFileSync } = await import('node:child_process');
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
  const lines = [];
  const say = (s = '') => { lines.push(s); console.log(s); };
  await teamSection(say);
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  const stamp = `_Section 9 measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, commit ${commit}, \`node bench/team.mjs\`._`;
  putSection('team', '## 9. The team server (issue 12)', stamp, lines);
  process.exit(0);
}
