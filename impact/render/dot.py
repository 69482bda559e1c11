"""DOT: a chosen picture (:class:`~impact.render.drawing.Drawing`) as Graphviz source.

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

import json
import re
from typing import Any
from urllib.parse import quote, unquote

from impact.core.distance import tools_away, tools_away_between
from impact.core.errors import ImpactError
from impact.core.ids import split_asset_id
from impact.render.drawing import HARD_MAX_NODES, HARD_MAX_TOOLS, TOO_LARGE_HINT, Drawing, Holder, Shown, Verdict, edges
from impact.render.labels import change_name, label_text, node_name, summary_name

FONT = "Helvetica"
# YlOrBr (ColorBrewer, sequential, colour-blind safe), every step at least 9 points of
# CIELAB lightness from the next, so that the colours also differ printed in grey:
# the nearer the impact, the darker and warmer. The last colour serves every farther distance.
DISTANCE_COLOURS = ("#ec7014", "#fe9929", "#fec44f", "#fee391", "#ffffff")
CHANGED_FILL = "#b30000"
UPSTREAM_FILL = "#deebf7"
NOTE_COLOUR = "#1f4e9c"
"""Numbered markers on arrows that carry a catalog note (the notes are listed under the picture)."""
KEY_WIDTH = 28
"""Characters per line of an asset's key in its box (wrapped at / : . - and spaces only)."""
CONTEXT_FILL = "#f0f0f0"
CRITICAL_BORDER = "#b30000"
CONFLICT_COLOUR = "#7b3294"
SUMMARY_FILL = "#ffffff"


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
    if name := (getattr(asset, "name", None) if asset else None):
        facts.insert(0, f"\u201c{name}\u201d")
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
        fill = distance_colour(item.distance if picture.mode == "impact" else max(item.distance - 1, 0))
    elif item.role == "upstream":
        fill = UPSTREAM_FILL
    elif item.role == "context":
        fill = CONTEXT_FILL
    classes = ["asset", item.role] + (["critical"] if critical else [])
    attrs = {
        "id": node_name(item.asset),
        "class": " ".join(classes),
        "label": _asset_label(label_text(key, KEY_WIDTH), small),
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


def _header(picture: Drawing) -> str:
    """The picture's title, summary, notes and legend, as one HTML-like table."""
    rows = [
        f'<TR><TD ALIGN="LEFT" COLSPAN="{max(len(picture.legend), 1) + 1}"><FONT '
        f'POINT-SIZE="18"><B>{label_text(picture.title, 90)}</B></FONT></TD></TR>',
        '<TR><TD ALIGN="LEFT" '
        f'COLSPAN="{max(len(picture.legend), 1) + 1}">{label_text(picture.subtitle, 120)}</TD></TR>',
    ]
    for note in picture.notes:
        rows.append(
            f'<TR><TD ALIGN="LEFT" COLSPAN="{max(len(picture.legend), 1) + 1}"><FONT '
            f'COLOR="#7f0000">{label_text(note, 120)}</FONT></TD></TR>'
        )
    cells = "".join(
        f'<TD BGCOLOR="{fill}" BORDER="1" COLOR="#555555"><FONT COLOR="{font}" '
        f'POINT-SIZE="11">{label_text(text)}</FONT></TD>'
        for text, fill, font in picture.legend
    )
    cells += (
        f'<TD BORDER="0"><TABLE BORDER="1" COLOR="{CRITICAL_BORDER}" CELLBORDER="1" CELLSPACING="2" CELLPADDING="3">'
        f'<TR><TD COLOR="{CRITICAL_BORDER}"><FONT POINT-SIZE="11">double red border: '
        "CRITICAL</FONT></TD></TR></TABLE></TD>"
    )
    if picture.edge_notes:
        cells += (
            f'<TD BORDER="1" COLOR="{NOTE_COLOUR}"><FONT POINT-SIZE="11" COLOR="{NOTE_COLOUR}"><B>(1)</B> on an arrow: '
            "its note, listed under the picture</FONT></TD>"
        )
    rows.append(f"<TR>{cells}</TR>")
    return '<<TABLE BORDER="0" CELLSPACING="4" CELLPADDING="4">' + "".join(rows) + "</TABLE>>"


def to_dot(picture: Drawing) -> str:
    """Turn the picture into DOT with pygraphviz (which quotes attribute values)."""
    import pygraphviz  # the Graphviz engine, only when a picture is drawn (start-up time)

    plain, folded = edges(picture)
    _refuse_too_large(picture)
    # Numbered notes: each distinct note of a drawn arrow gets a number, in arrow order.
    picture.edge_notes = []
    for _, _, note in plain:
        if note and note not in picture.edge_notes:
            picture.edge_notes.append(note)
    root = pygraphviz.AGraph(directed=True, strict=False, name="impact")
    frame = _frame(root, picture)
    for system in sorted({picture.system_of(a) for a in picture.shown} | set(picture.folded)):
        _add_tool(frame, picture, system)
    _add_change_requests(frame, picture)
    _add_dependencies(frame, picture, plain)
    if picture.edge_notes:
        _add_notes(root, picture.edge_notes)
    for (u, v), count in folded.items():
        frame.add_edge(
            u,
            v,
            style="dashed",
            color="#999999",
            **{"class": "summary"},
            **({"label": f"<{count} links>"} if count > 1 else {}),
        )
    for a, b, why, directed in picture.conflicts:
        frame.add_edge(
            change_name(a),
            change_name(b),
            dir="forward" if directed else "both",
            color=CONFLICT_COLOUR,
            fontcolor=CONFLICT_COLOUR,
            penwidth="3",
            style="bold,dashed",
            constraint="false",
            label=f"<<B>conflict</B>: {label_text(why, 36)}>",
            **{"class": "conflict"},
        )
    source: str = root.string()  # pygraphviz is untyped
    return source


def _refuse_too_large(picture: Drawing) -> None:
    """Refuse, with a hint, a picture whose layout would take too long to be useful."""
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


def _frame(root: Any, picture: Drawing) -> Any:
    """The DOT graph's attributes and, inside it, the frame that holds the picture under its title and legend."""
    # Top to bottom: the tools at one distance sit side by side in a row, the next distance below,
    # so a wide change grows down as much as across instead of into a long strip.
    root.graph_attr.update(
        rankdir="TB",
        fontname=FONT,
        labelloc="b",
        labeljust="l",
        nodesep="0.3",
        ranksep="0.45",
        newrank="true",
        compound="true",
        bgcolor="white",
        pad="0.3",
    )
    # The title and legend head an invisible frame around the whole picture; the numbered
    # notes are the graph's own label, under the picture.
    root.node_attr.update(shape="box", style="rounded,filled", fontname=FONT, fontsize="12", margin="0.12,0.06")
    root.edge_attr.update(fontname=FONT, fontsize="9", color="#555555", arrowsize="0.7")
    frame = root.add_subgraph(
        name="cluster_picture",
        label=_header(picture),
        labelloc="t",
        labeljust="l",
        style="solid",
        color="#ffffff",
        fillcolor="#ffffff",
        fontsize="14",
        id="picture",
        **{"class": "frame"},
    )
    return frame


def _tool_heading(picture: Drawing, system: str, members: list[str]) -> str:
    """A tool's box heading: its name, its id and, in an impact picture, where it stands from the change."""
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
    return heading + f' <FONT POINT-SIZE="10">({label_text(system)}{", " + where if where else ""})</FONT>'


def _add_tool(frame: Any, picture: Drawing, system: str) -> None:
    """One tool's box with its drawn assets and, when some are folded, its "+N more" box."""
    members = sorted(a for a in picture.shown if picture.system_of(a) == system)
    sub = frame.add_subgraph(
        name=f"cluster_{system}",
        label=f"<{_tool_heading(picture, system, members)}>",
        id=f"tool-{quote(system, safe='')}",
        **{"class": "tool"},
        style="rounded,filled",
        fillcolor="#fafafa",
        color="#999999",
        fontsize="13",
        labeljust="l",
    )
    for asset in members:
        sub.add_node(node_name(asset), **_asset_attrs(picture, picture.shown[asset]))
    if system in picture.folded:
        assets = picture.folded[system]
        text = f"+{len(assets)} more asset{'s' if len(assets) != 1 else ''}"
        firsts = (picture.rank[a][0] for a in assets)
        far = sorted({d for d in firsts if isinstance(d, int)})
        if picture.mode == "impact" and far:
            text += f"\n{tools_away_between(far[0], far[-1])}"
        sub.add_node(
            summary_name(system),
            label=f"<{label_text(text)}>",
            shape="folder",
            style="dashed,filled",
            fillcolor=SUMMARY_FILL,
            id=summary_name(system),
            **{"class": "summary"},
        )


def _change_label(change_id: str, change_title: str, verdict: Verdict | None) -> tuple[str, str]:
    """A change request's note: its fill colour and label, with its verdict in a release picture."""
    badge = ""
    fill = "#ffffcc"
    if verdict is not None:
        ships = verdict.word == "ships"
        fill = "#e3f4e8" if ships else "#fde8e6"
        colour = "#1e7b3c" if ships else "#b42318"
        badge = f'<BR/><FONT POINT-SIZE="12" COLOR="{colour}"><B>{label_text(verdict.word.upper())}</B></FONT>'
        if verdict.holders:
            waits = label_text(", ".join(h.change for h in verdict.holders), 30)
            badge += f'<BR/><FONT POINT-SIZE="10">waits for {waits}</FONT>'
    title = f'<FONT POINT-SIZE="10">{label_text(change_title, 30)}</FONT>'
    return fill, f"<<B>{label_text(change_id)}</B><BR/>{title}{badge}>"


def _add_change_requests(frame: Any, picture: Drawing) -> None:
    """The change requests drawn, the unfinished ones that hold them back, and what holds back what."""
    drawn_changes = {c[0] for c in picture.changes}
    unfinished: dict[str, Holder] = {}
    for change_id, change_title, changed in picture.changes:
        name = change_name(change_id)
        verdict = picture.verdicts.get(change_id)
        fill, label = _change_label(change_id, change_title, verdict)
        frame.add_node(
            name,
            id=name,
            shape="note",
            style="filled",
            fillcolor=fill,
            **{"class": "change-request" + (f" {verdict.word}" if verdict else "")},
            label=label,
        )
        for asset in changed:
            if asset in picture.shown:
                frame.add_edge(name, node_name(asset), color=CHANGED_FILL, penwidth="2", **{"class": "request"})
        for holder in verdict.holders if verdict else ():
            if holder.change not in drawn_changes:
                unfinished.setdefault(holder.change, holder)
    for change_id, holder in sorted(unfinished.items()):
        _add_unfinished(frame, change_id, holder)
    for change_id, verdict in sorted(picture.verdicts.items()):
        if change_id not in drawn_changes:
            continue
        for holder in verdict.holders:
            frame.add_edge(
                change_name(holder.change),
                change_name(change_id),
                color="#b42318",
                fontcolor="#b42318",
                style="dashed",
                penwidth="2",
                label="<<B>holds back</B>>",
                **{"class": "holds"},
            )


def _add_unfinished(frame: Any, change_id: str, holder: Holder) -> None:
    """An unfinished change request that holds a drawn one back, greyed, with its status and release."""
    name = change_name(change_id)
    facts = ", ".join(
        x
        for x in (
            f"status {holder.status or 'not set'}",
            f"release {holder.release}" if holder.release else "no release",
        )
        if x
    )
    frame.add_node(
        name,
        id=name,
        shape="note",
        style="filled,dashed",
        fillcolor="#eeeeee",
        **{"class": "change-request unfinished"},
        label=(
            f"<<B>{label_text(change_id)}</B><BR/>"
            f'<FONT POINT-SIZE="10">{label_text(holder.title or "", 30)}<BR/>unfinished: '
            f"{label_text(facts, 40)}</FONT>>"
        ),
    )


def _add_dependencies(frame: Any, picture: Drawing, plain: list[tuple[str, str, str | None]]) -> None:
    """The arrows between drawn assets, each with a catalog note marked by its number."""
    for u, v, note in plain:
        attrs = {"class": "dependency"}
        if note:
            number = picture.edge_notes.index(note) + 1
            # A small numbered marker joined to its arrow by a line (decorate): it cannot be read as another arrow's.
            attrs["label"] = _marker(number)
            attrs["decorate"] = "true"
            attrs["color"] = NOTE_COLOUR
            attrs["class"] = f"dependency noted note-{number}"
        frame.add_edge(node_name(u), node_name(v), **attrs)


def _add_notes(root: Any, notes: list[str]) -> None:
    """The arrows' notes, numbered, as the graph's label under the picture (and kept for :func:`edge_notes`)."""
    # Kept in the DOT for pages that list the notes beside the picture (see :func:`edge_notes`).
    # Percent-encoded JSON: no quoting rule of DOT can touch it, and Graphviz leaves the attribute out of its
    # drawings.
    root.graph_attr["impact_notes"] = quote(json.dumps(notes), safe="")
    rows = "".join(
        f'<TR><TD ALIGN="RIGHT" VALIGN="TOP">{_marker(i, inner=True)}</TD>'
        f'<TD ALIGN="LEFT" BALIGN="LEFT"><FONT POINT-SIZE="11">{label_text(note, 90)}</FONT></TD></TR>'
        for i, note in enumerate(notes, 1)
    )
    root.graph_attr["label"] = (
        '<<TABLE BORDER="0" CELLSPACING="2" CELLPADDING="2"><TR><TD COLSPAN="2" ALIGN="LEFT"><B>Notes on the '
        f"arrows</B></TD></TR>{rows}</TABLE>>"
    )


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


_BREAK = '<BR ALIGN="LEFT"/>'


def _asset_label(key: str, small: str) -> str:
    """An asset box's label: its key in bold over its facts, a row per line with room between them.

    Rows of a table rather than line breaks: Graphviz sets lines so close that
    underscores (``Division__c``) touch the line below.
    """
    rows = [f"<TR><TD><B>{line}</B></TD></TR>" for line in key.split(_BREAK)]
    rows += [f'<TR><TD><FONT POINT-SIZE="10">{line}</FONT></TD></TR>' for line in small.split(_BREAK)]
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{"".join(rows)}</TABLE>>'


def _marker(number: int, inner: bool = False) -> str:
    """The numbered marker of a note: a small boxed number (an HTML-like label, or its table alone)."""
    table = (
        f'<TABLE BORDER="1" CELLBORDER="0" CELLPADDING="1" CELLSPACING="0" COLOR="{NOTE_COLOUR}" BGCOLOR="#ffffff">'
        f'<TR><TD><FONT POINT-SIZE="10" COLOR="{NOTE_COLOUR}"><B>{number}</B></FONT></TD></TR></TABLE>'
    )
    return table if inner else f"<{table}>"
