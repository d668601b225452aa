// The document view: draws only the blocks (see src/layout.rs) that are on
// screen, plus a margin, between two spacers that stand for the rest. Block
// heights are estimated until a block has been drawn once, then measured.
// Offsets given to and taken from this module are UTF-16 units of the text,
// the browser's own; the core converts them.

import { drawBlock } from './view.js';

const MARGIN = 1200; // px drawn above and below what is visible

export class DocView {
  constructor(root) {
    this.root = root;
    this.text = '';
    this.blocks = new Uint32Array(0); // [start16, end16] pairs
    this.heights = [];                // measured or estimated, per block
    this.measured = [];
    this.tops = [0];                  // prefix sums of heights
    this.first = 0;                   // drawn blocks: [first, last)
    this.last = 0;
    this.els = new Map();             // block index -> its drawn element
    this.unsaved = new Set();         // "start16:end16" of blocks with an edit not yet durable
    this.source = null;               // (start16, end16) => span table rows
    this.afterDraw = null;            // called after every drawing
    this.top = document.createElement('div');
    this.bottom = document.createElement('div');
    this.top.className = 'spacer';
    this.bottom.className = 'spacer';
    this.scheduled = false;
    this.resized = false;
    this.filling = null;              // the last opening's margin, until drawn
    this.width = 0;
    root.addEventListener('scroll', () => this.schedule());
    new ResizeObserver(() => {
      // A new width reflows every block: drawn ones are measured again.
      if (this.root.clientWidth !== this.width) this.resized = true;
      this.schedule();
    }).observe(root);
  }

  // Lays out, once and out of sight, a block with a suggestion and a span
  // of one's own, so that what a first layout of them costs (finding the
  // fonts of the text and the badges) is paid while the page waits for its
  // core, not between the first document's drawing and its frame. Nothing
  // is left in the DOM and nothing is painted (all in this one task).
  warm() {
    const table = new Uint32Array([0, 3, 0, 3, 0, 1, 0, 0, 4, 7, 4, 7, 0, 0, 1, 0]);
    const block = drawBlock('WHO and UN', 0, 10, table, [{ name: 'ORG', color: '#eee' }], null);
    block.style.position = 'absolute';
    block.style.visibility = 'hidden';
    this.root.append(block);
    void block.offsetHeight;
    block.remove();
  }

  // A new document: its text, blocks, and how to get a block's spans.
  // Only what is visible is drawn now, the margin around it later: the
  // blocks below the view cost their building and their layout in the
  // opening's own task, and in its first frame, for nothing shown. Later is
  // once `until` (a promise: the opening's save) has settled, else after
  // the first frame.
  open(text, blocks, source, labels, selected, until = null) {
    this.text = text;
    this.unsaved.clear();
    this.source = source;
    this.labels = labels;
    this.selected = selected;
    this.els = new Map();
    this.root.replaceChildren(this.top, this.bottom);
    this.setBlocks(blocks);
    this.root.scrollTop = 0;
    this.draw(true, 0);
    const filling = (this.filling = {});
    const fill = () => {
      if (this.filling !== filling) return;
      this.filling = null;
      this.draw(false);
    };
    if (until) {
      // A task of its own, after the awaiting of the save has gone on.
      until.then(() => setTimeout(fill, 0), () => setTimeout(fill, 0));
    } else {
      requestAnimationFrame(() => setTimeout(fill, 0));
      setTimeout(fill, 100); // a hidden tab gets no frames
    }
  }

  // Every drawn block again (after a label's colour or name changed).
  redraw(labels, selected) {
    this.labels = labels;
    this.selected = selected;
    this.draw(true);
  }

