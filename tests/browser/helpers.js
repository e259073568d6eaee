// helpers.js -- what every browser test needs: its own `lyssna serve` on a loopback port with a
// temporary cache, and a browser of the engine under test (drivers.js).
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { ENGINE, launch, tempDir } = require('./drivers');

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.resolve(__dirname, process.env.LYSSNA_BIN || '../../lyssna');

// Starts `lyssna serve --listen 127.0.0.1:0`, which may read pages from itself; resolves to
// {url, stop()} once it prints `listening on http://127.0.0.1:PORT`. webDir replaces web/;
// args are more settings (--cors-origin …).
function startService({ webDir, args: extra = [] } = {}) {
  const cache = tempDir('cache');
  const args = ['serve', '--listen', '127.0.0.1:0', '--cache-dir', cache,
    '--allow-host', '127.0.0.1', '--allow-addr', '127.0.0.1/32',
    '--web', webDir || path.join(ROOT, 'web'), ...extra];
  const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: proc.stdout });
    const timer = setTimeout(() => reject(new Error(`service did not start: ${stderr}`)), 30000);
    proc.on('exit', (code) => reject(new Error(`service exited with ${code}: ${stderr}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (!m)
        return reject(new Error(`unexpected first line: ${line}`));
      resolve({
        url: m[1],
        stderr: () => stderr,
        stop: () => new Promise((done) => {
          if (proc.exitCode !== null)
            return done(fs.rmSync(cache, { recursive: true, force: true }));
          proc.removeAllListeners('exit');
          proc.once('exit', () => done(fs.rmSync(cache, { recursive: true, force: true })));
          proc.kill('SIGTERM');
        }),
      });
    });
  });
}

// A browser of the engine under test (ENGINE: chromium, firefox or webkit) with a fresh
// profile; resolves to {page, close()}.
function startBrowser(options = {}) {
  return launch(options);
}

// One service and one browser page for a test, torn down with t.after (the browser first, so
// that no stream keeps the service waiting).
async function setup(t, { webDir, page: pagePath = '/', browser: browserOptions } = {}) {
  const svc = await startService({ webDir });
  const browser = await startBrowser(browserOptions);
  t.after(async () => {
    await browser.close();
    await svc.stop();
  });
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
  for (const f of ['lyssna.js', 'lyssna.css'])
    fs.copyFileSync(path.join(ROOT, 'web', f), path.join(web, f));
  const html = page ? fs.readFileSync(path.join(__dirname, 'pages', page), 'utf8')
    : fs.readFileSync(path.join(ROOT, 'web', 'demo.html'), 'utf8');
  fs.writeFileSync(path.join(web, 'demo.html'), edit ? edit(html) : html);
  return web;
}

module.exports = { ROOT, ENGINE, startService, startBrowser, setup, until, tempDir, webCopy };
