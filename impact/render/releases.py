"""``impact release check``: what ships in a release, what is held back and why, in text, JSON and Markdown.

JSON builders (``*_dict``) are the machine contract, shared with the HTML
report; text renderers are for a person at a terminal.
"""

from __future__ import annotations

from typing import Any

from impact.analysis.answer import count_tests, tests_sentence
from impact.analysis.check import CheckResult
from impact.analysis.decision import Decision, decide
from impact.analysis.releases import ReleaseResult
from impact.analysis.stakeholder_lists import PlannedTest
from impact.core.distance import tools_away as away
from impact.load.release_file import Release
from impact.render.check.data import release_path_dict, test_dict
from impact.render.conflicts import conflict_dict, conflict_line
from impact.render.plaintext import plural, safe, table
from impact.render.readiness import plain, readiness_dict, readiness_lines
from impact.render.stakeholder_lists import involvement_dict, stakeholder_rows

# --- JSON --------------------------------------------------------------------


def planned_test_dict(p: PlannedTest) -> dict[str, Any]:
    return test_dict(p, p.changes)


def change_summary_dict(result: CheckResult) -> dict[str, Any]:
    change = result.change
    return {
        "change": change.id,
        "title": change.title,
        "file": change.file,
        "status": change.status,
        "release": change.release,
        "requested_by": change.requested_by,
        "changed": len(result.changed),
        "impacted": len(result.impacted),
        "release_path": release_path_dict(result.release_path) if result.release_path else None,
    }


def release_meta_dict(release_id: str, meta: Release | None) -> dict[str, Any]:
    return {
        "id": release_id,
        "name": meta.name if meta else None,
        "date": meta.date if meta else None,
        "freeze": meta.freeze if meta else None,
        "owner": meta.owner if meta else None,
        "notes": meta.notes if meta else None,
        "file": meta.file if meta else None,
    }


def verdicts(result: ReleaseResult) -> list[dict[str, Any]]:
    """One entry per change request of the release, by id: ``verdict`` ship, hold or released, with hold reasons."""
    entries = []
    held = {h.result.change.id: h.reasons for h in result.held}
    for verdict, items in (
        ("ship", result.ships),
        ("hold", [h.result for h in result.held]),
        ("released", result.released),
    ):
        for r in items:
            rp = r.release_path
            entries.append(
                {
                    "id": r.change.id,
                    "title": r.change.title,
                    "status": r.change.status,
                    "verdict": verdict,
                    "ships": verdict == "ship",
                    "declared": r.change.path,
                    "computed": rp.computed if rp else None,
                    "reasons": list(held.get(r.change.id, ())),
                    **_decision_entry(result.decisions.get(r.change.id) or decide(r)),
                }
            )
    return sorted(entries, key=lambda e: e["id"])


def _decision_entry(decision: Decision) -> dict[str, Any]:
    """``ready`` and ``missing`` ({kind, what}) of a change of the release, its one verdict and its readiness."""
    data = decision.as_dict()
    return {
        "ready": data["ready"],
        "missing": data["missing"],
        "decision": data,
        "readiness": readiness_dict(decision.readiness),
    }


def release_dict(result: ReleaseResult) -> dict[str, Any]:
    """The JSON of ``impact release check``; keys are only ever added."""
    return {
        "release": release_meta_dict(result.release_id, result.meta),
        "summary": {
            "changes": len(result.ships) + len(result.held) + len(result.released),
            "ships": len(result.ships),
            "held": len(result.held),
            "released": len(result.released),
            "conflicts": len(result.conflicts),
            "stakeholders": len(result.stakeholders),
            "tests": len(result.tests),
            "tests_sentence": plan_cost(result),
            "untested": len(result.untested),
        },
        "changes": verdicts(result),
        "ships": [change_summary_dict(r) for r in result.ships],
        "held": [{**change_summary_dict(h.result), "reasons": list(h.reasons)} for h in result.held],
        "released": [change_summary_dict(r) for r in result.released],
        "conflicts": [conflict_dict(c) for c in result.conflicts],
        "tests": [planned_test_dict(t) for t in result.tests],
        "untested": list(result.untested),
        "stakeholders": [involvement_dict(t) for t in result.stakeholders],
    }


# --- text --------------------------------------------------------------------


def _path_text(result: CheckResult) -> str:
    rp = result.release_path
    if rp is None:
        return ""
    if rp.declared is None:
        return f"needs {rp.computed}"
    return f"{rp.declared}" + (f" (needs {rp.computed})" if rp.declared != rp.computed else "")


def release_heading(result: ReleaseResult) -> str:
    meta = result.meta
    text = f"Release {safe(result.release_id)}"
    if meta and meta.name:
        text += f": {safe(meta.name)}"
    details = []
    if meta and meta.date:
        details.append(f"ships {meta.date}")
    if meta and meta.freeze:
        details.append(f"change freeze from {meta.freeze}")
    if meta and meta.owner:
        details.append(f"owner {safe(meta.owner)}")
    return text + (f" ({'; '.join(details)})" if details else "")


