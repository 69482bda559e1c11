"""Graph pictures: impact and catalog graphs as DOT, and rendered to SVG, PNG or PDF.

Two steps, kept apart so others can reuse either:

* :func:`impact_picture` (one or more change requests) and
  :func:`catalog_picture` (a whole catalog, one tool, or the neighbourhood of
  one asset) decide *what* to draw and return Graphviz DOT source;
* :func:`render_picture` lays the DOT out with the Graphviz engine that the
  ``pygraphviz`` wheel carries inside (no ``dot`` program needed) and returns
  the bytes of an SVG, PNG or PDF.

Safety: every text from a catalog (names, keys, notes) reaches Graphviz only
inside HTML-like labels, escaped with :func:`html.escape` plus doubled
backslashes (Graphviz expands ``\\N`` and ``\\l`` even there). Node names are
``asset-`` plus the percent-encoded asset id, so they never need quoting rules.

For embedding (HTML reports): in the SVG every asset node is a ``<g>`` with
``id="asset-<percent-encoded asset id>"``, ``data-asset="<asset id>"`` and a
``class`` of ``node asset`` plus any of ``changed``, ``impacted``,
``upstream``, ``focus``, ``critical``; its ``<title>`` is the asset id. Tools
are ``<g class="cluster tool" id="tool-<system id>" data-tool="<system id>">``;
summary boxes have class ``node summary``; edges have class ``edge`` plus
``dependency``, ``summary``, ``request`` or ``conflict``.

Large graphs: above ``max_nodes`` assets, each tool's farthest assets are
folded into one dashed "+N more" box; changed assets, the focus and every
asset on the path to a critical asset are always kept, and the picture says
what was folded. A picture that would still exceed :data:`HARD_MAX_NODES`
nodes or :data:`HARD_MAX_EDGES` edges is refused at once with a hint, so a
layout never runs for minutes.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import quote, unquote
from xml.etree import ElementTree

import networkx as nx

from impact.analysis.check import CheckResult
from impact.analysis.conflicts import Conflict
from impact.core.catalog import Catalog, split_asset_id
from impact.core.errors import ImpactError
from impact.graph.depgraph import DependencyGraph
from impact.render.text import safe

FORMATS = ("dot", "svg", "png", "pdf")
DEFAULT_MAX_NODES = 60
"""Assets drawn one by one before far assets are folded into "+N more" boxes."""
HARD_MAX_NODES = 250
HARD_MAX_EDGES = 600
HARD_MAX_TOOLS = 40
"""Above these, the layout would take too long to be useful: refuse with a hint."""

FONT = "Helvetica"
# YlOrBr (ColorBrewer, sequential, colour-blind safe), every step at least 9 points of
# CIELAB lightness from the next, so that the colours also differ printed in grey:
# the nearer the impact, the darker and warmer. The last colour serves every farther distance.
DISTANCE_COLOURS = ("#ec7014", "#fe9929", "#fec44f", "#fee391", "#ffffff")
CHANGED_FILL = "#b30000"
UPSTREAM_FILL = "#deebf7"
NOTE_COLOUR = "#1f4e9c"
KEY_WIDTH = 28
"""Characters per line of an asset's key in its box (wrapped at / : . - and spaces only)."""
"""Numbered markers on arrows that carry a catalog note (the notes are listed under the picture)."""
CONTEXT_FILL = "#f0f0f0"
CRITICAL_BORDER = "#b30000"
CONFLICT_COLOUR = "#7b3294"
SUMMARY_FILL = "#ffffff"
TOO_LARGE_HINT = (
    "draw a neighbourhood instead: impact graph --catalog DIR --focus ASSET --depth 2, "
    "or one tool with --system ID"
)


# --- escaping ---------------------------------------------------------------


def label_text(text: str | None, width: int = 0) -> str:
    """Text for an HTML-like Graphviz label: shown literally, whatever it holds.

    ``&``, ``<`` and ``>`` become entities, backslashes are doubled (Graphviz
    would expand ``\\N``, ``\\l``, ``\\G`` even in HTML labels), control and
    bidi-override characters are shown as ``\\uXXXX``, and newlines become
    line breaks. ``width`` wraps long lines (nothing is cut).

    Examples
    --------
    >>> label_text('<b>"R&D"</b>')
    '&lt;b&gt;"R&amp;D"&lt;/b&gt;'
    >>> label_text("a\\\\N")
    'a\\\\\\\\N'
    >>> label_text("one\\ntwo")
    'one<BR ALIGN="LEFT"/>two'
    """
    lines: list[str] = []
    for raw in (text or "").split("\n"):
        line = safe(raw)
        parts = wrap_words(line, width) if width and line else [line]
        lines.extend(parts or [""])
    escaped = (html.escape(line, quote=False).replace("\\", "\\\\") for line in lines)
    return '<BR ALIGN="LEFT"/>'.join(escaped)


