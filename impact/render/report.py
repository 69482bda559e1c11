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

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from impact.analysis.answer import ROLES, count_tests, tests_sentence
from impact.analysis.check import CheckResult
from impact.analysis.conflicts import conflict_sentence
from impact.analysis.decision import Decision, decide
from impact.analysis.releases import ReleaseResult, hold_reasons_alone, waiting_for
from impact.core.distance import tools_away
from impact.core.errors import ImpactError
from impact.graph.depgraph import DependencyGraph
from impact.load.change import ChangeRequest
from impact.render.fields import ASSET_FIELDS_SHOWN, shown_fields
from impact.render.jsonout import check_dict, dumps
from impact.render.readiness import plain, readiness_dict, readiness_lines
from impact.render.svg import sanitize_svg
from impact.render.templating import crossings, id_parts, render, safe_url
from impact.render.text import char_refs, plural, safe, tests_words

HTML_NAME = "release-notes.html"
MARKDOWN_NAME = "release-notes.md"
JSON_NAME = "impact.json"
SVG_NAME = "graph.svg"
DOT_NAME = "graph.dot"

HEAD_ROWS = 20
"""Rows of the assets table shown before the rest is folded behind a "show all" button."""


@dataclass(frozen=True)
class Picture:
    """The dependency graph: DOT source and the SVG Graphviz drew from it (None if it could not)."""

    dot: str
    svg: str | bytes | None = None
    problem: str | None = None
    """Why there is no SVG, in a sentence for the reader of the report."""
    notes: tuple[str, ...] = ()
    """The notes of the picture's arrows, by their marker's number (1 first)."""


@dataclass
class ReportInput:
    """What one report is about: one change, or every change of a release."""

    kind: str
    """``"change"`` or ``"release"``."""
    id: str
    title: str
    results: Sequence[CheckResult]
    release: Mapping[str, Any] | None = None
    """The release check as JSON-ready data (verdicts, reasons, conflicts), in release mode."""
    picture: Picture | None = None


# --- the data: one JSON document for impact.json, the page's script and both templates ---


def _why(r: Mapping[str, Any]) -> dict[str, Any]:
    """An impacted asset's why-path for the page.

    Whole when the JSON has it, else its last step and how many steps are left out; with the values its
    first dependency tests (``path_tests``, issue #29), when the change names some it tests.
    """
    tested = {"path_tests": list(r["tests"])} if r.get("tests") else {}
    if r.get("path_left_out"):
        return {"path": [r["via"], r["asset"]], "notes": [r["via_note"]], "left_out": r["steps"] - 1, **tested}
    return {"path": r["path"], "notes": r["notes"], "left_out": 0, **tested}


def _best(reaches: list[dict[str, Any]]) -> dict[str, Any]:
    return min(reaches, key=lambda r: (r["tool_distance"], r["steps"], r["change"]))


RISK_ORDER = ("high", "medium", "low")


