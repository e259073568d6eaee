"""What a page's speech marks give beside the audio, end to end: GET /v1/listen.vtt (WebVTT
captions that ffmpeg reads cue by cue), the chaptered MP3 of GET /v1/listen?format=mp3&chapters=1
(ffprobe lists a chapter per heading, with the times of the marks), and the dyslexia font the
reading aids load from /widget/fonts/.
"""
import json
import os
import subprocess
import urllib.parse

import pytest

from origin import Origin
from test_serve import get, start_service

PAGE = ("<html lang='sv'><head><title>Badhuset</title></head><body><main>"
        "<h1>Badhuset stänger</h1><p>Badhuset stänger i sommar för en renovering av bassängen. "
        "Arbetet tar ett halvår och kostar mycket pengar för kommunen.</p>"
        "<h2>Öppettider &amp; priser</h2><p>Under hösten gäller de vanliga öppettiderna igen. "
        "Priserna är desamma som förra året för alla som badar.</p>"
        "<h2>Simskola</h2><p>Simskolan flyttar till skolans bassäng <b>&lt;under tiden&gt;</b>.</p>"
        "</main></body></html>")
HEADINGS = ["Badhuset stänger", "Öppettider & priser", "Simskola"]


@pytest.fixture(scope="module")
def site():
    with Origin() as o:
        o.routes["/bad.html"] = (200, "text/html; charset=utf-8", PAGE.encode())
        yield o


@pytest.fixture(scope="module")
def svc(lyssna_bin, tmp_path_factory, site):
    from conftest import ROOT
    s = start_service(lyssna_bin, tmp_path_factory.mktemp("captions"), "--allow-host",
                      "127.0.0.1", "--allow-addr", "127.0.0.0/8", "--workers", "1",
                      "--web", ROOT / "web")
    yield s
    s.stop()


def q(site, **extra):
    return urllib.parse.urlencode({"url": site.url("/bad.html"), **extra})


def sentences(svc, site, **extra):
    marks = get(svc, "/v1/listen/marks?" + q(site, **extra)).json()
    return [m for m in marks["marks"] if m["type"] == "sentence"], marks["duration_ms"]


def ffprobe(path, *args):
    out = subprocess.run(["ffprobe", "-v", "error", *args, "-of", "json", str(path)],
                         capture_output=True, timeout=60, check=True)
    return json.loads(out.stdout)


def test_vtt_holds_the_sentences_with_the_times_of_the_marks(svc, site, tmp_path):
    r = get(svc, "/v1/listen.vtt?" + q(site))
    assert r.status == 200 and r.h("content-type") == "text/vtt; charset=utf-8"
    text = r.body.decode()
    assert text.startswith("WEBVTT\n\n1\n00:00:00.000 --> ")
    assert "\nÖppettider &amp; priser\n" in text and "&lt;under tiden" in text and "<" not in text
    marks, duration = sentences(svc, site)
    (tmp_path / "a.vtt").write_bytes(r.body)
    srt = subprocess.run(["ffmpeg", "-v", "error", "-i", str(tmp_path / "a.vtt"), "-f", "srt", "-"],
                         capture_output=True, timeout=60, check=True).stdout.decode()
    cues = [c.split("\n") for c in srt.strip().split("\n\n")]
    assert len(cues) == len(marks) >= 6
    for (_, times, *lines), m in zip(cues, marks):
        start = times.split(" --> ")[0]
        h, mi, s = start.replace(",", ".").split(":")
        assert round((int(h) * 3600 + int(mi) * 60 + float(s)) * 1000) == m["time"]
        assert " ".join(lines).replace("&lt;", "<").replace("&amp;", "&") == m["value"]
    assert cues[-1][1].endswith(f"{duration // 60000 % 60:02d}:{duration // 1000 % 60:02d},"
                                f"{duration % 1000:03d}")


def test_vtt_follows_the_rate_asked_for(svc, site):
    slow = get(svc, "/v1/listen.vtt?" + q(site, rate="90")).body.decode()
    fast = get(svc, "/v1/listen.vtt?" + q(site)).body.decode()
    assert slow.count("-->") == fast.count("-->") and slow != fast
    assert get(svc, "/v1/listen.vtt?" + q(site, rate="20")).status == 400
    assert get(svc, "/v1/listen.vtt?url=").status == 400


def test_chaptered_mp3_has_a_chapter_per_heading(svc, site, tmp_path):
    r = get(svc, "/v1/listen?" + q(site, format="mp3", chapters="1"))
    assert r.status == 200 and r.h("content-type") == "audio/mpeg"
    assert r.body[:3] == b"ID3"
    path = tmp_path / "c.mp3"
    path.write_bytes(r.body)
    info = ffprobe(path, "-show_chapters", "-show_format")
    chapters = info["chapters"]
    assert [c["tags"]["title"] for c in chapters] == HEADINGS
    assert info["format"]["tags"]["title"] == "Badhuset"
    marks, duration = sentences(svc, site)
    starts = [m["time"] for m in marks if m["value"] in HEADINGS]
    assert [round(float(c["start_time"]) * 1000) for c in chapters] == starts
    assert round(float(chapters[-1]["end_time"]) * 1000) == duration
    for a, b in zip(chapters, chapters[1:]):
        assert a["end_time"] == b["start_time"]
    # the audio after the tag is the plain MP3's, whole
    plain = get(svc, "/v1/listen?" + q(site, format="mp3"))
    assert r.body.endswith(plain.body) and len(r.body) > len(plain.body)


def test_chapters_only_with_mp3(svc, site):
    r = get(svc, "/v1/listen?" + q(site, format="opus", chapters="1"))
    assert r.status == 400 and "mp3" in r.json()["message"]


FONT = "/usr/share/fonts/woff/opendyslexic/OpenDyslexic-Regular.woff"


@pytest.mark.skipif(not os.path.exists(FONT), reason="fonts-opendyslexic is not installed")
def test_the_dyslexia_font_is_served_beside_the_widget(svc):
    r = get(svc, "/widget/fonts/OpenDyslexic-Regular.woff")
    assert r.status == 200 and r.h("content-type") == "font/woff"
    assert r.h("access-control-allow-origin") == "*"
    with open(FONT, "rb") as f:
        assert r.body == f.read()
    assert get(svc, "/widget/fonts/../../../etc/passwd").status in (400, 404)
    assert get(svc, "/widget/fonts/Nothing.woff").status == 404
