// Pre-annotation off the main thread: the text arrives whole, is annotated
// piece by piece (pieces end at line breaks, see `pieceStarts`), and
// progress is posted after each piece. The page cancels by terminating the
// worker.
import init, {
  preannotate, pieceStarts, preannotateWithRules, preannotateLabelsWithRules, preannotateIn, setPreannotateModel,
} from './pkg/spanmark.js';

const PIECE_BYTES = 256 * 1024;
const ready = init();

self.onmessage = async (event) => {
  const { job, text, rules, model, labels: names } = event.data;
  await ready;
  // From the page: its learned model (empty: as shipped), label names and
  // rules; label codes then index those names.
  if (names) setPreannotateModel(model || new Uint8Array(0), names, rules || '');
  const starts = pieceStarts(text, PIECE_BYTES);
  const parts = [];
  let total = 0;
  const pieces = starts.length / 2 - 1;
  for (let p = 0; p < pieces; p++) {
    const [u0, c0, u1] = [starts[2 * p], starts[2 * p + 1], starts[2 * p + 2]];
    // With a person's rules, label codes index `labels` (sent with the table).
    const piece = text.slice(u0, u1);
    const table = names ? preannotateIn(piece) : rules ? preannotateWithRules(piece, rules) : preannotate(piece);
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
  const labels = !names && rules ? preannotateLabelsWithRules(rules) : undefined;
  self.postMessage({ job, table: all, labels }, [all.buffer]);
};
