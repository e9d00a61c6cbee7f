"""Syntax trees parsed for the project index, kept a moment for the check of the same file.

On a first run (no stored index), a file being checked often needs the facts of a module not
checked yet (``from ..models.user import User``): the index parses that module for its facts
(:func:`flake8_ddd.project_store.facts_of_source`), and a few files later the run checks it and
would parse it again. The index leaves its tree here, and the check takes it instead of parsing
(:func:`flake8_ddd.runner.check_source`).

- **Same tree.** A tree is taken for exactly the bytes it was parsed from. The index parses
  bytes, the check the text it decoded (universal newlines, BOM removed); they are the same
  source, with the same positions, when both decode the bytes alike: when no coding cookie can
  be in the first two lines, or the cookie names UTF-8 (:func:`decoded_alike`). Other files are
  parsed again. Neither the facts reader nor the rules set anything on a node.
- **Only for a run.** Trees are kept only inside :func:`keeping` (``flake8-ddd check``), for
  files the run is still to check: the flake8 plugin never takes one. Each process has its own
  (forked workers too).
- **The nearest checks.** At most :data:`MAX_TREES` trees of :data:`MAX_SOURCE_BYTES` of source
  in all; when more would be kept, the one whose check comes last is dropped (a tree kept long
  ago is out of the processor's caches: dropping or walking it costs more than a fresh one).
  When the first question about the request bodies reads every route module of the project,
  the trees kept are those of the next ones checked.
"""

from __future__ import annotations

import ast
import io
import os
import re
import tokenize
from contextlib import contextmanager
from typing import Dict, Iterator, Optional, Sequence, Tuple

MAX_TREES = 64
MAX_SOURCE_BYTES = 1_000_000

#: The trees kept, by the place of their file in the run's order: (bytes parsed, tree).
_TREES: Dict[int, Tuple[bytes, ast.AST]] = {}
_held = 0
_keeping = False
_paths: Sequence[str] = ()
_cwd = ""
#: Absolute path -> place in the run's order; built when the first tree is offered.
_order: Optional[Dict[str, int]] = None
#: The place of the next file to check (files before it are checked).
_next = 0

_FIRST_TWO_LINES = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)?[^\r\n]*")
_UTF8 = ("utf-8", "utf-8-sig")


@contextmanager
def keeping(paths: Sequence[str]) -> Iterator[None]:
    """Keep the trees the index parses for ``paths``, which the block checks in this order
    (paths as the run has them); none are left after it."""
    global _keeping, _paths, _cwd, _next
    clear()
    _keeping, _paths, _cwd, _next = True, paths, os.getcwd(), 0
    try:
        yield
    finally:
        _keeping, _paths = False, ()
        clear()


def keep(data: bytes, tree: ast.AST, path: str) -> None:
    """Leave ``tree``, parsed from ``data`` (the bytes of ``path``), for the check of the file."""
    global _held
    if not _keeping or len(data) > MAX_SOURCE_BYTES:
        return
    place = _place(path)
    if place is None or place < _next or place in _TREES or not decoded_alike(data):
        return
    _TREES[place] = (data, tree)
    _held += len(data)
    while len(_TREES) > MAX_TREES or _held > MAX_SOURCE_BYTES:
        first = min(_TREES)  # a file checked without it (another process checked it), else
        dropped, _ = _TREES.pop(first if first < _next else max(_TREES))  # the furthest away
        _held -= len(dropped)


def take(path: str, data: bytes) -> Optional[ast.AST]:
    """The tree kept for ``path`` if it was parsed from exactly ``data``; the run's checks
    have reached ``path``."""
    global _next, _held
    if _order is None:  # nothing was offered this run
        return None
    place = _place(path)
    if place is None:
        return None
    _next = max(_next, place + 1)
    kept = _TREES.pop(place, None)
    if kept is None:
        return None
    _held -= len(kept[0])
    return kept[1] if kept[0] == data else None


def clear() -> None:
    global _held, _order
    _TREES.clear()
    _held = 0
    _order = None


def _place(path: str) -> Optional[int]:
    global _order
    if _order is None:
        _order = {os.path.normpath(os.path.join(_cwd, p)): i for i, p in enumerate(_paths)}
    return _order.get(os.path.normpath(os.path.join(_cwd, path)))


def decoded_alike(data: bytes) -> bool:
    """Whether Python's parser, given the bytes, and :func:`flake8_ddd.runner.decode`
    (``tokenize.detect_encoding``) read the same text from them: both take UTF-8 (after a
    BOM, if any) unless a coding cookie in the first two lines names another encoding."""
    head = _FIRST_TWO_LINES.match(data)
    if head is None or b"coding" not in head.group():
        return True
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        return False
    return encoding in _UTF8
