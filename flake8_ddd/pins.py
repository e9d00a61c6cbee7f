"""The ``# ddd: layer=...`` comment that pins one file's layer, read in linear time.

A pin is a comment (a real one: the text of a docstring or string that shows the syntax is no
pin) in one of the first :data:`PIN_COMMENT_LINES` lines. Its value is one layer name, two or
more joined with ``+`` (or ``,``/whitespace), or ``none``. A comment that starts like a pin
but names something else is not silently ignored: :func:`find_pin` returns it with the problem,
which DDD600 reports at the comment.

No pattern here can backtrack: the comment's head is matched with simple repeats separated by
literals, and the value is split on one character class, so a line of 100,000 spaces costs one
pass (the earlier single pattern with a lazy group before ``\\s*$`` took quadratic time).
"""

from __future__ import annotations

import io
import itertools
import re
import tokenize
from typing import Collection, Iterable, Iterator, NamedTuple, Optional, Tuple

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
    for number, col, comment in _comments(lines):
        head = PIN_HEAD.search(comment)
        if head is not None:
            names, problem = _names(comment[head.end():], accepted)
            return Pin(number, col + head.start(), comment[head.start():].strip(), names, problem)
    return None


def _comments(lines: Iterable[str]) -> Iterator[Tuple[int, int, str]]:
    """(line, column, text) of the comments in the first lines, as Python's tokenizer sees
    them (none when no line has a pin's ``ddd:``); the first lines may end inside a string or a
    bracket, which only ends the search."""
    first = [line if line.endswith("\n") else line + "\n"
             for line in itertools.islice(lines, PIN_COMMENT_LINES)]
    if not any("ddd:" in line for line in first):  # no comment there can hold a pin's head
        return
    try:
        for token in tokenize.generate_tokens(io.StringIO("".join(first)).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.start[1], token.string
    except (tokenize.TokenError, SyntaxError):  # unfinished string or bracket, bad dedent
        return


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
