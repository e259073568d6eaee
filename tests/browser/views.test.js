// views.test.js -- the listen button on single-page sites and pages the service cannot fetch
// (the page's own HTML sent with POST /v1/listen), the Media Session API, and starting from
// the paragraph where the reader is; in the engine under test (make browser ENGINE=…).
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { ROOT, test, setup, until, webCopy, startService, startBrowser } = require('./helpers');

const AUDIO = '.lyssna audio';

// The word highlighted now and the text of the block it is in.
function word(page) {
  return page.evaluate(() => {
    const h = CSS.highlights.get('lyssna-word');
    if (!h || !h.size)
      return null;
    const r = [...h][0], e = r.startContainer.parentElement;
    return { text: r.toString(), block: e.closest('h1,p,li').textContent, connected: r.startContainer.isConnected };
  });
}

function playing(page, after = 0.5) {
  return until(page, ([sel, t]) => {
    const a = document.querySelector(sel);
    return !a.paused && a.currentTime > t && a.currentSrc;
  }, [AUDIO, after]);
}

function announced(page, re) {
  return until(page, (src) => {
    const t = document.querySelector('.lyssna-live').textContent;
    return new RegExp(src).test(t) && t;
  }, re.source);
}

test('a single-page site: pushState, a new hash and the back button read the new view', async (t) => {
  const { page, svc } = await setup(t, { webDir: webCopy(t, null, 'spa.html') });
  await page.click('.lyssna-btn');
  const first = await playing(page);
  assert.ok(first.startsWith(svc.url + '/v1/listen?'), first);
  await until(page, () => CSS.highlights.get('lyssna-word') && CSS.highlights.get('lyssna-word').size);
  await page.click('#till-bad');
  // the old reading stops and its highlight goes with it
  await until(page, ([sel, was]) => document.querySelector(sel).currentSrc !== was, [AUDIO, first]);
  const second = await playing(page, 0.3);
  assert.ok(second.startsWith(svc.url + '/v1/audio/'), `the new view is sent by the browser: ${second}`);
  const w = await until(page, () => {
    const h = CSS.highlights.get('lyssna-word');
    return h && h.size && [...h][0].startContainer.isConnected && [...h][0].toString();
  });
  assert.match(await page.text('#vy'), new RegExp(w), `"${w}" is in the new view`);
  assert.match(await page.text('#vy'), /Badhuset öppnar igen/);

  await page.click('#till-park');
  await until(page, ([sel, was]) => document.querySelector(sel).currentSrc !== was, [AUDIO, second]);
  await playing(page, 0.3);
  const w2 = await until(page, () => {
    const h = CSS.highlights.get('lyssna-word');
    return h && h.size && [...h][0].startContainer.isConnected && [...h][0].toString();
  });
  assert.match(await page.text('#vy'), /Parkering vid stationen/);
  assert.match(await page.text('#vy'), new RegExp(w2));

  // back to the server's own view: stopped and read again, no highlight left in a gone view
  await page.evaluate(() => { history.go(-2); });
  await until(page, () => /Välkommen/.test(document.getElementById('vy').textContent));
  const h = await until(page, () => {
    const x = CSS.highlights.get('lyssna-word');
    return x && x.size && [...x][0].startContainer.isConnected && /Välkommen|kommun|Kommun/.test(document.getElementById('vy').textContent) && [...x][0].toString();
  });
  assert.match(await page.text('#vy'), new RegExp(h));
  assert.deepEqual(await page.errors(), []);
});

test('data-lyssna-source="page": the page as the browser shows it is read, not the server\'s', async (t) => {
  const web = webCopy(t, (html) => html.replace('<div data-lyssna="button"></div>',
    '<div data-lyssna="button" data-lyssna-source="page"></div>').replace('</body>',
    '<script>document.querySelector("article").insertAdjacentHTML("beforeend", ' +
    '"<p id=\\"bara-har\\">Det här stycket finns bara i webbläsaren hos den som är inloggad.</p>");</script></body>'));
  const { page, svc } = await setup(t, { webDir: web });
  await page.click('.lyssna-btn');
  const src = await playing(page);
  assert.ok(src.startsWith(svc.url + '/v1/audio/'), src);
  const marks = await (await fetch(src.replace(/\.\w+$/, '.marks'))).json();
  assert.ok(marks.marks.some((m) => m.value.includes('inloggad')), 'the browser-only paragraph is read');
  // the same text has the same address, and the service keeps it (cached, with ranges)
  const again = await fetch(src, { headers: { Range: 'bytes=0-1' } });
  assert.equal(again.status, 206);
});

