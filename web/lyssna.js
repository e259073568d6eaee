/* lyssna.js -- the listen button: one script tag puts a player on the page that reads the
 * article aloud through a Lyssna service and highlights the sentence and word being read.
 * No framework, no build step. Markup it understands:
 *   <script src="https://lyssna.example.se/widget/lyssna.js" defer
 *           data-lyssna-service data-lyssna-readid data-lyssna-voice data-lyssna-lang
 *           data-lyssna-source="page"></script>  (send the page's own HTML: behind a login)
 *   <div data-lyssna="button"></div>  where the button goes (the same data-lyssna-* may go here)
 *   <div class="rsbtn"><a href="…readspeaker…?lang=sv_se&readid=ID">…</a></div>  upgraded
 *   data-lyssna-documents="[HOST …]" on either: links to PDF, DOCX and ODT files on the page's
 *   host (or those listed) get a "Lyssna på dokumentet" link to the service's reading page
 * The page's HTML is never rewritten: highlights are DOM Ranges shown with the CSS Custom
 * Highlight API, or with boxes drawn over the text where that API is missing. */
(function () {
  'use strict';

  var script = document.currentScript;
  var TEXT = {
    sv: {
      listen: 'Lyssna', player: 'Uppläsning', play: 'Spela', pause: 'Pausa',
      resume: 'Fortsätt', stop: 'Stoppa', seek: 'Läge i uppläsningen', speed: 'Hastighet',
      selection: 'Lyssna på markerad text', download: 'Ladda ner MP3', of: 'av',
      loading: 'Uppläsningen laddas', playing: 'Uppläsningen spelas', paused: 'Uppläsningen är pausad',
      stopped: 'Uppläsningen är stoppad', ended: 'Uppläsningen är klar',
      error: 'Sidan kunde inte läsas upp just nu. Försök igen senare.',
      denied: 'Den här sidan får inte läsas upp av tjänsten.',
      busy: 'Tjänsten är upptagen just nu. Försök igen om en stund.',
      nosel: 'Markera först den text du vill lyssna på.',
      selerror: 'Den markerade texten kunde inte läsas upp just nu.',
      doc: 'Lyssna på dokumentet',
      here: 'Läs härifrån', from: 'Börja vid', fromhere: 'Uppläsningen börjar vid',
      noplace: 'Flytta först fokus eller markören till ett stycke i texten.',
      aids: 'Läshjälp'
    },
    en: {
      listen: 'Listen', player: 'Read aloud', play: 'Play', pause: 'Pause',
      resume: 'Resume', stop: 'Stop', seek: 'Position in the reading', speed: 'Speed',
      selection: 'Listen to selected text', download: 'Download MP3', of: 'of',
      loading: 'Loading the reading', playing: 'Reading', paused: 'Reading paused',
      stopped: 'Reading stopped', ended: 'Reading finished',
      error: 'The page could not be read aloud right now. Please try again later.',
      denied: 'The service may not read this page aloud.',
      busy: 'The service is busy right now. Please try again in a moment.',
      nosel: 'First select the text you want to listen to.',
      selerror: 'The selected text could not be read aloud right now.',
      doc: 'Listen to the document',
      here: 'Read from here', from: 'Start at', fromhere: 'Reading from',
      noplace: 'First move the focus or the caret to a paragraph of the text.',
      aids: 'Reading aids'
    }
  };
  var RTL = ['ar', 'fa', 'ur', 'he', 'ps', 'ckb', 'yi'];
  var SPEEDS = [0.75, 1, 1.25, 1.5];
  var SKIP = 'script,style,noscript,template,[hidden],[aria-hidden="true"],[data-lyssna="skip"],' +
    '.rs_skip,.lyssna,.lyssna-overlay';
  var ICON = '<svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">' +
    '<path fill="currentColor" d="M3 9v6h4l5 5V4L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 ' +
    '2.5-4zM14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z"/></svg>';
  var hasHighlights = !!(window.CSS && CSS.highlights && window.Highlight);
  var reduceMotion = window.matchMedia && matchMedia('(prefers-reduced-motion: reduce)');
  var players = [];
  var lastSelection = null;
  var lastPlace = null; /* the node that last held the focus or the caret, outside the players */
  var active = null; /* the player the Media Session controls */
  var userScrolled = 0;
  var serial = 0;
  var scope = null; /* where the blocks are looked for: the reading aids' text mode, or the page */

  function attr(el, name) {
    var v = el && el.getAttribute('data-lyssna-' + name);
    return v || (script && script.getAttribute('data-lyssna-' + name)) || '';
  }

  function serviceBase(el) {
    var s = attr(el, 'service');
    if (!s && script && script.src)
      s = script.src.replace(/widget\/[^\/]*$/, '');
    if (!s)
      s = location.origin + '/';
    return s.charAt(s.length - 1) === '/' ? s : s + '/';
  }

  /* A file beside the script (the stylesheet, the reading aids), else under the service's widget/. */
  function widgetFile(name, host) {
    return script && script.src ? script.src.replace(/[^\/?]*(\?.*)?$/, name) : serviceBase(host) + 'widget/' + name;
  }

  function query(params) {
    return Object.keys(params).filter(function (k) { return params[k]; }).map(function (k) {
      return k + '=' + encodeURIComponent(params[k]);
    }).join('&');
  }

  function clock(s) {
    s = Math.max(0, Math.floor(s || 0));
    return Math.floor(s / 60) + ':' + ('0' + (s % 60)).slice(-2);
  }

  function storedSpeed() {
    var v = 1;
    try { v = parseFloat(localStorage.getItem('lyssna-speed')) || 1; } catch (e) { /* private mode */ }
    return SPEEDS.indexOf(v) >= 0 ? v : 1;
  }

  function el(tag, props, parent) {
    var e = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) {
      if (k === 'text')
        e.textContent = props[k];
      else if (k === 'html')
        e.innerHTML = props[k];
      else
        e.setAttribute(k, props[k]);
    });
    if (parent)
      parent.appendChild(e);
    return e;
  }

  /* The text under root (or inside a Range) with white space collapsed, and for each of its
   * characters the text node and offset it came from, so a word found in the string becomes
   * a Range. Text the service does not read (scripts, rs_skip, hidden) is left out. */
  function textIndex(root, range) {
    var nodes = [], offs = [], out = [], space = true;
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: function (n) {
        var p = n.parentElement;
        if (!p || p.closest(SKIP))
          return NodeFilter.FILTER_REJECT;
        return !range || range.intersectsNode(n) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT;
      }
    });
    for (var n = walker.nextNode(); n; n = walker.nextNode()) {
      var d = n.data, from = 0, to = d.length;
      if (range && n === range.startContainer)
        from = range.startOffset;
      if (range && n === range.endContainer)
        to = range.endOffset;
      for (var i = from; i < to; i++) {
        var c = d.charAt(i);
        if (c === '\u00ad' || c === '\u200b')
          continue;
        if (/\s/.test(c)) {
          if (space)
            continue;
          c = ' ';
          space = true;
        } else {
          space = false;
        }
        out.push(c);
        nodes.push(n);
        offs.push(i);
      }
    }
    return { text: out.join(''), nodes: nodes, offs: offs };
  }

  function indexRange(ix, from, to) {
    var r = document.createRange();
    r.setStart(ix.nodes[from], ix.offs[from]);
    r.setEnd(ix.nodes[to - 1], ix.offs[to - 1] + 1);
    return r;
  }

  /* Finds the words (distinct spans, in text order) one after the other in ix; a word too far
   * from the previous one is taken as missing rather than matched somewhere else. */
  function alignWords(ix, words) {
    var at = 0, found = 0, ranges = [];
    words.forEach(function (w) {
      var v = w.value.replace(/\s+/g, ' ');
      var p = ix.text.indexOf(v, at);
      if (p < 0 || p - at > 400) {
        ranges.push(null);
        return;
      }
      ranges.push(indexRange(ix, p, p + v.length));
      w.ix = ix;
      w.to = p + v.length;
      at = w.to;
      found++;
    });
    return { ranges: ranges, score: words.length ? found / words.length : 0 };
  }

  function byXPath(xpath) {
    try {
      return document.evaluate(xpath, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null)
        .singleNodeValue;
    } catch (e) {
      return null;
    }
  }

  /* The live element of a block: the element numbered for it (the service's reading page
   * numbers its blocks), else its XPath (libxml2's tree may differ from the browser's: tbody,
   * repaired nesting, scripts), then elements of the same name whose text holds the block's
   * first words. Accepted only where most words are found in order. */
  function locate(block, words, index) {
    var best = null;
    var root = scope || document;
    var first = root.querySelector('[data-lyssna-block="' + index + '"]') || (!scope && byXPath(block.xpath));
    function tryEl(e) {
      if (!e || e.closest('.lyssna') || (best && best.el === e))
        return false;
      var a = alignWords(textIndex(e), words);
      if (!best || a.score > best.score)
        best = { el: e, ranges: a.ranges, score: a.score };
      return a.score === 1;
    }
    if (!tryEl(first) && words.length) {
      var tag = (block.xpath.match(/([a-z][a-z0-9]*)(\[\d+\])?$/i) || [])[1] || '*';
      var probe = words[0].value.split(' ')[0], all = root.getElementsByTagName(tag);
      for (var i = 0, n = 0; i < all.length && n < 50; i++)
        if (all[i] !== first && all[i].textContent.indexOf(probe) >= 0 && (++n, tryEl(all[i])))
          break;
    }
    return best && best.score >= 0.6 ? best : null;
  }

  /* Marks → highlight ranges: each word mark gets the Range of its span (or null), each
   * sentence the Range from its first to its last word, else its block, else null. */
  function mapMarks(data, sel) {
    var root = null, words = [], sentences = [];
    var spans = {};
    /* blocks of this mapping's own: the marks are mapped again (into the text mode and back) */
    var blocks = (data.blocks || [{ xpath: '', start: 0, end: Infinity }]).map(function (b) {
      return { xpath: b.xpath, start: b.start, end: b.end, words: [], el: null, first: null };
    });
    if (sel) {
      root = sel.commonAncestorContainer;
      root = root.nodeType === 1 ? root : root.parentNode;
    }
    function blockOf(pos) {
      for (var i = 0; i < blocks.length; i++)
        if (pos >= blocks[i].start && pos <= blocks[i].end)
          return blocks[i];
      return null;
    }
    (data.marks || []).forEach(function (m) {
      var key = m.start + ':' + m.end;
      if (m.type === 'sentence') {
        sentences.push({ time: m.time, start: m.start, end: m.end, value: m.value,
          block: blockOf(m.start) });
      } else if (m.type === 'word') {
        if (!spans[key]) {
          spans[key] = { start: m.start, end: m.end, value: m.value, range: null };
          var b = blockOf(m.start);
          if (b)
            b.words.push(spans[key]);
        }
        words.push({ time: m.time, span: spans[key] });
      }
    });
    blocks.forEach(function (b, index) {
      b.words.sort(function (x, y) { return x.start - y.start; });
      var hit = root ? alignWords(textIndex(root, sel), b.words) : locate(b, b.words, index);
      if (!hit)
        return;
      b.el = hit.el || null;
      b.words.forEach(function (w, i) { w.range = hit.ranges[i]; });
    });
    sentences.forEach(function (s) {
      var b = s.block, inside = b ? b.words.filter(function (w) {
        return w.start >= s.start && w.end <= s.end;
      }) : [];
      var a = inside[0], z = inside[inside.length - 1];
      if (a && a.range && z.range) {
        s.range = document.createRange();
        s.range.setStart(a.range.startContainer, a.range.startOffset);
        s.range.setEnd(z.range.endContainer, z.range.endOffset);
        /* the punctuation after the last word belongs to the sentence */
        var tail = s.value.slice(s.value.lastIndexOf(z.value) + z.value.length).replace(/\s+/g, ' ');
        if (tail && z.ix.text.substr(z.to, tail.length) === tail)
          s.range.setEnd(z.ix.nodes[z.to + tail.length - 1], z.ix.offs[z.to + tail.length - 1] + 1);
      } else if (b && b.el) {
        s.range = document.createRange();
        s.range.selectNodeContents(b.el);
      } else {
        s.range = null;
      }
    });
    var starts = [];
    sentences.forEach(function (s) {
      if (s.block && s.block.el && s.block.first == null) {
        s.block.first = s.time;
        starts.push({ time: s.time, el: s.block.el, label: s.value.replace(/\s+/g, ' ').slice(0, 60) });
      }
    });
    return { words: words, sentences: sentences, starts: starts, title: data.title,
      duration: (data.duration_ms || 0) / 1000 };
  }

  /* Highlights: CSS Custom Highlight API, else positioned boxes in an overlay of our own. */
  var overlay = null;
  var shown = { sentence: null, word: null };

  function paint(kind, range) {
    if (shown[kind] === range)
      return;
    shown[kind] = range;
    if (hasHighlights) {
      var name = 'lyssna-' + kind, h = CSS.highlights.get(name);
      if (!h) {
        h = new Highlight();
        h.priority = kind === 'word' ? 2 : 1;
        CSS.highlights.set(name, h);
      }
      h.clear();
      if (range)
        h.add(range);
      return;
    }
    redraw();
  }

  function redraw() {
    if (hasHighlights)
      return;
    if (!overlay)
      overlay = el('div', { class: 'lyssna-overlay', 'aria-hidden': 'true' }, document.body);
    overlay.textContent = '';
    ['sentence', 'word'].forEach(function (kind) {
      var r = shown[kind];
      if (!r)
        return;
      Array.prototype.forEach.call(r.getClientRects(), function (b) {
        var box = el('div', { class: 'lyssna-box lyssna-box-' + kind }, overlay);
        box.style.cssText = 'left:' + (b.left + scrollX) + 'px;top:' + (b.top + scrollY) +
          'px;width:' + b.width + 'px;height:' + b.height + 'px';
      });
    });
  }

  /* Brings the text being read into view, unless the reader scrolled away a moment ago. */
  function scrollTo(range) {
    var b = range.getBoundingClientRect(), h = window.innerHeight;
    if (!b.height || (b.top >= 0 && b.bottom <= h) || Date.now() - userScrolled < 5000)
      return;
    window.scrollBy({
      top: b.top - h / 3,
      behavior: reduceMotion && reduceMotion.matches ? 'auto' : 'smooth'
    });
  }

  function lastBefore(list, t) {
    var lo = 0, hi = list.length - 1, at = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (list[mid].time <= t) {
        at = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return at < 0 ? null : list[at];
  }

  function Player(host, readid) {
    var self = this, t;
    this.id = ++serial;
    this.base = serviceBase(host);
    var lang = pageLang(host);
    if (!TEXT[lang])
      lang = 'sv';
    this.t = t = TEXT[lang];
    var probe = document.createElement('audio'), ogg = probe.canPlayType('audio/ogg; codecs="opus"');
    /* HLS where Safari plays it natively: sound after the first segment, not after the
       whole audio, which its Range probe of a plain MP3 waits for. Chromium 156 says it plays
       HLS too, but fails on packed MP3 segments (CHUNK_DEMUXER_ERROR_APPEND_FAILED). */
    this.hls = !!probe.canPlayType('application/vnd.apple.mpegurl') && /Apple/.test(navigator.vendor);
    this.host = host;
    this.source = attr(host, 'source');
    this.params = {
      url: attr(host, 'url') || location.href.split('#')[0],
      readid: readid || attr(host, 'readid'),
      voice: attr(host, 'voice'),
      format: ogg === 'probably' ? 'opus' : 'mp3'
    };
    this.marks = null;
    this.pendingSeek = null; /* where a seek goes once the audio has reloaded */
    this.mode = null;

    var box = this.box = el('div', { class: 'lyssna', 'data-lyssna': 'skip', lang: lang,
      dir: RTL.indexOf(lang) >= 0 ? 'rtl' : 'ltr' }, host);
    this.btn = el('button', { type: 'button', class: 'lyssna-btn', 'aria-pressed': 'false',
      'aria-controls': 'lyssna-bar-' + this.id }, box);
    this.btn.innerHTML = ICON;
    el('span', { text: t.listen }, this.btn);
    this.aidsBtn = el('button', { type: 'button', class: 'lyssna-aids', 'aria-expanded': 'false', text: t.aids }, box);
    this.sel = el('button', { type: 'button', class: 'lyssna-sel', text: t.selection, hidden: '' }, box);
    var bar = this.bar = el('div', { class: 'lyssna-bar', id: 'lyssna-bar-' + this.id, role: 'group',
      'aria-label': t.player, hidden: '' }, box);
    this.play = el('button', { type: 'button', class: 'lyssna-play', text: t.play }, bar);
    this.stopBtn = el('button', { type: 'button', class: 'lyssna-stop', text: t.stop }, bar);
    var seekWrap = el('div', { class: 'lyssna-seekwrap' }, bar);
    this.seek = el('input', { type: 'range', class: 'lyssna-seek', min: '0', max: '0', step: '1',
      value: '0', 'aria-label': t.seek }, seekWrap);
    this.time = el('span', { class: 'lyssna-time', 'aria-hidden': 'true', text: '0:00 / 0:00' }, seekWrap);
    var sp = el('label', { class: 'lyssna-speed' }, bar);
    el('span', { text: t.speed + ' ' }, sp);
    this.speed = el('select', {}, sp);
    SPEEDS.forEach(function (s) {
      el('option', { value: String(s), text: String(s).replace('.', t === TEXT.sv ? ',' : '.') + '×' },
        self.speed);
    });
    this.speed.value = String(storedSpeed());
    var from = el('label', { class: 'lyssna-from' }, bar);
    el('span', { text: t.from + ' ' }, from);
    this.from = el('select', {}, from);
    this.here = el('button', { type: 'button', class: 'lyssna-here', text: t.here }, bar);
    this.fillStarts(null);
    this.dl = el('a', { class: 'lyssna-dl', href: this.url('v1/listen', { format: 'mp3', chapters: '1' }),
      download: 'uppläsning.mp3', text: t.download }, bar);
    this.msg = el('p', { class: 'lyssna-msg', hidden: '' }, bar);
    this.live = el('div', { class: 'lyssna-live', role: 'status', 'aria-live': 'polite' }, box);
    this.audio = el('audio', { preload: 'none' }, box);

    this.btn.addEventListener('click', function () { self.toggle(); });
    this.aidsBtn.addEventListener('click', function () { self.aids(); });
    this.play.addEventListener('click', function () { self.toggle(); });
    this.stopBtn.addEventListener('click', function () { self.stop(true); });
    this.sel.addEventListener('mousedown', function (e) { e.preventDefault(); });
    this.sel.addEventListener('click', function () { self.readSelection(); });
    this.dl.addEventListener('click', function (e) { self.download(e); });
    this.speed.addEventListener('change', function () { self.setSpeed(parseFloat(self.speed.value)); });
    this.seek.addEventListener('input', function () { self.seekTo(parseFloat(self.seek.value)); });
    this.from.addEventListener('change', function () { self.startAt(self.from.selectedIndex - 1, null); });
    this.here.addEventListener('mousedown', function (e) { e.preventDefault(); });
    this.here.addEventListener('click', function () { self.startAt(-1, lastPlace); });
    box.addEventListener('keydown', function (e) { self.key(e); });
    /* Escape stops the reading wherever focus is (a screen reader user may have moved on
       in the page), unless the page itself used the key */
    document.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && !e.defaultPrevented && !self.bar.hidden && !box.contains(e.target))
        self.stop(false);
    });
    ['playing', 'pause', 'ended', 'waiting', 'error', 'timeupdate', 'durationchange'].forEach(function (ev) {
      self.audio.addEventListener(ev, function () { self.on(ev); });
    });
  }

  Player.prototype.url = function (path, extra) {
    var p = {};
    Object.keys(this.params).forEach(function (k) { p[k] = this.params[k]; }, this);
    Object.keys(extra || {}).forEach(function (k) { p[k] = extra[k]; });
    return this.base + path + '?' + query(p);
  };

  /* The reading aids (lyssna-aids.js), loaded when first opened (or, quiet, when settings were
   * kept on this device); they get the player and the few inner parts they build on. */
  Player.prototype.aids = function (quiet) {
    var self = this;
    return import(widgetFile('lyssna-aids.js', this.host)).then(function (m) {
      m.attach(self, { el: el, query: query, widgetFile: widgetFile, remap: remap }, quiet);
    });
  };

  /* The blocks looked for under root (null: the page), the marks mapped there anew. */
  function remap(p, root) {
    scope = root;
    if (!p.raw || p.mode === 'selection')
      return;
    p.marks = mapMarks(p.raw, null);
    p.pageMarks = Promise.resolve(p.marks);
    p.fillStarts(p.marks);
    p.followed = null;
    paint('sentence', null);
    paint('word', null);
    p.tick();
  }

  Player.prototype.say = function (text) {
    var live = this.live;
    live.textContent = '';
    setTimeout(function () { live.textContent = text; }, 50);
  };

  /* Something went wrong: the player stays open with the reason in plain words. */
  Player.prototype.fail = function (text) {
    this.mode = null;
    this.audio.pause();
    paint('sentence', null);
    paint('word', null);
    this.msg.textContent = text;
    this.msg.hidden = false;
    this.bar.hidden = false;
    this.say(text);
    this.state(false);
  };

  /* The audio failed. A page the service was refused is sent by the browser instead, so
   * the marks' status is waited for first. */
  Player.prototype.broken = function () {
    var self = this;
    if (!this.fallback)
      return this.fail(this.errorText());
    this.fallback.then(function (sent) {
      if (!sent && self.mode)
        self.fail(self.errorText());
    });
  };

  Player.prototype.errorText = function () {
    var s = this.marksStatus;
    return this.mode === 'selection' ? this.t.selerror : s === 403 ? this.t.denied :
      s === 429 || s === 503 ? this.t.busy : this.t.error;
  };

  Player.prototype.state = function (playing) {
    this.btn.setAttribute('aria-pressed', playing ? 'true' : 'false');
    this.play.textContent = playing ? this.t.pause : this.mode ? this.t.resume : this.t.play;
  };

  Player.prototype.open = function () {
    players.forEach(function (p) {
      if (p !== this && p.mode)
        p.stop(false);
    }, this);
    this.bar.hidden = false;
    this.sel.hidden = false;
    this.msg.hidden = true;
  };

  Player.prototype.start = function (src, marksPromise, mode) {
    var self = this;
    this.open();
    this.mode = mode;
    this.marks = null;
    this.pendingSeek = null;
    this.saidPlaying = false;
    this.audio.src = src;
    this.audio.defaultPlaybackRate = this.audio.playbackRate = parseFloat(this.speed.value);
    this.say(this.t.loading);
    this.playNow();
    marksPromise.then(function (m) {
      if (self.mode === mode) {
        self.marks = m;
        self.fillStarts(m);
        var at = self.pendingStart;
        self.pendingStart = null;
        if (at)
          self.startAt(at.i, at.node);
      }
      self.tick();
    }, function (status) {
      self.marksStatus = status;
      self.pendingStart = null;
    });
  };

  Player.prototype.playNow = function () {
    var self = this, src = this.audio.src, p = this.audio.play();
    if (p && p.catch)
      p.catch(function (e) { /* a refusal of an audio since replaced is no news */
        if (e && e.name !== 'AbortError' && self.mode && self.audio.src === src)
          self.broken();
      });
  };

  Player.prototype.fetchJson = function (url, init) {
    return fetch(url, init).then(function (r) {
      if (!r.ok)
        throw r.status;
      return r.json();
    });
  };

  Player.prototype.marksFrom = function (url) {
    var self = this;
    return this.fetchJson(url).then(function (d) {
      var m = mapMarks(self.raw = d, null);
      self.pageMarks = Promise.resolve(m);
      if (d.title)
        self.dl.setAttribute('download', d.title.replace(/[\\\/:*?"<>|]+/g, ' ').trim() + '.mp3');
      return m;
    });
  };

  /* The page as the service fetches it; a page the service may not fetch (403) or could not
   * (502: behind a login, say) is sent by the browser instead. */
  Player.prototype.listen = function () {
    var self = this;
    this.marksStatus = 0;
    if (this.source === 'page' || this.posted)
      return this.listenPosted();
    var marks = this.pageMarks || this.marksFrom(this.url('v1/listen/marks'));
    this.fallback = marks.then(function () { return false; }, function (status) {
      var refused = (status === 403 || status === 502) && self.mode === 'page';
      if (refused) {
        self.posted = true;
        self.listenPosted();
      }
      return refused;
    });
    var src = this.hls ? this.base + 'v1/listen.m3u8?' + query({ url: this.params.url,
      readid: this.params.readid, voice: this.params.voice, rate: this.params.rate }) : this.url('v1/listen');
    this.start(src, marks, 'page');
  };

  /* POST /v1/listen with the page's own HTML (the reader's view of it); the answer names
   * content-addressed audio and marks, which then play like any. */
  Player.prototype.listenPosted = function () {
    var self = this, at = this.base + 'v1/listen';
    this.fallback = Promise.resolve(true); /* the refused audio's error comes meanwhile */
    this.mode = 'page';
    this.open();
    this.say(this.t.loading);
    var q = { url: this.params.url, readid: this.params.readid, voice: this.params.voice,
      format: this.params.format };
    this.fetchJson(at + '?' + query(q), { method: 'POST', body: document.documentElement.outerHTML,
      headers: { 'Content-Type': 'text/html;charset=utf-8' } }).then(function (d) {
      if (self.mode !== 'page')
        return;
      self.fallback = null;
      self.dl.href = new URL(d.mp3, at).href;
      self.start(new URL(d.audio, at).href, self.marksFrom(new URL(d.marks, at).href), 'page');
    }).catch(function (status) {
      self.marksStatus = status;
      if (self.mode === 'page')
        self.fail(self.errorText());
    });
  };

  Player.prototype.toggle = function () {
    if (!this.mode) {
      this.listen();
    } else if (this.audio.paused) {
      this.msg.hidden = true;
      if (this.audio.ended)
        this.audio.currentTime = 0;
      this.playNow();
    } else {
      this.audio.pause();
      this.state(false); /* at once: the 'pause' event comes later */
    }
  };

  Player.prototype.stop = function (focus) {
    this.mode = null;
    this.audio.pause();
    this.audio.removeAttribute('src');
    this.audio.load();
    this.bar.hidden = true;
    this.sel.hidden = !lastSelection;
    this.msg.hidden = true;
    this.seek.value = '0';
    paint('sentence', null);
    paint('word', null);
    this.state(false);
    this.fillStarts(null);
    if (active === this)
      mediaSession(null);
    if (this.blobUrl)
      URL.revokeObjectURL(this.blobUrl);
    this.blobUrl = null;
    if (focus) {
      this.btn.focus();
      this.say(this.t.stopped);
    }
  };

  Player.prototype.duration = function () {
    var d = this.audio.duration;
    if (this.marks && this.marks.duration)
      return this.marks.duration;
    return isFinite(d) ? d : 0;
  };

  /* Whether the audio can go to s now. A response still streaming reaches only what has come:
   * Firefox calls it seekable to there and stops a seek at its end, WebKitGTK calls it 0 s
   * long and stays at 0, Chromium asks for a range. */
  function reachable(a, s) {
    var i;
    for (i = 0; i < a.buffered.length; i++)
      if (s >= a.buffered.start(i) && s <= a.buffered.end(i))
        return true;
    if (!(isFinite(a.duration) && a.duration > 0 && s <= a.duration))
      return false;
    for (i = 0; i < a.seekable.length; i++)
      if (s >= a.seekable.start(i) && s <= a.seekable.end(i))
        return true;
    return false;
  }

  Player.prototype.seekTo = function (s) {
    var a = this.audio, d = this.duration(), self = this, waiting = this.pendingSeek != null;
    if (!this.mode)
      return;
    s = Math.max(0, d ? Math.min(s, d) : s);
    if (!waiting && reachable(a, s)) {
      a.currentTime = s;
      a.addEventListener('seeked', function once() {
        a.removeEventListener('seeked', once);
        if (Math.abs(a.currentTime - s) > 1 && self.mode && self.pendingSeek == null)
          self.reloadAt(s);
      });
      this.tick();
      return;
    }
    this.pendingSeek = s; /* presses while it waits move the target */
    if (!waiting)
      this.awaitSeek(false);
  };

  /* Whether the browser has the audio's start and is done fetching for now. */
  function rested(a) {
    return a.readyState >= a.HAVE_METADATA && a.networkState === a.NETWORK_IDLE;
  }

  /* Goes to pendingSeek once the audio reaches it. When the download rests without reaching
   * it (a stream this browser cannot seek in), the audio is loaded anew, once: by then the
   * service has it in its cache, whose answers take byte ranges. */
  Player.prototype.awaitSeek = function (reloaded) {
    var self = this, a = this.audio, timer = setInterval(function () {
      var s = self.pendingSeek;
      if (s == null || !self.mode) {
        clearInterval(timer);
        self.pendingSeek = null;
      } else if (reachable(a, s) || (reloaded && rested(a))) {
        clearInterval(timer);
        self.pendingSeek = null;
        a.currentTime = s;
        self.tick();
      } else if (rested(a)) {
        clearInterval(timer);
        self.reloadAt(s);
      }
    }, 200);
  };

  /* The audio's address once more, made new ("again=N"): a browser shares one download among
   * loads of one address, Firefox even the stream under way. */
  function again(src) {
    var n = /[?&]again=(\d+)/.exec(src);
    if (!/^https?:/.test(src))
      return src;
    return n ? src.replace(/([?&]again=)\d+/, '$1' + (+n[1] + 1))
      : src + (src.indexOf('?') < 0 ? '?' : '&') + 'again=1';
  }

  /* Loads the audio anew and goes to s in it, playing on if it played. */
  Player.prototype.reloadAt = function (s) {
    var self = this, a = this.audio, wasPlaying = !a.paused;
    this.pendingSeek = s;
    a.src = again(a.currentSrc || a.src);
    a.addEventListener('loadedmetadata', function once() {
      a.removeEventListener('loadedmetadata', once);
      if (wasPlaying)
        self.playNow();
      self.awaitSeek(true);
    });
    a.load();
  };

  Player.prototype.setSpeed = function (v) {
    var a = this.audio;
    try { localStorage.setItem('lyssna-speed', String(v)); } catch (e) { /* private mode */ }
    a.defaultPlaybackRate = v;
    /* WebKitGTK reads a stream it has not seen end as 0 s long, and a rate change while it
       plays one recurses until its web process crashes (2.50.6): loaded again where it is,
       the audio starts at the new rate (a load sets playbackRate to defaultPlaybackRate) */
    if (a.duration === 0 && this.mode && this.pendingSeek == null)
      this.reloadAt(a.currentTime);
    else
      a.playbackRate = v;
  };

  Player.prototype.key = function (e) {
    if (e.key === 'Escape' && !this.bar.hidden) {
      e.preventDefault();
      this.stop(true);
    } else if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && this.mode &&
               e.target.tagName !== 'SELECT') {
      e.preventDefault();
      this.seekTo((this.pendingSeek != null ? this.pendingSeek : this.audio.currentTime) +
                  (e.key === 'ArrowRight' ? 5 : -5));
    }
  };

  Player.prototype.on = function (ev) {
    var self = this;
    if (!this.mode)
      return;
    if (ev === 'playing') {
      this.msg.hidden = true;
      this.state(true);
      mediaSession(this);
      /* once a start or resume: a seek's own 'playing' would cut another announcement */
      if (!this.saidPlaying)
        this.say(this.t.playing);
      this.saidPlaying = true;
      (function frame() {
        self.tick();
        if (!self.audio.paused && self.mode)
          requestAnimationFrame(frame);
      })();
    } else if (ev === 'pause') {
      this.state(false);
      this.saidPlaying = false;
      mediaState(this);
      if (!this.audio.ended)
        this.say(this.t.paused);
    } else if (ev === 'ended') {
      this.state(false);
      paint('sentence', null);
      paint('word', null);
      this.say(this.t.ended);
    } else if (ev === 'error') {
      this.broken();
    } else {
      this.tick();
    }
  };

  Player.prototype.tick = function () {
    var now = this.audio.currentTime, d = this.duration(), m = this.marks;
    this.seek.max = String(Math.ceil(d));
    this.seek.value = String(Math.floor(now));
    this.seek.setAttribute('aria-valuetext', clock(now) + ' ' + this.t.of + ' ' + clock(d));
    this.time.textContent = clock(now) + ' / ' + clock(d);
    if (active === this && Math.floor(now) !== this.lastSecond)
      mediaState(this);
    this.lastSecond = Math.floor(now);
    if (!m || this.audio.ended || !this.mode)
      return;
    var ms = now * 1000, s = lastBefore(m.sentences, ms), w = lastBefore(m.words, ms);
    var wr = w && w.span.range && (!s || w.time >= s.time) ? w.span.range : null;
    var follow = wr || (s && s.range);
    paint('sentence', s ? s.range : null);
    paint('word', wr);
    if (this.aid)
      this.aid(s && s.range);
    if (follow && follow !== this.followed) {
      this.followed = follow;
      scrollTo(follow);
    }
  };

  /* "Börja vid": one option a block, from the marks; none while nothing is read. */
  Player.prototype.fillStarts = function (m) {
    var sel = this.from;
    sel.textContent = '';
    el('option', { value: '', text: '–' }, sel);
    (m && m.starts || []).forEach(function (b, i) {
      el('option', { value: String(i), text: b.label }, sel);
    });
  };

  /* Reads from block i of the marks, or (i < 0) from the block holding node or the first
   * after it; announced in the live region. Before the marks have come, once they come. */
  Player.prototype.startAt = function (i, node) {
    var m = this.marks;
    if (!this.mode || this.mode === 'selection') {
      if (i < 0 && !node)
        return this.say(this.t.noplace);
      this.pendingStart = { i: i, node: node };
      return this.listen();
    }
    if (!m) { /* the reading has begun, its marks not yet come: once they come */
      this.pendingStart = { i: i, node: node };
      return;
    }
    var b = i >= 0 ? m.starts[i] : null;
    for (var k = 0; !b && k < m.starts.length; k++) {
      var e = m.starts[k].el;
      if (e.contains(node) || node.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING)
        b = m.starts[k];
    }
    if (!b)
      return this.say(this.t.noplace);
    this.seekTo(b.time / 1000);
    if (this.audio.paused)
      this.playNow();
    this.say(this.t.fromhere + ': ' + b.label);
  };

  /* A single-page site showed another view (pushState, popstate, a new hash): the old
   * reading stops, its highlights go, and a reading under way goes on with the new view,
   * which exists only in the browser: its HTML is sent (POST /v1/listen). */
  Player.prototype.viewChanged = function () {
    var was = this.mode === 'page' && !this.audio.paused, self = this;
    if (this.mode)
      this.stop(false);
    this.pageMarks = null;
    this.posted = true;
    this.params.url = attr(this.host, 'url') || location.href.split('#')[0];
    this.dl.href = this.url('v1/listen', { format: 'mp3', chapters: '1' });
    if (was)
      setTimeout(function () { self.listen(); }, 50);
  };

  Player.prototype.readSelection = function () {
    var sel = window.getSelection(), range = null, text = '';
    if (sel && sel.rangeCount && !sel.isCollapsed && !this.box.contains(sel.anchorNode))
      range = sel.getRangeAt(0);
    else if (lastSelection)
      range = lastSelection;
    if (range)
      text = range.toString().replace(/\s+/g, ' ').trim();
    if (!text) {
      this.open();
      this.msg.textContent = this.t.nosel;
      this.msg.hidden = false;
      this.say(this.t.nosel);
      return;
    }
    var self = this, q = { voice: this.params.voice, format: this.params.format };
    var init = { method: 'POST', headers: { 'Content-Type': 'text/plain;charset=utf-8' }, body: text };
    var marks = this.fetchJson(this.base + 'v1/speak/marks?' + query(q), init).then(function (d) {
      return mapMarks(d, range.cloneRange());
    });
    this.mode = 'selection';
    this.fallback = null;
    this.marks = null;
    this.open();
    paint('sentence', null);
    paint('word', null);
    this.say(this.t.loading);
    fetch(this.base + 'v1/speak?' + query(q), init).then(function (r) {
      if (!r.ok)
        throw r.status;
      return r.blob();
    }).then(function (blob) {
      if (self.mode !== 'selection')
        return;
      if (self.blobUrl)
        URL.revokeObjectURL(self.blobUrl);
      self.blobUrl = URL.createObjectURL(blob);
      self.start(self.blobUrl, marks, 'selection');
    }).catch(function () {
      self.fail(self.t.selerror);
    });
  };

  /* A cross-origin link's download attribute is ignored: fetch the MP3 (CORS) and save it. */
  Player.prototype.download = function (e) {
    var a = this.dl;
    if (new URL(a.href).origin === location.origin || !window.fetch)
      return;
    e.preventDefault();
    fetch(a.href).then(function (r) {
      if (!r.ok)
        throw r.status;
      return r.blob();
    }).then(function (b) {
      var tmp = el('a', { href: URL.createObjectURL(b), download: a.getAttribute('download') });
      tmp.click();
      setTimeout(function () { URL.revokeObjectURL(tmp.href); }, 60000);
    }).catch(function () { location.href = a.href; });
  };

  /* The lock screen and a headset's buttons (Media Session API): the playing player's
   * title and site, its actions and position. p null: nothing plays. */
  function mediaSession(p) {
    var ms = navigator.mediaSession;
    active = p;
    if (!ms)
      return;
    ms.metadata = p && window.MediaMetadata ? new MediaMetadata({
      title: (p.marks && p.marks.title) || document.title, artist: location.hostname, album: p.t.player
    }) : null;
    mediaState(p);
  }

  function mediaState(p) {
    var ms = navigator.mediaSession, a = p && p.audio, d = p && p.duration();
    if (!ms)
      return;
    ms.playbackState = !p ? 'none' : a.paused ? 'paused' : 'playing';
    try {
      if (ms.setPositionState && d && isFinite(d))
        ms.setPositionState({ duration: d, playbackRate: a.playbackRate,
          position: Math.min(a.currentTime, d) });
    } catch (e) { /* a position the browser refuses: the next tick sends another */ }
  }

  function mediaActions() {
    var ms = navigator.mediaSession, acts = {
      play: function (p) { if (p.audio.paused) p.toggle(); },
      pause: function (p) { if (!p.audio.paused) p.toggle(); },
      stop: function (p) { p.stop(false); },
      seekto: function (p, d) { p.seekTo(d.seekTime); },
      seekbackward: function (p, d) { p.seekTo(p.audio.currentTime - (d.seekOffset || 10)); },
      seekforward: function (p, d) { p.seekTo(p.audio.currentTime + (d.seekOffset || 10)); }
    };
    if (!ms)
      return;
    Object.keys(acts).forEach(function (name) {
      try {
        ms.setActionHandler(name, function (d) {
          if (active)
            acts[name](active, d || {});
        });
      } catch (e) { /* an action this browser does not know */ }
    });
  }

  /* Single-page sites: pushState, popstate and hash changes are new views. */
  function watchViews() {
    var last = location.href, push = history.pushState;
    function changed() {
      if (location.href === last)
        return;
      last = location.href;
      players.forEach(function (p) { p.viewChanged(); });
    }
    history.pushState = function () {
      var r = push.apply(this, arguments);
      changed();
      return r;
    };
    window.addEventListener('popstate', changed);
    window.addEventListener('hashchange', changed);
  }

  /* Where the reader is: the node with the focus or the caret, outside the players. */
  function trackPlace() {
    document.addEventListener('focusin', function (e) {
      if (!e.target.closest || !e.target.closest('.lyssna'))
        lastPlace = e.target;
    });
    /* a caret counts where it is the reader's own (caret browsing: the focus is on the page
       or around the caret), not where a browser left the selection when focus moved */
    document.addEventListener('selectionchange', function () {
      var s = window.getSelection(), n = s && s.rangeCount && s.anchorNode, f = document.activeElement;
      if (n && s.isCollapsed && !(n.parentElement || document.body).closest('.lyssna') &&
          n !== document.body && n !== document.documentElement && (!f || f === document.body || f.contains(n)))
        lastPlace = n;
    });
  }

  /* A ReadSpeaker button: its link names what to read; only Swedish ones are taken over. */
  function upgradeReadSpeaker(rs) {
    var a = rs.querySelector('a[href]');
    if (!a)
      return;
    var u;
    try { u = new URL(a.href, location.href); } catch (e) { return; }
    var lang = (u.searchParams.get('lang') || '').toLowerCase();
    if (lang !== 'sv_se' && lang !== 'sv')
      return;
    Array.prototype.forEach.call(rs.children, function (c) { c.hidden = true; });
    rs.classList.add('lyssna-rs');
    players.push(new Player(rs, u.searchParams.get('readid') || ''));
  }

  var DOC_PATH = /\.(pdf|docx|odt)$/i;
  var DOC_TYPE = /^application\/(pdf|vnd\.openxmlformats-officedocument\.wordprocessingml\.document|vnd\.oasis\.opendocument\.text)$/i;

  /* The document a link is to: its own address, or the one a ReadSpeaker docReader link
   * carries in ?url= (so a site that switches keeps its templates); null for other links. */
  function documentOf(a, hosts) {
    var u, inner;
    try { u = new URL(a.href, location.href); } catch (e) { return null; }
    if (/(^|\.)readspeaker\.com$/i.test(u.hostname) && /\/docreader\/?$/.test(u.pathname)) {
      inner = u.searchParams.get('url');
      try { return inner ? { url: new URL(inner, location.href), lang: u.searchParams.get('lang'), rs: true } : null; } catch (e) { return null; }
    }
    if (!DOC_PATH.test(u.pathname) && !DOC_TYPE.test(a.type || ''))
      return null;
    return hosts.indexOf(u.hostname) >= 0 ? { url: u, lang: a.hreflang } : null;
  }

  /* A "Lyssna på dokumentet" link after every document link, to the service's reading page;
   * a docReader link itself is pointed there instead. hreflang (or docReader's lang) picks
   * the voice where it is not Swedish. */
  function linkDocuments(host) {
    var hosts = attr(host, 'documents').split(/\s+/).filter(Boolean).concat(location.hostname);
    var t = TEXT[pageLang(host)] || TEXT.sv;
    Array.prototype.forEach.call(document.querySelectorAll('a[href]'), function (a) {
      var d = !a.closest('.lyssna') && !a.classList.contains('lyssna-doc') && documentOf(a, hosts);
      if (!d)
        return;
      var lang = (d.lang || '').toLowerCase().split(/[-_]/)[0];
      var href = serviceBase(host) + 'read?' + query({ url: d.url.href, voice: lang && lang !== 'sv' ? lang : '' });
      if (d.rs) {
        a.href = href;
        return;
      }
      var name = a.textContent.replace(/\s+/g, ' ').trim();
      var l = el('a', { href: href, 'class': 'lyssna-doc', text: t.doc });
      if (name)
        l.setAttribute('aria-label', t.doc + ': ' + name);
      a.parentNode.insertBefore(l, a.nextSibling);
      a.parentNode.insertBefore(document.createTextNode(' '), l);
    });
  }

  /* The stylesheet beside the script, unless the page links it itself (with SRI, say). */
  function addStyles() {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    for (var i = 0; i < links.length; i++)
      if (/lyssna\.css(\?|$)/.test(links[i].href))
        return;
    if (script && script.src)
      el('link', { rel: 'stylesheet', href: widgetFile('lyssna.css') }, document.head);
  }

  function pageLang(host) {
    return (attr(host, 'lang') || document.documentElement.lang || 'sv').toLowerCase().split(/[-_]/)[0];
  }

  /* Labels in languages other than Swedish and English are fetched from i18n/LANG.json beside
     the script before the player is built; without them, or for a label they lack, Swedish. */
  function withLabels(done) {
    var l = pageLang(null);
    if (TEXT[l] || !window.fetch || !script || !script.src || !/^[a-z]{2,3}$/.test(l))
      return done();
    fetch(script.src.replace(/[^\/?]*(\?.*)?$/, 'i18n/' + l + '.json')).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (t) { if (t) TEXT[l] = Object.assign({}, TEXT.sv, t); }, function () {}).then(done);
  }

  function init() {
    addStyles();
    var hosts = document.querySelectorAll('[data-lyssna="button"]');
    Array.prototype.forEach.call(hosts, function (h) { players.push(new Player(h, '')); });
    Array.prototype.forEach.call(document.querySelectorAll('.rsbtn'), upgradeReadSpeaker);
    if (!players.length) {
      var target = document.querySelector('[data-lyssna="read"]') || document.querySelector('main') ||
        document.body;
      var h = document.createElement('div');
      target.insertBefore(h, target.firstChild);
      players.push(new Player(h, ''));
    }
    var docs = document.querySelector('[data-lyssna-documents]') ||
      (script && script.hasAttribute('data-lyssna-documents') ? script : null);
    if (docs)
      linkDocuments(docs);
    document.addEventListener('selectionchange', function () {
      var s = window.getSelection();
      if (s && s.rangeCount && !s.isCollapsed && !(s.anchorNode.parentElement || document.body).closest('.lyssna'))
        lastSelection = s.getRangeAt(0).cloneRange();
      players.forEach(function (p) { p.sel.hidden = !lastSelection && p.bar.hidden; });
    });
    window.addEventListener('resize', redraw);
    try {
      if (localStorage.getItem('lyssna-aids'))
        players[0].aids(true);
    } catch (e) { /* private mode */ }
    mediaActions();
    watchViews();
    trackPlace();
    ['wheel', 'touchmove'].forEach(function (ev) {
      window.addEventListener(ev, function () { userScrolled = Date.now(); }, { passive: true });
    });
  }

  if (document.readyState === 'loading')
    document.addEventListener('DOMContentLoaded', function () { withLabels(init); });
  else
    withLabels(init);
})();
