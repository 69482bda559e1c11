"""Reading workers die with their parent (issue #25, item 4).

A cold run of a large catalog reads its files in worker processes. ``kill
-9`` of the parent at any moment must leave no worker behind: each asks the
kernel for SIGKILL when its parent dies (Linux), and a lifeline pipe ends it
everywhere else. The run starts in a session of its own, so every process it
made is found by its process group, even after the parent is gone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from impact.load import workers

pytestmark = pytest.mark.skipif(
    not hasattr(os, "killpg") or (os.cpu_count() or 1) < 2, reason="needs process groups and two cores"
)


def _big_catalog(folder: Path) -> None:
    folder.mkdir()
    for f in range(8):
        lines = [
            "teams:\n  web: {name: W}\n" if f == 0 else "",
            "systems:\n",
            f"  s{f}:\n    name: S{f}\n    owner: web\n    assets:\n",
        ]
        lines += [
            f"      k{i:06d}: {{type: page, description: words for size, depends_on: [s{f}:k{i + 1:06d}]}}\n"
            for i in range(12_500)
        ]
        lines.append(f"      k{12_500:06d}: {{type: page}}\n")
        (folder / f"f{f}.yaml").write_text("".join(lines), encoding="utf-8")
    assert sum(p.stat().st_size for p in folder.iterdir()) > workers.PARALLEL_BYTES


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


MAIN = "import sys; from impact.cli.entry import main; sys.exit(main())"
# The lifeline pipe alone, as on a system without prctl: the death signal is not asked for.
PIPE_ONLY = "import impact.load.workers as w; w._ask_for_death_signal = lambda: None; " + MAIN


@pytest.mark.parametrize(
    ("code", "moments"),
    [(MAIN, (0.2, 0.6, 1.0, 1.6, 2.4, 3.5, 5.0, 6.5)), (PIPE_ONLY, (0.8, 1.6, 2.5, 4.0))],
    ids=["death-signal", "lifeline-pipe"],
)
def test_kill_9_of_the_parent_at_many_moments_leaves_no_worker(
    tmp_path: Path, code: str, moments: tuple[float, ...]
) -> None:
    _big_catalog(tmp_path / "cat")
    env = {**os.environ, "IMPACT_CACHE_DIR": str(tmp_path / "cache"), "IMPACT_NO_CACHE": "1"}
    saw_workers = 0
    for moment in moments:
        parent = subprocess.Popen(
            [sys.executable, "-c", code, "validate", str(tmp_path / "cat")],
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(moment)
        saw_workers += bool(_children(parent.pid))
        parent.kill()  # kill -9
        parent.wait()
        deadline = time.monotonic() + 10
        while _group_alive(parent.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = _group_alive(parent.pid)
        if left:
            os.killpg(parent.pid, signal.SIGKILL)  # leave the machine clean before failing
        assert not left, f"workers outlived their parent killed after {moment} s"
    if sys.platform.startswith("linux"):
        assert saw_workers, "no kill landed while workers were reading: the catalog is too small for this test"
