"""Building, persisting and finding the project index (:mod:`flake8_ddd.project_index`).

**Which project.** The index of a file covers the project around it: the nearest directory
above the file that holds a project marker (``pyproject.toml``, ``setup.cfg``, ``setup.py``,
``tox.ini``, ``.flake8``, ``.git``: the markers the layer resolution uses). Without a marker,
the file's top-level package (the directory tree found through ``__init__.py`` files); a lone
file outside any project and package has an empty index (its own classes still count, see
:meth:`ProjectIndex.with_module`). Hidden directories, ``__pycache__``, ``node_modules``,
``site-packages``, ``build``/``dist`` and virtual environments are not part of a project.

**Once per process.** :func:`index_for` remembers one index per root, so the flake8 plugin
(which sees one file at a time, in several processes) and ``flake8-ddd check`` build or load it
once per process; :func:`forget` drops them (a new run in the same process).

**Incremental and persisted.** The facts of every file are stored, with the file's size,
mtime and a hash of its bytes, in ``index-<key>.json`` in the cache directory
(``.flake8_ddd_cache/`` at the root, or ``FLAKE8_DDD_CACHE_DIR``; :mod:`flake8_ddd.index_file`),
with the digests computed on them (:mod:`flake8_ddd.project_digests`). A run re-reads only
files whose size or mtime changed, and among those re-parses only the ones whose hash changed;
it writes the file back (to a temporary file, then ``os.replace``) only when something changed.
A missing, corrupt or foreign index file is rebuilt; an unwritable directory only costs the
next run its warm start. A file that cannot be read or parsed has no facts.
"""

from __future__ import annotations

import ast
import atexit
import os
import re
import sys
import warnings
from typing import Callable, Dict, Iterable, List, Optional, Tuple

from flake8_ddd import recent_trees
from flake8_ddd.directory_memo import directory_memo
from flake8_ddd.hashes import blake2b
from flake8_ddd.index_file import Stored, decode_facts, index_path, load, load_document, save
from flake8_ddd.layers import PROJECT_ROOT_MARKERS, module_parts_of_path
from flake8_ddd.module_paths import is_package_dir
from flake8_ddd.project_digests import DigestMemo, basis, contributions
from flake8_ddd.project_facts import FileFacts, empty_facts, module_name, read_facts
from flake8_ddd.project_index import FactsSource, ProjectIndex
from flake8_ddd.source_files import NotReadable, read_file

PRUNED_DIRECTORIES = frozenset({"__pycache__", "node_modules", "site-packages", "build", "dist"})
#: A project larger than this is indexed up to this many files (in sorted walk order).
MAX_FILES = 50_000
#: Up to this many files edited without a change of facts are read again by each run rather
#: than the index written again for them.
REREAD_RATHER_THAN_WRITE = 32
#: Larger files (generated code) are not read.
MAX_FILE_BYTES = 4_000_000

_INDEXES: Dict[Optional[str], ProjectIndex] = {}
_ROOTS: Dict[str, Optional[str]] = {}
_PERSISTED_BY: Dict[Optional[str], int] = {}


# --- which project ------------------------------------------------------------------------------

def project_root(filename: str, cwd: Optional[str] = None) -> Optional[str]:
    """The directory whose tree is the project of ``filename`` (None: no project)."""
    directory = os.path.dirname(os.path.normpath(os.path.join(cwd or os.getcwd(), filename)))
    found = _ROOTS.get(directory, "")
    if found == "":
        found = _ROOTS[directory] = _find_root(directory)
    return found


@directory_memo
def _marks_project(directory: str) -> bool:
    package = is_package_dir(directory)
    return any(os.path.exists(os.path.join(directory, marker)) for marker in PROJECT_ROOT_MARKERS
               if not (package and marker == "setup.py"))  # a package's module named setup


def _find_root(directory: str) -> Optional[str]:
    current = directory
    while True:
        if _marks_project(current):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    top = None
    current = directory
    while is_package_dir(current):
        top = current
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return top


def project_files(root: str, directories: Optional[List[str]] = None) -> List[str]:
    """The ``.py`` files of the project, sorted, as absolute paths (and in ``directories``,
    the directories listed)."""
    found: List[str] = []
    for directory, subdirectories, names in os.walk(root):
        if directories is not None:
            directories.append(directory)
        subdirectories[:] = sorted(
            d for d in subdirectories
            if not d.startswith(".") and d not in PRUNED_DIRECTORIES
            and not os.path.isfile(os.path.join(directory, d, "pyvenv.cfg")))
        for name in sorted(names):
            if name.endswith(".py"):
                found.append(os.path.join(directory, name))
                if len(found) >= MAX_FILES:
                    return found
    return found


