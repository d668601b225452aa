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
  await page.evaluate(() => window.spanmark.idle());
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await app.close();
}
