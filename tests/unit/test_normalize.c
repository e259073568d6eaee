/* test_normalize.c -- the clean-up rules, every Swedish expansion rule with its edge cases,
 * the word lists' error reporting and, above all, the map back to the input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "normalize/normalize.h"
#include "speech/speech.h"

static struct normalized norm;
static struct norm_rules *rules;
static int warnings;
static char last_warning[512];
static char all_warnings[8192];

static void on_warning(void *ctx, const char *msg)
{
    size_t n = strlen(all_warnings);

    (void)ctx;
    warnings++;
    snprintf(last_warning, sizeof(last_warning), "%s", msg);
    snprintf(all_warnings + n, sizeof(all_warnings) - n, "%s\n", msg);
}

static int setup(void **state)
{
    char dir[4096];

    (void)state;
    normalized_init(&norm, 1 << 20);
    snprintf(dir, sizeof(dir), "%s/sv", voice_dir());
    rules = normalize_rules_load(dir, on_warning, NULL);
    return warnings; /* the shipped word lists load cleanly */
}

static int teardown(void **state)
{
    (void)state;
    normalized_release(&norm);
    normalize_rules_free(rules);
    return 0;
}

static const char *say_flags(const char *in, unsigned flags)
{
    assert_int_equal(normalize_text(rules, flags, in, strlen(in), &norm, NULL), LY_OK);
    return norm.text.data;
}

static const char *normalize(const char *in)
{
    return say_flags(in, 0);
}

#define SAYS(in, out) assert_string_equal(normalize(in), out)

/* The written bytes that the output word `word` (its first occurrence) maps back to. */
static void assert_maps(const char *in, const char *word, const char *written)
{
    const char *at = strstr(norm.text.data, word);
    size_t s, e, start;

    assert_non_null(at);
    start = (size_t)(at - norm.text.data);
    normalized_source(&norm, start, start + strlen(word), &s, &e);
    assert_int_equal(e - s, strlen(written));
    assert_memory_equal(in + s, written, strlen(written));
}

static void test_normalize_collapses_unicode_spaces_and_trims(void **state)
{
    (void)state;
    SAYS("  Åsa\xC2\xA0 ser\t \xE2\x80\xAF"
         "havet  ",
         "Åsa ser havet");
}

static void test_normalize_drops_soft_hyphens_and_zero_width(void **state)
{
    (void)state;
    SAYS("bygg\xC2\xADlov\xE2\x80\x8B!", "bygglov!");
}

static void test_normalize_keeps_one_line_per_line(void **state)
{
    (void)state;
    SAYS("Rubrik\n\n  Text här \n", "Rubrik\n\nText här\n");
    SAYS("kl. 9\n§ 4\n", "klockan nio\nparagraf fyra\n");
}

static void test_normalize_rejects_invalid_utf8_with_offset(void **state)
{
    struct err e = {0};

    (void)state;
    assert_int_equal(normalize_text(rules, 0, "ok \xFF", 4, &norm, &e), LY_EUTF8);
    assert_non_null(strstr(e.msg, "byte 3"));
}

/* "Åsa\u00A0\u00A0åt" -> "Åsa åt": the word after the collapsed space maps to its bytes */
static void test_normalize_maps_words_back_to_input_bytes(void **state)
{
    const char *in = "\xC3\x85sa\xC2\xA0\xC2\xA0\xC3\xA5t";
    size_t s, e;

    (void)state;
    normalize(in);
    assert_string_equal(norm.text.data, "\xC3\x85sa \xC3\xA5t");
    normalized_source(&norm, 5, 8, &s, &e); /* "åt" in the output */
    assert_int_equal(s, 8);
    assert_int_equal(e, 11);
    normalized_source(&norm, 0, 4, &s, &e); /* "Åsa" */
    assert_int_equal(s, 0);
    assert_int_equal(e, 4);
    normalized_source(&norm, 4, 5, &s, &e); /* the space stands for both NBSPs */
    assert_int_equal(s, 4);
    assert_int_equal(e, 8);
}

static size_t cut(const char *s, size_t min)
{
    return normalize_sentence_cut(rules, s, strlen(s), min);
}

static void test_normalize_cuts_long_text_only_at_sentence_ends(void **state)
{
    const char *s = "Det g\xC3\xA4ller t.ex. Anna. Hon bor i Sthlm. Ring kl. 8. Vad? \xC3\x85ter.";

    (void)state;
    assert_int_equal(cut(s, 0), strlen("Det g\xC3\xA4ller t.ex. Anna."));
    assert_int_equal(cut(s, 24), strlen("Det g\xC3\xA4ller t.ex. Anna. Hon bor i Sthlm."));
    assert_int_equal(cut(s, 48),
                     strlen("Det g\xC3\xA4ller t.ex. Anna. Hon bor i Sthlm. Ring kl. 8. Vad?"));
    assert_int_equal(cut("Ring 3. Sedan", 0), strlen("Ring 3. Sedan")); /* a number */
    assert_int_equal(cut("Se bl.a. Anna", 0), strlen("Se bl.a. Anna")); /* part of a word */
    assert_int_equal(cut("Det var resp. Anna", 0), strlen("Det var resp. Anna")); /* listed */
    assert_int_equal(cut("Slut. sedan", 0), strlen("Slut. sedan"));               /* no capital */
    assert_int_equal(cut("Slut.", 0), strlen("Slut."));
}

