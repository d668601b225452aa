// Who may read and write what on a team server, over HTTP: the embedded
// engine, then the same checks through SPANMARK_COUCHDB with a second
// embedded instance as the CouchDB (a real CouchDB-protocol server).
import { describe, before, after } from 'node:test';
import { startTeamServer } from './harness.mjs';
import { accessTests, setUpTeam } from './access.mjs';

describe('the embedded engine', () => {
  let server;
  before(async () => {
    server = await startTeamServer({ env: { SPANMARK_ADMIN: 'root:root-pw' } });
    server.who = await setUpTeam(server.url, server.admin);
  });
  after(() => server?.stop());
  accessTests(() => server);
});

describe('a CouchDB behind SPANMARK_COUCHDB', () => {
  let couch;
  let server;
  before(async () => {
    couch = await startTeamServer({ env: { SPANMARK_ADMIN: 'couch:couch-pw' } });
    server = await startTeamServer({ env: { SPANMARK_COUCHDB: `${couch.url}/db`, SPANMARK_ADMIN: couch.admin } });
    server.who = await setUpTeam(server.url, server.admin);
  });
  after(async () => {
    await server?.stop();
    await couch?.stop();
  });
  accessTests(() => server);
});
