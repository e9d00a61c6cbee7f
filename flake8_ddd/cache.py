"""The result cache of ``flake8-ddd check``, in the manner of ruff's.

What a file's findings depend on, and so what the cache key holds:

- the **run key** (one cache file per run key): the package version, the Python version and
  implementation, a fingerprint of every registered rule's module (file size and mtime, so an
  edited rule or a third-party rule package upgrade invalidates too), the effective
  configuration (:class:`~flake8_ddd.options.Config`: option values, layer mapping, selected
  codes, pattern rules, plus the ast-grep version when pattern rules are declared), the
  select/ignore/per-file-ignores decision (:class:`~flake8_ddd.flake8_compat.FileSelections`) and
  the current directory (paths are shown, and globs matched, relative to it);
- the **file key** (one entry per shown path): a hash of the file's bytes and its module path
  as the layer resolution sees it (``app.orders.crud.order``, which depends on the
  ``__init__.py`` files and the project markers around the file, not only on its content).

Findings are cached after select/ignore and ``# noqa``, exactly as they are shown. A rule whose
findings depend on files other than the one checked says so (``Rule.reads_other_files``; such a
rule looks at the file's directory, as the feature-tests rule looks for a ``tests/``); when one
is on, every file's key also holds the names of the entries of its directory and of their
subdirectories and whether the parent is a package. Every file's key holds the project index's
digest of the facts of other modules its findings may depend on (:meth:`ProjectIndex.digest
<flake8_ddd.project_index.ProjectIndex.digest>`: HTTPException subclasses, ORM classes,
request-body schemas it imports or inherits), so an edit to ``exceptions.py`` re-checks the
services that raise its classes, and only them.

This module is a plain store: :mod:`flake8_ddd.runner` computes the keys' inputs, asks for
cached findings, checks the misses and records them; nothing here checks a file.

Where the cache lives, which files it writes there, how ``clean`` recognises them and how an
entry is validated when read: :mod:`flake8_ddd.cache_store`. A run loads its file once, checks
the files that missed, and writes the file back only when something changed: to a temporary
file in the same directory, then ``os.replace``, after merging what a concurrent run may have
written meanwhile, so readers always see a whole file. An unreadable, corrupt or foreign file,
or an entry of any other shape, type or range than written, is a miss, never an error.
"""

from __future__ import annotations

import enum
import json
import os
import sys
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple, Type

from flake8_ddd import __version__
from flake8_ddd.cache_store import (
    FORMAT, load_entries, prepare, run_document, valid_rows, write_atomic)
from flake8_ddd.diagnostics import Reported
from flake8_ddd.hashes import blake2b, sha256
from flake8_ddd.layers import module_parts_of_path
from flake8_ddd.project_store import project_digest

if TYPE_CHECKING:  # pragma: no cover
    from flake8_ddd.rule import Rule


#: One cached finding: line, column, code, text, source line (the path is the entry's).
Row = Tuple[int, int, str, str, str]
#: What a check hands back for the cache: shown path, file key, rows (None: served from cache).
Entry = Tuple[str, str, Optional[List[Row]]]


# --- keys --------------------------------------------------------------------------------------