static int ended(const char *s)
{
    return normalize_sentence_ended(rules, s, strlen(s));
}

/* Text that comes in pieces (Wyoming's synthesize-chunk) is spoken once a sentence is whole. */
static void test_normalize_tells_a_sentence_ended_before_more_text_comes(void **state)
{
    (void)state;
    assert_true(ended("V\xC3\xA4lkommen till kommunen."));
    assert_true(ended("V\xC3\xA4lkommen till kommunen. "));
    assert_true(ended("Hej."));
    assert_true(ended("Vi ses i morgon!\n"));
    assert_true(ended("Har du fr\xC3\xA5gor? "));
    assert_true(ended("Han sa \"kom hit.\" "));
    assert_true(ended("Det \xC3\xA4r sant.\xE2\x80\x9D"));
    assert_false(ended("Vi har t.ex.")); /* an abbreviation: "att" may follow */
    assert_false(ended("Vi har t."));    /* a letter: "ex." may follow */
    assert_false(ended("Vi ses kl. "));  /* listed: "14" follows */
    assert_false(ended("och s\xC3\xA5 vidare osv."));
    assert_false(ended("Vi \xC3\xB6ppnar kl. 14.")); /* a number: "30" may follow */
    assert_false(ended("Kapitel 3."));
    assert_false(ended("V\xC3\xA4lkommen till kom"));
    assert_false(ended("Vi ses..."));
    assert_false(ended(""));
    assert_false(ended("  "));
}

static void test_normalize_expands_cardinals(void **state)
{
    (void)state;
    SAYS("0", "noll");
    SAYS("7", "sju");
    SAYS("-12", "minus tolv");
    SAYS("Det var \xE2\x88\x92"
         "3 ute",
         "Det var minus tre ute");
    SAYS("1 000 000 000", "en miljard");
    SAYS("2 000 000 000 kr", "två miljarder kronor");
    SAYS("1 234 567", "en miljon tvåhundratrettiofyratusenfemhundrasextiosju");
    SAYS("28 000 invånare", "tjugoåttatusen invånare");
    SAYS("101 och 1 100", "hundraett och tusenetthundra");
    SAYS("21 000", "tjugoettusen");
    SAYS("3.500 kr", "tretusenfemhundra kronor");
    SAYS("08", "noll åtta");
    SAYS("123456789012", "ett två tre fyra fem sex sju åtta nio noll ett två");
}

static void test_normalize_agrees_with_the_noun(void **state)
{
    (void)state;
    SAYS("1 barn", "ett barn");
    SAYS("1 vecka", "en vecka");
    SAYS("1 bygglov", "ett bygglov");
    SAYS("21 dagar och 31 barn", "tjugoen dagar och trettioett barn");
    SAYS("1 av 3", "ett av tre");
    SAYS("Stadshusplatsen 1", "Stadshusplatsen ett");
    SAYS("1–2 veckor", "en till två veckor");
}

static void test_normalize_expands_decimals(void **state)
{
    (void)state;
    SAYS("2,5 procent", "två komma fem procent");
    SAYS("0,05", "noll komma noll fem");
    SAYS("3,14", "tre komma fjorton");
    SAYS("1,5 liter", "en komma fem liter");
    SAYS("Version 1.5", "Version ett punkt fem");
}

static void test_normalize_expands_years_and_decades(void **state)
{
    (void)state;
    SAYS("Huset byggdes 1998.", "Huset byggdes nittonhundranittioåtta.");
    SAYS("år 2008", "år tvåtusenåtta");
    SAYS("Planen gäller 2013–2015.", "Planen gäller tvåtusentretton till tvåtusenfemton.");
    SAYS("1700-talet och 90-talet", "sjuttonhundratalet och nittiotalet");
    SAYS("en 20-åring", "en tjugoåring");
}

static void test_normalize_expands_dates(void **state)
{
    (void)state;
    SAYS("Publicerad 2016-04-26", "Publicerad den tjugosjätte april tvåtusensexton");
    SAYS("den 2016-04-26", "den tjugosjätte april tvåtusensexton");
    SAYS("Senast 26 april 2016", "Senast den tjugosjätte april tvåtusensexton");
    SAYS("Fredag den 7 juni", "Fredag den sjunde juni");
    SAYS("Anmälan senast 15 okt.", "Anmälan senast den femtonde oktober.");
    SAYS("den 3/5 i stadshuset", "den tredje maj i stadshuset");
    SAYS("Öppet 15/6–15/8", "Öppet den femtonde juni till femtonde augusti");
    SAYS("stängt 24–26 december", "stängt den tjugofjärde till tjugosjätte december");
    SAYS("den 20:e mars", "den tjugonde mars");
    SAYS("2016-13-45", "tvåtusensexton-tretton till fyrtiofem");
    SAYS("Vi ses i maj!", "Vi ses i maj!");
}

