"""Loading a valid catalog fast, through the cache: per-file records and a whole-catalog snapshot.

Two levels, both keyed on content, never on timestamps:

* a **record** per file (:mod:`impact.read.records`), keyed by the digest of
  its bytes (:mod:`impact.store.file_records`). Only a file whose bytes
  changed is read again, in worker processes for a large catalog
  (:mod:`impact.load.workers`).
* a **snapshot** per catalog folder (:mod:`impact.store.snapshot`), keyed by
  the list of (file, digest): the merged catalog in columns and its
  warnings. A run over an unchanged catalog reads one file and parses no
  YAML; an edit that keeps a file's ids is patched in
  (:mod:`impact.store.patch`).

:func:`check_cached` handles only catalogs without errors. As soon as
anything is wrong (a file that does not parse or validate, an id defined
twice, a reference to nothing, a size over the limits) it returns None and
the loader takes its ordinary path, which merges the same records with
:func:`impact.load.linking.merge` reporting every problem (and parses again
only the files with a problem), so every error message comes from one place
and is the same with or without the cache.
"""

from __future__ import annotations

import gc
import marshal
from collections import UserList
from collections.abc import Callable
from pathlib import Path
from typing import Any

from impact.core.catalog import Catalog
from impact.core.errors import Problem, ProblemList
from impact.load.files import catalog_rels, display_names
from impact.load.places import FileLocator
from impact.store import cache
from impact.store.freshness import FileIndex, fill
from impact.store.snapshot import EDGE_KEYS, decode, found_places, warning_rows, warnings_from
from impact.store.snapshot_build import assemble, prepare_build

# --- the whole path -------------------------------------------------------------


class LazyWarnings(UserList[Problem]):
    """A catalog's warnings, computed when first read (``impact check`` never reads them)."""

    def __init__(self, compute: Callable[[], list[Problem]]) -> None:  # no super(): it would set data
        self._compute: Callable[[], list[Problem]] | None = compute
        self._data: list[Problem] = []

    @property
    def data(self) -> list[Problem]:
        if self._compute is not None:
            self._data, self._compute = self._compute(), None
        return self._data

    @data.setter
    def data(self, value: list[Problem]) -> None:
        self._data, self._compute = value, None


def check_cached(
    root: Path,
    max_file_bytes: int,
    max_catalog_bytes: int,
    finish: Callable[[Catalog], list[Problem]],
    warnings_now: bool = True,
) -> tuple[Catalog, list[Problem]] | None:
    """A valid catalog and its warnings through the cache, or None for the ordinary path.

    ``finish`` computes the warnings of a freshly merged catalog; they are
    stored with the snapshot and replayed as they were. With ``warnings_now``
    False they are computed only if someone reads ``catalog.warnings`` (and
    the list returned is empty).
    """
    found = ProblemList()
    rels = catalog_rels(root, found)
    if found.items or not rels:
        return None
    files = [root / rel for rel in rels]
    stats = FileIndex.stats(files)
    sizes = [st[0] for st in stats]
    if sum(sizes) > max_catalog_bytes or max(sizes) > max_file_bytes:
        return None
    # Files whose metadata vouches for them are not read (store/freshness.py):
    # an unchanged catalog is known by its files' stat alone.
    index = FileIndex.load(root)
    hashes, raws = index.digests(files, rels, stats)
    index.forget_others(rels)
    index.save(root)
    key = cache.digest(cache.code_version(), *rels, *hashes)
    base = cache.cache_dir()
    snapshot_path = base / "catalogs" / f"{cache.digest(str(root.resolve()))}.bin"
    names = display_names(root, rels)
    entry = cache.read_entry(snapshot_path)
    data: dict[str, Any] | None = None
    locate = FileLocator(files, names, hashes, raws)
    if entry is not None and entry[0] == key:
        try:
            data = marshal.loads(entry[1])
            catalog = decode(data, root, locate, names)
            return _finish(catalog, data, names, finish, warnings_now, snapshot_path, key)
        except Exception:  # a damaged or foreign entry is no entry, whatever it breaks
            data = None
    else:
        from impact.store.patch import patched  # only after an edit: a warm run never needs it (start-up time)

        data = patched(entry, rels, hashes, raws, files, _edges_path(snapshot_path))
    if data is None:
        if not fill(raws, files, hashes, range(len(files))):
            return None  # a file changed while impact read the catalog: the ordinary path reads it afresh
        data = _build_paused(names, raws, rels, hashes)
        if data is None:
            return None
    catalog = decode(data, root, locate, names)
    return _finish(catalog, data, names, finish, warnings_now, snapshot_path, key, fresh=True)


def _build_paused(
    names: list[str], raws: list[bytes | None], rels: list[str], hashes: list[str]
) -> dict[str, Any] | None:
    """:func:`_build` with one pause of the garbage collector for the whole build.

    Paused per file, each file's end set off a collection over everything
    kept so far (a second at 100,000 assets); nothing here is in a cycle.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(names, raws, rels, hashes)
    finally:
        if was_enabled:
            gc.enable()


def _build(names: list[str], raws: list[bytes | None], rels: list[str], hashes: list[str]) -> dict[str, Any] | None:
    """The snapshot of a catalog from its files' records (cached or built now); None on any error.

    Once the records are had, the files' bytes are let go (``raws`` emptied
    in place: the locator reads a file again, checked against its digest, if
    a place is ever asked of it), and each record is read only as the
    snapshot takes it in: at 1,000,000 assets, holding both took 1 GB.
    """
    # Only when records are built: never on a warm run (start-up time).
    from impact.load.workers import iter_record_blobs, read_record

    # Records are taken in as the workers give them (file order), and NumPy
    # is imported while the workers read: the parent's share overlaps theirs.
    blobs = iter_record_blobs(raws, names, digests=hashes, meanwhile=prepare_build)  # type: ignore[arg-type]  # every file read: filled by the caller
    data = assemble(map(read_record, blobs), rels)
    blobs.close()
    raws[:] = [None] * len(raws)
    if data is None:
        return None
    data["hashes"] = hashes
    data["warnings"] = None
    return data


def _edges_path(snapshot_path: Path) -> Path:
    """Where a snapshot's declared dependencies are kept (see :data:`EDGE_KEYS`)."""
    return snapshot_path.with_name(snapshot_path.stem + ".edges.bin")


def _finish(
    catalog: Catalog,
    data: dict[str, Any],
    names: list[str],
    finish: Callable[[Catalog], list[Problem]],
    warnings_now: bool,
    snapshot_path: Path,
    key: str,
    fresh: bool = False,
) -> tuple[Catalog, list[Problem]]:
    """Attach the warnings (stored, computed now, or computed when read) and store a changed snapshot."""
    catalog.content_key = key
    if data["warnings"] is not None:
        catalog.warnings = warnings_from(data["warnings"], names)
    elif warnings_now:
        catalog.warnings = finish(catalog)
        data["warnings"] = warning_rows(catalog.warnings, names)
        fresh = True
        data.update(found_places(catalog))  # places found for the warnings: no later run reads those files again
    else:
        catalog.warnings = LazyWarnings(lambda: finish(catalog))  # type: ignore[assignment]
    if fresh:
        # The dependencies as each file declared them are read only to patch
        # an edit: kept in an entry of their own, a warm run never unpacks them.
        edges = {k: data.pop(k) for k in EDGE_KEYS if k in data}
        if edges:
            cache.write(_edges_path(snapshot_path), key, marshal.dumps(edges))
        cache.write(snapshot_path, key, marshal.dumps(data))
    return catalog, (sorted(catalog.warnings) if warnings_now else [])
