// widget.test.js -- the listen button in a real browser (ENGINE: chromium, firefox or webkit)
// against a real `lyssna serve`: playback with moving highlights, keyboard use, a selection,
// speed, ReadSpeaker markup, errors, axe-core and a 320 px wide page. Run with `make browser
// ENGINE=…` (or `node run.js ENGINE`).
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, ENGINE, test, setup, until, webCopy, startService, startBrowser } = require('./helpers');

const AUDIO = '.lyssna audio';

// Where the highlights are now: their text and the id of the nearest element with one.
function highlights(page) {
  return page.evaluate(() => {
    const one = (name) => {
      const h = CSS.highlights.get(name);
      if (!h || !h.size)
        return null;
      const r = [...h][0];
      const node = r.commonAncestorContainer;
      const el = node.nodeType === 1 ? node : node.parentElement;
      return { text: r.toString().replace(/\s+/g, ' '), id: (el.closest('[id]') || {}).id || '',
        tag: el.closest('h1,h2,p,li,tr,td,th').tagName.toLowerCase() };
    };
    return { word: one('lyssna-word'), sentence: one('lyssna-sentence') };
  });
}

// Polls the word highlight until `count` different words have been seen; returns them in order.
async function watchWords(page, count) {
  const seen = [];
  for (let i = 0; i < 1200 && seen.length < count; i++) {
    const h = await highlights(page);
    if (h.word && (!seen.length || seen[seen.length - 1].text !== h.word.text))
      seen.push({ ...h.word, sentence: h.sentence && h.sentence.text });
    await page.wait(50);
  }
  return seen;
}

function audioState(page) {
  return page.evaluate((sel) => {
    const a = document.querySelector(sel);
    return { time: a.currentTime, paused: a.paused, rate: a.playbackRate, src: a.currentSrc };
  }, AUDIO);
}

test('click play: the audio advances and the highlight moves through successive words', async (t) => {
  const { page } = await setup(t);
  assert.equal(await page.attr('.lyssna-btn', 'aria-pressed'), 'false');
  assert.equal((await audioState(page)).src, '', 'nothing loads before the user asks');
  await page.click('.lyssna-btn');
  await until(page, (sel) => document.querySelector(sel).currentTime > 1, AUDIO);
  assert.equal(await page.attr('.lyssna-btn', 'aria-pressed'), 'true');
  const words = await watchWords(page, 6);
  assert.equal(words.length, 6, JSON.stringify(words));
  // The words follow each other in the article's text, and nothing outside it is highlighted.
  const article = await page.evaluate(() => document.querySelector('article').textContent.replace(/\s+/g, ' '));
  let at = 0;
  for (const w of words) {
    const p = article.indexOf(w.text, at);
    assert.ok(p >= 0, `"${w.text}" should come after position ${at} of the article`);
    assert.ok(w.sentence.includes(w.text), `sentence "${w.sentence}" holds word "${w.text}"`);
    at = p;
  }
  const state = await audioState(page);
  assert.ok(state.time > 1 && !state.paused, JSON.stringify(state));
  assert.match(await page.text('.lyssna-live'), /spelas|laddas/);
  assert.deepEqual(await page.errors(), []);
});

test('keyboard only: Tab to the button, Enter plays, Space pauses, arrows seek, Escape stops', async (t) => {
  const { page } = await setup(t);
  let focused = '';
  for (let i = 0; i < 40 && focused !== 'lyssna-btn'; i++) {
    await page.press('Tab');
    focused = await page.evaluate(() => document.activeElement.className);
  }
  assert.equal(focused, 'lyssna-btn', 'Tab reaches the listen button');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'focus is visible');
  await page.press('Enter');
  await until(page, (sel) => document.querySelector(sel).currentTime > 0.5, AUDIO);
  await page.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'lyssna-aids');
  await page.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'lyssna-sel');
  await page.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'lyssna-play');
  assert.equal(await page.text('.lyssna-play'), 'Pausa');
  await page.press('Space');
  await until(page, (sel) => document.querySelector(sel).paused, AUDIO);
  // the state is set as the key is handled, before the audio element's own 'pause' event
  assert.equal(await page.attr('.lyssna-btn', 'aria-pressed'), 'false');
  assert.equal(await page.text('.lyssna-play'), 'Fortsätt');
  await page.press('Space');
  await until(page, (sel) => !document.querySelector(sel).paused, AUDIO);
  await page.press('Tab');
  await page.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'lyssna-seek');
  const before = (await audioState(page)).time;
  await page.press('ArrowRight');
  await page.press('ArrowRight');
  const after = await until(page, ([sel, t0]) => {
    const a = document.querySelector(sel);
    return a.currentTime >= t0 + 8 && a.currentTime;
  }, [AUDIO, before]);
  assert.ok(after >= before + 8, `seeked from ${before} to ${after}`);
  await page.press('Escape');
  await until(page, (sel) => document.querySelector(sel).paused, AUDIO);
  assert.equal(await page.isVisible('.lyssna-bar'), false, 'Escape closes the player');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'lyssna-btn');
  assert.equal(await page.attr('.lyssna-btn', 'aria-pressed'), 'false');
  // wait for the announcement itself: the region may still hold the one before it
  assert.match(await until(page, () => {
    const t = document.querySelector('.lyssna-live').textContent;
    return /stoppad/.test(t) && t;
  }), /stoppad/);
  // Escape also stops the reading when focus has moved on into the page
  await page.press('Enter');
  await until(page, (sel) => document.querySelector(sel).currentTime > 0.3, AUDIO);
  await page.evaluate(() => { const h = document.querySelector('main h1'); h.tabIndex = -1; h.focus(); });
  await page.press('Escape');
  await until(page, (sel) => document.querySelector(sel).paused, AUDIO);
  assert.equal(await page.isVisible('.lyssna-bar'), false, 'Escape from the page closes the player');
});

