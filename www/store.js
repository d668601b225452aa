// Storage: the one module that talks to IndexedDB.
//
// Records, each with its own id, so that a later sync can replicate them one
// by one (docs/ARCHITECTURE.md):
//   documents    {id, text, meta, status, seq}      seq keeps import order;
//                text as UTF-8 bytes (see `storedText`)
//   annotations  {docId, table, scores, labels, ids, history, count,
//                preannotated, rules, rev}          one per opened document,
//                its shape the core's (src/session/record.rs)
//   labelsets    {id: 'project', labels}
//   settings     {key, value}                       e.g. key 'current'
//   team         {id: [time, tab], entries}         a team project's records
//                as last synced: a log, each record the core's
//                sync::replicate::Entry's (revision tree, live bodies) one
//                write brought, as JSON text (src/wasm/team.rs says why)
//   edits        {seq, docId, entry}                the edit log since the
//                                                   document's last snapshot;
//                                                   each entry names its tab
//                or {seq, docId, rev}               the revision of its
//                                                   annotations record, kept
//                                                   here so that a snapshot's
//                                                   check reads no spans
// An edit is one small `edits` record (an entry of the core's edit log); the
// annotations record is a snapshot, rewritten now and then, when the log for
// its document is cleared in the same transaction.
// Every write is one transaction with strict durability; its promise
// resolves only once the transaction has completed, so the caller can show
// an edit as done only after it is on disk.

import { joinRecord, snapshotAdmitted } from './pkg/spanmark.js';
import { curatedKey, curatedOf, curatedRange } from './curatedkey.js';

const DB_NAME = 'spanmark';
const DB_VERSION = 3;

// Documents read per request where all are listed (texts included: a
// batch bounds the memory a project of long documents takes at once).
const SUMMARY_BATCH = 500;

// A document's text is stored as its UTF-8 bytes: Chromium takes several
// times longer to store a long string than the same text as bytes (100 kB
// in a strict transaction: about 6 ms against under 1 ms), which every
// load, import and first sync waits for. Documents stored before hold the
// string, read as it is.
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();
const storedText = (text) => utf8.encode(text);
function readable(doc) {
  if (doc && typeof doc.text !== 'string') doc.text = fromUtf8.decode(doc.text);
  return doc;
}

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function completed(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('storage transaction aborted'));
  });
}

// Calls `visit(cursor)` for every record a cursor request reaches; resolves
// at the end.
function walk(request, visit) {
  return new Promise((resolve, reject) => {
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const c = request.result;
      if (!c) return resolve();
      visit(c);
      c.continue();
    };
  });
}

let opening = null;

// One connection per page or worker, opened by the first caller (on the page,
// boot.js, before app.js has loaded); a failed open is tried again next time.
// Whether this profile has no project database yet (a first visit): then
// the page can show the demo before the database is even created. Asked
// once, before the first opening creates it (boot.js asks first).
let fresh = null;
export function freshProfile() {
  if (!fresh) {
    fresh = typeof indexedDB.databases === 'function'
      ? indexedDB.databases().then((dbs) => !dbs.some((d) => d.name === DB_NAME), () => false)
      : Promise.resolve(false);
  }
  return fresh;
}

export function openStore() {
  if (!opening) {
    opening = open();
    opening.catch(() => { opening = null; });
  }
  return opening;
}

async function open() {
  const request = indexedDB.open(DB_NAME, DB_VERSION);
  request.onupgradeneeded = (event) => {
    const db = request.result;
    if (event.oldVersion < 1) {
      const docs = db.createObjectStore('documents', { keyPath: 'id' });
      docs.createIndex('seq', 'seq');
      db.createObjectStore('annotations', { keyPath: 'docId' });
      db.createObjectStore('labelsets', { keyPath: 'id' });
      db.createObjectStore('settings', { keyPath: 'key' });
    }
    if (event.oldVersion < 2) {
      const edits = db.createObjectStore('edits', { keyPath: 'seq', autoIncrement: true });
      edits.createIndex('docId', 'docId');
    }
    if (event.oldVersion < 3) db.createObjectStore('team', { keyPath: 'id' });
  };
  const db = await promised(request);
  return new Store(db);
}

