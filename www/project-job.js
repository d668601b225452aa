// "Pre-annotate all": every document of the project never opened yet is
// pre-annotated in a worker (preannotate-worker.js), which saves each one's
// suggestions as it goes; a progress bar and Cancel in the sidebar. The page
// itself only counts and draws: the main thread never touches the texts.
// The job is journalled (journal.js): a start after it was killed says how
// far it got.

import { startJob } from './journal.js';

export function wireProjectJob(ctx) {
  const { state } = ctx;
  const $ = (id) => document.getElementById(id);
  let running = null; // {worker, promise, finish}

  function show(done, total, saved) {
    $('project-job').hidden = false;
    $('project-job-bar').style.width = total ? `${(100 * done) / total}%` : '100%';
    $('project-job-text').textContent = `Pre-annotating ${Math.floor(done)} / ${total} documents (${saved} saved)`;
  }

  function end() {
    running.worker.terminate();
    running.journal.then((j) => j.end()).catch(() => {});
    running = null;
    $('project-job').hidden = true;
    $('preannotate-all').disabled = false;
  }

  // Resolves to the number of documents pre-annotated and saved (so far, if
  // cancelled).
  function preannotateProject() {
    if (running) return running.promise;
    const worker = ctx.takeWorker();
    let written = 0;
    let finish;
    let fail;
    const promise = new Promise((resolve, reject) => { finish = resolve; fail = reject; });
    const journal = startJob(state.store, { kind: 'preannotate', total: null });
    running = { worker, promise, journal, finish: () => finish(written) };
    $('preannotate-all').disabled = true;
    show(0, 0, 0);
    let total = 0;
    let done = 0;
    worker.onmessage = ({ data }) => {
      if (data.saved) {
        written = data.savedTotal;
        state.docs.updateMany(data.saved.map(([id, count]) => [id, { count }]));
        show(done, total, written); // what is saved shows as soon as it is
      } else if (data.failed) {
        end();
        fail(new Error(`Pre-annotating the project failed: ${data.failed}`));
      } else if (data.finished !== undefined) {
        end();
        ctx.status(`pre-annotated ${written} document${written === 1 ? '' : 's'}`);
        finish(written);
      } else {
        if (data.total !== total) journal.then((j) => j.update({ kind: 'preannotate', total: data.total })).catch(() => {});
        total = data.total;
        done = data.done;
        show(done, total, written);
      }
    };
    worker.onerror = (e) => {
      end();
      fail(new Error(`Pre-annotating the project failed: ${e.message || 'worker error'}`));
    };
    const setup = ctx.workerSetup();
    worker.postMessage({ project: true, skip: state.docId, ...setup }, [setup.model.buffer]);
    return promise.finally(() => ctx.reloadList().catch(ctx.report));
  }

  function cancel() {
    if (!running) return;
    const { finish } = running;
    end();
    ctx.status('pre-annotating the project cancelled; the documents done so far are saved');
    finish();
  }

  $('preannotate-all').addEventListener('click', () => { preannotateProject().catch(ctx.report); });
  $('project-job-cancel').addEventListener('click', cancel);

  return { contract: { preannotateProject } };
}
