"""Progress of long work: shown on a terminal after a second, never otherwise, never in the answer."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from impact.cli.terminal import TerminalProgress, show_progress
from impact.core import progress
from tests.helpers import RENAME_PRODUCTS, run_cli


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_quiet_during_the_first_second_then_at_most_ten_times_a_second() -> None:
    clock, out = Clock(), io.StringIO()
    bar = TerminalProgress(out, clock)
    bar("Reading catalog files", 1, 2009)
    clock.now += 0.9
    bar("Reading catalog files", 900, 2009)
    assert out.getvalue() == ""  # short work stays quiet
    clock.now += 0.2
    bar("Reading catalog files", 1000, 2009)
    bar("Reading catalog files", 1001, 2009)  # within a tenth of a second: not redrawn
    assert out.getvalue() == "\r\x1b[2KReading catalog files: 1,000 of 2,009 (49%)"
    clock.now += 0.2
    bar("Writing the answer", 0, 0)
    assert out.getvalue().endswith("\r\x1b[2KWriting the answer...")
    bar.clear()
    assert out.getvalue().endswith("\r\x1b[2K") and not bar.shown


def test_new_work_is_shown_at_once_so_the_line_never_names_work_that_is_over() -> None:
    clock, out = Clock(), io.StringIO()
    bar = TerminalProgress(out, clock)
    clock.now += 1.5
    bar("Reading catalog files", 2009, 2009)
    bar("Putting the catalog together", 0, 3)  # the same tenth of a second, other work: drawn
    assert out.getvalue().endswith("\r\x1b[2KPutting the catalog together: 0 of 3 (0%)")
    bar("Putting the catalog together", 1, 3)  # the same work within a tenth of a second: not redrawn
    assert out.getvalue().endswith("(0%)")


def test_nothing_listens_unless_standard_error_is_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", io.StringIO())
    with show_progress():
        assert not progress.listening()


@pytest.mark.usefixtures("cache_home")
def test_loading_and_writing_report_progress_and_the_answer_is_unchanged(small_catalog: Path, tmp_path: Path) -> None:
    change = tmp_path / "changes" / "cr-1.yaml"
    change.parent.mkdir()
    change.write_text(RENAME_PRODUCTS)
    plain = run_cli("check", str(change), "--format", "json")
    run_cli("--no-cache", "check", str(change))  # nothing cached by this one
    seen: list[tuple[str, int, int]] = []
    with progress.reporting(lambda what, done, total: seen.append((what, done, total))):
        reported = run_cli("check", str(change), "--format", "json")
    assert reported == plain
    impacted = len(json.loads(plain[1])["impacted"])
    writing = [s for s in seen if s[0] == "Writing the answer"]
    assert writing == [("Writing the answer", n, impacted) for n in range(1, impacted + 1)]


def test_imports_report_through_the_one_progress_line() -> None:
    """``impact import``'s long reads step the same reporter every command draws (no second progress bar)."""
    from pathlib import Path

    from impact.cli.importers import progress as import_progress
    from impact.core import progress

    seen: list[tuple[str, int, int]] = []
    with progress.reporting(lambda what, done, total: seen.append((what, done, total))):
        items = list(import_progress([Path("a"), Path("b"), Path("c")], 3, "Reading Salesforce metadata"))
    assert items == [Path("a"), Path("b"), Path("c")]
    assert seen == [("Reading Salesforce metadata", 1, 3), ("Reading Salesforce metadata", 2, 3), ("Reading Salesforce metadata", 3, 3)]
