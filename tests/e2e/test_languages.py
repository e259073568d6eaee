"""Every language in its own voice, end to end over HTTP: pages served by a loopback origin,
read by `lyssna serve` at GET /v1/listen (WAV), the audio decoded with ffmpeg and each block's
voice checked against the same text read alone by `lyssna speak -v LANG`: espeak-ng is nearly
deterministic, so the right voice correlates with the reference at about 1.0 and any other at
about 0 (Finnish read by the Swedish voice even has the same length). The marks locate each
block's audio."""
import array
import json
import subprocess

import pytest

import docgen
from conftest import FIXTURES
from origin import Origin
from test_serve import get, listen_path, start_service

LANGS = FIXTURES / "langs"


def para(lang, i=0):
    return (LANGS / f"{lang}.txt").read_text(encoding="utf-8").splitlines()[i]


def page(lang, blocks, attrs=""):
    body = "".join(f"<p{f' lang={bl}' if bl else ''}>{text}</p>" for bl, text in blocks)
    html_lang = f' lang="{lang}"' if lang else ""
    return (f"<!doctype html><html{html_lang}{attrs}><head><meta charset='utf-8'><title>Sida</title>"
            f"</head><body><main>{body}</main></body></html>").encode()


PAGES = {
    "/ar": page("ar", [(None, para("ar", 0)), (None, para("ar", 1))], ' dir="rtl"'),
    "/fi": page("fi", [(None, para("fi", 0)), (None, para("fi", 1))]),
    "/en": page("en", [(None, para("en", 0)), (None, para("en", 1))]),
    "/sv-fi": page("sv", [(None, para("sv", 0)), ("fi", para("fi", 2)), (None, para("sv", 1))])
    .replace(b"<p lang=fi>", b"<p id=fi lang=fi>"),
    "/sv-label-en": page("sv", [(None, para("en", 2)), (None, para("en", 4)),
                                (None, para("en", 5))]),
    "/sv-inline": page("sv", [(None, 'Vi säger <span lang="en">welcome to the town hall and the '
                                     'library</span> till alla som kommer.')]),
    "/sv-inline-unmarked": page("sv", [(None, 'Vi säger welcome to the town hall and the library '
                                              'till alla som kommer.')]),
    "/fi-se": page("fi", [(None, para("fi", 0)), ("se", "Skuvla álgá borgemánu 21. beaivve. Buot "
                                                        "oahppit ožžot diimmuplána oahpaheaddjis."),
                          (None, para("fi", 1))]),
    "/so": page("so", [(None, para("so", 0)), (None, para("so", 3))]),
    "/sv-so": page("sv", [(None, para("sv", 2)), ("so", para("so", 1)), ("so", para("so", 2)),
                          (None, para("sv", 3))]),
}


PHRASE = "welcome to the town hall and the library"
MIXED = ("Vi säger ", PHRASE, " till alla som kommer.")


def docx_doc():
    """Swedish (the styles' default), a Finnish paragraph (its runs' w:lang), a Swedish sentence
    with an English run, a Swedish paragraph; Word cuts a phrase into several runs."""
    def run_(text, lang=None):
        rpr = f'<w:rPr><w:lang w:val="{lang}"/></w:rPr>' if lang else ""
        return f'<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r>'

    fi = para("fi", 2).split(". ", 1)
    body = "".join(f"<w:p>{''.join(runs)}</w:p>" for runs in (
        [run_(para("sv", 0), "sv-SE")],
        [run_(fi[0] + ". ", "fi-FI"), run_(fi[1], "fi-FI")],
        [run_(MIXED[0]), run_(PHRASE[:15], "en-GB"), run_(PHRASE[15:], "en-GB"), run_(MIXED[2])],
        [run_(para("sv", 1))]))
    styles = ('<w:docDefaults><w:rPrDefault><w:rPr><w:lang w:val="sv-SE"/></w:rPr></w:rPrDefault>'
              '</w:docDefaults>')
    return docgen.docx(body, styles_xml=styles)


