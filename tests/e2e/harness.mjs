// Shared set-up for the browser tests: the page served from www/ on a free
// loopback port, and a real headless Chromium with its own fresh profile.
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../tools/serve.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// Starts the server and a browser on a fresh profile. `reopen()` closes the
// browser and starts it again on the same profile (what a user's restart is).
// `args`: more Chromium flags.
export async function openApp({ args = [] } = {}) {
  const server = await startServer(path.join(ROOT, 'www'), 0);
  const url = `http://127.0.0.1:${server.address().port}/`;
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'spanmark-e2e-'));
  const app = { server, url, profile, context: null, page: null, requests: [], consoleErrors: [] };
  app.launch = async () => {
    app.context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...FLAGS, ...args],
      acceptDownloads: true,
      viewport: { width: 1100, height: 800 },
    });
    app.page = app.context.pages()[0] || await app.context.newPage();
    app.page.on('request', (r) => app.requests.push(r.url()));
    app.page.on('console', (m) => { if (m.type() === 'error') app.consoleErrors.push(m.text()); });
    app.page.on('pageerror', (e) => app.consoleErrors.push(String(e)));
    await app.page.goto(url);
    await app.page.evaluate(() => window.spanmarkReady);
    return app.page;
  };
  app.reload = async () => {
    await app.page.reload();
    await app.page.evaluate(() => window.spanmarkReady);
  };
  app.reopen = async () => {
    await app.context.close();
    return app.launch();
  };
  app.close = async () => {
    if (app.context) await app.context.close();
    server.close();
    await fs.rm(profile, { recursive: true, force: true });
  };
  await app.launch();
  return app;
}

// The app for every test of a file: opened before the first test, closed
// after the last. What it returns can be destructured at the top of the file
// (`const app = useApp(); const { page, call, idle } = app;`) although the
// app only opens later: `page` and the rest of `app` (reload, reopen, url,
// context, requests, consoleErrors) are looked up at each use, so they also
// follow the new page after `reopen()` or `freshProfile()`.
// - `call(name, ...args)`: `window.spanmark[name](...args)` in the page, its
//   result (awaited when it is a promise);
// - `idle()`: resolves once the page has finished what it was doing;
// - `freshProfile()`: closes the browser and opens the app on a new, empty
//   profile.
// `setUp`, if given, runs once the app is open, before the first test (a
// file's own `before` hook could run before the app is open: node 20 starts
// the root's hooks together).
export function useApp(setUp) {
  let app = null;
  const current = () => {
    if (!app) throw new Error('useApp(): the app opens in before(); use it inside tests and hooks');
    return app;
  };
  before(async () => {
    app = await openApp();
    await setUp?.();
  });
  after(async () => { await app?.close(); });
  const page = forwarding(() => current().page);
  return forwarding(current, {
    page,
    call: (name, ...args) => current().page.evaluate(([n, a]) => window.spanmark[n](...a), [name, args]),
    idle: () => current().page.evaluate(() => window.spanmark.idle()),
    freshProfile: async () => {
      await current().close();
      app = null;
      app = await openApp();
    },
  });
}

// An object whose own properties are `own` and whose others are read from
// `target()` when used (methods bound to it).
function forwarding(target, own = {}) {
  return new Proxy(own, {
    get(o, key) {
      if (Object.hasOwn(o, key)) return o[key];
      const t = target();
      const v = t[key];
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
}

// Slices a string by code points, as Python and spaCy do.
export function sliceCp(text, start, end) {
  return Array.from(text).slice(start, end).join('');
}

// The on-screen box of the text between two code point offsets of the
// document, rounded to whole pixels (fractional drags select nothing).
export async function boxOf(page, start, end) {
  return page.evaluate(([start, end]) => {
    const root = document.getElementById('doc');
    const cps = Array.from(root.textContent);
    const u = (cp) => cps.slice(0, cp).join('').length;
    // The text node holding UTF-16 unit `off`, and the offset in it.
    const at = (off) => {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      let left = off;
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (left < n.data.length) return [n, left];
        left -= n.data.length;
      }
      throw new Error('offset past the end');
    };
    const r = document.createRange();
    const [a, ao] = at(u(start));
    const [b, bo] = at(u(end) - 1);
    r.setStart(a, ao);
    r.setEnd(b, bo + 1);
    const rects = r.getClientRects();
    const first = rects[0];
    const last = rects[rects.length - 1];
    return {
      x0: Math.round(first.left + 2), y0: Math.round(first.top + first.height / 2),
      x1: Math.round(last.right - 2), y1: Math.round(last.top + last.height / 2),
    };
  }, [start, end]);
}

// Drags the mouse from inside the first to inside the last character.
export async function dragOver(page, start, end) {
  const b = await boxOf(page, start, end);
  await page.mouse.move(b.x0, b.y0);
  await page.mouse.down();
  await page.mouse.move(Math.round((b.x0 + b.x1) / 2), b.y1, { steps: 4 });
  await page.mouse.move(b.x1, b.y1, { steps: 4 });
  await page.mouse.up();
}

export async function drawnSpans(page) {
  return page.$$eval('#doc [data-start]', (els) => els.map((e) => ({
    start: Number(e.dataset.start), end: Number(e.dataset.end), label: e.dataset.label,
    source: e.dataset.source, text: e.textContent,
  })));
}

// Makes IndexedDB refuse every put for want of space once the page sets
// `window.__quotaFull` (from the next page load on): a full disk, raised
// where the page meets it.
export async function stubQuotaFull(context) {
  await context.addInitScript(() => {
    // A full disk refuses every write: a put and an add alike (an edit's
    // log entry is an add).
    for (const name of ['put', 'add']) {
      const write = IDBObjectStore.prototype[name];
      IDBObjectStore.prototype[name] = function (...args) {
        if (window.__quotaFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return write.apply(this, args);
      };
    }
  });
}
