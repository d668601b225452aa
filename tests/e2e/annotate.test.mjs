// The annotator driven as a person drives it: real headless Chromium, mouse
// and keyboard, reloads and restarts on the same profile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, sliceCp, dragOver, boxOf, drawnSpans } from './harness.mjs';

const app = useApp();
const { page, call, idle } = app;

const ARTICLE = 'Angela Merkel met Emmanuel Macron in Berlin on Monday.\n\nThe talks lasted two hours.';

async function openText(text, opts) {
  await call('load', text, opts);
}

async function press(key) {
  await page.keyboard.press(key);
  await idle();
}

async function userSpans() {
  await idle();
  const all = await call('spans');
  return all.filter((s) => s.source === 'user').map(({ start, end, label }) => ({ start, end, label }));
}

test('the demo article opens pre-annotated, every highlight exactly its text', async () => {
  const drawn = await drawnSpans(page);
  assert.ok(drawn.length >= 5, `demo should show suggestions, got ${drawn.length}`);
  const text = await page.$eval('#doc', (el) => el.textContent);
  for (const s of drawn) assert.equal(s.text, sliceCp(text, s.start, s.end), `${s.label} at ${s.start}`);
  const labels = drawn.map((s) => s.label);
  assert.ok(labels.includes('MONEY'), `a money amount is suggested: ${labels}`);
  assert.ok(labels.includes('DATE'), `a date is suggested: ${labels}`);
  const spans = await call('spans');
  assert.equal(spans.length, drawn.length);
  assert.ok(spans.every((s) => ['model', 'rule'].includes(s.source)), 'fresh suggestions are not yet accepted');
  const buttons = await page.$$eval('#labels button[data-label]', (bs) => bs.map((b) => [b.dataset.label, b.dataset.key]));
  assert.deepEqual(buttons.slice(0, 4), [['PER', '1'], ['ORG', '2'], ['LOC', '3'], ['MISC', '4']]);
  assert.equal(await page.$eval('#error', (e) => e.textContent), '');
});

test('a drag snaps to token edges and a number key labels it', async () => {
  await openText(ARTICLE, { id: 'merkel', name: 'Merkel' });
  await call('removeSpan', 0, 13);
  // From inside "Angela" to inside "Merkel": snaps to "Angela Merkel".
  await dragOver(page, 2, 9);
  await press('1');
  const spans = await userSpans();
  assert.deepEqual(spans.filter((s) => s.start === 0), [{ start: 0, end: 13, label: 'PER' }]);
  const el = await page.$eval('#doc mark[data-start="0"][data-end="13"]', (e) => [e.textContent, e.dataset.label]);
  assert.deepEqual(el, ['Angela Merkel', 'PER']);
});

test('double-click a word, then a label button', async () => {
  await openText(ARTICLE, { id: 'dbl' });
  const b = await boxOf(page, 37, 43); // "Berlin"
  await page.mouse.dblclick(b.x0 + 4, b.y0);
  await page.click('#labels button[data-label="LOC"]');
  await idle();
  const spans = await userSpans();
  assert.ok(spans.some((s) => s.start === 37 && s.end === 43 && s.label === 'LOC'), JSON.stringify(spans));
});

test('click selects a span; a key relabels it; Delete removes it; undo and redo', async () => {
  await openText(ARTICLE, { id: 'edit' });
  await call('addSpan', 18, 33, 'ORG');
  const b = await boxOf(page, 18, 33);
  await page.mouse.click(b.x0 + 3, b.y0);
  assert.equal(await page.$eval('mark.selected', (e) => e.textContent), 'Emmanuel Macron');
  await press('1');
  let spans = await userSpans();
  assert.deepEqual(spans.filter((s) => s.start === 18), [{ start: 18, end: 33, label: 'PER' }]);

  await page.mouse.click(b.x0 + 3, b.y0);
  await press('Delete');
  spans = await userSpans();
  assert.equal(spans.filter((s) => s.start === 18).length, 0, 'deleted');
  assert.equal(await page.$('#doc mark[data-start="18"]'), null, 'and no longer drawn');

  await press('Control+z');
  spans = await userSpans();
  assert.deepEqual(spans.filter((s) => s.start === 18), [{ start: 18, end: 33, label: 'PER' }]);
  await press('Control+z');
  spans = await userSpans();
  assert.deepEqual(spans.filter((s) => s.start === 18), [{ start: 18, end: 33, label: 'ORG' }]);
  await press('Control+Shift+z');
  spans = await userSpans();
  assert.deepEqual(spans.filter((s) => s.start === 18), [{ start: 18, end: 33, label: 'PER' }]);
});