class Store {
  constructor(db) {
    this.db = db;
    // The `team` log's last key's time here, and this tab's mark in its keys.
    this.logAt = 0;
    this.logTab = crypto.randomUUID();
    // The `current` setting as this tab last wrote it: an edit in the same
    // document need not write it again (a second store in every edit's
    // transaction). Forgotten when another tab saves (`othersWrote`).
    this.knownCurrent = undefined;
  }

  othersWrote() {
    this.knownCurrent = undefined;
  }

  async read(storeName, key) {
    const tx = this.db.transaction(storeName, 'readonly');
    return promised(tx.objectStore(storeName).get(key));
  }

  async labels() {
    const rec = await this.read('labelsets', 'project');
    return rec ? rec.labels : null;
  }

  async current() {
    const rec = await this.read('settings', 'current');
    return rec ? rec.value : null;
  }

  // A small per-project value kept in `settings` under its own key (e.g.
  // 'rules', or the learned model's bytes under 'model'), or null.
  async setting(key) {
    const rec = await this.read('settings', key);
    return rec ? rec.value : null;
  }

  // A curated record's key (curatedkey.js) gives its real document under
  // that key, so that the session edits the curated record as any other;
  // its status is the curated record's own (a setting under the same key:
  // the curator's done is not the gold's).
  async document(id) {
    const real = curatedOf(id);
    if (real === null) return readable(await this.read('documents', id));
    const d = readable(await this.read('documents', real));
    if (!d) return d;
    const curated = await this.read('settings', id);
    return { ...d, id, status: curated?.value?.status ?? 'todo' };
  }

  async putSetting(key, value) {
    const tx = this.db.transaction('settings', 'readwrite', { durability: 'strict' });
    const done = completed(tx);
    tx.objectStore('settings').put({ key, value });
    await done;
  }

  async deleteSetting(key) {
    const tx = this.db.transaction('settings', 'readwrite', { durability: 'strict' });
    const done = completed(tx);
    tx.objectStore('settings').delete(key);
    await done;
  }

  // Every `settings` record whose key starts with `prefix`: [{key, value}].
  async settingsFrom(prefix) {
    const tx = this.db.transaction('settings', 'readonly');
    const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
    return promised(tx.objectStore('settings').getAll(range));
  }

  // Deletes a document with its annotations record and edit log (and its
  // curated record's, if curated here), in one durable transaction.
  async deleteDocument(id) {
    const tx = this.db.transaction(['documents', 'annotations', 'edits', 'settings'], 'readwrite', { durability: 'strict' });
    const done = completed(tx);
    tx.objectStore('documents').delete(id);
    tx.objectStore('settings').delete(curatedKey(id));
    const edits = tx.objectStore('edits');
    for (const key of [id, curatedKey(id)]) {
      tx.objectStore('annotations').delete(key);
      walk(edits.index('docId').openKeyCursor(IDBKeyRange.only(key)), (c) => edits.delete(c.primaryKey));
    }
    await done;
  }

  annotations(docId) {
    return this.read('annotations', docId);
  }

  async documentIds() {
    const tx = this.db.transaction('documents', 'readonly');
    return promised(tx.objectStore('documents').getAllKeys());
  }

  async documentCount() {
    const tx = this.db.transaction('documents', 'readonly');
    return promised(tx.objectStore('documents').count());
  }

  // Every document in import order, with its spans (from its annotations
  // record when it has one).
  async allDocuments() {
    const tx = this.db.transaction(['documents', 'annotations'], 'readonly');
    const [docs, anns] = await Promise.all([
      promised(tx.objectStore('documents').index('seq').getAll()),
      promised(tx.objectStore('annotations').getAll()),
    ]);
    const byDoc = new Map(anns.map((a) => [a.docId, a]));
    return docs.map((d) => joinRecord(readable(d), byDoc.get(d.id) ?? null));
  }

