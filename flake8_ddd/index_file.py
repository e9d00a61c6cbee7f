"""The project index on disk: where each project's is stored, reading and writing it.

One file per project root and Python version, ``index-<key>.json`` in the cache directory
(``.flake8_ddd_cache/`` at the root, or ``FLAKE8_DDD_CACHE_DIR``): the format, the root, every
file's entry (:data:`Stored`) and the digests computed on them (:mod:`flake8_ddd.project_digests`).
Anything else found there (missing, corrupt, another root's, another format) is no index.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Dict, Optional, Tuple

from flake8_ddd.cache_store import cache_root, parse_json, write_atomic
from flake8_ddd.cache_store import prepare as prepare_cache_directory
from flake8_ddd.hashes import sha256
from flake8_ddd.project_facts import FileFacts
from flake8_ddd.source_files import NotReadable, read_file

#: Bumped whenever what :mod:`flake8_ddd.project_facts` extracts changes (2: module-level
#: statements inside for/while/match blocks count, as in FileContext).
FACTS_FORMAT = 2
#: One stored file: size, mtime in nanoseconds, hash of the bytes, whether it has a route
#: decorator, facts (None: not read yet; a list: as loaded, not decoded yet).
Stored = Tuple[int, int, str, bool, Optional[FileFacts]]


def index_path(root: str) -> str:
    """Where the index of ``root`` is stored (one file per root and Python version)."""
    import flake8_ddd

    directory = cache_root(None, cwd=root)
    key = json.dumps([os.path.abspath(root), FACTS_FORMAT, flake8_ddd.__version__,
                      list(sys.version_info[:2])])
    return os.path.join(directory, f"index-{sha256(key.encode()).hexdigest()[:16]}.json")


def load(path: str, root: str) -> Dict[str, Stored]:
    """The stored facts, or nothing when the file is missing, corrupt or another root's."""
    return load_document(path, root)[0]


def load_document(path: str, root: str) -> Tuple[Dict[str, Stored], object]:
    """The stored facts and digests (as found: :class:`DigestMemo` checks them)."""
    try:
        document = parse_json(read_file(path))
        if (not isinstance(document, dict) or document.get("format") != FACTS_FORMAT
                or document.get("root") != os.path.abspath(root)):
            return {}, None
        return {str(relative): (int(size), int(mtime), str(digest), bool(routes),
                                facts if isinstance(facts, list) else None)
                for relative, (size, mtime, digest, routes, facts) in document["files"].items()
                }, document.get("digests")
    except (OSError, NotReadable, ValueError, TypeError, KeyError, AttributeError, RecursionError,
            MemoryError):
        return {}, None


def save(path: str, root: str, stored: Dict[str, Stored],
         digests: Optional[Dict[str, object]] = None) -> bool:
    """Write the facts (and digests) atomically; whether it worked (failing only costs a warm
    start)."""
    document = {"format": FACTS_FORMAT, "root": os.path.abspath(root),
                "files": {relative: [size, mtime, digest, routes,
                                     facts.to_json() if isinstance(facts, FileFacts) else facts]
                          for relative, (size, mtime, digest, routes, facts) in sorted(stored.items())}}
    if digests is not None:
        document["digests"] = digests
    directory = os.path.dirname(path)
    try:
        prepare_cache_directory(directory)  # tagged only when flake8-ddd creates it (issue 10)
        write_atomic(path, json.dumps(document, separators=(",", ":")))
    except OSError:
        return False
    return True


def decode_facts(raw: list) -> Optional[FileFacts]:
    """Stored facts as loaded; None (read the file again) when malformed."""
    try:
        return FileFacts.from_json(raw)
    except (TypeError, ValueError, IndexError, KeyError, AttributeError, RecursionError):
        return None
