"""The impact traversal against an independent oracle on random graphs with cycles.

The oracle is Floyd–Warshall over explicit weights (networkx's
``floyd_warshall``, a different algorithm from the Dijkstra the code uses):
tool distance with 0/1 weights, and the lexicographic (tool distance, steps)
order with a composite weight.
"""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from impact.core.catalog import Asset, Catalog, Dependency
from impact.graph.depgraph import DependencyGraph, Reach

SYSTEMS = ["web", "gtm", "mkto", "crm", "bi"]


@st.composite
def graphs(draw: st.DrawFn) -> tuple[dict[str, str], list[tuple[str, str]], list[str], int]:
    n = draw(st.integers(1, 14))
    nodes = {f"{draw(st.sampled_from(SYSTEMS))}:a{i}": "" for i in range(n)}
    names = sorted(nodes)
    system_of = {a: a.split(":")[0] for a in names}
    pairs = [(u, v) for u in names for v in names if u != v]
    edges = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=40)) if pairs else []
    sources = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    max_tools = draw(st.integers(0, 5))
    return system_of, edges, sources, max_tools


def catalog_of(system_of: dict[str, str], edges: list[tuple[str, str]]) -> Catalog:
    assets = {a: Asset(a, s, a.split(":", 1)[1], "thing", "team") for a, s in system_of.items()}
    deps = [Dependency(u, v) for u, v in sorted(edges)]
    return Catalog("mem", {}, {}, dict(sorted(assets.items())), deps, {})


def oracle(system_of: dict[str, str], edges: list[tuple[str, str]], sources: list[str]) -> dict[str, tuple[int, int]]:
    """Best (tool distance, steps) from any source to every reachable node."""
    big = len(system_of) + 1
    g = nx.DiGraph()
    g.add_nodes_from(system_of)
    for u, v in edges:
        cross = int(system_of[u] != system_of[v])
        g.add_edge(u, v, w=cross * big + 1)
    dist = nx.floyd_warshall(g, weight="w")
    best: dict[str, tuple[int, int]] = {}
    for v in system_of:
        d = min(dist[s][v] for s in sources)
        if d != float("inf"):
            best[v] = (int(d) // big, int(d) % big)
    return best


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_downstream_matches_oracle(case: tuple[dict[str, str], list[tuple[str, str]], list[str], int]) -> None:
    system_of, edges, sources, max_tools = case
    graph = DependencyGraph(catalog_of(system_of, edges))
    reached = {r.asset: r for r in graph.downstream(sources, max_tools)}
    expected = {v: d for v, d in oracle(system_of, edges, sources).items() if v not in sources and d[0] <= max_tools}

    assert set(reached) == set(expected)
    edge_set = set(edges)
    for asset, r in reached.items():
        assert (r.tool_distance, r.steps) == expected[asset]
        # The path explains the answer: it starts at a changed asset, follows
        # real edges, ends here, and its crossings and length are the ones claimed.
        assert r.path[0] in sources and r.path[-1] == asset
        hops = list(zip(r.path, r.path[1:]))
        assert all(h in edge_set for h in hops)
        assert sum(system_of[u] != system_of[v] for u, v in hops) == r.tool_distance
        assert len(hops) == r.steps
        assert r.via == r.path[-2]
        assert_key_points_fold_the_path(r, system_of)


def assert_key_points_fold_the_path(r: Reach, system_of: dict[str, str]) -> None:
    """Key points sit on the path, hold both ends and both sides of every tool crossing, nothing else."""
    points = r.key_points
    assert all(r.path[i] == a for i, a in points)
    crossings = {j for i in range(1, len(r.path)) if system_of[r.path[i - 1]] != system_of[r.path[i]] for j in (i - 1, i)}
    assert [i for i, _ in points] == sorted({0, len(r.path) - 1} | crossings)


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_upstream_is_downstream_of_the_reversed_graph(case: tuple[dict[str, str], list[tuple[str, str]], list[str], int]) -> None:
    system_of, edges, targets, max_tools = case
    graph = DependencyGraph(catalog_of(system_of, edges))
    reached = {r.asset: r for r in graph.upstream(targets, max_tools)}
    expected = {
        v: d for v, d in oracle(system_of, [(b, a) for a, b in edges], targets).items() if v not in targets and d[0] <= max_tools
    }
    assert {a: (r.tool_distance, r.steps) for a, r in reached.items()} == expected
    for asset, r in reached.items():
        # Upstream paths read with the edges: from the upstream asset to a target.
        assert r.path[0] == asset and r.path[-1] in targets
        assert all((u, v) in set(edges) for u, v in zip(r.path, r.path[1:]))
        assert_key_points_fold_the_path(r, system_of)


@settings(max_examples=100, deadline=None)
@given(graphs())
def test_answers_do_not_depend_on_input_order(case: tuple[dict[str, str], list[tuple[str, str]], list[str], int]) -> None:
    system_of, edges, sources, max_tools = case
    first = DependencyGraph(catalog_of(system_of, edges)).downstream(sources, max_tools)
    again = DependencyGraph(catalog_of(dict(reversed(list(system_of.items()))), edges[::-1])).downstream(sources[::-1], max_tools)
    assert first == again


def test_cycles_terminate_and_are_reported_once() -> None:
    system_of = {"crm:x": "crm", "mkto:y": "mkto", "mkto:z": "mkto"}
    edges = [("crm:x", "mkto:y"), ("mkto:y", "crm:x"), ("mkto:y", "mkto:z")]
    graph = DependencyGraph(catalog_of(system_of, edges))
    assert [(r.asset, r.tool_distance, r.path) for r in graph.downstream(["crm:x"])] == [
        ("mkto:y", 1, ("crm:x", "mkto:y")),
        ("mkto:z", 1, ("crm:x", "mkto:y", "mkto:z")),
    ]
    assert graph.cycles() == [["crm:x", "mkto:y"]]
