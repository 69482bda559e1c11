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

from impact.core.aspects import add_up, pack, touched
from impact.core.catalog import Asset, Catalog, Dependency
from impact.graph.depgraph import DependencyGraph

ASPECT_WORDS = ["name", "content", "values", "logic", "schema", "data", "availability"]
SYSTEMS = ["web", "mkto", "crm"]


def _oracle(
    nodes: list[str],
    edges: dict[tuple[str, str], frozenset[str] | None],
    touched: dict[str, frozenset[str]],
    max_tools: int,
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
        for up, down in sorted(edges):
            if up not in best or down in touched or not carried(up, down):
                continue
            crossings, steps = best[up]
            candidate = (crossings + (system(up) != system(down)), steps + 1)
            if candidate[0] <= max_tools and (down not in best or candidate < best[down]):
                best[down] = candidate
                changed = True
    return {a: d for a, d in best.items() if a not in touched}


@st.composite
def scenarios(
    draw: st.DrawFn,
) -> tuple[list[str], dict[tuple[str, str], frozenset[str] | None], dict[str, frozenset[str]], int]:
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


# --- values: which values a change names and a dependency tests -------------------------------

VALUE_WORDS = ["New", "In Progress", "Closed"]
Item = tuple[str, frozenset[str] | None, frozenset[str] | None]  # (action, aspects, values) as a change file says them
Declared = tuple[frozenset[str] | None, frozenset[str] | None]  # (uses, values) as a dependency says them


def _values_oracle(
    nodes: list[str], edges: dict[tuple[str, str], Declared], items: dict[str, list[Item]], max_tools: int
) -> dict[str, tuple[int, int]]:
    """The rule read from the README, with no code of impact: then the same relaxation as :func:`_oracle`."""
    every = set(ASPECT_WORDS)

    def item_aspects(action: str, aspects: frozenset[str] | None, values: frozenset[str] | None) -> set[str]:
        if aspects is not None:
            return set(aspects)
        if values:
            return {"values"}
        return {"name"} if action == "rename" else set(every)

    def change_of(asset: str) -> tuple[set[str], set[str] | None]:
        aspects: set[str] = set()
        named: set[str] | None = set()
        for action, said, values in items[asset]:
            its = item_aspects(action, said, values)
            aspects |= its
            if "values" in its:
                named = None if named is None or not values else named | values
        return aspects, named

    def carried(up: str, down: str) -> bool:
        used, tests = edges[(up, down)]
        what = every if used is None else set(used)
        if up not in items:
            return "data" in what
        aspects, named = change_of(up)
        shared = what & aspects
        if shared - {"values"}:
            return True
        if not shared:
            return False
        return not tests or not named or bool(set(tests) & named)

    changes = {a: change_of(a) for a in items}
    if all(aspects == {"values"} and named for aspects, named in changes.values()):
        return _value_level_oracle(nodes, edges, changes, carried, max_tools)
    return _relax(nodes, sorted(edges), set(items), carried, max_tools)


def _value_level_oracle(  # type: ignore[no-untyped-def]
    nodes: list[str],
    edges: dict[tuple[str, str], Declared],
    changes: dict[str, tuple[set[str], set[str]]],
    carried,
    max_tools: int,
) -> dict[str, tuple[int, int]]:
    """A change to named values only (README, "One value, not every value"), relaxed over (asset, state) pairs.

    States: "data" (passes on what it produces), "carry" (read the value whole:
    passes the named values on).
    Left out: what tests a changed field only for values the change does not name.
    """
    named = set().union(*(n for _, n in changes.values()))

    def what_of(up: str, down: str) -> tuple[set[str], set[str]]:
        used, tests = edges[(up, down)]
        return (set(ASPECT_WORDS) if used is None else set(used)), set(tests or ())

    scoped, passed = set(), set()
    for up, down in edges:
        if up in changes:
            what, tests = what_of(up, down)
            if carried(up, down):
                passed.add(down)
            elif "values" in what and tests:
                scoped.add(down)
    left_out = scoped - passed - set(changes)

    def step(up: str, state: str, down: str) -> str | None:
        what, tests = what_of(up, down)
        if up in changes:
            if not carried(up, down):
                return None
            return "carry" if not tests else "data"
        if state == "data":
            return "data" if "data" in what else None
        if state == "carry":
            if edges[(up, down)][0] is None and not tests:
                return "carry"
            if "data" not in what:
                return None
            if not tests:
                return "carry"
            return "data" if tests & named else None
        return None

    best: dict[tuple[str, str], tuple[int, int]] = {(a, "data"): (0, 0) for a in changes if a in nodes}
    again = True
    while again:
        again = False
        for up, down in sorted(edges):
            if down in changes or down in left_out:
                continue
            for state in ("data", "carry"):
                if (up, state) not in best or (up in changes and state != "data"):
                    continue
                to = step(up, state, down)
                if to is None:
                    continue
                crossings, steps = best[(up, state)]
                candidate = (crossings + (up.split(":")[0] != down.split(":")[0]), steps + 1)
                if candidate[0] <= max_tools and ((down, to) not in best or candidate < best[(down, to)]):
                    best[(down, to)] = candidate
                    again = True
    out: dict[str, tuple[int, int]] = {}
    for (asset, _state), d in best.items():
        if asset not in changes and (asset not in out or d < out[asset]):
            out[asset] = d
    return out


def _relax(
    nodes: list[str], edges: list[tuple[str, str]], changed: set[str], carried, max_tools: int
) -> dict[str, tuple[int, int]]:  # type: ignore[no-untyped-def]
    best: dict[str, tuple[int, int]] = {a: (0, 0) for a in changed if a in nodes}
    again = True
    while again:
        again = False
        for up, down in edges:
            if up not in best or down in changed or not carried(up, down):
                continue
            crossings, steps = best[up]
            candidate = (crossings + (up.split(":")[0] != down.split(":")[0]), steps + 1)
            if candidate[0] <= max_tools and (down not in best or candidate < best[down]):
                best[down] = candidate
                again = True
    return {a: d for a, d in best.items() if a not in changed}


@st.composite
def value_scenarios(draw: st.DrawFn) -> tuple[list[str], dict[tuple[str, str], Declared], dict[str, list[Item]], int]:
    n = draw(st.integers(2, 8))
    nodes = sorted({f"{draw(st.sampled_from(SYSTEMS))}:a{i}" for i in range(n)})
    aspects = st.frozensets(st.sampled_from(["values", "values", "logic", "data", "name"]), min_size=1, max_size=2)
    values = st.frozensets(st.sampled_from(VALUE_WORDS), min_size=1, max_size=2)
    pairs = draw(st.lists(st.tuples(st.sampled_from(nodes), st.sampled_from(nodes)), max_size=16))
    edges = {(u, v): (draw(st.none() | aspects), draw(st.none() | values)) for u, v in pairs if u != v}
    changed = draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=2, unique=True))
    item = st.tuples(st.sampled_from(["modify", "rename"]), st.none() | aspects, st.none() | values)
    items = {a: draw(st.lists(item, min_size=1, max_size=3)) for a in changed}
    return nodes, edges, items, draw(st.integers(0, 3))


