"""Salesforce source format (SFDX): the files themselves.

Walking a project's tree, telling a metadata file's kind from its name and
folder, the few XML reads every kind needs, and the words that mark an item
inactive, a draft or obsolete. ``salesforce.py`` turns what these read into
assets and dependencies; ``salesforce_formulas.py`` reads formulas.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from impact.core.errors import ImpactError, ProblemList, display_path
from impact.importers.xmlread import local, parse_xml, read_bytes

SKIP_DIRS = {"node_modules", ".git", ".sfdx", ".sf", "__pycache__"}


def walk(root: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            yield Path(folder) / name


def api_name(path: Path, suffix: str) -> str:
    """The API name in a file name: ``Lead%3AAssign.flow-meta.xml`` → ``Lead:Assign``."""
    return unquote(path.name[: -len(suffix)])


def file_kind(path: Path) -> str | None:
    name, parent = path.name, path.parent.name
    if name.endswith(".field-meta.xml") and parent == "fields":
        return "field"
    if name.endswith(".object-meta.xml") and path.parent.parent.name == "objects":
        return "object"
    if name.endswith(".validationRule-meta.xml") and parent == "validationRules":
        return "validation-rule"
    if name.endswith(".flow-meta.xml") and parent == "flows":
        return "flow"
    if name.endswith(".assignmentRules-meta.xml"):
        return "assignment-rules"
    if name.endswith(".queue-meta.xml"):
        return "queue"
    if name.endswith(".workflow-meta.xml"):
        return "workflow"
    if name.endswith(".cls") and parent == "classes":
        return "apex-class"
    if name.endswith(".trigger") and parent == "triggers":
        return "apex-trigger"
    return None


def text_of(el: Element | None, tag: str) -> str | None:
    if el is None:
        return None
    for child in el:
        if local(child.tag) == tag:
            return (child.text or "").strip() or None
    return None


def children(el: Element, tag: str) -> list[Element]:
    return [child for child in el if local(child.tag) == tag]


STATUS_WORDS = {"active": None, "true": None}


def mark_status(status: str | None, what: str, description: str | None) -> str | None:
    """A description that says an item is inactive, a draft or obsolete (never dropped silently)."""
    if status is None or status.lower() in STATUS_WORDS:
        return description
    word = {"false": "Inactive", "inactive": "Inactive", "draft": "Draft", "invaliddraft": "Draft (invalid)", "obsolete": "Obsolete", "deleted": "Deleted"}.get(status.lower(), status)
    return f"{word} {what}" + (f": {description}" if description else "")


@dataclass
class Files:
    by_kind: dict[str, list[Path]] = field(default_factory=dict)

    def add(self, kind: str, path: Path) -> None:
        self.by_kind.setdefault(kind, []).append(path)

    def get(self, kind: str) -> list[Path]:
        return self.by_kind.get(kind, [])

    def count(self) -> int:
        return sum(len(v) for v in self.by_kind.values())


def no_progress(items: Iterable[Path], total: int, label: str) -> Iterable[Path]:
    return items


def meta_status(meta: Path, problems: ProblemList) -> str | None:
    if not meta.is_file():
        return None
    try:
        return text_of(parse_xml(read_bytes(meta), display_path(meta), "Salesforce metadata file"), "status")
    except ImpactError as exc:
        problems.items.extend(exc.problems)
        return None
