"""Finding and reading the files ``flake8-ddd check`` looks at, safely.

- Only regular files are read. A named pipe, device or socket named on the command line is one
  E902; found by a directory walk, it is skipped with a note (opening a FIFO would wait forever
  for a writer; ``/dev/zero`` never ends).
- No file (nor standard input) is read past :data:`MAX_FILE_BYTES`: above it, one E902.
- A directory that cannot be listed is reported (E902 at its path), never skipped in silence.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from typing import BinaryIO, Callable, Iterable, Iterator, List, NamedTuple, Optional, Tuple

#: The largest file checked (16 MiB: ten times the largest hand-written module of CPython's
#: standard library; generated files beyond that are not worth a lint run's memory).
MAX_FILE_BYTES = 16 << 20
_CHUNK = 1 << 20


class NotReadable(Exception):
    """Why a file was not read; ``str()`` is the E902 message."""


def too_large() -> NotReadable:
    return NotReadable(f"the file is larger than {MAX_FILE_BYTES >> 20} MiB, the limit for one "
                       f"file; it was not checked")


def file_kind(mode: int) -> str:
    """``a named pipe``, ``a character device``, ... for a mode that is not a regular file's."""
    for test, kind in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "not a regular file"


def not_regular(mode: int) -> NotReadable:
    return NotReadable(f"OSError: not a regular file ({file_kind(mode)}); it was not read")


def read_file(path: str) -> bytes:
    """The bytes of the regular file ``path``, at most :data:`MAX_FILE_BYTES`; else NotReadable.

    The file is opened without blocking (a FIFO opens at once) and checked on the open
    descriptor, so a file swapped for a pipe between a walk and the read is still caught.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise NotReadable(f"{type(error).__name__}: {error.strerror or error}") from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise not_regular(status.st_mode)
        if status.st_size > MAX_FILE_BYTES:
            raise too_large()
        chunks: List[bytes] = []
        size = 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(descriptor, _CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise NotReadable(f"{type(error).__name__}: {error.strerror or error}") from None
    finally:
        os.close(descriptor)
    if size > MAX_FILE_BYTES:  # grew while being read
        raise too_large()
    return b"".join(chunks)


def read_head(path: str, limit: int = 1 << 16) -> bytes:
    """At most the first ``limit`` bytes of the regular file ``path`` (for the pin comment of
    its first lines); empty for anything else, never blocking."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError:
        return b""
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return b""
        return os.read(descriptor, limit)
    except OSError:
        return b""
    finally:
        os.close(descriptor)


def read_stream(stream: BinaryIO) -> bytes:
    """Standard input, at most :data:`MAX_FILE_BYTES`; NotReadable beyond."""
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise too_large()
    return data


class Found(NamedTuple):
    """What a walk found: files to check, directories it could not list (path, reason),
    entries it skipped because they are not regular files (path, kind) and the directories
    it listed."""

    files: List[str]
    unreadable: List[Tuple[str, str]]
    skipped: List[Tuple[str, str]]
    directories: List[str]


def walk(paths: Iterable[str], excluded: Callable[[str], bool],
         filename_patterns: Iterable[str]) -> Found:
    """flake8's file discovery: walk directories, prune excluded ones, keep ``*.py``.

    A path named on the command line is kept whatever its name (reading it reports what it
    is), unless it is excluded.
    """
    found = Found([], [], [], [])
    lists = {FILE: found.files, UNLISTABLE: found.unreadable, SKIPPED: found.skipped,
             DIRECTORY: found.directories}
    for kind, entry in walk_entries(paths, excluded, filename_patterns):
        lists[kind].append(entry)  # type: ignore[attr-defined]
    return found


def files_found(paths: Iterable[str], excluded: Callable[[str], bool],
                filename_patterns: Iterable[str]) -> Iterator[str]:
    """The files :func:`walk` finds, one at a time (a caller may stop early)."""
    return (entry for kind, entry in walk_entries(paths, excluded, filename_patterns)
            if kind == FILE)  # type: ignore[misc]


FILE, UNLISTABLE, SKIPPED, DIRECTORY = "file", "unlistable", "skipped", "directory"


def walk_entries(paths: Iterable[str], excluded: Callable[[str], bool],
                 filename_patterns: Iterable[str]) -> Iterator[Tuple[str, object]]:
    """What :func:`walk` finds, in order, as (kind, entry): a file's path, an unlistable or a
    skipped entry's (path, reason), a directory listed."""
    patterns = tuple(filename_patterns)
    unlistable: List[Tuple[str, str]] = []

    def note_unlistable(error: OSError) -> None:
        unlistable.append((error.filename or "?", f"{type(error).__name__}: cannot list "
                           f"the directory: {error.strerror or error}"))

    for arg in paths:
        if excluded(arg):
            continue
        if not os.path.isdir(arg):
            yield FILE, arg
            continue
        for root, directories, files in os.walk(arg, onerror=note_unlistable):
            while unlistable:
                yield UNLISTABLE, unlistable.pop(0)
            yield DIRECTORY, root
            directories[:] = sorted(d for d in directories if not excluded(os.path.join(root, d)))
            for name in sorted(files):
                joined = os.path.join(root, name)
                if excluded(joined) or not any(fnmatch.fnmatch(joined, p) for p in patterns):
                    continue
                kind = _irregular_kind(joined)
                if kind is None:
                    yield FILE, joined
                else:
                    yield SKIPPED, (joined, kind)
        while unlistable:
            yield UNLISTABLE, unlistable.pop(0)


def _irregular_kind(path: str) -> Optional[str]:
    """What the entry is when it is not a regular file (symlinks followed); None otherwise,
    and for an entry that cannot be looked at (reading it then reports why)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) else file_kind(mode)
