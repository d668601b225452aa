// The cold start's two slowest waits, begun as soon as the page's head is
// parsed instead of once app.js and its dozen modules have arrived (an async
// module with a small graph): compiling and instantiating the core, streamed
// from the preloaded response, and opening IndexedDB (creating it on a fresh
// profile takes a few hundred milliseconds). app.js's `init()` and
// `openStore()` return these same promises. Failures are left to app.js,
// which retries and reports them.
//
// Nothing more is done here: building the recognizer at this point (tried:
// a warm-up that built it and ran it on a sentence) held up the store's
// opening on the main thread and made the first highlight later, not sooner.
import init from './pkg/spanmark.js';
import { freshProfile, openStore } from './store.js';

const mark = (name) => performance.mark(`spanmark:boot-${name}`);
mark('start');
freshProfile(); // before the opening creates the database
openStore().then(() => mark('store-open'), () => {});
init().then(() => mark('wasm-ready'), () => {});