static void test_normalize_maps_an_expanded_date_to_the_written_date(void **state)
{
    const char *in = "Publicerad 2016-04-26 av oss";

    (void)state;
    normalize(in);
    assert_maps(in, "den", "2016-04-26");
    assert_maps(in, "tjugosjätte", "2016-04-26");
    assert_maps(in, "april", "2016-04-26");
    assert_maps(in, "tvåtusensexton", "2016-04-26");
    assert_maps(in, "av", "av");
    assert_maps(in, "Publicerad", "Publicerad");
}

static void test_normalize_expands_times(void **state)
{
    const char *in = "Mötet börjar kl. 14.30.";

    (void)state;
    SAYS(in, "Mötet börjar klockan fjorton och trettio.");
    assert_maps(in, "klockan", "kl.");
    assert_maps(in, "trettio", "14.30");
    SAYS("kl. 09.00", "klockan nio");
    SAYS("Starttid 09:30", "Starttid nio och trettio");
    SAYS("kl 18 i Folkets hus", "klockan arton i Folkets hus");
    SAYS("kl. 13.15–15.45", "klockan tretton och femton till femton och fyrtiofem");
    SAYS("kl. 8–16", "klockan åtta till sexton");
    SAYS("kl. 1 på natten", "klockan ett på natten");
}

static void test_normalize_says_a_lone_kl_at_end_of_line(void **state)
{
    (void)state;
    SAYS("Vi ses kl.", "Vi ses klockan.");
    SAYS("kl.\nkl", "klockan.\nklockan");
}

static void test_normalize_expands_opening_hours(void **state)
{
    (void)state;
    SAYS("Öppettider: mån–fre 8–16", "Öppettider: måndag till fredag åtta till sexton");
    SAYS("Lör 10-14, sön stängt", "lördag tio till fjorton, söndag stängt");
    SAYS("Mån-Fre 08:00-17:00", "måndag till fredag åtta till sjutton");
    SAYS("Lördag–söndag", "Lördag till söndag");
    SAYS("i mån av plats", "i mån av plats");
    SAYS("Öppet vard. 9–17", "Öppet vardagar nio till sjutton");
}

static void test_normalize_reads_phone_numbers_in_groups(void **state)
{
    const char *in = "Växel: 08-520 680 00";

    (void)state;
    SAYS(in, "Växel: noll åtta, fem två noll, sex åtta noll, noll noll");
    assert_maps(in, "sex", "680");
    SAYS("Ring 112 nu", "Ring ett ett två nu");
    SAYS("tel +46 8 520 680 00",
         "telefon plus fyra sex, åtta, fem två noll, sex åtta noll, noll noll");
    SAYS("Postadress: 149 81 Nynäshamn", "Postadress: hundrafyrtionio åttioett Nynäshamn");
}

static void test_normalize_expands_amounts(void **state)
{
    (void)state;
    SAYS("Avgiften är 1 kr per sida.", "Avgiften är en krona per sida.");
    SAYS("1 234 567 kr", "en miljon tvåhundratrettiofyratusenfemhundrasextiosju kronor");
    SAYS("Kaffe 49:-", "Kaffe fyrtionio kronor");
    SAYS("12,50 kr", "tolv kronor och femtio öre");
    SAYS("0,50 kr", "femtio öre");
    SAYS("250 SEK", "tvåhundrafemtio kronor");
    SAYS("5 mkr och 1 mkr", "fem miljoner kronor och en miljon kronor");
    SAYS("450 tkr", "fyrahundrafemtio tusen kronor");
    SAYS("3,2 milj. kr", "tre komma två miljoner kronor");
    SAYS("350 kr/mån", "trehundrafemtio kronor per månad");
    SAYS("20 resp. 40 kr", "tjugo respektive fyrtio kronor");
}

static void test_normalize_expands_units(void **state)
{
    (void)state;
    SAYS("5 km", "fem kilometer");
    SAYS("120 m² och 850 m2 och 75 kvm",
         "hundratjugo kvadratmeter och åttahundrafemtio kvadratmeter och sjuttiofem "
         "kvadratmeter");
    SAYS("-5 °C", "minus fem grader");
    SAYS("25°C", "tjugofem grader");
    SAYS("15 % och 84,6%", "femton procent och åttiofyra komma sex procent");
    SAYS("30 km/h", "trettio kilometer i timmen");
    SAYS("1 kg", "ett kilo");
    SAYS("Kungsgatan 4 A, 2 tr", "Kungsgatan fyra A, två trappor");
    SAYS("±2 grader", "plus minus två grader");
}

static void test_normalize_expands_paragraphs_and_chapters(void **state)
{
    (void)state;
    SAYS("§ 76 Budget", "paragraf sjuttiosex Budget");
    SAYS("Protokollet omfattar §§ 12–15.", "Protokollet omfattar paragraferna tolv till femton.");
    SAYS("enligt 5 § förvaltningslagen", "enligt femte paragrafen förvaltningslagen");
    SAYS("2 kap. 3 § socialtjänstlagen", "andra kapitlet tredje paragrafen socialtjänstlagen");
    SAYS("Dnr KS 2013/0123", "diarienummer k s tvåtusentretton snedstreck noll ett två tre");
    SAYS("(2011:338)", "(tvåtusenelva kolon trehundratrettioåtta)");
}

