"""Every fixture file, in-process and through one real flake8 run over all of them: each marked
line (``# error: DDD001``) gets exactly its codes, and every other line gets no finding."""

from __future__ import annotations

import ast
import os
from pathlib import Path
from typing import Dict

import pytest

from harness import (ALL_GROUPS, FIXTURES, Expected, expectations, fixture_files, lint, parse_flake8,
                     run_flake8)

FILES = fixture_files()
IDS = [str(p.relative_to(FIXTURES)) for p in FILES]


def assert_findings_match_markers(found: Expected, path: Path) -> None:
    expected = expectations(path.read_text(encoding="utf-8"))
    marked_lines = {line for line, _ in expected}
    on_clean_lines = {(line, code) for line, code in found if line not in marked_lines}
    assert not on_clean_lines, f"findings on lines without a marker: {sorted(on_clean_lines)}"
    assert found == expected


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_fixture_in_process(path):
    assert_findings_match_markers(lint(path.read_text(encoding="utf-8"), str(path)), path)


@pytest.fixture(scope="module")
def flake8_findings() -> Dict[str, Expected]:
    result = run_flake8(["--select=" + ",".join(ALL_GROUPS), "--jobs=1", "."], cwd=FIXTURES)
    assert "Traceback" not in result.stderr, result.stderr
    return parse_flake8(result.stdout)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_fixture_through_flake8(path, flake8_findings):
    relative = os.path.normpath(str(path.relative_to(FIXTURES)))
    assert_findings_match_markers(flake8_findings.get(relative, set()), path)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_fixture_with_markers_has_clean_statements(path):
    """A fixture that marks findings also holds statements that must stay quiet (look-alikes),
    unless its one statement is the finding about the file itself (DDD605's package)."""
    source = path.read_text(encoding="utf-8")
    marked_lines = {line for line, _ in expectations(source)}
    statements = {node.lineno for node in ast.walk(ast.parse(source)) if isinstance(node, ast.stmt)}
    if marked_lines and len(statements) > 1:
        assert statements - marked_lines, "every statement is marked: add a clean look-alike"
