"""Where a feature's tests may live, for DDD605: in the feature, or in a central tests tree.

A central tests tree is a ``tests/`` (or ``test/``) directory in the application package or in
any directory above it up to the project root (the directory holding the top-level package).
It holds tests of a feature when, at most three directories deep, it has a directory named
after the feature (``tests/billing/``, ``tests/unit/billing/``, ``tests/api/v1/billing/``), or
a test module named after it (``test_billing.py``, ``test_billing_service.py``,
``billing_test.py``), as projects with a flat ``tests/unit/`` do.
"""

from __future__ import annotations

import os
from typing import Iterator, List

TEST_DIRECTORIES = ("tests", "test")
PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", "tox.ini", ".flake8", ".git")
#: How many directories below ``tests/`` a feature's directory or test module may sit.
MAX_DEPTH = 3


def has_own_tests(directory: str) -> bool:
    """Whether the feature package ``directory`` holds a ``tests/`` or ``test/`` directory."""
    return any(os.path.isdir(os.path.join(directory, name)) for name in TEST_DIRECTORIES)


def _is_project_root(directory: str) -> bool:
    return any(os.path.exists(os.path.join(directory, marker)) for marker in PROJECT_MARKERS)


def _tests_in(directory: str) -> Iterator[str]:
    for name in TEST_DIRECTORIES:
        candidate = os.path.join(directory, name)
        if os.path.isdir(candidate):
            yield candidate


def _tests_roots(feature_directory: str) -> Iterator[str]:
    """``tests/`` directories from the feature's parent up to the project root: the first
    directory holding a project marker, or the directory above the top-level package (the
    first directory without an ``__init__.py``, which may itself be a namespace package)."""
    directory = os.path.dirname(feature_directory)
    while True:
        yield from _tests_in(directory)
        parent = os.path.dirname(directory)
        if _is_project_root(directory) or parent == directory:
            return
        if not os.path.isfile(os.path.join(directory, "__init__.py")):
            yield from _tests_in(parent)
            return
        directory = parent


def _names_feature(entry_name: str, is_dir: bool, feature: str) -> bool:
    if is_dir:
        return entry_name == feature
    if not entry_name.endswith(".py"):
        return False
    stem = entry_name[:-3]
    return (stem == f"test_{feature}" or stem.startswith(f"test_{feature}_")
            or stem == f"{feature}_test")


def _tree_has_feature(root: str, feature: str) -> bool:
    level: List[str] = [root]
    for _ in range(MAX_DEPTH):
        following: List[str] = []
        for directory in level:
            with os.scandir(directory) as entries:
                for entry in entries:
                    is_dir = entry.is_dir()
                    if _names_feature(entry.name, is_dir, feature):
                        return True
                    if is_dir and not entry.name.startswith((".", "__")):
                        following.append(entry.path)
        level = following
    return False


def has_central_tests(feature_directory: str) -> bool:
    """Whether a central tests tree holds a directory or test module named after the feature."""
    feature = os.path.basename(feature_directory)
    return any(_tree_has_feature(root, feature) for root in _tests_roots(feature_directory))
