"""What the interop tests share: the spanmark binary, run as a subprocess,
and the repository's fixtures. Every test gets its own directory from
pytest's `tmp_path`.

The binary is $SPANMARK_BIN (what `./build.sh test` sets), else the release
build in target/.
"""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def spanmark_bin():
    path = Path(os.environ.get("SPANMARK_BIN") or ROOT / "target" / "release" / "spanmark")
    if not path.is_file():
        pytest.fail(f"no spanmark binary at {path}: run ./build.sh build or set SPANMARK_BIN")
    return path


@pytest.fixture(scope="session")
def spanmark(spanmark_bin):
    """`spanmark(*args, input=None, check=True)` runs the CLI with `input`
    (bytes or str) on stdin and returns the CompletedProcess (stdout and
    stderr as bytes); with `check`, a non-zero exit fails the test with the
    CLI's stderr."""

    def run(*args, input=None, check=True):
        if isinstance(input, str):
            input = input.encode()
        r = subprocess.run([spanmark_bin, *map(str, args)], input=input, capture_output=True)
        if check:
            assert r.returncode == 0, r.stderr.decode()
        return r

    return run


@pytest.fixture(scope="session")
def fixtures():
    """The directory tests/fixtures."""
    return ROOT / "tests" / "fixtures"


@pytest.fixture(scope="session")
def interop_jsonl(fixtures):
    """Our documents with emoji, CRLF and the like, read by spaCy and seqeval."""
    return fixtures / "formats" / "interop.jsonl"
