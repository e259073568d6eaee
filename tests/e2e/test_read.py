"""GET /read?url=: the reading page, end to end through the real service and a loopback origin.

What a resident's browser gets: one HTML page with the title, the blocks as real headings,
paragraphs, lists and tables (each numbered for the listen button's highlighting), content
images as their alt text beside their captions (shown, not read: never numbered), the button's
placeholder naming the address, links to the original and to the MP3, and every piece of the
document's text escaped. Errors are a Swedish HTML page with the service's status.
"""
import html.parser
import json
import urllib.parse

import pytest

from origin import Origin
from test_serve import get, start_service

TRICKY = ("<html lang='sv'><head><title>Taxa &amp; avgifter</title></head><body><main>"
          "<h1>Taxa &amp; avgifter</h1><p>Avgiften för &lt;script&gt;alert(1)&lt;/script&gt; är "
          "låg, och den gäller från den 1 juli för alla som har ett abonnemang.</p>"
          "<h2>Priser</h2><table><tr><td>Tjänst</td><td>Pris</td></tr>"
          "<tr><td>Tömning</td><td>120 kr</td></tr></table>"
          "<ul><li>Kärl ska stå vid tomtgränsen</li><li>Locket ska gå att stänga</li></ul>"
          "</main></body></html>")

# A figure with its caption after the image, one with the caption first, an image inside a
# paragraph, and images that say nothing: no alt, alt="", in a link, a tracking pixel, an alt
# that only repeats the caption, an alt that is a file name, and one outside the article.
FIGURES = ("<html lang='sv'><head><title>Ny park</title></head><body>"
           "<header><a href='/'><img src='logo.png' alt='Kommunens logotyp'></a></header>"
           "<main><article><h1>Ny park</h1>"
           "<p>Kommunen bygger en ny park vid torget, och arbetet börjar i april i år.</p>"
           "<figure><img src='karta.png' alt='Karta över parken med lekplats och damm'>"
           "<figcaption>Parken ligger norr om torget.</figcaption></figure>"
           "<p>Parken får en lekplats <img src='lek.png' alt='Ritning av lekplatsen'> och en "
           "damm med bryggor.</p>"
           "<figure><figcaption>Dammen i vinterskrud.</figcaption>"
           "<img src='damm.jpg' alt='Frusen damm med snö på isen'></figure>"
           "<p><img src='utan.png'></p><p><img src='dekor.png' alt=''></p>"
           "<p><a href='/bilder'><img src='bild.png' alt='Fler bilder från parken'></a></p>"
           "<p><img src='p.gif' alt='spårning' width='1' height='1'></p>"
           "<p><img src='IMG_0042.JPG' alt='IMG_0042.JPG'></p>"
           "<figure><img src='t.png' alt='Träden planteras i oktober.'>"
           "<figcaption>Träden planteras i oktober.</figcaption></figure>"
           "<p>Har du frågor om parken kan du kontakta stadsbyggnadskontoret.</p>"
           "</article></main></body></html>")


class Outline(html.parser.HTMLParser):
    """The elements of a page in order, with their attributes and text."""

    def __init__(self):
        super().__init__()
        self.tags, self.text, self._open = [], {}, []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._open.append(len(self.tags) - 1)

    def handle_endtag(self, tag):
        while self._open:
            i = self._open.pop()
            if self.tags[i][0] == tag:
                break

    def handle_data(self, data):
        if self._open:
            i = self._open[-1]
            self.text[i] = self.text.get(i, "") + data

    def find(self, tag):
        return [(a, self.text.get(i, "")) for i, (t, a) in enumerate(self.tags) if t == tag]


@pytest.fixture(scope="module")
def site():
    with Origin() as o:
        o.routes["/taxa.html"] = (200, "text/html; charset=utf-8", TRICKY.encode())
        o.routes["/park.html"] = (200, "text/html; charset=utf-8", FIGURES.encode())
        yield o


@pytest.fixture(scope="module")
def svc(lyssna_bin, tmp_path_factory, site):
    from conftest import ROOT
    s = start_service(lyssna_bin, tmp_path_factory.mktemp("read"), "--allow-host", "127.0.0.1",
                      "--allow-addr", "127.0.0.0/8", "--workers", "1", "--web", ROOT / "web")
    yield s
    s.stop()


def read(svc, url):
    return get(svc, "/read?url=" + urllib.parse.quote(url, safe=""))


def outline(r):
    o = Outline()
    o.feed(r.body.decode())
    return o


def test_reading_page_shows_the_blocks_as_real_structure(svc, site):
    url = site.url("/taxa.html")
    r = read(svc, url)
    assert r.status == 200 and r.h("content-type").startswith("text/html")
    o = outline(r)
    assert [t for _, t in o.find("h1")] == ["Taxa & avgifter"]
    assert o.find("h1")[0][0].get("data-lyssna-block") == "0"  # the page's h1 is the title
    assert [t for _, t in o.find("h2")] == ["Priser"]  # the highest heading under the title
    assert [t for _, t in o.find("td")] == ["Tjänst", "Pris", "Tömning", "120 kr"]
    assert [t for _, t in o.find("li") if _.get("data-lyssna-block")] == [
        "Kärl ska stå vid tomtgränsen", "Locket ska gå att stänga"]
    numbered = [a["data-lyssna-block"] for _, a in o.tags if "data-lyssna-block" in a]
    assert numbered == [str(i) for i in range(len(numbered))] and len(numbered) == 7
    assert o.tags[0] == ("html", {"lang": "sv"})


