"""A cluster as operators run it: Debian's nginx with the shipped config/nginx-cluster.conf in
front of three `lyssna serve` instances on loopback sharing one cache folder, pages from a
loopback origin. The tests run in order on one cluster and print their figures (`cluster:`):
each page synthesized once in the whole cluster; the same bytes and ETag from every instance;
ranges and 304s through nginx and its proxy_cache; an instance killed with SIGKILL under load
(what it costs, counted from nginx's own log); an instance stopped with SIGTERM (how soon it
leaves the pool, and that its streams finish)."""
import http.client
import json
import signal
import socket
import threading
import time
import urllib.parse

import pytest

import batch_site
from cluster import cluster_nginx
from conftest import TIME_SCALE
from origin import Origin
from test_serve import decoded_seconds, start_service

EDITOR = "cluster-editor-key-0123456789"
N_SHORT = 9
N_LONG = 12
LONG_LINES = 12


def figure(text):
    print(f"\ncluster: {text}", flush=True)


class Call:
    """One HTTP exchange, kept whole or cut short: status, headers, body, the client port
    (to find the request in nginx's log) and whether the body came complete."""

    def __init__(self, port, path, method="GET", body=None, headers=None, timeout=120):
        self.status, self.body, self.complete, self.error = None, b"", False, None
        self.headers, self.path = {}, path
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout * TIME_SCALE)
        try:
            conn.connect()
            self.local_port = conn.sock.getsockname()[1]
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            self.status, self.headers = r.status, {k.lower(): v for k, v in r.getheaders()}
            self.body = r.read()
            self.complete = True
        except (http.client.HTTPException, OSError) as e:
            self.error = repr(e)
        finally:
            conn.close()

    def h(self, name):
        return self.headers.get(name.lower())

    @property
    def ok(self):
        return self.complete and self.status == 200

    def __repr__(self):
        return f"<{self.status} complete={self.complete} {self.error or ''} {self.body[:200]!r}>"


def listen(url, fmt="mp3"):
    return "/v1/listen?" + urllib.parse.urlencode({"url": url, "format": fmt})


def metrics(svc):
    r = Call(svc.port, "/metrics", timeout=10)
    assert r.ok, r
    out = {}
    for line in r.body.decode().splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def syntheses(svc):
    return int(metrics(svc)["lyssna_cache_misses_total"])