  // After an edit: `patch` is the core's `blockPatch()`, [first, removed,
  // start16, end16, ...]. Only the new blocks are drawn; every other drawn
  // block keeps its element. Returns the new blocks' elements in view.
  patch(patch, labels, selected) {
    this.labels = labels;
    this.selected = selected;
    if (!patch.length) return [];
    const first = patch[0];
    const removed = patch[1];
    const added = (patch.length - 2) / 2;
    const old = this.blocks;
    const blocks = new Uint32Array(old.length + 2 * (added - removed));
    blocks.set(old.subarray(0, 2 * first));
    blocks.set(patch.subarray(2), 2 * first);
    blocks.set(old.subarray(2 * (first + removed)), 2 * (first + added));
    // A block that kept its edges keeps its height (its text did not change).
    const kept = new Map();
    for (let i = first; i < first + removed; i++) {
      if (this.measured[i]) kept.set(`${old[2 * i]}:${old[2 * i + 1]}`, this.heights[i]);
    }
    const heights = [];
    const measured = [];
    let perLine = 0; // read only if needed: reading the width may force a layout
    for (let k = 0; k < added; k++) {
      const s16 = patch[2 + 2 * k];
      const e16 = patch[3 + 2 * k];
      const h = kept.get(`${s16}:${e16}`);
      if (h === undefined && !perLine) perLine = this.perLine();
      heights.push(h !== undefined ? h : this.estimate(e16 - s16, perLine));
      measured.push(h !== undefined);
    }
    if (added === removed) {
      // The usual edit (one block drawn again in place): only the prefix
      // sums after it move, and only if a height changed.
      for (let k = 0; k < added; k++) {
        this.heights[first + k] = heights[k];
        this.measured[first + k] = measured[k];
      }
      this.sumHeights(first);
    } else {
      // Not splice(...spread): a full relayout may bring more blocks than a
      // call takes arguments.
      this.heights = this.heights.slice(0, first).concat(heights, this.heights.slice(first + removed));
      this.measured = this.measured.slice(0, first).concat(measured, this.measured.slice(first + removed));
      this.sumHeights();
    }
    this.blocks = blocks;
    const els = new Map();
    for (const [i, el] of this.els) {
      if (i < first) els.set(i, el);
      else if (i >= first + removed) {
        const j = i + added - removed;
        el.dataset.block = String(j);
        els.set(j, el);
      }
    }
    this.els = els;
    return this.draw(false).filter((el) => {
      const i = Number(el.dataset.block);
      return i >= first && i < first + added;
    });
  }

  // Marks blocks as holding an edit not yet durable, however often they
  // are drawn again before `saved()`.
  markUnsaved(els) {
    for (const el of els) {
      this.unsaved.add(`${el.dataset.start16}:${el.dataset.end16}`);
      el.classList.add('unsaved');
    }
  }

  saved() {
    this.unsaved.clear();
    for (const el of this.root.querySelectorAll('.block.unsaved')) el.classList.remove('unsaved');
  }

  // Moves the selected-span outline without drawing any block again.
  select(selected) {
    this.selected = selected;
    for (const el of this.root.querySelectorAll('mark.span.selected')) el.classList.remove('selected');
    if (!selected) return;
    const { start, end } = selected;
    const els = this.root.querySelectorAll(`mark.span[data-start="${start}"][data-end="${end}"], mark.span[data-part-of="${start}:${end}"]`);
    for (const el of els) el.classList.add('selected');
  }

  // `perLine` is read once per batch: reading the width per block forces
  // a layout each time and made opening 10 MB take 300 ms here.
  estimate(len, perLine = this.perLine()) {
    return 34 * Math.max(1, Math.ceil(len / perLine));
  }

  perLine() {
    return Math.max(20, Math.floor((this.root.clientWidth || 800) / 9));
  }

  setBlocks(blocks) {
    this.blocks = blocks;
    const n = blocks.length / 2;
    const perLine = this.perLine();
    this.heights = new Array(n);
    this.measured = new Array(n).fill(false);
    for (let i = 0; i < n; i++) this.heights[i] = this.estimate(blocks[2 * i + 1] - blocks[2 * i], perLine);
    this.sumHeights();
  }

