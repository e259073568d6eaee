"""Documents end to end: PDF, DOCX and ODT through `lyssna extract` and `lyssna speak` (the
development documents of tests/fixtures/documents scored against their gold text, and
documents made here whose every line is known: running headers and footers, page numbers,
hyphens at line ends, a paragraph over a page break, two columns, tables), the errors a
person gets for a blank scan, a locked, a damaged, a hostile or an oversized file, and a reader
killed mid-parse."""
import json
import os
import signal
import subprocess
import time
import zipfile
import io

import pytest

import docgen
import hostile_scans
from conftest import FIXTURES, TIME_SCALE
from test_extract import page_scores

DOCS = FIXTURES / "documents"
PROTOKOLL = "protokoll-kf-2025-04-24-p76"
INFOBLAD = "informationsblad-sophamtning-2025"

HEADER = [(70, 40, 9, "Exempelby kommun"), (400, 40, 9, "Socialnämnden 2026-03-12")]


def footer(n, of):
    return [(70, 812, 9, "Riktlinjer för äldreomsorg"), (470, 812, 9, f"Sida {n} av {of}")]


def riktlinjer_pdf():
    """Three A4 pages as a word processor sets them; returns (bytes, the lines to hear)."""
    p1, y = [(70, 100, 16, "Riktlinjer för äldreomsorgen", True)], 130
    para, y = docgen.justified([
        "Kommunen ansvarar för att alla som behöver det får en god och trygg äldreom-",
        "sorgen. Insatserna ska utgå från den enskildes behov och ges i samverkan med",
        "hälso- och sjukvården i regionen, så att ingen faller mellan stolarna när hälso-",
        "och sjukvården och socialtjänsten delar på ansvaret för vården i hemmet."], 70, y, 11, 455)
    p1 += para
    para, y = docgen.justified([
        "Den som vill ansöka om hemtjänst kan göra det per telefon eller i kommunens e-",
        "tjänst för omsorg. Handläggaren tar kontakt inom fem arbetsdagar och gör ett",
        "hembesök innan beslut fattas. Den som inte är nöjd med beslutet kan över-"], 70, y + 8, 11, 455,
        ends=False)
    p1 += para
    p2, y = docgen.justified([
        "klagas till förvaltningsrätten inom tre veckor från den dag då beslutet togs emot.",
        "Kommunen hjälper till med överklagandet om den enskilde ber om det."], 70, 80, 11, 455)
    p2 += [(70, y + 20, 13, "Avgifter", True)]
    y += 44
    for a, b in [("Insats", "Avgift per månad"), ("Trygghetslarm", "250 kr"), ("Hemtjänst, 1–10 timmar", "1 100 kr"),
                 ("Matdistribution", "enligt prislista")]:
        p2 += [(70, y, 11, a), (330, y, 11, b)]
        y += 15
    para, y = docgen.justified(["Avgiften får aldrig bli högre än maxtaxan som riksdagen beslutar om varje år."],
                               70, y + 12, 11, 455)
    p2 += para
    left, y = [(70, 80, 13, "Korttidsboende", True)], 100
    para, y = docgen.justified([
        "Korttidsboende ges den som under en tid",
        "behöver vård och omsorg dygnet runt, till",
        "exempel efter en sjukhusvistelse eller för",
        "att avlasta en anhörig som vårdar."], 70, y, 11, 205)
    left += para
    right, y = [(320, 80, 13, "Särskilt boende", True)], 100
    para, y = docgen.justified([
        "Den som inte längre kan bo kvar hemma",
        "trots stora insatser kan få plats på ett",
        "särskilt boende. Där finns personal hela",
        "dygnet och en egen lägenhet med kök."], 320, y, 11, 205)
    right += para
    pages = [p1, p2, left + right]
    pages = [HEADER + p + footer(i + 1, 3) for i, p in enumerate(pages)]
    want = [
        "Riktlinjer för äldreomsorgen",
        "Kommunen ansvarar för att alla som behöver det får en god och trygg äldreomsorgen. "
        "Insatserna ska utgå från den enskildes behov och ges i samverkan med hälso- och sjukvården "
        "i regionen, så att ingen faller mellan stolarna när hälso- och sjukvården och socialtjänsten "
        "delar på ansvaret för vården i hemmet.",
        "Den som vill ansöka om hemtjänst kan göra det per telefon eller i kommunens e-tjänst för "
        "omsorg. Handläggaren tar kontakt inom fem arbetsdagar och gör ett hembesök innan beslut "
        "fattas. Den som inte är nöjd med beslutet kan överklagas till förvaltningsrätten inom tre "
        "veckor från den dag då beslutet togs emot. Kommunen hjälper till med överklagandet om den "
        "enskilde ber om det.",
        "Avgifter",
        "Insats, Avgift per månad",
        "Trygghetslarm, 250 kr",
        "Hemtjänst, 1–10 timmar, 1 100 kr",
        "Matdistribution, enligt prislista",
        "Avgiften får aldrig bli högre än maxtaxan som riksdagen beslutar om varje år.",
        "Korttidsboende",
        "Korttidsboende ges den som under en tid behöver vård och omsorg dygnet runt, till exempel "
        "efter en sjukhusvistelse eller för att avlasta en anhörig som vårdar.",
        "Särskilt boende",
        "Den som inte längre kan bo kvar hemma trots stora insatser kan få plats på ett särskilt "
        "boende. Där finns personal hela dygnet och en egen lägenhet med kök.",
    ]
    return docgen.pdf(pages, info_title="Riktlinjer för äldreomsorg", lang="sv-SE"), want


