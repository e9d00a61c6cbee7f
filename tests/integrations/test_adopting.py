"""Adopting on an existing project, through the real programs: ``flake8-ddd check
--write-baseline / --baseline / --strict-baseline / --add-noqa / --new-since``, the
``ddd-baseline`` option under flake8, and DDD010 in both."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.harness import codes, make_project, run_check, run_flake8

CRUD = '''\
    class UserCrud:
        async def create(self, db, user):
            db.add(user)
            await db.commit()
            await db.commit()

        async def remove(self, db, user):
            await db.delete(user)
            await db.rollback()
    '''
SERVICE = '''\
    import os

    from fastapi import HTTPException


    def secret():
        return os.environ["SECRET"]
    '''
FILES = {"app/__init__.py": "", "app/user/__init__.py": "", "app/user/crud/__init__.py": "",
         "app/user/crud/user.py": CRUD, "app/user/services/__init__.py": "",
         "app/user/services/user.py": SERVICE}
CRUD_PATH = "app/user/crud/user.py"


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "proj", FILES)


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_write_then_check_reports_only_new_findings(project):
    written = run_check(["--write-baseline", "ddd-baseline.json"], project)
    assert written.returncode == 0, written.stderr
    assert written.stdout == ""
    document = json.loads((project / "ddd-baseline.json").read_text())
    assert document["version"] == 1 and document["total"] == 5
    assert {e["path"] for e in document["entries"]} == {CRUD_PATH, "app/user/services/user.py"}

    edit(project, CRUD_PATH, "class UserCrud:", '"""Users."""\n\n\nclass UserCrud:')  # shift lines
    quiet = run_check(["--baseline", "ddd-baseline.json"], project)
    assert (quiet.returncode, quiet.stdout) == (0, ""), quiet.stderr
    assert quiet.stderr.strip().splitlines()[-1] == "5 known, 0 new"

    edit(project, CRUD_PATH, "        await db.commit()\n\n",
         "        await db.commit()\n        await db.commit()\n\n")  # a third commit
    edit(project, CRUD_PATH, "        await db.rollback()\n", "")  # one fixed
    new = run_check(["--baseline", "ddd-baseline.json"], project)
    assert new.returncode == 1
    assert codes(new) == {(CRUD_PATH, 9, "DDD001")}
    assert new.stderr.strip().splitlines()[-1] == "4 known (\u22121 since the baseline was written), 1 new"


def test_strict_baseline_fails_on_fixed_entries_and_names_them(project):
    run_check(["--write-baseline", "ddd-baseline.json"], project)
    edit(project, CRUD_PATH, "        await db.rollback()\n", "")
    lenient = run_check(["--baseline", "ddd-baseline.json"], project)
    assert lenient.returncode == 0
    strict = run_check(["--baseline", "ddd-baseline.json", "--strict-baseline"], project)
    assert strict.returncode == 1 and strict.stdout == ""
    assert f"{CRUD_PATH}: DDD004 in UserCrud.remove is no longer found" in strict.stderr
    rewritten = run_check(["--write-baseline", "ddd-baseline.json"], project)
    assert rewritten.returncode == 0
    assert run_check(["--baseline", "ddd-baseline.json", "--strict-baseline"], project).returncode == 0
    assert '"DDD004"' not in (project / "ddd-baseline.json").read_text()


def test_writing_part_of_the_project_keeps_the_other_entries(project):
    run_check(["--write-baseline", "ddd-baseline.json"], project)
    before = (project / "ddd-baseline.json").read_text()
    again = run_check(["--write-baseline", "ddd-baseline.json", "app/user/crud"], project)
    assert again.returncode == 0 and (project / "ddd-baseline.json").read_text() == before
    part = run_check(["--baseline", "ddd-baseline.json", "--strict-baseline", "app/user/crud"], project)
    assert part.returncode == 0 and part.stderr.strip().endswith("3 known, 0 new")


def test_json_output_keeps_its_keys_under_a_baseline(project):
    plain = run_check(["--output-format", "json"], project)
    run_check(["--write-baseline", "b.json", "app/user/services"], project)
    under = run_check(["--output-format", "json", "--baseline", "b.json"], project)
    assert under.returncode == 1
    rows, all_rows = json.loads(under.stdout), json.loads(plain.stdout)
    assert rows == [r for r in all_rows if "crud" in r["filename"]]


def test_bad_baseline_is_one_line_and_exit_2(project):
    (project / "b.json").write_text("{not json")
    done = run_check(["--baseline", "b.json"], project)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "b.json" in done.stderr
    done = run_check(["--write-baseline", "b.json"], project)
    assert done.returncode == 2 and (project / "b.json").read_text() == "{not json"
    done = run_check(["--baseline", "missing.json"], project)
    assert done.returncode == 2 and "--write-baseline" in done.stderr


def test_forbidden_codes_are_never_recorded(project):
    (project / "setup.cfg").write_text("[flake8]\nddd-baseline-forbid = DDD601\n")
    run_check(["--write-baseline", "b.json"], project)
    assert '"DDD601"' not in (project / "b.json").read_text()
    done = run_check(["--baseline", "b.json"], project)
    assert done.returncode == 1 and {c for _, _, c in codes(done)} == {"DDD601"}


@pytest.mark.parametrize("config_file, text", [
    ("setup.cfg", "[flake8]\nddd-baseline = ddd-baseline.json\n"),
    ("pyproject.toml", '[tool.flake8-ddd]\nbaseline = "ddd-baseline.json"\n'),
])
def test_configured_baseline_applies_to_check_and_flake8(project, config_file, text):
    (project / "setup.cfg").unlink()
    run_check(["--isolated", "--write-baseline", "ddd-baseline.json"], project)
    (project / config_file).write_text(text)
    edit(project, CRUD_PATH, "class UserCrud:", "import os\n\n\nclass UserCrud:")
    edit(project, "app/user/services/user.py", 'return os.environ["SECRET"]',
         'return os.environ["SECRET"], os.getenv("OTHER")')
    check = run_check([], project)
    assert check.returncode == 1 and codes(check) == {("app/user/services/user.py", 7, "DDD601")}
    if config_file == "setup.cfg":
        flake8 = run_flake8(["--select=DDD", "."], project)
        assert {(os.path.normpath(p), line, c) for p, line, c in codes(flake8)} == {
            ("app/user/services/user.py", 7, "DDD601")}
        inside = run_flake8(["--select=DDD", "user.py"], project / "app" / "user" / "crud")
        assert codes(inside) == set()  # the baseline's path is relative to the config file


def test_add_noqa_silences_everything_and_keeps_files_parsing(project):
    done = run_check(["--add-noqa", "--noqa-reason", "legacy, see #12"], project)
    assert done.returncode == 0, done.stderr
    assert "added # noqa to 5 lines in 2 files, silencing 5 findings" in done.stderr
    crud = (project / CRUD_PATH).read_text()
    ast.parse(crud)
    assert "await db.commit()  # noqa: DDD001 legacy, see #12" in crud
    assert run_check([], project).returncode == 0
    flake8 = run_flake8(["--select=DDD", "."], project)
    assert codes(flake8) == set()
    stale = run_check(["--extend-select", "DDD010"], project)
    assert stale.returncode == 0, stale.stdout


def test_add_noqa_refuses_standard_input(project):
    done = run_check(["--add-noqa", "-", "--stdin-filename", CRUD_PATH], project,
                     stdin=(project / CRUD_PATH).read_text())
    assert done.returncode == 2 and "standard input" in done.stderr


def test_unused_noqa_in_flake8_and_check(project):
    edit(project, "app/user/services/user.py", "import os\n", "import os  # noqa: DDD301, F401\n")
    edit(project, "app/user/services/user.py", 'return os.environ["SECRET"]',
         'return os.environ["SECRET"]  # noqa: DDD601, DDD001')
    check = run_check(["--extend-select", "DDD010"], project)
    assert {(line, c) for _, line, c in codes(check, "DDD010")} == {(1, "DDD010"), (7, "DDD010")}
    assert "DDD010" in check.stdout and "DDD001" in check.stdout.split("DDD010", 2)[-1]
    flake8 = run_flake8(["--select=DDD", "--extend-select=DDD010", "."], project)
    assert {(line, c) for _, line, c in codes(flake8, "DDD010")} == {(1, "DDD010"), (7, "DDD010")}
    default = run_check([], project)
    assert codes(default, "DDD010") == set()  # opt-in


# --- --new-since, on real git repositories ------------------------------------------------------------

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1"}


def git(root: Path, *args: str) -> None:
    done = subprocess.run(["git", *args], cwd=root, env={**os.environ, **GIT_ENV},
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_new_since_reports_only_changed_lines(project):
    git(project, "init", "-q", "-b", "main")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "old code")
    git(project, "checkout", "-q", "-b", "feature")
    edit(project, CRUD_PATH, "        await db.delete(user)\n",
         "        await db.delete(user)\n        await db.commit()\n")
    git(project, "commit", "-q", "-am", "new commit call")
    (project / "app/user/crud/item.py").write_text("async def f(db):\n    await db.commit()\n")
    done = run_check(["--new-since", "main"], project)
    assert done.returncode == 1
    assert codes(done) == {(CRUD_PATH, 9, "DDD001"), ("app/user/crud/item.py", 2, "DDD001")}
    assert run_check(["--new-since", "HEAD"], project).returncode == 1  # the untracked file
    assert run_check(["--new-since", "feature", CRUD_PATH], project).returncode == 0


def test_new_since_outside_a_repository_is_a_clear_error(project):
    done = run_check(["--new-since", "main"], project)
    assert done.returncode == 2 and "git repository" in done.stderr


def test_standard_input_is_matched_with_its_own_text(project):
    run_check(["--write-baseline", "b.json"], project)
    shifted = "# edited in the editor\n\n" + (project / CRUD_PATH).read_text()
    done = run_check(["--baseline", "b.json", "-", "--stdin-filename", CRUD_PATH], project,
                     stdin=shifted)
    assert (done.returncode, done.stdout) == (0, ""), done.stderr
    assert done.stderr.strip().endswith("3 known, 0 new")


@pytest.mark.parametrize("args, fragment", [
    (["--noqa-reason", "x"], "--noqa-reason goes with --add-noqa"),
    (["--write-baseline", "a.json", "--baseline", "b.json"], "cannot be combined with --baseline"),
    (["--strict-baseline"], "--strict-baseline needs a baseline"),
])
def test_option_mistakes_are_one_line_and_exit_2(project, args, fragment):
    done = run_check(args, project)
    assert done.returncode == 2 and fragment in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_flake8_with_a_broken_baseline_stops_with_one_line(project):
    (project / "setup.cfg").write_text("[flake8]\nddd-baseline = b.json\n")
    (project / "b.json").write_text('{"version": 99, "entries": []}')
    done = run_flake8(["--select=DDD", "."], project)
    assert done.returncode != 0 and "version 99 is not supported" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_finding_silenced_by_noqa_does_not_use_up_the_baseline(project):
    run_check(["--write-baseline", "b.json"], project)  # two commits in UserCrud.create
    edit(project, CRUD_PATH, "        await db.commit()\n        await db.commit()\n",
         "        await db.commit()  # noqa: DDD001\n        await db.commit()\n"
         "        await db.commit()\n        await db.commit()\n")
    (project / "setup.cfg").write_text("[flake8]\nddd-baseline = b.json\n")
    check = run_check([], project)
    flake8 = run_flake8(["--select=DDD", "."], project)
    assert codes(check) == {(CRUD_PATH, 7, "DDD001")}
    assert {(os.path.normpath(p), line, c) for p, line, c in codes(flake8)} == codes(check)
