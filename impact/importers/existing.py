"""What a catalog folder already holds, as importers need it: the assets to link to, the sources to refresh.

Read leniently and fast (the loader's file list, the precise YAML reader):
a file that does not parse is skipped for linking, and ``impact validate``
reports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from impact.core.errors import ImpactError, ProblemList, display_path
from impact.load.files import catalog_files
from impact.read.limits import Limits, read_limited
from impact.read.schema import CatalogFileSpec
from impact.read.shape_check import validate
from impact.read.yamlio import parse_yaml


def catalog_assets(catalog: Path, target: Path | None = None) -> dict[str, dict[str, str | None]]:
    """Asset keys (with their display names or descriptions) of each system in the catalog folder's files, the target's
    too.

    Importers use it to link what they read to assets that already exist
    (a dbt source to ``salesforce:object/Lead``, a GTM trigger to a website
    folder). A file that does not parse is skipped: ``impact validate`` reports it.
    """
    out: dict[str, dict[str, str | None]] = {}
    paths: list[Path] = []
    if catalog.is_dir():
        paths = catalog_files(catalog, ProblemList())  # the loader's files; its problems are for 'impact validate'
    if target is not None and target.is_file() and all(p.resolve() != target.resolve() for p in paths):
        paths.append(target)
    limit = Limits.from_env().max_file_bytes
    for path in paths:
        try:
            data = parse_yaml(read_limited(path, limit), display_path(path)).data
        except ImpactError:
            continue
        systems = data.get("systems") if isinstance(data, dict) else None
        if not isinstance(systems, dict):
            continue
        for sid, system in systems.items():
            assets = system.get("assets") if isinstance(system, dict) else None
            if isinstance(assets, dict):
                keys = out.setdefault(str(sid), {})
                for key, asset in assets.items():
                    label = asset.get("name") if isinstance(asset, dict) else None
                    keys[str(key)] = str(label) if isinstance(label, str) else None
    return out


def catalog_sources(catalog: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every ``sources:`` entry of the catalog's files, with the file it writes, in file order."""
    out: list[tuple[Path, dict[str, Any]]] = []
    limit = Limits.from_env().max_file_bytes
    for path in catalog_files(catalog, ProblemList()):  # the loader's files, in its order
        doc = parse_yaml(read_limited(path, limit), display_path(path))
        if not isinstance(doc.data, dict) or "sources" not in doc.data:
            continue
        spec, problems = validate(CatalogFileSpec, doc)
        if spec is None:
            raise ImpactError(problems)
        out.extend((path, source.model_dump()) for source in spec.sources)
    return out
