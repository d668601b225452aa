// Keyboard everywhere: every control is reached by Tab and shows where the
// focus is; the file pickers are buttons; the document list is one Tab stop
// whose rows the arrows walk and Enter opens (without Enter also accepting a
// suggestion in the open document).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from './harness.mjs';

const app = useApp();
const { page, call, idle } = app;

// Presses Tab until `selector` has the focus (at most `limit` times);
// returns the ids of what was passed on the way.
async function tabTo(selector, limit = 80) {
  const passed = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate((s) => {
      const a = document.activeElement;
      return { id: a.id || a.className, hit: a.matches(s) };
    }, selector);
    passed.push(at.id);
    if (at.hit) return passed;
  }
  throw new Error(`Tab never reached ${selector}; passed ${passed.join(', ')}`);
}

test('Tab reaches the file pickers as buttons, with a visible focus ring, and Enter opens each one\'s chooser', async () => {
  // What a file input is asked to open is recorded (and held back: a
  // headless page has no chooser to show, and never two at once).
  await page.evaluate(() => {
    window.__asked = [];
    for (const input of document.querySelectorAll('input[type=file]')) {
      input.addEventListener('click', (e) => { e.preventDefault(); window.__asked.push(input.id); });
    }
  });
  for (const [id, input] of [['open-files', 'file-input'], ['open-folder', 'folder-input'], ['model-import-open', 'model-import']]) {
    await page.evaluate(() => document.body.focus());
    await tabTo(`#${id}`);
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'BUTTON');
    assert.equal(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'solid', `${id} shows its focus`);
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => window.__asked.at(-1)), input);
  }
});

test('the document view takes the focus with a visible ring', async () => {
  await page.evaluate(() => document.body.focus());
  await tabTo('#doc');
  assert.equal(await page.$eval('#doc', (e) => getComputedStyle(e).outlineStyle), 'solid');
});

test('the document list: one Tab stop, arrows walk the rows, Enter opens one and accepts nothing', async () => {
  for (const [id, text] of [['d1', 'Ana Lima flew to Lisbon.'], ['d2', 'Bo Reyes met Ana Lima in Porto.'], ['d3', 'Carla Dias left Madrid.']]) {
    await call('load', text, { id, name: id });
  }
  assert.equal(await call('currentId'), 'd3');
  const stops = await page.$$eval('#doc-list .doc-row', (rows) => rows.filter((r) => r.tabIndex === 0).map((r) => r.dataset.id));
  assert.deepEqual(stops, ['d3'], 'the current document is the one Tab stop');
  const d3 = await call('spans');
  await page.focus('#doc-list .doc-row[tabindex="0"]');
  await page.keyboard.press('ArrowUp');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.id), 'd2');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.id), 'd2');
  await page.keyboard.press('Enter');
  await idle();
  assert.equal(await call('currentId'), 'd2', 'Enter opened the focused row');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.id), 'd2', 'focus stays on its row');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press(' ');
  await idle();
  assert.equal(await call('currentId'), 'd3');
  assert.deepEqual(await call('spans'), d3, 'no suggestion was accepted by those keys');
});
