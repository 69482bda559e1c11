"""An export as it is at a git revision, read from git's objects: no checkout, no working tree.

:class:`GitTree` lists a folder (or one file) of a commit with ``git ls-tree``
and reads blobs with one ``git cat-file --batch`` for all the files a reader
asks for first. :func:`changed_paths` names the files that differ between two
revisions (``git diff --name-only --no-renames``: a rename is a deletion and
an addition here; renames are found from contents, never from git).

Examples
--------
>>> import subprocess, tempfile, pathlib
>>> repo = pathlib.Path(tempfile.mkdtemp())
>>> _ = subprocess.run(["git", "init", "-q", str(repo)], check=True)
>>> (repo / "org").mkdir(); _ = (repo / "org" / "a.txt").write_text("one")
>>> _ = subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
>>> who = ["-c", "user.name=t", "-c", "user.email=t@t"]
>>> _ = subprocess.run(["git", "-C", str(repo), *who, "commit", "-qm", "x"], check=True)
>>> tree = GitTree(repo, "HEAD", "org")
>>> tree.files(), tree.read("a.txt")
(['a.txt'], b'one')
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from impact.core.errors import ImpactError, display_path
from impact.load.gitio import run_git


def git(repo: Path, args: list[str], stdin: bytes | None = None) -> bytes:
    """Run one git command in ``repo``; its stdout, or an :class:`ImpactError` with git's last line."""
    return run_git(args, repo, stdin=stdin, failed=f"git {args[0]} failed in {display_path(repo)}")


def repo_top(path: Path) -> Path:
    """The top folder of the git repository holding ``path``."""
    where = path if path.is_dir() else path.parent
    try:
        return Path(git(where, ["rev-parse", "--show-toplevel"]).decode().strip())
    except ImpactError:
        raise ImpactError(
            f"{display_path(path)} is not in a git repository; --base compares two revisions of one"
        ) from None


def commit_of(repo: Path, rev: str, option: str = "--base") -> str:
    """The commit a revision names, or a clear error."""
    if not rev or rev.startswith("-"):
        raise ImpactError(f"{option} {rev!r} is not a git revision")
    try:
        return git(repo, ["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"]).decode().strip()
    except ImpactError:
        raise ImpactError(
            f"{option} {rev!r} is not a revision of the git repository {display_path(repo)} (a branch, tag or commit)"
        ) from None


def changed_paths(repo: Path, base: str, head: str, prefixes: Iterable[str]) -> set[str]:
    """Repository paths under ``prefixes`` whose content differs between two commits."""
    wanted = sorted({p for p in prefixes if p})
    if not wanted:
        return set()
    out = git(repo, ["diff", "--name-only", "-z", "--no-renames", base, head, "--", *wanted])
    return {p for p in out.decode("utf-8", "surrogateescape").split("\0") if p}


class GitTree:
    """The files under ``prefix`` at ``rev`` (a folder, or one file), as a read-only tree.

    Paths are relative to ``prefix``; a ``prefix`` that is a file gives a
    tree of that one file under its own name (like
    :class:`~impact.importers.changes.model.FileTree`). ``wanted``: the paths
    the first read fetches together (default: every file).
    """

    def __init__(self, repo: Path, rev: str, prefix: str = "", wanted: Iterable[str] | None = None) -> None:
        self.repo, self.rev, self.prefix = repo, rev, prefix.strip("/")
        self.wanted = None if wanted is None else set(wanted)
        self._blobs: dict[str, str] | None = None
        self._cache: dict[str, bytes] = {}
        self._bulk_done = False

    def _listing(self) -> dict[str, str]:
        if self._blobs is None:
            args = (
                ["ls-tree", "-r", "-z", "--full-tree", self.rev, "--", self.prefix]
                if self.prefix
                else ["ls-tree", "-r", "-z", self.rev]
            )
            blobs: dict[str, str] = {}
            for entry in git(self.repo, args).decode("utf-8", "surrogateescape").split("\0"):
                meta, _, path = entry.partition("\t")
                parts = meta.split()
                if len(parts) != 3 or parts[1] != "blob":
                    continue
                if path == self.prefix:  # the prefix is a file
                    blobs[PurePosixPath(path).name] = parts[2]
                elif not self.prefix or path.startswith(self.prefix + "/"):
                    blobs[path[len(self.prefix) + 1 :] if self.prefix else path] = parts[2]
            self._blobs = blobs
        return self._blobs

    def exists(self) -> bool:
        """Whether the revision holds anything under the prefix."""
        return bool(self._listing())

    def files(self, under: str = "") -> list[str]:
        listing = self._listing()
        if not under:
            return sorted(listing)
        top = under.strip("/")
        return sorted(p for p in listing if p == top or p.startswith(top + "/"))

    def read(self, path: str) -> bytes:
        if path in self._cache:
            return self._cache[path]
        listing = self._listing()
        if path not in listing:
            raise KeyError(path)
        batch = [path]
        if not self._bulk_done:  # only the first read fetches in bulk
            self._bulk_done = True
            batch += sorted(
                p
                for p in (listing if self.wanted is None else self.wanted)
                if p in listing and p not in self._cache and p != path
            )
        self._cache.update(zip(batch, read_blobs(self.repo, [listing[p] for p in batch])))
        return self._cache[path]


def read_blobs(repo: Path, shas: list[str]) -> list[bytes]:
    """The contents of many blobs with one ``git cat-file --batch``."""
    out = git(repo, ["cat-file", "--batch"], ("\n".join(shas) + "\n").encode())
    blobs: list[bytes] = []
    at = 0
    for _ in shas:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        if len(header) != 3:
            raise ImpactError(f"git cat-file gave an unexpected answer: {out[at:end][:80]!r}")
        size = int(header[2])
        blobs.append(out[end + 1 : end + 1 + size])
        at = end + 1 + size + 1
    return blobs
