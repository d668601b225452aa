// Long documents: only what is on screen is drawn, pre-annotation runs in a
// worker, and navigation reaches parts that are not drawn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, sliceCp } from './harness.mjs';

const app = useApp();
const { page, call, idle } = app;

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
  await idle();
  const sel = await page.$eval('#doc mark.selected', (e) => [Number(e.dataset.start), Number(e.dataset.end), e.textContent]);
  assert.deepEqual(sel, [last.start, last.end, surface]);
  // An edit there is saved and drawn.
  await page.keyboard.press('Delete');
  await idle();
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

test('a long text is kept when pre-annotation is cancelled before its worker stored it', async () => {
  const text = bigText().replaceAll('Paragraph', 'Clause');
  // Cancel in the very task the progress bar appears: the worker has not
  // stored the text yet (that takes it at least a round trip to storage).
  const loaded = await page.evaluate(async (t) => {
    const job = document.getElementById('job');
    const mo = new MutationObserver(() => {
      if (!job.hidden) { mo.disconnect(); document.getElementById('job-cancel').click(); }
    });
    mo.observe(job, { attributes: true });
    return window.spanmark.load(t, { id: 'early' }).then(() => 'resolved', (e) => e.message);
  }, text);
  assert.equal(loaded, 'resolved');
  assert.equal(await call('currentId'), 'early');
  await app.reload();
  assert.equal(await call('currentId'), 'early');
  const doc = JSON.parse(await call('exportAs', 'json')).documents.find((d) => d.id === 'early');
  assert.equal(doc.text, text, 'the whole text was saved');
});

// A long text whose last line holds a word found nowhere else.
function bigTextEndingIn(word) {
  return `${bigText().replaceAll('Paragraph', 'Item')}Finally ${word} signed.\r\n`;
}

test('progress is shown while the worker runs; only blocks near the view are in the DOM', async () => {
  // Every width the progress bar takes, seen as it happens.
  await page.evaluate(() => {
    window.__widths = [];
    new MutationObserver(() => window.__widths.push(document.getElementById('job-bar').style.width))
      .observe(document.getElementById('job-bar'), { attributes: true });
  });
  const text = bigTextEndingIn('Zanzibarite');
  await page.evaluate((t) => { window.__text = t; }, text);
  await call('load', text, { id: 'progress' });
  const widths = await page.evaluate(() => window.__widths);
  const steps = widths.map((w) => parseFloat(w)).filter((w) => w > 0 && w < 100);
  assert.ok(steps.length >= 2, `progress steps between 0 and 100%: ${JSON.stringify(widths)}`);
  // What is drawn is a screenful or two, not the text.
  const drawn = await page.$$eval('#doc .block', (bs) => bs.reduce((n, b) => n + b.textContent.length, 0));
  assert.ok(drawn > 0 && drawn < text.length / 50, `drawn ${drawn} of ${text.length} characters`);
  const view = await page.$eval('#doc', (d) => {
    const r = d.getBoundingClientRect();
    return [...d.querySelectorAll('.block')].every((b) => {
      const q = b.getBoundingClientRect();
      return q.bottom > r.top - 3000 && q.top < r.bottom + 3000;
    });
  });
  assert.ok(view, 'every drawn block is near the view');
});

