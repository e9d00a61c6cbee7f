"""The baseline: a file of known findings, so that only new ones fail a run.

An entry names a finding without its line number, so inserting lines elsewhere in the file
never invalidates it: the code, the path (relative to the baseline file's directory, with
``/``), the *scope* (the qualified name of the innermost enclosing function or class, or
``<module>``) and a hash of the reported line's source with its comment and every whitespace
character removed. Identical findings in one scope are one entry with a count.

Everything here is a pure function of findings and the files' lines and trees; reading and
writing the file are the only I/O, in :func:`load` and :func:`save`.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
from typing import (Callable, Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence,
                    Set, Tuple, TypeVar)

FORMAT_VERSION = 1
MODULE_SCOPE = "<module>"
HASH_LENGTH = 16
_WHITESPACE = re.compile(r"\s+")
#: The fields that hold statements (``handlers``/``cases`` hold the nodes that hold them).
_STATEMENT_LISTS = ("body", "orelse", "finalbody", "handlers", "cases")
T = TypeVar("T")


class BaselineError(Exception):
    """A baseline file that cannot be used; the message is one line for the user."""


class Key(NamedTuple):
    """What identifies a finding in a baseline (no line number)."""

    path: str
    code: str
    scope: str
    source_hash: str


class Entry(NamedTuple):
    path: str
    code: str
    scope: str
    source_hash: str
    count: int
    #: The message of the first of the findings, for the people reading the file; never matched.
    message: str

    @property
    def key(self) -> Key:
        return Key(self.path, self.code, self.scope, self.source_hash)


class Match(NamedTuple):
    """A run's findings against a baseline."""

    #: The findings the baseline does not cover, in the order given.
    new: List
    #: How many findings the baseline covers.
    known: int
    #: Entries (or the part of their count) that matched nothing: fixed, or their file is gone.
    stale: List[Entry]

    @property
    def fixed(self) -> int:
        return sum(entry.count for entry in self.stale)


# --- the key of one finding ------------------------------------------------------------------

def strip_comment(line: str) -> str:
    """The line without its ``#`` comment (a ``#`` inside a one-line string is kept).

    A line that opens a triple-quoted string keeps everything after the quotes.
    """
    quote: Optional[str] = None
    index = 0
    while index < len(line):
        char = line[index]
        if quote is None:
            if char == "#":
                return line[:index]
            if char in "'\"":
                quote = line[index:index + 3] if line[index:index + 3] in ("'''", '"""') else char
                index += len(quote)
                continue
        elif char == "\\":
            index += 2
            continue
        elif line.startswith(quote, index):
            index += len(quote)
            quote = None
            continue
        index += 1
    return line


def normalised(line: str) -> str:
    """The line as the hash sees it: no comment, no whitespace at all (a reformat keeps it)."""
    return _WHITESPACE.sub("", strip_comment(line))


def source_hash(line: str) -> str:
    return hashlib.sha256(normalised(line).encode("utf-8", "surrogatepass")).hexdigest()[:HASH_LENGTH]


class Scopes:
    """The qualified name of the innermost function or class around each line of a module."""

    def __init__(self, tree: Optional[ast.AST]) -> None:
        #: (first line, last line, qualified name), outer scopes before inner ones.
        self.spans: List[Tuple[int, int, str]] = []
        if tree is not None:
            self._collect(tree, "")

    def _collect(self, node: ast.AST, prefix: str) -> None:
        # Definitions are statements, and statements sit only in these lists: expressions are
        # never entered (a lambda is no scope here).
        for field in _STATEMENT_LISTS:
            for child in getattr(node, field, None) or ():
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    name = prefix + child.name
                    first = min([child.lineno] + [d.lineno for d in child.decorator_list])
                    last = getattr(child, "end_lineno", None) or child.lineno
                    self.spans.append((first, last, name))
                    self._collect(child, name + ".")
                elif isinstance(child, ast.AST):
                    self._collect(child, prefix)

    def at(self, line: int) -> str:
        found = MODULE_SCOPE
        for first, last, name in self.spans:  # an inner span comes after the outer one
            if first <= line <= last:
                found = name
        return found


class FileKeys:
    """Keys for the findings of one file, from its lines (and tree, for the scopes)."""

    def __init__(self, path: str, lines: Sequence[str], tree: Optional[ast.AST]) -> None:
        self.path = path
        self.lines = lines
        self.scopes = Scopes(tree)

    def key(self, code: str, line: int) -> Key:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return Key(self.path, code, self.scopes.at(line), source_hash(text))


def parse_quietly(lines: Sequence[str]) -> Optional[ast.AST]:
    """The module's tree, or None when it does not parse (every finding is then module-level)."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse("".join(lines))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def relative_path(path: str, base_directory: str) -> str:
    """``path`` relative to the baseline file's directory, ``/``-separated."""
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(base_directory))
    return relative.replace(os.sep, "/")


# --- building, updating and matching -----------------------------------------------------------

def is_forbidden(code: str, forbid: Sequence[str]) -> bool:
    """Codes (or prefixes) that a baseline never covers: a bug, not debt."""
    return bool(forbid) and code.startswith(tuple(forbid))


def build(keyed: Iterable[Tuple[Key, str]], forbid: Sequence[str] = ()) -> List[Entry]:
    """Entries for ``(key, message)`` pairs (in line order within a file), sorted."""
    counts: Dict[Key, int] = {}
    messages: Dict[Key, str] = {}
    for key, message in keyed:
        if is_forbidden(key.code, forbid):
            continue
        counts[key] = counts.get(key, 0) + 1
        messages.setdefault(key, message)
    return sorted(Entry(*key, counts[key], messages[key]) for key in counts)


