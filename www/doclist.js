// The document list: one row per document with its status and span count,
// filtered by status and by a search, drawn only where it is visible so
// that ten thousand documents scroll as smoothly as ten.

import { curatedOf } from './curatedkey.js';

const ROW = 30; // px, fixed so that rows can be placed without measuring

export class DocList {
  // `onRename(id, name)` stores a name typed in a row and resolves once it
  // is saved; it rejects (and the row stays open for another try) when the
  // core refuses the name. `onDelete(id)`: Delete on a row.
  constructor(root, onOpen, onRename, onDelete) {
    this.root = root;
    this.onOpen = onOpen;
    this.onRename = onRename;
    this.onDelete = onDelete;
    this.editing = null;  // {id, value}: the row whose name is being typed
    this.all = [];        // [{id, name, status, count, hits}] in import order
    this.shown = [];      // the rows that pass the filter and search
    this.filter = 'all';
    this.searching = false;
    this.current = null;
    this.focused = null;  // the row the keyboard moved to, if any
    this.spacer = document.createElement('div');
    this.spacer.className = 'doc-list-spacer';
    root.replaceChildren(this.spacer);
    // The list's scroll position and height as last laid out, from scroll
    // events and a ResizeObserver: read from the element right after the
    // page changed (a document opened), they would make the browser lay the
    // whole page out there and then.
    this.top = 0;
    this.height = 0;
    root.addEventListener('scroll', () => {
      this.top = root.scrollTop;
      this.drawRows();
    });
    new ResizeObserver(() => {
      this.height = root.clientHeight;
      this.drawRows();
    }).observe(root);
    root.addEventListener('click', (e) => {
      const row = e.target.closest('.doc-row');
      if (row && !e.target.closest('input')) this.onOpen(row.dataset.id);
    });
    // One Tab stop for the whole list (the current row); the arrows move
    // between rows, Enter or Space opens one. Handled here, before the
    // page's own keys see them (Enter there accepts a suggestion).
    root.addEventListener('keydown', (e) => {
      const row = e.target.closest('.doc-row');
      if (!row) return;
      if (e.target.closest('input')) {
        this.editKey(e, row.dataset.id);
        return;
      }
      if (e.key === 'F2' || e.key === 'Delete') {
        e.preventDefault();
        e.stopPropagation();
        if (e.key === 'F2') this.rename(row.dataset.id);
        else this.onDelete(row.dataset.id);
        return;
      }
      const i = this.shown.findIndex((d) => d.id === row.dataset.id);
      let to = null;
      if (e.key === 'ArrowDown') to = i + 1;
      else if (e.key === 'ArrowUp') to = i - 1;
      else if (e.key === 'Home') to = 0;
      else if (e.key === 'End') to = this.shown.length - 1;
      else if (e.key === 'Enter' || e.key === ' ') this.onOpen(row.dataset.id);
      else return;
      e.preventDefault();
      e.stopPropagation();
      if (to !== null && this.shown[to]) this.focusRow(this.shown[to].id, to);
    });
  }

  set(all) {
    this.all = all;
    this.refilter();
  }

  // Updates one document's line (after an edit, a status change, an import).
  update(id, fields) {
    let row = this.all.find((d) => d.id === id);
    const known = Boolean(row);
    if (!row && curatedOf(id) !== null) return; // a curated record: no line
    if (!row) {
      row = { id, name: id, status: 'todo', count: 0, hits: 0 };
      this.all.push(row);
    }
    // Lines are drawn again only when a name or status really changed: a
    // redraw replaces every row element, and a click whose press and release
    // straddle one is lost (each save passes the name and status along).
    const redraw = !known || Object.keys(fields).some((k) => k !== 'count' && row[k] !== fields[k]);
    Object.assign(row, fields);
    if (redraw) {
      this.refilter();
      return;
    }
    // Only a count changed (after every edit): that line's number, not
    // every line drawn again, which cost each edit a relayout of the list.
    if (this.searching) return;
    const el = [...this.spacer.children].find((r) => r.dataset.id === id);
    const count = el && el.querySelector('.doc-row-count');
    if (count && count.textContent !== String(row.count)) count.textContent = String(row.count);
  }

  // Updates many lines at once ([[id, fields], ...]) with one redraw: a
  // redraw per line made a background job's batches long tasks.
  updateMany(updates) {
    const byId = new Map(this.all.map((d) => [d.id, d]));
    for (const [id, fields] of updates) {
      const row = byId.get(id);
      if (row) Object.assign(row, fields);
    }
    this.refilter();
  }

  setHits(hits) {
    this.searching = hits !== null;
    for (const d of this.all) d.hits = hits ? (hits.get(d.id) || 0) : 0;
    this.refilter();
  }

  setFilter(filter) {
    this.filter = filter;
    this.refilter();
  }

  setCurrent(id) {
    this.current = id;
    this.focused = id;
    this.drawRows();
    const i = this.shown.findIndex((d) => d.id === id);
    if (i >= 0) {
      const top = i * ROW;
      if (top < this.top || top + ROW > this.top + this.height) this.scrollTo(Math.max(0, top - this.height / 2));
    }
  }