test('reading the selected text through POST /v1/speak', async (t) => {
  const { page } = await setup(t);
  const selected = await page.evaluate(() => {
    const p = document.querySelectorAll('article p')[3];
    const r = document.createRange();
    r.selectNodeContents(p);
    getSelection().removeAllRanges();
    getSelection().addRange(r);
    return p.textContent.replace(/\s+/g, ' ').trim();
  });
  assert.match(selected, /^Biblioteket har byggts om/);
  await page.waitFor('.lyssna-sel', 'visible');
  await page.click('.lyssna-sel');
  await until(page, (sel) => document.querySelector(sel).currentTime > 0.5, AUDIO);
  assert.match((await audioState(page)).src, /^blob:/);
  const words = await watchWords(page, 3);
  assert.equal(words.length, 3, JSON.stringify(words));
  for (const w of words)
    assert.ok(selected.includes(w.text), `"${w.text}" is in the selection`);
  let at = 0;
  for (const w of words) {
    const p = selected.indexOf(w.text, at);
    assert.ok(p >= at, `"${w.text}" follows the word before it`);
    at = p;
  }
});

test('speed: the chosen rate plays and is remembered', async (t) => {
  const { page } = await setup(t);
  await page.click('.lyssna-btn');
  await until(page, (sel) => document.querySelector(sel).currentTime > 0.3, AUDIO);
  const t0 = (await audioState(page)).time;
  await page.select('.lyssna-speed select', '1.5');
  assert.equal((await audioState(page)).rate, 1.5);
  // and it plays on from where it was, at that rate
  const on = await until(page, ([sel, t]) => {
    const a = document.querySelector(sel);
    return !a.paused && a.currentTime > t + 0.5 && { time: a.currentTime, rate: a.playbackRate };
  }, [AUDIO, t0]);
  assert.equal(on.rate, 1.5);
  assert.equal(await page.evaluate(() => localStorage.getItem('lyssna-speed')), '1.5');
  await page.reload();
  await page.waitFor('.lyssna-btn');
  assert.equal(await page.value('.lyssna-speed select'), '1.5');
  await page.click('.lyssna-btn');
  await until(page, (sel) => document.querySelector(sel).currentTime > 0.3, AUDIO);
  assert.equal((await audioState(page)).rate, 1.5);
  assert.equal(await page.text('.lyssna-speed select option:checked'), '1,5×');
});

// WebKit: after aids.test.js in the same run the highlight stops after two words (stalled
// playback; alone, or first, it passes). It came back on 2026-12-07 in three of four runs of
// the whole suite: each time WebKit asked for a Range of the audio it already had streamed
// and stalled after it, though the 206 answer is byte for byte the 200's (checked with curl).
// Todo there until its cause in WebKit's media stack is found.
test('a ReadSpeaker button is upgraded and reads its readid, even where scripts changed the page',
  { todo: ENGINE === 'webkit' && 'WebKit stalls here after aids.test.js, not alone' }, async (t) => {
  const { page } = await setup(t, { webDir: webCopy(t, null, 'readspeaker.html') });
  assert.equal(await page.isVisible('#rs-sv .rsbtn_play'), false, 'the ReadSpeaker link is hidden');
  assert.equal(await page.isVisible('#rs-en .rsbtn_play'), true, 'a non-Swedish button is left alone');
  assert.equal(await page.count('#rs-en .lyssna'), 0);
  await page.click('#rs-sv .lyssna-btn');
  await until(page, (sel) => document.querySelector(sel).currentTime > 0.5, AUDIO);
  assert.match((await audioState(page)).src, /readid=artikel/);
  const words = await watchWords(page, 14);
  assert.equal(words.length, 14, JSON.stringify(words));
  for (const w of words) {
    assert.equal(w.id, 'artikel', `"${w.text}" is highlighted inside #artikel, not in ${w.id}`);
    assert.doesNotMatch(w.sentence, /skript/, 'the paragraph a script added is never highlighted');
  }
  assert.ok(words.some((w) => w.tag === 'p'), 'paragraphs moved by the script are still found');
  assert.deepEqual(await page.errors(), []);
});

