"""DOT: a chosen picture (:class:`Drawing`) as Graphviz source.

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
"""

from __future__ import annotations

import html
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import quote, unquote

from impact.core.catalog import Catalog
from impact.core.distance import tools_away
from impact.core.errors import ImpactError
from impact.core.ids import split_asset_id
from impact.graph.depgraph import DependencyGraph
from impact.render.text import safe

HARD_MAX_NODES = 250
HARD_MAX_EDGES = 600
HARD_MAX_TOOLS = 40
"""Above these, the layout would take too long to be useful: refuse with a hint."""

FONT = "Helvetica"
# OrRd (ColorBrewer, colour-blind safe): the nearer the impact, the warmer.
DISTANCE_COLOURS = ("#fc8d59", "#fdbb84", "#fdd49e", "#fee8c8", "#fff7ec", "#ffffff")
CHANGED_FILL = "#b30000"
UPSTREAM_FILL = "#deebf7"
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
        parts = textwrap.wrap(line, width, break_long_words=True, break_on_hyphens=False) if width and line else [line]
        lines.extend(parts or [""])
    escaped = (html.escape(line, quote=False).replace("\\", "\\\\") for line in lines)
    return '<BR ALIGN="LEFT"/>'.join(escaped)


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


def summary_name(system: str) -> str:
    return "more-" + quote(system, safe="")


def change_name(change_id: str) -> str:
    return "change-" + quote(change_id, safe="")


# --- the picture before it becomes DOT --------------------------------------


class PictureConflict(NamedTuple):
    """A conflict edge between two change requests: ``first`` -> ``second`` when ``directed``."""

    first: str
    second: str
    text: str
    directed: bool = False


@dataclass
class Shown:
    """One asset in the picture and how it is drawn."""

    asset: str
    role: str  # changed | impacted | upstream | focus | context
    distance: int | None = None
    action: str | None = None


@dataclass
class Drawing:
    """The picture before it becomes DOT: assets, folded groups, edges, words."""

    catalog: Catalog
    graph: DependencyGraph
    title: str
    subtitle: str
    mode: str = "impact"  # impact | focus | catalog
    owners: bool = False
    shown: dict[str, Shown] = field(default_factory=dict)
    rank: dict[str, tuple[object, ...]] = field(default_factory=dict)
    keep: set[str] = field(default_factory=set)
    folded: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    changes: list[tuple[str, str, list[str]]] = field(default_factory=list)
    conflicts: list[PictureConflict] = field(default_factory=list)
    legend: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, item: Shown, rank: tuple[object, ...]) -> None:
        if item.asset not in self.shown:
            self.shown[item.asset] = item
            self.rank[item.asset] = rank

    def system_of(self, asset: str) -> str:
        found = self.catalog.assets.get(asset)
        return found.system if found else split_asset_id(asset)[0]


def edges(picture: Drawing) -> tuple[list[tuple[str, str, str | None]], dict[tuple[str, str], int]]:
    """Dependency edges between drawn assets, and folded edges (counted) to or from "+N more" boxes."""
    rep: dict[str, str] = {a: node_name(a) for a in picture.shown}
    for system, assets in picture.folded.items():
        for asset in assets:
            rep[asset] = summary_name(system)
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


def distance_colour(distance: int) -> str:
    return DISTANCE_COLOURS[min(distance, len(DISTANCE_COLOURS) - 1)]


# --- DOT --------------------------------------------------------------------


def _asset_attrs(picture: Drawing, item: Shown) -> dict[str, str]:
    catalog = picture.catalog
    asset = catalog.assets.get(item.asset)
    _, key = split_asset_id(item.asset)
    critical = bool(asset and asset.critical)
    facts = [asset.type if asset else "new asset"]
    if item.role in ("changed",):
        facts.insert(0, f"CHANGED: {item.action}")
    if owners_line := (picture.owners and asset and catalog.teams.get(asset.owner)):
        facts.append(f"owner: {owners_line.name}")
    small = label_text(", ".join(facts), 40)
    if critical:
        small = "<B>CRITICAL</B>, " + small
    fill, font = "#ffffff", "#000000"
    if item.role in ("changed", "focus"):
        fill, font = CHANGED_FILL, "#ffffff"
    elif item.role == "impacted" and item.distance is not None:
        # In a focus picture distances are steps, starting at 1.
        fill = distance_colour(item.distance if picture.mode == "impact" else max(item.distance - 1, 0))
    elif item.role == "upstream":
        fill = UPSTREAM_FILL
    elif item.role == "context":
        fill = CONTEXT_FILL
    classes = ["asset", item.role] + (["critical"] if critical else [])
    attrs = {
        "id": node_name(item.asset),
        "class": " ".join(classes),
        "label": f'<<B>{label_text(key, 36)}</B><BR/><FONT POINT-SIZE="10">{small}</FONT>>',
        "fillcolor": fill,
        "fontcolor": font,
    }
    if item.role in ("changed", "focus"):
        attrs["penwidth"] = "3"
        attrs["color"] = "#000000"
    if critical:
        attrs["peripheries"] = "2"
        attrs["color"] = CRITICAL_BORDER if item.role not in ("changed", "focus") else "#000000"
        attrs["penwidth"] = "2" if item.role not in ("changed", "focus") else "3"
    return attrs


