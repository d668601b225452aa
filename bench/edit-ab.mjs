// An edit's cost in two builds of the page, taken in turns so that both
// see the same load on a shared machine: ROUNDS rounds, each a fresh browser
// per build that opens the 1 MB bench text and makes EDITS adds and removes
// of a span on screen. Reports call -> next frame and call -> durable
// (wall clock, noisy) and, per edit, the main thread's CPU time in our
// scripts, style, layout and paint (trace thread time: what the build
// itself costs, far steadier than wall clock here).
//   node bench/edit-ab.mjs DIR_A DIR_B [ROUNDS=3] [EDITS=15]
import path from 'node:path';
import { startServer } from '../tools/serve.mjs';
import { articles } from './corpus.mjs';
import { launch, median, ms, pct, table } from './lib.mjs';

const [a, b, rounds = '3', edits = '15'] = process.argv.slice(2);
if (!a || !b) {
  console.error('usage: node bench/edit-ab.mjs DIR_A DIR_B [ROUNDS] [EDITS]');
  process.exit(2);
}
const text = articles(1024 * 1024, 20261127).join('\n\n');
const PHASES = { script: ['FunctionCall', 'TimerFire', 'EventDispatch', 'RunMicrotasks'], style: ['UpdateLayoutTree'], layout: ['Layout'], paint: ['Paint', 'PrePaint', 'Layerize'] };

async function once(dir) {
  const server = await startServer(path.resolve(dir), 0);
  const browser = await launch();
  try {
    const { page } = browser;
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.evaluate(() => window.spanmarkReady);
    await page.evaluate(async (t) => { window.__text = t; await window.spanmark.load(t, { id: 'bench' }); }, text);
    await page.waitForTimeout(500);
    const cdp = await page.context().newCDPSession(page);
    const events = [];
    cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
    const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    await cdp.send('Tracing.start', { categories: 'devtools.timeline', transferMode: 'ReportEvents' });
    const times = await page.evaluate(async (n) => {
      const frame = () => new Promise((res) => requestAnimationFrame(() => res(performance.now())));
      const text = window.__text;
      const doc = document.getElementById('doc');
      const spans = window.spanmark.spans();
      const free = [];
      for (const el of doc.querySelectorAll('.block')) {
        const r = el.getBoundingClientRect();
        if (r.bottom < 0 || r.top > innerHeight) continue;
        const s16 = Number(el.dataset.start16);
        for (const m of text.slice(s16, Number(el.dataset.end16)).matchAll(/\b[a-z]{4,}\b/g)) {
          const s = s16 + m.index;
          const e = s + m[0].length;
          if (!spans.some((x) => x.start < e && s < x.end)) free.push([s, e]);
        }
      }
      const out = [];
      for (let i = 0; i < n; i++) {
        const [s, e] = free[(i * 7) % free.length];
        for (const op of ['add', 'remove']) {
          await new Promise((r) => setTimeout(r, 30 + Math.random() * 16));
          const t0 = performance.now();
          const p = op === 'add' ? window.spanmark.addSpan(s, e, 'MISC') : window.spanmark.removeSpan(s, e);
          const shown = await frame();
          await p;
          out.push({ frame: shown - t0, durable: performance.now() - t0 });
        }
      }
      return out;
    }, Number(edits));
    await cdp.send('Tracing.end');
    await done;
    const cpu = {};
    for (const [k, names] of Object.entries(PHASES)) {
      cpu[k] = events.filter((e) => names.includes(e.name) && e.dur).reduce((s, e) => s + (e.tdur ?? e.dur), 0) / 1000 / times.length;
    }
    return { times, cpu };
  } finally {
    await browser.close();
    server.close();
  }
}

const runs = { [a]: [], [b]: [] };
for (let i = 0; i < Number(rounds); i++) {
  for (const dir of [a, b]) {
    runs[dir].push(await once(dir));
    console.error(`round ${i + 1}, ${dir}`);
  }
}
const all = (dir, k) => runs[dir].flatMap((r) => r.times.map((t) => t[k]));
const cpu = (dir, k) => median(runs[dir].map((r) => r.cpu[k]));
const rows = [
  ['call -> frame p50', (d) => median(all(d, 'frame'))],
  ['call -> frame p95', (d) => pct(all(d, 'frame'), 95)],
  ['call -> durable p50', (d) => median(all(d, 'durable'))],
  ['call -> durable p95', (d) => pct(all(d, 'durable'), 95)],
  ...Object.keys(PHASES).map((k) => [`main-thread CPU per edit: ${k}`, (d) => cpu(d, k)]),
];
console.log(table(['ms', `A: ${a}`, `B: ${b}`], rows.map(([n, f]) => [n, ms(f(a)), ms(f(b))])));
