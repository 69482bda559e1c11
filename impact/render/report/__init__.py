"""Release notes: one self-contained HTML page and a Markdown twin, per change or per release.

Everything is rendered in memory first (:func:`render_report` returns file
name → bytes) so the CLI can write the files only once nothing can fail any
more. The HTML page carries its CSS, its script and the dependency graph
(inline SVG) inside it and asks nothing of the network; a
Content-Security-Policy ``<meta>`` forbids every request, which the browser
test checks.

Data from catalogs and change files reaches the page in two ways, both inert:
through Jinja2 with autoescaping on (``report.html.j2``), and as one JSON
block (``<script type="application/json">``, with ``<``, ``>``, ``&``
escaped) that the page's script reads with ``JSON.parse`` and shows with
``textContent`` only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from impact.analysis.check import CheckResult
from impact.analysis.conflicts import conflict_sentence
from impact.analysis.releases import ReleaseResult, waiting_for
from impact.core.distance import tools_away
from impact.core.errors import ImpactError
from impact.graph.depgraph import DependencyGraph
from impact.load.change import ChangeRequest
from impact.render.jsonio import dumps
from impact.render.plaintext import carries_words, char_refs, plural, tests_words
from impact.render.report.data import Picture, ReportInput, page_data, report_data
from impact.render.svg import sanitize_svg
from impact.render.templating import crossings, id_parts, render, safe_url

HTML_NAME = "release-notes.html"
MARKDOWN_NAME = "release-notes.md"
JSON_NAME = "impact.json"
SVG_NAME = "graph.svg"
DOT_NAME = "graph.dot"

HEAD_ROWS = 20
"""Rows of the assets table shown before the rest is folded behind a "show all" button."""


def render_report(report: ReportInput, templates: str | None = None) -> dict[str, bytes]:
    """Every file of the report, rendered in memory: file name → bytes."""
    data = report_data(report)
    asset_ids = [a["id"] for a in data["assets"]]
    picture = report.picture
    untested = data["untested"]
    svg = sanitize_svg(picture.svg, asset_ids, untested) if picture and picture.svg else None
    context = {
        "data": data,
        "r": data["report"],
        "summary": data["summary"],
        "plural": plural,
        "away": tools_away,
        "safe_url": safe_url,
        "ids": id_parts,
        "tests_words": tests_words,
        "carries_words": carries_words,
        "crossings": crossings,
        "head_rows": HEAD_ROWS,
        "svg_file": SVG_NAME if svg else None,
        "picture_problem": picture.problem if picture else "no picture was requested",
        "picture_notes": list(picture.notes) if picture and svg else [],
    }
    html = render(
        "report.html.j2",
        templates,
        **context,
        data_json=Markup(dumps(page_data(data), html_safe=True).rstrip("\n")),
        svg=Markup(svg) if svg else None,
    )
    html = char_refs(html)  # an id in an attribute (data-asset) keeps its value, with no raw U+202E in the file
    markdown = render("report.md.j2", templates, **context)
    files = {
        HTML_NAME: html.encode("utf-8"),
        MARKDOWN_NAME: markdown.encode("utf-8"),
        JSON_NAME: dumps(data).encode("utf-8"),
    }
    if picture is not None and picture.dot:
        files[DOT_NAME] = picture.dot.encode("utf-8")
        if svg:
            # The standalone picture file keeps Graphviz's own output, minus anything active.
            files[SVG_NAME] = (
                '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
                + sanitize_svg(picture.svg or "", asset_ids, untested)
                + "\n"
            ).encode("utf-8")
    return dict(sorted(files.items()))


def release_report_input(result: ReleaseResult, known: Sequence[ChangeRequest] = ()) -> ReportInput:
    """A release's report: every change request of it that is not released yet, with the release check's verdicts.

    Held-back changes stay in the graph, tables and checklist (marked hold in
    the summary), so the notes show the whole release as planned. ``known``
    (every change request read, in any release) names the unfinished work
    that holds a change request back.
    """
    # Only for a release's report (start-up time).
    from impact.render.conflicts import conflict_dict
    from impact.render.releases import release_meta_dict

    members = sorted([*result.ships, *(h.result for h in result.held)], key=lambda r: r.change.id)
    if not members:
        raise ImpactError(
            f"release {result.release_id} has no change request that is not released yet: nothing to report"
        )
    meta = release_meta_dict(result.release_id, result.meta)
    by_id = {c.id: c for c in known} | {r.change.id: r.change for r in members}
    entries = _release_entries(result, by_id)
    member_ids = {r.change.id for r in members}
    conflicts = []
    for c in result.conflicts:
        entry = conflict_dict(c)
        entry["message"] = _conflict_message(c.kind, c.first, c.second, c.assets)
        conflicts.append(entry)
    release = {
        **meta,
        "changes": sorted(entries, key=lambda e: e["id"]),
        "conflicts": conflicts,
        "released": sorted(r.change.id for r in result.released),
    }
    report = ReportInput("release", result.release_id, meta["name"] or f"Release {result.release_id}", members, release)
    # networkx and the picture's modules only when a report draws its graph (start-up time).
    from impact.render.picture import conflict_edges, picture_verdicts

    drawn = [c for c in conflict_edges(result.conflicts) if c.first in member_ids and c.second in member_ids]
    report.picture = make_picture(
        members, drawn, title=f"Release {result.release_id}: {report.title}", verdicts=picture_verdicts(result, known)
    )
    return report


def _release_entries(result: ReleaseResult, by_id: Mapping[str, ChangeRequest]) -> list[dict[str, Any]]:
    """Each change request of the release that is not released yet: its verdict, reasons and what it waits for."""
    said = {cid: d.as_dict() for cid, d in result.decisions.items()}
    entries: list[dict[str, Any]] = [
        {
            "id": r.change.id,
            "verdict": "ship",
            "reasons": [],
            **({"decision": said[r.change.id]} if r.change.id in said else {}),
        }
        for r in result.ships
    ]
    entries += [
        {
            "id": h.result.change.id,
            "verdict": "hold",
            "reasons": list(h.reasons),
            "status": h.result.change.status,
            "waits_for": waiting_for(h.result.change.id, result.conflicts, by_id),
            **({"decision": said[h.result.change.id]} if h.result.change.id in said else {}),
        }
        for h in result.held
    ]
    return entries


def _conflict_message(kind: str, first: str, second: str, assets: Sequence[str]) -> str:
    named = ", ".join(assets[:3]) + (f" and {len(assets) - 3} more" if len(assets) > 3 else "")
    said = conflict_sentence(kind, first, second, named)
    return f"{said}: order and test them together" if kind == "downstream" else said


def make_picture(
    results: Sequence[CheckResult],
    conflicts: Sequence[Any] = (),
    title: str | None = None,
    verdicts: Mapping[str, Any] | None = None,
) -> Picture:
    """The report's graph: DOT always; SVG unless Graphviz cannot draw it, then the reason instead."""
    # networkx and the picture's modules only when a report draws its graph (start-up time).
    from impact.render.dot import edge_notes
    from impact.render.graphviz import render_picture
    from impact.render.picture import impact_picture

    graph = DependencyGraph(results[0].catalog)
    if title is None and len(results) == 1:
        title = f"{results[0].change.id}: {results[0].change.title}"
    try:
        dot = impact_picture(results, graph, conflicts=conflicts, title=title, verdicts=verdicts)
    except ImpactError as exc:
        return Picture("", None, "; ".join(p.message for p in exc.problems))
    try:
        return Picture(dot, render_picture(dot, "svg"), notes=tuple(edge_notes(dot)))
    except ImpactError as exc:
        return Picture(dot, None, "; ".join(p.message for p in exc.problems))
    except ImportError:
        return Picture(
            dot, None, "Graphviz (the pygraphviz package) is not installed; graph.dot holds the picture's source"
        )
