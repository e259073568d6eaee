"""The listen button stays light: web/lyssna.js at most 15 KB gzipped (it loads on every page of
a site), and the reading aids are not part of it: they load only when a reader opens them.
Every language's file of labels has them all."""
import gzip
import json
import re

from conftest import ROOT

LIMIT = 15 * 1024


def gz(name):
    return len(gzip.compress((ROOT / "web" / name).read_bytes(), compresslevel=9))


def test_the_button_script_stays_under_15_kb_gzipped():
    size = gz("lyssna.js")
    assert size <= LIMIT, f"web/lyssna.js is {size} bytes gzipped, over {LIMIT}"


def test_the_aids_load_on_demand_only():
    script = (ROOT / "web" / "lyssna.js").read_text()
    assert "import(widgetFile('lyssna-aids.js'" in script
    assert gz("lyssna-aids.js") + gz("lyssna-aids.css") < LIMIT


def test_every_language_file_has_every_label():
    # a label a file lacks shows in Swedish; a new label must be translated everywhere
    script = (ROOT / "web" / "lyssna.js").read_text()
    swedish = re.search(r"\n    sv: \{(.*?)\n    \}", script, re.S).group(1)
    keys = set(re.findall(r"(\w+): '", swedish))
    assert "aids" in keys and "listen" in keys, keys
    for f in sorted((ROOT / "web" / "i18n").glob("*.json")):
        assert set(json.loads(f.read_text())) == keys, f.name
