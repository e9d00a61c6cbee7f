"""``--new-since`` (flake8_ddd.git_changes) on real git repositories made in a temporary directory."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from flake8_ddd.git_changes import GitError, changed_since, parse_diff, unquote

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, env=GIT_ENV, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def make_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "a.py").write_text("one\ntwo\nthree\nfour\n")
    (repo / "gone.py").write_text("x\n")
    (repo / "old name.py").write_text("a\nb\nc\nd\ne\nf\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first")
    return repo


def test_committed_staged_unstaged_and_untracked_changes_count(tmp_path):
    repo = make_repo(tmp_path)
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "a.py").write_text("one\nTWO\nthree\ninserted\nfour\n")
    git(repo, "commit", "-q", "-am", "edit")
    git(repo, "mv", "old name.py", "new name.py")
    (repo / "new name.py").write_text("a\nb\nc\nd\ne\nF\n")
    git(repo, "rm", "-q", "gone.py")
    (repo / "a.py").write_text("one\nTWO\nthree\ninserted\nfour\nfive\n")  # unstaged
    (repo / "fresh.py").write_text("1\n2\n")
    git(repo, "commit", "-q", "-m", "more")  # the rename and removal
    changed = changed_since("main", str(repo))
    assert [n for n in range(1, 7) if changed.is_new(str(repo / "a.py"), n)] == [2, 4, 6]
    assert [n for n in range(1, 7) if changed.is_new(str(repo / "new name.py"), n)] == [6]
    assert changed.is_new(str(repo / "fresh.py"), 1) and changed.is_new(str(repo / "fresh.py"), 2)
    assert not changed.is_new(str(repo / "gone.py"), 1)


def test_merge_base_not_the_tip_of_the_ref(tmp_path):
    repo = make_repo(tmp_path)
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "a.py").write_text("one\ntwo\nthree\nfour\nmine\n")
    git(repo, "commit", "-q", "-am", "mine")
    git(repo, "checkout", "-q", "main")
    (repo / "a.py").write_text("theirs\ntwo\nthree\nfour\n")
    git(repo, "commit", "-q", "-am", "theirs")
    git(repo, "checkout", "-q", "feature")
    changed = changed_since("main", str(repo))
    assert [n for n in range(1, 6) if changed.is_new(str(repo / "a.py"), n)] == [5]


def test_relative_paths_from_a_subdirectory(tmp_path, monkeypatch):
    repo = make_repo(tmp_path)
    (repo / "sub").mkdir()
    (repo / "sub" / "b.py").write_text("x\n")
    monkeypatch.chdir(repo / "sub")
    changed = changed_since("HEAD")
    assert changed.is_new("b.py", 1) and not changed.is_new("../a.py", 1)


def test_outside_a_repository_is_one_clear_error(tmp_path):
    with pytest.raises(GitError, match="needs a git repository"):
        changed_since("main", str(tmp_path))


def test_unknown_ref_is_one_clear_error(tmp_path):
    repo = make_repo(tmp_path)
    with pytest.raises(GitError, match="no-such-branch"):
        changed_since("no-such-branch", str(repo))


def test_parse_diff_reads_quoted_paths_and_pure_deletions():
    text = ('diff --git "a/caf\\303\\251.py" "b/caf\\303\\251.py"\n'
            '--- "a/caf\\303\\251.py"\n+++ "b/caf\\303\\251.py"\n'
            "@@ -1 +1 @@\n-a\n+b\n@@ -5,2 +4,0 @@\n-x\n-y\n@@ -9,0 +8,3 @@\n+1\n+2\n+3\n")
    assert parse_diff(text) == {"caf\u00e9.py": {1, 8, 9, 10}}
    assert unquote('"tab\\there"') == "tab\there"
