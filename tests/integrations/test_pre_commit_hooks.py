"""The hooks of ``.pre-commit-hooks.yaml``, run by the real ``pre-commit`` from a local clone.

The current working tree is committed into a temporary repository (so uncommitted work is
what gets tested), which a throwaway project names as ``repo:`` at that commit's ``rev:``.
pre-commit installs it into its own environment, exactly as for a user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Dict

import pytest

from integration_support import clean_env, need

ROOT = Path(__file__).resolve().parents[2]
VIOLATION = "async def save(session):\n    await session.commit()\n"
FIXED = "async def save(session):\n    await session.flush()\n"


def git_env(tmp_path: Path) -> Dict[str, str]:
    env = clean_env()
    env.update({
        "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    })
    return env


def git(args, cwd: Path, env: Dict[str, str]) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True, timeout=600).stdout.strip()


IGNORED = shutil.ignore_patterns(".git", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis",
                                 ".venv*", ".tox", "build", "dist", ".ruff_cache", ".flake8_ddd_cache")


def clone_working_tree(target: Path, env: Dict[str, str]) -> str:
    """Commit the working tree (tracked and new files, minus ignored ones) into ``target``."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, timeout=600)
    if listed.returncode != 0:  # not a git checkout (an unpacked sdist): copy the tree
        shutil.copytree(ROOT, target, ignore=IGNORED)
    for name in filter(None, listed.stdout.decode("utf-8").split("\0") if listed.returncode == 0 else ()):
        source = ROOT / name
        if source.is_file():
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    git(["init", "-q"], target, env)
    git(["add", "-A"], target, env)
    git(["commit", "-q", "-m", "working tree"], target, env)
    return git(["rev-parse", "HEAD"], target, env)


@pytest.mark.slow
def test_hooks_fail_on_a_violation_and_pass_once_fixed(tmp_path):
    pre_commit = need("pre-commit")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = git_env(tmp_path)
    hook_repo = tmp_path / "flake8-ddd"
    sha = clone_working_tree(hook_repo, env)

    project = tmp_path / "project"
    (project / "app" / "orders" / "crud").mkdir(parents=True)
    (project / "setup.cfg").write_text("[flake8]\nmax-line-length = 100\n")
    (project / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {hook_repo}\n"
        f"    rev: {sha}\n"
        "    hooks:\n"
        "      - id: flake8-ddd\n"
        "      - id: flake8-ddd-flake8\n"
        "        args: [--select=DDD]\n")
    crud = project / "app" / "orders" / "crud" / "order.py"
    crud.write_text(VIOLATION)
    git(["init", "-q"], project, env)
    git(["add", "-A"], project, env)

    def run_hooks() -> subprocess.CompletedProcess:
        return subprocess.run([pre_commit, "run", "--all-files", "--color", "never"], cwd=project,
                              env=env, capture_output=True, text=True, timeout=900)

    failing = run_hooks()
    output = failing.stdout + failing.stderr
    assert failing.returncode == 1, output
    assert output.count("app/orders/crud/order.py:2:11: DDD001") == 2, output
    assert "flake8-ddd" in output and "Failed" in output

    crud.write_text(FIXED)
    git(["add", "-A"], project, env)
    passing = run_hooks()
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert passing.stdout.count("Passed") == 2, passing.stdout
