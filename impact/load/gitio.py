"""Git, read-only: one command run (:func:`run_git`), and a folder as it was at a revision.

A folder is read with ``git archive``, never a checkout.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

from impact.core.errors import ImpactError, display_path


def run_git(args: list[str], cwd: Path, *, stdin: bytes | None = None, failed: str | None = None) -> bytes:
    """Run one git command in ``cwd``; its stdout.

    Raises :class:`ImpactError` when git is not installed, or when the command
    fails: ``failed`` (by default ``git`` and the command's first two words,
    then ``failed``), then git's last line.
    """
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise ImpactError("--base needs git, which is not installed or not on PATH") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        what = failed if failed is not None else f"git {' '.join(args[:2])} failed"
        raise ImpactError(f"{what}: {message[-1] if message else 'no message'}")
    return done.stdout


def export_at_revision(folder: Path, ref: str, dest: Path) -> Path:
    """Write ``folder`` as it was at ``ref`` under ``dest``; return the exported folder.

    Raises :class:`ImpactError` when ``folder`` is not in a git repository, the
    revision is unknown, or the folder did not exist at that revision.
    """
    where = folder.resolve()
    if not where.is_dir():
        raise ImpactError(f"catalog {display_path(folder)} is not a folder")
    top = Path(run_git(["rev-parse", "--show-toplevel"], where).decode().strip())
    rel = where.relative_to(top.resolve()).as_posix()
    if ref.startswith("-"):
        raise ImpactError(f"--base {ref!r} is not a git revision")
    try:
        run_git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top)
    except ImpactError:
        raise ImpactError(
            f"--base {ref!r} is not a revision of the git repository {display_path(top)} (a branch, tag or commit)"
        ) from None
    listing = run_git(["ls-tree", "--name-only", ref, "--", rel], top)
    if not listing.strip():
        raise ImpactError(f"{display_path(folder)} did not exist at {ref}; nothing to compare against")
    data = run_git(["archive", "--format=tar", ref, "--", rel], top)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")  # 'data' refuses links and paths that leave dest
    return dest / rel