  // A line per document for the document list, in import order: id, name,
  // status and span count, without the texts.
  async summaries() {
    const tx = this.db.transaction(['documents', 'annotations'], 'readonly');
    const counts = new Map();
    // A record of an unknown shape (damaged) counts no spans: the list still
    // shows its document, which says what is wrong when opened.
    await walk(tx.objectStore('annotations').openCursor(), (c) => counts.set(c.value.docId, c.value.count ?? c.value.spans?.length ?? 0));
    // Read in batches of values (a cursor's callback per document cost a
    // first sync of thousands a quarter of a second), put in import order.
    const docs = tx.objectStore('documents');
    const order = promised(docs.index('seq').getAllKeys());
    const lines = new Map();
    for (let from = null; ;) {
      const batch = await promised(docs.getAll(from, SUMMARY_BATCH));
      for (const d of batch) {
        const name = d.meta && typeof d.meta.name === 'string' ? d.meta.name : d.id;
        lines.set(d.id, { id: d.id, name, status: d.status, count: counts.get(d.id) ?? 0, hits: 0 });
      }
      if (batch.length < SUMMARY_BATCH) break;
      from = IDBKeyRange.lowerBound(batch[batch.length - 1].id, true);
    }
    return (await order).map((id) => lines.get(id)).filter(Boolean);
  }

  // Calls `visit(id, text)` for every document, in import order.
  async eachText(visit) {
    const tx = this.db.transaction('documents', 'readonly');
    await walk(tx.objectStore('documents').index('seq').openCursor(), (c) => visit(c.value.id, readable(c.value).text));
  }

  // The edit log of a document since its snapshot, oldest first, as stored
  // ({seq, docId, entry}: the core reads them so): {entries, head} where
  // head is the last entry's seq (0 when empty).
  async editsFor(docId) {
    const tx = this.db.transaction('edits', 'readonly');
    const recs = (await promised(tx.objectStore('edits').index('docId').getAll(docId))).filter((r) => r.entry);
    return { entries: recs, head: recs.length ? recs[recs.length - 1].seq : 0 };
  }

  // Ids of the documents never opened (no annotations record), in import
  // order: what pre-annotating the whole project has to do.
  async unopenedIds() {
    const tx = this.db.transaction(['documents', 'annotations'], 'readonly');
    const opened = new Set(await promised(tx.objectStore('annotations').getAllKeys()));
    return (await promised(tx.objectStore('documents').index('seq').getAllKeys())).filter((id) => !opened.has(id));
  }

  // Every document id in import order (texts unread): the seq index's
  // primary keys in one request, not a cursor's callback per document.
  async idsInOrder() {
    const tx = this.db.transaction('documents', 'readonly');
    return promised(tx.objectStore('documents').index('seq').getAllKeys());
  }

  // Several documents with their annotations records, in one transaction:
  // [{doc, record}] (doc null for any gone, record null for none).
  async documentsWithRecords(ids) {
    const tx = this.db.transaction(['documents', 'annotations'], 'readonly');
    const docs = tx.objectStore('documents');
    const anns = tx.objectStore('annotations');
    return Promise.all(ids.map(async (id) => {
      const [doc, record] = await Promise.all([promised(docs.get(id)), promised(anns.get(id))]);
      return { doc: readable(doc) ?? null, record: record ?? null };
    }));
  }

  // Of several documents, those opened here (with an annotations record),
  // with it: [{doc, record}], in one transaction; a document never opened
  // costs no read (a first sync brings thousands).
  async openedWithRecords(ids) {
    const tx = this.db.transaction(['documents', 'annotations'], 'readonly');
    const docs = tx.objectStore('documents');
    const anns = tx.objectStore('annotations');
    const opened = new Set(await promised(anns.getAllKeys()));
    const read = await Promise.all(ids.filter((id) => opened.has(id)).map(async (id) => {
      const [doc, record] = await Promise.all([promised(docs.get(id)), promised(anns.get(id))]);
      return { doc: readable(doc) ?? null, record: record ?? null };
    }));
    return read.filter(({ doc, record }) => doc && record);
  }

