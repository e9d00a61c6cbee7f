"""``--exhaustive`` runs the tests marked ``exhaustive`` (CI does on its main interpreter); without
it they are skipped, and the default run keeps their sampled counterparts."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--exhaustive", action="store_true",
                     help="run the exhaustive sweeps (tests marked exhaustive) too")


def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    if config.getoption("--exhaustive"):
        return
    skip = pytest.mark.skip(reason="exhaustive sweep: run with --exhaustive (CI does)")
    for item in items:
        if item.get_closest_marker("exhaustive"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _no_replay(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test sees full runs of ``check`` (in this process and in the programs it starts):
    a run that settled long enough could otherwise replay an earlier one. tests/test_replay.py
    turns replaying back on."""
    monkeypatch.setenv("FLAKE8_DDD_NO_REPLAY", "1")
