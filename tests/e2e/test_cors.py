"""CORS on every response of `lyssna serve` for the configured origins: a listen button on a
municipality's own site reads marks, errors and audio, and loads the script with SRI."""
import pytest

from origin import Origin
from test_serve import ROOT, get, listen_path, request, speak, start_service, unique

SITE = "https://www.exempelby.se"
PAGE = "/sophamtning-villor-fritidshus.html"


@pytest.fixture(scope="module")
def origin():
    with Origin() as o:
        yield o


@pytest.fixture(scope="module")
def svc(lyssna_bin, tmp_path_factory, origin):
    s = start_service(lyssna_bin, tmp_path_factory.mktemp("cors"), "--allow-host", "127.0.0.1",
                      "--allow-addr", "127.0.0.0/8", "--workers", "1", "--web", ROOT / "web",
                      "--cors-origin", SITE, "--cors-origin", "https://intranat.exempelby.se")
    yield s
    s.stop()


def allowed(r, origin=SITE):
    return r.h("access-control-allow-origin") == origin and "Origin" in (r.h("vary") or "")


@pytest.mark.parametrize("path", ["marks", "text"])
def test_listen_json_carries_cors(svc, origin, path):
    r = get(svc, listen_path(f"/v1/listen/{path}", origin.url(PAGE)), headers={"Origin": SITE})
    assert r.status == 200, r
    assert allowed(r), r


def test_errors_and_static_files_carry_cors(svc, origin):
    r = get(svc, listen_path("/v1/listen/marks", "http://evil.example/"), headers={"Origin": SITE})
    assert r.status == 403 and allowed(r), r
    # the widget's files are public: any site may load them with SRI (crossorigin)
    r = get(svc, "/widget/lyssna.js", headers={"Origin": "https://any.example"})
    assert r.status == 200 and r.h("access-control-allow-origin") == "*", r
    assert (r.h("content-type") or "").startswith("text/javascript"), r


def test_speak_marks_and_audio_carry_cors(svc):
    text = unique()
    h = {"Origin": SITE}
    assert allowed(speak(svc, text, path="/v1/speak/marks", headers=h))
    assert allowed(speak(svc, text, query="format=mp3", headers=h))


def test_other_origins_get_no_cors(svc, origin):
    for o in ("https://evil.example", "https://www.exempelby.se.evil.example", "https://www"):
        r = get(svc, listen_path("/v1/listen/text", origin.url(PAGE)), headers={"Origin": o})
        assert r.status == 200 and r.h("access-control-allow-origin") is None, (o, r)


def test_preflight_names_methods_and_headers(svc):
    r = request(svc.port, "OPTIONS", "/v1/speak", headers={
        "Origin": SITE, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert r.status == 204 and allowed(r), r
    assert "POST" in r.h("access-control-allow-methods"), r
    assert "Content-Type" in r.h("access-control-allow-headers"), r
