"""`lyssna batch` end to end: a loopback site (batch_site.py) with a sitemap index, a gzipped
child sitemap, a robots.txt and pages broken on purpose; the real binary; audio decoded back
with ffmpeg; resumption after kill -9 and Ctrl-C; shards; filling the service's cache.

Only loopback traffic: the site listens on 127.0.0.1 and is reached through --allow-addr."""
import hashlib
import json
import os
import signal
import subprocess
import threading
import time
import urllib.parse

import pytest

import batch_site
from conftest import ROOT
from origin import Origin
from test_serve import decoded_seconds, get, start_service

N_PAGES = 52
LOOPBACK = ["--allow-addr", "127.0.0.0/8"]
FAST = ["--delay", "0", "--retries", "1", "--fetch-timeout", "1500", *LOOPBACK]


@pytest.fixture(scope="module")
def site():
    with Origin(hang_seconds=20) as o:
        index, good = batch_site.build(o, N_PAGES)
        o.index, o.good = index, good
        yield o


def manifest(outdir, name="manifest.jsonl"):
    with open(outdir / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def by_source(records):
    return {r["source"]: r for r in records}


def visible_audio(outdir):
    return sorted(p for p in outdir.iterdir()
                  if not p.name.startswith(".") and p.suffix in (".mp3", ".opus", ".ogg", ".wav"))


def hidden(outdir):
    return sorted(p.name for p in outdir.iterdir() if p.name.startswith("."))


@pytest.fixture(scope="module")
def full_run(lyssna_bin, site, tmp_path_factory):
    """One batch over the whole site, shared by the tests that only read its results."""
    out = tmp_path_factory.mktemp("batch") / "out"
    p = subprocess.run([lyssna_bin, "batch", "-o", out, "-j", "2", "--marks", *FAST, site.index],
                       capture_output=True, timeout=600)
    return out, p


def test_manifest_lists_every_page_with_its_audio(full_run, site):
    out, p = full_run
    err = p.stderr.decode()
    assert p.returncode == 1, err  # the broken pages failed, the rest did not stop
    recs = by_source(manifest(out))
    for url in site.good + [site.url(batch_site.FLAKY)]:
        r = recs[url]
        assert r["status"] == "made", r
        assert r["format"] == "mp3" and r["error"] is None and r["title"].startswith(("Sida", "Oj"))
        data = (out / r["output"]).read_bytes()
        assert r["bytes"] == len(data) and r["sha256"] == hashlib.sha256(data).hexdigest()
        assert r["duration"] > 1, r
        assert (out / r["marks"]).is_file()
    assert len(recs) == N_PAGES + len(batch_site.BROKEN) + 1
    assert hidden(out) == [], "no temporary files may be left"
    assert not (out / "manifest.jsonl.part").exists()
    assert f"{len(batch_site.BROKEN)} failed" in err, err


def test_broken_pages_are_recorded_with_their_reason(full_run, site):
    out, p = full_run
    recs = by_source(manifest(out))
    for path, reason in batch_site.BROKEN.items():
        r = recs[site.url(path)]
        assert r["status"] == "failed" and reason in r["error"].lower(), r
        assert r["sha256"] is None and not (out / r["output"]).exists()
        assert site.url(path) in p.stderr.decode()


def test_robots_and_retries(full_run, site):
    assert site.count("/robots.txt") >= 1
    assert site.count("/privat/hemlig.html") == 0, "robots.txt disallows it"
    assert site.count(batch_site.FLAKY) >= 2, "the 503 was retried"


def test_audio_decodes_to_the_manifests_duration(full_run, tmp_path):
    out, _ = full_run
    for r in [r for r in manifest(out) if r["status"] == "made"][:3]:
        seconds = decoded_seconds((out / r["output"]).read_bytes(), tmp_path)
        assert abs(seconds - r["duration"]) < 0.05 * r["duration"] + 0.1, (seconds, r)
        marks = [json.loads(x) for x in (out / r["marks"]).read_text().splitlines()]
        assert marks and marks[0]["type"] == "sentence"


def test_names_are_readable_and_unique(full_run, site):
    out, _ = full_run
    recs = manifest(out)
    assert len({r["output"] for r in recs}) == len(recs)
    assert by_source(recs)[site.good[0]]["output"] == "sidor_sida-001.mp3"


def test_second_run_keeps_unchanged_outputs(lyssna_bin, full_run, site):
    out, _ = full_run
    before = {r["output"]: os.stat(out / r["output"]).st_mtime_ns
              for r in manifest(out) if r["status"] == "made"}
    p = subprocess.run([lyssna_bin, "batch", "-o", out, "-j", "2", "--marks", "--quiet", *FAST,
                        site.index], capture_output=True, timeout=600)
    assert p.returncode == 1, p.stderr.decode()
    recs = manifest(out)
    done = [r for r in recs if r["status"] != "failed"]
    assert len(done) == N_PAGES + 1 and all(r["status"] == "unchanged" for r in done), recs
    for name, mtime in before.items():
        assert os.stat(out / name).st_mtime_ns == mtime
    assert "[" not in p.stderr.decode(), "--quiet shows no progress"


def test_shards_cover_every_item_exactly_once(lyssna_bin, site, tmp_path):
    lst = tmp_path / "urls.txt"
    lst.write_text("# some pages\n" + "\n".join(site.good[:12]) + "\n\n")
    seen = []
    for i in (1, 2, 3):
        out = tmp_path / f"shard{i}"
        p = subprocess.run([lyssna_bin, "batch", "-o", out, "-j", "1", "-f", "ogg", "--shard",
                            f"{i}/3", *FAST, lst], capture_output=True, timeout=300)
        assert p.returncode == 0, p.stderr.decode()
        assert not (out / "manifest.jsonl").exists(), "a shard writes its own manifest"
        recs = manifest(out, f"manifest.shard-{i}-of-3.jsonl")
        assert len(recs) == 4 and all(r["status"] == "made" for r in recs)
        seen += [r["source"] for r in recs]
    assert sorted(seen) == sorted(site.good[:12])


def run_shards_at_once(lyssna_bin, lst, out, n, *extra):
    """n shards started together into one folder, as n machines sharing a volume would."""
    procs = [subprocess.Popen([lyssna_bin, "batch", "-o", out, "-j", "1", "-f", "ogg",
                               "--shard", f"{i}/{n}", *FAST, *extra, lst],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for i in range(1, n + 1)]
    errs = [p.communicate(timeout=300)[1].decode() for p in procs]
    return [p.returncode for p in procs], errs


def test_shards_share_one_folder_and_merge_into_one_manifest(lyssna_bin, site, tmp_path):
    urls = site.good[:12]
    lst = tmp_path / "urls.txt"
    lst.write_text("\n".join(urls) + "\n")
    out = tmp_path / "shared"
    codes, errs = run_shards_at_once(lyssna_bin, lst, out, 3)
    assert codes == [0, 0, 0], errs
    assert hidden(out) == [], "no shard may delete another's files or leave its own"
    assert sorted(p.name for p in out.glob("manifest*")) == [
        f"manifest.shard-{i}-of-3.jsonl" for i in (1, 2, 3)]
    shard_recs = [r for i in (1, 2, 3) for r in manifest(out, f"manifest.shard-{i}-of-3.jsonl")]
    p = subprocess.run([lyssna_bin, "batch", "--merge", out], capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr.decode()
    assert "3 shards merged: 12 records" in p.stderr.decode()
    merged = manifest(out)
    assert [r["source"] for r in merged] == urls, "the merged manifest is in the list's order"
    assert sorted(map(json.dumps, merged)) == sorted(map(json.dumps, shard_recs))
    for r in merged:
        data = (out / r["output"]).read_bytes()
        assert r["status"] == "made" and hashlib.sha256(data).hexdigest() == r["sha256"]
    print(f"\nbatch: 3 shards at once in one folder, 12 pages, merged into one manifest")


def test_a_shard_leaves_the_other_shards_files_being_written_alone(lyssna_bin, site, tmp_path):
    lst = tmp_path / "urls.txt"
    lst.write_text("\n".join(site.good[:4]) + "\n")
    out = tmp_path / "out"
    codes, errs = run_shards_at_once(lyssna_bin, lst, out, 2)
    assert codes == [0, 0], errs
    second = manifest(out, "manifest.shard-2-of-2.jsonl")[0]["output"]
    first = manifest(out, "manifest.shard-1-of-2.jsonl")[0]["output"]
    theirs, mine = out / f".{second}.Ab12Cd", out / f".{first}.Ef34Gh"
    theirs.write_bytes(b"being written by shard 2 on another machine")
    mine.write_bytes(b"left by shard 1 when it was killed")
    p = subprocess.run([lyssna_bin, "batch", "-o", out, "-j", "1", "-f", "ogg", "--shard", "1/2",
                        *FAST, lst], capture_output=True, timeout=300)
    assert p.returncode == 0, p.stderr.decode()
    assert theirs.exists() and not mine.exists()


def test_merge_refuses_a_missing_or_unfinished_shard(lyssna_bin, site, tmp_path):
    lst = tmp_path / "urls.txt"
    lst.write_text("\n".join(site.good[:4]) + "\n")
    out = tmp_path / "out"
    codes, errs = run_shards_at_once(lyssna_bin, lst, out, 2)
    assert codes == [0, 0], errs
    second = out / "manifest.shard-2-of-2.jsonl"
    second.rename(out / "moved")
    p = subprocess.run([lyssna_bin, "batch", "--merge", out], capture_output=True, timeout=60)
    assert p.returncode == 2 and "shard 2 of 2 is missing" in p.stderr.decode()
    (out / "moved").rename(second)
    (out / "manifest.shard-1-of-2.jsonl.part").write_text("")
    p = subprocess.run([lyssna_bin, "batch", "--merge", out], capture_output=True, timeout=60)
    assert p.returncode == 2 and "shard 1 of 2 has not finished" in p.stderr.decode()
    assert not (out / "manifest.jsonl").exists()


def test_a_shard_rerun_on_another_machine_resumes(lyssna_bin, site, tmp_path):
    """The folder moves to another machine (another path, the list elsewhere): nothing in
    the resume state is machine-local, so the rerun speaks nothing again."""
    urls = site.good[12:18]
    here = tmp_path / "here"
    here.mkdir()
    (here / "urls.txt").write_text("\n".join(urls) + "\n")
    codes, errs = run_shards_at_once(lyssna_bin, here / "urls.txt", here / "out", 2)
    assert codes == [0, 0], errs
    # shard 2 was killed halfway on its first machine: its journal is all that is left
    shard2 = here / "out" / "manifest.shard-2-of-2.jsonl"
    part = shard2.with_name(shard2.name + ".part")
    lines = shard2.read_text().splitlines(keepends=True)
    part.write_text("".join(lines[:2]))
    shard2.unlink()
    there = tmp_path / "elsewhere" / "mnt"
    there.parent.mkdir()
    os.rename(here, there)
    before = {p.name: p.stat().st_mtime_ns for p in visible_audio(there / "out")}
    p = subprocess.run([lyssna_bin, "batch", "-o", there / "out", "-j", "1", "-f", "ogg",
                        "--shard", "2/2", *FAST, there / "urls.txt"],
                       capture_output=True, timeout=300)
    assert p.returncode == 0, p.stderr.decode()
    recs = manifest(there / "out", "manifest.shard-2-of-2.jsonl")
    assert [r["status"] for r in recs] == ["unchanged", "unchanged", "made"], recs
    assert not part.exists() and not (there / "out" / part.name).exists()
    p = subprocess.run([lyssna_bin, "batch", "-o", there / "out", "-j", "2", "-f", "ogg",
                        *FAST, there / "urls.txt"], capture_output=True, timeout=300)
    assert p.returncode == 0, p.stderr.decode()
    assert "6 items: 0 made, 6 unchanged" in p.stderr.decode(), p.stderr.decode()
    after = {p.name: p.stat().st_mtime_ns for p in visible_audio(there / "out")}
    assert len(after) == 6
    assert sum(after[k] != before.get(k) for k in after) == 1, "only the lost item was made"


def wait_for_lines(path, n, proc, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if path.exists() and path.read_text().count("\n") >= n:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_interrupted_run_leaves_no_partial_file_and_resumes(lyssna_bin, site, tmp_path, sig):
    lst = tmp_path / "urls.txt"
    lst.write_text("\n".join(site.good[:16]) + "\n")
    out = tmp_path / "out"
    cmd = [lyssna_bin, "batch", "-o", out, "-j", "1", "-f", "opus,wav", *FAST, lst]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert wait_for_lines(out / "manifest.jsonl.part", 4, proc), "the run made no progress"
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if sig == signal.SIGINT:
        assert proc.returncode == 130, err.decode()
        assert hidden(out) == [] and (out / "manifest.jsonl").exists()
    for f in visible_audio(out):  # whatever has its final name is whole
        subprocess.run(["ffmpeg", "-v", "error", "-i", str(f), "-f", "null", "-"], check=True,
                       capture_output=True, timeout=60)
    done = {r["output"] for r in manifest(out)} if (out / "manifest.jsonl").exists() else set()
    if sig == signal.SIGKILL:
        done = {json.loads(x)["output"] for x in (out / "manifest.jsonl.part").read_text()
                .splitlines() if x.endswith("}")}
    assert 4 <= len(done) < 32

    p = subprocess.run(cmd, capture_output=True, timeout=600)
    assert p.returncode == 0, p.stderr.decode()
    recs = manifest(out)
    assert len(recs) == 32 and hidden(out) == []
    for r in recs:
        assert r["status"] == ("unchanged" if r["output"] in done else "made"), r
        data = (out / r["output"]).read_bytes()
        assert r["sha256"] == hashlib.sha256(data).hexdigest()


def test_fill_cache_makes_the_service_answer_from_its_cache(lyssna_bin, site, tmp_path):
    cache = tmp_path / "cache"
    lst = tmp_path / "urls.txt"
    lst.write_text("\n".join(site.good[:2]) + "\n")
    out = tmp_path / "out"
    p = subprocess.run([lyssna_bin, "batch", "-o", out, "-j", "2", "--fill-cache", cache, *FAST,
                        lst], capture_output=True, timeout=300)
    assert p.returncode == 0, p.stderr.decode()
    svc = start_service(lyssna_bin, tmp_path, "--cache-dir", cache, "--allow-host", "127.0.0.1",
                        *LOOPBACK, "--workers", "1")
    try:
        url = site.good[1]
        r = get(svc, "/v1/listen?" + urllib.parse.urlencode({"url": url}))
        assert r.status == 200, r
        assert r.h("content-length") is not None and r.h("etag"), "served from the cache"
        assert r.body == (out / by_source(manifest(out))[url]["output"]).read_bytes()
        metrics = get(svc, "/metrics").body.decode()
        assert "lyssna_cache_hits_total 1" in metrics and "lyssna_cache_misses_total 0" in metrics
    finally:
        svc.stop()


def test_folder_of_files_with_colliding_names(run, tmp_path):
    src = tmp_path / "docs"
    (src / "under").mkdir(parents=True)
    (src / "info.txt").write_text("Välkommen till biblioteket.\nVi har öppet i dag.\n")
    (src / "info.ssml").write_text('<speak xml:lang="sv">Hej <break time="300ms"/> då.</speak>')
    (src / "under" / "Sida Ett.html").write_bytes(batch_site.page_html("Ett", ["En mening."]))
    (src / ".dold.txt").write_text("Syns inte.")
    (src / "bild.jpg").write_bytes(b"\xff\xd8")
    out = tmp_path / "out"
    p = run("batch", "-o", out, "-j", "1", "-f", "wav", src)
    assert p.returncode == 0, p.stderr.decode()
    recs = by_source(manifest(out))
    assert set(recs) == {str(src / "info.txt"), str(src / "info.ssml"),
                         str(src / "under" / "Sida Ett.html")}
    assert recs[str(src / "under" / "Sida Ett.html")]["output"] == "under_sida-ett.wav"
    names = [recs[str(src / n)]["output"] for n in ("info.txt", "info.ssml")]
    assert names[0] != names[1] and all(n.startswith("info-") for n in names)
    assert recs[str(src / "info.txt")]["title"] == "Välkommen till biblioteket."
    for r in recs.values():
        assert abs(decoded_seconds((out / r["output"]).read_bytes(), tmp_path) -
                   r["duration"]) < 0.1


def test_address_safety_holds_without_the_override(run, site, tmp_path):
    out = tmp_path / "out"
    p = run("batch", "-o", out, "--delay", "0", "--retries", "0", site.index)
    assert p.returncode == 1, p.stderr.decode()
    (rec,) = manifest(out)
    assert rec["status"] == "failed" and "loopback" in rec["error"], rec


def test_pages_on_other_hosts_need_the_allowlist(run, site, tmp_path):
    other = site.good[0].replace("127.0.0.1", "localhost")
    lst_site = Origin().start()
    try:
        lst_site.routes["/sm.xml"] = (200, "application/xml",
                                      f"<urlset><url><loc>{other}</loc></url></urlset>".encode())
        out = tmp_path / "out"
        p = run("batch", "-o", out, *FAST, lst_site.url("/sm.xml"))
        assert p.returncode == 1
        (rec,) = manifest(out)
        assert "allowlist" in rec["error"], rec
    finally:
        lst_site.stop()


def test_fetching_keeps_to_the_per_host_limit_and_delay(run, tmp_path):
    state = {"now": 0, "max": 0, "starts": []}
    lock = threading.Lock()

    def slow_page(i):
        body = batch_site.page_html(f"Sida {i}", [f"Det här är sidan nummer {i}."])

        def route(_n):
            with lock:
                state["now"] += 1
                state["max"] = max(state["max"], state["now"])
                state["starts"].append(time.monotonic())
            time.sleep(0.1)
            with lock:
                state["now"] -= 1
            return 200, "text/html; charset=utf-8", body
        return route

    with Origin() as o:
        for i in range(4):
            o.routes[f"/p{i}.html"] = slow_page(i)
        lst = tmp_path / "urls.txt"
        lst.write_text("".join(o.url(f"/p{i}.html") + "\n" for i in range(4)))
        p = run("batch", "-o", tmp_path / "out", "-j", "3", "-f", "ogg", "--per-host", "1",
                "--delay", "1000", *LOOPBACK, lst)
    assert p.returncode == 0, p.stderr.decode()
    assert state["max"] == 1, "one fetch at a time from this host"
    starts = sorted(state["starts"])
    # The delay is between the fetches' starts, seen here when they arrive: a request that
    # arrives late (a busy machine) shortens the gap after it, so the bounds leave room for
    # that; without the delay the gaps would be the 0.1 s each answer takes.
    assert all(b - a >= 0.6 for a, b in zip(starts, starts[1:])), starts
    assert starts[-1] - starts[0] >= 2.8, starts


def test_retry_after_is_honoured(run, tmp_path):
    hits = []
    body = batch_site.page_html("Vänta", ["Den här sidan ber först om en paus på två sekunder."])

    def route(n):
        hits.append(time.monotonic())
        if n == 1:
            return 429, "text/plain", b"slow down", {"Retry-After": "2"}
        return 200, "text/html; charset=utf-8", body

    with Origin() as o:
        o.routes["/vanta.html"] = route
        lst = tmp_path / "urls.txt"
        lst.write_text(o.url("/vanta.html") + "\n")
        p = run("batch", "-o", tmp_path / "out", "-f", "ogg", *LOOPBACK, lst)
    assert p.returncode == 0, p.stderr.decode()
    assert len(hits) == 2
    assert hits[1] - hits[0] >= 1.9, "the second try waited for Retry-After (a lower bound)"


@pytest.mark.parametrize("args,words", [
    ([], "-o"),
    (["-o", "x"], "source"),
    (["-o", "x", "-f", "mp4", "a"], "mp4"),
    (["-o", "x", "--shard", "4/3", "a"], "shard"),
    (["-o", "x", "-j", "0", "a"], "-j"),
    (["-o", "x", "--bogus", "a"], "bogus"),
    (["-o", "x", "/no/such/folder"], "/no/such/folder"),
])
def test_bad_usage_exits_2(run, tmp_path, args, words):
    p = run("batch", *args, cwd=tmp_path)
    assert p.returncode == 2, p
    assert words in p.stderr.decode()
    assert len(p.stderr.decode().strip().splitlines()) == 1