/* What council minutes, agendas and officials' reports write (issue 13). */
static void test_normalize_reads_documents_vocabulary(void **state)
{
    (void)state;
    SAYS("Ärendet behandlades i §§ 12–14.",
         "Ärendet behandlades i paragraferna tolv till fjorton.");
    SAYS("enligt 12–14 §§ lagen", "enligt tolfte till fjortonde paragraferna lagen");
    SAYS("4 kap. 1 § socialtjänstlagen", "fjärde kapitlet första paragrafen socialtjänstlagen");
    SAYS("2 kap. 3 a § kommunallagen", "andra kapitlet tre a paragrafen kommunallagen");
    SAYS("enligt 3 § 2 st. förvaltningslagen",
         "enligt tredje paragrafen andra stycket förvaltningslagen");
    SAYS("se 12 § och 3 st. 2 p.", "se tolfte paragrafen och tredje stycket andra punkten.");
    SAYS("Enligt 2 st. gäller detta.", "Enligt andra stycket gäller detta.");
    SAYS("Köp 5 st. äpplen.", "Köp fem stycken äpplen.");
    SAYS("Se SFS 2018:218.", "Se s f s tvåtusenarton kolon tvåhundraarton.");
    SAYS("Se kap. 3 och bil. 2.", "Se kapitel tre och bilaga två.");
    SAYS("Enligt p. 4 i beslutet.", "Enligt punkt fyra i beslutet.");
    SAYS("jfr 5 § resp. 6 §", "jämför femte paragrafen respektive sjätte paragrafen");
    SAYS("enl. beslut", "enligt beslut");
    SAYS("Kostnaden är 450 tkr.", "Kostnaden är fyrahundrafemtio tusen kronor.");
    SAYS("12,5 mnkr", "tolv komma fem miljoner kronor");
    SAYS("3 MSEK", "tre miljoner kronor");
    SAYS("Eleverna i åk 7–9 får besök.", "Eleverna i årskurs sju till nio får besök.");
    SAYS("Vi ses v. 12.", "Vi ses vecka tolv.");
    SAYS("Dnr KS 2026/0143", "diarienummer k s tvåtusentjugosex snedstreck noll ett fyra tre");
}

/* Laws by their abbreviation (laws.tsv, issue 20): named in a reference, "KL" is
 * "kommunallagen" and never "klockan"; elsewhere "KL 14" is still the clock. */
static void test_normalize_says_laws_in_references_by_name(void **state)
{
    (void)state;
    SAYS("Enligt 13 § KL ska nämnden besluta.",
         "Enligt trettonde paragrafen kommunallagen ska nämnden besluta.");
    SAYS("3 kap. 5 § SoL", "tredje kapitlet femte paragrafen socialtjänstlagen");
    SAYS("21 kap. 7 § OSL",
         "tjugoförsta kapitlet sjunde paragrafen offentlighets- och sekretesslagen");
    SAYS("enligt KL och FL", "enligt kommunallagen och förvaltningslagen");
    SAYS("(KL)", "(kommunallagen)");
    SAYS("i KL:s mening", "i kommunallagens mening");
    SAYS("enligt 9 kap. 13 § PBL", "enligt nionde kapitlet trettonde paragrafen p b l");
    SAYS("PBL:s krav", "p b ells krav");
    SAYS("Vi ses KL 14.", "Vi ses klockan fjorton.");
    SAYS("13 kap. 1 § första stycket KL",
         "trettonde kapitlet första paragrafen första stycket kommunallagen");
    SAYS("5 § 2 st. KL", "femte paragrafen andra stycket kommunallagen");
    SAYS("enligt 9 § 8 KL", "enligt nionde paragrafen åtta kommunallagen");
    SAYS("Filen är högst 10 MB.", "Filen är högst tio m b.");
    SAYS("enligt 2:2 PBL och 3:1 MB",
         "enligt andra kapitlet andra paragrafen p b l och tredje kapitlet första paragrafen "
         "miljöbalken");
    SAYS("SFS 2018:218", "s f s tvåtusenarton kolon tvåhundraarton");
    normalize("Enligt 13 § KL.");
    assert_maps("Enligt 13 § KL.", "kommunallagen", "KL");
}

/* Paragraphs with a letter, chapters and paragraphs written without dots or spaces, and the
 * paragraphs of a list that ends in "§§". */
static void test_normalize_reads_paragraph_letters_and_lists(void **state)
{
    (void)state;
    SAYS("enligt 18 g § KL", "enligt arton g paragrafen kommunallagen");
    SAYS("§ 18 g", "paragraf arton g");
    SAYS("enligt 4 kap. 18 c", "enligt fjärde kapitlet arton c");
    SAYS("enligt 4 kap. 18 c. Sedan", "enligt fjärde kapitlet arton c. Sedan");
    SAYS("2 a kap. 3 § KL", "två a kapitlet tredje paragrafen kommunallagen");
    SAYS("Ta med 18 g socker.", "Ta med arton gram socker.");
    SAYS("4 kap 11§", "fjärde kapitlet elfte paragrafen");
    SAYS("11§ KL", "elfte paragrafen kommunallagen");
    SAYS("§§ 3-5", "paragraferna tre till fem");
    SAYS("enligt 6, 8 och 9 §§", "enligt sjätte, åttonde och nionde paragraferna");
    SAYS("8 kap. 1–2, 4 a och 11 §§",
         "åttonde kapitlet första till andra, fyra a och elfte paragraferna");
    SAYS("6, 8 och 9 barn", "sex, åtta och nio barn");
}

