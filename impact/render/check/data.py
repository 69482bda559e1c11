"""``impact check``'s JSON-ready data: the machine contract. Keys are only ever added, never renamed."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import pairwise
from typing import Any

from impact.analysis.answer import RISKS
from impact.analysis.check import CheckResult, Stakeholder, TestToRun
from impact.analysis.decision import decide
from impact.analysis.raci import reason_dicts
from impact.analysis.release_path import ReleasePath
from impact.analysis.stakeholder_lists import PlannedTest
from impact.core.aspects import unpack
from impact.core.catalog import Team
from impact.core.vocabulary import ASPECTS
from impact.render.check import CheckAnswer, CheckAnswers
from impact.render.fields import ASSET_FIELDS_SHOWN, shown_fields
from impact.render.jsonio import Streamed, write
from impact.render.readiness import readiness_dict


def team_dict(team: Team) -> dict[str, Any]:
    return {"team": team.id, "name": team.name, "email": team.email, "slack": team.slack}


def stakeholder_dict(s: Stakeholder) -> dict[str, Any]:
    return {
        **team_dict(s.team),
        "roles": list(s.roles),
        "role": s.role,
        "role_reason": s.role_reason.text,
        "assets": list(s.assets),
        "reasons": reason_dicts(s.reasons),
    }


def test_dict(t: TestToRun | PlannedTest, changes: Sequence[str] | None = None) -> dict[str, Any]:
    """A test to run, as every JSON answer gives it; a release's test also names the ``changes`` it is run for."""
    test = t.test
    return {
        "id": test.id,
        "name": test.name,
        **({"changes": list(changes)} if changes is not None else {}),
        "covers": list(t.covers),
        "tool_distance": t.tool_distance,
        "kind": test.kind,
        "owner": test.owner,
        "minutes": test.minutes,
        "run": test.run,
        "steps": list(test.steps),
    }


def release_path_dict(rp: ReleasePath) -> dict[str, Any]:
    return {"declared": rp.declared, "computed": rp.computed, "too_light": rp.too_light, "reasons": list(rp.reasons)}


def answer_dict(result: CheckResult) -> dict[str, Any]:
    """What to do, before the details: the verdict, who signs off, what to test, the untested critical assets."""
    counts = result.test_counts
    risks = {level: 0 for level in RISKS}
    for risk in result.risk.values():
        risks[risk.level] += 1
    return {
        "blocking": result.blocking,
        "verdict": result.verdict,
        "sign_off": [{"team": s.team, "why": s.why} for s in result.sign_off],
        "tests": {
            "total": len(result.tests),
            "manual": counts.manual,
            "manual_minutes": counts.manual_minutes,
            "manual_without_minutes": counts.manual_unknown,
            "automated": counts.automated,
        },
        "untested_critical": result.untested_critical,
        "risk": risks,
        **decision_dicts(result),
    }


def decision_dicts(result: CheckResult) -> dict[str, Any]:
    """The one verdict (``decision``) and where the change stands on sign-offs, steps and tests (``readiness``)."""
    decision = decide(result)
    return {"decision": decision.as_dict(), "readiness": readiness_dict(decision.readiness)}


