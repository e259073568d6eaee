"""Scans made from a PDF for the tests and bench/documents: its pages rendered to grey images
(poppler's pdftoppm) at a resolution, turned a little as a sheet lies crooked on the glass,
speckled and greyed by noise, and wrapped as a PDF of images with no text layer (Pillow), as a
scanner or a copier's scan-to-mail writes them."""
import pathlib
import subprocess
import tempfile

from PIL import Image, ImageChops


def scan(pdf, out, dpi=300, skew=0.0, noise=0):
    """Writes out (a PDF of page images) from the PDF file pdf; skew in degrees, noise the
    share (0-100) of grey noise mixed in, which also leaves dark specks."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(pdf), f"{tmp}/p"], check=True, timeout=120)
        pages = []
        for path in sorted(pathlib.Path(tmp).glob("p-*.pgm")):
            img = Image.open(path).convert("L")
            if skew:
                img = img.rotate(skew, resample=Image.BICUBIC, fillcolor=255)
            if noise:
                grain = Image.effect_noise(img.size, 40)
                specks = grain.point(lambda v: 0 if v < 22 else 255)
                img = ImageChops.darker(Image.blend(img, grain, noise / 100), specks)
            pages.append(img)
    pages[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return out
