"""`lyssna serve` end to end: the real binary on a loopback port, a local origin, real audio.

Only loopback traffic: the origin (origin.py) listens on 127.0.0.1, hosts the service must refuse
(evil.example) are refused before any lookup, and blocked addresses are loopback spellings.
"""
import http.client
import json
import os
import select
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import uuid

import pytest

from conftest import FIXTURES, ROOT, TIME_SCALE
from origin import Origin

PAGES = FIXTURES / "pages"
PAGE = "sophamtning-villor-fritidshus.html"  # readid "article"
SHORT_PAGE = "nyhet-badhuset-stanger-for-renovering.html"
SENTENCE = "Kommunfullmäktige sammanträder i stadshuset. Mötet är öppet för allmänheten."
AUDIO_TYPES = {"mp3": "audio/mpeg", "ogg": "audio/ogg", "opus": "audio/ogg", "wav": "audio/wav"}


# -- the service ---------------------------------------------------------------------------

class Service:
    """One running `lyssna serve`; stdout/stderr are drained so the pipes never fill."""

    def __init__(self, proc, port):
        self.proc, self.port = proc, port
        self.out, self.err = [], []
        for stream, sink in ((proc.stdout, self.out), (proc.stderr, self.err)):
            threading.Thread(target=self._drain, args=(stream, sink), daemon=True).start()

    @staticmethod
    def _drain(stream, sink):
        for line in iter(stream.readline, b""):
            sink.append(line)

    def stop(self, timeout=15):
        """SIGTERM, wait; SIGKILL only the pid we started if it will not go. Returns exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout * TIME_SCALE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        return self.proc.returncode

    def stderr_text(self):
        return b"".join(self.err).decode(errors="replace")


def read_first_line(proc, timeout=30):
    """The first stdout line, read with a deadline (no thread left blocked on it)."""
    fd = proc.stdout.fileno()
    buf = b""
    deadline = time.monotonic() + timeout
    while b"\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            break
        chunk = os.read(fd, 1)  # byte by byte: leave the rest to the buffered reader
        if not chunk:
            break
        buf += chunk
    return buf.decode(errors="replace").strip()


def start_service(lyssna_bin, tmp_path, *args, timeout=30):
    cache = tmp_path / f"cache-{uuid.uuid4().hex[:8]}"
    cmd = [lyssna_bin, "serve", "--listen", "127.0.0.1:0", "--cache-dir", str(cache),
           *map(str, args)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    line = read_first_line(proc, timeout * TIME_SCALE)
    prefix = "listening on http://127.0.0.1:"
    if not line.startswith(prefix):
        try:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        pytest.fail(f"{' '.join(cmd)}: first stdout line {line!r}, exit {proc.returncode}, "
                    f"stderr {err.decode(errors='replace')[-2000:]!r}")
    return Service(proc, int(line[len(prefix):].rstrip("/")))


@pytest.fixture(scope="module")
def origin():
    with Origin() as o:
        yield o


@pytest.fixture(scope="module")
def svc(lyssna_bin, tmp_path_factory, origin):
    s = start_service(lyssna_bin, tmp_path_factory.mktemp("serve"), "--allow-host", "127.0.0.1",
                      "--allow-addr", "127.0.0.0/8", "--workers", "2", "--web", ROOT / "web")
    yield s
    s.stop()


# -- HTTP helpers --------------------------------------------------------------------------

class Resp:
    def __init__(self, status, headers, body):
        self.status, self.body = status, body
        self.headers = {k.lower(): v for k, v in headers}

    def h(self, name):
        return self.headers.get(name.lower())

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.status} {self.headers} {self.body[:300]!r}>"


def request(port, method, path, body=None, headers=None, timeout=90):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout * TIME_SCALE)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return Resp(r.status, r.getheaders(), r.read())
    finally:
        conn.close()


def get(svc, path, **kw):
    return request(svc.port, "GET", path, **kw)


def speak(svc, text, query="", ctype="text/plain; charset=utf-8", path="/v1/speak", headers=None,
          **kw):
    body = text.encode() if isinstance(text, str) else text
    h = {"Content-Type": ctype, **(headers or {})}
    return request(svc.port, "POST", path + (("?" + query) if query else ""), body=body,
                   headers=h, **kw)


def speak_json(svc, obj, path="/v1/speak", **kw):
    return speak(svc, json.dumps(obj), ctype="application/json", path=path, **kw)


def listen_path(route, url, **params):
    q = urllib.parse.urlencode({"url": url, **params})
    return f"{route}?{q}"


def unique(text=SENTENCE):
    """A text no earlier request has cached (a fresh number in words changes the audio)."""
    n = uuid.uuid4().int % 900000 + 100000
    return f"{text} Ärende nummer {n}."


def assert_error(r, status, *words):
    assert r.status == status, r
    assert (r.h("content-type") or "").startswith("application/json"), r
    doc = r.json()
    assert isinstance(doc.get("error"), str) and doc["error"], doc
    assert isinstance(doc.get("message"), str) and doc["message"], doc
    for w in words:
        assert w.lower() in doc["message"].lower(), doc
    return doc


def decoded_seconds(data, tmp_path, name="a"):
    """Decode with ffmpeg (not the service's own reader) and count samples."""
    path = tmp_path / f"{name}-{uuid.uuid4().hex[:6]}"
    path.write_bytes(data)
    p = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1",
                        "-ar", "22050", "-"], capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    return len(p.stdout) / 2 / 22050