test('suggestions: accept one, reject one, accept all', async () => {
  await openText('Kenya and Peru signed with Pfizer on March 3, 2026 for $450 million.', { id: 'sugg' });
  let all = await call('spans');
  const sugg = all.filter((s) => s.source !== 'user');
  assert.ok(sugg.length >= 2, JSON.stringify(all));
  const [first, second] = sugg;
  let b = await boxOf(page, first.start, first.end);
  await page.mouse.click(b.x0 + 2, b.y0);
  await press('a');
  all = await call('spans');
  assert.ok(all.some((s) => s.start === first.start && s.end === first.end && s.source === 'user'));
  b = await boxOf(page, second.start, second.end);
  await page.mouse.click(b.x0 + 2, b.y0);
  await press('x');
  all = await call('spans');
  assert.ok(!all.some((s) => s.start === second.start && s.end === second.end), 'rejected');
  await press('Shift+A');
  all = await call('spans');
  assert.ok(all.every((s) => s.source === 'user'), JSON.stringify(all));
  assert.equal(all.length, sugg.length - 1);
});

test('review by keyboard moves on: accept and reject select the next suggestion', async () => {
  await openText('Kenya and Peru signed with Pfizer in Lima and Quito.', { id: 'review' });
  const sugg = (await call('spans')).filter((s) => s.source !== 'user');
  assert.ok(sugg.length >= 4, JSON.stringify(sugg));
  const selected = () => page.$eval('mark.selected', (e) => [Number(e.dataset.start), Number(e.dataset.end)]);
  await press('ArrowRight');
  assert.deepEqual(await selected(), [sugg[0].start, sugg[0].end]);
  await press('a');
  assert.deepEqual(await selected(), [sugg[1].start, sugg[1].end], 'accepting moved on');
  await press('x');
  assert.deepEqual(await selected(), [sugg[2].start, sugg[2].end], 'rejecting moved on');
  await press('Delete');
  assert.deepEqual(await selected(), [sugg[3].start, sugg[3].end], 'deleting moved on');
  const spans = await call('spans');
  assert.ok(spans.some((s) => s.start === sugg[0].start && s.source === 'user'), 'accepted');
  assert.ok(!spans.some((s) => s.start === sugg[1].start || s.start === sugg[2].start), 'rejected and deleted');
  assert.match(await page.$eval('#status', (e) => e.textContent), /^deleted /);
});

test('a reload and a browser restart keep the document, spans, labels and undo position', async () => {
  await openText(ARTICLE, { id: 'keep', name: 'Kept' });
  await page.evaluate(async () => {
    await window.spanmark.addSpan(0, 13, 'PER');
    await window.spanmark.addSpan(37, 43, 'CITY');
    await window.spanmark.addSpan(18, 33, 'PER');
  });
  await press('Control+z'); // undo Macron
  const before = await call('spans');
  await app.reload();
  assert.deepEqual(await call('spans'), before);
  assert.equal(await page.$eval('#doc-name', (e) => e.textContent), 'Kept');
  assert.ok(await page.$('#labels button[data-label="CITY"]'), 'a new label stays in the label bar');

  await app.reopen();
  assert.deepEqual(await call('spans'), before);
  await press('Control+Shift+z'); // redo survives the restart
  const after = await userSpans();
  assert.ok(after.some((s) => s.start === 18 && s.end === 33 && s.label === 'PER'), JSON.stringify(after));
  await press('Control+z');
  await press('Control+z');
  assert.ok(!(await userSpans()).some((s) => s.label === 'CITY'), 'undo goes on past the restart');
});

test('emoji, ZWJ, flags, combining marks and CRLF keep every offset', async () => {
  const text = 'Family 👨‍👩‍👧 in 🇩🇪\r\nZoe\u0301 Ball met Angela Merkel 😀 in São Paulo.\r\n';
  await openText(text, { id: 'emoji' });
  await call('spans').then((ss) =>
    Promise.all(ss.map((s) => call('removeSpan', s.start, s.end))));
  const cps = Array.from(text);
  const find = (needle) => {
    const at = text.indexOf(needle);
    return [Array.from(text.slice(0, at)).length, Array.from(text.slice(0, at)).length + Array.from(needle).length];
  };
  const [ms, me] = find('Angela Merkel');
  await dragOver(page, ms + 1, me - 2);
  await press('1');
  const [zs, ze] = find('Zoe\u0301 Ball');
  await dragOver(page, zs, ze);
  await press('1');
  const [ss, se] = find('São Paulo');
  await call('addSpan', ss, se, 'LOC');

  const spans = await userSpans();
  assert.deepEqual(spans.map((s) => cps.slice(s.start, s.end).join('')), ['Zoe\u0301 Ball', 'Angela Merkel', 'São Paulo']);
  for (const s of await drawnSpans(page)) assert.equal(s.text, sliceCp(text, s.start, s.end));

  const project = JSON.parse(await call('exportAs', 'json'));
  assert.equal(project.offsets, 'codepoint');
  const doc = project.documents.find((d) => d.id === 'emoji');
  assert.equal(doc.text, text, 'text kept exactly, CRLF included');
  assert.deepEqual(doc.spans.map((s) => sliceCp(doc.text, s.start, s.end)), ['Zoe\u0301 Ball', 'Angela Merkel', 'São Paulo']);
});

