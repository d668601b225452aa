// Takes the README's screenshot of the demo article in headless Chromium.
// Usage: node tools/screenshot.mjs [OUT.png]   (after ./build.sh build)
import { openApp } from '../tests/e2e/harness.mjs';

const out = process.argv[2] || 'docs/screenshot.png';
const app = await openApp();
try {
  const { page } = app;
  await page.setViewportSize({ width: 1280, height: 800 });
  // Accept two suggestions and select a third, to show both looks.
  const spans = await page.evaluate(() => window.spanmark.spans());
  for (const s of spans.slice(0, 2)) {
    await page.evaluate(([a, b, l]) => window.spanmark.addSpan(a, b, l), [s.start, s.end, s.label]);
  }
  // A relation between two names in view, and a document label.
  await page.evaluate(async () => {
    const s = window.spanmark;
    const find = (text, label) => s.spans().find((x) => x.label === label && document.querySelector('#doc').textContent.includes(text)
      && [...document.querySelectorAll(`#doc mark[data-id="${x.id}"]`)].some((m) => m.textContent.startsWith(text)));
    const who = find('World Health Organization', 'ORG');
    const okafor = find('Amara Okafor', 'PER');
    if (who && okafor) await s.addRelation(okafor.id, who.id, 'works_for');
    await s.setDocLabels(['health']);
    await s.idle();
  });
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await app.close();
}
