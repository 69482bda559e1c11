"""Fuzz target: loading, validating and checking arbitrary catalog and change files.

Any exception other than impact's own input error (``ImpactError``) is a bug,
and so is a crash, a hang or a blow-up of memory. Each input is split in two:
a catalog file and a change file; when both load, the change is checked and
rendered as text, JSON and Markdown, so the whole path a user's file takes is
exercised.

Run (see docs/security.md)::

    pip install atheris
    python fuzz/fuzz_load.py fuzz/corpus -dict=fuzz/yaml.dict -max_total_time=600 -rss_limit_mb=2048

The seeds in ``fuzz/corpus`` are never written to: new inputs, and any
``crash-*`` file, go to ``fuzz/found/`` (git-ignored); replay a crash with
``python fuzz/fuzz_load.py fuzz/found/crash-<hash>``. Without atheris,
``python fuzz/fuzz_load.py --hypothesis N`` runs N random inputs from
Hypothesis instead, and says in one line what it ran.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(tempfile.mkdtemp(prefix="impact-fuzz-"))
CATALOG = ROOT / "catalog"
CATALOG.mkdir()
CHANGE = ROOT / "change.yaml"
SEPARATOR = b"\n#---change---\n"
# The cache code is fuzzed too, in a folder of its own: never the user's cache.
os.environ.setdefault("IMPACT_CACHE_DIR", str(ROOT / "cache"))
HERE = Path(__file__).resolve().parent
SEEDS = HERE / "corpus"
FOUND = HERE / "found"  # git-ignored: what a run finds, kept out of the repository's seeds
RAN = {"inputs": 0, "catalogs": 0, "checked": 0}


def _imports() -> None:
    global \
        ImpactError, \
        check_catalog, \
        load_change, \
        check_change, \
        DependencyGraph, \
        data, \
        markdown, \
        text, \
        dumps
    from impact.analysis.check import check_change
    from impact.core.errors import ImpactError
    from impact.graph.depgraph import DependencyGraph
    from impact.load.change import load_change
    from impact.load.loader import check_catalog
    from impact.render.check import data, markdown, text
    from impact.render.jsonio import dumps


def one_input(data: bytes) -> None:
    """Load ``data`` as a catalog file and a change file; only ImpactError may escape."""
    RAN["inputs"] += 1
    catalog_bytes, _, change_bytes = data.partition(SEPARATOR)
    (CATALOG / "a.yaml").write_bytes(catalog_bytes)
    CHANGE.write_bytes(
        change_bytes
        or b"id: CR-1\ntitle: t\nchanges: [{target: web, action: modify}]\n"
    )
    try:
        catalog, _problems = check_catalog(CATALOG)
        change = load_change(CHANGE)
        if catalog is None:
            return
        RAN["catalogs"] += 1
        result = check_change(catalog, DependencyGraph(catalog), change, 5)
        RAN["checked"] += 1
        text.render_check(result)
        dumps(data.check_dict(result))
        markdown.render_check(result)
    except ImpactError:
        pass


def main() -> None:
    if "--hypothesis" in sys.argv:
        _hypothesis(int(sys.argv[sys.argv.index("--hypothesis") + 1]))
        return
    import atheris

    with atheris.instrument_imports(include=["impact", "yaml", "pydantic"]):
        _imports()
    os.environ.setdefault("IMPACT_MAX_FILE_MB", "1")
    atheris.Setup(_keep_seeds(sys.argv), one_input)
    atheris.Fuzz()


def _keep_seeds(argv: list[str]) -> list[str]:
    """``argv`` with ``fuzz/found/`` first when the seeds come first: libFuzzer writes to the first folder."""
    folders = [i for i, arg in enumerate(argv[1:], start=1) if not arg.startswith("-") and Path(arg).is_dir()]
    argv = list(argv)
    if folders and Path(argv[folders[0]]).resolve() == SEEDS:
        FOUND.mkdir(exist_ok=True)
        argv.insert(folders[0], str(FOUND))
    if not any(arg.startswith("-artifact_prefix=") for arg in argv):
        FOUND.mkdir(exist_ok=True)
        argv.append(f"-artifact_prefix={FOUND}{os.sep}")
    return argv


def _hypothesis(examples: int) -> None:
    """The same target driven by Hypothesis: YAML-ish text built from catalog words."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    _imports()
    words = st.sampled_from(
        [
            "teams",
            "systems",
            "tests",
            "assets",
            "depends_on",
            "feeds",
            "owner",
            "name",
            "type",
            "critical",
            "covers",
            "id",
            "title",
            "changes",
            "target",
            "action",
            "web",
            "mops",
            "s:a",
            "s:b",
            "web:x",
            "modify",
            "rename",
            "true",
            "false",
            "no",
            "NO",
            "on",
            "010",
            "1:20",
            "&",
            "*",
            "!",
            "!!",
            "?",
            "-",
            ":",
            "{",
            "}",
            "[",
            "]",
            ",",
            "'",
            '"',
            "#",
            "---",
            "...",
            "|",
            ">",
            "\t",
            "\n",
            "\r",
            "\x00",
            "\ufeff",
            "\u202e",
        ]
    )
    pieces = st.lists(
        st.one_of(words, st.text(max_size=5), st.just("\n  "), st.just("\n    ")),
        max_size=60,
    )

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(catalog=pieces, change=pieces)
    def run(catalog: list[str], change: list[str]) -> None:
        one_input(
            " ".join(catalog).encode("utf-8", "surrogatepass")
            + SEPARATOR
            + " ".join(change).encode("utf-8", "surrogatepass")
        )

    run()
    print(
        f"fuzz_load: {RAN['inputs']} random inputs, none raised anything but impact's input error; "
        f"{RAN['catalogs']} loaded as a valid catalog, {RAN['checked']} checked and rendered"
    )


if __name__ == "__main__":
    main()
