"""Interrupts and termination (issue #25, item 8): exit 130 on SIGINT, 143 on SIGTERM, no temporary file left.

A CI step must tell an interrupted run from a blocking answer (exit 1), and
a terminated run must not leave a half-written report or cache entry behind.
The signal is sent at several moments of a cold run that writes cache
entries and a report; whatever the moment, the exit code is the signal's
(or 0 when the run had already finished) and no temporary file is left.
A signal while the interpreter itself starts kills it as the system does
(status -N: impact had not run a line, so it had written nothing).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

MAIN = "import sys; from impact.cli.entry import main; sys.exit(main())"


def _ring(folder: Path, n: int = 20_000) -> None:
    folder.mkdir(parents=True)
    rows = "".join(f"      n{i}: {{type: t, depends_on: [a:n{(i - 1) % n}]}}\n" for i in range(n))
    (folder / "a.yaml").write_text(
        f"teams:\n  web: {{name: W}}\nsystems:\n  a:\n    name: A\n    owner: web\n    assets:\n{rows}",
        encoding="utf-8",
    )


def _leftovers(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root)) for p in root.rglob("*") if p.name.endswith((".tmp", ".old")) or ".tmp" in p.name
    )


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_at_any_moment_exits_with_its_code_and_leaves_no_temporary_file(
    tmp_path: Path, sig: int, code: int
) -> None:
    _ring(tmp_path / "cat")
    (tmp_path / "c.yaml").write_text(
        "id: CR-1\ntitle: T\nchanges:\n  - {target: 'a:n0', action: modify}\n", encoding="utf-8"
    )
    stopped = 0
    for n, moment in enumerate((0.3, 1.0, 2.0, 3.5, 5.0)):
        env = {**os.environ, "IMPACT_CACHE_DIR": str(tmp_path / f"cache{n}")}
        args = ["report", "c.yaml", "--catalog", "cat", "-o", f"out{n}"]
        run = subprocess.Popen(
            [sys.executable, "-c", MAIN, *args],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(moment)
        run.send_signal(sig)
        _, err = run.communicate(timeout=120)
        assert "Traceback" not in err
        # -sig: the signal came while Python itself was starting, before impact's first line (nothing written yet).
        assert run.returncode in (code, 0, -sig), err
        if run.returncode == code:
            stopped += 1
            assert err.strip().splitlines()[-1].endswith("stopped; no file was left half-written."), err
        assert _leftovers(tmp_path) == []
    assert stopped, "every run finished before the signal: the catalog is too small for this test"
