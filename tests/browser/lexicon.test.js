// lexicon.test.js -- the editor's page /admin/lexicon in the engine under test (make browser
// ENGINE=…): signing in with an editor's key by keyboard only, hearing a word and a sentence
// before saving, saving, finding it, undoing, an import with errors by line; under its strict
// Content-Security-Policy, at 320 px, with axe-core finding nothing.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { test, until, startService, startBrowser, tempDir } = require('./helpers');

const EDITOR = 'browser-editor-key-0123456789';

async function open(t, viewport) {
  const dir = tempDir('keys');
  const keys = path.join(dir, 'keys.ini');
  fs.writeFileSync(keys, `[redaktion]\nkey = ${EDITOR}\nrole = editor\n`);
  /* a lexicon of the test's own: beside the temporary cache folder is the shared /tmp */
  const svc = await startService({ args: ['--keys-file', keys, '--lexicon-file', path.join(dir, 'lexicon.db')] });
  let browser;
  t.after(async () => {
    if (browser)
      await browser.close();
    await svc.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  browser = await startBrowser({ viewport });
  await browser.page.goto(svc.url + '/admin/lexicon');
  await browser.page.waitFor('#key', 'visible');
  return { svc, page: browser.page };
}

// Types text with the keyboard, a key at a time, into whatever has the focus.
async function type(page, text) {
  for (const ch of text)
    await page.press(ch);
}

// Tabs until the element with id has the focus (at most n presses); fails otherwise.
async function tabTo(page, id, n = 30) {
  for (let i = 0; i < n; i++) {
    if (await page.evaluate(() => document.activeElement && document.activeElement.id) === id)
      return;
    await page.press('Tab');
  }
  assert.fail(`Tab never reached #${id}`);
}

async function status(page, re) {
  try {
    return await until(page, (src) => {
      const t = document.getElementById('status').textContent;
      return new RegExp(src).test(t) && t;
    }, re.source, 30000);
  } catch (e) {
    throw new Error(`status never matched ${re}: it says "${await page.text('#status')}"`);
  }
}

// axe-core run as the test's own script (a <script> element would be refused by the CSP).
async function axe(page) {
  const src = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.run(`(function () { ${src}\n; return typeof window.axe; })()`);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`);
}

function headers(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (r) => { r.resume(); resolve(r.headers); }).on('error', reject);
  });
}

test('the editor signs in, hears the word and a sentence, saves, finds and undoes it, by keyboard at 320 px', async (t) => {
  const { svc, page } = await open(t, { width: 320, height: 700 });
  const h = await headers(svc.url + '/admin/lexicon');
  assert.match(h['content-security-policy'], /script-src 'self'/);
  assert.doesNotMatch(h['content-security-policy'], /unsafe-inline/);

  await tabTo(page, 'key');
  await type(page, EDITOR);
  await page.press('Enter');
  await status(page, /inloggad/);
  assert.equal(await page.isVisible('#login'), false);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'text');
  assert.equal(await page.evaluate(() => document.cookie), '', 'the session cookie is HttpOnly');

  await type(page, 'Lyssnaby');
  await page.press('Tab');
  await type(page, 'lyss-na-by');
  await tabTo(page, 'hear-word');
  await page.press('Enter');
  await status(page, /Spelar upp ordet/);
  const src = await until(page, () => document.getElementById('player').src);
  assert.match(src, /^blob:/);
  await tabTo(page, 'hear-sentence');
  await page.press('Enter');
  await status(page, /Spelar upp meningen/);
  assert.notEqual(await page.evaluate(() => document.getElementById('player').src), src);

  await tabTo(page, 'save');
  await page.press('Enter');
  await status(page, /Lyssnaby är sparat/);
  const found = await until(page, () => [...document.querySelectorAll('#results li')]
    .map((li) => li.textContent).find((s) => s.startsWith('Lyssnaby')));
  assert.match(found, /lyss-na-by \(alla webbplatser; ändrad av redaktion\)/);

  // undo the addition from the history, by keyboard
  // the history's button, focused as Tab would reach it, then Enter
  const undo = await until(page, () => {
    const b = [...document.querySelectorAll('#history li button')]
      .find((e) => /av Lyssnaby$/.test(e.textContent));
    if (!b)
      return null;
    b.focus();
    return document.activeElement === b && b.textContent;
  });
  assert.match(undo, /Ångra ändring \d+ av Lyssnaby/);
  await page.press('Enter');
  await status(page, /Ändringen av Lyssnaby är ångrad/);
  await until(page, () => !document.querySelector('#results li'));

  assert.deepEqual(await axe(page), []);
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= 320, `scrollWidth ${scroll}`);
  assert.deepEqual(await page.errors(), []);
});

test('a wrong key, a file with errors by line, and nothing half imported', async (t) => {
  const { page } = await open(t, { width: 1024, height: 800 });
  await tabTo(page, 'key');
  await type(page, 'not-the-key-at-all-00');
  await page.press('Enter');
  await status(page, /Inloggningen misslyckades: nyckeln är ingen redaktörsnyckel/);
  await type(page, EDITOR);
  await page.press('Enter');
  await status(page, /inloggad/);
  const problems = await page.evaluate(async () => {
    const file = new File(['text,say\nBra,bra\n=1+1,x\nOk,"[[b#]]"\n'], 'lista.csv', { type: 'text/csv' });
    const dt = new DataTransfer();
    dt.items.add(file);
    document.getElementById('file').files = dt.files;
    document.querySelector('#import button').click();
    return null;
  });
  assert.equal(problems, null);
  await status(page, /Inget importerades/);
  const lines = await until(page, () => [...document.querySelectorAll('#problems li')].map((li) => li.textContent));
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^line 3: 'text'/);
  await until(page, () => document.getElementById('results').children.length === 0);
  assert.deepEqual(await axe(page), []);
});
