// What a job stopped half-way leaves behind, said at the next start. A job
// that can be killed mid-way (an import, "Pre-annotate all") writes a small
// journal record in `settings` when it starts and removes it when it ends;
// while it runs, its tab holds a Web Lock of the same name. At start-up a
// record whose lock nobody holds is what an unclean stop (a killed tab, a
// crash) left: the page says what was and was not kept, then forgets it.
// A job in another tab still running holds its lock and is left alone.

export const JOURNAL_PREFIX = 'job:';

// Starts a job's journal: `job` is {kind: 'import', name} or
// {kind: 'preannotate', total}. Resolves to {key, update(job), end()}.
export async function startJob(store, job) {
  const key = `${JOURNAL_PREFIX}${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  let release = () => {};
  if (navigator.locks) {
    const held = new Promise((resolve) => { release = resolve; });
    await new Promise((granted) => {
      navigator.locks.request(key, () => { granted(); return held; }).catch(() => granted());
    });
  }
  await store.putSetting(key, job);
  return {
    key,
    update: (next) => store.putSetting(key, next),
    end: async () => {
      try {
        await store.deleteSetting(key);
      } finally {
        release();
      }
    },
  };
}

const count = (n) => n.toLocaleString('en-US');

async function describe(store, job) {
  if (job.kind === 'import') return `the import of ${job.name} did not finish: nothing of it was kept`;
  if (job.kind === 'preannotate') {
    if (!Number.isFinite(job.total)) return 'Pre-annotate all did not finish; run it again to finish';
    const left = (await store.unopenedIds()).length;
    const done = Math.max(0, Math.min(job.total, job.total - left));
    return `Pre-annotate all stopped at ${count(done)} of ${count(job.total)}; run it again to finish`;
  }
  return null;
}

// What jobs stopped uncleanly left (messages, oldest first), from the
// journal records (`store.settingsFrom(JOURNAL_PREFIX)`, read with the rest
// of the first screen's reads); those records are removed. A record whose
// value is null belongs to a job whose work was stored (the import's own
// transaction cleared it) but whose end did not run: nothing to say.
export async function leftovers(store, records) {
  if (!records.length) return [];
  const held = navigator.locks ? new Set(((await navigator.locks.query()).held || []).map((l) => l.name)) : new Set();
  const out = [];
  for (const { key, value } of records) {
    if (held.has(key)) continue;
    if (value) {
      const message = await describe(store, value);
      if (message) out.push(message);
    }
    await store.deleteSetting(key);
  }
  return out;
}
