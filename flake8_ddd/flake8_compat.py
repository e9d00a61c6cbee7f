"""Which findings are shown: flake8's select/ignore decision, ``# noqa`` and per-file ignores.

The standalone command (``flake8-ddd check``) must show exactly what ``flake8`` shows for the
same configuration, so this module reproduces flake8's rules (flake8 6 and 7):

- a code is shown when it starts with an entry of the selected list and with none of the
  ignored list; when it starts with entries of both, the longer entry wins, and an entry the
  user wrote (``select``/``extend-select``, ``ignore``/``extend-ignore``) beats a default one;
- ``# noqa`` alone, or followed by anything that is not a code list (``# noqa: DDD``, a
  lowercase list), silences every code on the line; ``# noqa: DDD001,DDD004`` (commas or
  spaces) silences the codes that start with a listed entry. Lines joined by a multi-line
  string count as one line (a ``# noqa`` after the closing quotes covers the line the string
  starts on); lines inside brackets do not;
- a line that starts with ``# flake8: noqa`` silences the whole file;
- ``per-file-ignores`` adds ignore entries for the files matched by its most specific pattern.

It also knows the two configuration traps that make flake8 drop every DDD code silently.
"""

from __future__ import annotations

import ast
import fnmatch
import functools
import io
import os
import re
import tokenize
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from flake8_ddd.option import split_codes

NOQA_INLINE = re.compile(
    r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
NOQA_FILE = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
VALID_CODE_PREFIX = re.compile(r"^[A-Z]{1,3}[0-9]{0,3}$", re.ASCII)
#: flake8's own default ``ignore`` list (none of them touches a DDD code).
FLAKE8_DEFAULT_IGNORE = ("E121", "E123", "E126", "E226", "E24", "E704", "W503", "W504")


class Selection:
    """flake8's ``DecisionEngine``: is a code shown for these select/ignore lists?"""

    def __init__(self, select: Optional[Sequence[str]] = None, extend_select: Sequence[str] = (),
                 ignore: Optional[Sequence[str]] = None, extend_ignore: Sequence[str] = (),
                 default_select: Sequence[str] = ("DDD",),
                 default_ignore: Sequence[str] = FLAKE8_DEFAULT_IGNORE) -> None:
        self.select_option = None if select is None else tuple(select)
        self.ignore_option = None if ignore is None else tuple(ignore)
        self.extend_select = tuple(extend_select)
        self.extend_ignore = tuple(extend_ignore)
        self.default_select = tuple(default_select)
        self.default_ignore = tuple(default_ignore)
        self.selected_explicitly = _sorted(*(select or ()), *extend_select)
        self.ignored_explicitly = _sorted(*(ignore or ()), *extend_ignore)
        self.selected = _sorted(*(select if select is not None else default_select), *extend_select)
        self.ignored = _sorted(*(ignore if ignore is not None else default_ignore), *extend_ignore)
        self._cache: Dict[str, bool] = {}

    def with_extra_ignores(self, codes: Sequence[str]) -> "Selection":
        """The selection flake8 uses for a file matched by a ``per-file-ignores`` pattern."""
        return Selection(self.select_option, self.extend_select, self.ignore_option,
                         self.extend_ignore + tuple(codes), self.default_select, self.default_ignore)

    def is_selected(self, code: str) -> bool:
        decision = self._cache.get(code)
        if decision is None:
            decision = self._cache[code] = self._decide(code)
        return decision

    def _decide(self, code: str) -> bool:
        if code.startswith(self.selected_explicitly):
            selected = "explicit"
        elif code.startswith(self.selected):
            selected = "implicit"
        else:
            selected = None
        if code.startswith(self.ignored_explicitly):
            ignored = "explicit"
        elif code.startswith(self.ignored):
            ignored = "implicit"
        else:
            ignored = None
        if selected and not ignored:
            return True
        if not selected:
            return False
        if selected == "explicit" and ignored != "explicit":
            return True
        if selected != "explicit" and ignored == "explicit":
            return False
        # In both lists with the same standing: the longest matching prefix wins.
        select = next(s for s in self.selected if code.startswith(s))
        ignore = next(s for s in self.ignored if code.startswith(s))
        return len(select) > len(ignore)

    def ignore_entry_for(self, code: str) -> Optional[str]:
        """The longest ignore entry matching ``code`` (the one that decided, when ignored)."""
        return next((s for s in self.ignored if code.startswith(s)), None)


def _sorted(*entries: str) -> Tuple[str, ...]:
    return tuple(sorted(entries, reverse=True))


# --- configuration traps ---------------------------------------------------------------------

def trap_warning(selection: Selection, codes: Iterable[str]) -> Optional[str]:
    """One line explaining why flake8 drops DDD codes the user never meant to drop, or None.

    Two traps: an ignore entry shorter than ``DDD`` (``D`` or ``DD``, usually meant for
    pydocstyle) swallows every DDD code; a ``select`` list without any DDD prefix drops them.
    """
    codes = sorted(codes)
    dropped = [c for c in codes if not selection.is_selected(c)]
    if not dropped:
        return None
    swallowing = sorted({entry for entry in (selection.ignore_entry_for(c) for c in dropped)
                         if entry is not None and len(entry) < 3 and "DDD".startswith(entry)})
    if swallowing:
        names = ", ".join(repr(e) for e in swallowing)
        options = [o for o, values in (("ignore", selection.ignore_option or ()),
                                       ("extend-ignore", selection.extend_ignore))
                   if any(e in values for e in swallowing)] or ["ignore"]
        lost = ("no flake8-ddd finding is ever reported" if len(dropped) == len(codes)
                else f"{len(dropped)} of the {len(codes)} flake8-ddd codes are never reported")
        return (f"flake8-ddd: warning: the {' / '.join(options)} entry {names} also matches the "
                f"DDD codes, so {lost}; to ignore pydocstyle, list its groups instead "
                f"(D1, D2, D3, D4), or add `extend-select = DDD` (the longer prefix wins)")
    chosen = (selection.select_option or ()) + selection.extend_select
    if selection.select_option is not None and not any(
            code.startswith(entry) for entry in chosen for code in codes):
        listed = ",".join(selection.select_option) or "(empty)"
        return (f"flake8-ddd: warning: `select = {listed}` names no DDD prefix, so no "
                f"flake8-ddd finding is ever reported; add `extend-select = DDD` (or DDD to "
                f"`select`)")
    return None


# --- noqa --------------------------------------------------------------------------------------

def file_is_noqa(lines: Sequence[str]) -> bool:
    """A line starting with ``# flake8: noqa`` (or ``# flake8=noqa``) silences the file."""
    # Most files never spell flake8: one search of the whole text rules them out (lower() maps
    # every character the case-insensitive pattern accepts, the Kelvin sign K included).
    if "flake8" not in "".join(lines).lower():
        return False
    return any(NOQA_FILE.match(line) for line in lines)


def noqa_line_map(lines: Sequence[str]) -> Dict[int, str]:
    """Line number -> the text searched for ``# noqa`` (flake8: lines joined by a token).

    Empty when the file cannot be tokenized; then each line stands for itself.
    """
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO("".join(lines)).readline))
    except (tokenize.TokenError, SyntaxError):
        return {}
    mapping: Dict[int, str] = {}
    low, high = len(lines) + 2, -1
    for token in tokens:
        if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
            continue
        low, high = min(low, token.start[0]), max(high, token.end[0])
        if token.type in (tokenize.NL, tokenize.NEWLINE):
            joined = "".join(lines[low - 1:high])
            for number in range(low, high + 1):
                mapping[number] = joined
            low, high = len(lines) + 2, -1
    return mapping


