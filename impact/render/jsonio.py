"""JSON as impact writes it: one layout, stable bytes, and big answers written as they are made.

The machine contract of each answer (its JSON-ready data) is in the answer's
own module; keys are only ever added, never renamed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

import orjson

from impact.core import progress
from impact.render.plaintext import HIDDEN


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
