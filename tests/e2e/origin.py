"""A tiny local web origin for the `lyssna serve` tests: loopback only, port 0, threaded.

Serves tests/fixtures/pages/*.html as text/html; charset=utf-8 and a few test routes:
  /404                 answers 404
  /hang                sleeps (30 s by default) before answering: a fetch timeout
  /redirect-loopback   302 to `redirect_target` (http://127.0.0.1:<another port>/ by default)
Every request is counted per path (query string dropped) in `hits`.
`routes` maps further paths to (status, content type, body[, headers]), or to a function of
the path's hit count (1 for the first request) returning that tuple: the batch tests' site.
"""
import collections
import http.server
import pathlib
import threading
import time

PAGES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "pages"


class Origin:
    def __init__(self, host="127.0.0.1", pages=PAGES, hang_seconds=30.0):
        self.host = host
        self.pages = pathlib.Path(pages)
        self.hang_seconds = hang_seconds
        self.redirect_target = None  # set by the test; default in _handler
        self.hits = collections.Counter()
        self.routes = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = None
        self._thread = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self):
        origin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_HEAD(self):
                self.do_GET(head=True)

            def do_GET(self, head=False):
                path = self.path.split("?", 1)[0]
                with origin._lock:
                    origin.hits[path] += 1
                    n = origin.hits[path]
                route = origin.routes.get(path)
                if route is not None:
                    status, ctype, body, *extra = route(n) if callable(route) else route
                    return self._send(status, body, head, ctype, extra[0] if extra else {})
                if path == "/404":
                    return self._send(404, b"<html><body>Not here</body></html>", head)
                if path == "/hang":
                    deadline = time.monotonic() + origin.hang_seconds
                    while time.monotonic() < deadline and not origin._stop.is_set():
                        time.sleep(0.05)
                    return self._send(200, b"<html><body><p>Too late.</p></body></html>", head)
                if path == "/redirect-loopback":
                    target = origin.redirect_target or "http://127.0.0.1:9/"
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                name = path.lstrip("/")
                if "/" not in name and name.endswith(".html") and (origin.pages / name).is_file():
                    return self._send(200, (origin.pages / name).read_bytes(), head)
                return self._send(404, b"<html><body>Not here</body></html>", head)

            def _send(self, status, body, head, ctype="text/html; charset=utf-8", headers=None):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if not head:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

        self._server = Server((self.host, 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- helpers ---------------------------------------------------------------------------
    @property
    def port(self):
        return self._server.server_address[1]

    def url(self, path="/"):
        return f"http://{self.host}:{self.port}{path}"

    def count(self, path=None):
        """Requests seen for path, or for all paths when path is None."""
        with self._lock:
            return sum(self.hits.values()) if path is None else self.hits[path]
