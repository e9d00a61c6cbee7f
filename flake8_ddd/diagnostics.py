"""What a run reports: the engine's findings, the user-facing rows, and the codes that are not rules.

Every other module imports these from here; nothing here imports the rest of the package.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, NamedTuple, Optional

#: A rule crashed on a file (reported instead of crashing flake8).
INTERNAL_ERROR_CODE = "DDD000"
#: Codes of the standalone command itself: a file that is not valid Python, or not readable.
SYNTAX_ERROR_CODE = "E999"
READ_ERROR_CODE = "E902"


class CodeDoc(NamedTuple):
    """What the output formats say about a code (its name, SARIF's rule descriptor)."""

    code: str
    #: Kebab-case name (``commit-in-crud``).
    name: str
    summary: str
    explanation: str
    #: The full documentation (``flake8-ddd rule CODE``); empty for the codes that are no rule.
    help: str = ""
    enabled_by_default: bool = True
    #: Rule metadata for SARIF (scope, opt-in, message); None for the codes that are no rule.
    properties: Optional[Mapping[str, Any]] = None


def _non_rule(code: str, name: str, text: str) -> CodeDoc:
    return CodeDoc(code, name, text, text)


#: The codes a run can report that are not rules: DDD000, E999, E902.
NON_RULE_CODES: Dict[str, CodeDoc] = {doc.code: doc for doc in (
    _non_rule(INTERNAL_ERROR_CODE, "internal-error", "a rule crashed on this file; please report it"),
    _non_rule(SYNTAX_ERROR_CODE, "syntax-error",
              "the file is not valid Python (SyntaxError); it was not checked"),
    _non_rule(READ_ERROR_CODE, "unreadable-file",
              "the file could not be read as Python source (unreadable, undecodable or "
              "containing NUL bytes); it was not checked"),
)}


class Finding(NamedTuple):
    """One finding of the engine, in one file."""

    line: int
    col: int
    code: str
    message: str  # full text, starting with the code


class Reported(NamedTuple):
    """One finding as shown to the user."""

    path: str
    line: int
    #: 0-based, in characters (the engine's AST offsets are in UTF-8 bytes).
    col: int
    code: str
    #: Without the leading code.
    text: str
    #: The physical line (without its newline), for the ``full`` format and end columns.
    source: str


def internal_error(where: str, error: BaseException, detail: Optional[str] = None) -> Finding:
    """The one DDD000 finding that stands for a crash in ``where`` (a rule code or the engine)."""
    text = f"{type(error).__name__}: {error if detail is None else detail}"
    text = " ".join(text.split())
    return Finding(1, 0, INTERNAL_ERROR_CODE, f"{INTERNAL_ERROR_CODE} internal error in {where}: {text}")
