"""POST /v1/listen end to end: a page the service cannot fetch (here: no origin at all) sent as
HTML; the audio and marks at the addresses it answers, content-addressed, cached, with ranges."""
import urllib.parse

import pytest

from test_serve import (PAGES, SHORT_PAGE, assert_error, cached_response, decoded_seconds, get,
                        request, start_service)

PAGE_URL = "https://minasidor.exempelby.se/arende/17"  # never fetched: not on the allowlist


@pytest.fixture(scope="module")
def svc(lyssna_bin, tmp_path_factory):
    s = start_service(lyssna_bin, tmp_path_factory.mktemp("post"), "--allow-host", "127.0.0.1",
                      "--workers", "2", "--max-text-bytes", "200000")
    yield s
    s.stop()


def post_page(svc, html, ctype="text/html; charset=utf-8", **params):
    q = urllib.parse.urlencode({"url": PAGE_URL, **params})
    return request(svc.port, "POST", f"/v1/listen?{q}", body=html,
                   headers={"Content-Type": ctype})


def test_posted_page_is_read_aloud_at_content_addressed_urls(svc, tmp_path):
    html = (PAGES / SHORT_PAGE).read_bytes()
    r = post_page(svc, html)
    assert r.status == 200 and r.h("content-type").startswith("application/json"), r
    doc = r.json()
    assert doc["audio"].startswith("audio/") and doc["audio"].endswith(".mp3"), doc
    assert doc["title"]
    assert post_page(svc, html).json() == doc, "the same text gives the same addresses"
    first = get(svc, "/v1/" + doc["audio"])
    assert first.status == 200 and first.h("content-type") == "audio/mpeg", first
    seconds = decoded_seconds(first.body, tmp_path)
    assert seconds > 5
    again = cached_response(svc, lambda: get(svc, "/v1/" + doc["audio"]))
    assert again.h("content-length") and again.body == first.body
    part = get(svc, "/v1/" + doc["audio"], headers={"Range": "bytes=0-1"})
    assert part.status == 206 and part.h("content-range").endswith(f"/{len(first.body)}"), part
    marks = get(svc, "/v1/" + doc["marks"]).json()
    assert marks["blocks"] and marks["marks"] and marks["title"] == doc["title"]
    assert abs(marks["duration_ms"] / 1000 - seconds) / seconds < 0.02


def test_posted_page_in_another_format_and_its_mp3(svc, tmp_path):
    html = (PAGES / SHORT_PAGE).read_bytes()
    doc = post_page(svc, html, format="opus", voice="sv-tydlig").json()
    assert doc["audio"].endswith(".opus") and doc["mp3"].endswith(".mp3")
    opus = get(svc, "/v1/" + doc["audio"])
    assert opus.status == 200 and opus.body[:4] == b"OggS", opus
    assert get(svc, "/v1/" + doc["mp3"]).h("content-type") == "audio/mpeg"
    wrong = doc["audio"][:-5] + ".wav"
    assert_error(get(svc, "/v1/" + wrong), 400)


def test_post_refuses_what_is_not_a_page(svc):
    assert_error(post_page(svc, b"just text", ctype="text/plain"), 400, "text/html")
    r = request(svc.port, "POST", "/v1/listen", body=b"<p>x</p>",
                headers={"Content-Type": "text/html"})
    assert_error(r, 400, "url")
    assert_error(post_page(svc, b"<html><body><nav>Meny</nav></body></html>"), 400)
    assert_error(get(svc, "/v1/audio/" + "a" * 64 + ".mp3"), 404)


def test_post_body_over_the_cap_is_413(svc):
    big = b"<html><body><article><p>" + b"Ord " * 80000 + b"</p></article></body></html>"
    assert_error(post_page(svc, big), 413)
