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
from impact.importers.xmlread import parse_xml, read_bytes
from impact.read.limits import Limits

SKIP_DIRS = {"node_modules", ".git", ".sfdx", ".sf", "__pycache__"}


def _kept_dirs(folder: str, dirs: list[str], real_root: str, skipped: list[str] | None) -> list[str]:
    """The sub-folders to walk into, sorted: no hidden or tool folder, no link that leaves the export (named in
    ``skipped``).
    """
    kept = []
    for d in sorted(dirs):
        if d in SKIP_DIRS or d.startswith("."):
            continue
        if os.path.islink(os.path.join(folder, d)) and not _inside(os.path.join(folder, d), real_root):
            _skip(Path(folder) / d, "folder", skipped)
            continue
        kept.append(d)
    return kept


def walk(root: Path, skipped: list[str] | None = None) -> Iterator[Path]:
    """Every file below ``root``, sorted; a file or folder link whose real path leaves ``root`` is not read.

    As :func:`metadata_files`: each link skipped adds one warning line naming it to ``skipped``.
    """
    real_root = os.path.realpath(root)
    for folder, dirs, files in os.walk(root):
        dirs[:] = _kept_dirs(folder, dirs, real_root, skipped)
        for name in sorted(files):
            path = Path(folder) / name
            if os.path.islink(path) and not _inside(path, real_root):
                _skip(path, "file", skipped)
                continue
            yield path


def _inside(path: str | Path, real_root: str) -> bool:
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _skip(path: Path, what: str, skipped: list[str] | None) -> None:
    if skipped is not None:
        where = display_path(path)
        skipped.append(f"Warning: {where}: a {what} link to outside the export's folder; skipped, not read")


def api_name(path: Path, suffix: str) -> str:
    """The API name in a file name: ``Lead%3AAssign.flow-meta.xml`` → ``Lead:Assign``."""
    return unquote(path.name[: -len(suffix)])


def file_kind(path: Path) -> str | None:
    return kind_of(path.name, path.parent.name, path.parent.parent.name)


def kind_of(name: str, parent: str, grandparent: str) -> str | None:
    """A metadata file's kind from its name and its folder's (and that folder's parent's) name."""
    if not name.endswith((".xml", ".cls", ".trigger")):
        return None
    if name.endswith(".field-meta.xml") and parent == "fields":
        return "field"
    if name.endswith(".object-meta.xml") and grandparent == "objects":
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


def metadata_files(root: Path, skipped: list[str] | None = None) -> Iterator[tuple[str, Path]]:
    """Each metadata file below ``root`` with its kind, in path order (a ``Path`` made only for metadata files).

    An export is untrusted: a link ``objects/Lead/fields/Secret__c.field-meta.xml
    -> /etc/passwd`` must not import another folder's content. A file or folder
    link whose real path leaves ``root`` is not read, and adds one warning line
    naming it to ``skipped``. Links inside the export are read (files) or, as
    ``os.walk`` does, not descended (folders).
    """
    real_root = os.path.realpath(root)
    for folder, dirs, files in os.walk(root):
        dirs[:] = _kept_dirs(folder, dirs, real_root, skipped)
        parent, grandparent = os.path.basename(folder), os.path.basename(os.path.dirname(folder))
        base = Path(folder)
        for name in sorted(files):
            kind = kind_of(name, parent, grandparent)
            if not kind:
                continue
            if os.path.islink(base / name) and not _inside(base / name, real_root):
                _skip(base / name, "file", skipped)
                continue
            yield kind, base / name


def text_of(el: Element | None, tag: str) -> str | None:
    """The text of ``el``'s first child ``tag`` (any namespace), stripped; None when missing or blank."""
    if el is None:
        return None
    suffix = "}" + tag
    for child in el:
        name = child.tag
        if name == tag or name.endswith(suffix):
            return (child.text or "").strip() or None
    return None


def children(el: Element, tag: str) -> list[Element]:
    suffix = "}" + tag
    return [child for child in el if child.tag == tag or child.tag.endswith(suffix)]


STATUS_WORDS = {"active": None, "true": None}


def is_active(status: str | None) -> bool:
    """Whether an automation's ``status`` (a flow's) or ``active`` (a rule's) says it runs; no word: it does."""
    return status is None or status.lower() in STATUS_WORDS


def mark_status(status: str | None, what: str, description: str | None) -> str | None:
    """A description that says an item is inactive, a draft or obsolete (never dropped silently)."""
    if status is None or status.lower() in STATUS_WORDS:
        return description
    word = {
        "false": "Inactive",
        "inactive": "Inactive",
        "draft": "Draft",
        "invaliddraft": "Draft (invalid)",
        "obsolete": "Obsolete",
        "deleted": "Deleted",
    }.get(status.lower(), status)
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


def read_file(path: Path, limit: int) -> bytes | None:
    """A file's bytes within the size limit in one open and one read; None when there is no such file.

    Anything else wrong (too big, unreadable) is said by ``read_bytes``, with the file's place.
    """
    try:
        with open(path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size <= limit:
                return handle.read()
    except FileNotFoundError:
        return None
    except OSError:
        pass
    return read_bytes(path)


def parse_file(path: Path, raw: bytes) -> Element:
    """A metadata file's root element; the file is named (slow to make for 24,000 files) only when it is broken."""
    try:
        return parse_xml(raw, "", "Salesforce metadata file")
    except ImpactError:
        return parse_xml(raw, display_path(path), "Salesforce metadata file")


def meta_status(meta: Path, problems: ProblemList, limit: int | None = None) -> str | None:
    """The ``status`` of a class's or trigger's ``-meta.xml`` file, None without one."""
    try:
        raw = read_file(meta, Limits.from_env().max_file_bytes if limit is None else limit)
        return None if raw is None else text_of(parse_file(meta, raw), "status")
    except ImpactError as exc:
        problems.items.extend(exc.problems)
        return None
