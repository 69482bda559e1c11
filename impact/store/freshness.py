"""Knowing a catalog's files are unchanged without reading them, as git's index does.

Reading and hashing every file of a catalog on every run costs a tenth of a
second at 100,000 assets (19 MB) and a second at 1,000,000. Instead, the
cache keeps per catalog folder an *index*: for each file, what ``stat`` said
of it (size, modification and change times in nanoseconds, inode, device)
when its bytes were last read and hashed, the digest of those bytes, and when
that was. A file whose ``stat`` is the same is taken to hold the same bytes,
with one exception, the one git calls "racily clean": a file changed in the
same clock tick as it was read keeps the times it had, so any file whose
modification or change time is not well before the moment it was read
(:data:`RACY_NS`) is read and hashed again, every run, until a run finds its
times old enough to trust.

Why each field:

* *size*: most edits change it;
* *mtime*: any ordinary write sets it (but ``touch -d`` or ``cp -p`` can set
  it back, and a same-size edit within one tick keeps it);
* *ctime*: set by the kernel to its own clock on every write or metadata
  change, never settable by a user, so an edit whose mtime was put back still
  changes it;
* *inode* and *device*: a file replaced by another (an editor saving by
  renaming a new file over the old one, ``git checkout``) is a new inode.

Clock skew: a file whose times lie in the future of this machine's clock
(a network drive with a fast clock, ``touch -d tomorrow``) is never trusted
by its metadata: it is racy until the clock passes it. A catalog on a file
server whose clock is *behind* this machine's by more than :data:`RACY_NS`
can defeat the racy check for an edit made in the same tick as a read; set
``IMPACT_TRUST_STAT=0`` there, and every file is read and hashed as before.

The index only ever says which files to read again: the caller still checks
the digests against its snapshot's, so an index that is missing, damaged or
from another machine costs time, never a wrong answer.

Examples
--------
>>> import os, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> (folder / "a.yaml").write_bytes(b"teams: {}\\n")
10
>>> index = FileIndex({})
>>> digests, raws = index.digests([folder / "a.yaml"], ["a.yaml"])
>>> raws[0]  # a file not in the index is read
b'teams: {}\\n'
>>> os.utime(folder / "a.yaml", ns=(10**18, 10**18))  # its times in the past, well before it was read
>>> index = FileIndex({"a.yaml": (*stat_key(os.stat(folder / "a.yaml")), 2 * 10**18, digests[0])})
>>> index.digests([folder / "a.yaml"], ["a.yaml"]) == (digests, [None])  # trusted: not read
True
"""

from __future__ import annotations

import hashlib
import marshal
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from impact.store import cache

RACY_NS = 3_000_000_000
"""How long before a file was read its last change must be for its metadata to be trusted.

Coarse file-system clocks stamp a write up to one tick (milliseconds on
Linux, two seconds on FAT) before the moment it really happened, so a file
changed less than this before it was read may have changed again since
without its times showing it. Three seconds covers the coarsest of them.
"""

StatKey = tuple[int, int, int, int, int]
Entry = tuple[int, int, int, int, int, int, str]
"""``(size, mtime_ns, ctime_ns, inode, device, read_at_ns, digest)``."""


