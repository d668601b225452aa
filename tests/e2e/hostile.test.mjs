// Hostile content: script-injection payloads in document text, label names,
// document ids, file names and every imported field of every format. Nothing
// may run (no dialog, no global set, no injected element, no CSP violation),
// and everything shows as text. Then: the Content-Security-Policy itself, and
// a full session that makes no request outside the page's origin.
// What this holds the page to is in SECURITY.md ("No code from documents").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from './harness.mjs';

const app = useApp(async () => {
  await watch();
  await app.reload();
  own = await dangerousElements();
});
const { page, call, idle } = app;
const dialogs = [];

// Records CSP violations and any attempt to open a window, from before the
// page's own scripts run.
const WATCH = () => {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample || ''}`);
  });
  window.open = () => { window.__pwned = 'window.open'; return null; };
};

// Watches the app's browser: WATCH in every page, and every dialog
// recorded and dismissed.
async function watch() {
  await app.context.addInitScript(WATCH);
  page.on('dialog', (d) => { dialogs.push(`${d.type()}: ${d.message()}`); d.dismiss().catch(() => {}); });
}

const PWN = 'window.__pwned=1';
export const PAYLOADS = [
  `<script>${PWN};alert(1)</script>`,
  `<img src=x onerror="${PWN};alert(1)">`,
  `<svg onload="${PWN}"><script>${PWN}</script></svg>`,
  `<svg><animate onbegin="${PWN}" attributeName=x dur=1s>`,
  `<iframe src="javascript:parent.__pwned=1"></iframe>`,
  `<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>`,
  `<a href="javascript:${PWN}">click me</a>`,
  `"><img src=x onerror=${PWN}>`,
  `'><svg/onload=${PWN}>`,
  `</style><script>${PWN}</script>`,
  `</textarea></title><script>${PWN}</script>`,
  '<style>body{display:none}</style>',
  `<object data="javascript:${PWN}"></object><embed src="javascript:${PWN}">`,
  `<math><mtext><table><mglyph><style><img src=x onerror=${PWN}>`,
  '<link rel=stylesheet href="http://evil.example/x.css"><img src="http://evil.example/p.png">',
  `<details open ontoggle="${PWN}">`,
  `<form action="javascript:${PWN}"><button>go</button></form>`,
  '<base href="http://evil.example/">',
  '<meta http-equiv="refresh" content="0;url=http://evil.example/">',
  `{{constructor.constructor('${PWN}')()}}`,
  '${window.__pwned=1}',
  `javascript:${PWN}`,
  `data:text/html,<script>${PWN}</script>`,
  '\u202eRTL override: txt.exe\u202c',
  'zero\u200bwidth\u200d joiner\ufeff bom \u2060',
  'null\u0000byte and \u0007bell \u001b[31m escape',
  '__proto__',
  'constructor',
  'Ｓｃｒｉｐｔ＜script＞ fullwidth',
  '\ud83d\ude00 emoji \ud83c\uddeb\ud83c\uddf7 flag e\u0301',
];

// Elements a payload might smuggle in; the page's own (snapshotted before
// any payload) are allowed.
const DANGEROUS = 'img,script,svg,iframe,object,embed,style,link,base,meta,form:not(.label-add),math,details,video,audio,source,frame,frameset,template,animate,a[href]';
let own = [];
async function dangerousElements() {
  return page.evaluate((sel) => [...document.querySelectorAll(sel)].map((e) => e.outerHTML.slice(0, 200)), DANGEROUS);
}

