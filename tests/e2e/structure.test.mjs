// Beyond flat spans, driven in the real page: nested spans drawn so that
// each one shows and takes a click, relations made by keyboard and by the
// contract and drawn as arcs, document labels toggled in the header, notes,
// and the overlap setting kept with the project across a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from './harness.mjs';

const app = useApp();
const { page, call, idle } = app;

const TEXT = 'The Bank of China opened an office in Oslo.\nAna Lima works for the Bank of China.';

async function press(key) {
  await page.keyboard.press(key);
  await idle();
}

const user = async () => (await call('spans')).filter((s) => s.source === 'user');

test('nested spans: refused under "none", kept and drawn stacked under "nested", every one clickable', async () => {
  await call('load', TEXT, { id: 'bank' });
  // Under "none" (the default) a span drawn inside another replaces it.
  await call('addSpan', 4, 17, 'ORG');
  await call('addSpan', 12, 17, 'LOC');
  assert.deepEqual((await user()).map((s) => [s.start, s.end, s.label]), [[12, 17, 'LOC']]);
  await call('setOverlap', 'nested');
  assert.equal(await call('overlap'), 'nested');
  await call('addSpan', 4, 17, 'ORG');
  // Five deep: a nest of spans around one word, each with its own label.
  for (const label of ['MISC', 'PER', 'GPE']) await call('addSpan', 12, 17, label);
  const spans = await user();
  assert.equal(spans.length, 5, JSON.stringify(spans));
  assert.ok(spans.every((s) => /^T\d+$/.test(s.id)), 'every span has an id');
  assert.equal(new Set(spans.map((s) => s.id)).size, 5, 'ids are unique');
  const drawn = await page.$$eval('#doc mark.span[data-source="user"]', (els) => els.map((e) => ({
    id: e.dataset.id, start: Number(e.dataset.start), end: Number(e.dataset.end), label: e.dataset.label,
    box: (() => { const r = e.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, left: r.left, right: r.right }; })(),
  })));
  assert.equal(drawn.length, 5, 'one element per span');
  assert.deepEqual(drawn.map((d) => d.id).sort(), spans.map((s) => s.id).sort(), 'data-id on each element');
  // Each span's box reaches lower than those it holds: a click on its own
  // strip picks it.
  const bottoms = drawn.map((d) => d.box.bottom);
  assert.equal(new Set(bottoms).size, 5, `stacked underlines: ${bottoms}`);
  for (const d of drawn) {
    const inner = drawn.filter((o) => o !== d && o.start >= d.start && o.end <= d.end && o.box.bottom < d.box.bottom);
    const y = d.box.bottom - 2;
    const x = (Math.max(d.box.left, ...inner.map((o) => o.box.left)) + Math.min(d.box.right, ...inner.map((o) => o.box.right))) / 2;
    const hit = await page.evaluate(([px, py]) => document.elementFromPoint(px, py)?.closest('mark.span')?.dataset.id, [x, y]);
    assert.equal(hit, d.id, `a click at the bottom of ${d.label} picks it`);
  }
  // A stricter setting is refused while the document breaks it, naming the spans.
  await assert.rejects(call('setOverlap', 'none'), /0\.\.13|4\.\.17|ORG/);
  assert.equal(await call('overlap'), 'nested');
  // A span drawn across another under "nested" takes its place (as any
  // span drawn over another does under "none"); those it holds stay.
  await call('addSpan', 8, 24, 'MISC');
  const after = (await user()).map((s) => `${s.start}..${s.end} ${s.label}`).sort();
  assert.deepEqual(after, ['12..17 GPE', '12..17 LOC', '12..17 MISC', '12..17 PER', '8..24 MISC'], after.join(', '));
});

