"""``--add-noqa``: write ``# noqa: DDDxxx`` where flake8 will read it, so the next run is quiet.

flake8 looks for ``# noqa`` in the text of a finding's line *joined with the lines a token
carries it across*: every line from one NL/NEWLINE token to the next (a multi-line string, a
backslash continuation). The only place a comment can go in such a range is the end of its
last line, so that is where the comment is written. flake8 reads only the first ``# noqa`` of
that text, so an existing ``# noqa: E501`` there is extended (``# noqa: E501, DDD001``) rather
than followed by a second one. Nothing is ever written inside a string or after a backslash:
a finding that cannot be silenced that way (a ``# noqa`` spelled inside a string comes first)
is left alone and counted.

A reason goes after the codes as ruff and tach users write it (``# noqa: DDD001 legacy
code``); flake8's pattern reads codes only while they look like codes, so when the reason's
first word looks like one (``E5 until ...``) it is written after ``--`` instead.
"""

from __future__ import annotations

import io
import re
import tokenize
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Set, Tuple

#: flake8's ``defaults.NOQA_INLINE_REGEXP`` (flake8 6 and 7).
NOQA_INLINE = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
_SEPARATORS = ",\t\n\x0b\x0c\r "
_BLANKS = " \t"
_FMT_SKIP = re.compile(r"#\s*fmt:\s*skip\s*$")
#: Codes the tool never writes a noqa for: its own errors are bugs or unreadable files.
NEVER_SILENCED = ("DDD000", "E902", "E999")


class NoqaLayout:
    """flake8's view of one file: the range of lines each line's ``# noqa`` is read from, and
    where the comment of each line starts (from the tokenizer, so ``#`` in strings is not one).

    ``ok`` is False when the file cannot be tokenized (then nothing can be placed safely).
    """

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = [line.replace("\r\n", "\n").replace("\r", "\n") for line in lines]
        #: line -> (first, last) line of its range
        self.ranges: Dict[int, Tuple[int, int]] = {}
        #: line -> column (characters) where its comment starts
        self.comments: Dict[int, int] = {}
        self.ok = self._scan()

    def _scan(self) -> bool:
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO("".join(self.lines)).readline))
        except (tokenize.TokenError, SyntaxError, ValueError):
            return False
        low, high = len(self.lines) + 2, -1
        for token in tokens:
            if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
                continue
            if token.type == tokenize.COMMENT:
                self.comments[token.start[0]] = token.start[1]
            low, high = min(low, token.start[0]), max(high, token.end[0])
            if token.type in (tokenize.NL, tokenize.NEWLINE):
                for number in range(low, high + 1):
                    self.ranges[number] = (low, high)
                low, high = len(self.lines) + 2, -1
        return True

    def range_of(self, line: int) -> Tuple[int, int]:
        return self.ranges.get(line, (line, line))

    def joined(self, first: int, last: int) -> str:
        return "".join(self.lines[first - 1:last])

    def first_noqa(self, line: int) -> Tuple[Optional["re.Match[str]"], bool]:
        """flake8's ``# noqa`` match for ``line``, and whether it lies in a real comment."""
        first, last = self.range_of(line)
        text = self.joined(first, last)
        match = NOQA_INLINE.search(text)
        if match is None:
            return None, False
        offset = 0
        for number in range(first, last + 1):
            length = len(self.lines[number - 1]) if number <= len(self.lines) else 0
            if match.start() < offset + length:
                column = self.comments.get(number)
                return match, column is not None and match.start() >= offset + column
            offset += length
        return match, False


def noqa_codes(match: "re.Match[str]") -> Optional[List[str]]:
    """The codes of a ``# noqa`` match as flake8 splits them; None for a bare ``# noqa``."""
    listed = match.group("codes")
    if listed is None:
        return None
    return [code for code in re.split(r"[,\s]", listed) if code]


def silenced(code: str, match: Optional["re.Match[str]"]) -> bool:
    """flake8's decision: does this ``# noqa`` match silence ``code``?"""
    if match is None:
        return False
    codes = noqa_codes(match)
    return codes is None or code in codes or code.startswith(tuple(codes))


def clean_reason(reason: Optional[str]) -> str:
    """The reason on one line, and kept apart from the codes when it would read as one."""
    text = " ".join((reason or "").split())
    if not text:
        return ""
    probe = NOQA_INLINE.match("# noqa: DDD001 " + text)
    if probe is not None and noqa_codes(probe) != ["DDD001"]:
        return "-- " + text
    return text


