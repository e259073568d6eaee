"""Shared fixtures for the end-to-end tests: they run the real ./lyssna binary."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
# How much longer than usual the binary may take: `make valgrind` runs it under memcheck.
TIME_SCALE = float(os.environ.get("LYSSNA_TIME_SCALE", "1"))
# `make valgrind` runs the binary under memcheck: text recognition there takes minutes a page,
# past the CPU cap for scans, so the tests that recognize whole pages are left to the others.
UNDER_MEMCHECK = bool(os.environ.get("LYSSNA_VG_BIN"))
NO_OCR_UNDER_MEMCHECK = pytest.mark.skipif(UNDER_MEMCHECK, reason="text recognition under memcheck is too slow")
# Under SAN=1, leaks inside libraries (not Lyssna's) are not failures; the workers inherit it.
os.environ.setdefault("LSAN_OPTIONS", f"suppressions={ROOT / 'tests' / 'e2e' / 'lsan.supp'}")


@pytest.fixture(scope="session")
def lyssna_bin():
    path = os.environ.get("LYSSNA_BIN", str(ROOT / "lyssna"))
    assert os.access(path, os.X_OK), f"{path} is not built: run make first"
    return path


@pytest.fixture
def run(lyssna_bin):
    """run("speak", "-f", "wav", input=b"...") -> CompletedProcess with bytes stdout/stderr."""

    def _run(*args, input=None, timeout=120, **kw):
        return subprocess.run([lyssna_bin, *map(str, args)], input=input, capture_output=True,
                              timeout=timeout * TIME_SCALE, **kw)

    return _run
