// Helpers for bench/run.mjs: statistics, formatting, and a headless Chromium
// launched exactly as tests/e2e/harness.mjs launches it (same binary, same
// flags, a fresh profile directory each time).
import { chromium } from 'playwright-core';
import fs from 'node:fs/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM, FLAGS } from '../tests/e2e/harness.mjs';

export { CHROMIUM, FLAGS };

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// Nearest-rank percentile (p in 0..100).
export function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const ms = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : 'n/a');
export const kb = (b) => (b / 1000).toFixed(1);
export const mb = (b) => (b / 1e6).toFixed(2);
export const int = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
export const ratio = (a, b) => (Number.isFinite(a / b) ? `${(a / b).toFixed(a / b >= 10 ? 0 : 1)}x` : 'n/a');

// A markdown table from a header row and rows of cells.
export function table(head, rows) {
  const line = (cells) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

// A browser on a fresh profile, as the harness does; `close()` removes it.
export async function launch({ viewport = { width: 1100, height: 800 } } = {}) {
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'spanmark-bench-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport,
  });
  const page = context.pages()[0] || await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  return {
    context, page, profile, errors,
    close: async () => {
      await context.close();
      await fs.rm(profile, { recursive: true, force: true });
    },
  };
}

// Puts a section run on its own (`node bench/team.mjs`) in place of its
// marked part of bench/RESULTS.md (`<!-- begin:KEY -->`…), or at the end
// under `heading` the first time.
export function putSection(key, heading, stamp, lines) {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
  const block = `<!-- begin:${key} -->\n${stamp}\n\n${lines.join('\n')}\n<!-- end:${key} -->`;
  const file = path.join(root, 'bench/RESULTS.md');
  const old = readFileSync(file, 'utf8');
  const marked = new RegExp(`<!-- begin:${key} -->[\\s\\S]*?<!-- end:${key} -->`);
  writeFileSync(file, marked.test(old) ? old.replace(marked, () => block) : `${old.trimEnd()}\n\n${heading}\n\n${block}\n`);
}
