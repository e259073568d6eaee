"""MaryTTS and OpenTTS end to end, as their clients call them: Home Assistant's MaryTTS
integration and NVDA's MaryTTS add-ons (/process by form POST and by GET, /voices, /locales,
/version), OpenTTS clients (/api/tts by GET and POST, /api/voices, /api/languages); API keys
(required for some APIs, their own limits, counted by name in /metrics, reloaded on SIGHUP)
and POST /v1/prefetch."""
import json
import signal
import time
import urllib.parse

import pytest

from conftest import TIME_SCALE
from origin import Origin
from test_serve import decoded_seconds, get, request, speak_json, start_service

TEXT = "Välkommen till kommunen. Biblioteket öppnar klockan tio."
KEY = "cms-key-0123456789abcdef"


@pytest.fixture(scope="module")
def svc(lyssna_bin, tmp_path_factory):
    s = start_service(lyssna_bin, tmp_path_factory.mktemp("apis"), "--allow-any-host",
                      "--workers", "2", "--max-text-bytes", "4000")
    yield s
    s.stop()


def form(params):
    return urllib.parse.urlencode(params).encode()


def wav_of_speak(svc, tmp_path, text=TEXT, voice="sv"):
    r = speak_json(svc, {"text": text, "voice": voice, "format": "wav"})
    assert r.status == 200
    return decoded_seconds(r.body, tmp_path)


# -- MaryTTS ---------------------------------------------------------------------------------

def test_marytts_process_by_form_post_as_home_assistant_sends_it(svc, tmp_path):
    """Home Assistant's MaryTTS integration (speak2mary): a form POST without a Content-Type,
    its default VOICE beside the language it was set to, and effect parameters."""
    body = form({"INPUT_TEXT": TEXT, "OUTPUT_TYPE": "AUDIO", "INPUT_TYPE": "TEXT",
                 "LOCALE": "sv", "AUDIO": "WAVE_FILE", "VOICE": "cmu-slt-hsmm",
                 "effect_Volume_selected": "on", "effect_Volume_parameters": "amount:2.0;"})
    r = request(svc.port, "POST", "/process", body=body)
    assert r.status == 200, r
    assert r.h("content-type") == "audio/wav"
    assert r.body[:4] == b"RIFF"
    want = wav_of_speak(svc, tmp_path)
    assert abs(decoded_seconds(r.body, tmp_path) - want) < 0.05 * want


def test_marytts_process_by_get_as_nvda_sends_it(svc, tmp_path):
    q = urllib.parse.urlencode({"INPUT_TEXT": "Hello there.", "INPUT_TYPE": "TEXT",
                                "OUTPUT_TYPE": "AUDIO", "AUDIO": "WAVE_FILE",
                                "LOCALE": "en_US"})
    r = get(svc, "/process?" + q)
    assert r.status == 200, r
    assert decoded_seconds(r.body, tmp_path) > 0.5


def test_marytts_au_file(svc, tmp_path):
    r = get(svc, "/process?" + urllib.parse.urlencode({"INPUT_TEXT": TEXT, "AUDIO": "AU_FILE",
                                                         "LOCALE": "sv"}))
    assert r.status == 200, r
    assert r.h("content-type") == "audio/basic" and r.body[:4] == b".snd"
    want = wav_of_speak(svc, tmp_path)
    assert abs(decoded_seconds(r.body, tmp_path) - want) < 0.05 * want


def test_marytts_ssml_input(svc, tmp_path):
    ssml = '<speak version="1.0" xml:lang="sv">Hej <break time="1s"/> då</speak>'
    r = get(svc, "/process?" + urllib.parse.urlencode({"INPUT_TEXT": ssml, "INPUT_TYPE": "SSML",
                                                         "OUTPUT_TYPE": "AUDIO"}))
    assert r.status == 200, r
    assert decoded_seconds(r.body, tmp_path) > 1.3


