/* lyssna-aids.js -- the listen button's reading aids, loaded only when a reader opens them (or
 * kept settings ask for them): a text mode that shows the article alone over the page (the
 * service's reading page, /read), a reading ruler and a page mask that follow the sentence
 * being read, click-to-listen on any paragraph, and settings kept on the device: text size,
 * line and letter spacing, a dyslexia font, colours, highlight colour and a slower voice (the
 * synthesizer's own rate, not the audio stretched). Works under a strict CSP: no inline
 * script or style, styles set through the CSSOM only. */

var KEY = 'lyssna-aids';
var TEXT = {
  sv: {
    aids: 'Läshjälp', textmode: 'Textläge', close: 'Stäng textläget', play: 'Spela', pause: 'Pausa',
    size: 'Textstorlek', line: 'Radavstånd', letter: 'Teckenavstånd', font: 'Typsnitt',
    theme: 'Färger', hl: 'Markeringsfärg', rate: 'Röstens tempo', ruler: 'Läslinjal',
    mask: 'Sidmask', click: 'Klicka på ett stycke för att lyssna', loading: 'Texten hämtas …',
    failed: 'Texten kunde inte hämtas just nu. Försök igen senare.',
    fonts: ['Sidans', 'OpenDyslexic'],
    themes: ['Ljust', 'Mörkt', 'Hög kontrast', 'Gräddvitt'],
    hls: ['Gul', 'Grön', 'Blå', 'Rosa'],
    rates: ['Vanligt', 'Långsamt', 'Långsammare', 'Långsammast'],
    spacing: ['Vanligt', 'Större', 'Störst']
  },
  en: {
    aids: 'Reading aids', textmode: 'Text mode', close: 'Close text mode', play: 'Play',
    pause: 'Pause', size: 'Text size', line: 'Line spacing', letter: 'Letter spacing',
    font: 'Font', theme: 'Colours', hl: 'Highlight colour', rate: 'Voice speed',
    ruler: 'Reading ruler', mask: 'Page mask', click: 'Click a paragraph to listen',
    loading: 'Loading the text …', failed: 'The text could not be loaded right now. Please try again later.',
    fonts: ['The page\'s', 'OpenDyslexic'],
    themes: ['Light', 'Dark', 'High contrast', 'Cream'],
    hls: ['Yellow', 'Green', 'Blue', 'Pink'],
    rates: ['Normal', 'Slow', 'Slower', 'Slowest'],
    spacing: ['Normal', 'Wider', 'Widest']
  }
};
var SIZES = ['100', '125', '150', '200', '250', '300'];
var LINES = ['1.5', '2', '2.5'];
var THEMES = ['light', 'dark', 'contrast', 'cream'];
var HLS = ['yellow', 'green', 'blue', 'pink'];
var RATES = ['1', '0.75', '0.6', '0.5']; /* of the voice's words per minute */
var DEFAULTS = { size: '125', line: '1.5', letter: '0', font: '0', theme: 'light', hl: 'yellow',
  rate: '1', ruler: false, mask: false, click: false };

function load() {
  var s = {};
  try { s = JSON.parse(localStorage.getItem(KEY)) || {}; } catch (e) { /* private mode, bad JSON */ }
  Object.keys(DEFAULTS).forEach(function (k) {
    if (typeof s[k] !== typeof DEFAULTS[k])
      s[k] = DEFAULTS[k];
  });
  return s;
}

function save(s) {
  try { localStorage.setItem(KEY, JSON.stringify(s)); } catch (e) { /* private mode */ }
}

/* The aids of one player: built once, the first time they are asked for. */
function Aids(p, api) {
  var self = this;
  this.p = p;
  this.api = api;
  this.t = TEXT[p.box.lang] || TEXT.sv; /* the player's language */
  this.s = load();
  this.id = 'lyssna-aids-' + p.id;
  var link = api.el('link', { rel: 'stylesheet', href: api.widgetFile('lyssna-aids.css', p.host) }, document.head);
  this.styled = new Promise(function (ok) {
    link.addEventListener('load', ok);
    link.addEventListener('error', ok);
  });
  this.panel();
  p.aid = function (range) { self.follow(range); };
  document.addEventListener('click', function (e) { self.clicked(e); });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.defaultPrevented)
      self.clicked(e);
  });
  document.addEventListener('mousemove', function (e) {
    self.pointer = e.clientY;
    if (!self.reading())
      self.follow(null);
  }, { passive: true });
  window.addEventListener('scroll', function () { self.follow(self.range); }, { passive: true, capture: true });
  window.addEventListener('resize', function () { self.follow(self.range); });
  ['play', 'pause', 'ended'].forEach(function (ev) {
    p.audio.addEventListener(ev, function () { self.playing(); });
  });
  this.apply();
  if (this.s.rate !== '1')
    this.rate();
}

