// lexicon.js -- the editor's page (/admin/lexicon): sign in with an editor's key (the service
// answers a session cookie and a CSRF token, kept in memory only), search, add, change and
// remove words, hear the word alone and in a sentence before saving (POST /v1/lexicon/preview),
// see where a word is said and hear those pages, import and export CSV/TSV, undo changes.
// No inline script or style: the page runs under a strict Content-Security-Policy.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  let csrf = '';
  let audioUrl = null;

  const say = (msg) => { $('status').textContent = msg; };

  async function api(method, path, body, type) {
    const headers = {};
    if (method !== 'GET')
      headers['X-CSRF-Token'] = csrf;
    if (body !== undefined)
      headers['Content-Type'] = type || 'application/json';
    return fetch(path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : type ? body : JSON.stringify(body),
    });
  }

  async function reason(r) {
    try {
      const doc = await r.json();
      return doc.message || r.statusText;
    } catch (e) {
      return r.statusText;
    }
  }

  function button(label, hidden, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'secondary';
    b.append(label);
    const vh = document.createElement('span');
    vh.className = 'vh';
    vh.textContent = ` ${hidden}`;
    b.append(vh);
    b.addEventListener('click', onClick);
    return b;
  }

  function entryOf() {
    return {
      text: $('text').value, say: $('say').value, lang: $('lang').value,
      scope: $('scope').value, note: $('note').value,
    };
  }

  function fill(e) {
    $('id').value = e ? e.id : '';
    for (const f of ['text', 'say', 'scope', 'note'])
      $(f).value = e ? e[f] : '';
    $('lang').value = e ? e.lang : 'sv';
    $('save').textContent = e ? `Spara ändringen av ${e.text}` : 'Spara';
  }

  async function play(r, what) {
    if (!r.ok)
      return say(`Kunde inte spela upp: ${await reason(r)}`);
    if (audioUrl)
      URL.revokeObjectURL(audioUrl);
    audioUrl = URL.createObjectURL(await r.blob());
    $('player').src = audioUrl;
    say(`Spelar upp ${what}.`);
    $('player').play().catch(() => {});
  }

  async function hear(inSentence) {
    const e = entryOf();
    if (!e.text || !e.say)
      return say('Skriv ordet och hur det uttalas först.');
    const sentence = inSentence ? $('sentence').value || `Välkommen till ${e.text}.` : '';
    const r = await api('POST', '/v1/lexicon/preview', { ...e, sentence });
    await play(r, inSentence ? 'meningen' : 'ordet');
  }

  // quiet: after a change, whose own message stays (a screen reader hears that one)
  async function search(quiet) {
    const r = await api('GET', `/v1/lexicon?q=${encodeURIComponent($('q').value)}`);
    if (!r.ok)
      return say(`Sökningen misslyckades: ${await reason(r)}`);
    const list = $('results');
    list.replaceChildren();
    for (const e of (await r.json()).entries) {
      const li = document.createElement('li');
      const where = e.scope ? e.scope : 'alla webbplatser';
      li.append(`${e.text} – ${e.say} (${where}; ändrad av ${e.who}) `);
      li.append(button('Ändra', e.text, () => { fill(e); $('text').focus(); }));
      li.append(button('Ta bort', e.text, () => remove(e)));
      li.append(button('Var sägs', e.text, () => whereSaid(e.text)));
      list.append(li);
    }
    if (!quiet)
      say(`${list.children.length} ord hittades.`);
  }

  async function remove(e) {
    const r = await api('DELETE', `/v1/lexicon/${e.id}`);
    say(r.ok ? `${e.text} togs bort. Du kan ångra under Senaste ändringar.`
      : `Kunde inte ta bort: ${await reason(r)}`);
    await search(true);
    await history();
  }

  async function save(ev) {
    ev.preventDefault();
    const id = $('id').value;
    const r = id ? await api('PUT', `/v1/lexicon/${id}`, entryOf())
      : await api('POST', '/v1/lexicon', entryOf());
    if (!r.ok)
      return say(`Sparades inte: ${await reason(r)}`);
    say(`${$('text').value} är sparat och hörs på alla sidor inom några sekunder.`);
    $('q').value = $('text').value;
    fill(null);
    await search(true);
    await history();
  }

  async function whereSaid(text) {
    const r = await api('GET', `/v1/lexicon/where?text=${encodeURIComponent(text)}`);
    const list = $('where');
    list.replaceChildren();
    if (!r.ok)
      return say(`Kunde inte söka: ${await reason(r)}`);
    for (const url of (await r.json()).pages) {
      const li = document.createElement('li');
      li.append(`${url} `);
      li.append(button('Lyssna', url, async () =>
        play(await fetch(`/v1/listen?url=${encodeURIComponent(url)}`), 'sidan')));
      list.append(li);
    }
    say(list.children.length ? `${text} sägs på ${list.children.length} sidor som lästs nyligen.`
      : `Ingen sida som lästs nyligen innehåller ${text}.`);
  }

  async function history() {
    const r = await api('GET', '/v1/lexicon/history');
    if (!r.ok)
      return;
    const names = { add: 'lade till', change: 'ändrade', remove: 'tog bort', undo: 'ångrade för' };
    const list = $('history');
    list.replaceChildren();
    for (const c of (await r.json()).changes.slice(0, 20)) {
      const e = c.after || c.before;
      const li = document.createElement('li');
      li.append(`${c.who} ${names[c.action] || c.action} ${e.text} (${e.say}) `);
      li.append(button('Ångra', `ändring ${c.change} av ${e.text}`, async () => {
        const u = await api('POST', '/v1/lexicon/undo', { change: c.change });
        say(u.ok ? `Ändringen av ${e.text} är ångrad.` : `Kunde inte ångra: ${await reason(u)}`);
        await search(true);
        await history();
      }));
      list.append(li);
    }
  }

  async function importFile(ev) {
    ev.preventDefault();
    const file = $('file').files[0];
    const problems = $('problems');
    problems.replaceChildren();
    if (!file)
      return say('Välj en fil först.');
    const type = /\.tsv$/i.test(file.name) ? 'text/tab-separated-values' : 'text/csv';
    const r = await api('POST', '/v1/lexicon/import', await file.text(), type);
    const doc = await r.json().catch(() => ({}));
    if (r.ok) {
      say(`${doc.imported} ord importerades.`);
      await search(true);
      return history();
    }
    for (const p of doc.problems || []) {
      const li = document.createElement('li');
      li.textContent = p;
      problems.append(li);
    }
    say(`Inget importerades: ${doc.message || r.statusText}`);
  }

  function signedIn(doc) {
    csrf = doc.csrf;
    $('who').textContent = doc.name;
    $('login').hidden = true;
    $('app').hidden = false;
    search(true);
    history();
  }

  async function login(ev) {
    ev.preventDefault();
    const r = await fetch('/admin/login', {
      method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ key: $('key').value }),
    });
    $('key').value = '';
    if (!r.ok)
      return say(`Inloggningen misslyckades: ${await reason(r)}`);
    signedIn(await r.json());
    say('Du är inloggad.');
    $('text').focus();
  }

  async function logout() {
    await fetch('/admin/session', { method: 'POST', credentials: 'same-origin' });
    csrf = '';
    $('app').hidden = true;
    $('login').hidden = false;
    say('Du är utloggad.');
    $('key').focus();
  }

  document.addEventListener('DOMContentLoaded', async () => {
    const id = document.createElement('input');
    id.type = 'hidden';
    id.id = 'id';
    $('entry').prepend(id);
    $('login-form').addEventListener('submit', login);
    $('logout').addEventListener('click', logout);
    $('entry').addEventListener('submit', save);
    $('hear-word').addEventListener('click', () => hear(false));
    $('hear-sentence').addEventListener('click', () => hear(true));
    $('clear').addEventListener('click', () => { fill(null); say('Formuläret är tömt.'); });
    $('search').addEventListener('submit', (ev) => { ev.preventDefault(); search(); });
    $('import').addEventListener('submit', importFile);
    const r = await fetch('/admin/session', { credentials: 'same-origin' });
    if (r.ok)
      signedIn(await r.json());
  });
})();
