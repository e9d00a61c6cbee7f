"""The result cache on disk: where it lives, how its files are written, read back and removed.

The cache directory is ``.flake8_ddd_cache/`` next to the configuration file (or in the current
directory when there is none); the environment variable ``FLAKE8_DDD_CACHE_DIR`` names another
one. flake8-ddd writes there only files it can recognise again by name *and* content:

- ``CACHEDIR.TAG`` and ``.gitignore``, and only in a directory it created itself (a directory
  that already existed, say a shared one, is never tagged, so backup tools keep backing it up);
- ``<version>/<32 hex digits>.json``, one per run key, beginning ``{"format":1,"version":...,
  "key":"<the same 32 digits>"`` (in a directory it created, the name alone is enough, so a
  corrupt one is removed too); ``index-<hex>.json``, the project index, and
  ``replay-<16 hex>.json``, the record of a run that may be replayed (:mod:`flake8_ddd.replay`),
  likewise; and ``.tmp-*`` files while one is being written.

``flake8-ddd clean`` removes those files and nothing else, then the directories that are left
empty, the cache directory itself only when flake8-ddd created it (its ``CACHEDIR.TAG`` says so).

Reading never trusts the file: anything that is not exactly the shape written (a truncated
file, a list 100,000 levels deep, an object where a list belongs, a line number of 10**30, a
message that is not a string) is a miss, never an error and never a finding.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from flake8_ddd import collector

from flake8_ddd.cache_names import CACHE_DIR_NAME, ENV_CACHE_DIR

CACHEDIR_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by flake8-ddd.\n"
                "# For information about cache directory tags see https://bford.info/cachedir/\n")
GITIGNORE = "# Created by flake8-ddd.\n*\n"
FORMAT = 1
TEMPORARY_PREFIX = ".tmp-"
RUN_FILE = re.compile(r"[0-9a-f]{32}\.json")
#: The project index (:mod:`flake8_ddd.project_store`), in the cache directory itself.
INDEX_FILE = re.compile(r"index-[0-9a-f]{8,64}\.json")
#: The record of a run that may be replayed (:mod:`flake8_ddd.replay`), in the cache directory.
REPLAY_FILE = re.compile(r"replay-[0-9a-f]{16}\.json")
VERSION_DIRECTORY = re.compile(r"[0-9][0-9A-Za-z.+!-]*")
CODE = re.compile(r"[A-Z]{1,5}[0-9]{1,5}")

#: One cached finding: line, column, code, text, source line (the path is the entry's).
Row = Tuple[int, int, str, str, str]


# --- where ---------------------------------------------------------------------------------------

def cache_root(config_source: Optional[str], cwd: Optional[str] = None) -> str:
    """The cache directory: ``FLAKE8_DDD_CACHE_DIR``, else ``.flake8_ddd_cache`` next to the
    configuration file, else in ``cwd``."""
    override = os.environ.get(ENV_CACHE_DIR)
    if override:
        return os.path.abspath(override)
    base = os.path.dirname(os.path.abspath(config_source)) if config_source else (cwd or os.getcwd())
    return os.path.join(os.path.abspath(base), CACHE_DIR_NAME)


# --- writing -------------------------------------------------------------------------------------

def write_atomic(path: str, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``."""
    import tempfile  # only when something is written: a replayed or cached run does not

    handle, temporary = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, dir=os.path.dirname(path))
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def prepare(root: str) -> None:
    """Create the cache directory; tag it (and keep it out of git) only when it is new."""
    if os.path.isdir(root):
        return
    os.makedirs(root)
    for name, text in (("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", GITIGNORE)):
        write_atomic(os.path.join(root, name), text)


def run_document(version: str, key: str, entries: Dict[str, Any]) -> str:
    return json.dumps({"format": FORMAT, "version": version, "key": key, "entries": entries},
                      separators=(",", ":"))


# --- reading -------------------------------------------------------------------------------------

def parse_json(data: bytes) -> Any:
    """``json.loads`` with the cyclic collector paused: a large document is many small
    containers, none in a cycle, and each burst of them made the collector walk the whole heap
    again (0.10 of 0.12 s reading the result cache of 16,667 files at the end of a run)."""
    with collector.paused():
        return json.loads(data)


def load_entries(path: str) -> Dict[str, Any]:
    """The entries of a run file; ``{}`` for anything but a well-formed one (never raises,
    never blocks: a named pipe in its place is no run file)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return {}
    try:
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return {}
            document = parse_json(handle.read())
    except (OSError, ValueError, RecursionError, MemoryError):
        return {}
    if (not isinstance(document, dict) or document.get("format") != FORMAT
            or not isinstance(document.get("entries"), dict)):
        return {}
    return document["entries"]


def valid_rows(entry: Any, key: str, data: bytes) -> Optional[List[Row]]:
    """The rows of a stored entry for the file ``data`` under ``key``, or None (a miss) when
    the entry is for another key or anything in it has not the shape and range written."""
    if not (isinstance(entry, list) and len(entry) == 2 and entry[0] == key
            and isinstance(entry[1], list)):
        return None
    last_line = data.count(b"\n") + 1
    rows: List[Row] = []
    for row in entry[1]:
        if not (isinstance(row, list) and len(row) == 5):
            return None
        line, col, code, text, source = row
        if type(line) is not int or type(col) is not int:  # a bool is no line number
            return None
        if not (1 <= line <= last_line and 0 <= col <= len(data)):
            return None
        if not (isinstance(code, str) and CODE.fullmatch(code)
                and isinstance(text, str) and isinstance(source, str)):
            return None
        rows.append((line, col, code, text, source))
    return rows


# --- cleaning ------------------------------------------------------------------------------------

class Cleaned(NamedTuple):
    #: Files removed (paths relative to the root, ``/``-separated).
    removed: List[str]
    #: Entries left in place because flake8-ddd did not write them (paths relative to the root).
    kept: List[str]
    root_removed: bool


def _text_is(path: str, expected: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(expected) + 1) == expected.encode("utf-8")
    except OSError:
        return False


def _starts_run_file(path: str, key: Optional[str]) -> bool:
    """Whether the file begins as flake8-ddd writes a run file (for ``key``, if given)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(200)
    except OSError:
        return False
    pattern = rb'\{"format":[0-9]+,"version":"[^"\\]*","key":"' + (key or "").encode("ascii")
    return re.match(pattern, head) is not None


