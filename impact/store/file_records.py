"""Records and places of catalog files in the cache, keyed by the digest of each file's bytes.

Every entry's key also holds :func:`code_version`: impact's version and a
digest of the code that reads catalogs, so an entry written by other code is
never used.
"""

from __future__ import annotations

import hashlib
import marshal
from pathlib import Path
from typing import Any

from impact.read.records import FileRecord
from impact.store import cache
from impact.store.cache import code_version


def _entry(kind: str, digest_: str) -> Path:
    return cache.cache_dir() / kind / digest_[:2] / f"{digest_}.bin"


def _loads(blob: bytes | None) -> Any:
    if blob is None:
        return None
    try:
        return marshal.loads(blob)
    except (ValueError, EOFError, TypeError):  # damaged: no entry
        return None


def record_entry(raw: bytes) -> tuple[Path, str, str]:
    """Where the record of a file with these bytes is kept, its key, and the file's digest."""
    digest_ = hashlib.blake2b(raw, digest_size=16).hexdigest()
    return _entry("files", digest_), cache.digest(code_version(), digest_), digest_


def _record(blob: bytes | None) -> FileRecord | None:
    if blob is None:
        return None
    try:
        return FileRecord.loads(blob)
    except (ValueError, EOFError, TypeError, IndexError):  # damaged: no entry
        return None


def cached_record(raw: bytes) -> FileRecord | None:
    """The cached record of a file with these bytes, if any."""
    path, key, _ = record_entry(raw)
    return _record(cache.read(path, key))


def store_record(raw: bytes, record: FileRecord) -> None:
    path, key, _ = record_entry(raw)
    cache.write(path, key, record.dumps())


def record_by_digest(digest_: str) -> FileRecord | None:
    """The cached record of the file whose bytes have this digest, if any."""
    return _record(record_blob_by_digest(digest_))


def record_blob_by_digest(digest_: str) -> bytes | None:
    """The cached record of the file whose bytes have this digest, marshalled (see :meth:`FileRecord.loads`), if any."""
    return cache.read(_entry("files", digest_), cache.digest(code_version(), digest_))


def places_entry(digest_: str) -> tuple[Path, str]:
    """Where the places of the file whose bytes have this digest are kept, and their key."""
    return _entry("places", digest_), cache.digest(code_version(), "places", digest_)


def cached_places(digest_: str) -> dict[str, tuple[int, int]] | None:
    """The places of the definitions of the file whose bytes have this digest, if kept."""
    return _loads(cache.read(*places_entry(digest_)))  # type: ignore[no-any-return]