// Everything that must hold after each hostile step.
async function assertClean(what) {
  await idle();
  await page.waitForTimeout(30); // let an injected handler (onerror, onload) fire
  assert.deepEqual(dialogs, [], `${what}: a dialog opened`);
  const g = await page.evaluate(() => ({ pwned: window.__pwned, violations: window.__violations }));
  assert.equal(g.pwned, undefined, `${what}: window.__pwned was set`);
  assert.deepEqual(g.violations, [], `${what}: CSP violations (something tried to load or run)`);
  assert.deepEqual(await dangerousElements(), own, `${what}: an element was injected`);
  const handlers = await page.evaluate(() => [...document.querySelectorAll('*')]
    .flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name) ||
      (/^(href|src|srcdoc|action|formaction|xlink:href|data|background|poster)$/i.test(a.name) && /javascript:|evil\.example/i.test(a.value)))
      .map((a) => `${e.tagName}[${a.name}=${a.value.slice(0, 60)}]`)));
  assert.deepEqual(handlers, [], `${what}: an event-handler or javascript: attribute appeared`);
  const err = await page.$eval('#error', (e) => e.innerHTML === e.textContent.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\u00a0/g, '&nbsp;'));
  assert.ok(err, `${what}: #error holds markup`);
}

const docText = () => page.$eval('#doc', (e) => e.textContent);
const docName = () => page.$eval('#doc-name', (e) => e.textContent);

test('payloads as document text show as text', async () => {
  for (const [i, p] of PAYLOADS.entries()) {
    const text = `Angela Merkel said ${p} in Berlin.`;
    await call('load', text, { id: `text-${i}` });
    await assertClean(`text ${JSON.stringify(p)}`);
    assert.equal(await docText(), text, `text ${JSON.stringify(p)} shows exactly`);
  }
});

test('payloads as document ids and names show as text', async () => {
  for (const p of PAYLOADS) {
    await call('load', 'Paris is nice.', { id: p, name: p });
    await assertClean(`id/name ${JSON.stringify(p)}`);
    assert.equal(await docName(), p, 'the name shows exactly');
    // The list draws only the rows in view: scroll to the new (last) one.
    await page.$eval('#doc-list', (el) => { el.scrollTop = el.scrollHeight; el.dispatchEvent(new Event('scroll')); });
    const listed = await page.$$eval('#doc-list .doc-row.current .doc-row-name', (els) => els.map((e) => e.textContent));
    assert.deepEqual(listed, [p], `the document list shows ${JSON.stringify(p)} as the current row`);
  }
  // The export carries the ids as data.
  const ids = JSON.parse(await call('exportAs', 'json')).documents.map((d) => d.id);
  for (const p of PAYLOADS) assert.ok(ids.includes(p) || ids.some((id) => id.startsWith(p)), `id ${JSON.stringify(p)} kept`);
});

