// The agreement drawer of a team project: annotators × annotators, each
// cell the pair's span F1 and token kappa over the documents both marked
// done (the core's `agreement`, src/agreement.rs), a label filter, and a
// click on a cell listing the documents where the two differ most (a click
// on one opens it). This module only draws what the core computed.

const $ = (id) => document.getElementById(id);

const figure = (x) => (x === null || x === undefined ? '–' : x.toFixed(2));

// A cell's colour from its F1: the lower, the warmer (also said in words in
// its title, so colour is never the only cue).
function shade(f1) {
  if (f1 === null || f1 === undefined) return '';
  if (f1 >= 0.9) return 'agree-high';
  if (f1 >= 0.7) return 'agree-mid';
  return 'agree-low';
}

function pairOf(result, a, b) {
  return result.pairs.find((p) => (p.a === a && p.b === b) || (p.a === b && p.b === a));
}

// `agreement(labels)` resolves to the core's result ({annotators, pairs:
// [{a, b, documents, f1, kappa, perLabel, differences}]}); `labels()` gives
// the project's label names; `names(docId)` a document's display name;
// `open(docId)` opens it.
export function wireAgreement({ agreement, labels, names, open, report }) {
  const panel = $('agreement-panel');
  const matrix = $('agreement-matrix');
  const filter = $('agreement-labels');
  const detail = $('agreement-detail');
  let chosen = null; // [a, b] of the clicked cell

  function drawDetail(result) {
    detail.replaceChildren();
    const pair = chosen && pairOf(result, chosen[0], chosen[1]);
    if (!pair) return;
    const head = document.createElement('h3');
    head.textContent = `${pair.a} and ${pair.b}: ${pair.documents} document${pair.documents === 1 ? '' : 's'} both marked done`;
    detail.append(head);
    const per = Object.entries(pair.perLabel || {});
    if (per.length) {
      const p = document.createElement('p');
      p.className = 'agreement-per-label';
      p.textContent = per.map(([l, s]) => `${l} ${figure(s.f1)} (${s.both} of ${s.a} / ${s.b})`).join(' · ');
      detail.append(p);
    }
    if (!pair.differences?.length) {
      const p = document.createElement('p');
      p.textContent = pair.documents ? 'They agree on every token.' : 'No document both marked done yet.';
      detail.append(p);
      return;
    }
    const list = document.createElement('ol');
    list.className = 'agreement-docs';
    for (const d of pair.differences) {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.doc = d.docId;
      b.textContent = `${names(d.docId)}: ${d.tokens} token${d.tokens === 1 ? '' : 's'} apart, F1 ${figure(d.f1)}`;
      b.addEventListener('click', () => open(d.docId));
      li.append(b);
      list.append(li);
    }
    detail.append(list);
  }

  function drawMatrix(result) {
    const table = document.createElement('table');
    const head = table.createTHead().insertRow();
    head.append(Object.assign(document.createElement('th'), { textContent: 'F1 / κ' }));
    for (const b of result.annotators) head.append(Object.assign(document.createElement('th'), { textContent: b, scope: 'col' }));
    const body = table.createTBody();
    for (const a of result.annotators) {
      const row = body.insertRow();
      row.append(Object.assign(document.createElement('th'), { textContent: a, scope: 'row' }));
      for (const b of result.annotators) {
        const cell = row.insertCell();
        if (a === b) continue;
        const pair = pairOf(result, a, b);
        const button = document.createElement('button');
        button.type = 'button';
        button.className = `agreement-cell ${shade(pair?.f1)}`;
        button.dataset.a = a;
        button.dataset.b = b;
        button.textContent = pair?.documents ? `${figure(pair.f1)} / ${figure(pair.kappa)}` : '–';
        button.title = pair?.documents
          ? `${a} and ${b}: span F1 ${figure(pair.f1)}, token kappa ${figure(pair.kappa)} over ${pair.documents} document${pair.documents === 1 ? '' : 's'}; click for where they differ`
          : `${a} and ${b} have no document both marked done`;
        button.setAttribute('aria-pressed', String(!!chosen && chosen[0] === a && chosen[1] === b));
        button.addEventListener('click', () => {
          chosen = [a, b];
          draw(result);
        });
        cell.append(button);
      }
    }
    matrix.replaceChildren(table);
    if (result.annotators.length < 2) {
      const p = document.createElement('p');
      p.textContent = `${result.annotators.length} annotator${result.annotators.length === 1 ? '' : 's'} so far: agreement needs two.`;
      matrix.append(p);
    }
  }

  function draw(result) {
    drawMatrix(result);
    drawDetail(result);
  }

  async function refresh() {
    const picked = [...filter.selectedOptions].map((o) => o.value);
    const result = await agreement(picked.length ? picked : undefined);
    draw(result);
    return result;
  }

  function fillFilter() {
    const keep = new Set([...filter.selectedOptions].map((o) => o.value));
    filter.replaceChildren(...labels().map((name) => {
      const o = document.createElement('option');
      o.value = name;
      o.textContent = name;
      o.selected = keep.has(name);
      return o;
    }));
  }

  filter.addEventListener('change', () => refresh().catch(report));
  $('agreement-open').addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    if (panel.hidden) return;
    fillFilter();
    refresh().catch(report);
  });
  return { refresh };
}
