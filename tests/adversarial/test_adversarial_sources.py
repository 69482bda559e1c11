"""A catalog from a pull request names files outside itself under ``sources:`` (issue #25, item 1).

``impact import refresh`` must read nothing outside the folder that holds the
catalog (or a folder named with ``--allow-path``): each such source is refused
by one line naming the entry, the content of what it points at is never shown,
and its catalog file is left as it was.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import run, snapshot, write

SECRET = "root:x:0:0:SECRET-LINE:/root:/bin/bash"
CSV_ROWS = "system,key,type,owner,depends_on\nleak,private-row,page,web,\n"


def _catalog(work: Path, path: str, kind: str = "csv", args: str = "[]") -> Path:
    write(work, "repo/cat/teams.yaml", "teams:\n  web: {name: Web}\n")
    write(work, "repo/cat/inv.yaml", f"sources:\n  - {{kind: {kind}, path: '{path}', args: {args}}}\n")
    return work / "repo" / "cat"


@pytest.fixture()
def outside(work: Path) -> Path:
    write(work, "outside/private.csv", CSV_ROWS)
    write(work, "outside/passwd", SECRET + "\n")
    return work / "outside"


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("csv", "../../outside/private.csv"),
        ("csv", "{outside}/private.csv"),
        ("csv", "{outside}/passwd"),
        ("csv", "../exports/../../outside/private.csv"),
        ("salesforce", "/"),
        ("salesforce", "../.."),
        ("dbt", "{outside}/passwd"),
        ("gtm", "../../outside/passwd"),
        ("sitemap", "{outside}/passwd"),
    ],
)
def test_a_source_outside_the_catalogs_folder_is_refused_and_not_read(
    work: Path, outside: Path, kind: str, path: str
) -> None:
    cat = _catalog(work, path.format(outside=outside), kind)
    before = snapshot(work)
    result = run("import", "refresh", str(cat))
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    assert SECRET not in result.err + result.out and "SECRET" not in result.err + result.out
    errors = result.errors
    assert len(errors) == 1, result.err
    assert errors[0].startswith("Error: repo/cat/inv.yaml: sources[0] (")
    assert "outside the folders a refresh may read" in errors[0] and "--allow-path" in errors[0]
    assert "Refreshing" not in result.err  # refused before anything ran
    assert snapshot(work) == before


def test_a_link_inside_the_catalog_that_points_outside_is_refused(work: Path, outside: Path) -> None:
    cat = _catalog(work, "../exports/inventory.csv")
    (work / "repo" / "exports").mkdir()
    os.symlink(outside / "private.csv", work / "repo" / "exports" / "inventory.csv")
    result = run("import", "refresh", str(cat))
    assert result.code == 2 and "outside the folders a refresh may read" in result.err
    assert "private-row" not in (cat / "inv.yaml").read_text()


def test_a_folder_link_is_refused_too(work: Path, outside: Path) -> None:
    cat = _catalog(work, "../exports/private.csv")
    os.symlink(outside, work / "repo" / "exports")
    result = run("import", "refresh", str(cat))
    assert result.code == 2 and "outside the folders a refresh may read" in result.err


def test_a_path_option_in_args_is_held_to_the_same_rule(work: Path, outside: Path) -> None:
    write(work, "repo/exports/deps.csv", "MetadataComponentId\n")
    cat = _catalog(work, "../exports/deps.csv", "salesforce-deps", f"['--fields', '{outside}/passwd']")
    result = run("import", "refresh", str(cat))
    assert result.code == 2 and "args value" in result.err and SECRET not in result.err


@pytest.mark.parametrize(
    "args", ["['-o', '/tmp/elsewhere.yaml']", "['--catalog', '/']", "['/etc/passwd']", "['--fields']"]
)
def test_args_may_only_be_the_importers_own_options(work: Path, outside: Path, args: str) -> None:
    write(work, "repo/exports/inv.csv", CSV_ROWS)
    cat = _catalog(work, "../exports/inv.csv", "csv", args)
    before = snapshot(work)
    result = run("import", "refresh", str(cat))
    assert result.code == 2 and "sources[0]: args:" in result.err, result.err
    assert snapshot(work) == before


def test_an_export_beside_the_catalog_is_read_and_allow_path_widens_the_rule(work: Path, outside: Path) -> None:
    write(work, "repo/exports/inv.csv", CSV_ROWS.replace("private-row", "public-row"))
    cat = _catalog(work, "../exports/inv.csv")
    assert run("import", "refresh", str(cat)).code == 0
    assert "public-row" in (cat / "inv.yaml").read_text()
    cat = _catalog(work, "../../outside/private.csv")
    result = run("import", "refresh", str(cat), "--allow-path", str(outside))
    assert result.code == 0, result.err
    assert "private-row" in (cat / "inv.yaml").read_text()


def test_a_path_with_a_nul_character_is_refused_not_a_crash(work: Path) -> None:
    write(work, "repo/cat/teams.yaml", "teams:\n  web: {name: Web}\n")
    write(work, "repo/cat/inv.yaml", 'sources:\n  - {kind: csv, path: "a\\0b", args: []}\n')
    result = run("import", "refresh", "repo/cat")
    assert result.code == 2, result.err
    assert len(result.errors) == 1 and "sources[0] (csv" in result.errors[0]
