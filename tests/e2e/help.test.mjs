// Help on the page, as a newcomer meets it: a hint on the first visit that
// goes away for good, a legend of what dashed and filled spans mean, and the
// key sheet, opened by `?` or its button and closed by Esc, without a key
// pressed inside it editing the document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from './harness.mjs';

const app = useApp();
const { page, call, idle } = app;

const visible = (sel) => page.$eval(sel, (e) => !e.hidden && e.getBoundingClientRect().height > 0);

test('the first visit shows a hint; once dismissed it stays away after a reload', async () => {
  assert.ok(await visible('#first-hint'), 'hint shown on a fresh profile');
  assert.match(await page.$eval('#first-hint', (e) => e.textContent), /press a label's key/);
  await page.click('#first-hint-close');
  assert.equal(await visible('#first-hint'), false);
  await idle();
  await app.reload();
  assert.equal(await page.$eval('#first-hint', (e) => e.hidden), true, 'not shown again');
});

test('the legend near the label bar says what dashed and filled mean', async () => {
  const legend = await page.$eval('#legend', (e) => e.textContent.replace(/\s+/g, ' '));
  assert.match(legend, /dashed suggestion/);
  assert.match(legend, /filled yours/);
  assert.ok(await visible('#legend'));
  const style = await page.$eval('#legend .legend-suggestion', (e) => getComputedStyle(e).borderTopStyle);
  assert.equal(style, 'dashed');
});

test('? opens the key sheet; keys inside it edit nothing; Esc closes it and focus comes back', async () => {
  await page.focus('#doc');
  const before = await call('spans');
  assert.ok(before.some((s) => s.source !== 'user'), 'the demo has suggestions');
  await page.keyboard.press('?');
  assert.equal(await page.$eval('#help', (d) => d.open), true);
  const sheet = await page.$eval('#help', (d) => d.textContent.replace(/\s+/g, ' '));
  for (const words of [/accept the selected suggestion/, /reject the selected suggestion/, /undo/, /previous \/ next document/, /search every document/]) {
    assert.match(sheet, words);
  }
  // Select a suggestion behind the sheet, then press accept-all while it is open.
  await page.keyboard.press('Shift+A');
  await idle();
  assert.deepEqual(await call('spans'), before, 'no key reached the document');
  await page.keyboard.press('Escape');
  assert.equal(await page.$eval('#help', (d) => d.open), false);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'doc', 'focus back on the document');
  // The header's ? button opens it too, and Close shuts it.
  await page.click('#help-open');
  assert.equal(await page.$eval('#help', (d) => d.open), true);
  await page.click('#help-close');
  assert.equal(await page.$eval('#help', (d) => d.open), false);
  // Keys work again once it is closed.
  await page.focus('#doc');
  await page.keyboard.press('Shift+A');
  await idle();
  assert.ok((await call('spans')).every((s) => s.source === 'user'), 'accept-all after the sheet closed');
});
