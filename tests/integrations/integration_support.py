"""Helpers for the tests that drive real programs: flake8-ddd check, flake8, ruff, pylsp, pre-commit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional, Sequence

import pytest

# The integration tests import these shared helpers from here too.
from harness import BIN, clean_env, make_project, run_flake8  # noqa: F401

COMMIT_IN_CRUD = "async def save(session):\n    await session.commit()\n"


def tool(name: str) -> Optional[str]:
    """A program installed beside this interpreter (the test extra), else on PATH."""
    for candidate in (BIN / name, BIN / f"{name}.exe"):
        if candidate.exists():
            return str(candidate)
    return shutil.which(name)


def need(name: str) -> str:
    """The program, or a skip naming the package that provides it.

    With ``FLAKE8_DDD_REQUIRE_TOOLS=1`` (CI on the main interpreter) a missing program fails.
    """
    found = tool(name)
    if found is None:
        message = f"{name} is not installed for {sys.executable} (pip install -e .[test])"
        if os.environ.get("FLAKE8_DDD_REQUIRE_TOOLS"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def run_check(args: Sequence[str], cwd: Path, stdin: Optional[str] = None,
              env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    """The real standalone command, ``python -m flake8_ddd check ...``."""
    return subprocess.run([sys.executable, "-m", "flake8_ddd", "check", *args], cwd=str(cwd),
                          input=stdin, capture_output=True, text=True, timeout=600,
                          env=env or clean_env())


def findings_of(output: str) -> set:
    """``(path, line, col, code, text)`` from concise / flake8 default output, paths normalized."""
    found = set()
    for line in output.splitlines():
        parts = line.split(":", 3)
        if len(parts) == 4 and parts[1].isdigit() and parts[2].isdigit():
            code, _, text = parts[3].strip().partition(" ")
            found.add((os.path.normpath(parts[0]), int(parts[1]), int(parts[2]), code, text))
    return found