def extract(run, path, *args):
    res = run("extract", *args, path)
    return res, res.stdout.decode("utf-8")


@pytest.mark.parametrize("suffix", [".pdf", ".tagged.pdf", ".owner.pdf", ".docx", ".odt"])
def test_protokoll_reads_as_its_gold_text(run, suffix):
    res, text = extract(run, DOCS / f"{PROTOKOLL}{suffix}")
    assert res.returncode == 0, res.stderr
    p, r = page_scores((DOCS / f"{PROTOKOLL}.gold.txt").read_text(encoding="utf-8"), text)
    assert p >= 0.97 and r >= 0.97, (p, r, text)
    assert "Justerandes signatur" not in text and "Sida 2 av 3" not in text
    assert "PROTOKOLL" not in text


@pytest.mark.parametrize("suffix", [".pdf", ".docx", ".odt"])
def test_two_columns_and_tables_keep_their_order(run, suffix):
    """The development PDF lacks the tables' third columns (the word processor left them out
    of the PDF): every line it has must still be in the gold text, in order."""
    res, text = extract(run, DOCS / f"{INFOBLAD}{suffix}")
    assert res.returncode == 0, res.stderr
    gold = (DOCS / f"{INFOBLAD}.gold.txt").read_text(encoding="utf-8").splitlines()
    lines = text.splitlines()
    assert "Kundtjänst avfall 0980-31 92 10" not in lines and "Exempelby kommun – Avfall och återvinning" not in text
    at = 0
    for line in lines:
        hits = [i for i, g in enumerate(gold) if g == line or g.startswith(line.rstrip(".") + ",")
                or g.startswith(line + " ")]
        assert hits and hits[-1] >= at, f"{line!r} out of order or not in the gold text"
        at = min(h for h in hits if h >= at)
    assert len(lines) >= len(gold) - 1


def test_made_pdf_has_no_headers_footers_or_line_end_hyphens(run, tmp_path):
    data, want = riktlinjer_pdf()
    path = tmp_path / "riktlinjer.pdf"
    path.write_bytes(data)
    res, text = extract(run, path)
    assert res.returncode == 0, res.stderr
    assert text.splitlines() == want
    res = run("extract", "--json", path)
    doc = json.loads(res.stdout)
    assert doc["title"] == "Riktlinjer för äldreomsorg" and doc["lang"] == "sv-SE"
    kinds = [b["xpath"] for b in doc["blocks"]]
    assert kinds[0] == "/document/h1[1]" and kinds[3] == "/document/h2[1]"
    assert kinds[4:8] == [f"/document/table[1]/tr[{i}]" for i in range(1, 5)]


def test_made_pdf_read_from_stdin_and_sniffed_not_named(run, tmp_path):
    data, want = riktlinjer_pdf()
    path = tmp_path / "riktlinjer.html"  # the name lies; the content decides
    path.write_bytes(data)
    res, text = extract(run, path)
    assert res.returncode == 0 and text.splitlines() == want
    res = run("extract", "-", input=data)
    assert res.returncode == 0 and res.stdout.decode().splitlines() == want


