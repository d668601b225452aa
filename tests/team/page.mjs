// The page served by a real team server (same origin), in browser profiles
// of its own (fresh user-data dirs), as separate people or devices.
import { chromium } from 'playwright-core';
import fs from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
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

// The processes of a process group (`pgid`), zombies left out: read from
// /proc, as Playwright does not say which process a persistent context is.
function groupOf(pgid) {
  const alive = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // pid (comm) state ppid pgrp ...: comm may hold spaces, so after its ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') alive.push(Number(name));
    } catch { /* gone meanwhile */ }
  }
  return alive;
}

// The browser process of the profile in `dir`: the one started with that
// user-data dir that is no child (renderer, GPU, utility: `--type=`).
function browserPid(dir) {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let args;
    try { args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0'); } catch { continue; }
    if (args.includes(`--user-data-dir=${dir}`) && !args.some((a) => a.startsWith('--type='))) return Number(name);
  }
  throw new Error(`no browser process for ${dir}`);
}

// A profile on the team server at `url`: {page, context, requests, reload, kill, close}.
// `first`: a path of the origin to open before the page (e.g. to write an
// earlier version's database there first), then `p.open()` opens the page.
export async function openProfile(url, { first = null } = {}) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'spanmark-team-page-'));
  const p = { dir, url, requests: [], errors: [] };
  // `beforeOpen(context)`: e.g. routes to set before the page loads.
  p.launch = async ({ beforeOpen = null } = {}) => {
    p.context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 800 },
    });
    p.page = p.context.pages()[0] || await p.context.newPage();
    p.page.on('request', (r) => p.requests.push(r.url()));
    p.page.on('pageerror', (e) => p.errors.push(String(e)));
    if (beforeOpen) await beforeOpen(p.context);
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
  // The browser dies as in a crash or a power cut of its own: SIGKILL to
  // its process group (Playwright starts it as one: every renderer and
  // helper goes with it), nothing flushed or closed. Resolves once every
  // process of it is gone, so that `launch()` can start again on the profile.
  p.kill = async () => {
    const pid = browserPid(dir);
    process.kill(-pid, 'SIGKILL');
    while (groupOf(pid).length) await new Promise((r) => setTimeout(r, 20));
    await p.context.close().catch(() => {});
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
// the server). `log`: the server logs its requests (see harness.mjs).
export const ADMIN = 'root:root-pw';
export function useTeamPages({ skip, users, log = false }) {
  const team = { server: null, profiles: [] };
  before(async () => {
    if (skip) return;
    team.server = await startTeamServer({ env: { SPANMARK_ADMIN: ADMIN }, log });
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
