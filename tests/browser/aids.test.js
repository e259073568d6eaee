// aids.test.js -- the listen button's reading aids in a real browser (ENGINE: chromium, firefox
// or webkit) against a real `lyssna serve`: loaded only when opened; the text mode over the page
// (structure, focus in and back, Escape, the highlight inside it); settings kept on the device
// and applied after a reload (200 % at 320 px without scrolling sideways, the dyslexia font, a
// highlight colour); ruler and mask on the sentence read; click-to-listen by keyboard; the
// slower voice; a strict CSP; axe-core with each aid open; what a screen reader meets (the
// dialog modal and named, Tab kept in while it is open and free once closed, each change said
// once by the live region; in Chromium, the accessibility tree itself); an image's alt text
// beside its caption. Run with
// `node run.js ENGINE aids.test.js`.
'use strict';

const assert = require('node:assert/strict');
const { ENGINE, test, setup, until, webCopy } = require('./helpers');

const AUDIO = '.lyssna audio';

async function axe(page) {
  await page.addScript(require.resolve('axe-core/axe.min.js'));
  const result = await page.evaluate(() => axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`);
}

// Opens the aids' panel by keyboard: focus on the button, Enter.
async function openPanel(page) {
  await page.focus('.lyssna-aids');
  await page.press('Enter');
  await page.waitFor('.lyssna-aidpanel', 'visible');
}

// Where the sentence highlight is: its text and whether it lies inside the text mode.
function sentence(page) {
  return page.evaluate(() => {
    const h = CSS.highlights.get('lyssna-sentence');
    if (!h || !h.size)
      return null;
    const r = [...h][0], n = r.commonAncestorContainer;
    const e = n.nodeType === 1 ? n : n.parentElement;
    const b = r.getBoundingClientRect();
    return { text: r.toString(), inText: !!e.closest('dialog.lyssna-text'), top: b.top, bottom: b.bottom,
      block: (e.closest('[data-lyssna-block], p, li, h1, h2') || {}).textContent || '' };
  });
}

// How much of the audio has been heard, and where it is: a reading that jumped to a paragraph
// has played little of what lies before it (a seek the browser stopped short plays through).
function heard(page) {
  return page.evaluate((sel) => {
    const a = document.querySelector(sel);
    let played = 0;
    for (let i = 0; i < a.played.length; i++)
      played += a.played.end(i) - a.played.start(i);
    return { played, now: a.currentTime };
  }, AUDIO);
}

// How many of the aids' files the page has fetched; with want, waits up to 10 s for that
// many (a file's resource timing entry comes when it has loaded: the stylesheet's may come a
// moment after the panel shows).
async function loaded(page, want = 0) {
  const count = () => page.evaluate(() => performance.getEntriesByType('resource')
    .map((r) => r.name).filter((n) => /lyssna-aids/.test(n)).length);
  const end = Date.now() + 10000;
  let n = await count();
  while (n < want && Date.now() < end) {
    await page.wait(50);
    n = await count();
  }
  return n;
}

test('the aids load only when opened; the panel opens by keyboard and Escape closes it', async (t) => {
  const { page } = await setup(t);
  assert.equal(await loaded(page), 0, 'nothing of the aids before they are asked for');
  assert.equal(await page.attr('.lyssna-aids', 'aria-expanded'), 'false');
  await openPanel(page);
  assert.equal(await loaded(page, 2), 2, 'the aids script and stylesheet');
  assert.equal(await page.attr('.lyssna-aids', 'aria-expanded'), 'true');
  assert.deepEqual(await axe(page), [], 'axe with the panel open');
  await page.focus('.lyssna-aidpanel select');
  await page.press('Escape');
  assert.equal(await page.isVisible('.lyssna-aidpanel'), false);
  assert.equal(await page.evaluate(() => document.activeElement.className), 'lyssna-aids');
  assert.deepEqual(await page.errors(), []);
});

test('text mode: the article over the page, focus in and back, Escape, the highlight inside', async (t) => {
  const { page } = await setup(t);
  await openPanel(page);
  await page.focus('.lyssna-aid-open');
  await page.press('Enter');
  await until(page, () => document.querySelector('dialog.lyssna-text').open &&
    document.querySelector('.lyssna-text-body h1'));
  const shape = await page.evaluate(() => {
    const d = document.querySelector('dialog.lyssna-text');
    return { focusIn: d.contains(document.activeElement), h1: d.querySelector('h1').textContent,
      label: document.getElementById(d.getAttribute('aria-labelledby')).textContent,
      h2: d.querySelectorAll('h2').length, li: d.querySelectorAll('li').length,
      td: d.querySelectorAll('td').length, windows: history.length };
  });
  assert.ok(shape.focusIn, 'focus moved into the text mode');
  assert.match(shape.h1, /bibliotek/i);
  assert.equal(shape.label, shape.h1);
  assert.ok(shape.h2 >= 1 && shape.li >= 2 && shape.td >= 4, JSON.stringify(shape));
  // Tab goes on inside the dialog (past its last control a browser offers its own chrome,
  // which would take the keys from the page here)
  await page.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'lyssna-text-close');
  await page.focus('.lyssna-text-play');
  await page.press('Enter');
  await until(page, (sel) => document.querySelector(sel).currentTime > 1, AUDIO);
  const s = await until(page, () => {
    const h = CSS.highlights.get('lyssna-sentence');
    const r = h && h.size && [...h][0];
    return r && r.commonAncestorContainer.parentElement.closest('dialog.lyssna-text') && r.toString();
  });
  assert.ok(s.length > 3, 'the sentence read is highlighted in the text mode');
  assert.equal(await page.text('.lyssna-text-play'), 'Pausa');
  assert.deepEqual(await axe(page), [], 'axe with the text mode open');
  const starts = () => page.evaluate(() => document.querySelector('.lyssna-from select').options.length);
  const inText = await starts();
  assert.ok(inText > 2, `"Börja vid" offers the blocks of the text mode: ${inText}`);
  await page.press('Escape');
  await until(page, () => !document.querySelector('dialog.lyssna-text'));
  assert.equal(await page.evaluate(() => document.activeElement.className), 'lyssna-aid-open',
    'focus is back where the text mode was opened');
  assert.equal(await page.evaluate((sel) => document.querySelector(sel).paused, AUDIO), false,
    'closing the text mode leaves the reading on');
  const back = await until(page, async () => {
    const h = CSS.highlights.get('lyssna-sentence');
    const r = h && h.size && [...h][0];
    return r && !r.commonAncestorContainer.parentElement.closest('dialog') && r.toString();
  });
  assert.ok(back, 'the highlight is back on the page');
  assert.equal(await starts(), inText, '"Börja vid" offers the page\'s blocks once the text mode is closed');
  assert.deepEqual(await page.errors(), []);
});

test('settings kept on the device: 200 % text at 320 px without sideways scrolling, the dyslexia font, a highlight colour', async (t) => {
  const { page } = await setup(t, { browser: { viewport: { width: 320, height: 640 } } });
  await openPanel(page);
  await page.select('select[data-aid="size"]', '200');
  await page.select('select[data-aid="font"]', '1');
  await page.select('select[data-aid="theme"]', 'dark');
  await page.select('select[data-aid="hl"]', 'green');
  await page.select('select[data-aid="line"]', '2');
  await page.select('select[data-aid="letter"]', '2');
  const panel = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    targets: [...document.querySelectorAll('.lyssna-aidpanel select, .lyssna-aidpanel button, .lyssna-aid-check')]
      .map((e) => { const b = e.getBoundingClientRect(); return [e.className || e.tagName, b.right, b.height]; }),
  }));
  assert.ok(panel.scroll <= 320, `scrollWidth ${panel.scroll} with the panel open`);
  for (const [name, right, h] of panel.targets)
    assert.ok(right <= 320 && h >= 44, `${name}: ends at ${right}, ${h} px high`);
  await page.reload();
  await page.waitFor('.lyssna-btn');
  await until(page, () => document.documentElement.getAttribute('data-lyssna-hl') === 'green');
  assert.equal(await page.isVisible('.lyssna-aidpanel'), false, 'kept settings do not open the panel');
  await openPanel(page);
  assert.equal(await page.value('select[data-aid="size"]'), '200');
  await page.click('.lyssna-aid-open');
  await until(page, () => document.querySelector('.lyssna-text-body h1'));
  await until(page, () => document.fonts.check('16px OpenDyslexic'));
  const text = await page.evaluate(() => {
    const d = document.querySelector('dialog.lyssna-text'), b = d.querySelector('.lyssna-text-body');
    const p = b.querySelector('p'), cs = getComputedStyle(p);
    return { size: parseFloat(cs.fontSize), root: parseFloat(getComputedStyle(document.documentElement).fontSize),
      font: cs.fontFamily, bg: getComputedStyle(d).backgroundColor, line: parseFloat(cs.lineHeight) / parseFloat(cs.fontSize),
      letter: parseFloat(cs.letterSpacing), scroll: b.scrollWidth, width: b.clientWidth,
      doc: document.documentElement.scrollWidth };
  });
  assert.ok(text.size >= 2 * text.root, JSON.stringify(text));
  assert.match(text.font, /OpenDyslexic/);
  assert.equal(text.bg, 'rgb(18, 18, 18)');
  assert.ok(Math.abs(text.line - 2) < 0.05 && text.letter > 0, JSON.stringify(text));
  assert.ok(text.scroll <= text.width && text.doc <= 320, `no sideways scrolling: ${JSON.stringify(text)}`);
  assert.deepEqual(await axe(page), [], 'axe with the text mode in the dark theme');
});

test('the ruler and the mask follow the sentence being read', async (t) => {
  const { page } = await setup(t);
  await openPanel(page);
  await page.click('input[data-aid="ruler"]');
  await page.click('input[data-aid="mask"]');
  await page.click('.lyssna-btn');
  await until(page, (sel) => document.querySelector(sel).currentTime > 1, AUDIO);
  const seen = [];
  for (let i = 0; i < 3; i++) {
    const at = await until(page, (prev) => {
      const h = CSS.highlights.get('lyssna-sentence');
      const r = h && h.size && [...h][0];
      if (!r || r.toString() === prev)
        return null;
      const b = r.getBoundingClientRect(), ruler = document.querySelector('.lyssna-ruler').getBoundingClientRect();
      const above = document.querySelector('.lyssna-mask-above').getBoundingClientRect();
      const below = document.querySelector('.lyssna-mask-below').getBoundingClientRect();
      return ruler.top <= b.top && ruler.bottom >= b.bottom && above.bottom <= b.top + 1 &&
        below.top >= b.bottom - 1 && { text: r.toString(), top: b.top };
    }, seen.length ? seen[seen.length - 1].text : '', 60000);
    seen.push(at);
  }
  assert.equal(seen.length, 3);
  assert.deepEqual(await axe(page), [], 'axe with the ruler and mask on');
});

test('click-to-listen: Enter on a paragraph reads from there', async (t) => {
  const { page } = await setup(t);
  await openPanel(page);
  await page.click('input[data-aid="click"]');
  await until(page, () => document.querySelectorAll('article .lyssna-clickable').length > 3);
  const target = await page.evaluate(() => {
    const all = [...document.querySelectorAll('article p.lyssna-clickable')];
    const p = all[all.length - 1];
    p.id = p.id || 'lyssna-test-target';
    return '#' + p.id;
  });
  await page.focus(target);
  await page.press('Enter');
  const s = await until(page, (sel) => {
    const h = CSS.highlights.get('lyssna-sentence');
    const r = h && h.size && [...h][0];
    return r && document.querySelector(sel).contains(r.commonAncestorContainer) && r.toString();
  }, target);
  assert.ok(s, 'the reading started in the paragraph pressed');
  const h = await heard(page);
  assert.ok(h.now > 5 && h.played < h.now / 2, `it went there, not through the text before: ${JSON.stringify(h)}`);
  assert.deepEqual(await page.errors(), []);
});

test('a slower voice: the synthesizer\'s rate, not the audio stretched', async (t) => {
  const { page } = await setup(t);
  await openPanel(page);
  await page.select('select[data-aid="rate"]', '0.5');
  await until(page, () => /[?&]rate=\d+/.test(document.querySelector('.lyssna-dl').href));
  await page.click('.lyssna-btn');
  await until(page, (sel) => document.querySelector(sel).currentTime > 0.5, AUDIO);
  const state = await page.evaluate((sel) => {
    const a = document.querySelector(sel);
    return { src: a.currentSrc, rate: a.playbackRate, dl: document.querySelector('.lyssna-dl').href };
  }, AUDIO);
  assert.match(state.src, /[?&]rate=85(&|$)/, 'half of sv\'s 170 words a minute');
  assert.equal(state.rate, 1, 'the audio plays at its own speed');
  assert.match(state.dl, /chapters=1/);
});

test('under a strict CSP every aid works without a violation', async (t) => {
  const csp = '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; ' +
    'img-src \'self\' data:; media-src \'self\' blob:">';
  const web = webCopy(t, (html) => html.replace(/<style>[\s\S]*?<\/style>\n/, '').replace('<meta charset="utf-8">',
    '<meta charset="utf-8">\n' + csp));
  const { page } = await setup(t, { webDir: web });
  await page.evaluate(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber} ${e.sample}`));
  });
  await openPanel(page);
  await page.select('select[data-aid="font"]', '1');
  await page.click('input[data-aid="ruler"]');
  await page.click('.lyssna-aid-open');
  await until(page, () => document.querySelector('.lyssna-text-body h1'));
  await until(page, () => document.fonts.check('16px OpenDyslexic'));
  await page.click('.lyssna-text-play');
  await until(page, (sel) => document.querySelector(sel).currentTime > 1, AUDIO);
  await until(page, () => {
    const r = document.querySelector('.lyssna-ruler').getBoundingClientRect();
    return r.height > 0 && document.querySelector('dialog.lyssna-text').contains(document.querySelector('.lyssna-ruler'));
  });
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(await page.errors(), []);
});