test('payloads as label names show as text', async () => {
  await call('load', 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty twentyone twentytwo twentythree twentyfour twentyfive twentysix twentyseven twentyeight twentynine thirty thirtyone', { id: 'labels' });
  const words = await page.evaluate(() => [...document.getElementById('doc').textContent.matchAll(/\S+/g)].map((m) => [m.index, m.index + m[0].length]));
  for (const [i, p] of PAYLOADS.entries()) {
    if (!p.trim()) continue;
    const [s, e] = words[i];
    await call('addSpan', s, e, p);
    await assertClean(`label ${JSON.stringify(p)}`);
    const mark = await page.$eval(`#doc mark[data-start="${s}"][data-end="${e}"]`, (m) => [m.dataset.label, m.textContent]);
    assert.deepEqual(mark, [p, (await docText()).slice(s, e)]);
    const buttons = await page.$$eval('#labels button[data-label]', (bs) => bs.map((b) => b.dataset.label));
    assert.ok(buttons.includes(p), `label bar has ${JSON.stringify(p)}`);
  }
  // The label editor shows them too (as input values, not markup).
  await page.click('#edit-labels');
  await assertClean('label editor');
  await page.click('#edit-labels');
});

test('payloads as file names show as text, and in error messages', async () => {
  for (const p of PAYLOADS) {
    const name = `${p}.txt`;
    const n = await call('importFile', name, 'Plain text from a file.');
    assert.equal(n, 1);
    await assertClean(`file name ${JSON.stringify(p)}`);
    // A broken file: the error names the file, as text.
    const msg = await page.evaluate(([n]) => window.spanmark.importFile(n, '{"broken":').then(() => 'resolved', (e) => e.message), [`${p}.json`]);
    assert.notEqual(msg, 'resolved');
    await assertClean(`bad file named ${JSON.stringify(p)}`);
    const shown = await page.$eval('#error', (e) => e.textContent);
    assert.ok(shown.length > 0, 'the error shows');
  }
});

// A minimal tar (what the page's brat import reads).
function tar(files) {
  const enc = new TextEncoder();
  const blocks = [];
  for (const [name, text] of files) {
    const data = enc.encode(text);
    const h = new Uint8Array(512);
    const put = (off, s) => h.set(enc.encode(s), off);
    put(0, name); put(100, '0000644\0'); put(108, '0000000\0'); put(116, '0000000\0');
    put(124, data.length.toString(8).padStart(11, '0') + '\0'); put(136, '00000000000\0');
    put(148, '        '); put(156, '0'); put(257, 'ustar\0'); put(263, '00');
    const sum = h.reduce((a, b) => a + b, 0);
    put(148, sum.toString(8).padStart(6, '0') + '\0 ');
    blocks.push(h, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((a, b) => a + b.length, 0));
  let at = 0;
  for (const b of blocks) { out.set(b, at); at += b.length; }
  return out;
}

// Every imported field of every format, one file per payload.
function hostileFiles(p, i) {
  const text = `Ada ${p} met Bo.`;
  const cp = Array.from(text).length;
  const tagSafe = p.replace(/\s/g, '_') || 'X';
  const j = JSON.stringify;
  return [
    ['jsonl', `h${i}.jsonl`, j({ id: p, text, meta: { name: p, [p]: p, nested: { html: p } }, spans: [{ start: 0, end: 3, label: p }] }) + '\n'],
    ['doccano', `h${i}.doccano.jsonl`, j({ id: p, text, label: [[0, 3, p]], Comments: [p], [p]: p }) + '\n' +
      j({ id: `${p}-e`, text, entities: [{ id: p, label: p, start_offset: cp - 3, end_offset: cp - 1 }], relations: [] }) + '\n'],
    ['prodigy', `h${i}.prodigy.jsonl`, j({ text, meta: { id: p, source: p }, spans: [{ start: 0, end: 3, label: p }], answer: 'accept', _input_hash: 1 }) + '\n'],
    ['spacy', `h${i}.spacy.json`, j([[text, { entities: [[0, 3, p]], cats: { [p]: 1 } }]])],
    ['labelstudio', `h${i}.labelstudio.json`, j([{ id: p, data: { text, [p]: p }, meta: { [p]: p },
      annotations: [{ id: 1, result: [{ id: p, from_name: p, to_name: p, type: 'labels', value: { start: 0, end: 3, text: p, labels: [p] } }] }],
      predictions: [{ model_version: p, result: [{ id: `${p}2`, type: 'labels', value: { start: cp - 3, end: cp - 1, labels: [p] } }] }] }])],
    ['json', `h${i}.spanmark.json`, j({ format: 'spanmark', version: 1, offsets: 'codepoint',
      labels: [{ name: p, color: `red;background:url(http://evil.example/${i})`, key: null }],
      documents: [{ id: p, text, meta: { name: p, [p]: p }, status: 'todo', spans: [{ start: 0, end: 3, label: p, source: 'model', id: p }] }] })],
    ['conll', `h${i}.conll`, `-DOCSTART- -X- -X- O\n\nAda B-${tagSafe}\n${tagSafe} O\nmet O\n\n`],
    ['brat', `h${i}.tar`, tar([[`h${i}.txt`, text], [`h${i}.ann`, `T1\t${tagSafe} 0 3\tAda\n#1\tAnnotatorNotes T1\t${p}\n`]])],
  ];
}

test('payloads in every imported field of every format', async () => {
  for (const [i, p] of PAYLOADS.entries()) {
    for (const [format, name, content] of hostileFiles(p, i)) {
      const what = `${format} with ${JSON.stringify(p)}`;
      const result = await page.evaluate(async ([n, c, bin]) => {
        const data = bin ? new Uint8Array(c) : c;
        try { return { added: await window.spanmark.importFile(n, data) }; } catch (e) { return { error: e.message }; }
      }, [name, typeof content === 'string' ? content : [...content], typeof content !== 'string']);
      await assertClean(what);
      if (result.error) {
        // Refusing a file is fine (an invalid tag, a NUL in a name), as
        // long as the reason shows as text.
        assert.equal(await page.$eval('#error', (e) => e.textContent), result.error, what);
        continue;
      }
      assert.ok(result.added >= 1, `${what}: ${JSON.stringify(result)}`);
      const shown = await docText();
      assert.ok(shown.startsWith('Ada'), `${what}: the text shows as text: ${JSON.stringify(shown)}`);
    }
  }
  // And exporting all of that, in every format, is still clean.
  // (brat refuses labels with whitespace: an error, shown as text.)
  for (const f of ['json', 'jsonl', 'doccano', 'prodigy', 'spacy', 'conll', 'brat', 'labelstudio']) {
    await page.evaluate((f) => window.spanmark.exportAs(f).catch((e) => e.message), f);
    await assertClean(`export ${f}`);
  }
});

test('a label colour cannot smuggle CSS (url(), expressions)', async () => {
  await call('load', 'Ada met Bo.', { id: 'colour' });
  const colours = await page.$$eval('#labels button[data-label], #doc mark', (els) => els.map((e) => e.style.getPropertyValue('--c')));
  for (const c of colours) assert.doesNotMatch(c, /url\(|expression|evil/i, `label colour ${c} reached a style`);
});

test('a 1 MB line of payloads and unicode tricks', async () => {
  const unit = PAYLOADS.join(' \u202e ');
  const text = unit.repeat(Math.ceil((1 << 20) / unit.length));
  await call('load', text, { id: 'long-line' });
  await assertClean('1 MB line');
  const shown = await docText();
  assert.ok(shown.length > 1000 && text.startsWith(shown.slice(0, 1000)), 'the first screen shows the text as text');
  await page.evaluate(() => window.spanmark.importFile('long.jsonl', JSON.stringify({ id: 'long2', text: 'x'.repeat(1 << 20) + '<img src=x onerror=window.__pwned=1>' }) + '\n'));
  await assertClean('1 MB jsonl');
});

test('the CSP is strict: meta and header agree, no inline script, no eval', async () => {
  const meta = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.content);
  const response = await page.goto(app.url);
  await page.evaluate(() => window.spanmarkReady);
  const header = response.headers()['content-security-policy'];
  for (const csp of [meta, header]) {
    assert.ok(csp, 'a CSP is set');
    const d = Object.fromEntries(csp.split(';').map((x) => x.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    assert.deepEqual(d['script-src'], ["'self'", "'wasm-unsafe-eval'"], `script-src in ${csp}`);
    assert.deepEqual(d['connect-src'], ["'self'"]);
    assert.deepEqual(d['default-src'], ["'self'"]);
    assert.deepEqual(d['object-src'], ["'none'"]);
    assert.deepEqual(d['base-uri'], ["'none'"]);
    assert.ok(!csp.includes("'unsafe-inline'") && !csp.includes("'unsafe-eval'") && !/\*|https?:|data:\s*;?\s*$/.test(d['script-src'].join(' ')), csp);
  }
  // An inline <script> added to the page does not run.
  const ran = await page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1';
    document.body.append(s);
    const h = document.createElement('div');
    h.innerHTML = '<img src="x" onerror="window.__inline = 2">';
    document.body.append(h);
    const d = document.createElement('script');
    d.src = 'data:text/javascript,window.__inline=3';
    document.body.append(d);
    await new Promise((r) => setTimeout(r, 200));
    s.remove(); h.remove(); d.remove();
    return window.__inline;
  });
  assert.equal(ran, undefined, 'inline script, inline handler or data: script ran');
  // eval and its relatives are refused in the page's own realm. Playwright's
  // evaluate() runs through the debugger, which CSP does not govern, so the
  // probe is a script of the page's own origin (served for this test only)
  // that tries them itself.
  await page.route(`${app.url}csp-probe.js`, (route) => route.fulfill({
    contentType: 'text/javascript',
    body: `window.__evals = {};
      try { window.__evals.eval = String(eval('1')); } catch (e) { window.__evals.eval = e.name; }
      try { window.__evals.Function = String(new Function('return 1')()); } catch (e) { window.__evals.Function = e.name; }
      try { setTimeout('window.__evals.timeout = "ran"', 0); } catch (e) { window.__evals.timeout = e.name; }`,
  }));
  await page.evaluate(() => new Promise((resolve) => {
    const s = document.createElement('script');
    s.src = 'csp-probe.js';
    s.onload = resolve;
    s.onerror = resolve;
    document.body.append(s);
  }));
  await page.waitForTimeout(100);
  const evals = await page.evaluate(() => window.__evals);
  assert.ok(evals, 'the same-origin probe script ran (script-src self)');
  assert.equal(evals.eval, 'EvalError', `eval: ${JSON.stringify(evals)}`);
  assert.equal(evals.Function, 'EvalError', `new Function: ${JSON.stringify(evals)}`);
  assert.notEqual(evals.timeout, 'ran', `setTimeout(string): ${JSON.stringify(evals)}`);
  await page.unroute(`${app.url}csp-probe.js`);
  // The violations above were reported (the policy is enforced, not report-only).
  const v = await page.evaluate(() => window.__violations);
  assert.ok(v.some((x) => x.startsWith('script-src')), JSON.stringify(v));
  await page.evaluate(() => { window.__violations.length = 0; });
});

test('a full session makes no request outside the page origin', async () => {
  // A fresh profile, so that every export has something to write.
  await app.freshProfile();
  await watch();
  const origin = new URL(app.url).origin;
  const seen = [];
  const onReq = (r) => seen.push(r.url());
  app.context.on('request', onReq);
  const sockets = [];
  page.on('websocket', (w) => sockets.push(w.url()));
  await app.reload();
  own = await dangerousElements();
  await call('load', 'Angela Merkel met Emmanuel Macron in Berlin on Monday. See https://evil.example/x.png and mail a@evil.example.', { id: 'net' });
  // Annotate by keys: a token cursor, a label key, accept all, undo, redo.
  await page.focus('#doc');
  for (const k of ['.', '.', '1', 'ArrowRight', 'Shift+A', 'Control+z', 'Control+Shift+Z']) {
    await page.keyboard.press(k);
    await idle();
  }
  for (const [i, p] of PAYLOADS.slice(0, 6).entries()) {
    for (const [, name, content] of hostileFiles(p, 100 + i)) {
      await page.evaluate(async ([n, c, bin]) => {
        try { await window.spanmark.importFile(n, bin ? new Uint8Array(c) : c); } catch { /* refusals are fine */ }
      }, [name, typeof content === 'string' ? content : [...content], typeof content !== 'string']);
    }
  }
  for (const f of ['json', 'jsonl', 'doccano', 'prodigy', 'spacy', 'conll', 'brat', 'labelstudio']) {
    // A format may refuse a label it cannot hold (brat: whitespace); that
    // is an error, not a request.
    await page.evaluate((f) => window.spanmark.exportAs(f).catch(() => null), f);
    const download = page.waitForEvent('download', { timeout: 3000 }).catch(() => null);
    await page.click(`#export-${f}`);
    const d = await download;
    if (d) await d.path();
  }
  await call('markDone');
  await page.waitForTimeout(300);
  app.context.off('request', onReq);
  const outside = seen.filter((u) => !u.startsWith(origin + '/') && !u.startsWith('data:') && !u.startsWith('blob:' + origin));
  assert.deepEqual(outside, [], 'requests outside the origin');
  assert.deepEqual(sockets, []);
  assert.ok(seen.some((u) => u.endsWith('.wasm')), 'requests were recorded at all');
  await assertClean('full session');
});