test('an edit redraws only its block: every other drawn block keeps its element', async () => {
  const res = await page.evaluate(async () => {
    const doc = document.getElementById('doc');
    const before = [...doc.querySelectorAll('.block')];
    const spans = window.spanmark.spans();
    // A free word in the third drawn block.
    const target = before[2];
    const s16 = Number(target.dataset.start16);
    const slice = target.textContent;
    const m = /\b[a-z]{4,}\b/.exec(slice);
    if (!m) return { error: `no word in ${slice}` };
    const start = Array.from(window.__text.slice(0, s16 + m.index)).length; // code points
    const end = start + m[0].length;
    if (spans.some((x) => x.start < end && start < x.end)) return { error: 'word taken' };
    await window.spanmark.addSpan(start, end, 'MISC');
    const after = [...doc.querySelectorAll('.block')];
    const mark = doc.querySelector(`mark[data-start="${start}"][data-end="${end}"]`);
    return {
      word: m[0],
      markText: mark && mark.textContent,
      markInNewBlock: !!mark && !before.includes(mark.closest('.block')),
      newBlocks: after.filter((b) => !before.includes(b)).length,
      // (A block at the edge of the drawn range may leave it if the new
      // block's height moved the others.)
      keptOthers: before.filter((b) => b !== target && after.includes(b)).length,
      others: before.length - 1,
      unsaved: doc.querySelectorAll('.block.unsaved').length,
    };
  });
  assert.equal(res.error, undefined, res.error);
  assert.equal(res.markText, res.word);
  assert.equal(res.markInNewBlock, true, 'the touched block was drawn again');
  assert.equal(res.newBlocks, 1, 'one block drawn again');
  assert.ok(res.keptOthers >= res.others - 1 && res.keptOthers > 3, `other blocks kept as the same elements: ${res.keptOthers} of ${res.others}`);
  assert.equal(res.unsaved, 0, 'once addSpan resolved, nothing is marked unsaved');
});

test('search reaches a match in a part that is not drawn, and it can be labelled', async () => {
  const word = 'Zanzibarite';
  assert.equal(await page.$$eval('#doc mark, #doc .block', (els) => els.some((e) => e.textContent.includes('Zanzibarite'))), false, 'not drawn yet');
  await page.fill('#search', word);
  await page.waitForFunction(() => /here/.test(document.getElementById('search-info').textContent));
  await page.press('#search', 'Enter');
  await page.waitForFunction((w) => window.getSelection().toString() === w, word);
  await page.keyboard.press('4'); // MISC's key
  await idle();
  const span = (await call('spans')).find((s) => s.label === 'MISC' && s.source === 'user' && s.start > 1_000_000);
  assert.ok(span, 'the match was labelled');
  assert.equal(span.end - span.start, word.length);
  assert.equal(await page.$eval(`#doc mark[data-start="${span.start}"][data-end="${span.end}"]`, (m) => m.textContent), word);
});

test('a new document draws what is in view first, then the blocks below it, drawn before any scroll asks', async () => {
  const parts = [];
  for (let i = 0; parts.join('\n\n').length < 100_000; i++) {
    parts.push(`Part ${i}: Ana Lima met officials in Lisbon on March ${1 + (i % 28)}, 2025, and signed the agreement there with Kofi Mensah.`);
  }
  // Where the drawn blocks end, relative to the bottom of the view, at the
  // moment the page marks the new document as drawn, and after its save.
  await page.evaluate(() => {
    const below = () => {
      const doc = document.getElementById('doc');
      const bottom = doc.getBoundingClientRect().bottom;
      return Math.max(...[...doc.querySelectorAll('.block')].map((b) => b.getBoundingClientRect().top)) - bottom;
    };
    window.__below = below;
    const mark = performance.mark.bind(performance);
    performance.mark = (name, ...rest) => {
      if (name === 'spanmark:load-drawn') window.__belowWhenDrawn = below();
      return mark(name, ...rest);
    };
  });
  await call('load', parts.join('\n\n'), { id: 'in-view-first' });
  const whenDrawn = await page.evaluate(() => window.__belowWhenDrawn);
  assert.ok(whenDrawn < 0, `every block drawn with the document starts in view (the lowest ${whenDrawn} px from the view's bottom)`);
  await idle();
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 50)));
  const after = await page.evaluate(() => window.__below());
  assert.ok(after > 800, `the blocks below the view are drawn once it is saved (the lowest starts ${after} px below)`);
  const text = await page.evaluate(() => {
    const doc = document.getElementById('doc');
    doc.scrollTop += doc.clientHeight;
    const r = doc.getBoundingClientRect();
    const el = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return el && el.closest('.block') ? el.closest('.block').textContent : '';
  });
  assert.match(text, /^Part \d+:/, 'a screen further down is already drawn when the scroll lands');
});
