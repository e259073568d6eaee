// drivers.js -- one small page interface over three engines, so that the same widget tests run
// in each: Chromium (Debian's, over CDP) and Firefox (Debian's firefox-esr, over WebDriver BiDi)
// through puppeteer-core, WebKitGTK's MiniBrowser through its WebKitWebDriver and
// selenium-webdriver. No browser is downloaded. Every page method takes CSS selectors and
// functions run in the page; nothing engine-specific leaks into the tests.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ENGINE = process.env.ENGINE || 'chromium';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
const WEBKIT_DIR = process.env.WEBKIT_DIR || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1';
const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER || '/usr/bin/WebKitWebDriver';
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--force-prefers-reduced-motion'];

function tempDir(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `lyssna-${name}-`));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Serializes fn for the page: `(fn)(arg)` with the argument as JSON.
function call(fn, arg) {
  return `(${fn})(${JSON.stringify(arg === undefined ? null : arg)})`;
}

// What every engine's page offers on top of goto/evaluate/click/press/screenshot.
class Page {
  async until(fn, arg, timeout = 60000) {
    const end = Date.now() + timeout;
    for (;;) {
      const v = await this.evaluate(fn, arg);
      if (v)
        return v;
      if (Date.now() > end)
        throw new Error(`timed out after ${timeout} ms waiting for ${String(fn).slice(0, 200)}`);
      await sleep(50);
    }
  }

  wait(ms) {
    return sleep(ms);
  }

  waitFor(sel, state = 'attached', timeout = 60000) {
    return this.until(([s, st]) => {
      const e = document.querySelector(s);
      const seen = !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
      return st === 'visible' ? seen : st === 'hidden' ? !seen : !!e;
    }, [sel, state], timeout);
  }

  isVisible(sel) {
    return this.evaluate((s) => {
      const e = document.querySelector(s);
      return !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
    }, sel);
  }

  count(sel) {
    return this.evaluate((s) => document.querySelectorAll(s).length, sel);
  }

  text(sel) {
    return this.evaluate((s) => document.querySelector(s).textContent, sel);
  }

  attr(sel, name) {
    return this.evaluate(([s, n]) => document.querySelector(s).getAttribute(n), [sel, name]);
  }

  value(sel) {
    return this.evaluate((s) => document.querySelector(s).value, sel);
  }

  focus(sel) {
    return this.evaluate((s) => document.querySelector(s).focus(), sel);
  }

  // A choice in a <select>, with the events a user's choice fires.
  select(sel, value) {
    return this.evaluate(([s, v]) => {
      const e = document.querySelector(s);
      e.value = v;
      e.dispatchEvent(new Event('input', { bubbles: true }));
      e.dispatchEvent(new Event('change', { bubbles: true }));
    }, [sel, value]);
  }

  // Runs a script file in the page (axe-core), as a <script> element would.
  addScript(file) {
    return this.evaluate((src) => {
      const s = document.createElement('script');
      s.textContent = src;
      document.head.appendChild(s);
    }, fs.readFileSync(file, 'utf8'));
  }

  // Errors thrown in the page since it loaded (collected by the page itself, in every engine).
  errors() {
    return this.evaluate(() => window.__lyssnaErrors || []);
  }

  async goto(url) {
    await this.load(url);
    await this.evaluate(() => {
      window.__lyssnaErrors = [];
      addEventListener('error', (e) => window.__lyssnaErrors.push(String(e.message)));
      addEventListener('unhandledrejection', (e) => window.__lyssnaErrors.push(String(e.reason)));
    });
  }
}

class PuppeteerPage extends Page {
  constructor(page) {
    super();
    this.page = page;
  }

  load(url) {
    return this.page.goto(url);
  }

  reload() {
    return this.goto(this.page.url());
  }

  evaluate(fn, arg) {
    return this.page.evaluate(call(fn, arg));
  }

  click(sel) {
    return this.page.click(sel);
  }

  press(key) {
    return this.page.keyboard.press(key === 'Space' ? ' ' : key);
  }

  screenshot() {
    return this.page.screenshot({ fullPage: true });
  }

  viewportShot() {
    return this.page.screenshot();
  }
}

