// Storage a browser cannot take away: the page asks for persistent storage,
// shows what the project uses against the quota, and warns, with the export
// at hand, when little is left or a save has been refused for want of space
// (the refusal itself stays clean: durability.test.mjs).
//
// Chromium reports to pages a quota of usage + 10 GiB whatever the disk
// holds (its "static storage quota", against fingerprinting); only with that
// off does navigator.storage.estimate() report the quota that CDP's
// Storage.overrideQuotaForOrigin sets, as a nearly full disk would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { openApp, stubQuotaFull } from './harness.mjs';

test('usage against the quota is shown; a refused save or a small quota warns and offers the export', async () => {
  const app = await openApp({ args: ['--disable-features=StaticStorageQuota'] });
  try {
    let { page } = app;
    await page.waitForFunction(() => /of \d/.test(document.getElementById('storage').textContent));
    const line = await page.textContent('#storage');
    assert.match(line, /^Storage: project [\d.]+ (kB|MB) · site [\d.]+ (kB|MB|GB) of [\d.]+ (MB|GB)/, line);
    // Asked once, answered either way (headless Chromium may refuse).
    assert.match(line, /kept \(persistent\)|may clear it/, line);
    assert.equal(await page.isVisible('#storage-warning'), false, 'no warning with room to spare');

    // A save refused for want of space (raised where the page meets it, as
    // durability.test.mjs does): the warning comes up with the error.
    await stubQuotaFull(app.context);
    await app.reload();
    page = app.page;
    await page.evaluate(() => { window.__quotaFull = true; });
    const err = await page.evaluate(() => window.spanmark.load('Ada met Grace in Paris.', { id: 'nope' }).then(() => null, (e) => e.message));
    assert.match(err || '', /^Could not save \(The quota has been exceeded\)/, `refused: ${err}`);
    await page.waitForSelector('#storage-warning', { state: 'visible' });
    assert.match(await page.textContent('#storage-warning'), /Storage is full: the last save was refused\. Export the project/);
    await page.evaluate(() => { window.__quotaFull = false; });

    // Little left: 2 MB beyond what is used now, well under the 50 MB floor.
    const cdp = await app.context.newCDPSession(page);
    const { usage } = await page.evaluate(() => navigator.storage.estimate());
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(app.url).origin, quotaSize: usage + 2e6 });
    await app.reload();
    page = app.page;
    await page.waitForSelector('#storage-warning', { state: 'visible' });
    const warning = await page.textContent('#storage-warning');
    assert.match(warning, /Little storage left: [\d.]+ (kB|MB) free of [\d.]+ MB\. Export the project to keep a copy/, warning);
    assert.match(await page.textContent('#storage'), / of [\d.]+ MB/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#storage-export')]);
    assert.match(download.suggestedFilename(), /\.json$/);
    const exported = JSON.parse(await fs.readFile(await download.path(), 'utf8'));
    assert.ok(exported.documents.some((d) => d.id === 'demo'), 'the export holds the project');

    // Room again (the override lifted): the warning goes.
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(app.url).origin });
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await page.waitForSelector('#storage-warning', { state: 'hidden' });
  } finally {
    await app.close();
  }
});
