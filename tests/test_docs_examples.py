"""Every example in the README and docs is real: each shell and YAML block is run here.

As sqlite-utils keeps its docs honest with cog, this test reads the fenced
blocks of the Markdown files and executes them:

- each ``impact ...`` command of a ``bash`` block runs in a scratch copy of
  ``catalogs/`` (with the small input files the import examples name), and
  must answer (exit 0, or 1 for a blocking answer) with no ``Error:`` line;
  any other command must be listed in ``NOT_RUN_HERE`` with the reason, so a
  new example is either runnable or explained;
- each YAML block is used as what it shows: a catalog file must validate as
  written, a change request must check against it, a ``policy:`` must
  validate in the example catalog, a ``$schema=`` line must point at a schema
  that exists, a ``run:`` step's command must run, and a pre-commit config
  must name hooks this repository ships.
"""

from __future__ import annotations

import glob
import re
import shlex
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from impact.cli.main import cli
from tests.conftest import ROOT

DOCS = ["README.md", "docs/editor.md", "docs/security.md", "docs/ci/README.md", "docs/architecture.md"]

NOT_RUN_HERE = {
    "python3 -m venv .venv": ".ci/run does the fresh install on a new machine",
    ". .venv/bin/activate": ".ci/run does the fresh install on a new machine",
    "pip install .": ".ci/run does the fresh install on a new machine",
    "pip install -e '.[test]'": ".ci/run does the fresh install on a new machine",
    "python -m pytest": "this test suite itself",
    ".ci/run": "CI itself: a fresh install, then this suite (the newest release of each dependency)",
    ".ci/run --lowest": "CI itself: a fresh install, then this suite (each dependency at its lower bound)",
    "ruff check impact tests": "tests/test_lint.py runs it",
    "cog -r -I . README.md": "tests/test_readme_output.py runs it (in --check mode)",
    "mypy": "tests/test_lint.py runs it",
    "pip install atheris": "an optional fuzzing dependency",
    "python fuzz/fuzz_load.py fuzz/corpus -dict=fuzz/yaml.dict -max_total_time=600": "a ten-minute fuzzing run (needs atheris)",
    "python fuzz/fuzz_load.py fuzz/corpus -dict=fuzz/yaml.dict -max_total_time=600 -rss_limit_mb=2048": "a ten-minute fuzzing run (needs atheris)",
    "python fuzz/fuzz_load.py --hypothesis 20000": "a long fuzzing run",
    "python benchmarks/bench.py --sizes 1000 10000 100000 --repeat 3": "a benchmark that takes many minutes",
    "git worktree add --detach ../impact-before 2fcb20f": "a checkout of the code before, for the benchmark beside it",
    "python benchmarks/bench.py --sizes 100000 1000000 --repeat 3 --before ../impact-before --big-answer --no-reach": "a benchmark that takes many minutes",
    "python benchmarks/bench_site.py --sizes 1000 10000 100000 --repeat 3": "a benchmark that takes many minutes",
}

INPUTS = {
    "sitemap.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        "  <url><loc>https://www.example.com/products/analytics/</loc></url>\n"
        "  <url><loc>https://www.example.com/products/analytics/tour</loc></url>\n"
        "  <url><loc>https://www.example.com/pricing/plans</loc></url>\n"
        "</urlset>\n"
    ),
    "inventory.csv": "system,key,type,owner,depends_on\nga4,stream/web,data-stream,mops,\nga4,event/generate_lead,event,mops,stream/web\n",
    "deps.csv": (
        "MetadataComponentName,MetadataComponentType,RefMetadataComponentName,RefMetadataComponentType\n"
        "LeadRouter,ApexClass,Lead,CustomObject\n"
    ),
}
"""Small input files for the import examples (the README names them, as a user's own exports)."""

EXPORTS = {
    "force-app": "tests/fixtures/salesforce/synthetic/force-app",
    "target/manifest.json": "tests/fixtures/dbt/revops.manifest.json",
    "GTM-XXXX_v1.json": "tests/fixtures/gtm/GTM-TEST123_v0.json",
}
"""Real exports the import examples name, from the importers' fixtures (provenance in tests/fixtures/README.md)."""


def blocks(doc: str) -> list[tuple[str, int, str]]:
    """(language, line, text) of each fenced block."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    found = []
    for match in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.S | re.M):
        found.append((match.group(1), text.count("\n", 0, match.start()) + 1, match.group(2)))
    return found


def walkthrough_lines() -> range:
    """The lines of the README's Quick start: its blocks are one walkthrough, run in order by test_quick_start_walkthrough."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## Quick start\n")
    end = text.index("\n## ", start + 1)
    return range(text.count("\n", 0, start) + 1, text.count("\n", 0, end) + 1)