test('on a municipal page: the text mode shows its article and follows the reading; Enter reads from a paragraph', async (t) => {
  const fixture = require('node:fs').readFileSync(require('node:path').join(__dirname, '..', 'fixtures', 'pages',
    'nyhet-badhuset-stanger-for-renovering.html'), 'utf8')
    .replace('</head>', '<script src="/widget/lyssna.js" defer></script>\n</head>');
  const { page } = await setup(t, { webDir: webCopy(t, () => fixture) });
  await openPanel(page);
  await page.click('input[data-aid="click"]');
  await page.focus('.lyssna-aid-open');
  await page.press('Enter');
  await until(page, () => document.querySelector('.lyssna-text-body h1'));
  const shape = await page.evaluate(() => ({
    h1: document.querySelector('.lyssna-text-body h1').textContent,
    h2: [...document.querySelectorAll('.lyssna-text-body h2, .lyssna-text-body h3')].map((h) => h.textContent),
  }));
  assert.match(shape.h1, /Badhuset stänger för renovering/);
  assert.ok(shape.h2.includes('Här kan du simma under tiden'), JSON.stringify(shape));
  const target = await until(page, () => {
    const all = [...document.querySelectorAll('.lyssna-text-body p.lyssna-clickable')];
    const p = all[Math.floor(all.length / 2)];
    return p && (p.id = 'lyssna-test-target', '#lyssna-test-target');
  });
  await page.focus(target);
  await page.press('Enter');
  const s = await until(page, (sel) => {
    const h = CSS.highlights.get('lyssna-sentence');
    const r = h && h.size && [...h][0];
    return r && document.querySelector(sel).contains(r.commonAncestorContainer) && r.toString();
  }, target, 120000);
  assert.ok(s, 'the reading started at the paragraph, in the text mode');
  const h = await heard(page);
  assert.ok(h.now > 5 && h.played < h.now / 2, `it went there, not through the text before: ${JSON.stringify(h)}`);
  assert.equal(await page.text('.lyssna-text-play'), 'Pausa');
  await page.addScript(require.resolve('axe-core/axe.min.js'));
  const found = await page.evaluate(() => axe.run({ include: [['dialog.lyssna-text']] }, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }).then((r) => r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)));
  assert.deepEqual(found, [], 'axe on the text mode of a municipal page');
});

