// Working as a team (docs/ARCHITECTURE.md, "Team sync"): signing in to the
// team server (this page's own origin, `/db/`), joining a project, the sync
// status, and the contract's team calls. The local store stays the source
// of truth; the replicator (replicator.js) runs beside it.
//
// The password is never stored: after a reload the page resumes with the
// session cookie while it is valid, else asks to sign in again (local work
// stays and keeps queueing).

import { Team, ExportWriter } from './pkg/spanmark.js';
import { $, state, serial, status, onEdited, onOpened, onSettingsChanged, onDocumentChange, report } from './page.js';
import { STRUCTURE } from './structure.js';
import { appendToList, cancelJob, flush, openDocument, reloadList } from './document.js';
import { refreshLabels } from './labels.js';
import { Replicator } from './replicator.js';
import { curatedKey, curatedOf } from './curatedkey.js';
import { wireCuration, refresh as refreshCuration, curate } from './curation.js';

const SETTING = 'team'; // {project, user}: what to resume after a reload
let ctx = null; // {project, user, roles, curator, team, replicator}
const dirty = new Set(); // documents edited since their last commit
let hooks = null; // what wireTeam was given of the page: {setRules}

// Who may curate: the server's rule (tools/team/design.mjs) in the page's words.
const curates = (roles) => roles.includes('curator') || roles.includes('_admin');
const isCurator = () => !!ctx?.curator;

async function session(method = 'GET', body) {
  const res = await fetch('/db/_session', {
    method,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
    credentials: 'same-origin',
  });
  let json = null;
  try { json = await res.json(); } catch { /* not JSON */ }
  return { status: res.status, json };
}

function deviceId() {
  let id = localStorage.getItem('spanmark-device');
  if (!id) {
    id = crypto.randomUUID();
    localStorage.setItem('spanmark-device', id);
  }
  return id;
}

// The Team drawer's form: "each document to K of [names]", or the
// documents chosen (ids, one a line or comma-separated) to one name.
function wireAssignForm() {
  $('assign-go').addEventListener('click', () => {
    const said = $('assign-message');
    const names = $('assign-names').value.split(/[\s,]+/).filter(Boolean);
    const docs = $('assign-docs').value.split(/[\n,]+/).map((d) => d.trim()).filter(Boolean);
    const how = docs.length ? { to: names[0] ?? '', docs } : { each: Number($('assign-each').value), among: names };
    said.textContent = 'assigning…';
    assign(how)
      .then((n) => { said.textContent = `assigned ${n} document${n === 1 ? '' : 's'}`; })
      .catch((e) => { said.textContent = e.message; report(e); });
  });
}

function showState() {
  const el = $('sync-state');
  $('agreement-open').hidden = !ctx;
  $('curate-open').hidden = !isCurator();
  $('assign-form').hidden = !isCurator();
  document.body.classList.toggle('in-team', !!ctx);
  if (!ctx) {
    el.hidden = true;
    $('agreement-panel').hidden = true;
    return;
  }
  const { state: s, text } = ctx.replicator.state(dirty.size);
  el.hidden = false;
  el.dataset.state = s;
  el.textContent = `${ctx.project}: ${text}`;
  $('team-who').textContent = `${ctx.user} (${ctx.roles.join(', ') || 'no role'}) in ${ctx.project}`;
}

// A document as the project's `doc:` record (curators write those).
const commitDocument = (d) => ctx.team.commit(`doc:${d.id}`, { type: 'document', text: d.text, meta: d.meta ?? {} });

