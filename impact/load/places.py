"""Finding where definitions stand in a catalog's files, late and at most once per file content."""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Sequence
from pathlib import Path

from impact.core import progress
from impact.core.errors import ImpactError, Problem
from impact.store import cache


class FileLocator:
    """Finds where definitions stand in a catalog's files (a :data:`~impact.store.compact.Locate`).

    A file read by the fast reader has a record without places. The first
    place asked of such a file reads it precisely, once, for the places of
    all its definitions, which the cache then keeps by the file's digest: a
    catalog's places are found at most once per file content, and only for
    files that have an error or a warning to show. :meth:`prefetch` finds
    those of many files at once, in parallel. The bytes read are checked
    against the digest the catalog was loaded from, so a place is never
    taken from a file edited meanwhile.
    """

    def __init__(
        self, paths: list[Path], names: list[str], hashes: list[str], raws: Sequence[bytes | None] | None = None
    ) -> None:
        self.paths = paths
        self.names = names
        self.hashes = hashes
        self.raws = raws
        self._places: dict[int, dict[str, tuple[int, int]]] = {}

    def _raw(self, fi: int) -> bytes:
        raw = self.raws[fi] if self.raws is not None else None
        if raw is None:  # not read yet (see store/freshness.py)
            raw = self.paths[fi].read_bytes()
        if hashlib.blake2b(raw, digest_size=16).hexdigest() != self.hashes[fi]:
            message = "this file changed while impact was reading the catalog; run the command again"
            raise ImpactError(Problem(self.names[fi], 0, 0, message))
        return raw

    def _cached(self, fi: int) -> dict[str, tuple[int, int]] | None:
        from impact.store.file_records import cached_places  # only when a place is asked for (start-up time)

        return cached_places(self.hashes[fi]) if cache.enabled() else None

    def prefetch(self, files: set[int]) -> None:
        """Find the places of these files now: from their outline here, else reading them precisely in parallel."""
        todo = []
        for fi in sorted(files - self._places.keys()):
            found = self._cached(fi)
            if found is not None:
                self._places[fi] = found
            else:
                todo.append(fi)
        if not todo:
            return
        from impact.load.workers import in_workers, places_of  # only when places are read (start-up time)

        store = cache.enabled()
        precise = []
        for done, fi in enumerate(todo, 1):
            raw = self._raw(fi)
            found = _outlined(raw, self.hashes[fi]) if store else None
            if found is not None:
                self._places[fi] = found
            else:
                precise.append((fi, raw))
            progress.step("Finding where definitions stand", done, len(todo))
        if not precise:
            return
        raws = [raw for _, raw in precise]
        names = [self.names[fi] for fi, _ in precise]
        digests = [self.hashes[fi] for fi, _ in precise]
        # Without a cache (no records to say what a file defines), a worker reads each file fast for that.
        args = [store] * len(precise), [not store] * len(precise)
        located = in_workers(places_of, raws, names, digests, *args, what="Finding where definitions stand")
        for (fi, _), places in zip(precise, located):
            self._places[fi] = places

    def __call__(self, fi: int, key: str) -> tuple[int, int]:
        if fi not in self._places:
            self.prefetch({fi})
        line, col = self._places[fi].get(key, (0, 0))
        return line, col


def _outlined(raw: bytes, digest_: str) -> dict[str, tuple[int, int]] | None:
    """The places of a file read by the fast reader, from its outline and its cached record (kept in the cache); None if
    in doubt.

    About a twentieth of the cost of reading it precisely: done here, without worker processes.
    """
    from impact.read.outline_places import places_by_record  # only when places are found (start-up time)
    from impact.store.file_records import places_entry, record_by_digest

    record = record_by_digest(digest_)
    places = places_by_record(raw, record) if record is not None else None
    if places is not None:
        cache.write(*places_entry(digest_), marshal.dumps(places))
    return places
