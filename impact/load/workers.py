"""Reading many catalog files at once: in worker processes, one per core, when there is much to read.

Parsing YAML is pure Python, so threads would not help. Records are built by
the worker that read the file, marshalled once, stored in the cache and sent
back to the parent process in file order.
"""

from __future__ import annotations

import marshal
import multiprocessing
import os
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from impact.core import progress
from impact.read.outline import located
from impact.read.records import Record, build_record, definition_places
from impact.store import cache
from impact.store.record_cache import cached_record, places_entry, record_entry

_T = TypeVar("_T")


# Below this many bytes to parse, worker processes cost more than they save.
PARALLEL_BYTES = 4 * 2**20


def build_records(raws: list[bytes], names: list[str], use_cache: bool = True) -> list[Record | None]:
    """Each file's record, from the cache or parsed and validated now; None for a file with a problem.

    A large catalog's files are parsed in worker processes, one per core
    (parsing is pure Python, so threads would not help); the records are
    the same, in file order. New records are stored when ``use_cache``.
    """
    records = [cached_record(raw) if use_cache else None for raw in raws]
    todo = [i for i, record in enumerate(records) if record is None]
    built = _build_all([raws[i] for i in todo], [names[i] for i in todo], use_cache)
    for i, blob in zip(todo, built):
        records[i] = Record.loads(blob) if blob is not None else None
    return records


def _build_blob(raw: bytes, name: str, store: bool) -> bytes | None:
    """A file's record, marshalled (and stored in the cache when ``store``); None if it has a problem.

    Marshalled by the worker that built it, once: the same bytes go to the
    cache and back to the parent process, which reads them faster than it
    would read a pickle.
    """
    record = build_record(raw, name)
    if record is None:
        return None
    blob = record.dumps()
    if store:
        path, key, _ = record_entry(raw)
        cache.write(path, key, blob)
    return blob


def _build_all(raws: list[bytes], names: list[str], store: bool = False) -> list[bytes | None]:
    return in_workers(_build_blob, raws, names, [store] * len(raws))


def in_workers(job: Callable[..., _T], raws: list[bytes], *args: list[Any], what: str = "Reading catalog files") -> list[_T]:
    """``job(raw, *arg)`` for each file, in worker processes (one per core) if there is much to read.

    Reading YAML is pure Python, so threads would not help. Results come
    back in file order.
    """
    workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, len(raws))
    if workers > 1 and sum(map(len, raws)) >= PARALLEL_BYTES and "fork" in multiprocessing.get_all_start_methods():
        # Only for a large catalog: the process pool's modules take time to import.
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        try:
            # fork: the workers start with impact already imported.
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                return _counted(pool.map(job, raws, *args, chunksize=max(1, len(raws) // (workers * 4))), len(raws), what)
        except (OSError, BrokenProcessPool):  # no processes to be had: read here
            pass
    return _counted(map(job, raws, *args), len(raws), what)


def _counted(results: Iterable[_T], total: int, what: str) -> list[_T]:
    """The results as a list, each one reported as progress (shown on a terminal when it lasts)."""
    out = []
    for done, result in enumerate(results, 1):
        out.append(result)
        progress.step(what, done, total)
    return out


def places_of(raw: bytes, name: str, digest_: str, store: bool, outline: bool = False) -> dict[str, tuple[int, int]]:
    """:func:`definition_places`, kept in the cache by the file's digest (a worker's job, too).

    With ``outline``, found from the file's outline if the fast reader
    accepts it (:func:`impact.read.outline.located`).
    """
    places = located(raw, name) if outline else definition_places(raw, name)
    if store:
        path, key = places_entry(digest_)
        cache.write(path, key, marshal.dumps(places))
    return places
