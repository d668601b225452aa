// The embedded CouchDB-compatible engine: express-pouchdb over PouchDB's
// LevelDB adapter, its databases, config (the admin's salted hash, the cookie
// secret) and log under one data directory. Every access rule is the
// package's own: pouchdb-auth (`_users`, `_session`), pouchdb-security
// (`_security`), pouchdb-validation (`validate_doc_update`).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import expressPouchDB from 'express-pouchdb';
import PouchDB from 'pouchdb-node';
import { createRequire } from 'node:module';

const VERSION = createRequire(import.meta.url)('express-pouchdb/package.json').version;
// PouchDB's own LevelDB binding (a dependency of pouchdb-node, not ours).
const leveldown = createRequire(createRequire(import.meta.url).resolve('pouchdb-node'))('leveldown');

// PouchDB's compaction (`POST /db/X/_compact`) deletes the bodies of old
// revisions, but LevelDB only gives their space back when it compacts its
// own files, which a quiet database may never do: the disk kept every
// revision ever written (bench section 9). So each database's LevelDB
// store is kept at hand, and a finished compaction also compacts its whole
// key range, as CouchDB's compaction rewrites the file.
const stores = new Map();
function compactingLevelDOWN(location) {
  const store = leveldown(location);
  stores.set(location, store);
  return store;
}

function compactFiles(location) {
  const store = stores.get(location);
  if (!store) return Promise.resolve();
  return new Promise((resolve, reject) => {
    store.compactRange(Buffer.from([0]), Buffer.alloc(8, 0xff), (e) => (e ? reject(e) : resolve()));
  });
}

// Parts of express-pouchdb that a team server does without: the Fauxton admin
// UI (scripts that the page's CSP would have to allow) and server-side
// replication (it would make the server open connections to any address a
// user names).
const EXCLUDED = ['routes/fauxton', 'routes/replicate', 'replicator', 'routes/active-tasks'];

// Resolves to a request handler for the CouchDB API, with `req.url` already
// relative to the API's root (`/`, `/_session`, `/project/doc`).
export async function startEmbedded(dataDir, admin) {
  const dbDir = path.join(dataDir, 'db');
  fs.mkdirSync(dbDir, { recursive: true });
  const Pouch = PouchDB.defaults({ prefix: dbDir + path.sep, db: compactingLevelDOWN });
  const compact = Pouch.prototype.compact;
  Pouch.prototype.compact = function (opts, callback) {
    if (typeof opts === 'function') [opts, callback] = [{}, opts];
    const done = compact.call(this, opts || {}).then(async (result) => {
      await compactFiles(dbDir + path.sep + this.name);
      return result;
    });
    if (callback) done.then((r) => callback(null, r), callback);
    return done;
  };
  const configPath = path.join(dataDir, 'config.json');
  // What is on disk, apart from the defaults express-pouchdb fills in (a
  // cookie secret made anew on every start among them).
  const stored = fs.existsSync(configPath) ? JSON.parse(fs.readFileSync(configPath, 'utf8')) : {};
  const app = expressPouchDB(Pouch, {
    mode: 'fullCouchDB',
    configPath,
    logPath: path.join(dataDir, 'log.txt'),
    overrideMode: { exclude: EXCLUDED },
  });
  const config = app.couchConfig;
  const set = (section, key, value) => new Promise((resolve) => config.set(section, key, value, resolve));
  const remove = (section, key) => new Promise((resolve) => config.delete(section, key, resolve));
  // Exactly one server admin, the one this run was given (a changed
  // SPANMARK_ADMIN replaces the old one rather than adding a second).
  for (const name of Object.keys(config.getSection('admins') || {})) {
    if (name !== admin.name) await remove('admins', name);
  }
  await set('admins', admin.name, admin.password);
  // A kept secret, so that sign-in cookies outlive a restart.
  if (!stored.couch_httpd_auth?.secret) {
    await set('couch_httpd_auth', 'secret', crypto.randomBytes(16).toString('hex'));
  }
  if (!config.get('couchdb', 'uuid')) await set('couchdb', 'uuid', crypto.randomUUID().replace(/-/g, ''));
  return app;
}

// CouchDB's welcome (`GET /`), which express-pouchdb answers without the
// `"couchdb": "Welcome"` that clients recognise a CouchDB by: its own fields
// and that one.
export function welcome(app) {
  const body = JSON.stringify({
    couchdb: 'Welcome',
    'express-pouchdb': 'Welcome!',
    version: VERSION,
    uuid: app.couchConfig.get('couchdb', 'uuid'),
    vendor: { name: 'spanmark team server (express-pouchdb)', version: VERSION },
  });
  return (req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
}