test('crossing spans under "any": both drawn, each seen and picked at its own text; one element per span', async () => {
  await call('load', TEXT, { id: 'cross' });
  await call('setOverlap', 'any');
  await call('addSpan', 4, 17, 'ORG'); // Bank of China
  await call('addSpan', 12, 24, 'MISC'); // China opened: crosses the bank's end
  assert.deepEqual((await user()).map((s) => [s.start, s.end, s.label]), [[4, 17, 'ORG'], [12, 24, 'MISC']]);
  // Still one element per span with its offsets; the piece after the
  // bank's end carries none of them.
  const owners = await page.$$eval('#doc mark[data-start][data-source="user"]', (els) => els.map((e) => `${e.dataset.start}..${e.dataset.end} ${e.dataset.label}`));
  assert.deepEqual(owners.sort(), ['12..24 MISC', '4..17 ORG']);
  assert.equal(await page.$$eval('#doc mark[data-part-of="12:24"]', (els) => els.map((e) => e.textContent).join('|')), ' opened');
  // The point in the middle of each one's own text (not shared with the
  // other) shows that span, and a click there selects it.
  const pointIn = (start, end) => page.evaluate(([s, e]) => {
    const block = document.querySelector('#doc .block');
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    let at = Number(block.dataset.start16);
    const r = document.createRange();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (at <= s && s < at + n.data.length) r.setStart(n, s - at);
      if (at < e && e <= at + n.data.length) r.setEnd(n, e - at);
      at += n.data.length;
    }
    const box = r.getClientRects()[0];
    return { x: box.left + box.width / 2, y: box.top + box.height / 2 };
  }, [start, end]);
  const picked = async (p) => page.evaluate(([x, y]) => {
    const m = document.elementFromPoint(x, y)?.closest('mark.span');
    return m ? (m.dataset.partOf || `${m.dataset.start}:${m.dataset.end}`) : null;
  }, [p.x, p.y]);
  const bank = await pointIn(4, 8); // "Bank"
  const opened = await pointIn(18, 24); // "opened"
  assert.equal(await picked(bank), '4:17');
  assert.equal(await picked(opened), '12:24');
  await page.mouse.click(opened.x, opened.y);
  await idle();
  assert.deepEqual(await page.$$eval('#doc mark.span.selected', (els) => els.map((e) => e.dataset.start || e.dataset.partOf)), ['12', '12:24'],
    'the whole crossing span is selected, both its pieces');
  assert.match(await page.textContent('#status'), /MISC/);
  await page.mouse.click(bank.x, bank.y);
  await idle();
  assert.deepEqual(await page.$$eval('#doc mark.span.selected', (els) => els.map((e) => e.dataset.start)), ['4']);
  // The selection is the span's own: Delete takes the crossing one away,
  // with its pieces, and leaves the bank.
  await page.mouse.click(opened.x, opened.y);
  await idle();
  await press('Delete');
  assert.deepEqual((await user()).map((s) => [s.start, s.end]), [[4, 17]]);
  assert.equal(await page.$$eval('#doc mark[data-part-of]', (els) => els.length), 0);
  // Under "nested" a crossing span is refused or takes the place of the one
  // it crosses (the test above): nothing is ever drawn in pieces.
  await call('load', TEXT, { id: 'cross-nested' });
  await call('setOverlap', 'nested');
  await call('addSpan', 4, 17, 'ORG');
  await call('addSpan', 12, 24, 'MISC');
  assert.equal((await user()).length, 1);
  assert.equal(await page.$$eval('#doc mark[data-part-of]', (els) => els.length), 0);
});

