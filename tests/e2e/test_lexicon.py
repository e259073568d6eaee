"""The editors' lexicon end to end: /v1/lexicon with editors' keys, what a change does to new
and cached audio, imports and exports, `lyssna lexicon`, a second writer, and a kill -9 in the
middle of a stream of writes. Only loopback traffic."""
import json
import pathlib
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import uuid

import pytest

from conftest import ROOT, TIME_SCALE
from test_serve import assert_error, cached_response, request, speak_json, start_service

EDITOR = "editor-key-0123456789abcdef"
API_KEY = "plain-api-key-0123456789ab"
KEYS = f"[redaktion]\nkey = {EDITOR}\nrole = editor\n\n[cms]\nkey = {API_KEY}\n"
AUTH = {"Authorization": f"Bearer {EDITOR}"}


def start(lyssna_bin, tmp, *args):
    keys = tmp / "keys.ini"
    keys.write_text(KEYS)
    s = start_service(lyssna_bin, tmp, "--keys-file", keys, "--workers", "2", "--web", ROOT / "web",
                      "--allow-host", "127.0.0.1", "--allow-addr", "127.0.0.0/8", *args)
    s.lexicon_path = str(tmp / "lexicon.db")  # beside the cache folder start_service makes
    return s


@pytest.fixture(scope="module")
def svc(lyssna_bin, tmp_path_factory):
    s = start(lyssna_bin, tmp_path_factory.mktemp("lexicon"))
    yield s
    s.stop()


