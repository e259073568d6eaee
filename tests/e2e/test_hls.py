"""GET /v1/listen.m3u8 end to end, replaying Safari's requests: the playlist, then each segment
with a `Range: bytes=0-1` probe first, the playlist reloaded while it grows; decoded with ffmpeg.
A page of its own (about 3,000 words) on a loopback origin, so that nothing is cached before.
"""
import random
import re
import subprocess
import time
import urllib.parse

import pytest

from conftest import TIME_SCALE
from origin import Origin
from test_documents_http import numbered_pages
from test_serve import assert_error, decoded_seconds, get, listen_path, start_service

WORDS = ("kommunen skolan biblioteket invånarna nämnden parken vattnet huset staden förskolan "
         "bussen cykelbanan torget simhallen").split()
VERBS = "bygger öppnar stänger planerar renoverar visar".split()


def long_page(words, seed):
    """An article of about `words` words, different for each seed."""
    rnd = random.Random(seed)
    paras, n = [], 0
    while n < words:
        sents = [f"{rnd.choice(WORDS).capitalize()} {rnd.choice(VERBS)} {rnd.choice(WORDS)} "
                 f"och {rnd.choice(WORDS)} i {rnd.choice(WORDS)}." for _ in range(6)]
        n += sum(len(s.split()) for s in sents)
        paras.append("<p>" + " ".join(sents) + "</p>")
    html = ("<!DOCTYPE html><html lang=sv><head><meta charset=utf-8><title>Lång sida</title>"
            "</head><body><main><article><h1>En lång sida</h1>" + "\n".join(paras) +
            "</article></main></body></html>")
    return html.encode()


@pytest.fixture(scope="module")
def site():
    with Origin() as o:
        o.routes["/lang"] = (200, "text/html; charset=utf-8", long_page(3000, 1))
        o.routes["/kort"] = (200, "text/html; charset=utf-8", long_page(120, 2))
        o.routes["/femtio.pdf"] = (200, "application/pdf", numbered_pages(50))
        yield o


@pytest.fixture(scope="module")
def svc(lyssna_bin, tmp_path_factory, site):
    s = start_service(lyssna_bin, tmp_path_factory.mktemp("hls"), "--allow-host", "127.0.0.1",
                      "--allow-addr", "127.0.0.0/8", "--workers", "2")
    yield s
    s.stop()


def playlist(text):
    """(segment paths, their EXTINF seconds, ended, type)."""
    assert text.startswith("#EXTM3U\n"), text[:200]
    target = int(re.search(r"^#EXT-X-TARGETDURATION:(\d+)$", text, re.M).group(1))
    durs = [float(d) for d in re.findall(r"^#EXTINF:([\d.]+),$", text, re.M)]
    segs = re.findall(r"^(hls/[0-9a-f]{64}/\d+\.mp3)$", text, re.M)
    assert len(durs) == len(segs) and all(round(d) <= target for d in durs), text[:500]
    kind = re.search(r"^#EXT-X-PLAYLIST-TYPE:(\w+)$", text, re.M).group(1)
    return segs, durs, "#EXT-X-ENDLIST" in text, kind


def id3_timestamp(seg):
    """The 90 kHz timestamp of a packed-audio segment's ID3 PRIV frame (RFC 8216, 3.4)."""
    assert seg[:3] == b"ID3", seg[:16]
    owner = b"com.apple.streaming.transportStreamTimestamp\0"
    at = seg.index(owner) + len(owner)
    return int.from_bytes(seg[at:at + 8], "big")


def safari_segment(svc, path):
    """A segment as Safari asks for it: a two-byte probe, then the whole."""
    probe = get(svc, "/v1/" + path, headers={"Range": "bytes=0-1"})
    assert probe.status == 206, probe
    size = int(probe.h("content-range").rsplit("/", 1)[1])
    whole = get(svc, "/v1/" + path)
    assert whole.status == 200 and len(whole.body) == size, whole
    assert whole.body[:2] == probe.body and whole.h("content-type") == "audio/mpeg"
    assert "immutable" in whole.h("cache-control")
    return whole.body


