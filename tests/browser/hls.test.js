// hls.test.js -- GET /v1/listen.m3u8 in real players: hls.js (the npm package, served from
// node_modules beside a bare player page) in Chromium and Firefox, WebKitGTK's own HLS
// (GStreamer's, turned on with WEBKIT_GST_ENABLE_HLS_SUPPORT=1) in WebKit. The page read is
// long and not cached, so its playlist still grows when the player starts: the player must
// start at the beginning (the title is heard, nothing skipped), seek, and reach the end.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { ENGINE, test, startService, startBrowser, tempDir } = require('./helpers');

const WORDS = ('kommunen skolan biblioteket invånarna nämnden parken vattnet huset staden ' +
  'förskolan bussen cykelbanan torget simhallen').split(' ');
const VERBS = 'bygger öppnar stänger planerar renoverar visar'.split(' ');

// An article of about `words` words, the same every time (its audio lasts over ten minutes).
function longPage(words) {
  let seed = 1;
  const pick = (list) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return list[Math.floor(seed / 65536) % list.length];
  };
  const paras = [];
  for (let n = 0; n < words; n += 6 * 7) {
    const sentences = [];
    for (let i = 0; i < 6; i++) {
      const s = `${pick(WORDS)} ${pick(VERBS)} ${pick(WORDS)} och ${pick(WORDS)} i ${pick(WORDS)}.`;
      sentences.push(s[0].toUpperCase() + s.slice(1));
    }
    paras.push(`<p>${sentences.join(' ')}</p>`);
  }
  return '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>En lång sida</title>' +
    '</head><body><main><article><h1>En lång sida om kommunen</h1>\n' + paras.join('\n') +
    '\n</article></main></body></html>\n';
}

// A service whose web/ holds the player page, hls.js and the long page.
async function service(t) {
  const web = tempDir('web');
  t.after(() => fs.rmSync(web, { recursive: true, force: true }));
  fs.copyFileSync(path.join(__dirname, 'pages', 'hls.html'), path.join(web, 'hls.html'));
  fs.copyFileSync(require.resolve('hls.js/dist/hls.min.js'), path.join(web, 'hls.min.js'));
  fs.writeFileSync(path.join(web, 'lang.html'), longPage(3000));
  return startService({ webDir: web });
}

function events(page, name) {
  return page.evaluate((n) => window.__events.filter((e) => !n || e.name === n), name);
}

