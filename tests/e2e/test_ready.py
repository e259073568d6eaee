"""Readiness and the drain: GET /readyz says whether an instance should get requests (not while
it is stopping, while no synthesis worker runs, or while its cache folder cannot be written,
with the reason in JSON), /healthz stays liveness, and after SIGTERM a new connection is
refused at once while the streams under way finish and the process exits 0."""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import time

from conftest import TIME_SCALE
from test_faults import shared_dir
from test_serve import decoded_seconds, get, speak, start_service

TEXT = "Kommunfullmäktige sammanträder i stadshuset på torsdag klockan sju. " * 60


def ready(svc):
    r = get(svc, "/readyz", timeout=10)
    return r.status, r.json()


def workers_of(pid):
    p = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True,
                       text=True, check=True)
    return [int(line.split()[0]) for line in p.stdout.splitlines() if "worker" in line]


def state(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "gone"


def test_ready_and_healthy_when_all_is_well(lyssna_bin, tmp_path):
    s = start_service(lyssna_bin, tmp_path, "--allow-host", "127.0.0.1", "--workers", "1")
    try:
        assert ready(s) == (200, {"ready": True})
        assert get(s, "/healthz").status == 200
        assert "lyssna_ready 1" in get(s, "/metrics").body.decode()
    finally:
        assert s.stop() == 0


def test_not_ready_while_no_worker_runs_then_ready_again(lyssna_bin, tmp_path):
    s = start_service(lyssna_bin, tmp_path, "--allow-host", "127.0.0.1", "--workers", "1")
    try:
        (worker,) = workers_of(s.proc.pid)
        os.kill(worker, signal.SIGKILL)  # a child of the service this test started
        deadline = time.monotonic() + 10
        while state(worker) not in ("Z", "gone") and time.monotonic() < deadline:
            time.sleep(0.01)
        status, doc = ready(s)
        assert status == 503 and doc["ready"] is False and "worker" in doc["reason"], doc
        assert get(s, "/healthz").status == 200, "liveness is not readiness"
        assert ready(s) == (200, {"ready": True}), "the worker was replaced"
        assert speak(s, "Hej och välkommen.", query="format=mp3").status == 200
    finally:
        s.stop()


def test_not_ready_while_the_cache_cannot_be_written(lyssna_bin, tmp_path):
    base = shared_dir()
    cache = base / "cache"
    cache.mkdir()
    try:
        if os.geteuid() == 0:
            ro = ["--user", "nobody"]  # root writes anywhere: the root-owned folder is not nobody's
        else:
            cache.chmod(0o555)
            ro = []
        s = start_service(lyssna_bin, tmp_path, "--allow-host", "127.0.0.1", "--workers", "1",
                          "--cache-dir", cache, *ro)
        try:
            status, doc = ready(s)
            assert status == 503 and "cannot be written" in doc["reason"], doc
            assert get(s, "/healthz").status == 200
            assert speak(s, "Hej och välkommen.", query="format=mp3").status == 200, \
                "it still speaks: only the balancer is told"
            assert "lyssna_ready 0" in get(s, "/metrics").body.decode()
        finally:
            s.stop()
    finally:
        cache.chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)


def refused(port):
    """Whether a new connection is turned away: refused, or reset when the listening socket
    closed with it still in the backlog (a loaded machine gets there first now and then)."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return False
    except (ConnectionRefusedError, ConnectionResetError):
        return True


def test_sigterm_refuses_new_connections_at_once_and_finishes_streams(lyssna_bin, tmp_path):
    s = start_service(lyssna_bin, tmp_path, "--allow-host", "127.0.0.1", "--workers", "1",
                      "--shutdown-grace-s", "60")
    kept = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30 * TIME_SCALE)
    kept.request("GET", "/healthz")
    assert kept.getresponse().read() == b"ok\n"  # an open keep-alive connection, as nginx has
    stream = http.client.HTTPConnection("127.0.0.1", s.port, timeout=120 * TIME_SCALE)
    stream.request("POST", "/v1/speak?format=mp3", body=TEXT.encode(),
                   headers={"Content-Type": "text/plain; charset=utf-8"})
    r = stream.getresponse()
    head = r.read(2048)
    t0 = time.monotonic()
    s.proc.send_signal(signal.SIGTERM)
    while not refused(s.port) and time.monotonic() - t0 < 10:
        time.sleep(0.001)
    left = time.monotonic() - t0
    assert refused(s.port), "a draining instance refuses new connections"
    kept.request("GET", "/readyz")
    answer = kept.getresponse()
    doc = json.loads(answer.read())
    assert answer.status == 503 and "draining" in doc["reason"], doc
    kept.request("GET", "/v1/voices")
    answer = kept.getresponse()
    body = json.loads(answer.read())
    assert answer.status == 503 and body["error"] == "draining", body
    assert answer.getheader("connection") == "close" and answer.getheader("retry-after") == "1"
    kept.close()
    audio = head + r.read()
    stream.close()
    code = s.proc.wait(timeout=60 * TIME_SCALE)
    assert code == 0, s.stderr_text()[-2000:]
    seconds = decoded_seconds(audio, tmp_path)
    assert seconds > 120, "the whole stream came"
    print(f"\nSIGTERM: new connections refused after {left * 1000:.1f} ms; the stream under way "
          f"finished ({seconds:.0f} s of audio); exit 0 after {time.monotonic() - t0:.1f} s")
