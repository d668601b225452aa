// Starts and stops team servers (tools/team-server.mjs) as their own
// processes, so that a test can SIGKILL one, on a free port and a fresh
// temporary data directory; and speaks to them as a client would.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SERVER = path.join(ROOT, 'tools/team-server.mjs');

const made = [];
process.on('exit', () => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

// A fresh data directory, removed when the test file's process ends.
export function tempDir(prefix = 'spanmark-team-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

// Resolves once the server says where it listens: {url, admin, output, kill,
// stop, logged}. `admin` is SPANMARK_ADMIN when given, else the generated one
// it printed. `log`: the server prints each request as it arrives and as it
// is answered (SPANMARK_TEAM_LOG), and `logged(re, nth)` resolves with the
// nth such line (the first by default) matching `re` printed after the call.
export function startTeamServer({ dataDir = tempDir(), env = {}, port = 0, log = false } = {}) {
  if (log) env = { SPANMARK_TEAM_LOG: '1', ...env };
  const child = spawn(process.execPath, [SERVER, path.join(ROOT, 'www'), String(port)], {
    cwd: ROOT,
    env: { ...process.env, SPANMARK_TEAM_DATA: dataDir, SPANMARK_ADMIN: '', SPANMARK_COUCHDB: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let waiting = [];
  const heard = () => {
    waiting = waiting.filter((w) => {
      const lines = output.slice(w.from).split('\n');
      lines.pop(); // not yet whole
      const line = lines.filter((l) => w.re.test(l))[w.nth - 1];
      if (line === undefined) return true;
      w.resolve(line);
      return false;
    });
  };
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`the team server did not start:\n${output}`)), 20000);
    function fail(e) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    }
    const read = (chunk) => {
      output += chunk;
      heard();
      const at = output.match(/spanmark team server: (http:\/\/\S+?)\/ /);
      if (!at) return;
      clearTimeout(timer);
      const made = output.match(/created the server admin (\S+) with the password (\S+)/);
      resolve({
        url: at[1],
        dataDir,
        admin: env.SPANMARK_ADMIN || (made ? `${made[1]}:${made[2]}` : null),
        get output() { return output; },
        kill: (signal) => { child.kill(signal); return exited; },
        logged: (re, nth = 1) => new Promise((r) => { waiting.push({ re, nth, from: output.length, resolve: r }); }),
        stop: () => { child.kill('SIGTERM'); return exited; },
      });
    };
    child.stdout.on('data', read);
    child.stderr.on('data', (chunk) => { output += chunk; });
    exited.then(({ code }) => fail(new Error(`the team server exited (${code}):\n${output}`)));
  });
}

// The bytes of every file under `dir` (a database's files on disk).
export function diskUsage(dir) {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? diskUsage(p) : fs.statSync(p).size;
  }
  return total;
}

export const basic = (credentials) => 'Basic ' + Buffer.from(credentials).toString('base64');

// One request: {status, body (JSON when it is), headers}. `as` is a cookie
// (`AuthSession=...`) or `name:password` (HTTP Basic); none: anonymous.
export async function call(url, { method = 'GET', as, body } = {}) {
  const headers = { Accept: 'application/json' };
  if (as && as.startsWith('AuthSession=')) headers.Cookie = as;
  else if (as) headers.Authorization = basic(as);
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' });
  const text = await res.text();
  let parsed = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON: kept as text */ }
  return { status: res.status, body: parsed, headers: res.headers };
}

// Signs in at `_session` and returns the cookie, as the page does.
export async function signIn(base, name, password) {
  const res = await fetch(`${base}/db/_session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${name}: ${res.status} ${await res.text()}`);
  return res.headers.get('set-cookie').split(';')[0];
}

export async function addUser(base, admin, name, roles, password = `${name}-pw`) {
  const r = await call(`${base}/db/_users/org.couchdb.user:${name}`, {
    method: 'PUT',
    as: admin,
    body: { name, password, roles, type: 'user' },
  });
  if (r.status !== 201) throw new Error(`adding ${name}: ${r.status} ${JSON.stringify(r.body)}`);
}

export const annotations = (docId, annotator, spans = []) => ({
  _id: `ann:${docId}:${annotator}`,
  type: 'annotations',
  annotator,
  doc_id: docId,
  status: 'todo',
  spans,
  history: [],
  updated: Date.now(),
});
