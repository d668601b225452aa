// Where a cold load's time goes: one fresh launch with Chromium's startup
// trace on, then the page's marks, every main-thread task over 8 ms (with
// what it spent its time in) and the CPU the wasm compiler took on other
// threads, all in ms from navigation start. Tracing slows the page down: read
// the shares, not the totals.
//   node bench/cold-trace.mjs [WWW_DIR]
import { chromium } from 'playwright-core';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../tools/serve.mjs';
import { CHROMIUM, FLAGS } from '../tests/e2e/harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const server = await startServer(process.argv[2] || path.join(ROOT, 'www'), 0);
const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'spanmark-trace-'));
const file = path.join(profile, 'trace.json');
try {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...FLAGS, '--trace-startup=blink.user_timing,devtools.timeline,disabled-by-default-devtools.timeline,v8,v8.wasm,blink,loading',
      `--trace-startup-file=${file}`, '--trace-startup-duration=10', '--trace-startup-format=json'],
  });
  const page = context.pages()[0];
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.evaluate(() => window.spanmarkReady);
  await page.waitForTimeout(10_500); // the trace is written when its duration ends
  await context.close();

  const events = JSON.parse(await fs.readFile(file, 'utf8')).traceEvents;
  const nav = events.find((e) => e.name === 'navigationStart' && /127\.0\.0\.1/.test(e.args?.data?.documentLoaderURL || ''));
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === nav.pid && e.args.name === 'CrRendererMain');
  const on = (e) => e.pid === main.pid && e.tid === main.tid;
  const at = (ts) => ((ts - nav.ts) / 1000).toFixed(0).padStart(5);
  const drawn = events.find((e) => e.name === 'spanmark:load-drawn');
  const end = drawn ? drawn.ts : nav.ts + 10e6;
  const slices = events.filter((e) => on(e) && e.ph === 'X' && e.ts >= nav.ts && e.ts <= end).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const isTask = (e) => /^(ThreadControllerImpl::RunTask|RunTask)$/.test(e.name);
  const tasks = [];
  for (const e of slices.filter(isTask)) if (!tasks.length || e.ts >= tasks.at(-1).ts + tasks.at(-1).dur) tasks.push(e);
  const busy = tasks.reduce((a, t) => a + t.dur, 0);
  console.log(`navigation to the first highlight drawn: ${at(end).trim()} ms; main thread busy ${(busy / 1000).toFixed(0)} ms of it`);
  console.log('\nmain-thread tasks over 8 ms (start, +duration: the slices inside it, ms)');
  for (const t of tasks.filter((x) => x.dur > 8000)) {
    const inside = slices.filter((e) => e !== t && !isTask(e) && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur && e.dur > 3000);
    const what = inside.slice(0, 5).map((e) => `${e.name}${e.args?.data?.url ? `(${e.args.data.url.split('/').pop()})` : ''} ${(e.dur / 1000).toFixed(0)}`);
    console.log(`${at(t.ts)} +${(t.dur / 1000).toFixed(0).padStart(4)}  ${what.join(' > ')}`);
  }
  console.log('\nmarks');
  for (const e of events.filter((x) => x.cat === 'blink.user_timing' && x.name.startsWith('spanmark:'))) console.log(`${at(e.ts)}  ${e.name}`);
  const wasm = {};
  for (const e of events.filter((x) => x.ph === 'X' && x.cat?.includes('v8.wasm') && x.ts <= end)) wasm[e.name] = (wasm[e.name] || 0) + e.dur;
  console.log('\nwasm compiler CPU until then, all threads (ms, nested names overlap)');
  for (const [n, d] of Object.entries(wasm).sort((a, b) => b[1] - a[1]).slice(0, 6)) console.log(`${(d / 1000).toFixed(0).padStart(6)}  ${n}`);
} finally {
  server.close();
  await fs.rm(profile, { recursive: true, force: true });
}