def odt_doc():
    """The same in ODT: the Finnish paragraph by an automatic style based on a named Finnish one,
    the English phrase by a span's automatic text style."""
    styles = ('<office:styles><style:default-style style:family="paragraph"><style:text-properties '
              'fo:language="sv" fo:country="SE"/></style:default-style><style:style style:name="Suomi" '
              'style:family="paragraph"><style:text-properties fo:language="fi" fo:country="FI"/>'
              '</style:style></office:styles>')
    auto = ('<style:style style:name="P1" style:family="paragraph" style:parent-style-name="Suomi"/>'
            '<style:style style:name="T1" style:family="text"><style:text-properties fo:language="en" '
            'fo:country="GB"/></style:style>')
    text = (f'<text:p>{para("sv", 0)}</text:p><text:p text:style-name="P1">{para("fi", 2)}</text:p>'
            f'<text:p>{MIXED[0]}<text:span text:style-name="T1">{PHRASE}</text:span>{MIXED[2]}</text:p>'
            f'<text:p>{para("sv", 1)}</text:p>')
    return docgen.odt(text, styles_xml=styles, auto_styles=auto)


def pdf_doc():
    """A tagged PDF, /Lang sv-SE in its catalog: a P element with /Lang en-GB, a Swedish P with
    an English Span."""
    return docgen.tagged_pdf([(None, [(para("sv", 0), None)]), ("en-GB", [(para("en", 0), None)]),
                              (None, [(MIXED[0], None), (PHRASE, "en-GB"), (MIXED[2], None)]),
                              (None, [(para("sv", 1), None)])], lang="sv-SE", size=6)


DOCS = {
    "/doc.docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                  docx_doc, "fi", para("fi", 2)),
    "/doc.odt": ("application/vnd.oasis.opendocument.text", odt_doc, "fi", para("fi", 2)),
    "/doc.pdf": ("application/pdf", pdf_doc, "en", para("en", 0)),
}


@pytest.fixture(scope="module")
def origin():
    with Origin() as o:
        for path, html in PAGES.items():
            o.routes[path] = (200, "text/html; charset=utf-8", html)
        for path, (ctype, make, _, _) in DOCS.items():
            o.routes[path] = (200, ctype, make())
        yield o


@pytest.fixture(scope="module")
def svc(lyssna_bin, tmp_path_factory, origin):
    s = start_service(lyssna_bin, tmp_path_factory.mktemp("lang"), "--allow-host", "127.0.0.1",
                      "--allow-addr", "127.0.0.0/8", "--workers", "2")
    yield s
    s.stop()