@settings(max_examples=400, deadline=None)
@given(value_scenarios())
def test_values_narrow_the_impact_as_the_oracle_reads_the_rule(scenario) -> None:  # type: ignore[no-untyped-def]
    nodes, edges, items, max_tools = scenario
    assets = {a: Asset(a, a.split(":")[0], a.split(":")[1], "x", "t") for a in nodes}
    deps = [Dependency(u, v, None, pack(uses, tests)) for (u, v), (uses, tests) in sorted(edges.items())]
    graph = DependencyGraph(Catalog("c", {}, {}, assets, deps, {}))
    touched_by = {}
    for asset, its in items.items():
        total: frozenset[str] = frozenset()
        for action, said, values in its:
            total = add_up(total, touched(action, said, values))
        touched_by[asset] = total
    reached = graph.impact_of(touched_by, max_tools)
    assert {r.asset: (r.tool_distance, r.steps) for r in reached} == _values_oracle(nodes, edges, items, max_tools)
    for r in reached:  # the why line names only values both sides name, on a first step from a change
        assert set(r.tests) <= set(VALUE_WORDS)
        if r.tests:
            first = r.path[1]
            assert set(r.tests) <= set(edges[(r.path[0], first)][1] or ())


def test_a_change_to_one_value_reaches_what_tests_it_and_what_tests_none() -> None:
    edges: dict[tuple[str, str], Declared] = {
        ("crm:status", "crm:flow_progress"): (frozenset({"values"}), frozenset({"In Progress", "New"})),
        ("crm:status", "crm:flow_closed"): (frozenset({"values"}), frozenset({"Closed"})),
        ("crm:status", "crm:copy"): (frozenset({"values"}), None),
        ("crm:status", "crm:rule"): (frozenset({"values", "logic"}), frozenset({"Closed"})),
    }
    assets = {a: Asset(a, "crm", a[4:], "x", "t") for a in {n for pair in edges for n in pair}}
    graph = DependencyGraph(
        Catalog("c", {}, {}, assets, [Dependency(u, v, None, pack(*d)) for (u, v), d in edges.items()], {})
    )
    one = graph.impact_of({"crm:status": touched("modify", None, ["In Progress"])}, 5)
    assert {r.asset: r.tests for r in one} == {"crm:flow_progress": ("In Progress",), "crm:copy": ()}
    every = graph.impact_of({"crm:status": touched("modify", ["values"], None)}, 5)
    assert {r.asset for r in every} == {"crm:flow_progress", "crm:flow_closed", "crm:copy", "crm:rule"}
    # values narrow only the values aspect: a logic change reaches the rule that tests Closed
    logic = graph.impact_of({"crm:status": touched("modify", ["values", "logic"], ["In Progress"])}, 5)
    assert {r.asset for r in logic} == {"crm:flow_progress", "crm:copy", "crm:rule"}