WALKTHROUGH = walkthrough_lines()
SHELL = [
    (doc, line, body) for doc in DOCS for lang, line, body in blocks(doc)
    if lang in ("bash", "sh", "shell") and not (doc == "README.md" and line in WALKTHROUGH)
]  # fmt: skip
YAML = [(doc, line, body) for doc in DOCS for lang, line, body in blocks(doc) if lang == "yaml" and not (doc == "README.md" and line in WALKTHROUGH)]


def commands(body: str) -> list[str]:
    """The commands of a shell block: one a line, several joined by '&&', comments dropped."""
    found = []
    for line in body.replace("\\\n", " ").splitlines():
        line = re.sub(r"\s+#.*$", "", line).strip()
        if line and not line.startswith("#"):
            found.extend(part.strip() for part in line.split("&&"))
    return found


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "catalogs", tmp_path / "catalogs")
    shutil.copytree(ROOT / "tests" / "fixtures", tmp_path / "tests" / "fixtures")  # the importers' walkthrough reads them
    for name, text in INPUTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    for name, source in EXPORTS.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / source).is_dir():
            shutil.copytree(ROOT / source, target)
        else:
            shutil.copyfile(ROOT / source, target)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IMPACT_CATALOG", raising=False)
    monkeypatch.delenv("IMPACT_TEMPLATES", raising=False)
    return tmp_path


def run_impact(command: str) -> tuple[int, str, str]:
    args = []
    for arg in shlex.split(command)[1:]:
        matches = sorted(glob.glob(arg)) if any(c in arg for c in "*?[") else []
        args.extend(matches or [arg])
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


def assert_answers(command: str, where: str) -> None:
    code, _, err = run_impact(command)
    errors = [line for line in err.splitlines() if line.startswith("Error:")]
    assert code in (0, 1) and not errors, f"{where}: {command}\nexit {code}\n{err}"


def derived_repo(sandbox: Path) -> None:
    """The sandbox as the repository of the README's derived-change examples.

    ``force-app`` and ``catalog/`` (imported from it, so it lists it under
    ``sources:``) committed on main, which is also ``origin/main``; then a
    commit that adds a picklist value and renames a queue. ``force-app-main``
    keeps the export as it was on main.
    """
    import subprocess

    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=sandbox, env={**__import__("os").environ, **env}, check=True, capture_output=True)

    (sandbox / "catalog").mkdir()
    (sandbox / "catalog" / "teams.yaml").write_text("teams:\n  salesops: {name: Sales operations}\n", encoding="utf-8")
    assert_answers("impact import salesforce force-app --owner salesops -o catalog/salesforce.yaml", "derived_repo")
    shutil.copytree(sandbox / "force-app", sandbox / "force-app-main")
    git("init", "-q", "-b", "main")
    git("add", "force-app", "catalog")
    git("commit", "-q", "-m", "the org as retrieved")
    git("update-ref", "refs/remotes/origin/main", "main")
    field = sandbox / "force-app/main/default/objects/Lead/fields/Division__c.field-meta.xml"
    field.write_text(field.read_text(encoding="utf-8").replace("<type>Picklist</type>", "<type>Picklist</type><valueSet><valueSetDefinition><value><fullName>Partner</fullName></value></valueSetDefinition></valueSet>"), encoding="utf-8")
    git("mv", "force-app/main/default/queues/NA_Inbound.queue-meta.xml", "force-app/main/default/queues/NA_Inbound_Leads.queue-meta.xml")
    git("commit", "-q", "-am", "a picklist value, a queue renamed")


@pytest.mark.parametrize(("doc", "line", "body"), SHELL, ids=[f"{d}:{n}" for d, n, _ in SHELL])
def test_shell_block_runs(doc: str, line: int, body: str, sandbox: Path) -> None:
    if "--base origin/main --catalog catalog" in body or "force-app-main" in body:
        derived_repo(sandbox)
    for command in commands(body):
        where = f"{doc}:{line}"
        if command.startswith("impact "):
            assert_answers(command, where)
        elif command.startswith('eval "$(_IMPACT_COMPLETE='):
            shell = re.search(r"_IMPACT_COMPLETE=(\w+)", command)
            assert shell is not None
            result = CliRunner().invoke(cli, [], prog_name="impact", env={"_IMPACT_COMPLETE": shell.group(1)}, complete_var="_IMPACT_COMPLETE")  # type: ignore[call-arg]
            assert "complete" in result.output.lower(), f"{where}: no completion script"
        else:
            assert command in NOT_RUN_HERE, f"{where}: {command!r} is neither an impact command nor listed in NOT_RUN_HERE"


def kind_of(data: object, body: str) -> str:
    if data is None:
        return "comment"
    if isinstance(data, list) and all(isinstance(step, dict) and "run" in step for step in data):
        return "steps"
    assert isinstance(data, dict)
    if "repos" in data:
        return "pre-commit"
    if set(data) == {"policy"}:
        return "policy"
    if set(data) == {"sources"}:
        return "sources"
    if set(data) <= {"teams", "systems", "tests", "policy"}:
        return "catalog"
    if {"id", "changes"} <= set(data):
        return "change"
    raise AssertionError(f"a YAML block this test does not know how to run:\n{body}")


