"""Scalars kept as written: booleans and whole numbers parsed strictly, never guessed."""

from __future__ import annotations

import datetime
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


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def as_date_or_time(value: Any) -> Any:
    """A date (``2026-11-05``) or a date-time (``2026-11-05T14:30``, with seconds or a zone), kept as written.

    The text is returned unchanged, never converted: a date that is no date
    (``2026-02-30``, ``05/11/2026``, ``next week``) is refused, quoted.

    >>> as_date_or_time("2026-11-05"), as_date_or_time("2026-11-05T14:30:00+01:00")
    ('2026-11-05', '2026-11-05T14:30:00+01:00')
    >>> as_date_or_time("2026-02-30")
    Traceback (most recent call last):
    ValueError: expected a date like 2026-11-05 or a date-time like 2026-11-05T14:30, found '2026-02-30'
    """
    if not isinstance(value, str):
        return value  # the type check that follows says what it is
    try:
        if _DATE.match(value):
            datetime.date.fromisoformat(value)
        elif len(value) > 10 and value[10] in "Tt " and _DATE.match(value[:10]):
            datetime.datetime.fromisoformat(value)
        else:
            raise ValueError(value)
    except ValueError:
        raise ValueError(
            f"expected a date like 2026-11-05 or a date-time like 2026-11-05T14:30, found {describe(value)}"
        ) from None
    return value