test('export: the download and exportAs agree, offsets slice the text, byte-stable', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
  const path = await download.path();
  const fs = await import('node:fs/promises');
  const file = await fs.readFile(path, 'utf8');
  const viaApi = await call('exportAs', 'json');
  assert.equal(file, viaApi);
  assert.equal(await call('exportAs', 'json'), viaApi, 'byte-stable');
  const project = JSON.parse(file);
  assert.equal(project.format, 'spanmark');
  assert.ok(project.documents.length >= 5);
  const names = new Set(project.labels.map((l) => l.name));
  for (const d of project.documents) {
    for (const s of d.spans) {
      assert.ok(s.start < s.end && s.end <= Array.from(d.text).length, `${d.id} ${s.start}-${s.end}`);
      assert.ok(names.has(s.label), `label ${s.label} is in the project's labels`);
    }
  }
  // Re-importing the export adds the same documents again, under new ids.
  const before = (await call('exportAs', 'json'));
  const n = await call('importFile', 'project.spanmark.json', file);
  assert.equal(n, project.documents.length);
  const again = JSON.parse(await call('exportAs', 'json'));
  assert.equal(again.documents.length, 2 * project.documents.length);
  const copy = again.documents.slice(project.documents.length);
  assert.deepEqual(copy.map((d) => [d.text, d.spans]), project.documents.map((d) => [d.text, d.spans]));
  assert.notEqual(before, JSON.stringify(again));
});

test('a bad file is refused with a clear error and changes nothing', async () => {
  const before = await call('exportAs', 'json');
  const err = await page.evaluate(() => window.spanmark.importFile('broken.json', '{"format":"spanmark","version":1,\n"documents":[{"text": 5}]}')
    .then(() => null, (e) => e.message));
  assert.ok(err && err.includes('broken.json') && err.includes('line 2'), err);
  assert.equal(await call('exportAs', 'json'), before);
  await page.evaluate(() => window.spanmark.importFile('bad.json', '{"format":"spanmark","version":1,"documents":[{"id":"q","text":"abc","spans":[{"start":1,"end":9,"label":"X"}]}]}').catch(() => {}));
  assert.match(await page.$eval('#error', (e) => e.textContent), /past the end/);
  assert.equal(await call('exportAs', 'json'), before);
  // The next successful action clears the error.
  await openText('Fine again.', { id: 'fine' });
  assert.equal(await page.$eval('#error', (e) => e.textContent), '');
});

test('document text and labels that look like HTML show as text and run nothing', async () => {
  const evil = '<img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> <b>bold</b> ' +
    '<svg onload="window.__pwned=3"></svg> <a href="javascript:window.__pwned=4">click</a>';
  await openText(evil, { id: '<img src=x onerror=window.__pwned=5>', name: '<img src=x onerror="window.__pwned=6">' });
  await call('addSpan', 0, 4, '<img src=y onerror="window.__pwned=7">');
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.$$eval('#doc img, #doc script, #doc svg, #doc b, #doc a, #labels img, #doc-name img', (e) => e.length), 0);
  assert.equal(await page.$eval('#doc', (e) => e.textContent), evil);
  assert.equal(await page.$eval('#doc-name', (e) => e.textContent), '<img src=x onerror="window.__pwned=6">');
  const label = await page.$eval('#doc mark[data-start="0"]', (e) => e.dataset.label);
  assert.equal(label, '<img src=y onerror="window.__pwned=7">');
  const text = await page.$eval('#labels', (e) => e.textContent);
  assert.ok(text.includes('<img src=y'), 'the label shows as text in the label bar');
});

