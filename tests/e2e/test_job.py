"""One way to make audio (src/job/): the same uncached audio asked for through several fronts at
once is synthesized once, and every front gets the same bytes; a page's HLS playlist and its MP3
asked for at once are one audio, so that a segment's address keeps its bytes after a restart."""
import base64
import json
import re
import threading
import urllib.parse

import pytest

from test_hls import long_page, playlist
from origin import Origin
from test_serve import get, listen_path, request, speak_json, start_service, unique


def metric(svc, name):
    text = get(svc, "/metrics").body.decode()
    m = re.search(rf"^{name} (\S+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


def at_once(*calls):
    """Runs the calls on threads released together; their results in order."""
    go = threading.Barrier(len(calls))
    out = [None] * len(calls)

    def run(i):
        go.wait()
        out[i] = calls[i]()

    ts = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


@pytest.fixture
def svc(lyssna_bin, tmp_path):
    s = start_service(lyssna_bin, tmp_path, "--allow-any-host", "--workers", "2")
    yield s
    s.stop()


def sse_audio(body):
    """The audio of an OpenAI SSE answer: its speech.audio.delta events joined."""
    out = b""
    for line in body.decode().splitlines():
        if line.startswith("data: "):
            ev = json.loads(line[6:])
            if ev["type"] == "speech.audio.delta":
                out += base64.b64decode(ev["audio"])
    return out


def test_five_fronts_asking_at_once_get_one_synthesis(svc):
    text = unique("Kommunfullmäktige sammanträder i stadshuset. " * 40)
    form = urllib.parse.urlencode({"INPUT_TEXT": text, "INPUT_TYPE": "TEXT", "OUTPUT_TYPE": "AUDIO",
                                   "AUDIO": "WAVE_FILE", "LOCALE": "sv"}).encode()
    openai = {"model": "tts-1", "input": text, "voice": "sv", "response_format": "wav"}
    before = metric(svc, "lyssna_syntheses_total")
    out = at_once(
        lambda: speak_json(svc, {"text": text, "format": "wav"}),
        lambda: request(svc.port, "POST", "/process", body=form),
        lambda: get(svc, "/api/tts?" + urllib.parse.urlencode({"text": text,
                                                               "voice": "lyssna:sv"})),
        lambda: speak_json(svc, openai, path="/v1/audio/speech"),
        lambda: speak_json(svc, {**openai, "stream_format": "sse"}, path="/v1/audio/speech"))
    assert all(r.status == 200 for r in out), out
    bodies = [r.body for r in out[:4]] + [sse_audio(out[4].body)]
    assert bodies[0][:4] == b"RIFF" and len(bodies[0]) > 100000
    assert all(b == bodies[0] for b in bodies), [len(b) for b in bodies]
    made = metric(svc, "lyssna_syntheses_total") - before
    assert made == 1, f"{made} syntheses for one audio asked through five fronts"
    print(f"\none synthesis: 5 fronts at once (speak, MaryTTS, OpenTTS, OpenAI, OpenAI SSE), "
          f"{made:.0f} synthesis, {len(bodies[0])} identical bytes each")


def test_a_playlist_and_its_mp3_at_once_are_one_audio_after_a_restart_too(lyssna_bin, tmp_path):
    with Origin() as site:
        site.routes["/sida"] = (200, "text/html; charset=utf-8", long_page(800, 7))
        url = site.url("/sida")
        args = ("--allow-host", "127.0.0.1", "--allow-addr", "127.0.0.0/8", "--workers", "2")
        cache = tmp_path / "cache"
        s = start_service(lyssna_bin, tmp_path, "--cache-dir", cache, *args)
        try:
            pl, mp3 = at_once(lambda: get(s, listen_path("/v1/listen.m3u8", url)),
                              lambda: get(s, listen_path("/v1/listen", url, format="mp3")))
            assert pl.status == 200 and mp3.status == 200, (pl, mp3)
            assert metric(s, "lyssna_syntheses_total") == 1
            ended = False
            while not ended:
                r = get(s, listen_path("/v1/listen.m3u8", url))
                segs, _, ended, _ = playlist(r.body.decode())
            before = [get(s, "/v1/" + p).body for p in segs]
        finally:
            s.stop()
        s = start_service(lyssna_bin, tmp_path, "--cache-dir", cache, *args)
        try:
            after = [get(s, "/v1/" + p).body for p in segs]
            assert after == before, "an immutable segment address keeps its bytes"
            assert metric(s, "lyssna_syntheses_total") == 0
        finally:
            s.stop()
    # the segments hold the MP3's bytes, each behind its ID3 timestamp tag
    joined = b"".join(seg[10 + int.from_bytes(seg[6:10], "big"):] for seg in before)
    assert joined == mp3.body