async function puppeteerBrowser(engine, { viewport }) {
  const puppeteer = require('puppeteer-core');
  const profile = tempDir(engine);
  const options = engine === 'firefox' ? {
    browser: 'firefox',
    executablePath: FIREFOX,
    extraPrefsFirefox: { 'ui.prefersReducedMotion': 1, 'focusmanager.testmode': true },
    env: { ...process.env, MOZ_DISABLE_CONTENT_SANDBOX: '1', MOZ_DISABLE_RDD_SANDBOX: '1' },
  } : { executablePath: CHROMIUM, args: CHROMIUM_FLAGS };
  const browser = await puppeteer.launch({ headless: true, userDataDir: profile,
    defaultViewport: viewport, protocolTimeout: 120000, ...options });
  /* Firefox's first tab never gets the focus (nothing in it matches :focus): a tab of our own */
  const page = engine === 'firefox' ? await browser.newPage() : (await browser.pages())[0];
  await page.setViewport(viewport);
  return {
    page: new PuppeteerPage(page),
    close: async () => {
      await browser.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

class WebDriverPage extends Page {
  constructor(driver) {
    super();
    this.driver = driver;
    this.Key = require('selenium-webdriver').Key;
  }

  load(url) {
    return this.driver.get(url);
  }

  async reload() {
    return this.goto(await this.driver.getCurrentUrl());
  }

  // WebDriver's Execute Script awaits a promise the script returns.
  evaluate(fn, arg) {
    return this.driver.executeScript(`return ${call(fn, arg)};`);
  }

  async click(sel) {
    const { By } = require('selenium-webdriver');
    await this.driver.findElement(By.css(sel)).click();
  }

  press(key) {
    const k = { Tab: this.Key.TAB, Enter: this.Key.ENTER, Space: ' ', Escape: this.Key.ESCAPE,
      ArrowLeft: this.Key.ARROW_LEFT, ArrowRight: this.Key.ARROW_RIGHT, ArrowUp: this.Key.ARROW_UP,
      ArrowDown: this.Key.ARROW_DOWN, Home: this.Key.HOME, End: this.Key.END }[key] || key;
    return this.driver.actions({ async: true }).keyDown(k).keyUp(k).perform();
  }

  async screenshot() {
    return Buffer.from(await this.driver.takeScreenshot(), 'base64');
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// WebKitWebDriver on a loopback port; resolves once it accepts connections.
async function startWebKitDriver() {
  const port = await freePort();
  const proc = spawn(WEBKIT_DRIVER, [`--port=${port}`, '--host=127.0.0.1'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  for (let i = 0; i < 200; i++) {
    const up = await new Promise((r) => {
      const c = net.connect(port, '127.0.0.1', () => { c.end(); r(true); });
      c.on('error', () => r(false));
    });
    if (up)
      return { port, proc };
    if (proc.exitCode !== null)
      break;
    await sleep(50);
  }
  proc.kill();
  throw new Error(`WebKitWebDriver did not start: ${stderr}`);
}

// The window is sized so that the page's own viewport (inside MiniBrowser's chrome) is the
// one asked for.
async function sizeViewport(driver, { width, height }) {
  const win = driver.manage().window();
  await win.setRect({ width, height });
  for (let i = 0; i < 3; i++) {
    const [w, h] = await driver.executeScript('return [innerWidth, innerHeight];');
    if (w === width && h === height)
      return;
    const r = await win.getRect();
    await win.setRect({ width: r.width + width - w, height: r.height + height - h });
  }
}

async function webkitBrowser({ viewport }) {
  const { Builder } = require('selenium-webdriver');
  const server = await startWebKitDriver();
  const caps = {
    browserName: 'MiniBrowser',
    'webkitgtk:browserOptions': {
      binary: path.join(WEBKIT_DIR, 'MiniBrowser'),
      args: ['--automation', '--media-playback-requires-user-gesture=true'],
    },
  };
  let driver;
  try {
    driver = await new Builder().usingServer(`http://127.0.0.1:${server.port}`)
      .withCapabilities(caps).build();
    await driver.manage().setTimeouts({ script: 120000 });
    await sizeViewport(driver, viewport);
  } catch (e) {
    server.proc.kill();
    throw e;
  }
  return {
    page: new WebDriverPage(driver),
    close: async () => {
      await driver.quit().catch(() => {});
      await new Promise((r) => {
        if (server.proc.exitCode !== null)
          return r();
        server.proc.once('exit', r);
        server.proc.kill();
      });
    },
  };
}

// A fresh browser of ENGINE with one page; resolves to {page, close()}.
function launch({ viewport = { width: 1280, height: 900 } } = {}) {
  if (ENGINE === 'webkit')
    return webkitBrowser({ viewport });
  if (ENGINE === 'chromium' || ENGINE === 'firefox')
    return puppeteerBrowser(ENGINE, { viewport });
  throw new Error(`ENGINE must be chromium, firefox or webkit, not '${ENGINE}'`);
}

module.exports = { ENGINE, launch, tempDir };