test('a page the service may not fetch (403) is sent by the browser instead', async (t) => {
  const demo = fs.readFileSync(path.join(ROOT, 'web', 'demo.html'), 'utf8');
  const site = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(demo.replace('src="/widget/lyssna.js"', `src="${site.service}/widget/lyssna.js"`)
      .replace(/<link rel="stylesheet"[^>]*>\n/, ''));
  });
  await new Promise((r) => site.listen(0, '127.0.0.1', r));
  const origin = `http://localhost:${site.address().port}`; // not on the service's allowlist
  let svc, browser;
  t.after(async () => {
    if (browser)
      await browser.close();
    if (svc)
      await svc.stop();
    site.closeAllConnections();
    await new Promise((r) => site.close(r));
  });
  svc = await startService({ args: ['--cors-origin', origin] });
  site.service = svc.url;
  browser = await startBrowser();
  const { page } = browser;
  await page.goto(origin + '/');
  await page.waitFor('.lyssna-btn');
  await page.click('.lyssna-btn');
  const src = await playing(page);
  assert.ok(src.startsWith(svc.url + '/v1/audio/'), src);
  assert.equal(await page.isVisible('.lyssna-msg'), false, 'no error shown');
  await until(page, () => CSS.highlights.get('lyssna-word') && CSS.highlights.get('lyssna-word').size);
});

test('Media Session: title, site, position and the lock screen\'s actions', async (t) => {
  const web = webCopy(t, (html) => html.replace('<link rel="stylesheet"', '<script>window.__ms = {};' +
    'if (navigator.mediaSession) { const set = navigator.mediaSession.setActionHandler.bind(navigator.mediaSession);' +
    'navigator.mediaSession.setActionHandler = (n, f) => { window.__ms[n] = f; set(n, f); }; }</script>\n<link rel="stylesheet"'));
  const { page } = await setup(t, { webDir: web });
  await page.click('.lyssna-btn');
  await playing(page);
  await until(page, () => document.querySelector('.lyssna-seek').max !== '0');
  const ms = await until(page, () => navigator.mediaSession && navigator.mediaSession.metadata &&
    navigator.mediaSession.metadata.title && { title: navigator.mediaSession.metadata.title,
    artist: navigator.mediaSession.metadata.artist, state: navigator.mediaSession.playbackState,
    actions: Object.keys(window.__ms).sort() });
  assert.match(ms.title, /Nytt bibliotek/);
  assert.equal(ms.artist, '127.0.0.1');
  assert.equal(ms.state, 'playing');
  assert.deepEqual(ms.actions, ['pause', 'play', 'seekbackward', 'seekforward', 'seekto', 'stop']);
  await page.evaluate(() => window.__ms.pause({ action: 'pause' }));
  await until(page, (s) => document.querySelector(s).paused && navigator.mediaSession.playbackState === 'paused', AUDIO);
  await page.evaluate(() => window.__ms.play({ action: 'play' }));
  await playing(page, 0);
  await page.evaluate(() => window.__ms.seekto({ action: 'seekto', seekTime: 20 }));
  await until(page, (s) => document.querySelector(s).currentTime >= 20, AUDIO);
  await page.evaluate(() => window.__ms.seekbackward({ action: 'seekbackward' }));
  await until(page, (s) => document.querySelector(s).currentTime < 15, AUDIO);
  await page.evaluate(() => window.__ms.stop({ action: 'stop' }));
  await until(page, () => document.querySelector('.lyssna-bar').hidden && navigator.mediaSession.playbackState === 'none');
});

test('start where I am: from the paragraph holding the focus, and from a chosen one, by keyboard', async (t) => {
  const { page } = await setup(t);
  await page.click('.lyssna-btn');
  await playing(page);
  await until(page, () => document.querySelector('.lyssna-from select').options.length > 3);
  // the reader (a screen reader's focus, say) is at the list near the end
  const target = await page.evaluate(() => {
    const li = document.querySelector('article li');
    li.tabIndex = -1;
    li.focus();
    return li.textContent.replace(/\s+/g, ' ').trim();
  });
  await page.focus('.lyssna-here');
  await page.press('Enter');
  const said = await announced(page, /börjar vid/);
  assert.ok(target.startsWith(said.split(': ')[1].slice(0, 20)), `"${said}" names "${target}"`);
  const w = await until(page, () => {
    const h = CSS.highlights.get('lyssna-word');
    return h && h.size && [...h][0].startContainer.parentElement.closest('li') && [...h][0].toString();
  }, null, 30000);
  assert.ok(target.includes(w), `"${w}" is read in the list item`);
  // a chosen paragraph from the list of the article's blocks
  const label = await page.evaluate(() => document.querySelector('.lyssna-from select').options[2].text);
  await page.select('.lyssna-from select', '1');
  assert.ok((await announced(page, /börjar vid/)).endsWith(label), label);
  assert.equal(await page.attr('.lyssna-from', 'class'), 'lyssna-from');
});