def cached_response(svc, send, tries=20):
    """Repeat send() until the answer has a Content-Length (the cache entry is committed as
    the stream ends, so the very next request may race it by a moment)."""
    r = send()
    for _ in range(tries):
        if r.status != 200 or r.h("content-length") is not None:
            break
        time.sleep(0.25)
        r = send()
    return r


# -- start-up and configuration ------------------------------------------------------------

def test_refuses_to_start_without_an_allowed_host(lyssna_bin, tmp_path):
    p = subprocess.run([lyssna_bin, "serve", "--listen", "127.0.0.1:0", "--cache-dir",
                        str(tmp_path / "c")], capture_output=True, timeout=30)
    assert p.returncode == 2, p
    assert p.stdout == b"", p.stdout
    lines = p.stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines


@pytest.mark.parametrize("conf,line", [
    ("[fetch]\ntimeout_ms = 1000\nno_such_key = 1\n", 3),
    ("[fetch]\ntimeout_ms = soon\n", 2),
], ids=["unknown-key", "bad-value"])
def test_config_mistake_stops_startup_naming_file_and_line(lyssna_bin, tmp_path, conf, line):
    path = tmp_path / "bad.conf"
    path.write_text(conf)
    p = subprocess.run([lyssna_bin, "serve", "--config", str(path), "--listen", "127.0.0.1:0",
                        "--cache-dir", str(tmp_path / "c"), "--allow-host", "127.0.0.1"],
                       capture_output=True, timeout=30)
    assert p.returncode == 2, p
    err = p.stderr.decode()
    assert "bad.conf" in err, err
    assert f":{line}" in err or f"line {line}" in err, err
    assert "listening" not in p.stdout.decode()


def test_healthz(svc):
    assert get(svc, "/healthz").status == 200


def test_voices_list_sv(svc):
    r = get(svc, "/v1/voices")
    assert r.status == 200, r
    assert (r.h("content-type") or "").startswith("application/json"), r
    doc = r.json()
    voices = doc["voices"] if isinstance(doc, dict) else doc
    assert isinstance(voices, list)
    names = [v if isinstance(v, str) else v.get("name", v.get("id")) for v in voices]
    assert "sv" in names, doc


def test_unknown_path_is_json_404(svc):
    assert_error(get(svc, "/v1/nothing-here"), 404)


# -- POST /v1/speak ------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["mp3", "ogg", "opus", "wav"])
def test_speak_every_format_decodes(svc, tmp_path, fmt):
    r = speak(svc, unique(), query=f"format={fmt}")
    assert r.status == 200, r
    assert (r.h("content-type") or "").startswith(AUDIO_TYPES[fmt]), r.headers
    assert decoded_seconds(r.body, tmp_path) > 2.0