/* Government bills, reports, committee reports and case law with their numbers and pages. */
static void test_normalize_reads_report_series(void **state)
{
    (void)state;
    SAYS("prop. 2012/13:187", "proposition tvåtusentolv tretton kolon hundraåttiosju");
    SAYS("SOU 2017:29", "s o u tvåtusensjutton kolon tjugonio");
    SAYS("Ds 2019:8", "d s tvåtusennitton kolon åtta");
    SAYS("Dir. 2020:12", "direktiv tvåtusentjugo kolon tolv");
    SAYS("bet. 2012/13:SoU12", "betänkande tvåtusentolv tretton kolon s o u tolv");
    SAYS("rskr. 2012/13:282", "riksdagsskrivelse tvåtusentolv tretton kolon tvåhundraåttiotvå");
    SAYS("NJA 2015 s. 374", "n j a tvåtusenfemton sidan trehundrasjuttiofyra");
    SAYS("RÅ 2005 ref. 44", "r å tvåtusenfem referat fyrtiofyra");
    SAYS("(a. prop. s. 398 f.)",
         "(anförda proposition sidan trehundranittioåtta och följande sida)");
    SAYS("s. 390 ff.", "sidan trehundranittio och följande sidor.");
    SAYS("år 500 f. Kr.", "år femhundra före Kristus.");
    SAYS("läsåret 2024/25", "läsåret tvåtusentjugofyra tjugofem");
    SAYS("Dnr 2019/20", "diarienummer tvåtusennitton snedstreck tjugo");
    SAYS("en bil.", "en bil.");
}

/* Section numbers of three levels, case numbers, and a typewriter's "--" for a dash. */
static void test_normalize_reads_sections_and_case_numbers(void **state)
{
    (void)state;
    SAYS("2.3.1 Bakgrund", "två punkt tre punkt ett Bakgrund");
    SAYS("Se avsnitt 2.3.1 nedan.", "Se avsnitt två punkt tre punkt ett nedan.");
    SAYS("3.3 Syfte", "tre punkt tre Syfte");
    SAYS("Se fig. 3 och tab. 2 i avsn. 4.2.1.",
         "Se figur tre och tabell två i avsnitt fyra punkt två punkt ett.");
    SAYS("SVEA HOVRÄTT, samarbetet inom SÖSAM", "svea HOVRÄTT, samarbetet inom sösam");
    SAYS("Mål nr P 5876-18", "Mål nummer P femtusenåttahundrasjuttiosex streck arton");
    SAYS("i mål T 3065-09", "i mål T tretusensextiofem streck noll nio");
    SAYS("MÖD P 2206–24.", "m ö d P tvåtusentvåhundrasex streck tjugofyra.");
    SAYS("KS 2016-05-24", "k s den tjugofjärde maj tvåtusensexton");
    SAYS("ÅK 7-9", "årskurs sju till nio");
    SAYS("2019--2021", "tvåtusennitton till tvåtusentjugoett");
    SAYS("1--3 maj", "den första till tredje maj");
    SAYS("Ord -- ord", "Ord -- ord");
    SAYS("När U.P. ringde", "När u p ringde");
    SAYS("F.A.I. och F.J.", "f a i och f j.");
    SAYS("F.A.I:s och L.B:s", "f a is och l bes");
    SAYS("1 100 l/s", "tusenetthundra liter per sekund");
}

/* A party's letters after a politician's name (parties.tsv); the same letters elsewhere stay. */
static void test_normalize_says_the_party_after_a_name(void **state)
{
    (void)state;
    SAYS("Anna Andersson (V) yrkar bifall.", "Anna Andersson (vänsterpartiet) yrkar bifall.");
    SAYS("Bo Berg (KD), Ulla Ring (MP)", "Bo Berg (kristdemokraterna), Ulla Ring (miljöpartiet)");
    SAYS("Copyright (C) 2020", "Copyright (C) tvåtusentjugo");
    SAYS("förordning (EU)", "förordning (e u)");
    SAYS("storlek (M)", "storlek (M)");
    normalize("Eva Ek (M) och");
    assert_maps("Eva Ek (M) och", "moderaterna", "M");
}

/* "ev." agrees with the noun after it, and is the adverb before anything else. */
static void test_normalize_agrees_ev_with_its_noun(void **state)
{
    (void)state;
    SAYS("ev. kostnader", "eventuella kostnader");
    SAYS("ev. avgift", "eventuell avgift");
    SAYS("ev. bygglovsavgift", "eventuell bygglovsavgift");
    SAYS("ev. beslut", "eventuellt beslut");
    SAYS("Det kan ev. komma fler.", "Det kan eventuellt komma fler.");
}