def canonical(value: Any) -> Any:
    """A JSON-able, order-stable picture of a configuration value (sets sorted, enums by value).

    Anything unknown falls back to ``repr``: at worst a needless miss, never a wrong hit.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return canonical(value.value)
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # NamedTuple
        return {"__class__": type(value).__name__,
                **{name: canonical(getattr(value, name)) for name in value._fields}}
    if isinstance(value, Mapping):
        return sorted(([canonical(k), canonical(v)] for k, v in value.items()), key=_json)
    if isinstance(value, (set, frozenset)):
        return sorted((canonical(v) for v in value), key=_json)
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return {"__class__": type(value).__name__,
                **{k: canonical(v) for k, v in sorted(vars(value).items()) if not k.startswith("_")}}
    return repr(value)


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def tool_files(all_rules: Sequence[Type[Rule]]) -> List[str]:
    """The source files that decide findings, sorted: the whole ``flake8_ddd`` package and the
    module of each registered rule (third-party ones too), whatever this process imported."""
    files = set()
    package = os.path.dirname(os.path.abspath(sys.modules["flake8_ddd"].__file__ or ""))
    for directory, subdirectories, names in os.walk(package):
        subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
        files.update(os.path.join(directory, name) for name in names if name.endswith(".py"))
    for rule in all_rules:
        path = getattr(sys.modules.get(rule.__module__), "__file__", None)
        if path:
            files.add(os.path.abspath(path))
    return sorted(files)


def _rules_fingerprint(all_rules: Sequence[Type[Rule]]) -> List[Any]:
    """Every rule, and the size and mtime of every file of :func:`tool_files`, so that every
    process of a project agrees on the key."""
    package = os.path.dirname(os.path.abspath(sys.modules["flake8_ddd"].__file__ or ""))
    rules = [[rule.code, f"{rule.__module__}.{rule.__qualname__}"] for rule in all_rules]
    found = []
    for path in tool_files(all_rules):
        try:
            stat = os.stat(path)
            found.append([os.path.relpath(path, package), stat.st_size, stat.st_mtime_ns])
        except OSError:
            found.append([path, None, None])
    return [rules, found]


def run_key(config: Any, selections: Any, rules: Sequence[Type[Rule]],
            cwd: Optional[str] = None) -> str:
    """The hash of everything besides the file itself that decides what a run shows: the
    :class:`~flake8_ddd.options.Config`, the select/ignore decision
    (:class:`~flake8_ddd.flake8_compat.FileSelections`) and every registered rule."""
    parts: Dict[str, Any] = {
        "format": FORMAT,
        "version": __version__,
        "python": [sys.implementation.name, list(sys.version_info[:3])],
        "rules": _rules_fingerprint(rules),
        "config": canonical(config),
        "selections": canonical(selections),
        "cwd": os.path.abspath(cwd or os.getcwd()),
    }
    if config.pattern_rules:
        from importlib.metadata import PackageNotFoundError, version

        try:
            parts["ast_grep"] = version("ast-grep-py")
        except (PackageNotFoundError, ValueError):  # pragma: no cover - only a needless miss
            parts["ast_grep"] = None
    return sha256(_json(parts).encode("utf-8")).hexdigest()[:32]


def file_key(path: str, data: bytes, extra: str = "",
             parts: Optional[Tuple[str, ...]] = None) -> str:
    """Hash of the file's bytes, of the module path its layer is resolved from (``parts``, when
    the caller has them), and ``extra``."""
    digest = blake2b(data, digest_size=16)
    parts = _module_parts(path) if parts is None else parts
    digest.update(b"\0" + ".".join(parts).encode("utf-8", "surrogateescape"))
    if extra:
        digest.update(b"\0" + extra.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


_DIRECTORY_PARTS: Dict[Tuple[str, str], Tuple[str, ...]] = {}


def _module_parts(path: str) -> Tuple[str, ...]:
    """``module_parts_of_path``, computed once per directory (it depends on nothing else)."""
    directory, base = os.path.split(path)
    key = (os.getcwd(), directory)
    parts = _DIRECTORY_PARTS.get(key)
    if parts is None:
        parts = _DIRECTORY_PARTS[key] = module_parts_of_path(os.path.join(directory, "_.py"))[:-1]
    stem = base[:-3] if base.endswith(".py") else (base[:-4] if base.endswith(".pyi") else base)
    return parts + (stem,)


def directory_fingerprint(directory: str) -> str:
    """What a rule that looks around a file can see: the entries of the file's directory and
    of its subdirectories, and whether the parent directory is a package."""
    seen: List[str] = []
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
        parent_package = os.path.isfile(os.path.join(os.path.dirname(directory), "__init__.py"))
        seen.append(f"{int(parent_package)}")
        for entry in entries:
            is_dir = entry.is_dir()
            seen.append(f"{entry.name}/{int(is_dir)}")
            if is_dir:
                seen.extend(f"  {child.name}/{int(child.is_dir())}"
                            for child in sorted(os.scandir(entry.path), key=lambda e: e.name))
    except OSError as error:
        seen.append(f"error {error.errno}")
    return "\n".join(seen)


# --- the cache ---------------------------------------------------------------------------------

class ResultCache:
    """The cached findings of one run key; loaded once, consulted for every file."""

    def __init__(self, root: str, key: str, entries: Optional[Dict[str, Any]] = None,
                 look_around: bool = False) -> None:
        self.root = root
        self.key = key
        self.version = __version__
        self.path = os.path.join(root, self.version, key + ".json")
        self.entries: Dict[str, Any] = entries if entries is not None else {}
        #: Whether file keys include their surroundings (a rule that reads other files is on).
        self.look_around = look_around
        self._around: Dict[str, str] = {}
        self.updated: Dict[str, Any] = {}
        self.seen: set = set()
        self.hits = 0

    @classmethod
    def open(cls, root: str, key: str, look_around: bool = False) -> "ResultCache":
        """The cache of run ``key`` under ``root``, with the entries saved so far."""
        _DIRECTORY_PARTS.clear()  # per run: the tree may have changed since the last one
        cache = cls(root, key, look_around=look_around)
        cache.entries = load_entries(cache.path)
        return cache

    def key_of(self, path: str, data: bytes) -> str:
        parts = _module_parts(path)
        project = project_digest(path, parts=parts)  # the facts of other modules it depends on
        if not self.look_around:
            return file_key(path, data, project, parts)
        directory = os.path.dirname(os.path.abspath(path))
        around = self._around.get(directory)
        if around is None:
            around = self._around[directory] = directory_fingerprint(directory)
        return file_key(path, data, around + "\0" + project, parts)

    def lookup(self, shown: str, key: str, data: bytes) -> Optional[List[Reported]]:
        """The cached findings of the file shown as ``shown``, whose bytes are ``data``, with
        this key; None when there are none or the entry is not exactly as written."""
        rows = valid_rows(self.entries.get(shown), key, data)
        return None if rows is None else [Reported(shown, *row) for row in rows]

    def record(self, entry: Optional[Entry]) -> None:
        """Note a checked file: served from the cache (rows None) or with findings to store."""
        if entry is None:
            return
        shown, key, rows = entry
        self.seen.add(shown)
        if rows is None:
            self.hits += 1
        else:
            self.updated[shown] = [key, [list(row) for row in rows]]

    def save(self) -> bool:
        """Write the entries back when something changed; whether the file was written.

        A concurrent run's entries written meanwhile are kept (ours win for the same path);
        entries of files that are gone are dropped. Failing to write only costs the next run.
        """
        gone = [p for p in self.entries if p not in self.seen and not os.path.exists(p)]
        if not self.updated and not gone:
            return False
        merged = load_entries(self.path)
        merged.update(self.updated)
        for path in gone:
            if path not in self.updated:
                merged.pop(path, None)
        try:
            prepare(self.root)
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            write_atomic(self.path, run_document(self.version, self.key, merged))
        except OSError as error:
            print(f"flake8-ddd: warning: cannot write the cache in {self.root}: "
                  f"{error.strerror or error}", file=sys.stderr)
            return False
        self.entries = merged
        self.updated = {}
        return True