  // Prefix sums of the heights, from block `from` on (the sums before it
  // are unchanged).
  sumHeights(from = 0) {
    const n = this.heights.length;
    if (from === 0 || this.tops.length !== n + 1) {
      this.tops = new Float64Array(n + 1);
      from = 0;
    }
    for (let i = from; i < n; i++) this.tops[i + 1] = this.tops[i] + this.heights[i];
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      const force = this.resized;
      this.resized = false;
      this.draw(force);
    });
  }

  // The index of the block at vertical position y.
  blockAtY(y) {
    let lo = 0;
    let hi = this.heights.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.tops[mid + 1] <= y) lo = mid + 1;
      else hi = mid;
    }
    return Math.min(lo, Math.max(0, this.heights.length - 1));
  }

  // The index of the block holding UTF-16 offset o.
  blockAt(o) {
    let lo = 0;
    let hi = this.blocks.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.blocks[2 * mid + 1] <= o) lo = mid + 1;
      else hi = mid;
    }
    return Math.min(lo, Math.max(0, this.blocks.length / 2 - 1));
  }

  // Draws the blocks in view and `margin` px around it, reusing the
  // elements of blocks already drawn (with `force`, none is reused).
  // Returns the elements it made.
  draw(force, margin = MARGIN) {
    const n = this.blocks.length / 2;
    const anchor = this.root.scrollTop;
    const y0 = Math.max(0, anchor - margin);
    const y1 = anchor + this.root.clientHeight + margin;
    const first = n ? this.blockAtY(y0) : 0;
    const last = n ? this.blockAtY(y1) + 1 : 0;
    if (force) this.els = new Map();
    let missing = false;
    for (let i = first; i < last && !missing; i++) missing = !this.els.has(i);
    if (!missing && first === this.first && last === this.last) return [];
    if (force) this.width = this.root.clientWidth;
    this.first = first;
    this.last = last;
    const made = [];
    const wanted = [];
    const els = new Map();
    for (let i = first; i < last; i++) {
      let el = this.els.get(i);
      if (!el) {
        const s16 = this.blocks[2 * i];
        const e16 = this.blocks[2 * i + 1];
        el = drawBlock(this.text, s16, e16, this.source(s16, e16), this.labels, this.selected);
        el.dataset.block = String(i);
        if (this.unsaved.has(`${s16}:${e16}`)) el.classList.add('unsaved');
        made.push(el);
      }
      els.set(i, el);
      wanted.push(el);
    }
    this.els = els;
    this.top.style.height = `${this.tops[first]}px`;
    // Between the spacers, only what changed is touched: blocks that stay
    // keep their elements (and any browser selection inside them).
    const keep = new Set(wanted);
    let node = this.top.nextSibling;
    for (const el of wanted) {
      while (node && node !== this.bottom && !keep.has(node)) {
        const next = node.nextSibling;
        node.remove();
        node = next;
      }
      if (node === el) node = node.nextSibling;
      else this.root.insertBefore(el, node);
    }
    while (node && node !== this.bottom) {
      const next = node.nextSibling;
      node.remove();
      node = next;
    }
    // Measure what was drawn; if heights changed above the view, keep the
    // view where it was.
    let changed = false;
    let lowest = n;
    let shiftAbove = 0;
    for (const el of made) {
      const i = Number(el.dataset.block);
      const h = el.offsetHeight;
      if (h !== this.heights[i]) {
        if (this.tops[i + 1] <= anchor) shiftAbove += h - this.heights[i];
        this.heights[i] = h;
        lowest = Math.min(lowest, i);
        changed = true;
      }
      this.measured[i] = true;
    }
    if (changed) this.sumHeights(lowest);
    this.top.style.height = `${this.tops[first]}px`;
    this.bottom.style.height = `${this.tops[n] - this.tops[last]}px`;
    if (this.root.scrollTop !== anchor + shiftAbove) this.root.scrollTop = anchor + shiftAbove;
    // Measured heights may call for other blocks than the estimates did:
    // settle once, now, rather than at the next scroll or edit.
    if (changed && !this.settling) {
      this.settling = true;
      try {
        made.push(...this.draw(false, margin));
      } finally {
        this.settling = false;
      }
      if (this.afterDraw) this.afterDraw();
      return made;
    }
    if (this.afterDraw) this.afterDraw();
    return made;
  }

  // Brings UTF-16 offset o into view (drawing its block if it was not).
  reveal(o) {
    const i = this.blockAt(o);
    const el = this.els.get(i);
    if (el) {
      const r = el.getBoundingClientRect();
      const view = this.root.getBoundingClientRect();
      if (r.top >= view.top && r.bottom <= view.bottom) return;
    }
    this.root.scrollTop = Math.max(0, this.tops[i] - this.root.clientHeight / 3);
    this.draw(false);
  }

  // The block element holding UTF-16 offset o, if drawn.
  blockElement(o) {
    return this.els.get(this.blockAt(o)) || null;
  }
}
