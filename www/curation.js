// The curation view of a team project (docs/ARCHITECTURE.md, "Curation"):
// a curator opens a document "for curation" and then edits its curated
// record (kept locally under its own key, curatedkey.js) with every edit of
// the page; a panel shows each annotator's spans, one row each, and the
// stretches they disagree on with every version and who gave it. What is
// agreed, which spans a take replaces and what the rows mark are the core's
// (src/curation.rs, the session's `takeVersion` and `takeAgreed`); this
// module draws them and turns keys and clicks into those actions.

import { $, state, serial, report, status, onEdited, onOpened } from './page.js';
import { act, openDocument, reveal } from './document.js';
import { selectText } from './keys.js';
import { curatedKey, curatedOf } from './curatedkey.js';

let team = null; // () => the team context of team.js ({team, user, roles, curator}) or null
let view = null; // the last curation drawn: {curation, disagreements, left}
let at = -1; // the current stretch's index

// The document being curated, or null.
export const curating = () => curatedOf(state.docId);

const quote = (start, end) => {
  const a = state.core.charToUtf16(start);
  const b = state.core.charToUtf16(end);
  return state.text.slice(a, b);
};

const spansWords = (spans) => (spans.length
  ? spans.map((s) => `${s.label} “${quote(s.start, s.end)}”`).join(', ')
  : 'nothing there');

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

function header(docId) {
  const name = state.docs.all.find((d) => d.id === docId)?.name ?? docId;
  const left = view?.left ?? 0;
  const done = state.core.head()?.status === 'done' ? ', marked done' : '';
  $('doc-name').textContent = `Curating ${name} — ${left} difference${left === 1 ? '' : 's'} left${done}`;
}

function drawRows() {
  const box = $('curation-rows');
  const rows = view.curation.rows;
  if (!rows.length) {
    box.replaceChildren(el('p', null, 'No annotator has a record of this document yet.'));
    return;
  }
  box.replaceChildren(...rows.map((r) => {
    const row = el('div', 'curation-row');
    row.dataset.annotator = r.annotator;
    const who = el('span', 'curation-who', `${r.annotator} (${r.status === 'done' ? 'done' : 'to do'}${r.voter ? '' : ', not counted'})`);
    const list = el('span', 'curation-spans');
    for (const m of r.spans) {
      const kind = m.taken ? 'taken' : m.agreed ? 'agreed' : m.clash ? 'clash' : 'only';
      const b = el('button', `curation-span ${kind}`, `${m.label} “${quote(m.start, m.end)}”`);
      b.type = 'button';
      Object.assign(b.dataset, { start: m.start, end: m.end, label: m.label, kind });
      const said = { taken: 'in the curated record', agreed: 'every annotator made it', clash: 'another annotator labelled this text differently', only: 'only some annotators made it' }[kind];
      b.title = `${said}; click to take it`;
      b.addEventListener('click', () => act({ op: 'add', start: m.start, end: m.end, label: m.label }).catch(report));
      list.append(b);
    }
    if (!r.spans.length) list.append(el('span', 'curation-none', 'no spans'));
    row.append(who, list);
    return row;
  }));
}

function drawStretches() {
  const box = $('curation-stretches');
  const list = view.disagreements;
  if (!list.length) {
    box.replaceChildren(el('p', null, 'The annotators agree everywhere: nothing to settle.'));
    return;
  }
  const ol = el('ol', 'curation-list');
  list.forEach((d, i) => {
    const li = el('li', 'curation-stretch');
    li.dataset.index = String(i);
    if (i === at) li.classList.add('current');
    const head = el('button', 'curation-quote', `“${quote(d.start, d.end)}”`);
    head.type = 'button';
    head.addEventListener('click', () => go(i));
    li.append(head);
    d.versions.forEach((v, n) => {
      const line = el('button', 'curation-version');
      line.type = 'button';
      line.dataset.version = String(n + 1);
      // An empty curated stretch is undecided, not "nothing there" taken.
      const held = d.matches === n && d.curated.length > 0;
      if (held) line.classList.add('held');
      line.append(el('kbd', null, String(n + 1)), ` ${v.annotators.join(', ')}: ${spansWords(v.spans)}`);
      if (held) line.append(el('span', 'curation-held', ' ✓ curated'));
      line.addEventListener('click', () => takeVersion(n, i).catch(report));
      li.append(line);
    });
    if (d.matches == null) li.append(el('p', 'curation-own', `curated: ${spansWords(d.curated)}`));
    ol.append(li);
  });
  box.replaceChildren(ol);
}

