"""A first run (no stored project index) finds what later runs find, and parses each file once
where the index reads a module's facts before the module is checked (flake8_ddd.recent_trees)."""

from __future__ import annotations

import ast
import os
import textwrap
from collections import Counter
from pathlib import Path
from typing import Iterator

import generate
import pytest
from harness import clean_env, make_project, run_check

from flake8_ddd import cli, project_store, recent_trees
from flake8_ddd.cache_names import ENV_CACHE_DIR

HERE = Path(__file__).parent
FIXTURE_PROJECTS = [HERE / "fixtures", HERE.parent / "examples" / "shop"]
JSON = ["--output-format", "json"]


def check_with_cache_dir(project: Path, cache_dir: Path, *args: str) -> str:
    env = clean_env()
    env[ENV_CACHE_DIR] = str(cache_dir)
    result = run_check([*args, *JSON, "."], project, env=env)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    return result.stdout


def assert_first_run_finds_what_later_runs_find(project: Path, tmp_path: Path) -> str:
    first = check_with_cache_dir(project, tmp_path / "first", "--no-cache", "--jobs", "1")
    stored = check_with_cache_dir(project, tmp_path / "first", "--no-cache", "--jobs", "1")
    assert list((tmp_path / "first").rglob("index-*.json")), "the first run stored no index"
    assert first == stored
    assert check_with_cache_dir(project, tmp_path / "first-j2", "--no-cache", "--jobs", "2") == first
    assert check_with_cache_dir(project, tmp_path / "first-j2", "--no-cache", "--jobs", "2") == first
    with_results = check_with_cache_dir(project, tmp_path / "results", "--jobs", "1")
    assert with_results == first
    assert check_with_cache_dir(project, tmp_path / "results", "--jobs", "1") == first
    return first


@pytest.mark.parametrize("project", FIXTURE_PROJECTS, ids=lambda p: p.name)
def test_a_first_run_of_a_fixture_project_finds_what_later_runs_find(project, tmp_path):
    assert '"code": "DDD' in assert_first_run_finds_what_later_runs_find(project, tmp_path)


def test_a_first_run_of_a_generated_corpus_finds_what_later_runs_find(tmp_path):
    root, _ = generate.generate(300, str(tmp_path / "corpus"))
    found = assert_first_run_finds_what_later_runs_find(Path(root), tmp_path)
    assert found.count('"code": "DDD') >= 20


# --- one parse per file -------------------------------------------------------------------------

#: endpoints/ (the routes layer) is checked before models/ (walk order), and DDD105 asks whether
#: the class it imports is an ORM class: the index parses the models module for its facts first.
ORM_TREE = {
    "app/__init__.py": "",
    "app/user/__init__.py": "",
    "app/user/endpoints/__init__.py": "",
    "app/user/endpoints/user.py": """
        from app.user.models.user import User
        """,
    "app/user/models/__init__.py": "",
    "app/user/models/user.py": """
        from sqlalchemy.orm import DeclarativeBase


        class Base(DeclarativeBase):
            pass


        class User(Base):
            __tablename__ = "users"
        """,
}
MODELS = "app/user/models/user.py"
SETUP_CFG = "[flake8]\nextend-select = DDD105\n"


class Runs:
    """In-process ``flake8-ddd check --no-cache --jobs 1`` runs in one project directory, with
    every ``ast.parse`` of a file counted (the index and the check both name the file)."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
        self.root, self.capsys = root, capsys
        self.parsed: Counter = Counter()
        original = ast.parse

        def counting(source, filename="<unknown>", *args, **kwargs):
            if filename != "<unknown>":
                self.parsed[os.path.relpath(os.path.abspath(filename), root)] += 1
            return original(source, filename, *args, **kwargs)

        monkeypatch.setattr(ast, "parse", counting)

    def check(self) -> str:
        self.parsed.clear()
        project_store.forget()
        assert cli.main(["check", "--no-cache", "--jobs", "1"]) in (0, 1)
        return self.capsys.readouterr().out


@pytest.fixture
def runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> Iterator[Runs]:
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    yield Runs(tmp_path, monkeypatch, capsys)
    project_store.forget()


def test_a_module_read_for_its_facts_before_its_check_is_parsed_once(runs, tmp_path):
    make_project(tmp_path, ORM_TREE, setup_cfg=SETUP_CFG)
    first = runs.check()
    assert "DDD105" in first  # the endpoint imports an ORM class: the index read the models
    assert set(runs.parsed) == {os.path.normpath(p) for p in ORM_TREE}
    assert set(runs.parsed.values()) == {1}
    assert not recent_trees._TREES  # nothing kept after the run
    assert runs.check() == first  # the index stored: the same findings


@pytest.mark.parametrize("newline, start, encoding", [
    ("\r\n", "", "utf-8"),
    ("\r", "", "utf-8"),
    ("\n", "\ufeff", "utf-8"),
    ("\r\n", "\ufeff# -*- coding: utf-8 -*-\n", "utf-8"),
    ("\n", "# coding: latin-1\n", "latin-1"),
    ("\n", "# vim: set fileencoding=cp1252 :\n", "cp1252"),
])
def test_a_module_in_another_encoding_or_newline_is_read_alike(runs, tmp_path, newline, start,
                                                               encoding):
    make_project(tmp_path, ORM_TREE, setup_cfg=SETUP_CFG)
    text = start + textwrap.dedent(ORM_TREE[MODELS]).lstrip("\n").replace('"users"', '"usérs"')
    data = text.replace("\n", newline).encode(encoding)  # a BOM is U+FEFF encoded
    (tmp_path / MODELS).write_bytes(data)
    first = runs.check()
    assert first.count("DDD105") == 1
    # The tree the index parsed is taken by the check when both read the same text from the
    # bytes (UTF-8); from a file in another encoding the check parses its own text.
    assert runs.parsed[os.path.normpath(MODELS)] == (1 if encoding == "utf-8" else 2)
    assert recent_trees.decoded_alike(data) == (encoding == "utf-8")
    assert runs.check() == first
    assert runs.parsed[os.path.normpath(MODELS)] == 1


def test_the_trees_kept_are_those_of_the_files_checked_next(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sources = {i: b"x = %d\n" % i for i in range(100)}
    trees = {i: ast.parse(data) for i, data in sources.items()}
    recent_trees.keep(sources[1], trees[1], str(tmp_path / "m1.py"))
    assert not recent_trees._TREES  # outside a run: nothing kept
    with recent_trees.keeping([f"m{i}.py" for i in range(100)]):
        for i in reversed(range(1, 100)):  # the index reads them last to first
            recent_trees.keep(sources[i], trees[i], str(tmp_path / f"m{i}.py"))
        assert sorted(recent_trees._TREES) == list(range(1, recent_trees.MAX_TREES + 1))
        assert recent_trees.take("m0.py", sources[0]) is None
        assert recent_trees.take("m1.py", sources[2]) is None  # not the bytes it was parsed from
        assert recent_trees.take("m2.py", sources[2]) is trees[2]
        recent_trees.keep(sources[1], trees[1], str(tmp_path / "m1.py"))  # checked already
        recent_trees.keep(sources[0], trees[0], str(tmp_path / "other.py"))  # not in this run
        assert 1 not in recent_trees._TREES and len(recent_trees._TREES) == recent_trees.MAX_TREES - 2
    assert not recent_trees._TREES
