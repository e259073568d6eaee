"""One rule for which reader reads what was fetched (extract_reader_of): the service, `lyssna
batch` and `lyssna extract --content-type` give the same result for the same mislabelled
answers of a loopback origin. What is read is the same text (batch fills a cache, and the
service answers every read from it without a miss); what is refused gets the same message."""
import hashlib
import json
import subprocess

import pytest

import batch_site
import docgen
from origin import Origin
from test_documents import DOCX_BODY
from test_serve import assert_error, get, listen_path, start_service

LOOPBACK = ["--allow-addr", "127.0.0.0/8"]
FAST = ["--delay", "0", "--retries", "0", "--fetch-timeout", "5000", *LOOPBACK]

PAGE = batch_site.page_html("Öppettider", ["Biblioteket har öppet alla vardagar från nio till sjutton.",
                                           "På lördagar har vi öppet från tio till fjorton."])
PDF = docgen.pdf([[(70, 80, 16, "Avfallstaxa", True),
                   (70, 120, 11, "Taxan gäller från den första januari och betalas varje kvartal.")]],
                 info_title="Avfallstaxa", lang="sv-SE")
DOCX = docgen.docx(DOCX_BODY, core_title="Bygglov", core_lang="sv-SE")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00" + bytes(64)

# path -> (Content-Type served, body, what should happen: a reader or a word of the refusal)
READ = {
    "/sida-som-pdf": ("application/pdf", PAGE, "html"),
    "/pdf-som-sida": ("text/html; charset=utf-8", PDF, "pdf"),
    "/docx-som-binar": ("application/octet-stream", DOCX, "docx"),
}
REFUSED = {
    "/bild-som-sida": ("text/html", PNG, "not a web page or a document Lyssna can read (served as text/html)"),
    "/trasig-pdf": ("application/pdf", b"Internal Server Error: storage unavailable",
                    "served as application/pdf but is not a PDF: the file is damaged"),
    "/text": ("text/plain; charset=utf-8", "Bara text.".encode(), "(served as text/plain)"),
}


@pytest.fixture(scope="module")
def origin():
    with Origin() as o:
        for path, (ctype, body, _) in {**READ, **REFUSED}.items():
            o.routes[path] = (200, ctype, body)
        yield o


@pytest.fixture(scope="module")
def batch_run(lyssna_bin, origin, tmp_path_factory):
    """One batch over every answer, filling a cache the service then reads."""
    tmp = tmp_path_factory.mktemp("mislabelled")
    urls = tmp / "urls.txt"
    urls.write_text("".join(origin.url(p) + "\n" for p in {**READ, **REFUSED}))
    out, cache = tmp / "out", tmp / "cache"
    p = subprocess.run([lyssna_bin, "batch", "-o", out, "-j", "2", "-q", "--fill-cache", cache,
                        *FAST, urls], capture_output=True, timeout=300)
    with open(out / "manifest.jsonl", encoding="utf-8") as f:
        recs = {r["source"]: r for r in map(json.loads, f)}
    return p, out, cache, recs


@pytest.fixture(scope="module")
def svc(lyssna_bin, tmp_path_factory, batch_run):
    s = start_service(lyssna_bin, tmp_path_factory.mktemp("svc"), "--cache-dir", batch_run[2],
                      "--allow-host", "127.0.0.1", *LOOPBACK, "--workers", "1")
    yield s
    s.stop()


def metric(svc, name):
    for line in get(svc, "/metrics").body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"no metric {name}")


@pytest.mark.parametrize("path", sorted(READ))
def test_service_and_batch_read_the_same_text(svc, origin, batch_run, path):
    _, out, _, recs = batch_run
    rec = recs[origin.url(path)]
    assert rec["status"] == "made", rec
    misses = metric(svc, "lyssna_cache_misses_total")
    r = get(svc, listen_path("/v1/listen", origin.url(path)), timeout=120)
    assert r.status == 200, r
    assert metric(svc, "lyssna_cache_misses_total") == misses, "the service read other text"
    assert hashlib.sha256(r.body).hexdigest() == rec["sha256"]
    assert r.body == (out / rec["output"]).read_bytes()
    doc = get(svc, listen_path("/v1/listen/text", origin.url(path)), timeout=60).json()
    assert doc["title"] == rec["title"], (doc, rec)
    want_xpath = "/html" if READ[path][2] == "html" else "/document/"
    assert doc["blocks"][0]["xpath"].startswith(want_xpath), doc


@pytest.mark.parametrize("path", sorted(REFUSED))
def test_service_and_batch_refuse_with_the_same_message(svc, origin, batch_run, path):
    p, _, _, recs = batch_run
    url = origin.url(path)
    rec = recs[url]
    assert rec["status"] == "failed" and REFUSED[path][2] in rec["error"], rec
    r = get(svc, listen_path("/v1/listen", url))
    doc = assert_error(r, 400 if "damaged" in REFUSED[path][2] else 502)
    assert doc["message"] == rec["error"]
    assert url in p.stderr.decode()


def test_batch_counts_only_the_refused_as_failed(batch_run):
    p = batch_run[0]
    assert p.returncode != 0
    assert f"{len(REFUSED)} failed" in p.stderr.decode(), p.stderr.decode()


@pytest.mark.parametrize("path", sorted({**READ, **REFUSED}))
def test_extract_with_the_served_type_agrees_with_the_service(run, svc, origin, tmp_path, path):
    ctype, body, want = {**READ, **REFUSED}[path]
    f = tmp_path / "svar"
    f.write_bytes(body)
    res = run("extract", "--content-type", ctype, "--json", f)
    r = get(svc, listen_path("/v1/listen/text", origin.url(path)), timeout=60)
    if path in READ:
        assert res.returncode == 0 and r.status == 200, (res.stderr, r)
        got = [b["text"] for b in json.loads(res.stdout)["blocks"]]
        assert got == [b["text"] for b in r.json()["blocks"]]
    else:
        err = res.stderr.decode()
        assert res.returncode != 0 and want in err, err
        # the same message, the subject (the file here, the URL there) aside
        assert err.split("' ", 1)[1].strip() == r.json()["message"].split("' ", 1)[1]