def test_marytts_form_post_with_its_content_type(svc, tmp_path):
    body = form({"INPUT_TEXT": "Hej då!", "LOCALE": "sv_SE", "VOICE": "sv-tydlig"})
    r = request(svc.port, "POST", "/process", body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200, r
    assert decoded_seconds(r.body, tmp_path) > 0.5


@pytest.mark.parametrize("params,words", [
    ({}, ["INPUT_TEXT"]),
    ({"INPUT_TEXT": "Hej", "AUDIO": "AIFF_FILE"}, ["AIFF_FILE", "WAVE_FILE", "AU_FILE"]),
    ({"INPUT_TEXT": "Hej", "OUTPUT_TYPE": "PHONEMES"}, ["PHONEMES"]),
    ({"INPUT_TEXT": "Hej", "INPUT_TYPE": "RAWMARYXML"}, ["RAWMARYXML"]),
    ({"INPUT_TEXT": "Hej", "VOICE": "cmu-slt-hsmm"}, ["cmu-slt-hsmm"]),
    ({"INPUT_TEXT": "Hej", "LOCALE": "fi_FI"}, ["fi_FI"]),
    ({"INPUT_TEXT": "x" * 4001}, ["4001"]),
])
def test_marytts_bad_requests_say_what_is_wrong(svc, params, words):
    r = get(svc, "/process?" + urllib.parse.urlencode(params))
    assert r.status in (400, 413), r
    assert r.h("content-type").startswith("text/plain"), r
    for w in words:
        assert w in r.body.decode(), r


def test_marytts_voices_locales_and_version_as_plain_text(svc):
    voices = get(svc, "/voices")
    assert voices.status == 200 and voices.h("content-type").startswith("text/plain")
    lines = [line.split() for line in voices.body.decode().splitlines()]
    assert ["sv", "sv_SE", "neutral", "espeak"] in lines, lines
    assert any(v[0] == "en" and v[1] == "en_GB" for v in lines), lines
    locales = get(svc, "/locales").body.decode().split()
    assert "sv_SE" in locales and "en_GB" in locales
    version = get(svc, "/version")
    assert version.status == 200 and "Mary TTS server" in version.body.decode()


# -- OpenTTS ---------------------------------------------------------------------------------

def test_opentts_get_and_post(svc, tmp_path):
    r = get(svc, "/api/tts?" + urllib.parse.urlencode({"voice": "lyssna:sv", "text": TEXT}))
    assert r.status == 200, r
    assert r.h("content-type") == "audio/wav"
    want = wav_of_speak(svc, tmp_path)
    assert abs(decoded_seconds(r.body, tmp_path) - want) < 0.05 * want
    r = request(svc.port, "POST", "/api/tts?voice=sv-tydlig", body=TEXT.encode(),
                headers={"Content-Type": "text/plain; charset=utf-8"})
    assert r.status == 200, r
    slow = wav_of_speak(svc, tmp_path, voice="sv-tydlig")
    assert abs(decoded_seconds(r.body, tmp_path) - slow) < 0.05 * slow
    r = get(svc, "/api/tts?" + urllib.parse.urlencode(
        {"lang": "en", "ssml": "true", "text": "<speak>Hello <break time='1s'/> you</speak>"}))
    assert r.status == 200 and decoded_seconds(r.body, tmp_path) > 1.3


def test_opentts_voices_and_languages(svc):
    voices = get(svc, "/api/voices").json()
    sv = voices["lyssna:sv"]
    assert sv["id"] == "sv" and sv["language"] == "sv" and sv["tts_name"] == "lyssna"
    assert "lyssna:en" in voices
    assert set(get(svc, "/api/languages").json()) == {"sv", "en"}


@pytest.mark.parametrize("query,status,word", [
    ("voice=sv", 400, "text"),
    ("voice=espeak:so&text=Hej", 400, "so"),
    ("lang=fi&text=Hej", 400, "fi"),
    ("text=" + "x" * 4001, 413, "4001"),
])
def test_opentts_bad_requests(svc, query, status, word):
    r = get(svc, "/api/tts?" + query)
    assert r.status == status, r
    assert word in r.json()["message"], r


# -- keys and prefetch -----------------------------------------------------------------------

@pytest.fixture
def keyed(lyssna_bin, tmp_path):
    keys = tmp_path / "keys.ini"
    keys.write_text(f"[cms]\nkey = {KEY}\nrate_limit = 1000\nmax_text_bytes = 200\n")
    s = start_service(lyssna_bin, tmp_path, "--allow-host", "127.0.0.1", "--allow-addr",
                      "127.0.0.0/8", "--keys-file", keys, "--require-keys", "marytts",
                      "--require-keys", "opentts", "--rate-limit", "3")
    s.keys = keys
    yield s
    s.stop()


def bearer(key=KEY):
    return {"Authorization": f"Bearer {key}"}


def test_keys_guard_the_apis_asked_while_the_listen_routes_stay_open(keyed):
    r = get(keyed, "/process?INPUT_TEXT=Hej")
    assert r.status == 401 and "key" in r.body.decode().lower(), r
    assert r.h("www-authenticate") == "Bearer"
    assert get(keyed, "/api/tts?text=Hej", headers=bearer("wrong-0123456789abcdef")).status == 401
    assert get(keyed, "/process?INPUT_TEXT=Hej", headers=bearer()).status == 200
    assert get(keyed, "/api/tts?text=Hej", headers=bearer()).status == 200
    assert speak_json(keyed, {"text": "Hej"}).status == 200, "the listen button's route is open"


def test_a_key_has_its_own_limits_and_is_counted_by_name(keyed):
    r = get(keyed, "/process?" + urllib.parse.urlencode({"INPUT_TEXT": "x" * 201}),
            headers=bearer())
    assert r.status == 413, r
    r = speak_json(keyed, {"text": "x" * 201}, headers=bearer())
    assert r.status == 413, "the key's cap holds on /v1/speak too"
    for _ in range(5):  # over the public limit of 3 a minute, within the key's
        assert get(keyed, "/api/tts?text=Hej", headers=bearer()).status == 200
    public = [get(keyed, "/api/voices").status for _ in range(4)]
    assert public == [200, 200, 200, 429], "without a key the public limit holds"
    metrics = get(keyed, "/metrics").body.decode()
    assert 'lyssna_key_requests_total{key="cms"}' in metrics
    assert KEY not in metrics


def test_keys_are_read_again_on_sighup(keyed):
    new = "new-key-0123456789abcdef"
    keyed.keys.write_text(f"[cms2]\nkey = {new}\n")
    keyed.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10 * TIME_SCALE
    while time.monotonic() < deadline:
        if get(keyed, "/api/tts?text=Hej", headers=bearer(new)).status == 200:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the new key was not taken")
    assert get(keyed, "/api/tts?text=Hej", headers=bearer()).status == 401


def test_prefetch_needs_a_key_and_fills_the_cache(keyed):
    with Origin() as origin:
        urls = [origin.url("/nyhet-badhuset-stanger-for-renovering.html"),
                origin.url("/sophamtning-villor-fritidshus.html")]
        body = json.dumps({"urls": urls}).encode()
        h = {"Content-Type": "application/json"}
        assert request(keyed.port, "POST", "/v1/prefetch", body=body, headers=h).status == 401
        r = request(keyed.port, "POST", "/v1/prefetch", body=body, headers={**h, **bearer()})
        assert r.status == 202, r
        assert r.json()["accepted"] == 2
        deadline = time.monotonic() + 60 * TIME_SCALE
        while time.monotonic() < deadline:
            m = get(keyed, "/metrics").body.decode()
            if "lyssna_prefetch_done_total 2" in m:
                break
            time.sleep(0.3)
        else:
            pytest.fail(f"prefetch did not finish: {m}")
        q = urllib.parse.urlencode({"url": urls[0]})
        r = get(keyed, f"/v1/listen?{q}")
        assert r.status == 200 and r.h("content-length") is not None, "from the cache at once"
        bad = json.dumps({"urls": ["ftp://x", 7]}).encode()
        r = request(keyed.port, "POST", "/v1/prefetch", body=bad, headers={**h, **bearer()})
        assert r.status == 400, r
