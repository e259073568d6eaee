"""Hostile requests to `lyssna serve`: slow clients, oversized headers and bodies, request
smuggling, header injection through parameters, CORS from an origin not configured. Each
gets the right status, and the service goes on answering others. Loopback only.
"""
import socket
import threading
import time

import pytest

from conftest import ROOT
from test_serve import get, request, start_service

ALLOWED = "https://www.exempelkommun.se"


@pytest.fixture(scope="module")
def svc(lyssna_bin, tmp_path_factory):
    s = start_service(lyssna_bin, tmp_path_factory.mktemp("hostile"), "--allow-host",
                      "127.0.0.1", "--workers", "1", "--client-timeout-s", "2",
                      "--max-connections-per-client", "40", "--cors-origin", ALLOWED,
                      "--rate-limit", "0", "--web", ROOT / "web")
    yield s
    s.stop()


def raw(port, data, timeout=10):
    """Sends data on a fresh connection; returns all bytes until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except (socket.timeout, ConnectionResetError):
            pass
    return out


def statuses(data):
    return [int(line.split()[1]) for line in data.split(b"\r\n") if line.startswith(b"HTTP/1.")]


def test_slow_clients_are_cut_off_and_others_served(svc):
    held = []
    for _ in range(30):
        s = socket.create_connection(("127.0.0.1", svc.port), timeout=10)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        held.append(s)
    t0 = time.monotonic()
    assert get(svc, "/healthz", timeout=5).status == 200
    assert time.monotonic() - t0 < 3
    time.sleep(4)  # past the 2 s client timeout
    closed = 0
    for s in held:
        try:
            s.settimeout(2)
            closed += s.recv(1) == b""
        except (ConnectionResetError, socket.timeout):
            closed += 1
        s.close()
    assert closed == len(held)


def test_one_client_cannot_hold_every_connection(svc):
    held = [socket.create_connection(("127.0.0.1", svc.port), timeout=10) for _ in range(60)]
    try:
        # past the per-client cap, connections are closed at once
        refused = 0
        for s in held[40:]:
            s.settimeout(2)
            try:
                refused += s.recv(1) == b""
            except ConnectionResetError:
                refused += 1
            except socket.timeout:
                pass
        assert refused >= 15
    finally:
        for s in held:
            s.close()
    time.sleep(0.5)
    assert get(svc, "/healthz").status == 200


def test_oversized_headers_are_431(svc):
    out = raw(svc.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 +
              b"\r\n\r\n")
    assert statuses(out)[:1] == [431], out[:200]


def test_announced_oversized_body_is_413_before_it_is_sent(svc):
    t0 = time.monotonic()
    out = raw(svc.port, b"POST /v1/speak HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                        b"Content-Length: 10000000000\r\n\r\nHej")
    assert statuses(out) == [413], out[:300]
    assert b"at most" in out
    assert time.monotonic() - t0 < 5


def chunked_post(port, chunks):
    chunk = b"a " * 32768
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(chunks))
    return raw(port, b"POST /v1/speak HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n" + body + b"0\r\n\r\n")


def test_chunked_body_over_the_cap_is_413(svc):
    assert statuses(chunked_post(svc.port, 40)) == [413]


def test_endless_chunked_body_is_cut_off(svc):
    try:
        out = chunked_post(svc.port, 400)  # 25 MB
    except (BrokenPipeError, ConnectionResetError):
        out = b""  # closed while we were still sending: what should happen
    assert statuses(out) == []
    assert get(svc, "/healthz").status == 200


@pytest.mark.parametrize("framing", [
    b"Content-Length: 3\r\nContent-Length: 40\r\n",
    b"Content-Length: 6\r\nTransfer-Encoding: chunked\r\n",
    b"Content-Length: 3, 40\r\n",
])
def test_ambiguous_body_length_is_400_and_nothing_is_smuggled(svc, framing):
    smuggled = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
    out = raw(svc.port, b"POST /v1/speak HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n" +
              framing + b"\r\n0\r\n\r\n" + smuggled)
    assert statuses(out) and set(statuses(out)) == {400}, out[:400]
    assert b"lyssna_requests_total" not in out


def test_parameters_cannot_inject_headers(svc):
    out = raw(svc.port, b"GET /v1/listen?url=http://127.0.0.1:1/%0d%0aX-Injected:%20yes"
                        b"&voice=sv%0d%0aSet-Cookie:%20a=b HTTP/1.1\r\nHost: x\r\n"
                        b"Connection: close\r\n\r\n")
    head = out.split(b"\r\n\r\n", 1)[0].lower()
    assert statuses(out) == [400], out[:300]
    assert b"x-injected" not in head and b"set-cookie" not in head


def test_cors_only_for_configured_origins(svc):
    h = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
         "Access-Control-Request-Headers": "content-type"}
    pre = request(svc.port, "OPTIONS", "/v1/speak", headers=h)
    assert pre.h("access-control-allow-origin") is None, pre
    r = request(svc.port, "GET", "/v1/voices", headers={"Origin": "https://evil.example"})
    assert r.h("access-control-allow-origin") is None, r
    ok = request(svc.port, "OPTIONS", "/v1/speak", headers={**h, "Origin": ALLOWED})
    assert ok.h("access-control-allow-origin") == ALLOWED, ok
    assert "origin" in (ok.h("vary") or "").lower()
    assert "POST" in ok.h("access-control-allow-methods")
    err = request(svc.port, "GET", "/v1/listen/marks", headers={"Origin": ALLOWED})
    assert err.status == 400 and err.h("access-control-allow-origin") == ALLOWED, err
    page = request(svc.port, "GET", "/", headers={"Origin": "https://any.example"})
    assert page.status == 200 and page.h("access-control-allow-origin") == "*", page


def test_service_still_healthy_after_all_that(svc):
    results = []

    def one():
        results.append(get(svc, "/v1/voices").status)

    threads = [threading.Thread(target=one) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 10
