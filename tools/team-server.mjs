// The team server: ONE process, one origin. `/` serves the page exactly as
// tools/serve.mjs does, `/db/` is the CouchDB HTTP API (the embedded
// express-pouchdb engine with its data on disk, or a real CouchDB proxied when
// SPANMARK_COUCHDB is set), `/team/projects` creates projects.
// Usage: node tools/team-server.mjs [ROOT [PORT]]   (./build.sh team)
// Environment: SPANMARK_TEAM_DATA (default team-data/), SPANMARK_ADMIN
// (name:password; generated and kept in the data dir when unset, embedded
// engine only), SPANMARK_COUCHDB (http://host:5984); SPANMARK_TEAM_LOG=1
// prints each request line as it arrives (`> POST /db/news/_bulk_docs`) and
// as it is answered (`< 201 POST ...`) or its connection lost (`x POST
// ...`): the fault tests kill a process while
// a request is provably being served.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { staticHandler } from './serve.mjs';
import { startEmbedded, welcome } from './team/embedded.mjs';
import { proxyHandler } from './team/proxy.mjs';
import { projectsHandler } from './team/projects.mjs';

export const DB_MOUNT = '/db';

function parseAdmin(text, where) {
  const i = text.indexOf(':');
  if (i < 1 || i === text.length - 1) throw new Error(`${where} must read name:password`);
  return { name: text.slice(0, i), password: text.slice(i + 1) };
}

// The server admin: SPANMARK_ADMIN, else the one kept in the data dir, else a
// new one (kept there, readable by its owner only, and said once).
function resolveAdmin(given, dataDir, say) {
  if (given) return parseAdmin(given, 'SPANMARK_ADMIN');
  const file = path.join(dataDir, 'admin');
  if (fs.existsSync(file)) return parseAdmin(fs.readFileSync(file, 'utf8').trim(), file);
  const admin = { name: 'admin', password: crypto.randomBytes(18).toString('base64url') };
  fs.writeFileSync(file, `${admin.name}:${admin.password}\n`, { mode: 0o600 });
  say(`spanmark: created the server admin ${admin.name} with the password ${admin.password} (kept in ${file})`);
  return admin;
}

export async function startTeamServer({
  root = 'www',
  port = 8080,
  host = '127.0.0.1',
  dataDir = 'team-data',
  admin: givenAdmin,
  couchdb,
  say = console.log,
  log = null,
} = {}) {
  fs.mkdirSync(dataDir, { recursive: true });
  let api;
  let admin;
  if (couchdb) {
    if (!givenAdmin) throw new Error('with SPANMARK_COUCHDB, set SPANMARK_ADMIN to that CouchDB\'s admin (name:password)');
    admin = parseAdmin(givenAdmin, 'SPANMARK_ADMIN');
    api = proxyHandler(couchdb, DB_MOUNT);
  } else {
    admin = resolveAdmin(givenAdmin, dataDir, say);
    const engine = await startEmbedded(dataDir, admin);
    const greet = welcome(engine);
    api = (req, res) => {
      if (req.method === 'GET' && req.url === '/') return greet(req, res);
      // express-pouchdb writes `Location` as if it were mounted at `/`.
      const setHeader = res.setHeader;
      res.setHeader = function (name, value) {
        if (String(name).toLowerCase() === 'location' && typeof value === 'string') {
          const at = new URL(value, 'http://localhost');
          value = DB_MOUNT + at.pathname + at.search;
        }
        return setHeader.call(this, name, value);
      };
      return engine(req, res);
    };
  }
  const page = staticHandler(root);
  let projects;
  const server = http.createServer((req, res) => {
    if (log) {
      const line = `${req.method} ${req.url}`;
      log(`> ${line}`);
      res.once('finish', () => log(`< ${res.statusCode} ${line}`));
      res.once('close', () => { if (!res.writableFinished) log(`x ${line} (the connection closed)`); });
    }
    const pathname = req.url.split('?')[0];
    if (pathname === DB_MOUNT || pathname.startsWith(DB_MOUNT + '/')) {
      req.url = req.url.slice(DB_MOUNT.length) || '/';
      if (req.url.startsWith('?')) req.url = '/' + req.url;
      return api(req, res);
    }
    if (pathname === '/team/projects') return projects(req, res);
    return page(req, res);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const url = `http://${host}:${server.address().port}`;
  // The route speaks to the API as any client would: through this server.
  projects = projectsHandler(url + DB_MOUNT, admin);
  return { server, url, admin, close: () => new Promise((r) => server.close(r)) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [root = 'www', port = process.env.PORT || '8080'] = process.argv.slice(2);
  try {
    const { url } = await startTeamServer({
      root,
      port: Number(port),
      dataDir: process.env.SPANMARK_TEAM_DATA || 'team-data',
      admin: process.env.SPANMARK_ADMIN,
      couchdb: process.env.SPANMARK_COUCHDB,
      log: process.env.SPANMARK_TEAM_LOG === '1' ? (line) => console.log(`spanmark team server: ${line}`) : null,
    });
    const engine = process.env.SPANMARK_COUCHDB ? `the CouchDB at ${process.env.SPANMARK_COUCHDB}` : 'the embedded engine';
    console.log(`spanmark team server: ${url}/ (the page), ${url}${DB_MOUNT}/ (${engine})`);
  } catch (e) {
    console.error(`spanmark team server: ${e.message}`);
    process.exit(1);
  }
}
