"""Tests that drive real programs. Those that install or serve something are marked ``slow``
(``-m "not slow"`` skips them); they run in the default ``python -m pytest`` run.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: drives a program that installs or serves (seconds)")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throwaway project root (its marker file keeps layer paths counted from here)."""
    root = tmp_path / "proj"
    root.mkdir()
    return root