def test_speak_defaults_to_mp3(svc, tmp_path):
    r = speak(svc, unique())
    assert r.status == 200, r
    assert r.h("content-type").startswith("audio/mpeg")
    assert r.body[:3] == b"ID3" or (r.body[0] == 0xFF and r.body[1] & 0xE0 == 0xE0)
    assert decoded_seconds(r.body, tmp_path) > 2.0


def test_speak_streams_first_then_serves_from_cache(svc, tmp_path):
    text = unique()
    first = speak(svc, text)
    assert first.status == 200, first
    assert first.h("content-length") is None, first.headers
    assert (first.h("transfer-encoding") or "").lower() == "chunked", first.headers
    second = cached_response(svc, lambda: speak(svc, text))
    assert second.status == 200, second
    assert second.h("content-length") == str(len(second.body)), second.headers
    for name in ("etag", "last-modified", "cache-control"):
        assert second.h(name), (name, second.headers)
    assert second.h("accept-ranges") == "bytes", second.headers
    assert second.body == first.body
    assert decoded_seconds(first.body, tmp_path) > 2.0


@pytest.fixture(scope="module")
def cached(svc):
    """A cached MP3: (text, its response with ETag and Content-Length)."""
    text = unique("Det här ljudet ligger i cachen.")
    assert speak(svc, text).status == 200
    r = cached_response(svc, lambda: speak(svc, text))
    assert r.status == 200 and r.h("content-length"), r
    return text, r


def test_if_none_match_gives_304(svc, cached):
    text, full = cached
    r = speak(svc, text, headers={"If-None-Match": full.h("etag")})
    assert r.status == 304, r
    assert r.body == b""


def test_range_gives_206(svc, cached):
    text, full = cached
    size = len(full.body)
    r = speak(svc, text, headers={"Range": "bytes=0-99"})
    assert r.status == 206, r
    assert r.h("content-range") == f"bytes 0-99/{size}", r.headers
    assert r.body == full.body[:100]
    r = speak(svc, text, headers={"Range": f"bytes={size - 10}-"})
    assert r.status == 206, r
    assert r.h("content-range") == f"bytes {size - 10}-{size - 1}/{size}", r.headers
    assert r.body == full.body[-10:]


def test_safari_range_probe_on_new_audio_gets_206(svc):
    """Safari asks "bytes=0-1" first and plays nothing without a 206 naming the size."""
    text = unique("Safari vill veta hur stor ljudfilen är innan den spelar.")
    probe = speak(svc, text, query="format=mp3", headers={"Range": "bytes=0-1"})
    assert probe.status == 206, probe
    assert len(probe.body) == 2
    size = int(probe.h("content-range").rsplit("/", 1)[1])
    whole = speak(svc, text, query="format=mp3")
    assert whole.status == 200 and len(whole.body) == size
    assert whole.body[:2] == probe.body


def test_open_range_on_new_audio_streams_at_once(svc):
    """Chromium and Firefox start a stream with "bytes=0-": a 200 stream answers it."""
    r = speak(svc, unique(), query="format=mp3", headers={"Range": "bytes=0-"})
    assert r.status == 200, r
    assert r.h("content-length") is None and len(r.body) > 1000


def test_unsatisfiable_range_gives_416(svc, cached):
    text, full = cached
    size = len(full.body)
    r = speak(svc, text, headers={"Range": f"bytes={size + 100}-{size + 200}"})
    assert r.status == 416, r
    assert r.h("content-range") == f"bytes */{size}", r.headers


def test_speak_ssml_body(svc, tmp_path):
    doc = ('<speak xml:lang="sv">Ett. <break time="2s"/> Två. '
           f'{unique("Tre.")}</speak>')
    r = speak(svc, doc, query="format=ogg", ctype="application/ssml+xml")
    assert r.status == 200, r
    assert r.h("content-type").startswith("audio/ogg")
    assert decoded_seconds(r.body, tmp_path) > 3.0


@pytest.mark.parametrize("key", ["text", "ssml"])
def test_speak_json_body(svc, tmp_path, key):
    text = unique()
    value = text if key == "text" else f"<speak>{text}</speak>"
    r = speak_json(svc, {key: value, "voice": "sv", "rate": 170, "format": "wav"})
    assert r.status == 200, r
    assert r.h("content-type").startswith("audio/wav"), r.headers
    assert decoded_seconds(r.body, tmp_path) > 2.0


