"""Replaying ``flake8-ddd check`` when nothing its output depends on has changed.

A run that may be replayed leaves a record in the cache directory, ``replay-<16 hex>.json``,
for its **key**: the command-line arguments, the current directory, the Python interpreter,
its version and ``sys.path``, flake8-ddd's version, the home directory and the ``FLAKE8_DDD_*``
environment. The record holds the run's standard output, standard error and exit status, and
the status (``os.stat``: mtime, ctime, size, inode) of every path the output depends on
(:meth:`Recorder.watch`):

- the files checked and the directories the walk listed (a file added or removed there changes
  the directory), each checked file's directory, its parent and its subdirectories (the rules
  that look around a file);
- the files and directories of every project index the run used;
- in the current directory, in the directories of the paths given, of the project roots, and in
  every directory above them: the configuration files (``pyproject.toml``, ``setup.cfg``,
  ``tox.ini``, ``.flake8``), and whether ``.git``, ``setup.py``, ``__init__.py``, ``tests``
  and ``test`` exist there (project markers and packages decide layers and module paths);
- the configuration, baseline and pattern-rules files named;
- the modules of the ``flake8_ddd`` package and of every rule, and the ``sys.path``
  directories (installing or removing a rule package changes one).

Directories no walk enters (hidden ones, ``build``, ``dist``, virtual environments, excluded
ones) are watched only as entries of their parent: a module that appears deep inside one is
not noticed until something watched changes.

The next run with the same key stats those paths: when every status is as recorded it writes
the recorded output and exits with the recorded status, without importing the configuration,
the engine or the rules; otherwise it runs as usual. Every change to a file changes its ctime
(which, unlike the mtime, cannot be set back), so equal statuses mean unchanged paths. A run
records only when every path it watched last changed at least :data:`SETTLED_NS` before the run
began, so that a file written during the run, or twice within one timestamp tick, is never
taken as unchanged: the next run records instead.

Not recorded: ``--no-cache``, standard input, ``--add-noqa``, ``--write-baseline``,
``--new-since``, ``map``, a run with a directory it could not list or a file it could not read
for a reason other than its content, size or kind (:data:`LASTING_READ_ERRORS`: a permission
or I/O error may pass), and on platforms where ctime is not the change time (Windows). Setting
the environment variable ``FLAKE8_DDD_NO_REPLAY`` (to anything but the empty string) turns
replaying off. The record is written atomically and read without trust: anything not exactly
of the shape written is no record.
"""

from __future__ import annotations

import json
import os
import sys
import zlib
from typing import Any, Dict, Iterable, List, Optional, Sequence

from flake8_ddd import __version__
from flake8_ddd.cache_names import CACHE_DIR_NAME, ENV_CACHE_DIR
from flake8_ddd.source_files import NotReadable, read_file

FORMAT = 1
FILE_PREFIX = "replay-"
#: How long before the run every watched path must have last changed for the run to record.
SETTLED_NS = 2_000_000_000
CONFIG_FILE_NAMES = ("pyproject.toml", "setup.cfg", "tox.ini", ".flake8")
#: Entries whose existence (not content) decides layers, module paths and the tests rules.
MARKER_NAMES = (".git", "setup.py", "__init__.py", "tests", "test")
SUPPORTED = os.name == "posix"
#: E902 texts that only a change of the file can change (its bytes, its size, what it is);
#: any other (permissions, I/O errors, too many open files) keeps a run from recording.
LASTING_READ_ERRORS = ("ValueError:", "SyntaxError:", "UnicodeDecodeError:", "LookupError:",
                       "the file is larger than", "OSError: not a regular file")
ENV_NO_REPLAY = "FLAKE8_DDD_NO_REPLAY"


def enabled() -> bool:
    return SUPPORTED and not os.environ.get(ENV_NO_REPLAY)


def replay_key(argv: Sequence[str], cwd: str) -> str:
    environment = sorted((k, v) for k, v in os.environ.items() if k.startswith("FLAKE8_DDD"))
    return json.dumps([FORMAT, __version__, list(argv), cwd, sys.executable, sys.version,
                       sys.path, os.path.expanduser("~"), environment])


def file_name(key: str) -> str:
    encoded = key.encode("utf-8", "surrogateescape")
    return f"{FILE_PREFIX}{zlib.crc32(encoded):08x}{zlib.adler32(encoded):08x}.json"


def _status(path: str) -> Optional[List[int]]:
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return None
    return [found.st_mtime_ns, found.st_ctime_ns, found.st_size, found.st_ino]


def _kind(path: str) -> str:
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return "-"
    return "d" if (mode & 0o170000) == 0o040000 else "f"


# --- replaying ------------------------------------------------------------------------------

