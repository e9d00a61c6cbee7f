"""DDD010's check: ``# noqa`` comments naming DDD codes that nothing reports on their line.

It needs every other finding of the file, so it runs after the walk, on the walk's findings.
A comment is read the way flake8 reads it (:mod:`flake8_ddd.add_noqa`): the first ``# noqa``
of the lines a token joins, so a comment after a multi-line string covers every line of the
string. Only real comments count (a ``# noqa`` spelled inside a string is text), only DDD
codes are judged (other tools own theirs), and a bare ``# noqa`` names nothing.
"""

from __future__ import annotations

from typing import Iterable, List, NamedTuple, Sequence, Tuple

from flake8_ddd.add_noqa import NOQA_INLINE, NoqaLayout, noqa_codes

UNUSED_NOQA_CODE = "DDD010"


class UnusedNoqa(NamedTuple):
    line: int
    #: Where the comment starts, in UTF-8 bytes (as the AST's offsets).
    col: int
    #: The DDD codes (or prefixes) of the comment that silence nothing, in the comment's order.
    codes: Tuple[str, ...]


def _may_name_ddd_codes(lines: Sequence[str]) -> bool:
    return any("DDD" in line and NOQA_INLINE.search(line) for line in lines)


def unused_noqa(lines: Sequence[str], found: Iterable[Tuple[int, str]]) -> List[UnusedNoqa]:
    """The comments whose DDD codes silence none of the ``(line, code)`` findings of the file."""
    if not _may_name_ddd_codes(lines):
        return []
    layout = NoqaLayout(lines)
    if not layout.ok:
        return []
    by_line: dict = {}
    for line, code in found:
        if code != UNUSED_NOQA_CODE:
            by_line.setdefault(line, set()).add(code)
    result: List[UnusedNoqa] = []
    for line, column in sorted(layout.comments.items()):
        comment = layout.lines[line - 1][column:]
        if "DDD" not in comment or NOQA_INLINE.search(comment) is None:
            continue
        match, in_comment = layout.first_noqa(line)
        if match is None or not in_comment:
            continue
        codes = noqa_codes(match)
        named = [c for c in codes or () if c.startswith("DDD") and c != UNUSED_NOQA_CODE]
        if not named:
            continue
        first, last = layout.range_of(line)
        reported = set().union(*(by_line.get(n, ()) for n in range(first, last + 1)))
        stale = tuple(c for c in dict.fromkeys(named) if not any(r.startswith(c) for r in reported))
        if stale:
            byte_column = len(layout.lines[line - 1][:column].encode("utf-8", "surrogatepass"))
            result.append(UnusedNoqa(line, byte_column, stale))
    return result


def describe(codes: Sequence[str]) -> str:
    """``DDD001`` / ``DDD001, DDD004`` for the rule's message."""
    return ", ".join(codes)
