"""Nothing lost (case 13): a failure while writing leaves earlier files as they were.

impact runs as root in some containers, where a read-only folder is still
writable, so permission and disk-full failures are simulated at the system
call that would fail.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from impact.store import fsio

from .conftest import assert_refused, run, snapshot, write


def _fail(code: int):  # type: ignore[no-untyped-def]
    def raiser(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    return raiser


@pytest.fixture()
def earlier(catalog: Path, work: Path) -> Path:
    """An earlier report at out/report.txt."""
    result = run("check", "changes/cr.yaml", "--catalog", "cat", "-o", "out/report.txt")
    assert result.code == 0, result.err
    return work / "out" / "report.txt"


@pytest.mark.parametrize(
    ("where", "code", "message"),
    [
        (
            "replace",
            errno.ENOSPC,
            "No space left on device; the disk is full; free some space or write elsewhere",
        ),
        ("fsync", errno.EIO, "Input/output error; choose another output path"),
        (
            "mkstemp",
            errno.EACCES,
            "Permission denied; choose a folder you may write to",
        ),
        (
            "mkstemp",
            errno.EROFS,
            "Read-only file system; the file system is read-only; choose another folder",
        ),
    ],
)
def test_a_failed_write_keeps_the_earlier_report_and_leaves_no_temporary_file(
    earlier: Path,
    work: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
    code: int,
    message: str,
) -> None:
    before = snapshot(work)
    target = {
        "replace": (fsio.os, "replace"),
        "fsync": (fsio.os, "fsync"),
        "mkstemp": (fsio.tempfile, "mkstemp"),
    }[where]
    monkeypatch.setattr(*target, _fail(code))
    result = run(
        "check",
        "changes/cr.yaml",
        "--catalog",
        "cat",
        "--format",
        "json",
        "-o",
        "out/report.txt",
    )
    assert_refused(result, f"impact: cannot write out/report.txt: {message}")
    assert snapshot(work) == before  # byte-identical, and no .report.txt.*.tmp left


def test_an_interrupt_midway_leaves_no_temporary_file(
    earlier: Path, work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(work)

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(fsio.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fsio.atomic_write(earlier, "new")
    assert snapshot(work) == before


def test_folders_made_for_a_failed_write_are_removed(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fsio.os, "replace", _fail(errno.ENOSPC))
    with pytest.raises(fsio.ImpactError):
        fsio.atomic_write(work / "new" / "deeper" / "r.txt", "x")
    assert not (work / "new").exists()


def test_an_exception_in_a_renderer_writes_nothing(
    earlier: Path, work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from impact.render.check import markdown

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(markdown, "render_check", broken)
    before = snapshot(work)
    result = run(
        "check",
        "changes/cr.yaml",
        "--catalog",
        "cat",
        "--format",
        "markdown",
        "-o",
        "out/report.txt",
    )
    assert result.code == 3  # a bug in impact, said as such
    assert "internal error in impact (RuntimeError: renderer bug)" in result.err
    assert snapshot(work) == before


def test_an_exception_in_one_report_renderer_writes_none_of_the_report_files(
    catalog: Path, work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("report", "changes/cr.yaml", "--catalog", "cat", "-o", "rep").code == 0
    before = snapshot(work)
    from impact.render import graphviz

    monkeypatch.setattr(
        graphviz,
        "render_picture",
        lambda *a, **k: (_ for _ in ()).throw(RuntimeError("svg bug")),
    )
    result = run("report", "changes/cr.yaml", "--catalog", "cat", "-o", "rep")
    assert result.code == 3
    assert snapshot(work) == before


@pytest.mark.parametrize(
    ("output", "message"),
    [
        (
            "changes/cr.yaml",
            "refusing to write changes/cr.yaml: it is an input file changes/cr.yaml; choose another output path",
        ),
        (
            "cat/report.md",
            "refusing to write cat/report.md: it is inside the catalog cat; choose another output path",
        ),
        (
            "cat/teams.yaml",
            "refusing to write cat/teams.yaml: it is inside the catalog cat; choose another output path",
        ),
        (
            "cat/../cat/new/r.md",
            "refusing to write cat/new/r.md: it is inside the catalog cat; choose another output path",
        ),
        (
            "link.md",
            "refusing to write link.md: it is inside the catalog cat; choose another output path",
        ),
        ("cat", "cannot write cat: it is a folder; give a file name inside it"),
    ],
)
def test_output_over_an_input_or_into_the_catalog_is_refused(
    catalog: Path, work: Path, output: str, message: str
) -> None:
    os.symlink("cat/teams.yaml", work / "link.md")
    before = snapshot(work)
    result = run("check", "changes/cr.yaml", "--catalog", "cat", "-o", output)
    assert_refused(result, f"impact: {message}")
    assert snapshot(work) == before


def test_a_report_folder_inside_the_catalog_is_refused(
    catalog: Path, work: Path
) -> None:
    before = snapshot(work)
    result = run("report", "changes/cr.yaml", "--catalog", "cat", "-o", "cat/reports")
    assert (
        result.code == 2
        and "inside the catalog" in result.err
        and "Traceback" not in result.err
    )
    assert snapshot(work) == before


def test_a_report_gets_normal_permissions_not_the_temporary_files_0600(
    catalog: Path, work: Path
) -> None:
    old = os.umask(0o022)
    try:
        assert (
            run("check", "changes/cr.yaml", "--catalog", "cat", "-o", "r.txt").code == 0
        )
    finally:
        os.umask(old)
    assert stat.S_IMODE((work / "r.txt").stat().st_mode) == 0o644
    os.chmod(work / "r.txt", 0o640)
    assert run("check", "changes/cr.yaml", "--catalog", "cat", "-o", "r.txt").code == 0
    assert stat.S_IMODE((work / "r.txt").stat().st_mode) == 0o640  # kept when replaced


def test_a_link_as_output_is_written_through_not_replaced(
    catalog: Path, work: Path
) -> None:
    write(work, "reports/r.txt", "old")
    os.symlink("reports/r.txt", work / "latest.txt")
    assert (
        run("check", "changes/cr.yaml", "--catalog", "cat", "-o", "latest.txt").code
        == 0
    )
    assert (work / "latest.txt").is_symlink()
    assert (
        (work / "reports" / "r.txt").read_text().startswith("CR-1: Rename /products/")
    )


def test_a_device_as_output_is_written_to_never_replaced(
    catalog: Path, work: Path
) -> None:
    fifo = work / "pipe"
    os.mkfifo(fifo)
    fd = os.open(
        fifo, os.O_RDONLY | os.O_NONBLOCK
    )  # a reader, so the writer does not block
    try:
        assert (
            run("check", "changes/cr.yaml", "--catalog", "cat", "-o", "pipe").code == 0
        )
        assert os.read(fd, 100).startswith(b"CR-1: Rename /products/")
    finally:
        os.close(fd)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_full_standard_output_is_bad_input_not_a_crash(
    catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import click

    def full(*args: object, **kwargs: object) -> None:
        if not kwargs.get("err"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        original(*args, **kwargs)

    class Full:
        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def flush(self) -> None:
            pass

    original = click.echo
    monkeypatch.setattr("impact.cli.main.click.echo", full)
    monkeypatch.setattr("impact.cli.main._stdout", Full)  # check's text and JSON are written as bytes
    monkeypatch.setattr(
        "impact.cli.main._silence_stdout", lambda: None
    )  # CliRunner's stdout is no real file
    result = run("check", "changes/cr.yaml", "--catalog", "cat")
    assert_refused(result, "cannot read or write the output: No space left on device")
