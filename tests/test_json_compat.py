"""Catalogs without ``uses``, ``aspects`` and asset ``name`` give the JSON they gave
before issue #14, apart from added keys (the JSON contract: add, never rename).

The example catalog (as it was before its Marketo part was imported, issue #28:
tests/fixtures/json-before-14/example/) is copied with those keys taken out,
each example change is checked, and every key and value of the JSON of commit
2fcb20f (tests/fixtures/json-before-14/) must be there unchanged; lists keep
their length and order.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from impact.cli.main import cli

BEFORE = Path(__file__).resolve().parent / "fixtures" / "json-before-14"
EXAMPLE = BEFORE / "example"  # the example catalog the JSON of before was made from (ids as they were then)
CHANGES = sorted(BEFORE.glob("CR-*.json"))
ADDED = ("uses", "aspects", "name")


def _strip(node: Any, *, asset_level: bool = False) -> Any:
    """The document without the keys issue #14 added (``name`` only on assets)."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in ("uses", "aspects") or (asset_level and key == "name"):
                continue
            if key == "assets" and isinstance(value, dict):
                out[key] = {k: _strip(v, asset_level=True) for k, v in value.items()}
            else:
                out[key] = _strip(value)
        return out
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _contained(old: Any, new: Any, where: str = "$") -> list[str]:
    """Where ``new`` differs from ``old`` other than by added keys."""
    if isinstance(old, dict):
        if not isinstance(new, dict):
            return [f"{where}: was a mapping"]
        problems = []
        for key, value in old.items():
            if key not in new:
                problems.append(f"{where}.{key}: missing")
            else:
                problems += _contained(value, new[key], f"{where}.{key}")
        return problems
    if isinstance(old, list):
        if not isinstance(new, list) or len(old) != len(new):
            return [f"{where}: list changed length or kind"]
        return [p for i, (a, b) in enumerate(zip(old, new)) for p in _contained(a, b, f"{where}[{i}]")]
    return [] if old == new else [f"{where}: {old!r} became {new!r}"]


@pytest.fixture(scope="module")
def plain_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("plain")
    target = root / "catalogs" / "example"
    shutil.copytree(EXAMPLE, target)
    for path in [*(target / "catalog").glob("*.yaml"), *(target / "changes").glob("*.yaml")]:
        text = path.read_text(encoding="utf-8")
        if any(f"{key}:" in text for key in ADDED):
            data = yaml.safe_load(text)
            path.write_text(yaml.safe_dump(_strip(data), sort_keys=False, allow_unicode=True), encoding="utf-8")
    return root


def test_the_stripped_example_still_declares_what_the_catalog_had(plain_example: Path) -> None:
    for path in (plain_example / "catalogs" / "example").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert "uses:" not in text and "aspects:" not in text


@pytest.mark.parametrize("change", CHANGES, ids=[c.stem.split("-")[0] + "-" + c.stem.split("-")[1] for c in CHANGES])
def test_json_without_the_new_keys_is_the_json_of_before(change: Path, plain_example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = change
    monkeypatch.chdir(plain_example)
    result = CliRunner().invoke(cli, ["--no-cache", "check", f"catalogs/example/changes/{change.stem}.yaml", "--format", "json"])
    assert result.exit_code in (0, 1), result.stderr
    problems = _contained(json.loads(before.read_text(encoding="utf-8")), json.loads(result.stdout))
    assert problems == []


def test_the_comparison_can_fail() -> None:
    assert _contained({"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}], "c": 0}) == ["$.a[1].b: 2 became 3"]
    assert _contained({"a": [1]}, {"a": [1, 2]}) == ["$.a: list changed length or kind"]
    assert _contained({"a": 1}, {"b": 1}) == ["$.a: missing"]