def test_speak_rate_and_voice_change_duration(svc, tmp_path):
    text = unique()
    normal = decoded_seconds(speak(svc, text, query="format=wav").body, tmp_path)
    fast = decoded_seconds(speak(svc, text, query="format=wav&rate=300").body, tmp_path)
    slow = speak_json(svc, {"text": text, "voice": "sv-tydlig", "format": "wav"})
    assert slow.status == 200, slow
    assert fast < normal * 0.8, (fast, normal)
    assert decoded_seconds(slow.body, tmp_path) > normal * 1.15


@pytest.mark.parametrize("how", ["plain", "json"])
def test_speak_marks_are_byte_slices_of_the_text(svc, how):
    text = "Åsa  åt   ölet. Ärendet 😀 gäller Öland!\nRubrik utan punkt\n"
    if how == "plain":
        r = speak(svc, text, path="/v1/speak/marks")
    else:
        r = speak_json(svc, {"text": text}, path="/v1/speak/marks")
    assert r.status == 200, r
    assert (r.h("content-type") or "").startswith("application/json"), r.headers
    doc = r.json()
    src = text.encode()
    assert doc["duration_ms"] > 1000
    for m in doc["marks"]:
        assert set(m) >= {"time", "type", "start", "end", "value"}, m
        assert src[m["start"]:m["end"]].decode() == m["value"], m
    assert [m["value"] for m in doc["marks"] if m["type"] == "word"] == [
        "Åsa", "åt", "ölet", "Ärendet", "😀", "gäller", "Öland", "Rubrik", "utan", "punkt"]
    assert any(m["type"] == "sentence" for m in doc["marks"])
    times = [m["time"] for m in doc["marks"]]
    assert times == sorted(times) and times[-1] <= doc["duration_ms"]


@pytest.mark.parametrize("case", ["voice", "format", "rate", "empty", "utf8", "json-voice",
                                  "bad-json"])
def test_speak_bad_input_is_400(svc, case):
    if case == "voice":
        r = speak(svc, "Hej.", query="voice=klingon")
    elif case == "format":
        r = speak(svc, "Hej.", query="format=aac")
    elif case == "rate":
        r = speak(svc, "Hej.", query="rate=1000")
    elif case == "empty":
        r = speak(svc, "  \n\t \n")
    elif case == "utf8":
        r = speak(svc, b"Hej \xff\xfe d\xe5")
    elif case == "json-voice":
        r = speak_json(svc, {"text": "Hej.", "voice": "klingon"})
    else:
        r = speak(svc, b'{"text": "Hej', ctype="application/json")
    assert_error(r, 400)


def test_speak_text_over_the_cap_is_413(svc):
    assert_error(speak(svc, b"a " * (1 << 19) + b"a"), 413)


def test_malformed_ssml_is_400_with_line_and_column(svc):
    r = speak(svc, "<speak>\n<p>Hej\n<s>fel</p>\n</speak>", ctype="application/ssml+xml")
    doc = assert_error(r, 400, "line 3", "column")
    assert "11" in doc["message"], doc


# -- GET /v1/listen ------------------------------------------------------------------------

def extracted_text(blocks):
    """The extracted text the offsets point into: each block's text at its start."""
    size = max(b["end"] for b in blocks)
    text = bytearray(b"\n" * size)
    for b in blocks:
        raw = b["text"].encode()
        assert len(raw) == b["end"] - b["start"], b
        text[b["start"]:b["end"]] = raw
    return bytes(text)


def test_listen_text_is_the_extraction(svc, origin, run):
    before = origin.count("/" + PAGE)
    r = get(svc, listen_path("/v1/listen/text", origin.url("/" + PAGE), readid="article"))
    assert r.status == 200, r
    assert (r.h("content-type") or "").startswith("application/json"), r.headers
    doc = r.json()
    cli = json.loads(run("extract", "--json", "--readid", "article", PAGES / PAGE).stdout)
    assert doc["title"] == cli["title"]
    assert doc["lang"] == cli["lang"]
    assert [(b["text"], b["xpath"], b["start"], b["end"]) for b in doc["blocks"]] == \
           [(b["text"], b["xpath"], b["start"], b["end"]) for b in cli["blocks"]]
    assert doc["words"] > 100 and doc["duration_ms"] > 10_000
    assert origin.count("/" + PAGE) >= max(before, 1)


