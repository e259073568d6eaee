"""Debian's nginx in front of `lyssna serve` instances on loopback, for test_cluster.py.

nginx runs with its own prefix in a temporary folder and the shipped config/nginx-cluster.conf,
of which only the upstream addresses, the listen line and the cache folder are changed; its
access log records, per request, the client's port, the upstream(s) tried and what came of it,
so that a test can tell which instance answered a request and whether it was cut short.
Only loopback addresses: the shipped file names hosts (lyssna-N) that do not resolve here, and
the substitution is checked before nginx starts."""
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import time

from conftest import ROOT

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SHIPPED = ROOT / "config" / "nginx-cluster.conf"

LOG_FORMAT = ("'$remote_port \"$request\" $status $request_completion $body_bytes_sent "
              "[$upstream_addr] [$upstream_status] $upstream_cache_status'")

OUTER = """\
{user}worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log info;
events {{ worker_connections 512; }}
http {{
    log_format lyssna {log_format};
    access_log {dir}/access.log lyssna;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/lyssna.conf;
}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cluster_config(upstreams, port, cache_dir):
    """The shipped file with loopback instances, a loopback listen port and a cache folder."""
    text = SHIPPED.read_text()
    servers = re.findall(r"^\s*server lyssna-\d:8080\b", text, re.M)
    assert len(servers) == len(upstreams), "the shipped file names one server per instance"
    for i, addr in enumerate(upstreams, 1):
        text = text.replace(f"server lyssna-{i}:8080", f"server {addr}")
    text, n = re.subn(r"^(\s*)listen 80;", rf"\g<1>listen 127.0.0.1:{port};", text, flags=re.M)
    assert n == 1
    text, n = re.subn(r"^proxy_cache_path \S+", f"proxy_cache_path {cache_dir}", text,
                     flags=re.M)
    assert n == 1
    return text


def cluster_nginx(workdir, upstreams):
    port = free_port()
    conf = cluster_config(upstreams, port, pathlib.Path(workdir) / "cache")
    return Nginx(workdir, conf, port)


def only_loopback(text):
    """text, once it is sure that nginx will reach or listen on no other address."""
    upstreams = set(re.findall(r"^\s*upstream\s+(\S+)", text, re.M))
    for addr in re.findall(r"^\s*(?:server|listen|proxy_pass)\s+(?:https?://)?([^\s;{/]+)",
                           text, re.M):
        assert addr in upstreams or addr.startswith("127."), f"not a loopback address: {addr}"
    return text


class Nginx:
    """nginx -p DIR with conf (a file for the http {} block) as DIR/lyssna.conf; port is
    the one it listens on first, for start() to wait for."""

    def __init__(self, workdir, conf, port):
        self.dir = pathlib.Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = port
        (self.dir / "lyssna.conf").write_text(only_loopback(conf))
        user = "user root;\n" if os.geteuid() == 0 else ""
        (self.dir / "nginx.conf").write_text(
            OUTER.format(user=user, dir=self.dir, log_format=LOG_FORMAT))
        self.proc = None

    def start(self):
        cmd = [NGINX, "-p", str(self.dir), "-c", str(self.dir / "nginx.conf"),
               "-e", str(self.dir / "error.log")]
        check = subprocess.run([*cmd, "-t"], capture_output=True, timeout=30)
        assert check.returncode == 0, check.stderr.decode()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                assert self.proc.poll() is None, self.proc.stderr.read().decode()
                time.sleep(0.05)
        raise AssertionError("nginx did not start listening")

    def stop(self):
        """SIGQUIT (graceful) to the master we started, then SIGKILL only it if need be."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def log(self):
        """The access log's lines as dicts (port, request, status, completion, bytes,
        upstreams: the addresses tried in order, upstream_status, cache)."""
        path = self.dir / "access.log"
        out = []
        pat = re.compile(r'(\d+) "([^"]*)" (\d+) (\S*) ?(\d+) \[([^\]]*)\] \[([^\]]*)\] (\S*)')
        for line in path.read_text().splitlines() if path.exists() else []:
            m = pat.match(line)
            if not m:
                continue
            port, req, status, done, sent, ups, ustatus, cache = m.groups()
            out.append({"port": int(port), "request": req, "status": int(status),
                        "complete": done == "OK", "bytes": int(sent),
                        "upstreams": [u.strip() for u in re.split(r"[,:]\s", ups)
                                      if u.strip() and u.strip() != "-"],
                        "upstream_status": ustatus, "cache": cache})
        return out

    def cut_short(self):
        """(request, upstream) of each answer an upstream broke off after it had begun, by
        nginx's error log (its access log still says 200 for them)."""
        pat = re.compile(r'prematurely closed connection while reading upstream, .*'
                         r'request: "([^"]*)", upstream: "http://([^/"]+)')
        return [m.groups() for m in map(pat.search, self.error_log().splitlines()) if m]

    def error_log(self):
        path = self.dir / "error.log"
        return path.read_text() if path.exists() else ""