# --- one file -----------------------------------------------------------------------------------

def facts_of_source(data: bytes, path: str, module_parts: Tuple[str, ...],
                    routes: bool = True) -> FileFacts:
    """The facts of a file's bytes; empty facts when it does not parse. Without ``routes``
    (no route decorator in the text: :data:`ROUTE_DECORATOR`), no request bodies."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return empty_facts(module_name(module_parts))
    recent_trees.keep(data, tree, path)  # the check of this file, a few files later, takes it
    try:
        return read_facts(tree, module_parts, routes)
    except RecursionError:
        return empty_facts(module_name(module_parts))


def _as_walked(stored: Optional[Stored], stat: Tuple[int, int]) -> bool:
    """Whether a stored entry is of the file as the walk found it: the same size and mtime
    (as everywhere in the index, what stands for an unchanged file)."""
    return stored is not None and (stored[0], stored[1]) == stat


def _hash(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


def _module_parts(path: str, parts_of_directory: Dict[str, Tuple[str, ...]]) -> Tuple[str, ...]:
    directory, base = os.path.split(path)
    parts = parts_of_directory.get(directory)
    if parts is None:
        parts = parts_of_directory[directory] = module_parts_of_path(
            os.path.join(directory, "_.py"), directory)[:-1]
    return parts + (base[:-3],)


ROUTE_DECORATOR = re.compile(
    rb"^[ \t]*@[ \t]*[A-Za-z_][A-Za-z0-9_.]*\.(?:get|post|put|patch|delete|head|options|trace"
    rb"|api_route|websocket)[ \t]*\(", re.MULTILINE)


class ProjectFiles(FactsSource):
    """The modules of one project on disk, their facts read on demand and kept up to date
    with the stored ones: a file is read again only when its size or mtime changed, and
    parsed again only when its hash changed too."""

    def __init__(self, root: str, stored: Optional[Dict[str, Stored]] = None,
                 digests: object = None) -> None:
        super().__init__()
        self.root = root
        self.stored: Dict[str, Stored] = dict(stored or {})
        self.changed = False
        self.paths: Dict[str, str] = {}  # module -> path relative to root
        #: Other names a module may be imported by: its path from the root, dotted
        #: (``app.user.errors`` for a namespace package ``app/`` beside ``pyproject.toml``).
        self.aliases: Dict[str, str] = {}
        self.stats: Dict[str, Tuple[int, int]] = {}
        self._body_modules: Optional[List[str]] = None
        self._disk_hashes: Dict[str, Optional[str]] = {}
        #: The directories of the project (the walk listed them).
        self.directories: List[str] = []
        parts_of_directory: Dict[str, Tuple[str, ...]] = {}
        below_root = os.path.join(root, "")
        for path in project_files(root, self.directories):
            try:
                stat = os.stat(path)
            except OSError:
                continue
            # the walk's paths begin with the root as given: cutting it off is relpath, faster
            relative = (path[len(below_root):] if path.startswith(below_root)
                        else os.path.relpath(path, root))
            self.stats[relative] = (stat.st_size, stat.st_mtime_ns)
            self.paths.setdefault(module_name(_module_parts(path, parts_of_directory)), relative)
            from_root = relative[:-3].split(os.sep)
            if all(part.isidentifier() for part in from_root):
                self.aliases.setdefault(module_name(from_root), relative)
        if set(self.stored) - set(self.stats):
            self.changed = True
            self.stored = {r: e for r, e in self.stored.items() if r in self.stats}
        self._loaded = dict(self.stored)  # entries are replaced, never changed in place
        self.digest_memo = DigestMemo(digests)

    def digest(self, module: str, compute: Callable[[], str]) -> str:
        """``compute()``, the index's digest of ``module``; or the one stored by an earlier run
        when no fact changed since (:mod:`flake8_ddd.project_digests`)."""
        self.digest_memo.check(lambda: self._basis(self._loaded), self._facts_kept)
        return self.digest_memo.digest(module, compute)

    def _basis(self, entries: Dict[str, Stored]) -> str:
        """The basis of digests computed on ``entries`` for this project's files and modules."""
        return basis(contributions(self.stats, entries), self.paths, self.aliases)

    def _facts_kept(self) -> bool:
        """Whether every file changed since the index was stored has the facts and route flag
        stored for it (read and parsed again to know). A few such files do not make the index
        worth writing again (12 MB on a million lines): the next run reads them again."""
        changed, kept = self.changed, 0
        for relative, stat in self.stats.items():
            old = self._loaded.get(relative)
            if old is None or (old[0], old[1]) == stat:  # no entry: no digest read the file
                continue
            if old[4] is None:  # read for its route flag only: no digest read its facts
                if self._entry(relative, need_facts=False)[3] != old[3]:
                    return False
            else:
                old_facts = decode_facts(old[4]) if isinstance(old[4], list) else old[4]
                now = self._entry(relative, need_facts=True)
                if old_facts is None or now[4] != old_facts or now[3] != old[3]:
                    return False
            kept += 1
        self.changed = changed or kept > REREAD_RATHER_THAN_WRITE
        return True

    def digests_to_store(self, entries: Dict[str, Stored]) -> Optional[Dict[str, object]]:
        """The digests for ``entries`` about to be stored, if they are this process's own view
        of every file (another process's entry merged in: none)."""
        if any(entries.get(r, ())[:3] != e[:3] for r, e in self.stored.items()):
            return None
        return self.digest_memo.to_store(self._basis(entries))

    def facts(self, module: str) -> Optional[FileFacts]:
        if module in self.files:
            return self.files[module]
        relative = self.paths.get(module) or self.aliases.get(module)
        found = self._entry(relative, need_facts=True)[4] if relative is not None else None
        self.files[module] = found  # type: ignore[assignment]
        return found  # type: ignore[return-value]

    def body_modules(self) -> Iterable[str]:
        if self._body_modules is None:
            self._body_modules = [module for module, relative in self.paths.items()
                                  if self._entry(relative, need_facts=False)[3]]
        return self._body_modules

    def all_modules(self) -> Iterable[str]:
        return list(self.paths)

    def peek(self, module: str) -> Optional[FileFacts]:
        if module in self.files:
            return self.files[module]
        relative = self.paths.get(module) or self.aliases.get(module)
        old = self.stored.get(relative) if relative is not None else None
        if old is None or (old[0], old[1]) != self.stats[relative]:  # type: ignore[index]
            return None
        return self._entry(relative, need_facts=False)[4]  # type: ignore[arg-type]

    def holds(self, module: str, text: str) -> bool:
        relative = self.paths.get(module) or self.aliases.get(module)
        if relative is None:
            return False
        if relative not in self._disk_hashes:
            self._disk_hashes[relative] = self._disk_hash(relative)
        return self._disk_hashes[relative] == _hash(text.encode("utf-8", "surrogateescape"))

    def _disk_hash(self, relative: str) -> Optional[str]:
        """The hash of the file as the walk found it: the stored one while its size and mtime
        are the walk's (as everywhere in the index), else read again."""
        stored = self.stored.get(relative)
        if _as_walked(stored, self.stats[relative]) and stored[2]:
            return stored[2]
        data = self._read(relative)
        return _hash(data[1]) if data is not None else None

    def adopt(self, module: str, facts: FileFacts, content: bytes) -> None:
        relative = self.paths.get(module) or self.aliases.get(module)
        if relative is None or module in self.files:
            return
        digest = _hash(content)
        if digest != self._disk_hashes.get(relative):  # not what holds() confirmed
            return
        size, mtime = self.stats[relative]
        self.stored[relative] = (size, mtime, digest, bool(ROUTE_DECORATOR.search(content)), facts)
        self.files[module] = facts
        self.changed = True

    def _read(self, relative: str) -> Optional[Tuple[Tuple[int, int], bytes]]:
        """The file's bytes, when it is still as the walk found it."""
        path = os.path.join(self.root, relative)
        try:
            stat = os.stat(path)
            data = read_file(path)
        except (OSError, NotReadable):
            return None
        found = (stat.st_size, stat.st_mtime_ns)
        return (found, data) if found == self.stats[relative] else None

    def _entry(self, relative: str, need_facts: bool) -> Stored:
        """The stored entry of a file, brought up to date as far as asked."""
        size, mtime = self.stats[relative]
        old = self.stored.get(relative)
        if old is not None and isinstance(old[4], list):  # as loaded: decoded when first used
            old = self.stored[relative] = old[:4] + (decode_facts(old[4]),)
        as_walked = _as_walked(old, (size, mtime))
        if as_walked and (old[4] or not need_facts):
            return old
        path = os.path.join(self.root, relative)
        try:
            data = read_file(path)
        except (OSError, NotReadable):  # a pipe, a device, too large: no facts, never a hang
            return (size, mtime, "", False, None)
        if as_walked and old[2]:
            digest, routes = old[2], old[3]  # read for its route flag only; facts wanted now
        else:
            digest, routes = _hash(data), bool(ROUTE_DECORATOR.search(data))
        facts = old[4] if old is not None and old[2] == digest else None
        if facts is None and need_facts:
            parts = _module_parts(path, {})
            facts = (empty_facts(module_name(parts)) if len(data) > MAX_FILE_BYTES
                     else facts_of_source(data, path, parts, routes))
        entry = self.stored[relative] = (size, mtime, digest, routes, facts)
        self.changed = True
        return entry