// Takes the local edits into the core: a snapshot of the open document
// first, and any document's log since its snapshot folded in. `known`: the
// project's ids when the caller has just asked the core for them, and
// whether it has just told every local document apart (no import since).
function commit(ids, known = {}) {
  return serial(async () => {
    await flush();
    // Asked once: a project of thousands of documents crosses as many strings.
    const project = known.project ?? new Set(ctx.team.documentIds());
    // A document added here since joining (an import) goes to the project;
    // those that were here before joining stay this browser's own.
    if (ctx.own && !known.sorted) {
      for (const id of await state.store.idsInOrder()) {
        if (project.has(id) || ctx.own.has(id)) continue;
        const d = await state.store.document(id);
        commitDocument(d);
        project.add(id);
        ids.push(id);
      }
    }
    const opened = [];
    for (const id of ids) {
      dirty.delete(id);
      if (curatedOf(id) !== null) {
        await commitCurated(curatedOf(id));
      } else if (project.has(id)) {
        opened.push(id);
      }
    }
    // Never opened here: nothing of hers to send (nor to read). Edits
    // logged since a record's snapshot (by a page before a reload, or by
    // another tab) are hers too: folded in, not left behind.
    const logs = await state.store.logsOf(opened);
    for (const { doc, record } of await state.store.openedWithRecords(opened)) {
      const log = logs.get(doc.id);
      ctx.team.commitOwn(doc, log ? state.core.foldLog(doc, record, log) : record, Date.now());
    }
  });
}

// Two of the core's `entries` texts (JSON arrays, or null) as one.
function joinEntries(a, b) {
  if (!a || !b) return a ?? b;
  return `${a.slice(0, -1)},${b.slice(1)}`;
}

// The `team` store is a log of the core's writes (store.js): once it holds
// more than this many records, they are replaced by one of every entry.
const COMPACT_AFTER = 100;

async function compactLog() {
  const { key } = await state.store.writeTeam({ entries: ctx.team.allEntries(), drop: ctx.logKeys });
  ctx.logKeys = [key];
}