// Opens the text mode from the aids' panel by keyboard and waits for its article.
async function openText(page) {
  await openPanel(page);
  await page.focus('.lyssna-aid-open');
  await page.press('Enter');
  await until(page, () => document.querySelector('dialog.lyssna-text').open &&
    document.querySelector('.lyssna-text-body h1'));
}

// Counts what the live regions say: each text a polite or assertive region (or status, alert)
// comes to hold, by a MutationObserver on the whole document; an emptied region says nothing.
function listenToLiveRegions(page) {
  return page.evaluate(() => {
    window.__said = [];
    const live = (n) => n && n.closest && n.closest('[aria-live]:not([aria-live="off"]), [role="status"], [role="alert"]');
    new MutationObserver((records) => {
      const seen = new Set();
      for (const r of records) {
        const e = live(r.target.nodeType === 1 ? r.target : r.target.parentElement);
        if (e && !seen.has(e)) {
          seen.add(e);
          const text = e.textContent.trim();
          if (text)
            window.__said.push(text);
        }
      }
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
}

// Where focus is: 'dialog' (inside the text mode), 'page' (any other element of the page) or
// 'none' (the body: focus went to the browser's own controls).
function focusAt(page) {
  return page.evaluate(() => {
    const a = document.activeElement;
    return !document.hasFocus() || !a || a === document.body ? 'none'
      : a.closest('dialog.lyssna-text') ? 'dialog' : 'page';
  });
}

test('as a screen reader meets the text mode: a named modal dialog, Tab kept inside while open and free once closed, each change said once', async (t) => {
  const { page } = await setup(t);
  await listenToLiveRegions(page);
  await openText(page);
  const dialog = await page.evaluate(() => {
    const d = document.querySelector('dialog.lyssna-text');
    const name = document.getElementById(d.getAttribute('aria-labelledby'));
    return { modal: d.matches(':modal'), role: d.getAttribute('role'), name: name && name.textContent,
      h1: d.querySelector('h1').textContent, regions: document.querySelectorAll('[aria-live], [role="status"]').length,
      regionIn: !!d.querySelector('[role="status"][aria-live="polite"]') };
  });
  assert.ok(dialog.modal, 'opened as a modal dialog (the page behind is inert)');
  assert.equal(dialog.role, null, 'the dialog element\'s own role, not another');
  assert.ok(dialog.name && dialog.name === dialog.h1, `named by its title: ${JSON.stringify(dialog)}`);
  assert.ok(dialog.regionIn && dialog.regions === 1, `one live region, inside the dialog: ${JSON.stringify(dialog)}`);
  // Tab and Shift+Tab, more times than the dialog has controls: focus is in the dialog or, past
  // its ends, in the browser's own controls; never on the page behind
  const stops = new Set([await page.evaluate(() => document.activeElement.className)]);
  for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
    await page.press(key);
    const at = await focusAt(page);
    assert.notEqual(at, 'page', `${key} left the dialog for the page behind`);
    if (at === 'dialog')
      stops.add(await page.evaluate(() => document.activeElement.className));
  }
  assert.ok(stops.has('lyssna-text-play') && stops.has('lyssna-text-close'), [...stops].join(' '));
  // a change of state said once, by the one region, while the dialog is open; the play
  // button reached by Tab (a script's focus() does not take the keys back from the browser's
  // own controls, where the last Tab may have left them)
  const onPlay = () => page.evaluate(() => document.hasFocus() && document.activeElement.className === 'lyssna-text-play');
  for (let i = 0; i < 20 && !await onPlay(); i++)
    await page.press(await focusAt(page) === 'dialog' ? 'Shift+Tab' : 'Tab');
  assert.ok(await onPlay(), 'Tab comes back to the dialog\'s first control');
  await page.press('Enter');
  await until(page, (sel) => document.querySelector(sel).currentTime > 1, AUDIO);
  await until(page, () => window.__said.includes('Uppläsningen spelas'));
  await page.press('Enter');
  await until(page, () => window.__said.includes('Uppläsningen är pausad'));
  await page.wait(1000);
  const said = await page.evaluate(() => window.__said);
  assert.equal(said.filter((s) => s === 'Uppläsningen spelas').length, 1, said.join(' | '));
  assert.equal(said.filter((s) => s === 'Uppläsningen är pausad').length, 1, said.join(' | '));
  assert.equal(await page.text('.lyssna-text-play'), 'Spela', 'the button says what it does next');
  // Escape: focus back on what opened it, the region back in the player, and Tab goes on
  // through the page
  await page.press('Escape');
  await until(page, () => !document.querySelector('dialog.lyssna-text'));
  assert.equal(await page.evaluate(() => document.activeElement.className), 'lyssna-aid-open');
  assert.ok(await page.evaluate(() => !!document.querySelector('.lyssna > .lyssna-live')));
  const path = [];
  for (let i = 0; i < 40 && !path.includes('page'); i++) {
    await page.press('Tab');
    path.push(await page.evaluate(() => {
      const a = document.activeElement;
      return !a || a === document.body ? 'none' : a.closest('.lyssna, .lyssna-aidpanel') ? 'widget' : 'page';
    }));
  }
  assert.ok(path.includes('page'), `Tab never left the player and the aids once closed: ${path.join(' ')}`);
  assert.deepEqual(await page.errors(), []);
});

test('the settings panel does not hold the focus: Tab goes through it and on', async (t) => {
  const { page } = await setup(t);
  await openPanel(page);
  const controls = await page.count('.lyssna-aidpanel select, .lyssna-aidpanel button, .lyssna-aidpanel input');
  await page.evaluate(() => document.querySelector('.lyssna-aidpanel select, .lyssna-aidpanel button, .lyssna-aidpanel input').focus());
  const path = [];
  for (let i = 0; i < controls + 10 && !path.includes('page'); i++) {
    await page.press('Tab');
    path.push(await page.evaluate(() => {
      const a = document.activeElement;
      return !a || a === document.body ? 'none' : a.closest('.lyssna-aidpanel') ? 'panel' : a.closest('.lyssna') ? 'widget' : 'page';
    }));
  }
  assert.ok(path.includes('page'), path.join(' '));
  assert.equal(await page.isVisible('.lyssna-aidpanel'), true, 'leaving it by Tab does not close it');
});

// The tree a screen reader reads, as Chromium gives it over CDP.
function walk(node, fn, parents = []) {
  fn(node, parents);
  for (const c of node.children || [])
    walk(c, fn, [...parents, node]);
}

const CONTROLS = new Set(['button', 'combobox', 'checkbox', 'link', 'slider', 'textbox', 'menuitem',
  'radio', 'switch', 'spinbutton', 'searchbox', 'listbox', 'tab']);

test('the accessibility tree (Chromium only): the panel\'s and the text mode\'s controls named, the page behind out of reach while it is open', {
  skip: ENGINE !== 'chromium' && 'the accessibility tree is read over CDP',
}, async (t) => {
  const { page } = await setup(t);
  await openPanel(page);
  let tree = await page.accessibilityTree();
  const unnamed = [];
  let group = null;
  walk(tree, (n, up) => {
    if (n.role === 'group' && n.name === 'Läshjälp')
      group = n;
    if (CONTROLS.has(n.role) && !(n.name || '').trim() && up.some((u) => u === group))
      unnamed.push(n.role);
  });
  assert.ok(group, 'the panel is a group named Läshjälp');
  assert.deepEqual(unnamed, [], 'every control of the panel has a name');
  const panelControls = [];
  walk(group, (n) => CONTROLS.has(n.role) && panelControls.push(`${n.role}: ${n.name}`));
  assert.ok(panelControls.length >= 8, panelControls.join(', '));

  await page.focus('.lyssna-aid-open');
  await page.press('Enter');
  await until(page, () => document.querySelector('.lyssna-text-body h1'));
  tree = await page.accessibilityTree();
  const dialogs = [], outside = [], inside = [], live = [];
  walk(tree, (n, up) => {
    const inDialog = up.some((u) => u.role === 'dialog');
    if (n.role === 'dialog')
      dialogs.push(n);
    else if (CONTROLS.has(n.role))
      (inDialog ? inside : outside).push(`${n.role}: ${n.name}`);
    if (n.role === 'status')
      live.push(inDialog);
  });
  assert.equal(dialogs.length, 1);
  assert.equal(dialogs[0].modal, true, 'aria-modal: the rest of the page is not offered');
  assert.match(dialogs[0].name, /bibliotek/i, 'named by the article\'s title');
  assert.deepEqual(outside, [], 'nothing of the page behind can be reached');
  assert.ok(inside.includes('button: Spela') && inside.some((c) => c.startsWith('button: Stäng')), inside.join(', '));
  assert.ok(inside.every((c) => !/: $/.test(c)), `every control named: ${inside.join(', ')}`);
  assert.deepEqual(live, [true], 'the one live region, inside the dialog');
  let focused = null;
  walk(tree, (n) => { if (n.focused) focused = n; });
  assert.ok(focused && focused.name === 'Spela', `focus on the dialog's first control: ${focused && focused.name}`);
  const headings = [];
  walk(dialogs[0], (n) => n.role === 'heading' && headings.push(n.level));
  assert.equal(headings[0], 1, 'the article\'s title is its h1, the headings below under it');
  assert.ok(headings.slice(1).every((l) => l >= 2), headings.join(' '));
});

test('text mode shows a content image as its alt text beside its caption: the caption is read and numbered, the alt is not', async (t) => {
  const figure = '<figure><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="400" height="300" ' +
    'alt="Ritning av det nya biblioteket med läxhjälpens rum"><figcaption>Så ser biblioteket ut i dag.' +
    '</figcaption></figure>\n      <p>Kontakta biblioteket';
  const web = webCopy(t, (html) => html.replace('<p>Kontakta biblioteket', figure));
  const { page } = await setup(t, { webDir: web });
  await openText(page);
  const shown = await page.evaluate(() => {
    const f = document.querySelector('.lyssna-text-body figure');
    return f && { alt: f.querySelector('.lyssna-alt').textContent, altBlock: f.querySelector('.lyssna-alt').getAttribute('data-lyssna-block'),
      caption: f.querySelector('figcaption').textContent, captionBlock: f.querySelector('figcaption').getAttribute('data-lyssna-block') };
  });
  assert.deepEqual(shown && { ...shown, captionBlock: shown.captionBlock !== null }, {
    alt: 'Bild: Ritning av det nya biblioteket med läxhjälpens rum', altBlock: null,
    caption: 'Så ser biblioteket ut i dag.', captionBlock: true });
  await page.addScript(require.resolve('axe-core/axe.min.js'));
  const found = await page.evaluate(() => axe.run({ include: [['dialog.lyssna-text']] }, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }).then((r) => r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)));
  assert.deepEqual(found, [], 'axe on the text mode with a figure');
});
