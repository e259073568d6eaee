"""Hostile scans for the tests: PDFs with no text layer built to make text recognition spend
memory or time: a page of enormous size, an image that inflates to gigabytes (a decompression
bomb), and thousands of image pages. Standard library and docgen's file writer."""
import struct
import zlib

from docgen import pdf_file


def _pdf(pages, width, height):
    """pages: a list of (content stream, {name: image object bytes}); returns the file."""
    objs = []

    def add(body):
        objs.append(body)
        return len(objs)

    pages_id = 1 + sum(2 + len(imgs) for _, imgs in pages)
    kids = []
    for content, imgs in pages:
        refs = {name: add(body) for name, body in imgs.items()}
        c = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        xobj = b" ".join(b"/%s %d 0 R" % (n.encode(), r) for n, r in refs.items())
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %g %g] /Contents %d 0 R "
                        b"/Resources << /XObject << %s >> >> >>" % (pages_id, width, height, c, xobj)))
    assert add(b"<< /Type /Pages /Kids [%s] /Count %d >>"
               % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))) == pages_id
    return pdf_file(objs, add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id))


def _image(w, h, data, bits=8, grey=True):
    z = zlib.compress(data, 9)
    return (b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /%s /BitsPerComponent %d "
            b"/Filter /FlateDecode /Length %d >>\nstream\n" % (w, h, b"DeviceGray" if grey else b"DeviceRGB", bits, len(z))
            + z + b"\nendstream")


def _grey(w, h):
    """A small grey image with a dark bar, so the page is not blank."""
    return _image(w, h, bytes(255 if (y // 4) % 2 else 0 for y in range(h) for _ in range(w)))


def huge_page():
    """One page 200 x 200 m (the PDF limit is 5 m a side; poppler takes it): no resolution
    renders it within the pixel cap."""
    side = 200 * 72 / 0.0254 / 1000 * 1000  # 200 m in points
    return _pdf([(b"q %g 0 0 %g 0 0 cm /Im1 Do Q" % (side, side), {"Im1": _grey(16, 16)})], side, side)


def _zeros(n, chunk=1 << 20):
    """A zlib stream of n zero bytes (a multiple of chunk) made without compressing them all:
    after a full flush the compressor starts afresh, so each chunk's bytes are the same."""
    c = zlib.compressobj(9)
    first = c.compress(bytes(chunk)) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(bytes(chunk)) + c.flush(zlib.Z_FULL_FLUSH)
    k = n // chunk
    return first + again * (k - 1) + b"\x03\x00" + struct.pack(">I", (((k * chunk) % 65521) << 16) | 1)


def bomb(side=65536):
    """One A4 page whose image is side x side grey pixels of zeros: 4 MB in the file,
    side squared bytes (4 GB) once inflated."""
    data = _zeros(side * side)
    img = (b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
           b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % (side, side, len(data))
           + data + b"\nendstream")
    return _pdf([(b"q 595 0 0 842 0 0 cm /Im1 Do Q", {"Im1": img})], 595, 842)


def many_image_pages(n=2000):
    """n A4 pages each showing one small image: a scan too long to recognize."""
    img = _grey(8, 8)
    return _pdf([(b"q 500 0 0 700 40 70 cm /Im1 Do Q", {"Im1": img}) for _ in range(n)], 595, 842)