def check_dict(result: CheckResult, *, streamed: bool = False) -> dict[str, Any]:
    """The JSON answer of a check; with ``streamed``, its long lists are :class:`Streamed` (see :func:`write`)."""
    catalog = result.catalog
    change = result.change
    assets = catalog.assets
    impacted: Any = _impacted_items(result, lists=not streamed)
    stakeholders: Any = (stakeholder_dict(s) for s in result.stakeholders)
    if streamed:
        impacted, stakeholders = Streamed(impacted, len(result.impacted), batch=256), Streamed(stakeholders)
    else:
        impacted, stakeholders = list(impacted), list(stakeholders)
    return {
        "change": {
            "id": change.id,
            "title": change.title,
            "file": change.file,
            "requested_by": change.requested_by,
            "status": change.status,
            "release": change.release,
            "path": change.path,
        },
        "catalog": catalog.root,
        "max_tools": result.max_tools,
        "summary": {
            "changed": len(result.changed),
            "impacted": len(result.impacted),
            "tools_reached": len(result.systems_reached),
            "max_tool_distance": max((r.tool_distance for r in result.impacted), default=0),
            "stakeholders": len(result.stakeholders),
            "tests": len(result.tests),
            "untested": len(result.untested),
        },
        "answer": answer_dict(result),
        "changed": [
            {
                "asset": c.asset,
                "name": assets[c.asset].name if c.in_catalog else None,
                "system": c.system,
                "action": c.action,
                "aspects": [a for a in ASPECTS if a in c.aspects],
                **({"values": list(named)} if (named := unpack(c.aspects)[1]) else {}),  # issue #29: only when named
                "target": c.target,
                "note": c.note,
                "in_catalog": c.in_catalog,
                "critical": bool(assets[c.asset].critical) if c.in_catalog else False,
                "owner": assets[c.asset].owner if c.in_catalog else catalog.systems[c.system].owner,
                **(shown_fields(assets.get(c.asset)) if ASSET_FIELDS_SHOWN else {}),
            }
            for c in result.changed
        ],
        "impacted": impacted,
        **({"left_out": list(result.left_out)} if result.left_out else {}),  # issue #29: a value-level change's scope
        "stakeholders": stakeholders,
        "tests": [test_dict(t) for t in result.tests],
        "untested": list(result.untested),
        **({"release_path": release_path_dict(result.release_path)} if result.release_path else {}),
    }


PATH_LIMIT = 40
"""Longest why-path (in dependencies) written whole in JSON; a longer one is left out and said so.

Every impacted asset carries ``via``, its neighbour one step nearer the change
(and ``via_note``, that dependency's note), so a client rebuilds any path by
following ``via``; the answer stays linear in the number of impacted assets
(a 20,000-asset ring would otherwise carry 200 million path entries).
"""


def _impacted_items(result: CheckResult, *, lists: bool = True) -> Iterator[dict[str, Any]]:
    """One dict per impacted asset, made when asked for: a big answer is never all in memory at once.

    Without ``lists``, its sequences are tuples (encoded the same), for items encoded as soon as they are made.
    """
    seq: Any = list if lists else tuple
    assets = result.catalog.assets
    risk = result.risk
    notes = result.notes
    # The fields of every impacted asset read at once: five lists, not a row per asset.
    columns = result.fields.columns([r.asset for r in result.impacted])
    for r, name, system, kind, owner, critical in zip(result.impacted, *columns):
        found_risk = risk[r.asset]
        tests = r.tests  # the values its dependency on the change tests (issue #29): a key only when there are some
        short = r.steps <= PATH_LIMIT
        path: tuple[str, ...] = r.path if short else ()
        via = path[-2] if len(path) > 1 else r.via
        yield {
            "asset": r.asset,
            "name": name,
            "system": system,
            "tool_distance": r.tool_distance,
            "steps": r.steps,
            "path": seq(path),
            "notes": seq(notes.get(edge) for edge in pairwise(path)),
            "type": kind,
            "owner": owner,
            "critical": critical,
            "risk": found_risk.level,
            "risk_reasons": seq(found_risk.reasons),
            "via": via,
            "via_note": notes.get((via, r.asset)) if via is not None else None,
            "path_left_out": not short,
            **({"tests": seq(tests)} if tests else {}),
            **({"carries": seq(carries)} if (carries := r.carries) else {}),
            **(shown_fields(assets.get(r.asset)) if ASSET_FIELDS_SHOWN else {}),
        }


def write_check(answer: CheckAnswer, out: Callable[[bytes], object]) -> None:
    """``impact check``'s JSON answer, written as it is made (a big answer is never held whole)."""
    write(check_dict(answer.result, streamed=True), out)


def checks_dict(answers: CheckAnswers) -> dict[str, Any]:
    """Several JSON answers in one document, with a summary."""
    return {
        "changes": [check_dict(r) for r in answers.results],
        "summary": {"checked": len(answers.results), "blocking": answers.blocking, "bad_files": answers.bad_files},
    }