test('the error is shown in plain Swedish when the service is down', async (t) => {
  const { page, svc } = await setup(t);
  await svc.stop();
  await page.click('.lyssna-btn');
  await page.waitFor('.lyssna-msg', 'visible');
  assert.match(await page.text('.lyssna-msg'), /Sidan kunde inte läsas upp just nu/);
  assert.match(await until(page, () => {
    const t = document.querySelector('.lyssna-live').textContent;
    return /Sidan kunde inte/.test(t) && t;
  }), /Sidan kunde inte läsas upp just nu/);
  assert.equal(await page.attr('.lyssna-btn', 'aria-pressed'), 'false');
  await page.focus('.lyssna-play');
  await page.press('Escape');
  assert.equal(await page.isVisible('.lyssna-bar'), false, 'Escape closes the message too');
});

test('axe-core finds no violations on the demo page with the player open', async (t) => {
  const { page } = await setup(t);
  await page.click('.lyssna-btn');
  await until(page, (sel) => document.querySelector(sel).currentTime > 0.5, AUDIO);
  await until(page, () => document.querySelector('.lyssna-seek').max !== '0');
  await page.addScript(require.resolve('axe-core/axe.min.js'));
  const result = await page.evaluate(() => axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  const found = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`);
  assert.deepEqual(found, []);
  assert.ok(result.passes.length > 10);
});

test('at 320 px the page with the player open has no horizontal overflow', async (t) => {
  const { page } = await setup(t, { browser: { viewport: { width: 320, height: 640 } } });
  await page.click('.lyssna-btn');
  await page.waitFor('.lyssna-bar', 'visible');
  await until(page, (sel) => document.querySelector(sel).currentTime > 0.3, AUDIO);
  // the full page as drawn (Firefox leaves its scroll bar out, WebKit draws only the viewport)
  const shot = await page.screenshot();
  assert.ok(shot.readUInt32BE(16) <= 320, `the screenshot is ${shot.readUInt32BE(16)} px wide`);
  const { scroll, targets } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    targets: [...document.querySelectorAll('.lyssna button, .lyssna select, .lyssna input, .lyssna a')]
      .filter((e) => e.offsetParent)
      .map((e) => { const b = e.getBoundingClientRect(); return [e.className || e.tagName, b.right, b.width, b.height]; }),
  }));
  assert.ok(scroll <= 320, `scrollWidth ${scroll}`);
  for (const [name, right, w, h] of targets) {
    assert.ok(right <= 320, `${name} ends at ${right}`);
    assert.ok(w >= 44 && h >= 44, `${name} is ${w}×${h}`);
  }
});

// Another site: its own origin serves the page; script (pinned with SRI), styles and API come
// from the service.
function startSite() {
  const http = require('node:http');
  const state = { service: '' };
  const js = fs.readFileSync(path.join(ROOT, 'web', 'lyssna.js'));
  const sri = 'sha384-' + require('node:crypto').createHash('sha384').update(js).digest('base64');
  const demo = fs.readFileSync(path.join(ROOT, 'web', 'demo.html'), 'utf8')
    .replace(/<link rel="stylesheet"[^>]*>\n/, '');
  const server = http.createServer((req, res) => {
    if (req.url !== '/') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(demo.replace('src="/widget/lyssna.js"',
      `src="${state.service}/widget/lyssna.js" integrity="${sri}" crossorigin="anonymous"`));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    state.url = `http://127.0.0.1:${server.address().port}`;
    state.close = () => new Promise((done) => { server.closeAllConnections(); server.close(done); });
    resolve(state);
  }));
}