def _risk_of(reaches: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The highest risk any change gives an impacted asset, with its reasons (nothing when the answer carries no risk).
    """
    rated = [r for r in reaches if r.get("risk") in RISK_ORDER]
    if not rated:
        return {}
    worst = min(rated, key=lambda r: (RISK_ORDER.index(r["risk"]), r["tool_distance"], r["steps"], r["change"]))
    return {"risk": worst["risk"], "risk_reasons": list(worst.get("risk_reasons") or [])}


def _sign_off(changes: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Who signs off, over every change: each team once, with every reason, in first-seen order."""
    teams: dict[str, dict[str, Any]] = {}
    for data in changes:
        for entry in (data.get("answer") or {}).get("sign_off", []):
            found = teams.setdefault(entry["team"], {"team": entry["team"], "why": [], "changes": []})
            if entry["why"] not in found["why"]:
                found["why"].append(entry["why"])
            found["changes"].append(data["change"]["id"])
    return list(teams.values())


def report_data(report: ReportInput) -> dict[str, Any]:
    """The whole report as JSON-ready data, merged over the report's changes.

    An asset reached by several changes keeps its nearest reach (least tool
    distance, then fewest steps, then change id) as its why-path and lists
    every change that reaches it. All lists are sorted, so the same input
    gives the same bytes.
    """
    results = list(report.results)
    if not results:
        raise ValueError("a report needs at least one change")
    catalog = results[0].catalog
    changes = [check_dict(r) for r in results]
    by_asset = catalog.tests_by_asset

    changed_by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    reached_by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for data in changes:
        cid = data["change"]["id"]
        for c in data["changed"]:
            changed_by[c["asset"]].append(
                {"change": cid, "action": c["action"], "note": c["note"], "in_catalog": c["in_catalog"]}
            )
        for r in data["impacted"]:
            reached_by[r["asset"]].append(
                {
                    "change": cid,
                    "tool_distance": r["tool_distance"],
                    "steps": r["steps"],
                    **_why(r),
                    "risk": r.get("risk"),
                    "risk_reasons": r.get("risk_reasons", []),
                }
            )

    def team_info(team_id: str | None) -> dict[str, Any]:
        team = catalog.teams.get(team_id or "")
        if team is None:
            return {"team": team_id, "name": team_id, "email": None, "slack": None}
        return {"team": team.id, "name": team.name, "email": team.email, "slack": team.slack}

    assets = []
    for aid in sorted(set(changed_by) | set(reached_by)):
        asset = catalog.assets.get(aid)
        system_id = asset.system if asset else aid.partition(":")[0]
        system = catalog.systems[system_id]
        reaches = sorted(reached_by.get(aid, []), key=lambda r: (r["tool_distance"], r["steps"], r["change"]))
        best = _best(reaches) if reaches and aid not in changed_by else None
        asset_tests = list(by_asset.get(aid, ()))
        assets.append(
            {
                "id": aid,
                "system": system_id,
                "system_name": system.name,
                "name": getattr(asset, "name", None) if asset else None,
                "type": asset.type if asset else None,
                "description": asset.description if asset else None,
                "critical": bool(asset.critical) if asset else False,
                "in_catalog": asset is not None,
                "status": "changed" if aid in changed_by else "impacted",
                "tool_distance": 0 if aid in changed_by else best["tool_distance"] if best else 0,
                "path": best["path"] if best else [aid],
                "notes": best["notes"] if best else [],
                "left_out": best["left_out"] if best else 0,
                "steps": best["steps"] if best else 0,
                **({"path_tests": best["path_tests"]} if best and best.get("path_tests") else {}),
                "owner": team_info(asset.owner if asset else system.owner),
                "changed_by": sorted(changed_by.get(aid, []), key=lambda c: c["change"]),
                "reached_by": [{"change": r["change"], "tool_distance": r["tool_distance"]} for r in reaches],
                "tests": asset_tests,
                "untested": not asset_tests,
                **_risk_of(reaches),
                **(shown_fields(asset) if ASSET_FIELDS_SHOWN else {}),
            }
        )
    assets.sort(key=lambda a: (a["status"] != "changed", a["tool_distance"], a["steps"], a["id"]))
    distance_of = {a["id"]: a["tool_distance"] for a in assets}

    tests: list[dict[str, Any]] = []
    test_ids = sorted({t for a in assets for t in a["tests"]})
    for tid in test_ids:
        test = catalog.tests[tid]
        covers = sorted((a for a in test.covers if a in distance_of), key=lambda a: (distance_of[a], a))
        tests.append(
            {
                "id": tid,
                "name": test.name,
                "kind": test.kind,
                "owner": team_info(test.owner) if test.owner else None,
                "minutes": test.minutes,
                "run": test.run,
                "steps": list(test.steps),
                "covers": covers,
                "tool_distance": distance_of[covers[0]],
                "changes": sorted({c["change"]["id"] for c in changes if any(t["id"] == tid for t in c["tests"])}),
            }
        )
    tests.sort(key=lambda t: (t["tool_distance"], t["id"]))

    teams: dict[str, dict[str, Any]] = {}
    for data in changes:
        cid = data["change"]["id"]
        for s in data["stakeholders"]:
            entry = teams.setdefault(
                s["team"],
                {
                    **team_info(s["team"]),
                    "members": list(catalog.teams[s["team"]].members),
                    "roles": set(),
                    "assets": set(),
                    "reasons": [],
                },
            )
            entry["roles"].update(s["roles"])
            if "role" in s:
                # One role per team: the strongest any change gives it, with that change's reason.
                current = entry.get("role")
                if current is None or ROLES.index(s["role"]) < ROLES.index(current):
                    entry["role"], entry["role_reason"] = s["role"], s.get("role_reason")
            entry["assets"].update(s["assets"])
            entry["reasons"].extend({"change": cid, **r} for r in s["reasons"])
    stakeholders = []
    for entry in teams.values():
        roles = [r for r in ROLES if r in entry["roles"]]
        role_reason = next(r["reason"] for r in entry["reasons"] if r["role"] == roles[0])
        stakeholders.append(
            {**entry, "roles": roles, "role": roles[0], "role_reason": role_reason, "assets": sorted(entry["assets"])}
        )
    stakeholders.sort(key=lambda s: (ROLES.index(s["roles"][0]), s["team"]))

    untested = sorted(
        (a for a in assets if a["untested"]), key=lambda a: (not a["critical"], a["tool_distance"], a["id"])
    )
    release = dict(report.release) if report.release else None
    conflicts = list(release.get("conflicts", [])) if release else []
    verdicts = _verdicts(results, release)
    systems = sorted({a["system"] for a in assets if a["status"] == "impacted"})
    return {
        "report": {
            "kind": report.kind,
            "id": report.id,
            "title": report.title,
            "catalog": catalog.root,
            "max_tools": results[0].max_tools,
        },
        "summary": {
            "changes": len(changes),
            "changed": sum(1 for a in assets if a["status"] == "changed"),
            "impacted": sum(1 for a in assets if a["status"] == "impacted"),
            "tools_reached": len(systems),
            "max_tool_distance": max((a["tool_distance"] for a in assets), default=0),
            "critical_impacted": sum(1 for a in assets if a["critical"] and a["status"] == "impacted"),
            "stakeholders": len(stakeholders),
            "tests": len(tests),
            "test_minutes": sum(t["minutes"] or 0 for t in tests),
            "tests_sentence": tests_sentence(count_tests([(t["kind"], t["minutes"]) for t in tests])),
            "untested": len(untested),
            "conflicts": len(conflicts),
            "hold": sum(1 for v in verdicts if v["verdict"] == "hold"),
            "risk": {level: sum(1 for a in assets if a.get("risk") == level) for level in RISK_ORDER},
        },
        "sign_off": _sign_off(changes),
        "verdicts": verdicts,
        "release": release,
        "conflicts": conflicts,
        "systems": [
            {"id": s.id, "name": s.name} for s in catalog.systems.values() if s.id in {a["system"] for a in assets}
        ],
        "assets": assets,
        "stakeholders": stakeholders,
        "distribution_list": distribution_list(stakeholders),
        "tests": tests,
        "untested": [a["id"] for a in untested],
        "changes": changes,
    }


def page_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """What the page's script needs (the details panel): assets, tests and the report's name."""
    return {
        "report": data["report"],
        "changes": [c["change"]["id"] for c in data["changes"]],
        "assets": data["assets"],
        "tests": [{"id": t["id"], "name": t["name"], "kind": t["kind"]} for t in data["tests"]],
    }


def distribution_list(stakeholders: Sequence[Mapping[str, Any]]) -> str:
    """``Name <email>`` for every stakeholder team with an e-mail address, comma-separated.

    Examples
    --------
    >>> distribution_list([{"name": "Web Team", "email": "web@example.com"}, {"name": "SDRs", "email": None}])
    'Web Team <web@example.com>'
    """
    entries = []
    for s in stakeholders:
        if not s.get("email"):
            continue
        # Names go inside quotes when they hold characters that mean something in an address list.
        name = safe(str(s["name"])).replace('"', "'")
        shown = f'"{name}"' if re.search(r"[,;<>()@:\\\[\]]", name) else name
        entries.append(f"{shown} <{safe(str(s['email']))}>")
    return ", ".join(entries)


def _decision_words(decision: Decision, said: Mapping[str, Any]) -> dict[str, Any]:
    """The one verdict's words (from the release check in a release), its cost and the readiness lines."""
    return {
        "headline": said.get("verdict", decision.headline),
        "ready": said.get("ready", decision.ships),
        "missing": list(said.get("missing", [])),
        "cost": decision.cost,
        "readiness": readiness_dict(decision.readiness),
        "ready_lines": [line.strip() for line in readiness_lines(decision, plain)[1:]],
    }


def _verdicts(results: Sequence[CheckResult], release: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Ship or hold, per change, with reasons: from the release check when there is one, else each change's release
    path.
    """
    release_changes: dict[str, Mapping[str, Any]] = {}
    if release:
        for entry in release.get("changes", []) or []:
            if isinstance(entry, Mapping) and "id" in entry:
                release_changes[str(entry["id"])] = entry
    found = []
    for result in results:
        change = result.change
        rp = result.release_path
        entry = release_changes.get(change.id, {})
        declared = entry.get("declared", rp.declared if rp else change.path)
        computed = entry.get("computed", rp.computed if rp else None)
        reasons = [str(r) for r in entry.get("reasons", rp.reasons if rp else ())]
        if "verdict" in entry:
            verdict = str(entry["verdict"])
        elif "ships" in entry:
            verdict = "ship" if entry["ships"] else "hold"
        elif rp is not None:
            # One meaning of "ship": the release rule (status approved, path fits), never the path alone.
            held = hold_reasons_alone(result)
            verdict = "hold" if held else "ship"
            reasons = [*held, *reasons]
        else:
            verdict = "unknown"
        if verdict == "ship" and declared is None and computed:
            reasons.insert(0, f"no release path declared; it needs {computed}")
        waits_for = [dict(w) for w in entry.get("waits_for", [])]
        short = []
        if verdict == "hold":
            if change.status != "approved" and (release is None or "status" in entry):
                short.append(f"status {change.status or 'not set'}, not approved")
            if rp is not None and rp.too_light:
                short.append(f"needs the {rp.computed} path, declares {rp.declared}")
            if waits_for:
                short.append(
                    "waits for " + ", ".join(f"{w['change']} ({w['status'] or 'no status'})" for w in waits_for)
                )
        decision = decide(result)
        given = entry.get("decision")
        said: Mapping[str, Any] = given if isinstance(given, Mapping) else decision.as_dict()
        found.append(
            {
                **_decision_words(decision, said),
                "change": change.id,
                "title": change.title,
                "status": change.status,
                "requested_by": change.requested_by,
                "release": change.release,
                "declared": declared,
                "computed": computed,
                "verdict": verdict,
                "reasons": reasons,
                "short": short,
                "too_light": bool(rp is not None and rp.too_light),
                "waits_for": waits_for,
            }
        )
    return sorted(found, key=lambda v: v["change"])


# --- rendering ---


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


def picture_verdicts(result: ReleaseResult, known: Sequence[ChangeRequest] = ()) -> dict[str, Any]:
    """Each change request of a release as the release picture marks it: "ships" or "held", with what holds it."""
    from impact.render.dot import (  # the picture's modules only when a report draws its graph (start-up time)
        Holder,
        Verdict,
    )

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


def release_report_input(result: ReleaseResult, known: Sequence[ChangeRequest] = ()) -> ReportInput:
    """A release's report: every change request of it that is not released yet, with the release check's verdicts.

    Held-back changes stay in the graph, tables and checklist (marked hold in
    the summary), so the notes show the whole release as planned. ``known``
    (every change request read, in any release) names the unfinished work
    that holds a change request back.
    """
    from impact.render.releases import conflict_dict, release_meta_dict  # only for a release's report (start-up time)

    members = sorted([*result.ships, *(h.result for h in result.held)], key=lambda r: r.change.id)
    if not members:
        raise ImpactError(
            f"release {result.release_id} has no change request that is not released yet: nothing to report"
        )
    meta = release_meta_dict(result.release_id, result.meta)
    by_id = {c.id: c for c in known} | {r.change.id: r.change for r in members}
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
    from impact.render.picture import conflict_edges  # networkx only when a report draws its graph (start-up time)

    drawn = [c for c in conflict_edges(result.conflicts) if c.first in member_ids and c.second in member_ids]
    report.picture = make_picture(
        members, drawn, title=f"Release {result.release_id}: {report.title}", verdicts=picture_verdicts(result, known)
    )
    return report


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
