"""The array search (impact.graph.search) against the networkx search it replaced.

The reference below is the search impact used before, written with networkx:
Dijkstra over the composite weight, then each reached asset's nearer
neighbour read off the distances as the first id on a shortest path. The
array search must give the same answer to the letter: the same assets, tool
distances, steps, why-paths (so the same tie-breaking between equally short
paths), in the same order; and the same cycles as ``networkx.find_cycle``.
Graphs are drawn with few systems and many edges, so that ties are common.
"""

from __future__ import annotations

from itertools import pairwise

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from impact.core.catalog import Asset, Catalog, Dependency
from impact.graph.depgraph import DependencyGraph
from impact.graph.search import cyclic_components, reverse, shortest_reach

Case = tuple[dict[str, str], list[tuple[str, str]], list[str], int]


@st.composite
def graphs(draw: st.DrawFn, max_nodes: int = 16) -> Case:
    n = draw(st.integers(1, max_nodes))
    systems = draw(st.sampled_from([["a"], ["a", "b"], ["a", "b", "c"], ["web", "gtm", "mkto", "crm", "bi"]]))
    nodes = [f"{draw(st.sampled_from(systems))}:n{i:02d}" for i in range(n)]
    system_of = {a: a.split(":")[0] for a in nodes}
    pairs = [(u, v) for u in nodes for v in nodes if u != v]
    edges = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=4 * n)) if pairs else []
    sources = draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=3, unique=True))
    return system_of, edges, sources, draw(st.integers(0, 5))


def catalog_of(system_of: dict[str, str], edges: list[tuple[str, str]]) -> Catalog:
    assets = {a: Asset(a, s, a.split(":", 1)[1], "thing", "team") for a, s in system_of.items()}
    return Catalog("mem", {}, {}, assets, [Dependency(u, v) for u, v in edges], {})


