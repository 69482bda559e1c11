"""The release-path policy: what a quick hit and a minor release may contain.

A catalog's ``policy:`` sets some fields of these rules; every field it does
not set keeps its default (:data:`DEFAULT_RULES`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from impact.core.vocabulary import ACTIONS


@dataclass(frozen=True)
class PathRule:
    """What one release path allows; ``None`` means no limit."""

    actions: tuple[str, ...] | None = None
    types: tuple[str, ...] | None = None
    max_tool_distance: int | None = None
    allow_critical_changed: bool = True
    allow_critical_impacted: bool = True
    max_impacted: int | None = None
    """How many assets beyond the changed ones the change may reach (issue #29)."""


DEFAULT_RULES: dict[str, PathRule] = {
    "quick-hit": PathRule(("modify",), None, 0, False, False, 0),
    "minor": PathRule(tuple(a for a in ACTIONS if a != "delete"), None, 2, False, True),
}


@dataclass(frozen=True)
class Policy:
    """What a catalog's ``policy:`` sets: for each release path, the fields given, as plain values.

    Examples
    --------
    >>> policy = Policy((("quick-hit", (("types", ("dashboard",)),)),))
    >>> rule = policy.rules()["quick-hit"]
    >>> rule.types, rule.actions, rule.max_tool_distance
    (('dashboard',), ('modify',), 0)
    """

    given: tuple[tuple[str, tuple[Any, ...]], ...]
    """``((path, ((field, value), ...)), ...)``, and ``("ready", (kind, ...))`` when the policy says what makes
    a change ready: marshal-friendly, so the cache keeps it as it is."""

    def rules(self) -> dict[str, PathRule]:
        """The default rules, with every field the policy sets replaced."""
        rules = dict(DEFAULT_RULES)
        for path, fields in self.given:
            if path in rules:
                rules[path] = replace(rules[path], **dict(fields))
        return rules

    @property
    def ready(self) -> tuple[str, ...]:
        """What a change needs before it ships besides status, path and conflicts (``policy: ready:``), in order.

        >>> Policy((("ready", ("signoffs", "tests")),)).ready
        ('signoffs', 'tests')
        >>> Policy(()).ready
        ()
        """
        return next((tuple(kinds) for name, kinds in self.given if name == READY), ())


READY = "ready"
"""The policy key that lists what makes a change ready (see :data:`READY_KINDS`)."""

READY_KINDS = ("signoffs", "steps", "tests")
"""What ``policy: ready:`` may ask for, as ``schema.ReadyKind``."""
