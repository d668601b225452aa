// Drawing: the document with its spans, and the label bar. Document text,
// labels and every other imported string reach the DOM only as text nodes or
// attribute values, never as HTML.

const SOURCES = ['user', 'model', 'rule'];

// Who made the open document's suggestions, per source, in the core's
// words ({model: 'the model learned from 3 documents', rule: 'a rule'}):
// a suggestion's title says it.
let suggesters = {};
export function setSuggesters(s) {
  suggesters = s || {};
}
const FIELDS = 8; // start, end (code points), start16, end16, label index, source, id number, flags
const HAS_NOTE = 1;

// Draws the block `[s16, e16)` of `text` as a <div> with one <mark> per span.
// `table` is the core's flat span table for the block (sorted by start,
// parents first). Properly nested spans nest, each one's underline below
// those it holds (`--h`: how many levels it holds), so that every one of a
// deep nest shows and takes a click. A span that crosses another's edge
// (overlap `any`) cannot be one element: it is drawn as its element up to
// that edge, then continued by pieces that carry `data-part-of` (its
// "start:end") and none of the span's own attributes, so that `#doc` still
// has one element per span with `data-start`; the pieces look like it and
// take its clicks.
export function drawBlock(text, s16Block, e16Block, table, labels, selected) {
  const block = document.createElement('div');
  block.className = 'block';
  block.dataset.start16 = String(s16Block);
  block.dataset.end16 = String(e16Block);
  const stack = [{ el: block, end16: e16Block, h: 0 }];
  let deepest = 0;
  let pos = s16Block; // UTF-16 position written so far
  let rest = []; // spans cut at an edge, to go on from `pos`
  const emitText = (upTo) => {
    if (upTo > pos) {
      stack[stack.length - 1].el.appendChild(document.createTextNode(text.slice(pos, upTo)));
      pos = upTo;
    }
  };
  // Opens `el` (a span or a piece of one) from `pos` to `end16`, cut at the
  // edge of the element it goes into.
  const open = (el, end16, span) => {
    const top = stack[stack.length - 1];
    stack[stack.length - 1].el.appendChild(el);
    stack.push({ el, end16: Math.min(end16, top.end16), h: 0, span, to: end16 });
  };
  const close = () => {
    emitText(stack[stack.length - 1].end16);
    const done = stack.pop();
    if (done.h) done.el.style.setProperty('--h', String(done.h));
    const parent = stack[stack.length - 1];
    if (stack.length > 1) parent.h = Math.max(parent.h, done.h + 1);
    deepest = Math.max(deepest, done.h);
    if (done.to > done.end16) rest.push(done);
    // Cut spans go on once the element that cut them has closed (the
    // longest first, so that the others nest in it).
    if (rest.length && parent.end16 > pos) {
      const going = rest.sort((a, b) => b.to - a.to);
      rest = [];
      for (const cut of going) open(piece(cut.span), cut.to, cut.span);
    }
  };
  for (let i = 0; i < table.length; i += FIELDS) {
    const s16 = table[i + 2];
    const e16 = table[i + 3];
    while (stack.length > 1 && stack[stack.length - 1].end16 <= s16) close();
    if (s16 < pos) continue; // not sorted: never from the core
    emitText(s16);
    const label = labels[table[i + 4]];
    const el = document.createElement('mark');
    el.className = 'span';
    el.dataset.start = String(table[i]);
    el.dataset.end = String(table[i + 1]);
    el.dataset.label = label ? label.name : '?';
    el.dataset.source = SOURCES[table[i + 5]] || 'user';
    if (table[i + 6]) el.dataset.id = `T${table[i + 6]}`;
    if (table[i + 7] & HAS_NOTE) el.dataset.note = '';
    if (el.dataset.source !== 'user' && suggesters[el.dataset.source]) {
      el.title = `${el.dataset.label} suggestion by ${suggesters[el.dataset.source]}`;
    }
    if (label) el.style.setProperty('--c', label.color);
    if (selected && selected.start === table[i] && selected.end === table[i + 1]) {
      el.classList.add('selected');
    }
    open(el, e16, el);
  }
  while (stack.length > 1) close();
  emitText(e16Block);
  // Lines of a block with deep nests leave room for the stacked underlines.
  if (deepest) block.style.setProperty('--depth', String(deepest));
  return block;
}