def reference(system_of: dict[str, str], edges: list[tuple[str, str]], sources: list[str], max_tools: int) -> list[tuple[str, int, int, tuple[str, ...]]]:
    """The networkx search as impact ran it before the array search: (asset, tool distance, steps, path)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(system_of))
    graph.add_edges_from(sorted(edges))
    big = len(system_of) + 1

    def weight(u: str, v: str, _data: object) -> int:
        return big + 1 if system_of[u] != system_of[v] else 1

    starts = sorted(set(sources))
    dist = nx.multi_source_dijkstra_path_length(graph, starts, cutoff=max_tools * big + big - 1, weight=weight)
    toward: dict[str, str] = {}
    for u in sorted(dist):
        for v in graph.succ[u]:
            if v not in toward and v not in starts and dist.get(v) == dist[u] + weight(u, v, None):
                toward[v] = u
    out = []
    for node, d in dist.items():
        if d:
            path = [node]
            while path[-1] in toward:
                path.append(toward[path[-1]])
            out.append((node, d // big, d % big, tuple(reversed(path))))
    return sorted(out, key=lambda r: (r[1], r[2], r[0]))


@settings(max_examples=400, deadline=None)
@given(graphs())
def test_downstream_is_the_networkx_answer(case: Case) -> None:
    system_of, edges, sources, max_tools = case
    got = DependencyGraph(catalog_of(system_of, edges)).downstream(sources, max_tools)
    assert [(r.asset, r.tool_distance, r.steps, r.path) for r in got] == reference(system_of, edges, sources, max_tools)


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_upstream_is_the_networkx_answer_on_the_reversed_graph(case: Case) -> None:
    system_of, edges, targets, max_tools = case
    got = DependencyGraph(catalog_of(system_of, edges)).upstream(targets, max_tools)
    expected = reference(system_of, [(v, u) for u, v in edges], targets, max_tools)
    # Upstream paths are read with the edges: from the upstream asset to the target.
    assert [(r.asset, r.tool_distance, r.steps, r.path) for r in got] == [(a, t, s, p[::-1]) for a, t, s, p in expected]


@settings(max_examples=200, deadline=None)
@given(graphs(), st.data())
def test_a_filter_is_the_search_without_the_edges_it_refuses(case: Case, data: st.DataObject) -> None:
    system_of, edges, sources, max_tools = case
    refused = set(data.draw(st.lists(st.sampled_from(edges), unique=True)) if edges else [])
    graph = DependencyGraph(catalog_of(system_of, edges))
    ids = sorted(system_of)

    def follow(u: int, v: int, _pos: int) -> bool:
        return (ids[u], ids[v]) not in refused

    got = graph.downstream(sources, max_tools, follow=follow)
    kept = [e for e in edges if e not in refused]
    assert [(r.asset, r.tool_distance, r.steps, r.path) for r in got] == reference(system_of, kept, sources, max_tools)


def test_long_chains_and_wide_ties_stay_exact() -> None:
    # A 3,000-asset chain through two systems alternating every 7 assets, and
    # a fan of equally short paths: the reference and the array search agree.
    chain = [f"{'ab'[i // 7 % 2]}:c{i:05d}" for i in range(3000)]
    fan = [f"a:f{i:03d}" for i in range(50)]
    system_of = {a: a.split(":")[0] for a in chain + fan + ["b:sink"]}
    edges = list(pairwise(chain)) + [(chain[0], f) for f in fan] + [(f, "b:sink") for f in fan]
    got = DependencyGraph(catalog_of(system_of, edges)).downstream([chain[0]], 500)
    assert [(r.asset, r.tool_distance, r.steps, r.path) for r in got] == reference(system_of, edges, [chain[0]], 500)
    assert got[-1].tool_distance == max(r.tool_distance for r in got)


@settings(max_examples=300, deadline=None)
@given(graphs(max_nodes=12))
def test_cycles_are_the_ones_networkx_finds(case: Case) -> None:
    system_of, edges, _sources, _max_tools = case
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(system_of))
    graph.add_edges_from(sorted(edges))  # adjacency in id order, as the arrays keep it
    expected = []
    for component in nx.strongly_connected_components(graph):
        if len(component) > 1:
            cycle = [u for u, _ in nx.find_cycle(graph.subgraph(component), source=min(component))]
            first = cycle.index(min(cycle))
            expected.append(cycle[first:] + cycle[:first])
    assert DependencyGraph(catalog_of(system_of, edges)).cycles() == sorted(expected)


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_components_and_reversal_against_networkx(case: Case) -> None:
    system_of, edges, _sources, _max_tools = case
    ids = sorted(system_of)
    index = {a: i for i, a in enumerate(ids)}
    rows: list[list[int]] = [[] for _ in ids]
    for u, v in edges:
        rows[index[u]].append(index[v])
    offsets, targets = [0], []
    for row in rows:
        targets += sorted(row)
        offsets.append(len(targets))
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(ids)))
    graph.add_edges_from((index[u], index[v]) for u, v in edges)
    assert sorted(map(sorted, cyclic_components(offsets, targets))) == sorted(
        sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1
    )
    back_offsets, back_targets, origin = reverse(offsets, targets)
    back = [(back_targets[p], v) for v in range(len(ids)) for p in range(back_offsets[v], back_offsets[v + 1])]
    assert sorted(back) == sorted(graph.edges)
    # Each reversed edge knows where it stands in the original rows.
    assert all(targets[origin[p]] == v for v in range(len(ids)) for p in range(back_offsets[v], back_offsets[v + 1]))


def test_sources_outside_the_cutoff_and_unknown_ids() -> None:
    dist, toward, edge = shortest_reach([0, 1, 1], [1], [0, 1], [0], max_tools=0, big=3)
    assert (dist, toward, edge) == ({0: 0}, {}, {})  # one crossing is over a cutoff of 0 tools
    graph = DependencyGraph(catalog_of({"a:x": "a"}, []))
    assert graph.downstream(["nope:y"]) == [] and "a:x" in graph and "nope:y" not in graph


@settings(max_examples=200, deadline=None)
@given(graphs(), st.data())
def test_each_reach_carries_the_note_of_its_last_dependency(case: Case, data: st.DataObject) -> None:
    system_of, edges, sources, max_tools = case
    noted = {e: f"note {i}" for i, e in enumerate(edges) if data.draw(st.booleans())}
    assets = {a: Asset(a, s, a.split(":", 1)[1], "thing", "team") for a, s in system_of.items()}
    catalog = Catalog("mem", {}, {}, assets, [Dependency(u, v, noted.get((u, v))) for u, v in edges], {})
    graph = DependencyGraph(catalog)
    for r in graph.downstream(sources, max_tools):
        assert r.via is not None and r.note == noted.get((r.via, r.asset)) == graph.note(r.via, r.asset)
    for r in graph.upstream(sources, max_tools):
        assert r.via is not None and r.note == noted.get((r.asset, r.via)) == graph.note(r.asset, r.via)