  // The document to open in place of `id` when it goes (and those in
  // `gone` with it): the next in the list as shown, else the one before,
  // else any other (a filter may hide the rest); null when none is left.
  besides(id, gone = new Set([id])) {
    const shown = this.shown.map((d) => d.id);
    const at = shown.indexOf(id);
    const stays = (other) => other !== undefined && !gone.has(other);
    const after = at < 0 ? undefined : shown.slice(at + 1).find(stays);
    const before = at < 0 ? undefined : shown.slice(0, at).reverse().find(stays);
    return after ?? before ?? this.all.map((d) => d.id).find(stays) ?? null;
  }

  // The id of the document after (or before) the current one among those shown.
  neighbour(backwards) {
    const i = this.shown.findIndex((d) => d.id === this.current);
    const j = i < 0 ? 0 : i + (backwards ? -1 : 1);
    return this.shown[j] ? this.shown[j].id : null;
  }

  progress() {
    const done = this.all.filter((d) => d.status === 'done').length;
    return { done, total: this.all.length };
  }

  refilter() {
    this.shown = this.all.filter((d) =>
      (this.filter === 'all' || d.status === this.filter) && (!this.searching || d.hits > 0));
    this.spacer.style.height = `${this.shown.length * ROW}px`;
    this.drawRows();
  }

  // Opens a row's name for typing (F2, or the sidebar's Rename button for
  // the open document): Enter saves, Esc (or leaving it) cancels.
  rename(id) {
    const i = this.shown.findIndex((d) => d.id === id);
    if (i < 0) return;
    this.editing = { id, value: this.shown[i].name };
    this.focusRow(id, i);
  }

  async editKey(e, id) {
    e.stopPropagation(); // the page's keys do not apply while typing
    if (e.key === 'Escape') {
      e.preventDefault();
      this.stopEditing(id);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const value = e.target.value;
      try {
        await this.onRename(id, value);
        this.stopEditing(id);
      } catch {
        // refused: the message is shown; the row stays open to correct it
        if (this.editing) this.editing.value = value;
      }
    }
  }

  stopEditing(id) {
    if (!this.editing || this.editing.id !== id) return;
    this.editing = null;
    const i = this.shown.findIndex((d) => d.id === id);
    if (i >= 0) this.focusRow(id, i);
    else this.drawRows();
  }

  // Moves the keyboard's focus to a row, scrolled into view (and drawn).
  focusRow(id, i) {
    this.focused = id;
    const top = i * ROW;
    if (top < this.top) this.scrollTo(top);
    else if (top + ROW > this.top + this.height) this.scrollTo(top + ROW - this.height);
    this.drawRows();
    const row = this.root.querySelector(`.doc-row[data-index="${i}"]`);
    (row?.querySelector('input') || row)?.focus();
  }

  // The scroll event that follows corrects `top` should the browser clamp it.
  scrollTo(top) {
    this.root.scrollTop = top;
    this.top = top;
  }

  drawRows() {
    // Rows are made anew: the one with the keyboard's focus gets it back
    // (and a name being typed, what was typed).
    const hadFocus = this.root.contains(document.activeElement);
    const typing = this.root.querySelector('.doc-row input');
    if (typing && this.editing) this.editing.value = typing.value;
    const tabStop = this.shown.some((d) => d.id === this.focused) ? this.focused
      : this.shown.some((d) => d.id === this.current) ? this.current : this.shown[0]?.id;
    let refocus = null;
    const first = Math.max(0, Math.floor(this.top / ROW) - 5);
    const last = Math.min(this.shown.length, Math.ceil((this.top + this.height) / ROW) + 5);
    const frag = document.createDocumentFragment();
    for (let i = first; i < last; i++) {
      const d = this.shown[i];
      const row = document.createElement('div');
      row.className = 'doc-row';
      row.dataset.id = d.id;
      row.dataset.status = d.status;
      row.dataset.index = String(i);
      row.style.top = `${i * ROW}px`;
      row.setAttribute('role', 'option');
      row.setAttribute('aria-selected', String(d.id === this.current));
      row.tabIndex = d.id === tabStop ? 0 : -1;
      if (d.id === tabStop && hadFocus && !refocus) refocus = row;
      if (d.id === this.current) row.classList.add('current');
      let name;
      if (this.editing && this.editing.id === d.id) {
        name = document.createElement('input');
        name.className = 'doc-row-name';
        name.value = this.editing.value;
        name.setAttribute('aria-label', `New name for ${d.name}`);
        name.addEventListener('blur', () => {
          // A blur from redrawing the rows is not the person leaving.
          setTimeout(() => { if (name.isConnected && document.activeElement !== name) this.stopEditing(d.id); }, 0);
        });
        if (d.id === tabStop && hadFocus) refocus = name;
      } else {
        name = document.createElement('span');
        name.className = 'doc-row-name';
        name.textContent = d.name;
      }
      const count = document.createElement('span');
      count.className = 'doc-row-count';
      count.textContent = this.searching ? `${d.hits} found` : String(d.count);
      row.append(name);
      if (d.assigned) {
        const badge = document.createElement('span');
        badge.className = 'doc-row-badge';
        badge.textContent = 'assigned';
        row.append(badge);
      }
      row.append(count);
      frag.appendChild(row);
    }
    this.spacer.replaceChildren(frag);
    refocus?.focus({ preventScroll: true });
  }
}
