"""Syntax trees parsed for the project index, kept a moment for the check of the same file.

On a first run (no stored index), a file being checked often needs the facts of a module not
checked yet (``from ..models.user import User``): the index parses that module for its facts
(:func:`flake8_ddd.project_store.facts_of_source`), and a few files later the run checks it and
would parse it again. The index leaves its tree here, and the check takes it instead of parsing
(:func:`flake8_ddd.runner.check_source`): on the dense corpus a third of the files.

- **Same tree.** A tree is taken for exactly the bytes it was parsed from (the key). The index
  parses bytes, the check the text it decoded (universal newlines, BOM removed); they are the
  same source, with the same positions, when both decode the bytes alike: when no coding cookie
  can be in the first two lines, or the cookie names UTF-8 (:func:`decoded_alike`). Other
  files are parsed again. Neither the facts reader nor the rules set anything on a node.
- **Only for a run.** Trees are kept only while :func:`keeping` is on (``flake8-ddd check``):
  the flake8 plugin never takes one. Each process has its own (forked workers too).
- **Bounded.** At most :data:`MAX_TREES` trees of :data:`MAX_SOURCE_BYTES` of source in all,
  the oldest dropped first; a tree taken is dropped, since each file is checked once a run.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections import OrderedDict
from contextlib import contextmanager
from typing import Iterator, Optional

MAX_TREES = 64
MAX_SOURCE_BYTES = 2_000_000

_TREES: "OrderedDict[bytes, ast.AST]" = OrderedDict()
_held = 0
_keeping = False

_FIRST_TWO_LINES = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)?[^\r\n]*")
_UTF8 = ("utf-8", "utf-8-sig")


@contextmanager
def keeping() -> Iterator[None]:
    """Keep the trees the index parses while the block runs; none are left after it."""
    global _keeping
    was, _keeping = _keeping, True
    try:
        yield
    finally:
        _keeping = was
        if not was:
            clear()


def keep(data: bytes, tree: ast.AST) -> None:
    """Leave ``tree``, parsed from ``data`` as bytes, for the check of the same bytes."""
    global _held
    if not _keeping or len(data) > MAX_SOURCE_BYTES or data in _TREES or not decoded_alike(data):
        return
    _TREES[data] = tree
    _held += len(data)
    while len(_TREES) > MAX_TREES or _held > MAX_SOURCE_BYTES:
        dropped, _ = _TREES.popitem(last=False)
        _held -= len(dropped)


def take(data: bytes) -> Optional[ast.AST]:
    """The tree kept for exactly these bytes, if any (dropped from here)."""
    global _held
    if not _TREES:
        return None
    tree = _TREES.pop(data, None)
    if tree is not None:
        _held -= len(data)
    return tree


def clear() -> None:
    global _held
    _TREES.clear()
    _held = 0


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
