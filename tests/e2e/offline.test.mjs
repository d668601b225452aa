// The offline application: after one visit the page loads and works with the
// network cut off (the browser offline and the server gone), and its manifest
// makes it installable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, sliceCp } from './harness.mjs';

const TEXT = 'Offline in Lisbon, Ana Duarte met the board of Portucel on Monday.';

// Resolves once the service worker controls the page and has cached every
// asset of its list.
async function cachedForOffline(page) {
  return page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    }
    const names = await caches.keys();
    const cache = await caches.open(names.find((n) => n.startsWith('spanmark-')));
    return (await cache.keys()).map((r) => new URL(r.url).pathname);
  });
}

test('after one visit the page loads and annotates with no network', async () => {
  const app = await openApp();
  try {
    let page = app.page;
    // The first visit got the core compressed (tools/serve.mjs), and what the
    // worker cached from those responses is what works offline below.
    const [wasm] = await page.evaluate(() => performance.getEntriesByType('resource')
      .filter((r) => r.name.endsWith('.wasm')).map((r) => ({ sent: r.encodedBodySize, size: r.decodedBodySize })));
    assert.ok(wasm && wasm.sent < wasm.size / 2, `the wasm came compressed: ${JSON.stringify(wasm)}`);
    const cached = await cachedForOffline(page);
    for (const f of ['/', '/app.js', '/pkg/spanmark_bg.wasm', '/preannotate-worker.js', '/manifest.webmanifest']) {
      assert.ok(cached.includes(f), `${f} is cached for offline use: ${cached.join(' ')}`);
    }
    await page.evaluate((t) => window.spanmark.load(t, { id: 'before' }), TEXT);
    const ana = TEXT.indexOf('Ana Duarte');
    await page.evaluate(([s, e]) => window.spanmark.addSpan(s, e, 'PER'), [ana, ana + 'Ana Duarte'.length]);

    // Cut everything: the browser is offline and nothing listens on the port.
    await app.context.setOffline(true);
    app.server.closeAllConnections();
    await new Promise((r) => app.server.close(r));
    await page.reload();
    await page.evaluate(() => window.spanmarkReady);
    page = app.page;
    assert.equal(await page.evaluate(() => window.spanmark.currentId()), 'before');
    const spans = await page.evaluate(() => window.spanmark.spans());
    assert.ok(spans.some((s) => s.start === ana && s.label === 'PER' && s.source === 'user'), JSON.stringify(spans));
    assert.equal(await page.locator(`#doc [data-start="${ana}"]`).textContent(), 'Ana Duarte');
    assert.equal(await page.textContent('#error'), '');

    // New work offline: a short text pre-annotated on the page, a long one in
    // the worker (its script and the wasm come from the cache too).
    await page.evaluate((t) => window.spanmark.load(t, { id: 'offline-short' }), TEXT);
    const found = await page.evaluate(() => window.spanmark.spans());
    assert.ok(found.some((s) => sliceCp(TEXT, s.start, s.end) === 'Lisbon' && s.label === 'LOC'),
      `suggestions offline: ${JSON.stringify(found)}`);
    const long = await page.evaluate(async (t) => {
      const text = Array.from({ length: 4000 }, (_, i) => `${i}. ${t}`).join('\n');
      await window.spanmark.load(text, { id: 'offline-long' });
      return { length: text.length, spans: window.spanmark.spans().length };
    }, TEXT);
    assert.ok(long.length > 200_000, 'the long text goes to the worker');
    assert.ok(long.spans >= 4000, `the worker pre-annotated offline: ${long.spans} spans`);
    assert.equal(await page.textContent('#error'), '');
  } finally {
    await app.close();
  }
});

test('the manifest makes the page installable', async () => {
  const app = await openApp();
  try {
    const { page } = app;
    await cachedForOffline(page);
    const cdp = await app.context.newCDPSession(page);
    const manifest = await cdp.send('Page.getAppManifest');
    assert.deepEqual(manifest.errors, [], JSON.stringify(manifest.errors));
    const parsed = JSON.parse(manifest.data);
    assert.equal(parsed.short_name, 'spanmark');
    assert.equal(parsed.display, 'standalone');
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    assert.deepEqual(installabilityErrors, [], JSON.stringify(installabilityErrors));
    // Every icon it names is served and is the image it says.
    for (const icon of parsed.icons) {
      const type = await page.evaluate(async (src) => (await fetch(src)).headers.get('content-type'), icon.src);
      assert.equal(type, icon.type, icon.src);
    }
  } finally {
    await app.close();
  }
});
