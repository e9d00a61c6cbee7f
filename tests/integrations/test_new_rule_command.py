"""``python -m flake8_ddd new-rule``: one command adds a rule, in a temporary copy of the repository.

The copy gets what ``pip install -e`` would give it (a ``.dist-info`` with the entry points of
its ``pyproject.toml``, first on ``PYTHONPATH``), so the real flake8 then loads the new rule.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_ddd.toml_support import toml_module
from integration_support import clean_env

ROOT = Path(__file__).resolve().parents[2]
CODE, NAME = "DDD698", "print-in-services"
STEM = "ddd698_print_in_services"


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """The repository's files (tracked, and new ones not ignored) copied to a temporary directory."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=str(ROOT), capture_output=True, check=True).stdout.decode()
    copy = tmp_path_factory.mktemp("checkout")
    for relative in filter(None, listed.split("\0")):
        source = ROOT / relative
        if source.is_file():
            (copy / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / relative)
    return copy


def run(args, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=str(cwd), capture_output=True, text=True,
                          timeout=600, env={**clean_env(), **env})


def reinstall(copy: Path) -> None:
    """What ``pip install -e`` leaves behind for importlib.metadata: the entry points."""
    with open(copy / "pyproject.toml", "rb") as handle:
        project = toml_module("the test").load(handle)["project"]
    info = copy / "flake8_ddd-0.0.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: flake8-ddd\nVersion: 0.0.0\n")
    groups = [f"[{group}]\n" + "".join(f"{name} = {value}\n" for name, value in entries.items())
              for group, entries in project["entry-points"].items()]
    (info / "entry_points.txt").write_text("\n".join(groups))


def test_new_rule_writes_a_working_rule_fixture_and_entry_point(checkout):
    result = run(["-m", "flake8_ddd", "new-rule", CODE, NAME], checkout, PYTHONPATH=str(checkout))
    assert result.returncode == 0, result.stderr
    module = checkout / "flake8_ddd" / "rules" / f"{STEM}.py"
    fixture = checkout / "tests" / "fixtures" / "app" / "orders" / "services" / f"{STEM}.py"
    assert module.is_file() and fixture.is_file()
    assert fixture.read_text().count(f"# error: {CODE}") == 1
    assert "pip install -e" in result.stdout and "pytest" in result.stdout
    pyproject = (checkout / "pyproject.toml").read_text()
    assert f'{CODE} = "flake8_ddd.rules.{STEM}:PrintInServices"' in pyproject

    reinstall(checkout)
    relative = os.path.relpath(fixture, checkout / "tests" / "fixtures")
    flake8 = run(["-m", "flake8", f"--select={CODE[:4]}", relative], checkout / "tests" / "fixtures",
                 PYTHONPATH=str(checkout))
    assert "Traceback" not in flake8.stderr, flake8.stderr
    line = next(n for n, text in enumerate(fixture.read_text().splitlines(), 1) if "# error:" in text)
    reported = [(int(out.split(":")[1]), out.split()[1]) for out in flake8.stdout.splitlines()]
    assert reported == [(line, CODE)], flake8.stdout
    explained = run(["-m", "flake8_ddd", "rule", CODE], checkout, PYTHONPATH=str(checkout))
    assert explained.returncode == 0 and explained.stdout.startswith(f"# {NAME} ({CODE})")


@pytest.mark.parametrize("args, words", [
    (["DDD001", "commit-again"], "taken"),
    (["DDD9x1", "some-name"], "bad code"),
    (["DDD950", "some-name"], "bad code"),
    (["DDD000", "some-name"], "bad code"),
    (["DDD697", "Some_Name"], "bad name"),
    (["DDD697", "some--name"], "bad name"),
])
def test_new_rule_refuses_with_one_line_and_exit_2(checkout, args, words):
    before = sorted(p.name for p in (checkout / "flake8_ddd" / "rules").iterdir())
    pyproject = (checkout / "pyproject.toml").read_text()
    result = run(["-m", "flake8_ddd", "new-rule", *args], checkout, PYTHONPATH=str(checkout))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and words in result.stderr, result.stderr
    assert sorted(p.name for p in (checkout / "flake8_ddd" / "rules").iterdir()) == before
    assert (checkout / "pyproject.toml").read_text() == pyproject


def test_new_rule_outside_a_checkout_is_one_line(tmp_path):
    result = run(["-m", "flake8_ddd", "new-rule", "DDD697", "some-name"], tmp_path)
    assert result.returncode == 2 and "not a flake8-ddd checkout" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_new_rule_json_names_what_it_wrote_and_the_next_commands(checkout):
    result = run(["-m", "flake8_ddd", "new-rule", "--output-format", "json", "DDD696", "log-in-crud"],
                 checkout, PYTHONPATH=str(checkout))
    assert result.returncode == 0, result.stderr
    written = json.loads(result.stdout)
    assert set(written) == {"code", "name", "module", "fixture", "entry_point", "files", "next_steps"}
    assert (written["code"], written["name"]) == ("DDD696", "log-in-crud")
    assert written["module"] == "flake8_ddd/rules/ddd696_log_in_crud.py"
    assert written["entry_point"] == "flake8_ddd.rules.ddd696_log_in_crud:LogInCrud"
    assert written["files"] == [written["module"], written["fixture"], "pyproject.toml"]
    assert all((checkout / path).is_file() for path in written["files"])
    assert "python -m pytest" in written["next_steps"]


def test_new_rule_json_error_is_one_line_and_no_output(tmp_path):
    result = run(["-m", "flake8_ddd", "new-rule", "--output-format", "json", "DDD697", "some-name"],
                 tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert len(result.stderr.strip().splitlines()) == 1 and "not a flake8-ddd checkout" in result.stderr