# --- one value, not every value: scope and carried values (issue #29) --------------------------


@st.composite
def value_level_scenarios(
    draw: st.DrawFn,
) -> tuple[list[str], dict[tuple[str, str], Declared], dict[str, list[Item]], int]:
    """Changes that name values and touch nothing else, over dependencies that test values, read them whole or write them."""
    n = draw(st.integers(3, 7))
    nodes = sorted({f"{draw(st.sampled_from(SYSTEMS))}:a{i}" for i in range(n)})
    aspects = st.sampled_from(
        [
            None,
            frozenset({"values"}),
            frozenset({"data"}),
            frozenset({"name", "schema", "values"}),
            frozenset({"values", "data"}),
        ]
    )
    values = st.frozensets(st.sampled_from(VALUE_WORDS), min_size=1, max_size=2)
    changed = draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=2, unique=True))
    # Most dependencies start at a changed asset or one step from it: that is where the two rules act.
    out_of_change = st.tuples(st.sampled_from(changed), st.sampled_from(nodes))
    chain = [draw(st.sampled_from(changed)), *draw(st.lists(st.sampled_from(nodes), min_size=3, max_size=4))]
    pairs = (
        list(pairwise(chain))
        + draw(st.lists(out_of_change, min_size=1, max_size=6))
        + draw(st.lists(st.tuples(st.sampled_from(nodes), st.sampled_from(nodes)), min_size=4, max_size=20))
    )
    whole_or_tests = st.one_of(st.none(), st.none(), values)  # reads the value whole twice as often as it tests one
    edges = {(u, v): (draw(aspects), draw(whole_or_tests)) for u, v in pairs if u != v}
    edges = {pair: (uses, tests if uses is None or "values" in uses else None) for pair, (uses, tests) in edges.items()}
    items = {a: [("modify", None, draw(values))] for a in changed}
    return nodes, edges, items, draw(st.integers(0, 3))


