// Section 10 of the benchmarks: a 1 MB document with 20,000 nested spans
// and 5,000 relations in the real page (issue 14), against the same text
// with its 10,000 outer spans only (flat, no relations) in the same page:
// - opening it (`openDocument`, from the other one) to the frame after;
// - an edit (`addSpan` on a free word in view, then `removeSpan`): call to
//   the frame showing it;
// - steady scrolling, 120 frames of 400 px: frame times.
// `node bench/structure.mjs` prints the section and puts it in place of its
// part of bench/RESULTS.md.
import path from 'node:path';
import { openApp } from '../tests/e2e/harness.mjs';
import { articles } from './corpus.mjs';
import { median, pct, ms, table, int, ratio, putSection } from './lib.mjs';

const PAIRS = 10_000; // an outer span with one nested inside: 20,000 spans
const RELATIONS = 5_000;
const EDITS = 30;
const OPENS = 3;

// The text and its spans. The corpus is Basic Multilingual Plane only, so
// its UTF-16 indices are code points (checked).
function build() {
  const text = articles(1_000_000, 20261207).join('\n\n');
  if (/[\uD800-\uDFFF]/.test(text)) throw new Error('the corpus left the BMP: offsets would need converting');
  const words = [...text.matchAll(/[A-Za-z][A-Za-z'-]*/g)].map((m) => [m.index, m.index + m[0].length]);
  const step = Math.floor(words.length / PAIRS);
  if (step < 4) throw new Error(`${words.length} words are too few for ${PAIRS} pairs`);
  const outer = [];
  const inner = [];
  const free = [];
  for (let p = 0; p < PAIRS; p++) {
    const i = p * step;
    outer.push({ id: `T${2 * p + 1}`, start: words[i][0], end: words[i + 2][1], label: 'ORG', source: 'user' });
    inner.push({ id: `T${2 * p + 2}`, start: words[i + 1][0], end: words[i + 1][1], label: 'LOC', source: 'user' });
    if (step > 4 && free.length < 200) free.push(words[i + 3]);
  }
  const relations = [];
  for (let r = 0; r < RELATIONS; r++) {
    relations.push({ id: `R${r + 1}`, from: outer[2 * r].id, to: outer[2 * r + 1].id, label: 'next_to' });
  }
  const spans = [];
  for (let p = 0; p < PAIRS; p++) spans.push(outer[p], inner[p]);
  const project = {
    format: 'spanmark',
    version: 2,
    overlap: 'nested',
    labels: [],
    documents: [
      { id: 'nested', text, spans, relations },
      { id: 'flat', text, spans: outer.map(({ id, ...s }) => s) },
    ],
  };
  return { text, project, free };
}

// Opens `id` from the other document: call to the frame after it resolved.
async function timedOpen(page, id) {
  return page.evaluate(async (id) => {
    const t0 = performance.now();
    await window.spanmark.openDocument(id);
    await new Promise((res) => requestAnimationFrame(res));
    return performance.now() - t0;
  }, id);
}

// `n` addSpan/removeSpan pairs on free words in view: call to the frame
// after the span's element appeared (or went).
async function edits(page, free, n) {
  return page.evaluate(async ([free, n]) => {
    const doc = document.getElementById('doc');
    doc.scrollTop = 0;
    await new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res)));
    const bottom = doc.getBoundingClientRect().bottom;
    const blocks = [...doc.querySelectorAll('.block')].filter((b) => b.getBoundingClientRect().top < bottom);
    const end16 = Math.max(...blocks.map((b) => Number(b.dataset.end16)));
    const inView = free.filter(([, e]) => e <= end16);
    const times = [];
    const shown = (sel, present) => new Promise((res) => {
      const check = () => !!doc.querySelector(sel) === present;
      const mo = new MutationObserver(() => {
        if (!check()) return;
        mo.disconnect();
        requestAnimationFrame(() => res(performance.now()));
      });
      mo.observe(doc, { childList: true, subtree: true });
      setTimeout(() => { mo.disconnect(); res(NaN); }, 5000);
    });
    for (let i = 0; i < n; i++) {
      const [s, e] = inView[i % inView.length];
      const sel = `mark.span[data-start="${s}"][data-end="${e}"][data-label="MISC"]`;
      let t0 = performance.now();
      let seen = shown(sel, true);
      const added = window.spanmark.addSpan(s, e, 'MISC');
      times.push((await seen) - t0);
      await added;
      t0 = performance.now();
      seen = shown(sel, false);
      const removed = window.spanmark.removeSpan(s, e);
      times.push((await seen) - t0);
      await removed;
    }
    return { times, inView: inView.length };
  }, [free, n]);
}

