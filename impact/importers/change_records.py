"""Writing sign-offs, steps and test results into a change file, keeping what people wrote.

The file is edited in its round-trip tree (:mod:`impact.importers.roundtrip`):
comments, key order and quoting survive. Every writer goes through
:func:`edit_change`, which reads the file, applies one edit, checks the result
is still a valid change file and writes it all at once (``fsio.atomic_write``):
on any problem nothing is written. A lock around writers wraps this one
function.

Examples
--------
>>> text = "# a comment\\nid: CR-1\\ntitle: T\\nchanges:\\n  - {target: web:/p/, action: modify}\\n"
>>> tree = roundtrip.load(text)
>>> add_signoff(tree, {"team": "web", "by": "Ana Ruiz", "at": "2026-11-05", "decision": "approved"})
>>> print(roundtrip.dump_like(tree, text), end="")
# a comment
id: CR-1
title: T
changes:
  - {target: web:/p/, action: modify}
signoffs:
  - {team: web, by: Ana Ruiz, at: 2026-11-05, decision: approved}
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import SingleQuotedScalarString

from impact.core.errors import ImpactError, display_path
from impact.importers import roundtrip
from impact.store.fsio import atomic_write
from impact.store.lock import writing

STEP_ORDER = ("triage", "build", "qa")

Edit = Callable[[Any], None]


_PLAIN = re.compile(r"[^\W\d][\w .'/+-]*[\w.]\Z|[^\W\d]\Z")
"""Text safe to write unquoted in a one-line mapping, for any YAML reader: words, spaces, ``. ' / + -``."""

_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
"""Words a YAML 1.1 reader would not read as text."""


def _scalar(key: str, value: Any) -> Any:
    if key == "at" and isinstance(value, str) and len(value) == 10:
        return datetime.date.fromisoformat(value)  # written as 2026-11-05, read back as that text
    if isinstance(value, str) and (not _PLAIN.match(value) or value.lower() in _WORDS):
        return SingleQuotedScalarString(value)  # a URL, a date-time, a note with ':' or ','
    return value


def _flow(entry: Mapping[str, Any]) -> CommentedMap:
    """An entry as a one-line mapping (``{team: mops, by: ...}``): dates plain, text quoted where a reader could
    stumble.
    """
    node = CommentedMap()
    for key, value in entry.items():
        if value is None:
            continue
        node[key] = _scalar(key, value)
    node.fa.set_flow_style()
    return node


def _list(tree: Any, key: str) -> Any:
    if tree.get(key) is None:
        seq = CommentedSeq()
        tree[key] = seq
    return tree[key]


def add_signoff(tree: Any, entry: Mapping[str, Any]) -> None:
    """One sign-off per team: the team's earlier one is replaced in place, a new team's appended."""
    signoffs = _list(tree, "signoffs")
    node = _flow(entry)
    for i, existing in enumerate(signoffs):
        if isinstance(existing, Mapping) and str(existing.get("team")) == entry["team"]:
            signoffs[i] = node
            return
    signoffs.append(node)


def set_step(tree: Any, step: str, entry: Mapping[str, Any]) -> None:
    """Record who did ``step`` (replacing an earlier record of it), steps kept in order triage, build, QA."""
    if tree.get("steps") is None:
        tree["steps"] = CommentedMap()
    steps = tree["steps"]
    node = _flow(entry)
    if step in steps:
        steps[step] = node
        return
    rank = STEP_ORDER.index(step)
    keys = list(steps.keys())
    index = next((i for i, k in enumerate(keys) if str(k) in STEP_ORDER and STEP_ORDER.index(str(k)) > rank), len(keys))
    steps.insert(index, step, node)


def add_result(tree: Any, entry: Mapping[str, Any]) -> None:
    """Results are a log: a new one is appended (the last per test counts)."""
    _list(tree, "results").append(_flow(entry))


def record(path: Path, entry: Mapping[str, Any]) -> str:
    """Append one test result to the change file at ``path`` (see :func:`edit_change`)."""
    return edit_change(path, lambda tree: add_result(tree, entry))


def edit_change(path: Path, edit: Edit) -> str:
    """Apply ``edit`` to the change file at ``path`` and write it back at once; returns the new text.

    The new text must still be a valid change file (the same check as
    ``impact check``), or nothing is written and the problems are raised.
    """
    # pydantic and the precise reader only when a file is written (start-up time of the other commands)
    from impact.read.schema import ChangeSpec
    from impact.read.shape_check import validate
    from impact.read.yamlio import parse_yaml

    name = display_path(path)
    with writing(path, what="impact command"):  # one writer at a time, from the read to the replace
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ImpactError(f"{name}: cannot read the change file: {exc}") from None
        tree = roundtrip.load(text)
        if not isinstance(tree, dict):
            raise ImpactError(f"{name}: not a change file (expected a mapping with id, title and changes)")
        edit(tree)
        new = roundtrip.dump_like(tree, text)
        spec, problems = validate(ChangeSpec, parse_yaml(new.encode("utf-8"), name))
        if spec is None:
            raise ImpactError(problems)
        atomic_write(path, new)
    return new
