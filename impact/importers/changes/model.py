"""The nouns of a derived change: facets, asset states, snapshots and the trees they are read from.

A *facet* is one comparable part of an asset (its label, its formula, its
picklist values, its status), tagged with the aspect a change to it touches
(one of :data:`impact.core.vocabulary.ASPECTS`). Values are canonical before
they are stored (whitespace folded where it carries no meaning, unordered
collections sorted), so that two exports differ only where the asset did.

Examples
--------
>>> state = AssetState("salesforce:field/Lead.Status", {"values": Facet("values", ("New", "Open"), "picklist values")})
>>> state.facets["values"].aspect
'values'
>>> tree = FolderTree(Path("."))
>>> isinstance(tree, Tree)
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Facet:
    """One comparable part of an asset.

    ``value`` is a string, or a sorted tuple of strings for an unordered set
    (picklist values, columns). ``label`` names the facet in plain words for
    the change's note ("label", "formula", "picklist values", "status").
    """

    aspect: str
    value: str | tuple[str, ...]
    label: str


@dataclass(frozen=True)
class AssetState:
    """An asset as one export has it.

    ``body`` is the asset's content with its own name taken out: two assets
    with the same non-empty body in the old and the new export, one only in
    each, are a rename. ``""`` means the asset is never a rename candidate.
    ``kind`` groups assets that may be renamed into each other (a field is
    never renamed into a flow); ``""`` takes the id's type.
    """

    id: str
    facets: dict[str, Facet] = field(default_factory=dict)
    body: str = ""
    kind: str = ""
    permanent: bool = False
    """An asset the tool itself keeps (a standard Salesforce object): its file missing is no create or delete."""


Snapshot = dict[str, AssetState]
"""Asset id to state, for every asset one export (or the part of it that was read) holds."""


@runtime_checkable
class Tree(Protocol):
    """Read-only files of an export, addressed by POSIX paths relative to its root."""

    def files(self, under: str = "") -> list[str]:
        """Every file below ``under`` ("" for all), as sorted relative POSIX paths."""
        ...

    def read(self, path: str) -> bytes:
        """The bytes of one file; ``KeyError`` when the tree has no such file."""
        ...


SKIPPED = frozenset({"node_modules", "__pycache__"})
"""Folders no export keeps its files in (nor hidden ones, ``.git``, ``.sfdx``): a checkout can be given as it is."""


class FolderTree:
    """A folder on disk as a :class:`Tree` (links that leave the folder are not followed; see :data:`SKIPPED`)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def files(self, under: str = "") -> list[str]:
        top = self.root / under if under else self.root
        if top.is_file():
            return [Path(under).as_posix()]
        root = self.root.resolve()
        start = len(str(self.root).rstrip(os.sep)) + 1
        found = []
        for base, dirs, names in os.walk(top):  # strings, not Paths: an org has tens of thousands of files
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED)
            for name in names:
                full = os.path.join(base, name)
                if os.path.islink(full) and not Path(full).resolve().is_relative_to(root):
                    continue
                found.append(full[start:].replace(os.sep, "/"))
        return sorted(found)

    def read(self, path: str) -> bytes:
        target = self.root / path
        if not target.is_file():
            raise KeyError(path)
        return target.read_bytes()


class FileTree:
    """One file as a :class:`Tree`: an export that is a single file (a GTM container, a sitemap, a manifest).

    Its one path is the file's own name, so a reader of a one-file export
    takes ``tree.files()[0]`` whatever the file is called in each export.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def files(self, under: str = "") -> list[str]:
        return [self.path.name] if under in ("", self.path.name) else []

    def read(self, path: str) -> bytes:
        if path != self.path.name or not self.path.is_file():
            raise KeyError(path)
        return self.path.read_bytes()


def tree_of(path: Path) -> Tree:
    """The tree of an export given on the command line: a folder, or one file."""
    return FileTree(path) if path.is_file() else FolderTree(path)
