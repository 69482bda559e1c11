"""The fast parts of a check's answer against straightforward oracles, on random catalogs.

Stakeholders, risks, why-paths with their notes, and the JSON encoding of
long lists are computed in bulk (grouped by owner and system, once per
distinct risk, each path from its neighbour's, many items per encoder call).
Each is compared here with the rule-by-rule way it was first written: one
asset at a time, one sentence per rule, one walk per path, one item per call.
Catalogs are held both as records (a plain ``dict``) and as columns (an
``AssetTable``, as a cached catalog is).
"""

from __future__ import annotations

import gc
import io
import json
import pickle
from collections import defaultdict
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impact.analysis.answer import ROLES, Risk, risk_of
from impact.analysis.asset_fields import AssetFields
from impact.analysis.check import PathNotes, Reason, risks_for
from impact.analysis.raci import reason_dicts, reason_triples, stakeholders_for
from impact.core.catalog import Asset, Catalog, Dependency, RegressionTest, System, Team
from impact.core.distance import tools_away
from impact.graph.depgraph import DependencyGraph, Reach, paths_and_notes
from impact.load.change import ChangedAsset
from impact.render.jsonio import Streamed, dumps, write
from impact.render.plaintext import ARROW, compact_path, safe, show_path
from impact.store.compact import AssetColumns, AssetTable, edge_list_from
from tests.helpers import RENAME_PRODUCTS, run_cli

TEAMS = ["t0", "t1", "t2", "t3", "t4"]
SYSTEMS = ["crm", "mkto", "web", "bi"]
ACTIONS = ["modify", "rename", "delete", "create", "deprecate"]


@st.composite
def cases(draw: st.DrawFn) -> tuple[Catalog, list[ChangedAsset], int]:
    team_lists = st.lists(st.sampled_from(TEAMS), max_size=3)
    teams = {t: Team(t, t.upper()) for t in TEAMS}
    systems = {
        s: System(s, f"The {s}", draw(st.sampled_from(TEAMS)), consulted=tuple(draw(team_lists)), informed=tuple(draw(team_lists)))
        for s in SYSTEMS
    }
    n = draw(st.integers(1, 14))
    assets = {}
    for i in range(n):
        system = draw(st.sampled_from(SYSTEMS))
        aid = f"{system}:a{i}"
        assets[aid] = Asset(
            aid, system, f"a{i}", draw(st.sampled_from(["page", "form", "field"])), draw(st.sampled_from(TEAMS)),
            draw(st.booleans()), None, tuple(draw(team_lists)), tuple(draw(team_lists)), draw(st.sampled_from([None, f"Name {i}"])),
        )  # fmt: skip
    ids = sorted(assets)
    pairs = [(u, v) for u in ids for v in ids if u != v]
    edges = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=40)) if pairs else []
    deps = [Dependency(u, v, draw(st.sampled_from([None, "feeds", "reads"]))) for u, v in sorted(edges)]
    tests = {
        f"T{i}": RegressionTest(f"T{i}", f"test {i}", tuple(draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))))
        for i in range(draw(st.integers(0, 4)))
    }
    catalog = Catalog("mem", teams, systems, {a: assets[a] for a in ids}, deps, tests)
    changed = [
        ChangedAsset(aid, assets[aid].system, draw(st.sampled_from(ACTIONS)), None, aid)
        for aid in draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))
    ]
    if draw(st.booleans()):  # a new asset, not in the catalog yet
        changed.append(ChangedAsset("web:new", "web", "create", None, "web:new", in_catalog=False))
    return catalog, changed, draw(st.integers(0, 5))


def as_columns(catalog: Catalog) -> Catalog:
    """The same catalog with its assets held as columns, as the cache holds them."""
    ids = sorted(catalog.assets)
    records = [catalog.assets[a] for a in ids]

    def table(values: list[str]) -> tuple[list[str], list[int]]:
        names = sorted(set(values))
        return names, [names.index(v) for v in values]

    systems, system_of = table([a.system for a in records])
    types, type_of = table([a.type for a in records])
    owners, owner_of = table([a.owner for a in records])
    cols = AssetColumns(
        ids, systems, system_of, types, type_of, owners, owner_of, bytes(int(a.critical) for a in records),
        [a.description for a in records], [a.consulted for a in records], [a.informed for a in records],
        ["a.yaml"], [0] * len(ids), [1] * len(ids), [1] * len(ids), display_names=[a.name for a in records],
    )  # fmt: skip
    edges = edge_list_from(ids, {(d.upstream, d.downstream): d.note for d in catalog.dependencies})
    return Catalog(catalog.root, catalog.teams, catalog.systems, AssetTable(cols), edges, catalog.tests)  # type: ignore[arg-type]