def test_listen_reuses_a_recently_fetched_page(svc, origin):
    """A listen is followed by marks and range requests: the page is fetched once."""
    page = "/kontakta-kommunen-oppettider.html"
    assert get(svc, listen_path("/v1/listen/text", origin.url(page))).status == 200
    fetched = origin.count(page)
    assert fetched >= 1
    for path in ("/v1/listen/text", "/v1/listen/marks", "/v1/listen"):
        assert get(svc, listen_path(path, origin.url(page))).status == 200
    assert origin.count(page) == fetched


def test_listen_readid_narrows_the_text(svc, origin):
    url = origin.url("/" + PAGE)
    whole = get(svc, listen_path("/v1/listen/text", url)).json()
    part = get(svc, listen_path("/v1/listen/text", url, readid="article")).json()
    assert all(b["xpath"].count("/article") for b in part["blocks"]), part["blocks"][:3]
    assert whole["words"] >= part["words"]


def test_listen_gives_audio_of_the_page(svc, origin, tmp_path):
    r = get(svc, listen_path("/v1/listen", origin.url("/" + SHORT_PAGE)))
    assert r.status == 200, r
    assert r.h("content-type").startswith("audio/mpeg"), r.headers
    assert decoded_seconds(r.body, tmp_path) > 30


def test_listen_format_and_rate(svc, origin, tmp_path):
    url = origin.url("/" + SHORT_PAGE)
    r = get(svc, listen_path("/v1/listen", url, format="ogg", rate=300, voice="sv"))
    assert r.status == 200, r
    assert r.h("content-type").startswith("audio/ogg"), r.headers
    fast = decoded_seconds(r.body, tmp_path)
    normal = get(svc, listen_path("/v1/listen/marks", url)).json()["duration_ms"] / 1000
    assert 10 < fast < normal * 0.8, (fast, normal)


def test_repeated_listens_with_other_parameters_get_their_own_audio(svc, origin):
    """A repeated listen of a recent page goes straight to the cache by its parameters."""
    url = origin.url("/" + SHORT_PAGE)
    first = {f: get(svc, listen_path("/v1/listen", url, format=f)) for f in ("mp3", "wav")}
    for _ in range(2):
        for f, want in (("mp3", "audio/mpeg"), ("wav", "audio/wav")):
            r = get(svc, listen_path("/v1/listen", url, format=f))
            assert r.status == 200 and r.h("content-type").startswith(want), r
            assert r.body == first[f].body
    slow = get(svc, listen_path("/v1/listen", url, format="wav", rate=120))
    assert slow.status == 200 and len(slow.body) > len(first["wav"].body) * 1.2


def test_listen_marks_point_into_the_extracted_text(svc, origin):
    url = origin.url("/" + PAGE)
    r = get(svc, listen_path("/v1/listen/marks", url, readid="article"))
    assert r.status == 200, r
    doc = r.json()
    text_doc = get(svc, listen_path("/v1/listen/text", url, readid="article")).json()
    assert doc["title"] == text_doc["title"]
    assert doc["duration_ms"] > 10_000
    assert [(b["xpath"], b["start"], b["end"]) for b in doc["blocks"]] == \
           [(b["xpath"], b["start"], b["end"]) for b in text_doc["blocks"]]
    text = extracted_text(text_doc["blocks"])
    words = [m for m in doc["marks"] if m["type"] == "word"]
    assert len(words) > 100
    for m in doc["marks"]:
        assert text[m["start"]:m["end"]].decode() == m["value"], m
    times = [m["time"] for m in doc["marks"]]
    assert times == sorted(times) and times[-1] <= doc["duration_ms"]


