// A person's rules in the page: typed in the rules panel, applied to the
// open document at once as "rule" suggestions, kept over a reload, used for
// documents opened later (and in the worker for long ones), imported and
// exported as spaCy EntityRuler JSONL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { useApp, sliceCp, drawnSpans } from './harness.mjs';

const app = useApp();
const { page, call, idle } = app;

const TEXT = 'Ana Lima sold a Widget Nine 😀 in Springfield.\r\nTicket ACME-42 closed on MONDAY, said Ana Lima.';

function withText(text, spans) {
  return spans.map((s) => ({ ...s, text: sliceCp(text, s.start, s.end) }));
}

async function addRules(label, field, lines) {
  await page.fill('#rules-new-label', label);
  await page.click('#rules-add');
  await page.fill(`#rules-rows .rules-label[data-label="${label}"] textarea[name="${field}"]`, lines);
}

test('rules typed in the panel become rule suggestions at once, over the model, around the person\'s spans', async () => {
  await call('load', TEXT, { id: 'r1' });
  await call('addSpan', 0, 8, 'PER');
  await page.click('#rules-open');
  await addRules('PRODUCT', 'phrases', 'Widget Nine\nwidget nine');
  await addRules('TICKET', 'patterns', 'ACME-\\d+');
  await addRules('DAY', 'phrasesIgnoreCase', 'monday');
  await addRules('NAME', 'phrases', 'Ana Lima');
  await page.click('#rules-apply');
  await idle();
  assert.equal(await page.$eval('#error', (e) => e.textContent), '');
  const spans = withText(TEXT, await call('spans'));
  const find = (t) => spans.filter((s) => s.text === t);
  assert.deepEqual(find('Widget Nine').map((s) => [s.label, s.source]), [['PRODUCT', 'rule']]);
  assert.deepEqual(find('ACME-42').map((s) => [s.label, s.source]), [['TICKET', 'rule']]);
  // Over the built-in DATE pattern.
  assert.deepEqual(find('MONDAY').map((s) => [s.label, s.source]), [['DAY', 'rule']]);
  // The person's span stays; the rule fills the other occurrence only.
  assert.deepEqual(find('Ana Lima').map((s) => [s.start, s.label, s.source]),
    [[0, 'PER', 'user'], [Array.from(TEXT).length - 9, 'NAME', 'rule']]);
  const drawn = await drawnSpans(page);
  assert.ok(drawn.some((d) => d.text === 'ACME-42' && d.source === 'rule' && d.label === 'TICKET'), JSON.stringify(drawn));
  // The labels joined the label bar.
  assert.ok(await page.$('#labels [data-label="TICKET"]'));
  assert.match(await call('rules'), /"label":"TICKET","pattern":\[\{"TEXT":\{"REGEX":"\^\(\?:ACME-\\\\d\+\)\$"\}\}\]/);
});

test('rules survive a reload and apply to documents opened later', async () => {
  const before = await call('spans');
  const rules = await call('rules');
  await app.reload();
  assert.equal(await call('rules'), rules);
  assert.deepEqual(await call('spans'), before);
  await page.click('#rules-open');
  assert.equal(await page.$eval('#rules-rows .rules-label[data-label="TICKET"] textarea[name="patterns"]', (e) => e.value), 'ACME-\\d+');
  const text = 'A new ticket ACME-7 for the Widget Nine.';
  await call('load', text, { id: 'r2' });
  const got = withText(text, await call('spans')).filter((s) => ['TICKET', 'PRODUCT'].includes(s.label))
    .map((s) => [s.text, s.label, s.source]);
  assert.deepEqual(got, [['ACME-7', 'TICKET', 'rule'], ['Widget Nine', 'PRODUCT', 'rule']]);
});

