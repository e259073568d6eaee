"""Small documents made on the spot for the tests and bench/documents: PDFs written by hand
(the standard Helvetica font, WinAnsi text placed line by line, so a test knows exactly where
each line, header, footer, column and hyphen is), and DOCX and ODT zips with the parts a word
processor writes (headers, footnotes, deleted text, styles). Standard library only."""
import io
import math
import zipfile


# Helvetica's advance widths (AFM, per 1000 em) for the characters the tests write.
_WIDTHS = dict(zip("abcdefghijklmnopqrstuvwxyz", [556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833,
                                               556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500]))
_WIDTHS.update(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", [667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
                                               722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611]))
_WIDTHS.update({" ": 278, "å": 556, "ä": 556, "ö": 556, "é": 556, "Å": 667, "Ä": 667, "Ö": 778, "-": 333,
                ".": 278, ",": 278, ":": 278, ";": 278, "(": 333, ")": 333, "/": 278, "§": 556, "–": 556,
                "%": 889, "?": 556, "!": 278})


def text_width(text, size):
    return sum(_WIDTHS.get(c, 556 if c.isdigit() else 600) for c in text) * size / 1000


def justified(lines, x, y, size, width, leading=None, bold=False, ends=True):
    """Lines of one paragraph set from x at y, all but the last (every one when the paragraph
    does not end here: it goes on in the next column or page) stretched to width by word
    spacing, as a word processor justifies; returns (placed lines, next y)."""
    leading = leading or size * 1.3
    out = []
    for i, text in enumerate(lines):
        spaces = text.count(" ")
        tw = (width - text_width(text, size)) / spaces if (i + 1 < len(lines) or not ends) and spaces else 0
        out.append((x, y, size, text, bold, tw))
        y += leading
    return out, y


def _pdf_string(text):
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def pdf(pages, width=595, height=842, info_title=None, lang=None, ascent=None):
    """pages: a list of pages, each a list of (x, y_from_top, size, text[, bold[, word
    spacing[, degrees turned anticlockwise]]]), y the baseline from the top; ascent: the
    (ascent, descent) in ems the regular font's descriptor claims, as a broken export's may.
    Returns the file's bytes."""
    objs = []

    def add(body):
        objs.append(body)
        return len(objs)

    regular = b"/BaseFont /Helvetica"
    if ascent:  # a font of its own name (Helvetica's metrics are poppler's own) and widths
        widths = b" ".join(b"%d" % _WIDTHS.get(bytes([c]).decode("cp1252", "replace"), 556) for c in range(32, 256))
        regular = b"/BaseFont /Exportfont /FirstChar 32 /LastChar 255 /Widths [%s] /FontDescriptor %d 0 R" % (
            widths, add(b"<< /Type /FontDescriptor /FontName /Exportfont /Flags 32 /FontBBox [-166 %d 1000 %d] "
                        b"/ItalicAngle 0 /Ascent %d /Descent %d /CapHeight 718 /StemV 88 >>"
                        % (ascent[1] * 1000, ascent[0] * 1000, ascent[0] * 1000, ascent[1] * 1000)))
    font = add(b"<< /Type /Font /Subtype /Type1 %s /Encoding /WinAnsiEncoding >>" % regular)
    bold = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    pages_id = len(objs) + 1 + 2 * len(pages)
    kids = []
    for lines in pages:
        ops = []
        for line in lines:
            x, y, size, text = line[:4]
            f = "/F2" if len(line) > 4 and line[4] else "/F1"
            tw = line[5] if len(line) > 5 else 0
            rot = math.radians(line[6]) if len(line) > 6 else 0
            place = b"%.4f %.4f %.4f %.4f %g %g Tm" % (math.cos(rot), math.sin(rot), -math.sin(rot), math.cos(rot),
                                                     x, height - y)
            ops.append(b"BT %s %g Tf %.3f Tw %s " % (f.encode(), size, tw, place) + _pdf_string(text) + b" Tj ET")
        stream = b"\n".join(ops)
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                        b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> >>"
                        % (pages_id, width, height, content, font, bold)))
    assert add(b"<< /Type /Pages /Kids [%s] /Count %d >>"
               % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))) == pages_id
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R%s >>"
                  % (pages_id, b" /Lang (%s)" % lang.encode() if lang else b""))
    info = add(b"<< /Title %s >>" % _pdf_string(info_title)) if info_title else None
    return pdf_file(objs, catalog, info)