def _begins(path: str, prefix: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(prefix)) == prefix
    except OSError:
        return False


def _is_temporary_of_ours(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(200)
    except OSError:
        return False
    if not head or head.startswith(b'{"format":'):
        return True
    return any(text.encode("utf-8").startswith(head) for text in (CACHEDIR_TAG, GITIGNORE))


def _ours_in_root(root: str, name: str, tagged: bool) -> bool:
    path = os.path.join(root, name)
    if not os.path.isfile(path) or os.path.islink(path):
        return False
    if INDEX_FILE.fullmatch(name) or REPLAY_FILE.fullmatch(name):
        return tagged or _begins(path, b'{"format":')
    if name == "CACHEDIR.TAG":
        return _text_is(path, CACHEDIR_TAG)
    if name == ".gitignore":
        return _text_is(path, GITIGNORE)
    return name.startswith(TEMPORARY_PREFIX) and _is_temporary_of_ours(path)


def _ours_in_version(directory: str, name: str, tagged: bool) -> bool:
    """A run file or temporary file of ours; in a directory flake8-ddd created (``tagged``) a
    run file is known by its name alone, so that a corrupt one goes too."""
    path = os.path.join(directory, name)
    if not os.path.isfile(path) or os.path.islink(path):
        return False
    if RUN_FILE.fullmatch(name):
        return tagged or _starts_run_file(path, name[:-len(".json")])
    return name.startswith(TEMPORARY_PREFIX) and _is_temporary_of_ours(path)


def clean(root: str) -> Cleaned:
    """Remove what flake8-ddd wrote in ``root``; see the module docstring."""
    removed: List[str] = []
    kept: List[str] = []
    created_by_us = _text_is(os.path.join(root, "CACHEDIR.TAG"), CACHEDIR_TAG)
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name)
        if _ours_in_root(root, name, created_by_us):
            if name != "CACHEDIR.TAG":  # the tag goes last: it says the directory is ours
                os.unlink(path)
                removed.append(name)
            continue
        if VERSION_DIRECTORY.fullmatch(name) and os.path.isdir(path) and not os.path.islink(path):
            for child in sorted(os.listdir(path)):
                if _ours_in_version(path, child, created_by_us):
                    os.unlink(os.path.join(path, child))
                    removed.append(f"{name}/{child}")
                else:
                    kept.append(f"{name}/{child}")
            if not os.listdir(path):
                os.rmdir(path)
            continue
        kept.append(name)
    root_removed = False
    if created_by_us and not kept:
        os.unlink(os.path.join(root, "CACHEDIR.TAG"))
        removed.append("CACHEDIR.TAG")
        os.rmdir(root)
        root_removed = True
    return Cleaned(removed, kept, root_removed)


def clean_command(config_source: Optional[str], cwd: str, output_format: str = "text") -> int:
    """``flake8-ddd clean``: remove what flake8-ddd wrote in the cache ``check`` would use;
    ``json`` prints :func:`cleaned_json` on standard output instead of the lines on stderr."""
    root = cache_root(config_source, cwd)
    result = Cleaned([], [], False)
    if os.path.isdir(root):
        try:
            result = clean(root)
        except OSError as error:
            print(f"flake8-ddd: {error.strerror or error}: {error.filename or root}", file=sys.stderr)
            return 2
    if output_format == "json":
        print(json.dumps(cleaned_json(root, result), indent=2))
    elif result.root_removed:
        print(f"flake8-ddd: removed {root}", file=sys.stderr)
    elif os.path.isdir(root):
        print(f"flake8-ddd: removed {len(result.removed)} cache file(s) from {root}", file=sys.stderr)
        if result.kept:
            shown = ", ".join(result.kept[:5]) + (", ..." if len(result.kept) > 5 else "")
            print(f"flake8-ddd: kept {len(result.kept)} entr{'y' if len(result.kept) == 1 else 'ies'} "
                  f"flake8-ddd did not write: {shown}", file=sys.stderr)
    return 0


def cleaned_json(root: str, result: Cleaned) -> Dict[str, object]:
    """The keys of ``clean --output-format json``: ``directory`` (the cache directory),
    ``removed`` and ``kept`` (files, relative to it) and ``removed_directory``."""
    return {"directory": root, "removed": result.removed, "kept": result.kept,
            "removed_directory": result.root_removed}