DOCX_BODY = (
    '<w:p><w:pPr><w:pStyle w:val="Rubrik1"/></w:pPr><w:r><w:t>Bygglov för altan</w:t></w:r></w:p>'
    '<w:p><w:r><w:t xml:space="preserve">Du behöver </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>inte</w:t></w:r>'
    '<w:r><w:t xml:space="preserve"> söka bygglov</w:t></w:r><w:r><w:br/></w:r><w:r><w:t>för en altan under 1,8 meter.</w:t></w:r>'
    '<w:r><w:footnoteReference w:id="1"/></w:r><w:del><w:r><w:delText>Struken text.</w:delText></w:r></w:del></w:p>'
    '<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="3"/></w:numPr></w:pPr><w:r><w:t>Ritning</w:t></w:r></w:p>'
    '<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="3"/></w:numPr></w:pPr><w:r><w:t>Situationsplan</w:t></w:r></w:p>'
    '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Åtgärd</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Avgift</w:t></w:r></w:p></w:tc></w:tr>'
    '<w:tr><w:tc><w:p><w:r><w:t>Altan</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>2 400</w:t></w:r></w:p>'
    '<w:p><w:r><w:t>kronor</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'
    '<w:p><w:r><w:t xml:space="preserve">Kontakta </w:t></w:r><w:hyperlink><w:r><w:t>bygglovsenheten</w:t></w:r></w:hyperlink>'
    '<w:r><w:t>.</w:t></w:r><w:r><w:instrText>HYPERLINK "x"</w:instrText></w:r></w:p>')
DOCX_STYLES = ('<w:docDefaults><w:rPrDefault><w:rPr><w:lang w:val="sv-SE"/></w:rPr></w:rPrDefault></w:docDefaults>'
               '<w:style w:type="paragraph" w:styleId="Rubrik1"><w:name w:val="heading 1"/></w:style>')
DOCX_NOTES = (f'<?xml version="1.0"?><w:footnotes xmlns:w="{docgen.W}"><w:footnote w:id="1"><w:p><w:r>'
              '<w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> Gäller även uteplatser.</w:t></w:r></w:p>'
              '</w:footnote></w:footnotes>')
DOCX_WANT = ["Bygglov för altan", "Du behöver inte söka bygglov för en altan under 1,8 meter.",
             "Fotnot 1: Gäller även uteplatser.", "Ritning", "Situationsplan", "Åtgärd, Avgift", "Altan, 2 400 kronor",
             "Kontakta bygglovsenheten."]


def test_made_docx(run, tmp_path):
    footer_xml = f'<?xml version="1.0"?><w:ftr xmlns:w="{docgen.W}"><w:p><w:r><w:t>Sidfot</w:t></w:r></w:p></w:ftr>'
    path = tmp_path / "bygglov.docx"
    path.write_bytes(docgen.docx(DOCX_BODY, DOCX_STYLES,
                                 extra={"word/footer1.xml": footer_xml, "word/footnotes.xml": DOCX_NOTES}))
    res, text = extract(run, path)
    assert res.returncode == 0, res.stderr
    assert text.splitlines() == DOCX_WANT
    doc = json.loads(run("extract", "--json", path).stdout)
    assert doc["lang"] == "sv-SE" and doc["title"] == "Bygglov för altan"
    assert [b["xpath"] for b in doc["blocks"]][:5] == ["/document/h1[1]", "/document/p[1]", "/document/p[2]",
                                                       "/document/ul[1]/li[1]", "/document/ul[1]/li[2]"]


ODT_TEXT = (
    '<text:sequence-decls/><text:h text:outline-level="1">Bygglov för altan</text:h>'
    '<text:p>Du behöver<text:s/>inte söka bygglov<text:line-break/>för en altan under 1,8 meter.'
    '<text:note><text:note-citation>1</text:note-citation><text:note-body><text:p>Gäller även uteplatser.'
    '</text:p></text:note-body></text:note></text:p>'
    '<text:list><text:list-item><text:p>Ritning</text:p></text:list-item>'
    '<text:list-item><text:p>Situationsplan</text:p></text:list-item></text:list>'
    '<table:table><table:table-column/><table:table-header-rows><table:table-row><table:table-cell><text:p>Åtgärd</text:p>'
    '</table:table-cell><table:table-cell><text:p>Avgift</text:p></table:table-cell></table:table-row></table:table-header-rows>'
    '<table:table-row><table:table-cell><text:p>Altan</text:p></table:table-cell><table:table-cell><text:p>2 400</text:p>'
    '<text:p>kronor</text:p></table:table-cell></table:table-row></table:table>'
    '<text:p>Kontakta <text:a>bygglovsenheten</text:a>.</text:p>')


