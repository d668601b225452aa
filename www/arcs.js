// Relations drawn as arcs over the text, from span to span, with their
// label: one SVG laid over the document's drawn blocks. Only relations whose
// two spans are drawn (the blocks in view and the margin) get an arc, so a
// document with thousands of relations costs what its visible part holds.
// Labels are text nodes, never HTML.
//
// Drawing is incremental, because it follows every scroll that draws other
// blocks: where a span's arc ends is read once per block element (a block
// is a new element whenever its content changed), relative to the block;
// an arc whose two blocks kept their elements and their places keeps its
// element. All layout is read before anything is written, so one drawing
// forces at most one layout.

const NS = 'http://www.w3.org/2000/svg';

let svg = null;
let layer = null; // the <g> that moves the arcs into the SVG's own box
const arcs = new Map(); // relation id -> {g, key}
let indexed = null; // the relations and labels the caches below were made for
let drawnLabels = null;
let ends = new Map(); // span id -> the relations it is an end of
// Block element -> Map span id -> {x, y} of its arc end, relative to the
// block. Made anew for each relations array (ends may have changed).
let anchors = new WeakMap();

function node(name, attrs) {
  const el = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

// The relation ends in `block`, relative to its box: the first line box
// of each span (a layout read).
function blockAnchors(block) {
  let found = anchors.get(block);
  if (found) return found;
  found = new Map();
  const box = block.getBoundingClientRect();
  for (const el of block.querySelectorAll('mark.span[data-id]')) {
    if (!ends.has(el.dataset.id)) continue;
    const r = el.getClientRects()[0] || el.getBoundingClientRect();
    found.set(el.dataset.id, { x: r.left - box.left + Math.min(r.width / 2, 24), y: r.top - box.top });
  }
  anchors.set(block, found);
  return found;
}

function arcElement(r, a, b, label) {
  const color = label ? label.color : '#555';
  const rise = 10 + Math.min(26, Math.abs(b.x - a.x) / 10 + Math.abs(b.y - a.y) / 6);
  const top = Math.min(a.y, b.y) - rise;
  const g = node('g', { 'data-relation': r.id });
  g.append(node('path', {
    d: `M${a.x},${a.y} C${a.x},${top} ${b.x},${top} ${b.x},${b.y}`,
    stroke: color,
  }));
  if (!label || label.directed) {
    g.append(node('path', { d: `M${b.x - 3.5},${b.y - 6} L${b.x},${b.y} L${b.x + 3.5},${b.y - 6}`, stroke: color }));
  }
  // The curve's middle (t = 1/2 of the cubic), a little above it.
  const text = node('text', { x: (a.x + b.x) / 2, y: 0.125 * (a.y + b.y) + 0.75 * top - 2, fill: color, 'text-anchor': 'middle' });
  text.textContent = r.label;
  g.append(text);
  return g;
}

function clear() {
  for (const { g } of arcs.values()) g.remove();
  arcs.clear();
}

// `relations`: [{id, from, to, label}]; `labels`: the project's relation
// labels [{name, color, directed}]. The relations array is replaced, never
// changed in place, when what it holds changes.
export function drawArcs(root, relations, labels) {
  if (!svg) {
    svg = node('svg', { class: 'arcs', width: 1, height: 1, 'aria-hidden': 'true' });
    layer = node('g', {});
    svg.append(layer);
  }
  // The labels come anew from the core after every edit: what they say
  // decides, not which array it is.
  const labelShape = JSON.stringify(labels);
  if (relations !== indexed || labelShape !== drawnLabels) {
    indexed = relations;
    drawnLabels = labelShape;
    ends = new Map();
    for (const r of relations) {
      for (const id of [r.from, r.to]) {
        const list = ends.get(id);
        if (list) list.push(r);
        else ends.set(id, [r]);
      }
    }
    anchors = new WeakMap();
    clear();
  }
  if (!relations.length) {
    svg.remove();
    return;
  }
  // Reads: each drawn block's place, and the arc ends of blocks not seen.
  const blocks = root.querySelectorAll(':scope > .block');
  const width = root.clientWidth;
  const where = new Map(); // span id -> {x, y, at} in the document's scrolled box
  let lo = Infinity;
  let hi = -Infinity;
  for (const block of blocks) {
    const found = blockAnchors(block);
    if (!found.size) continue;
    const left = block.offsetLeft;
    const top = block.offsetTop;
    lo = Math.min(lo, top);
    hi = Math.max(hi, top + block.offsetHeight);
    for (const [id, p] of found) where.set(id, { x: left + p.x, y: top + p.y });
  }
  // Writes.
  const byName = new Map(labels.map((l) => [l.name, l]));
  const wanted = new Set();
  for (const id of where.keys()) {
    for (const r of ends.get(id)) {
      if (wanted.has(r.id)) continue;
      const a = where.get(r.from);
      const b = where.get(r.to);
      if (!a || !b) continue;
      wanted.add(r.id);
      const key = `${a.x},${a.y},${b.x},${b.y}`;
      const had = arcs.get(r.id);
      if (had && had.key === key) continue;
      const g = arcElement(r, a, b, byName.get(r.label));
      if (had) had.g.replaceWith(g);
      else layer.append(g);
      arcs.set(r.id, { g, key });
    }
  }
  for (const [id, { g }] of arcs) {
    if (wanted.has(id)) continue;
    g.remove();
    arcs.delete(id);
  }
  if (!wanted.size) {
    svg.remove();
    return;
  }
  // The SVG covers the drawn blocks only (arcs rise above their spans, and
  // overflow shows them): not the whole scrolled height.
  const y = Math.max(0, lo - 40);
  const box = `${y} ${Math.max(1, hi - y)} ${width}`;
  if (svg.dataset.box !== box) {
    svg.dataset.box = box;
    svg.style.top = `${y}px`;
    svg.setAttribute('height', String(Math.max(1, hi - y)));
    svg.setAttribute('width', String(width));
    layer.setAttribute('transform', `translate(0,${-y})`);
  }
  if (svg.parentNode !== root) root.append(svg);
}
