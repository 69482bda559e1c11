"""Scale pathologies (case 14): huge fan-out, a long chain, a big cycle; right answers, no RecursionError.

Timings are measured by the benchmarks, not here; a recursive traversal would
fail these tests by hitting Python's recursion limit (the CLI turns that into
exit 2, which the assertions below reject).
"""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import run, write


def catalog_of(
    work: Path, assets: dict[str, list[str]], system_of: dict[str, str] | None = None
) -> None:
    """One file; ``assets`` maps an id (system:key) to the ids it depends on."""
    systems: dict[str, list[str]] = {}
    for aid, ups in assets.items():
        system, key = aid.split(":", 1)
        deps = ", ".join(ups)
        systems.setdefault(system, []).append(
            f"      {key}: {{type: t, depends_on: [{deps}]}}"
        )
    lines = ["teams:", "  web: {name: W}", "systems:"]
    for system, rows in systems.items():
        lines += [
            f"  {system}:",
            f"    name: {system}",
            "    owner: web",
            "    assets:",
            *rows,
        ]
    write(work, "cat/a.yaml", "\n".join(lines) + "\n")


def impacted(work: Path, target: str, *extra: str) -> dict[str, object]:
    write(
        work,
        "changes/c.yaml",
        f"id: CR-1\ntitle: T\nchanges:\n  - {{target: '{target}', action: modify}}\n",
    )
    result = run(
        "check", "changes/c.yaml", "--catalog", "cat", "--format", "json", *extra
    )
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_a_hub_with_ten_thousand_dependents(work: Path) -> None:
    assets = {"a:hub": []} | {f"b:d{i:05d}": ["a:hub"] for i in range(10_000)}
    catalog_of(work, assets)
    data = impacted(work, "a:hub")
    assert data["summary"]["impacted"] == 10_000
    assert {r["tool_distance"] for r in data["impacted"]} == {1}
    assert [r["asset"] for r in data["impacted"]][:2] == ["b:d00000", "b:d00001"]


def test_a_chain_five_thousand_long(work: Path) -> None:
    """Through the analysis (the reports print every path in full, 12.5 million steps: see docs/security.md)."""
    from impact.analysis.workspace import run_check

    assets = {"a:n0000": []} | {
        f"a:n{i:04d}": [f"a:n{i - 1:04d}"] for i in range(1, 5_000)
    }
    catalog_of(work, assets)
    write(
        work,
        "changes/c.yaml",
        "id: CR-1\ntitle: T\nchanges:\n  - {target: 'a:n0000', action: modify}\n",
    )
    result, _ = run_check(work / "changes" / "c.yaml", "cat", 5)
    assert len(result.impacted) == 4_999
    last = next(r for r in result.impacted if r.asset == "a:n4999")
    assert last.steps == 4_999 and len(last.path) == 5_000 and last.tool_distance == 0
    assert len(result.notes) == 4_999  # each edge once
    assert run("validate", "cat").code == 0


def test_a_thousand_node_cycle(work: Path) -> None:
    n = 1_000
    assets = {f"a:c{i:04d}": [f"a:c{(i - 1) % n:04d}"] for i in range(n)}
    catalog_of(work, assets)
    data = impacted(work, "a:c0000")
    assert (
        data["summary"]["impacted"] == n - 1
    )  # every other node once, the changed one excluded
    far = next(r for r in data["impacted"] if r["asset"] == "a:c0999")
    assert far["steps"] == n - 1
    result = run("validate", "cat")
    assert result.code == 0
    assert result.err.count("dependency cycle:") == 1
