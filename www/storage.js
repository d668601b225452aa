// Storage the browser cannot take away: asks once for persistent storage (so
// that the browser never evicts the project under storage pressure) and shows
// what the project uses against the origin's quota, with a warning and an
// export suggestion when little is left. A write that does not fit is refused
// where it is made ("Could not save (<the browser's reason>)…", the last saved
// state kept); this warns before it happens, and says what to do once it has.

// Little is left below either: a tenth of the quota, or 50 MB (a few large
// texts and their snapshots).
const LOW_FRACTION = 0.1;
const LOW_BYTES = 50e6;
const REFRESH_MS = 30_000;
const SETTLE_MS = 1_000; // after saves, the usage is read once they pause this long

const size = (bytes) => {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.max(0, Math.round(bytes / 1e3))} kB`;
};

// What the page shows for an estimate: the line, and the warning or null.
// `refused`: a save has just failed for want of space (Chromium reports a
// quota of usage + 10 GiB to pages, whatever the disk holds, so the estimate
// alone may never look low).
function describe({ usage = 0, quota = 0, usageDetails }, persisted, refused) {
  const project = usageDetails && usageDetails.indexedDB != null ? usageDetails.indexedDB : usage;
  const free = Math.max(0, quota - usage);
  const line = `Storage: project ${size(project)} · site ${size(usage)} of ${size(quota)}` +
    (persisted ? ' · kept (persistent)' : ' · the browser may clear it when the disk runs low');
  const advice = 'Export the project to keep a copy, then free space (other sites\' data, files on the disk): ' +
    'a save that does not fit is refused.';
  if (refused) return { line, warning: `Storage is full: the last save was refused. ${advice}` };
  const low = quota > 0 && (free < LOW_FRACTION * quota || free < LOW_BYTES);
  return { line, warning: low ? `Little storage left: ${size(free)} free of ${size(quota)}. ${advice}` : null };
}

// Asks for persistent storage once, then keeps #storage (and
// #storage-warning) up to date: now, after every save any tab announces, when
// a save is refused (#error), when the window gets focus, and every 30 s.
export function watchStorage() {
  const storage = navigator.storage;
  const lineEl = document.getElementById('storage');
  const errorEl = document.getElementById('error');
  const warningEl = document.getElementById('storage-warning');
  const warningText = document.getElementById('storage-warning-text');
  if (!storage || !storage.estimate || !lineEl) return;
  let persisted = false;
  let running = null;
  let again = false;

  const refresh = async () => {
    if (running) { again = true; return; }
    running = (async () => {
      do {
        again = false;
        try {
          // The page's words for a save refused for want of space (app.js:
          // "Could not save (<the browser's reason>)…").
          const refused = /Could not save \([^)]*quota/i.test(errorEl.textContent);
          const { line, warning } = describe(await storage.estimate(), persisted, refused);
          lineEl.textContent = line;
          warningText.textContent = warning || '';
          warningEl.hidden = !warning;
        } catch (e) {
          lineEl.textContent = `Storage: unknown (${e && e.message ? e.message : e})`;
        }
      } while (again);
    })();
    await running;
    running = null;
  };

  document.getElementById('storage-export').addEventListener('click', () => document.getElementById('export-json').click());
  // Every saved edit is announced on the channel (by this tab too): the
  // usage is read again once they pause, not once per edit.
  let soon = null;
  const later = () => {
    if (!soon) soon = setTimeout(() => { soon = null; refresh(); }, SETTLE_MS);
  };
  if (typeof BroadcastChannel === 'function') new BroadcastChannel('spanmark').onmessage = later;
  new MutationObserver(refresh).observe(errorEl, { childList: true, characterData: true, subtree: true });
  window.addEventListener('focus', refresh);
  setInterval(refresh, REFRESH_MS);
  refresh();
  (async () => {
    persisted = storage.persisted ? await storage.persisted() : false;
    if (!persisted && storage.persist) persisted = await storage.persist();
    await refresh();
  })().catch((e) => console.warn(`spanmark: persistent storage: ${e && e.message ? e.message : e}`));
}