def samples(data):
    p = subprocess.run(["ffmpeg", "-v", "error", "-i", "-", "-f", "s16le", "-ac", "1", "-ar",
                        "22050", "-"], input=data, capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return array.array("h", p.stdout)


def reference(run, tmp_path, voice, text):
    """The text read alone by voice: its samples and the time of its first word (ms)."""
    out, marks = tmp_path / "ref.wav", tmp_path / "ref.jsonl"
    r = run("speak", "-v", voice, "-o", out, "--marks", marks, input=text.encode())
    assert r.returncode == 0, r.stderr
    first = next(json.loads(l) for l in marks.read_text().splitlines() if '"word"' in l)
    return samples(out.read_bytes()), first["time"]


def correlation(x, audio, at, step):
    y = audio[at:at + len(x) * step:step]
    if len(y) < len(x):
        return -1.0
    mx, my = sum(x) / len(x), sum(y) / len(y)
    dx = sum((v - mx) ** 2 for v in x) ** 0.5
    dy = sum((v - my) ** 2 for v in y) ** 0.5
    return sum((a - mx) * (b - my) for a, b in zip(x, y)) / dx / dy if dx and dy else -1.0


def likeness(audio, at_ms, ref, ref_ms, slack=90):
    """How well ref, from its first word on, lines up with audio at at_ms: the median over three
    0.2 s windows 0.4 s apart, each at its best within slack samples either way (espeak-ng's
    timing wanders a little between processes). The same voice gave 0.6 to 1.0, another
    at most 0.2 (0.45 and 0.3 are the bounds the tests use)."""
    n, step, best = 4410, 3, []
    for k in range(3):
        r0 = (ref_ms + 400 * k) * 22050 // 1000
        x = ref[r0:r0 + n:step]
        centre = (at_ms + 400 * k) * 22050 // 1000
        if len(x) < n // step:
            break
        best.append(max([correlation(x, audio, off, step)
                         for off in range(max(0, centre - slack), centre + slack + 1, 2)] or [-1.0]))
    return sorted(best)[len(best) // 2]


def listen(svc, origin, path, **params):
    url = origin.url(path)
    audio = get(svc, listen_path("/v1/listen", url, format="wav", **params))
    assert audio.status == 200, audio
    marks = get(svc, listen_path("/v1/listen/marks", url, **params)).json()
    return samples(audio.body), marks


def check_voice(run, tmp_path, audio, text, voice, at_end=False, slack=90):
    """The first block's audio starts the file, the last block's ends it: there the right
    voice lines up with its reference and the Swedish one does not. slack: samples either
    way (a last block after a switch of voice ends some 25 ms later than read alone)."""
    ref, ref_ms = reference(run, tmp_path, voice, text)
    at = (len(audio) - len(ref)) * 1000 // 22050 + ref_ms if at_end else ref_ms
    right = likeness(audio, at, ref, ref_ms, slack)
    assert right > 0.45, (voice, "not in its voice", right, text[:40])
    if voice != "sv":
        wrong, wrong_ms = reference(run, tmp_path, "sv", text)
        at = (len(audio) - len(wrong)) * 1000 // 22050 + wrong_ms if at_end else wrong_ms
        assert likeness(audio, at, wrong, wrong_ms) < 0.3, ("read by the Swedish voice", text[:40])


@pytest.mark.parametrize("lang", ["ar", "fi", "en"])
def test_a_page_is_read_in_its_own_voice(svc, origin, run, tmp_path, lang):
    audio, marks = listen(svc, origin, "/" + lang)
    assert [b["lang"] for b in marks["blocks"]] == [lang, lang]
    check_voice(run, tmp_path, audio, para(lang, 0), lang)
    check_voice(run, tmp_path, audio, para(lang, 1), lang, at_end=True)
    assert abs(len(audio) / 22050 * 1000 - marks["duration_ms"]) < 100


def test_a_finnish_paragraph_on_a_swedish_page_switches_and_back(svc, origin, run, tmp_path):
    audio, marks = listen(svc, origin, "/sv-fi")
    assert [b["lang"] for b in marks["blocks"]] == ["sv", "fi", "sv"]
    check_voice(run, tmp_path, audio, para("sv", 0), "sv")
    check_voice(run, tmp_path, audio, para("sv", 1), "sv", at_end=True, slack=800)
    alone, _ = listen(svc, origin, "/sv-fi", readid="fi")  # the Finnish paragraph of the page
    check_voice(run, tmp_path, alone, para("fi", 2), "fi")
    words = [m for m in marks["marks"] if m["type"] == "word"]
    assert [m["time"] for m in words] == sorted(m["time"] for m in words)
    fi = marks["blocks"][1]
    assert any(m["value"] == "rakennuslupaa" and fi["start"] <= m["start"] < fi["end"]
               for m in words), "word marks inside the Finnish paragraph"


def test_an_english_phrase_inside_a_swedish_sentence_is_read_in_english(svc, origin, run,
                                                                       tmp_path):
    audio, marks = listen(svc, origin, "/sv-inline")
    phrase = "welcome to the town hall and the library"
    sentences = [m["value"] for m in marks["marks"] if m["type"] == "sentence"]
    assert sentences == ["Vi säger", phrase, "till alla som kommer."], sentences
    words = [m["value"] for m in marks["marks"] if m["type"] == "word"]
    assert words[2:4] == ["welcome", "to"] and words[-1] == "kommer"
    # as much audio as its three stretches read alone, each in its language
    parts = [reference(run, tmp_path, v, t)[0] for v, t in
             (("sv", "Vi säger"), ("en", phrase), ("sv", "till alla som kommer."))]
    assert abs(len(audio) - sum(map(len, parts))) < 0.01 * len(audio)
    plain, _ = listen(svc, origin, "/sv-inline-unmarked")
    assert abs(len(plain) - len(audio)) > 0.05 * len(audio), "not the Swedish voice throughout"
    check_voice(run, tmp_path, audio, "Vi säger", "sv")
    check_voice(run, tmp_path, audio, "till alla som kommer.", "sv", at_end=True)


def test_an_unlabelled_english_article_on_a_swedish_site_is_read_in_english(svc, origin, run,
                                                                            tmp_path):
    audio, marks = listen(svc, origin, "/sv-label-en")
    assert [b["lang"] for b in marks["blocks"]] == ["en", "en", "en"]
    check_voice(run, tmp_path, audio, para("en", 2), "en")
    check_voice(run, tmp_path, audio, para("en", 5), "en", at_end=True)


NOTICE = "Det finns ingen uppläsning på somaliska."


def test_a_somali_page_says_it_has_no_voice(svc, origin, run, tmp_path):
    audio, marks = listen(svc, origin, "/so")
    assert [b["lang"] for b in marks["blocks"]] == ["so", "so"]
    notice, _ = reference(run, tmp_path, "sv", NOTICE)
    assert abs(len(audio) - len(notice)) < 2205, "the notice alone, said once, nothing else"
    check_voice(run, tmp_path, audio, NOTICE, "sv")
    assert not [m for m in marks["marks"] if m["type"] == "word"], "nothing of the text is read"


def test_somali_paragraphs_on_a_swedish_page_are_skipped_the_rest_read(svc, origin, run,
                                                                       tmp_path):
    audio, marks = listen(svc, origin, "/sv-so")
    assert [b["lang"] for b in marks["blocks"]] == ["sv", "so", "so", "sv"]
    blocks = marks["blocks"]
    words = [m for m in marks["marks"] if m["type"] == "word"]
    assert not [m for m in words if blocks[1]["start"] <= m["start"] < blocks[2]["end"]]
    check_voice(run, tmp_path, audio, para("sv", 2), "sv")
    check_voice(run, tmp_path, audio, para("sv", 3), "sv", at_end=True)
    parts = [reference(run, tmp_path, "sv", t)[0] for t in (para("sv", 2), NOTICE, para("sv", 3))]
    assert abs(len(audio) - sum(map(len, parts))) < 2205, "the Swedish, one notice, no Somali"


def test_voices_lists_every_language(svc):
    doc = get(svc, "/v1/voices").json()
    langs = {l["lang"]: l for l in doc["languages"]}
    assert len(langs) >= 130
    assert langs["fi"]["name_sv"] == "finska" and langs["fi"]["name"] == "suomi"
    assert langs["ar"]["voice"] and not langs["so"]["voice"]
    assert langs["ti"]["name"] == "ትግርኛ"


def test_batch_reads_each_page_in_its_language_and_records_it(lyssna_bin, origin, run, tmp_path):
    out = tmp_path / "out"
    urls = [origin.url(p) for p in ("/fi", "/ar", "/sv-label-en", "/so")]
    (tmp_path / "urls.txt").write_text("\n".join(urls) + "\n")
    p = subprocess.run([lyssna_bin, "batch", "-o", out, "-j", "2", "-f", "wav", "--delay", "0",
                        "--retries", "0", "--allow-addr", "127.0.0.0/8", tmp_path / "urls.txt"],
                       capture_output=True, timeout=300)
    assert p.returncode == 0, p.stderr
    recs = {r["source"]: r for r in map(json.loads, (out / "manifest.jsonl").read_text().splitlines())}
    assert [recs[u]["lang"] for u in urls] == ["fi", "ar", "en", "so"]
    fi = samples((out / recs[urls[0]]["output"]).read_bytes())
    check_voice(run, tmp_path, fi, para("fi", 0), "fi")
    so = samples((out / recs[urls[3]]["output"]).read_bytes())
    check_voice(run, tmp_path, so, NOTICE, "sv")


@pytest.mark.parametrize("markup", ['<lang xml:lang="en">{}</lang>', '<voice languages="en">{}</voice>',
                                    '<s xml:lang="en-GB">{}</s>'])
def test_ssml_switches_language_by_lang_voice_and_xml_lang(run, tmp_path, markup):
    phrase = "welcome to the town hall and the library"
    ssml = f'<speak xml:lang="sv">Vi säger {markup.format(phrase)} till alla.</speak>'
    out, marks = tmp_path / "s.wav", tmp_path / "s.jsonl"
    r = run("speak", "--ssml", "-o", out, "--marks", marks, input=ssml.encode())
    assert r.returncode == 0, r.stderr
    audio = samples(out.read_bytes())
    parts = [reference(run, tmp_path, v, t)[0] for v, t in
             (("sv", "Vi säger"), ("en", phrase), ("sv", "till alla."))]
    assert abs(len(audio) - sum(map(len, parts))) < 0.02 * len(audio)
    words = [json.loads(l) for l in marks.read_text().splitlines() if '"word"' in l]
    assert [ssml.encode()[w["start"]:w["end"]].decode() for w in words][2:4] == ["welcome", "to"]


def test_ssml_in_a_language_without_a_voice_says_so(run, tmp_path):
    ssml = '<speak>Hej. <lang xml:lang="so">Dugsigu wuxuu furmayaa berri.</lang></speak>'
    out = tmp_path / "s.wav"
    assert run("speak", "--ssml", "-o", out, input=ssml.encode()).returncode == 0
    audio = samples(out.read_bytes())
    parts = [reference(run, tmp_path, "sv", t)[0] for t in ("Hej.", NOTICE)]
    assert abs(len(audio) - sum(map(len, parts))) < 0.02 * len(audio)


NOTICE_FI = ("Det finns ingen uppläsning på nordsamiska.", "Tätä kieltä ei lueta ääneen.")


def test_a_finnish_page_says_once_in_swedish_and_finnish_that_sami_has_no_voice(svc, origin, run,
                                                                               tmp_path):
    audio, marks = listen(svc, origin, "/fi-se")
    blocks = marks["blocks"]
    assert [b["lang"] for b in blocks] == ["fi", "se", "fi"]
    words = [m for m in marks["marks"] if m["type"] == "word"]
    assert not [m for m in words if blocks[1]["start"] <= m["start"] < blocks[1]["end"]]
    check_voice(run, tmp_path, audio, para("fi", 0), "fi")
    check_voice(run, tmp_path, audio, para("fi", 1), "fi", at_end=True, slack=800)
    parts = [reference(run, tmp_path, v, t) for v, t in
             (("fi", para("fi", 0)), ("sv", NOTICE_FI[0]), ("fi", NOTICE_FI[1]), ("fi", para("fi", 1)))]
    # 0.2 s for the switches of voice; a notice missing or said twice is 1.5 s or more
    assert abs(len(audio) - sum(len(p[0]) for p in parts)) < 4410, "Finnish, two notices, no Sami"
    # each notice in its voice where it is heard: the Swedish one after the first paragraph,
    # which starts the file; the Finnish one before the last, whose first word has a mark. The
    # pauses around a switch of voice move them up to 60 ms from there; within 73 ms either
    # way the right voice gave 0.67 to 0.9 and the Swedish one on the Finnish notice up to 0.21
    # (the Finnish voice on the Swedish notice up to 0.48: there only that it is said counts).
    at = len(parts[0][0]) * 1000 // 22050 + parts[1][1]
    assert likeness(audio, at, parts[1][0], parts[1][1], slack=1600) > 0.45, "the Swedish notice"
    last = next(m for m in words if m["start"] >= blocks[2]["start"])
    at = last["time"] - parts[3][1] - len(parts[2][0]) * 1000 // 22050 + parts[2][1]
    assert likeness(audio, at, parts[2][0], parts[2][1], slack=1600) > 0.45, "the Finnish notice"


@pytest.mark.parametrize("path", list(DOCS))
def test_a_documents_language_tags_switch_voices_and_back(svc, origin, run, tmp_path, path):
    """DOCX w:lang, ODT fo:language, a tagged PDF's /Lang: a paragraph in another language and a
    phrase inside a Swedish sentence are read in their voices, and Swedish again after them."""
    _, _, other, text = DOCS[path]
    audio, marks = listen(svc, origin, path)
    blocks = marks["blocks"]
    assert [b["lang"].split("-")[0] for b in blocks] == ["sv", other, "sv", "sv"], blocks
    mixed = blocks[2]
    sentences = [m["value"] for m in marks["marks"]
                 if m["type"] == "sentence" and mixed["start"] <= m["start"] < mixed["end"]]
    assert sentences == ["Vi säger", PHRASE, "till alla som kommer."], sentences
    check_voice(run, tmp_path, audio, para("sv", 0), "sv")
    check_voice(run, tmp_path, audio, para("sv", 1), "sv", at_end=True, slack=800)
    # the paragraph in the other language, where its first word is heard
    first = next(m for m in marks["marks"] if m["type"] == "word"
                 and blocks[1]["start"] <= m["start"] < blocks[1]["end"])
    ref, ref_ms = reference(run, tmp_path, other, text)
    assert likeness(audio, first["time"], ref, ref_ms, slack=800) > 0.45, "not in its voice"
    wrong, wrong_ms = reference(run, tmp_path, "sv", text)
    assert likeness(audio, first["time"], wrong, wrong_ms) < 0.3, "the Swedish voice"
    # as much audio as its stretches read alone, each in its language
    parts = [reference(run, tmp_path, v, t)[0] for v, t in
             (("sv", para("sv", 0)), (other, text), ("sv", "Vi säger"), ("en", PHRASE),
              ("sv", "till alla som kommer."), ("sv", para("sv", 1)))]
    assert abs(len(audio) - sum(map(len, parts))) < 0.02 * len(audio)