async function steadyScroll(page) {
  return page.evaluate(async () => {
    const frame = () => new Promise((res) => requestAnimationFrame(() => res(performance.now())));
    const doc = document.getElementById('doc');
    doc.scrollTop = 0;
    await frame();
    await frame();
    const times = [await frame()];
    let arcs = 0;
    for (let i = 0; i < 120; i++) {
      doc.scrollTop += 400;
      times.push(await frame());
      arcs = Math.max(arcs, doc.querySelectorAll('svg.arcs g[data-relation]').length);
    }
    doc.scrollTop = 0;
    await frame();
    return { intervals: times.slice(1).map((t, i) => t - times[i]), arcs };
  });
}

export async function structureSection(say) {
  const { text, project, free } = build();
  const app = await openApp();
  try {
    const { page } = app;
    const call = (name, ...args) => page.evaluate(([n, a]) => window.spanmark[n](...a), [name, args]);
    const t0 = Date.now();
    await call('importFile', 'bench.spanmark.json', JSON.stringify(project));
    const importMs = Date.now() - t0;
    const opens = { nested: [], flat: [] };
    for (let i = 0; i < OPENS; i++) {
      for (const id of ['flat', 'nested']) {
        await call('openDocument', id === 'flat' ? 'nested' : 'flat');
        opens[id].push(await timedOpen(page, id));
      }
    }
    const counts = await page.evaluate(() => ({
      spans: window.spanmark.spans().filter((s) => s.source === 'user').length,
      relations: window.spanmark.relations().length,
    }));
    const edit = {};
    const scroll = {};
    for (const id of ['flat', 'nested']) {
      await call('openDocument', id);
      edit[id] = await edits(page, free, EDITS);
      scroll[id] = await steadyScroll(page);
    }
    const row = (id, what) => [
      what,
      ms(median(opens[id])),
      `${ms(median(edit[id].times))} / ${ms(pct(edit[id].times, 95))}`,
      `${ms(median(scroll[id].intervals))} / ${ms(pct(scroll[id].intervals, 95))}`,
      int(scroll[id].arcs),
    ];
    say(table(
      ['1 MB document in the real page', 'open ms (median of 3)', 'edit: call → frame p50 / p95 ms', 'steady scroll frame p50 / p95 ms', 'arcs drawn at most'],
      [
        row('nested', `${int(counts.spans)} spans nested in pairs, ${int(counts.relations)} relations`),
        row('flat', `the same text, its ${int(PAIRS)} outer spans only (flat, no relations)`),
      ],
    ));
    say();
    const p95 = (id) => pct(scroll[id].intervals, 95);
    say(`Nested with relations vs flat, steady scrolling frame p95: **${ratio(p95('nested'), p95('flat'))}** ` +
      `(target in issue 14: within 1.2x); edit p95 **${ms(pct(edit.nested.times, 95))} ms** (target 16 ms); ` +
      `open **${ms(median(opens.nested))} ms** (target under 1 s). ${EDITS} addSpan/removeSpan pairs (${EDITS * 2} edits) ` +
      `on free words in view, each timed from the call to the frame after its element appeared or went; opening is ` +
      `\`openDocument\` from the other document to the frame after it resolved. The project (${(JSON.stringify(project).length / 1e6).toFixed(1)} MB of ` +
      `spanmark JSON v2, both documents) was imported in ${int(importMs)} ms. Text: bench/corpus.mjs, seeded.`);
    if (app.consoleErrors.length) say(`Console errors: ${app.consoleErrors.slice(0, 3).join('; ')}`);
  } finally {
    await app.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { execFileSync } = await import('node:child_process');
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
  const lines = [];
  const say = (s = '') => { lines.push(s); console.log(s); };
  await structureSection(say);
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  const stamp = `_Section 10 measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, commit ${commit}, \`node bench/structure.mjs\`._`;
  putSection('structure', '## 10. Relations and nested spans (issue 14)', stamp, lines);
  process.exit(0);
}
