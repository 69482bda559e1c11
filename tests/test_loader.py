"""Loading catalogs: merging files, checking links, gathering every problem."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from impact.analysis.validation import validate_catalog
from impact.core.errors import ImpactError
from impact.load.loader import load_catalog
from tests.conftest import STACK, TEAMS


def errors_of(root: Path) -> list[str]:
    report = validate_catalog(root)
    return [str(p) for p in report.errors]


def test_small_catalog_merges_files(small_catalog: Path) -> None:
    catalog = load_catalog(small_catalog)
    assert list(catalog.systems) == ["marketo", "salesforce", "website"]
    assert catalog.assets["salesforce:queue/emea"].critical is True
    assert catalog.assets["marketo:field/division"].owner == "mops"  # default: the system's owner
    assert ("marketo:field/division", "salesforce:field/division") in {(d.upstream, d.downstream) for d in catalog.dependencies}
    notes = {(d.upstream, d.downstream): d.note for d in catalog.dependencies}
    assert notes[("website:/products/", "marketo:segmentation/interest")] == "keyed on the folder name"
    assert catalog.tests_by_asset["salesforce:queue/emea"] == ("demo-routing",)
    assert catalog.places["asset:website:form/demo"].line == 7


def test_feeds_is_the_same_edge_from_upstream(write: Callable[..., Path], tmp_path: Path) -> None:
    write("c/teams.yaml", TEAMS)
    write(
        "c/s.yaml",
        """\
        systems:
          a:
            name: A
            owner: web
            assets:
              x: {type: t, feeds: ["b:y"]}
          b:
            name: B
            owner: web
            assets:
              y: {type: t, depends_on: ["a:x"]}
        """,
    )
    catalog = load_catalog(tmp_path / "c")
    assert [(d.upstream, d.downstream) for d in catalog.dependencies] == [("a:x", "b:y")]


def test_every_problem_is_reported_at_once_in_order(write: Callable[..., Path], tmp_path: Path) -> None:
    write("c/teams.yaml", TEAMS)
    write(
        "c/a.yaml",
        """\
        systems:
          website:
            name: Website
            owner: webb
            assets:
              /products/:
                type: folder
                dependson: [x]
              /pricing/:
                type: folder
                critical: yes
                depends_on: ["website:/product/"]
        """,
    )
    write(
        "c/b.yaml",
        """\
        teams:
          web: {name: Duplicate}
        tests:
          t1: {name: T, covers: ["website:/nope/"], minutes: "010"}
          t2: {name: T, covers: []}
        """,
    )
    root = tmp_path / "c"
    got = errors_of(root)
    prefix = str(root.relative_to(Path.cwd())) if root.is_relative_to(Path.cwd()) else str(root)
    assert got == [
        f"{prefix}/a.yaml:4:12: system 'website' owner 'webb', which is not a team of this catalog; did you mean 'web'?",
        f"{prefix}/a.yaml:8:9: unknown key 'dependson'; did you mean 'depends_on'?",
        f"{prefix}/a.yaml:11:19: critical: expected true or false, found 'yes'; write true or false",
        # t1 is dropped for its bad 'minutes', so its unknown 'covers' is not reported twice.
        f"{prefix}/b.yaml:4:54: minutes: expected a whole number like 15, found '010'",
        f"{prefix}/b.yaml:5:25: covers: must list at least one item",
        # Files are read in sorted order: b.yaml defines 'web' first.
        f"{prefix}/teams.yaml:2:3: team 'web' is defined twice; the first is at {prefix}/b.yaml:2:3",
    ]


def test_dangling_references_suggest_the_closest_id(small_catalog: Path, write: Callable[..., Path]) -> None:
    write(
        "catalog/extra.yaml",
        """\
        systems:
          bi:
            name: BI
            owner: bi
            informed: [sale]
            assets:
              dash: {type: dashboard, depends_on: ["salesforce:queue/emea", "salesforse:queue/emea", "salesforce:queue/emee", "nowhere:x"]}
        tests:
          t: {name: T, covers: ["bi:dahs"], owner: nobody}
        """,
    )
    got = [e.split(": ", 1)[1] for e in errors_of(small_catalog)]
    assert got == [
        "system 'bi' informed 'sale', which is not a team of this catalog; did you mean 'sales'?",
        "asset 'bi:dash' depends_on 'salesforse:queue/emea', which is not an asset of this catalog; did you mean 'salesforce:queue/emea'?",
        "asset 'bi:dash' depends_on 'salesforce:queue/emee', which is not an asset of this catalog; did you mean 'salesforce:queue/emea'?",
        "asset 'bi:dash' depends_on 'nowhere:x', which is not an asset of this catalog",
        "test 't' covers 'bi:dahs', which is not an asset of this catalog; did you mean 'bi:dash'?",
        "test 't' owner 'nobody', which is not a team of this catalog; the teams are bi, mops, sales, web",
    ]


def test_warnings_for_untested_critical_assets_and_cycles(small_catalog: Path, write: Callable[..., Path]) -> None:
    write(
        "catalog/more.yaml",
        """\
        systems:
          bi:
            name: BI
            owner: bi
            assets:
              exec: {type: dashboard, critical: true, depends_on: ["salesforce:queue/emea"]}
        """,
    )
    report = validate_catalog(small_catalog)
    assert not report.errors
    assert [p.message for p in report.warnings] == [
        "critical asset 'bi:exec' is covered by no regression test",
        "dependency cycle: marketo:field/division -> salesforce:field/division -> marketo:field/division "
        "(allowed, e.g. a two-way sync; impact follows it once)",
    ]


def test_self_dependency_and_missing_folder(write: Callable[..., Path], tmp_path: Path) -> None:
    write("c/teams.yaml", TEAMS)
    write("c/s.yaml", "systems:\n  a:\n    name: A\n    owner: web\n    assets:\n      x: {type: t, depends_on: ['a:x']}\n")
    assert [e.split(": ", 1)[1] for e in errors_of(tmp_path / "c")] == ["asset 'a:x' cannot depend on itself"]
    with pytest.raises(ImpactError, match="does not exist"):
        load_catalog(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    assert [e.split(": ", 1)[1] for e in errors_of(tmp_path / "empty")] == ["this folder holds no *.yaml or *.yml files; is it the catalog?"]


def test_example_catalog_loads() -> None:
    from tests.conftest import EXAMPLE

    catalog = load_catalog(EXAMPLE / "catalog")
    assert len(catalog.systems) >= 8 and len(catalog.assets) >= 40
    assert all(a.owner in catalog.teams for a in catalog.assets.values())


def test_stack_fixture_is_valid(small_catalog: Path) -> None:
    assert STACK and errors_of(small_catalog) == []
