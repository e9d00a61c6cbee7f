"""Helpers for the tests that drive real programs: finding ruff, pylsp and pre-commit (the
shared ones, flake8-ddd check, flake8 and their output, come from tests/harness.py)."""

from __future__ import annotations

import os
import shutil
import sys
from typing import Optional

import pytest

# The integration tests import these shared helpers from here too.
from harness import BIN, clean_env, findings_of, make_project, run_check, run_flake8  # noqa: F401

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
