"""Graph pictures: choosing what to draw of one or more changes, or of a catalog.

Three steps, each in its module, so others can reuse any:

* here, :func:`impact_picture` (one or more change requests) and
  :func:`catalog_picture` (a whole catalog, one tool, or the neighbourhood of
  one asset) decide *what* to draw (a :class:`~impact.render.drawing.Drawing`)
  and return Graphviz DOT source, built by
  :mod:`impact.render.dot`;
* :func:`impact.render.graphviz.render_picture` lays the DOT out with the
  Graphviz engine that the ``pygraphviz`` wheel carries inside (no ``dot``
  program needed) and returns the bytes of an SVG, PNG or PDF;
* :mod:`impact.render.svg` cleans the SVG (nothing scriptable, nodes tagged
  with their asset ids).

Large graphs: above ``max_nodes`` assets, each tool's farthest assets are
folded into one dashed "+N more" box; changed assets, the focus and every
asset on the path to a critical asset are always kept, and the picture says
what was folded. A picture that would still exceed
:data:`~impact.render.drawing.HARD_MAX_NODES` nodes or
:data:`~impact.render.drawing.HARD_MAX_EDGES` edges is refused at once with a
hint, so a layout never runs for minutes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from xml.etree import ElementTree

import networkx as nx

from impact.analysis.check import CheckResult
from impact.analysis.conflicts import Conflict, conflict_sentence
from impact.analysis.releases import ReleaseResult, waiting_for
from impact.core.catalog import Catalog
from impact.core.distance import tools_away
from impact.core.errors import ImpactError
from impact.core.ids import split_asset_id, suggest_asset, suggest_system
from impact.graph.depgraph import DependencyGraph
from impact.load.change import ChangeRequest
from impact.render.dot import CHANGED_FILL, CONTEXT_FILL, DISTANCE_COLOURS, UPSTREAM_FILL, distance_colour, to_dot
from impact.render.drawing import (
    HARD_MAX_NODES,
    HARD_MAX_TOOLS,
    TOO_LARGE_HINT,
    Drawing,
    Holder,
    PictureConflict,
    Shown,
    Verdict,
)
from impact.render.graphviz import render_picture

DEFAULT_MAX_NODES = 60
"""Assets drawn one by one before far assets are folded into "+N more" boxes."""


def _few(assets: Sequence[str], shown: int = 2) -> str:
    more = len(assets) - shown
    return ", ".join(assets[:shown]) + (f" and {more} more" if more > 0 else "")


def conflict_edges(conflicts: Iterable[Conflict]) -> list[PictureConflict]:
    """The conflicts of :func:`impact.analysis.conflicts.find_conflicts` as picture edges."""
    edges = []
    for c in conflicts:
        said = conflict_sentence(c.kind, c.first, c.second, _few(c.assets), subject=False)
        edges.append(
            PictureConflict(c.first, c.second, said, True)
            if c.kind == "downstream"
            else PictureConflict(c.first, c.second, said)
        )
    return sorted(edges)


def _fold(picture: Drawing, max_nodes: int, asked: int | None = None) -> None:
    """Fold each tool's farthest assets into one "+N more" box when there are too many.

    Keeps every asset in ``picture.keep``; then the same number ``k`` of
    nearest assets (by ``picture.rank``) in each tool, ``k`` as large as the
    ``max_nodes`` budget allows.

    Examples
    --------
    >>> from impact.core.catalog import Catalog
    >>> p = Drawing(Catalog("c", {}, {}, {}, [], {}), None, "t", "")  # type: ignore[arg-type]
    >>> for i in range(5):
    ...     p.add(Shown(f"a:{i}", "impacted"), (i,)); p.add(Shown(f"b:{i}", "impacted"), (i,))
    >>> p.keep = {"a:4"}
    >>> _fold(p, 5)
    >>> sorted(p.shown), {s: len(v) for s, v in p.folded.items()}
    (['a:0', 'a:1', 'a:4', 'b:0', 'b:1'], {'a': 2, 'b': 3})
    """
    if len(picture.shown) <= max_nodes:
        return
    must = {a for a in picture.keep if a in picture.shown}
    if len(must) > HARD_MAX_NODES:
        raise ImpactError(
            f"the picture would need {len(must)} assets that cannot be folded (changed assets and every path to a "
            f"critical asset), more than the {HARD_MAX_NODES} a readable picture holds; narrow it with a smaller "
            f"--max-tools, or {TOO_LARGE_HINT}"
        )
    optional: dict[str, list[str]] = defaultdict(list)
    for asset in sorted((a for a in picture.shown if a not in must), key=lambda a: (picture.rank[a], a)):
        optional[picture.system_of(asset)].append(asset)
    budget = max(0, max_nodes - len(must))
    per_tool = 0
    while True:
        total = sum(min(per_tool + 1, len(items)) for items in optional.values())
        if total > budget or per_tool + 1 > max((len(v) for v in optional.values()), default=0):
            break
        per_tool += 1
    for system, items in sorted(optional.items()):
        rest = items[per_tool:]
        if rest:
            picture.folded[system] = rest
            for asset in rest:
                del picture.shown[asset]
    count = sum(len(v) for v in picture.folded.values())
    picture.notes.append(
        f"Folded for readability: {count} farther asset{'s' if count != 1 else ''} in "
        f"{len(picture.folded)} tool{'s' if len(picture.folded) != 1 else ''} are counted in dashed '+N more' boxes "
        + (
            f"(limit {max_nodes} assets; --max-nodes shows more)."
            if asked is None or max_nodes >= asked
            else f"(limit {max_nodes} assets, so that the picture stays within {MAX_SIDE_PX:,} px a side "
            f"and {MAX_RATIO:.0f}:1; narrow it to see every asset: a lower --max-tools, or --focus ASSET "
            "or --system ID on the catalog)."
        )
        + (" Changed assets and every path to a critical asset are kept." if must else "")
    )


def impact_picture(
    results: Sequence[CheckResult],
    graph: DependencyGraph,
    *,
    owners: bool = False,
    upstream: int = 0,
    conflicts: Iterable[PictureConflict | tuple[str, str, str]] = (),
    max_nodes: int = DEFAULT_MAX_NODES,
    title: str | None = None,
    notes: Sequence[str] = (),
    verdicts: Mapping[str, Verdict] | None = None,
) -> str:
    """DOT source of what one or more change requests change and reach.

    Parameters
    ----------
    results
        ``impact check`` answers; several (a release) are drawn in one picture,
        each change request as a note linked to the assets it changes.
    graph
        The catalog's dependency graph (for edges, notes and ``upstream``).
    owners
        Add each asset's owner team to its box.
    upstream
        Also draw what feeds the changed assets, up to this many tools back.
    conflicts
        :class:`PictureConflict` (or ``(change id, change id, why)``), drawn
        as distinct purple edges between the two change requests (see
        :func:`conflict_edges`); both must be among ``results``.
    max_nodes
        Assets drawn one by one before far ones are folded.
    verdicts
        For a release: each change request's :class:`Verdict` ("ships" or
        "held", and the unfinished change requests that hold it), drawn on its
        note, with the unfinished work as grey notes joined to what they hold.
    """
    if not results:
        raise ImpactError("nothing to draw: no change request given")
    if title is None:
        title = f"{results[0].change.id}: {results[0].change.title}" if len(results) == 1 else "Change requests"
    subtitle = _impact_subtitle(results)
    conflict_list = [PictureConflict(*c) for c in conflicts]

    def build(limit: int) -> tuple[str, int]:
        picture = Drawing(results[0].catalog, graph, title, subtitle, owners=owners)
        _add_impact(picture, results, upstream)
        _add_requests(picture, results, conflict_list)
        picture.notes.extend(notes)
        picture.verdicts = dict(verdicts or {})
        _fold(picture, limit, max_nodes)
        distances = sorted(
            {s.distance for s in picture.shown.values() if s.role == "impacted" and s.distance is not None}
        )
        picture.legend = [("changed", CHANGED_FILL, "#ffffff"), *_distance_legend(distances, tools_away)]
        if upstream:
            picture.legend.append(("feeds the change", UPSTREAM_FILL, "#000000"))
        return to_dot(picture), len(picture.shown)

    return _fit(build, max_nodes)


def _impact_subtitle(results: Sequence[CheckResult]) -> str:
    """How many assets the changes change and reach, in how many tools, and how far impact was followed."""
    catalog = results[0].catalog
    changed_all = {c.asset for r in results for c in r.changed}
    impacted_all = {r2.asset for r in results for r2 in r.impacted} - changed_all
    systems = {split_asset_id(a)[0] for a in changed_all} | {catalog.assets[a].system for a in impacted_all}
    max_tools = max(r.max_tools for r in results)
    return (
        f"{len(changed_all)} asset{'s' if len(changed_all) != 1 else ''} changed; {len(impacted_all)} impacted; "
        f"{len(systems)} tool{'s' if len(systems) != 1 else ''}; impact followed up to {tools_away(max_tools)}"
    )


def _add_impact(picture: Drawing, results: Sequence[CheckResult], upstream: int) -> None:
    """The changed assets, each impacted asset at its nearest reach, and what feeds the change ``upstream``."""
    catalog = picture.catalog
    for result in results:
        for c in result.changed:
            picture.add(Shown(c.asset, "changed", 0, c.action), (-1, 0))
            picture.keep.add(c.asset)
    best: dict[str, tuple[int, int]] = {}
    for result in results:
        for reach in result.impacted:
            key = (reach.tool_distance, reach.steps)
            if reach.asset not in picture.shown and key < best.get(reach.asset, (10**9, 0)):
                best[reach.asset] = key
            if catalog.assets[reach.asset].critical:
                picture.keep.update(reach.path)
    for asset, (distance, steps) in sorted(best.items()):
        picture.add(Shown(asset, "impacted", distance), (distance, steps))
    if upstream:
        changed_all = sorted({c.asset for r in results for c in r.changed})
        for reach in picture.graph.upstream([a for a in changed_all if a in catalog.assets], upstream):
            picture.add(Shown(reach.asset, "upstream", reach.tool_distance), (reach.tool_distance, reach.steps))


def _add_requests(picture: Drawing, results: Sequence[CheckResult], conflicts: list[PictureConflict]) -> None:
    """Several change requests: each as a note joined to what it changes, and the conflicts between them."""
    for result in sorted(results, key=lambda r: r.change.id) if len(results) > 1 else ():
        picture.changes.append((result.change.id, result.change.title, sorted(c.asset for c in result.changed)))
    drawn = {r.change.id for r in results}
    picture.conflicts = sorted({c for c in conflicts if c[0] in drawn and c[1] in drawn})


MAX_SIDE_PX = 4000
"""A picture's longest side, in pixels of the PNG (96 per inch), at most."""
MAX_RATIO = 3.0
"""A picture's long side is at most this many times its short side (once it is big enough to matter)."""
MEASURE_FROM = 25
"""Pictures of fewer assets are not laid out in advance: they are small whatever their shape."""


