"""docs/DEPLOY.md's recipes, tested where this machine can: the systemd unit (systemd-analyze),
one host with TLS at Debian's nginx (config/nginx-lyssna.conf, a certificate made here),
the Kubernetes files of deploy/k8s/ checked for shape (python3-yaml) and their config file
started for real, and every metric the Prometheus rules and DEPLOY.md name found in a running
instance's /metrics. The cluster recipe (config/nginx-cluster.conf) is test_cluster.py's."""
import configparser
import http.client
import pathlib
import re
import shutil
import socket
import ssl
import subprocess

import pytest
import yaml

from cluster import Nginx, free_port
from conftest import ROOT
from test_serve import get, speak, start_service

K8S = ROOT / "deploy" / "k8s"
HOST = "lyssna.exempelkommun.se"


def k8s_objects():
    out = {}
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            out[(doc["kind"], doc["metadata"]["name"])] = doc
    return out


def conf_of(configmap):
    cp = configparser.ConfigParser(inline_comment_prefixes=None, comment_prefixes=(";", "#"))
    cp.read_string(configmap["data"]["lyssna.conf"])
    return cp


def container(obj):
    (c,) = obj["spec"]["template"]["spec"]["containers"]
    return c


def claim_at(obj, mount_path):
    """The PVC mounted at mount_path in a pod template."""
    spec = obj["spec"]["template"]["spec"]
    (mount,) = [m for m in container(obj)["volumeMounts"] if m["mountPath"] == mount_path]
    (vol,) = [v for v in spec["volumes"] if v["name"] == mount["name"]]
    return vol["persistentVolumeClaim"]["claimName"]


def test_k8s_deployment_probes_service_and_shared_volume(lyssna_bin, tmp_path):
    objs = k8s_objects()
    kinds = {k for k, _ in objs}
    assert {"Deployment", "Service", "PersistentVolumeClaim", "ConfigMap", "Job",
            "Ingress"} <= kinds, kinds
    dep, svc = objs[("Deployment", "lyssna")], objs[("Service", "lyssna")]
    cfg = conf_of(objs[("ConfigMap", "lyssna-config")])
    c = container(dep)
    (port,) = c["ports"]
    assert int(cfg["server"]["listen"].rsplit(":", 1)[1]) == port["containerPort"]
    live, ready = c["livenessProbe"]["httpGet"], c["readinessProbe"]["httpGet"]
    assert (live["path"], ready["path"]) == ("/healthz", "/readyz")
    assert live["port"] == ready["port"] == port["name"]
    (sport,) = svc["spec"]["ports"]
    assert sport["targetPort"] == port["name"]
    assert svc["spec"]["selector"].items() <= dep["spec"]["template"]["metadata"]["labels"].items()
    cache = cfg["cache"]["dir"]
    pvc = objs[("PersistentVolumeClaim", claim_at(dep, cache))]
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"], "every pod shares the cache"
    grace = int(cfg["server"]["shutdown_grace_s"])
    assert dep["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > grace
    ingress = objs[("Ingress", "lyssna")]
    assert ingress["metadata"]["annotations"][
        "nginx.ingress.kubernetes.io/upstream-hash-by"] == "$arg_url"
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "lyssna", "port": {"name": sport["name"]}}

    # the ConfigMap's settings start the real service (flags put it on loopback here)
    conf = tmp_path / "lyssna.conf"
    conf.write_text(objs[("ConfigMap", "lyssna-config")]["data"]["lyssna.conf"])
    s = start_service(lyssna_bin, tmp_path, "--config", conf, "--listen", "127.0.0.1:0",
                      "--cache-dir", tmp_path / "cache")
    try:
        assert get(s, live["path"]).status == 200
        assert get(s, ready["path"]).status == 200
    finally:
        assert s.stop() == 0


def test_k8s_indexed_job_runs_every_shard_once(tmp_path):
    objs = k8s_objects()
    job, merge = objs[("Job", "lyssna-batch")], objs[("Job", "lyssna-batch-merge")]
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"
    n = spec["completions"]
    c = container(job)
    script = " ".join(c["command"][2:] + c["args"]) if c["command"][:2] == ["/bin/sh", "-c"] \
        else pytest.fail("the job's command is a shell line")
    assert "JOB_COMPLETION_INDEX" in script
    # each pod's command line, with a lyssna that prints its arguments
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "lyssna").write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    (fake / "lyssna").chmod(0o755)
    shards, outdirs = [], set()
    for index in range(n):
        p = subprocess.run(["/bin/sh", "-c", script], capture_output=True, text=True,
                           env={"PATH": f"{fake}:/usr/bin:/bin", "JOB_COMPLETION_INDEX": str(index)})
        args = p.stdout.split("\n")
        assert p.returncode == 0 and args[0] == "batch", p
        shards.append(args[args.index("--shard") + 1])
        outdirs.add(args[args.index("-o") + 1])
    assert sorted(shards) == sorted(f"{i}/{n}" for i in range(1, n + 1)), shards
    (out,) = outdirs
    assert container(merge)["args"] == ["batch", "--merge", out]
    assert claim_at(job, out) == claim_at(merge, out)
    pvc = objs[("PersistentVolumeClaim", claim_at(job, out))]
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"], "every shard writes one folder"


