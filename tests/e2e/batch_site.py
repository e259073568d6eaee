"""A local site for `lyssna batch`: short pages built from tests/fixtures/pages' gold texts,
a sitemap index with a plain and a gzipped child sitemap, a robots.txt, and (with broken=True)
pages broken on purpose. Served by origin.Origin; used by test_batch.py and bench/batch."""
import gzip
import html
import pathlib

PAGES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "pages"

ROBOTS = b"User-agent: *\nDisallow: /privat/\n\nUser-agent: otherbot\nDisallow: /\n"

# path -> what the batch should say about it
BROKEN = {
    "/sidor/saknas.html": "404",
    "/hang": "timed out",
    "/sidor/bild.png": "not a web page",
    "/sidor/tom.html": "no readable text",
    "/privat/hemlig.html": "robots.txt",
}
FLAKY = "/sidor/ojamn.html"  # 503 on the first request, then a page


def _lines():
    out = []
    for gold in sorted(PAGES.glob("*.gold.txt")):
        out += [ln.strip() for ln in gold.read_text(encoding="utf-8").splitlines()
                if 40 <= len(ln.strip()) <= 220]
    return out


def page_html(title, paragraphs):
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (f'<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>'
            f'{html.escape(title)}</title></head><body><nav><a href="/">Start</a></nav>'
            f"<main><h1>{html.escape(title)}</h1>{body}</main>"
            f"<footer>Exempelsjö kommun</footer></body></html>").encode()


def _urlset(urls):
    items = "".join(f"<url><loc>{html.escape(u)}</loc></url>" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns='
            f'"http://www.sitemaps.org/schemas/sitemap/0.9">{items}</urlset>').encode()


def build(origin, n_pages, broken=True):
    """Adds the site's routes to origin; returns (sitemap index URL, good page URLs)."""
    lines = _lines()
    good = []
    for i in range(n_pages):
        path = f"/sidor/sida-{i + 1:03d}.html"
        title = f"Sida {i + 1}"
        origin.routes[path] = (200, "text/html; charset=utf-8",
                               page_html(title, [lines[(2 * i) % len(lines)],
                                                 lines[(2 * i + 1) % len(lines)]]))
        good.append(origin.url(path))
    origin.routes["/robots.txt"] = (200, "text/plain", ROBOTS)
    half = len(good) // 2
    extra = []
    if broken:
        origin.routes["/sidor/bild.png"] = (200, "image/png", b"\x89PNG\r\n\x1a\n" + bytes(64))
        origin.routes["/sidor/tom.html"] = (
            200, "text/html; charset=utf-8",
            b"<html><body><nav><a href='/'>Start</a></nav></body></html>")
        origin.routes["/privat/hemlig.html"] = (200, "text/html; charset=utf-8",
                                                page_html("Hemlig", [lines[0]]))
        flaky_page = page_html("Ojämn", [lines[1]])
        origin.routes[FLAKY] = lambda n: ((503, "text/plain", b"busy") if n == 1 else
                                          (200, "text/html; charset=utf-8", flaky_page))
        extra = [origin.url(p) for p in BROKEN] + [origin.url(FLAKY)]
    origin.routes["/sitemap-sidor.xml"] = (200, "application/xml", _urlset(good[:half]))
    origin.routes["/sitemap-mer.xml.gz"] = (200, "application/gzip",
                                            gzip.compress(_urlset(good[half:] + extra)))
    index = ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns='
             '"http://www.sitemaps.org/schemas/sitemap/0.9">'
             f'<sitemap><loc>{origin.url("/sitemap-sidor.xml")}</loc></sitemap>'
             f'<sitemap><loc>{origin.url("/sitemap-mer.xml.gz")}</loc></sitemap>'
             '</sitemapindex>').encode()
    origin.routes["/sitemap-index.xml"] = (200, "application/xml", index)
    return origin.url("/sitemap-index.xml"), good
