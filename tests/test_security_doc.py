"""docs/security.md names, for each promise, the test that keeps it: each named test exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_test_named_in_the_security_promises_exists() -> None:
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    section = text.split("## Promises and the tests that keep them", 1)[1].split("\n## ", 1)[0]
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", section)
    assert len(named) >= 20
    missing = []
    for file, name in named:
        path = ROOT / file
        functions = (
            {n.name for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.FunctionDef)}
            if path.is_file()
            else set()
        )
        if name not in functions:
            missing.append(f"{file}::{name}")
    assert missing == []
    # The check can fail: a name that is not a test is found.
    assert "test_nothing_here" not in {n for _, n in named}
