"""Bad ``values:`` (issue #29) in a catalog or a change file: one clear message at its place, exit 2."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import run_cli as run

CATALOG = """\
teams:
  ops: {name: Ops}
systems:
  crm:
    name: CRM
    owner: ops
    assets:
      field/status: {type: field}
      flow/a:
        type: flow
        depends_on:
          - {asset: crm:field/status, uses: [values], values: VALUES}
"""


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ("[]", "catalog/crm.yaml:12:63: values: must list at least one item"),
        ("Closed", "catalog/crm.yaml:12:63: values: expected a list, found text"),
        ('[Closed, ""]', "catalog/crm.yaml:12:72: values: an empty text is not allowed here; remove it or write the value"),
    ],
)
def test_bad_values_on_a_dependency(write: Callable[..., Path], tmp_path: Path, values: str, message: str) -> None:
    write("catalog/crm.yaml", CATALOG.replace("VALUES", values))
    code, _out, err = run("validate", str(tmp_path / "catalog"))
    assert code == 2
    assert message in err


def test_values_are_kept_as_written(write: Callable[..., Path], tmp_path: Path) -> None:
    # NO stays NO, 010 stays 010: a change naming them reaches the flow that tests them
    write("catalog/crm.yaml", CATALOG.replace("VALUES", "[NO, '010']"))
    for named, reached in (("[NO]", True), ("['010']", True), ("['10']", False), ("[false]", False)):
        change = write("changes/cr.yaml", f"id: CR-1\ntitle: t\nchanges:\n  - {{target: crm:field/status, action: modify, values: {named}}}\n")
        code, out, err = run("check", str(change))
        assert code == 0, err
        assert ("crm:flow/a" in out.split("Left out:")[0]) is reached, (named, out)  # else named as left out


def test_bad_values_in_a_change_file(write: Callable[..., Path], tmp_path: Path) -> None:
    write("catalog/crm.yaml", CATALOG.replace("VALUES", "[Closed]"))
    change = write("changes/cr.yaml", "id: CR-1\ntitle: t\nchanges:\n  - {target: crm:field/status, action: modify, values: []}\n")
    code, _out, err = run("check", str(change))
    assert code == 2
    assert "changes/cr.yaml:4:56: values: must list at least one item" in err
