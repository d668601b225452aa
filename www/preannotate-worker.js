// Pre-annotation off the main thread: the text arrives whole, is annotated
// piece by piece (pieces end at line breaks, see `pieceStarts`), and
// progress is posted after each piece. The page cancels by terminating the
// worker.
import init, { pieceStarts, preannotateIn, setPreannotateModel } from './pkg/spanmark.js';

const PIECE_BYTES = 256 * 1024;
const ready = init();

self.onmessage = async (event) => {
  const { job, text, rules, model, labels } = event.data;
  await ready;
  // From the page: its learned model (empty: as shipped), label names and
  // rules; label codes index those names.
  setPreannotateModel(model || new Uint8Array(0), labels, rules || '');
  const starts = pieceStarts(text, PIECE_BYTES);
  const parts = [];
  let total = 0;
  const pieces = starts.length / 2 - 1;
  for (let p = 0; p < pieces; p++) {
    const [u0, c0, u1] = [starts[2 * p], starts[2 * p + 1], starts[2 * p + 2]];
    const table = preannotateIn(text.slice(u0, u1));
    // Piece offsets are from the piece's start: move them to the text's.
    for (let i = 0; i < table.length; i += 5) {
      table[i] += c0;
      table[i + 1] += c0;
    }
    parts.push(table);
    total += table.length;
    self.postMessage({ job, progress: (p + 1) / pieces });
  }
  const all = new Uint32Array(total);
  let at = 0;
  for (const t of parts) {
    all.set(t, at);
    at += t.length;
  }
  self.postMessage({ job, table: all }, [all.buffer]);
};