Aids.prototype.reading = function () {
  return this.p.mode && !this.p.audio.paused;
};

/* A <select> of values (labels: their names), or a checkbox, bound to setting key. */
Aids.prototype.choice = function (parent, key, label, values, names) {
  var self = this, el = this.api.el;
  var wrap = el('label', { class: 'lyssna-aid-field' }, parent);
  el('span', { text: label }, wrap);
  var c = el('select', { 'data-aid': key }, wrap);
  values.forEach(function (v, i) { el('option', { value: v, text: names[i] }, c); });
  c.value = this.s[key];
  c.addEventListener('change', function () { self.set(key, c.value); });
  return c;
};

Aids.prototype.check = function (parent, key, label) {
  var self = this, el = this.api.el;
  var wrap = el('label', { class: 'lyssna-aid-check' }, parent);
  var c = el('input', { type: 'checkbox', 'data-aid': key }, wrap);
  el('span', { text: label }, wrap);
  c.checked = this.s[key];
  c.addEventListener('change', function () { self.set(key, c.checked); });
};

/* The panel under the "Läshjälp" button: text mode and the settings. */
Aids.prototype.panel = function () {
  var self = this, t = this.t, el = this.api.el, p = this.p;
  var box = el('div', { class: 'lyssna-aidpanel', id: this.id, role: 'group', 'aria-label': t.aids, hidden: '' });
  p.aidsBtn.parentNode.insertBefore(box, p.aidsBtn.nextSibling);
  p.aidsBtn.setAttribute('aria-controls', this.id);
  this.box = box;
  this.open = el('button', { type: 'button', class: 'lyssna-aid-open', text: t.textmode }, box);
  this.open.addEventListener('click', function () { self.textMode(); });
  var pct = SIZES.map(function (v) { return v + ' %'; });
  this.choice(box, 'size', t.size, SIZES, pct);
  this.choice(box, 'line', t.line, LINES, LINES.map(function (v) { return v.replace('.', ','); }));
  this.choice(box, 'letter', t.letter, ['0', '1', '2'], t.spacing);
  this.choice(box, 'font', t.font, ['0', '1'], t.fonts);
  this.choice(box, 'theme', t.theme, THEMES, t.themes);
  this.choice(box, 'hl', t.hl, HLS, t.hls);
  this.choice(box, 'rate', t.rate, RATES, t.rates);
  this.check(box, 'ruler', t.ruler);
  this.check(box, 'mask', t.mask);
  this.check(box, 'click', t.click);
  box.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') {
      e.stopPropagation();
      e.preventDefault();
      self.toggle();
      p.aidsBtn.focus();
    }
  });
};

Aids.prototype.toggle = function () {
  var show = this.box.hidden;
  this.box.hidden = !show;
  this.p.aidsBtn.setAttribute('aria-expanded', String(show));
};

Aids.prototype.set = function (key, value) {
  var was = this.s[key];
  this.s[key] = value;
  save(this.s);
  this.apply();
  if (key === 'rate' && was !== value)
    this.rate();
  if (key === 'click' && value)
    this.clickable();
};

/* Settings onto the page (highlight colour, ruler, mask, paragraphs to click) and onto the
 * text mode (size, spacing, font, colours). */
Aids.prototype.apply = function () {
  var s = this.s, root = document.documentElement;
  root.setAttribute('data-lyssna-hl', s.hl);
  if (this.dialog) {
    var d = this.dialog.style;
    d.setProperty('--lyssna-size', s.size / 100 * 1.125 + 'rem');
    d.setProperty('--lyssna-line', s.line);
    d.setProperty('--lyssna-letter', s.letter * 0.06 + 'em');
    d.setProperty('--lyssna-word', s.letter * 0.16 + 'em');
    this.dialog.setAttribute('data-theme', s.theme);
    this.dialog.setAttribute('data-font', s.font === '1' ? 'dyslexic' : 'page');
  }
  if (s.ruler || s.mask)
    this.layers();
  if (this.ruler) {
    this.ruler.hidden = !s.ruler;
    this.above.hidden = this.below.hidden = !s.mask;
  }
  this.clickable();
  this.follow(this.range);
};

/* The ruler and the mask's two halves: fixed boxes that let the pointer through, put in the
 * text mode's dialog while it is open (the page behind is under the top layer). */