// Writes locally what the server changed: new documents, the labels, one's
// own records (merged ones included); then stores the core's entries. The
// document list is drawn again at a round's `last` write only (a first
// sync's every page would draw thousands of lines again): read back when
// something else than new documents changed it, else with their lines
// added.
let listStale = false;
let newLines = [];
function apply(writes, { last = true } = {}) {
  let rules = null; // the team's rules, if they changed: set once this is done
  return serial(async () => {
    let listChanged = false;
    let reopen = false;
    // The project's new documents first, in one transaction (a first sync
    // brings thousands), before the records on them and the checkpoint
    // that says they came. With them the entries, unless a record other
    // than a document is still to be written locally: its entry goes after
    // it (stored first, a stop between the two would leave the record
    // known as applied here and never written). A deletion is such a record.
    const isDoc = (b) => b._id.startsWith('doc:');
    const documents = writes.changed
      .filter((b) => isDoc(b) && !b._deleted)
      .map((b) => ({ id: b._id.slice(4), text: b.text, meta: b.meta ?? {} }));
    const deleted = writes.changed.filter((b) => isDoc(b) && b._deleted).map((b) => b._id.slice(4));
    // Written nowhere here: another annotator's record (named without its
    // body) and an assignment (the list is read again).
    const passive = (b) => b._id.startsWith('assign:') || (b._id.startsWith('ann:') && b.doc_id === undefined && !b._deleted);
    const entriesNow = writes.changed.every((b) => (isDoc(b) && !b._deleted) || passive(b));
    let present = [];
    if (documents.length || (entriesNow && writes.entries)) {
      const done = await state.store.writeTeam({ documents, entries: entriesNow ? writes.entries : null });
      if (done.key) ctx.logKeys.push(done.key);
      present = done.present;
      // As store.js writes them: new, in this order, the first of an id.
      const skip = new Set(present);
      for (const d of documents) {
        if (skip.has(d.id)) continue;
        skip.add(d.id);
        newLines.push({ id: d.id, name: typeof d.meta.name === 'string' ? d.meta.name : d.id, status: 'todo', count: 0, hits: 0 });
      }
    }
    // Documents here already: a curator may have renamed one.
    const names = new Map(documents.map((d) => [d.id, d.meta.name ?? null]));
    const stored = present.length ? await state.store.documents(present) : [];
    const renamed = [];
    for (const d of stored) {
      const name = names.get(d?.id);
      if (!d || (d.meta?.name ?? null) === name) continue;
      renamed.push({ ...d, meta: { ...d.meta, name } });
      if (d.id === state.docId && name != null) $('doc-name').textContent = name;
    }
    if (renamed.length) {
      await state.store.write({ documents: renamed });
      listChanged = true;
    }
    // Documents a curator deleted: gone here too, with this person's local
    // records of them (those on the server stay).
    const gone = new Set(deleted);
    const openDoc = curatedOf(state.docId) ?? state.docId;
    const openGone = gone.has(openDoc);
    const next = openGone ? state.docs.besides(openDoc, gone) : null;
    if (openGone) {
      cancelJob(); // its worker writes nothing after the deletion
      state.docId = null;
      state.logHead = 0;
    }
    for (const docId of deleted) {
      await state.store.deleteDocument(docId);
      listChanged = true;
    }
    if (openGone) {
      if (next) await openDocument(next);
      status('the open document was deleted from the project by a curator');
    }
    for (const body of writes.changed) {
      const id = body._id;
      if (id === 'labels' && Array.isArray(body.labels)) {
        state.core.setLabels(body.labels);
        // The project's relation and document labels and overlap setting.
        if (body.structure) state.core.setStructure(body.structure);
        await state.store.write({ labels: state.core.labels(), settings: { [STRUCTURE]: state.core.structure() } });
        refreshLabels();
      } else if (id === 'rules' && typeof body.rules === 'string' && body.rules !== state.core.rulesJsonl()) {
        rules = body.rules;
      } else if (id === `ann:${body.doc_id}:${ctx.user}`) {
        const docId = body.doc_id;
        const doc = await state.store.document(docId);
        if (!doc) continue;
        // A local edit since the last commit meets the server's change as
        // a conflict, which the core merges: the winner then is the merge.
        if (docId === state.docId) await flush();
        const local = await state.store.annotations(docId);
        // Never opened here: nothing local to meet the server's record.
        if (local) ctx.team.commitOwn(doc, local, Date.now());
        const winner = ctx.team.winner(id);
        if (!winner) continue;
        const { record, status } = ctx.team.localRecord(winner, (await state.store.annotations(docId)) ?? null);
        await state.store.write({ annotations: [record], documents: [{ ...doc, status }] });
        ctx.team.applied(id, winner._rev);
        listChanged = true;
        if (docId === state.docId) reopen = true;
      } else if (id === `ann:${body.doc_id}:curated`) {
        if (await applyCurated(body)) reopen = true;
      } else if (id.startsWith('assign:')) {
        listChanged = true;
      }
    }
    const more = ctx.team.takeWrites();
    const entries = entriesNow ? more.entries : joinEntries(writes.entries, more.entries);
    const checkpoint = more.checkpoint ?? writes.checkpoint;
    if (entries || checkpoint) {
      const { key } = await state.store.writeTeam({ entries, checkpoint });
      if (key) ctx.logKeys.push(key);
    }
    if (last && ctx.logKeys.length > COMPACT_AFTER) await compactLog();
    if (reopen && state.docId) await openDocument(state.docId, { force: true });
    listStale ||= listChanged;
    if (last && listStale) {
      listStale = false;
      newLines = [];
      await reloadList();
    } else if (last && newLines.length) {
      appendToList(newLines.splice(0));
    }
    if (writes.changed.some((b) => b._id.startsWith('ann:'))) refreshCuration();
  }).then(() => {
    // Through the rules panel's own path (stored, the open document's
    // suggestions renewed), which queues behind this.
    if (rules != null) hooks.setRules(rules).catch(report);
  });
}

// A curator's change of the label set or the rules goes to the team
// (an annotator's stays hers: the server would refuse it).
function sendSettings() {
  if (!isCurator()) return;
  serial(async () => {
    ctx.team.commit('labels', { type: 'labels', labels: state.core.labels(), structure: state.core.structure() });
    const rules = await state.store.setting('rules');
    if (rules != null) ctx.team.commit('rules', { type: 'rules', rules });
  }).then(() => {
    showState();
    ctx?.replicator.schedule();
  }).catch(report);
}

