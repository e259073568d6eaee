"""Faults around `lyssna serve`: origins that misbehave, a cache that cannot be written or
holds a damaged entry. Each must end in the intended status or in audio, with the service
still answering. Loopback only: the origins are hostile_origin.py and origin.py.
"""
import os
import pathlib
import resource
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from hostile_origin import HostileOrigin
from test_serve import (assert_error, decoded_seconds, get, listen_path, speak, start_service,
                        unique)


@pytest.fixture(scope="module")
def hostile():
    with HostileOrigin() as o:
        yield o


@pytest.fixture(scope="module")
def svc(lyssna_bin, tmp_path_factory, hostile):
    s = start_service(lyssna_bin, tmp_path_factory.mktemp("faults"), "--allow-host", "127.0.0.1",
                      "--allow-addr", "127.0.0.0/8", "--workers", "1", "--fetch-timeout-ms",
                      "4000", "--max-page-bytes", str(4 << 20))
    yield s
    s.stop()


def metric(svc, name):
    for line in get(svc, "/metrics").body.decode().splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.split()[-1])
    raise AssertionError(f"no metric {name}")


def listen_text(svc, url):
    return get(svc, listen_path("/v1/listen/text", url), timeout=60)


def text_of(r):
    return " ".join(b["text"] for b in r.json()["blocks"])


# -- origins -------------------------------------------------------------------------------

def test_slow_origin_within_the_timeout_is_read(svc, hostile):
    r = listen_text(svc, hostile.url("/slow.html"))
    assert r.status == 200, r
    assert "långsamt" in text_of(r)


@pytest.mark.parametrize("path,status,word", [
    ("/reset.html", 502, "fetch"),
    ("/huge.html", 502, "limit"),
    ("/bomb.html", 502, "limit"),
    ("/loop.html", 502, "redirects"),
    ("/image.png", 502, "not a web page"),
])
def test_misbehaving_origin_gets_a_clear_error(svc, hostile, path, status, word):
    r = listen_text(svc, hostile.url(path))
    assert_error(r, status, word)
    assert get(svc, "/healthz").status == 200


def test_invalid_utf8_from_the_origin_is_still_read(svc, hostile, tmp_path):
    r = listen_text(svc, hostile.url("/bad-utf8.html"))
    assert r.status == 200, r
    assert "sida" in text_of(r)
    audio = get(svc, listen_path("/v1/listen", hostile.url("/bad-utf8.html"), format="wav"))
    assert audio.status == 200, audio
    assert decoded_seconds(audio.body, tmp_path) > 2


def test_fetch_failures_are_counted_by_kind(svc, hostile):
    listen_text(svc, hostile.url("/image.png"))
    listen_text(svc, hostile.url("/huge.html"))
    assert metric(svc, 'lyssna_fetch_errors_total{kind="not_html"}') >= 1
    assert metric(svc, 'lyssna_fetch_errors_total{kind="too_large"}') >= 1


# -- the cache -----------------------------------------------------------------------------

TEXT = "Kommunen har öppet på torsdagar. Välkommen in i receptionen."


def shared_dir():
    """A folder every user can enter (pytest's own tmp folders are private to root)."""
    d = pathlib.Path(tempfile.mkdtemp(prefix="lyssna-faults-"))
    d.chmod(0o755)
    return d


def cached_entries(cache):
    return sorted(p for p in cache.glob("??/*") if p.is_file())


def test_damaged_cache_entry_is_rebuilt_never_served(lyssna_bin, tmp_path):
    base = shared_dir()
    cache = base / "cache"
    text = unique(TEXT)
    try:
        s = start_service(lyssna_bin, tmp_path, "--allow-host", "127.0.0.1", "--workers", "1",
                          "--cache-dir", cache)
        first = speak(s, text, query="format=wav")
        s.stop()
        assert first.status == 200, first
        (entry,) = cached_entries(cache)
        data = bytearray(entry.read_bytes())
        data[len(data) // 2] ^= 0xFF
        entry.write_bytes(bytes(data))

        s = start_service(lyssna_bin, tmp_path, "--allow-host", "127.0.0.1", "--workers", "1",
                          "--cache-dir", cache)
        try:
            again = speak(s, text, query="format=wav")
            assert again.status == 200, again
            assert again.h("content-length") is None  # made anew, streamed
            assert again.body == first.body
            assert metric(s, "lyssna_cache_corrupt_total") == 1
            third = speak(s, text, query="format=wav")
            assert third.h("content-length") is not None and third.body == first.body
        finally:
            s.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_read_only_cache_still_speaks_and_says_so(lyssna_bin, tmp_path):
    base = shared_dir()
    cache = base / "cache"
    old = unique(TEXT)
    try:
        s = start_service(lyssna_bin, tmp_path, "--allow-host", "127.0.0.1", "--workers", "1",
                          "--cache-dir", cache)
        assert speak(s, old, query="format=mp3").status == 200
        s.stop()
        if os.geteuid() == 0:
            # root writes anywhere: run as nobody, to whom the root-owned cache is read-only
            ro = ["--user", "nobody"]
        else:
            for p in [cache, *cache.rglob("*")]:
                if p.is_dir():
                    p.chmod(0o555)
            ro = []
        s = start_service(lyssna_bin, tmp_path, "--allow-host", "127.0.0.1", "--workers", "1",
                          "--cache-dir", cache, *ro)
        try:
            hit = speak(s, old, query="format=mp3")
            assert hit.status == 200 and hit.h("content-length"), hit
            new = unique(TEXT)
            for _ in range(2):  # not cached the first time, so not the second either
                r = speak(s, new, query="format=wav")
                assert r.status == 200, r
                assert r.h("content-length") is None
                assert decoded_seconds(r.body, tmp_path) > 2
            assert metric(s, "lyssna_cache_read_only") == 1
            assert metric(s, "lyssna_cache_write_errors_total") >= 2
            assert "cannot be written" in s.stderr_text()
        finally:
            s.stop()
    finally:
        for p in [cache, *cache.rglob("*")]:
            if p.is_dir():
                p.chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)


