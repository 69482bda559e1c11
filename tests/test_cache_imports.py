"""A check over a cached catalog imports only what it needs: start-up is most of a warm run."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import get_args

import pytest

from impact.core import vocabulary
from impact.read import schema

PROBE = """
import sys
from impact.cli.main import cli
try:
    cli(sys.argv[1:], prog_name="impact")
except SystemExit as exc:
    print("exit", exc.code)
print("loaded", *sorted({m.split(".")[0] for m in sys.modules} & {"pydantic", "yaml", "jinja2"}))
print("schema" if "impact.read.schema" in sys.modules else "no schema")
"""


def probe(cache_dir: Path, *args: str) -> list[str]:
    env = {**os.environ, "IMPACT_CACHE_DIR": str(cache_dir)}
    env.pop("IMPACT_NO_CACHE", None)
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    return out.splitlines()[-3:]


@pytest.fixture
def stack(small_catalog: Path, write: Callable[..., Path]) -> Path:
    return write(
        "changes/cr-1.yaml",
        "id: CR-1\ntitle: T\ncatalog: ../catalog\nchanges:\n  - {target: website:/products/, action: rename}\n",
    )


def test_a_warm_check_imports_no_yaml_parser_pydantic_or_jinja(
    stack: Path, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "cache"
    cold = probe(cache_dir, "check", str(stack), "--format", "json")
    assert (
        cold[0] == "exit 0" and "pydantic" in cold[1]
    )  # the first run parses and validates
    for fmt in ("json", "text"):
        assert probe(cache_dir, "check", str(stack), "--format", fmt) == [
            "exit 0",
            "loaded",
            "no schema",
        ]
    assert (
        probe(cache_dir, "check", str(stack), "--format", "markdown")[1]
        == "loaded jinja2"
    )


def test_the_vocabulary_is_the_schemas() -> None:
    assert get_args(schema.Action) == vocabulary.ACTIONS
    assert get_args(schema.ReleasePath) == vocabulary.PATHS
    assert get_args(schema.Aspect) == vocabulary.ASPECTS
