// Relations drawn as arcs over the text, from span to span, with their
// label: one SVG laid over the document's drawn blocks, redrawn after each
// drawing. Only relations whose two spans are drawn (the blocks in view and
// the margin) get an arc, so a document with thousands of relations costs
// what its visible part holds. Labels are text nodes, never HTML.

const NS = 'http://www.w3.org/2000/svg';

let svg = null;

// The first line box of a span's element, in the document's scrolled
// coordinates (what the SVG, placed at the scroll origin, draws in).
function anchor(el, root, origin) {
  const r = el.getClientRects()[0] || el.getBoundingClientRect();
  return {
    x: r.left - origin.left - root.clientLeft + root.scrollLeft + Math.min(r.width / 2, 24),
    y: r.top - origin.top - root.clientTop + root.scrollTop,
  };
}

function node(name, attrs) {
  const el = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

// `relations`: [{id, from, to, label}]; `labels`: the project's relation
// labels [{name, color, directed}].
export function drawArcs(root, relations, labels) {
  if (!svg) {
    svg = node('svg', { class: 'arcs', width: 1, height: 1, 'aria-hidden': 'true' });
  }
  if (!relations.length) {
    if (svg.isConnected) svg.replaceChildren();
    return;
  }
  if (svg.parentNode !== root) root.append(svg);
  const drawn = new Map();
  for (const el of root.querySelectorAll('mark.span[data-id]')) drawn.set(el.dataset.id, el);
  const byName = new Map(labels.map((l) => [l.name, l]));
  const origin = root.getBoundingClientRect();
  const frag = document.createDocumentFragment();
  for (const r of relations) {
    const from = drawn.get(r.from);
    const to = drawn.get(r.to);
    if (!from || !to) continue;
    const a = anchor(from, root, origin);
    const b = anchor(to, root, origin);
    const label = byName.get(r.label);
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
    frag.append(g);
  }
  svg.replaceChildren(frag);
}