def test_full_disk_costs_only_the_caching(lyssna_bin, tmp_path):
    """A file-size limit stands in for a full disk: every cache write past 16 KB fails."""
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (16384, 16384))

    cache = tmp_path / "cache"
    cmd = [lyssna_bin, "serve", "--listen", "127.0.0.1:0", "--cache-dir", str(cache),
           "--allow-host", "127.0.0.1", "--workers", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=limit)
    from test_serve import Service, read_first_line
    line = read_first_line(proc)
    s = Service(proc, int(line.rsplit(":", 1)[1]))
    try:
        text = unique(" ".join([TEXT] * 6))
        for _ in range(2):
            r = speak(s, text, query="format=wav")
            assert r.status == 200, r
            assert r.h("content-length") is None
            assert decoded_seconds(r.body, tmp_path) > 15
        assert metric(s, "lyssna_cache_write_errors_total") >= 2
        assert "cache:" in s.stderr_text()
        assert not list(cache.glob("tmp/*")), "a failed write left its temporary file"
    finally:
        assert s.stop() == 0


# -- SIGHUP ----------------------------------------------------------------------------------

def test_sighup_reloads_settings_and_lexicon_without_dropping_a_stream(lyssna_bin, tmp_path):
    from test_serve import Service, long_text, open_stream, read_first_line
    voices = tmp_path / "voices"
    shutil.copytree(pathlib.Path(__file__).resolve().parents[2] / "voices", voices)
    conf = tmp_path / "lyssna.conf"
    conf.write_text("[server]\nrate_limit = 0\nworkers = 1\n")
    env = {**os.environ, "LYSSNA_VOICES": str(voices)}
    proc = subprocess.Popen([lyssna_bin, "serve", "--config", str(conf), "--listen",
                             "127.0.0.1:0", "--cache-dir", str(tmp_path / "cache"),
                             "--allow-host", "127.0.0.1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    s = Service(proc, int(read_first_line(proc).rsplit(":", 1)[1]))
    try:
        word = "Lyssnaprovord"
        before = speak(s, word, query="format=wav")
        assert before.status == 200
        sock, status, head, first = open_stream(s.port, long_text(600), query="format=wav")
        assert status == 200, head

        # a lexicon entry that makes the word much longer, and a rate limit of 2 a minute
        with open(voices / "sv" / "lexicon.tsv", "a") as f:
            f.write(f"\n{word}\tl'ysnapR,u:vu:Rdl,ysnapR,u:vu:Rdl,ysnapR,u:vu:Rd\n")
        conf.write_text("[server]\nrate_limit = 2\nworkers = 1\n")
        proc.send_signal(signal.SIGHUP)

        body = first
        sock.settimeout(60)
        while not body.endswith(b"\r\n0\r\n\r\n") and (chunk := sock.recv(65536)):
            body += chunk
        sock.close()
        assert body.endswith(b"0\r\n\r\n"), "the stream running at SIGHUP was cut"
        deadline = time.monotonic() + 20
        while "reloaded" not in s.stderr_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "reloaded" in s.stderr_text(), s.stderr_text()[-1500:]

        after = speak(s, word, query="format=wav")
        assert after.status == 200, after
        assert after.h("content-length") is None  # a new engine version: not the old audio
        assert decoded_seconds(after.body, tmp_path) > decoded_seconds(before.body, tmp_path) + 0.5
        codes = [speak(s, unique(), query="format=wav").status for _ in range(3)]
        assert 429 in codes, codes

        conf.write_text("[server]\nno_such_key = 1\n")
        proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 20
        while "reload refused" not in s.stderr_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "reload refused" in s.stderr_text()
        assert get(s, "/healthz").status == 200
    finally:
        assert s.stop() == 0
