// A small static file server for www/: loopback only, exact MIME types (the
// browser compiles wasm only from application/wasm), the page's CSP also as a
// header, and no caching so that a rebuild is always what is served. It sends
// the precompressed copy (NAME.br or NAME.gz, written by tools/compress.mjs)
// the browser accepts, never compressing per request; a copy older than its
// source (an asset edited since the build) is ignored.
// Usage: node tools/serve.mjs ROOT PORT   (also imported by the browser tests)
import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.bin': 'application/octet-stream',
};

export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// The encodings the request accepts, best first (q=0 refuses one).
function accepted(header = '') {
  const ok = new Set();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) ok.add(name);
  }
  return [['br', '.br'], ['gzip', '.gz']].filter(([name]) => ok.has(name) || ok.has('*'));
}

// The file to send for `file`: its freshest accepted compressed copy, or itself.
async function variant(file, acceptEncoding) {
  const source = await fs.stat(file);
  if (!source.isFile()) throw Object.assign(new Error(), { code: 'EISDIR' });
  for (const [encoding, ext] of accepted(acceptEncoding)) {
    const copy = await fs.stat(file + ext).catch(() => null);
    if (copy && copy.isFile() && copy.mtimeMs >= source.mtimeMs) return { path: file + ext, encoding };
  }
  return { path: file, encoding: null };
}

// The request handler alone, for a server that serves more than www/ (the
// team server, tools/team-server.mjs).
export function staticHandler(root) {
  const base = path.resolve(root);
  return async (req, res) => {
    try {
      const url = new URL(req.url, 'http://localhost');
      let rel = decodeURIComponent(url.pathname);
      if (rel.endsWith('/')) rel += 'index.html';
      const file = path.resolve(base, '.' + rel);
      if (file !== base && !file.startsWith(base + path.sep)) throw Object.assign(new Error(), { code: 'ENOENT' });
      const chosen = await variant(file, req.headers['accept-encoding']);
      const body = await fs.readFile(chosen.path);
      res.writeHead(200, {
        'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
        ...(chosen.encoding ? { 'Content-Encoding': chosen.encoding } : {}),
        'Content-Length': body.length,
        'Vary': 'Accept-Encoding',
        'Content-Security-Policy': CSP,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      res.writeHead(e.code === 'ENOENT' || e.code === 'EISDIR' ? 404 : 500, { 'Content-Type': 'text/plain' });
      res.end(e.code === 'ENOENT' ? 'not found' : 'error');
    }
  };
}

export function startServer(root, port = 0, host = '127.0.0.1') {
  const server = http.createServer(staticHandler(root));
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [root = 'www', port = '8080'] = process.argv.slice(2);
  const server = await startServer(root, Number(port));
  console.log(`spanmark: http://127.0.0.1:${server.address().port}/`);
}