/* Words of documents read alone: "m2" without a number, and "mån" of "i möjligaste mån"
 * (a real plan description read it "måndag"). */
static void test_normalize_reads_units_and_man_alone(void **state)
{
    (void)state;
    SAYS("Pris per m2", "Pris per kvadratmeter");
    SAYS("i möjligaste mån. Sedan", "i möjligaste mån. Sedan");
    SAYS("i mån av plats", "i mån av plats");
    SAYS("Stängt mån.", "Stängt måndag.");
    SAYS("Öppet i mån–fre", "Öppet i måndag till fredag");
}

static void test_normalize_expands_ordinals(void **state)
{
    (void)state;
    SAYS("1:a vice ordförande", "första vice ordförande");
    SAYS("2:e vice ordförande", "andre vice ordförande");
    SAYS("3:e kvartalet", "tredje kvartalet");
    SAYS("den 31:a", "den trettioförsta");
}

static void test_normalize_reads_property_designations_and_scales(void **state)
{
    (void)state;
    SAYS("fastigheten Ösmo 1:2", "fastigheten Ösmo ett kolon två");
    SAYS("Bygglov för Sunnerby 3:14", "Bygglov för Sunnerby tre kolon fjorton");
    SAYS("i skala 1:500 eller 1:400", "i skala ett till femhundra eller ett till fyrahundra");
}

static void test_normalize_expands_roman_numerals(void **state)
{
    (void)state;
    SAYS("Karl XII:s torg", "Karl den tolftes torg");
    SAYS("Gustav II Adolf", "Gustav den andre Adolf");
    SAYS("Drottning Kristina II", "Drottning Kristina den andra");
    SAYS("Detaljplan, etapp II", "Detaljplan, etapp två");
    SAYS("Del I", "Del ett");
    SAYS("I Nynäshamn", "I Nynäshamn");
    SAYS("MIX", "m i x");
}

static void test_normalize_expands_fractions(void **state)
{
    (void)state;
    SAYS("ca 1/2 timme", "cirka en halv timme");
    SAYS("1 1/2 timme", "en och en halv timme");
    SAYS("½ liter", "en halv liter");
    SAYS("1/2 år", "ett halvt år");
    SAYS("2/3 av eleverna", "två tredjedelar av eleverna");
    SAYS("1/8", "en åttondel");
}

static void test_normalize_expands_ranges_with_every_dash(void **state)
{
    (void)state;
    SAYS("6–12 år", "sex till tolv år");
    SAYS("6-12 år", "sex till tolv år");
    SAYS("6—12 år", "sex till tolv år");
    SAYS("6 \xE2\x88\x92 12 år", "sex till tolv år");
    SAYS("5050-1055", "femtusenfemtio-tusenfemtiofem");
}

static void test_normalize_reads_email_and_web_addresses(void **state)
{
    const char *in = "Mejla anna.berg@kommun.se.";

    (void)state;
    SAYS(in, "Mejla anna punkt berg snabel a kommun punkt se.");
    assert_maps(in, "snabel", "@");
    SAYS("Läs mer på www.nynashamn.se/bygglov/",
         "Läs mer på w w w punkt nynashamn punkt se snedstreck bygglov");
    SAYS("https://kommun.se/a-b", "kommun punkt se snedstreck a bindestreck b");
    SAYS("Besök 1177.se", "Besök ett ett sju sju punkt se");
    SAYS("t.ex. nu", "till exempel nu");
}

static void test_normalize_reads_id_numbers_digit_by_digit(void **state)
{
    (void)state;
    SAYS("212000-0159", "två ett två noll noll noll, noll ett fem nio");
    SAYS("19121212-1212", "ett nio ett två ett två ett två, ett två ett två");
}

static void test_normalize_spells_acronyms_or_says_them(void **state)
{
    (void)state;
    SAYS("SKL har", "s k l har");
    SAYS("Ansök om EU-bidrag", "Ansök om e u-bidrag");
    SAYS("KS:s beslut", "k ess beslut");
    SAYS("Remiss till BUP", "Remiss till bup");
    SAYS("ROT-avdrag", "rot-avdrag");
    SAYS("NATO", "nato");
    SAYS("SMHI", "s m h i");
    SAYS("VÄLKOMMEN TILL OSS I KOMMUNEN", "välkommen till oss I kommunen");
    SAYS("BankID", "BankID");
}

static void test_normalize_expands_abbreviations(void **state)
{
    (void)state;
    SAYS("Ta med t.ex. pass", "Ta med till exempel pass");
    SAYS("bl.a. för skolan", "bland annat för skolan");
    SAYS("glas, metall m.m.", "glas, metall med mera.");
    SAYS("fritids osv. Sedan", "fritids och så vidare. Sedan");
    SAYS("fr.o.m. 1 juli t.o.m. 31 december",
         "från och med den första juli till och med den trettioförsta december");
    SAYS("Jfr tidigare beslut, dvs. hyran", "jämför tidigare beslut, det vill säga hyran");
    SAYS("Inställt p.g.a. sjukdom", "Inställt på grund av sjukdom");
    SAYS("Se bil. 3", "Se bilaga tre");
    SAYS("Köp en bil. Den", "Köp en bil. Den");
    SAYS("S:t Olofs kyrka", "sankt Olofs kyrka");
    SAYS("5 st. stödfamiljer", "fem stycken stödfamiljer");
    SAYS("Ärende nr 7", "Ärende nummer sju");
    SAYS("inkl. moms, exkl. moms", "inklusive moms, exklusive moms");
}