def test_marks_are_synthesized_once_then_cached(svc):
    def synth_seconds():
        line = [l for l in get(svc, "/metrics").body.decode().splitlines()
                if l.startswith("lyssna_synthesis_seconds_total")][0]
        return float(line.split()[-1])

    text = unique("Markeringarna räknas ut en gång och sparas sedan.")
    first = speak(svc, text, path="/v1/speak/marks")
    assert first.status == 200, first
    before = synth_seconds()
    again = speak(svc, text, path="/v1/speak/marks")
    assert again.status == 200 and again.json() == first.json()
    assert synth_seconds() == before  # no worker was asked


@pytest.mark.parametrize("route", ["/v1/listen", "/v1/listen/text", "/v1/listen/marks"])
def test_listen_without_url_is_400(svc, route):
    assert_error(get(svc, route), 400)


@pytest.mark.parametrize("url,status", [
    ("not a url", 400),
    ("ftp://127.0.0.1/page.html", 400),
    ("http://evil.example/", 403),
], ids=["garbage", "ftp", "host-not-allowed"])
def test_listen_bad_urls(svc, url, status):
    assert_error(get(svc, listen_path("/v1/listen", url)), status)


def test_listen_origin_404_is_502(svc, origin):
    assert_error(get(svc, listen_path("/v1/listen/text", origin.url("/404"))), 502, "404")


@pytest.mark.parametrize("param", [{"voice": "klingon"}, {"format": "aac"}],
                         ids=["voice", "format"])
def test_listen_bad_params_are_400(svc, origin, param):
    assert_error(get(svc, listen_path("/v1/listen", origin.url("/" + SHORT_PAGE), **param)), 400)


def test_origin_that_hangs_gives_504(lyssna_bin, tmp_path, origin):
    conf = tmp_path / "lyssna.conf"
    conf.write_text("[fetch]\ntimeout_ms = 1000\n")
    s = start_service(lyssna_bin, tmp_path, "--config", conf, "--allow-host", "127.0.0.1",
                      "--allow-addr", "127.0.0.0/8", "--workers", "1")
    try:
        t0 = time.monotonic()
        r = get(s, listen_path("/v1/listen", origin.url("/hang")), timeout=40)
        took = time.monotonic() - t0
        assert_error(r, 504)
        assert took < 8, took
        assert get(s, "/healthz").status == 200
    finally:
        s.stop()


# -- blocked addresses ---------------------------------------------------------------------

LOOPBACK_HOSTS = ["127.0.0.1", "127.1", "0x7f000001", "2130706433", "::1", "::ffff:127.0.0.1",
                  "::ffff:7f00:1"]


@pytest.fixture(scope="module")
def strict(lyssna_bin, tmp_path_factory):
    """A service that allows the loopback host names but not loopback addresses."""
    args = []
    for h in LOOPBACK_HOSTS:
        args += ["--allow-host", h]
    s = start_service(lyssna_bin, tmp_path_factory.mktemp("strict"), *args, "--workers", "1")
    yield s
    s.stop()


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1", "0x7f000001", "2130706433", "[::1]",
                                  "[::ffff:127.0.0.1]"])
def test_loopback_spellings_are_refused(strict, origin, host):
    before = origin.count()
    r = get(strict, listen_path("/v1/listen", f"http://{host}:{origin.port}/{SHORT_PAGE}"))
    assert_error(r, 403)
    assert origin.count() == before, origin.hits


def test_allow_any_host_still_blocks_loopback(lyssna_bin, tmp_path, origin):
    s = start_service(lyssna_bin, tmp_path, "--allow-any-host", "--workers", "1")
    try:
        before = origin.count()
        r = get(s, listen_path("/v1/listen/text", origin.url("/" + SHORT_PAGE)))
        assert_error(r, 403, "loopback")
        assert origin.count() == before, origin.hits
    finally:
        assert s.stop() == 0


