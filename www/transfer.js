// Files in and out of the project: importing picked, dropped or pasted
// files (the core reads every format and decides ids, labels and records),
// and exporting the project in any format: written in a worker document by
// document (preannotate-worker.js), with a progress bar and Cancel, into a
// Blob of pieces (never one string of the whole project).

import {
  FileSet, bratParts, exportFileName, importBrat, importFile, nameFromWords, projectNameFromFile,
} from './pkg/spanmark.js';
import { $, state, status, clearError, report, serial, readsFirst } from './page.js';
import { download, readFiles } from './files.js';
import { startJob } from './journal.js';
import { noticeDamaged } from './notice.js';
import { flush, loadText, openDocument, reloadList, takeWorker } from './document.js';
import { STRUCTURE } from './structure.js';
import { refreshLabels } from './labels.js';

// Stores what the core made of one or more files (`parse` gets the taken
// ids, the labels and the project's structure) and opens the first new document. Resolves to the
// number of documents added; a bad file rejects and changes nothing. The
// import is journalled (journal.js) from before the file is read until
// its one write, which clears the journal record in the same transaction:
// a start after a kill in between says that nothing of `name` was kept.
// `first`: the first file's path, which names a project that has no name.
function importParsed(name, parse, first = name) {
  return serial(async () => {
    const job = await startJob(state.store, { kind: 'import', name });
    try {
      return await importNow(job, parse, first);
    } finally {
      await job.end();
    }
  });
}

// The project's name (for export file names): the first file or folder
// imported into it.
const PROJECT_NAME = 'projectName';

async function importNow(job, parse, name) {
  const named = await state.store.setting(PROJECT_NAME);
  const settings = { [job.key]: null };
  if (!named) settings[PROJECT_NAME] = projectNameFromFile(name);
  let parsed;
  // Should another tab store a document under one of these ids meanwhile,
  // nothing is written: the core picks the ids again from those stored now.
  for (let tries = 0; ; tries++) {
    parsed = parse(await state.store.documentIds(), state.core.labels(), state.core.structure());
    try {
      await state.store.write({
        labels: parsed.labels,
        documents: parsed.documents,
        newDocuments: true,
        annotations: parsed.records,
        current: parsed.documents.length ? parsed.documents[0].id : state.docId,
        settings: { ...settings, [STRUCTURE]: parsed.structure },
      });
      break;
    } catch (e) {
      if (!(e && e.name === 'IdTakenError') || tries >= 8) throw e;
    }
  }
  const docs = parsed.documents;
  state.core.setLabels(parsed.labels);
  state.core.setStructure(parsed.structure);
  refreshLabels({ all: true });
  await reloadList();
  if (docs.length) await openDocument(docs[0].id);
  clearError();
  if (parsed.warnings.length) status(parsed.warnings.join('; '));
  return docs.length;
}

// One file's content (text or bytes) in any supported format.
export function importText(name, content) {
  const data = typeof content === 'string' ? content : new Uint8Array(content);
  return importParsed(String(name), (taken, labels, structure) => importFile(String(name), data, taken, labels, structure));
}

async function importFiles(files) {
  let added = 0;
  const all = await readFiles(files);
  // brat pairs (.txt + .ann, e.g. a folder) are read together, as one set.
  const brat = bratParts(all.map((f) => f.name));
  if (brat.some(Boolean)) {
    const set = new FileSet();
    all.forEach((f, i) => { if (brat[i]) set.add(f.name, f.bytes); });
    try {
      const names = all.filter((_, i) => brat[i]).map((f) => f.name);
      added += await importParsed(names.length === 1 ? names[0] : `${names[0]} and ${names.length - 1} more files`, (taken, labels, structure) => importBrat(set, taken, labels, structure), names[0]);
    } catch (e) {
      report(e);
      return;
    } finally {
      set.free();
    }
  }
  for (const [i, { name, bytes }] of all.entries()) {
    if (brat[i]) continue;
    try {
      added += await importText(name, bytes);
    } catch (e) {
      report(e);
      return;
    }
  }
  status(`${added} document${added === 1 ? '' : 's'} added`);
}

// The export running (one at a time; the next waits for it): its worker
// and how to stop it.
let exporting = null;
let exports = Promise.resolve();