  // Several documents, in one transaction (null for any gone).
  async documents(ids) {
    const tx = this.db.transaction('documents', 'readonly');
    const docs = tx.objectStore('documents');
    return Promise.all(ids.map((id) => promised(docs.get(id)).then((d) => readable(d) ?? null)));
  }

  // Writes never-opened documents' first snapshots in one durable
  // transaction, each unless it has one by now (opened meanwhile, here or in
  // another tab: that one is kept). Resolves to the records written.
  async putAllIfAbsent(records) {
    const tx = this.db.transaction('annotations', 'readwrite', { durability: 'strict' });
    const done = completed(tx);
    const anns = tx.objectStore('annotations');
    const written = [];
    for (const record of records) {
      anns.getKey(record.docId).onsuccess = (e) => {
        if (e.target.result !== undefined) return;
        anns.put(record);
        written.push(record);
      };
    }
    await done;
    return written;
  }

  // The edit-log entries since their last snapshot of the documents `ids`,
  // by id (those with none absent): the whole log read at once when they
  // are many.
  async logsOf(ids) {
    if (ids.length > 16) return this.logsByDocument();
    const tx = this.db.transaction('edits', 'readonly');
    const index = tx.objectStore('edits').index('docId');
    const logs = new Map();
    await Promise.all(ids.map(async (id) => {
      const entries = (await promised(index.getAll(id))).filter((r) => r.entry);
      if (entries.length) logs.set(id, entries);
    }));
    return logs;
  }

  // Every document's edit-log entries since its last snapshot, by id
  // (documents with none are absent).
  async logsByDocument() {
    const tx = this.db.transaction('edits', 'readonly');
    const logs = new Map();
    for (const r of await promised(tx.objectStore('edits').getAll())) {
      if (!r.entry) continue;
      if (!logs.has(r.docId)) logs.set(r.docId, []);
      logs.get(r.docId).push(r);
    }
    return logs;
  }

  async allAnnotations() {
    const tx = this.db.transaction('annotations', 'readonly');
    return promised(tx.objectStore('annotations').getAll());
  }