// Every record that may hold edits not yet committed (after joining or a
// reload): the project's documents, and the curated records kept here.
async function markAllDirty(ids = ctx.team.documentIds()) {
  for (const id of ids) dirty.add(id);
  for (const key of await state.store.curatedKeys()) dirty.add(key);
}

// A curator's curated record of a document, as the local store holds it
// (under its own key), into the core.
async function commitCurated(docId) {
  if (!isCurator()) return;
  const key = curatedKey(docId);
  const doc = await state.store.document(key); // with the curated status
  const record = await state.store.annotations(key);
  if (doc && record) ctx.team.commitCurated({ ...doc, id: docId }, record, Date.now());
}

// The curated record the server changed (another curator's edit), written
// locally over the one kept here (merged by the core first, as one's own
// record); resolves to whether it is the one open. A curated record never
// curated here is not kept locally: opening it for curation reads it then.
async function applyCurated(body) {
  if (!isCurator()) return false;
  const key = curatedKey(body.doc_id);
  if (key === state.docId) await flush();
  const local = await state.store.annotations(key);
  if (!local) return false;
  await commitCurated(body.doc_id);
  const id = `ann:${body.doc_id}:curated`;
  const winner = ctx.team.winner(id);
  if (!winner) return false;
  const { record, status } = ctx.team.localRecord(winner, (await state.store.annotations(key)) ?? null);
  await state.store.write({ annotations: [{ ...record, docId: key }], settings: { [key]: { status } } });
  ctx.team.applied(id, winner._rev);
  return key === state.docId;
}


// The list in her order: her assigned documents first, each marked.
function listOrder(lines) {
  if (!ctx) return lines;
  const assigned = ctx.team.assignments();
  const mine = (id) => (assigned[id] ?? []).includes(ctx.user);
  const byId = new Map(lines.map((l) => [l.id, l]));
  return ctx.team.queue(lines.map((l) => l.id), ctx.user).map((id) => ({ ...byId.get(id), assigned: mine(id) }));
}

// The contract's `assign({each, among} | {to, docs})` (curators): the
// `assign:` records written and pushed; resolves to how many documents
// were assigned.
async function assign(how) {
  const { team } = needTeam();
  if (!isCurator()) throw new Error(`only a curator assigns documents: ${ctx.user} is ${ctx.roles.join(', ') || 'no role'} here`);
  let n;
  if (how?.to != null) {
    n = team.assignTo((how.docs ?? []).map(String), String(how.to));
  } else {
    n = team.spread(Number(how?.each), (how?.among ?? []).map(String));
  }
  await ctx.replicator.next();
  await serial(reloadList);
  return n;
}

// `resumed`: after a reload, {signedOut}: every record that may hold edits
// is marked, and the sign-in said, before the state is first shown (else it
// would say synced for a moment over edits not yet sent, or a lost sign-in).
async function begin(project, user, roles, { fresh = false, resumed = null } = {}) {
  if (ctx) ctx.replicator.stop();
  if (fresh) await state.store.writeTeam({ clear: true });
  const log = fresh ? [] : await state.store.teamLog();
  const checkpoint = fresh ? null : await state.store.setting('team-checkpoint');
  const team = new Team(location.origin, project, user, deviceId(), crypto.randomUUID(), log, checkpoint);
  const stored = fresh ? null : await state.store.setting(SETTING);
  // The log's records read or written here, replaced by one when it is
  // compacted (another tab's written meanwhile stay, and count as older:
  // as two tabs' writes of one entry did before).
  const logKeys = log.map((r) => r.id);
  ctx = { project, user, roles, curator: curates(roles), team, own: stored?.own ? new Set(stored.own) : null, logKeys };
  if (logKeys.length > COMPACT_AFTER) await serial(compactLog);
  team.setCurator(ctx.curator);
  state.listOrder = listOrder;
  ctx.replicator = new Replicator({
    team,
    db: `/db/${encodeURIComponent(project)}`,
    commit: () => commit([...dirty]),
    apply,
    onState: showState,
  });
  await state.store.putSetting(SETTING, { project, user, own: ctx.own ? [...ctx.own] : undefined });
  if (resumed) {
    await markAllDirty();
    if (resumed.signedOut) ctx.replicator.failure = { kind: 'signedout', reason: 'signed out' };
  }
  showState();
}

