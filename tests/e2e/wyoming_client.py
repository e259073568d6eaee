"""A Wyoming peer for the tests, written from the published protocol (rhasspy/wyoming's
README): an event is a JSON header line, then `data_length` bytes of JSON data, then
`payload_length` bytes of payload. It writes either form of data (in the header line, or in a
block after it, as the Python library does) and reads both."""
import json
import socket

from conftest import TIME_SCALE


class Peer:
    def __init__(self, port, timeout=60):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout * TIME_SCALE)
        self.buf = b""

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, type_, data=None, payload=b"", inline=False):
        """inline: the data in the header line (older peers); else in its own block."""
        header = {"type": type_, "version": "1.5.2"}
        block = b""
        if data and inline:
            header["data"] = data
        elif data:
            block = json.dumps(data, ensure_ascii=False).encode()
            header["data_length"] = len(block)
        if payload:
            header["payload_length"] = len(payload)
        self.sock.sendall(json.dumps(header, ensure_ascii=False).encode() + b"\n" + block
                          + payload)

    def send_raw(self, data):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("the server closed the connection")
        self.buf += chunk

    def _take(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read(self):
        """The next event as (type, data, payload)."""
        while b"\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\n", 1)
        header = json.loads(line)
        data = dict(header.get("data") or {})
        if header.get("data_length"):
            data.update(json.loads(self._take(header["data_length"])))
        payload = self._take(header["payload_length"]) if header.get("payload_length") else b""
        return header["type"], data, payload

    def closed(self):
        """Whether the server has closed the connection (after what it sent)."""
        try:
            while True:
                self._fill()
        except EOFError:
            return True
        except socket.timeout:
            return False

    def audio(self, until=None):
        """One audio-start, its chunks and audio-stop: (format, pcm bytes); None when the next
        event is of type until instead."""
        type_, fmt, _ = self.read()
        if until and type_ == until:
            return None
        assert type_ == "audio-start", (type_, fmt)
        pcm = b""
        while True:
            type_, data, payload = self.read()
            if type_ == "audio-stop":
                return fmt, pcm
            assert type_ == "audio-chunk", (type_, data)
            assert (data["rate"], data["width"], data["channels"]) == (24000, 2, 1), data
            pcm += payload
