// screenshot.js -- takes the README's picture of the demo page with the player open and a word
// highlighted, in Chromium: `node tests/browser/screenshot.js docs/demo.png` (after `make
// browser`'s npm ci).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { startService, startBrowser } = require('./helpers');

async function main(out) {
  const svc = await startService();
  const browser = await startBrowser({ viewport: { width: 1100, height: 760 } });
  try {
    const { page } = browser;
    await page.goto(svc.url + '/');
    await page.click('#kakor-ok');
    await page.click('.lyssna-btn');
    await page.until(() => {
      const h = CSS.highlights.get('lyssna-word');
      return h && h.size && [...h][0].toString() === 'biblioteket';
    }, null, 120000);
    await page.evaluate(() => window.scrollTo(0, 0));
    fs.writeFileSync(out, await page.viewportShot());
  } finally {
    await browser.close();
    await svc.stop();
  }
}

main(path.resolve(process.argv[2] || 'demo.png')).catch((e) => {
  console.error(e);
  process.exit(1);
});
