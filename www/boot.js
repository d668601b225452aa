// The cold start's two slowest waits, begun before anything else of the page
// runs (app.js imports this module first): compiling and instantiating the
// core, streamed from the preloaded response, and opening IndexedDB
// (creating it on a fresh profile takes a few hundred milliseconds).
// app.js's `init()` and `openStore()` return these same promises. Failures
// are left to app.js, which retries and reports them.
//
// Nothing more is done here: building the recognizer at this point (tried:
// a warm-up that built it and ran it on a sentence) held up the store's
// opening on the main thread and made the first highlight later, not sooner.
import init from './pkg/spanmark.js';
import { freshProfile, openStore } from './store.js';

// The core's file, named from here: the page runs as one bundle beside
// pkg/ (build.sh), where the core's own default would look beside the bundle.
export const CORE_WASM = new URL('pkg/spanmark_bg.wasm', import.meta.url);

const mark = (name) => performance.mark(`spanmark:boot-${name}`);
mark('start');
freshProfile(); // before the opening creates the database
openStore().then(() => mark('store-open'), () => {});
init({ module_or_path: CORE_WASM }).then(() => mark('wasm-ready'), () => {});