def test_made_odt(run, tmp_path):
    path = tmp_path / "bygglov.odt"
    path.write_bytes(docgen.odt(ODT_TEXT, title="Bygglov", lang="sv"))
    res, text = extract(run, path)
    assert res.returncode == 0, res.stderr
    assert text.splitlines() == DOCX_WANT
    doc = json.loads(run("extract", "--json", path).stdout)
    assert doc["lang"] == "sv" and doc["title"] == "Bygglov"


def test_word_processor_default_language_gives_way_to_the_text(run, tmp_path):
    path = tmp_path / "engelsk-standard.odt"
    path.write_bytes(docgen.odt(ODT_TEXT + "<text:p>Det är viktigt att du som bor här vet vad som gäller "
                                "för bygglov och att du kan söka det på webben.</text:p>", lang="en-US"))
    doc = json.loads(run("extract", "--json", path).stdout)
    assert doc["lang"] == "sv"


def one_error_line(res, code, *words):
    err = res.stderr.decode()
    assert res.returncode == code, (res.returncode, err)
    assert err.count("\n") == 1 and err.startswith("lyssna: "), err
    for w in words:
        assert w in err, err
    assert res.stdout == b""


def test_errors_a_person_can_act_on(run, tmp_path):
    one_error_line(run("extract", DOCS / f"{PROTOKOLL}.locked.pdf"), 4, "password")
    bad = tmp_path / "trasig.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + os.urandom(4000))
    one_error_line(run("extract", bad), 8, "damaged")
    sheet = tmp_path / "kalkyl.ods"
    with zipfile.ZipFile(sheet, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<x/>")
    one_error_line(run("extract", sheet), 4, "zip archive", "DOCX", "ODT")
    trunc = tmp_path / "avklippt.docx"
    trunc.write_bytes(docgen.docx(DOCX_BODY)[:-200])
    one_error_line(run("extract", trunc), 8, "damaged")


def test_speak_reads_a_document_aloud(run, tmp_path):
    out = tmp_path / "p.mp3"
    res = run("speak", "-f", "mp3", "-o", out, "--marks", tmp_path / "m.jsonl", DOCS / f"{PROTOKOLL}.odt")
    assert res.returncode == 0, res.stderr
    dur = float(subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                                out], capture_output=True, text=True).stdout)
    words = len((DOCS / f"{PROTOKOLL}.gold.txt").read_text().split())
    assert 0.6 * words / 170 * 60 < dur < 2.0 * words / 170 * 60, dur
    marks = [json.loads(x) for x in (tmp_path / "m.jsonl").read_text().splitlines()]
    text = run("extract", DOCS / f"{PROTOKOLL}.odt").stdout
    assert any(m["type"] == "word" and text[m["start"]:m["end"]].decode() == "Omröstning" for m in marks)
    blank = tmp_path / "blank.pdf"
    blank.write_bytes(hostile_scans.bomb(4096))  # an image, and nothing in it to recognize
    one_error_line(run("speak", "-o", tmp_path / "s.wav", blank), 5, "no text")
    assert not (tmp_path / "s.wav").exists()


def many_pages(pages, lines_per_page):
    line = "Kommunen ansvarar för att alla som behöver det får en god och trygg omsorg i hemmet."
    return docgen.pdf([[(70, 60 + i * 14, 11, line) for i in range(lines_per_page)] for _ in range(pages)])


