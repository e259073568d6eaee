"""A misbehaving web origin on loopback, for the fault tests of `lyssna serve`.

Routes (everything else is 404):
  /slow.html       a good page sent in pieces over about two seconds
  /reset.html      headers, part of the body, then a TCP reset
  /huge.html       claims 2 GB and sends zeros until the client goes away
  /bomb.html       a gzip body of about 64 KB that inflates to 64 MB (16 times the service's
                   page cap in the tests)
  /loop.html       302 to itself, forever
  /image.png       a PNG image
  /bad-utf8.html   declares UTF-8, carries invalid bytes in its article
"""
import gzip
import http.server
import io
import socket
import struct
import threading
import time

ARTICLE = ("<html lang='sv'><head><title>Provsida</title></head><body><main><h1>Provsida</h1>"
           "<p>Det här är en sida som kommer fram långsamt men som ändå ska läsas upp.</p>"
           "</main></body></html>").encode()


def _bomb():
    out = io.BytesIO()
    zero = bytes(1 << 20)
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as gz:
        for _ in range(64):
            gz.write(zero)
    return out.getvalue()


class HostileOrigin:
    def __init__(self):
        self._server = None
        self._bomb = _bomb()

    def __enter__(self):
        origin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def head(self, status, ctype, length=None, extra=()):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                if length is not None:
                    self.send_header("Content-Length", str(length))
                for k, v in extra:
                    self.send_header(k, v)
                self.end_headers()

            def do_GET(self):
                try:
                    self.route(self.path.split("?", 1)[0])
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def route(self, path):
                if path == "/slow.html":
                    self.head(200, "text/html; charset=utf-8", len(ARTICLE))
                    for i in range(0, len(ARTICLE), 40):
                        self.wfile.write(ARTICLE[i:i + 40])
                        self.wfile.flush()
                        time.sleep(0.3)
                elif path == "/reset.html":
                    self.head(200, "text/html; charset=utf-8", len(ARTICLE))
                    self.wfile.write(ARTICLE[:50])
                    self.wfile.flush()
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                               struct.pack("ii", 1, 0))
                    self.rfile.close()  # the socket closes (with a reset) once all are gone
                    self.wfile.close()
                    self.connection.close()
                elif path == "/huge.html":
                    self.head(200, "text/html; charset=utf-8", 2 << 30)
                    block = b"<p>" + b"a" * 65530 + b"</p>"
                    for _ in range((2 << 30) // len(block)):
                        self.wfile.write(block)
                elif path == "/bomb.html":
                    self.head(200, "text/html; charset=utf-8", len(origin._bomb),
                              [("Content-Encoding", "gzip")])
                    self.wfile.write(origin._bomb)
                elif path == "/loop.html":
                    self.head(302, "text/html", 0, [("Location", "/loop.html")])
                elif path == "/image.png":
                    png = b"\x89PNG\r\n\x1a\n" + bytes(2000)
                    self.head(200, "image/png", len(png))
                    self.wfile.write(png)
                elif path == "/bad-utf8.html":
                    body = ARTICLE.replace("långsamt".encode(), b"l\xe5ngsamt \xff\xfe")
                    self.head(200, "text/html; charset=utf-8", len(body))
                    self.wfile.write(body)
                else:
                    self.head(404, "text/html", 0)

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

            def handle_error(self, request, client_address):
                pass  # resets and closed sockets are what this origin is for

        self._server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def url(self, path):
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"