static void test_normalize_uses_lexicon_phonemes_only_when_asked(void **state)
{
    const char *in = "Välkommen till Nynäshamns kommun";

    (void)state;
    SAYS(in, in);
    assert_string_equal(say_flags(in, NORMALIZE_PHONEMES),
                        "Välkommen till [[n,y:nE-sh'amns]] kommun");
    assert_maps(in, "[[", "Nynäshamns");
}

static void test_normalize_never_passes_phoneme_brackets_through(void **state)
{
    (void)state;
    assert_string_equal(say_flags("a [[h'Ej]] b", NORMALIZE_PHONEMES), "a [ [h'Ej]] b");
    assert_string_equal(say_flags("[\xE2\x80\x8B[x", NORMALIZE_PHONEMES), "[ [x");
    assert_string_equal(say_flags("[Nynäshamn", NORMALIZE_PHONEMES), "[ [[n,y:nE-sh'amn]]");
    assert_null(strstr(say_flags("[[[[", 0), "[["));
}

static void test_normalize_works_without_word_lists(void **state)
{
    (void)state;
    assert_int_equal(
        normalize_text(NULL, NORMALIZE_PHONEMES, "Den 2016-04-26 kl 9", 19, &norm, NULL), LY_OK);
    assert_string_equal(norm.text.data, "Den tjugosjätte april tvåtusensexton kl nio");
}