def test_playlist_grows_while_made_then_decodes_to_the_mp3s_duration(svc, site, tmp_path):
    url = site.url("/lang")
    path = listen_path("/v1/listen.m3u8", url)
    t0 = time.monotonic()
    first = get(svc, path)
    assert first.status == 200, first
    assert first.h("content-type") == "application/vnd.apple.mpegurl"
    segs, durs, ended, kind = playlist(first.body.decode())
    probe = get(svc, "/v1/" + segs[0], headers={"Range": "bytes=0-1"})
    first_byte = time.monotonic() - t0
    assert probe.status == 206 and len(probe.body) == 2, probe
    assert kind == "EVENT" and segs and not ended, "a long page's playlist is still growing"
    assert first_byte < 2 * TIME_SCALE, f"first segment's first byte after {first_byte:.2f} s"

    # Safari reloads the playlist as it plays: the segments it had keep their addresses
    seen = {}
    while not ended:
        time.sleep(0.5)
        r = get(svc, path)
        assert r.status == 200, r
        now, durs, ended, kind = playlist(r.body.decode())
        assert now[:len(segs)] == segs and kind == "EVENT"
        segs = now
    stamps = []
    for i, s in enumerate(segs):
        body = safari_segment(svc, s) if i < 3 or i == len(segs) - 1 else get(svc, "/v1/" + s).body
        seen[s] = body
        stamps.append(id3_timestamp(body))
    # each segment's timestamp is where the one before it ends (EXTINF is rounded to 1 ms)
    assert stamps[0] == 0
    for i in range(1, len(stamps)):
        assert abs((stamps[i] - stamps[i - 1]) / 90000 - durs[i - 1]) < 0.001, (i, stamps[i])

    # a player may start at any segment: each decodes alone to its EXTINF
    for i in (0, 1, len(segs) // 2, len(segs) - 1):
        alone = decoded_seconds(seen[segs[i]], tmp_path, f"seg{i}")
        assert abs(alone - durs[i]) < 0.001, (i, alone, durs[i])

    mp3 = get(svc, listen_path("/v1/listen", url, format="mp3"))
    assert mp3.status == 200 and mp3.h("content-length"), "finished, the MP3 is cached"
    whole = decoded_seconds(mp3.body, tmp_path, "whole")
    listed = sum(durs)
    assert abs(listed - whole) / whole < 0.02, (listed, whole)
    p = subprocess.run(["ffmpeg", "-v", "warning", "-i", f"http://127.0.0.1:{svc.port}{path}",
                        "-f", "s16le", "-ac", "1", "-ar", "22050", "-"], capture_output=True,
                       timeout=300 * TIME_SCALE)
    assert p.returncode == 0, p.stderr[-2000:]
    # ffmpeg stamps the frames from the segments' ID3 timestamps: they must never go back
    assert b"non monotonically increasing dts" not in p.stderr, p.stderr[-2000:]
    played = len(p.stdout) / 2 / 22050
    assert abs(played - whole) / whole < 0.02, (played, whole)
    assert whole > 600, "the 3,000-word page reads for more than ten minutes"


def test_finished_playlist_comes_from_the_cache_the_same(lyssna_bin, svc, site, tmp_path):
    """A second service on the same cache cuts the same segments from the cached MP3."""
    path = listen_path("/v1/listen.m3u8", site.url("/kort"))
    r = get(svc, path)
    segs, _, ended, _ = playlist(r.body.decode())
    for _ in range(100):
        if ended:
            break
        time.sleep(0.2)
        r = get(svc, path)
        segs, _, ended, _ = playlist(r.body.decode())
    assert ended
    bodies = [get(svc, "/v1/" + s).body for s in segs]
    cache = re.search(r"--cache-dir (\S+)", " ".join(svc.proc.args)).group(1)
    again = start_service(lyssna_bin, tmp_path, "--allow-host", "127.0.0.1", "--allow-addr",
                          "127.0.0.0/8", "--cache-dir", cache)
    try:
        r2 = get(again, path)
        assert r2.status == 200 and r2.body == r.body, "the same playlist, ENDLIST included"
        assert [get(again, "/v1/" + s).body for s in segs] == bodies
    finally:
        again.stop()


def test_unknown_segment_is_json_404(svc):
    assert_error(get(svc, "/v1/hls/" + "0" * 64 + "/0.mp3"), 404)
    assert_error(get(svc, "/v1/hls/nonsense.mp3"), 404)


def test_playlist_of_a_page_that_cannot_be_fetched_is_an_error(svc, site):
    r = get(svc, "/v1/listen.m3u8?url=" + urllib.parse.quote(site.url("/404"), safe=""))
    assert_error(r, 502)


def test_a_pdf_read_in_parts_plays_through_its_seams(svc, site, tmp_path):
    """A 50-page PDF is spoken in parts (its first page first): the playlist runs on across
    their seams, its timestamps never go back, and it plays as long as the cached MP3."""
    url = site.url("/femtio.pdf")
    path = listen_path("/v1/listen.m3u8", url)
    r = get(svc, path, timeout=60)
    assert r.status == 200, r
    segs, durs, ended, _ = playlist(r.body.decode())
    for _ in range(300):
        if ended:
            break
        time.sleep(0.2)
        segs, durs, ended, _ = playlist(get(svc, path).body.decode())
    assert ended
    stamps = [id3_timestamp(get(svc, "/v1/" + s).body) for s in segs]
    for i in range(1, len(stamps)):
        assert abs((stamps[i] - stamps[i - 1]) / 90000 - durs[i - 1]) < 0.001, (i, stamps[i])
    mp3 = get(svc, listen_path("/v1/listen", url))
    assert mp3.status == 200 and mp3.h("content-length"), "finished, the MP3 is cached"
    whole = decoded_seconds(mp3.body, tmp_path, "parts")
    assert abs(sum(durs) - whole) / whole < 0.02, (sum(durs), whole)
    p = subprocess.run(["ffmpeg", "-v", "warning", "-i", f"http://127.0.0.1:{svc.port}{path}",
                        "-f", "s16le", "-ac", "1", "-ar", "22050", "-"], capture_output=True,
                       timeout=300 * TIME_SCALE)
    assert p.returncode == 0 and b"non monotonically increasing dts" not in p.stderr, p.stderr[-2000:]
    assert abs(len(p.stdout) / 2 / 22050 - whole) / whole < 0.02
    assert whole > 50 * 5, "each page says two sentences"
