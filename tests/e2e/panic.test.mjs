// A panic in the core (a bug) is reported in #error, stops further edits
// instead of corrupting anything, and a reload recovers the saved work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from './harness.mjs';

const app = useApp();
const { page, call } = app;

test('a core panic shows in #error, keeps the saved work, and a reload recovers', async () => {
  await call('load', 'Ada Lovelace met Charles Babbage in London.', { id: 'panic' });
  await call('addSpan', 0, 12, 'PER');
  const thrown = await page.evaluate(() => {
    try { window.spanmark.panicForTests(); return 'no error'; } catch (e) { return String(e); }
  });
  assert.notEqual(thrown, 'no error');
  const shown = await page.$eval('#error', (e) => e.textContent);
  assert.match(shown, /Internal error.*deliberate panic.*saved work is safe.*reload/s);
  // Nothing more is asked of the broken core.
  const refused = await page.evaluate(() => window.spanmark.addSpan(17, 32, 'PER').then(() => 'saved', (e) => e.message));
  assert.match(refused, /reload/);
  await app.reload();
  assert.equal(await page.$eval('#error', (e) => e.textContent), '');
  assert.equal(await call('currentId'), 'panic');
  const user = await page.evaluate(() => window.spanmark.spans().filter((s) => s.source === 'user'));
  assert.deepEqual(user.map(({ id, ...span }) => span), [{ start: 0, end: 12, label: 'PER', source: 'user' }]);
  assert.match(user[0].id, /^T\d+$/);
});
