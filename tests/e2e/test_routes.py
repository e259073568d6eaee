"""The routing table: which row answers a request (its method, then the longest path that
matches it), what each route is counted as in /metrics (rows may share a name), and how a
refused request is told (401, 429) in the shape of its route's API."""
import re
import time

import pytest

from test_serve import ROOT, get, request, start_service

KEY = "cms-key-0123456789abcdef"


@pytest.fixture(scope="module")
def svc(lyssna_bin, tmp_path_factory):
    s = start_service(lyssna_bin, tmp_path_factory.mktemp("routes"), "--allow-host", "127.0.0.1",
                      "--workers", "1", "--rate-limit", "0", "--web", ROOT / "web")
    yield s
    s.stop()


def counts(svc):
    """{(route, status class): count} from lyssna_requests_total, once every earlier request
    is counted: the service counts a request after its last byte is sent, so a client can
    read the answer before it is counted (seen under ASan)."""
    for _ in range(100):
        text = get(svc, "/metrics").body.decode()
        if re.search(r"^lyssna_in_flight 1$", text, re.M):  # this /metrics request alone
            break
        time.sleep(0.05)
    out = {}
    for line in text.splitlines():
        m = re.match(r'lyssna_requests_total\{route="([a-z_]+)",status="(\dxx)"\} (\d+)$', line)
        if m:
            assert (m[1], m[2]) not in out, f"{line}: one line a route and status"
            out[(m[1], m[2])] = int(m[3])
    return out


@pytest.mark.parametrize("method,path,status,what", [
    ("GET", "/v1/nothing-here", 404, "no such endpoint"),  # /v1/ is not the static files'
    ("GET", "/v1", 404, "no such page"),                    # but "/v1" is
    ("GET", "/v1/audio/speech", 404, "no such audio"),      # OpenAI's path takes POST only
    ("POST", "/healthz", 404, "no such endpoint"),
    ("PUT", "/", 404, "no such endpoint"),
    ("DELETE", "/v1/speak", 404, "no such endpoint"),
])
def test_a_request_goes_to_the_row_of_its_method_and_longest_path(svc, method, path, status,
                                                                   what):
    r = request(svc.port, method, path)
    assert r.status == status and what in r.json()["message"], r


def test_options_is_a_preflight_on_any_path_and_head_is_a_get(svc):
    for path in ("/v1/speak", "/v1/audio/speech", "/nowhere"):
        assert request(svc.port, "OPTIONS", path).status == 204, path
    r = request(svc.port, "HEAD", "/healthz")
    assert r.status == 200 and r.body == b"", r


def test_requests_are_counted_by_the_rows_metric_names(svc):
    before = counts(svc)
    for path in ("/voices", "/locales", "/version", "/api/voices", "/api/languages",
                 "/v1/models", "/healthz", "/readyz", "/v1/voices", "/"):
        assert get(svc, path).status == 200, path
    get(svc, "/v1/nothing-here")
    request(svc.port, "PUT", "/")
    request(svc.port, "OPTIONS", "/v1/speak")
    get(svc, "/v1/hls/" + "a" * 64 + "/0.mp3")
    get(svc, "/v1/audio/" + "a" * 64 + ".mp3")
    after = counts(svc)

    def grew(route, status):
        return after.get((route, status), 0) - before.get((route, status), 0)

    assert grew("marytts_info", "2xx") == 3, "/voices, /locales and /version are one route"
    assert grew("opentts_info", "2xx") == 2
    assert grew("openai_models", "2xx") == 1
    assert grew("healthz", "2xx") == grew("readyz", "2xx") == grew("voices", "2xx") == 1
    assert grew("static", "2xx") == 1
    assert grew("other", "4xx") == 2 and grew("other", "2xx") == 1, "unknown paths, preflights"
    assert grew("hls_segment", "4xx") == 1 and grew("audio", "4xx") == 1
    assert ("metrics", "2xx") in after
    names = {route for route, _ in after}
    assert names <= {"other", "healthz", "readyz", "voices", "metrics", "static", "speak",
                     "speak_marks", "listen", "listen_marks", "listen_text", "read", "hls",
                     "hls_segment", "listen_post", "audio", "openai_speech", "openai_models",
                     "marytts", "marytts_info", "opentts", "opentts_info", "prefetch"}, names
    text = get(svc, "/metrics").body.decode()
    assert 'lyssna_request_duration_ms_bucket{route="marytts_info",le="+Inf"}' in text


