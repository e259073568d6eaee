// helpers.js -- what every browser test needs: its own `lyssna serve` on a loopback port with a
// temporary cache (service.js), and a browser of the engine under test (drivers.js).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const nodeTest = require('node:test');
const { ENGINE, launch } = require('./drivers');
const { ROOT, startService, tempDir } = require('./service');

const TEST_MS = (Number(process.env.TEST_TIMEOUT) || 240) * 1000;

// node:test's test(name, [options], fn) with a time limit (TEST_TIMEOUT seconds, run.js's): a
// test stuck on a browser fails under its own name, its teardown (t.after) still runs, and
// the file goes on.
function test(name, options, fn) {
  return fn ? nodeTest(name, { timeout: TEST_MS, ...options }, fn)
    : nodeTest(name, { timeout: TEST_MS }, options);
}

// A browser of the engine under test (ENGINE: chromium, firefox or webkit) with a fresh
// profile; resolves to {page, close()}.
function startBrowser(options = {}) {
  return launch(options);
}

// One service and one browser page for a test, torn down with t.after (the browser first, so
// that no stream keeps the service waiting).
async function setup(t, { webDir, page: pagePath = '/', browser: browserOptions } = {}) {
  let browser;
  const svc = await startService({ webDir });
  t.after(async () => {
    if (browser)
      await browser.close();
    await svc.stop();
  });
  browser = await startBrowser(browserOptions);
  const { page } = browser;
  await page.goto(svc.url + pagePath);
  await page.waitFor('.lyssna-btn');
  return { svc, page };
}

// Waits until fn() (run in the page) returns a truthy value; returns it.
function until(page, fn, arg, timeout = 60000) {
  return page.until(fn, arg, timeout);
}

// A copy of web/ in a temporary folder whose demo page is edit(demo.html) (or a page of
// tests/browser/pages); removed after the test.
function webCopy(t, edit, page) {
  const web = tempDir('web');
  t.after(() => fs.rmSync(web, { recursive: true, force: true }));
  for (const f of ['lyssna.js', 'lyssna.css', 'lyssna-aids.js', 'lyssna-aids.css'])
    fs.copyFileSync(path.join(ROOT, 'web', f), path.join(web, f));
  fs.cpSync(path.join(ROOT, 'web', 'i18n'), path.join(web, 'i18n'), { recursive: true });
  const html = page ? fs.readFileSync(path.join(__dirname, 'pages', page), 'utf8')
    : fs.readFileSync(path.join(ROOT, 'web', 'demo.html'), 'utf8');
  fs.writeFileSync(path.join(web, 'demo.html'), edit ? edit(html) : html);
  return web;
}

module.exports = { ROOT, ENGINE, test, startService, startBrowser, setup, until, tempDir, webCopy };
