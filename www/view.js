// Drawing: the document with its spans, and the label bar. Document text,
// labels and every other imported string reach the DOM only as text nodes or
// attribute values, never as HTML.

const SOURCES = ['user', 'model', 'rule'];
const FIELDS = 6; // start, end (code points), start16, end16, label index, source

// Draws `text` into `root` with one <mark> per span. `table` is the core's
// flat span table (sorted by start, parents first). Properly nested spans
// nest; a span that crosses another's edge cannot be drawn as one element and
// is left out of the drawing (it stays in the data).
export function drawDocument(root, text, table, labels, selected) {
  const frag = document.createDocumentFragment();
  const stack = [{ el: frag, end16: Infinity }];
  let pos = 0; // UTF-16 position written so far
  const emitText = (upTo) => {
    if (upTo > pos) {
      stack[stack.length - 1].el.appendChild(document.createTextNode(text.slice(pos, upTo)));
      pos = upTo;
    }
  };
  for (let i = 0; i < table.length; i += FIELDS) {
    const s16 = table[i + 2];
    const e16 = table[i + 3];
    while (stack.length > 1 && stack[stack.length - 1].end16 <= s16) {
      emitText(stack[stack.length - 1].end16);
      stack.pop();
    }
    if (s16 < pos || e16 > stack[stack.length - 1].end16) continue; // crossing overlap
    emitText(s16);
    const label = labels[table[i + 4]];
    const el = document.createElement('mark');
    el.className = 'span';
    el.dataset.start = String(table[i]);
    el.dataset.end = String(table[i + 1]);
    el.dataset.label = label ? label.name : '?';
    el.dataset.source = SOURCES[table[i + 5]] || 'user';
    if (label) el.style.setProperty('--c', label.color);
    if (selected && selected.start === table[i] && selected.end === table[i + 1]) {
      el.classList.add('selected');
    }
    stack[stack.length - 1].el.appendChild(el);
    stack.push({ el, end16: e16 });
  }
  while (stack.length > 1) {
    emitText(stack[stack.length - 1].end16);
    stack.pop();
  }
  emitText(text.length);
  root.replaceChildren(frag);
}

// The label bar: one button per label, carrying data-label and data-key.
// `counts` gives each label's number of spans in the open document.
export function drawLabels(bar, labels, counts, onPick) {
  const frag = document.createDocumentFragment();
  for (const l of labels) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'label';
    b.dataset.label = l.name;
    if (l.key != null) b.dataset.key = l.key;
    b.style.setProperty('--c', l.color);
    if (l.key != null) {
      const k = document.createElement('kbd');
      k.textContent = l.key;
      b.appendChild(k);
    }
    b.appendChild(document.createTextNode(l.name));
    const n = document.createElement('span');
    n.className = 'label-count';
    n.textContent = String(counts[l.name] || 0);
    b.appendChild(n);
    b.addEventListener('click', () => onPick(l.name));
    frag.appendChild(b);
  }
  bar.replaceChildren(frag);
}

// UTF-16 offset of a DOM position inside `root` (label badges are CSS
// generated content, so they are not counted).
export function offsetIn(root, node, offset) {
  const r = document.createRange();
  r.setStart(root, 0);
  r.setEnd(node, offset);
  return r.toString().length;
}

// The DOM position of a UTF-16 offset inside `root`.
function positionOf(root, offset16) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let left = offset16;
  let node = walker.nextNode();
  let last = null;
  while (node) {
    if (left <= node.data.length) return [node, left];
    left -= node.data.length;
    last = node;
    node = walker.nextNode();
  }
  return last ? [last, last.data.length] : [root, 0];
}

// Shows [start16, end16) as the browser selection.
export function showSelection(root, start16, end16) {
  const sel = window.getSelection();
  const r = document.createRange();
  const [a, ao] = positionOf(root, start16);
  const [b, bo] = positionOf(root, end16);
  r.setStart(a, ao);
  r.setEnd(b, bo);
  sel.removeAllRanges();
  sel.addRange(r);
}

export function spanElement(root, start, end) {
  return root.querySelector(`mark.span[data-start="${start}"][data-end="${end}"]`);
}

// Marks search matches (flat [start, end, start16, end16] quadruples) with the
// CSS Custom Highlight API, which leaves the DOM (and so the span elements and
// their textContent) untouched.
export function highlightMatches(root, matches) {
  if (!globalThis.CSS || !CSS.highlights) return;
  if (!matches || !matches.length) {
    CSS.highlights.delete('search');
    return;
  }
  const ranges = [];
  for (let i = 0; i < matches.length && ranges.length < 5000; i += 4) {
    const r = document.createRange();
    const [a, ao] = positionOf(root, matches[i + 2]);
    const [b, bo] = positionOf(root, matches[i + 3]);
    r.setStart(a, ao);
    r.setEnd(b, bo);
    ranges.push(r);
  }
  CSS.highlights.set('search', new Highlight(...ranges));
}