class Result(NamedTuple):
    lines: List[str]
    #: Line numbers (1-based) whose text changed.
    touched: List[int]
    #: ``(line, code)`` findings that no comment could silence.
    skipped: List[Tuple[int, str]]


def add_noqa(lines: Sequence[str], findings: Iterable[Tuple[int, str]],
             reason: Optional[str] = None) -> Result:
    """The lines with ``# noqa`` comments that silence every ``(line, code)`` finding.

    ``lines`` keep their own line endings (``\\n``, ``\\r\\n``), which are kept.
    """
    layout = NoqaLayout(lines)
    wanted: Dict[int, Set[str]] = {}
    skipped: List[Tuple[int, str]] = []
    for line, code in findings:
        if code in NEVER_SILENCED or not layout.ok or not 0 < line <= max(len(lines), 1):
            skipped.append((line, code))
            continue
        match, in_comment = layout.first_noqa(line)
        if silenced(code, match):
            continue  # already silent (the caller passed a finding flake8 would not show)
        if match is not None and not in_comment:
            skipped.append((line, code))  # a "# noqa" inside a string comes first
            continue
        wanted.setdefault(layout.range_of(line)[1], set()).add(code)
    result = list(lines) or [""]
    text = clean_reason(reason)
    touched = []
    for target in sorted(wanted):
        updated = _with_codes(result[target - 1], layout.comments.get(target), sorted(wanted[target]), text)
        if updated != result[target - 1]:
            result[target - 1] = updated
            touched.append(target)
    if result == [""] and not lines:
        result = []
    check = NoqaLayout(result)
    for target in touched:  # the safety net: flake8's own reading of the new text
        first, _ = layout.range_of(target)
        for code in wanted[target]:
            if not silenced(code, check.first_noqa(first)[0]):
                skipped.append((target, code))
    return Result(result, touched, sorted(set(skipped)))


def _with_codes(line: str, comment_column: Optional[int], codes: List[str], reason: str) -> str:
    body = line.rstrip("\r\n")
    ending = line[len(body):] or ("\n" if line == "" else "")
    if comment_column is None:
        if not body.strip():  # an empty file's line 1
            return f"{_comment(codes, reason)}{ending}"
        return f"{body.rstrip(_BLANKS)}  {_comment(codes, reason)}{ending}"
    code_part, comment = body[:comment_column], body[comment_column:]
    match = NOQA_INLINE.search(comment)
    if match is not None and match.group("codes") is not None:
        end = match.end("codes")
        while end > match.start("codes") and comment[end - 1] in _SEPARATORS:
            end -= 1
        rest = comment[end:]
        extra = f" {reason}" if reason and not rest.strip() else ""
        rest = rest if rest.strip() else ""
        return f"{code_part}{comment[:end]}, {', '.join(codes)}{extra}{rest}{ending}"
    skip = _FMT_SKIP.search(comment)
    if skip is not None:  # keep `# fmt: skip` last, where formatters look for it
        before = comment[:skip.start()].rstrip()
        head = f"{code_part}{before}  " if before else code_part
        return f"{head}{_comment(codes, reason)}  {comment[skip.start():]}{ending}"
    return f"{code_part}{comment.rstrip()}  {_comment(codes, reason)}{ending}"


def _comment(codes: List[str], reason: str) -> str:
    return f"# noqa: {', '.join(codes)}" + (f" {reason}" if reason else "")


# --- files -------------------------------------------------------------------------------------

class FileResult(NamedTuple):
    path: str
    touched: List[int]
    skipped: List[Tuple[int, str]]
    #: Why the file was not changed at all (unreadable, unwritable), or None.
    error: Optional[str] = None


def split_lines(text: str) -> List[str]:
    """Lines with their endings, split where Python's universal newlines split (not on \\f)."""
    return io.StringIO(text, newline="").readlines()


def add_noqa_to_file(path: str, findings: Iterable[Tuple[int, str]],
                     reason: Optional[str] = None) -> FileResult:
    """Rewrite one file in place, keeping its encoding, BOM and line endings."""
    findings = list(findings)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError) as error:
        return FileResult(path, [], findings, f"cannot read: {error}")
    result = add_noqa(split_lines(text), findings, reason)
    if not result.touched:
        return FileResult(path, [], result.skipped)
    try:
        encoded = "".join(result.lines).encode(encoding)
    except UnicodeEncodeError:
        return FileResult(path, [], findings, f"the reason cannot be written in {encoding}")
    try:
        with open(path, "wb") as handle:
            handle.write(encoded)
    except OSError as error:
        return FileResult(path, [], findings, f"cannot write: {error.strerror or error}")
    return FileResult(path, result.touched, result.skipped)
