"""Facts about a directory remembered only while the directory is unchanged.

Layer resolution asks, for every file, whether each directory above it is a package
(``__init__.py``) or a project root (``pyproject.toml``, ``.git``, ...). A process that lives
long (an editor's language server, a daemon) must see a package or project file created after
it started, so an answer is kept together with the directory's status (inode, modification
and change times, size), which creating or removing an entry changes, and is recomputed when
that status differs.

File systems keep times with a coarse clock, so a change within the same tick would leave the
status as it was. As git does for its index ("racily clean" entries), an answer is remembered
only once the directory has been unchanged for :data:`SETTLE_NS`; until then it is recomputed
on every call.

**Moments.** Checking one file asks about the same directories many times (each directory
above it, each import's target), so within a *moment* a directory's status is read once, and
the answers of :func:`moment_memo` functions are kept. :func:`new_moment` starts one (the
layer resolution does for every file path it is asked about); :func:`one_moment` makes a whole
run one moment (``flake8-ddd check`` sees the tree as it was when the run began, as its result
cache and replay record do), :func:`moment_of` one flake8 run (the plugin: each run has a new
configuration object); anything else starts a fresh moment with each file it checks.
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, TypeVar

T = TypeVar("T")
SETTLE_NS = 2_000_000_000
MAX_ENTRIES = 8192
Stamp = Tuple[int, int, int, int]

_STATUSES: Dict[str, Optional[Stamp]] = {}
_MOMENT_MEMOS: List[Dict[Any, Any]] = []
_held = 0
#: Whose moment this is (:func:`moment_of`); None once anything else starts one.
_owner: Optional[object] = None


def new_moment() -> None:
    """Forget the directory statuses and moment answers (unless a run holds one moment)."""
    if not _held:
        _forget_moment()


def _forget_moment() -> None:
    global _owner
    _owner = None
    _STATUSES.clear()
    for memo in _MOMENT_MEMOS:
        memo.clear()


@contextlib.contextmanager
def one_moment() -> Iterator[None]:
    """Everything inside is one moment: the statuses read first are kept until it ends."""
    global _held
    _forget_moment()
    _held += 1
    try:
        yield
    finally:
        _held -= 1
        _forget_moment()


@contextlib.contextmanager
def moment_of(owner: object) -> Iterator[None]:
    """Inside, one moment per ``owner`` (the flake8 plugin passes its run's configuration):
    the statuses an earlier call for the same owner read are kept, unless another moment
    began meanwhile. A new flake8 run (a new configuration) starts afresh."""
    global _held, _owner
    if _owner is not owner:
        _forget_moment()
        _owner = owner
    _held += 1
    try:
        yield
    finally:
        _held -= 1


def status(directory: str) -> Optional[Stamp]:
    """The directory's status (inode, mtime, ctime, size) as read first in this moment; None
    when it cannot be read."""
    try:
        return _STATUSES[directory]
    except KeyError:
        pass
    try:
        found = os.stat(directory)
        stamp: Optional[Stamp] = (found.st_ino, found.st_mtime_ns, found.st_ctime_ns, found.st_size)
    except (OSError, ValueError):
        stamp = None
    if len(_STATUSES) >= MAX_ENTRIES:
        _STATUSES.clear()
    _STATUSES[directory] = stamp
    return stamp


def moment_memo(compute: Callable[..., T]) -> Callable[..., T]:
    """Decorate ``compute(*arguments)`` (a question about the file tree) with a memo that
    lasts for the current moment."""
    memo: Dict[Any, T] = {}
    _MOMENT_MEMOS.append(memo)

    @functools.wraps(compute)
    def remembered(*arguments: Any) -> T:
        try:
            return memo[arguments]
        except KeyError:
            pass
        value = compute(*arguments)
        if len(memo) >= MAX_ENTRIES:
            memo.clear()
        memo[arguments] = value
        return value

    remembered.cache_clear = memo.clear  # type: ignore[attr-defined]
    return remembered


def directory_memo(compute: Callable[[str], T]) -> Callable[[str], T]:
    """Decorate ``compute(directory)`` with a memo keyed on the directory's status."""
    memo: Dict[str, Tuple[Stamp, T]] = {}

    @functools.wraps(compute)
    def remembered(directory: str) -> T:
        stamp = status(directory)
        if stamp is None:
            return compute(directory)
        known = memo.get(directory)
        if known is not None and known[0] == stamp:
            return known[1]
        value = compute(directory)
        if time.time_ns() - max(stamp[1], stamp[2]) > SETTLE_NS:
            if len(memo) >= MAX_ENTRIES:
                memo.clear()
            memo[directory] = (stamp, value)
        return value

    remembered.cache_clear = memo.clear  # type: ignore[attr-defined]
    return remembered
