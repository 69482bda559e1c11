"""JSON output: the machine contract. Keys are only ever added, never renamed."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice, pairwise
from typing import Any

import orjson

from impact.analysis.answer import RISKS
from impact.analysis.check import CheckResult, Stakeholder, TestToRun
from impact.analysis.decision import decide
from impact.analysis.raci import reason_dicts
from impact.analysis.release_path import ReleasePath
from impact.analysis.stakeholder_lists import PlannedTest
from impact.core import progress
from impact.core.aspects import unpack
from impact.core.catalog import Team
from impact.core.vocabulary import ASPECTS
from impact.render.fields import ASSET_FIELDS_SHOWN, shown_fields
from impact.render.readiness import readiness_dict
from impact.render.text import HIDDEN


def dumps(data: Any, *, html_safe: bool = False) -> str:
    """Stable JSON text: insertion-ordered keys built from sorted data, UTF-8 kept, newline at the end.

    Encoded by orjson (two-space indent, the layout of ``json.dumps(indent=2,
    ensure_ascii=False)``), several times faster than the standard library
    on big answers; values orjson refuses (a non-text key, an integer beyond
    64 bits) go to :func:`json.dumps`. With ``html_safe``, ``<``, ``>`` and
    ``&`` are escaped so the text can sit in an HTML ``<script>`` block as it
    is; ``json.loads`` gives back the same strings either way.

    Examples
    --------
    >>> print(dumps({"asset": "website:/products/", "path": ["a", "b"], "notes": []}), end="")
    {
      "asset": "website:/products/",
      "path": [
        "a",
        "b"
      ],
      "notes": []
    }
    """
    try:
        text = orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8")
    except (TypeError, orjson.JSONEncodeError):
        text = json.dumps(data, indent=2, ensure_ascii=False)
    if html_safe:
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        text = HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text)  # no raw U+202E in a page's bytes
    return text + "\n"


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


class Streamed:
    """A list in a JSON answer whose items are made, encoded and written a few at a time (see :func:`write`).

    ``batch`` items are held and encoded at once (more items per call to the
    encoder is faster; keep it small when each item is big).
    """

    __slots__ = ("batch", "items", "total")

    def __init__(self, items: Iterable[Any], total: int = 0, batch: int = 1) -> None:
        self.items = items
        self.total = total  # for progress on a terminal; 0: not reported
        self.batch = batch


_CHUNK = 1 << 20


def _encode(value: Any) -> bytes:
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2)
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(value, indent=2, ensure_ascii=False).encode("utf-8")


_ITEM_SEP = b",\n    "
_WRAPPED = (len(b'{\n  "": [\n    '), len(b"\n  ]\n}"))


def _encode_items(items: list[Any]) -> bytes:
    """Items of a list that is the value of a top-level key, as :func:`dumps` lays them out, joined by ``,``.

    Encoded in one call, as the list of an object, and cut out of it: orjson
    indents them as deep as they stand in the answer.
    """
    try:
        text = orjson.dumps({"": items}, option=orjson.OPT_INDENT_2)
    except (TypeError, orjson.JSONEncodeError):
        return _ITEM_SEP.join(_encode(item).replace(b"\n", b"\n    ") for item in items)
    return text[_WRAPPED[0] : len(text) - _WRAPPED[1]]


def write(data: dict[str, Any], out: Callable[[bytes], object]) -> None:
    """Write ``dumps(data)`` to ``out`` in pieces of about a megabyte, the same bytes.

    ``data`` is an object whose values may be :class:`Streamed` lists: each
    of their items is encoded by orjson on its own and written, so a
    100 MB answer is never held whole, neither as objects nor as text.

    Examples
    --------
    >>> import io
    >>> buf = io.BytesIO()
    >>> data = {"a": 1, "items": [{"x": [1, 2]}, {"x": []}], "none": []}
    >>> write({**data, "items": Streamed(iter(data["items"])), "none": Streamed([])}, buf.write)
    >>> buf.getvalue().decode() == dumps(data)
    True
    """
    pending: list[bytes] = []
    size = 0

    def put(piece: bytes) -> None:
        nonlocal size
        pending.append(piece)
        size += len(piece)
        if size >= _CHUNK:
            out(b"".join(pending))
            pending.clear()
            size = 0

    if not data:
        put(b"{}")
    for n, (key, value) in enumerate(data.items()):
        put(b"{\n  " if n == 0 else b",\n  ")
        put(_encode(key) + b": ")
        if isinstance(value, Streamed):
            done = 0
            items = iter(value.items)
            while batch := list(islice(items, value.batch)):
                put(b"[\n    " if not done else _ITEM_SEP)
                put(_encode_items(batch))
                if value.total and progress.listening():
                    for n in range(done + 1, done + len(batch) + 1):
                        progress.step("Writing the answer", n, value.total)
                done += len(batch)
            put(b"\n  ]" if done else b"[]")
        else:
            put(_encode(value).replace(b"\n", b"\n  "))
    put(b"\n}\n" if data else b"\n")
    out(b"".join(pending))
