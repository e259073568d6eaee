"""Documents through the service: /v1/listen, /v1/listen/text and /v1/listen/marks on PDF,
DOCX and ODT links served by a loopback origin (told by content or by Content-Type), a scan
read by text recognition (and the reading page saying so), the 4xx JSON errors for a locked,
a damaged, an oversized file and hostile scans, and the service living on when a document
reader is killed mid-parse."""
import http.server
import os
import signal
import threading
import time

import pytest

import hostile_scans
from conftest import NO_OCR_UNDER_MEMCHECK, TIME_SCALE
from test_documents import DOCS, INFOBLAD, PROTOKOLL, children, many_pages
from test_extract import page_scores
from test_serve import assert_error, decoded_seconds, get, listen_path, start_service

PDF, DOCX = "application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"


class DocOrigin:
    """Serves {path: (content type, bytes)} on loopback."""

    def __init__(self, files):
        files = files

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                ctype, body = files.get(self.path.split("?")[0], ("text/plain", b"no such file"))
                self.send_response(200 if self.path in files else 404)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"


@pytest.fixture(scope="module")
def origin():
    d = lambda suffix: (DOCS / f"{PROTOKOLL}{suffix}").read_bytes()  # noqa: E731
    files = {
        "/protokoll.pdf": (PDF, d(".pdf")),
        "/protokoll.docx": (DOCX, d(".docx")),
        "/protokoll.odt": (ODT, d(".odt")),
        "/utan-typ": ("application/octet-stream", d(".tagged.pdf")),
        "/blad.pdf": (PDF, (DOCS / f"{INFOBLAD}.pdf").read_bytes()),
        "/skannad.pdf": (PDF, d(".scanned.pdf")),
        "/last.pdf": (PDF, d(".locked.pdf")),
        "/trasig.pdf": (PDF, b"File not found"),
        "/ordrik.pdf": (PDF, many_pages(400, 50)),
        "/lang.pdf": (PDF, many_pages(1900, 6)),
        "/jatte.pdf": (PDF, hostile_scans.huge_page()),
        "/bomb.pdf": (PDF, hostile_scans.bomb()),
        "/tusen.pdf": (PDF, hostile_scans.many_image_pages()),
    }
    o = DocOrigin(files)
    yield o
    o.httpd.shutdown()


@pytest.fixture(scope="module")
def svc(lyssna_bin, tmp_path_factory, origin):
    s = start_service(lyssna_bin, tmp_path_factory.mktemp("docs"), "--allow-host", "127.0.0.1",
                      "--allow-addr", "127.0.0.0/8", "--workers", "1", "--max-page-bytes", str(32 << 20))
    yield s
    s.stop()


GOLD = (DOCS / f"{PROTOKOLL}.gold.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", ["/protokoll.pdf", "/protokoll.docx", "/protokoll.odt", "/utan-typ"])
def test_listen_text_reads_a_document(svc, origin, path):
    r = get(svc, listen_path("/v1/listen/text", origin.url(path)), timeout=60)
    assert r.status == 200, r
    doc = r.json()
    text = "\n".join(b["text"] for b in doc["blocks"])
    p, rec = page_scores(GOLD, text)
    assert p >= 0.97 and rec >= 0.97, (p, rec)
    assert doc["title"].startswith("§ 76 Svar på motion") and doc["lang"].startswith("sv")
    assert doc["blocks"][0]["xpath"] == "/document/h1[1]"


def test_listen_gives_audio_and_marks(svc, origin, tmp_path):
    r = get(svc, listen_path("/v1/listen", origin.url("/protokoll.docx"), format="mp3"), timeout=120)
    assert r.status == 200, r
    assert r.h("content-type") == "audio/mpeg"
    seconds = decoded_seconds(r.body, tmp_path)
    words = len(GOLD.split())
    assert 0.6 * words / 170 * 60 < seconds < 2.0 * words / 170 * 60, seconds
    m = get(svc, listen_path("/v1/listen/marks", origin.url("/protokoll.docx"), format="mp3"), timeout=120)
    assert m.status == 200, m
    doc = m.json()
    assert doc["blocks"][0]["xpath"] == "/document/h1[1]" and doc["marks"]
    assert abs(doc["duration_ms"] / 1000 - seconds) < 0.05 * seconds + 0.5


def test_two_column_pdf_through_the_service(svc, origin):
    r = get(svc, listen_path("/v1/listen/text", origin.url("/blad.pdf")), timeout=60)
    assert r.status == 200, r
    texts = [b["text"] for b in r.json()["blocks"]]
    assert texts[0] == "Sophämtning för villor och fritidshus"
    assert texts.index("Så sorterar du") < texts.index("Avgifter")


@pytest.mark.parametrize("path,status,word", [
    ("/last.pdf", 400, "password"),
    ("/jatte.pdf", 413, "too large to recognize"),
    ("/bomb.pdf", 400, "recognition found none"),
    ("/tusen.pdf", 413, "at most 100"),
    ("/trasig.pdf", 400, "damaged"),
    ("/ordrik.pdf", 413, "limit"),
])
def test_documents_that_cannot_be_read_get_a_clear_error(svc, origin, path, status, word):
    start = time.monotonic()
    r = get(svc, listen_path("/v1/listen", origin.url(path)), timeout=60)
    assert_error(r, status, word)
    assert time.monotonic() - start < 20 * TIME_SCALE
    assert get(svc, "/healthz").status == 200


@NO_OCR_UNDER_MEMCHECK
def test_a_scan_is_read_and_the_reading_page_says_so(svc, origin):
    r = get(svc, listen_path("/v1/listen/text", origin.url("/skannad.pdf")), timeout=120)
    assert r.status == 200, r
    doc = r.json()
    assert doc["ocr"] is True
    assert "laddplatser för elbilar" in " ".join(b["text"] for b in doc["blocks"])
    page = get(svc, listen_path("/read", origin.url("/skannad.pdf")), timeout=120)
    assert page.status == 200, page
    assert "tolkad från en inskannad bild" in page.body.decode()
    plain = get(svc, listen_path("/read", origin.url("/protokoll.pdf")), timeout=60)
    assert "inskannad" not in plain.body.decode()


def test_a_reader_killed_mid_parse_leaves_the_service_up(svc, origin):
    result = {}

    def ask():
        result["r"] = get(svc, listen_path("/v1/listen/text", origin.url("/lang.pdf")), timeout=120)

    t = threading.Thread(target=ask)
    t.start()
    deadline, victim = time.monotonic() + 30 * TIME_SCALE, None
    while victim is None and time.monotonic() < deadline:
        for pid in children(svc.proc.pid):
            try:
                if open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")[1] == b"extract-worker":
                    victim = pid
            except (OSError, IndexError):
                pass
        time.sleep(0.01)
    assert victim, "no extract-worker was started"
    time.sleep(0.2)
    os.kill(victim, signal.SIGKILL)
    t.join(60 * TIME_SCALE)
    assert_error(result["r"], 400, "crashed")
    assert get(svc, "/healthz").status == 200
    r = get(svc, listen_path("/v1/listen/text", origin.url("/protokoll.odt")), timeout=60)
    assert r.status == 200, r