@pytest.mark.parametrize("doc", sorted({d for d, _, _ in YAML}))
def test_yaml_blocks_are_real(doc: str, sandbox: Path) -> None:
    seen = set()
    for _, line, body in [b for b in YAML if b[0] == doc]:
        where = f"{doc}:{line}"
        data = yaml.safe_load(body)
        kind = kind_of(data, body)
        seen.add(kind)
        if kind == "comment":
            for path in re.findall(r"\$schema=(\S+)", body):
                # The prose says: for a file in catalogs/example/catalog/.
                assert (ROOT / "catalogs" / "example" / "catalog" / path).resolve().is_file(), f"{where}: {path} does not exist"
        elif kind == "catalog":
            target = sandbox / "catalog" / f"example-{line}.yaml"
            target.parent.mkdir(exist_ok=True)
            target.write_text(body, encoding="utf-8")
            code, _, err = run_impact("impact validate catalog")
            assert code == 0, f"{where}: the catalog example does not validate as shown:\n{err}"
        elif kind == "change":
            target = sandbox / "changes" / f"{data['id']}.yaml"  # type: ignore[index]
            target.parent.mkdir(exist_ok=True)
            target.write_text(body, encoding="utf-8")
            assert_answers(f"impact check {target.relative_to(sandbox)}", where)
        elif kind == "policy":
            folder = sandbox / f"policy-{line}"
            shutil.copytree(ROOT / "catalogs" / "example" / "catalog", folder)
            (folder / "policy.yaml").write_text(body, encoding="utf-8")
            assert_answers(f"impact validate {folder.name}", where)
        elif kind == "sources":  # what an import records in the file it writes: refresh runs it again
            target = sandbox / "sources" / "catalog" / "imported.yaml"
            target.parent.mkdir(parents=True)
            (sandbox / "sources" / "target").mkdir()
            shutil.copyfile(sandbox / "target" / "manifest.json", sandbox / "sources" / "target" / "manifest.json")
            target.write_text(body, encoding="utf-8")
            assert_answers("impact import refresh sources/catalog", where)
            assert "dbt:" in target.read_text(encoding="utf-8") or "models" in target.read_text(encoding="utf-8")
        elif kind == "steps":
            if not (sandbox / "catalog").exists():
                shutil.copytree(ROOT / "catalogs" / "example" / "catalog", sandbox / "catalog")
            for step in data:  # type: ignore[union-attr]
                assert_answers(step["run"], where)
        elif kind == "pre-commit":
            shipped = {hook["id"] for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
            named = {hook["id"] for repo in data["repos"] for hook in repo["hooks"]}  # type: ignore[index]
            assert named <= shipped, f"{where}: hooks {sorted(named - shipped)} are not in .pre-commit-hooks.yaml"
    if doc == "README.md":
        assert {"catalog", "change", "policy", "comment"} <= seen


def test_every_doc_with_examples_is_covered() -> None:
    """A new Markdown file with shell or YAML examples is added to DOCS."""
    found = set()
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        rel = path.relative_to(ROOT).as_posix()
        if rel == "docs/cli.md":  # generated from --help (tests/test_cli_reference.py)
            continue
        if re.search(r"^```(bash|sh|shell|yaml)\n", path.read_text(encoding="utf-8"), re.M):
            found.add(rel)
    assert found <= set(DOCS), f"add {sorted(found - set(DOCS))} to DOCS"


def test_quick_start_walkthrough(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's Quick start, followed literally in an empty folder: each file saved where its first line says, each command run."""
    shutil.copytree(ROOT / "catalogs", tmp_path / "catalogs")  # a clone of this repository: the first command checks its example
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IMPACT_CATALOG", raising=False)
    ran = []
    for lang, line, body in blocks("README.md"):
        if line not in WALKTHROUGH:
            continue
        where = f"README.md:{line}"
        if lang == "yaml":
            name = re.match(r"# (\S+\.yaml)\n", body)
            assert name, f"{where}: a Quick start file starts with '# <where to save it>'"
            (tmp_path / name.group(1)).write_text(body, encoding="utf-8")
            continue
        for command in commands(body):
            if command in NOT_RUN_HERE:
                continue
            assert command.startswith("impact "), f"{where}: {command!r}"
            code, out, err = run_impact(command)
            assert code in (0, 1) and "Error:" not in err, f"{where}: {command}\nexit {code}\n{err}"
            ran.append((command, out + err))
    assert [c.split()[1] for c, _ in ran] == ["check", "init", "validate", "check"]
    assert "OK: 3 tools" in ran[2][1]  # the tool added is in the catalog
    assert "salesforce:field/Lead.Product_Interest__c" in ran[3][1]  # and the change reaches it
