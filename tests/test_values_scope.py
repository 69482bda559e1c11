"""A value-level change in what a person reads (issue #29): what it leaves out, what carries the value on.

The rule itself is tested against an oracle in ``tests/test_aspects_oracle.py``;
here, the same tiny stack through ``impact check`` in text and JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

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
      flow/closed-cases:
        type: flow
        depends_on:
          - {asset: crm:field/status, values: [Closed]}
          - crm:field/owner
      flow/new-cases:
        type: flow
        depends_on:
          - {asset: crm:field/status, values: [New]}
      field/owner:
        type: field
        depends_on: [crm:flow/new-cases]
      field/status-copy:
        type: field
        depends_on: [crm:field/status]
      rule/copy-closed:
        type: validation-rule
        depends_on:
          - {asset: crm:field/status-copy, values: [Closed]}
  bi:
    name: BI
    owner: ops
    assets:
      report/by-status:
        type: report
        depends_on: [crm:field/status-copy]
"""


def _check(write: Callable[..., Path], values: str, *extra: str) -> tuple[int, str, str]:
    write("catalog/stack.yaml", CATALOG)
    change = write(
        "changes/cr.yaml",
        f"id: CR-1\ntitle: t\nchanges:\n  - {{target: crm:field/status, action: modify, values: {values}}}\n",
    )
    return run("check", str(change), *extra)


def test_one_value_leaves_out_what_tests_other_values_and_says_so(write: Callable[..., Path]) -> None:
    code, out, err = _check(write, "[New]")
    assert code == 0, err
    # closed-cases handles Closed cases only: left out, although new-cases writes the owner it reads.
    assert "Left out: 1 asset that tests the changed field only for other values: crm:flow/closed-cases" in out
    assert "crm:flow/closed-cases" not in out.split("Left out")[0]
    assert "crm:field/status -> crm:flow/new-cases (tests 'New')" in out
    assert "crm:field/status -> crm:field/status-copy (carries 'New' on)" in out
    assert "crm:field/status -> crm:field/status-copy -> bi:report/by-status (carries 'New' on)" in out
    assert "rule/copy-closed" not in out  # tests the copy for another value


def test_json_says_what_is_carried_and_left_out(write: Callable[..., Path]) -> None:
    code, out, err = _check(write, "[New]", "--format", "json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["left_out"] == ["crm:flow/closed-cases"]
    carried = {a["asset"]: a.get("carries") for a in answer["impacted"]}
    assert carried == {
        "crm:flow/new-cases": None,
        "crm:field/owner": None,
        "crm:field/status-copy": ["New"],
        "bi:report/by-status": ["New"],
    }


def test_every_value_reaches_all_and_leaves_nothing_out(write: Callable[..., Path]) -> None:
    write("catalog/stack.yaml", CATALOG)
    change = write(
        "changes/cr.yaml",
        "id: CR-1\ntitle: t\nchanges:\n  - {target: crm:field/status, action: modify, aspects: [values]}\n",
    )
    code, out, err = run("check", str(change), "--format", "json")
    assert code == 0, err
    answer = json.loads(out)
    assert "left_out" not in answer
    assert {a["asset"] for a in answer["impacted"]} == {
        "crm:flow/new-cases",
        "crm:flow/closed-cases",
        "crm:field/owner",
        "crm:field/status-copy",
        "crm:rule/copy-closed",
        "bi:report/by-status",
    }
    assert all("carries" not in a for a in answer["impacted"])


def test_markdown_and_the_report_say_it_too(write: Callable[..., Path], tmp_path: Path) -> None:
    code, out, err = _check(write, "[New]", "--format", "markdown")
    assert code == 0, err
    assert "Left out: 1 asset that tests the changed field only for other values: `crm:flow/closed-cases`." in out
    assert "`crm:field/status` → `crm:field/status-copy` (carries `New` on)" in out
    code, _, err = run("report", str(tmp_path / "changes" / "cr.yaml"), "-o", str(tmp_path / "report"))
    assert code == 0, err
    page = (tmp_path / "report" / "release-notes.html").read_text(encoding="utf-8")
    notes = (tmp_path / "report" / "release-notes.md").read_text(encoding="utf-8")
    assert '<p class="left-out">Left out: 1 asset that tests the changed field only for other values:' in page
    assert "Left out: 1 asset that tests the changed field only for other values: `crm:flow/closed-cases`." in notes
