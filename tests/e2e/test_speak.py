"""`lyssna speak` end to end: real espeak-ng, real encoders, audio decoded back and measured."""
import json
import os
import signal
import struct
import subprocess
import time

import pytest

from conftest import FIXTURES, TIME_SCALE

TEXT = ("Kommunfullmäktige sammanträder i stadshuset. Mötet är öppet för allmänheten, "
        "och du kan också följa det på webben. Välkommen!\n"
        "Åsa och Örjan berättar om återvinning i Växjö.\n").encode()

FORMATS = ["wav", "ogg", "opus", "mp3"]


def duration(path):
    """Seconds of audio in path, as ffprobe decodes it (not libsndfile's own reader)."""
    out = subprocess.run(["ffprobe", "-v", "error", "-count_packets", "-show_entries",
                          "format=duration", "-of", "json", str(path)],
                         capture_output=True, check=True, timeout=60).stdout
    return float(json.loads(out)["format"]["duration"])


def decoded_seconds(path):
    """Decode fully with ffmpeg and count samples: robust against headers that lie."""
    pcm = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1",
                          "-ar", "22050", "-"], capture_output=True, check=True, timeout=60).stdout
    return len(pcm) / 2 / 22050


@pytest.fixture(scope="module")
def long_text():
    words = ("Socialnämnden beslutade på sitt sammanträde att utreda frågan vidare, "
             "och ärendet återkommer till nämnden i höst. ").split()
    return (" ".join(words[i % len(words)] for i in range(5000)) + ".").encode()


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_decodes_to_the_same_duration(run, tmp_path, fmt):
    ref = tmp_path / "ref.wav"
    assert run("speak", "-f", "wav", "-o", ref, input=TEXT).returncode == 0
    out = tmp_path / f"out.{fmt}"
    p = run("speak", "-f", fmt, "-o", out, input=TEXT)
    assert p.returncode == 0, p.stderr
    want = decoded_seconds(ref)
    got = decoded_seconds(out)
    assert want > 5
    assert abs(got - want) / want < 0.02, (fmt, got, want)