def test_reading_page_escapes_the_text_and_names_what_to_play(svc, site):
    url = site.url("/taxa.html")
    body = read(svc, url).body.decode()
    assert "<script>alert" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    o = outline(read(svc, url))
    button = [a for t, a in o.tags if a.get("data-lyssna") == "button"]
    assert button and button[0]["data-lyssna-url"] == url
    links = {t: a["href"] for a, t in o.find("a")}
    assert links["Originalfilen (taxa.html)"] == url
    mp3 = links["Ladda ner uppläsningen som MP3"]
    assert mp3 == "v1/listen?format=mp3&chapters=1&url=" + urllib.parse.quote(url, safe="")
    vtt = links["Texten med tider (WebVTT)"]
    assert vtt == "v1/listen.vtt?url=" + urllib.parse.quote(url, safe="")
    scripts = [a["src"] for t, a in o.tags if t == "script"]
    assert scripts == ["widget/lyssna.js"]


def test_reading_page_mp3_link_plays(svc, site):
    url = site.url("/taxa.html")
    r = get(svc, "/v1/listen?format=mp3&url=" + urllib.parse.quote(url, safe=""))
    assert r.status == 200 and r.h("content-type") == "audio/mpeg" and len(r.body) > 1000


@pytest.mark.parametrize("url,status", [("http://evil.example/a.pdf", 403),
                                        ("SITE/404", 502), ("", 400)])
def test_reading_page_errors_are_a_swedish_page_with_the_status(svc, site, url, status):
    r = read(svc, url.replace("SITE", site.url("")))
    assert r.status == status
    assert r.h("content-type").startswith("text/html")
    o = outline(r)
    assert [t for _, t in o.find("h1")] == ["Dokumentet kunde inte läsas upp"]
    assert o.find("p")[0][1]  # the reason, as the service gives it


def test_reading_page_keeps_the_voice_asked_for(svc, site):
    url = site.url("/taxa.html")
    r = get(svc, "/read?voice=sv-tydlig&url=" + urllib.parse.quote(url, safe=""))
    o = outline(r)
    button = [a for t, a in o.tags if a.get("data-lyssna") == "button"][0]
    assert button["data-lyssna-voice"] == "sv-tydlig"
    mp3 = {t: a["href"] for a, t in o.find("a")}["Ladda ner uppläsningen som MP3"]
    assert mp3.endswith("&voice=sv-tydlig")
    assert read(svc, url).status == 200
    assert get(svc, "/read?voice=klingon&url=" + urllib.parse.quote(url, safe="")).status == 400


def test_reading_page_shows_content_images_as_alt_text_beside_their_captions(svc, site):
    body = read(svc, site.url("/park.html")).body.decode()
    o = outline(read(svc, site.url("/park.html")))
    shown = [(a, t) for a, t in o.find("p") if a.get("class") == "lyssna-alt"]
    assert [t for _, t in shown] == ["Karta över parken med lekplats och damm",
                                     "Ritning av lekplatsen", "Frusen damm med snö på isen"]
    assert [a.get("data-lyssna-block") for a, _ in shown] == [None] * 3  # shown, not read
    assert [t for _, t in o.find("span")] == ["Bild: "] * 3
    assert [t for _, t in o.find("figcaption")] == ["Parken ligger norr om torget.",
                                                    "Dammen i vinterskrud."]
    # each caption in the figure of its own image, after or before the alt as in the page
    assert body.count("<figure>") == 3
    order = ["Karta över", "Parken ligger", "Parken får", "Ritning av", "Dammen i", "Frusen damm",
             "Träden planteras", "Har du frågor"]
    assert [body.index(t) for t in order] == sorted(body.index(t) for t in order)
    assert body.index("</figure>", body.index("Frusen")) < body.index("Träden planteras")
    for quiet in ("logotyp", "Fler bilder", "spårning", "IMG_0042", "utan.png"):
        assert quiet not in body
    numbered = [a["data-lyssna-block"] for _, a in o.tags if "data-lyssna-block" in a]
    assert numbered == [str(i) for i in range(len(numbered))]


def test_listen_text_lists_the_figures_apart_from_what_is_read(svc, site):
    r = get(svc, "/v1/listen/text?url=" + urllib.parse.quote(site.url("/park.html"), safe=""))
    assert r.status == 200
    doc = json.loads(r.body)
    texts = [b["text"] for b in doc["blocks"]]
    assert texts == ["Ny park",
                     "Kommunen bygger en ny park vid torget, och arbetet börjar i april i år.",
                     "Parken ligger norr om torget.",
                     "Parken får en lekplats och en damm med bryggor.",
                     "Dammen i vinterskrud.",
                     "Träden planteras i oktober.",
                     "Har du frågor om parken kan du kontakta stadsbyggnadskontoret."]
    figs = [(f["alt"], f["block"], f["xpath"].rsplit("/", 2)[-2:]) for f in doc["figures"]]
    assert figs == [("Karta över parken med lekplats och damm", 2, ["figure[1]", "img"]),
                    ("Ritning av lekplatsen", 4, ["p[2]", "img"]),
                    ("Frusen damm med snö på isen", 5, ["figure[2]", "img"])]
