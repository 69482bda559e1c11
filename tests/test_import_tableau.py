"""``impact import tableau`` against an independent reading of three real public workbooks (xml.etree, a regex over the SQL)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from pathlib import Path

from impact.importers.tableau import read_tableau_workbooks
from tests.helpers import run_cli as run

FIXTURES = Path(__file__).parent / "fixtures" / "tableau"
WORKBOOKS = sorted(FIXTURES.glob("*.twb"))
DEFAULTS = {"postgres": "public", "sqlserver": "dbo"}


def _sql_tables(sql: str) -> set[str]:
    """Tables after FROM / JOIN, comments and CTE names dropped: a crude reader, enough to hold the parser to."""
    sql = re.sub(r"--[^\n]*|/\*.*?\*/", " ", sql, flags=re.S)
    ctes = {m.lower() for m in re.findall(r"(?:\bWITH|,)\s+(\w+)\s+AS\s*\(", sql, flags=re.I)}
    names = re.findall(r"\b(?:FROM|JOIN)\s+([A-Za-z_][\w.\"]*)", sql, flags=re.I)
    return {n.replace('"', "").lower() for n in names} - ctes


def independent(path: Path) -> tuple[dict[str, set[str]], set[str]]:
    """(datasource id -> tables as schema.table, worksheet and dashboard dependencies) and every asset id."""
    root = ET.parse(path).getroot()
    wb = path.stem
    deps: dict[str, set[str]] = {}
    ids: set[str] = set()
    names = {}
    for ds in root.find("datasources") or []:
        if ds.get("name") == "Parameters":
            continue
        aid = f"tableau:datasource/{wb}/{ds.get('caption') or ds.get('name')}"
        names[ds.get("name")] = aid
        ids.add(aid)
        conn = ds.find("connection")
        classes = {n.get("name"): n.find("connection") for n in ds.iter("named-connection")}
        tables: set[str] = set()
        for rel in ds.iter():
            if not rel.tag.endswith("relation") or conn is None or conn.get("class") == "sqlproxy":
                continue
            inner = classes.get(rel.get("connection")) if rel.get("connection") else conn
            kind = inner.get("class") if inner is not None else ""
            default = inner.get("dbname", "").lower() if kind == "mysql" else DEFAULTS.get(kind, "public")
            if rel.get("type") == "table" and rel.get("table") != "[Extract].[Extract]":
                parts = rel.get("table", "").strip("[]").split("].[")
                tables.add(".".join(parts).lower() if len(parts) > 1 else f"{default}.{parts[0].lower()}")
            elif rel.get("type") == "text":
                tables |= {t if "." in t else f"{default}.{t}" for t in _sql_tables(rel.text or "")}
        deps[aid] = tables
    for sheet in root.iter("worksheet"):
        aid = f"tableau:worksheet/{wb}/{sheet.get('name')}"
        ids.add(aid)
        deps[aid] = {
            names[d.get("datasource")] for d in sheet.iter("datasource-dependencies") if d.get("datasource") in names
        }
    for board in root.iter("dashboard"):
        aid = f"tableau:dashboard/{wb}/{board.get('name')}"
        ids.add(aid)
        deps[aid] = {
            f"tableau:worksheet/{wb}/{z.get('name')}"
            for z in board.iter("zone")
            if f"tableau:worksheet/{wb}/{z.get('name')}" in ids
        }
    return deps, ids


def _warehouse(tables: set[str]) -> dict[str, dict[str, str | None]]:
    return {"warehouse": {f"table/{t}": None for t in tables}}


def test_the_importer_finds_what_an_independent_reader_finds() -> None:
    expected: dict[str, set[str]] = {}
    ids: set[str] = set()
    for path in WORKBOOKS:
        found, more = independent(path)
        expected.update(found)
        ids |= more
    every_table = {t for aid, deps in expected.items() if "datasource/" in aid for t in deps}
    # Half the tables are in the catalog: the others must not be linked (nothing invented).
    kept = set(sorted(every_table)[::2])
    imported = read_tableau_workbooks(WORKBOOKS, "tableau", "bi", "warehouse", _warehouse(kept))
    got = {f"tableau:{k}": set(a.depends_on) for k, a in imported.systems["tableau"].assets.items()}
    assert ids <= set(got)
    pairs = set()
    for aid, deps in expected.items():
        pairs |= {
            (aid, f"warehouse:table/{d}" if "datasource/" in aid else d)
            for d in deps
            if "datasource/" not in aid or d in kept
        }
    found = {(a, d) for a, ds in got.items() for d in ds}
    assert len(pairs) >= 40
    assert len(pairs & found) / len(pairs) >= 0.9, sorted(pairs - found)
    assert not {d for _a, d in found if d.startswith("warehouse:")} - {f"warehouse:table/{t}" for t in kept}
    assert all(d.startswith("tableau:") for a, d in found - pairs), sorted(found - pairs)


def test_published_sources_parameters_extracts_and_trailing_spaces() -> None:
    imported = read_tableau_workbooks(
        WORKBOOKS, "tableau", "bi", "warehouse", _warehouse({"public.users", "dbo.xy", "testv1.xy"})
    )
    assets = imported.systems["tableau"].assets
    published = assets["datasource/multiple_connections/xy (TestV1)"]
    assert published.depends_on == [] and "Published data source xyTestV1" in (published.description or "")
    assert assets["datasource/multiple_connections/xy+ (Multiple Connections)"].depends_on == [
        "warehouse:table/dbo.xy",
        "warehouse:table/testv1.xy",
    ]
    assert "worksheet/ts_users_04.01/Top Publishers " in assets
    assert not any("Parameters" in key or "Extract" in key for key in assets)
    assert "warehouse:table/public.users" in assets["datasource/ts_users_04.01/TS Users"].depends_on


def test_a_packaged_workbook_reads_as_its_twb(tmp_path: Path) -> None:
    packaged = tmp_path / "Users.twbx"
    with zipfile.ZipFile(packaged, "w") as archive:
        archive.write(FIXTURES / "ts_users_04.01.twb", "ts_users_04.01.twb")
        archive.writestr("Data/Extracts/users.hyper", b"\0" * 10)
    plain = read_tableau_workbooks([FIXTURES / "ts_users_04.01.twb"]).systems["tableau"].assets
    zipped = read_tableau_workbooks([packaged]).systems["tableau"].assets

    def renamed(text: str) -> str:
        return text.replace("ts_users_04.01", "Users")

    assert {renamed(k): sorted(map(renamed, v.depends_on)) for k, v in plain.items()} == {
        k: sorted(v.depends_on) for k, v in zipped.items()
    }
    assert len(zipped) > 5


def test_a_broken_workbook_is_refused_with_its_place(tmp_path: Path, write: Callable[..., Path]) -> None:
    bad = write("bad.twb", "<?xml version='1.0'?>\n<workbook><datasources>\n</workbook>\n")
    code, _out, err = run("import", "tableau", str(bad), "--owner", "bi", "-o", str(tmp_path / "out.yaml"))
    assert code == 2 and "bad.twb:3:" in err and "not well-formed XML" in err
    assert not (tmp_path / "out.yaml").exists()
    bomb = write("bomb.twb", "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><workbook>&a;</workbook>")
    code, _out, err = run("import", "tableau", str(bomb), "--owner", "bi", "-o", str(tmp_path / "out.yaml"))
    assert code == 2 and "entities" in err