// The contract's `join({user, password, project})`.
export async function join({ user, password, project }) {
  const signed = await session('POST', { name: String(user), password: String(password) });
  if (signed.status === 401) throw new Error(`signing in as ${user}: wrong user name or password (401)`);
  if (signed.status !== 200) throw new Error(`signing in as ${user}: the server answered ${signed.status}`);
  const roles = signed.json?.roles ?? (await session()).json?.userCtx?.roles ?? [];
  const db = `/db/${encodeURIComponent(project)}`;
  const info = await fetch(db, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  const stored = await state.store.setting(SETTING);
  const fresh = !stored || stored.project !== project || stored.user !== user;
  let created = false;
  if (info.status === 404) {
    if (!curates(roles)) {
      throw new Error(`there is no project ${project} (a curator creates it by joining it)`);
    }
    const res = await fetch('/team/projects', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: project }),
      credentials: 'same-origin',
    });
    if (res.status !== 201) throw new Error(`creating the project ${project}: ${(await res.json().catch(() => ({}))).reason ?? res.status}`);
    created = true;
  } else if (info.status !== 200) {
    const why = (await info.json().catch(() => ({}))).reason ?? info.status;
    throw new Error(`opening the project ${project}: ${why} (${info.status})`);
  }
  await begin(project, user, roles, { fresh });
  if (created) await seed();
  // Every local document of the project is committed on the first round.
  await ctx.replicator.next();
  const ids = ctx.team.documentIds();
  const known = { project: new Set(ids), sorted: false };
  if (!ctx.own) {
    ctx.own = new Set((await state.store.idsInOrder()).filter((id) => !known.project.has(id)));
    known.sorted = true;
    await state.store.putSetting(SETTING, { project, user, own: [...ctx.own] });
  }
  // Her records of the project's documents she had here already go in a
  // second round; a new annotator (nothing of hers to send) needs none.
  await markAllDirty(ids);
  await commit([...dirty], known);
  if (!ctx.team.pending()) return { project, documents: ids };
  await ctx.replicator.next();
  return { project, documents: ctx.team.documentIds() };
}

// A curator's new project: the local documents, labels and rules as its
// records, then her annotations as her own records.
async function seed() {
  await serial(async () => {
    await flush();
    const docs = await state.store.documents(await state.store.idsInOrder());
    for (const d of docs) {
      if (!d) continue;
      commitDocument(d);
      dirty.add(d.id);
    }
    ctx.team.commit('labels', { type: 'labels', labels: state.core.labels(), structure: state.core.structure() });
    const rules = await state.store.setting('rules');
    if (rules != null) ctx.team.commit('rules', { type: 'rules', rules });
  });
}

// After a reload: resumes with the session cookie, or says to sign in.
async function resume() {
  const stored = await state.store.setting(SETTING);
  if (!stored) return;
  const who = await session().catch(() => null);
  const name = who?.json?.userCtx?.name;
  const signedOut = name !== stored.user && !!who;
  await begin(stored.project, stored.user, name === stored.user ? who.json.userCtx.roles : [], { resumed: { signedOut } });
  if (!signedOut) ctx.replicator.schedule(0);
}

async function signOut() {
  await session('DELETE');
  if (ctx) ctx.replicator.stop();
  ctx = null;
  state.listOrder = null;
  await state.store.deleteSetting(SETTING);
  showState();
}

function needTeam() {
  if (!ctx) throw new Error('not in a team project: join one first');
  return ctx;
}

