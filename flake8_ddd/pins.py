"""The ``# ddd: layer=...`` comment that pins one file's layer, read in linear time.

A pin sits in one of the first :data:`PIN_COMMENT_LINES` lines. Its value is one layer name, two
or more joined with ``+`` (or ``,``/whitespace), or ``none``. A comment that starts like a pin
but names something else is not silently ignored: :func:`find_pin` returns it with the problem,
which DDD600 reports at the comment.

No pattern here can backtrack: the comment's head is matched with simple repeats separated by
literals, and the value is split on one character class, so a line of 100,000 spaces costs one
pass (the earlier single pattern with a lazy group before ``\\s*$`` took quadratic time).
"""

from __future__ import annotations

import re
from typing import Collection, Iterable, NamedTuple, Optional, Tuple

PIN_COMMENT_LINES = 10
PIN_HEAD = re.compile(r"#\s*ddd:\s*layer\s*=")
SEPARATORS = re.compile(r"[+,\s]+")
NAME = re.compile(r"[A-Za-z_]+")
NO_LAYER = "none"


class Pin(NamedTuple):
    """A pin comment: where it is, the names it gives (lower case), or why it is unusable."""

    line: int
    col: int
    #: The comment as written, from ``#`` to the end of the line (stripped).
    text: str
    names: Tuple[str, ...] = ()
    problem: Optional[str] = None


def find_pin(lines: Iterable[str], accepted: Collection[str]) -> Optional[Pin]:
    """The first pin comment in the first lines, checked against the ``accepted`` layer names."""
    for number, line in enumerate(lines, start=1):
        if number > PIN_COMMENT_LINES:
            break
        head = PIN_HEAD.search(line)
        if head is not None:
            names, problem = _names(line[head.end():], accepted)
            return Pin(number, head.start(), line[head.start():].strip(), names, problem)
    return None


def _names(value: str, accepted: Collection[str]) -> Tuple[Tuple[str, ...], Optional[str]]:
    text = value.strip()
    if not text:
        return (), "names no layer"
    parts = SEPARATORS.split(text)
    if "" in parts:
        return (), f"has a dangling separator in {_shorten(text)!r}"
    for part in parts:
        if not NAME.fullmatch(part):
            return (), f"has {_shorten(part)!r}, which is not a layer name"
        if part.lower() != NO_LAYER and part.lower() not in accepted:
            return (), f"names the unknown layer {_shorten(part.lower())!r}"
    names = tuple(part.lower() for part in parts)
    if NO_LAYER in names and len(names) > 1:
        return (), f"joins {NO_LAYER!r} with a layer"
    return (() if names == (NO_LAYER,) else names), None


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