# --- per process ----------------------------------------------------------------------------------

def open_project(root: str) -> ProjectFiles:
    """The project's files with the facts (and digests) stored by earlier runs."""
    return ProjectFiles(root, *load_document(index_path(root), root))


def persist(files: ProjectFiles) -> bool:
    """Store what this process learned, merged with what another process stored meanwhile
    (entries of files this one did not read again are kept as they are on disk)."""
    if not (files.changed or files.digest_memo.dirty) or not os.path.isdir(files.root):
        return False
    path = index_path(files.root)
    merged = {relative: entry for relative, entry in load(path, files.root).items()
              if relative in files.stats and files.stats[relative] == entry[:2]}
    for relative, entry in files.stored.items():
        if entry[4] is not None or relative not in merged or merged[relative][2] != entry[2]:
            merged[relative] = entry
    digests = files.digests_to_store(merged)
    if not files.changed and digests is None:  # new digests, but for another process's entries
        files.digest_memo.dirty = False
        return False
    if save(path, files.root, merged, digests):
        files.changed = files.digest_memo.dirty = False
        return True
    return False


def index_for(filename: str, cwd: Optional[str] = None) -> ProjectIndex:
    """The index of the project ``filename`` belongs to, one per process and root; what it
    reads is stored when the process ends (or on :func:`persist_all`)."""
    root = project_root(filename, cwd)
    index = _INDEXES.get(root)
    if index is None:
        try:
            source = open_project(root) if root is not None else None
        except (OSError, ValueError, RecursionError):  # an unreadable tree: what can be found
            source = None
        index = _INDEXES[root] = ProjectIndex(source)
    if isinstance(index.source, ProjectFiles) and _PERSISTED_BY.get(root) != os.getpid():
        _PERSISTED_BY[root] = os.getpid()  # also in a worker forked after the index was built
        _at_exit(index.source)
    return index


