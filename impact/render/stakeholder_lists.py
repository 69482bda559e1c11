"""``impact stakeholders``: every team to involve, once, as a table, JSON, Markdown, CSV or e-mail addresses.

The release check and the notification drafts list stakeholders with the
same rows (:func:`stakeholder_rows`), JSON (:func:`involvement_dict`) and
addresses (:func:`distribution`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import formataddr
from typing import Any

from impact.analysis.stakeholder_lists import TeamInvolvement
from impact.core.catalog import Team
from impact.render.check.data import team_dict
from impact.render.csvout import to_csv
from impact.render.plaintext import safe, table
from impact.render.templating import md_code, md_text


@dataclass(frozen=True, slots=True)
class StakeholdersAnswer:
    """The teams to involve across the change requests listed (or those of a release that ship)."""

    teams: Sequence[TeamInvolvement]
    release: str | None
    changes: Sequence[str]
    """The ids of the change requests listed."""


def involvement_dict(t: TeamInvolvement) -> dict[str, Any]:
    return {
        **team_dict(t.team),
        "roles": list(t.roles),
        "role": t.role,
        "role_reason": t.role_reason[1].text,
        "changes": list(t.changes),
        "assets": list(t.assets),
        "reasons": [{"change": cid, "role": r.role, "asset": r.asset, "reason": r.text} for cid, r in t.reasons],
    }


def stakeholders_dict(answer: StakeholdersAnswer) -> dict[str, Any]:
    """``impact stakeholders --format json``."""
    return {
        "release": answer.release,
        "changes": list(answer.changes),
        "stakeholders": [involvement_dict(t) for t in answer.teams],
    }


def _role_why(t: TeamInvolvement) -> str:
    """The reason for a team's one role, naming its change request when there are several."""
    cid, reason = t.role_reason
    return f"{cid}: {reason.text}" if len(t.changes) > 1 else reason.text


def stakeholder_rows(teams: Sequence[TeamInvolvement]) -> list[tuple[str, ...]]:
    return [
        (
            safe(t.team.id),
            t.role,
            ", ".join(safe(c) for c in t.changes),
            " ".join(safe(x) for x in (t.team.email, t.team.slack) if x),
            safe(_role_why(t)) + (f" (+{len(t.reasons) - 1} more)" if len(t.reasons) > 1 else ""),
        )
        for t in teams
    ]


def render_stakeholders_table(answer: StakeholdersAnswer) -> str:
    """``impact stakeholders``: one row per team, its role, change requests, contact and why."""
    teams = answer.teams
    if not teams:
        return "No stakeholders: nothing changes.\n"
    lines = table(stakeholder_rows(teams), ("TEAM", "ROLE", "CHANGES", "CONTACT", "WHY"), indent="")
    return "\n".join(lines) + "\n"


def render_stakeholders_markdown(answer: StakeholdersAnswer) -> str:
    """``impact stakeholders --format markdown``: the same table, for a ticket or pull request."""
    teams = answer.teams
    lines = ["| Team | Role | Why | Change requests | Contact | Assets |", "|---|---|---|---|---|---|"]
    for t in teams:
        contact = " ".join(md_text(x) for x in (t.team.email, t.team.slack) if x)
        assets = ", ".join(md_code(a) for a in t.assets[:5]) + (
            f" and {len(t.assets) - 5} more" if len(t.assets) > 5 else ""
        )
        lines.append(
            f"| {md_text(t.team.name)} ({md_code(t.team.id)}) | {t.role} | {md_text(_role_why(t))} | "
            f"{', '.join(md_code(c) for c in t.changes)} | {contact} | {assets} |"
        )
    return "\n".join(lines) + "\n"


STAKEHOLDER_COLUMNS = ("team", "name", "email", "slack", "roles", "changes", "assets", "reasons", "role", "role_reason")


def stakeholders_csv(answer: StakeholdersAnswer) -> str:
    """``impact stakeholders --format csv``: one row per team; list cells are joined with ``; ``."""
    rows = [
        (
            t.team.id,
            t.team.name,
            t.team.email,
            t.team.slack,
            "; ".join(t.roles),
            "; ".join(t.changes),
            "; ".join(t.assets),
            "; ".join(f"{cid} {r.role}: {r.text}" for cid, r in t.reasons),
            t.role,
            t.role_reason[1].text,
        )
        for t in answer.teams
    ]
    return to_csv(STAKEHOLDER_COLUMNS, rows)


# --- e-mail addresses ---------------------------------------------------------


def address(team: Team) -> str | None:
    """``Name <email>`` for a team, or None when it has no usable e-mail address.

    Non-ASCII names stay readable (no RFC 2047 encoding): the list is pasted
    into a mail client, not sent raw.

    Examples
    --------
    >>> address(Team("sdr", "Sales Development (SDRs)", "sdr@example.com"))
    '"Sales Development (SDRs)" <sdr@example.com>'
    >>> address(Team("bi", "Analytics")) is None
    True
    """
    if not team.email:
        return None
    name = safe(team.name)
    try:
        parsed = Address(addr_spec=team.email.strip())
    except (ValueError, IndexError):
        return None
    if not parsed.domain or safe(parsed.addr_spec) != parsed.addr_spec:
        return None
    if name.isascii():
        return formataddr((name, parsed.addr_spec))
    return str(Address(display_name=name, addr_spec=parsed.addr_spec))


def distribution(teams: Sequence[TeamInvolvement]) -> tuple[list[str], list[Team]]:
    """The addresses to write to, each once in team order, and the teams without a usable e-mail."""
    seen: dict[str, str] = {}
    missing: list[Team] = []
    for t in teams:
        found = address(t.team)
        if found is None:
            missing.append(t.team)
        elif t.team.email and t.team.email.strip().lower() not in seen:
            seen[t.team.email.strip().lower()] = found
    return list(seen.values()), missing


def stakeholder_emails(answer: StakeholdersAnswer) -> str:
    """``impact stakeholders --format emails``: one ``Name <email>`` line per address, ready to paste."""
    addresses, _ = distribution(answer.teams)
    return "".join(a + "\n" for a in addresses)


def email_notes(answer: StakeholdersAnswer) -> list[str]:
    """What the e-mail list leaves out: a note per team with no usable address (for standard error)."""
    _, missing = distribution(answer.teams)
    return [
        f"Note: team {team.id} ({safe(team.name)}) has no usable e-mail address in the catalog; reach it another way"
        for team in missing
    ]
