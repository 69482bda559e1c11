"""The code stays lint-clean (ruff) and type-clean (mypy, strict) as configured in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    exe = BIN / tool
    assert exe.exists(), f"{tool} is not installed next to {sys.executable}: pip install -e '.[test]'"
    return subprocess.run([str(exe), *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_finds_nothing() -> None:
    done = _run("ruff", "check", "--no-cache", "impact", "tests")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_nothing() -> None:
    # No cache: a shared or stale cache must not hide errors (a cold run takes seconds).
    done = _run("mypy", "--cache-dir", "/dev/null", "impact")
    assert done.returncode == 0, done.stdout + done.stderr