def in_parallel(fn, items, threads=3):
    """fn(item) for each item on a few threads; the results in the items' order."""
    out = [None] * len(items)
    it = iter(enumerate(items))
    lock = threading.Lock()

    def work():
        while True:
            with lock:
                nxt = next(it, None)
            if nxt is None:
                return
            out[nxt[0]] = fn(nxt[1])

    ts = [threading.Thread(target=work) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


def until_cached(port, path, tries=40):
    """The answer once it comes from the cache (a Content-Length): an entry is committed as
    its stream ends, so a request right after may still find it being made."""
    r = Call(port, path)
    for _ in range(tries):
        if not r.ok or r.h("content-length") is not None:
            break
        time.sleep(0.25)
        r = Call(port, path)
    return r


class Cluster:
    def __init__(self, lyssna_bin, tmp, origin):
        self.bin, self.tmp, self.origin = lyssna_bin, tmp, origin
        self.cache = tmp / "shared-cache"
        self.svcs = [self.start_instance() for _ in range(3)]
        self.nginx = cluster_nginx(tmp / "nginx", [f"127.0.0.1:{s.port}" for s in self.svcs])
        self.nginx.start()
        lines = batch_site._lines()
        self.short = self.pages("kort", N_SHORT, lambda i: lines[2 * i:2 * i + 2])
        self.long = self.pages("lang", N_LONG, lambda i: [
            lines[(i * LONG_LINES + k) % len(lines)] for k in range(LONG_LINES)])

    def start_instance(self):
        keys = self.tmp / "keys.ini"
        keys.write_text(f"[redaktion]\nkey = {EDITOR}\nrole = editor\n")
        # the lexicon is lexicon.db beside the shared cache folder: shared too
        return start_service(self.bin, self.tmp, "--cache-dir", self.cache, "--workers", "2",
                             "--keys-file", keys,
                             "--allow-host", "127.0.0.1", "--allow-addr", "127.0.0.0/8",
                             "--max-connections-per-client", "0", "--shutdown-grace-s", "60",
                             # a third of the workers gone, the streams wait for the others
                             # rather than get "busy": the count is of what the kill cost
                             "--queue-wait-ms", "60000")

    def pages(self, stem, n, paragraphs):
        urls = []
        for i in range(n):
            path = f"/{stem}/sida-{i + 1}.html"
            self.origin.routes[path] = (200, "text/html; charset=utf-8",
                                        batch_site.page_html(f"{stem} {i + 1}", paragraphs(i)))
            urls.append(self.origin.url(path))
        return urls

    def via_nginx(self, path, **kw):
        return Call(self.nginx.port, path, **kw)

    def alive(self):
        return [s for s in self.svcs if s.proc.poll() is None]

    def syntheses(self):
        return {s.port: syntheses(s) for s in self.alive()}

    def log_of(self, calls):
        """nginx's log lines of these calls, found by client port and request (nginx writes
        a line just after the answer's last byte: it may be a moment late)."""
        for _ in range(100):
            by_req = {}
            for line in self.nginx.log():
                by_req[(line["port"], line["request"].split(" ")[1])] = line
            found = [by_req.get((c.local_port, c.path)) for c in calls]
            if None not in found:
                break
            time.sleep(0.05)
        return found

    def stop(self):
        self.nginx.stop()
        for s in self.svcs:
            s.stop()


@pytest.fixture(scope="module")
def cluster(lyssna_bin, tmp_path_factory):
    with Origin() as o:
        c = Cluster(lyssna_bin, tmp_path_factory.mktemp("cluster"), o)
        try:
            yield c
        finally:
            c.stop()


def test_each_page_is_synthesized_once_in_the_whole_cluster(cluster, tmp_path):
    first = in_parallel(lambda u: cluster.via_nginx(listen(u)), cluster.short)
    assert all(r.ok and r.h("content-type") == "audio/mpeg" for r in first), first
    assert decoded_seconds(first[0].body, tmp_path) > 2
    again = in_parallel(lambda u: until_cached(cluster.nginx.port, listen(u)), cluster.short)
    assert all(r.ok and r.h("content-length") for r in again), again
    made = cluster.syntheses()
    assert sum(made.values()) == N_SHORT, made
    assert [a.body for a in again] == [f.body for f in first], "the stream is the cached entry"
    figure(f"{N_SHORT} pages, each asked for twice through nginx: {sum(made.values())} "
           f"syntheses in the cluster (per instance {sorted(made.values())}), "
           f"{N_SHORT} answers from the shared cache")


def test_every_instance_gives_the_same_bytes_and_etag(cluster):
    before = cluster.syntheses()
    hits = 0
    for url in cluster.short:
        answers = [Call(s.port, listen(url)) for s in cluster.svcs]
        assert all(a.ok and a.h("content-length") for a in answers), answers
        assert len({a.body for a in answers}) == 1, url
        assert len({a.h("etag") for a in answers}) == 1 and answers[0].h("etag"), url
        assert len({a.h("last-modified") for a in answers}) == 1, url
        hits += len(answers)
    assert cluster.syntheses() == before, "no instance made anything again"
    figure(f"{hits} requests straight to the 3 instances: {hits} cache hits, 0 syntheses, "
           f"the same bytes, ETag and Last-Modified from each")


def test_ranges_and_304_through_nginx_and_its_cache(cluster):
    page = listen(cluster.short[0])
    whole = cluster.via_nginx(page)
    size, etag = len(whole.body), whole.h("etag")
    assert whole.ok and etag, whole
    hit = cluster.via_nginx(page)
    assert hit.ok and hit.h("x-cache-status") == "HIT" and hit.body == whole.body, hit
    part = cluster.via_nginx(page, headers={"Range": "bytes=100-199"})
    assert part.status == 206 and part.h("x-cache-status") == "HIT", part
    assert part.h("content-range") == f"bytes 100-199/{size}" and part.body == whole.body[100:200]
    probe = cluster.via_nginx(page, headers={"Range": "bytes=0-1"})
    assert probe.status == 206 and probe.h("content-range") == f"bytes 0-1/{size}", probe
    same = cluster.via_nginx(page, headers={"If-None-Match": etag})
    assert same.status == 304 and same.h("x-cache-status") == "HIT" and same.body == b"", same

    # past nginx's cache, to the instance: audio not made yet, probed as Safari does
    fresh = listen(cluster.short[1], fmt="ogg")
    probe = cluster.via_nginx(fresh, headers={"Range": "bytes=0-1"})
    assert probe.status == 206 and probe.h("x-cache-status") == "MISS", probe
    total = int(probe.h("content-range").rsplit("/", 1)[1])
    assert total > 1000 and len(probe.body) == 2, probe
    tail = cluster.via_nginx(fresh, headers={"Range": f"bytes={total - 10}-"})
    assert tail.status == 206 and len(tail.body) == 10, tail
    # a speak request never goes through nginx's cache: the instance answers both
    body = "Kommunfullmäktige sammanträder i stadshuset på torsdag.".encode()
    hdr = {"Content-Type": "text/plain; charset=utf-8"}
    spoken = cluster.via_nginx("/v1/speak?format=mp3", method="POST", body=body, headers=hdr)
    assert spoken.ok, spoken
    for _ in range(40):
        cached = cluster.via_nginx("/v1/speak?format=mp3", method="POST", body=body, headers=hdr)
        if cached.h("etag"):
            break
        time.sleep(0.25)
    assert cached.ok and cached.h("etag") and cached.h("x-cache-status") is None, cached
    same = cluster.via_nginx("/v1/speak?format=mp3", method="POST", body=body,
                             headers={**hdr, "If-None-Match": cached.h("etag")})
    assert same.status == 304, same
    part = cluster.via_nginx("/v1/speak?format=mp3", method="POST", body=body,
                             headers={**hdr, "Range": "bytes=10-19"})
    assert part.status == 206 and part.body == cached.body[10:20], part
    hits = sum(1 for line in cluster.nginx.log() if line["cache"] == "HIT")
    figure(f"ranges and 304 through nginx: from its proxy_cache (HIT: 200, 206, 304), past it "
           f"(Safari's bytes=0-1 on new audio: 206 of {total} bytes from the instance; speak: "
           f"304, 206); {hits} answers by nginx's cache so far")


def first_byte(port, path):
    """(seconds to the first byte of the body, seconds to its end, bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120 * TIME_SCALE)
    t0 = time.monotonic()
    conn.request("GET", path)
    r = conn.getresponse()
    first = r.read(1)
    t1 = time.monotonic()
    rest = r.read()
    t2 = time.monotonic()
    conn.close()
    assert r.status == 200 and first and r.getheader("content-length") is None
    return t1 - t0, t2 - t0, len(first) + len(rest)


def test_a_stream_goes_out_through_nginx_as_it_is_made(cluster):
    """nginx buffers /v1/listen to be able to keep it: the stream must not wait for its end."""
    direct = first_byte(cluster.svcs[0].port, listen(cluster.long[10]))
    proxied = first_byte(cluster.nginx.port, listen(cluster.long[11]))
    assert proxied[0] < proxied[1] / 2, proxied
    figure(f"a new page's stream: first byte after {proxied[0] * 1000:.0f} ms through nginx "
           f"(whole {proxied[1]:.1f} s, {proxied[2]} bytes); straight from an instance "
           f"{direct[0] * 1000:.0f} ms (whole {direct[1]:.1f} s)")


def streaming(svc):
    """Requests an instance is working on, beside this /metrics one and those queued."""
    m = metrics(svc)
    return int(m["lyssna_in_flight"] - 1 - m["lyssna_queue_length"])


def wait_for_stream(svcs, calls_done, timeout=60):
    """The instance with the most streams going, once one has a stream going."""
    deadline = time.monotonic() + timeout * TIME_SCALE
    while time.monotonic() < deadline and not calls_done():
        counts = [(streaming(s), s) for s in svcs]
        best = max(counts, key=lambda c: c[0])
        if best[0] >= 1:
            return best[1]
        time.sleep(0.02)
    raise AssertionError("no instance started a stream")


def start_calls(cluster, paths, spacing=0.0):
    calls = [None] * len(paths)

    def one(i):
        calls[i] = cluster.via_nginx(paths[i])

    threads = []
    for i in range(len(paths)):
        t = threading.Thread(target=one, args=(i,))
        t.start()
        threads.append(t)
        time.sleep(spacing)
    return calls, threads


def speak_wav(port, text):
    """POST /v1/speak for text as WAV, once its audio is in the shared cache."""
    body = json.dumps({"text": text, "format": "wav"}).encode()
    hdr = {"Content-Type": "application/json"}
    for _ in range(40):
        r = Call(port, "/v1/speak", method="POST", body=body, headers=hdr)
        if not r.ok or r.h("content-length") is not None:
            break
        time.sleep(0.25)
    assert r.ok, r
    return r.body


def test_a_lexicon_change_is_heard_through_every_instance_within_5_s(cluster):
    word = "Lyssnavik" + "".join(chr(ord("a") + int(d)) for d in str(time.time_ns())[-6:])
    uses = [f"Färjan till {word} går klockan {h}." for h in (6, 7, 8, 9)]
    others = [f"Färjan till Sandhamn går klockan {h}." for h in range(10, 18)]
    before = {t: speak_wav(cluster.nginx.port, t) for t in uses + others}
    misses = sum(syntheses(s) for s in cluster.alive())
    first, *rest = cluster.alive()
    r = Call(first.port, "/v1/lexicon", method="POST",
             body=json.dumps({"text": word, "say": "[[l'ysnav,i:k]]", "lang": "sv"}).encode(),
             headers={"Authorization": f"Bearer {EDITOR}", "Content-Type": "application/json"})
    saved = time.monotonic()
    assert r.status == 201, r
    heard = {}
    for s in rest:  # the other instances, asked directly: each must take the change
        text = uses[len(heard)]
        while speak_wav(s.port, text) == before[text]:
            assert time.monotonic() - saved < 5 * TIME_SCALE, "not heard within 5 s"
            time.sleep(0.05)
        heard[s.port] = time.monotonic() - saved
    after = {t: speak_wav(cluster.nginx.port, t) for t in uses + others}
    made = sum(syntheses(s) for s in cluster.alive()) - misses
    kept = sum(1 for t in others if after[t] == before[t])
    assert all(after[t] != before[t] for t in uses)
    assert kept == len(others) and made == len(uses), (made, kept)
    figure(f"lexicon: saved through one instance, first right audio on the others after "
           f"{', '.join(f'{v:.2f} s' for v in heard.values())}; of {len(uses) + len(others)} "
           f"cached texts {len(uses)} dropped (they use the word), {kept} kept")


def test_sigkill_under_load_costs_only_its_streams(cluster):
    # audio the shared cache has but nginx's does not: made through one instance directly
    cached = [listen(u, fmt="wav") for u in cluster.short]
    later = [listen(u, fmt="opus") for u in cluster.short]
    for p in cached + later:
        assert until_cached(cluster.svcs[0].port, p).ok
    streams = [listen(u) for u in cluster.long[:6]]
    calls, threads = start_calls(cluster, streams)
    victim = wait_for_stream(cluster.svcs, lambda: all(c is not None for c in calls))
    started = {}

    def load_starter():  # requests of cached audio before, while and after the kill
        started["calls"], started["threads"] = start_calls(cluster, cached, spacing=0.05)

    starter = threading.Thread(target=load_starter)
    starter.start()
    time.sleep(0.2)
    victim.proc.send_signal(signal.SIGKILL)
    victim.proc.wait(timeout=10)
    killed = f"127.0.0.1:{victim.port}"
    starter.join()
    load = started["calls"]
    for t in threads + started["threads"]:
        t.join(timeout=300)
    after = [cluster.via_nginx(p) for p in later]
    everything = calls + load + after
    logged = cluster.log_of(everything)
    assert None not in logged, [(c, c.path) for c, line in zip(everything, logged) if not line]
    cut = cluster.nginx.cut_short()
    lost = [c for c in everything if not c.ok]
    moved = [line for line in logged if len(line["upstreams"]) > 1]
    assert lost, "the victim was streaming when it was killed"
    assert all(up == killed for _, up in cut), cut
    assert sorted(f"GET {c.path} HTTP/1.1" for c in lost) == sorted(req for req, _ in cut), (lost, cut)
    assert all(c in calls for c in lost), "only streams under way are lost"
    assert all(c.ok and c.h("content-length") for c in load + after), "from the shared cache"
    assert all(line["upstreams"] and line["upstreams"][-1] != killed
               for line in cluster.log_of(after)), "the survivors answered after the kill"
    redo = [cluster.via_nginx(streams[calls.index(c)]) for c in lost]
    assert all(r.ok for r in redo), redo
    figure(f"SIGKILL under load: {len(everything)} requests through nginx ({len(streams)} "
           f"streams of new audio, {len(load) + len(after)} of audio in the shared cache); "
           f"{len(cut)} in flight on the killed instance by nginx's log, {len(lost)} lost, "
           f"{len(moved)} moved to another instance by nginx; "
           f"{len(load) + len(after)} answered from the shared cache")


def refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False


def test_sigterm_leaves_the_pool_at_once_and_finishes_its_streams(cluster):
    alive = cluster.alive()
    assert len(alive) >= 2
    streams = [listen(u) for u in cluster.long[6:]]
    calls, threads = start_calls(cluster, streams)
    target = wait_for_stream(alive, lambda: all(c is not None for c in calls))
    going = streaming(target)
    t0 = time.monotonic()
    target.proc.send_signal(signal.SIGTERM)
    while not refused(target.port) and time.monotonic() - t0 < 30:
        time.sleep(0.001)
    left_ms = (time.monotonic() - t0) * 1000
    assert refused(target.port), "a draining instance refuses new connections"
    assert left_ms < 1000 * TIME_SCALE, f"it took {left_ms:.0f} ms to leave the pool"
    during = [cluster.via_nginx(listen(u, fmt="mp3")) for u in cluster.long[:6]]
    for t in threads:
        t.join(timeout=300)
    code = target.proc.wait(timeout=120 * TIME_SCALE)
    took = time.monotonic() - t0
    assert code == 0, target.stderr_text()[-2000:]
    assert all(c.ok for c in calls), calls
    assert all(r.ok for r in during), during
    served = f"127.0.0.1:{target.port}"
    assert all(line["upstreams"][-1:] != [served] for line in cluster.log_of(during)), \
        "nothing new is answered by the stopping instance"
    logged = cluster.log_of(calls)
    finished = sum(1 for line in logged if line["upstreams"][-1:] == [served] and line["complete"])
    assert finished >= 1, "its streams ran to their end"
    for c, path in zip(calls, streams):
        again = until_cached(cluster.nginx.port, path)
        assert again.ok and again.body == c.body, "every stream was whole"
    figure(f"SIGTERM: connections refused {left_ms:.1f} ms after the signal; {going} stream(s) "
           f"under way then, {finished} finished on it, whole; {len(during)} requests during "
           f"the drain answered by the others; exit 0 after {took:.1f} s")


def test_figures_of_the_whole_run(cluster):
    log = cluster.nginx.log()
    by_cache = {}
    for line in log:
        by_cache[line["cache"]] = by_cache.get(line["cache"], 0) + 1
    moved = sum(1 for line in log if len(line["upstreams"]) > 1)
    figure(f"the whole run: {len(log)} requests through nginx, {by_cache.get('HIT', 0)} answered "
           f"by nginx's cache, {moved} moved to another instance, "
           f"{by_cache.get('-', 0)} outside the cached routes")
