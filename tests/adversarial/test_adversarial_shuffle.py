"""Property (case 15): the order of files and of entries never changes a report's bytes.

A random catalog (systems, assets, dependencies with cycles, tests) is written
twice: once in a canonical order in one layout of files, once with every
mapping and list shuffled and the systems spread over other files under other
names. ``impact check`` must give byte-identical text, JSON and Markdown.
The change file keeps its order: the text output lists changes as the change
file names them, on purpose.
The traversal itself is checked against an oracle in tests/test_graph_oracle.py.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import run

SYSTEMS = ["web", "gtm", "mkto", "sfdc"]


@st.composite
def catalogs(draw: st.DrawFn) -> dict[str, object]:
    n = draw(st.integers(2, 12))
    assets = [f"{draw(st.sampled_from(SYSTEMS))}:a{i}" for i in range(n)]
    edges = draw(
        st.sets(
            st.tuples(st.sampled_from(assets), st.sampled_from(assets)).filter(
                lambda e: e[0] != e[1]
            ),
            max_size=3 * n,
        )
    )
    tests = draw(
        st.lists(
            st.lists(st.sampled_from(assets), min_size=1, max_size=3, unique=True),
            max_size=4,
        )
    )
    critical = draw(st.sets(st.sampled_from(assets), max_size=3))
    noted = (
        draw(st.sets(st.sampled_from(sorted(edges)), max_size=3)) if edges else set()
    )
    targets = draw(
        st.lists(st.sampled_from(assets), min_size=1, max_size=3, unique=True)
    )
    return {
        "assets": assets,
        "edges": sorted(edges),
        "tests": tests,
        "critical": critical,
        "noted": noted,
        "targets": targets,
    }


def write_catalog(
    folder: Path, spec: dict[str, object], rng: random.Random | None
) -> None:
    """Write ``spec`` as YAML files; with ``rng``, shuffle every order and the file layout."""

    def order(items: list) -> list:  # type: ignore[type-arg]
        items = list(items)
        if rng is not None:
            rng.shuffle(items)
        return items

    assets: list[str] = spec["assets"]  # type: ignore[assignment]
    ups: dict[str, list[tuple[str, str | None]]] = {a: [] for a in assets}
    for up, down in spec["edges"]:  # type: ignore[attr-defined]
        ups[down].append((up, "why" if (up, down) in spec["noted"] else None))  # type: ignore[operator]
    by_system: dict[str, list[str]] = {}
    for aid in assets:
        by_system.setdefault(aid.split(":")[0], []).append(aid)
    blocks = []
    for system in order(sorted(by_system)):
        lines = [
            f"  {system}:",
            f"    name: {system.upper()}",
            "    owner: t1",
            "    assets:",
        ]
        for aid in order(by_system[system]):
            deps = ", ".join(
                f"{{asset: '{u}', note: {n}}}" if n else f"'{u}'"
                for u, n in order(ups[aid])
            )
            crit = ", critical: true" if aid in spec["critical"] else ""  # type: ignore[operator]
            lines.append(
                f"      {aid.split(':', 1)[1]}: {{type: t{crit}, depends_on: [{deps}]}}"
            )
        blocks.append("\n".join(lines))
    tests = [
        f"  test{i}: {{name: T{i}, covers: [{', '.join(repr(a) for a in order(cov))}]}}"  # type: ignore[arg-type]
        for i, cov in enumerate(spec["tests"])  # type: ignore[arg-type]
    ]
    files: dict[str, str] = {}
    teams = (
        "teams:\n" + "\n".join(order(["  t1: {name: One}", "  t2: {name: Two}"])) + "\n"
    )
    if rng is None:
        files["all.yaml"] = (
            teams
            + "systems:\n"
            + "\n".join(blocks)
            + "\n"
            + ("tests:\n" + "\n".join(tests) + "\n" if tests else "")
        )
    else:
        files[f"z{rng.randrange(100)}-teams.yaml"] = teams
        for i, block in enumerate(blocks):
            files[f"{rng.choice('abc')}{i}/sys.yml"] = "systems:\n" + block + "\n"
        if tests:
            files["tests.yaml"] = "tests:\n" + "\n".join(order(tests)) + "\n"
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)


def answers(folder: Path, targets: list[str]) -> list[tuple[int, str, str]]:
    change = "id: CR-1\ntitle: T\nchanges:\n" + "".join(
        f"  - {{target: '{t}', action: modify}}\n" for t in targets
    )
    (folder / "cr.yaml").write_text(change)
    here = os.getcwd()
    os.chdir(folder)
    try:
        found = []
        for fmt in ("text", "json", "markdown"):
            r = run("check", "cr.yaml", "--catalog", "cat", "--format", fmt)
            found.append((r.code, r.out, r.err))
        return found
    finally:
        os.chdir(here)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=catalogs(), seed=st.integers(0, 2**32 - 1))
def test_shuffling_files_and_entries_never_changes_the_output(
    spec: dict[str, object], seed: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        first, second = Path(tmp, "one"), Path(tmp, "two")
        write_catalog(first / "cat", spec, None)
        write_catalog(second / "cat", spec, random.Random(seed))
        targets: list[str] = spec["targets"]  # type: ignore[assignment]
        canonical = answers(first, targets)
        assert canonical[0][0] in (0, 1), canonical[0][2]
        assert json.loads(canonical[1][1])["summary"]["changed"] == len(targets)
        assert answers(second, targets) == canonical
