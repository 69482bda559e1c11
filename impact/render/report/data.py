"""The report's data: one JSON-ready document for ``impact.json``, the page's script and both templates.

Merged over the report's changes (one, or every change of a release); the
HTML page and the Markdown twin are rendered from it by
:mod:`impact.render.report`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from impact.analysis.answer import ROLES, count_tests, tests_sentence
from impact.analysis.check import CheckResult
from impact.analysis.decision import Decision, decide
from impact.analysis.releases import hold_reasons_alone
from impact.core.catalog import Catalog
from impact.render.check.data import check_dict
from impact.render.fields import ASSET_FIELDS_SHOWN, shown_fields
from impact.render.plaintext import safe
from impact.render.readiness import plain, readiness_dict, readiness_lines


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


RISK_ORDER = ("high", "medium", "low")


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
    assets = _assets(catalog, *_reaches(changes))
    tests = _tests(catalog, assets, changes)
    stakeholders = _stakeholders(catalog, changes)
    untested = sorted(
        (a for a in assets if a["untested"]), key=lambda a: (not a["critical"], a["tool_distance"], a["id"])
    )
    release = dict(report.release) if report.release else None
    conflicts = list(release.get("conflicts", [])) if release else []
    verdicts = _verdicts(results, release)
    shown_systems = {a["system"] for a in assets}
    return {
        "report": {
            "kind": report.kind,
            "id": report.id,
            "title": report.title,
            "catalog": catalog.root,
            "max_tools": results[0].max_tools,
        },
        "summary": _summary(changes, assets, tests, stakeholders, len(untested), len(conflicts), verdicts),
        "sign_off": _sign_off(changes),
        "verdicts": verdicts,
        "release": release,
        "conflicts": conflicts,
        "systems": [{"id": s.id, "name": s.name} for s in catalog.systems.values() if s.id in shown_systems],
        "assets": assets,
        "stakeholders": stakeholders,
        "distribution_list": distribution_list(stakeholders),
        "tests": tests,
        "untested": [a["id"] for a in untested],
        "changes": changes,
    }


def _why(r: Mapping[str, Any]) -> dict[str, Any]:
    """An impacted asset's why-path for the page.

    Whole when the JSON has it, else its last step and how many steps are left out; with the values its
    first dependency tests (``path_tests``, issue #29), when the change names some it tests, or passes on
    read whole (``path_carries``).
    """
    tested = {"path_tests": list(r["tests"])} if r.get("tests") else {}
    if r.get("carries"):
        tested["path_carries"] = list(r["carries"])
    if r.get("path_left_out"):
        return {"path": [r["via"], r["asset"]], "notes": [r["via_note"]], "left_out": r["steps"] - 1, **tested}
    return {"path": r["path"], "notes": r["notes"], "left_out": 0, **tested}


def _best(reaches: list[dict[str, Any]]) -> dict[str, Any]:
    return min(reaches, key=lambda r: (r["tool_distance"], r["steps"], r["change"]))


def _risk_of(reaches: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The highest risk any change gives an impacted asset, with its reasons (nothing when no answer carries risk)."""
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


Reaches = dict[str, list[dict[str, Any]]]


def _reaches(changes: Sequence[Mapping[str, Any]]) -> tuple[Reaches, Reaches]:
    """Per asset, what each change does to it (changed by) and how each change reaches it (reached by)."""
    changed_by: Reaches = defaultdict(list)
    reached_by: Reaches = defaultdict(list)
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
    return changed_by, reached_by


def _team_info(catalog: Catalog, team_id: str | None) -> dict[str, Any]:
    team = catalog.teams.get(team_id or "")
    if team is None:
        return {"team": team_id, "name": team_id, "email": None, "slack": None}
    return {"team": team.id, "name": team.name, "email": team.email, "slack": team.slack}


def _assets(catalog: Catalog, changed_by: Reaches, reached_by: Reaches) -> list[dict[str, Any]]:
    """Every changed or impacted asset with its nearest why-path, changed ones first, then the nearest."""
    by_asset = catalog.tests_by_asset
    assets = []
    for aid in sorted(set(changed_by) | set(reached_by)):
        asset = catalog.assets.get(aid)
        system_id = asset.system if asset else aid.partition(":")[0]
        reaches = sorted(reached_by.get(aid, []), key=lambda r: (r["tool_distance"], r["steps"], r["change"]))
        best = _best(reaches) if reaches and aid not in changed_by else None
        asset_tests = list(by_asset.get(aid, ()))
        assets.append(
            {
                "id": aid,
                "system": system_id,
                "system_name": catalog.systems[system_id].name,
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
                **({"path_carries": best["path_carries"]} if best and best.get("path_carries") else {}),
                "owner": _team_info(catalog, asset.owner if asset else catalog.systems[system_id].owner),
                "changed_by": sorted(changed_by.get(aid, []), key=lambda c: c["change"]),
                "reached_by": [{"change": r["change"], "tool_distance": r["tool_distance"]} for r in reaches],
                "tests": asset_tests,
                "untested": not asset_tests,
                **_risk_of(reaches),
                **(shown_fields(asset) if ASSET_FIELDS_SHOWN else {}),
            }
        )
    assets.sort(key=lambda a: (a["status"] != "changed", a["tool_distance"], a["steps"], a["id"]))
    return assets


def _tests(
    catalog: Catalog, assets: Sequence[Mapping[str, Any]], changes: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The regression tests that cover the report's assets, nearest first, with the changes that ask for each."""
    distance_of = {a["id"]: a["tool_distance"] for a in assets}
    tests: list[dict[str, Any]] = []
    for tid in sorted({t for a in assets for t in a["tests"]}):
        test = catalog.tests[tid]
        covers = sorted((a for a in test.covers if a in distance_of), key=lambda a: (distance_of[a], a))
        tests.append(
            {
                "id": tid,
                "name": test.name,
                "kind": test.kind,
                "owner": _team_info(catalog, test.owner) if test.owner else None,
                "minutes": test.minutes,
                "run": test.run,
                "steps": list(test.steps),
                "covers": covers,
                "tool_distance": distance_of[covers[0]],
                "changes": sorted({c["change"]["id"] for c in changes if any(t["id"] == tid for t in c["tests"])}),
            }
        )
    tests.sort(key=lambda t: (t["tool_distance"], t["id"]))
    return tests


def _stakeholders(catalog: Catalog, changes: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every team to involve, once over the changes, with its one strongest role and every reason."""
    teams: dict[str, dict[str, Any]] = {}
    for data in changes:
        cid = data["change"]["id"]
        for s in data["stakeholders"]:
            entry = teams.setdefault(
                s["team"],
                {
                    **_team_info(catalog, s["team"]),
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
    return stakeholders


def _summary(
    changes: Sequence[Mapping[str, Any]],
    assets: Sequence[Mapping[str, Any]],
    tests: Sequence[Mapping[str, Any]],
    stakeholders: Sequence[Mapping[str, Any]],
    untested: int,
    conflicts: int,
    verdicts: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """The report's numbers, for its first lines."""
    return {
        "changes": len(changes),
        "changed": sum(1 for a in assets if a["status"] == "changed"),
        "impacted": sum(1 for a in assets if a["status"] == "impacted"),
        "tools_reached": len({a["system"] for a in assets if a["status"] == "impacted"}),
        "max_tool_distance": max((a["tool_distance"] for a in assets), default=0),
        "critical_impacted": sum(1 for a in assets if a["critical"] and a["status"] == "impacted"),
        "stakeholders": len(stakeholders),
        "tests": len(tests),
        "test_minutes": sum(t["minutes"] or 0 for t in tests),
        "tests_sentence": tests_sentence(count_tests([(t["kind"], t["minutes"]) for t in tests])),
        "untested": untested,
        "conflicts": conflicts,
        "hold": sum(1 for v in verdicts if v["verdict"] == "hold"),
        "risk": {level: sum(1 for a in assets if a.get("risk") == level) for level in RISK_ORDER},
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
    """Ship or hold, per change, with reasons: from the release check when there is one, else each change's
    release path.
    """
    release_changes: dict[str, Mapping[str, Any]] = {}
    if release:
        for entry in release.get("changes", []) or []:
            if isinstance(entry, Mapping) and "id" in entry:
                release_changes[str(entry["id"])] = entry
    found = [_verdict(result, release_changes.get(result.change.id, {}), release) for result in results]
    return sorted(found, key=lambda v: v["change"])


def _verdict(result: CheckResult, entry: Mapping[str, Any], release: Mapping[str, Any] | None) -> dict[str, Any]:
    """One change's verdict: the release check's ``entry`` for it (empty outside a release), else its own."""
    change = result.change
    rp = result.release_path
    declared = entry.get("declared", rp.declared if rp else change.path)
    computed = entry.get("computed", rp.computed if rp else None)
    verdict, reasons = _ship_or_hold(result, entry)
    if verdict == "ship" and declared is None and computed:
        reasons.insert(0, f"no release path declared; it needs {computed}")
    waits_for = [dict(w) for w in entry.get("waits_for", [])]
    decision = decide(result)
    given = entry.get("decision")
    said: Mapping[str, Any] = given if isinstance(given, Mapping) else decision.as_dict()
    return {
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
        "short": _held_because(result, entry, release, waits_for) if verdict == "hold" else [],
        "too_light": bool(rp is not None and rp.too_light),
        "waits_for": waits_for,
    }


def _ship_or_hold(result: CheckResult, entry: Mapping[str, Any]) -> tuple[str, list[str]]:
    """The verdict word and its reasons: as the release check gave them, else by the release rule."""
    rp = result.release_path
    reasons = [str(r) for r in entry.get("reasons", rp.reasons if rp else ())]
    if "verdict" in entry:
        return str(entry["verdict"]), reasons
    if "ships" in entry:
        return ("ship" if entry["ships"] else "hold"), reasons
    if rp is not None:
        # One meaning of "ship": the release rule (status approved, path fits), never the path alone.
        held = hold_reasons_alone(result)
        return ("hold" if held else "ship"), [*held, *reasons]
    return "unknown", reasons


def _held_because(
    result: CheckResult, entry: Mapping[str, Any], release: Mapping[str, Any] | None, waits_for: list[dict[str, Any]]
) -> list[str]:
    """What holds a change, in short: its status, a path too light, the changes it waits for."""
    change, rp = result.change, result.release_path
    short = []
    if change.status != "approved" and (release is None or "status" in entry):
        short.append(f"status {change.status or 'not set'}, not approved")
    if rp is not None and rp.too_light:
        short.append(f"needs the {rp.computed} path, declares {rp.declared}")
    if waits_for:
        short.append("waits for " + ", ".join(f"{w['change']} ({w['status'] or 'no status'})" for w in waits_for))
    return short
