"""Wyoming end to end: `lyssna serve --wyoming 127.0.0.1:0` and a peer that sends what Home
Assistant's Wyoming integration sends (describe; synthesize; since 2025.8 synthesize-start,
synthesize-chunk..., a compatibility synthesize, synthesize-stop), in both framings of an
event's data. Audio comes back as 24 kHz 16-bit mono PCM chunks."""
import time

import pytest

from conftest import TIME_SCALE
from test_serve import decoded_seconds, speak_json, start_service
from wyoming_client import Peer

TEXT = "Välkommen till kommunen. Biblioteket öppnar klockan tio. Vi ses i morgon!"


def wyoming_port(svc):
    """The port from the service's second stdout line, `wyoming on tcp://127.0.0.1:PORT` (the
    service object drains its stdout into svc.out)."""
    deadline = time.monotonic() + 30 * TIME_SCALE
    while time.monotonic() < deadline:
        for line in svc.out:
            if line.startswith(b"wyoming on tcp://127.0.0.1:"):
                return int(line.decode().rsplit(":", 1)[1])
        time.sleep(0.05)
    pytest.fail(f"no wyoming line: {svc.out!r} {svc.stderr_text()[-1000:]}")


@pytest.fixture(scope="module")
def wy(lyssna_bin, tmp_path_factory):
    svc = start_service(lyssna_bin, tmp_path_factory.mktemp("wyoming"), "--wyoming",
                        "127.0.0.1:0", "--workers", "2", "--max-text-bytes", "2000",
                        "--allow-any-host")
    svc.wyoming = wyoming_port(svc)
    yield svc
    svc.stop()


def pcm_seconds(pcm):
    return len(pcm) / 2 / 24000


def test_describe_lists_the_voices_and_streaming(wy):
    with Peer(wy.wyoming) as p:
        p.send("describe")
        type_, info, _ = p.read()
    assert type_ == "info"
    tts = info["tts"][0]
    assert tts["installed"] and tts["supports_synthesize_streaming"] is True
    voices = {v["name"]: v for v in tts["voices"]}
    assert voices["sv"]["languages"] == ["sv"]
    assert voices["en"]["languages"] == ["en"]
    assert {"sv", "sv-tydlig", "sv-ljus"} <= set(voices)


@pytest.mark.parametrize("inline", [False, True], ids=["data-block", "data-in-header"])
def test_synthesize_gives_audio_as_long_as_the_http_service(wy, tmp_path, inline):
    with Peer(wy.wyoming) as p:
        p.send("synthesize", {"text": TEXT, "voice": {"name": "sv"}}, inline=inline)
        fmt, pcm = p.audio()
    assert (fmt["rate"], fmt["width"], fmt["channels"]) == (24000, 2, 1)
    http = speak_json(wy, {"text": TEXT, "format": "wav"})
    assert http.status == 200
    want = decoded_seconds(http.body, tmp_path)
    assert abs(pcm_seconds(pcm) - want) < 0.03 * want + 0.05, (pcm_seconds(pcm), want)


def cache_hits(svc):
    from test_serve import get
    for line in get(svc, "/metrics").body.decode().splitlines():
        if line.startswith("lyssna_cache_hits_total "):
            return int(line.split()[1])
    return 0


def test_the_same_text_again_comes_from_the_cache(wy):
    text = "Återvinningscentralen har öppet till klockan sju i kväll."
    with Peer(wy.wyoming) as p:
        p.send("synthesize", {"text": text})
        first = p.audio()[1]
    hits = cache_hits(wy)
    with Peer(wy.wyoming) as p:
        p.send("synthesize", {"text": text})
        again = p.audio()[1]
    assert cache_hits(wy) == hits + 1
    assert again == first


def test_home_assistant_streaming_gives_audio_per_sentence(wy):
    """HA sends the text as an LLM writes it, cut anywhere, then the whole text once more in a
    synthesize for servers that do not stream (which must not be spoken twice)."""
    chunks = ["Välkommen till kom", "munen. Biblioteket öpp", "nar klockan tio. Vi ses",
              " i morgon!"]
    with Peer(wy.wyoming) as p:
        p.send("synthesize-start", {"voice": {"name": "sv"}})
        for c in chunks:
            p.send("synthesize-chunk", {"text": c})
        p.send("synthesize", {"text": "".join(chunks), "voice": {"name": "sv"}})
        p.send("synthesize-stop")
        sentences = []
        while (got := p.audio(until="synthesize-stopped")) is not None:
            sentences.append(pcm_seconds(got[1]))
    assert len(sentences) == 3, sentences
    assert all(s > 0.5 for s in sentences), sentences


def test_streaming_in_the_header_line_form_and_without_start(wy):
    """A peer that writes data inline and leaves synthesize-start out still gets its audio."""
    with Peer(wy.wyoming) as p:
        p.send("synthesize-chunk", {"text": "Hej. "}, inline=True)
        p.send("synthesize-chunk", {"text": "Hej då"}, inline=True)
        p.send("synthesize-stop", inline=True)
        first = p.audio()[1]
        last = p.audio()[1]
        assert p.read()[0] == "synthesize-stopped"
    assert pcm_seconds(first) > 0.2 and pcm_seconds(last) > 0.2