def test_redirect_to_loopback_is_refused(lyssna_bin, tmp_path):
    # The origin on 127.0.0.1 is explicitly allowed; it redirects to 127.0.0.2, also loopback
    # and on the host allowlist, but not an allowed address: the service must not go there.
    with Origin() as allowed, Origin(host="127.0.0.2") as sentinel:
        allowed.redirect_target = sentinel.url("/" + SHORT_PAGE)
        s = start_service(lyssna_bin, tmp_path, "--allow-host", "127.0.0.1", "--allow-host",
                          "127.0.0.2", "--allow-addr", "127.0.0.1/32", "--workers", "1")
        try:
            assert get(s, listen_path("/v1/listen/text",
                                      allowed.url("/" + SHORT_PAGE))).status == 200
            r = get(s, listen_path("/v1/listen", allowed.url("/redirect-loopback")))
            assert_error(r, 403)
            assert allowed.count("/redirect-loopback") == 1
            assert sentinel.count() == 0, sentinel.hits
        finally:
            s.stop()


# -- metrics and static files --------------------------------------------------------------

def test_metrics(svc, cached):
    r = get(svc, "/metrics")
    assert r.status == 200, r
    assert (r.h("content-type") or "").startswith("text/plain"), r.headers
    text = r.body.decode()
    for name in ("lyssna_requests_total", "lyssna_cache_hits_total",
                 "lyssna_cache_misses_total"):
        assert any(line.startswith(name) for line in text.splitlines()), name
    hits = [line for line in text.splitlines() if line.startswith("lyssna_cache_hits_total")]
    assert sum(float(line.split()[-1]) for line in hits) >= 1, hits


def test_metrics_count_audio_and_synthesis_time(svc, tmp_path):
    def value(name):
        lines = [l for l in get(svc, "/metrics").body.decode().splitlines() if l.startswith(name)]
        return float(lines[0].split()[-1])

    audio, cpu = value("lyssna_audio_seconds_total"), value("lyssna_synthesis_seconds_total")
    r = speak(svc, unique("Mätaren räknar sekunderna av ljud som görs här."), query="format=wav")
    assert r.status == 200, r
    added, heard = value("lyssna_audio_seconds_total") - audio, decoded_seconds(r.body, tmp_path)
    assert abs(added - heard) < 0.1, (added, heard)
    assert value("lyssna_synthesis_seconds_total") > cpu


def test_demo_page_at_root(svc):
    r = get(svc, "/")
    assert r.status == 200, r
    assert (r.h("content-type") or "").startswith("text/html"), r.headers
    assert b"<html" in r.body.lower()


@pytest.mark.parametrize("path", ["/widget/../../etc/passwd", "/../../../etc/passwd",
                                  "/widget/%2e%2e/%2e%2e/etc/passwd",
                                  "/widget/..%2f..%2f..%2fetc%2fpasswd",
                                  "/%2e%2e/%2e%2e/etc/passwd"])
def test_static_traversal_is_refused(svc, path):
    r = get(svc, path)
    assert r.status in (400, 404), r
    assert b"root:" not in r.body


# -- concurrency, disconnects, shutdown -----------------------------------------------------

def test_two_identical_concurrent_requests(svc):
    text = unique("Två klienter frågar samtidigt om samma sak, och båda ska få samma ljud.")
    results = [None, None]

    def one(i):
        results[i] = speak(svc, text, query="format=ogg")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    assert all(r is not None and r.status == 200 for r in results), results
    assert results[0].body == results[1].body
    assert len(results[0].body) > 1000


def long_text(words=5000):
    base = ("Socialnämnden beslutade på sitt sammanträde att utreda frågan vidare, "
            "och ärendet återkommer till nämnden i höst. ").split()
    return " ".join(base[i % len(base)] for i in range(words)) + f". {uuid.uuid4().int % 10**6}."


def open_stream(port, text, query=""):
    """POSTs text on a raw socket, reads the head and the first 4 KB of the body.
    Returns (socket, status, head bytes, first body bytes)."""
    body = text.encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.sendall((f"POST /v1/speak{'?' + query if query else ''} HTTP/1.1\r\n"
                  f"Host: 127.0.0.1:{port}\r\nContent-Type: text/plain; charset=utf-8\r\n"
                  f"Content-Length: {len(body)}\r\n\r\n").encode() + body)
    data = b""
    while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < 4096:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return sock, status, head, rest