function showExport(done, total) {
  $('exporting').hidden = false;
  $('exporting-bar').style.width = total ? `${(100 * done) / total}%` : '0%';
  $('exporting-text').textContent = `Exporting ${done} / ${total} documents`;
}

// The whole project in a format, once what is open is saved: resolves to
// {blob, skipped: [{id, reason}], extension, mediaType}; rejects if the
// format cannot hold a document, or (AbortError) when cancelled. A stored
// document that cannot be read is left out and named, not a failure.
function exportProject(format, options) {
  const run = exports.then(async () => {
    await serial(flush);
    const worker = takeWorker();
    try {
      return await new Promise((resolve, reject) => {
        exporting = { cancel: () => reject(Object.assign(new Error('export cancelled'), { name: 'AbortError' })) };
        showExport(0, 0);
        worker.onmessage = ({ data }) => {
          if (data.failed) {
            reject(new Error(data.failed));
            return;
          }
          showExport(data.done, data.total);
          if (data.finished) {
            resolve({
              blob: data.blob,
              skipped: data.skipped,
              extension: data.extension,
              mediaType: data.mediaType,
              summary: data.summary,
            });
          }
        };
        worker.onerror = (e) => reject(new Error(`The export failed: ${e.message || 'worker error'}`));
        worker.postMessage({ exportJob: true, format: String(format), options: options ?? null, labels: state.core.labels(), structure: state.core.structure() });
      });
    } finally {
      worker.terminate();
      exporting = null;
      $('exporting').hidden = true;
    }
  });
  exports = run.catch(() => {});
  return run.then((out) => {
    const n = out.skipped.length;
    for (const { id, reason } of out.skipped) noticeDamaged(id, reason);
    let said = out.summary;
    if (n) {
      const which = out.skipped.map(({ id, reason }) => `${id} (${reason})`).join('; ');
      said += `; left out ${n} document${n === 1 ? '' : 's'} that cannot be read: ${which}`;
    }
    status(said);
    return out;
  });
}

// The whole project in a format (the contract's `exportAs`): its text.
export async function exportAs(format, options) {
  const { blob } = await exportProject(format, options);
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await blob.arrayBuffer());
  } catch {
    throw new Error(`${format} with these options is binary`);
  }
  clearError();
  return text;
}

function exportOptions() {
  return {
    offsets: $('export-offsets').value,
    scheme: $('export-scheme').value,
    onlyDone: $('export-only-done').checked,
    suggestions: $('export-suggestions').checked,
    binary: true,
  };
}

async function downloadExport(format) {
  const out = await exportProject(format, exportOptions());
  const { total } = state.docs.progress();
  const current = state.docId ? $('doc-name').textContent : null;
  download(exportFileName(await state.store.setting(PROJECT_NAME), total, current, out.extension), out.blob, out.mediaType);
  clearError();
}

export function wireTransfer() {
  for (const id of ['folder-input', 'file-input']) {
    $(id).addEventListener('change', readsFirst(async (event) => {
      const files = [...event.target.files];
      event.target.value = '';
      await importFiles(files);
    }));
  }
  document.addEventListener('dragover', (e) => { e.preventDefault(); });
  const importDropped = readsFirst(importFiles);
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) importDropped([...e.dataTransfer.files]);
  });
  $('paste-open').addEventListener('click', () => {
    $('paste-panel').hidden = false;
    $('paste-text').focus();
  });
  $('paste-cancel').addEventListener('click', () => { $('paste-panel').hidden = true; });
  $('paste-go').addEventListener('click', () => {
    const text = $('paste-text').value;
    if (!text) return;
    loadText(text, { name: nameFromWords(text) }).then(() => {
      $('paste-panel').hidden = true;
      $('paste-text').value = '';
    }).catch(report);
  });
  for (const b of document.querySelectorAll('button[id^="export-"]')) {
    const format = b.id.slice('export-'.length);
    b.addEventListener('click', () => downloadExport(format).catch((e) => {
      if (e.name === 'AbortError') status('export cancelled');
      else report(e);
    }));
  }
  $('exporting-cancel').addEventListener('click', () => { if (exporting) exporting.cancel(); });
}
