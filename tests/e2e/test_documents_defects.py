"""The defects a listener heard in real public-sector PDFs (bench/documents-real), each in a
document made here with every line known: a court's imprint set sideways in the margin, a
letter's contact footer on its first page with the sentence going on over the page break under
a running header, the same footer tagged ahead of the body, a table of contents with dot leaders, letter-spaced table heads, a ruling
with its appendix, each part with its own running header, and a font whose descriptor claims
boxes three ems tall."""
import docgen

SENTENCE = [
    "Kommunen ansvarar för att alla som behöver det får en god och trygg omsorg i hemmet",
    "och att insatserna utgår från den enskildes behov och ges i samverkan med regionen,",
]


def extract(run, tmp_path, pages, name="dok.pdf", **kw):
    path = tmp_path / name
    path.write_bytes(docgen.pdf(pages, **kw))
    res = run("extract", path)
    assert res.returncode == 0, res.stderr
    return res.stdout.decode("utf-8").splitlines()


def test_sideways_text_is_a_line_or_dropped_never_spelled(run, tmp_path):
    page = [(70, 100, 11, "Mark- och miljööverdomstolen avslår överklagandet i sin helhet."),
            (30, 700, 8, "Dok.Id 1480020 Mark- och miljööverdomstolen 2019-03-19", False, 0, 90),
            (560, 200, 8, "Utskrift från domstolens ärendesystem", False, 0, 270),
            (300, 400, 9, "Antal per år", False, 0, 90)]
    lines = extract(run, tmp_path, [page])
    assert lines == ["Mark- och miljööverdomstolen avslår överklagandet i sin helhet.", "Antal per år"]


def test_a_font_claiming_boxes_three_ems_tall_still_reads_as_a_paragraph(run, tmp_path):
    # an InDesign export's font descriptor gave 34 pt boxes for 10 pt text: each line over
    # the next, every line read as a paragraph of its own, its hyphenated words cut in two
    lines = ["I detta kapitel preciseras de bestämmelser som före-",
             "slås gälla när bygglov, detaljplaner och markfrågor",
             "prövas vid nybyggnation eller förändrad markan-",
             "vändning. Bestämmelserna delas in i två delar."]
    body, _ = docgen.justified(lines, 70, 100, 10, 230, leading=12)
    assert extract(run, tmp_path, [body], ascent=(2.5, -0.9)) == [
        "I detta kapitel preciseras de bestämmelser som föreslås gälla när bygglov, detaljplaner och "
        "markfrågor prövas vid nybyggnation eller förändrad markanvändning. Bestämmelserna delas in i "
        "två delar."]


