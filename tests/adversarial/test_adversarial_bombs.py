"""Alias bombs and absurd nesting (cases 2 and 3), run in a child process under a memory cap.

The child gets 1 GiB of address space (``RLIMIT_AS``) and a recursion limit
of 1,000: if validation ever walked an alias expansion (the bomb below is
about 10**11 nodes) or recursed into 50,000 levels, it would die of
``MemoryError``, a segfault or ``RecursionError`` instead of answering exit 2
with the message checked here. All cases share one child to keep the suite fast.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CHILD = """
import json, os, resource, sys
cap = 1 << 30
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
sys.setrecursionlimit(1000)
from click.testing import CliRunner
from impact.cli.main import cli
answers = {}
for name in sorted(os.listdir(".")):
    os.chdir(name)
    result = CliRunner().invoke(cli, ["validate", "cat"])
    answers[name] = [result.exit_code, result.stdout, result.stderr, repr(result.exception) if result.exit_code not in (0, 1, 2) else None]
    os.chdir("..")
print(json.dumps(answers))
"""


def billion_laughs(levels: int = 11) -> str:
    lines = [
        'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'
    ]
    lines += [
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]"
        for i in range(1, levels + 1)
    ]
    return "\n".join(lines) + "\nteams: {}\n"


def mapping_bomb(levels: int = 9) -> str:
    lines = [
        "a0: &a0 {k0: x, k1: x, k2: x, k3: x, k4: x, k5: x, k6: x, k7: x, k8: x, k9: x}"
    ]
    lines += [
        f"a{i}: &a{i} {{" + ", ".join(f"k{j}: *a{i - 1}" for j in range(10)) + "}"
        for i in range(1, levels + 1)
    ]
    return "\n".join(lines) + "\n"


def deep(style: str, depth: int) -> str:
    if style == "flow":
        return "teams: " + "[" * depth + "]" * depth + "\n"
    if style == "block":
        return (
            "teams:\n  " + "- " * depth + "x\n"
        )  # block sequences, nested on one line
    return "teams: " + "{a: [" * depth + "]}" * depth + "\n"


CASES: dict[str, tuple[str, int, list[str]]] = {
    "bomb-lists": (
        billion_laughs(),
        2,
        [
            "Error: cat/a.yaml:4:45: aliases here expand to far more data than the file holds (an alias bomb?); write the values out"
        ],
    ),
    "bomb-maps": (
        mapping_bomb(),
        2,
        [
            "Error: cat/a.yaml:4:41: aliases here expand to far more data than the file holds (an alias bomb?); write the values out"
        ],
    ),
    "honest-aliases": (
        "teams:\n  web: &team {name: Web}\n  web2: *team\n  web3: *team\n",
        0,
        [],
    ),
}
for _style, _where in (("flow", "1:71"), ("block", "2:129"), ("mixed", "1:167")):
    for _depth in (500, 50_000):
        CASES[f"deep-{_style}-{_depth}"] = (
            deep(_style, _depth),
            2,
            [
                f"Error: cat/a.yaml:{_where}: nesting deeper than 64 levels; a catalog needs far fewer"
            ],
        )


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[object]]:
    root = tmp_path_factory.mktemp("bombs")
    for name, (text, _, _) in CASES.items():
        (root / name / "cat").mkdir(parents=True)
        (root / name / "cat" / "a.yaml").write_text(text)
    # The timeout only stops a hang from blocking the suite; it is not a speed check.
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, (
        done.stderr
    )  # the child itself survived: no segfault, no MemoryError
    return json.loads(done.stdout)


def test_the_bombs_are_a_few_hundred_bytes() -> None:
    assert len(billion_laughs()) < 1000 and len(mapping_bomb()) < 1000


@pytest.mark.parametrize("name", sorted(CASES))
def test_refused_with_the_exact_message_under_a_memory_cap(
    answers: dict[str, list[object]], name: str
) -> None:
    code, out, err, exc = answers[name]
    _, want_code, want_errors = CASES[name]
    assert exc is None
    assert "Traceback" not in str(err)
    assert [
        line for line in str(err).splitlines() if line.startswith("Error: ")
    ] == want_errors
    assert code == want_code
    if want_code == 0:
        assert (
            out
            == "cat: OK: 0 tools, 0 assets, 0 dependencies, 3 teams, 0 tests; 0 warnings\n"
        )
