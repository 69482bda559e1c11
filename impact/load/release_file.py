"""Release files (``releases/<id>.yaml``): optional metadata of a release.

A release is the set of change requests whose ``release:`` key names it; a
release file only adds a date, a change-freeze start, an owner and notes.

Where they are found: ``--releases DIR``, else a folder ``releases`` beside
the ``--changes`` folder (``catalogs/example/changes`` → ``catalogs/example/releases``).
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from impact.core.catalog import Place
from impact.core.errors import ImpactError, ProblemList, display_path
from impact.read.limits import YAML_SUFFIXES, Limits, read_limited

if TYPE_CHECKING:
    from impact.read.schema import ReleaseSpec
    from impact.read.yamlio import YamlDoc

RELEASES_FOLDER = "releases"


@dataclass(frozen=True, slots=True)
class Release:
    """What a release file says about a release."""

    id: str
    file: str
    name: str | None = None
    date: str | None = None
    freeze: str | None = None
    owner: str | None = None
    notes: str | None = None
    owner_place: Place | None = None


def default_releases_folder(changes_folder: str | os.PathLike[str]) -> Path:
    """``<changes>/../releases``: the folder of release files beside the change files."""
    return Path(changes_folder).resolve().parent / RELEASES_FOLDER


def _date_problem(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return f"{value!r} is not a real date (YYYY-MM-DD)"
    return None


def load_releases(folder: str | os.PathLike[str] | None, limits: Limits | None = None) -> dict[str, Release]:
    """Every release file of ``folder`` by id; an absent folder means no release files.

    Raises :class:`ImpactError` with every problem (bad shape, a date that does
    not exist, a freeze after the release date, an id used twice).
    """
    if folder is None:
        return {}
    path = Path(folder)
    if not path.is_dir():
        return {}
    problems = ProblemList()
    found: dict[str, Release] = {}
    max_bytes = (limits or Limits.from_env()).max_file_bytes
    for file in sorted(
        p for p in path.iterdir() if p.suffix in YAML_SUFFIXES and p.is_file() and not p.name.startswith(".")
    ):
        name = display_path(file)
        read = _read_release(file, name, max_bytes, problems)
        if read is None:
            continue
        spec, doc = read
        if spec.id in found:
            problems.error(
                name, *doc.locate(("id",)), f"release {spec.id!r} is also described by {found[spec.id].file}"
            )
            continue
        found[spec.id] = Release(
            spec.id,
            name,
            spec.name,
            spec.date,
            spec.freeze,
            spec.owner,
            spec.notes,
            Place(name, *doc.locate(("owner",))) if spec.owner else None,
        )
    problems.raise_if_errors()
    return dict(sorted(found.items()))


def _read_release(file: Path, name: str, max_bytes: int, problems: ProblemList) -> tuple[ReleaseSpec, YamlDoc] | None:
    """A release file's spec and document, its dates checked; None if it cannot be read (its problems added)."""
    # Imported here: a command that reads no release file needs neither pydantic nor PyYAML (start-up time).
    from impact.read.schema import ReleaseSpec
    from impact.read.shape_check import validate
    from impact.read.slips import known_keys
    from impact.read.yamlio import parse_yaml

    try:
        doc = parse_yaml(read_limited(file, max_bytes), name, keys=known_keys(ReleaseSpec))
    except ImpactError as exc:
        problems.items.extend(exc.problems)
        return None
    spec, errors = validate(ReleaseSpec, doc)
    problems.items.extend(errors)
    if spec is None:
        return None
    for key in ("date", "freeze"):
        message = _date_problem(getattr(spec, key))
        if message:
            problems.error(name, *doc.locate((key,)), f"{key}: {message}")
    if (
        spec.date
        and spec.freeze
        and spec.freeze > spec.date
        and not _date_problem(spec.date)
        and not _date_problem(spec.freeze)
    ):
        problems.error(
            name,
            *doc.locate(("freeze",)),
            f"freeze {spec.freeze} is after the release date {spec.date}; the freeze starts before the release",
        )
    return spec, doc