def _record_paths(key: str, cwd: str) -> Iterable[str]:
    """Where the record may be: the cache directory ``check`` would use is next to the
    configuration file, which is in the current directory or above it."""
    name = file_name(key)
    override = os.environ.get(ENV_CACHE_DIR)
    if override:
        yield os.path.join(os.path.abspath(override), name)
        return
    home = os.path.expanduser("~")
    directory = cwd
    while True:
        yield os.path.join(directory, CACHE_DIR_NAME, name)
        parent = os.path.dirname(directory)
        if parent == directory or directory == home:
            return
        directory = parent


def _load(key: str, cwd: str) -> Optional[Dict[str, Any]]:
    for path in _record_paths(key, cwd):
        if not os.path.lexists(path):
            continue
        try:
            record = json.loads(read_file(path))
        except (OSError, NotReadable, ValueError, RecursionError):
            return None
        return record if _well_formed(record, key) else None
    return None


def _well_formed(record: Any, key: str) -> bool:
    return (isinstance(record, dict) and record.get("format") == FORMAT
            and record.get("key") == key
            and isinstance(record.get("stdout"), str) and isinstance(record.get("stderr"), str)
            and record.get("status") in (0, 1)
            and isinstance(record.get("statuses"), list) and isinstance(record.get("kinds"), list))


def _unchanged(record: Dict[str, Any]) -> bool:
    try:
        for path, expected in record["statuses"]:
            if _status(path) != expected:
                return False
        for path, expected in record["kinds"]:
            if _kind(path) != expected:
                return False
    except (TypeError, ValueError):  # a malformed entry
        return False
    return True


def replay(argv: Sequence[str]) -> Optional[int]:
    """The exit status of a replayed ``check``, its output written; None when there is no
    record for these arguments or something it watched has changed."""
    if not enabled() or not argv or argv[0] != "check":
        return None
    try:
        cwd = os.getcwd()
    except OSError:
        return None
    key = replay_key(argv, cwd)
    record = _load(key, cwd)
    if record is None or not _unchanged(record):
        return None
    sys.stdout.write(record["stdout"])
    sys.stdout.flush()
    sys.stderr.write(record["stderr"])
    sys.stderr.flush()
    return int(record["status"])


# --- recording ------------------------------------------------------------------------------

class Recorder:
    """Collects what a run of ``check`` watched, then writes its record (:meth:`save`)."""

    def __init__(self, argv: Sequence[str], started_ns: int, cwd: str) -> None:
        self.key = replay_key(argv, cwd)
        self.started_ns = started_ns
        self.watched: Dict[str, None] = {}
        self.markers_above: Dict[str, None] = {}
        self.errors = False
        self.stderr: List[str] = []

    def watch(self, paths: Iterable[str]) -> None:
        for path in paths:
            self.watched[os.path.abspath(path)] = None

    def watch_surroundings(self, files: Iterable[str]) -> None:
        """Each file's directory, its parent and its subdirectories."""
        directories = {os.path.dirname(os.path.abspath(path)) for path in files}
        for directory in directories:
            self.watched[directory] = None
            self.watched[os.path.dirname(directory)] = None
            try:
                with os.scandir(directory) as entries:
                    for entry in entries:
                        if entry.is_dir():
                            self.watched[entry.path] = None
            except OSError:
                self.errors = True

    def watch_above(self, directories: Iterable[str]) -> None:
        """Configuration files and markers in ``directories`` and every directory above."""
        for directory in directories:
            current = os.path.abspath(directory)
            while current not in self.markers_above:
                self.markers_above[current] = None
                parent = os.path.dirname(current)
                if parent == current:
                    break
                current = parent

    def save(self, cache_directory: str, stdout: str, status: int) -> bool:
        """Write the record, unless something watched changed too recently (or during the run)."""
        if not enabled() or self.errors or status not in (0, 1):
            return False
        cache_directory = os.path.abspath(cache_directory)
        inside_cache = cache_directory + os.sep
        watched = [path for path in self.watched
                   if path != cache_directory and not path.startswith(inside_cache)]
        watched += [os.path.join(directory, name) for directory in self.markers_above
                    for name in CONFIG_FILE_NAMES]
        statuses = []
        for path in watched:
            found = _status(path)
            if found is not None and max(found[0], found[1]) >= self.started_ns - SETTLED_NS:
                return False
            statuses.append([path, found])
        markers = [os.path.join(directory, name) for directory in self.markers_above
                   for name in MARKER_NAMES]
        kinds = [[path, _kind(path)] for path in markers]
        record = {"format": FORMAT, "key": self.key, "stdout": stdout,
                  "stderr": "".join(self.stderr), "status": status,
                  "statuses": statuses, "kinds": kinds}
        from flake8_ddd.cache_store import prepare, write_atomic

        try:
            prepare(cache_directory)
            write_atomic(os.path.join(cache_directory, file_name(self.key)),
                         json.dumps(record, separators=(",", ":")))
        except (OSError, ValueError):
            return False
        return True


class TeeStream:
    """A text stream that writes through to ``stream`` and keeps what was written in ``kept``."""

    def __init__(self, stream: Any, kept: List[str]) -> None:
        self.stream = stream
        self.kept = kept

    def write(self, text: str) -> int:
        self.kept.append(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)
