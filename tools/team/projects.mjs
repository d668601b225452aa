// POST /team/projects {"name"}: creates a project's database. CouchDB lets
// only server admins create databases, so this route asks the engine who the
// caller is (`_session`, with the caller's own cookie or credentials), and for
// a signed-in curator (or server admin) creates the database, its `_security`
// and its `_design/spanmark` with the server admin's credentials. The engine
// decides every later read and write; this route decides nothing else.
import { DESIGN_DOC, securityObject } from './design.mjs';

// CouchDB's database name rule (and its length limit).
export const PROJECT_NAME = /^[a-z][a-z0-9_$()+/-]*$/;
export const PROJECT_NAME_RULE =
  'a project name starts with a lowercase letter (a-z) and has only lowercase letters, digits and _ $ ( ) + - /, at most 238 characters';

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req, limit = 4096) {
  let size = 0;
  const parts = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw new Error('the request is too large');
    parts.push(chunk);
  }
  return JSON.parse(Buffer.concat(parts).toString('utf8'));
}

// `api` is the CouchDB API's base URL (no trailing slash); `admin` {name, password}.
export function projectsHandler(api, admin) {
  const adminAuth = 'Basic ' + Buffer.from(`${admin.name}:${admin.password}`).toString('base64');
  const asAdmin = (method, path, body) =>
    fetch(api + path, {
      method,
      headers: { Authorization: adminAuth, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  return async (req, res) => {
    if (req.method !== 'POST') return send(res, 405, { error: 'method_not_allowed', reason: 'only POST is allowed' });
    // As CouchDB does for its own POSTs: a page of another site can make a
    // signed-in curator's browser post a form (text/plain, no preflight), but
    // never a JSON body without asking this origin first.
    if (!/^application\/json\b/i.test(req.headers['content-type'] || '')) {
      return send(res, 415, { error: 'bad_content_type', reason: 'Content-Type must be application/json' });
    }
    let name;
    try {
      ({ name } = await readJson(req));
    } catch (e) {
      return send(res, 400, { error: 'bad_request', reason: 'send {"name": PROJECT} as JSON' });
    }
    const caller = {};
    for (const h of ['cookie', 'authorization']) if (req.headers[h]) caller[h] = req.headers[h];
    const session = await fetch(api + '/_session', { headers: { ...caller, Accept: 'application/json' } });
    if (session.status === 401) return send(res, 401, await session.json());
    if (!session.ok) return send(res, 502, { error: 'bad_gateway', reason: `the database answered ${session.status} to _session` });
    const { userCtx } = await session.json();
    if (!userCtx || !userCtx.name) {
      return send(res, 401, { error: 'unauthorized', reason: 'sign in as a curator to create a project' });
    }
    if (!userCtx.roles.includes('curator') && !userCtx.roles.includes('_admin')) {
      return send(res, 403, { error: 'forbidden', reason: 'only a curator may create a project' });
    }
    if (typeof name !== 'string' || !PROJECT_NAME.test(name) || name.length > 238) {
      return send(res, 400, { error: 'illegal_database_name', reason: `${JSON.stringify(name)}: ${PROJECT_NAME_RULE}` });
    }
    const path = '/' + encodeURIComponent(name);
    const created = await asAdmin('PUT', path);
    if (created.status === 412) {
      return send(res, 409, { error: 'file_exists', reason: `the project ${name} already exists` });
    }
    // 202: a cluster wrote it on fewer nodes than its quorum, for now.
    if (created.status !== 201 && created.status !== 202) {
      return send(res, 502, { error: 'bad_gateway', reason: `creating the database: ${created.status} ${await created.text()}` });
    }
    // Until both are in place (milliseconds) the new database follows the
    // engine's default: admins only on CouchDB 3, anyone on express-pouchdb.
    // Either failing removes the database, never leaving it half set up.
    for (const [p, body] of [['/_security', securityObject(admin.name)], ['/_design/spanmark', DESIGN_DOC]]) {
      const r = await asAdmin('PUT', path + p, body);
      if (!r.ok) {
        const reason = await r.text();
        await asAdmin('DELETE', path);
        return send(res, 502, { error: 'bad_gateway', reason: `setting up ${p}: ${r.status} ${reason}` });
      }
    }
    send(res, 201, { ok: true, project: name });
  };
}
