"""flake8 configurations that silently drop every DDD code get one warning (real flake8)."""

from __future__ import annotations

import pytest

from integration_support import COMMIT_IN_CRUD, make_project, run_check, run_flake8

FILES = {f"app/f{i}/crud/order.py": COMMIT_IN_CRUD for i in range(6)}


def warnings(stderr: str) -> list:
    return [line for line in stderr.splitlines() if line.startswith("flake8-ddd: warning:")]


@pytest.mark.parametrize("config, args, needles", [
    ("extend-ignore = D", [], ["extend-ignore entry 'D'", "D1, D2, D3, D4", "extend-select = DDD"]),
    ("ignore = E501,DD", [], ["ignore entry 'DD'", "extend-select = DDD"]),
    ("", ["--extend-ignore=D"], ["extend-ignore entry 'D'"]),
    ("select = E,F,W", [], ["`select = E,F,W` names no DDD prefix", "extend-select = DDD"]),
    ("", ["--select=E,W"], ["`select = E,W`"]),
])
def test_one_warning_per_run_and_what_to_do(project, config, args, needles):
    make_project(project, FILES, setup_cfg=f"[flake8]\n{config}\n")
    result = run_flake8([*args, "--jobs=2", "."], project)
    assert "DDD001" not in result.stdout
    found = warnings(result.stderr)
    assert len(found) == 1, result.stderr
    for needle in needles:
        assert needle in found[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("config", [
    "extend-ignore = D1,D2,D3,D4", "extend-ignore = D\nextend-select = DDD", "select = E,F,W,DDD",
    "select = E,F,W\nextend-select = DDD", "select = E,D", "ignore = DDD", "",
    "select = E,F,W,DDD105",
])
def test_no_warning_when_the_ddd_codes_are_chosen_on_purpose(project, config):
    make_project(project, FILES, setup_cfg=f"[flake8]\n{config}\n")
    result = run_flake8(["--jobs=2", "."], project)
    assert warnings(result.stderr) == [], result.stderr
    assert ("DDD001" in result.stdout) == (config not in ("ignore = DDD", "select = E,F,W,DDD105"))


def test_the_standalone_command_warns_the_same_way_when_it_reads_the_flake8_section(project):
    make_project(project, FILES, setup_cfg="[flake8]\nextend-ignore = D\n")
    ours = run_check([], project)
    theirs = run_flake8(["."], project)
    assert (ours.returncode, ours.stdout) == (0, "")
    assert warnings(ours.stderr) == warnings(theirs.stderr) and len(warnings(ours.stderr)) == 1
