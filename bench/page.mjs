// The throughput bench page (bench/page.html), served from the repo root by
// tools/serve.mjs: spanmark's wasm core and compromise side by side, in the
// same page, on the same text (built here by bench/corpus.mjs from the same
// seed as in Node). bench/run.mjs drives it through `window.bench`; every
// call runs synchronously and returns its timings.
import init, { buildStageForBench, preannotate, preannotateLabels } from '/www/pkg/spanmark.js';
import nlp from '/node_modules/compromise/builds/three/compromise-three.mjs';
import { articles, checksum } from './corpus.mjs';

const texts = new Map(); // key -> {whole, parts}

function wasmWhole(key) {
  const { whole } = texts.get(key);
  const t0 = performance.now();
  const out = preannotate(whole);
  const t1 = performance.now();
  const counts = {};
  const labels = preannotateLabels();
  for (let i = 2; i < out.length; i += 5) counts[labels[out[i]]] = (counts[labels[out[i]]] || 0) + 1;
  return { ms: t1 - t0, spans: out.length / 5, counts };
}

function wasmParts(key) {
  const { parts } = texts.get(key);
  let spans = 0;
  const t0 = performance.now();
  for (const p of parts) spans += preannotate(p).length / 5;
  return { ms: performance.now() - t0, spans };
}

// Comparable work in compromise: parse, then people, places and
// organisations with their offsets.
function compromiseParts(key) {
  const { parts } = texts.get(key);
  const counts = { people: 0, places: 0, organizations: 0 };
  const t0 = performance.now();
  for (const p of parts) {
    const doc = nlp(p);
    counts.people += doc.people().json({ offset: true, terms: false }).length;
    counts.places += doc.places().json({ offset: true, terms: false }).length;
    counts.organizations += doc.organizations().json({ offset: true, terms: false }).length;
  }
  return { ms: performance.now() - t0, spans: counts.people + counts.places + counts.organizations, counts };
}

window.bench = {
  // Builds a text: `size` characters of articles, kept whole and as parts.
  build(key, size, seed, maxChars = Infinity) {
    const parts = articles(size, seed, maxChars);
    const whole = parts.join('\n\n');
    texts.set(key, { whole, parts });
    return { checksum: checksum(whole), parts: parts.length, chars: whole.length };
  },
  // Building each stage of the standard recognizer, in a fresh page: the
  // first build of each, then the median of three more.
  stageTimes() {
    const out = {};
    for (const name of ['patterns', 'gazetteer', 'model']) {
      const times = [];
      for (let i = 0; i < 4; i++) {
        const t0 = performance.now();
        buildStageForBench(name);
        times.push(performance.now() - t0);
      }
      const later = times.slice(1).sort((a, b) => a - b);
      out[name] = { first: times[0], later: later[1] };
    }
    return out;
  },
  warmUp() {
    const s = 'Angela Merkel met Emmanuel Macron in Paris on 3 May 2021, Reuters said.';
    const t0 = performance.now();
    preannotate(s);
    const t1 = performance.now();
    nlp(s).people().json({ offset: true, terms: false });
    const t2 = performance.now();
    return { wasmFirstCall: t1 - t0, compromiseFirstCall: t2 - t1 };
  },
  wasmWhole,
  wasmParts,
  compromiseParts,
  wasmMemory: () => window.benchWasm.memory.buffer.byteLength,
};

window.benchReady = init().then((exports) => {
  window.benchWasm = exports;
  document.getElementById('status').textContent = 'ready';
  return true;
});
