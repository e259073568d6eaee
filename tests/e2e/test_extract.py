"""`lyssna extract` end to end: the fixture pages scored against their gold text with the
metric of shared/bench/extract/score.py (4-token shingles of Python's \\w+ tokens, case kept,
precision and recall averaged over pages, F1 of the two means), the --json shape, stdin, and
the exit codes of its failures."""
import json
import re
from collections import Counter

from conftest import FIXTURES

PAGES = FIXTURES / "pages"
THRESHOLD = 0.90
TOKEN = re.compile(r"\w+")


def shingles(text):
    """Multiset of 4-token shingles; a text of 1-3 tokens is one shingle (as score.py)."""
    tokens = TOKEN.findall(text)
    if len(tokens) < 4:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i:i + 4]) for i in range(len(tokens) - 3))


def page_scores(gold, pred):
    """(precision or None when nothing was output, recall or None when the gold is empty)."""
    g, p = shingles(gold), shingles(pred)
    tp, fp, fn = sum((g & p).values()), sum((p - g).values()), sum((g - p).values())
    if fp == fn == 0:
        return (1.0, 1.0) if tp else (None, None)
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return precision, recall


def page_args(name, keys=("readid", "charset", "url")):
    meta = json.loads((PAGES / f"{name}.meta.json").read_text(encoding="utf-8"))
    args = ["extract"]
    for key in keys:
        if meta.get(key):
            args += [f"--{key}", meta[key]]
    return args + [PAGES / f"{name}.html"]


def score_pages(run, keys):
    names = sorted(p.name[:-len(".html")] for p in PAGES.glob("*.html"))
    assert names, f"no pages in {PAGES}"
    precisions, recalls = [], []
    for name in names:
        res = run(*page_args(name, keys))
        assert res.returncode == 0, f"{name}: {res.stderr.decode()}"
        gold = (PAGES / f"{name}.gold.txt").read_text(encoding="utf-8")
        p, r = page_scores(gold, res.stdout.decode("utf-8"))
        print(f"{name}: P={p} R={r}")
        if p is not None:
            precisions.append(p)
        if r is not None:
            recalls.append(r)
    mp = sum(precisions) / len(precisions) if precisions else 0.0
    mr = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * mp * mr / (mp + mr) if mp + mr else 0.0
    print(f"overall: F1={f1:.3f} P={mp:.3f} R={mr:.3f} pages={len(names)}")
    assert f1 >= THRESHOLD, f"F1={f1:.3f} P={mp:.3f} R={mr:.3f} is below {THRESHOLD}"


def test_extract_fixture_pages_score_above_threshold(run):
    score_pages(run, ("readid", "charset", "url"))


def test_extract_fixture_pages_without_readid_flag(run):
    """Pages with a ReadSpeaker button are read by the readid its link names, unasked."""
    score_pages(run, ("charset", "url"))


def test_extract_data_lyssna_read_and_skip(run):
    page = "<body><main><p>Artikeln som annars skulle läsas upp, med mycket text.</p></main>" \
           "<div data-lyssna='read'><p>Bara detta</p><p data-lyssna='skip'>inte detta</p></div>" \
           "</body>"
    res = run("extract", input=page.encode("utf-8"))
    assert res.returncode == 0, res.stderr.decode()
    assert res.stdout.decode("utf-8") == "Bara detta\n"


def test_extract_no_title_and_repeat(run):
    page = "<main><h1>Rubrik</h1><p>Brödtexten i artikeln, den som ska läsas.</p></main>"
    res = run("extract", "--no-title", "--repeat", "3", input=page.encode("utf-8"))
    assert res.returncode == 0, res.stderr.decode()
    assert res.stdout.decode("utf-8") == "Brödtexten i artikeln, den som ska läsas.\n"
    assert re.search(rb"3 runs, [0-9.]+ ms a page, [0-9.]+ pages/s", res.stderr)
    assert run("extract", "--repeat", "0", input=page.encode("utf-8")).returncode == 2


def test_extract_json_has_blocks_with_offsets(run):
    name = "lattlast-det-har-gor-kommunen"
    res = run("extract", "--json", "--url", "https://www.exempelvik.se/lattlast/",
              PAGES / f"{name}.html")
    assert res.returncode == 0, res.stderr.decode()
    doc = json.loads(res.stdout)
    assert doc["title"] and doc["lang"] == "sv"
    assert doc["url"] == "https://www.exempelvik.se/lattlast/"
    assert doc["words"] > 100 and doc["duration_ms"] == doc["words"] * 60000 // 175
    text = run("extract", PAGES / f"{name}.html").stdout.decode("utf-8").rstrip("\n")
    data = text.encode("utf-8")
    assert doc["blocks"][0]["xpath"].startswith("/html/body/")
    for block in doc["blocks"]:
        assert set(block) >= {"text", "xpath", "start", "end"}
        assert data[block["start"]:block["end"]].decode("utf-8") == block["text"]


def test_extract_reads_stdin(run):
    page = "<html><body><main><h1>Rubrik</h1><p>Stdin fungerar, och texten läses upp.</p>" \
           "</main></body></html>"
    res = run("extract", input=page.encode("utf-8"))
    assert res.returncode == 0, res.stderr.decode()
    assert res.stdout.decode("utf-8") == "Rubrik\nStdin fungerar, och texten läses upp.\n"
    assert run("extract", "-", input=page.encode("utf-8")).stdout == res.stdout


def test_extract_missing_file_fails_with_input_error(run, tmp_path):
    res = run("extract", tmp_path / "saknas.html")
    assert res.returncode == 4
    assert b"saknas.html" in res.stderr and len(res.stderr.splitlines()) == 1


def test_extract_empty_input_has_no_readable_text(run):
    res = run("extract", input=b"")
    assert res.returncode == 5
    assert res.stderr.decode().strip() == "lyssna: no readable text found"


def test_extract_page_without_article_has_no_readable_text(run):
    page = b"<html><body><nav><a href='/'>Start</a></nav><footer>Kommunen</footer></body></html>"
    res = run("extract", input=page)
    assert res.returncode == 5
    assert b"no readable text found" in res.stderr


def test_extract_unknown_readid_is_named(run):
    res = run("extract", "--readid", "saknas", PAGES / "ansok-om-bygglov.html")
    assert res.returncode == 5
    assert b"'saknas'" in res.stderr


def test_extract_bad_usage_exits_2(run):
    assert run("extract", "--no-such-option").returncode == 2
    assert run("extract", "a.html", "b.html").returncode == 2
    res = run("extract", "--help")
    assert res.returncode == 0 and b"usage: lyssna extract" in res.stdout