def is_noqa(code: str, text: str) -> bool:
    """Whether the ``# noqa`` comment in ``text`` (if any) silences ``code``."""
    match = NOQA_INLINE.search(text)
    if match is None:
        return False
    listed = match.group("codes")
    if listed is None:
        return True
    codes = set(split_codes(listed))
    return code in codes or code.startswith(tuple(codes))


class NoqaLines:
    """``# noqa`` lookups for one file.

    flake8 searches the text of a finding's token group: the lines that a multi-line string or
    a backslash continuation joins. Finding those groups takes tokenizing the whole file
    (:func:`noqa_line_map`), which costs as much as parsing it; with the file's ``tree`` it is
    done only for a finding next to a line end that may be joined (inside a multi-line string
    node's lines, or after a backslash). Every other finding's group is its own line, and the
    tokenizer would say the same.
    """

    def __init__(self, lines: Sequence[str], tree: Optional[ast.AST] = None) -> None:
        self.lines = lines
        self.tree = tree
        self._has_noqa: Optional[bool] = None
        self._string_line_ends: Optional[Set[int]] = None
        self._map: Optional[Dict[int, str]] = None

    def silences(self, code: str, line: int) -> bool:
        if self._has_noqa is None:  # a line never ends inside "noqa": one search of the text
            self._has_noqa = "noqa" in "".join(self.lines).lower()
        if not self._has_noqa:
            return False
        lines = self.lines
        if self._map is None and self.tree is not None and not self._may_join(line):
            return is_noqa(code, lines[line - 1] if 0 < line <= len(lines) else "")
        if self._map is None:
            self._map = noqa_line_map(lines)
        text = self._map.get(line)
        if text is None:
            text = lines[line - 1] if 0 < line <= len(lines) else ""
        return is_noqa(code, text)

    def _may_join(self, line: int) -> bool:
        """Whether the end of the line before ``line`` or of ``line`` itself may not end a token
        group (a conservative answer: True sends the finding to the tokenizer)."""
        if self._string_line_ends is None:
            self._string_line_ends = string_line_ends(self.tree)  # type: ignore[arg-type]
        lines = self.lines
        for number in (line - 1, line):
            if number in self._string_line_ends:
                return True
            if 0 < number <= len(lines) and lines[number - 1].rstrip("\r\n").endswith("\\"):
                return True
        return False