// One annotator's export (or 'curated'), from the records as last synced.
async function exportFor(format, { annotator, ...options }) {
  const { team } = needTeam();
  const writer = new ExportWriter(format, options);
  const parts = [writer.head(state.core.labels(), state.core.structure())];
  for (const id of team.documentIds()) {
    const { doc, record } = team.documentOf(id, annotator);
    const bytes = writer.document(doc, record);
    if (bytes) parts.push(bytes);
  }
  parts.push(writer.finish());
  return new TextDecoder().decode(await new Blob(parts).arrayBuffer());
}

// `given.setRules(jsonl)`: the rules panel's (rules.js), for the team's rules.
export function wireTeam(given) {
  hooks = given;
  onSettingsChanged(sendSettings);
  onEdited(() => {
    if (!ctx || !state.docId) return;
    dirty.add(state.docId);
    showState();
    ctx.replicator.schedule();
  });
  $('team-open').addEventListener('click', () => { $('team-panel').hidden = false; });
  $('team-join').addEventListener('click', () => {
    const status = $('team-message');
    status.textContent = 'joining…';
    join({ user: $('team-user').value, password: $('team-password').value, project: $('team-project').value })
      .then(({ project, documents }) => { status.textContent = `joined ${project}: ${documents.length} document(s)`; })
      .catch((e) => { status.textContent = e.message; report(e); })
      .finally(() => { $('team-password').value = ''; });
  });
  $('team-signout').addEventListener('click', () => signOut().catch(report));
  wireCuration(() => ctx);
  // Opened for curation: its record to send (edits logged after the last
  // commit, by a tab closed while curating, are folded in on opening; the
  // snapshot stored without them is what was last committed).
  onOpened(() => {
    if (!ctx || curatedOf(state.docId) === null) return;
    dirty.add(state.docId);
    ctx.replicator.schedule();
  });
  wireAssignForm();
  // A project's documents are named and deleted by its curators: a
  // curator's change goes to the project (a rename with the text, as her
  // `doc:` records always have it; a deletion as the record's deletion,
  // the annotators' records of it staying on the server).
  const projectDoc = (id) => !!ctx && ctx.team.documentIds().includes(id);
  onDocumentChange({
    check: (kind, id) => {
      if (projectDoc(id) && !isCurator()) {
        const what = kind === 'delete' ? 'deletes' : 'renames';
        throw new Error(`only a curator ${what} the project's documents: ${ctx.user} is ${ctx.roles.join(', ') || 'no role'} here`);
      }
    },
    done: (kind, doc) => {
      if (!projectDoc(doc.id) || !isCurator()) return;
      if (kind === 'delete') ctx.team.commit(`doc:${doc.id}`, { _deleted: true });
      else commitDocument(doc);
      showState();
      ctx.replicator.schedule();
    },
  });
  // Until a reload has resumed the team (a round trip to the server), the
  // state is not yet known to be synced, and sync() waits for it.
  let resumed = false;
  const resuming = resume().catch(report).finally(() => { resumed = true; });
  return {
    curate: (docId) => curate(docId),
    assign,
    queue: () => {
      const { team, user } = needTeam();
      return team.queue(state.docs.all.map((d) => d.id), user);
    },
    join,
    sync: async () => {
      await resuming;
      const { replicator } = needTeam();
      if (state.docId) dirty.add(state.docId);
      const total = { pushed: 0, pulled: 0 };
      for (let i = 0; i < 3; i += 1) {
        const s = await replicator.next();
        total.pushed += s.pushed;
        total.pulled += s.pulled;
        if (!ctx.team.pending() && !dirty.size) break;
      }
      return total;
    },
    syncState: () => (ctx ? ctx.replicator.state(dirty.size).state : resumed ? 'synced' : 'pending'),
    whoami: () => (ctx ? { user: ctx.user, roles: ctx.roles } : null),
    annotationsOf: (docId, annotator) => needTeam().team.annotationsOf(String(docId), String(annotator)),
    agreement: (opts) => needTeam().team.agreement(opts?.labels ?? null),
    exportFor,
    // The agreement matrix's: with each pair's documents that differ most.
    agreementWithDifferences: (labels) => needTeam().team.agreementWithDifferences(labels ?? null),
  };
}