def test_client_that_disconnects_does_not_hurt_the_next(svc, tmp_path):
    sock, status, head, first = open_stream(svc.port, long_text())
    assert status == 200, head
    assert len(first) >= 4096
    sock.close()
    t0 = time.monotonic()
    assert get(svc, "/healthz", timeout=30).status == 200
    nxt = speak(svc, unique(), timeout=30)
    assert nxt.status == 200, nxt
    assert decoded_seconds(nxt.body, tmp_path) > 2.0
    assert time.monotonic() - t0 < 20


def test_sigterm_during_a_stream_exits_0(lyssna_bin, tmp_path):
    s = start_service(lyssna_bin, tmp_path, "--allow-host", "127.0.0.1", "--workers", "1",
                      "--shutdown-grace-s", "3")
    try:
        sock, status, head, first = open_stream(s.port, long_text(), query="format=ogg")
        assert status == 200, head
        assert len(first) >= 4096
        drained = threading.Thread(target=_drain_quietly, args=(sock,), daemon=True)
        drained.start()
        t0 = time.monotonic()
        s.proc.send_signal(signal.SIGTERM)
        try:
            code = s.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pytest.fail("still running 15 s after SIGTERM")
        assert code == 0, (code, s.stderr_text()[-2000:])
        assert time.monotonic() - t0 < 10
        sock.close()
    finally:
        s.stop()


def _drain_quietly(sock):
    try:
        while sock.recv(65536):
            pass
    except Exception:  # the stream may be cut when the service exits: that is allowed
        pass


def test_rate_limit_answers_429_per_client(lyssna_bin, tmp_path):
    """--rate-limit N: the (N+1)th API request within a minute from one address gets 429,
    as JSON; another client (a different X-Forwarded-For behind a local proxy) still passes."""
    s = start_service(lyssna_bin, tmp_path, "--allow-host", "127.0.0.1", "--workers", "1",
                      "--rate-limit", "3")
    try:
        codes = [speak(s, "Hej.", path="/v1/speak/marks").status for _ in range(4)]
        assert codes == [200, 200, 200, 429], codes
        r = speak(s, "Hej.", path="/v1/speak/marks")
        assert r.status == 429 and r.json()["error"] == "rate_limited", r
        r = speak(s, "Hej.", path="/v1/speak/marks", headers={"X-Forwarded-For": "192.0.2.7"})
        assert r.status == 200, r
        assert get(s, "/healthz").status == 200  # not an API request
    finally:
        assert s.stop() == 0


def _workers_of(pid):
    """Pids of the `lyssna worker` processes the service started."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = open(f"/proc/{d}/stat").read()
            cmd = open(f"/proc/{d}/cmdline", "rb").read().split(b"\0")
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"worker" in cmd:
            out.append(int(d))
    return out


def test_workers_run_below_the_service_and_confined(svc):
    """Synthesis yields the CPU to the service (cached answers stay quick under a rush), and
    each worker runs under its seccomp filter."""
    def nice(pid):
        return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[16])

    speak(svc, unique())  # the workers have started and served
    workers = _workers_of(svc.proc.pid)
    assert workers
    for w in workers:
        assert nice(w) == nice(svc.proc.pid) + 5, (nice(w), nice(svc.proc.pid))
        status = open(f"/proc/{w}/status").read()
        assert "Seccomp:\t2" in status, status


def test_killed_worker_ends_its_stream_and_is_replaced(lyssna_bin, tmp_path):
    """A worker killed mid-stream: that stream ends (cut short), the worker is replaced and
    the next requests succeed, with every worker slot working."""
    s = start_service(lyssna_bin, tmp_path, "--allow-host", "127.0.0.1", "--workers", "1")
    try:
        sock, status, head, first = open_stream(s.port, long_text())
        assert status == 200, head
        workers = _workers_of(s.proc.pid)
        assert len(workers) == 1, workers
        os.kill(workers[0], signal.SIGKILL)
        sock.settimeout(30)
        while sock.recv(65536):
            pass  # the stream ends instead of hanging
        sock.close()
        for _ in range(2):
            r = speak(s, unique(), timeout=60)
            assert r.status == 200, r
            assert decoded_seconds(r.body, tmp_path) > 2.0
        assert _workers_of(s.proc.pid) and _workers_of(s.proc.pid) != workers
    finally:
        assert s.stop() == 0
