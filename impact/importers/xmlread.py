"""Reading untrusted XML and JSON exports: one clear message with the place, never a traceback.

Every importer reads files people downloaded from a tool; some are damaged,
some are the wrong kind of file, a few are hostile (entity expansion). Each
problem becomes an :class:`ImpactError` naming the file and what to do.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, XMLParser

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from impact.core.errors import ImpactError, Problem, display_path
from impact.read.limits import Limits, read_limited


def read_bytes(path: Path) -> bytes:
    """A file's bytes within impact's size limit (``IMPACT_MAX_FILE_MB``)."""
    if not path.is_file():
        raise ImpactError(Problem(display_path(path), 0, 0, "no such file"))
    return read_limited(path, Limits.from_env().max_file_bytes)


def parse_xml(raw: bytes, name: str, what: str = "file") -> Element:
    """The root element; entities, DTDs and broken XML are refused with their place.

    A file without a DTD can declare no entity, so nothing in it can expand
    or reach outside: it is read by the standard library's C parser (several
    times faster); any other file goes through defusedxml, which refuses them.
    """
    if b"<!DOCTYPE" not in raw and b"<!ENTITY" not in raw:
        try:
            parser = XMLParser()
            parser.feed(raw)
            fast: Element = parser.close()
            return fast
        except ParseError:
            pass  # defusedxml says what is wrong, in the same words as ever
    try:
        root: Element = SafeET.fromstring(raw, forbid_dtd=True)  # any DOCTYPE, external SYSTEM ids included
    except DefusedXmlException:
        raise ImpactError(
            Problem(
                name,
                0,
                0,
                f"the file declares XML entities or a DTD, which impact refuses (they are used in attacks); a {what} "
                "needs none",
            )
        ) from None
    except SafeET.ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        raise ImpactError(
            Problem(
                name,
                line,
                col + 1,
                f"not well-formed XML ({exc.msg if hasattr(exc, 'msg') else exc}); export the {what} again",
            )
        ) from None
    return root


def read_json(path: Path, what: str) -> Any:
    """A JSON export, refused with its line and column when it is not JSON."""
    name = display_path(path)
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImpactError(
            Problem(name, raw.count(b"\n", 0, exc.start) + 1, 0, f"this file is not UTF-8 text; is it really a {what}?")
        ) from None
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_int=_bounded_int)
    except json.JSONDecodeError as exc:
        raise ImpactError(
            Problem(name, exc.lineno, exc.colno, f"not valid JSON ({exc.msg}); is it really a {what}? Export it again")
        ) from None
    except RecursionError:
        raise ImpactError(Problem(name, 0, 0, f"the JSON is nested too deeply to be a {what}")) from None
    except _ShapeError as exc:
        raise ImpactError(Problem(name, 0, 0, f"{exc}; is it really a {what}? Export it again")) from None


class _ShapeError(ValueError):
    """A JSON value impact refuses while parsing (a key given twice, an absurd number)."""


_MAX_INT_DIGITS = 100  # no export has an id or count longer; Python refuses past 4,300 digits anyway


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's keys, each once: JSON's last-wins would silently drop the first value."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _ShapeError(f"the key {key!r} appears twice in one object")
        out[key] = value
    return out


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > _MAX_INT_DIGITS:
        raise _ShapeError(f"a number of {digits:,} digits")
    return int(text)


def local(tag: str) -> str:
    """An element's tag without its namespace."""
    return tag.rsplit("}", 1)[-1]
