"""The committed example report in reports/ is what `impact report` writes today.

When the output changes on purpose, regenerate it with the command in
reports/README.md and look at the page before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from impact.cli.main import cli
from tests.conftest import ROOT

COMMITTED = ROOT / "reports" / "2026-12-minor"


def test_committed_example_report_is_current(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the report names its inputs relative to the repository root
    out = tmp_path / "report"
    result = CliRunner().invoke(cli, ["report", "--release", "2026-12-minor", "--changes", "catalogs/example/changes", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(p.name for p in COMMITTED.iterdir())
    for name in written:
        assert (out / name).read_bytes() == (COMMITTED / name).read_bytes(), f"reports/2026-12-minor/{name} is stale: regenerate it"
