"""From a file path to its module path, and which dotted names are modules of the project.

A file's module path starts at the directory its top-level package sits in. The top-level
package is found through ``__init__.py`` files and, inside a project (a directory holding
``pyproject.toml``, ``setup.cfg``, ``setup.py``, ``tox.ini``, ``.flake8`` or ``.git`` and is not
itself a package), also
across directories without one:

- ``app/`` without ``__init__.py`` directly in the project root, with packages below it, is a
  namespace application package: ``app/user/crud.py`` is ``app.user.crud``;
- a directory without ``__init__.py`` between packages is a namespace portion of the package
  above it (Dispatch's ``dispatch/data/source/status/views.py`` is
  ``dispatch.data.source.status.views``);
- ``src/`` directly in the project root is never a package (the "src layout").

Outside any project, only an unbroken chain of ``__init__.py`` files counts, and a file outside
packages counts from the current directory (or its own directory). Directories above the
project never count: a checkout under ``/home/me/services/`` is not the services layer.
"""

from __future__ import annotations

import os
from typing import Optional, Tuple

from flake8_ddd.directory_memo import directory_memo, moment_memo

PROJECT_ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", "tox.ini", ".flake8", ".git")
#: Directories directly in a project root that hold packages but are not one.
SOURCE_DIRECTORIES = frozenset({"src", "lib"})


# Memos of what a directory holds are keyed on the directory's status (directory_memo), so a
# long-lived process (an editor's server) sees a new __init__.py or pyproject.toml (issue 10).
@directory_memo
def is_package_dir(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "__init__.py"))


@directory_memo
def is_project_root(directory: str) -> bool:
    """A directory with a project marker that is not itself a package (a ``setup.py`` module
    inside a package does not make a project: Polar's ``collectors/setup.py``)."""
    return not is_package_dir(directory) and any(
        os.path.exists(os.path.join(directory, m)) for m in PROJECT_ROOT_MARKERS)


def project_root(directory: str) -> Optional[str]:
    """The nearest directory at or above ``directory`` that holds a project marker."""
    current = directory
    while True:
        if is_project_root(current):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


@moment_memo
def module_root(directory: str) -> Optional[str]:
    """The directory module paths are counted from, for a file in ``directory``; None when
    neither a package nor a project says it."""
    project = project_root(directory)
    top = None
    current = directory
    while True:
        if is_package_dir(current):
            top = current
        elif project is None and top is not None:
            break  # outside a project only an unbroken chain of packages counts
        parent = os.path.dirname(current)
        if current == project or parent == current:
            break
        current = parent
    if top is None:
        return project
    root = os.path.dirname(top)
    if (project is not None and root != project and os.path.dirname(root) == project
            and os.path.basename(root) not in SOURCE_DIRECTORIES):
        return project  # ``app/`` beside ``pyproject.toml``: a namespace application package
    return root


def split_module_path(filename: str, cwd: str) -> Tuple[Tuple[str, ...], Optional[str]]:
    """(module path segments, the directory they count from when known) of a file path."""
    absolute = os.path.normpath(os.path.join(cwd, filename))
    directory, base = os.path.split(absolute)
    stem = base[:-3] if base.endswith(".py") else (base[:-4] if base.endswith(".pyi") else base)
    dirs, known = _directory_parts(directory, cwd)
    return dirs + (stem,), known


@moment_memo
def _directory_parts(directory: str, cwd: str) -> Tuple[Tuple[str, ...], Optional[str]]:
    """The module path segments of the files in ``directory``, but their own name, and the
    directory they count from when known."""
    root = module_root(directory)
    known = root
    if root is None:
        root = cwd if is_within(directory + os.sep, cwd) else os.path.dirname(directory)
    relative_dir = _below(directory, root)
    dirs = () if relative_dir == "." else tuple(relative_dir.split(os.sep))
    return tuple(d for d in dirs if d and d != ".."), known


def _below(directory: str, root: str) -> str:
    """``os.path.relpath(directory, root)``, cut as a string when ``root`` begins the
    normalized ``directory`` (the usual case; relpath normalizes both, most of its cost)."""
    top = root.rstrip(os.sep) + os.sep
    if (directory.startswith(top) and len(directory) > len(top)
            and os.path.normpath(directory) == directory):
        return directory[len(top):]
    return os.path.relpath(directory, root)


def is_within(path: str, directory: str) -> bool:
    return path.startswith(directory.rstrip(os.sep) + os.sep)


@moment_memo
def project_module_kind(root: Optional[str], dotted: str) -> Optional[str]:
    """``"package"`` (a directory, with or without ``__init__.py``), ``"module"`` (a ``.py``
    or ``.pyi`` file) or None (neither, or no known root) for a dotted name below ``root``."""
    if not root or not dotted:
        return None
    base = os.path.join(root, *dotted.split("."))
    try:
        if os.path.isdir(base):
            return "package"
        if os.path.isfile(base + ".py") or os.path.isfile(base + ".pyi"):
            return "module"
    except (OSError, ValueError):  # ValueError: NUL in a path
        return None
    return None