def test_hostile_office_files_cost_an_error(run, tmp_path):
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w") as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                f.write(chunk)
    assert bomb.stat().st_size < 2 << 20
    start = time.monotonic()
    one_error_line(run("extract", bomb), 7, "zip bomb")
    assert time.monotonic() - start < 30 * TIME_SCALE
    lol = ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
           f'<w:document xmlns:w="{docgen.W}"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>')
    path = tmp_path / "entity.docx"
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("[Content_Types].xml", "<Types/>")
        f.writestr("word/document.xml", lol)
    path.write_bytes(z.getvalue())
    one_error_line(run("extract", path), 8, "DTD")
    deep = tmp_path / "deep.odt"
    deep.write_bytes(docgen.odt("<text:section>" * 5000 + "<text:p>djupt</text:p>" + "</text:section>" * 5000))
    res = run("extract", deep)
    assert res.returncode in (7, 8) and res.stderr.decode().count("\n") == 1, res.stderr


def test_caps_on_bytes_pages_and_text(run, tmp_path):
    huge = tmp_path / "stor.pdf"
    with open(huge, "wb") as f:
        f.write(b"%PDF-1.4\n")
        f.truncate(65 << 20)
    one_error_line(run("extract", huge), 7, "over the limit")
    wordy = tmp_path / "ordrik.pdf"
    wordy.write_bytes(many_pages(400, 50))
    one_error_line(run("extract", wordy), 7, "limit")
    pages = tmp_path / "sidor.pdf"
    pages.write_bytes(many_pages(2001, 1))
    one_error_line(run("extract", pages), 7, "2001 pages")


def children(pid):
    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            out += [int(c) for c in open(f"/proc/{pid}/task/{task}/children").read().split()]
        except OSError:
            pass
    return out


def test_a_reader_killed_mid_parse_is_a_clear_error(lyssna_bin, tmp_path):
    path = tmp_path / "lang.pdf"
    path.write_bytes(many_pages(1900, 6))
    proc = subprocess.Popen([lyssna_bin, "extract", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20 * TIME_SCALE
    kids, argv = [], []
    # the spawned child shows the parent's command line until its exec
    while argv[1:2] != [b"extract-worker"] and time.monotonic() < deadline and proc.poll() is None:
        kids = children(proc.pid)
        try:
            argv = open(f"/proc/{kids[0]}/cmdline", "rb").read().split(b"\0") if kids else []
        except OSError:
            argv = []
        time.sleep(0.01)
    assert kids, "no extract-worker was started"
    assert argv[1:2] == [b"extract-worker"], argv
    time.sleep(0.05)  # into poppler: the worker reads these 1900 pages in about 0.3 s
    os.kill(kids[0], signal.SIGKILL)
    out, err = proc.communicate(timeout=30 * TIME_SCALE)
    assert proc.returncode == 8, err
    assert b"crashed" in err and err.count(b"\n") == 1 and out == b""


def test_documents_are_read_by_the_worker_program_beside_lyssna(lyssna_bin, tmp_path):
    """The worker is lyssna-docworker, loading the parsers' libraries and not lyssna's speech,
    HTTP or TLS ones (each document starts one); lyssna itself maps no parser; a lyssna
    without its worker beside it refuses documents with one line saying what is missing."""
    path = tmp_path / "lang.pdf"
    path.write_bytes(many_pages(1900, 6))
    proc = subprocess.Popen([lyssna_bin, "extract", path], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20 * TIME_SCALE
    kids, maps = [], ""
    while "libpoppler" not in maps and time.monotonic() < deadline and proc.poll() is None:
        kids = kids or children(proc.pid)
        try:
            maps = open(f"/proc/{kids[0]}/maps").read() if kids else ""
        except OSError:
            maps = ""
        time.sleep(0.01)
    parent_maps = open(f"/proc/{proc.pid}/maps").read()
    argv = open(f"/proc/{kids[0]}/cmdline", "rb").read().split(b"\0")
    proc.kill()
    proc.wait()
    assert os.path.basename(argv[0]) == b"lyssna-docworker" and argv[1] == b"extract-worker"
    assert "libpoppler" in maps
    for lib in ("libespeak-ng", "libcurl", "libmicrohttpd", "libsndfile", "libtesseract"):
        assert lib not in maps, lib
    assert "libpoppler" not in parent_maps and "libtesseract" not in parent_maps

    alone = tmp_path / "bin" / "lyssna"
    alone.parent.mkdir()
    alone.write_bytes(open(lyssna_bin, "rb").read())
    alone.chmod(0o755)
    one_error_line(subprocess.run([alone, "extract", DOCS / f"{PROTOKOLL}.pdf"],
                                  capture_output=True), 1, "lyssna-docworker")
