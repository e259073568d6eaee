// helpers.js -- what every browser test needs: its own `lyssna serve` on a loopback port with a
// temporary cache, and Debian's Chromium driven by playwright-core (no browser is downloaded).
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { chromium } = require('playwright-core');

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.resolve(__dirname, process.env.LYSSNA_BIN || '../../lyssna');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function tempDir(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `lyssna-${name}-`));
}

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

// Chromium with a fresh profile; resolves to {context, close()}.
async function startBrowser(options = {}) {
  const profile = tempDir('chromium');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: options.viewport || { width: 1280, height: 900 },
    reducedMotion: 'reduce',
    ...options,
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
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
  const page = browser.context.pages()[0] || await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(svc.url + pagePath);
  await page.waitForSelector('.lyssna-btn');
  return { svc, page, errors };
}

// Waits until fn() (run in the page) returns a truthy value; returns it.
async function until(page, fn, arg, timeout = 60000) {
  const handle = await page.waitForFunction(fn, arg, { timeout, polling: 50 });
  return handle.jsonValue();
}

module.exports = { ROOT, startService, startBrowser, setup, until, tempDir };
