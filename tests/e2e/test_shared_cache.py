"""One cache folder used by several `lyssna serve` instances at once (docs/DEPLOY.md, "The
shared cache"): two writers of one key, an instance starting while another writes, eviction by
one instance under another's reader. Each check is of what a user gets: the bytes, ETags, and
what lies in the folder afterwards (one whole entry, no temporary left, every entry's checksum
right)."""
import hashlib
import http.client
import threading
import time

from conftest import TIME_SCALE
from test_faults import metric
from test_serve import speak, start_service

SENTENCES = ["Kommunfullmäktige sammanträder i stadshuset på torsdag klockan sju.",
             "Mötet är öppet för allmänheten och sänds direkt på kommunens webbplats.",
             "Frågor om dagordningen besvaras av kommunkansliet under kontorstid."]


def long_text(n, tag):
    return " ".join(f"{SENTENCES[i % 3]} Punkt {i + 1} av {n} i ärende {tag}." for i in range(n))


def entries(cache, ext):
    return sorted(p for p in cache.glob(f"??/*.{ext}") if p.is_file())


def intact(path):
    """The entry's trailer: the SHA-256 of the bytes before it, then the magic string."""
    data = path.read_bytes()
    body, digest, magic = data[:-40], data[-40:-8], data[-8:]
    return magic == b"LYSSNA1\n" and hashlib.sha256(body).digest() == digest


def two(lyssna_bin, tmp_path, cache, *extra):
    return [start_service(lyssna_bin, tmp_path, "--cache-dir", cache, "--workers", "1",
                          "--allow-host", "127.0.0.1", *extra) for _ in range(2)]


def cached(svc, text, query):
    for _ in range(40):
        r = speak(svc, text, query=query)
        if r.status == 200 and r.h("content-length"):
            return r
        time.sleep(0.25)
    raise AssertionError(f"never cached: {r}")


def test_two_instances_asked_one_key_at_once_synthesize_it_once(lyssna_bin, tmp_path):
    cache = tmp_path / "shared"
    svcs = two(lyssna_bin, tmp_path, cache)
    try:
        text = long_text(15, "samtidigt")
        go = threading.Barrier(2)
        out = [None, None]

        def ask(i):
            go.wait()
            out[i] = speak(svcs[i], text, query="format=mp3", timeout=120)

        ts = [threading.Thread(target=ask, args=(i,)) for i in (0, 1)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        assert all(r.status == 200 for r in out), out
        assert out[0].body == out[1].body, "both get the one synthesis' bytes"
        again = [cached(s, text, "format=mp3") for s in svcs]
        assert again[0].body == again[1].body == out[0].body
        assert again[0].h("etag") == again[1].h("etag")
        mp3 = entries(cache, "mp3")
        assert len(mp3) == 1 and intact(mp3[0]), mp3
        assert list((cache / "tmp").iterdir()) == [], "no temporary file is left"
        made = [metric(s, "lyssna_syntheses_total") for s in svcs]
        errors = [metric(s, "lyssna_cache_write_errors_total") for s in svcs]
        assert sorted(made) == [0, 1] and errors == [0, 0], (made, errors)
        print(f"\nshared cache: one key asked of 2 instances at once: 1 synthesis (the other "
              f"instance waited for its claim), {len(out[0].body)} bytes each, 1 whole entry, "
              f"no temporary left, the same ETag from both")
    finally:
        for s in svcs:
            s.stop()


def test_an_instance_starting_leaves_another_ones_entry_being_written(lyssna_bin, tmp_path):
    cache = tmp_path / "shared"
    first = start_service(lyssna_bin, tmp_path, "--cache-dir", cache, "--workers", "1",
                          "--allow-host", "127.0.0.1")
    second = None
    try:
        text = long_text(25, "start")
        conn = http.client.HTTPConnection("127.0.0.1", first.port, timeout=120 * TIME_SCALE)
        conn.request("POST", "/v1/speak?format=mp3", body=text.encode(),
                     headers={"Content-Type": "text/plain; charset=utf-8"})
        r = conn.getresponse()
        head = r.read(4096)
        writing = list((cache / "tmp").iterdir())
        assert writing, "the entry is being written"
        second = start_service(lyssna_bin, tmp_path, "--cache-dir", cache, "--workers", "1",
                               "--allow-host", "127.0.0.1")
        body = head + r.read()
        conn.close()
        assert metric(first, "lyssna_cache_write_errors_total") == 0
        hit = cached(second, text, "format=mp3")
        assert hit.body == body and metric(second, "lyssna_cache_misses_total") == 0
        assert all(intact(p) for p in entries(cache, "mp3"))
    finally:
        first.stop()
        if second:
            second.stop()


def test_eviction_by_one_instance_spares_another_ones_reader(lyssna_bin, tmp_path):
    cache = tmp_path / "shared"
    reader, evicter = two(lyssna_bin, tmp_path, cache, "--cache-max-mb", "1")
    try:
        text = long_text(2, "läsare")
        whole = cached(reader, text, "format=wav").body
        assert len(whole) > 300_000
        assert cached(evicter, text, "format=wav").body == whole  # now it knows the entry
        (entry,) = entries(cache, "wav")
        conn = http.client.HTTPConnection("127.0.0.1", reader.port, timeout=60 * TIME_SCALE)
        conn.request("POST", "/v1/speak?format=wav", body=text.encode(),
                     headers={"Content-Type": "text/plain; charset=utf-8"})
        r = conn.getresponse()
        head = r.read(1000)
        for i in range(4):  # each about 400 KB: the 1 MiB cap pushes the oldest out
            cached(evicter, long_text(2, f"ny {i}"), "format=wav")
        assert not entry.exists(), "the evicting instance kept to its cap"
        rest = r.read()
        conn.close()
        assert head + rest == whole, "a reader keeps the entry it opened"
        assert all(intact(p) for p in entries(cache, "wav"))
    finally:
        reader.stop()
        evicter.stop()
