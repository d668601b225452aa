// Takes the README's screenshots of the agreement matrix and of curation:
// a team server started on a temporary directory, a curator making the
// project from three of our own sentences, three annotators labelling them
// in their own browser profiles, the curator's page with Agreement… open
// on a pair, then curating one document (one stretch settled, the next one
// current).
// Usage: node tools/screenshot-team.mjs [AGREEMENT.png [CURATION.png]]   (after ./build.sh build)
import { startTeamServer, addUser } from '../tests/team/harness.mjs';
import { openProfile } from '../tests/team/page.mjs';

const out = process.argv[2] || 'docs/agreement.png';
const outCuration = process.argv[3] || 'docs/curation.png';
const ADMIN = 'root:root-pw';
const DOCS = [
  { id: 'harbour', text: 'Mira Okafor opened the new harbour office in Porto with Acme Shipping on Monday.' },
  { id: 'council', text: 'The Lisbon city council asked Tomas Berg and Ines Vale to review the Atlantic Rail plan.' },
  { id: 'match', text: 'Kofi Mensah scored twice as Accra United beat Lagos Rovers in the Volta Cup final.' },
];
// What each annotator labels: [doc, start, end, label].
const find = (doc, s) => {
  const t = DOCS.find((d) => d.id === doc).text;
  const at = t.indexOf(s);
  return [at, at + s.length];
};
const ANSWERS = {
  ana: [['harbour', 'Mira Okafor', 'PER'], ['harbour', 'Porto', 'LOC'], ['harbour', 'Acme Shipping', 'ORG'],
    ['council', 'Lisbon', 'LOC'], ['council', 'Tomas Berg', 'PER'], ['council', 'Ines Vale', 'PER'], ['council', 'Atlantic Rail', 'ORG'],
    ['match', 'Kofi Mensah', 'PER'], ['match', 'Accra United', 'ORG'], ['match', 'Lagos Rovers', 'ORG'], ['match', 'Volta Cup', 'MISC']],
  ben: [['harbour', 'Mira Okafor', 'PER'], ['harbour', 'Porto', 'LOC'], ['harbour', 'Acme', 'ORG'],
    ['council', 'Lisbon city council', 'ORG'], ['council', 'Tomas Berg', 'PER'], ['council', 'Ines Vale', 'PER'], ['council', 'Atlantic Rail', 'MISC'],
    ['match', 'Kofi Mensah', 'PER'], ['match', 'Accra United', 'ORG'], ['match', 'Lagos Rovers', 'ORG'], ['match', 'Volta Cup', 'MISC']],
  cat: [['harbour', 'Mira Okafor', 'PER'], ['harbour', 'Porto', 'LOC'], ['harbour', 'Acme Shipping', 'ORG'],
    ['council', 'Lisbon', 'LOC'], ['council', 'Tomas Berg', 'PER'], ['council', 'Ines Vale', 'PER'], ['council', 'Atlantic Rail', 'ORG'],
    ['match', 'Kofi Mensah', 'PER'], ['match', 'Accra', 'LOC'], ['match', 'Lagos Rovers', 'ORG'], ['match', 'Volta Cup', 'MISC']],
};

const server = await startTeamServer({ env: { SPANMARK_ADMIN: ADMIN } });
const profiles = [];
try {
  for (const [name, role] of [['ced', 'curator'], ['ana', 'annotator'], ['ben', 'annotator'], ['cat', 'annotator']]) {
    await addUser(server.url, ADMIN, name, [role]);
  }
  const ced = await openProfile(server.url);
  profiles.push(ced);
  await ced.call('importFile', 'news.jsonl', DOCS.map((d) => JSON.stringify({ ...d, spans: [] })).join('\n') + '\n');
  await ced.call('join', { user: 'ced', password: 'ced-pw', project: 'newsroom' });
  for (const [who, answers] of Object.entries(ANSWERS)) {
    const p = await openProfile(server.url);
    profiles.push(p);
    await p.call('join', { user: who, password: `${who}-pw`, project: 'newsroom' });
    for (const d of DOCS) {
      await p.call('openDocument', d.id);
      for (const [doc, s, label] of answers.filter((a) => a[0] === d.id)) {
        const [start, end] = find(doc, s);
        await p.call('addSpan', start, end, label);
      }
      await p.call('markDone');
    }
    await p.call('sync');
  }
  await ced.call('sync');
  const { page } = ced;
  await page.setViewportSize({ width: 1280, height: 800 });
  // Joined, the bar's menus fold under More… at this width.
  await page.click('#more');
  await page.click('#agreement-open');
  await page.click('#agreement-matrix .agreement-cell[data-a="ana"][data-b="ben"]');
  await page.waitForSelector('#agreement-detail .agreement-docs button');
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
  await page.keyboard.press('Escape');
  if (await page.isVisible('#first-hint-close')) await page.click('#first-hint-close');
  await ced.call('curate', 'council');
  await page.focus('#doc');
  for (const key of ['j', '1', 'Shift+A', 'j']) {
    await page.keyboard.press(key);
    await page.evaluate(() => window.spanmark.idle());
  }
  await page.screenshot({ path: outCuration });
  console.log(`wrote ${outCuration}`);
} finally {
  for (const p of profiles) await p.close();
  await server.stop();
}
