"""Helpers for the tests that drive real programs: flake8-ddd check, flake8, ruff, pylsp, pre-commit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, Optional, Sequence

import pytest

BIN = Path(sys.executable).parent
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


def make_project(root: Path, files: Dict[str, str], **config_files: str) -> Path:
    """Write ``files`` (dedented) under ``root``; ``setup_cfg=...``/``pyproject_toml=...`` too."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    for name, text in config_files.items():
        filename = {"setup_cfg": "setup.cfg", "pyproject_toml": "pyproject.toml",
                    "tox_ini": "tox.ini", "flake8": ".flake8"}[name]
        (root / filename).write_text(textwrap.dedent(text), encoding="utf-8")
    if not any((root / m).exists() for m in ("setup.cfg", "pyproject.toml", "tox.ini", ".flake8")):
        (root / "setup.cfg").write_text("[metadata]\nname = sample\n", encoding="utf-8")
    return root


def run_check(args: Sequence[str], cwd: Path, stdin: Optional[str] = None,
              env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    """The real standalone command, ``python -m flake8_ddd check ...``."""
    return subprocess.run([sys.executable, "-m", "flake8_ddd", "check", *args], cwd=str(cwd),
                          input=stdin, capture_output=True, text=True, timeout=600,
                          env=env or clean_env())


def run_flake8(args: Sequence[str], cwd: Path, stdin: Optional[str] = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flake8", *args], cwd=str(cwd), input=stdin,
                          capture_output=True, text=True, timeout=600, env=clean_env())


def clean_env() -> Dict[str, str]:
    """This environment with the test interpreter's scripts first on PATH."""
    env = dict(os.environ)
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    env.pop("PYTHONPATH", None)
    return env


def findings_of(output: str) -> set:
    """``(path, line, col, code, text)`` from concise / flake8 default output, paths normalized."""
    found = set()
    for line in output.splitlines():
        parts = line.split(":", 3)
        if len(parts) == 4 and parts[1].isdigit() and parts[2].isdigit():
            code, _, text = parts[3].strip().partition(" ")
            found.add((os.path.normpath(parts[0]), int(parts[1]), int(parts[2]), code, text))
    return found
