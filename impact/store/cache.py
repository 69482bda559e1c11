"""Where impact keeps its cache, and reading and writing its files safely.

The cache only ever saves time: every entry is checked before use (a magic
number, the format, a key computed from what the entry stands for, and a
digest of the payload), and anything that fails a check, or cannot be read,
is treated as absent. Entries are written to a temporary file beside their
final name and renamed into place, so a reader sees a whole old entry or a
whole new one, never a mix, even with several ``impact`` processes at once.

Location, first match wins: ``IMPACT_CACHE_DIR``; ``$XDG_CACHE_HOME/impact``;
``~/.cache/impact``. Nothing is ever written inside a catalog. The cache is
off when ``IMPACT_NO_CACHE`` is set to anything but ``0``/``false``/``no``, or
after :func:`set_enabled` ``(False)`` (the ``--no-cache`` option).

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write(folder / "x.bin", "key-1", b"payload")
True
>>> read(folder / "x.bin", "key-1"), read(folder / "x.bin", "key-2")
(b'payload', None)
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import impact
from impact.store.fsio import replace_file

MAGIC = b"IMPACT-CACHE\n"
FORMAT = "2"  # 2: payloads checked with SHA-256 (1: BLAKE2b)
_DIGEST = 32

_enabled: bool | None = None


def set_enabled(value: bool | None) -> None:
    """Turn the cache on or off for this process; ``None`` goes back to ``IMPACT_NO_CACHE``."""
    global _enabled
    _enabled = value


def enabled() -> bool:
    if _enabled is not None:
        return _enabled
    raw = os.environ.get("IMPACT_NO_CACHE", "").strip().lower()
    return raw in ("", "0", "false", "no")


def cache_dir() -> Path:
    """The folder impact caches in (not created here)."""
    explicit = os.environ.get("IMPACT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "impact"
    return Path.home() / ".cache" / "impact"


def digest(*parts: str | bytes) -> str:
    """A short hex digest of ``parts``, each length-prefixed so no two lists collide."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _check(payload: bytes) -> bytes:
    """The digest an entry's payload is checked with: SHA-256, which processors compute in
    hardware (about twice BLAKE2b's speed here, on a 16 MB snapshot read by every warm run)."""
    return hashlib.sha256(payload).digest()


def read(path: Path, key: str) -> bytes | None:
    """The payload stored at ``path`` for ``key``, or None if absent, foreign, stale or damaged."""
    found = read_entry(path)
    if found is None or found[0] != key:
        return None
    return found[1]


def read_entry(path: Path) -> tuple[str, bytes] | None:
    """The key and payload stored at ``path``, whatever the key, or None if absent or damaged.

    For entries that can be brought up to date from an older state (a
    catalog snapshot after one file changed): the caller checks that the key
    is one it can start from.
    """
    try:
        with open(path, "rb") as handle:
            blob = handle.read()
    except OSError:
        return None
    head = MAGIC + FORMAT.encode() + b"\n"
    end = blob.find(b"\n", len(head))
    if not blob.startswith(head) or end < 0:
        return None
    try:
        key = blob[len(head) : end].decode("ascii")
    except UnicodeDecodeError:
        return None
    stored = blob[end + 1 : end + 1 + _DIGEST]
    payload = blob[end + 1 + _DIGEST :]
    if len(stored) != _DIGEST or _check(payload) != stored:
        return None
    return key, payload


def write(path: Path, key: str, payload: bytes) -> bool:
    """Store ``payload`` for ``key`` atomically; False (and nothing changed) if it cannot."""
    head = MAGIC + FORMAT.encode() + b"\n" + key.encode() + b"\n"
    check = _check(payload)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(
            path, lambda write: _put(write, head, check, payload)
        )  # no sync: an entry lost in a crash is only time lost
        return True
    except OSError:
        return False


def _put(write: Callable[[bytes], object], *parts: bytes) -> None:
    for part in parts:
        write(part)


# The folders whose code decides what a record, a snapshot or a change's
# fields hold: a developer editing them keeps impact's version number.
_CODE_FOLDERS = ("core", "read", "store", "load")


@functools.cache
def package_version() -> str:
    """:func:`code_version` over every module of impact: for entries that hold answers, not only what was read.

    An answer (a change's verdict, say) depends on the analysis and its
    words too, so an edit anywhere in impact changes this key.
    """
    package = Path(impact.__file__).parent
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(package.rglob("*.py")):
        with contextlib.suppress(OSError):  # a file removed meanwhile: the key just changes
            h.update(str(path.relative_to(package)).encode())
            h.update(path.read_bytes())
    return f"{impact.__version__}/{FORMAT}/{h.hexdigest()}"


@functools.cache
def code_version() -> str:
    """What cache entries are keyed on besides their input: impact's version and a digest of its reading code.

    A developer editing impact keeps its version number: the key holds the
    code of the folders that read and store catalogs too, so stale records,
    snapshots or warnings are never replayed.
    """
    package = Path(impact.__file__).parent
    h = hashlib.blake2b(digest_size=16)
    for folder in _CODE_FOLDERS:
        for path in sorted((package / folder).glob("*.py")):
            with contextlib.suppress(OSError):  # a file removed meanwhile: the key just changes
                h.update(path.read_bytes())
    return f"{impact.__version__}/{FORMAT}/{h.hexdigest()}"