def _declared_graph(nodes: list[str], edges: dict[tuple[str, str], Declared]) -> DependencyGraph:
    assets = {a: Asset(a, a.split(":")[0], a.split(":")[1], "x", "t") for a in nodes}
    deps = [Dependency(u, v, None, pack(uses, tests)) for (u, v), (uses, tests) in sorted(edges.items())]
    return DependencyGraph(Catalog("c", {}, {}, assets, deps, {}))


@settings(max_examples=500, deadline=None)
@given(value_level_scenarios())
def test_a_value_level_change_is_scoped_and_carried_as_the_oracle_reads_it(scenario) -> None:  # type: ignore[no-untyped-def]
    nodes, edges, items, max_tools = scenario
    graph = _declared_graph(nodes, edges)
    touched_by = {a: touched(*its[0]) for a, its in items.items()}
    reached = graph.impact_of(touched_by, max_tools)
    assert {r.asset: (r.tool_distance, r.steps) for r in reached} == _values_oracle(nodes, edges, items, max_tools)
    for r in reached:  # each why-path is a chain of dependencies, exactly as long as the distance says
        path = r.path
        assert path[0] in items and path[-1] == r.asset and not set(path[1:]) & set(items)
        assert all((u, v) in edges for u, v in pairwise(path))
        crossings = sum(u.split(":")[0] != v.split(":")[0] for u, v in pairwise(path))
        assert (crossings, len(path) - 1) == (r.tool_distance, r.steps)


@settings(max_examples=300, deadline=None)
@given(value_level_scenarios())
def test_naming_values_never_reaches_more_or_nearer_than_every_value(scenario) -> None:  # type: ignore[no-untyped-def]
    nodes, edges, items, max_tools = scenario
    graph = _declared_graph(nodes, edges)
    one = {
        r.asset: (r.tool_distance, r.steps)
        for r in graph.impact_of({a: touched(*its[0]) for a, its in items.items()}, max_tools)
    }
    every = {
        r.asset: (r.tool_distance, r.steps)
        for r in graph.impact_of({a: touched("modify", ["values"]) for a in items}, max_tools)
    }
    assert set(one) <= set(every)
    assert all(one[a] >= every[a] for a in one)


def test_one_status_value_leaves_out_other_values_flows_and_carries_through_copies() -> None:
    # status: New changes. copy reads it whole; closed_flow starts on Closed only; new_flow tests New; writer writes New.
    edges: dict[tuple[str, str], Declared] = {
        ("crm:status", "crm:copy"): (None, None),
        ("crm:status", "crm:closed_flow"): (None, frozenset({"Closed"})),
        ("crm:status", "crm:new_flow"): (None, frozenset({"New"})),
        ("crm:status", "crm:writer"): (frozenset({"name", "schema", "values"}), frozenset({"New"})),
        ("crm:copy", "crm:copy_closed_rule"): (None, frozenset({"Closed"})),  # tests another value of the copy
        ("crm:copy", "bi:copy_report"): (None, None),  # shows the copy
        ("crm:new_flow", "crm:owner"): (None, None),  # new_flow writes the owner: new data
        ("crm:owner", "crm:closed_flow"): (None, None),  # closed_flow reads the owner too: still left out
        ("crm:writer", "crm:other"): (None, None),  # the writer's other field: what it does may differ now
    }
    nodes = sorted({n for pair in edges for n in pair})
    graph = _declared_graph(nodes, edges)
    one = graph.impact_of({"crm:status": touched("modify", None, ["New"])}, 5)
    assert {r.asset: r.steps for r in one} == {
        "crm:copy": 1,
        "crm:new_flow": 1,
        "crm:writer": 1,
        "bi:copy_report": 2,
        "crm:owner": 2,
        "crm:other": 2,
    }
    assert graph.left_out({"crm:status": touched("modify", None, ["New"])}) == ["crm:closed_flow"]
    assert {r.asset: r.carries for r in one if r.carries} == {"crm:copy": ("New",), "bi:copy_report": ("New",)}
    every = graph.impact_of({"crm:status": touched("modify", ["values"])}, 5)
    assert {r.asset for r in every} == set(nodes) - {"crm:status"}
