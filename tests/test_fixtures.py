"""Every fixture file, in-process and through a real flake8 run: findings == inline markers."""

from __future__ import annotations

import os
from typing import Dict

import pytest

from harness import (ALL_GROUPS, FIXTURES, Expected, expectations, fixture_files, lint, parse_flake8,
                     run_flake8)

FILES = fixture_files()
IDS = [str(p.relative_to(FIXTURES)) for p in FILES]


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_fixture_in_process(path):
    source = path.read_text(encoding="utf-8")
    assert lint(source, str(path)) == expectations(source)


@pytest.fixture(scope="module")
def flake8_findings() -> Dict[str, Expected]:
    result = run_flake8(["--select=" + ",".join(ALL_GROUPS), "--jobs=1", "."], cwd=FIXTURES)
    assert "Traceback" not in result.stderr, result.stderr
    return parse_flake8(result.stdout)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_fixture_through_flake8(path, flake8_findings):
    relative = os.path.normpath(str(path.relative_to(FIXTURES)))
    assert flake8_findings.get(relative, set()) == expectations(path.read_text(encoding="utf-8"))