def update(old: Sequence[Entry], keyed: Iterable[Tuple[Key, str]], checked: Set[str],
           exists: Callable[[str], bool], forbid: Sequence[str] = ()) -> List[Entry]:
    """The baseline after a run over the ``checked`` paths.

    Entries of checked files are replaced by the run's findings (fixed ones drop out); entries
    of other files are kept while their file exists (a run over part of the project never
    forgets the rest).
    """
    entries = build(keyed, forbid)
    kept = [e for e in old if e.path not in checked and exists(e.path)
            and not is_forbidden(e.code, forbid)]
    return sorted(entries + kept)


def match(entries: Sequence[Entry], keyed: Sequence[Tuple[Key, T]], checked: Set[str],
          exists: Callable[[str], bool], forbid: Sequence[str] = ()) -> Match:
    """Split a run's findings into new and known ones, and find the stale entries.

    ``keyed`` holds each finding with its key, in line order within a file. When a scope holds
    more identical findings than its entry counts, the first ones are known and the rest new.
    An entry is stale for the part of its count that matched nothing in a checked file, or
    entirely when its file no longer exists.
    """
    remaining: Dict[Key, int] = {}
    by_key: Dict[Key, Entry] = {}
    for entry in entries:
        if is_forbidden(entry.code, forbid):
            continue
        remaining[entry.key] = remaining.get(entry.key, 0) + entry.count
        by_key.setdefault(entry.key, entry)
    new: List[T] = []
    known = 0
    for key, finding in keyed:
        left = remaining.get(key, 0)
        if left > 0 and not is_forbidden(key.code, forbid):
            remaining[key] = left - 1
            known += 1
        else:
            new.append(finding)
    stale = [by_key[key]._replace(count=left) for key, left in sorted(remaining.items())
             if left > 0 and (key.path in checked or not exists(key.path))]
    return Match(new, known, stale)


def summary(result: Match) -> str:
    """One line for standard error: ``412 known (−7 since the baseline was written), 1 new``."""
    text = f"{result.known} known"
    if result.fixed:
        text += f" (\u2212{result.fixed} since the baseline was written)"
    return f"{text}, {len(result.new)} new"


def describe_stale(entry: Entry) -> str:
    times = f" ({entry.count} times)" if entry.count > 1 else ""
    return f"{entry.path}: {entry.code} in {entry.scope}{times} is no longer found: {entry.message}"


# --- the file ----------------------------------------------------------------------------------

HEADER_NOTE = ("Known findings of flake8-ddd, written by `flake8-ddd check --write-baseline`. "
               "Entries carry no line numbers: scope is the enclosing function or class, hash "
               "identifies the reported line's code. Fix a finding and rewrite the file to drop it.")


def dumps(entries: Sequence[Entry]) -> str:
    """The file's text: sorted, one entry per line, so that diffs show one line per change."""
    rows = [json.dumps({"path": e.path, "code": e.code, "scope": e.scope, "hash": e.source_hash,
                        "count": e.count, "message": e.message}, ensure_ascii=False)
            for e in sorted(entries)]
    body = ",\n".join("    " + row for row in rows)
    return ("{\n"
            f'  "version": {FORMAT_VERSION},\n'
            f'  "tool": "flake8-ddd",\n'
            f'  "note": {json.dumps(HEADER_NOTE)},\n'
            f'  "total": {sum(e.count for e in entries)},\n'
            '  "entries": [' + ("\n" + body + "\n  " if rows else "") + "]\n}\n")


def loads(text: str, where: str = "baseline") -> List[Entry]:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise BaselineError(f"{where}: not a flake8-ddd baseline (invalid JSON: {error})") from None
    if not isinstance(document, dict) or "entries" not in document:
        raise BaselineError(f"{where}: not a flake8-ddd baseline (no \"entries\" list)")
    version = document.get("version")
    if version != FORMAT_VERSION:
        raise BaselineError(f"{where}: baseline format version {version!r} is not supported "
                            f"(this flake8-ddd reads version {FORMAT_VERSION}); rewrite it with "
                            f"`flake8-ddd check --write-baseline {where}`")
    rows = document["entries"]
    if not isinstance(rows, list):
        raise BaselineError(f"{where}: \"entries\" must be a list")
    return [_entry(row, number, where) for number, row in enumerate(rows, start=1)]


def _entry(row: object, number: int, where: str) -> Entry:
    if not isinstance(row, Mapping):
        raise BaselineError(f"{where}: entry {number} is not an object")
    values = []
    for field in ("path", "code", "scope", "hash"):
        value = row.get(field)
        if not isinstance(value, str) or not value:
            raise BaselineError(f"{where}: entry {number}: {field!r} must be a non-empty string")
        values.append(value)
    count = row.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise BaselineError(f"{where}: entry {number}: 'count' must be a positive integer")
    message = row.get("message", "")
    return Entry(*values, count, message if isinstance(message, str) else "")


def load(path: str) -> List[Entry]:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such baseline file (write one with "
                            f"`flake8-ddd check --write-baseline {path}`)") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BaselineError(f"{path}: cannot read the baseline: "
                            f"{getattr(error, 'strerror', None) or error}") from None
    return loads(text, path)


def save(path: str, entries: Sequence[Entry]) -> None:
    """Write the file atomically (a reader never sees half of it)."""
    directory = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(dumps(entries))
        os.replace(temporary, path)
    except OSError as error:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise BaselineError(f"{path}: cannot write the baseline: {error.strerror or error}") from None
