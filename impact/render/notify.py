"""``impact notify``: notification drafts, before a release and once it is done.

The e-mail text comes from Jinja2 templates a team can override with
``--templates DIR`` or ``IMPACT_TEMPLATES`` (same file names):

- ``notify-subject.txt.j2``: the subject line;
- ``notify-pre-release.txt.j2`` / ``notify-pre-release.md.j2``: before;
- ``notify-completed.txt.j2`` / ``notify-completed.md.j2``: once released.

Every template gets the same context: ``stage``, ``release`` (or None for a
single change request), ``changes``, ``held``, ``stakeholders``, ``tests``,
``untested``, ``recipients`` and ``no_email`` (see :func:`context`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from impact.analysis.answer import count_tests, tests_sentence
from impact.analysis.check import CheckResult
from impact.analysis.decision import Decision, decide
from impact.analysis.releases import ReleaseResult
from impact.analysis.stakeholder_lists import (
    merge_stakeholders,
    merge_tests,
)
from impact.render.plaintext import safe
from impact.render.readiness import plain, readiness_lines, signed_off_by
from impact.render.releases import planned_test_dict, release_meta_dict
from impact.render.stakeholder_lists import distribution, involvement_dict
from impact.render.templating import md_text, render

STAGES = ("pre-release", "completed")


def _change_dict(result: CheckResult, decision: Decision | None = None) -> dict[str, Any]:
    change = result.change
    rp = result.release_path
    decision = decision or decide(result)
    ready = readiness_lines(decision, plain)
    return {
        "verdict": decision.headline,
        "tests_sentence": decision.cost,
        "missing": [m.what for m in decision.missing],
        "signed_off": signed_off_by(decision.readiness.signoffs),
        "readiness": [line.strip() for line in ready[1:]],
        "id": change.id,
        "title": change.title,
        "status": change.status,
        "requested_by": change.requested_by,
        "path": rp.computed if rp else None,
        "declared_path": change.path,
        "changed": [
            {
                "asset": c.asset,
                "action": c.action,
                "note": c.note,
                "name": result.catalog.assets[c.asset].name if c.in_catalog else None,
            }
            for c in result.changed
        ],
        "impacted": len(result.impacted),
        "tools_reached": result.systems_reached,
        "ships": decision.ships,
        "hold_reasons": [m.what for m in decision.missing],
    }


@dataclass(frozen=True)
class Notification:
    """A drafted e-mail."""

    stage: str
    subject: str
    recipients: tuple[str, ...]
    no_email: tuple[str, ...]
    text: str
    markdown: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "subject": self.subject,
            "to": list(self.recipients),
            "teams_without_email": list(self.no_email),
            "body_text": self.text,
            "body_markdown": self.markdown,
        }

    def as_text(self) -> str:
        lines = [f"Subject: {safe(self.subject)}", f"To: {safe(', '.join(self.recipients))}"]
        if self.no_email:
            lines.append(f"(No e-mail address for: {', '.join(self.no_email)}; reach them another way)")
        return "\n".join(lines) + "\n\n" + self.text.rstrip("\n") + "\n"

    def as_markdown(self) -> str:
        head = f"**Subject:** {md_text(self.subject)}\n\n**To:** {md_text(', '.join(self.recipients))}\n\n"
        return head + self.markdown.rstrip("\n") + "\n"


def context(stage: str, results: Sequence[CheckResult], release: ReleaseResult | None = None) -> dict[str, Any]:
    """What the templates see; ``results`` are what ships (or the one change request)."""
    teams = release.stakeholders if release else merge_stakeholders(results)
    tests, untested = (release.tests, release.untested) if release else merge_tests(results)
    recipients, missing = distribution(teams)
    return {
        "stage": stage,
        "release": release_meta_dict(release.release_id, release.meta) if release else None,
        "changes": [_change_dict(r, release.decisions.get(r.change.id) if release else None) for r in results],
        "held": [
            {
                "id": h.result.change.id,
                "title": h.result.change.title,
                "reasons": list(h.reasons),
                "verdict": (h.decision or decide(h.result)).headline,
            }
            for h in release.held
        ]
        if release
        else [],
        "tests_sentence": tests_sentence(count_tests([(t.test.kind, t.test.minutes) for t in tests])),
        "stakeholders": [involvement_dict(t) for t in teams],
        "tests": [planned_test_dict(t) for t in tests],
        "untested": untested,
        "recipients": recipients,
        "no_email": [f"{t.name} ({t.id})" for t in missing],
    }


def _tidy(body: str) -> str:
    # Optional template blocks leave runs of blank lines; one is enough.
    return re.sub(r"\n{3,}", "\n\n", body).strip("\n") + "\n"


def draft(
    stage: str, results: Sequence[CheckResult], release: ReleaseResult | None = None, templates: str | None = None
) -> Notification:
    """Draft the e-mail for ``stage`` (``pre-release`` or ``completed``)."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    data = context(stage, results, release)
    subject = " ".join(safe(render("notify-subject.txt.j2", templates, **data)).split())
    return Notification(
        stage=stage,
        subject=subject,
        recipients=tuple(data["recipients"]),
        no_email=tuple(data["no_email"]),
        text=_tidy(render(f"notify-{stage}.txt.j2", templates, **data)),
        markdown=_tidy(render(f"notify-{stage}.md.j2", templates, **data)),
    )
