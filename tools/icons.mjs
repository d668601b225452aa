// Renders www/icon.svg to the PNG sizes the web app manifest names (Chromium
// wants raster icons of at least 144 px to offer installation). Run by hand
// after changing the SVG: node tools/icons.mjs
import { chromium } from 'playwright-core';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, FLAGS } from '../tests/e2e/harness.mjs';

const WWW = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../www');
const svg = await fs.readFile(path.join(WWW, 'icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
for (const size of [192, 512]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(`<style>body{margin:0}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`);
  await page.screenshot({ path: path.join(WWW, `icon-${size}.png`), omitBackground: true });
  await page.close();
}
await browser.close();