test('a bad regex is refused with its label and pattern, and nothing changes', async () => {
  const rules = await call('rules');
  const spans = await call('spans');
  await page.fill('#rules-rows .rules-label[data-label="TICKET"] textarea[name="patterns"]', 'ACME-\\d+\n(unclosed');
  await page.click('#rules-apply');
  await idle();
  const error = await page.$eval('#error', (e) => e.textContent);
  assert.match(error, /TICKET/);
  assert.match(error, /"\(unclosed"/);
  assert.equal(await call('rules'), rules);
  assert.deepEqual(await call('spans'), spans);
  await assert.rejects(call('setRules', '{"label":"A","pattern":"x"}\n{"label":"B"}\n'), /line 2: needs a "pattern"/);
  assert.equal(await call('rules'), rules);
});

test('spaCy EntityRuler JSONL: import (unsupported lines reported), export as a download', async () => {
  const patterns = [
    '{"label":"CITY","pattern":[{"LOWER":"springfield"}],"id":"springfield"}',
    '{"label":"PER","pattern":[{"POS":"PROPN"}]}',
    '{"label":"TICKET","pattern":[{"TEXT":{"REGEX":"^ACME-\\\\d+$"}}]}',
  ].join('\n') + '\n';
  await page.setInputFiles('#rules-file', { name: 'patterns.jsonl', mimeType: 'application/json', buffer: Buffer.from(patterns) });
  await idle();
  assert.equal(await page.$eval('#error', (e) => e.textContent), '');
  assert.match(await page.$eval('#status', (e) => e.textContent), /2 rules in use; skipped 1 pattern \(line 2: the token attribute POS/);
  await call('load', TEXT, { id: 'r3' });
  const spans = withText(TEXT, await call('spans'));
  assert.ok(spans.some((s) => s.text === 'Springfield' && s.label === 'CITY' && s.source === 'rule'), JSON.stringify(spans));
  // The panel's old rules are gone with the import.
  assert.ok(!spans.some((s) => s.label === 'PRODUCT'));
  // A document saved under the old rules gets the new ones when opened again
  // (the panel, a drawer over the document list, closed first).
  await page.keyboard.press('Escape');
  await page.click('#doc-list .doc-row[data-id="r1"]');
  await idle();
  const r1 = withText(TEXT, await call('spans'));
  assert.ok(r1.some((s) => s.text === 'Springfield' && s.label === 'CITY' && s.source === 'rule'), JSON.stringify(r1));
  assert.ok(r1.some((s) => s.text === 'Ana Lima' && s.label === 'PER' && s.source === 'user'));
  await app.reload();
  assert.equal(await call('currentId'), 'r1');
  assert.ok(withText(TEXT, await call('spans')).some((s) => s.text === 'Springfield' && s.label === 'CITY'), 'saved');
  await page.click('#doc-list .doc-row[data-id="r3"]');
  await idle();
  await page.click('#rules-open'); // the panel is closed after a reload
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#rules-export')]);
  assert.equal(download.suggestedFilename(), 'patterns.jsonl');
  const content = await fs.readFile(await download.path(), 'utf8');
  assert.equal(content, await call('rules'));
  assert.equal(content,
    '{"label":"CITY","pattern":[{"LOWER":"springfield"}],"id":"springfield"}\n' +
    '{"label":"TICKET","pattern":[{"TEXT":{"REGEX":"^(?:ACME-\\\\d+)$"}}]}\n');
  // Emptied rules take their suggestions away, nothing else.
  await call('setRules', '');
  assert.ok(!(await call('spans')).some((s) => s.label === 'CITY' || s.label === 'TICKET'));
});

test('a long text pre-annotated in the worker gets the rules, labels beyond the defaults included', async () => {
  await call('setRules', '{"label":"GADGET","pattern":"Widget Nine"}\n');
  const unit = 'The Widget Nine shipped from Lisbon. ';
  const text = unit.repeat(Math.ceil(210_000 / unit.length));
  await call('load', text, { id: 'long' });
  await idle();
  const spans = await call('spans');
  const gadgets = spans.filter((s) => s.label === 'GADGET');
  assert.equal(gadgets.length, Math.ceil(210_000 / unit.length));
  assert.ok(gadgets.every((s) => s.source === 'rule' && sliceCp(text, s.start, s.end) === 'Widget Nine'));
  assert.ok(spans.some((s) => s.label === 'LOC'), 'the model and gazetteer still run');
});
