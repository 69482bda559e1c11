"""One read-only catalog interface, two representations, the same answers (issue #27).

A catalog written as YAML files and loaded (through the cache's columns,
``impact.store.compact``) and the same catalog built by hand as plain records
(``AssetDict`` / ``DependencyList``) must answer every question of
``impact.core.catalog.AssetSource`` / ``DependencySource`` alike, and so must
everything read through them (the graph's searches, the bulk field readers).
The plain catalog is built from the drawn data directly, not by the loader.
"""

from __future__ import annotations

import ast
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impact.analysis.asset_fields import AssetFields
from impact.core.catalog import Asset, AssetDict, Catalog, Dependency, DependencyList, System, Team
from impact.core.vocabulary import ASPECTS
from impact.graph.depgraph import DependencyGraph
from impact.load.loader import load_catalog
from impact.store.compact import AssetTable, EdgeList

ROOT = Path(__file__).resolve().parent.parent
TEAMS = ["web", "ops", "data"]
SYSTEMS = ["web", "crm", "mkto"]


@st.composite
def catalogs(draw: st.DrawFn) -> dict[str, Any]:
    """A catalog as data: ``{system: {key: fields}}`` and ``[(upstream, downstream, note, uses)]``."""
    keys = draw(st.lists(st.tuples(st.sampled_from(SYSTEMS), st.sampled_from(["a", "b", "c", "d", "e", "f"])), unique=True, max_size=12))
    assets = {}
    for system, key in keys:
        assets[f"{system}:{key}"] = {
            "type": draw(st.sampled_from(["page", "field", "list"])),
            "owner": draw(st.sampled_from([None, *TEAMS])),
            "critical": draw(st.booleans()),
            "name": draw(st.sampled_from([None, f"The {key}"])),
            "consulted": draw(st.lists(st.sampled_from(TEAMS), unique=True, max_size=2)),
        }
    ids = sorted(assets)
    pairs = [(u, v) for u in ids for v in ids if u != v]
    edges = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=20)) if pairs else []
    deps = [
        (u, v, draw(st.sampled_from([None, "feeds it"])), draw(st.none() | st.lists(st.sampled_from(ASPECTS), min_size=1, unique=True)))
        for u, v in edges
    ]
    return {"assets": assets, "deps": deps, "owners": {s: draw(st.sampled_from(TEAMS)) for s in SYSTEMS}}


