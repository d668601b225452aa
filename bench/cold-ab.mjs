// Cold load of two builds of the page, taken in turns so that both see the
// same load on a shared machine (a minute apart, one build can look twice as
// fast as itself): ROUNDS rounds of REPS fresh launches each, then the median
// of every time per build.
//   node bench/cold-ab.mjs DIR_A DIR_B [ROUNDS=4] [REPS=3]
// DIR_A and DIR_B are built www/ directories (e.g. an older commit's www/ with
// its pkg/ beside the current one); runs `BENCH_ONLY=cold bench/run.mjs`.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, ms, table } from './lib.mjs';

const [a, b, rounds = '4', reps = '3'] = process.argv.slice(2);
if (!a || !b) {
  console.error('usage: node bench/cold-ab.mjs DIR_A DIR_B [ROUNDS] [REPS]');
  process.exit(2);
}
const run = path.join(path.dirname(fileURLToPath(import.meta.url)), 'run.mjs');
const runs = { [a]: [], [b]: [] };
for (let i = 0; i < Number(rounds); i++) {
  for (const dir of [a, b]) {
    const env = { ...process.env, BENCH_ONLY: 'cold', BENCH_COLD_JSON: '1', BENCH_COLD_REPS: reps, BENCH_WWW: path.resolve(dir) };
    const r = spawnSync(process.execPath, [run], { env, encoding: 'utf8' });
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('cold {'));
    if (!lines.length) throw new Error(`no cold runs for ${dir}: ${r.stdout.slice(-400)} ${r.stderr.slice(-400)}`);
    runs[dir].push(...lines.map((l) => JSON.parse(l.slice(5))));
    console.error(`round ${i + 1}, ${dir}: ${lines.length} launches`);
  }
}
const keys = [...new Set([...runs[a], ...runs[b]].flatMap(Object.keys))];
const med = (dir, k) => median(runs[dir].map((t) => t[k]).filter((x) => x != null));
console.log(table(['ms from navigation start (median)', `A: ${a} (n=${runs[a].length})`, `B: ${b} (n=${runs[b].length})`],
  keys.map((k) => [k === 'firstMarkFrame' ? '**first highlight on screen**' : k, ms(med(a, k)), ms(med(b, k))])));