def pdf_file(objs, catalog, info=None):
    """The file of objs (object i + 1 is objs[i]) with its cross-reference table; catalog and
    info are object numbers."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R%s >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objs) + 1, catalog, b" /Info %d 0 R" % info if info else b"", xref))
    return out.getvalue()


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx(body_xml, styles_xml=None, core_title=None, core_lang=None, extra=None):
    """A DOCX zip around body_xml (the children of w:body, with the w: prefix bound)."""
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as f:
        f.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.wordprocessingml.document.main+xml"/></Types>')
        f.writestr("_rels/.rels",
                   '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        f.writestr("word/document.xml", f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>'
                   f'{body_xml}</w:body></w:document>')
        if styles_xml:
            f.writestr("word/styles.xml", f'<?xml version="1.0"?><w:styles xmlns:w="{W}">{styles_xml}</w:styles>')
        if core_title or core_lang:
            f.writestr("docProps/core.xml",
                       '<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/'
                       'package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                       + (f"<dc:title>{core_title}</dc:title>" if core_title else "")
                       + (f"<dc:language>{core_lang}</dc:language>" if core_lang else "")
                       + "</cp:coreProperties>")
        for name, data in (extra or {}).items():
            f.writestr(name, data)
    return z.getvalue()


ODT_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
          'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
          'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
          'xmlns:dc="http://purl.org/dc/elements/1.1/"')


def odt(text_xml, title=None, lang=None, styles_xml="<office:styles/>", auto_styles=""):
    """An ODT zip around text_xml (the children of office:text); auto_styles: content.xml's
    office:automatic-styles children."""
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w") as f:
        f.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        f.writestr("content.xml", f'<?xml version="1.0"?><office:document-content {ODT_NS}>'
                   + (f"<office:automatic-styles>{auto_styles}</office:automatic-styles>" if auto_styles else "")
                   + f'<office:body><office:text>{text_xml}</office:text></office:body>'
                   '</office:document-content>', zipfile.ZIP_DEFLATED)
        f.writestr("meta.xml", f'<?xml version="1.0"?><office:document-meta {ODT_NS}><office:meta>'
                   + (f"<dc:title>{title}</dc:title>" if title else "")
                   + (f"<dc:language>{lang}</dc:language>" if lang else "")
                   + "</office:meta></office:document-meta>", zipfile.ZIP_DEFLATED)
        f.writestr("styles.xml", f'<?xml version="1.0"?><office:document-styles {ODT_NS}>{styles_xml}'
                   '</office:document-styles>', zipfile.ZIP_DEFLATED)
        f.writestr("META-INF/manifest.xml",
                   '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
                   'xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type='
                   '"application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path='
                   '"content.xml" manifest:media-type="text/xml"/></manifest:manifest>', zipfile.ZIP_DEFLATED)
    return z.getvalue()


def tagged_pdf(paras, lang=None, size=11):
    """A one-page tagged PDF: paras, each (its /Lang or None, [(text, a Span's /Lang or None[,
    an element of another kind: "Link"]), ...][, "Note"]), a P element a line (inside a Note
    element of its own for "Note", as Word tags a footnote's lines; "Artifact": set on the page
    but not in the tree, as a producer leaves out a caption), each piece marked content of its
    own (a Span element when it has a language). lang: the catalog's /Lang. Returns the file's
    bytes."""
    objs = []

    def add(body):
        objs.append(body)
        return len(objs)

    def ref_later():
        objs.append(None)
        return len(objs)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    page, pages, root, doc = ref_later(), ref_later(), ref_later(), ref_later()
    ops, elems, parents, mcid = [], [], [], 0
    for i, (plang, parts, *wrap) in enumerate(paras):
        x, y = 72, 842 - 72 - i * size * 2
        if wrap == ["Artifact"]:
            ops += [b"/Artifact BMC BT /F1 %g Tf %g %g Td " % (size, x, y) + _pdf_string(text) + b" Tj ET EMC"
                    for text, *_ in parts]
            continue
        note = ref_later() if wrap else None
        p = ref_later()
        kids = []
        for text, slang, *kind in parts:
            kind = kind[0].encode() if kind else b"Span" if slang else None
            ops.append(b"/%s << /MCID %d >> BDC BT /F1 %g Tf %g %g Td " % (kind or b"P", mcid, size, x, y)
                       + _pdf_string(text) + b" Tj ET EMC")
            x += text_width(text, size)
            if kind:
                s = add(b"<< /Type /StructElem /S /%s /P %d 0 R /Pg %d 0 R%s /K %d >>"
                        % (kind, p, page, b" /Lang (%s)" % slang.encode() if slang else b"", mcid))
                kids.append(b"%d 0 R" % s)
                parents.append(s)
            else:
                kids.append(b"%d" % mcid)
                parents.append(p)
            mcid += 1
        objs[p - 1] = (b"<< /Type /StructElem /S /P /P %d 0 R /Pg %d 0 R%s /K [%s] >>"
                       % (note or doc, page, b" /Lang (%s)" % plang.encode() if plang else b"", b" ".join(kids)))
        if note:
            objs[note - 1] = b"<< /Type /StructElem /S /%s /P %d 0 R /Pg %d 0 R /K [%d 0 R] >>" % (
                wrap[0].encode(), doc, page, p)
        elems.append(note or p)
    stream = b"\n".join(ops)
    content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objs[page - 1] = (b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R /StructParents 0 "
                      b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (pages, content, font))
    objs[pages - 1] = b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % page
    objs[doc - 1] = (b"<< /Type /StructElem /S /Document /P %d 0 R /K [%s] >>"
                     % (root, b" ".join(b"%d 0 R" % e for e in elems)))
    parent_arr = add(b"[%s]" % b" ".join(b"%d 0 R" % e for e in parents))
    objs[root - 1] = (b"<< /Type /StructTreeRoot /K [%d 0 R] /ParentTree << /Nums [0 %d 0 R] >> >>"
                      % (doc, parent_arr))
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R /MarkInfo << /Marked true >> /StructTreeRoot %d 0 R%s >>"
                  % (pages, root, b" /Lang (%s)" % lang.encode() if lang else b""))
    return pdf_file(objs, catalog)
