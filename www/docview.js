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
    this.source = null;               // (start16, end16) => span table rows
    this.afterDraw = null;            // called after every drawing
    this.top = document.createElement('div');
    this.bottom = document.createElement('div');
    this.top.className = 'spacer';
    this.bottom.className = 'spacer';
    this.scheduled = false;
    root.addEventListener('scroll', () => this.schedule());
    new ResizeObserver(() => this.schedule()).observe(root);
  }

  // A new document: its text, blocks, and how to get a block's spans.
  open(text, blocks, source, labels, selected) {
    this.text = text;
    this.source = source;
    this.labels = labels;
    this.selected = selected;
    this.setBlocks(blocks, true);
    this.root.scrollTop = 0;
    this.draw(true);
  }

  // After an edit: the blocks may have joined or split; heights of blocks
  // that kept their edges are kept.
  update(blocks, labels, selected) {
    this.labels = labels;
    this.selected = selected;
    this.setBlocks(blocks, false);
    this.draw(true);
  }

  setBlocks(blocks, fresh) {
    const old = new Map();
    if (!fresh) {
      for (let i = 0; i < this.blocks.length / 2; i++) {
        if (this.measured[i]) old.set(`${this.blocks[2 * i]}:${this.blocks[2 * i + 1]}`, this.heights[i]);
      }
    }
    this.blocks = blocks;
    const n = blocks.length / 2;
    const perLine = Math.max(20, Math.floor((this.root.clientWidth || 800) / 9));
    const lineHeight = 34;
    this.heights = new Array(n);
    this.measured = new Array(n).fill(false);
    for (let i = 0; i < n; i++) {
      const known = old.get(`${blocks[2 * i]}:${blocks[2 * i + 1]}`);
      if (known !== undefined) {
        this.heights[i] = known;
        this.measured[i] = true;
      } else {
        const len = blocks[2 * i + 1] - blocks[2 * i];
        this.heights[i] = lineHeight * Math.max(1, Math.ceil(len / perLine));
      }
    }
    this.sumHeights();
  }

  sumHeights() {
    const n = this.heights.length;
    this.tops = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) this.tops[i + 1] = this.tops[i] + this.heights[i];
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.draw(false);
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

  // Draws the blocks in view; with `force`, redraws them even if unchanged.
  draw(force) {
    const n = this.blocks.length / 2;
    // Read before the spacers leave the document for the fragment below:
    // without them the view would be clamped to the drawn blocks' height.
    const anchor = this.root.scrollTop;
    const y0 = Math.max(0, anchor - MARGIN);
    const y1 = anchor + this.root.clientHeight + MARGIN;
    const first = n ? this.blockAtY(y0) : 0;
    const last = n ? this.blockAtY(y1) + 1 : 0;
    if (!force && first === this.first && last === this.last) return;
    this.first = first;
    this.last = last;
    const frag = document.createDocumentFragment();
    frag.appendChild(this.top);
    const drawn = [];
    for (let i = first; i < last; i++) {
      const s16 = this.blocks[2 * i];
      const e16 = this.blocks[2 * i + 1];
      const el = drawBlock(this.text, s16, e16, this.source(s16, e16), this.labels, this.selected);
      el.dataset.block = String(i);
      frag.appendChild(el);
      drawn.push(el);
    }
    frag.appendChild(this.bottom);
    this.top.style.height = `${this.tops[first]}px`;
    this.bottom.style.height = `${this.tops[n] - this.tops[last]}px`;
    this.root.replaceChildren(frag);
    // Measure what was drawn; if heights changed above the view, keep the
    // view where it was.
    let changed = false;
    let shiftAbove = 0;
    for (let k = 0; k < drawn.length; k++) {
      const i = first + k;
      const h = drawn[k].offsetHeight;
      if (h !== this.heights[i]) {
        if (this.tops[i + 1] <= anchor) shiftAbove += h - this.heights[i];
        this.heights[i] = h;
        changed = true;
      }
      this.measured[i] = true;
    }
    if (changed) {
      this.sumHeights();
      this.bottom.style.height = `${this.tops[n] - this.tops[last]}px`;
    }
    if (this.root.scrollTop !== anchor + shiftAbove) this.root.scrollTop = anchor + shiftAbove;
    if (this.afterDraw) this.afterDraw();
  }

  // Brings UTF-16 offset o into view (drawing its block if it was not).
  reveal(o) {
    const i = this.blockAt(o);
    const el = this.root.querySelector(`[data-block="${i}"]`);
    if (el) {
      const r = el.getBoundingClientRect();
      const view = this.root.getBoundingClientRect();
      if (r.top >= view.top && r.bottom <= view.bottom) return;
    }
    this.root.scrollTop = Math.max(0, this.tops[i] - this.root.clientHeight / 3);
    this.draw(true);
  }

  // The block element holding UTF-16 offset o, if drawn.
  blockElement(o) {
    return this.root.querySelector(`[data-block="${this.blockAt(o)}"]`);
  }
}
