"""Reading many catalog files at once: in worker processes, one per core, when there is much to read.

Parsing YAML is pure Python, so threads would not help. Records are built by
the worker that read the file, marshalled once, stored in the cache and sent
back to the parent process in file order.
"""

from __future__ import annotations

import contextlib
import marshal
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Generator
from typing import Any, TypeVar

from impact.core import progress
from impact.read.definition_places import definition_places
from impact.read.outline_places import located
from impact.read.records import FileRecord, prepare, read_file_record
from impact.store import cache
from impact.store.file_records import places_entry, record_blob_by_digest, record_entry

_T = TypeVar("_T")


# Below this many bytes to parse, worker processes cost more than they save.
PARALLEL_BYTES = 4 * 2**20


def file_records_in_workers(
    raws: list[bytes], names: list[str], use_cache: bool = True, digests: list[str] | None = None
) -> list[FileRecord | None]:
    """Each file's record, from the cache or parsed and validated now; None for a file with a problem.

    A large catalog's files are parsed in worker processes, one per core
    (parsing is pure Python, so threads would not help); the records are
    the same, in file order. New records are stored when ``use_cache``.
    """
    return list(map(read_record, iter_record_blobs(raws, names, use_cache, digests)))


def iter_record_blobs(
    raws: list[bytes],
    names: list[str],
    use_cache: bool = True,
    digests: list[str] | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Generator[bytes | None, None, None]:
    """:func:`file_records_in_workers`, each record still marshalled (see :func:`read_record`), given in file order as
    soon as it is ready.

    The caller works on the first records while workers build the next ones,
    and a million assets' records (800 MB read at once) are never all held.
    ``digests`` are the files' digests if known already (not computed
    again); ``meanwhile`` is called once the workers have started.
    """
    if not use_cache:
        blobs: list[bytes | None] = [None] * len(raws)
    else:
        blobs = list(
            map(record_blob_by_digest, digests if digests is not None else [record_entry(raw)[2] for raw in raws])
        )
    todo = [i for i, blob in enumerate(blobs) if blob is None]
    if todo and _parallel([raws[i] for i in todo]):
        prepare()  # before the workers are forked: each starts with pydantic imported (see prepare)
    built = in_workers_iter(
        _build_blob, [raws[i] for i in todo], [names[i] for i in todo], [use_cache] * len(todo), meanwhile=meanwhile
    )
    for blob in blobs:
        yield next(built) if blob is None else blob
    built.close()


def read_record(blob: bytes | None) -> FileRecord | None:
    """A marshalled record (:meth:`FileRecord.dumps`); None for none, or for a damaged cache entry."""
    if blob is None:
        return None
    try:
        return FileRecord.loads(blob)
    except (ValueError, EOFError, TypeError, IndexError):  # a damaged cache entry: no record
        return None


def _build_blob(raw: bytes, name: str, store: bool) -> bytes | None:
    """A file's record, marshalled (and stored in the cache when ``store``); None if it has a problem.

    Marshalled by the worker that built it, once: the same bytes go to the
    cache and back to the parent process, which reads them faster than it
    would read a pickle.
    """
    record = read_file_record(raw, name)
    if record is None:
        return None
    blob = record.dumps()
    if store:
        path, key, _ = record_entry(raw)
        cache.write(path, key, blob)
    return blob


def _parallel(raws: list[bytes]) -> bool:
    """Whether :func:`in_workers` reads these files in worker processes."""
    return (
        _workers(raws) > 1
        and sum(map(len, raws)) >= PARALLEL_BYTES
        and "fork" in multiprocessing.get_all_start_methods()
    )


def _workers(raws: list[bytes]) -> int:
    return min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, len(raws))


def in_workers(
    job: Callable[..., _T], raws: list[bytes], *args: list[Any], what: str = "Reading catalog files"
) -> list[_T]:
    """``job(raw, *arg)`` for each file, in worker processes (one per core) if there is much to read.

    Reading YAML is pure Python, so threads would not help. Results come
    back in file order.
    """
    return list(in_workers_iter(job, raws, *args, what=what))


def in_workers_iter(
    job: Callable[..., _T],
    raws: list[bytes],
    *args: list[Any],
    what: str = "Reading catalog files",
    meanwhile: Callable[[], object] | None = None,
) -> Generator[_T, None, None]:
    """:func:`in_workers`, each result given as soon as it and those before it are ready.

    The caller works on the first files while workers read the next ones.
    ``meanwhile`` is called once the workers have started, for work the
    parent would otherwise do after them (importing what comes next).
    """
    total, done = len(raws), 0
    if _parallel(raws):
        # Only for a large catalog: the process pool's modules take time to import.
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        workers = _workers(raws)
        lifeline = _Lifeline()
        try:
            # fork: the workers start with impact already imported.
            context = multiprocessing.get_context("fork")
            with lifeline, ProcessPoolExecutor(workers, mp_context=context, initializer=lifeline.hold) as pool:
                # Small chunks: the two workers finish together (a chunk of 25 files left one idle for a tenth
                # of a second).
                results = pool.map(job, raws, *args, chunksize=max(1, total // (workers * 16)))
                if meanwhile is not None:
                    meanwhile()
                for result in results:
                    done += 1
                    progress.step(what, done, total)
                    yield result
            return
        except (OSError, BrokenProcessPool):  # no processes to be had: read the rest here
            pass
    for i in range(done, total):
        result = job(raws[i], *(arg[i] for arg in args))
        done += 1
        progress.step(what, done, total)
        yield result


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class _Lifeline:
    """Workers die with the process that started them, however it ends (``kill -9`` included).

    A worker blocked on its pipe would otherwise wait for good, holding its
    memory. On Linux each worker asks the kernel for SIGKILL when its parent
    dies (``prctl(PR_SET_PDEATHSIG)``); everywhere, a thread of each worker
    waits on a pipe only the parent can write to and ends the worker when
    the pipe closes, which the system does when the parent ends.
    """

    def __init__(self) -> None:
        self.parent = os.getpid()
        self.read_end, self.write_end = os.pipe()

    def __enter__(self) -> _Lifeline:
        return self

    def __exit__(self, *exc: object) -> None:
        for fd in (self.read_end, self.write_end):
            with contextlib.suppress(OSError):
                os.close(fd)

    def hold(self) -> None:
        """Run first in each worker (the pool's initializer)."""
        os.close(self.write_end)  # the worker's copy: only the parent's keeps the pipe open
        _ask_for_death_signal()
        if os.getppid() != self.parent:  # the parent died before the request: go now
            os._exit(1)
        threading.Thread(target=_wait_for_eof, args=(self.read_end,), daemon=True, name="impact-lifeline").start()


def _ask_for_death_signal() -> None:
    if not sys.platform.startswith("linux"):
        return
    # ctypes only in a worker of a large catalog (start-up time of every other run)
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _wait_for_eof(fd: int) -> None:
    with contextlib.suppress(OSError):
        while os.read(fd, 1):
            pass
    os._exit(1)  # the parent is gone: nobody reads what this worker makes


def places_of(raw: bytes, name: str, digest_: str, store: bool, outline: bool = False) -> dict[str, tuple[int, int]]:
    """:func:`definition_places`, kept in the cache by the file's digest (a worker's job, too).

    With ``outline``, found from the file's outline if the fast reader
    accepts it (:func:`impact.read.outline_places.located`).
    """
    places = located(raw, name) if outline else definition_places(raw, name)
    if store:
        path, key = places_entry(digest_)
        cache.write(path, key, marshal.dumps(places))
    return places
