// drivers.js -- one small page interface over three engines, so that the same widget tests run
// in each: Chromium (Debian's, over CDP) and Firefox (Debian's firefox-esr, over WebDriver BiDi)
// through puppeteer-core, WebKitGTK's MiniBrowser through its WebKitWebDriver and
// selenium-webdriver. No browser is downloaded. Every page method takes CSS selectors and
// functions run in the page; nothing engine-specific leaks into the tests. Each browser runs
// in a process group of its own (procs.js) that close() ends whatever state it is in, and no
// step waits on a browser without a time limit.
'use strict';

const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { spawnGroup, record, endGroup, exitOnSignals, sleep } = require('./procs');
const { tempDir } = require('./service');

exitOnSignals();

const ENGINE = process.env.ENGINE || 'chromium';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
const WEBKIT_DIR = process.env.WEBKIT_DIR || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1';
const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER || '/usr/bin/WebKitWebDriver';
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--force-prefers-reduced-motion'];

const QUIT_MS = 10000; /* a browser that does not close in this time is killed */

// Resolves or rejects as promise does, or rejects after ms: for the steps that wait on a browser.
function within(ms, promise, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

// An expression the page evaluates to a JSON string: {"value": fn(arg)} (undefined as null) or
// {"error": what fn threw or rejected with}. Every engine then carries back one plain string,
// whatever fn returns: WebKitWebDriver answers "Could not parse script result" for a page
// promise rejected with a value that is not an Error, and Puppeteer and WebDriver disagree on
// undefined, NaN and DOM nodes.
function call(fn, arg) {
  return `Promise.resolve(${JSON.stringify(arg === undefined ? null : arg)}).then(${fn})` +
    '.then((v) => JSON.stringify({ value: v === undefined ? null : v }))' +
    '.catch((e) => JSON.stringify({ error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }))';
}

// What every engine's page offers on top of load/run/click/press/screenshot.
class Page {
  // fn(arg) run in the page (fn's source is sent, so it sees only arg); resolves to its
  // JSON-serialisable result, awaited if a promise; rejects with what the page threw.
  async evaluate(fn, arg) {
    const out = JSON.parse(await this.run(call(fn, arg)));
    if ('error' in out)
      throw new Error(`in the page: ${out.error} (in ${String(fn).slice(0, 200)})`);
    return out.value;
  }

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

  // A choice in a <select>, with the events a user's choice fires (input, then change, both
  // bubbling); resolves to the value chosen, rejects when no option has it.
  select(sel, value) {
    return this.evaluate(([s, v]) => {
      const e = document.querySelector(s);
      if (![...e.options].some((o) => o.value === v))
        throw new Error(`no option '${v}' in ${s}`);
      e.value = v;
      e.dispatchEvent(new Event('input', { bubbles: true }));
      e.dispatchEvent(new Event('change', { bubbles: true }));
      return e.value;
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

  // The accessibility tree a screen reader is given (Chromium's, over CDP); the other engines
  // have no protocol for it here.
  accessibilityTree() {
    throw new Error(`no accessibility tree in ${ENGINE}`);
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

  run(expression) {
    return this.page.evaluate(expression);
  }

  click(sel) {
    return this.page.click(sel);
  }

  // A key, or 'Shift+KEY' (Shift held down around it).
  async press(key) {
    const [mod, k] = key.startsWith('Shift+') ? ['Shift', key.slice(6)] : [null, key];
    if (mod)
      await this.page.keyboard.down(mod);
    try {
      await this.page.keyboard.press(k === 'Space' ? ' ' : k);
    } finally {
      if (mod)
        await this.page.keyboard.up(mod);
    }
  }

  // Every node, not only the "interesting" ones: a control without a name must show.
  accessibilityTree() {
    if (ENGINE !== 'chromium')
      return super.accessibilityTree();
    return this.page.accessibility.snapshot({ interestingOnly: false });
  }

  screenshot() {
    return this.page.screenshot({ fullPage: true });
  }

  viewportShot() {
    return this.page.screenshot();
  }
}

async function puppeteerBrowser(engine, { viewport, env }) {
  const puppeteer = require('puppeteer-core');
  const profile = tempDir(engine);
  const options = engine === 'firefox' ? {
    browser: 'firefox',
    executablePath: FIREFOX,
    extraPrefsFirefox: { 'ui.prefersReducedMotion': 1, 'focusmanager.testmode': true },
    env: { ...process.env, MOZ_DISABLE_CONTENT_SANDBOX: '1', MOZ_DISABLE_RDD_SANDBOX: '1', ...env },
  } : { executablePath: CHROMIUM, args: CHROMIUM_FLAGS, env: { ...process.env, ...env } };
  let browser;
  try {
    /* puppeteer starts the browser detached (its pid leads a group of its own); signals are
       left to procs.js, whose exit hook ends the group */
    browser = await puppeteer.launch({ headless: true, userDataDir: profile, timeout: 60000,
      defaultViewport: viewport, protocolTimeout: 120000, handleSIGINT: false,
      handleSIGTERM: false, handleSIGHUP: false, ...options });
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  const proc = browser.process();
  record(proc.pid);
  const close = async () => {
    await within(QUIT_MS, browser.close(), `closing ${engine}`).catch(() => {});
    await endGroup(proc, 0);
    fs.rmSync(profile, { recursive: true, force: true });
  };
  try {
    /* Firefox's first tab never gets the focus (nothing in it matches :focus): a tab of our own */
    const page = engine === 'firefox' ? await browser.newPage() : (await browser.pages())[0];
    await page.setViewport(viewport);
    return { page: new PuppeteerPage(page), close };
  } catch (e) {
    await close();
    throw e;
  }
}

class WebDriverPage extends Page {
  constructor(driver, log) {
    super();
    this.driver = driver;
    this.log = log;
    this.Key = require('selenium-webdriver').Key;
  }

  load(url) {
    return this.driver.get(url);
  }

  async reload() {
    return this.goto(await this.driver.getCurrentUrl());
  }

  // WebDriver's Execute Script awaits a promise the script returns. When the page's web
  // process dies meanwhile, WebKitWebDriver answers with an empty result ("Could not parse
  // script result"); MiniBrowser's log says what happened.
  async run(expression) {
    try {
      return await this.driver.executeScript(`return ${expression};`);
    } catch (e) {
      if (/WebProcess CRASHED/.test(tail(this.log)))
        throw new Error(`the page's WebKitWebProcess crashed while it ran a script (${e.message}); ` +
          `MiniBrowser's log: ${this.log}`);
      throw e;
    }
  }

  async click(sel) {
    const { By } = require('selenium-webdriver');
    await this.driver.findElement(By.css(sel)).click();
  }

  press(key) {
    const shift = key.startsWith('Shift+');
    key = shift ? key.slice(6) : key;
    const k = { Tab: this.Key.TAB, Enter: this.Key.ENTER, Space: ' ', Escape: this.Key.ESCAPE,
      ArrowLeft: this.Key.ARROW_LEFT, ArrowRight: this.Key.ARROW_RIGHT, ArrowUp: this.Key.ARROW_UP,
      ArrowDown: this.Key.ARROW_DOWN, Home: this.Key.HOME, End: this.Key.END }[key] || key;
    const a = this.driver.actions({ async: true });
    if (shift)
      return a.keyDown(this.Key.SHIFT).keyDown(k).keyUp(k).keyUp(this.Key.SHIFT).perform();
    return a.keyDown(k).keyUp(k).perform();
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

// The last lines of a log file, for an error message.
function tail(file) {
  try {
    return fs.readFileSync(file, 'utf8').slice(-3000);
  } catch {
    return '';
  }
}

// WebKitWebDriver on a loopback port, in a group of its own with the MiniBrowser and WebKit
// processes it starts; their output goes to a file (a pipe would keep this process waiting as
// long as any of them lives). Resolves once it accepts connections.
async function startWebKitDriver(env, log) {
  const port = await freePort();
  const out = fs.openSync(log, 'a');
  const proc = spawnGroup(WEBKIT_DRIVER, [`--port=${port}`, '--host=127.0.0.1'],
    { stdio: ['ignore', out, out], env: { ...process.env, ...env } });
  fs.closeSync(out);
  for (let i = 0; i < 200 && proc.exitCode === null; i++) {
    const up = await new Promise((r) => {
      const c = net.connect(port, '127.0.0.1', () => { c.end(); r(true); });
      c.on('error', () => r(false));
    });
    if (up)
      return { port, proc };
    await sleep(50);
  }
  await endGroup(proc);
  throw new Error(`WebKitWebDriver did not start: ${tail(log)}`);
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

// MiniBrowser's output is kept in the run's folder (run.js keeps it when a test failed), or
// in a folder removed with the browser.
async function webkitBrowser({ viewport, env }) {
  const { Builder } = require('selenium-webdriver');
  const dir = process.env.LYSSNA_TEST_RUN || tempDir('webkit');
  const log = path.join(dir, `webkit-${process.pid}-${Date.now()}.log`);
  const server = await startWebKitDriver(env, log);
  const caps = {
    browserName: 'MiniBrowser',
    'webkitgtk:browserOptions': {
      binary: path.join(WEBKIT_DIR, 'MiniBrowser'),
      args: ['--automation', '--media-playback-requires-user-gesture=true'],
    },
  };
  let driver;
  const close = async () => {
    if (driver)
      await within(QUIT_MS, driver.quit(), 'closing MiniBrowser').catch(() => {});
    await endGroup(server.proc);
    if (!process.env.LYSSNA_TEST_RUN)
      fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    driver = await within(60000, new Builder().usingServer(`http://127.0.0.1:${server.port}`)
      .withCapabilities(caps).build(), 'starting MiniBrowser');
    await driver.manage().setTimeouts({ script: 120000 });
    await sizeViewport(driver, viewport);
  } catch (e) {
    await close();
    throw new Error(`MiniBrowser did not start: ${e.name}: ${e.message || '(no message)'}\n${tail(log)}`);
  }
  return { page: new WebDriverPage(driver, log), close };
}

// A fresh browser of ENGINE with one page; resolves to {page, close()}. env is added to the
// browser's environment.
function launch({ viewport = { width: 1280, height: 900 }, env = {} } = {}) {
  if (ENGINE === 'webkit')
    return webkitBrowser({ viewport, env });
  if (ENGINE === 'chromium' || ENGINE === 'firefox')
    return puppeteerBrowser(ENGINE, { viewport, env });
  throw new Error(`ENGINE must be chromium, firefox or webkit, not '${ENGINE}'`);
}

module.exports = { ENGINE, launch };
