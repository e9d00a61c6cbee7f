"""``--new-since REF``: the lines added or changed since the merge base of ``HEAD`` and a git ref.

The working tree (committed, staged and unstaged changes) is compared with ``git merge-base
HEAD REF`` by ``git diff -U0``; files git does not track yet count as new from their first line.
A renamed file counts only its edited lines. Everything goes through the ``git`` program.
"""

from __future__ import annotations

import os
import re
from typing import Dict, FrozenSet, Iterable, List, Optional, Set

HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


class GitError(Exception):
    """git cannot answer (no repository, unknown ref, no git); one line for the user."""


def _git(arguments: List[str], cwd: str) -> str:
    import subprocess  # only when git is asked: check imports this module on every run

    try:
        done = subprocess.run(["git", "-c", "core.quotePath=true", *arguments], cwd=cwd,
                              capture_output=True, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise GitError("--new-since needs the git program, which is not installed") from None
    except OSError as error:
        raise GitError(f"cannot run git: {error.strerror or error}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {arguments[0]} failed")
    return done.stdout.decode("utf-8", "surrogateescape")


def unquote(path: str) -> str:
    """A path as git prints it: C-quoted (octal bytes, ``\\t``...) when it has unusual characters."""
    if not (len(path) >= 2 and path.startswith('"') and path.endswith('"')):
        return path
    raw = bytearray()
    body = path[1:-1]
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            following = body[index + 1]
            if following in "01234567":
                raw.append(int(body[index + 1:index + 4], 8))
                index += 4
                continue
            raw.append(_ESCAPES.get(following, ord(following)))
            index += 2
            continue
        raw.extend(char.encode("utf-8", "surrogateescape"))
        index += 1
    return raw.decode("utf-8", "surrogateescape")


def parse_diff(text: str) -> Dict[str, Set[int]]:
    """``path -> added or changed line numbers`` (new side) from ``git diff -U0`` output."""
    changed: Dict[str, Set[int]] = {}
    current: Optional[Set[int]] = None
    for line in text.splitlines():
        if line.startswith("+++ "):
            target = line[4:].rstrip("\t")
            if target == "/dev/null":
                current = None
                continue
            target = unquote(target)
            current = changed.setdefault(target[2:] if target.startswith("b/") else target, set())
        elif line.startswith("@@") and current is not None:
            match = HUNK.match(line)
            if match:
                start = int(match.group(1))
                count = 1 if match.group(2) is None else int(match.group(2))
                current.update(range(start, start + count))
    return changed


class ChangedLines:
    """Which lines of which files are new since the merge base; paths are absolute."""

    def __init__(self, lines: Dict[str, FrozenSet[int]], whole_files: FrozenSet[str], base: str) -> None:
        self.lines = lines
        self.whole_files = whole_files
        self.base = base

    def is_new(self, path: str, line: int) -> bool:
        key = os.path.normcase(os.path.realpath(path))
        return key in self.whole_files or line in self.lines.get(key, ())


def changed_since(ref: str, cwd: Optional[str] = None) -> ChangedLines:
    """The lines added or changed in the working tree since the merge base of HEAD and ``ref``."""
    cwd = os.path.abspath(cwd or os.getcwd())
    try:
        top = _git(["rev-parse", "--show-toplevel"], cwd).strip()
    except GitError:
        raise GitError(f"--new-since needs a git repository, and {cwd} is not inside one") from None
    try:
        base = _git(["merge-base", "HEAD", ref], cwd).strip()
    except GitError as error:
        raise GitError(f"--new-since {ref}: no merge base of HEAD and {ref!r} ({error})") from None
    diff = _git(["diff", "-U0", "--no-color", "--no-ext-diff", "--find-renames", "--src-prefix=a/",
                 "--dst-prefix=b/", base, "--"], top)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top)

    def absolute(path: str) -> str:
        return os.path.normcase(os.path.realpath(os.path.join(top, path)))

    lines = {absolute(p): frozenset(numbers) for p, numbers in parse_diff(diff).items()}
    whole = frozenset(absolute(p) for p in untracked.split("\0") if p)
    return ChangedLines(lines, whole, base)


def keep_new(findings: Iterable, changed: ChangedLines) -> List:
    """The findings (anything with ``path`` and ``line``) on new or changed lines."""
    return [f for f in findings if changed.is_new(f.path, f.line)]
