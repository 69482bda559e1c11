"""The aspects rule in the impact search, against an independent oracle on random graphs.

The rule (README, "What a change touches"): a changed asset passes its change
along a dependency that uses at least one aspect its own items touch; every
other reached asset passes it along a dependency that uses ``data``; no
``uses`` means every aspect. Tool distance and why-paths count only the
dependencies that pass the change.

The oracle relaxes (tool crossings, steps) pairs over every dependency until
nothing changes (Bellman-Ford), deciding each dependency with its own reading
of the rule; it shares no code with the search.
"""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from impact.core.catalog import Asset, Catalog, Dependency
from impact.graph.depgraph import DependencyGraph

ASPECT_WORDS = ["name", "content", "values", "logic", "schema", "data", "availability"]
SYSTEMS = ["web", "mkto", "crm"]


def _oracle(
    nodes: list[str], edges: dict[tuple[str, str], frozenset[str] | None], touched: dict[str, frozenset[str]], max_tools: int
) -> dict[str, tuple[int, int]]:
    def system(a: str) -> str:
        return a.split(":")[0]

    def carried(up: str, down: str) -> bool:
        used = edges[(up, down)]
        what = set(ASPECT_WORDS) if used is None else set(used)
        if up in touched:
            return bool(what & set(touched[up]))
        return "data" in what

    best: dict[str, tuple[int, int]] = {a: (0, 0) for a in touched if a in nodes}
    changed = True
    while changed:
        changed = False
        for (up, down) in sorted(edges):
            if up not in best or down in touched or not carried(up, down):
                continue
            crossings, steps = best[up]
            candidate = (crossings + (system(up) != system(down)), steps + 1)
            if candidate[0] <= max_tools and (down not in best or candidate < best[down]):
                best[down] = candidate
                changed = True
    return {a: d for a, d in best.items() if a not in touched}


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[str], dict[tuple[str, str], frozenset[str] | None], dict[str, frozenset[str]], int]:
    n = draw(st.integers(2, 9))
    nodes = sorted({f"{draw(st.sampled_from(SYSTEMS))}:a{i}" for i in range(n)})
    aspects = st.frozensets(st.sampled_from(ASPECT_WORDS), min_size=1, max_size=3)
    pairs = draw(st.lists(st.tuples(st.sampled_from(nodes), st.sampled_from(nodes)), max_size=20))
    edges = {(u, v): draw(st.none() | aspects) for u, v in pairs if u != v}
    changed = draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=3, unique=True))
    touched = {a: draw(aspects) for a in changed}
    return nodes, edges, touched, draw(st.integers(0, 4))


def _graph(nodes: list[str], edges: dict[tuple[str, str], frozenset[str] | None]) -> DependencyGraph:
    assets = {a: Asset(a, a.split(":")[0], a.split(":")[1], "x", "t") for a in nodes}
    deps = [Dependency(u, v, None, uses) for (u, v), uses in sorted(edges.items())]
    return DependencyGraph(Catalog("c", {}, {}, assets, deps, {}))


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_impact_follows_only_the_dependencies_that_carry_the_change(scenario) -> None:  # type: ignore[no-untyped-def]
    nodes, edges, touched, max_tools = scenario
    reached = _graph(nodes, edges).impact_of(touched, max_tools)
    expected = _oracle(nodes, edges, touched, max_tools)
    assert {r.asset: (r.tool_distance, r.steps) for r in reached} == expected
    for r in reached:
        path = r.path
        assert path[0] in touched and path[-1] == r.asset
        # The why-path is made of dependencies that carry the change, and is as short as the distance says.
        assert all((u, v) in edges for u, v in pairwise(path))
        assert all(
            (u in touched and (edges[(u, v)] is None or edges[(u, v)] & touched[u]))
            or (u not in touched and (edges[(u, v)] is None or "data" in edges[(u, v)]))
            for u, v in pairwise(path)
        )
        crossings = sum(u.split(":")[0] != v.split(":")[0] for u, v in pairwise(path))
        assert (crossings, len(path) - 1) == (r.tool_distance, r.steps)


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_without_uses_the_answer_is_the_plain_search(scenario) -> None:  # type: ignore[no-untyped-def]
    nodes, edges, touched, max_tools = scenario
    plain = {pair: None for pair in edges}
    graph = _graph(nodes, plain)
    assert graph.impact_of(touched, max_tools) == graph.downstream(list(touched), max_tools)


def test_a_footer_edit_stops_at_what_uses_only_the_name() -> None:
    edges: dict[tuple[str, str], frozenset[str] | None] = {
        ("web:footer", "mkto:form"): frozenset({"name"}),
        ("web:footer", "web:page"): None,
        ("web:page", "crm:report"): frozenset({"data"}),
        ("web:page", "crm:copy"): frozenset({"content"}),
    }
    graph = _graph(["crm:copy", "crm:report", "mkto:form", "web:footer", "web:page"], edges)
    reached = graph.impact_of({"web:footer": frozenset({"content"})}, 5)
    assert [(r.asset, r.tool_distance) for r in reached] == [("web:page", 0), ("crm:report", 1)]
    # A rename touches the name: the form that keys on it is reached too.
    renamed = graph.impact_of({"web:footer": frozenset({"name"})}, 5)
    assert {r.asset for r in renamed} == {"mkto:form", "web:page", "crm:report"}
