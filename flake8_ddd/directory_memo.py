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
"""

from __future__ import annotations

import functools
import os
import time
from typing import Callable, Dict, Tuple, TypeVar

T = TypeVar("T")
SETTLE_NS = 2_000_000_000
MAX_ENTRIES = 8192


def directory_memo(compute: Callable[[str], T]) -> Callable[[str], T]:
    """Decorate ``compute(directory)`` with a memo keyed on the directory's status."""
    memo: Dict[str, Tuple[Tuple[int, int, int, int], T]] = {}

    @functools.wraps(compute)
    def remembered(directory: str) -> T:
        try:
            status = os.stat(directory)
        except OSError:
            return compute(directory)
        stamp = (status.st_ino, status.st_mtime_ns, status.st_ctime_ns, status.st_size)
        known = memo.get(directory)
        if known is not None and known[0] == stamp:
            return known[1]
        value = compute(directory)
        if time.time_ns() - max(status.st_mtime_ns, status.st_ctime_ns) > SETTLE_NS:
            if len(memo) >= MAX_ENTRIES:
                memo.clear()
            memo[directory] = (stamp, value)
        return value

    remembered.cache_clear = memo.clear  # type: ignore[attr-defined]
    return remembered
