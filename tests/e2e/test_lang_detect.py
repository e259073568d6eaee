"""Language detection on paragraphs of tests/fixtures/langs (one file per language): each
paragraph alone on an unlabelled page, through `lyssna extract --json`. Prints the accuracy per
language (pytest -s shows it) and holds the line that matters most: a paragraph is never given
another language's label (a wrong voice); where detection is unsure the label stays."""
import json

import pytest

from conftest import FIXTURES

LANGS = FIXTURES / "langs"
BCS = {"bs", "hr", "sr", "sh"}  # one language for a listener: each voice reads the others
KIN = {"bs": BCS, "hr": BCS, "sr": BCS}


def detected(run, tmp_path, text, label=""):
    page = tmp_path / "p.html"
    attr = f' lang="{label}"' if label else ""
    page.write_text(f"<!doctype html><html{attr}><head><title>T</title></head><body><main>"
                    f"<p>{text}</p></main></body></html>", encoding="utf-8")
    r = run("extract", "--json", page)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["lang"]


def score(run, tmp_path):
    table = {}
    for f in sorted(LANGS.glob("*.txt")):
        want = f.stem
        ok = unsure = wrong = 0
        for line in f.read_text(encoding="utf-8").splitlines():
            got = detected(run, tmp_path, line).split("-")[0]
            if got == want or got in KIN.get(want, ()):
                ok += 1
            elif not got:
                unsure += 1
            else:
                wrong += 1
                print(f"{want}: read as {got}: {line[:60]}")
        table[want] = (ok, unsure, wrong)
    return table


def test_detection_per_language(run, tmp_path):
    table = score(run, tmp_path)
    total = [sum(v[i] for v in table.values()) for i in range(3)]
    for lang, (ok, unsure, wrong) in table.items():
        print(f"{lang:3} {ok}/{ok + unsure + wrong} right, {unsure} unsure, {wrong} wrong")
    print(f"all {total[0]}/{sum(total)} right, {total[1]} unsure, {total[2]} wrong")
    assert table["sv"][2] == 0, "a Swedish paragraph got another language's label"
    assert total[2] <= 0.05 * sum(total)
    assert total[0] >= 0.85 * sum(total)


@pytest.mark.parametrize("label", ["sv", "sv-SE"])
def test_swedish_label_is_kept_on_swedish_text(run, tmp_path, label):
    for line in (LANGS / "sv.txt").read_text(encoding="utf-8").splitlines():
        assert detected(run, tmp_path, line, label) == label


def test_a_wrong_label_gives_way_to_plain_text(run, tmp_path):
    text = (LANGS / "en.txt").read_text(encoding="utf-8").splitlines()[0]
    assert detected(run, tmp_path, text, "sv") == "en"
    arabic = (LANGS / "ar.txt").read_text(encoding="utf-8").splitlines()[0]
    assert detected(run, tmp_path, arabic, "sv") == "ar"


NEIGHBOURS = [  # Norwegian, then Danish: "eller" and the function words all three share
    "Det er viktig å søke om støtte i god tid, eller kontakte kommunen som kan hjelpe deg med "
    "det. Du kan også ringe oss på dagtid.",
    "Kommunen har ansvar for at alle som trenger det får et godt tilbud om hjemmetjenester. Du "
    "kan søke om hjelp eller ringe servicekontoret.",
    "Det er vigtigt at søge om støtte i god tid, eller kontakte kommunen, som kan hjælpe dig med "
    "det. Du kan også ringe til os om dagen.",
    "Kommunen har ansvaret for, at alle som har brug for det får en god og tryg pleje i hjemmet. "
    "Du kan søge om hjælp eller ringe til borgerservice.",
]


@pytest.mark.parametrize("text", NEIGHBOURS)
def test_a_norwegian_or_danish_paragraph_is_not_read_as_swedish(run, tmp_path, text):
    assert detected(run, tmp_path, text) not in ("sv", "sv-SE")
