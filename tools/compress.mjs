// Writes NAME.gz and NAME.br next to every compressible file of www/ (and
// www/pkg/), so that tools/serve.mjs sends the smallest one the browser
// accepts without compressing anything per request. Old .gz/.br files are
// removed first: a compressed copy must never outlive its source.
// Usage: node tools/compress.mjs [ROOT]   (run by ./build.sh build, last)
import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { promisify } from 'node:util';

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);
const root = path.resolve(process.argv[2] || 'www');
// PNGs are compressed already; everything else the page fetches is text or wasm.
const TYPES = new Set(['.html', '.js', '.mjs', '.css', '.json', '.webmanifest', '.wasm', '.txt', '.svg', '.bin']);

async function walk(dir) {
  const out = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...await walk(p));
    else if (!e.name.startsWith('.')) out.push(p);
  }
  return out;
}

let raw = 0;
let br = 0;
for (const f of await walk(root)) {
  if (f.endsWith('.gz') || f.endsWith('.br')) await fs.rm(f);
}
for (const f of await walk(root)) {
  if (!TYPES.has(path.extname(f))) continue;
  const body = await fs.readFile(f);
  const [g, b] = await Promise.all([
    gzip(body, { level: 9 }),
    brotli(body, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        ...(f.endsWith('.wasm') || f.endsWith('.bin') ? {} : { [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT }),
      },
    }),
  ]);
  // A copy no smaller than the file would only cost the browser a decode.
  if (g.length < body.length) await fs.writeFile(`${f}.gz`, g);
  if (b.length < body.length) await fs.writeFile(`${f}.br`, b);
  raw += body.length;
  br += Math.min(b.length, body.length);
}
console.error(`[compress] ${(raw / 1e6).toFixed(2)} MB -> ${(br / 1e6).toFixed(2)} MB brotli`);