test('relations by keyboard and by the contract, drawn as arcs, removed with their span in one undo step', async () => {
  await call('load', TEXT, { id: 'rel' });
  await call('addSpan', 44, 52, 'PER'); // Ana Lima
  await call('addSpan', 67, 80, 'ORG'); // Bank of China (line 2)
  await call('addSpan', 38, 42, 'LOC'); // Oslo
  const id = async (start) => (await user()).find((s) => s.start === start).id;
  const [ana, bank, oslo] = [await id(44), await id(67), await id(38)];
  // Keyboard: select Ana, r, select the bank, Enter, type the label, Enter.
  await page.click(`#doc mark[data-id="${ana}"]`);
  await press('r');
  assert.match(await page.textContent('#status'), /relation from “Ana Lima”/);
  await page.click(`#doc mark[data-id="${bank}"]`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#relation-dialog[open]');
  await page.keyboard.type('works_for');
  await press('Enter');
  await page.waitForFunction(() => window.spanmark.relations().length === 1);
  await idle();
  let rels = await call('relations');
  assert.deepEqual(rels.map(({ from, to, label }) => ({ from, to, label })), [{ from: ana, to: bank, label: 'works_for' }]);
  assert.match(await page.textContent('#status'), /works_for: “Ana Lima” → “Bank of China”/);
  // The contract: returns the new relation's id.
  const rid = await call('addRelation', bank, oslo, 'located_in');
  assert.match(rid, /^R\d+$/);
  rels = await call('relations');
  assert.equal(rels.length, 2);
  await assert.rejects(call('addRelation', ana, 'T999', 'knows'), /T999/);
  // Arcs: one per relation whose spans are drawn, with its label as text.
  await page.waitForFunction(() => document.querySelectorAll('#doc svg.arcs g[data-relation]').length === 2);
  const arcLabels = await page.$$eval('#doc svg.arcs text', (ts) => ts.map((t) => t.textContent).sort());
  assert.deepEqual(arcLabels, ['located_in', 'works_for']);
  // Removing the bank removes both its relations; one undo brings all back.
  await call('removeSpan', 67, 80);
  assert.equal((await call('relations')).length, 0);
  await page.waitForFunction(() => document.querySelectorAll('#doc svg.arcs g[data-relation]').length === 0);
  await page.locator('#doc').focus();
  await press('Control+z');
  assert.equal((await call('relations')).length, 2);
  assert.ok((await user()).some((s) => s.id === bank), 'the span is back with its id');
  // removeRelation, then everything survives a reload (stored).
  assert.equal(await call('removeRelation', rid), true);
  await app.reload();
  await call('openDocument', 'rel');
  rels = await call('relations');
  assert.deepEqual(rels.map(({ from, to, label }) => ({ from, to, label })), [{ from: ana, to: bank, label: 'works_for' }]);
  await page.waitForFunction(() => document.querySelectorAll('#doc svg.arcs g[data-relation]').length === 1);
  // Relation labels are text: a label with markup shows as written.
  await call('addRelation', ana, oslo, '<img src=x onerror=alert(1)>');
  await page.waitForFunction(() => [...document.querySelectorAll('#doc svg.arcs text')].some((t) => t.textContent.startsWith('<img')));
  assert.equal(await page.$$eval('#doc svg.arcs img, #doc img', (x) => x.length), 0);
});

test('document labels: toggles in the header with Shift+digit keys; single choice; notes on the document and a span', async () => {
  await call('load', TEXT, { id: 'labels-notes' });
  await call('setDocLabels', ['finance']);
  assert.deepEqual(await call('docLabels'), ['finance']);
  await page.fill('#doc-label-new', 'politics');
  await page.press('#doc-label-new', 'Enter');
  await idle();
  assert.deepEqual(await call('docLabels'), ['politics'], 'single choice: the new one replaces');
  const toggles = await page.$$eval('#doc-labels-toggles button', (bs) => bs.map((b) => [b.dataset.docLabel, b.getAttribute('aria-pressed')]));
  assert.deepEqual(toggles, [['finance', 'false'], ['politics', 'true']]);
  await page.locator('#doc').focus();
  await press('Shift+Digit1');
  assert.deepEqual(await call('docLabels'), ['finance']);
  await press('Shift+Digit1');
  assert.deepEqual(await call('docLabels'), []);
  await assert.rejects(call('setDocLabels', ['finance', 'politics']), /single choice/);
  // Notes: by the contract and by the panel (m on a selected span).
  await call('setNote', {}, 'from the May issue');
  assert.equal(await call('note'), 'from the May issue');
  await call('addSpan', 44, 52, 'PER');
  const ana = (await user())[0];
  await page.click(`#doc mark[data-id="${ana.id}"]`);
  await press('m');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'note-span');
  await page.keyboard.type('which Ana? <b>check</b>');
  await page.locator('#note-doc').focus(); // leaving the field saves it
  await idle();
  assert.equal(await call('note', { span: ana.id }), 'which Ana? <b>check</b>');
  assert.equal((await user())[0].note, 'which Ana? <b>check</b>');
  assert.equal(await page.$eval(`#doc mark[data-id="${ana.id}"]`, (e) => e.hasAttribute('data-note')), true);
  assert.equal(await page.$$eval('#notes-panel b', (x) => x.length), 0, 'a note is text');
  await app.reload();
  await call('openDocument', 'labels-notes');
  assert.equal(await call('note'), 'from the May issue');
  assert.equal(await call('note', { span: ana.id }), 'which Ana? <b>check</b>');
  assert.equal(await call('overlap'), 'nested', 'the overlap setting is the project\'s, kept across a reload');
  // Several document labels per document, once the project says so (Labels…).
  await page.click('#edit-labels').catch(async () => {
    await page.click('#more');
    await page.click('#edit-labels');
  });
  await page.check('#doc-labels-multi');
  await idle();
  await page.keyboard.press('Escape');
  await call('setDocLabels', ['finance', 'politics']);
  const pressed = await page.$$eval('#doc-labels-toggles button[aria-pressed="true"]', (bs) => bs.map((b) => b.dataset.docLabel));
  assert.deepEqual(pressed, ['finance', 'politics']);
  await app.reload();
  await call('openDocument', 'labels-notes');
  assert.deepEqual(await call('docLabels'), ['finance', 'politics']);
  assert.equal(await page.$eval('#doc-labels-multi', (b) => b.checked), true);
  assert.equal(await page.textContent('#error'), '');
});