def test_voice_by_language_and_unknown_voices(wy):
    with Peer(wy.wyoming) as p:
        p.send("synthesize", {"text": "Hello there.", "voice": {"language": "en_GB"}})
        assert pcm_seconds(p.audio()[1]) > 0.3
        p.send("synthesize", {"text": "Hej.", "voice": {"name": "nosuch"}})
        type_, data, _ = p.read()
        assert type_ == "error" and data["code"] == "unknown_voice", data
        p.send("synthesize", {"text": "Hej.", "voice": {"language": "fi"}})
        type_, data, _ = p.read()
        assert type_ == "error" and "fi" in data["text"], data
        p.send("synthesize", {"text": "   "})  # nothing to say: empty audio, no hang
        assert p.audio()[1] == b""


def test_text_over_the_cap_is_an_error(wy):
    with Peer(wy.wyoming) as p:
        p.send("synthesize", {"text": "Hej. " * 500})
        type_, data, _ = p.read()
        assert type_ == "error" and data["code"] == "too_big", data
        p.send("synthesize-start")
        for _ in range(5):
            p.send("synthesize-chunk", {"text": "ord " * 120})
        type_, data, _ = p.read()
        assert type_ == "error" and data["code"] == "too_big", data
        assert p.closed()


@pytest.mark.parametrize("bad", [
    b"this is not json\n",
    b'{"data": {}}\n',
    b'{"type": "synthesize", "data_length": 5}\n[1,2]',
    b'{"type": "synthesize", "payload_length": -3}\n',
    b'{"type": "synthesize", "data_length": 99999999}\n',
], ids=["not-json", "no-type", "data-not-object", "bad-length", "over-cap"])
def test_a_malformed_event_closes_only_its_connection(wy, bad):
    with Peer(wy.wyoming) as good, Peer(wy.wyoming) as p:
        p.send_raw(bad)
        type_, data, _ = p.read()
        assert type_ == "error", data
        assert p.closed()
        good.send("synthesize", {"text": "Hej."})
        assert pcm_seconds(good.audio()[1]) > 0.2


def test_connection_limits_hold_on_the_wyoming_port(lyssna_bin, tmp_path):
    svc = start_service(lyssna_bin, tmp_path, "--wyoming", "127.0.0.1:0",
                        "--max-connections-per-client", "1", "--client-timeout-s", "2",
                        "--allow-any-host")
    try:
        port = wyoming_port(svc)
        with Peer(port) as first:
            with Peer(port, timeout=5) as second:
                assert second.closed()
            first.send("describe")
            assert first.read()[0] == "info"
            first.sock.settimeout(10 * TIME_SCALE)
            assert first.closed(), "a silent connection is closed after client_timeout_s"
    finally:
        svc.stop()


@pytest.mark.parametrize("first", ["Välkommen till kommunen. ", "Välkommen till kommunen.",
                                   "Har du frågor om bygglov?"])
def test_a_chunk_that_ends_a_sentence_is_spoken_without_waiting_for_the_next(wy, first):
    """The first audio must not wait for the second chunk: the chunk that ends a sentence is
    enough. Nothing more is sent until its audio has come (10 s: a loaded machine)."""
    with Peer(wy.wyoming) as p:
        p.send("synthesize-start", {"voice": {"name": "sv"}})
        p.send("synthesize-chunk", {"text": first})
        p.sock.settimeout(10 * TIME_SCALE)
        fmt, pcm = p.audio()
        assert pcm_seconds(pcm) > 0.5
        p.sock.settimeout(60 * TIME_SCALE)
        p.send("synthesize-chunk", {"text": " Biblioteket öppnar klockan tio."})
        assert pcm_seconds(p.audio()[1]) > 0.5
        p.send("synthesize-stop")
        assert p.read()[0] == "synthesize-stopped"


@pytest.mark.parametrize("chunks", [
    ["Du kan t.ex.", " låna böcker här."],
    ["Vi öppnar kl.", " 14.30 i dag."],
    ["Vi öppnar klockan 14.", "30 i dag."],
], ids=["abbreviation", "abbreviation-before-a-number", "number"])
def test_a_full_stop_that_may_not_end_the_sentence_waits_for_more(wy, chunks):
    """An abbreviation's or a number's full stop at a chunk's end is not taken for a sentence
    end: the sentence is spoken whole, once, whatever comes next."""
    with Peer(wy.wyoming) as p:
        p.send("synthesize-start", {"voice": {"name": "sv"}})
        for c in chunks:
            p.send("synthesize-chunk", {"text": c})
        p.send("synthesize-stop")
        sentences = []
        while (got := p.audio(until="synthesize-stopped")) is not None:
            sentences.append(pcm_seconds(got[1]))
    assert len(sentences) == 1, sentences
