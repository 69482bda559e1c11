"""Golden outputs of `impact check` on the example catalog, read by a person.

Each example change request is checked in every format and compared byte for
byte with tests/golden/. When a change to the output is intended, regenerate
with `IMPACT_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py` and read
the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from impact.cli.main import cli
from tests.conftest import EXAMPLE, ROOT

GOLDEN = Path(__file__).resolve().parent / "golden"
CHANGES = sorted((EXAMPLE / "changes").glob("CR-*.yaml"))
SUFFIX = {"text": "txt", "json": "json", "markdown": "md"}


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
@pytest.mark.parametrize("change", CHANGES, ids=[c.stem.split("-")[0] + "-" + c.stem.split("-")[1] for c in CHANGES])
def test_example_check_matches_golden(change: Path, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # paths in the output are relative to the repository root
    result = CliRunner().invoke(cli, ["--no-cache", "check", str(change.relative_to(ROOT)), "--format", fmt])
    assert result.exit_code in (0, 1), result.stderr
    golden = GOLDEN / f"{change.stem}.{SUFFIX[fmt]}"
    if os.environ.get("IMPACT_UPDATE_GOLDEN"):
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")
