"""Salesforce's two project layouts as one stream of metadata items, each shaped as source format (SFDX) has it.

Source format keeps one element per file (``objects/Lead/fields/Status.field-meta.xml``).
The older Metadata API layout (``src/objects/Lead.object`` holding
``<fields>``, ``<validationRules>``, ``<listViews>``...; ``src/workflows/Lead.workflow``,
``src/flows/X.flow``, ``src/assignmentRules/Lead.assignmentRules``,
``src/queues/X.queue``) keeps several in one file, under other suffixes.
:func:`split` turns any metadata file into the items source format would have,
each at the path source format would give it, so one reader (the importer, and
the snapshot of ``impact changes``) serves both layouts with the same ids.

Examples
--------
>>> raw = b'''<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata"><label>Lead</label>
... <fields><fullName>Status__c</fullName><type>Text</type></fields></CustomObject>'''
>>> [(i.kind, i.path.as_posix()) for i in split(PurePosixPath("src/objects/Lead.object"), raw, "Lead.object")]
[('object', 'src/objects/Lead/Lead.object-meta.xml'), ('field', 'src/objects/Lead/fields/Status__c.field-meta.xml')]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TypeVar
from urllib.parse import quote
from xml.etree.ElementTree import Element

from impact.core.errors import ImpactError, ProblemList, display_path
from impact.importers.salesforce_files import Files, text_of, walk
from impact.importers.salesforce_files import kind_of as source_kind
from impact.importers.xmlread import local, parse_xml, read_bytes

P = TypeVar("P", bound=PurePosixPath)

XML_KINDS = ("object", "field", "validation-rule", "flow", "assignment-rules", "queue", "workflow")
"""The kinds whose files are XML (Apex classes and triggers are code, read as text)."""

# Metadata API suffix and folder → the source-format kind and suffix.
_MDAPI = {
    (".workflow", "workflows"): ("workflow", ".workflow-meta.xml"),
    (".flow", "flows"): ("flow", ".flow-meta.xml"),
    (".assignmentRules", "assignmentRules"): ("assignment-rules", ".assignmentRules-meta.xml"),
    (".queue", "queues"): ("queue", ".queue-meta.xml"),
}

# Children of a Metadata API .object file that source format keeps in files of their own.
_OBJECT_PARTS = {
    "fields": ("field", "fields", ".field-meta.xml"),
    "validationRules": ("validation-rule", "validationRules", ".validationRule-meta.xml"),
}


_OLDER_KINDS = frozenset({"mdapi-object", "workflow", "flow", "assignment-rules", "queue"})

_SUFFIXES = (".object", ".workflow", ".flow", ".assignmentRules", ".queue", ".cls", ".trigger", "-meta.xml")


@dataclass(frozen=True)
class Item:
    """One metadata element at its source-format path (``path``), read from ``source``."""

    kind: str
    path: PurePosixPath
    element: Element | None
    source: PurePosixPath


def kind_of(path: PurePosixPath | str) -> str | None:
    """The kind of a metadata file in either layout (``mdapi-object`` for a whole ``.object`` file).

    Read from the path's last two folders as strings: an org has tens of
    thousands of files, most of them of no kind (layouts, list views...).
    """
    text = path if isinstance(path, str) else path.as_posix()
    if not text.endswith(_SUFFIXES):
        return None
    parts = text.rsplit("/", 3)
    name, parent = parts[-1], parts[-2] if len(parts) > 1 else ""
    grand = parts[-3] if len(parts) > 2 else ""
    if name.endswith(".object") and parent == "objects":
        return "mdapi-object"
    for (suffix, folder), (kind, _) in _MDAPI.items():
        if name.endswith(suffix) and parent == folder:
            return kind
    return source_kind(name, parent, grand)


def split(path: P, raw: bytes, name: str) -> Iterator[Item]:
    """The items of one metadata file (its bytes ``raw``; ``name`` for messages), each at its source-format path."""
    kind = kind_of(path)
    if kind is None:
        return
    source = PurePosixPath(path.as_posix())
    if kind not in XML_KINDS and kind != "mdapi-object":
        yield Item(kind, source, None, source)
        return
    root = parse_xml(raw, name, "Salesforce metadata file")
    if kind != "mdapi-object":
        for (suffix, folder), (mapped, new_suffix) in _MDAPI.items():
            if mapped == kind and path.name.endswith(suffix) and path.parent.name == folder:
                source_path = path.parent / (path.name[: -len(suffix)] + new_suffix)
                yield Item(kind, PurePosixPath(source_path.as_posix()), root, source)
                return
        yield Item(kind, source, root, source)
        return
    obj = path.name[: -len(".object")]
    home = PurePosixPath(path.parent.as_posix()) / obj
    yield Item("object", home / f"{obj}.object-meta.xml", root, source)
    for child in root:
        part = _OBJECT_PARTS.get(local(child.tag))
        member = text_of(child, "fullName")
        if part is None or not member:
            continue
        kind_, sub, suffix = part
        yield Item(kind_, home / sub / f"{quote(member, safe='')}{suffix}", child, source)


def read_older_layout(
    root: Path, progress: Callable[[Iterable[Path], int, str], Iterable[Path]]
) -> tuple[Files, dict[Path, Element]]:
    """The older layout's files below ``root`` (``src/objects/*.object``, ``*.workflow``...) as source-format items.

    Each item is filed under its kind at its source-format path under
    ``root`` (no such file exists), with its element; source-format files are
    not read here. Every XML problem is gathered and raised at once, at the
    real file.
    """
    found = [p for p in walk(root) if not p.name.endswith("-meta.xml") and kind_of(p.as_posix()) in _OLDER_KINDS]
    files = Files()
    roots: dict[Path, Element] = {}
    problems = ProblemList()
    for path in progress(found, len(found), "Reading Salesforce metadata (Metadata API layout)"):
        try:
            items = list(split(PurePosixPath(path.as_posix()), read_bytes(path), display_path(path)))
        except ImpactError as exc:
            problems.items.extend(exc.problems)
            continue
        for item in items:
            files.add(item.kind, Path(item.path))
            if item.element is not None:
                roots[Path(item.path)] = item.element
    problems.raise_if_errors()
    return files, roots
