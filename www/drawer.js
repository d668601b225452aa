// The page's furniture that must not move the document: the panels (Labels,
// Rules, Inconsistencies, Paste) open as one drawer at a time over the
// sidebar, and the bar's menus fold into "More…" when the window is narrow.
// The panels' own modules open and close them by their `hidden` attribute;
// this module sees that happen, so each drawer gets the same manners:
// opening one closes the other, the focus goes into it, Esc or its × closes
// it, and the focus goes back to where it was.
import { $ } from './page.js';

const drawers = () => [...document.querySelectorAll('.drawer')];
const visible = (el) => el && el.isConnected && el.checkVisibility();
const returnTo = new Map(); // drawer -> the element that had the focus before it opened
let lastOutside = null; // the last element outside every drawer to have the focus

function firstField(drawer) {
  const fields = drawer.querySelectorAll('input:not([type=file]), textarea, select, button:not(.drawer-close)');
  return [...fields].find(visible) || drawer.querySelector('.drawer-close');
}

function opened(drawer) {
  for (const other of drawers()) if (other !== drawer && !other.hidden) other.hidden = true;
  returnTo.set(drawer, lastOutside);
  // Below the bar, whatever its height.
  drawer.style.top = `${document.querySelector('.bar').getBoundingClientRect().bottom}px`;
  if (!drawer.contains(document.activeElement)) firstField(drawer)?.focus();
}

function closed(drawer) {
  const back = returnTo.get(drawer);
  returnTo.delete(drawer);
  const focus = document.activeElement;
  if (focus && focus !== document.body && !drawer.contains(focus)) return; // the person moved on
  // The opener may have been in the folded menu, now shut.
  const target = [back, $('more'), $('doc')].find(visible);
  target?.focus();
}

export function closeDrawers() {
  let any = false;
  for (const d of drawers()) {
    if (!d.hidden) {
      d.hidden = true;
      any = true;
    }
  }
  return any;
}

function wireMenu() {
  const more = $('more');
  const menu = $('menu');
  const items = () => [...menu.querySelectorAll('button')].filter(visible);
  const setOpen = (open, { focus = true } = {}) => {
    menu.classList.toggle('open', open);
    more.setAttribute('aria-expanded', String(open));
    if (open && focus) items()[0]?.focus();
  };
  const folded = () => visible(more);
  more.addEventListener('click', () => setOpen(!menu.classList.contains('open')));
  more.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      e.stopPropagation();
      setOpen(true);
    }
  });
  menu.addEventListener('keydown', (e) => {
    if (!folded()) return;
    const list = items();
    const i = list.indexOf(document.activeElement);
    let to = null;
    if (e.key === 'ArrowDown') to = (i + 1) % list.length;
    else if (e.key === 'ArrowUp') to = (i - 1 + list.length) % list.length;
    else if (e.key === 'Home') to = 0;
    else if (e.key === 'End') to = list.length - 1;
    else if (e.key === 'Escape') {
      setOpen(false);
      more.focus();
    } else if (e.key === 'Tab') {
      setOpen(false, { focus: false });
      return;
    } else return;
    e.preventDefault();
    e.stopPropagation();
    if (to !== null) list[to].focus();
  });
  // A pick closes the menu (after the item's own handler has run).
  menu.addEventListener('click', (e) => {
    if (folded() && e.target.closest('button')) setOpen(false, { focus: false });
  });
  document.addEventListener('pointerdown', (e) => {
    if (menu.classList.contains('open') && !menu.contains(e.target) && !more.contains(e.target)) setOpen(false, { focus: false });
  });
}

export function wireDrawers() {
  document.addEventListener('focusin', (e) => {
    if (!e.target.closest('.drawer')) lastOutside = e.target;
  });
  const watch = new MutationObserver((changes) => {
    for (const c of changes) {
      const d = c.target;
      if (d.hidden) closed(d);
      else opened(d);
    }
  });
  for (const d of drawers()) {
    watch.observe(d, { attributes: true, attributeFilter: ['hidden'] });
    d.querySelector('.drawer-close')?.addEventListener('click', () => { d.hidden = true; });
  }
  // Esc closes the open drawer before it means anything else (in a field
  // inside it too); the key sheet, a modal dialog, closes itself first.
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || document.querySelector('dialog:modal')) return;
    if (closeDrawers()) {
      e.preventDefault();
      e.stopPropagation();
    }
  }, true);
  wireMenu();
}
