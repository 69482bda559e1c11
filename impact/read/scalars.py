"""Scalars kept as written: booleans and whole numbers parsed strictly, never guessed."""

from __future__ import annotations

import re
from typing import Any

# What YAML 1.1 (PyYAML, libyaml) would type: the precise reader keeps them as
# text; the fast reader declines ids spelled so (see impact.read.fastyaml).
YAML11_BOOL = {
    **dict.fromkeys(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"], "true"),
    **dict.fromkeys(["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"], "false"),
}
NULL_WORDS = {"", "~", "null", "Null", "NULL"}


def describe(value: str) -> str:
    """A scalar quoted for a message, cut short if long."""
    return repr(value) if len(value) <= 60 else repr(value[:57] + "...")


_BOOL_TRUE = {"true", "True", "TRUE"}
_BOOL_FALSE = {"false", "False", "FALSE"}
_INT = re.compile(r"(?:0|[1-9][0-9]*)\Z")


def as_bool(value: Any) -> bool:
    """``true``/``false`` as YAML 1.2 spells them; anything else is refused with a quote."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value in _BOOL_TRUE:
            return True
        if value in _BOOL_FALSE:
            return False
        raise ValueError(f"expected true or false, found {describe(value)}; write true or false")
    raise ValueError("expected true or false")


def as_int(value: Any) -> int:
    """A plain decimal whole number; ``010`` or ``1e3`` are refused, quoted, never guessed."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INT.match(value):
        return int(value)
    shown = describe(value) if isinstance(value, str) else "a non-number"
    raise ValueError(f"expected a whole number like 15, found {shown}")
