"""The upstream trace with the aspects rule, against ``check`` on random graphs.

An upstream asset U can break X when a change to U in every aspect reaches
X: that is the oracle, asked once per asset through the impact search that
``impact check`` uses (itself held against an independent oracle in
``test_aspects_oracle.py``). The trace must list exactly those assets, at the
same tool distance and steps, each with a why-path the rule lets a change travel.
"""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from impact.core.aspects import EVERY
from tests.test_aspects_oracle import ASPECT_WORDS, SYSTEMS, _graph


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[str], dict[tuple[str, str], frozenset[str] | None], str, int]:
    n = draw(st.integers(2, 9))
    nodes = sorted({f"{draw(st.sampled_from(SYSTEMS))}:a{i}" for i in range(n)})
    aspects = st.frozensets(st.sampled_from(ASPECT_WORDS), min_size=1, max_size=3)
    pairs = draw(st.lists(st.tuples(st.sampled_from(nodes), st.sampled_from(nodes)), max_size=20))
    edges = {(u, v): draw(st.none() | aspects) for u, v in pairs if u != v}
    return nodes, edges, draw(st.sampled_from(nodes)), draw(st.integers(0, 4))


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_trace_lists_exactly_the_assets_whose_change_reaches_the_asset(scenario) -> None:  # type: ignore[no-untyped-def]
    nodes, edges, target, max_tools = scenario
    graph = _graph(nodes, edges)
    expected = {}
    for u in nodes:
        hit = next((r for r in graph.impact_of({u: EVERY}, max_tools) if r.asset == target), None)
        if hit is not None:
            expected[u] = (hit.tool_distance, hit.steps)
    traced = graph.upstream([target], max_tools)
    assert {r.asset: (r.tool_distance, r.steps) for r in traced} == expected
    for r in traced:
        path = r.path
        assert path[0] == r.asset and path[-1] == target and len(path) == r.steps + 1
        assert sum(a.split(":")[0] != b.split(":")[0] for a, b in pairwise(path)) == r.tool_distance
        for i, step in enumerate(pairwise(path)):
            assert step in edges
            used = edges[step]
            assert used is None or (i == 0 and bool(used)) or "data" in used
        assert r.via == path[1]
        points = r.key_points
        assert points[0] == (0, r.asset) and points[-1] == (r.steps, target)
        assert all(path[i] == a for i, a in points)
        crossings = {j for i, (a, b) in enumerate(pairwise(path)) if a.split(":")[0] != b.split(":")[0] for j in (i, i + 1)}
        assert [i for i, _ in points] == sorted({0, r.steps} | crossings)