// Computes and draws the view of the document being curated (or hides it).
export function refresh() {
  const docId = curating();
  const ctx = team?.();
  $('curation-panel').hidden = !docId || !ctx;
  document.body.classList.toggle('curating', !!docId && !!ctx);
  $('curate-open').textContent = docId ? 'Back to mine' : 'Curate';
  if (!docId || !ctx) {
    view = null;
    return;
  }
  view = ctx.team.curation(docId, state.core.spans());
  if (at >= view.disagreements.length) at = view.disagreements.length - 1;
  header(docId);
  drawRows();
  drawStretches();
  $('curation-agreed').textContent = `Take ${view.curation.agreed.length} agreed (A)`;
  $('curation-agreed').disabled = !view.curation.agreed.length;
}

// Moves to stretch `i`: scrolled to and selected.
function go(i) {
  if (!view?.disagreements.length) {
    status('nothing to settle here');
    return;
  }
  at = Math.max(0, Math.min(i, view.disagreements.length - 1));
  const d = view.disagreements[at];
  reveal(d.start);
  selectText(d.start, d.end);
  status(`stretch ${at + 1} of ${view.disagreements.length}: ${d.versions.length} versions`);
  drawStretches();
  $('curation-stretches').querySelector('.current')?.scrollIntoView({ block: 'nearest' });
}

function takeVersion(n, i = at) {
  const d = view?.disagreements[i < 0 ? 0 : i];
  const v = d?.versions[n];
  if (!v) return Promise.resolve(status(`no version ${n + 1} here`));
  at = i < 0 ? 0 : i;
  return act({ op: 'takeVersion', start: d.start, end: d.end, spans: v.spans.map(({ start, end, label }) => ({ start, end, label })) });
}

function takeAgreed() {
  if (!view) return Promise.resolve();
  return act({ op: 'takeAgreed', spans: view.curation.agreed });
}

// The contract's `curate(docId)`: opens the document for curation (null:
// back to one's own record of the document being curated).
export function curate(docId) {
  return serial(async () => {
    if (docId == null) {
      const back = curating();
      if (back !== null) await openDocument(back);
      return;
    }
    const ctx = team?.();
    if (!ctx) throw new Error('not in a team project: join one first');
    if (!ctx.curator) throw new Error(`only a curator curates: ${ctx.user} is ${ctx.roles.join(', ') || 'no role'} here`);
    const id = String(docId);
    if (!ctx.team.documentIds().includes(id)) throw new Error(`the project has no document ${id}`);
    const key = curatedKey(id);
    // First time here: the curated record as last synced, else an empty
    // one (a gold record starts from the annotators' spans, never from
    // the model's suggestions).
    if (!await state.store.annotations(key)) {
      const winner = ctx.team.winner(`ann:${id}:curated`);
      const body = winner ?? { type: 'annotations', annotator: 'curated', doc_id: id, status: 'todo', spans: [], history: [], updated: 0 };
      const { record, status } = ctx.team.localRecord(body, null);
      await state.store.write({ annotations: [{ ...record, docId: key }], settings: { [key]: { status } } });
      if (winner) ctx.team.applied(winner._id, winner._rev);
    }
    at = -1;
    await openDocument(key);
  });
}

// Curation's keys, before the page's own (a label's key may be a digit).
function onKey(event) {
  if (curating() === null || event.ctrlKey || event.metaKey || event.altKey) return;
  const t = event.target;
  if (t && (t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.tagName === 'INPUT' || t.isContentEditable)) return;
  if (document.querySelector('dialog[open]')) return;
  const k = event.key;
  let run = null;
  // Words selected by hand (not the stretch itself) and a digit: the
  // label with that key, as always; else the digit takes a version.
  const d = view?.disagreements[at];
  const p = state.pending;
  const labelling = p && !(d && p.start === d.start && p.end === d.end);
  if (/^[1-9]$/.test(k) && !labelling) run = () => takeVersion(Number(k) - 1);
  else if (k === 'A') run = takeAgreed;
  else if (k === 'j' || k === 'n') run = () => go(at + 1);
  else if (k === 'k' || k === 'p') run = () => go(at - 1);
  else if (k === 'C') run = () => curate(null);
  if (!run) return;
  event.preventDefault();
  event.stopPropagation();
  Promise.resolve().then(run).catch(report);
}

// `context()`: the team context or null.
export function wireCuration(context) {
  team = context;
  onEdited(refresh);
  onOpened(refresh);
  window.addEventListener('keydown', onKey, true);
  // `C` outside curation: the open document, for curation.
  window.addEventListener('keydown', (event) => {
    if (event.key !== 'C' || curating() !== null || !team?.()?.curator || !state.docId) return;
    const t = event.target;
    if (t && (t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.tagName === 'INPUT' || t.isContentEditable)) return;
    event.preventDefault();
    event.stopPropagation();
    curate(state.docId).catch(report);
  }, true);
  $('curate-open').addEventListener('click', () => (curating() !== null ? curate(null) : curate(state.docId)).catch(report));
  $('curation-agreed').addEventListener('click', () => takeAgreed().catch(report));
  $('curation-prev').addEventListener('click', () => go(at - 1));
  $('curation-next').addEventListener('click', () => go(at + 1));
}