def _header(picture: Drawing) -> str:
    """The picture's title, summary, notes and legend, as one HTML-like table."""
    rows = [
        f'<TR><TD ALIGN="LEFT" COLSPAN="{max(len(picture.legend), 1) + 1}"><FONT POINT-SIZE="18"><B>{label_text(picture.title, 90)}</B></FONT></TD></TR>',
        f'<TR><TD ALIGN="LEFT" COLSPAN="{max(len(picture.legend), 1) + 1}">{label_text(picture.subtitle, 120)}</TD></TR>',
    ]
    for note in picture.notes:
        rows.append(f'<TR><TD ALIGN="LEFT" COLSPAN="{max(len(picture.legend), 1) + 1}"><FONT COLOR="#7f0000">{label_text(note, 120)}</FONT></TD></TR>')
    cells = "".join(
        f'<TD BGCOLOR="{fill}" BORDER="1"><FONT COLOR="{font}" POINT-SIZE="11">{label_text(text)}</FONT></TD>'
        for text, fill, font in picture.legend
    )
    cells += '<TD BORDER="1" COLOR="#b30000" STYLE="rounded"><FONT POINT-SIZE="11">double red border: CRITICAL</FONT></TD>'
    rows.append(f"<TR>{cells}</TR>")
    return '<<TABLE BORDER="0" CELLSPACING="4" CELLPADDING="4">' + "".join(rows) + "</TABLE>>"


def to_dot(picture: Drawing) -> str:
    """Turn the picture into DOT with pygraphviz (which quotes attribute values)."""
    import pygraphviz  # the Graphviz engine, only when a picture is drawn (start-up time)

    plain, folded = edges(picture)
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
    dot = pygraphviz.AGraph(directed=True, strict=False, name="impact")
    dot.graph_attr.update(
        rankdir="LR", fontname=FONT, labelloc="t", labeljust="l", label=_header(picture),
        nodesep="0.25", ranksep="0.6", newrank="true", compound="true", bgcolor="white", pad="0.3",
    )
    dot.node_attr.update(shape="box", style="rounded,filled", fontname=FONT, fontsize="12", margin="0.12,0.06")
    dot.edge_attr.update(fontname=FONT, fontsize="9", color="#555555", arrowsize="0.7")

    by_system: dict[str, list[str]] = defaultdict(list)
    for asset in picture.shown:
        by_system[picture.system_of(asset)].append(asset)
    for system in sorted(set(by_system) | set(picture.folded)):
        members = sorted(by_system.get(system, []))
        names = [node_name(a) for a in members]
        if system in picture.folded:
            names.append(summary_name(system))
        tool = picture.catalog.systems.get(system)
        distances = [picture.shown[a].distance for a in members if picture.shown[a].role == "impacted"]
        where = ""
        if picture.mode == "impact":
            if any(picture.shown[a].role == "changed" for a in members):
                where = "changes here"
            elif distances and all(d is not None for d in distances):
                where = tools_away(min(d for d in distances if d is not None))
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
                text += f"\n{tools_away(far[0])}" if far[0] == far[-1] else f"\n{far[0]} to {far[-1]} tools away"
            sub.add_node(
                summary_name(system),
                label=f"<{label_text(text)}>",
                shape="folder",
                style="dashed,filled",
                fillcolor=SUMMARY_FILL,
                id=summary_name(system),
                **{"class": "summary"},
            )
    for change_id, change_title, changed in picture.changes:
        name = change_name(change_id)
        dot.add_node(
            name, id=name, shape="note", style="filled", fillcolor="#ffffcc", **{"class": "change-request"},
            label=f'<<B>{label_text(change_id)}</B><BR/><FONT POINT-SIZE="10">{label_text(change_title, 30)}</FONT>>',
        )
        for asset in changed:
            if asset in picture.shown:
                dot.add_edge(name, node_name(asset), color=CHANGED_FILL, penwidth="2", **{"class": "request"})
    for u, v, note in plain:
        attrs = {"class": "dependency"}
        if note:
            attrs["label"] = f"<{label_text(note, 28)}>"
            attrs["fontcolor"] = "#333333"
        dot.add_edge(node_name(u), node_name(v), **attrs)
    for (u, v), count in folded.items():
        dot.add_edge(u, v, style="dashed", color="#999999", **{"class": "summary"},
                     **({"label": f"<{count} links>"} if count > 1 else {}))
    for a, b, why, directed in picture.conflicts:
        dot.add_edge(
            change_name(a), change_name(b), dir="forward" if directed else "both", color=CONFLICT_COLOUR, fontcolor=CONFLICT_COLOUR,
            penwidth="3", style="bold,dashed", constraint="false", label=f"<<B>conflict</B>: {label_text(why, 36)}>",
            **{"class": "conflict"},
        )
    source: str = dot.string()  # pygraphviz is untyped
    return source
