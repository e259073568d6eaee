// lang.test.js -- the player in the page's language: an Arabic page (tests/browser/pages/
// rtl.html) gets Arabic labels fetched from i18n/ar.json, a right-to-left player, highlights on
// the Arabic words being read, and no axe-core violations.
'use strict';

const assert = require('node:assert/strict');
const { test, setup, until, webCopy } = require('./helpers');

const AUDIO = '.lyssna audio';

test('an Arabic page: Arabic labels, right to left, highlights on the words read, axe clean', async (t) => {
  const { page } = await setup(t, { webDir: webCopy(t, null, 'rtl.html') });
  assert.equal((await page.text('.lyssna-btn')).trim(), 'استمع');
  assert.equal(await page.attr('.lyssna', 'dir'), 'rtl');
  assert.equal(await page.attr('.lyssna', 'lang'), 'ar');
  await page.click('.lyssna-btn');
  await page.waitFor('.lyssna-bar', 'visible');
  assert.equal(await page.attr('.lyssna-bar', 'aria-label'), 'القراءة بصوت عال');
  await until(page, (sel) => document.querySelector(sel).currentTime > 1, AUDIO);
  const word = await until(page, () => {
    const h = CSS.highlights && CSS.highlights.get('lyssna-word');
    return h && h.size ? [...h][0].toString() : null;
  });
  const article = await page.evaluate(() => document.querySelector('article').textContent);
  assert.ok(/[\u0600-\u06ff]/.test(word) && article.includes(word.trim()), word);
  await until(page, () => document.querySelector('.lyssna-seek').max !== '0');
  await page.addScript(require.resolve('axe-core/axe.min.js'));
  const result = await page.evaluate(() => axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  const found = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`);
  assert.deepEqual(found, []);
});

test('a Finnish page gets Finnish labels; a language without labels keeps Swedish ones', async (t) => {
  const fi = webCopy(t, (html) => html.replace('<html lang="sv">', '<html lang="fi">'));
  const { page } = await setup(t, { webDir: fi });
  assert.equal((await page.text('.lyssna-btn')).trim(), 'Kuuntele');
  assert.equal(await page.attr('.lyssna', 'dir'), 'ltr');
  const { page: other } = await setup(t, {
    webDir: webCopy(t, (html) => html.replace('<html lang="sv">', '<html lang="ja">')) });
  assert.equal((await other.text('.lyssna-btn')).trim(), 'Lyssna');
});
