// The learned model in the page: learning from a document marked done, and
// keeping the result per project in IndexedDB (settings key `model`), with
// export, import and reset. The learning itself is the core's
// (src/recognize/learn.rs); this module moves bytes and draws a count.
import { download } from './files.js';
import { readsFirst } from './page.js';

const KEY = 'model';
const $ = (id) => document.getElementById(id);

// `page` gives: core, store, serial (the page's edit queue), report, status,
// and resuggest (re-suggests the open document if untouched, then saves and
// draws it; resolves to what changed, in words, if anything).
export async function startLearning(page) {
  const { core, store } = page;
  const saved = await store.setting(KEY);
  if (saved) {
    try {
      core.loadLearnedModel(new Uint8Array(saved));
    } catch (e) {
      page.report(new Error(`The saved learned model could not be read (${e.message}); the shipped model is used.`));
    }
  }
  const show = () => {
    const n = core.learnedDocs();
    $('learned-docs').textContent = n ? `Model: learned from ${n} document${n === 1 ? '' : 's'}` : 'Model: as shipped';
  };

  // Makes `change` to the core's model durable; if storage refuses, the
  // core goes back to what it had, so nothing changes.
  async function persist(change) {
    const before = core.learnedModel();
    change(); // throws (changing nothing) on a bad file
    try {
      await store.putSetting(KEY, core.learnedModel());
    } catch (e) {
      core.loadLearnedModel(before);
      throw new Error(`Could not save the learned model (${e && e.message ? e.message : e}); it is unchanged.`);
    }
    show();
  }

  const learning = {
    // Learns from the open document (call inside the queue, once it is
    // saved as done).
    async learnFromOpen() {
      const t0 = performance.now();
      await persist(() => core.learnFromDocument());
      page.status(`marked done; the model learned from it in ${Math.round(performance.now() - t0)} ms`);
    },
    reset: () => page.serial(async () => {
      await persist(() => core.resetLearnedModel());
      const said = await page.resuggest();
      page.status(`model reset to the shipped one${said ? `; ${said}` : ''}`);
    }),
    import: (bytes) => page.serial(async () => {
      // a bad file throws in the core, which then keeps what it had
      await persist(() => core.loadLearnedModel(new Uint8Array(bytes)));
      const said = await page.resuggest();
      page.status(`model imported (learned from ${core.learnedDocs()} documents)${said ? `; ${said}` : ''}`);
    }),
    export() {
      download('model.spanmark-model', core.learnedModel(), 'application/octet-stream');
    },
    learnedDocs: () => core.learnedDocs(),
  };

  $('model-export').addEventListener('click', () => { try { learning.export(); } catch (e) { page.report(e); } });
  $('model-reset').addEventListener('click', () => learning.reset().catch(page.report));
  $('model-import').addEventListener('change', readsFirst(async (event) => {
    const [file] = event.target.files;
    event.target.value = '';
    if (!file) return;
    try {
      await learning.import(await file.arrayBuffer());
    } catch (e) {
      page.report(new Error(`${file.name}: ${e && e.message ? e.message : e}`));
    }
  }));
  show();
  return learning;
}
