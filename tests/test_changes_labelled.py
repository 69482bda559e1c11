"""The dbt, GTM and sitemap change readers on labelled cases: real commits and cases written from real files.

Each case under tests/fixtures/changes/<kind>/<case>/ holds the export
before (old/) and after (new/) and expected.yaml: the items a person judged
from the diff (see tests/fixtures/changes/README.md for provenance). The
items are worked out twice: by a plain reading of the pinned rules written
here (an asset whose facets differ is modified, with the aspects of those
facets; an asset gone and one new of the same kind with the same body are a
rename; else a delete and a create), and by the generic differ when it is
there. Both must find ≥ 95% of the judged items (id, action and, for a
rename, both ids), report ≥ 95% right ones, and get ≥ 90% of the aspects
right; the noise cases (a re-export, reformatting, reordering) must give
nothing at all.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
import yaml

from impact.importers.changes.model import FolderTree, Snapshot

CASES = Path(__file__).parent / "fixtures" / "changes"
SYSTEMS = {"dbt": "dbt", "gtm": "gtm", "sitemap": "website"}
KINDS = ("dbt", "gtm", "sitemap")

Item = tuple[str, str, str]  # target, action, to ("" unless a rename)


def _cases(kind: str) -> list[Path]:
    return sorted(p for p in (CASES / kind).iterdir() if (p / "expected.yaml").is_file())


def _snapshots(kind: str, case: Path) -> tuple[Snapshot, Snapshot]:
    reader = importlib.import_module(f"impact.importers.changes.{kind}")
    return reader.snapshot(FolderTree(case / "old"), SYSTEMS[kind]), reader.snapshot(
        FolderTree(case / "new"), SYSTEMS[kind]
    )


def _kind_of(aid: str, kind: str) -> str:
    return kind or aid.partition(":")[2].partition("/")[0]


def rules_items(old: Snapshot, new: Snapshot) -> dict[Item, set[str]]:
    """The pinned rules read plainly: modify / rename (same kind, same non-empty body) / delete / create."""
    out: dict[Item, set[str]] = {}
    for aid in old.keys() & new.keys():
        a, b = old[aid].facets, new[aid].facets
        aspects = {
            f.aspect
            for key in a.keys() | b.keys()
            if (f := b.get(key) or a.get(key))
            and (a.get(key) is None or b.get(key) is None or a[key].value != b[key].value)
            and (f.value or (a.get(key) and b.get(key)))
        }
        if aspects:
            out[(aid, "modify", "")] = aspects
    gone, added = sorted(old.keys() - new.keys()), sorted(new.keys() - old.keys())
    for aid in gone:
        state = old[aid]
        match = [
            n
            for n in added
            if state.body and new[n].body == state.body and _kind_of(n, new[n].kind) == _kind_of(aid, state.kind)
        ]
        if match:
            added.remove(match[0])
            out[(aid, "rename", match[0])] = {"name"}
        else:
            out[(aid, "delete", "")] = {"availability"}
    for aid in added:
        out[(aid, "create", "")] = {"availability"}
    return out


def differ_items(old: Snapshot, new: Snapshot) -> dict[Item, set[str]] | None:
    try:
        diff = importlib.import_module("impact.importers.changes.diff")
    except ImportError:
        return None
    return {(i.target, i.action, i.to or ""): set(i.aspects) for i in diff.diff_snapshots(old, new)}


def expected_items(case: Path) -> dict[Item, set[str]]:
    data: dict[str, Any] = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))
    return {(i["target"], i["action"], i.get("to") or ""): set(i["aspects"]) for i in data["items"] or []}


def _scores(kind: str, derive: Any) -> tuple[float, float, float, list[str]]:
    found_right = expected_total = found_total = aspects_right = 0
    misses: list[str] = []
    for case in _cases(kind):
        expected = expected_items(case)
        got = derive(*_snapshots(kind, case))
        if got is None:
            pytest.skip("the generic differ (impact.importers.changes.diff) is not on this branch")
        hits = expected.keys() & got.keys()
        found_right += len(hits)
        expected_total += len(expected)
        found_total += len(got)
        aspects_right += sum(expected[k] == got[k] for k in hits)
        misses += [f"{case.name}: missed {k}" for k in expected.keys() - got.keys()]
        misses += [f"{case.name}: extra {k} {got[k]}" for k in got.keys() - expected.keys()]
        misses += [f"{case.name}: aspects of {k}: {got[k]} != {expected[k]}" for k in hits if expected[k] != got[k]]
    recall = found_right / expected_total if expected_total else 1.0
    precision = found_right / found_total if found_total else 1.0
    aspects = aspects_right / found_right if found_right else 1.0
    return recall, precision, aspects, misses


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("derive", [rules_items, differ_items], ids=["rules", "differ"])
def test_labelled_cases_meet_the_issues_bar(kind: str, derive: Any) -> None:
    recall, precision, aspects, misses = _scores(kind, derive)
    assert recall >= 0.95 and precision >= 0.95 and aspects >= 0.90, (recall, precision, aspects, misses)
    assert len(_cases(kind)) >= 5


@pytest.mark.parametrize("case", [c for kind in KINDS for c in _cases(kind)], ids=lambda c: f"{c.parent.name}/{c.name}")
def test_each_labelled_case_reads_as_judged(case: Path) -> None:
    """Every case of this set, item by item and aspect by aspect (stricter than the issue's bar)."""
    assert rules_items(*_snapshots(case.parent.name, case)) == expected_items(case)


@pytest.mark.parametrize("kind", KINDS)
def test_noise_cases_give_nothing(kind: str) -> None:
    noise = [c for c in _cases(kind) if not expected_items(c)]
    assert noise, f"{kind}: at least one labelled no-op case"
    for case in noise:
        assert rules_items(*_snapshots(kind, case)) == {}, case.name


def test_cases_are_not_trivially_equal() -> None:
    """Every case with expected items really differs between old/ and new/ (the fixtures can fail the test)."""
    for kind in KINDS:
        for case in _cases(kind):
            if expected_items(case):
                old, new = _snapshots(kind, case)
                assert old != new, case.name


@pytest.mark.parametrize("case", _cases("dbt"), ids=lambda c: c.name)
def test_reading_only_the_changed_files_finds_the_same_items(case: Path) -> None:
    """What ``impact changes --base`` does: only the files that differ are read (and what names need)."""
    from impact.importers.changes.dbt import snapshot

    old, new = FolderTree(case / "old"), FolderTree(case / "new")
    paths = set(old.files()) | set(new.files())
    changed = {p for p in paths if p not in old.files() or p not in new.files() or old.read(p) != new.read(p)}
    limited = rules_items(snapshot(old, "dbt", changed), snapshot(new, "dbt", changed))
    assert limited == rules_items(*_snapshots("dbt", case))