def test_a_footnote_mark_is_not_read_and_a_linked_number_is(run, tmp_path):
    # a bill's footnote marks are links set right after the word: "föreskrivs1" was heard
    path = tmp_path / "prop.pdf"
    path.write_bytes(docgen.tagged_pdf([
        (None, [("Härigenom föreskrivs", None), ("1", None, "Link"), (" att lagen ska lyda så.", None)]),
        (None, [("Avgiften framgår av", None), (" bilaga ", None), ("2", None, "Link"), (".", None)])]))
    res = run("extract", path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.decode().splitlines() == ["Härigenom föreskrivs att lagen ska lyda så.",
                                                "Avgiften framgår av bilaga 2."]


def test_footnotes_are_read_after_the_text_of_their_page(run, tmp_path):
    # a bill's footnotes were not heard at all; Word tags a page's notes as Note elements
    # wherever it likes (here between two paragraphs), a line of a note a P of its own
    path = tmp_path / "prop.pdf"
    path.write_bytes(docgen.tagged_pdf([
        (None, [("Härigenom föreskrivs", None), ("1", None, "Link"), (" att lagen ska lyda så.", None)]),
        (None, [("1 Jfr direktiv 2002/19/EG om till-", None)], "Note"),
        (None, [("träde och samtrafik.", None)], "Note"),
        (None, [("2 Senaste lydelse 2006:26.", None)], "Note"),
        (None, [("Lagen träder i kraft den 1 juli 2009.", None)])]))
    res = run("extract", path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.decode().splitlines() == [
        "Härigenom föreskrivs att lagen ska lyda så.", "Lagen träder i kraft den 1 juli 2009.",
        "Fotnot 1: Jfr direktiv 2002/19/EG om tillträde och samtrafik.", "Fotnot 2: Senaste lydelse 2006:26."]


def marked(parts, x, y, size=11):
    """A line of (text, mark): a mark set smaller and raised right after the text before it,
    as Word sets a footnote's mark or a unit's power."""
    out = []
    for text, mark in parts:
        out.append((x, y - 4, 7, text) if mark else (x, y, size, text))
        x += docgen.text_width(text, 7 if mark else size)
    return out


def test_an_untagged_pdfs_footnotes_follow_the_sentence_and_their_marks_are_not_read(run, tmp_path):
    # an untagged PDF's marks were heard as lone numbers ("1", "föreskrivs, att") and its
    # footnotes in the middle of a sentence that went on over the page break
    p1 = [(70, 80, 14, "Avgifter", True)]
    p1 += marked([("Härigenom föreskrivs", 0), ("1", 1), (" att avgiften ska vara skälig.", 0)], 70, 110)
    p1 += marked([("Taket gäller per månad", 0), ("2", 1), (".", 0)], 70, 124)
    p1 += marked([("Ytan är 120 m", 0), ("2", 1), (" stor.", 0)], 70, 138)
    body, _ = docgen.justified(SENTENCE, 70, 700, 11, 455, ends=False)
    p1 += body + [(70, 770, 8, "1 Senaste lydelse 2006:26."),
                  (70, 780, 8, "2 Jfr prop. 2000/01:80 s. 91, där avgifts-"), (70, 790, 8, "taket behandlas."),
                  (290, 815, 9, "1")]
    p2 = [(70, 80, 11, "så att ingen faller mellan stolarna när ansvaret delas."), (70, 100, 11, "Nästa stycke."),
          (290, 815, 9, "2")]
    assert extract(run, tmp_path, [p1, p2]) == [
        "Avgifter", "Härigenom föreskrivs att avgiften ska vara skälig.", "Taket gäller per månad.",
        "Ytan är 120 m² stor.",
        " ".join(SENTENCE) + " så att ingen faller mellan stolarna när ansvaret delas.",
        "Fotnot 1: Senaste lydelse 2006:26.", "Fotnot 2: Jfr prop. 2000/01:80 s. 91, där avgiftstaket behandlas.",
        "Nästa stycke."]


def test_a_statutes_footnotes_with_raised_numbers_on_every_page_are_all_read(run, tmp_path):
    # SFS 2003:365: each page's notes are "⁴ Senaste lydelse 1994:579.", the number set apart
    # and raised, at the same height on every page: they were taken for a running footer and
    # lost, or run together under one number; a note's text that begins with a number
    # ("2 kap. 5 § LSO") gave it that number
    pages = []
    for n in range(4):
        body = marked([(f"Paragrafen {n + 1} har fått en ny lydelse", 0), (str(2 * n + 1), 1), (" och en till", 0),
                       (str(2 * n + 2), 1), (".", 0)], 70, 100)
        notes = [(70, 760, 5, str(2 * n + 1)), (76, 764, 8, f"Senaste lydelse {1990 + n}:{100 + n}."),
                 (70, 772, 5, str(2 * n + 2)), (76, 776, 8, "2 kap. 5 § LSO")]
        pages.append(body + notes + [(290, 815, 9, str(n + 1))])
    lines = extract(run, tmp_path, pages)
    assert [line for line in lines if line.startswith("Fotnot")] == [
        note for n in range(4) for note in (f"Fotnot {2 * n + 1}: Senaste lydelse {1990 + n}:{100 + n}.",
                                            f"Fotnot {2 * n + 2}: 2 kap. 5 § LSO")]


def test_a_page_number_level_with_the_last_footnote_line_is_not_read(run, tmp_path):
    # SSMFS 2018:2 (InDesign) sets the page number above the margin zone, level with the
    # last line of the footnotes: it was read as a lone "1", the footnote as body text
    pages = []
    for n in range(3):
        body = marked([(f"Myndigheten föreskriver följande om del {n + 1}", 0), (str(n + 1), 1), (".", 0)], 70, 100)
        pages.append(body + [(70, 636, 5, str(n + 1)), (76, 640, 8, f"Till SSMFS 2025:{n + 2}, del {n + 1}."),
                             (450, 640, 12, str(n + 1))])
    assert extract(run, tmp_path, pages) == [
        line for n in range(3) for line in (f"Myndigheten föreskriver följande om del {n + 1}.",
                                            f"Fotnot {n + 1}: Till SSMFS 2025:{n + 2}, del {n + 1}.")]


def test_a_chapters_heading_beside_the_running_header_is_read(run, tmp_path):
    # SFS 2003:365 sets "2 kap." level with its running header on the page the chapter
    # begins: with digits masked it repeated at every chapter's start and was lost; a
    # chapter's label that is the running header itself ("5 kap." atop each page) is not read
    words = ["Första", "Andra", "Tredje", "Fjärde"]

    def pages(label):
        return [[(70, 40, 10, "SFS 2003:365"), (200, 40, 10, label(n))] +
                [(70, 58 + 14 * i, 11, f"{w} sidans rad {i + 1}.") for i in range(4)] for n, w in enumerate(words)]

    body = [[f"{w} sidans rad {i + 1}." for i in range(4)] for w in words]
    assert extract(run, tmp_path, pages(lambda n: f"{n + 2} kap.")) == [
        line for n in range(4) for line in [f"{n + 2} kap."] + body[n]]
    lines = extract(run, tmp_path, pages(lambda n: "5 kap."))
    assert "5 kap." not in lines and " ".join(lines) == " ".join(" ".join(b) for b in body)


def test_a_lists_numbers_are_read(run, tmp_path):
    # a ruling's numbered points lost their numbers ("1." "2."); symbol bullets: test_layout.c
    page = [(70, 100, 11, "Domslut"), (70, 120, 11, "1."), (90, 120, 11, "Överdomstolen avslår yrkandet."),
            (70, 134, 11, "2."), (90, 134, 11, "Domen ändras på följande sätt.")]
    assert extract(run, tmp_path, [page]) == ["Domslut", "1. Överdomstolen avslår yrkandet.",
                                              "2. Domen ändras på följande sätt."]


def test_a_paragraphs_label_set_apart_starts_its_text_not_a_table(run, tmp_path):
    # a statute sets a wide space after "2 §": it was heard as a table's cells ("2 §, Denna
    # lag ... verk-" and "samhet ..." apart); a mark with no space after it joined two words
    page = [(70, 100, 11, "2 §"), (95, 100, 11, "Denna lag gäller, med den inskränkning som anges i 4 §, varje verk-"),
            (70, 114, 11, "samhet i vilken arbetstagare utför arbete för arbetsgivares räkning.")]
    page += marked([("Brandsäkerhet i befintliga hotell", 0), ("3", 1), ("är att skydda de boende.", 0)], 70, 140)
    page += [(70, 770, 8, "3 Enligt 2 kap. 2 § lagen (2003:778) om skydd mot olyckor.")]
    assert extract(run, tmp_path, [page]) == [
        "2 § Denna lag gäller, med den inskränkning som anges i 4 §, varje verksamhet i vilken arbetstagare "
        "utför arbete för arbetsgivares räkning.", "Brandsäkerhet i befintliga hotell är att skydda de boende.",
        "Fotnot 3: Enligt 2 kap. 2 § lagen (2003:778) om skydd mot olyckor."]


def test_a_caption_the_structure_tree_leaves_out_is_read(run, tmp_path):
    # a detailed plan's tree (Aspose) tagged its figures without their captions: "Figur 1.
    # Illustration av planprocessen" was never heard; one the tree has is read once
    path = tmp_path / "plan.pdf"
    path.write_bytes(docgen.tagged_pdf([
        (None, [("Planen prövas i ett standardförfarande.", None)]),
        (None, [("Figur 1. Illustration av planprocessen", None)], "Artifact"),
        (None, [("Figur 2. Karta över planområdet", None)]),
        (None, [("Samrådet hölls under våren.", None)]),
        (None, [("Figur 3, översiktsbild", None)], "Artifact")]))
    res = run("extract", path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.decode().splitlines() == [
        "Planen prövas i ett standardförfarande.", "Figur 2. Karta över planområdet", "Samrådet hölls under våren.",
        "Figur 1. Illustration av planprocessen", "Figur 3, översiktsbild"]


def test_a_list_items_label_alone_is_not_read(run, tmp_path):
    # a bill's numbered headings lost their body to a tag poppler does not know ("Lbody"):
    # "1", "2" were heard alone between the chapters
    path = tmp_path / "prop.pdf"
    path.write_bytes(docgen.tagged_pdf([(None, [("1", None)], "LI"),
                                        (None, [("Regeringen föreslår att riksdagen antar förslaget.", None)]),
                                        (None, [("a) första skälet", None)], "LI")]))
    res = run("extract", path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.decode().splitlines() == ["Regeringen föreslår att riksdagen antar förslaget.",
                                                "a) första skälet"]


def test_word_and_opendocument_footnotes_follow_their_paragraph(run, tmp_path):
    # the notes of a DOCX (word/footnotes.xml) and an ODT (text:note) were never heard; an
    # endnote (word/endnotes.xml, note-class "endnote") is heard where it is referred to too
    notes = (f'<?xml version="1.0"?><w:footnotes xmlns:w="{docgen.W}">'
             '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
             '<w:footnote w:id="2"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> '
             'Senaste lydelse 2006:26.</w:t></w:r></w:p></w:footnote>'
             '<w:footnote w:id="3"><w:p><w:r><w:t>Se prop. 2008/09:159.</w:t></w:r></w:p></w:footnote>'
             '</w:footnotes>')
    body = ('<w:p><w:r><w:t>Härigenom föreskrivs</w:t></w:r><w:r><w:footnoteReference w:id="2"/></w:r>'
            '<w:r><w:t xml:space="preserve"> att lagen ska lyda så.</w:t></w:r></w:p>'
            '<w:p><w:r><w:t>Lagen träder i kraft</w:t></w:r><w:r><w:footnoteReference w:id="3"/></w:r>'
            '<w:r><w:t xml:space="preserve"> den 1 juli 2009.</w:t></w:r></w:p>'
            '<w:p><w:r><w:t>Äldre föreskrifter gäller</w:t></w:r><w:r><w:endnoteReference w:id="1"/></w:r>'
            '<w:r><w:t xml:space="preserve"> för ärenden som inletts före ikraftträdandet.</w:t></w:r></w:p>')
    endnotes = (f'<?xml version="1.0"?><w:endnotes xmlns:w="{docgen.W}">'
                '<w:endnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:endnote>'
                '<w:endnote w:id="1"><w:p><w:r><w:endnoteRef/></w:r><w:r><w:t xml:space="preserve"> '
                'Jfr 5 kap. 3 § förvaltningslagen.</w:t></w:r></w:p></w:endnote></w:endnotes>')
    docx = tmp_path / "prop.docx"
    docx.write_bytes(docgen.docx(body, extra={"word/footnotes.xml": notes, "word/endnotes.xml": endnotes}))
    note = ('<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1</text:note-citation>'
            '<text:note-body><text:p>Senaste lydelse 2006:26.</text:p></text:note-body></text:note>')
    odt = tmp_path / "prop.odt"
    endnote = note.replace("ftn1", "edn1").replace('"footnote"', '"endnote"').replace(
        ">1<", ">A<").replace("Senaste lydelse 2006:26.", "Jfr 5 kap. 3 § förvaltningslagen.")
    odt.write_bytes(docgen.odt(f"<text:p>Härigenom föreskrivs{note} att lagen ska lyda så.</text:p>"
                               f"<text:p>Lagen träder i kraft{endnote} den 1 juli 2009.</text:p>"))
    for path, want in ((docx, ["Härigenom föreskrivs att lagen ska lyda så.", "Fotnot 1: Senaste lydelse 2006:26.",
                               "Lagen träder i kraft den 1 juli 2009.", "Fotnot 2: Se prop. 2008/09:159.",
                               "Äldre föreskrifter gäller för ärenden som inletts före ikraftträdandet.",
                               "Slutnot 1: Jfr 5 kap. 3 § förvaltningslagen."]),
                       (odt, ["Härigenom föreskrivs att lagen ska lyda så.", "Fotnot 1: Senaste lydelse 2006:26.",
                              "Lagen träder i kraft den 1 juli 2009.",
                              "Slutnot A: Jfr 5 kap. 3 § förvaltningslagen."])):
        res = run("extract", path)
        assert res.returncode == 0, res.stderr
        assert res.stdout.decode().splitlines() == want, path.name


def test_a_letters_footer_tagged_before_its_body_is_read_last(run, tmp_path):
    # Word tagged a reply's footer (web, e-mail twice, addresses) ahead of its body: it was
    # the first thing heard; a recipient's e-mail alone in the letterhead stays where it is
    footer = ["www.kammarkollegiet.se", "registratur@kammarkollegiet.se", "registratur@kammarkollegiet.se",
              "Post: Kammarkollegiet, Box 2218, 103 15 Stockholm", "Besök: Slottsbacken 6, 111 30 Stockholm"]
    body = ["REMISSVAR", "Klimat- och näringslivsdepartementet", "Kn.remissvar@regeringskansliet.se",
            "Kammarkollegiet har inte några synpunkter på de remitterade förslagen.",
            "Beslutet är godkänt digitalt och saknar därför underskrift."]
    path = tmp_path / "remissvar.pdf"
    path.write_bytes(docgen.tagged_pdf([(None, [(t, None)]) for t in body[:1] + footer + body[1:]]))
    res = run("extract", path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.decode().splitlines() == body + footer[:2] + footer[3:]


def letter():
    """Page 1: a letterhead, the body and the contact footer; page 2 goes on with the sentence
    under a running header."""
    p1 = [(70, 60, 14, "Exempelby kommun", True), (70, 120, 11, "Beslut om bygglov", True)]
    body, y = docgen.justified(SENTENCE, 70, 150, 11, 455, ends=False)
    p1 += body
    p1 += [(70, 760, 8, "Postadress: Box 100, 123 45 Exempelby"), (330, 760, 8, "Telefon: 0123-45 67 00"),
           (70, 772, 8, "Besöksadress: Storgatan 1"), (330, 772, 8, "E-post: kommun@exempelby.se"),
           (70, 784, 8, "Org.nr 212000-0000"), (330, 784, 8, "www.exempelby.se")]
    p2 = [(70, 40, 9, "Exempelby kommun"), (400, 40, 9, "Dnr BN 2026/17")]
    body, y = docgen.justified(["så att ingen faller mellan stolarna när ansvaret delas."], 70, 80, 11, 455)
    return [p1, p2 + body]


def test_letter_footer_last_and_sentence_whole_over_the_page_break(run, tmp_path):
    lines = extract(run, tmp_path, letter())
    assert lines[:2] == ["Beslut om bygglov",  # the letterhead alone above the text is dropped
                         " ".join(SENTENCE) + " så att ingen faller mellan stolarna när ansvaret delas."]
    assert "Dnr BN 2026/17" not in "\n".join(lines)
    assert lines[2:] == ["Postadress: Box 100, 123 45 Exempelby, Telefon: 0123-45 67 00",
                         "Besöksadress: Storgatan 1, E-post: kommun@exempelby.se",
                         "Org.nr 212000-0000, www.exempelby.se"]


def test_text_run_to_the_foot_of_the_page_is_read_a_footer_is_not(run, tmp_path):
    """A report's last paragraph and a long table's rows run into the page's bottom edge
    (a printed web page); below a gap wider than the text's own pitch stands a footer."""
    report = [(70, 80, 14, "Bottenfauna", True), (70, 700, 10, "Klassningsosäkerhet högst 20 %"),
              (70, 740, 10, "Ja"), (70, 800, 10, "Motivering och metod för bedömningen"),
              (70, 813, 10, "Litoralbottenfaunan visar på god status för MILA och hög status för ASPT, "
                            "den sammanvägda bedömningen"),
              (70, 825, 10, "för kvalitetsfaktorn bottenfauna blir därför god.")]
    lines = extract(run, tmp_path, [report])
    assert "Motivering och metod för bedömningen" in lines
    assert "blir därför god." in "\n".join(lines)
    rows = [(70, 80, 14, "Planerade åtgärder", True)]
    for i, year in enumerate(range(1998, 2026)):  # the last two in the page's foot
        y = 110 + 26 * i
        rows += [(70, y, 9, "Kalkning med flyg"), (250, y, 9, "2 ton"), (350, y, 9, f"{year} - {year}"),
                 (470, y, 9, "1 kr")]
    lines = extract(run, tmp_path, [rows, rows[:1] + [(70, 120, 10, "Slut."), (250, 820, 8, "Arbetsmaterial")]])
    assert [line for line in lines if line.endswith("1 kr")] == [
        f"Kalkning med flyg, 2 ton, {year} - {year}, 1 kr" for year in range(1998, 2026)]
    assert "Arbetsmaterial" not in lines


def test_a_table_row_the_page_break_cut_is_read_whole(run, tmp_path):
    # a row's cells that went on at the top of the next page were heard as a row of their own
    head = [(70, 60, 9, "Exempelby kommun"), (400, 60, 9, "Åtgärdsprogram")]
    p1 = head + [(70, 100, 14, "Åtgärder", True)]
    for i in range(24):
        p1 += [(70, 130 + 26 * i, 10, f"Åtgärd {i + 1}"), (200, 130 + 26 * i, 10, "Kalkning med båt"),
               (400, 130 + 26 * i, 10, "250 ton")]
    p1 += [(70, 754, 10, "Möjliggöra upp- och"), (200, 754, 10, "Anordningar för"), (400, 754, 10, "530 000 kr")]
    p2 = head + [(70, 100, 10, "nedströmspassage"), (200, 100, 10, "fiskvandring"),
                 (70, 126, 10, "Biotopvård"), (200, 126, 10, "Biotopvård i sjö"), (400, 126, 10, "110 000 kr"),
                 (70, 170, 11, "Slut på tabellen.")]
    assert extract(run, tmp_path, [p1, p2])[-4:] == [
        "Åtgärd 24, Kalkning med båt, 250 ton",
        "Möjliggöra upp- och nedströmspassage, Anordningar för fiskvandring, 530 000 kr",
        "Biotopvård, Biotopvård i sjö, 110 000 kr", "Slut på tabellen."]


def test_table_of_contents_without_leaders_or_page_numbers(run, tmp_path):
    toc = [(70, 80, 14, "Innehåll", True)]
    for i, (title, page) in enumerate([("Inledning", 3), ("Bakgrund och syfte", 4), ("Konsekvenser", 12)]):
        toc += [(70, 110 + 16 * i, 11, f"{i + 1} {title} " + "." * (60 - 2 * len(title)) + f" {page}")]
    lines = extract(run, tmp_path, [toc])
    assert lines == ["Innehåll", "1 Inledning", "2 Bakgrund och syfte", "3 Konsekvenser"]


def test_letter_spaced_heads_read_as_words(run, tmp_path):
    head = [(70, 100, 9, "Namn"), (160, 100, 9, "S l u t å r")]
    # docgen's Helvetica spaces are 0.278 em: tracking is narrower, so set it by hand
    x, row = 160, []
    for ch in "Slutår":
        row.append((x, 100, 9, ch))
        x += docgen.text_width(ch, 9) + 1.0
    lines = extract(run, tmp_path, [[head[0]] + row + [(70, 114, 9, "Öresjön"), (160, 114, 9, "2027")]])
    assert lines == ["Namn, Slutår", "Öresjön, 2027"]


def test_each_part_drops_its_own_running_header(run, tmp_path):
    pages = []
    for n in range(10):
        head = "SVEA HOVRÄTT" if n < 4 else "NACKA TINGSRÄTT"
        body, _ = docgen.justified([f"Domskälen på sidan {n + 1} av målet."], 70, 120, 11, 455)
        pages.append([(70, 45, 10, head), (470, 45, 10, f"Sid {n + 1}")] + body)
    lines = extract(run, tmp_path, pages)
    assert lines == [f"Domskälen på sidan {n + 1} av målet." for n in range(10)]


def numbered_docx():
    """Heading 1 and 2 numbered through their styles ("1.", "1.1"), a lettered list at the
    third level ("a)"), a roman list restarted by an override, and a bullet list."""
    w = docgen.W
    lvl = lambda i, fmt, text, start=1: (f'<w:lvl w:ilvl="{i}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'  # noqa: E731
                                         f'<w:lvlText w:val="{text}"/></w:lvl>')
    numbering = (f'<?xml version="1.0"?><w:numbering xmlns:w="{w}">'
                 '<w:abstractNum w:abstractNumId="10">' + lvl(0, "decimal", "%1.") + lvl(1, "decimal", "%1.%2")
                 + lvl(2, "lowerLetter", "%3)") + '</w:abstractNum>'
                 '<w:abstractNum w:abstractNumId="11">' + lvl(0, "bullet", "\u2022") + '</w:abstractNum>'
                 '<w:abstractNum w:abstractNumId="12">' + lvl(0, "upperRoman", "%1.") + '</w:abstractNum>'
                 '<w:num w:numId="1"><w:abstractNumId w:val="10"/></w:num>'
                 '<w:num w:numId="2"><w:abstractNumId w:val="11"/></w:num>'
                 '<w:num w:numId="3"><w:abstractNumId w:val="12"/>'
                 '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="4"/></w:lvlOverride></w:num>'
                 '</w:numbering>')
    styles = ''.join(f'<w:style w:type="paragraph" w:styleId="Heading{n}"><w:name w:val="heading {n}"/>'
                     f'<w:pPr><w:numPr><w:ilvl w:val="{n - 1}"/><w:numId w:val="1"/></w:numPr></w:pPr></w:style>'
                     for n in (1, 2))

    def p(text, style=None, num=None, ilvl=0):
        ppr = f'<w:pStyle w:val="{style}"/>' if style else ""
        if num:
            ppr += f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num}"/></w:numPr>'
        return f"<w:p><w:pPr>{ppr}</w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"

    body = (p("Inledning", "Heading1") + p("Bakgrund", "Heading2") + p("Kommunen ansvarar för omsorgen.")
            + p("första skälet", num=1, ilvl=2) + p("andra skälet", num=1, ilvl=2) + p("Syfte", "Heading2")
            + p("Förslag", "Heading1") + p("en punkt", num=2) + p("fjärde delen", num=3) + p("femte delen", num=3))
    return docgen.docx(body, styles, extra={"word/numbering.xml": numbering})


def test_word_automatic_numbers_read_as_written(run, tmp_path):
    path = tmp_path / "numrerad.docx"
    path.write_bytes(numbered_docx())
    res = run("extract", path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.decode().splitlines() == [
        "1. Inledning", "1.1 Bakgrund", "Kommunen ansvarar för omsorgen.", "a) första skälet", "b) andra skälet",
        "1.2 Syfte", "2. Förslag", "en punkt", "IV. fjärde delen", "V. femte delen"]


def numbered_odt():
    """Headings numbered by the outline style ("1.", "1.1"), a list lettered by its list style
    ("a)") with a second level under it ("a.i"), a list that continues the numbers of the one
    before, a bullet list, and a saved copy of a heading's number (text:number) not read twice."""
    def level(tag, n, fmt, suffix, display=1, kind="number"):
        return (f'<text:{tag} text:level="{n}" style:num-format="{fmt}" style:num-suffix="{suffix}" '
                f'text:display-levels="{display}"/>' if kind == "number" else f'<text:{tag} text:level="{n}"/>')
    styles = ('<office:styles><text:outline-style style:name="Outline">'
              + level("outline-level-style", 1, "1", ".") + level("outline-level-style", 2, "1", "", 2)
              + '</text:outline-style><text:list-style style:name="L1">'
              + level("list-level-style-number", 1, "a", ")") + level("list-level-style-number", 2, "i", "", 2)
              + '</text:list-style><text:list-style style:name="L2">'
              + level("list-level-style-bullet", 1, "", "", kind="bullet") + '</text:list-style></office:styles>')

    def items(*texts):
        return "".join(f"<text:list-item><text:p>{t}</text:p></text:list-item>" for t in texts)

    body = ('<text:h text:outline-level="1">Inledning</text:h>'
            '<text:h text:outline-level="2"><text:number>1.1</text:number>Bakgrund</text:h>'
            '<text:list text:style-name="L1">' + items("första skälet")
            + '<text:list-item><text:p>andra skälet</text:p><text:list>' + items("en del", "en annan del")
            + '</text:list></text:list-item></text:list>'
            '<text:p>Däremellan en mening.</text:p>'
            '<text:list text:style-name="L1" text:continue-numbering="true">' + items("tredje skälet") + '</text:list>'
            '<text:list text:style-name="L2">' + items("en punkt") + '</text:list>'
            '<text:h text:outline-level="1">Förslag</text:h>')
    return docgen.odt(body, styles_xml=styles)


def test_opendocument_list_and_heading_numbers_read_as_written(run, tmp_path):
    path = tmp_path / "numrerad.odt"
    path.write_bytes(numbered_odt())
    res = run("extract", path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.decode().splitlines() == [
        "1. Inledning", "1.1 Bakgrund", "a) första skälet", "b) andra skälet", "b.i en del", "b.ii en annan del",
        "Däremellan en mening.", "c) tredje skälet", "en punkt", "2. Förslag"]