test('relation and document labels managed in the Labels drawer reach every stored document, are undone and stay after a reload', async () => {
  // Two documents with a staff_of relation; the first one has the
  // document label "bulletin". The second is open while the labels change.
  const made = {};
  for (const id of ['staff-a', 'staff-b']) {
    await call('load', TEXT, { id });
    await call('addSpan', 44, 52, 'PER'); // Ana Lima
    await call('addSpan', 67, 80, 'ORG'); // Bank of China
    const spans = await user();
    const rid = await call('addRelation', spans.find((x) => x.start === 44).id, spans.find((x) => x.start === 67).id, 'staff_of');
    made[id] = rid;
    if (id === 'staff-a') await call('setDocLabels', ['bulletin']);
  }
  await call('addRelation', (await user())[0].id, (await user())[1].id, 'colleague_of');
  await page.click('#edit-labels');
  const rel = (name) => `#label-editor .label-edit[data-relation-label="${name}"]`;
  await page.waitForSelector(rel('staff_of'));
  // The relation label with markup (the test above) is a name like any other: text.
  assert.ok(await page.$$eval('#label-editor [data-relation-label] .label-name', (els) => els.some((e) => e.value.startsWith('<img'))));
  assert.equal(await page.$$eval('#label-editor img', (els) => els.length), 0);
  // Rename in the drawer: the arcs of the open document say it at once.
  await page.fill(`${rel('staff_of')} .label-name`, 'employed_by');
  await page.press(`${rel('staff_of')} .label-name`, 'Enter');
  await page.waitForFunction(() => [...document.querySelectorAll('#doc svg.arcs text')].some((t) => t.textContent === 'employed_by'));
  await idle();
  assert.match(await page.textContent('#status'), /renamed relation label staff_of to employed_by \(2 relations\)/);
  assert.deepEqual((await call('relations')).map((r) => r.label).sort(), ['colleague_of', 'employed_by']);
  // A colour, a key and the direction: the arc follows (no arrowhead when undirected).
  await page.fill(`${rel('colleague_of')} .label-key`, 'c');
  await page.press(`${rel('colleague_of')} .label-key`, 'Tab');
  await page.click(`${rel('colleague_of')} .label-directed input`);
  await idle();
  await page.waitForFunction(() => {
    const g = [...document.querySelectorAll('#doc svg.arcs g')].find((x) => x.querySelector('text').textContent === 'colleague_of');
    return g && g.querySelectorAll('path').length === 1;
  });
  // The document not open: its relation was renamed in storage, and its document label can be renamed too.
  await call('openDocument', 'staff-a');
  assert.deepEqual((await call('relations')).map((r) => [r.id, r.label]), [[made['staff-a'], 'employed_by']]);
  await page.waitForFunction(() => [...document.querySelectorAll('#doc svg.arcs text')].map((t) => t.textContent).join() === 'employed_by');
  await call('openDocument', 'staff-b');
  const doc = (name) => `#label-editor .label-edit[data-doc-label="${name}"]`;
  await page.fill(`${doc('bulletin')} .label-name`, 'press');
  await page.press(`${doc('bulletin')} .label-name`, 'Enter');
  await page.waitForSelector(doc('press'));
  await idle();
  // Delete, after the question: its relations go everywhere, and the status counts them.
  await page.click(`${rel('employed_by')} .label-delete`);
  assert.match(await page.textContent('#label-editor .label-confirm'), /Delete employed_by and its relations in every document\?/);
  await page.click('#label-editor .label-delete-yes');
  await page.waitForFunction(() => !document.querySelector('#label-editor [data-relation-label="employed_by"]'));
  await idle();
  assert.match(await page.textContent('#status'), /deleted relation label employed_by and 2 relations/);
  assert.deepEqual((await call('relations')).map((r) => r.label), ['colleague_of']);
  await call('openDocument', 'staff-a');
  assert.deepEqual(await call('relations'), []);
  assert.deepEqual(await call('docLabels'), ['press']);
  assert.equal(await page.$$eval('#doc svg.arcs g[data-relation]', (g) => g.length), 0);
  // Undo puts the relations back in both documents.
  await page.click('#label-undo');
  await page.waitForFunction(() => window.spanmark.relations().length === 1);
  await idle();
  assert.deepEqual((await call('relations')).map((r) => r.label), ['employed_by']);
  // Deleted again, and the document label too (the contract's calls); a reload keeps all of it.
  await call('deleteRelationLabel', 'employed_by');
  await call('deleteDocLabel', 'press');
  await assert.rejects(call('renameRelationLabel', 'colleague_of', ''), /name/);
  await app.reload();
  await call('openDocument', 'staff-a');
  assert.deepEqual(await call('relations'), []);
  assert.deepEqual(await call('docLabels'), []);
  await call('openDocument', 'staff-b');
  assert.deepEqual((await call('relations')).map((r) => r.label), ['colleague_of']);
  await page.click('#edit-labels');
  const rows = await page.$$eval('#label-editor [data-relation-label]', (els) => els.filter((e) => /staff|employed|colleague/.test(e.dataset.relationLabel)).map((e) => [
    e.dataset.relationLabel, e.querySelector('.label-key').value, e.querySelector('.label-directed input').checked]));
  assert.deepEqual(rows, [['colleague_of', 'c', false]]);
  assert.equal(await page.$$eval('#label-editor [data-doc-label="press"], #label-editor [data-doc-label="bulletin"]', (els) => els.length), 0);
  await page.click('#edit-labels');
});

