// Long documents: only what is on screen is drawn, pre-annotation runs in a
// worker, and navigation reaches parts that are not drawn.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, sliceCp } from './harness.mjs';

let app;
let page;
before(async () => {
  app = await openApp();
  page = app.page;
});
after(async () => { await app.close(); });

const call = (fn, ...args) => page.evaluate(([fn, args]) => window.spanmark[fn](...args), [fn, args]);

// About 1.2 MB of varied news-like text with emoji and CRLF line ends.
function bigText() {
  const people = ['Ana Lima', 'Kofi Mensah', 'Zoë Ball', 'Li Wei', 'Omar Haddad'];
  const places = ['Lisbon', 'Accra', 'Berlin', 'Nairobi', 'Lima'];
  const lines = [];
  for (let i = 0; lines.join('').length < 1_200_000; i++) {
    lines.push(`Paragraph ${i} 😀: ${people[i % 5]} met officials in ${places[(i * 3) % 5]} on March ${1 + (i % 28)}, 2025, and pledged $${i % 90 + 1} million.\r\n`);
  }
  return lines.join('');
}

test('a long document opens with suggestions from the worker, drawing only what is seen', async () => {
  const text = bigText();
  await call('load', text, { id: 'long' });
  const spans = await call('spans');
  assert.ok(spans.length > 20000, `suggestions: ${spans.length}`);
  assert.ok(spans.every((s) => s.source !== 'user'));
  const drawn = await page.$$eval('#doc mark', (m) => m.length);
  assert.ok(drawn > 0 && drawn < spans.length / 10, `drawn ${drawn} of ${spans.length}`);
  assert.equal(await page.$eval('#job', (e) => e.hidden), true, 'the progress bar is gone');
  // Spot-check that suggestions far into the text slice to their surface.
  const last = spans[spans.length - 1];
  const surface = sliceCp(text, last.start, last.end);
  assert.ok(surface.length > 0 && !/^\s|\s$/.test(surface), JSON.stringify(surface));

  // Keyboard navigation reaches the last span, far below what was drawn.
  await page.focus('#doc');
  await page.keyboard.press('ArrowLeft');
  await page.evaluate(() => window.spanmark.idle());
  const sel = await page.$eval('#doc mark.selected', (e) => [Number(e.dataset.start), Number(e.dataset.end), e.textContent]);
  assert.deepEqual(sel, [last.start, last.end, surface]);
  // An edit there is saved and drawn.
  await page.keyboard.press('Delete');
  await page.evaluate(() => window.spanmark.idle());
  const after = await call('spans');
  assert.equal(after.length, spans.length - 1);
  assert.equal(await page.$(`#doc mark[data-start="${last.start}"]`), null);
  await app.reload();
  assert.equal((await call('spans')).length, spans.length - 1);
});

test('a reload during pre-annotation asks again, and cancelling keeps the document', async () => {
  const text = bigText().replaceAll('Paragraph', 'Section');
  const loading = page.evaluate((t) => window.spanmark.load(t, { id: 'again' }).catch((e) => e.message), text);
  await page.waitForFunction(() => !document.getElementById('job').hidden);
  await page.click('#job-cancel');
  await loading;
  assert.equal(await call('currentId'), 'again');
  assert.equal(await page.$eval('#doc .block', (b) => b.textContent.slice(0, 9)), 'Section 0');
  assert.equal((await call('spans')).length, 0, 'cancelled: no suggestions yet');
  await app.reload();
  await page.waitForFunction(() => window.spanmark.spans().length > 20000, null, { timeout: 60000 });
});
