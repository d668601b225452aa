// The rules panel: per-label phrase lists (match case / ignore case) and
// regex patterns, kept as spaCy EntityRuler JSONL in the `settings` store
// (key 'rules') and given to the core, which matches them and turns the
// panel's lists into patterns and back. Import and export use the same JSONL.

import { download, readFiles } from './files.js';
import { readsFirst, settingsChanged } from './page.js';

const KEY = 'rules';
const LISTS = [
  ['phrases', 'Phrases, one a line (match case)'],
  ['phrasesIgnoreCase', 'Phrases, one a line (ignore case)'],
  ['patterns', 'Regex patterns, one a line'],
];

export async function wireRules(ctx) {
  const { state } = ctx;
  const $ = (id) => document.getElementById(id);

  // Restored before any document opens, so that its pre-annotation has them.
  const stored = await state.store.setting(KEY);
  if (stored) {
    try {
      state.core.setRules(stored);
    } catch (e) {
      ctx.report(new Error(`The stored rules could not be used: ${e.message || e}`));
    }
  }

  // Gives the core new rules (JSONL); once they are saved, with the open
  // document's refreshed suggestions, resolves to what was read. A broken
  // line rejects and changes nothing.
  function setRules(jsonl) {
    return ctx.serial(async () => {
      if (typeof jsonl !== 'string') throw new Error('setRules(jsonl): give the patterns as a string');
      const before = state.core.rulesJsonl();
      const info = state.core.setRules(jsonl);
      try {
        await state.store.write({ settings: { [KEY]: state.core.rulesJsonl() }, labels: state.core.labels() });
        if (state.docId) await ctx.persistAndDraw();
        settingsChanged();
      } catch (e) {
        state.core.setRules(before);
        if (state.docId) ctx.draw();
        throw e;
      }
      drawPanel();
      const skipped = info.skipped.length
        ? `; skipped ${info.skipped.length} pattern${info.skipped.length === 1 ? '' : 's'} (${info.skipped.slice(0, 3).map((s) => `line ${s.line}: ${s.reason}`).join('; ')}${info.skipped.length > 3 ? '; …' : ''})`
        : '';
      ctx.status(`${info.rules} rule${info.rules === 1 ? '' : 's'} in use${skipped}`);
      return info;
    });
  }

  // ---- the panel ----

  const rows = $('rules-rows');

  function row(group) {
    const box = document.createElement('fieldset');
    box.className = 'rules-label';
    box.dataset.label = group.label;
    const legend = document.createElement('legend');
    legend.textContent = group.label;
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'rules-remove';
    remove.textContent = 'Remove';
    remove.addEventListener('click', () => box.remove());
    legend.append(' ', remove);
    box.append(legend);
    for (const [name, title] of LISTS) {
      const area = document.createElement('textarea');
      area.name = name;
      area.rows = 3;
      area.placeholder = title;
      area.setAttribute('aria-label', `${group.label}: ${title}`);
      area.value = (group[name] || []).join('\n');
      box.append(area);
    }
    return box;
  }

  function drawPanel() {
    if ($('rules-panel').hidden) return;
    rows.replaceChildren(...state.core.rulesGroups().map(row));
    const pick = $('rules-new-label');
    const options = state.labels.map((l) => {
      const o = document.createElement('option');
      o.value = l.name;
      return o;
    });
    $('rules-label-names').replaceChildren(...options);
    pick.value = '';
  }

  function panelGroups() {
    return [...rows.querySelectorAll('.rules-label')].map((box) => {
      const g = { label: box.dataset.label };
      for (const [name] of LISTS) {
        g[name] = box.querySelector(`textarea[name="${name}"]`).value.split(/\r?\n/).filter((l) => l.trim() !== '');
      }
      return g;
    });
  }

  $('rules-open').addEventListener('click', () => {
    $('rules-panel').hidden = !$('rules-panel').hidden;
    drawPanel();
  });
  $('rules-add').addEventListener('click', () => {
    const label = $('rules-new-label').value.trim();
    if (!label) return;
    const existing = [...rows.querySelectorAll('.rules-label')].find((b) => b.dataset.label === label);
    const box = existing || row({ label });
    if (!existing) rows.append(box);
    box.querySelector('textarea').focus();
    $('rules-new-label').value = '';
  });
  $('rules-apply').addEventListener('click', () => {
    let jsonl;
    try {
      jsonl = state.core.rulesFromGroups(panelGroups());
    } catch (e) {
      ctx.report(e);
      return;
    }
    setRules(jsonl).catch(ctx.report);
  });
  $('rules-file').addEventListener('change', readsFirst(async (event) => {
    const files = [...event.target.files];
    event.target.value = '';
    if (!files.length) return;
    const [{ name, bytes }] = await readFiles(files.slice(0, 1));
    let text;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      ctx.report(new Error(`${name}: not UTF-8 text`));
      return;
    }
    setRules(text).catch((e) => ctx.report(new Error(`${name}: ${e.message || e}`)));
  }));
  $('rules-export').addEventListener('click', () => {
    download('patterns.jsonl', state.core.rulesJsonl(), 'application/jsonl');
  });

  return {
    contract: {
      setRules: (jsonl) => setRules(jsonl),
      rules: () => state.core.rulesJsonl(),
    },
  };
}
