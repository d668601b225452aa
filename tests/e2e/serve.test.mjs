// tools/serve.mjs sends the precompressed copy (tools/compress.mjs) the
// request accepts, with headers a cache can trust, and never a copy older
// than its source (an asset edited since the last build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { startServer } from '../../tools/serve.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');

// The response's headers and its body's bytes as sent (not decoded).
function get(port, file, acceptEncoding) {
  return new Promise((resolve, reject) => {
    http.get({ port, path: file, headers: { 'accept-encoding': acceptEncoding } }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, raw: Buffer.concat(parts) }));
    }).on('error', reject);
  });
}

test('compressed copies by Accept-Encoding, Vary and exact Content-Length; stale copies ignored', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'spanmark-serve-'));
  const server = await startServer(dir, 0);
  try {
    const js = 'export const words = "' + 'the quick brown fox '.repeat(500) + '";\n';
    await fs.mkdir(path.join(dir, 'pkg'));
    await fs.writeFile(path.join(dir, 'pkg', 'a.js'), js);
    await fs.writeFile(path.join(dir, 'icon.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    execFileSync(process.execPath, [path.join(ROOT, 'tools/compress.mjs'), dir], { stdio: 'ignore' });
    const { port } = server.address();

    const br = await get(port, '/pkg/a.js', 'gzip, deflate, br');
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers.vary, 'Accept-Encoding');
    assert.equal(Number(br.headers['content-length']), br.raw.length);
    assert.ok(br.raw.length < js.length / 10, `brotli is small: ${br.raw.length}`);
    assert.equal(zlib.brotliDecompressSync(br.raw).toString(), js);

    const gz = await get(port, '/pkg/a.js', 'gzip, br;q=0');
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(zlib.gunzipSync(gz.raw).toString(), js);

    const plain = await get(port, '/pkg/a.js', '');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers.vary, 'Accept-Encoding');
    assert.equal(plain.raw.toString(), js);
    assert.equal(Number(plain.headers['content-length']), Buffer.byteLength(js));

    // Already compressed: sent as is.
    assert.equal((await get(port, '/icon.png', 'br')).headers['content-encoding'], undefined);

    // Edited after the build: the source is sent, not the old copy.
    const edited = js.replace('quick', 'slow');
    await new Promise((r) => setTimeout(r, 20));
    await fs.writeFile(path.join(dir, 'pkg', 'a.js'), edited);
    const fresh = await get(port, '/pkg/a.js', 'br, gzip');
    assert.equal(fresh.headers['content-encoding'], undefined);
    assert.equal(fresh.raw.toString(), edited);
  } finally {
    server.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
});