test('the page asks nothing of any other origin and logs no errors', async () => {
  const origin = new URL(app.url).origin;
  const foreign = app.requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
  assert.deepEqual(foreign, []);
  const csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.content);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
  // An inline script injected at run time is refused by the policy.
  const ran = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1';
    document.body.appendChild(s);
    return window.__inline;
  });
  assert.equal(ran, undefined);
  const unexpected = app.consoleErrors.filter((e) => !/Content Security Policy|Content-Security-Policy/.test(e));
  assert.deepEqual(unexpected, []);
});

test('keyboard only: move a token cursor, stretch it, label it, resize a span', async () => {
  await openText('Yesterday the Bank of New York Mellon hired Ana Lima.', { id: 'keys' });
  for (const s of await call('spans')) {
    await call('removeSpan', s.start, s.end);
  }
  await page.focus('#doc');
  // Review stands where the last removal was; Esc starts again at the top.
  await press('Escape');
  await press('.'); // "Yesterday"
  await press('.'); // "the"
  await press('.'); // "Bank"
  await press('Shift+ArrowRight'); // "Bank of"
  await press('Shift+ArrowRight'); // "Bank of New"
  await press('2');
  let spans = await userSpans();
  assert.deepEqual(spans, [{ start: 14, end: 25, label: 'ORG' }]);
  // The new span is selected: stretch its end twice, then its start back.
  await press('Shift+ArrowRight');
  await press('Shift+ArrowRight');
  spans = await userSpans();
  assert.deepEqual(spans, [{ start: 14, end: 37, label: 'ORG' }]);
  await press('Alt+Shift+ArrowLeft');
  assert.deepEqual(await userSpans(), [{ start: 10, end: 37, label: 'ORG' }]);
  await press('Control+z');
  assert.deepEqual(await userSpans(), [{ start: 14, end: 37, label: 'ORG' }]);
  assert.equal(await page.$eval('#doc mark[data-label="ORG"]', (e) => e.textContent), 'Bank of New York Mellon');
});

test('idle() waits for a picked file to be read and imported, however long the reading takes', async () => {
  // Twelve megabytes take the browser a while to read: the import is queued only
  // after that, and the automation contract's idle() must not answer before it.
  const line = 'Ngozi Okafor opened a clinic in Enugu with the Lagos Health Trust. ';
  const text = line.repeat(Math.ceil(12e6 / line.length));
  await page.setInputFiles('#file-input', [{ name: 'enugu.txt', mimeType: 'text/plain', buffer: Buffer.from(text) }]);
  await idle();
  assert.equal(await call('currentId'), 'enugu');
  assert.equal(await page.$eval('#error', (e) => e.textContent), '');
  await call('deleteDocument', 'enugu');
});

test('open by file picker, by drag-and-drop and by paste', async () => {
  const text = 'Lagos, Nigeria\r\nOlu Adeyemi joined Zenith Holdings on 2 May 2025.';
  await page.setInputFiles('#file-input', [{ name: 'lagos.txt', mimeType: 'text/plain', buffer: Buffer.from(text) }]);
  await page.waitForFunction(() => window.spanmark.currentId() === 'lagos');
  assert.equal(await page.$eval('#doc', (e) => e.textContent), text);

  const project = JSON.stringify({
    format: 'spanmark', version: 1, labels: [],
    documents: [{ id: 'dropped', text: 'Río de Janeiro 🌴', spans: [{ start: 0, end: 14, label: 'LOC' }] }],
  });
  await page.evaluate((content) => {
    const dt = new DataTransfer();
    dt.items.add(new File([content], 'drop.spanmark.json', { type: 'application/json' }));
    document.getElementById('doc').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, project);
  await page.waitForFunction(() => window.spanmark.currentId() === 'dropped');
  await idle();
  assert.deepEqual(await call('spans'), [{ start: 0, end: 14, label: 'LOC', source: 'user', id: 'T1' }]);
  assert.equal(await page.$eval('#doc mark', (e) => e.textContent), 'Río de Janeiro');

  await page.click('#paste-open');
  await page.fill('#paste-text', 'Pasted: Kofi Mensah flew to Accra.');
  await page.click('#paste-go');
  await page.waitForFunction(() => document.getElementById('doc').textContent.startsWith('Pasted:'));
  assert.equal(await page.$eval('#doc-name', (e) => e.textContent), 'Pasted: Kofi Mensah flew to…', 'named by its first words');
  // Typing in the paste box does not trigger shortcuts.
  await page.click('#paste-open');
  await page.fill('#paste-text', '');
  await page.type('#paste-text', '12x');
  assert.equal(await page.$eval('#paste-text', (e) => e.value), '12x');
  await page.click('#paste-cancel');
});