static void remove_dir(const char *dir)
{
    const char *names[] = {"abbreviations.tsv", "units.tsv", "acronyms.tsv", "lexicon.tsv",
                           "nouns.tsv",         "laws.tsv",  "parties.tsv"};
    char path[4096];
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A broken line is reported with file and line, skipped, and the good lines still work. */
static void test_normalize_rules_report_broken_lines_and_go_on(void **state)
{
    char dir[] = "/tmp/lyssna-rules-XXXXXX";
    struct norm_rules *r;
    int before = warnings;

    (void)state;
    assert_non_null(mkdtemp(dir));
    write_file(dir, "abbreviations.tsv",
               "# comment\n\nt.ex.\ttill exempel\nbroken line\nx.\ty\tbogus\nt.ex.\tdubbel\n");
    write_file(dir, "units.tsv", "km\ten\tkilometer\tkilometer\nkg\tkanske\tkilo\tkilo\n");
    write_file(dir, "acronyms.tsv", "SKL\tspell\nABC\tsay\n");
    write_file(dir, "lexicon.tsv", "Ort\t'u:rt]] [[x\nTorp\tt'Orp\n");
    write_file(dir, "nouns.tsv", "hus\tett\nhus\n");
    write_file(dir, "laws.tsv", "KL\tkommunallagen\tref\nFL\tförvaltningslagen\tnever\n");
    write_file(dir, "parties.tsv", "V\tvänsterpartiet\n(V)\tx\n");
    /* regnal.tsv is missing */
    r = normalize_rules_load(dir, on_warning, NULL);
    assert_non_null(r);
    assert_int_equal(warnings - before, 10);
    assert_int_equal(
        normalize_text(r, NORMALIZE_PHONEMES, "t.ex. 5 km Torp, 1 hus", 22, &norm, NULL), LY_OK);
    assert_string_equal(norm.text.data, "till exempel fem kilometer [[t'Orp]], ett hus");
    normalize_rules_free(r);
    assert_non_null(strstr(all_warnings, "regnal.tsv: cannot read"));
    assert_non_null(strstr(all_warnings, "abbreviations.tsv:4: "));
    assert_non_null(strstr(all_warnings, "abbreviations.tsv:5: unknown flag"));
    assert_non_null(strstr(all_warnings, "abbreviations.tsv:6: duplicate of line 3"));
    assert_non_null(strstr(all_warnings, "units.tsv:2: "));
    assert_non_null(strstr(all_warnings, "lexicon.tsv:1: "));
    assert_non_null(strstr(all_warnings, "laws.tsv:2: "));
    assert_non_null(strstr(all_warnings, "parties.tsv:2: "));
    remove_dir(dir);
}

/* espeak-ng 1.51 reads freed memory on unassigned code points such as U+0DE4 and on the
 * digits of some scripts; `lyssna speak` died on "⍹\u0DE4☱" under ASan. */
static void test_normalize_keeps_from_espeak_what_it_cannot_read_safely(void **state)
{
    (void)state;
    SAYS("⍹\xe0\xb7\xa4☱", "⍹☱");
    SAYS("x\xe0\xb7\xa4y \xe0\xb7\xa4", "xy");
    SAYS("৩৪ kr", "34 kronor");
    assert_maps("৩৪ kr", "34", "৩৪");
    SAYS("Pris: １２ kr, sida ൧", "Pris: 12 kronor, sida 1");
    SAYS("x৩y", "x3y");
    SAYS("Ära och अ", "Ära och अ"); /* assigned letters of other scripts stay */
}

static void test_normalize_leaves_lines_in_other_languages_to_their_voice(void **state)
{
    const char *langs[] = {NULL, "en", "sv-SE", "en-GB"};
    const char *in = "Det kostar 1.5 kr\n  It costs  1.5 pounds, e.g. 3 kr \nBara 1.5\nkl. 14.30";
    size_t s, e, at;

    (void)state;
    assert_int_equal(normalize_text_langs(rules, 0, in, strlen(in), "sv", langs, 4, &norm, NULL),
                     LY_OK);
    assert_string_equal(norm.text.data, "Det kostar ett punkt fem kronor\n"
                                        "It costs 1.5 pounds, e.g. 3 kr\n"
                                        "Bara ett punkt fem\n"
                                        "kl. 14.30");
    at = (size_t)(strstr(norm.text.data, "1.5 pounds") - norm.text.data);
    normalized_source(&norm, at, at + 10, &s, &e);
    assert_int_equal(e - s, 10);
    assert_memory_equal(in + s, "1.5 pounds", 10);
    assert_int_equal(normalize_text_langs(rules, 0, in, strlen(in), "sv", NULL, 0, &norm, NULL),
                     LY_OK);
    assert_null(strstr(norm.text.data, "1.5"));
    assert_int_equal(normalize_text_langs(rules, 0, "a [[b]]", 7, "sv", langs + 1, 1, &norm, NULL),
                     LY_OK);
    assert_string_equal(norm.text.data, "a [ [b]]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize_collapses_unicode_spaces_and_trims),
        cmocka_unit_test(test_normalize_drops_soft_hyphens_and_zero_width),
        cmocka_unit_test(test_normalize_keeps_one_line_per_line),
        cmocka_unit_test(test_normalize_rejects_invalid_utf8_with_offset),
        cmocka_unit_test(test_normalize_maps_words_back_to_input_bytes),
        cmocka_unit_test(test_normalize_cuts_long_text_only_at_sentence_ends),
        cmocka_unit_test(test_normalize_tells_a_sentence_ended_before_more_text_comes),
        cmocka_unit_test(test_normalize_expands_cardinals),
        cmocka_unit_test(test_normalize_agrees_with_the_noun),
        cmocka_unit_test(test_normalize_expands_decimals),
        cmocka_unit_test(test_normalize_expands_years_and_decades),
        cmocka_unit_test(test_normalize_expands_dates),
        cmocka_unit_test(test_normalize_maps_an_expanded_date_to_the_written_date),
        cmocka_unit_test(test_normalize_expands_times),
        cmocka_unit_test(test_normalize_says_a_lone_kl_at_end_of_line),
        cmocka_unit_test(test_normalize_expands_opening_hours),
        cmocka_unit_test(test_normalize_reads_phone_numbers_in_groups),
        cmocka_unit_test(test_normalize_expands_amounts),
        cmocka_unit_test(test_normalize_expands_units),
        cmocka_unit_test(test_normalize_expands_paragraphs_and_chapters),
        cmocka_unit_test(test_normalize_reads_documents_vocabulary),
        cmocka_unit_test(test_normalize_says_laws_in_references_by_name),
        cmocka_unit_test(test_normalize_reads_paragraph_letters_and_lists),
        cmocka_unit_test(test_normalize_reads_report_series),
        cmocka_unit_test(test_normalize_reads_sections_and_case_numbers),
        cmocka_unit_test(test_normalize_says_the_party_after_a_name),
        cmocka_unit_test(test_normalize_agrees_ev_with_its_noun),
        cmocka_unit_test(test_normalize_reads_units_and_man_alone),
        cmocka_unit_test(test_normalize_expands_ordinals),
        cmocka_unit_test(test_normalize_reads_property_designations_and_scales),
        cmocka_unit_test(test_normalize_expands_roman_numerals),
        cmocka_unit_test(test_normalize_expands_fractions),
        cmocka_unit_test(test_normalize_expands_ranges_with_every_dash),
        cmocka_unit_test(test_normalize_reads_email_and_web_addresses),
        cmocka_unit_test(test_normalize_reads_id_numbers_digit_by_digit),
        cmocka_unit_test(test_normalize_spells_acronyms_or_says_them),
        cmocka_unit_test(test_normalize_expands_abbreviations),
        cmocka_unit_test(test_normalize_uses_lexicon_phonemes_only_when_asked),
        cmocka_unit_test(test_normalize_never_passes_phoneme_brackets_through),
        cmocka_unit_test(test_normalize_works_without_word_lists),
        cmocka_unit_test(test_normalize_rules_report_broken_lines_and_go_on),
        cmocka_unit_test(test_normalize_keeps_from_espeak_what_it_cannot_read_safely),
        cmocka_unit_test(test_normalize_leaves_lines_in_other_languages_to_their_voice),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
