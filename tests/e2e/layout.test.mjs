// The page never moves under the pointer: a status message, long or short,
// leaves the document where it was, and a panel closes when asked (more in
// flow.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from './harness.mjs';

const app = useApp();
const { page, call } = app;

const docTop = () => page.$eval('#doc', (e) => e.getBoundingClientRect().top);

for (const [width, height] of [[1280, 800], [1366, 768]]) {
  test(`at ${width}x${height} a status message does not move the document`, async () => {
    await page.setViewportSize({ width, height });
    await call('load', 'Ana Lima flew to Lisbon with Bo Reyes and met the board of Acme Corp.', { id: `w${width}` });
    const before = await docTop();
    await page.evaluate(() => {
      document.getElementById('status').textContent =
        'selected 130–139: press a label key — and then a very long explanation that would wrap a bar '.repeat(4);
    });
    assert.equal(await docTop(), before, 'a long status is cut, not wrapped');
    await page.evaluate(() => { document.getElementById('status').textContent = ''; });
    assert.equal(await docTop(), before);
  });
}

test('the Labels… panel opens over the sidebar and closes again, the document staying put', async () => {
  const before = await docTop();
  await page.click('#edit-labels');
  assert.ok(await page.isVisible('#label-editor'));
  assert.equal(await docTop(), before, 'a drawer, not a strip above the document');
  await page.click('#edit-labels');
  assert.equal(await page.isVisible('#label-editor'), false, 'closed');
  assert.equal(await docTop(), before);
});