def write_files(data: dict[str, Any], folder: Path) -> None:
    (folder / "teams.yaml").write_text(yaml.safe_dump({"teams": {t: {"name": t.upper()} for t in TEAMS}}))
    for system in SYSTEMS:
        entries: dict[str, Any] = {}
        for aid, fields in data["assets"].items():
            if aid.split(":")[0] != system:
                continue
            entry = {k: v for k, v in fields.items() if v not in (None, [], False)}
            depends = []
            for u, v, note, uses in data["deps"]:
                if v == aid:
                    depends.append({"asset": u, **({"note": note} if note else {}), **({"uses": uses} if uses else {})})
            if depends:
                entry["depends_on"] = depends
            entries[aid.split(":", 1)[1]] = entry
        doc = {"systems": {system: {"name": system.upper(), "owner": data["owners"][system], "assets": entries}}}
        (folder / f"{system}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))


def plain_catalog(data: dict[str, Any]) -> Catalog:
    assets = {}
    for aid, f in data["assets"].items():
        system, key = aid.split(":", 1)
        owner = f["owner"] or data["owners"][system]
        assets[aid] = Asset(aid, system, key, f["type"], owner, f["critical"], None, tuple(f["consulted"]), (), f["name"])
    systems = {
        s: System(s, s.upper(), data["owners"][s], assets=tuple(a for a in data["assets"] if a.startswith(s + ":"))) for s in SYSTEMS
    }
    deps = [Dependency(u, v, note, frozenset(uses) if uses else None) for u, v, note, uses in data["deps"]]
    return Catalog("mem", {t: Team(t, t.upper()) for t in TEAMS}, systems, dict(assets), deps, {})


def loaded_catalog(data: dict[str, Any]) -> Catalog:
    with tempfile.TemporaryDirectory() as tmp:
        folder, before = Path(tmp) / "catalog", os.environ.get("IMPACT_CACHE_DIR")
        folder.mkdir()
        write_files(data, folder)
        os.environ["IMPACT_CACHE_DIR"] = str(Path(tmp) / "cache")
        try:
            return load_catalog(folder)
        finally:
            if before is None:
                del os.environ["IMPACT_CACHE_DIR"]
            else:
                os.environ["IMPACT_CACHE_DIR"] = before


def same_partition(a: list[int], b: list[int]) -> bool:
    return all((a[i] == a[j]) == (b[i] == b[j]) for i in range(len(a)) for j in range(len(a)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_both_representations_answer_alike(data: dict[str, Any]) -> None:
    plain, cached = plain_catalog(data), loaded_catalog(data)
    assert isinstance(plain.assets, AssetDict) and isinstance(plain.dependencies, DependencyList)
    assert isinstance(cached.assets, AssetTable) and isinstance(cached.dependencies, EdgeList)
    pa, ca = plain.assets, cached.assets
    assert list(pa.ids) == list(ca.ids) == sorted(data["assets"])
    assert len(pa) == len(ca) and set(pa) == set(ca) and dict(pa.items()) == dict(ca.items())
    assert all(pa.index[a] == ca.index[a] == i for i, a in enumerate(pa.ids))
    assert pa.get("web:nowhere") is ca.get("web:nowhere") is None and "web:nowhere" not in ca
    assert pa.critical_ids() == ca.critical_ids() == [a for a in sorted(data["assets"]) if data["assets"][a]["critical"]]
    assert same_partition(list(pa.system_numbers), list(ca.system_numbers))
    (prow, pcrit, psys), (crow, ccrit, csys) = pa.readers(), ca.readers()
    for i, aid in enumerate(pa.ids):
        a = pa[aid]
        assert prow(i) == crow(i) == (a.name, a.system, a.type, a.owner, a.critical, a.consulted, a.informed)
        assert pcrit(i) == ccrit(i) == a.critical and psys(i) == csys(i) == pa.system_of(aid) == ca.system_of(aid) == a.system
    where = list(range(len(pa)))[::-1]
    assert pa.columns(where) == ca.columns(where)
    # Dependencies: one by one and as adjacency.
    pe, ce = plain.adjacency(), cached.adjacency()
    assert sorted(plain.dependencies, key=lambda d: (d.upstream, d.downstream)) == list(cached.dependencies) == list(pe) == list(ce)
    assert (list(pe.offsets), list(pe.targets), pe.notes, pe.uses) == (list(ce.offsets), list(ce.targets), ce.notes, ce.uses)
    # What is read through the interface: searches and fields.
    pg, cg = DependencyGraph(plain), DependencyGraph(cached)
    for aid in pa.ids:
        for max_tools in (0, 2):
            down = [(r.asset, r.tool_distance, r.path, r.position) for r in pg.downstream([aid], max_tools)]
            assert down == [(r.asset, r.tool_distance, r.path, r.position) for r in cg.downstream([aid], max_tools)]
        assert [(r.asset, r.path) for r in pg.upstream([aid])] == [(r.asset, r.path) for r in cg.upstream([aid])]
    pf, cf = AssetFields(plain), AssetFields(cached)
    for aid in pa.ids:
        assert pf.row(aid) == cf.row(aid) and pf.is_critical(aid) == cf.is_critical(aid)
    assert pf.systems(list(pa.ids)) == cf.systems(list(pa.ids))


ABOVE_THE_CACHE = ("graph", "analysis", "render", "cli")
CACHE_TABLES = {"AssetTable", "AssetColumns", "PlaceTable", "SortedIds"}
"""The cache's own classes (``EdgeList``, adjacency over positions, is core's: both representations give one)."""


def test_nothing_above_the_cache_names_its_tables() -> None:
    """graph/, analysis/, render/ and cli/ read the catalog interface only: they never name the cache's tables."""
    found = []
    for folder in ABOVE_THE_CACHE:
        for path in sorted((ROOT / "impact" / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Name) and node.id in CACHE_TABLES:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.id}")
                if isinstance(node, ast.ImportFrom) and any(alias.name in CACHE_TABLES for alias in node.names):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: imports {node.module}")
    assert found == [], "\n".join(found)


def test_the_catalog_wraps_plain_records_and_keeps_cached_ones() -> None:
    plain = Catalog("c", {}, {}, {}, [], {})
    assert type(plain.assets) is AssetDict and type(plain.dependencies) is DependencyList
    assert plain.assets == {} and plain.dependencies == []