def open_indexes(paths: Iterable[str]) -> None:
    """Open the index of every project ``paths`` belong to: before worker processes are
    forked, so that they share it instead of each reading it again."""
    seen = set()
    for path in paths:
        directory = os.path.dirname(path)
        if directory not in seen:
            seen.add(directory)
            index_for(path)


def loaded_projects() -> List[ProjectFiles]:
    """The projects whose index this process has opened (since :func:`forget`)."""
    return [index.source for index in _INDEXES.values() if isinstance(index.source, ProjectFiles)]


def persist_all() -> None:
    for files in loaded_projects():
        persist(files)


def _at_exit(files: ProjectFiles) -> None:
    """Persist at the end of this process. Where ``multiprocessing`` is in use (flake8, whose
    ``--jobs`` pool workers end without running ``atexit``), through its finalizers, which run
    both at interpreter exit and when a pool worker ends; elsewhere with ``atexit`` (importing
    ``multiprocessing`` for it took 7 ms of every ``check``)."""
    if "multiprocessing" in sys.modules:
        from multiprocessing import util

        util.Finalize(None, persist, args=(files,), exitpriority=10)
    else:
        atexit.register(persist, files)


def forget() -> None:
    """Drop the indexes and roots remembered by this process (before a new run)."""
    persist_all()
    _INDEXES.clear()
    _ROOTS.clear()


def project_digest(path: str, cwd: Optional[str] = None,
                   parts: Optional[Tuple[str, ...]] = None) -> str:
    """The project index's digest for the module at ``path`` (part of its result-cache key):
    it changes when a fact of another module its findings may depend on changes. ``parts``:
    its module path, when the caller has it."""
    try:
        module = module_name(module_parts_of_path(path, cwd) if parts is None else parts)
        index = index_for(path, cwd)
        if isinstance(index.source, ProjectFiles):
            return index.source.digest(module, lambda: index.digest(module))
        return index.digest(module)
    except Exception:  # pragma: no cover - a key that never matches is only a miss
        return os.urandom(8).hex()