Aids.prototype.layers = function () {
  var el = this.api.el;
  if (!this.ruler) {
    this.ruler = el('div', { class: 'lyssna-ruler', 'aria-hidden': 'true', hidden: '' });
    this.above = el('div', { class: 'lyssna-mask lyssna-mask-above', 'aria-hidden': 'true', hidden: '' });
    this.below = el('div', { class: 'lyssna-mask lyssna-mask-below', 'aria-hidden': 'true', hidden: '' });
  }
  var host = this.dialog && this.dialog.open ? this.dialog : document.body;
  [this.above, this.below, this.ruler].forEach(function (e) {
    if (e.parentNode !== host)
      host.appendChild(e);
  });
};

/* Puts the ruler and mask on the sentence being read (range), else on the pointer; in text
 * mode, scrolls the sentence into the dialog's view. */
Aids.prototype.follow = function (range) {
  var top, bottom;
  this.range = range;
  if (range && this.dialog && this.dialog.open)
    this.scrollDialog(range);
  if (!this.ruler || (this.ruler.hidden && this.above.hidden))
    return;
  if (range) {
    var b = range.getBoundingClientRect();
    top = b.top;
    bottom = b.bottom;
  }
  if (!range || !(bottom > top)) {
    if (this.pointer == null)
      return;
    top = this.pointer - 24;
    bottom = this.pointer + 24;
  }
  top -= 6;
  bottom += 6;
  var r = this.ruler.style, a = this.above.style, z = this.below.style;
  r.top = top + 'px';
  r.height = bottom - top + 'px';
  a.height = Math.max(0, top) + 'px';
  z.top = bottom + 'px';
};

Aids.prototype.scrollDialog = function (range) {
  var d = this.dialog, b = range.getBoundingClientRect(), v = this.body.getBoundingClientRect();
  v = { top: Math.max(v.top, this.body.previousSibling.getBoundingClientRect().bottom), bottom: innerHeight };
  if (!b.height || this.range === this.scrolled || (b.top >= v.top && b.bottom <= v.bottom))
    return;
  this.scrolled = this.range;
  d.scrollBy({ top: b.top - v.top - (v.bottom - v.top) / 3, behavior: 'auto' });
};

/* The blocks a click or Enter reads from: those of the text mode while it is open, else the
 * page's blocks the marks found. Focusable (Tab reaches them) while click-to-listen is on. */
Aids.prototype.blocks = function () {
  var m = this.p.marks;
  if (this.dialog && this.dialog.open)
    return Array.prototype.slice.call(this.body.querySelectorAll('[data-lyssna-block]'));
  return m ? m.starts.map(function (s) { return s.el; }) : [];
};

Aids.prototype.clickable = function () {
  var self = this, on = this.s.click;
  if (on && !this.p.marks && !this.dialog) {
    /* the page's blocks are known from its marks: ask for them now */
    this.p.pageMarks = this.p.pageMarks || this.p.marksFrom(this.p.url('v1/listen/marks'));
    this.p.pageMarks.then(function (m) {
      if (!self.p.marks)
        self.p.marks = m;
      self.clickable();
    }, function () { /* the player says why when the reader presses play */ });
  }
  var now = on ? this.blocks() : [];
  /* only those no longer marked lose their tabindex: taking it off the focused one blurs it */
  (this.marked || []).forEach(function (e) {
    if (now.indexOf(e) < 0) {
      if (e.lyssnaTab)
        e.removeAttribute('tabindex');
      e.lyssnaTab = false;
      e.classList.remove('lyssna-clickable');
    }
  });
  this.marked = now;
  now.forEach(function (e) {
    if (!e.hasAttribute('tabindex'))
      e.setAttribute('tabindex', '0'), e.lyssnaTab = true; /* the page's own is left as it is */
    e.classList.add('lyssna-clickable');
  });
};

Aids.prototype.clicked = function (e) {
  var b = this.s.click && e.target.closest && e.target.closest('.lyssna-clickable');
  if (!b || e.target.closest('a, button, input, select, textarea, .lyssna'))
    return;
  e.preventDefault();
  this.p.startAt(-1, b);
};

/* The voice's own words per minute, times the setting; the reading goes on from the sentence
 * it was at, in the new audio. */
