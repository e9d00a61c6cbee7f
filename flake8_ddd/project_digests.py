"""The project index's digests, kept from one run to the next while no fact changed.

Every file's result-cache key holds its module's digest (:meth:`ProjectIndex.digest
<flake8_ddd.project_index.ProjectIndex.digest>`: the facts of other modules its findings may
depend on). Computing it for every file of a run reads and resolves the facts of nearly every
module, which after a one-file edit was most of the run (1.7 s of 3.2 s on a million lines).

A digest is a function of the index's facts: each module's facts (a function of the file's bytes
and its module path), whether it has route decorators (which modules' request bodies count) and
which module name reaches which file, plus the code that derives them. So the digests computed
in one run are stored in the index file with the **basis** they were computed on, a hash of
exactly that: every file's path, content hash and route flag, the module names, and the size and
mtime of the modules that extract facts and compute digests. A later run whose entries give the
same basis takes the stored digests. Files whose size or mtime changed since are read first: a
new hash whose facts and route flag are those stored (a comment, a function body) keeps the
digests; anything else starts a fresh set.

A file the index never read (no entry: no digest asked for its facts, and none asked which
modules take request bodies, which reads every file) counts as unread: no stored digest depends
on its content, so only its module name is in the basis (a new or removed module changes it).
"""

from __future__ import annotations

import os
from typing import Callable, Dict, Iterable, Mapping, Optional, Tuple

from flake8_ddd.hashes import blake2b

#: What a stored file contributes: its content hash and whether it has route decorators.
Contribution = Tuple[str, bool]


#: The modules that extract facts and compute digests (and what they import for it).
DIGEST_CODE = ("project_digests.py", "project_index.py", "project_facts.py", "project_store.py",
               "library_classes.py", "ast_names.py")


def code_fingerprint() -> str:
    """The size and mtime of :data:`DIGEST_CODE`: an edit to what a digest holds is a new basis,
    even without a version bump (an editable install)."""
    here = os.path.dirname(os.path.abspath(__file__))
    seen = []
    for name in DIGEST_CODE:
        try:
            stat = os.stat(os.path.join(here, name))
            seen.append(f"{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            seen.append("?")
    return ",".join(seen)


def basis(files: Mapping[str, Optional[Contribution]], paths: Mapping[str, str],
          aliases: Mapping[str, str]) -> str:
    """The hash digests depend on (a file never read: None, its name only)."""
    digest = blake2b(code_fingerprint().encode(), digest_size=16)
    for relative in sorted(files):
        known = files[relative]
        seen = "unread" if known is None else f"{known[0]}\0{int(known[1])}"
        digest.update(f"{relative}\0{seen}\n".encode("utf-8", "surrogateescape"))
    for mark, mapping in (("=", paths), ("~", aliases)):
        for module in sorted(mapping):
            digest.update(f"{mark}{module}\0{mapping[module]}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


class DigestMemo:
    """The digests of one project: those stored, once checked to hold for the files as they are
    now, and those computed since."""

    def __init__(self, stored: object) -> None:
        """``stored``: the digests as the index file has them (any shape: checked here)."""
        found = stored if isinstance(stored, dict) else {}
        modules = found.get("modules")
        self._stored_basis = found.get("basis") if isinstance(modules, dict) else None
        self._stored: Dict[str, str] = {
            m: d for m, d in modules.items() if isinstance(m, str) and isinstance(d, str)
        } if isinstance(modules, dict) else {}
        self.digests: Dict[str, str] = {}
        #: Whether the stored digests were checked against the files as they are now.
        self.checked = False
        #: Whether there is something new to store.
        self.dirty = False

    def check(self, loaded_basis: Callable[[], str],
              unchanged_facts: Callable[[], bool]) -> None:
        """Before the first digest is taken: take the stored digests if their basis is the one
        of the index as loaded and every file changed since has the facts stored for it."""
        if self.checked:
            return
        self.checked = True
        if self._stored and self._stored_basis is not None and self._stored_basis == loaded_basis() \
                and unchanged_facts():
            self.digests = self._stored
        self._stored = {}

    def digest(self, module: str, compute: Callable[[], str]) -> str:
        found = self.digests.get(module)
        if found is None:
            found = self.digests[module] = compute()
            self.dirty = True
        return found

    def to_store(self, current_basis: str) -> Optional[Dict[str, object]]:
        """What the index file keeps: the digests with the basis they hold for (None: nothing,
        when they were not checked in this process)."""
        if not self.checked:
            return None
        return {"basis": current_basis, "modules": dict(sorted(self.digests.items()))}


def contributions(relatives: Iterable[str], entries: Mapping[str, Tuple]
                  ) -> Dict[str, Optional[Contribution]]:
    """The basis contributions of ``relatives`` from index entries ``(size, mtime, hash, routes,
    facts)``; None for a file without an entry."""
    found: Dict[str, Optional[Contribution]] = {}
    for relative in relatives:
        entry = entries.get(relative)
        found[relative] = (entry[2], bool(entry[3])) if entry is not None else None
    return found
