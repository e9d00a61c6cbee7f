"""Running the real programs on hostile input, bounded (the issue-10 tests).

A run that could hang or read without bound gets a timeout, its own process group (killed
whole on timeout, workers included) and a memory limit, so a regression fails the test
instead of taking the machine down.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional, Sequence

import pytest

from harness import clean_env, make_project

COMMIT_IN_CRUD = "async def save(session):\n    await session.commit()\n"
SYNC_ROUTE = ('from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n'
              '@router.get("/")\ndef read() -> int:\n    return 1\n')
MEMORY_LIMIT = 3 << 30


# --- running the real programs, bounded ---------------------------------------------------------

def _limit_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):  # pragma: no cover - no limit on this platform
        pass


def run_bounded(args: Sequence[str], cwd: Path, timeout: float = 60, stdin=None,
                env: Optional[Dict[str, str]] = None, preexec=None) -> subprocess.CompletedProcess:
    """``python ARGS`` in its own process group with a memory limit; a run that outlives
    ``timeout`` is killed with all its workers and fails the test."""
    def prepare() -> None:
        _limit_memory()
        if preexec is not None:
            preexec()

    process = subprocess.Popen([sys.executable, *args], cwd=str(cwd), env=env or clean_env(),
                               stdin=stdin if stdin is not None else subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True, preexec_fn=prepare)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"`{' '.join(args)}` did not finish within {timeout} s (hang or super-linear time)")
    return subprocess.CompletedProcess(process.args, process.returncode,
                                       out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


def check(args: Sequence[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return run_bounded(["-m", "flake8_ddd", "check", *args], cwd, **kwargs)


def flake8(args: Sequence[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return run_bounded(["-m", "flake8", *args], cwd, **kwargs)


def ddd(args: Sequence[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return run_bounded(["-m", "flake8_ddd", *args], cwd, **kwargs)


def assert_no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr, result.stderr


def sample_project(tmp_path: Path) -> Path:
    """A project with one DDD001 finding in ``app/user/crud/item.py``."""
    return make_project(tmp_path / "proj", {"app/user/crud/item.py": COMMIT_IN_CRUD})