def oracle_stakeholders(catalog: Catalog, changed: list[ChangedAsset], impacted: list[Reach]) -> list[tuple[Any, ...]]:
    """Every rule applied one asset at a time; each (team, role, asset) keeps its first sentence."""
    reasons: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)

    def add(team: str, role: str, asset: str, text: str) -> None:
        reasons[team].setdefault((role, asset), text)

    for item in changed:
        system = catalog.systems[item.system]
        found = catalog.assets.get(item.asset)
        add(found.owner if found else system.owner, "responsible", item.asset, f"owns {item.asset}, which this change will {item.action}")
        add(system.owner, "accountable", item.asset, f"owns the tool {system.name} ({system.id}), where {item.asset} changes")
        for role in ("consulted", "informed"):
            for team in getattr(system, role):
                add(team, role, item.asset, f"listed as {role} on the tool {system.id}, where {item.asset} changes")
            for team in getattr(found, role, ()):
                add(team, role, item.asset, f"listed as {role} on {item.asset}, which changes")
    for reach in impacted:
        asset = catalog.assets[reach.asset]
        system = catalog.systems[asset.system]
        away = tools_away(reach.tool_distance, same="in the same tool")
        add(asset.owner, "consulted", asset.id, f"owns {asset.id}, impacted {away}")
        add(system.owner, "consulted", asset.id, f"owns the tool {system.name} ({system.id}), where {asset.id} is impacted")
        for role in ("consulted", "informed"):
            for team in getattr(system, role):
                add(team, role, asset.id, f"listed as {role} on the tool {system.id}, where {asset.id} is impacted")
            for team in getattr(asset, role):
                add(team, role, asset.id, f"listed as {role} on {asset.id}, impacted {away}")
    rows = []
    for team, found_reasons in reasons.items():
        ordered = sorted(found_reasons.items(), key=lambda kv: (ROLES.index(kv[0][0]), kv[0][1]))
        rows.append(
            (
                team,
                tuple(r for r in ROLES if r in {role for role, _ in found_reasons}),
                tuple(sorted({asset for _, asset in found_reasons})),
                tuple(Reason(role, asset, text) for (role, asset), text in ordered),
            )
        )
    rows.sort(key=lambda row: (ROLES.index(row[1][0]), row[0]))
    return rows


def oracle_risks(catalog: Catalog, changed: list[ChangedAsset], impacted: list[Reach]) -> dict[str, Risk]:
    """Each asset's risk from its own record, the start of its path read off the path itself."""
    action_of = {c.asset: c.action for c in changed}
    found = {}
    for r in impacted:
        start = r.path[0]
        level, reasons = risk_of(
            critical=catalog.assets[r.asset].critical, tool_distance=r.tool_distance, tested=r.asset in catalog.tests_by_asset,
            action=action_of.get(start, "modify"), source=start,
        )  # fmt: skip
        found[r.asset] = Risk(level, reasons)
    return found


def impacted_by(catalog: Catalog, changed: list[ChangedAsset], max_tools: int) -> list[Reach]:
    return DependencyGraph(catalog).impact_of({c.asset: c.aspects for c in changed if c.in_catalog}, max_tools)


@settings(max_examples=250, deadline=None)
@given(cases(), st.booleans())
def test_stakeholders_match_the_rule_by_rule_oracle(case: tuple[Catalog, list[ChangedAsset], int], columns: bool) -> None:
    catalog, changed, max_tools = case
    catalog = as_columns(catalog) if columns else catalog
    impacted = impacted_by(catalog, changed, max_tools)
    found = stakeholders_for(catalog, changed, impacted)
    expected = oracle_stakeholders(catalog, changed, impacted)
    assert [(s.team.id, s.roles, s.assets, tuple(s.reasons)) for s in found] == expected
    assert pickle.loads(pickle.dumps(found)) == found  # plain data: a result can be kept or sent elsewhere
    for s, (_, roles, _, reasons) in zip(found, expected):
        assert s.reasons == reasons and reasons == s.reasons and hash(s.reasons) == hash(reasons)
        assert len(s.reasons) == len(reasons)
        assert [s.reasons[i] for i in range(-len(reasons), len(reasons))] == list(reasons + reasons)
        assert s.reasons[1:3] == reasons[1:3]
        assert list(reason_triples(s.reasons)) == [(r.role, r.asset, r.text) for r in reasons]
        assert reason_dicts(s.reasons) == reason_dicts(reasons) == [{"role": r.role, "asset": r.asset, "reason": r.text} for r in reasons]
        assert s.role_reason == next(r for r in reasons if r.role == roles[0])