  // One durable write. `w` may hold: labels, documents (array of {id, text,
  // meta, status}), annotations (array of the core's records), edit
  // ({docId, entry}: one edit-log entry), current (a document id), settings
  // ({key: value} records for the `settings` store).
  // A record with `expect` is a snapshot: the core says over which stored
  // revision it may go and which log entries it folds in (it drops those);
  // should storage hold anything else (another tab's snapshot or entry),
  // nothing is written and the promise rejects with a ConflictError, so
  // that no snapshot drops another tab's edit. A record without it drops no
  // entry. Either way the record's revision is noted in the `edits` store,
  // where the next snapshot's check finds it. With `newDocuments`, the documents are new: should another tab
  // have stored one of their ids meanwhile, nothing is written and the
  // promise rejects with an IdTakenError (`id`), never writing over it.
  // `more`: a function called once the documents' requests are made, in
  // the same task, that gives the rest of the write (a new document's
  // record, made while its text is already on its way to disk).
  // Resolves to the seq of the logged entry, if any.
  async write(w) {
    // A curated record is never a document of its own (its status is a
    // setting under its key, see document()) nor the one to reopen after a
    // reload.
    const curated = w.documents?.filter((d) => curatedOf(d.id) !== null) ?? [];
    if (curated.length) {
      const settings = { ...w.settings };
      for (const d of curated) settings[d.id] = { status: d.status ?? 'todo' };
      w = { ...w, documents: w.documents.filter((d) => curatedOf(d.id) === null), settings };
    }
    if (w.documents && !w.documents.length) w = { ...w, documents: undefined };
    const currentOf = (w) => (w.current !== undefined && curatedOf(w.current) === null && w.current !== this.knownCurrent ? w.current : undefined);
    let current = currentOf(w);
    const names = [];
    if (current !== undefined || w.settings || w.more) names.push('settings');
    if (w.labels || w.more) names.push('labelsets');
    if (w.documents) names.push('documents');
    if (w.annotations || w.more) names.push('annotations');
    if (w.annotations || w.edit || w.more) names.push('edits');
    if (!names.length) return 0; // nothing that storage does not hold already
    const tx = this.db.transaction(names, 'readwrite', { durability: 'strict' });
    const done = completed(tx);
    let conflict = false;
    let taken = null;
    let seq = 0;
    // A request made in another's callback that throws (a full disk) aborts
    // the transaction with that error, not the browser's "uncaught
    // exception in event handler".
    let thrown = null;
    // Whether a request's callback makes more requests: else the
    // transaction is committed as soon as its requests are made, so that
    // storage flushes it while this task goes on (drawing), instead of
    // once the task is over and the requests' events have run.
    let later = false;
    const guarded = (f) => (e) => {
      try {
        f(e);
      } catch (err) {
        thrown = err;
        tx.abort();
      }
    };
    // A request that throws at once (a full disk, a value storage cannot
    // clone) must take the requests already made with it: the whole write
    // or nothing.
    try {
      if (w.documents) {
        const docs = tx.objectStore('documents');
        let seq = Date.now() * 1000;
        for (const d of w.documents) {
          const mySeq = seq++;
          if (w.newDocuments) {
            // Added at once, not after a read: the text is written while a
            // `more` callback pre-annotates it. An id stored meanwhile by
            // another tab fails the add, which aborts the transaction.
            docs.add({ id: d.id, text: storedText(d.text), meta: d.meta ?? {}, status: d.status ?? 'todo', seq: mySeq }).onerror = (e) => {
              if (e.target.error?.name === 'ConstraintError') taken = d.id;
            };
            continue;
          }
          // A document written again keeps its place in the order.
          later = true;
          docs.get(d.id).onsuccess = guarded((e) => {
            const old = e.target.result;
            docs.put({ id: d.id, text: storedText(d.text), meta: d.meta ?? {}, status: d.status ?? 'todo', seq: old ? old.seq : mySeq });
          });
        }
      }
      if (w.more) {
        w = { ...w, ...w.more() };
        current = currentOf(w);
      }
      if (w.labels) tx.objectStore('labelsets').put({ id: 'project', labels: w.labels });
      if (w.annotations) {
        const anns = tx.objectStore('annotations');
        const edits = tx.objectStore('edits');
        // A document added by this very write has no log to check or drop
        // (a deletion takes its log with it): its record goes in at once.
        const added = new Set(w.newDocuments ? w.documents?.map((d) => d.id) : []);
        for (const { expect, ...record } of w.annotations) {
          if (added.has(record.docId)) {
            anns.put(record);
            if (record.rev) edits.add({ docId: record.docId, rev: record.rev });
            continue;
          }
          later = true;
          edits.index('docId').getAll(record.docId).onsuccess = guarded((e) => {
            const rows = e.target.result;
            const marks = rows.filter((r) => r.rev != null).map((r) => r.seq);
            const logged = rows.filter((r) => r.rev == null).map((r) => r.seq);
            const rev = marks.length ? rows.find((r) => r.seq === marks[marks.length - 1]).rev : 0;
            if (expect && !snapshotAdmitted(expect, rev, Float64Array.from(logged))) {
              conflict = true;
              tx.abort();
              return;
            }
            anns.put(record);
            for (const key of marks) edits.delete(key);
            if (expect) for (const key of logged) edits.delete(key);
            if (record.rev) edits.add({ docId: record.docId, rev: record.rev });
          });
        }
      }
      if (w.edit) {
        tx.objectStore('edits').add({ docId: w.edit.docId, entry: w.edit.entry }).onsuccess = (e) => {
          seq = e.target.result;
        };
      }
      if (current !== undefined) tx.objectStore('settings').put({ key: 'current', value: current });
      for (const [key, value] of Object.entries(w.settings || {})) tx.objectStore('settings').put({ key, value });
      if (!later && tx.commit) tx.commit();
    } catch (e) {
      tx.abort();
      done.catch(() => {});
      throw e;
    }
    try {
      await done;
      if (current !== undefined) this.knownCurrent = current;
    } catch (e) {
      if (taken != null) {
        throw Object.assign(new Error(`another tab has just stored a document with the id ${JSON.stringify(taken)}`), { name: 'IdTakenError', id: taken });
      }
      if (conflict) throw Object.assign(new Error('the document was changed in another tab'), { name: 'ConflictError' });
      throw thrown ?? e;
    }
    return seq;
  }