def test_the_image_installs_every_library_and_model_the_binary_needs(lyssna_bin):
    """No image is built here (no registry): the runtime stage's package list is checked
    against the libraries lyssna and its document worker link themselves (each one's Debian
    package, by readelf, ldd and dpkg) and the data files they read at run time (OCR models,
    language-guess fingerprints)."""
    text = (ROOT / "deploy" / "Containerfile").read_text()
    runtime = text[text.rindex("FROM "):]
    listed = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", runtime.split("&&")[1]))
    bins = [lyssna_bin, str(pathlib.Path(lyssna_bin).with_name("lyssna-docworker"))]
    direct, where = [], {}
    for b in bins:  # the document worker installed beside lyssna too
        direct += re.findall(r"\(NEEDED\).*\[(.+)\]", subprocess.run(
            ["readelf", "-d", b], capture_output=True, text=True, check=True).stdout)
        where.update(re.findall(r"^\s*(\S+) => (/\S+)", subprocess.run(
            ["ldd", b], capture_output=True, text=True, check=True).stdout, re.M))
    needed = {"libtesseract5"}  # opened by the worker at the first scan (dlopen)
    for lib in set(direct):
        owner = subprocess.run(["dpkg", "-S", where[lib]], capture_output=True, text=True)
        if owner.returncode:  # /lib and /usr/lib are one folder: dpkg knows one name
            owner = subprocess.run(["dpkg", "-S", "/usr" + where[lib]], capture_output=True,
                                   text=True)
        needed.add(owner.stdout.split(":")[0])
    needed -= {"libc6"}  # in every Debian image
    needed = {p for p in needed if not re.match(r"lib(a|ub|l|t)san\d", p)}  # a SAN=1 build's
    needed |= {"espeak-ng-data", "tesseract-ocr-swe", "tesseract-ocr-eng", "libexttextcat-data",
               "fonts-opendyslexic"}
    assert needed <= listed, f"the Containerfile's runtime stage lacks {sorted(needed - listed)}"


def test_systemd_unit_verifies(lyssna_bin, tmp_path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not installed")
    text = (ROOT / "config" / "lyssna.service").read_text()
    unit = tmp_path / "lyssna.service"
    unit.write_text(text.replace("/usr/local/bin/lyssna", lyssna_bin))
    p = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0 and "lyssna.service" not in p.stderr, p.stderr
    stop = int(re.search(r"^TimeoutStopSec=(\d+)", text, re.M).group(1))
    grace = int(re.search(r"^shutdown_grace_s = (\d+)",
                          (ROOT / "config" / "lyssna.conf").read_text(), re.M).group(1))
    assert stop > grace, "systemd waits for the streams to finish"


def self_signed(tmp_path):
    key, cert = tmp_path / "privkey.pem", tmp_path / "fullchain.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}",
                    "-keyout", key, "-out", cert], check=True, capture_output=True, timeout=60)
    return key, cert


def test_one_host_tls_at_nginx(lyssna_bin, tmp_path):
    key, cert = self_signed(tmp_path)
    s = start_service(lyssna_bin, tmp_path, "--allow-host", "127.0.0.1", "--workers", "1")
    plain, tls = free_port(), free_port()
    text = (ROOT / "config" / "nginx-lyssna.conf").read_text()
    for old, new in (("listen 80;", f"listen 127.0.0.1:{plain};"),
                     ("listen 443 ssl http2;", f"listen 127.0.0.1:{tls} ssl http2;"),
                     ("/etc/ssl/lyssna/fullchain.pem", str(cert)),
                     ("/etc/ssl/lyssna/privkey.pem", str(key)),
                     ("http://127.0.0.1:8080", f"http://127.0.0.1:{s.port}")):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    nginx = Nginx(tmp_path / "nginx", text, tls)
    try:
        nginx.start()
        ctx = ssl.create_default_context(cafile=str(cert))
        conn = http.client.HTTPConnection("127.0.0.1", tls, timeout=60)
        # connected to loopback, the certificate checked for the service's name
        conn.sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", tls), timeout=60),
                                    server_hostname=HOST)
        conn.request("POST", "/v1/speak?format=mp3", body="Välkommen till kommunen.".encode(),
                     headers={"Host": HOST, "Content-Type": "text/plain; charset=utf-8"})
        r = conn.getresponse()
        body = r.read()
        assert r.status == 200 and r.getheader("content-type") == "audio/mpeg", r.status
        assert r.getheader("strict-transport-security") and len(body) > 1000
        assert conn.sock.version() in ("TLSv1.2", "TLSv1.3")
        conn.close()
        redirect = http.client.HTTPConnection("127.0.0.1", plain, timeout=30)
        redirect.request("GET", "/v1/voices", headers={"Host": HOST})
        r = redirect.getresponse()
        assert r.status == 301 and r.getheader("location") == f"https://{HOST}/v1/voices"
        redirect.close()
    finally:
        nginx.stop()
        s.stop()


def metric_names(svc):
    names = set()
    for line in get(svc, "/metrics").body.decode().splitlines():
        m = re.match(r"# TYPE (\S+) (\S+)", line)
        if m:
            names.add(m.group(1))
            if m.group(2) == "histogram":
                names |= {m.group(1) + suffix for suffix in ("_bucket", "_sum", "_count")}
    return names


def test_prometheus_rules_and_deploy_doc_name_real_metrics(lyssna_bin, tmp_path):
    rules = yaml.safe_load((ROOT / "config" / "prometheus-lyssna.yml").read_text())
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    doc = (ROOT / "docs" / "DEPLOY.md").read_text()
    named = set(re.findall(r"\blyssna_[a-z_]+", " ".join(exprs) + doc))
    assert {"lyssna_cache_hits_total", "lyssna_synthesis_seconds_total",
            "lyssna_audio_seconds_total", "lyssna_queue_wait_seconds_bucket"} <= named
    s = start_service(lyssna_bin, tmp_path, "--allow-host", "127.0.0.1", "--workers", "1")
    try:
        assert speak(s, "Hej och välkommen.", query="format=mp3").status == 200
        have = metric_names(s)
    finally:
        s.stop()
    assert named <= have, f"not in /metrics: {sorted(named - have)}"