def picture_size(dot_source: str) -> tuple[float, float]:
    """Width and height in pixels of the PNG that :func:`render_picture` would draw (96 per inch)."""
    root = ElementTree.fromstring(render_picture(dot_source, "svg"))
    width, height = (float(root.get(side, "0").removesuffix("pt")) * 96 / 72 for side in ("width", "height"))
    return width, height


def fits(width: float, height: float) -> bool:
    """At most :data:`MAX_SIDE_PX` a side and :data:`MAX_RATIO` to 1.

    >>> fits(3900, 1400), fits(4100, 2000), fits(3000, 900)
    (True, False, False)
    """
    return max(width, height) <= MAX_SIDE_PX and max(width, height) <= MAX_RATIO * max(min(width, height), 1)


def _fit(build: Callable[[int], tuple[str, int]], max_nodes: int) -> str:
    """The DOT of ``build(limit)`` for the largest ``limit`` up to ``max_nodes`` whose picture :func:`fits`.

    A picture too large or too long is folded further (each tool's farthest
    assets into its "+N more" box, as :func:`_fold` does), a quarter fewer
    assets at a time, and says so in its header. When it is laid out too
    slowly or cannot be, the DOT is returned as it is: drawing it reports why.
    """
    limit = max_nodes
    dot, shown = build(limit)
    for _ in range(5):
        if shown < MEASURE_FROM:
            break
        try:
            width, height = picture_size(dot)
        except (ImpactError, ImportError):
            break
        if fits(width, height):
            break
        limit = max(MEASURE_FROM // 2, int(min(limit, shown) * 0.75))
        folded, now = build(limit)
        if now >= shown:
            break
        dot, shown = folded, now
    return dot


def _distance_legend(distances: Sequence[int], name: Callable[[int], str]) -> list[tuple[str, str, str]]:
    """One legend entry per colour drawn: distances that share the last colour share an entry.

    >>> _distance_legend([0, 4, 5], tools_away)
    [('same tool', '#ec7014', '#000000'), ('4 tools away or more', '#ffffff', '#000000')]
    """
    entries: list[tuple[str, str, str]] = []
    last = len(DISTANCE_COLOURS) - 1
    near = [d for d in distances if d < last]
    far = [d for d in distances if d >= last]
    entries += [(name(d), distance_colour(d), "#000000") for d in near]
    if far:
        label = name(far[0]) if len(far) == 1 else f"{name(far[0])} or more"
        entries.append((label, DISTANCE_COLOURS[last], "#000000"))
    return entries


def catalog_picture(
    catalog: Catalog,
    graph: DependencyGraph,
    *,
    focus: str | None = None,
    depth: int = 2,
    systems: Iterable[str] = (),
    owners: bool = False,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> str:
    """DOT source of a catalog: all of it, some tools, or the neighbourhood of one asset.

    With ``focus``, the assets at most ``depth`` dependency steps downstream
    or upstream of it; with ``systems``, only those tools' assets (and, without
    a focus, their direct neighbours in other tools, in grey).
    """
    wanted = sorted(set(systems))
    _check_systems(catalog, wanted)
    if focus is not None:
        picture = _focus_drawing(catalog, graph, focus, depth, wanted, owners)
    else:
        picture = _catalog_drawing(catalog, graph, wanted, owners)
    base_shown, base_notes = dict(picture.shown), list(picture.notes)

    def build(limit: int) -> tuple[str, int]:
        picture.shown, picture.folded, picture.notes = dict(base_shown), {}, list(base_notes)
        _fold(picture, limit, max_nodes)
        return to_dot(picture), len(picture.shown)

    return _fit(build, max_nodes)


def _check_systems(catalog: Catalog, wanted: Sequence[str]) -> None:
    for system in wanted:
        if system not in catalog.systems:
            hint = suggest_system(system, catalog)
            raise ImpactError(
                f"--system {system!r} is not a tool of the catalog in {catalog.root.rstrip('/')}/"
                + (f"; did you mean {hint!r}?" if hint else f"; tools: {', '.join(sorted(catalog.systems))}")
            )


def _focus_drawing(
    catalog: Catalog, graph: DependencyGraph, focus: str, depth: int, wanted: Sequence[str], owners: bool
) -> Drawing:
    """The assets at most ``depth`` steps downstream or upstream of ``focus`` (in the ``wanted`` tools, if any)."""
    g = graph.graph
    if focus not in catalog.assets:
        hint = suggest_asset(focus, catalog)
        raise ImpactError(
            f"--focus {focus!r} is not an asset of the catalog in {catalog.root.rstrip('/')}/"
            + (f"; did you mean {hint!r}?" if hint else "; give an asset id as system:key")
        )
    title = f"Around {focus}"
    subtitle = f"assets at most {depth} step{'s' if depth != 1 else ''} downstream or upstream"
    picture = Drawing(catalog, graph, title, subtitle, mode="focus", owners=owners)
    picture.add(Shown(focus, "focus", 0), (-1,))
    picture.keep.add(focus)
    down = nx.single_source_shortest_path_length(g, focus, cutoff=depth)
    up = nx.single_source_shortest_path_length(g.reverse(copy=False), focus, cutoff=depth)
    for asset, steps in sorted(down.items()):
        if not wanted or catalog.assets[asset].system in wanted:
            picture.add(Shown(asset, "impacted", steps), (steps,))
    for asset, steps in sorted(up.items()):
        if not wanted or catalog.assets[asset].system in wanted:
            picture.add(Shown(asset, "upstream", steps), (steps,))
    picture.legend = [("focus", CHANGED_FILL, "#ffffff")]
    shown_steps = sorted({s.distance for s in picture.shown.values() if s.role == "impacted" and s.distance})
    picture.legend += _distance_legend(
        [d - 1 for d in shown_steps], lambda d: f"depends on it, {d + 1} step{'s' if d != 0 else ''}"
    )
    if any(s.role == "upstream" for s in picture.shown.values()):
        picture.legend.append(("feeds it", UPSTREAM_FILL, "#000000"))
    return picture


def _catalog_drawing(catalog: Catalog, graph: DependencyGraph, wanted: Sequence[str], owners: bool) -> Drawing:
    """The whole catalog, or the ``wanted`` tools with their direct neighbours in other tools, in grey."""
    g = graph.graph
    if not wanted and len(catalog.systems) > HARD_MAX_TOOLS:
        raise ImpactError(
            f"the catalog has {len(catalog.systems)} tools, too many for one readable picture; {TOO_LARGE_HINT}"
        )
    inside = sorted(a for a, asset in catalog.assets.items() if not wanted or asset.system in wanted)
    title = f"Catalog {catalog.root}" if not wanted else f"Tools: {', '.join(wanted)}"
    subtitle = f"{len(inside)} asset{'s' if len(inside) != 1 else ''}"
    picture = Drawing(catalog, graph, title, subtitle, mode="catalog", owners=owners)
    for asset in inside:
        a = catalog.assets[asset]
        # Critical and well-connected assets first when a tool must be folded.
        picture.add(Shown(asset, "catalog"), (0 if a.critical else 1, -g.degree(asset)))
    if wanted:
        for asset in inside:
            for other in sorted({*g.successors(asset), *g.predecessors(asset)}):
                if catalog.assets[other].system not in wanted:
                    picture.add(Shown(other, "context"), (2, 0))
    picture.legend = [("asset", "#ffffff", "#000000")]
    if any(s.role == "context" for s in picture.shown.values()):
        picture.legend.append(("linked, in another tool", CONTEXT_FILL, "#000000"))
    return picture


def picture_verdicts(result: ReleaseResult, known: Sequence[ChangeRequest] = ()) -> dict[str, Any]:
    """Each change request of a release as the release picture marks it: "ships" or "held", with what holds it."""
    by_id = {c.id: c for c in known} | {
        r.change.id: r.change for r in [*result.ships, *(h.result for h in result.held)]
    }
    verdicts: dict[str, Any] = {r.change.id: Verdict("ships") for r in result.ships}
    verdicts |= {r.change.id: Verdict("released") for r in result.released}
    for h in result.held:
        holders = tuple(
            Holder(w["change"], w["title"], w["status"], w["release"])
            for w in waiting_for(h.result.change.id, result.conflicts, by_id)
        )
        verdicts[h.result.change.id] = Verdict("held", holders)
    return verdicts