def test_format_follows_the_output_extension(run, tmp_path):
    out = tmp_path / "a.mp3"
    assert run("speak", "-o", out, input=b"Hej.").returncode == 0
    head = out.read_bytes()[:3]
    assert head == b"ID3" or (head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


def test_wav_file_has_exact_header(run, tmp_path):
    out = tmp_path / "a.wav"
    assert run("speak", "-f", "wav", "-o", out, input=TEXT).returncode == 0
    data = out.read_bytes()
    assert data[:4] == b"RIFF" and data[8:16] == b"WAVEfmt "
    riff_size, = struct.unpack_from("<I", data, 4)
    data_size, = struct.unpack_from("<I", data, 40)
    assert riff_size == len(data) - 8
    assert data_size == len(data) - 44
    assert abs(duration(out) - data_size / 2 / 22050) < 0.01


def test_streamed_wav_says_length_unknown(run):
    p = run("speak", "-f", "wav", input=b"Hej hej.")
    assert p.returncode == 0
    assert p.stdout[:4] == b"RIFF"
    assert struct.unpack_from("<I", p.stdout, 40)[0] == 0xFFFFFFFF


@pytest.mark.parametrize("fmt", ["ogg", "mp3", "wav"])
def test_audio_streams_before_a_long_text_is_done(lyssna_bin, long_text, fmt):
    p = subprocess.Popen([lyssna_bin, "speak", "-f", fmt, "-"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write(long_text)
    p.stdin.close()
    first = p.stdout.read(4096)
    still_running = p.poll() is None
    rest = p.stdout.read()
    p.wait(timeout=120 * TIME_SCALE)
    assert len(first) == 4096
    assert still_running, "the first 4 KB came only after synthesis had finished"
    assert p.returncode == 0 and len(rest) > 100_000


def test_marks_point_into_the_original_multibyte_text(run, tmp_path):
    text = "Åsa  åt   ölet. Ärendet 😀 gäller Öland!\nRubrik utan punkt\n".encode()
    marks = tmp_path / "m.jsonl"
    p = run("speak", "-o", tmp_path / "a.wav", "--marks", marks, input=text)
    assert p.returncode == 0, p.stderr
    rows = [json.loads(line) for line in marks.read_text().splitlines()]
    words = [r for r in rows if r["type"] == "word"]
    sentences = [r for r in rows if r["type"] == "sentence"]
    for r in rows:
        assert text[r["start"]:r["end"]].decode() == r["value"]
    assert [w["value"] for w in words] == ["Åsa", "åt", "ölet", "Ärendet", "😀", "gäller",
                                           "Öland", "Rubrik", "utan", "punkt"]
    assert [s["value"] for s in sentences] == ["Åsa  åt   ölet.", "Ärendet 😀 gäller Öland!",
                                               "Rubrik utan punkt"]
    times = [r["time"] for r in rows]
    assert times == sorted(times) and times[-1] > 1000
    assert rows[0]["type"] == "sentence"


def test_ssml_breaks_are_honoured(run, tmp_path):
    plain = tmp_path / "a.wav"
    ssml = tmp_path / "b.wav"
    assert run("speak", "-o", plain, input=b"Ett. Tv\xc3\xa5.").returncode == 0
    doc = b'<speak xml:lang="sv">Ett. <break time="2s"/> Tv\xc3\xa5.</speak>'
    p = run("speak", "--ssml", "-o", ssml, input=doc)
    assert p.returncode == 0, p.stderr
    assert decoded_seconds(ssml) > decoded_seconds(plain) + 1.5


def speak_ssml(run, tmp_path, doc, name="s"):
    """Speaks SSML doc; returns (seconds of audio, marks as dicts)."""
    out, marks = tmp_path / f"{name}.wav", tmp_path / f"{name}.jsonl"
    p = run("speak", "--ssml", "-o", out, "--marks", marks, input=doc.encode())
    assert p.returncode == 0, p.stderr
    rows = [json.loads(line) for line in marks.read_text().splitlines()]
    return decoded_seconds(out), rows


def test_ssml_marks_are_slices_of_the_ssml_source(run, tmp_path):
    doc = ('<?xml version="1.0"?>\n<speak version="1.1" xml:lang="sv-SE">\n'
           '  <p>Ring <say-as interpret-as="telephone">08-520 680 00</say-as> kl. 14.30 '
           '&amp; fråga om <sub alias="Stockholm">Sthlm</sub>.</p>\n'
           '  <s>Välkommen <emphasis>hit</emphasis>!</s>\n</speak>\n')
    _, rows = speak_ssml(run, tmp_path, doc)
    src = doc.encode()
    for r in rows:
        assert src[r["start"]:r["end"]].decode() == r["value"]
    words = [r["value"] for r in rows if r["type"] == "word"]
    assert "08-520 680 00" in words and "Sthlm" in words and "&amp;" in words
    assert "14.30" in words and "hit" in words
    assert not any("<" in w or ">" in w for w in words)
    times = [r["time"] for r in rows]
    assert times == sorted(times)


def test_ssml_say_as_characters_spells_the_word(run, tmp_path):
    spelled, rows = speak_ssml(run, tmp_path, '<speak><say-as interpret-as="characters">'
                               'hej</say-as></speak>', "a")
    word, _ = speak_ssml(run, tmp_path, "<speak>hej</speak>", "b")
    words = [r["value"] for r in rows if r["type"] == "word"]
    assert words == ["hej"] * 3
    assert spelled > word + 0.3


def test_ssml_sub_alias_is_what_is_heard(run, tmp_path):
    alias, rows = speak_ssml(run, tmp_path, '<speak>Jag bor i <sub alias="Upplands Väsby '
                             'kommun i Stockholms län">UV</sub>.</speak>', "a")
    plain, _ = speak_ssml(run, tmp_path, "<speak>Jag bor i UV.</speak>", "b")
    assert alias > plain + 1.0
    assert [r["value"] for r in rows if r["type"] == "word"][-1] == "UV"


def test_ssml_english_lang_segment_is_read_as_written(run, tmp_path):
    doc = ('<speak>Det kostar 1.5 kr. <lang xml:lang="en">It costs 1.5 pounds.</lang> '
           '<s xml:lang="en-GB">Thank you.</s></speak>')
    _, rows = speak_ssml(run, tmp_path, doc)
    src = doc.encode()
    words = [r["value"] for r in rows if r["type"] == "word"]
    for r in rows:
        assert src[r["start"]:r["end"]].decode() == r["value"]
    assert "pounds" in words and "Thank" in words and "kr." in words


@pytest.mark.parametrize("doc,where", [
    ("<speak>\n<p>Hej\n<s>fel</p>\n</speak>", "line 3, column 11"),
    ("<speak>\n  <p lang=x>a</p></speak>", "line 2, column"),
    ("<speak>a &nbsp; b</speak>", "line 1, column"),
    ("<?xml version='1.0'?>\n<!DOCTYPE speak>\n<speak>x</speak>", "line 2, column 1"),
    ("<talk>x</talk>", "line 1, column 1"),
], ids=["mismatch", "attribute", "entity", "doctype", "root"])
def test_malformed_ssml_is_rejected_with_line_and_column(run, tmp_path, doc, where):
    p = run("speak", "--ssml", "-o", tmp_path / "never.wav", input=doc.encode())
    assert p.returncode == 8, p.stderr
    lines = p.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "ssml: " + where in lines[0], lines
    assert os.listdir(tmp_path) == []


def test_html_page_is_read_and_marks_point_into_extracted_text(run, tmp_path):
    page = FIXTURES / "pages" / "nyhet-badhuset-stanger-for-renovering.html"
    marks = tmp_path / "m.jsonl"
    p = run("speak", "--html", "-f", "ogg", "-o", tmp_path / "a.ogg", "--marks", marks, page)
    assert p.returncode == 0, p.stderr
    text = run("extract", page).stdout
    rows = [json.loads(line) for line in marks.read_text().splitlines()]
    assert len(rows) > 50
    for r in rows:
        assert text[r["start"]:r["end"]].decode() == r["value"]
    assert decoded_seconds(tmp_path / "a.ogg") > 20


def test_slower_voice_and_rate_change_duration(run, tmp_path):
    def secs(*args):
        out = tmp_path / "x.wav"
        assert run("speak", *args, "-o", out, input=TEXT).returncode == 0
        return decoded_seconds(out)

    normal = secs()
    assert secs("-v", "sv-tydlig") > normal * 1.15
    assert secs("-r", "300") < normal * 0.75


def test_list_voices_names_the_profiles(run):
    p = run("speak", "--list-voices")
    assert p.returncode == 0
    profiles, languages = p.stdout.decode().split("\n\n")
    names = [line.split()[0] for line in profiles.splitlines()]
    assert "sv" in names and "sv-tydlig" in names
    rows = {line.split()[0]: line for line in languages.splitlines()[1:]}
    assert len(rows) >= 130 and languages.startswith(f"{len(rows)} languages")
    assert "finska" in rows["fi"] and "suomi" in rows["fi"] and "espeak" in rows["fi"]
    assert "somaliska" in rows["so"] and "Soomaali" in rows["so"] and "no voice" in rows["so"]


@pytest.mark.parametrize("args,stdin,code,words", [
    (["-v", "klingon"], b"Hej.", 3, "unknown voice"),
    (["-f", "aac"], b"Hej.", 2, "unknown format"),
    (["-r", "1000"], b"Hej.", 2, "rate"),
    (["/nonexistent/file.txt"], None, 4, "cannot read"),
    ([], b"  \n\t \n", 5, "nothing to say"),
    ([], b"Hej \xff\xfe d\xe5", 6, "UTF-8"),
    ([], b"a" * (1 << 20 + 1), 7, "limit"),
    (["--bogus"], b"Hej.", 2, "option"),
], ids=["voice", "format", "rate", "file", "empty", "utf8", "too-big", "option"])
def test_bad_input_gets_one_line_and_a_distinct_exit_code(run, tmp_path, args, stdin, code,
                                                          words):
    out = tmp_path / "never.wav"
    p = run("speak", "-o", out, *args, input=stdin)
    assert p.returncode == code, p.stderr
    lines = p.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and words in lines[0], lines
    assert os.listdir(tmp_path) == []


def test_interrupted_run_leaves_no_file(lyssna_bin, long_text, tmp_path):
    out = tmp_path / "long.ogg"
    p = subprocess.Popen([lyssna_bin, "speak", "-o", str(out), "--marks", str(tmp_path / "m"),
                          "-"], stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write(long_text * 4)
    p.stdin.close()
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=30 * TIME_SCALE)
    assert p.returncode != 0
    assert os.listdir(tmp_path) == []


def test_refuses_to_write_audio_to_a_terminal(lyssna_bin):
    import pty
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(lyssna_bin, [lyssna_bin, "speak", "/dev/null"])
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 2


def test_marks_go_to_stdout_with_a_dash_when_audio_goes_to_a_file(run, tmp_path):
    p = run("speak", "-o", tmp_path / "a.mp3", "--marks", "-", input="Hej på dig.".encode())
    assert p.returncode == 0, p.stderr
    rows = [json.loads(line) for line in p.stdout.decode().splitlines()]
    assert [r["value"] for r in rows] == ["Hej på dig.", "Hej", "på", "dig"]
    p = run("speak", "--marks", "-", input=b"Hej.")
    assert p.returncode == 2 and b"-o FILE" in p.stderr


@pytest.mark.parametrize("text", ["⍹\u0DE4☱", "Sida \u09E9 av \u0DE6\u0DE7", "x\u0DE4y"])
def test_text_that_made_espeak_ng_read_freed_memory_is_spoken(run, tmp_path, text):
    """espeak-ng 1.51 reads freed memory on U+0DE4 and on digits of some scripts (the ASan
    build died in it); normalization keeps those from it."""
    out = tmp_path / "a.wav"
    p = run("speak", "-o", out, input=text.encode())
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    assert out.read_bytes()[:4] == b"RIFF"