def plan_cost(result: ReleaseResult) -> str:
    """The test plan's cost in the words of every answer: ``3 to run: 2 manual (about 40 minutes), 1 automated``."""
    return tests_sentence(count_tests([(t.test.kind, t.test.minutes) for t in result.tests]))


def _ids(result: ReleaseResult) -> list[str]:
    return [r.change.id for r in (*result.ships, *(h.result for h in result.held), *result.released)]


def _indented(lines: list[str], indent: str) -> list[str]:
    return [indent + line for line in lines]


def render_release(result: ReleaseResult) -> str:
    """``impact release check``: what ships, what is held back and why, conflicts, test plan, stakeholders."""
    lines = [release_heading(result)]
    total = len(result.ships) + len(result.held) + len(result.released)
    summary = f"{plural(total, 'change request')}: {len(result.ships)} ships, {len(result.held)} held back"
    if result.released:
        summary += f", {len(result.released)} already released"
    lines.append(summary + ".")
    if result.meta and result.meta.notes:
        lines.append(f"Notes: {safe(result.meta.notes)}")
    lines += ["", *_ships_lines(result), "", *_held_lines(result), "", f"Conflicts ({len(result.conflicts)})"]
    if not result.conflicts:
        lines.append("  none")
    for conflict in result.conflicts:
        lines.extend(conflict_line(conflict))
    lines += ["", *_test_plan_lines(result), ""]
    lines.append(f"Stakeholders of what ships ({len(result.stakeholders)})")
    if result.stakeholders:
        lines.extend(table(stakeholder_rows(result.stakeholders), ("TEAM", "ROLE", "CHANGES", "CONTACT", "WHY")))
    else:
        lines.append("  none")
    if result.held:
        lines.append("")
        lines.append(f"Exit 1: {plural(len(result.held), 'change request')} held back.")
    return "\n".join(lines) + "\n"


def _ships_lines(result: ReleaseResult) -> list[str]:
    """The change requests that ship, as a table, each with where it stands on readiness."""
    lines = ["Ships"]
    if not result.ships:
        lines.append("  nothing ships")
    rows = [(safe(r.change.id), r.change.status or "", _path_text(r), safe(r.change.title)) for r in result.ships]
    lines.extend(table(rows, ("CHANGE", "STATUS", "PATH", "TITLE")) if rows else [])
    for r in result.ships:
        ready = readiness_lines(result.decisions.get(r.change.id) or decide(r), safe)
        if ready:
            lines.append(f"  {safe(r.change.id)}: {ready[0]}")
            lines.extend(_indented(ready[1:], "  "))
    return lines


def _held_lines(result: ReleaseResult) -> list[str]:
    """The change requests held back, each with its verdict and reasons, then those already released."""
    lines = ["Held back"]
    if not result.held:
        lines.append("  nothing: every change request of the release ships")
    for h in result.held:
        change = h.result.change
        lines.append(
            f"  {safe(change.id)}: {safe(change.title)} (status {change.status or 'none'}, path {_path_text(h.result)})"
        )
        decision = h.decision or decide(h.result)
        lines.append(f"    {safe(decision.headline)}")
        for reason in h.reasons:
            lines.append(f"    - {safe(reason)}")
        lines.extend(_indented(readiness_lines(decision, safe), "    "))
    if result.released:
        lines.append("")
        lines.append("Already released: " + ", ".join(safe(r.change.id) for r in result.released))
    return lines


def _test_plan_lines(result: ReleaseResult) -> list[str]:
    """The tests to run for what ships, as a checklist, and the assets no test covers."""
    lines = [f"Test plan for what ships ({plan_cost(result)})"]
    if not result.tests:
        lines.append("  no regression test covers what ships")
    for t in result.tests:
        lines.append(
            f"  [ ] {safe(t.test.id)}: {safe(t.test.name)} ({t.test.kind or 'test'}, {away(t.tool_distance)}; for "
            f"{', '.join(safe(c) for c in t.changes)})"
        )
    if result.untested:
        lines.append(
            f"  untested: {plural(len(result.untested), 'asset')} no test covers: "
            f"{', '.join(safe(a) for a in result.untested[:5])}"
            + (" ..." if len(result.untested) > 5 else "")
        )
    return lines


def render_release_markdown(result: ReleaseResult, templates: str | None = None) -> str:
    """``impact release check --format markdown``: the JSON answer through ``release.md.j2``."""
    from impact.render.templating import render  # Jinja2 only when Markdown is asked for

    members = [*result.ships, *(h.result for h in result.held)]
    ready = {r.change.id: readiness_lines(result.decisions.get(r.change.id) or decide(r), plain) for r in members}
    ready_lines = {cid: [line.strip() for line in lines[1:]] for cid, lines in ready.items()}
    return render(
        "release.md.j2", templates, **release_dict(result), ready_lines={key: [] for key in _ids(result)} | ready_lines
    )
