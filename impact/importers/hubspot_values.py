"""Which values a HubSpot list or workflow compares a property with: ``values:`` on its dependency (issue #29).

A list or workflow depends on a property with ``values:`` when every
property filter it has on it (lists v3 filter branches: the list's own, a
workflow's enrollment criteria, branches, goal and suppression) compares
the property with literal values by an exact operator, and every
set-property action of the workflow on it writes a literal
(``STATIC_VALUE``):

- enumerations: ``IS_ANY_OF``, ``IS_NONE_OF``, ``IS_EXACTLY``,
  ``IS_NOT_EXACTLY``, ``CONTAINS_ALL``, ``DOES_NOT_CONTAIN_ALL`` and their
  ``HAS_EVER_BEEN`` / ``HAS_NEVER_BEEN`` / ``HAS_EVER_CONTAINED`` /
  ``HAS_NEVER_CONTAINED`` forms (options, matched whole);
- strings, multi-strings and booleans: ``IS_EQUAL_TO``, ``IS_NOT_EQUAL_TO``,
  ``HAS_EVER_BEEN_EQUAL_TO``, ``HAS_NEVER_BEEN_EQUAL_TO``.

A negated operator tests its values too (renaming or removing ``EMEA``
changes who is ``IS_NONE_OF EMEA``; a change to any other option does not).
Anything else reads the whole value and the dependency lists none:
``CONTAINS``, ``STARTS_WITH``, ``ENDS_WITH`` and the like match part of
the value; ``IS_KNOWN`` / ``IS_UNKNOWN`` name no value (a removed option
may leave records with none), even when the export carries a ``values``
list beside them; numbers, dates and comparisons with another property
order or copy values; a set-property action that copies a value.

The operator and its values are read from the filter's ``operation``, or
from the filter itself when it has no ``operation`` (the operator and
``value``/``values`` beside ``property``). A boolean is ``true``/``false``,
as HubSpot names a checkbox's options.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_ENUM_EXACT = {
    "IS_ANY_OF", "IS_NONE_OF", "IS_EXACTLY", "IS_NOT_EXACTLY", "CONTAINS_ALL", "DOES_NOT_CONTAIN_ALL",
    "HAS_EVER_BEEN_ANY_OF", "HAS_NEVER_BEEN_ANY_OF", "HAS_EVER_BEEN_EXACTLY", "HAS_NEVER_BEEN_EXACTLY",
    "HAS_EVER_CONTAINED_ALL", "HAS_NEVER_CONTAINED_ALL",
}  # fmt: skip
_EQUAL = {"IS_EQUAL_TO", "IS_NOT_EQUAL_TO", "HAS_EVER_BEEN_EQUAL_TO", "HAS_NEVER_BEEN_EQUAL_TO"}
EXACT: dict[str, frozenset[str]] = {
    "ENUMERATION": frozenset(_ENUM_EXACT),
    "STRING": frozenset(_EQUAL),
    "MULTISTRING": frozenset({"IS_EQUAL_TO", "IS_NOT_EQUAL_TO"}),
    "BOOL": frozenset(_EQUAL),
}
"""Operation type → the operators that compare the whole value with literal values."""

_ANY_TYPE = frozenset().union(*EXACT.values())


def _text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)) and str(value).strip():
        return str(value).strip()
    return None


def filter_values(item: Mapping[str, Any]) -> list[str] | None:
    """The values a ``PROPERTY`` filter tests, sorted; None when it reads the whole value (see the module docstring).

    >>> op = lambda kind, operator, **more: {"operation": {"operationType": kind, "operator": operator, **more}}
    >>> filter_values(op("ENUMERATION", "IS_NONE_OF", values=["EMEA", "APAC"]))
    ['APAC', 'EMEA']
    >>> filter_values(op("BOOL", "IS_EQUAL_TO", value=True))
    ['true']
    >>> filter_values(op("ALL_PROPERTY", "IS_KNOWN", values=["x"])) is None  # names no value, whatever it carries
    True
    >>> filter_values(op("STRING", "CONTAINS", value="EM")) is None
    True
    """
    operation = item.get("operation")
    said: Mapping[str, Any] = operation if isinstance(operation, Mapping) else item
    operator = str(said.get("operator") or "").upper()
    kind = said.get("operationType")
    exact = EXACT.get(str(kind).upper(), frozenset()) if kind else _ANY_TYPE
    if operator not in exact:
        return None
    listed = said.get("values")
    raw: list[Any] = listed if isinstance(listed, list) else [said.get("value")]
    found = sorted({text for value in raw if (text := _text(value)) is not None})
    return found or None


def written_value(fields: Mapping[str, Any]) -> str | None:
    """The literal a set-property action writes (``STATIC_VALUE``), or None when it writes anything else.

    >>> written_value({"property_name": "region", "value": {"staticValue": "EMEA", "type": "STATIC_VALUE"}})
    'EMEA'
    >>> written_value({"property_name": "region", "value": {"propertyName": "country", "type": "OBJECT_PROPERTY"}})
    """
    value = fields.get("value")
    if isinstance(value, Mapping) and str(value.get("type", "STATIC_VALUE")).upper() == "STATIC_VALUE":
        return _text(value.get("staticValue"))
    return None
