"""Two writers of one catalog file (issue #25, item 3): one at a time, nothing silently lost.

Real processes: two ``impact import`` into the same file at once both finish,
and the file holds both imports' assets and both ``sources:`` entries; a
writer that cannot get the lock in ``--wait`` seconds exits 2 naming the file;
a lock taken away during the write is reported, not ignored.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from impact.core.errors import ImpactError
from impact.store import lock

from .conftest import run, write


def _inventory(system: str, rows: int) -> str:
    lines = ["system,key,type,owner,depends_on"]
    lines += [f"{system},page/p{i:05d},page,web," for i in range(rows)]
    return "\n".join(lines) + "\n"


def _impact(*args: str, cwd: Path) -> subprocess.Popen[str]:
    code = "import sys; from impact.cli.entry import main; sys.exit(main())"
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.mark.parametrize("round_", range(3))
def test_two_imports_into_one_file_at_once_both_land(work: Path, round_: int) -> None:
    write(work, "cat/teams.yaml", "teams:\n  web: {name: Web}\n")
    write(work, "exports/a.csv", _inventory("alpha", 2000))
    write(work, "exports/b.csv", _inventory("beta", 2000))
    first = _impact("import", "csv", "exports/a.csv", "-o", "cat/inv.yaml", "--wait", "60", cwd=work)
    second = _impact("import", "csv", "exports/b.csv", "-o", "cat/inv.yaml", "--wait", "60", cwd=work)
    results = [p.communicate(timeout=120) for p in (first, second)]
    assert (first.returncode, second.returncode) == (0, 0), results
    data = yaml.safe_load((work / "cat" / "inv.yaml").read_text(encoding="utf-8"))
    assert set(data["systems"]) == {"alpha", "beta"}
    assert len(data["systems"]["alpha"]["assets"]) == len(data["systems"]["beta"]["assets"]) == 2000
    assert sorted(s["path"] for s in data["sources"]) == ["../exports/a.csv", "../exports/b.csv"]
    assert not (work / "cat" / ".inv.yaml.lock").exists()
    assert run("validate", "cat").code == 0


def test_a_writer_that_cannot_get_the_lock_gives_up_with_exit_2(work: Path) -> None:
    write(work, "cat/teams.yaml", "teams:\n  web: {name: Web}\n")
    write(work, "cat/inv.yaml", "teams: {}\n")
    write(work, "exports/a.csv", _inventory("alpha", 3))
    before = (work / "cat" / "inv.yaml").read_bytes()
    with lock.writing(work / "cat" / "inv.yaml"):
        result = _impact("import", "csv", "exports/a.csv", "-o", "cat/inv.yaml", "--wait", "0.3", cwd=work)
        _, err = result.communicate(timeout=60)
    assert result.returncode == 2, err
    assert err.strip().splitlines()[-1] == (
        "Error: cat/inv.yaml: another import is writing cat/inv.yaml; waited 0.3 s: "
        "run again when it has finished, or wait longer with --wait SECONDS"
    )
    assert (work / "cat" / "inv.yaml").read_bytes() == before
    # Once the first writer is done, the same command goes through.
    assert run("import", "csv", "exports/a.csv", "-o", "cat/inv.yaml").code == 0


def test_a_lock_left_by_a_killed_writer_is_not_stale(work: Path) -> None:
    write(work, "cat/inv.yaml", "teams: {}\n")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from impact.store import lock;"
            "lock.acquire(Path('cat/inv.yaml')); print('held', flush=True); time.sleep(60)",
        ],
        cwd=work,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    with pytest.raises(ImpactError):
        lock.acquire(work / "cat" / "inv.yaml", wait=0.1)
    holder.kill()
    holder.wait()
    assert (work / "cat" / ".inv.yaml.lock").exists()  # left behind by kill -9 ...
    fd = lock.acquire(work / "cat" / "inv.yaml", wait=0.5)  # ... and taken at once
    lock.release(fd, work / "cat" / "inv.yaml")


def test_a_lock_removed_during_the_write_is_reported(work: Path) -> None:
    write(work, "cat/inv.yaml", "teams: {}\n")
    target = work / "cat" / "inv.yaml"
    with pytest.raises(ImpactError) as caught, lock.writing(target):
        os.unlink(lock.lock_path(target))
    assert "was removed while impact wrote it" in str(caught.value.problems[0])


def test_two_imports_into_a_new_file_in_a_new_folder_both_land(work: Path) -> None:
    write(work, "exports/a.csv", _inventory("alpha", 1500))
    write(work, "exports/b.csv", _inventory("beta", 1500))
    runs = [
        _impact("import", "csv", f"exports/{name}.csv", "--owner", "web", "-o", "new/cat/inv.yaml", "--wait", "60", cwd=work)
        for name in ("a", "b")
    ]
    results = [p.communicate(timeout=120) for p in runs]
    assert [p.returncode for p in runs] == [0, 0], results
    data = yaml.safe_load((work / "new" / "cat" / "inv.yaml").read_text(encoding="utf-8"))
    assert set(data["systems"]) == {"alpha", "beta"}


def test_a_refused_import_into_a_new_folder_leaves_no_folder(work: Path) -> None:
    write(work, "exports/bad.csv", "not,an,inventory\n")
    result = run("import", "csv", "exports/bad.csv", "-o", "new/cat/inv.yaml")
    assert result.code == 2
    assert not (work / "new").exists()


def test_readiness_writers_take_the_same_lock(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import functools

    from impact.importers import change_records

    change = write(work, "changes/c.yaml", "id: CR-1\ntitle: T\nchanges:\n  - {target: 'a:b', action: modify}\n")
    before = change.read_bytes()
    monkeypatch.setattr(change_records, "writing", functools.partial(lock.writing, wait=0.2, what="impact command"))
    with lock.writing(change), pytest.raises(ImpactError) as caught:
        change_records.record(change, {"test": "t1", "result": "passed", "by": "web", "at": "2026-12-01"})
    assert "another impact command is writing changes/c.yaml" in str(caught.value.problems[0])
    assert change.read_bytes() == before
    change_records.record(change, {"test": "t1", "result": "passed", "by": "web", "at": "2026-12-01"})
    assert "t1" in change.read_text(encoding="utf-8")
