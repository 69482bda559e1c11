"""A catalog's sorted asset ids, read from the snapshot without making a string per asset.

A snapshot keeps its ids sorted and joined by NUL in one string, with where
each one starts. Splitting that string into a million strings and hashing
them into a dict took 0.7 s of every warm check at 1,000,000 assets, and a
check reads a few thousand of them. :class:`SortedIds` cuts an id out of the
joined string when it is read, and finds an id's position by binary search
over the sorted column (ids are sorted by code point, which is how Python
compares strings). A caller that goes on to read a large part of the
column gets the split list and the dict after all: past a share of the
column, cutting one at a time costs more than splitting once.

Examples
--------
>>> ids = SortedIds.of(["crm:a", "crm:b", "web:/x/"])
>>> ids[2], len(ids), list(ids)
('web:/x/', 3, ['crm:a', 'crm:b', 'web:/x/'])
>>> ids.where["crm:b"], ids.where.get("crm:c"), "web:/x/" in ids.where
(1, None, True)
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import accumulate
from typing import overload

# Every STEP-th id is cut out once, for a first binary search over strings;
# the last few steps are taken over the joined string.
_STEP = 32


class SortedIds(Sequence[str]):
    """Sorted ids stored as one NUL-joined string and the start of each, read one by one."""

    __slots__ = ("_directory", "_joined", "_limit", "_list", "_reads", "_starts", "where")

    def __init__(self, joined: str, starts: Sequence[int]) -> None:
        self._joined = joined
        self._starts = starts  # id i is joined[starts[i] + i : starts[i + 1] + i]; len(ids) + 1 entries
        self._list: list[str] | None = None
        self._reads = 0
        # Past this many reads, one split is cheaper than cutting each id out.
        self._limit = max(64, (len(starts) - 1) // 8)
        self._directory: list[str] | None = None
        self.where = IdIndex(self)

    @classmethod
    def of(cls, ids: Iterable[str]) -> SortedIds:
        """The column of sorted ``ids`` (for tests and examples; snapshots store :func:`starts_of`)."""
        ids = list(ids)
        return cls("\0".join(ids), starts_of(ids))

    def __len__(self) -> int:
        return len(self._starts) - 1

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        found = self._list
        if found is not None:
            return found[i]
        if isinstance(i, slice):
            return self.split()[i]
        self._reads += 1
        if self._reads > self._limit:
            return self.split()[i]
        starts = self._starts
        if i < 0:
            i += len(starts) - 1
        if not 0 <= i < len(starts) - 1:
            raise IndexError(i)
        return self._joined[starts[i] + i : starts[i + 1] + i]

    def split(self) -> list[str]:
        """Every id as a list (made once)."""
        if self._list is None:
            self._list = self._joined.split("\0") if self._joined or len(self._starts) > 1 else []
        return self._list

    def __iter__(self) -> Iterator[str]:
        return iter(self.split())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (SortedIds, list)):
            return self.split() == (other.split() if isinstance(other, SortedIds) else other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # like the list it stands for

    def position(self, aid: str) -> int | None:
        """Where ``aid`` is in the column, or None; a binary search, no id made but the few compared."""
        n = len(self._starts) - 1
        if n == 0:
            return None
        directory = self._directory
        if directory is None:
            directory = self._directory = [self[i] for i in range(0, n, _STEP)]
            self._reads -= len(directory)
        block = bisect_right(directory, aid) - 1
        if block < 0:
            return None
        lo, hi = block * _STEP, min(n, block * _STEP + _STEP)  # aid is in [lo, hi) if anywhere
        joined, starts = self._joined, self._starts
        while lo < hi:
            mid = (lo + hi) // 2
            if joined[starts[mid] + mid : starts[mid + 1] + mid] <= aid:
                lo = mid + 1
            else:
                hi = mid
        at = lo - 1
        return at if joined[starts[at] + at : starts[at + 1] + at] == aid else None


class IdIndex(Mapping[str, int]):
    """``id → position`` in an :class:`SortedIds`, like the dict it stands for.

    Positions found are kept; past a share of the column, the dict is built.
    """

    __slots__ = ("_column", "_dict", "_found")

    def __init__(self, column: SortedIds) -> None:
        self._column = column
        self._found: dict[str, int | None] = {}
        self._dict: dict[str, int] | None = None

    def _whole(self) -> dict[str, int]:
        if self._dict is None:
            ids = self._column.split()
            self._dict = dict(zip(ids, range(len(ids))))
        return self._dict

    def _position(self, aid: object) -> int | None:
        if self._dict is not None:
            return self._dict.get(aid) if isinstance(aid, str) else None
        if not isinstance(aid, str):
            return None
        found = self._found
        if aid in found:
            return found[aid]
        if len(found) > self._column._limit:
            return self._whole().get(aid)
        at = found[aid] = self._column.position(aid)
        return at

    def __getitem__(self, aid: str) -> int:
        at = self._position(aid)
        if at is None:
            raise KeyError(aid)
        return at

    def get(self, aid: str, default: int | None = None) -> int | None:  # type: ignore[override]
        at = self._position(aid)
        return default if at is None else at

    def __contains__(self, aid: object) -> bool:
        return self._position(aid) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._column.split())

    def __len__(self) -> int:
        return len(self._column)


def starts_of(ids: Sequence[str]) -> array[int]:
    """The lengths of ``ids`` summed, from 0 (the array a snapshot stores): id ``i`` starts at ``starts[i] + i`` in
    ``"\\0".join(ids)``.

    Without the separators, the sums are made in C (``map(len)``): a tenth
    of the time at 1,000,000 ids.

    >>> list(starts_of(["ab", "c"]))
    [0, 2, 3]
    """
    return array("q", accumulate(map(len, ids), initial=0))
