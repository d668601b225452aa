// Files in and out of the project: importing picked, dropped or pasted
// files (the core reads every format and decides ids, labels and records),
// and exporting the project in any format.

import { FileSet, bratParts, exportProject, importBrat, importFile } from './pkg/spanmark.js';
import { $, state, status, clearError, report, serial } from './page.js';
import { download, readFiles } from './files.js';
import { flush, loadText, openDocument, reloadList } from './document.js';
import { refreshLabels } from './labels.js';

// Stores what the core made of one or more files (`parse` gets the taken
// ids and the labels) and opens the first new document. Resolves to the
// number of documents added; a bad file rejects and changes nothing.
function importParsed(parse) {
  return serial(async () => {
    let parsed;
    // Should another tab store a document under one of these ids meanwhile,
    // nothing is written: the core picks the ids again from those stored now.
    for (let tries = 0; ; tries++) {
      parsed = parse(await state.store.documentIds(), state.core.labels());
      try {
        await state.store.write({
          labels: parsed.labels,
          documents: parsed.documents,
          newDocuments: true,
          annotations: parsed.records,
          current: parsed.documents.length ? parsed.documents[0].id : state.docId,
        });
        break;
      } catch (e) {
        if (!(e && e.name === 'IdTakenError') || tries >= 8) throw e;
      }
    }
    const docs = parsed.documents;
    state.core.setLabels(parsed.labels);
    refreshLabels({ all: true });
    await reloadList();
    if (docs.length) await openDocument(docs[0].id);
    clearError();
    if (parsed.warnings.length) status(parsed.warnings.join('; '));
    return docs.length;
  });
}

// One file's content (text or bytes) in any supported format.
export function importText(name, content) {
  const data = typeof content === 'string' ? content : new Uint8Array(content);
  return importParsed((taken, labels) => importFile(String(name), data, taken, labels));
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
      added += await importParsed((taken, labels) => importBrat(set, taken, labels));
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

// The whole project in a format (the contract's `exportAs`): its text.
export function exportAs(format, options) {
  return serial(async () => {
    await flush();
    const documents = await state.store.allDocuments();
    const out = exportProject(String(format), state.core.labels(), documents, options ?? null);
    if (out.text === null) throw new Error(`${format} with these options is binary`);
    clearError();
    return out.text;
  });
}

function exportOptions() {
  return {
    offsets: $('export-offsets').value,
    scheme: $('export-scheme').value,
    onlyDone: $('export-only-done').checked,
    binary: true,
  };
}

async function downloadExport(format) {
  const documents = await serial(async () => {
    await flush();
    return state.store.allDocuments();
  });
  const out = exportProject(format, state.core.labels(), documents, exportOptions());
  download(`project${out.extension}`, out.bytes, out.mediaType);
  clearError();
}

export function wireTransfer() {
  for (const id of ['folder-input', 'file-input']) {
    $(id).addEventListener('change', async (event) => {
      const files = [...event.target.files];
      event.target.value = '';
      await importFiles(files);
    });
  }
  document.addEventListener('dragover', (e) => { e.preventDefault(); });
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) importFiles([...e.dataTransfer.files]);
  });
  $('paste-open').addEventListener('click', () => {
    $('paste-panel').hidden = false;
    $('paste-text').focus();
  });
  $('paste-cancel').addEventListener('click', () => { $('paste-panel').hidden = true; });
  $('paste-go').addEventListener('click', () => {
    const text = $('paste-text').value;
    if (!text) return;
    loadText(text, { name: 'Pasted text' }).then(() => {
      $('paste-panel').hidden = true;
      $('paste-text').value = '';
    }).catch(report);
  });
  for (const b of document.querySelectorAll('button[id^="export-"]')) {
    const format = b.id.slice('export-'.length);
    b.addEventListener('click', () => downloadExport(format).catch(report));
  }
}