# A piece ends after / : . or - ; leading dashes (an option such as --max-tools) stay with their word.
_PIECE = re.compile(r"\s+|-*[^\s/:.\-]*[/:.\-]+|-*[^\s/:.\-]+")


def wrap_words(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters, broken only at spaces and after ``/``, ``:``, ``.`` or ``-``.

    A word is never cut: a piece longer than ``width`` gets a line of its own.

    Examples
    --------
    >>> wrap_words("smart-campaign/demo-request-fulfillment", 24)
    ['smart-campaign/demo-', 'request-fulfillment']
    >>> wrap_words("only leads owned by EMEA Inbound queue members", 20)
    ['only leads owned by', 'EMEA Inbound queue', 'members']
    >>> wrap_words("supercalifragilistic", 5)
    ['supercalifragilistic']
    >>> wrap_words("a lower --max-tools", 10)
    ['a lower', '--max-', 'tools']
    """
    lines: list[str] = []
    current = ""
    for piece in _PIECE.findall(text):
        if piece.isspace():
            if current:
                current += " "
            continue
        if current and len(current + piece) > width:
            lines.append(current.rstrip())
            current = piece
        else:
            current += piece
    if current.strip():
        lines.append(current.rstrip())
    return lines or [text]


def node_name(asset_id: str) -> str:
    """The DOT node name (and SVG ``id``) of an asset: ``asset-`` + percent-encoded id.

    >>> node_name("website:/products/")
    'asset-website%3A%2Fproducts%2F'
    >>> asset_of_node(node_name('we"ird\\\\')) == 'we"ird\\\\'
    True
    """
    return "asset-" + quote(asset_id, safe="")


def asset_of_node(name: str) -> str:
    """The asset id back from :func:`node_name`."""
    return unquote(name.removeprefix("asset-"))


def _summary_name(system: str) -> str:
    return "more-" + quote(system, safe="")


def _change_name(change_id: str) -> str:
    return "change-" + quote(change_id, safe="")


# --- what to draw -----------------------------------------------------------


class PictureConflict(NamedTuple):
    """A conflict edge between two change requests: ``first`` -> ``second`` when ``directed``."""

    first: str
    second: str
    text: str
    directed: bool = False


def _few(assets: Sequence[str], shown: int = 2) -> str:
    more = len(assets) - shown
    return ", ".join(assets[:shown]) + (f" and {more} more" if more > 0 else "")


def conflict_edges(conflicts: Iterable[Conflict]) -> list[PictureConflict]:
    """The conflicts of :func:`impact.analysis.conflicts.find_conflicts` as picture edges."""
    edges = []
    for c in conflicts:
        if c.kind == "same-asset":
            edges.append(PictureConflict(c.first, c.second, f"both change {_few(c.assets)}"))
        elif c.kind == "downstream":
            edges.append(PictureConflict(c.first, c.second, f"reaches {_few(c.assets)}, which {c.second} changes", True))
        else:
            edges.append(PictureConflict(c.first, c.second, f"both reach {_few(c.assets)}"))
    return sorted(edges)


class Holder(NamedTuple):
    """An unfinished change request that holds another back."""

    change: str
    title: str | None
    status: str | None
    release: str | None


class Verdict(NamedTuple):
    """A change request's verdict in a release picture: ``word`` is "ships" or "held"."""

    word: str
    holders: tuple[Holder, ...] = ()


@dataclass
class _Shown:
    """One asset in the picture and how it is drawn."""

    asset: str
    role: str  # changed | impacted | upstream | focus | context
    distance: int | None = None
    action: str | None = None


@dataclass
class _Picture:
    """The picture before it becomes DOT: assets, folded groups, edges, words."""

    catalog: Catalog
    graph: DependencyGraph
    title: str
    subtitle: str
    mode: str = "impact"  # impact | focus | catalog
    owners: bool = False
    shown: dict[str, _Shown] = field(default_factory=dict)
    rank: dict[str, tuple[object, ...]] = field(default_factory=dict)
    keep: set[str] = field(default_factory=set)
    folded: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    changes: list[tuple[str, str, list[str]]] = field(default_factory=list)
    conflicts: list[PictureConflict] = field(default_factory=list)
    legend: list[tuple[str, str, str]] = field(default_factory=list)
    edge_notes: list[str] = field(default_factory=list)
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    """Notes of the drawn arrows, numbered from 1 in this order (filled in by :func:`_to_dot`)."""

    def add(self, item: _Shown, rank: tuple[object, ...]) -> None:
        if item.asset not in self.shown:
            self.shown[item.asset] = item
            self.rank[item.asset] = rank

    def system_of(self, asset: str) -> str:
        found = self.catalog.assets.get(asset)
        return found.system if found else split_asset_id(asset)[0]


def _fold(picture: _Picture, max_nodes: int, asked: int | None = None) -> None:
    """Fold each tool's farthest assets into one "+N more" box when there are too many.

    Keeps every asset in ``picture.keep``; then the same number ``k`` of
    nearest assets (by ``picture.rank``) in each tool, ``k`` as large as the
    ``max_nodes`` budget allows.

    Examples
    --------
    >>> from impact.core.catalog import Catalog
    >>> p = _Picture(Catalog("c", {}, {}, {}, [], {}), None, "t", "")  # type: ignore[arg-type]
    >>> for i in range(5):
    ...     p.add(_Shown(f"a:{i}", "impacted"), (i,)); p.add(_Shown(f"b:{i}", "impacted"), (i,))
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
            else f"(limit {max_nodes} assets, so that the picture stays within {MAX_SIDE_PX:,} px a side and {MAX_RATIO:.0f}:1; "
            "narrow it to see every asset: a lower --max-tools, or --focus ASSET or --system ID on the catalog)."
        )
        + (" Changed assets and every path to a critical asset are kept." if must else "")
    )


def _edges(picture: _Picture) -> tuple[list[tuple[str, str, str | None]], dict[tuple[str, str], int]]:
    """Dependency edges between drawn assets, and folded edges (counted) to or from "+N more" boxes."""
    rep: dict[str, str] = {a: node_name(a) for a in picture.shown}
    for system, assets in picture.folded.items():
        for asset in assets:
            rep[asset] = _summary_name(system)
    graph = picture.graph.graph
    plain: list[tuple[str, str, str | None]] = []
    folded: dict[tuple[str, str], int] = defaultdict(int)
    for u in sorted(rep):
        if u not in graph:
            continue
        for v in graph.successors(u):
            if v not in rep:
                continue
            ru, rv = rep[u], rep[v]
            if u in picture.shown and v in picture.shown:
                plain.append((u, v, picture.graph.note(u, v)))
            elif ru != rv:
                folded[(ru, rv)] += 1
        if len(plain) + len(folded) > HARD_MAX_EDGES:
            raise ImpactError(
                f"the picture would have more than {HARD_MAX_EDGES} arrows, too many to lay out readably; "
                f"lower --max-nodes or {TOO_LARGE_HINT}"
            )
    plain.sort()
    return plain, dict(sorted(folded.items()))


# --- building the pictures --------------------------------------------------


def _away(distance: int) -> str:
    if distance == 0:
        return "same tool"
    return f"{distance} tool{'s' if distance != 1 else ''} away"


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
    catalog = results[0].catalog
    max_tools = max(r.max_tools for r in results)
    if title is None:
        title = f"{results[0].change.id}: {results[0].change.title}" if len(results) == 1 else "Change requests"
    changed_all = sorted({c.asset for r in results for c in r.changed})
    impacted_all = {r2.asset for r in results for r2 in r.impacted} - set(changed_all)
    systems = {split_asset_id(a)[0] for a in changed_all} | {catalog.assets[a].system for a in impacted_all}
    subtitle = (
        f"{len(changed_all)} asset{'s' if len(changed_all) != 1 else ''} changed; {len(impacted_all)} impacted; "
        f"{len(systems)} tool{'s' if len(systems) != 1 else ''}; impact followed up to {_away(max_tools)}"
    )
    conflict_list = [PictureConflict(*c) for c in conflicts]

    def build(limit: int) -> tuple[str, int]:
        picture = _Picture(catalog, graph, title, subtitle, owners=owners)
        for result in results:
            for c in result.changed:
                picture.add(_Shown(c.asset, "changed", 0, c.action), (-1, 0))
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
            picture.add(_Shown(asset, "impacted", distance), (distance, steps))
        if upstream:
            for reach in graph.upstream([a for a in changed_all if a in catalog.assets], upstream):
                picture.add(_Shown(reach.asset, "upstream", reach.tool_distance), (reach.tool_distance, reach.steps))
        for result in sorted(results, key=lambda r: r.change.id) if len(results) > 1 else ():
            picture.changes.append((result.change.id, result.change.title, sorted(c.asset for c in result.changed)))
        drawn = {r.change.id for r in results}
        picture.conflicts = sorted({c for c in conflict_list if c[0] in drawn and c[1] in drawn})
        picture.notes.extend(notes)
        picture.verdicts = dict(verdicts or {})
        _fold(picture, limit, max_nodes)

        distances = sorted({s.distance for s in picture.shown.values() if s.role == "impacted" and s.distance is not None})
        picture.legend = [("changed", CHANGED_FILL, "#ffffff")]
        picture.legend += _distance_legend(distances, _away)
        if upstream:
            picture.legend.append(("feeds the change", UPSTREAM_FILL, "#000000"))
        return _to_dot(picture), len(picture.shown)

    return _fit(build, max_nodes)


MAX_SIDE_PX = 4000
"""A picture's longest side, in pixels of the PNG (96 per inch), at most."""
MAX_RATIO = 3.0
"""A picture's long side is at most this many times its short side (once it is big enough to matter)."""
MEASURE_FROM = 25
"""Pictures of fewer assets are not laid out in advance: they are small whatever their shape."""


def picture_size(dot_source: str) -> tuple[float, float]:
    """Width and height in pixels of the PNG that :func:`render_picture` would draw (96 per inch)."""
    root = ElementTree.fromstring(render_picture(dot_source, "svg"))
    return tuple(float(root.get(side, "0").removesuffix("pt")) * 96 / 72 for side in ("width", "height"))  # type: ignore[return-value]


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


def _distance_colour(distance: int) -> str:
    return DISTANCE_COLOURS[min(distance, len(DISTANCE_COLOURS) - 1)]


def _distance_legend(distances: Sequence[int], name: Callable[[int], str]) -> list[tuple[str, str, str]]:
    """One legend entry per colour drawn: distances that share the last colour share an entry.

    >>> _distance_legend([0, 4, 5], _away)
    [('same tool', '#ec7014', '#000000'), ('4 tools away or more', '#ffffff', '#000000')]
    """
    entries: list[tuple[str, str, str]] = []
    last = len(DISTANCE_COLOURS) - 1
    near = [d for d in distances if d < last]
    far = [d for d in distances if d >= last]
    entries += [(name(d), _distance_colour(d), "#000000") for d in near]
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
    for system in wanted:
        if system not in catalog.systems:
            from impact.load.loader import suggest_system

            hint = suggest_system(system, catalog)
            raise ImpactError(
                f"--system {system!r} is not a tool of the catalog in {catalog.root.rstrip('/')}/"
                + (f"; did you mean {hint!r}?" if hint else f"; tools: {', '.join(sorted(catalog.systems))}")
            )
    g = graph.graph
    if focus is not None:
        if focus not in catalog.assets:
            from impact.load.loader import suggest_asset

            hint = suggest_asset(focus, catalog)
            raise ImpactError(
                f"--focus {focus!r} is not an asset of the catalog in {catalog.root.rstrip('/')}/"
                + (f"; did you mean {hint!r}?" if hint else "; give an asset id as system:key")
            )
        title = f"Around {focus}"
        subtitle = f"assets at most {depth} step{'s' if depth != 1 else ''} downstream or upstream"
        picture = _Picture(catalog, graph, title, subtitle, mode="focus", owners=owners)
        picture.add(_Shown(focus, "focus", 0), (-1,))
        picture.keep.add(focus)
        down = nx.single_source_shortest_path_length(g, focus, cutoff=depth)
        up = nx.single_source_shortest_path_length(g.reverse(copy=False), focus, cutoff=depth)
        for asset, steps in sorted(down.items()):
            if not wanted or catalog.assets[asset].system in wanted:
                picture.add(_Shown(asset, "impacted", steps), (steps,))
        for asset, steps in sorted(up.items()):
            if not wanted or catalog.assets[asset].system in wanted:
                picture.add(_Shown(asset, "upstream", steps), (steps,))
        picture.legend = [("focus", CHANGED_FILL, "#ffffff")]
        shown_steps = sorted({s.distance for s in picture.shown.values() if s.role == "impacted" and s.distance})
        picture.legend += _distance_legend([d - 1 for d in shown_steps], lambda d: f"depends on it, {d + 1} step{'s' if d != 0 else ''}")
        if any(s.role == "upstream" for s in picture.shown.values()):
            picture.legend.append(("feeds it", UPSTREAM_FILL, "#000000"))
    else:
        if not wanted and len(catalog.systems) > HARD_MAX_TOOLS:
            raise ImpactError(
                f"the catalog has {len(catalog.systems)} tools, too many for one readable picture; {TOO_LARGE_HINT}"
            )
        inside = sorted(a for a, asset in catalog.assets.items() if not wanted or asset.system in wanted)
        title = f"Catalog {catalog.root}" if not wanted else f"Tools: {', '.join(wanted)}"
        subtitle = f"{len(inside)} asset{'s' if len(inside) != 1 else ''}"
        picture = _Picture(catalog, graph, title, subtitle, mode="catalog", owners=owners)
        for asset in inside:
            a = catalog.assets[asset]
            # Critical and well-connected assets first when a tool must be folded.
            picture.add(_Shown(asset, "catalog"), (0 if a.critical else 1, -g.degree(asset)))
        if wanted:
            for asset in inside:
                for other in sorted({*g.successors(asset), *g.predecessors(asset)}):
                    if catalog.assets[other].system not in wanted:
                        picture.add(_Shown(other, "context"), (2, 0))
        picture.legend = [("asset", "#ffffff", "#000000")]
        if any(s.role == "context" for s in picture.shown.values()):
            picture.legend.append(("linked, in another tool", CONTEXT_FILL, "#000000"))
    base_shown, base_notes = dict(picture.shown), list(picture.notes)

    def build(limit: int) -> tuple[str, int]:
        picture.shown, picture.folded, picture.notes = dict(base_shown), {}, list(base_notes)
        _fold(picture, limit, max_nodes)
        return _to_dot(picture), len(picture.shown)

    return _fit(build, max_nodes)


# --- DOT --------------------------------------------------------------------


def _asset_attrs(picture: _Picture, item: _Shown) -> dict[str, str]:
    catalog = picture.catalog
    asset = catalog.assets.get(item.asset)
    _, key = split_asset_id(item.asset)
    critical = bool(asset and asset.critical)
    facts = [asset.type if asset else "new asset"]
    if item.role in ("changed",):
        facts.insert(0, f"CHANGED: {item.action}")
    if owners_line := (picture.owners and asset and catalog.teams.get(asset.owner)):
        facts.append(f"owner: {owners_line.name}")
    small = label_text(", ".join(facts), KEY_WIDTH + 6)
    if critical:
        small = "<B>CRITICAL</B>, " + small
    fill, font = "#ffffff", "#000000"
    if item.role in ("changed", "focus"):
        fill, font = CHANGED_FILL, "#ffffff"
    elif item.role == "impacted" and item.distance is not None:
        # In a focus picture distances are steps, starting at 1.
        fill = _distance_colour(item.distance if picture.mode == "impact" else max(item.distance - 1, 0))
    elif item.role == "upstream":
        fill = UPSTREAM_FILL
    elif item.role == "context":
        fill = CONTEXT_FILL
    classes = ["asset", item.role] + (["critical"] if critical else [])
    attrs = {
        "id": node_name(item.asset),
        "class": " ".join(classes),
        "label": f'<<B>{label_text(key, KEY_WIDTH)}</B><BR/><FONT POINT-SIZE="10">{small}</FONT>>',
        "fillcolor": fill,
        "fontcolor": font,
    }
    if item.role in ("changed", "focus"):
        attrs["penwidth"] = "3"
        attrs["color"] = "#000000"
    elif item.role == "upstream":
        # Dashed as well as blue: told apart from the far distances when printed in grey.
        attrs["style"] = "rounded,filled,dashed"
    if critical:
        # The same mark on every critical asset, changed or not, as the legend shows it.
        attrs["peripheries"] = "2"
        attrs["color"] = CRITICAL_BORDER
        attrs["penwidth"] = "2"
    return attrs


def _header(picture: _Picture) -> str:
    """The picture's title, summary, notes and legend, as one HTML-like table."""
    rows = [
        f'<TR><TD ALIGN="LEFT" COLSPAN="{max(len(picture.legend), 1) + 1}"><FONT POINT-SIZE="18"><B>{label_text(picture.title, 90)}</B></FONT></TD></TR>',
        f'<TR><TD ALIGN="LEFT" COLSPAN="{max(len(picture.legend), 1) + 1}">{label_text(picture.subtitle, 120)}</TD></TR>',
    ]
    for note in picture.notes:
        rows.append(f'<TR><TD ALIGN="LEFT" COLSPAN="{max(len(picture.legend), 1) + 1}"><FONT COLOR="#7f0000">{label_text(note, 120)}</FONT></TD></TR>')
    cells = "".join(
        f'<TD BGCOLOR="{fill}" BORDER="1" COLOR="#555555"><FONT COLOR="{font}" POINT-SIZE="11">{label_text(text)}</FONT></TD>'
        for text, fill, font in picture.legend
    )
    cells += (
        f'<TD BORDER="0"><TABLE BORDER="1" COLOR="{CRITICAL_BORDER}" CELLBORDER="1" CELLSPACING="2" CELLPADDING="3">'
        f'<TR><TD COLOR="{CRITICAL_BORDER}"><FONT POINT-SIZE="11">double red border: CRITICAL</FONT></TD></TR></TABLE></TD>'
    )
    if picture.edge_notes:
        cells += (
            f'<TD BORDER="1" COLOR="{NOTE_COLOUR}"><FONT POINT-SIZE="11" COLOR="{NOTE_COLOUR}"><B>(1)</B> on an arrow: '
            'its note, listed under the picture</FONT></TD>'
        )
    rows.append(f"<TR>{cells}</TR>")
    return '<<TABLE BORDER="0" CELLSPACING="4" CELLPADDING="4">' + "".join(rows) + "</TABLE>>"


def _to_dot(picture: _Picture) -> str:
    """Turn the picture into DOT with pygraphviz (which quotes attribute values)."""
    import pygraphviz

    plain, folded = _edges(picture)
    nodes = len(picture.shown) + len(picture.folded) + len(picture.changes)
    if nodes > HARD_MAX_NODES:
        raise ImpactError(
            f"the picture would have {nodes} boxes, more than the {HARD_MAX_NODES} a readable picture holds; "
            f"lower --max-nodes or {TOO_LARGE_HINT}"
        )
    tools = {picture.system_of(a) for a in picture.shown} | set(picture.folded)
    if len(tools) > HARD_MAX_TOOLS:
        # Graphviz lays out many clusters slowly: refuse before trying.
        raise ImpactError(
            f"the picture would span {len(tools)} tools, more than the {HARD_MAX_TOOLS} a readable picture holds; "
            f"lower --max-tools or --depth, or {TOO_LARGE_HINT}"
        )
    # Numbered notes: each distinct note of a drawn arrow gets a number, in arrow order.
    picture.edge_notes = []
    for _, _, note in plain:
        if note and note not in picture.edge_notes:
            picture.edge_notes.append(note)
    dot = pygraphviz.AGraph(directed=True, strict=False, name="impact")
    # Top to bottom: the tools at one distance sit side by side in a row, the next distance below,
    # so a wide change grows down as much as across instead of into a long strip.
    dot.graph_attr.update(
        rankdir="TB", fontname=FONT, labelloc="b", labeljust="l",
        nodesep="0.3", ranksep="0.45", newrank="true", compound="true", bgcolor="white", pad="0.3",
    )
    # The title and legend head an invisible frame around the whole picture; the numbered
    # notes are the graph's own label, under the picture.
    dot.node_attr.update(shape="box", style="rounded,filled", fontname=FONT, fontsize="12", margin="0.12,0.06")
    dot.edge_attr.update(fontname=FONT, fontsize="9", color="#555555", arrowsize="0.7")
    root = dot
    dot = root.add_subgraph(
        name="cluster_picture", label=_header(picture), labelloc="t", labeljust="l", style="solid", color="#ffffff",
        fillcolor="#ffffff", fontsize="14", id="picture", **{"class": "frame"},
    )

    by_system: dict[str, list[str]] = defaultdict(list)
    for asset in picture.shown:
        by_system[picture.system_of(asset)].append(asset)
    for system in sorted(set(by_system) | set(picture.folded)):
        members = sorted(by_system.get(system, []))
        names = [node_name(a) for a in members]
        if system in picture.folded:
            names.append(_summary_name(system))
        tool = picture.catalog.systems.get(system)
        distances = [picture.shown[a].distance for a in members if picture.shown[a].role == "impacted"]
        where = ""
        if picture.mode == "impact":
            if any(picture.shown[a].role == "changed" for a in members):
                where = "changes here"
            elif distances and all(d is not None for d in distances):
                where = _away(min(d for d in distances if d is not None))
            else:
                where = "feeds the change"
        heading = f"<B>{label_text(tool.name if tool else system, 40)}</B>"
        heading += f' <FONT POINT-SIZE="10">({label_text(system)}{", " + where if where else ""})</FONT>'
        sub = dot.add_subgraph(
            name=f"cluster_{system}",
            label=f"<{heading}>",
            id=f"tool-{quote(system, safe='')}",
            **{"class": "tool"},
            style="rounded,filled",
            fillcolor="#fafafa",
            color="#999999",
            fontsize="13",
            labeljust="l",
        )
        for asset, name in zip(members, names):
            sub.add_node(name, **_asset_attrs(picture, picture.shown[asset]))
        if system in picture.folded:
            assets = picture.folded[system]
            text = f"+{len(assets)} more asset{'s' if len(assets) != 1 else ''}"
            firsts = (picture.rank[a][0] for a in assets)
            far = sorted({d for d in firsts if isinstance(d, int)})
            if picture.mode == "impact" and far:
                text += f"\n{_away(far[0])}" if far[0] == far[-1] else f"\n{far[0]} to {far[-1]} tools away"
            sub.add_node(
                _summary_name(system),
                label=f"<{label_text(text)}>",
                shape="folder",
                style="dashed,filled",
                fillcolor=SUMMARY_FILL,
                id=_summary_name(system),
                **{"class": "summary"},
            )
    drawn_changes = {c[0] for c in picture.changes}
    unfinished: dict[str, Holder] = {}
    for change_id, change_title, changed in picture.changes:
        name = _change_name(change_id)
        verdict = picture.verdicts.get(change_id)
        badge = ""
        fill = "#ffffcc"
        if verdict is not None:
            ships = verdict.word == "ships"
            fill = "#e3f4e8" if ships else "#fde8e6"
            colour = "#1e7b3c" if ships else "#b42318"
            badge = f'<BR/><FONT POINT-SIZE="12" COLOR="{colour}"><B>{label_text(verdict.word.upper())}</B></FONT>'
            if verdict.holders:
                badge += f'<BR/><FONT POINT-SIZE="10">waits for {label_text(", ".join(h.change for h in verdict.holders), 30)}</FONT>'
        dot.add_node(
            name, id=name, shape="note", style="filled", fillcolor=fill,
            **{"class": "change-request" + (f" {verdict.word}" if verdict else "")},
            label=f'<<B>{label_text(change_id)}</B><BR/><FONT POINT-SIZE="10">{label_text(change_title, 30)}</FONT>{badge}>',
        )
        for asset in changed:
            if asset in picture.shown:
                dot.add_edge(name, node_name(asset), color=CHANGED_FILL, penwidth="2", **{"class": "request"})
        for holder in verdict.holders if verdict else ():
            if holder.change not in drawn_changes:
                unfinished.setdefault(holder.change, holder)
    for change_id, holder in sorted(unfinished.items()):
        name = _change_name(change_id)
        facts = ", ".join(x for x in (f"status {holder.status or 'not set'}", f"release {holder.release}" if holder.release else "no release") if x)
        dot.add_node(
            name, id=name, shape="note", style="filled,dashed", fillcolor="#eeeeee", **{"class": "change-request unfinished"},
            label=(f'<<B>{label_text(change_id)}</B><BR/>'
                   f'<FONT POINT-SIZE="10">{label_text(holder.title or "", 30)}<BR/>unfinished: {label_text(facts, 40)}</FONT>>'),
        )
    for change_id, verdict in sorted(picture.verdicts.items()):
        if change_id not in drawn_changes:
            continue
        for holder in verdict.holders:
            dot.add_edge(
                _change_name(holder.change), _change_name(change_id), color="#b42318", fontcolor="#b42318", style="dashed",
                penwidth="2", label="<<B>holds back</B>>", **{"class": "holds"},
            )
    for u, v, note in plain:
        attrs = {"class": "dependency"}
        if note:
            number = picture.edge_notes.index(note) + 1
            # A small numbered marker joined to its arrow by a line (decorate): it cannot be read as another arrow's.
            attrs["label"] = _marker(number)
            attrs["decorate"] = "true"
            attrs["color"] = NOTE_COLOUR
            attrs["class"] = f"dependency noted note-{number}"
        dot.add_edge(node_name(u), node_name(v), **attrs)
    if picture.edge_notes:
        # Kept in the DOT for pages that list the notes beside the picture (see :func:`edge_notes`).
        # Percent-encoded JSON: no quoting rule of DOT can touch it, and Graphviz leaves the attribute out of its drawings.
        root.graph_attr["impact_notes"] = quote(json.dumps(picture.edge_notes), safe="")
        rows = "".join(
            f'<TR><TD ALIGN="RIGHT" VALIGN="TOP">{_marker(i, inner=True)}</TD>'
            f'<TD ALIGN="LEFT" BALIGN="LEFT"><FONT POINT-SIZE="11">{label_text(note, 90)}</FONT></TD></TR>'
            for i, note in enumerate(picture.edge_notes, 1)
        )
        root.graph_attr["label"] = (
            f'<<TABLE BORDER="0" CELLSPACING="2" CELLPADDING="2"><TR><TD COLSPAN="2" ALIGN="LEFT"><B>Notes on the arrows</B></TD></TR>{rows}</TABLE>>'
        )
    for (u, v), count in folded.items():
        dot.add_edge(u, v, style="dashed", color="#999999", **{"class": "summary"},
                     **({"label": f"<{count} links>"} if count > 1 else {}))
    for a, b, why, directed in picture.conflicts:
        dot.add_edge(
            _change_name(a), _change_name(b), dir="forward" if directed else "both", color=CONFLICT_COLOUR, fontcolor=CONFLICT_COLOUR,
            penwidth="3", style="bold,dashed", constraint="false", label=f"<<B>conflict</B>: {label_text(why, 36)}>",
            **{"class": "conflict"},
        )
    source: str = root.string()  # pygraphviz is untyped
    return source


def edge_notes(dot_source: str) -> list[str]:
    """The notes of a picture's arrows, in the order of their numbered markers (number 1 first).

    >>> edge_notes('digraph { graph [impact_notes="%5B%22a%20%5C%22b%5C%22%22%5D"]; }')
    ['a "b"']
    >>> edge_notes("digraph { }")
    []
    """
    # Graphviz splits long strings over lines with a backslash-newline: join them first.
    match = re.search(r'\bimpact_notes="([A-Za-z0-9%._~-]*)"', dot_source.replace("\\\n", ""))
    if not match:
        return []
    notes = json.loads(unquote(match.group(1)))
    return [str(n) for n in notes] if isinstance(notes, list) else []


def _marker(number: int, inner: bool = False) -> str:
    """The numbered marker of a note: a small boxed number (an HTML-like label, or its table alone)."""
    table = (
        f'<TABLE BORDER="1" CELLBORDER="0" CELLPADDING="1" CELLSPACING="0" COLOR="{NOTE_COLOUR}" BGCOLOR="#ffffff">'
        f'<TR><TD><FONT POINT-SIZE="10" COLOR="{NOTE_COLOUR}"><B>{number}</B></FONT></TD></TR></TABLE>'
    )
    return table if inner else f"<{table}>"


# --- rendering --------------------------------------------------------------


LAYOUT_TIMEOUT = 10.0
"""Seconds the Graphviz engine may take before the picture is given up with a hint."""


def _draw(dot_source: str, fmt: str) -> bytes:
    """Lay out and draw in this process (the child started by :func:`render_picture`)."""
    import pygraphviz

    drawn: bytes = pygraphviz.AGraph(string=dot_source).draw(format=fmt, prog="dot")  # pygraphviz is untyped
    return drawn


_PDF_DATE = re.compile(rb"/CreationDate \(D:(\d{14})")


def render_picture(dot_source: str, fmt: str) -> bytes:
    """Lay out DOT source with Graphviz's ``dot`` engine and return the ``fmt`` bytes.

    ``fmt`` is one of :data:`FORMATS`; ``dot`` returns the source itself. The
    engine runs in a child Python process: its C code and fontconfig print
    warnings straight to the terminal, and a layout can only be stopped from
    outside, so the child's output is captured and it is ended after
    :data:`LAYOUT_TIMEOUT` seconds. The output is deterministic: the PDF
    creation date is fixed, and the SVG is rewritten with data attributes for
    embedding (see the module docstring).
    """
    if fmt not in FORMATS:
        raise ImpactError(f"unknown picture format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "dot":
        return dot_source.encode("utf-8")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "impact.render.picture", fmt],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=LAYOUT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ImpactError(
            f"the picture took more than {LAYOUT_TIMEOUT:.0f} seconds to lay out and was given up; "
            f"lower --max-nodes or --max-tools, or {TOO_LARGE_HINT}"
        ) from None
    data = done.stdout
    if done.returncode != 0 or not data:
        lines = [line for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip() and "Fontconfig" not in line]
        detail = lines[-1].strip()[:300] if lines else f"exit code {done.returncode}"
        raise ImpactError(f"Graphviz could not draw the picture as {fmt}: {detail}")
    if fmt == "pdf":
        # Cairo stamps the current time; a fixed date of the same length keeps byte offsets valid.
        data = _PDF_DATE.sub(b"/CreationDate (D:20000101000000", data)
    if fmt == "svg":
        data = _tidy_svg(data)
    return data


_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"


def _tidy_svg(data: bytes) -> bytes:
    """Add ``data-asset``/``data-tool`` and readable titles; drop comments and anything scriptable.

    Labels are escaped before layout, so no markup from the data can be in the
    SVG; the scan for ``script`` elements and ``on*`` attributes is a second
    line of defence.
    """
    ElementTree.register_namespace("", _SVG)
    ElementTree.register_namespace("xlink", _XLINK)
    root = ElementTree.fromstring(data)
    parents = {child: parent for parent in root.iter() for child in parent}
    for element in list(root.iter()):
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in ("script", "foreignObject"):
            parents[element].remove(element)
            continue
        for name in [n for n in element.attrib if n.lower().startswith("on")]:
            del element.attrib[name]
        ident = element.get("id", "")
        title = element.find(f"{{{_SVG}}}title")
        if tag == "g" and ident.startswith("asset-"):
            element.set("data-asset", asset_of_node(ident))
            if title is not None:
                title.text = asset_of_node(ident)
        elif tag == "g" and ident.startswith("tool-"):
            element.set("data-tool", unquote(ident.removeprefix("tool-")))
            if title is not None:
                title.text = unquote(ident.removeprefix("tool-"))
        elif tag == "g" and "edge" in element.get("class", "").split() and title is not None and title.text:
            tail, _, head = title.text.partition("->")
            title.text = f"{_readable(tail)} -> {_readable(head)}"
    text = ElementTree.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + text + "\n").encode("utf-8")


def _readable(name: str) -> str:
    if name.startswith("asset-"):
        return asset_of_node(name)
    return unquote(name.split("-", 1)[-1]) if name.startswith(("more-", "change-")) else name


if __name__ == "__main__":  # the child process of render_picture: DOT on stdin, picture on stdout
    sys.stdout.buffer.write(_draw(sys.stdin.buffer.read().decode("utf-8"), sys.argv[1]))
