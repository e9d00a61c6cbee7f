"""The map's facts about each file (place and first-party imports), kept beside check's results.

Findings come from ``check``'s engine and result cache, unchanged. What the map needs besides
(:class:`~flake8_ddd.arch_map.FileFacts`) is stored in a run file of the same cache directory,
keyed like check's (file bytes and module path), under a run key derived from check's: a file
that did not change is not parsed again, and ``flake8-ddd clean`` removes the store with the
rest. Reading never trusts the store: an entry of the wrong shape is a miss.
"""

from __future__ import annotations

import ast
import hashlib
import os
import sys
import warnings
from typing import Any, Dict, List, Optional, Sequence, Tuple

from flake8_ddd import __version__
from flake8_ddd.arch_map import FileFacts, ImportFact, Place, file_facts
from flake8_ddd.cache import file_key
from flake8_ddd.cache_store import load_entries, prepare, run_document, write_atomic
from flake8_ddd.options import Config
from flake8_ddd.processes import map_in_workers
from flake8_ddd.runner import decode, display_path
from flake8_ddd.source_files import NotReadable, read_file

#: shown path -> [file key, place, imports]
Entry = List[Any]


class FactsStore:
    """The stored facts of one run key; loaded once, written back once when something changed."""

    def __init__(self, root: str, check_key: str) -> None:
        self.root = root
        self.key = hashlib.sha256(f"map:{check_key}".encode("utf-8")).hexdigest()[:32]
        self.path = os.path.join(root, __version__, self.key + ".json")
        self.entries: Dict[str, Any] = load_entries(self.path)
        self.updated: Dict[str, Entry] = {}

    def lookup(self, shown: str, key: str) -> Optional[FileFacts]:
        return decode_entry(shown, key, self.entries.get(shown))

    def record(self, shown: str, key: str, facts: FileFacts) -> None:
        self.updated[shown] = encode_entry(key, facts)

    def save(self) -> None:
        if not self.updated:
            return
        merged = load_entries(self.path)
        merged.update(self.updated)
        merged = {path: entry for path, entry in merged.items()
                  if path in self.updated or os.path.exists(path)}
        try:
            prepare(self.root)
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            write_atomic(self.path, run_document(__version__, self.key, merged))
        except OSError as error:
            print(f"flake8-ddd: warning: cannot write the map's cache in {self.root}: "
                  f"{error.strerror or error}", file=sys.stderr)
        self.updated = {}


def encode_entry(key: str, facts: FileFacts) -> Entry:
    imports = [[fact.line, *fact.target, fact.shown] for fact in facts.imports]
    return [key, list(facts.place), imports]


def _is_place(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 3
            and all(v is None or isinstance(v, str) for v in value[:2]) and isinstance(value[2], str))


def decode_entry(shown: str, key: str, entry: Any) -> Optional[FileFacts]:
    """The facts of a stored entry for this key, or None for anything not shaped as written."""
    if not (isinstance(entry, list) and len(entry) == 3 and entry[0] == key
            and _is_place(entry[1]) and isinstance(entry[2], list)):
        return None
    imports: List[ImportFact] = []
    for item in entry[2]:
        if not (isinstance(item, list) and len(item) == 5 and type(item[0]) is int
                and _is_place(item[1:4]) and isinstance(item[4], str)):
            return None
        imports.append(ImportFact(item[0], Place(*item[1:4]), item[4]))
    return FileFacts(shown, Place(*entry[1]), tuple(imports))


# --- one file -----------------------------------------------------------------------------------

def _no_tree() -> None:
    return None


def facts_of_source(shown: str, data: bytes, config: Config) -> FileFacts:
    lines, _ = decode(shown, data)
    if lines is None:
        return file_facts(shown, [], config, _no_tree)
    text = "".join(lines)

    def parse() -> Optional[ast.AST]:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return ast.parse(text, filename=shown)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None

    try:
        return file_facts(shown, lines, config, parse)
    except RecursionError:  # a pathologically nested file: placed, its imports unknown
        return file_facts(shown, lines, config, _no_tree)


def _read(path: str) -> Optional[bytes]:
    """The file's bytes as check reads them (a regular file, bounded size), else None."""
    try:
        return read_file(path)
    except NotReadable:
        return None


def stored_facts(path: str, store: FactsStore) -> Optional[FileFacts]:
    """The stored facts of ``path`` when its bytes and module path did not change."""
    data = _read(path)
    return None if data is None else store.lookup(display_path(path), file_key(path, data))


def facts_of_path(path: str, config: Config) -> Tuple[FileFacts, Optional[Tuple[str, str, FileFacts]]]:
    """The facts of ``path``, and the entry to store (none for an unreadable file)."""
    shown = display_path(path)
    data = _read(path)
    if data is None:
        return file_facts(shown, [], config, _no_tree), None
    facts = facts_of_source(shown, data, config)
    return facts, (shown, file_key(path, data), facts)


# --- many files ---------------------------------------------------------------------------------

_CONFIG: Optional[Config] = None


def _init_worker(config: Config) -> None:
    global _CONFIG
    _CONFIG = config


def _one(path: str) -> Tuple[FileFacts, Optional[Tuple[str, str, FileFacts]]]:
    assert _CONFIG is not None
    return facts_of_path(path, _CONFIG)


def collect(paths: Sequence[str], config: Config, store: Optional[FactsStore],
            jobs: int) -> List[FileFacts]:
    """The facts of every path: stored ones first, the others computed in ``jobs`` processes."""
    results: List[FileFacts] = []
    misses: List[str] = []
    for path in paths:
        stored = stored_facts(path, store) if store is not None else None
        if stored is None:
            misses.append(path)
        else:
            results.append(stored)
    computed = _in_processes(misses, config, jobs) if jobs > 1 and len(misses) > 1 else None
    if computed is None:
        computed = [facts_of_path(path, config) for path in misses]
    for facts, entry in computed:
        results.append(facts)
        if store is not None and entry is not None:
            store.record(*entry)
    return sorted(results, key=lambda f: f.path)


def _in_processes(paths: Sequence[str], config: Config, jobs: int
                  ) -> Optional[List[Tuple[FileFacts, Optional[Tuple[str, str, FileFacts]]]]]:
    return map_in_workers(_one, paths, jobs, _init_worker, (config,))
