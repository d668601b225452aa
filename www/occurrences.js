// "Label every occurrence" (in this document, or in the whole project) and
// the inconsistency panel. The core finds the occurrences and makes each
// document's labeling one undoable change; this module reads and writes the
// stored records and draws the list.

import { inconsistencies as coreInconsistencies } from './pkg/spanmark.js';
import { edited, onEdited } from './page.js';

export function wireOccurrences(ctx) {
  const { state } = ctx;
  const $ = (id) => document.getElementById(id);

  // Labels every other occurrence of the span at start..end; with `project`,
  // in every other stored document too (one durable write, one undoable
  // change per document). Resolves to the number added, once durable.
  async function labelEvery(start, end, { project = false } = {}) {
    const done = await ctx.act({ op: 'labelEvery', start, end });
    if (!project) return done.count;
    return ctx.serial(async () => {
      const { text: surface, label } = done.every;
      let total = done.count;
      let docs = 0;
      const records = [];
      for (const id of await state.store.documentIds()) {
        if (id === state.docId) continue;
        const doc = await state.store.document(id);
        const record = await state.store.annotations(id);
        // Each record the core makes says which log entries it folds in:
        // should another tab log an edit before the write, the write is
        // refused rather than drop it.
        const { entries: log } = record ? await state.store.editsFor(id) : { entries: [] };
        const out = state.core.labelTextIn(doc, record ?? null, log, surface, label);
        if (!out.record) continue;
        records.push(out.record);
        total += out.count;
        docs += 1;
      }
      if (records.length) {
        try {
          await state.store.write({ annotations: records });
        } catch (e) {
          if (e && e.name === 'ConflictError') {
            throw new Error(`Labeled ${done.count} here; the other documents were being edited in another tab, so nothing was changed there: press Shift+E again`);
          }
          throw e;
        }
        for (const r of records) ctx.announce(r.docId);
      }
      await ctx.reloadList();
      edited();
      ctx.status(`labeled ${total} more occurrence${total === 1 ? '' : 's'} of “${surface}” as ${label} here and in ${docs} other document${docs === 1 ? '' : 's'}`);
      return total;
    });
  }

  function inconsistencies({ unlabeled = false } = {}) {
    return ctx.serial(async () => {
      await ctx.flush();
      return coreInconsistencies(await state.store.allDocuments(), Boolean(unlabeled));
    });
  }

  // Opens a document at a place, the span there selected (or the text, ready
  // for a label key, when it is unlabeled).
  function openAt(id, start, end) {
    return ctx.serial(async () => {
      if (id !== state.docId) await ctx.openDocument(id);
      const hasSpan = state.core.spans().some((s) => s.start === start && s.end === end);
      if (hasSpan) {
        ctx.selectSpan(start, end);
        ctx.status(state.core.describeSpan(start, end));
      } else ctx.selectText(start, end);
      ctx.clearError();
    });
  }

  // ---- the panel ----

  // A place as a person reads it: the document's name, the words around
  // it with the string marked, and what is there (a label of yours, a
  // suggestion, or nothing).
  function place(text, p) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'place';
    b.dataset.doc = p.doc;
    b.dataset.start = String(p.start);
    b.dataset.end = String(p.end);
    const name = document.createElement('span');
    name.className = 'place-name';
    name.textContent = p.name;
    const mark = document.createElement('mark');
    mark.textContent = text;
    const what = document.createElement('span');
    what.className = 'place-label';
    if (p.label) what.textContent = p.label;
    else if (p.suggestion) {
      what.textContent = `${p.suggestion} (suggestion)`;
      what.classList.add('suggested');
    } else what.textContent = 'unlabeled';
    b.append(name, p.before, mark, p.after, what);
    b.addEventListener('click', () => openAt(p.doc, p.start, p.end).catch(ctx.report));
    return b;
  }

  function entry(item) {
    const box = document.createElement('div');
    box.className = 'inconsistency';
    box.dataset.text = item.text;
    const head = document.createElement('div');
    const text = document.createElement('strong');
    text.textContent = item.text;
    const counts = item.labels.map((c) => `${c.label} ×${c.count}`);
    if (item.suggested) counts.push(`suggested ×${item.suggested}`);
    if (item.unlabeled) counts.push(`unlabeled ×${item.unlabeled}`);
    head.append(text, ` ${counts.join(', ')}`);
    box.append(head, ...item.places.map((p) => place(item.text, p)));
    return box;
  }

  async function drawPanel() {
    const list = await inconsistencies({ unlabeled: $('inconsistencies-unlabeled').checked });
    $('inconsistencies-list').replaceChildren(...list.map(entry));
    $('inconsistencies-info').textContent = list.length
      ? `${list.length} string${list.length === 1 ? '' : 's'} labeled inconsistently`
      : 'No inconsistencies';
  }

  // While the panel is open it follows the edits (a burst of them redraws
  // it once): a list that no longer says what is there misleads.
  let refresh = null;
  onEdited(() => {
    if ($('inconsistencies-panel').hidden || refresh) return;
    refresh = setTimeout(() => {
      refresh = null;
      if (!$('inconsistencies-panel').hidden) drawPanel().catch(ctx.report);
    }, 200);
  });

  $('inconsistencies-open').addEventListener('click', () => {
    $('inconsistencies-panel').hidden = !$('inconsistencies-panel').hidden;
    if (!$('inconsistencies-panel').hidden) drawPanel().catch(ctx.report);
  });
  $('inconsistencies-refresh').addEventListener('click', () => drawPanel().catch(ctx.report));
  $('inconsistencies-unlabeled').addEventListener('change', () => drawPanel().catch(ctx.report));

  return {
    labelEvery,
    contract: {
      labelEveryOccurrence: (start, end, opts) => labelEvery(start, end, opts || {}),
      inconsistencies: (opts) => inconsistencies(opts || {}),
    },
  };
}