test('embedded on another site: the script with SRI, styles, marks over CORS and the MP3 download come from the service', async (t) => {
  const site = await startSite();
  let svc, browser;
  t.after(async () => {
    if (browser)
      await browser.close();
    if (svc)
      await svc.stop();
    await site.close();
  });
  svc = await startService({ args: ['--cors-origin', site.url] });
  site.service = svc.url;
  browser = await startBrowser();
  const { page } = browser;
  await page.goto(site.url + '/');
  await page.waitFor('.lyssna-btn');
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.lyssna-btn')).minHeight), '44px',
    'lyssna.css is loaded from beside the script');
  await page.click('.lyssna-btn');
  const src = (await audioState(page)).src;
  assert.ok([svc.url + '/v1/listen?url=', svc.url + '/v1/listen.m3u8?url='].some((p) =>
    src.startsWith(p + encodeURIComponent(site.url + '/'))), src);
  const words = await watchWords(page, 2);
  assert.equal(words.length, 2, 'marks were fetched across origins');
  // The file the browser is handed to save: a link the widget clicks, to the fetched MP3.
  await page.evaluate(() => {
    HTMLAnchorElement.prototype.click = function () {
      window.__saved = fetch(this.href).then((r) => r.arrayBuffer()).then((b) =>
        ({ name: this.getAttribute('download'), href: this.href, bytes: [...new Uint8Array(b)].slice(0, 4), size: b.byteLength }));
    };
  });
  await page.click('.lyssna-dl');
  const saved = await until(page, () => window.__saved);
  assert.match(saved.name, /^Nytt bibliotek i centrum öppnar i vår.*\.mp3$/);
  assert.match(saved.href, /^blob:/);
  const mp3 = Buffer.from(saved.bytes);
  assert.ok(saved.size > 10000, `${saved.size} bytes`);
  assert.ok(mp3.subarray(0, 3).toString() === 'ID3' || (mp3[0] === 0xff && (mp3[1] & 0xe0) === 0xe0),
    'an MP3 file');
});

test('the text being read is scrolled into view', async (t) => {
  const { page } = await setup(t, { browser: { viewport: { width: 800, height: 420 } } });
  await page.click('.lyssna-btn');
  await until(page, () => document.querySelector('.lyssna-seek').max !== '0');
  // Jump to the list near the end of the article, far below the fold.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.focus('.lyssna-seek');
  for (let i = 0; i < 8; i++)
    await page.press('ArrowRight');
  const seen = await until(page, () => {
    const h = CSS.highlights.get('lyssna-word');
    if (!h || !h.size)
      return false;
    const r = [...h][0], b = r.getBoundingClientRect();
    return b.top >= 0 && b.bottom <= innerHeight && document.querySelector('.lyssna audio').currentTime > 30 &&
      { y: scrollY, in: r.startContainer.parentElement.tagName };
  });
  assert.ok(seen.y > 400, `scrolled to ${seen.y}`);
});

test('labels are English on an English page', async (t) => {
  const web = webCopy(t, (html) => html.replace('<html lang="sv">', '<html lang="en">'));
  const { page } = await setup(t, { webDir: web });
  assert.equal((await page.text('.lyssna-btn')).trim(), 'Listen');
  await page.click('.lyssna-btn');
  await page.waitFor('.lyssna-bar', 'visible');
  assert.equal(await page.attr('.lyssna-bar', 'aria-label'), 'Read aloud');
  assert.equal(await page.text('.lyssna-stop'), 'Stop');
  assert.equal(await page.attr('.lyssna-seek', 'aria-label'), 'Position in the reading');
});

test('without the Custom Highlight API, boxes over the text highlight it and the page is unchanged', async (t) => {
  const web = webCopy(t, (html) => html.replace('<link rel="stylesheet"',
    '<script>delete window.Highlight;</script>\n<link rel="stylesheet"'));
  const { page } = await setup(t, { webDir: web });
  const html = () => page.evaluate(() => [...document.querySelectorAll('article > :not([data-lyssna])')]
    .map((e) => e.outerHTML).join(''));
  const before = await html();
  await page.click('.lyssna-btn');
  const box = await until(page, () => {
    const w = document.querySelector('.lyssna-overlay .lyssna-box-word');
    if (!w)
      return false;
    const b = w.getBoundingClientRect();
    const hit = document.elementsFromPoint(b.left + b.width / 2, b.top + b.height / 2)
      .find((e) => e.closest('article') && !e.closest('.lyssna'));
    return hit && { width: b.width, under: hit.tagName };
  });
  assert.ok(box.width > 3, JSON.stringify(box));
  assert.equal(await html(), before, 'the article is not rewritten');
  assert.equal(await page.evaluate(() => document.querySelectorAll('.lyssna-overlay').length), 1);
});