test('a project with relations, nesting, document labels and notes goes out as spanmark JSON and comes back whole in a new browser; CoNLL says what it left out', async () => {
  await call('load', TEXT, { id: 'round' });
  await call('addSpan', 4, 17, 'ORG');
  await call('addSpan', 12, 17, 'LOC');
  const spans = (await call('spans')).filter((s) => s.source === 'user');
  const bank = spans.find((s) => s.start === 4).id;
  const china = spans.find((s) => s.start === 12).id;
  await call('addRelation', bank, china, 'based_in');
  await call('setDocLabels', ['finance']);
  await call('setNote', { span: china }, 'the country, not the bank');
  const json = await call('exportAs', 'json');
  const file = JSON.parse(json);
  assert.equal(file.version, 2);
  assert.equal(file.overlap, 'nested');
  assert.ok(file.relation_labels.some((l) => l.name === 'based_in'), json.slice(0, 400));
  const doc = file.documents.find((d) => d.id === 'round');
  assert.equal(doc.relations.length, 1);
  assert.deepEqual(doc.doc_labels, ['finance']);

  await call('exportAs', 'conll');
  assert.match(await page.textContent('#status'), /CoNLL cannot hold spans inside or across another.*left out/);
  assert.match(await page.textContent('#status'), /CoNLL cannot hold relations/);

  await app.freshProfile();
  await call('importFile', 'round.spanmark.json', json);
  await call('openDocument', 'round');
  assert.equal(await call('overlap'), 'nested');
  const back = (await call('spans')).filter((s) => s.source === 'user');
  assert.deepEqual(back.map((s) => [s.start, s.end, s.label]), [[4, 17, 'ORG'], [12, 17, 'LOC']]);
  const rels = await call('relations');
  const at = (id) => back.find((s) => s.id === id).start;
  assert.deepEqual(rels.map((r) => [at(r.from), at(r.to), r.label]), [[4, 12, 'based_in']]);
  assert.deepEqual(await call('docLabels'), ['finance']);
  assert.equal(back.find((s) => s.start === 12).note, 'the country, not the bank');
  await page.waitForFunction(() => document.querySelectorAll('#doc svg.arcs g[data-relation]').length === 1);
  assert.equal(await page.textContent('#error'), '');
});
