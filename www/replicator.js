// The replication loop: moves the core's requests (src/sync/replicate.rs)
// to the team server with `fetch` and its answers back, stores what the core
// says to store, and applies what the server changed to the local records.
// Every decision (what to send, what an answer means, merges) is the core's.
//
// A round runs after each durable local edit (debounced) and every POLL ms
// while online: a short poll rather than a longpoll, so that a request never
// waits on the server longer than TIMEOUT and a push never queues behind a
// pull that hangs. Failures back off 1 s, 2 s, 4 s ... up to MAX_BACKOFF.

const DEBOUNCE = 300;
const POLL = 1000;
const TIMEOUT = 8000;
const MAX_BACKOFF = 30000;

export class Replicator {
  // `team`: the core's Team; `db`: '/db/<project>'; `apply(writes, {last})`:
  // writes the changed records locally (in the page's serial queue) and
  // stores the entries (`last`: the round's end: draw the list again);
  // `commit()`: takes the local edits into the core (serial too);
  // `onState()`: the state changed.
  constructor({ team, db, apply, commit, onState }) {
    Object.assign(this, { team, db, apply, commit, onState });
    this.timer = null;
    this.running = null;
    this.failures = 0;
    this.failure = null; // {kind: 'offline'|'server'|'signedout', reason}
    this.stopped = false;
    this.again = false;
    this.waiters = [];
    this.onOnline = () => {
      if (navigator.onLine && this.failure?.kind === 'offline') {
        this.failure = null;
        this.failures = 0;
      }
      this.onState();
      this.schedule(0);
    };
    addEventListener('online', this.onOnline);
    addEventListener('offline', this.onOnline);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    removeEventListener('online', this.onOnline);
    removeEventListener('offline', this.onOnline);
  }

  // 'synced' | 'pending' | 'offline' | 'error', and the words for it.
  state(dirty) {
    const refused = this.team.refused();
    const pending = this.team.pending() + dirty;
    if (this.failure?.kind === 'signedout') return { state: 'error', text: 'signed out: sign in again' };
    if (!navigator.onLine || this.failure?.kind === 'offline') {
      return { state: 'offline', text: pending ? `offline, ${pending} pending` : 'offline' };
    }
    if (this.failure) return { state: 'error', text: `error: ${this.failure.reason}` };
    if (refused.length) {
      const [r] = refused;
      return { state: 'error', text: `error: the server refused ${r.id}: ${r.reason}` };
    }
    if (pending) return { state: 'pending', text: `${pending} pending` };
    return { state: 'synced', text: 'synced' };
  }

  schedule(delay = DEBOUNCE) {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delay);
  }

  // Resolves with the summary of the next complete round (or rejects with
  // its failure), starting one now.
  next() {
    const p = new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.running) this.again = true;
    else this.schedule(0);
    return p;
  }

  async run() {
    if (this.stopped || this.running) return;
    clearTimeout(this.timer);
    this.running = this.round();
    let delay = POLL;
    const waiters = this.waiters.splice(0);
    try {
      const summary = await this.running;
      this.failures = 0;
      this.failure = null;
      for (const w of waiters) w.resolve(summary);
    } catch (e) {
      this.failure = e.kind ? e : { kind: 'server', reason: e.message || String(e) };
      this.failures += 1;
      delay = Math.min(1000 * 2 ** (this.failures - 1), MAX_BACKOFF);
      for (const w of waiters) w.reject(Object.assign(new Error(this.failure.reason), { kind: this.failure.kind }));
    } finally {
      this.running = null;
      this.onState();
    }
    if (this.failure?.kind === 'signedout') return; // until the next sign-in
    if (this.again) {
      this.again = false;
      delay = this.failure ? delay : 0;
    }
    if (!this.stopped) this.timer = setTimeout(() => this.run(), delay);
  }

  async round() {
    // Committed offline too: the revisions wait in the store, counted.
    await this.commit();
    if (!navigator.onLine) {
      await this.apply(this.team.takeWrites());
      throw { kind: 'offline', reason: 'the browser is offline' };
    }
    // Back online (whether or not the browser said so): pending until done.
    if (this.failure?.kind === 'offline') this.failure = null;
    this.onState();
    let step = this.team.start();
    // The next request goes out as soon as the core has said which it is,
    // before what the answer brought is taken and stored: the server reads
    // a first sync's next page of thousands of records while this one is
    // written. One page is stored at a time (a slow disk holds back the
    // pages in memory, not the requests); the checkpoint is stored after
    // them in the serial queue. The list is drawn once, at the end.
    let storing = Promise.resolve();
    let answer = this.send(step);
    try {
      while (answer) {
        const { status, body } = await answer;
        answer = null;
        step = this.team.answer(status, body);
        if (step.kind === 'request') answer = this.send(step);
        const writes = this.team.takeWrites();
        await storing;
        if (writes.entries || writes.changed.length || writes.checkpoint) {
          storing = this.apply(writes, { last: false });
          storing.catch(() => {}); // awaited below, or in `finally`
        }
      }
    } catch (e) {
      answer?.catch(() => {}); // out still, and of no use now
      this.team.abort();
      throw e;
    } finally {
      await storing;
      await this.apply(this.team.takeWrites(), { last: true });
    }
    if (step.kind === 'done') return { pushed: step.pushed, pulled: step.pulled };
    throw { kind: step.kind, reason: step.reason };
  }

  async send({ method, path, body }) {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), TIMEOUT);
    try {
      const res = await fetch(`${this.db}/${path}`, {
        method,
        body: body ?? undefined,
        headers: body ? { 'Content-Type': 'application/json', Accept: 'application/json' } : { Accept: 'application/json' },
        credentials: 'same-origin',
        cache: 'no-store',
        signal: ctrl.signal,
      });
      // The bytes as received: the core reads UTF-8 (a first sync's pages
      // are megabytes, not worth a decoding to a string and back).
      return { status: res.status, body: new Uint8Array(await res.arrayBuffer()) };
    } catch (e) {
      const reason = ctrl.signal.aborted ? `the server did not answer in ${TIMEOUT / 1000} s` : 'the server cannot be reached';
      throw { kind: ctrl.signal.aborted ? 'server' : 'offline', reason };
    } finally {
      clearTimeout(timer);
    }
  }
}