@settings(max_examples=250, deadline=None)
@given(cases(), st.booleans())
def test_risks_match_the_asset_by_asset_oracle(case: tuple[Catalog, list[ChangedAsset], int], columns: bool) -> None:
    catalog, changed, max_tools = case
    catalog = as_columns(catalog) if columns else catalog
    impacted = impacted_by(catalog, changed, max_tools)
    assert risks_for(catalog, changed, impacted) == oracle_risks(catalog, changed, impacted)


@settings(max_examples=250, deadline=None)
@given(cases())
def test_paths_and_notes_match_one_walk_per_asset(case: tuple[Catalog, list[ChangedAsset], int]) -> None:
    catalog, changed, max_tools = case
    graph = DependencyGraph(catalog)
    impacted = impacted_by(catalog, changed, max_tools)
    found = paths_and_notes(impacted)
    assert found is not None
    assert list(found) == [(r.path, tuple(graph.note(u, v) for u, v in pairwise(r.path))) for r in impacted]
    # Out of order (not as a search lists them): still right, by walking.
    shuffled = impacted[::-1]
    assert list(paths_and_notes(shuffled) or ()) == [(r.path, tuple(graph.note(u, v) for u, v in pairwise(r.path))) for r in shuffled]


@settings(max_examples=100, deadline=None)
@given(cases())
def test_asset_fields_are_the_records_fields(case: tuple[Catalog, list[ChangedAsset], int]) -> None:
    catalog, changed, max_tools = case
    for held in (catalog, as_columns(catalog)):
        fields = AssetFields(held)
        if changed[0].asset < "m":  # positions learned from a search, or not
            graph = DependencyGraph(held)
            fields.learn(graph, graph.downstream([changed[0].asset], max_tools))
        for aid, a in catalog.assets.items():
            assert fields.row(aid) == (a.name, a.system, a.type, a.owner, a.critical, a.consulted, a.informed)
            assert fields.is_critical(aid) == a.critical
        ids = list(catalog.assets)[::-1]
        assert list(zip(*fields.columns(ids))) == [(a.name, a.system, a.type, a.owner, a.critical) for a in (catalog.assets[aid] for aid in ids)]
        assert not fields.is_critical("crm:nowhere")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(json_values, max_size=9), st.integers(1, 4))
def test_items_encoded_in_batches_are_the_bytes_of_the_whole_list(items: list[Any], batch: int) -> None:
    data = {"a": 1, "items": items, "b": [2]}
    out = io.BytesIO()
    write({**data, "items": Streamed(iter(items), len(items), batch=batch)}, out.write)
    assert out.getvalue().decode() == dumps(data)
    assert json.loads(out.getvalue()) == json.loads(dumps(data))


@settings(max_examples=150, deadline=None)
@given(cases())
def test_path_notes_hold_what_the_dict_of_every_reach_would(case: tuple[Catalog, list[ChangedAsset], int]) -> None:
    catalog, changed, max_tools = case
    impacted = impacted_by(catalog, changed, max_tools)
    expected = {(r.via, r.asset): r.note for r in impacted if r.via is not None}
    notes = PathNotes(impacted)
    assert dict(notes) == expected and len(notes) == len(expected)
    for u, v in {*expected, *((b, a) for a, b in expected), ("crm:nowhere", "web:a0")}:
        assert notes.get((u, v), "absent") == expected.get((u, v), "absent")


@pytest.mark.usefixtures("cache_home")
def test_a_check_pauses_the_garbage_collector_only_while_it_answers(small_catalog: Path, tmp_path: Path) -> None:
    change = tmp_path / "changes" / "cr-1.yaml"
    change.parent.mkdir()
    change.write_text(RENAME_PRODUCTS)
    assert gc.isenabled()
    code, out, _ = run_cli("check", str(change), "--format", "json")
    assert code == 0 and json.loads(out)["impacted"]
    assert gc.isenabled()
    gc.disable()
    try:
        run_cli("check", str(change))
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=4) | st.sampled_from(["w:\u202eevil", "w:a\nb", "m:\x1b[31m", "m:x\u200dy"]), min_size=1, max_size=14))
def test_a_path_escaped_at_once_is_its_steps_escaped_one_by_one(path: list[str]) -> None:
    parts = compact_path(path)
    expected = ARROW.join(f"({part} more in the same tool)" if isinstance(part, int) else safe(part) for part in parts)
    assert show_path(path) == expected