Aids.prototype.rate = function () {
  var self = this, p = this.p, f = parseFloat(this.s.rate);
  var voices = this.voices = this.voices || fetch(p.base + 'v1/voices').then(function (r) { return r.json(); });
  voices.then(function (d) {
    var name = p.params.voice || 'sv', v = d.voices.filter(function (x) { return x.name === name; })[0];
    p.params.rate = f === 1 || !v ? '' : String(Math.max(80, Math.round(v.rate * f)));
    p.raw = p.pageMarks = null;
    p.dl.href = p.url('v1/listen', { format: 'mp3', chapters: '1' });
    if (p.mode !== 'page')
      return;
    var s = self.range, node = s && s.startContainer;
    p.stop(false);
    p.pendingStart = node ? { i: -1, node: node } : null;
    p.listen();
  }).catch(function () { /* the voices' list is the service's own: it answers or nothing does */ });
};

/* The article alone over the page: the service's reading page of the same address, in a modal
 * dialog. Focus goes in, stays there, and goes back to what opened it on closing; Escape
 * closes it. The highlight, the ruler and the mask follow the reading inside it. The player's
 * live region moves in while it is open: behind a modal dialog it would be inert, and a
 * second region would say each change twice. */
Aids.prototype.textMode = function () {
  var self = this, t = this.t, el = this.api.el, p = this.p;
  if (!this.dialog) {
    var d = this.dialog = el('dialog', { class: 'lyssna-text', 'aria-labelledby': this.id + '-title',
      lang: p.box.lang });
    var bar = el('div', { class: 'lyssna-text-bar' }, d);
    this.playBtn = el('button', { type: 'button', class: 'lyssna-text-play', text: t.play }, bar);
    var close = el('button', { type: 'button', class: 'lyssna-text-close', text: t.close }, bar);
    this.body = el('div', { class: 'lyssna-text-body', lang: document.documentElement.lang || 'sv' }, d);
    this.playBtn.addEventListener('click', function () { p.toggle(); });
    close.addEventListener('click', function () { self.closeText(); });
    d.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') {
        e.preventDefault(); /* the text mode closes; the reading goes on */
        self.closeText();
      }
    });
    d.addEventListener('cancel', function (e) {
      e.preventDefault();
      self.closeText();
    });
  }
  this.apply();
  this.opener = document.activeElement;
  this.styled.then(function () {
    document.body.appendChild(self.dialog);
    self.liveAt = p.live.nextSibling;
    self.dialog.appendChild(p.live);
    self.dialog.showModal();
    self.playing();
    self.playBtn.focus();
    if (!self.loaded)
      self.fill();
    else
      self.api.remap(p, self.body);
    self.layers();
    self.clickable();
  });
};

/* The reading page's main content, parsed (its scripts never run) and copied in. */
Aids.prototype.fill = function () {
  var self = this, p = this.p, el = this.api.el;
  this.body.textContent = '';
  el('p', { text: this.t.loading }, this.body);
  var q = this.api.query({ url: p.params.url, readid: p.params.readid, voice: p.params.voice });
  fetch(p.base + 'read?' + q).then(function (r) {
    if (!r.ok)
      throw r.status;
    return r.text();
  }).then(function (html) {
    var main = new DOMParser().parseFromString(html, 'text/html').querySelector('main');
    self.body.textContent = '';
    Array.prototype.forEach.call(main.children, function (c) {
      self.body.appendChild(document.importNode(c, true));
    });
    var h = self.body.querySelector('h1');
    h.id = self.id + '-title';
    self.loaded = true;
    if (self.dialog.open) {
      self.api.remap(p, self.body);
      self.clickable();
    }
  }).catch(function () {
    self.body.textContent = '';
    el('p', { id: self.id + '-title', text: self.t.failed }, self.body);
  });
};

Aids.prototype.closeText = function () {
  if (!this.dialog.open)
    return;
  this.dialog.close();
  this.p.box.insertBefore(this.p.live, this.liveAt && this.liveAt.parentNode === this.p.box ? this.liveAt : null);
  this.dialog.remove(); /* its copy of the text is not the page's: the blocks are looked for in the page */
  this.api.remap(this.p, null);
  this.layers();
  this.clickable();
  (this.opener && this.opener.isConnected ? this.opener : this.open).focus();
};

/* The text mode's play button says what pressing it does; the live region says what happened. */
Aids.prototype.playing = function () {
  if (!this.playBtn)
    return;
  var on = this.reading();
  this.playBtn.textContent = on ? this.t.pause : this.t.play;
};

/* Called by lyssna.js: the aids of player p (built on first call); quiet: only the kept
 * settings are applied, the panel stays closed. */
export function attach(p, api, quiet) {
  if (!p.aidsOf) {
    p.aidsOf = new Aids(p, api);
    if (quiet)
      return;
  }
  if (!quiet)
    p.aidsOf.toggle();
}
