"""`lyssna normalize` end to end: scored on tests/fixtures/sv-normalization.tsv with the same
folding as the shared scorer, and its one-line-per-line contract."""
from conftest import FIXTURES

CASES = FIXTURES / "sv-normalization.tsv"
THRESHOLD = 0.95


def fold(text):
    """Lower-case, every non-letter becomes a space, spaces collapse (as score-normalize.py)."""
    out = "".join(ch if ch.isalpha() else " " for ch in text.lower())
    return " ".join(out.split())


def load_cases():
    cases = []
    with open(CASES, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        assert header[:2] == ["input", "expected"]
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            cols = line.split("\t")
            category = cols[2] if len(cols) > 2 else "-"
            cases.append((cols[0], [fold(a) for a in cols[1].split(" | ")], category))
    return cases


def normalize_lines(run, lines):
    p = run("normalize", input=("\n".join(lines) + "\n").encode())
    assert p.returncode == 0, p.stderr.decode()
    assert p.stderr == b"", p.stderr.decode()
    out = p.stdout.decode().split("\n")
    assert out[-1] == ""
    return out[:-1]


def test_normalize_scores_on_the_swedish_cases(run):
    cases = load_cases()
    outputs = normalize_lines(run, [c[0] for c in cases])
    assert len(outputs) == len(cases)
    failed = [(text, fold(got), alts[0]) for (text, alts, _), got in zip(cases, outputs)
              if fold(got) not in alts]
    score = 1 - len(failed) / len(cases)
    detail = "\n".join(f"{t!r}: got {g!r}, want {w!r}" for t, g, w in failed[:20])
    assert score >= THRESHOLD, f"exact={score:.3f} below {THRESHOLD}\n{detail}"


def test_normalize_keeps_one_output_line_per_input_line(run):
    lines = ["", "Rubrik", "   ", "kl.", "Mån–fre 8–16", "\u00a0", "§§ 12–15", "", "1 000 000 000",
             "E-post: anna.berg@kommun.se", "[[x]]", "sista"]
    assert len(normalize_lines(run, lines)) == len(lines)


def test_normalize_reports_a_bad_line_and_keeps_the_count(run):
    p = run("normalize", input=b"ett\nbad \xff line\ntre\n")
    out = p.stdout.decode().split("\n")
    assert out == ["ett", "", "tre", ""]
    assert b"line 2" in p.stderr and p.returncode != 0