def stat_key(st: os.stat_result) -> StatKey:
    """What the index compares of a file's ``stat``."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def trusted(entry: Entry | None, now: StatKey) -> bool:
    """Whether a file whose ``stat`` is ``now`` still holds the bytes ``entry`` was read from.

    Only if nothing ``stat`` shows has changed, and the file's last change
    was at least :data:`RACY_NS` before it was read (so a change in the
    same tick as the read, which keeps every time, cannot hide).

    >>> old = (10, 1_000, 1_000, 7, 1)
    >>> trusted((*old, 9 * 10**9, "d"), old)  # changed long before it was read
    True
    >>> trusted((*old, 2 * 10**9, "d"), old)  # read within 3 s of its last change: racy
    False
    >>> trusted((*old, 9 * 10**9, "d"), (10, 1_000, 5_000, 7, 1))  # same size and mtime, new ctime
    False
    >>> trusted((*old, 9 * 10**9, "d"), (10, 1_000, 1_000, 8, 1))  # replaced by a rename: new inode
    False
    """
    if entry is None or entry[:5] != now:
        return False
    read_at = entry[5]
    return max(now[1], now[2]) < read_at - RACY_NS


def enabled() -> bool:
    """Whether metadata may stand for content (``IMPACT_TRUST_STAT=0`` turns it off)."""
    return os.environ.get("IMPACT_TRUST_STAT", "").strip().lower() not in ("0", "false", "no")


class FileIndex:
    """The index of one catalog folder: ``relative path → Entry``."""

    def __init__(self, entries: dict[str, Entry]) -> None:
        self.entries = entries
        self.changed = False

    @staticmethod
    def _path(root: Path) -> tuple[Path, str]:
        name = cache.digest("index", str(root.resolve()))
        return cache.cache_dir() / "index" / f"{name}.bin", cache.digest(
            "file-index", cache.FORMAT, str(root.resolve())
        )

    @classmethod
    def load(cls, root: Path) -> FileIndex:
        """The stored index of ``root``, or an empty one (absent, damaged, foreign or turned off)."""
        if not enabled():
            return cls({})
        path, key = cls._path(root)
        blob = cache.read(path, key)
        entries: Any = None
        if blob is not None:
            try:
                entries = marshal.loads(blob)
            except (ValueError, EOFError, TypeError):
                entries = None
        if not isinstance(entries, dict):
            return cls({})
        return cls(entries)

    def save(self, root: Path) -> None:
        """Store the index if anything in it changed (atomically; a failure is no harm)."""
        if self.changed and enabled():
            path, key = self._path(root)
            cache.write(path, key, marshal.dumps(self.entries))
            self.changed = False

    def digests(
        self, paths: list[Path], rels: list[str], stats: list[StatKey] | None = None
    ) -> tuple[list[str], list[bytes | None]]:
        """Each file's digest, and its bytes if they had to be read (None where the index vouched for it).

        A file is read, hashed and entered again when its metadata changed,
        when it is racy (see :func:`trusted`) or when it is not in the index.
        ``stats`` are the files' :func:`stat_key` if already taken (taken
        here otherwise), for instance to check sizes before reading anything.
        """
        entries = self.entries
        trust = enabled()
        started = time.time_ns()  # before any stat: see read()
        if stats is None:
            stats = [stat_key(os.stat(path)) for path in paths]
        digests: list[str] = []
        raws: list[bytes | None] = []
        for path, rel, now in zip(paths, rels, stats):
            entry = entries.get(rel)
            if trust and trusted(entry, now):
                assert entry is not None
                digests.append(entry[6])
                raws.append(None)
                continue
            digest, raw = self.read(path, rel, now, started)
            digests.append(digest)
            raws.append(raw)
        return digests, raws

    def read(
        self, path: Path, rel: str, before: StatKey | None = None, started: int | None = None
    ) -> tuple[str, bytes]:
        """Read and hash one file now, and enter it in the index.

        The clock is read first (``started``), then ``stat`` (``before``),
        then the bytes: an edit made during or after the read changes
        ``stat``, or is stamped less than :data:`RACY_NS` after the time
        entered, so it is never vouched for.
        """
        read_at = time.time_ns() if started is None else started
        now = stat_key(os.stat(path)) if before is None else before
        raw = path.read_bytes()
        digest = hashlib.blake2b(raw, digest_size=16).hexdigest()
        entry = (*now, read_at, digest)
        if self.entries.get(rel) != entry:
            self.entries[rel] = entry
            self.changed = True
        return digest, raw

    @staticmethod
    def stats(paths: list[Path]) -> list[StatKey]:
        """:func:`stat_key` of each file, taken now."""
        return [stat_key(os.stat(path)) for path in paths]

    def forget_others(self, rels: list[str]) -> None:
        """Drop the entries of files no longer in the catalog."""
        keep = set(rels)
        for rel in [r for r in self.entries if r not in keep]:
            del self.entries[rel]
            self.changed = True


def fill(raws: list[bytes | None], paths: list[Path], digests: list[str], wanted: Iterable[int]) -> bool:
    """Read the bytes of the ``wanted`` files the index vouched for (None in ``raws``), in place.

    False if a file no longer has the digest vouched for: it changed since
    its ``stat`` was taken, and the caller starts again from the files.
    """
    for i in wanted:
        if raws[i] is None:
            raw = paths[i].read_bytes()
            if hashlib.blake2b(raw, digest_size=16).hexdigest() != digests[i]:
                return False
            raws[i] = raw
    return True