def string_line_ends(tree: ast.AST) -> Set[int]:
    """The numbers of the lines whose end is inside a string or f-string node (a superset of
    the line ends inside a string token). Subtrees on one line are not entered."""
    ends: Set[int] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        first = getattr(node, "lineno", None)
        last = getattr(node, "end_lineno", None)
        if first is not None and last is not None:
            if last <= first:
                continue
            if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant)
                                                   and isinstance(node.value, (str, bytes))):
                ends.update(range(first, last))
                continue
        stack.extend(ast.iter_child_nodes(node))
    return ends


# --- paths -------------------------------------------------------------------------------------

def normalize_path(path: str, parent: str) -> str:
    """flake8's rule: a pattern naming a directory part is made absolute against ``parent``."""
    if path == "." or os.sep in path or (os.altsep and os.altsep in path):
        path = os.path.abspath(os.path.join(parent, path))
    return path.rstrip(os.sep + (os.altsep or ""))


def matches_filename(path: str, patterns: Sequence[str]) -> bool:
    """flake8's exclude / per-file match: the base name or the absolute path matches a glob."""
    if not patterns:
        return False
    matches = _glob_regex(tuple(patterns))
    base = os.path.basename(path)
    if base not in (".", "..") and matches(os.path.normcase(base)):
        return True
    return matches(os.path.normcase(os.path.abspath(path))) is not None


@functools.lru_cache(maxsize=64)
def _glob_regex(patterns: Tuple[str, ...]):
    """One compiled alternation of the globs: ``fnmatch.fnmatch`` against each, in one match."""
    return re.compile("|".join(f"(?:{fnmatch.translate(os.path.normcase(p))})"
                               for p in patterns)).match


_PFI_TOKENS = [
    (re.compile(r"[A-Z]+[0-9]*(?=$|\s|,)"), "code"),
    (re.compile(r"[^\s:,]+"), "file"),
    (re.compile(r"\s*:\s*"), "colon"),
    (re.compile(r"\s*,\s*"), "comma"),
    (re.compile(r"\s+"), "ws"),
]


class PerFileIgnoresError(ValueError):
    """``per-file-ignores`` is not a list of ``PATTERNS:CODES`` pairs."""


def parse_per_file_ignores(value: object) -> List[Tuple[str, List[str]]]:
    """flake8's ``per-file-ignores`` syntax: ``pattern[, pattern]:CODE[,CODE] ...``."""
    if isinstance(value, str):
        text = value
    else:
        text = "\n".join(str(v) for v in value or ())  # type: ignore[attr-defined]
    result: List[Tuple[str, List[str]]] = []
    if not text.strip():
        return result
    tokens: List[Tuple[str, str]] = []
    index = 0
    while index < len(text):
        for pattern, kind in _PFI_TOKENS:
            match = pattern.match(text, index)
            if match:
                tokens.append((kind, match.group().strip()))
                index = match.end()
                break
    tokens.append(("eof", ""))
    seen_sep, seen_colon = True, False
    files: List[str] = []
    codes: List[str] = []

    def flush() -> None:
        if codes:
            result.extend((name, list(codes)) for name in files)

    for kind, src in tokens:
        if kind in ("comma", "ws"):
            seen_sep = True
        elif not seen_colon:
            if kind == "colon":
                seen_colon = seen_sep = True
            elif seen_sep and kind == "file":
                files.append(src)
                seen_sep = False
            else:
                raise PerFileIgnoresError(text.strip())
        elif kind == "eof":
            flush()
        elif seen_sep and kind == "code":
            codes.append(src)
            seen_sep = False
        elif seen_sep and kind == "file":
            flush()
            files, codes = [src], []
            seen_sep, seen_colon = False, False
        else:
            raise PerFileIgnoresError(text.strip())
    return result


class FileSelections:
    """The selection for each file: the default one, or that of the longest matching pattern."""

    def __init__(self, base: Selection, per_file: Sequence[Tuple[str, Sequence[str]]]) -> None:
        self.base = base
        self.per_file = [(pattern, base.with_extra_ignores(codes)) for pattern, codes in per_file]

    def for_file(self, path: str) -> Selection:
        best, best_length = self.base, 0
        for pattern, selection in self.per_file:
            if len(pattern) > best_length and matches_filename(path, [pattern]):
                best, best_length = selection, len(pattern)
        return best