// A piece continuing the span drawn as `el`: its look, not its identity.
function piece(el) {
  const part = document.createElement('mark');
  part.className = el.className;
  part.dataset.partOf = `${el.dataset.start}:${el.dataset.end}`;
  part.dataset.source = el.dataset.source;
  if (el.title) part.title = el.title;
  const c = el.style.getPropertyValue('--c');
  if (c) part.style.setProperty('--c', c);
  return part;
}

// The span a drawn element stands for ({start, end} in code points), be it
// the span's element or a piece of it; null for anything else.
export function spanOf(el) {
  const mark = el && el.closest && el.closest('mark.span');
  if (!mark) return null;
  if (mark.dataset.partOf) {
    const [start, end] = mark.dataset.partOf.split(':').map(Number);
    return { start, end };
  }
  return { start: Number(mark.dataset.start), end: Number(mark.dataset.end) };
}

// The label bar: one button per label the core chose to show (all of them
// but in very large sets), each carrying data-label, data-key and its count
// of spans in the open document; `hidden` says how many more the search finds.
const drawnShape = new WeakMap(); // bar -> what its buttons show, but counts

export function drawLabels(bar, labels, hidden, onPick) {
  // The same labels as drawn (an edit changed only counts): the numbers
  // that changed, not forty buttons made anew and the bar laid out again.
  const shape = JSON.stringify([hidden, labels.map((l) => [l.name, l.key, l.color])]);
  if (drawnShape.get(bar) === shape) {
    const counts = bar.querySelectorAll('.label-count');
    labels.forEach((l, i) => {
      if (counts[i].textContent !== String(l.count)) counts[i].textContent = String(l.count);
    });
    return;
  }
  drawnShape.set(bar, shape);
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
    n.textContent = String(l.count);
    b.appendChild(n);
    b.addEventListener('click', () => onPick(l.name));
    frag.appendChild(b);
  }
  if (hidden) {
    const more = document.createElement('span');
    more.className = 'label-more';
    more.textContent = `+${hidden} more: find them →`;
    frag.appendChild(more);
  }
  bar.replaceChildren(frag);
}

// The UTF-16 offset in the document of a DOM position inside the view
// (label badges are CSS generated content, so they are not counted).
export function offsetIn(root, node, offset) {
  let block = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  block = block && block.closest('.block');
  if (!block || !root.contains(block)) {
    // A position between blocks (or on a spacer): the edge of the nearest block.
    const child = node === root ? root.childNodes[offset] : null;
    const next = child && child.classList && child.classList.contains('block') ? child : null;
    return next ? Number(next.dataset.start16) : null;
  }
  const r = document.createRange();
  r.setStart(block, 0);
  r.setEnd(node, offset);
  return Number(block.dataset.start16) + r.toString().length;
}

// The DOM position of UTF-16 offset `o`, if its block is drawn.
function positionOf(root, o) {
  let block = null;
  for (const b of root.querySelectorAll('.block')) {
    if (Number(b.dataset.start16) <= o) block = b;
    else break;
  }
  if (!block || o > Number(block.dataset.end16)) return null;
  const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
  let left = o - Number(block.dataset.start16);
  let last = null;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (left <= n.data.length) return [n, left];
    left -= n.data.length;
    last = n;
  }
  return last ? [last, last.data.length] : [block, 0];
}

// Shows [start16, end16) as the browser selection.
export function showSelection(root, start16, end16) {
  const a = positionOf(root, start16);
  const b = positionOf(root, end16);
  if (!a || !b) return;
  const sel = window.getSelection();
  const r = document.createRange();
  r.setStart(a[0], a[1]);
  r.setEnd(b[0], b[1]);
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
  const blocks = [...root.querySelectorAll('.block')];
  if (!matches || !matches.length || !blocks.length) {
    CSS.highlights.delete('search');
    return;
  }
  const lo = Number(blocks[0].dataset.start16);
  const ranges = [];
  for (let i = 0; i < matches.length; i += 4) {
    if (matches[i + 3] < lo) continue;
    const a = positionOf(root, matches[i + 2]);
    const b = positionOf(root, matches[i + 3]);
    if (!a || !b) continue;
    const r = document.createRange();
    r.setStart(a[0], a[1]);
    r.setEnd(b[0], b[1]);
    ranges.push(r);
    if (ranges.length > 2000) break;
  }
  CSS.highlights.set('search', new Highlight(...ranges));
}