@pytest.fixture(scope="module")
def strict(lyssna_bin, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("strict")
    keys = tmp / "keys.ini"
    keys.write_text(f"[cms]\nkey = {KEY}\nrate_limit = 1\n")
    s = start_service(lyssna_bin, tmp, "--allow-host", "127.0.0.1", "--workers", "1",
                      "--rate-limit", "1", "--keys-file", keys, "--require-keys", "openai")
    yield s
    s.stop()


def client(n):
    """Another client's address, as a loopback proxy reports it: each its own bucket."""
    return {"X-Forwarded-For": f"192.0.2.{n}"}


def test_refusals_take_the_shape_of_the_routes_api(strict):
    r = request(strict.port, "POST", "/v1/audio/speech", body=b'{"input": "Hej"}',
                headers={"Content-Type": "application/json", **client(1)})
    assert r.status == 401 and r.json()["error"]["code"] == "invalid_api_key", r
    assert r.h("www-authenticate") == "Bearer"
    for n, path in ((2, "/v1/models"), (3, "/voices"), (4, "/api/voices"), (5, "/v1/voices")):
        assert get(strict, path, headers=client(n)).status == 200, path
    r = get(strict, "/v1/models", headers=client(2))
    assert r.status == 429 and r.json()["error"]["code"] == "rate_limit_exceeded", r
    r = get(strict, "/voices", headers=client(3))
    assert r.status == 429 and r.h("content-type").startswith("text/plain"), r
    assert b"too many" in r.body
    r = get(strict, "/api/voices", headers=client(4))
    assert r.status == 429 and r.json()["error"] == "rate_limited", r
    assert get(strict, "/v1/voices", headers=client(5)).status == 200, "a free route"
    assert get(strict, "/healthz", headers=client(5)).status == 200, "a free route"


def test_a_key_brings_its_own_bucket_to_every_route_that_costs_a_token(strict):
    bearer = {"Authorization": f"Bearer {KEY}"}
    assert get(strict, "/api/voices", headers={**bearer, **client(6)}).status == 200
    r = get(strict, "/v1/models", headers={**bearer, **client(7)})
    assert r.status == 429 and r.json()["error"]["code"] == "rate_limit_exceeded", \
        "the key's one request a minute is spent, whatever the address"
    assert 'lyssna_key_refused_total{key="cms"} 1' in get(strict, "/metrics").body.decode()


def test_metrics_are_in_prometheus_text_format(strict):
    """Every sample comes under its metric's TYPE line, each metric's lines together (a
    scraper refuses a page that splits them)."""
    assert get(strict, "/v1/models", headers={"Authorization": f"Bearer {KEY}"}).status in (200, 429)
    typed, seen, current = {}, set(), None
    for line in get(strict, "/metrics").body.decode().splitlines():
        m = re.match(r"# TYPE (\w+) (counter|gauge|histogram)$", line)
        if m:
            assert m[1] not in typed, f"{m[1]} typed twice"
            typed[m[1]], current = m[2], m[1]
            continue
        name = re.match(r"(\w+)(\{[^}]*\})? \S+$", line)
        assert name, f"not a sample: {line!r}"
        family = re.sub(r"_(bucket|sum|count)$", "", name[1]) \
            if typed.get(re.sub(r"_(bucket|sum|count)$", "", name[1])) == "histogram" else name[1]
        assert family == current, f"{line!r} is not under its TYPE line (# TYPE {current})"
        seen.add(family)
    assert {"lyssna_key_requests_total", "lyssna_key_refused_total"} <= seen
