"""Helpers for the adversarial suite: run the real CLI, check the exact refusal.

"Refused" means, everywhere in this folder: exit code 2, one
``Error: file:line:col: message`` line per problem on stderr (the message says
what to do), no traceback, and no output file written or changed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from impact.cli.main import cli

GOOD_TEAMS = "teams:\n  web: {name: Web Team}\n  mops: {name: Marketing Ops}\n"

GOOD_STACK = """\
systems:
  website:
    name: Website
    owner: web
    assets:
      /products/: {type: folder}
      form/demo: {type: form, depends_on: [website:/products/]}
  marketo:
    name: Marketo
    owner: mops
    assets:
      segmentation/interest:
        type: segmentation
        depends_on:
          - {asset: website:/products/, note: keyed on the folder name}
tests:
  demo-routing:
    name: Demo form works
    covers: [website:form/demo]
"""

CHANGE = """\
id: CR-1
title: Rename /products/
changes:
  - {target: website:/products/, action: rename}
"""


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def errors(self) -> list[str]:
        """The ``Error:`` lines, without the summary line of ``validate``."""
        return [line for line in self.err.splitlines() if line.startswith("Error: ")]


def run(*args: str, env: dict[str, str] | None = None) -> Run:
    """Run ``impact ARGS`` in-process, stdout and stderr apart."""
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


def assert_refused(result: Run, *expected: str) -> None:
    """Exit 2, exactly these ``Error:`` lines (in this order), no traceback."""
    assert "Traceback" not in result.err + result.out
    assert result.errors == [f"Error: {line}" for line in expected], result.err
    assert result.code == 2, result.err


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (links not followed) with its bytes."""
    found = {}
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            path = Path(dirpath) / name
            if not path.is_symlink():
                found[path.relative_to(folder).as_posix()] = path.read_bytes()
    return found


@pytest.fixture()
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working folder that is also the current directory, so messages show short paths."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IMPACT_CATALOG", raising=False)
    monkeypatch.delenv("IMPACT_MAX_FILE_MB", raising=False)
    monkeypatch.delenv("IMPACT_MAX_CATALOG_MB", raising=False)
    yield tmp_path


@pytest.fixture()
def catalog(work: Path) -> Path:
    """A small good catalog in ``cat/`` and a change in ``changes/cr.yaml``."""
    write(work, "cat/teams.yaml", GOOD_TEAMS)
    write(work, "cat/stack.yaml", GOOD_STACK)
    write(work, "changes/cr.yaml", CHANGE)
    return work / "cat"
