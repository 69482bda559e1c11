"""The hooks of .pre-commit-hooks.yaml, run by the real pre-commit tool on real commits.

pre-commit installs a hook repository from a git commit, so the test copies
this project (the files a pip install needs plus .pre-commit-hooks.yaml) into
a temporary git repository and commits it; a second temporary repository
holds a small catalog and uses the hooks on ``git commit``. pre-commit builds
the hook's virtualenv once (it downloads impact's dependencies from PyPI:
the slow part, about half a minute on a cold cache); everything after reuses it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")

pytestmark = pytest.mark.skipif(not Path(PRE_COMMIT).exists() or shutil.which("git") is None, reason="needs pre-commit and git")

CATALOG = """\
teams:
  web: {name: Web}
  ops: {name: Ops}
systems:
  website:
    name: Website
    owner: web
    assets:
      /products/: {type: folder}
  marketo:
    name: Marketo
    owner: ops
    assets:
      list/products:
        type: smart-list
        depends_on: [website:/products/]
"""

CHANGE = """\
id: CR-1
title: Rename products
changes:
  - target: website:/products/
    action: rename
"""


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    repo = tmp_path_factory.mktemp("hook-repo")
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, repo / name)
    shutil.copytree(ROOT / "impact", repo / "impact", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    assert git(repo, "commit", "-q", "-m", "hooks").returncode == 0
    return repo, git(repo, "rev-parse", "HEAD").stdout.strip()


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def user_repo(tmp_path: Path, hook_repo: tuple[Path, str], home: Path) -> tuple[Path, dict[str, str]]:
    repo_path, rev = hook_repo
    work = tmp_path / "work"
    (work / "catalog").mkdir(parents=True)
    (work / "changes").mkdir()
    (work / "catalog" / "stack.yaml").write_text(CATALOG, encoding="utf-8")
    config = {"repos": [{"repo": str(repo_path), "rev": rev, "hooks": [{"id": "impact-validate", "args": ["catalog"]}, {"id": "impact-check"}]}]}
    (work / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    git(work, "init", "-q")
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    env.pop("IMPACT_CATALOG", None)
    installed = subprocess.run([PRE_COMMIT, "install"], cwd=work, env=env, capture_output=True, text=True, check=False)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return work, env


def commit(work: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    git(work, "add", "-A")
    full = {**env, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    # The hooks report on stderr; one stream keeps their lines in order.
    return subprocess.run(["git", "commit", "-m", message], cwd=work, env=full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)


def test_hooks_pass_a_good_commit_and_stop_a_broken_catalog(tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path) -> None:
    work, env = user_repo(tmp_path, hook_repo, pre_commit_home)
    (work / "changes" / "CR-1.yaml").write_text(CHANGE, encoding="utf-8")

    good = commit(work, env, "catalog and a change")
    assert good.returncode == 0, good.stdout
    assert "impact validate" in good.stdout and "Passed" in good.stdout
    assert "impact check (changed change requests)" in good.stdout

    (work / "catalog" / "stack.yaml").write_text(CATALOG.replace("depends_on: [website:/products/]", "depends_on: [website:/prodcts/]"), encoding="utf-8")
    bad = commit(work, env, "a typo")
    assert bad.returncode == 1, bad.stdout
    assert "Failed" in bad.stdout
    print(bad.stdout)
    assert "Error: catalog/stack.yaml:16:22: asset 'marketo:list/products' depends_on 'website:/prodcts/', which is not an asset of this catalog; did you mean 'website:/products/'?" in bad.stdout
    assert git(work, "rev-list", "--count", "HEAD").stdout.strip() == "1"


def test_check_hook_stops_a_change_that_names_no_asset(tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path) -> None:
    work, env = user_repo(tmp_path, hook_repo, pre_commit_home)
    assert commit(work, env, "catalog").returncode == 0
    (work / "changes" / "CR-2.yaml").write_text(CHANGE.replace("CR-1", "CR-2").replace("website:/products/", "website:/pricing/"), encoding="utf-8")
    result = commit(work, env, "a change to an unknown asset")
    assert result.returncode == 1
    assert "impact check (changed change requests)" in result.stdout and "Failed" in result.stdout
    assert "target 'website:/pricing/' is not an asset of the catalog" in result.stdout
