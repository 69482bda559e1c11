"""The fuzz harness: its seeds are never written to, and a Hypothesis run says what it ran."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from types import ModuleType

from tests.conftest import ROOT

HARNESS = ROOT / "fuzz" / "fuzz_load.py"


def harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_load", HARNESS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_new_inputs_and_crashes_go_to_the_ignored_folder() -> None:
    fuzz = harness()
    argv = fuzz._keep_seeds(["fuzz_load.py", str(ROOT / "fuzz" / "corpus"), "-dict=fuzz/yaml.dict"])
    found = ROOT / "fuzz" / "found"
    assert argv[1:3] == [str(found), str(ROOT / "fuzz" / "corpus")]  # libFuzzer writes to the first folder only
    assert f"-artifact_prefix={found}/" in argv
    assert "/fuzz/found/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    mine = fuzz._keep_seeds(["fuzz_load.py", str(found), str(ROOT / "fuzz" / "corpus"), "-artifact_prefix=x/"])
    assert mine == ["fuzz_load.py", str(found), str(ROOT / "fuzz" / "corpus"), "-artifact_prefix=x/"]


def test_a_hypothesis_run_prints_one_line_saying_what_it_ran() -> None:
    done = subprocess.run(
        [sys.executable, str(HARNESS), "--hypothesis", "25"], capture_output=True, text=True, timeout=600, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    found = re.fullmatch(
        r"fuzz_load: (\d+) random inputs, none raised anything but impact's input error; (\d+) loaded .*", lines[0]
    )
    assert found and int(found.group(1)) >= 25
