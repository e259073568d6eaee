// documents.test.js -- documents in the engine under test (make browser ENGINE=…): the
// reading page of a Word document (real structure, keyboard only, highlighting as it reads,
// axe-core, 320 px) and the "Lyssna på dokumentet" links a page with data-lyssna-documents
// gets after its document links, ReadSpeaker docReader links pointed at the reading page.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, test, until, webCopy, startService, startBrowser } = require('./helpers');

const AUDIO = '.lyssna audio';
const DOCX = path.join(ROOT, 'tests', 'fixtures', 'documents', 'protokoll-kf-2025-04-24-p76.docx');

// A service whose web/ holds the page of pages/ (or the demo) and the Word document as p.docx.
async function service(t, page) {
  const web = webCopy(t, null, page);
  fs.copyFileSync(DOCX, path.join(web, 'p.docx'));
  const svc = await startService({ webDir: web });
  return svc;
}

async function open(t, svc, url, options) {
  let browser;
  t.after(async () => {
    if (browser)
      await browser.close();
    await svc.stop();
  });
  browser = await startBrowser(options);
  await browser.page.goto(url);
  await browser.page.waitFor('.lyssna-btn');
  return browser.page;
}

test('the reading page of a Word document: structure, keyboard only, highlighting, axe-core, 320 px', async (t) => {
  const svc = await service(t);
  const doc = svc.url + '/p.docx';
  const page = await open(t, svc, `${svc.url}/read?url=${encodeURIComponent(doc)}`,
    { viewport: { width: 320, height: 640 } });
  const shape = await page.evaluate(() => ({
    h1: document.querySelector('h1').textContent,
    h2: document.querySelectorAll('main h2').length,
    rows: document.querySelectorAll('main table tr').length,
    original: document.querySelector('.lyssna-links a').getAttribute('href'),
  }));
  assert.match(shape.h1, /§ 76 Svar på motion om fler laddplatser/);
  assert.ok(shape.h2 >= 5 && shape.rows >= 3, JSON.stringify(shape));
  assert.equal(shape.original, doc);

  let focused = '';
  for (let i = 0; i < 10 && focused !== 'lyssna-btn'; i++) {
    await page.press('Tab');
    focused = await page.evaluate(() => document.activeElement.className);
  }
  assert.equal(focused, 'lyssna-btn', 'Tab reaches the listen button first');
  await page.press('Enter');
  await until(page, (sel) => document.querySelector(sel).currentTime > 1, AUDIO);
  const word = await until(page, () => {
    const h = CSS.highlights.get('lyssna-word');
    if (!h || !h.size)
      return null;
    const r = [...h][0], block = r.startContainer.parentElement.closest('[data-lyssna-block]');
    return block && { text: r.toString(), block: block.textContent };
  });
  assert.ok(word.text && word.block.includes(word.text), JSON.stringify(word));

  await page.addScript(require.resolve('axe-core/axe.min.js'));
  const result = await page.evaluate(() => axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  assert.deepEqual(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), []);
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= 320, `scrollWidth ${scroll}`);
  await page.press('Escape');
  assert.equal(await page.attr('.lyssna-btn', 'aria-pressed'), 'false');
});

test('data-lyssna-documents: a listen link after each document link on the site, docReader links upgraded', async (t) => {
  const svc = await service(t, 'documents.html');
  const page = await open(t, svc, svc.url + '/demo.html');
  const links = await until(page, () => {
    const after = (id) => {
      const n = document.getElementById(id).nextElementSibling;
      return n && n.classList.contains('lyssna-doc') ? { href: n.href, label: n.getAttribute('aria-label'), text: n.textContent } : null;
    };
    return document.querySelector('.lyssna-doc') && {
      own: after('egen'), english: after('engelsk'), other: after('annan'), page: after('sida'),
      rs: document.getElementById('rs').href, count: document.querySelectorAll('.lyssna-doc').length,
    };
  });
  const read = (doc, extra = '') => `${svc.url}/read?url=${encodeURIComponent(svc.url + doc)}${extra}`;
  assert.deepEqual(links.own, { href: read('/p.docx'), label: 'Lyssna på dokumentet: Protokoll § 76 (Word)',
    text: 'Lyssna på dokumentet' });
  assert.equal(links.english.href, read('/p.docx?en', '&voice=en'));
  assert.equal(links.other, null, 'a document on another host is left alone');
  assert.equal(links.page, null, 'a page is not a document');
  assert.equal(links.rs, read('/p.docx'), 'the docReader link opens the reading page');
  assert.equal(links.count, 2);

  // the next stop after the document's link, by keyboard; it opens the reading page
  await page.focus('#egen');
  await page.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'lyssna-doc');
  await page.goto(links.own.href);
  await page.waitFor('.lyssna-btn');
  assert.match(await page.text('main h1'), /§ 76/);
});
