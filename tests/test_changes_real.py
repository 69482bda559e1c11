"""``impact changes`` on real commits of public Salesforce repositories, judged by hand.

Each folder of ``tests/fixtures/changes/salesforce/`` holds the files one
commit changed, as they were before (``old/``) and after (``new/``), and
``expected.yaml``: the items a person judged from the commit's diff (see the
README there for where each comes from). The bar is the issue's: at least 95%
of the judged items found (id and action, a rename with both ids), at least
95% of what is reported right, at least 90% of the aspects right; a commit
judged to change nothing the catalog tracks gives the one-line no-op.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from impact.cli.main import cli

CASES = Path(__file__).parent / "fixtures" / "changes" / "salesforce"
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "expected.yaml").is_file())


def _derived(case: Path) -> list[dict[str, object]]:
    result = CliRunner().invoke(
        cli, ["changes", "salesforce", str(case / "old"), str(case / "new"), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    if result.output.startswith("Nothing the catalog tracks changed"):
        return []
    items: list[dict[str, object]] = json.loads(result.output)["changes"]
    return items


def _key(item: dict[str, object]) -> tuple[str, str, str]:
    return str(item["target"]), str(item["action"]), str(item.get("to") or "")


def _judged(case: Path) -> list[dict[str, object]]:
    items: list[dict[str, object]] = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))["items"]
    return items


def test_the_labelled_set_is_there() -> None:
    assert len(NAMES) >= 25
    assert sum(1 for n in NAMES if "mdapi" in n) >= 8  # the older layout too
    assert sum(1 for n in NAMES if not _judged(CASES / n)) >= 5  # commits that change nothing tracked


def test_recall_precision_and_aspects_over_the_labelled_set() -> None:
    judged_total = found = reported_total = right = aspects_total = aspects_right = 0
    misses: list[str] = []
    for name in NAMES:
        case = CASES / name
        expected = {_key(i): i for i in _judged(case)}
        got = {_key(i): i for i in _derived(case)}
        judged_total += len(expected)
        reported_total += len(got)
        for key, item in expected.items():
            if key in got:
                found += 1
                aspects_total += 1
                if sorted(map(str, got[key]["aspects"])) == sorted(map(str, item["aspects"])):  # type: ignore[call-overload]
                    aspects_right += 1
                else:
                    misses.append(f"{name}: {key} aspects {got[key]['aspects']} (judged {item['aspects']})")
            else:
                misses.append(f"{name}: missed {key}")
        right += sum(1 for key in got if key in expected)
        misses += [f"{name}: reported {key}, not judged a change" for key in got if key not in expected]
    assert judged_total >= 40
    assert found / judged_total >= 0.95, misses
    assert right / reported_total >= 0.95, misses
    assert aspects_right / aspects_total >= 0.90, misses


@pytest.mark.parametrize(
    "name", [n for n in NAMES if not yaml.safe_load((CASES / n / "expected.yaml").read_text())["items"]]
)
def test_a_commit_that_changes_nothing_tracked_is_a_one_line_no_op(name: str, tmp_path: Path) -> None:
    out = tmp_path / "change.yaml"
    result = CliRunner().invoke(
        cli, ["changes", "salesforce", str(CASES / name / "old"), str(CASES / name / "new"), "-o", str(out)]
    )
    assert result.exit_code == 0
    assert result.stdout.count("\n") == 1 and result.stdout.startswith("Nothing the catalog tracks changed")
    assert not out.exists()


@pytest.mark.parametrize("name", NAMES)
def test_an_export_compared_with_itself_is_a_no_op(name: str) -> None:
    for side in ("old", "new"):
        folder = CASES / name / side
        result = CliRunner().invoke(cli, ["changes", "salesforce", str(folder), str(folder)])
        assert result.exit_code == 0 and result.stdout.startswith("Nothing the catalog tracks changed"), result.output
