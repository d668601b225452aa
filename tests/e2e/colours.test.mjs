// Keys and colours a person can tell apart: a label cannot take a command's
// key, taking another label's key says so, suggestions' dashed outlines stand
// out from the page (WCAG 1.4.11: 3:1), and badges are readable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from './harness.mjs';

const app = useApp();
const { page } = app;

async function setKey(label, key) {
  const input = page.locator(`#label-editor-rows .label-edit[data-label="${label}"] .label-key`);
  await input.fill(key);
  await input.press('Tab'); // commits (a change event)
  await page.evaluate(() => window.spanmark.idle());
}

const barKey = (label) => page.$eval(`#labels button[data-label="${label}"]`, (b) => b.dataset.key ?? '');

test('a command key is refused with its meaning; a key taken from another label says so', async () => {
  await page.click('#edit-labels');
  assert.equal(await barKey('MISC'), '4');
  await setKey('MISC', 'a');
  assert.match(await page.$eval('#error', (e) => e.textContent), /"a" is the key for accept: choose another key for MISC/);
  assert.equal(await barKey('MISC'), '4', 'MISC keeps its key');
  assert.equal(await page.$eval('#label-editor-rows .label-edit[data-label="MISC"] .label-key', (i) => i.value), '4');
  await setKey('URL', '1');
  assert.match(await page.$eval('#status', (e) => e.textContent), /key 1 moved from PER to URL/);
  assert.equal(await page.$eval('#error', (e) => e.textContent), '');
  assert.equal(await barKey('URL'), '1');
  assert.equal(await barKey('PER'), '');
  await page.click('#edit-labels');
});

test('suggestion outlines stand out from the page at 3:1 or more; badges are 11 px at full strength', async () => {
  const found = await page.evaluate(() => {
    // Any CSS colour to sRGB, as drawn.
    const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
    const rgb = (css) => {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, 1, 1);
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      return [...ctx.getImageData(0, 0, 1, 1).data.slice(0, 3)];
    };
    const lum = ([r, g, b]) => [r, g, b].map((c) => {
      const s = c / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    }).reduce((a, c, i) => a + c * [0.2126, 0.7152, 0.0722][i], 0);
    const contrast = (a, b) => (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05);
    const page = rgb(getComputedStyle(document.getElementById('doc')).backgroundColor);
    const out = [];
    for (const m of document.querySelectorAll('#doc mark.span[data-source="model"], #doc mark.span[data-source="rule"]')) {
      const st = getComputedStyle(m);
      const badge = getComputedStyle(m, '::after');
      out.push({
        label: m.dataset.label,
        outline: contrast(rgb(st.borderTopColor), page),
        dashed: st.borderTopStyle,
        badgePx: parseFloat(badge.fontSize),
        badgeOpacity: Number(badge.opacity),
      });
    }
    return out;
  });
  assert.ok(found.length >= 5, `${found.length} suggestions in the demo`);
  assert.ok(new Set(found.map((f) => f.label)).size >= 3, 'several labels');
  for (const f of found) {
    assert.equal(f.dashed, 'dashed');
    assert.ok(f.outline >= 3, `${f.label} outline at ${f.outline.toFixed(2)}:1`);
    assert.ok(f.badgePx >= 11, `${f.label} badge ${f.badgePx}px`);
    assert.equal(f.badgeOpacity, 1);
  }
});
