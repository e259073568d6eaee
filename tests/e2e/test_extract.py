"""`lyssna extract` end to end: the fixture pages scored against their gold text with the
metric of shared/bench/extract/score.py (4-token shingles of Python's \\w+ tokens, case kept,
precision and recall averaged over pages, F1 of the two means), the --json shape, stdin, and
the exit codes of its failures."""
import json
import re
from collections import Counter

from conftest import FIXTURES

PAGES = FIXTURES / "pages"
EXTRA = FIXTURES / "pages-extra"
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


def page_meta(name, pages=PAGES):
    return json.loads((pages / f"{name}.meta.json").read_text(encoding="utf-8"))


def page_args(name, keys=("readid", "charset", "url"), pages=PAGES):
    meta = page_meta(name, pages)
    args = ["extract"]
    for key in keys:
        if meta.get(key):
            args += [f"--{key}", meta[key]]
    return args + [pages / f"{name}.html"]


def score_pages(run, keys, pages=PAGES):
    names = sorted(p.name[:-len(".html")] for p in pages.glob("*.html")
                   if (pages / f"{p.name[:-len('.html')]}.gold.txt").exists())
    assert names, f"no pages in {pages}"
    precisions, recalls = [], []
    for name in names:
        res = run(*page_args(name, keys, pages))
        assert res.returncode == 0, f"{name}: {res.stderr.decode()}"
        gold = (pages / f"{name}.gold.txt").read_text(encoding="utf-8")
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


def test_extract_extra_pages_score_above_threshold(run):
    """Pages of our own covering what the six do not: an article over several Sitevision
    portlets, windows-1252 bytes whose header and <meta> disagree, a BOM, definition lists,
    tables, <details>, captions, hidden menus and icon alt texts."""
    score_pages(run, ("readid", "charset", "url"), EXTRA)


def test_extract_extra_pages_match_their_gold_lines(run):
    for gold in sorted(EXTRA.glob("*.gold.txt")):
        name = gold.name[:-len(".gold.txt")]
        res = run(*page_args(name, pages=EXTRA))
        assert res.returncode == 0, f"{name}: {res.stderr.decode()}"
        assert res.stdout.decode("utf-8") == gold.read_text(encoding="utf-8"), name


def test_extract_header_charset_beats_meta_and_bom_beats_both(run):
    """Without the header's iso-8859-1 the lying <meta> (utf-8) is believed, as a browser
    would; the BOM page reads the same whatever the header says."""
    page = EXTRA / "sitevision-julmarknad-portlets.html"
    right = run("extract", "--charset", "iso-8859-1", page).stdout.decode("utf-8")
    assert "”julklappsrim”" in right and "6–7 december" in right
    assert "\ufffd" in run("extract", page).stdout.decode("utf-8")
    page = EXTRA / "wordpress-simhall-bom.html"
    outs = {run("extract", *cs, page).stdout for cs in ([], ["--charset", "windows-1252"],
                                                          ["--charset", "utf-8"])}
    assert len(outs) == 1 and "Simhallen Vågen" in outs.pop().decode("utf-8")


def test_extract_extra_page_language_of_a_block_in_json(run):
    res = run("extract", "--json", *page_args("wordpress-simhall-bom", pages=EXTRA)[1:])
    doc = json.loads(res.stdout)
    assert doc["lang"] == "sv-SE"
    langs = [(b.get("lang"), b["text"][:8]) for b in doc["blocks"] if b.get("lang")]
    assert langs == [("en", "Visitors")]


def test_extract_page_with_no_article_is_refused(run):
    for meta in sorted(EXTRA.glob("*.meta.json")):
        name = meta.name[:-len(".meta.json")]
        if "exit" not in page_meta(name, EXTRA):
            continue
        res = run(*page_args(name, pages=EXTRA))
        assert res.returncode == page_meta(name, EXTRA)["exit"] == 5, name
        assert res.stdout == b""
        assert res.stderr.decode().strip() == "lyssna: no readable text found"


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


def test_extract_hostile_pages(run):
    """100,000 nested divs, tags never closed, and a page over the 8 MiB cap (exit 7)."""
    para = "Kommunen bygger en ny skola, och den ska stå klar under hösten 2026."
    deep = "<body><main>" + "<div>" * 100000 + f"<p>{para}</p>" + "</div>" * 100000
    res = run("extract", input=deep.encode("utf-8"))
    assert res.returncode == 0 and res.stdout.decode("utf-8") == para + "\n", res.stderr
    open_tags = "<body><main>" + "<div><span><b>" * 50000 + f"<p>{para}"
    res = run("extract", input=open_tags.encode("utf-8"))
    assert res.returncode == 0 and res.stdout.decode("utf-8") == para + "\n", res.stderr
    huge = b"<body><main><p>" + b"ord " * (9 << 18) + b"</p></main></body>"
    res = run("extract", input=huge)
    assert res.returncode == 7 and b"limit" in res.stderr and res.stdout == b""


def test_block_and_page_language_pick_the_voice(run, tmp_path):
    """speak --html reads a block with lang="en" with the English voice, and a page with
    <html lang="en"> all in English: the audio differs from the same text marked Swedish,
    while a page marked sv-SE sounds exactly as one with no lang at all."""
    body = ("<body><main><h1>Öppettider</h1><p>Simhallen har öppet klockan 9 till 17 alla "
            "vardagar.</p><p{lang}>The pool is open from nine to five on weekdays.</p></main>"
            "</body>")

    def audio(page):
        out = tmp_path / "a.wav"
        res = run("speak", "--html", "-f", "wav", "-o", out, input=page.encode("utf-8"))
        assert res.returncode == 0, res.stderr.decode()
        return out.read_bytes()

    plain = audio("<html lang='sv'>" + body.format(lang=""))
    assert audio("<html lang='sv'>" + body.format(lang=" lang='en'")) != plain
    assert audio("<html lang='sv-SE'>" + body.format(lang="")) == plain
    assert audio("<html>" + body.format(lang="")) == plain
    assert audio("<html lang='en'>" + body.format(lang="")) != plain
    names = [line.split()[0] for line in run("speak", "--list-voices").stdout.decode().split("\n")
             if line.strip()]
    assert "en" in names
