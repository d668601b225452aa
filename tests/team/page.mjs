// The page served by a real team server (same origin), in browser profiles
// of its own (fresh user-data dirs), as separate people or devices.
import { chromium } from 'playwright-core';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { before, after } from 'node:test';
import { CHROMIUM, FLAGS } from '../e2e/harness.mjs';
import { startTeamServer, addUser } from './harness.mjs';

export const chromiumMissing = async () => {
  try {
    await fs.access(CHROMIUM);
    return false;
  } catch {
    return `no Chromium at ${CHROMIUM}`;
  }
};

// A profile on the team server at `url`: {page, context, requests, reload, close}.
// `first`: a path of the origin to open before the page (e.g. to write an
// earlier version's database there first), then `p.open()` opens the page.
export async function openProfile(url, { first = null } = {}) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'spanmark-team-page-'));
  const p = { dir, url, requests: [], errors: [] };
  p.launch = async () => {
    p.context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 800 },
    });
    p.page = p.context.pages()[0] || await p.context.newPage();
    p.page.on('request', (r) => p.requests.push(r.url()));
    p.page.on('pageerror', (e) => p.errors.push(String(e)));
    if (first) {
      await p.page.goto(`${url}${first}`);
      first = null;
      return p.page;
    }
    return p.open();
  };
  p.open = async () => {
    await p.page.goto(`${url}/`);
    await p.page.evaluate(() => window.spanmarkReady);
    return p.page;
  };
  p.reload = async () => {
    await p.page.reload();
    await p.page.evaluate(() => window.spanmarkReady);
  };
  // A contract call: `call('addSpan', 0, 3, 'PER')`.
  p.call = (name, ...args) => p.page.evaluate(([n, a]) => window.spanmark[n](...a), [name, args]);
  p.close = async () => {
    if (p.context) await p.context.close().catch(() => {});
    await fs.rm(dir, { recursive: true, force: true });
  };
  await p.launch();
  return p;
}

// A file's team: a real server started before its tests (admin
// `root:root-pw`) with `users` ([name, role] each, password `<name>-pw`),
// and `profile(options)` for fresh browser profiles; all stopped and
// removed after them. `team.server` may be replaced (a test that restarts
// the server).
export const ADMIN = 'root:root-pw';
export function useTeamPages({ skip, users }) {
  const team = { server: null, profiles: [] };
  before(async () => {
    if (skip) return;
    team.server = await startTeamServer({ env: { SPANMARK_ADMIN: ADMIN } });
    for (const [name, role] of users) await addUser(team.server.url, ADMIN, name, [role]);
  });
  after(async () => {
    for (const p of team.profiles) await p.close();
    if (team.server) await team.server.stop();
  });
  team.profile = async (options) => {
    const p = await openProfile(team.server.url, options);
    team.profiles.push(p);
    return p;
  };
  return team;
}