  // The keys of the curated records kept here (curatedkey.js).
  async curatedKeys() {
    const tx = this.db.transaction('annotations', 'readonly');
    return promised(tx.objectStore('annotations').getAllKeys(curatedRange()));
  }

  // The team project's records as last synced: the `team` log's records in
  // the order written (see the head).
  async teamLog() {
    const tx = this.db.transaction('team', 'readonly');
    const log = await promised(tx.objectStore('team').getAll());
    // Keys go on from the last one even if the clock went back.
    for (const { id } of log) if (Array.isArray(id)) this.logAt = Math.max(this.logAt, id[0]);
    return log;
  }

  // A new last key of the `team` log: the time, and this tab's mark so that
  // two tabs writing in the same millisecond do not write over each other.
  nextLogKey() {
    this.logAt = Math.max(Date.now(), this.logAt + 1);
    return [this.logAt, this.logTab];
  }

  // Stores what the replicator says in one durable transaction: `entries`
  // (the core's JSON text) as the `team` log's new last record, the
  // project's documents it brought, its checkpoint in `settings`; `drop`
  // deletes those records of the log (compacted into `entries`); `clear`
  // first forgets another project's. A document is written only where none
  // of its id is stored (one kept here keeps its status and place).
  // Resolves to `{key, written, present}`: the log record's key, how many
  // documents were written, and the ids of those stored already.
  async writeTeam({ entries = null, documents = [], checkpoint = null, drop = [], clear = false }) {
    const names = documents.length ? ['team', 'settings', 'documents'] : ['team', 'settings'];
    const tx = this.db.transaction(names, 'readwrite', { durability: 'strict' });
    const done = completed(tx);
    const team = tx.objectStore('team');
    if (clear) {
      team.clear();
      tx.objectStore('settings').delete('team-checkpoint');
    }
    let written = 0;
    const present = []; // the documents stored already (not written over)
    if (documents.length) {
      const docs = tx.objectStore('documents');
      // The ids stored already, in one request over the batch's range (a
      // request per document cost a first sync a third of its time).
      const ids = documents.map((d) => d.id).sort();
      const range = IDBKeyRange.bound(ids[0], ids[ids.length - 1]);
      const stored = new Set(await promised(docs.getAllKeys(range)));
      let seq = Date.now() * 1000;
      for (const d of documents) {
        const mySeq = seq++;
        if (stored.has(d.id)) {
          present.push(d.id);
          continue;
        }
        stored.add(d.id); // twice in one batch: the first counts
        docs.put({ id: d.id, text: storedText(d.text), meta: d.meta ?? {}, status: 'todo', seq: mySeq });
        written += 1;
      }
    }
    for (const key of drop) team.delete(key);
    const key = entries ? this.nextLogKey() : null;
    if (entries) team.put({ id: key, entries });
    if (checkpoint) tx.objectStore('settings').put({ key: 'team-checkpoint', value: checkpoint });
    await done;
    return { key, written, present };
  }
}