// The playlist's length in seconds once it ends (fetched as a player does).
async function finalLength(src) {
  const end = Date.now() + 120000;
  for (;;) {
    const text = await (await fetch(src)).text();
    if (text.includes('#EXT-X-ENDLIST'))
      return [...text.matchAll(/^#EXTINF:([\d.]+),/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    assert.ok(Date.now() < end, 'the playlist has not ended after two minutes');
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// What the audio element (and hls.js) say now, for a failure's message.
function state(page) {
  return page.evaluate(() => {
    const a = document.getElementById('ljud');
    const ranges = (r) => [...Array(r.length).keys()].map((i) => [r.start(i), r.end(i)]);
    const h = window.__hls;
    const details = h && h.levels[0] && h.levels[0].details;
    return { time: a.currentTime, duration: a.duration, paused: a.paused, ended: a.ended,
      readyState: a.readyState, networkState: a.networkState, buffered: ranges(a.buffered),
      seekable: ranges(a.seekable), live: details && details.live,
      loaded: window.__events.filter((e) => e.name === 'fragment').map((e) => e.sn).join(' '),
      events: window.__events.filter((e) => e.name !== 'fragment').slice(-12) };
  });
}

// page.until(fn, arg) for `what`; when it times out, the message tells where the player is.
function waitFor(page, what, fn, arg, timeout) {
  return page.until(fn, arg, timeout).catch(async (e) => {
    throw new Error(`${what}: ${e.message.split('\n')[0]}\nplayer: ${JSON.stringify(await state(page))}`);
  });
}

// The audio's time once it has passed `after` (and plays on).
function playsPast(page, after, timeout) {
  return waitFor(page, `playing past ${after} s`, (t) => {
    const a = document.getElementById('ljud');
    return !a.paused && a.currentTime > t && a.currentTime;
  }, after, timeout);
}

// Seeks to `to` seconds; resolves to where playing went on from there.
async function seek(page, to) {
  await page.evaluate((s) => { document.getElementById('ljud').currentTime = s; }, to);
  return playsPast(page, to + 0.2, 60000);
}

async function playThrough(t, player, env) {
  let browser;
  const svc = await service(t);
  t.after(async () => {
    if (browser)
      await browser.close();
    await svc.stop();
  });
  browser = await startBrowser({ env });
  const { page } = browser;
  const src = `${svc.url}/v1/listen.m3u8?url=${encodeURIComponent(svc.url + '/lang.html')}`;
  await page.goto(`${svc.url}/hls.html?player=${player}&src=${encodeURIComponent(src)}`);
  if (player === 'native')
    assert.notEqual(await page.evaluate(() => document.getElementById('ljud')
      .canPlayType('application/vnd.apple.mpegurl')), '', 'the browser says it plays HLS');
  await page.click('#spela');

  // the beginning, the title, is played: from about 0, on at about real time, with no jump
  const [playing] = await waitFor(page, 'playing', () =>
    window.__events.some((e) => e.name === 'playing') &&
    window.__events.filter((e) => e.name === 'playing'), null, 60000);
  assert.ok(playing.time < 1, `playing started at ${playing.time} s, not at the beginning`);
  const later = await playsPast(page, 2, 30000);
  assert.ok(later < 8, `after two seconds of playing the audio is at ${later} s: a part was skipped`);
  assert.deepEqual(await events(page, 'seeking'), [], 'the player did not jump by itself');
  if (player === 'hlsjs')
    assert.equal((await events(page, 'fragment'))[0].sn, 0, 'the first segment loaded is the first');

  // once the audio is made the playlist ends (ENDLIST), and the player, reloading it, knows
  // the whole length (a growing playlist's length is what it lists so far)
  const listed = await finalLength(src);
  assert.ok(listed > 600, `${listed} s: the page reads for over ten minutes`);
  const duration = await waitFor(page, `the length ${listed} s`, (l) => {
    const d = document.getElementById('ljud').duration;
    return Math.abs(d - l) < 1 && d;
  }, listed, 120000);

  const middle = Math.round(duration / 2);
  const there = await seek(page, middle);
  assert.ok(there >= middle && there < middle + 10, `seeked to ${middle} s, plays at ${there} s`);

  await seek(page, duration - 4);
  const ended = await waitFor(page, 'the end', () => {
    const a = document.getElementById('ljud');
    return a.ended && { time: a.currentTime };
  }, null, 60000);
  assert.ok(ended.time > duration - 1, `ended at ${ended.time} of ${duration} s`);
  assert.equal((await events(page, 'ended')).length, 1, 'one ended event');
  assert.deepEqual(await events(page, 'error'), []);
  assert.deepEqual((await events(page, 'hls-error')).filter((e) => e.fatal), []);
  assert.deepEqual(await page.errors(), []);
}

test('HLS in hls.js: a page not yet cached plays from its beginning, seeks and reaches its end',
  { skip: ENGINE === 'webkit' && 'WebKit plays HLS itself (the next test)' },
  (t) => playThrough(t, 'hlsjs', {}));

test('HLS in WebKitGTK\'s own player: a page not yet cached plays from its beginning, seeks and reaches its end',
  { skip: ENGINE !== 'webkit' && 'only WebKit plays HLS itself here' },
  (t) => playThrough(t, 'native', { WEBKIT_GST_ENABLE_HLS_SUPPORT: '1' }));
