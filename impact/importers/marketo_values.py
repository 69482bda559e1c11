"""Which values a Marketo smart list compares a lead field with: ``values:`` on its dependency (issue #29).

A smart list (or a campaign's own) depends on a field with ``values:`` when
everything its rules do with the field is compare it with literal values:

- an attribute filter ``is`` or ``is not`` with values (``Lead Status is
  Open, Recycled``): those values. ``is not X`` tests ``X`` too: renaming or
  removing ``X`` changes who passes, a change to any other value does not;
- a ``Data Value Changes`` trigger (or ``Data Value Changed`` filter) whose
  ``New Value`` / ``Old Value`` conditions say ``is`` with values: those
  values.

Anything else reads the whole value, and the dependency lists none (any
values change reaches it):

- ``contains``, ``starts with``, ``ends with`` and their negations match part
  of the value: a new or renamed value may match where none did;
- ``is empty`` / ``is not empty`` name no value, yet a value removed from a
  picklist may be replaced by no value on the records that held it;
- ranges and dates (``at least``, ``between``, ``in past``) order values;
- a value condition of a change other than ``is`` (``New Value is not X``
  fires on a rename of any other value);
- a change of the field with no value condition fires on every change,
  a rename of any value included (Marketo receives a CRM rename as a data
  value change on each record). It tests no value of its own only when the
  same rules hold the field to literal values (an ``is`` filter that every
  lead of the list must pass: the list matches ``all`` filters, or has one),
  as ``Data Value Changes: Lead Status`` with ``Lead Status is Recycled``
  tests ``Recycled``.

Values are compared as written (Marketo shows them, and stores them, as text).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

EQUALS = frozenset({"is", "is not"})
"""Operators that compare the whole value with literal values (any of them)."""

POSITIVE = "is"
"""The operator that holds the field to its values."""

CHANGE_VALUES = frozenset({"new value", "old value"})
"""A data value change's conditions on the value itself."""


def literals(values: Any) -> set[str]:
    """The non-blank literal values of a condition, as text (``true``/``false`` for booleans).

    >>> sorted(literals(["Open", " ", 3, True, None, {"x": 1}]))
    ['3', 'Open', 'true']
    """
    out: set[str] = set()
    for value in values if isinstance(values, list) else []:
        if isinstance(value, bool):
            out.add("true" if value else "false")
        elif isinstance(value, (str, int, float)) and str(value).strip():
            out.add(str(value).strip())
    return out


def operator_of(condition: Mapping[str, Any], rule: Mapping[str, Any]) -> str:
    """A condition's operator, else its rule's, lower case."""
    said = condition.get("operator") or rule.get("operator")
    return str(said or "").strip().lower()


@dataclass
class FieldTests:
    """What one smart list's rules do with one field."""

    values: set[str] = field(default_factory=set)
    whole: bool = False
    """A test reads the whole value (see the module docstring)."""
    watched: bool = False
    """A change of the field with no value condition."""
    held: bool = False
    """An ``is`` filter every lead of the list must pass holds the field to literal values."""

    def compare(self, operator: str, values: Any, must_hold: bool = False) -> None:
        """One comparison of the field: ``operator`` with ``values``."""
        found = literals(values)
        if operator in EQUALS and found:
            self.values |= found
            self.held = self.held or (must_hold and operator == POSITIVE)
        else:
            self.whole = True

    def change(self, conditions: Iterable[Mapping[str, Any]], rule: Mapping[str, Any]) -> None:
        """A data value change of the field, with the conditions of its rule."""
        on_value = [c for c in conditions if str(c.get("activityAttributeName", "")).strip().lower() in CHANGE_VALUES]
        for cond in on_value:
            found = literals(cond.get("values"))
            if operator_of(cond, rule) == POSITIVE and found:
                self.values |= found
            else:
                self.whole = True
        if not on_value:
            self.watched = True

    def tested(self) -> list[str] | None:
        """The values the list tests, sorted; None when it reads the whole value.

        >>> t = FieldTests(); t.compare("is not", ["Closed"]); t.tested()
        ['Closed']
        >>> t.compare("contains", ["Prog"]); t.tested() is None
        True
        >>> w = FieldTests(watched=True); w.compare("is", ["Recycled"], must_hold=True); w.tested()
        ['Recycled']
        """
        if self.whole or not self.values or (self.watched and not self.held):
            return None
        return sorted(self.values)


def all_must_hold(rules: Mapping[str, Any]) -> bool:
    """Whether every filter of ``rules`` must hold for a lead: ``all`` filters, or only one.

    >>> one, two = {"filterMatchType": "any", "filters": [{}]}, {"filterMatchType": "any", "filters": [{}, {}]}
    >>> all_must_hold(one), all_must_hold(two)
    (True, False)
    """
    filters = [f for f in rules.get("filters") or [] if isinstance(f, dict)]
    return str(rules.get("filterMatchType") or "").strip().lower() == "all" or len(filters) <= 1