def lex(svc, method, path="/v1/lexicon", body=None, headers=AUTH, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    return request(svc.port, method, path, body=data,
                   headers={"Content-Type": "application/json", **(headers or {})})


def add(svc, text, say, **more):
    r = lex(svc, "POST", body={"text": text, "say": say, "lang": "sv", **more})
    assert r.status == 201, r
    return r.json()["id"]


def metric(svc, name):
    body = request(svc.port, "GET", "/metrics").body.decode()
    return int(float(next(line.rsplit(" ", 1)[1] for line in body.splitlines()
                          if line.startswith(name + " "))))


def audio(svc, text):
    """The cached audio of text (WAV), once its entry is committed."""
    r = cached_response(svc, lambda: speak_json(svc, {"text": text, "format": "wav"}))
    assert r.status == 200, r
    return r.body


def word():
    """A made-up place name no other test uses."""
    return "Lyssby" + uuid.uuid4().hex[:6].translate(str.maketrans("0123456789", "ghijklmnop"))


def test_only_an_editors_key_may_use_the_lexicon(svc):
    body = {"text": "Nynäshamn", "say": "nynäs-hamn", "lang": "sv"}
    assert_error(lex(svc, "POST", body=body, headers={}), 401, "key")
    assert_error(lex(svc, "GET", headers={}), 401, "key")
    assert_error(lex(svc, "POST", body=body, headers={"Authorization": f"Bearer {API_KEY}"}),
                 403, "editor")
    assert_error(lex(svc, "DELETE", "/v1/lexicon/1",
                     headers={"Authorization": f"Bearer {API_KEY}"}), 403, "editor")
    assert_error(lex(svc, "GET", "/v1/lexicon/export",
                     headers={"Authorization": "Bearer not-a-key-at-all-000"}), 401)
    # the public routes are what they were: no key needed there
    assert speak_json(svc, {"text": "Hej."}).status == 200


def test_add_search_change_remove(svc):
    w = word()
    i = add(svc, w, "lyss-by", note="ett påhittat namn", scope="www.example.se")
    found = lex(svc, "GET", f"/v1/lexicon?q={w.lower()}").json()["entries"]
    assert [(e["id"], e["text"], e["say"], e["scope"], e["who"]) for e in found] == \
        [(i, w, "lyss-by", "www.example.se", "redaktion")]
    assert lex(svc, "PUT", f"/v1/lexicon/{i}", body={"say": "lüss-by"}).status == 204
    assert lex(svc, "GET", f"/v1/lexicon?q={w}").json()["entries"][0]["say"] == "lüss-by"
    assert lex(svc, "DELETE", f"/v1/lexicon/{i}").status == 204
    assert lex(svc, "GET", f"/v1/lexicon?q={w}").json()["entries"] == []
    assert_error(lex(svc, "DELETE", f"/v1/lexicon/{i}"), 404, "no lexicon entry")
    assert_error(lex(svc, "PUT", "/v1/lexicon/abc", body={"say": "x"}), 404)
    history = lex(svc, "GET", "/v1/lexicon/history").json()["changes"]
    assert [c["action"] for c in history if c["id"] == i][:3] == ["remove", "change", "add"]


@pytest.mark.parametrize("body,words", [
    ({"text": "Tyresö", "say": "[[t,y:rE-s#Y:]]"}, ["espeak-ng cannot say", "t,y:rE-s#Y:"]),
    ({"text": "", "say": "x"}, ["'text'"]),
    ({"text": "Tyresö", "say": ""}, ["'say'"]),
    ({"text": "Tyresö", "say": "ty[[re]]"}, ["'say'"]),
    ({"text": "=cmd|' /C calc'!A0", "say": "x"}, ["'text'"]),
    ({"text": "Tyresö", "say": "t", "lang": "svenska!"}, ["'lang'"]),
    ({"text": "Tyresö", "say": "t", "scope": "http://x/"}, ["'scope'"]),
    ({"text": 3, "say": "t"}, ["'text' must be a string"]),
])
def test_bad_entries_are_refused_with_a_reason(svc, body, words):
    assert_error(lex(svc, "POST", body=body), 400, *words)


def test_invalid_utf8_json_and_a_twin_are_refused(svc):
    assert_error(lex(svc, "POST", raw=b'{"text": "Ny\xe4shamn", "say": "x"}'), 400)
    assert_error(lex(svc, "POST", raw=b"not json"), 400, "json")
    w = word()
    add(svc, w, "a")
    assert_error(lex(svc, "POST", body={"text": w, "say": "b", "lang": "sv"}), 400, "already")


def test_a_change_retires_only_the_audio_that_uses_it(svc):
    w = word()
    with_word = f"Bussen går till {w} i morgon."
    others = [f"Bussen går till Stockholm klockan {h}." for h in (7, 8, 9)]
    before = {t: audio(svc, t) for t in [with_word, *others]}
    i = add(svc, w, "[[l'ysby:]]")
    made = metric(svc, "lyssna_syntheses_total")
    after = {t: audio(svc, t) for t in [with_word, *others]}
    assert after[with_word] != before[with_word], "the entry is heard"
    assert all(after[t] == before[t] for t in others), "other audio is the same cached audio"
    assert metric(svc, "lyssna_syntheses_total") == made + 1, "only the changed text is made"
    assert lex(svc, "PUT", f"/v1/lexicon/{i}", body={"say": "lys-by"}).status == 204
    # undoing the change brings the earlier audio back, from the cache
    change = next(c["change"] for c in lex(svc, "GET", "/v1/lexicon/history").json()["changes"]
                  if c["id"] == i and c["action"] == "change")
    assert lex(svc, "POST", "/v1/lexicon/undo", body={"change": change}).status == 204
    made = metric(svc, "lyssna_syntheses_total")
    assert audio(svc, with_word) == after[with_word]
    assert metric(svc, "lyssna_syntheses_total") == made


def test_case_rules_and_whole_words_keep_other_audio(svc):
    # espeak-ng's audio of a text differs a little from one synthesis to the next: what was
    # not made again is the cached audio, byte for byte, and the syntheses count says so
    w = word()
    texts = {"lower": f"Orten {w.lower()}.", "inside": f"Orten {w}by.", "as written": f"Orten {w}.",
             "capitals": f"ORTEN {w.upper()}.", "genitive": f"{w}s hamn."}
    plain = {k: audio(svc, t) for k, t in texts.items()}
    add(svc, w, "[[b'u:]]")  # written with a capital: in lower case it is another word
    made = metric(svc, "lyssna_syntheses_total")
    now = {k: audio(svc, t) for k, t in texts.items()}
    assert metric(svc, "lyssna_syntheses_total") == made + 3
    assert now["lower"] == plain["lower"] and now["inside"] == plain["inside"]
    assert all(now[k] != plain[k] for k in ("as written", "capitals", "genitive"))


def csv_import(svc, data, ctype="text/csv"):
    return request(svc.port, "POST", "/v1/lexicon/import", body=data,
                   headers={"Content-Type": ctype, **AUTH})


def test_import_is_whole_or_nothing_with_problems_by_line(svc):
    a, b = word(), word()
    bad = f"text,say,note\n{a},a-by,ok\n=2+3,x,\n{b},\"[[b#]]\",\nKiruna,\"oclosed\n"
    r = csv_import(svc, bad.encode())
    doc = assert_error(r, 400, "nothing imported")
    assert [p.split(":")[0] for p in doc["problems"]] == ["line 3", "line 5"], doc
    assert lex(svc, "GET", f"/v1/lexicon?q={a}").json()["entries"] == []
    # phonemes espeak-ng cannot say stop it too
    doc = assert_error(csv_import(svc, f"text\tsay\n{a}\ta-by\n{b}\t[[b#]]\n".encode()), 400,
                       "espeak-ng cannot say", b)
    assert lex(svc, "GET", f"/v1/lexicon?q={a}").json()["entries"] == []
    r = csv_import(svc, f"\ufefftext;say;lang\n{a};a-by;sv\n{b};\"[[b'u:]]\";sv\n".encode())
    assert r.status == 200 and r.json() == {"imported": 2}, r
    assert len(lex(svc, "GET", f"/v1/lexicon?q={a}").json()["entries"]) == 1


def test_empty_huge_and_non_utf8_imports(svc):
    assert_error(csv_import(svc, b""), 400, "empty")
    assert_error(csv_import(svc, b"text,say\n"), 400, "no entries")
    assert_error(csv_import(svc, b"text,say\nNyn\xe4shamn,x\n"), 400, "utf-8")
    # 10 MB announced: refused before the body is read
    with socket.create_connection(("127.0.0.1", svc.port), timeout=30) as c:
        c.sendall(f"POST /v1/lexicon/import HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  f"Authorization: Bearer {EDITOR}\r\nContent-Type: text/csv\r\n"
                  f"Content-Length: {10 << 20}\r\n\r\n".encode() + b"text,say\n")
        answer = c.recv(4096).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413") and "at most" in answer, answer


def test_export_is_safe_from_formulas(svc):
    w = word()
    add(svc, w, "a-by", note="=HYPERLINK(\"http://x\")")
    add(svc, word(), "b", note="@SUM(1+1)")
    r = lex(svc, "GET", "/v1/lexicon/export")
    assert r.status == 200 and r.h("content-type").startswith("text/csv"), r
    assert "attachment" in r.h("content-disposition")
    text = r.body.decode()
    assert f'"{w}","a-by","sv","","\'=HYPERLINK(""http://x"")"' in text, text
    for line in text.splitlines()[1:]:
        for cell in line.split('","'):
            assert cell.strip('"')[:1] not in ("=", "+", "-", "@"), line
    tsv = lex(svc, "GET", "/v1/lexicon/export?format=tsv").body.decode()
    assert f"{w}\ta-by\tsv\t\t'=HYPERLINK" in tsv
    # what was exported imports again as it was
    assert csv_import(svc, r.body).status == 200


def test_a_second_writer_waits_then_is_told(svc, tmp_path):
    db = sqlite3.connect(svc.lexicon_path, timeout=1, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    try:
        w = word()
        t0 = time.monotonic()
        r = lex(svc, "POST", body={"text": w, "say": "x", "lang": "sv"})
        assert_error(r, 503, "try again")
        assert time.monotonic() - t0 >= 4.5, "it waited for the other writer first"
    finally:
        db.execute("ROLLBACK")
        db.close()
    assert lex(svc, "POST", body={"text": w, "say": "x", "lang": "sv"}).status == 201


def test_the_cli_shares_the_service_file(svc, run):
    w = word()
    before = audio(svc, f"Vi ses i {w}.")
    r = run("lexicon", "--file", svc.lexicon_path, "add", w, "[[v'i:]]", "--note", "från skript")
    assert r.returncode == 0 and r.stdout.strip().isdigit(), r
    deadline = time.monotonic() + 5 * TIME_SCALE
    while audio(svc, f"Vi ses i {w}.") == before:
        assert time.monotonic() < deadline, "the service took the change within 5 s"
        time.sleep(0.2)
    r = run("lexicon", "--file", svc.lexicon_path, "list", w)
    assert r.stdout.decode().split("\t")[1:3] == [w, "[[v'i:]]"], r
    r = run("lexicon", "--file", svc.lexicon_path, "add", word(), "[[b#]]")
    assert r.returncode == 2 and b"espeak-ng cannot say" in r.stderr, r
    assert len(r.stderr.decode().strip().splitlines()) == 1
    r = run("lexicon", "--file", svc.lexicon_path, "export", "--tsv")
    assert r.returncode == 0 and f"{w}\t[[v'i:]]\tsv\t\tfrån skript".encode() in r.stdout
    r = run("lexicon", "--file", svc.lexicon_path, "import", "-",
            input=b"text,say\nOk,ok\n,x\n")
    assert r.returncode == 8 and b"line 3:" in r.stderr, r


def test_kill_9_during_writes_loses_no_acknowledged_write(lyssna_bin, tmp_path):
    s = start(lyssna_bin, tmp_path)
    acked, stop = [], threading.Event()

    def writer():
        i = 0
        while not stop.is_set():
            i += 1
            try:
                r = lex(s, "POST", body={"text": f"Krasch{i:05d}".translate(
                    str.maketrans("0123456789", "abcdefghij")), "say": f"krasch {i}".replace(
                        str(i), "x"), "lang": "sv"})
            except OSError:
                return
            if r.status == 201:
                acked.append(r.json()["id"])

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    time.sleep(1.5 * TIME_SCALE)
    s.proc.send_signal(signal.SIGKILL)
    s.proc.wait(timeout=10)
    stop.set()
    t.join(timeout=30)
    assert len(acked) > 10, acked
    again = start(lyssna_bin, tmp_path)  # the same data folder: integrity is checked at start
    try:
        db = sqlite3.connect(again.lexicon_path)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # from the file itself: a search answers at most LEXICON_LIST_MAX entries
        ids = {row[0] for row in db.execute("SELECT id FROM entry")}
        db.close()
        missing = sorted(set(acked) - ids)
        assert not missing, f"acknowledged and lost: {missing}"
        print(f"\nFIGURE: kill -9 during writes: {len(acked)} acknowledged, "
              f"{len(ids)} present after restart, integrity ok")
    finally:
        again.stop()


def test_batch_says_the_lexicon_and_keys_only_what_uses_it(run, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    for name, place in (("a", "Lyssnahamn"), ("b", "Stockholm")):
        (site / f"{name}.html").write_text(
            f"<html><body><main><h1>Resa</h1><p>Vi åker till {place} i sommar.</p></main>"
            "</body></html>", encoding="utf-8")
    db = tmp_path / "lexicon.db"

    def keys(out, *more):
        r = run("batch", "-q", "-o", tmp_path / out, *more, site)
        assert r.returncode == 0, r
        lines = (tmp_path / out / "manifest.jsonl").read_text().splitlines()
        return {pathlib.Path(d["source"]).name: d["key"] for d in map(json.loads, lines)}

    before = keys("out1")
    assert run("lexicon", "--file", db, "add", "Lyssnahamn", "lyss-na-hamn").returncode == 0
    after = keys("out2", "--lexicon-file", db)
    assert after["a.html"] != before["a.html"] and after["b.html"] == before["b.html"]
    r = run("batch", "-q", "-o", tmp_path / "out3", "--lexicon-file", tmp_path / "no" / "x.db",
            site)
    assert r.returncode != 0 and b"lexicon" in r.stderr, r


def test_the_page_signs_in_to_a_cookie_and_changes_need_its_csrf_token(svc):
    page = request(svc.port, "GET", "/admin/lexicon")
    assert page.status == 200 and "script-src 'self'" in page.h("content-security-policy")
    assert "unsafe-inline" not in page.h("content-security-policy")
    assert_error(request(svc.port, "POST", "/admin/login", body=json.dumps({"key": API_KEY})),
                 401, "redaktörsnyckel")
    r = request(svc.port, "POST", "/admin/login", body=json.dumps({"key": EDITOR}))
    assert r.status == 200, r
    cookie = r.h("set-cookie")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie, cookie
    jar = {"Cookie": cookie.split(";")[0]}
    csrf = r.json()["csrf"]
    w = word()
    body = {"text": w, "say": "a-by", "lang": "sv"}
    assert_error(lex(svc, "POST", body=body, headers=jar), 403, "csrf")
    assert_error(lex(svc, "POST", body=body, headers={**jar, "X-CSRF-Token": "0" * 64}), 403)
    assert lex(svc, "POST", body=body, headers={**jar, "X-CSRF-Token": csrf}).status == 201
    assert lex(svc, "GET", f"/v1/lexicon?q={w}", headers=jar).json()["entries"][0]["who"] == \
        "redaktion"
    # a forged cookie, or one for a key that is not an editor's, is no session
    assert_error(lex(svc, "GET", headers={"Cookie": "lyssna_editor=redaktion.9999999999." +
                                          "0" * 64}), 401)
    assert_error(lex(svc, "GET", headers={"Cookie": "lyssna_editor=cms.9999999999." + "0" * 64}),
                 401)
    # the cookie is for the lexicon only: an API that needs a key does not take it
    assert_error(request(svc.port, "POST", "/v1/prefetch", body=b'{"urls": []}',
                         headers={**jar, "X-CSRF-Token": csrf}), 401)
    assert request(svc.port, "GET", "/admin/session", headers=jar).json()["csrf"] == csrf
    preview = lex(svc, "POST", "/v1/lexicon/preview", headers={**jar, "X-CSRF-Token": csrf},
                  body={"text": w, "say": "lyss-by", "sentence": f"Välkommen till {w}."})
    assert preview.status == 200 and preview.h("content-type") == "audio/mpeg", preview
    out = request(svc.port, "POST", "/admin/session", headers=jar)
    assert out.status == 204 and "Max-Age=0" in out.h("set-cookie")
    for _ in range(12):
        last = request(svc.port, "POST", "/admin/login", body=b"{}")
    assert_error(last, 429, "vänta")


def test_a_damaged_lexicon_is_named_and_left_off(lyssna_bin, tmp_path):
    (tmp_path / "lexicon.db").write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    s = start(lyssna_bin, tmp_path)
    try:
        assert_error(lex(s, "GET"), 500, "not open")
        assert speak_json(s, {"text": "Hej."}).status == 200, "the service goes on"
    finally:
        s.stop()
    assert "the editors' lexicon is off" in s.stderr_text(), s.stderr_text()[-2000:]
