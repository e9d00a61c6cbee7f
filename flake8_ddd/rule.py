"""The rule base class: metadata, documentation checks, handler marks and reporting."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Callable, ClassVar, Dict, FrozenSet, List, Optional, Tuple

from flake8_ddd.diagnostics import Finding
from flake8_ddd.options import Option

if TYPE_CHECKING:
    from flake8_ddd.context import FileContext

CODE_PATTERN = re.compile(r"^DDD\d{3}$")
DOC_SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Options")


def on(*node_types: type) -> Callable:
    """Mark a rule method as the handler for the given AST node types (entering the node)."""
    def mark(method: Callable) -> Callable:
        method._ddd_enter = getattr(method, "_ddd_enter", ()) + node_types  # type: ignore[attr-defined]
        return method
    return mark


def on_leave(*node_types: type) -> Callable:
    """Mark a rule method as the handler for leaving the given node types (after children)."""
    def mark(method: Callable) -> Callable:
        method._ddd_leave = getattr(method, "_ddd_leave", ()) + node_types  # type: ignore[attr-defined]
        return method
    return mark


class Rule:
    """One numbered check. Subclasses live one per module under ``flake8_ddd/rules``."""

    code: ClassVar[str]
    message: ClassVar[str]
    #: Layers whose files this rule looks at; ``None`` means every non-test file.
    layers: ClassVar[Optional[FrozenSet]] = None
    opt_in: ClassVar[bool] = False
    #: Words of which at least one must occur in a file's text for the rule to find anything in
    #: it (e.g. the last part of every qualified name it matches); the rule is not even
    #: instantiated for other files. Empty: the rule always runs.
    required_words: ClassVar[Tuple[str, ...]] = ()
    #: Where the rule looks, in words, when ``layers`` alone does not say it.
    scope: ClassVar[Optional[str]] = None
    options: ClassVar[Tuple[Option, ...]] = ()
    since: ClassVar[str] = "0.1.0"
    enter_handlers: ClassVar[Dict[type, Tuple[str, ...]]] = {}
    leave_handlers: ClassVar[Dict[type, Tuple[str, ...]]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if not CODE_PATTERN.match(getattr(cls, "code", "")):
            raise TypeError(f"{cls.__name__}: code must look like DDD123")
        if cls.message.endswith("."):
            raise TypeError(f"{cls.code}: a message has no trailing dot")
        missing = [s for s in DOC_SECTIONS if s not in (cls.__doc__ or "")]
        if missing:
            raise TypeError(f"{cls.code}: docstring lacks sections {missing}")
        enter: Dict[type, List[str]] = {}
        leave: Dict[type, List[str]] = {}
        for attr_name in dir(cls):
            method = getattr(cls, attr_name, None)
            for node_type in getattr(method, "_ddd_enter", ()):
                enter.setdefault(node_type, []).append(attr_name)
            for node_type in getattr(method, "_ddd_leave", ()):
                leave.setdefault(node_type, []).append(attr_name)
        cls.enter_handlers = {k: tuple(v) for k, v in enter.items()}
        cls.leave_handlers = {k: tuple(v) for k, v in leave.items()}

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.findings: List[Finding] = []

    # -- metadata -----------------------------------------------------------------------------

    @classmethod
    def name(cls) -> str:
        """Kebab-case name of the flagged pattern, from the class name."""
        return re.sub(r"(?<!^)(?=[A-Z])", "-", cls.__name__).lower()

    @classmethod
    def summary(cls) -> str:
        return (cls.__doc__ or "").strip().splitlines()[0].rstrip(".")

    @classmethod
    def applies_to(cls, layers: FrozenSet) -> bool:
        return cls.layers is None or bool(cls.layers & layers)

    # -- reporting ----------------------------------------------------------------------------

    def report(self, node: ast.AST, **values: object) -> None:
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        self.findings.append(Finding(line, col, self.code, f"{self.code} {self.message.format(**values)}"))

    def finish(self) -> None:
        """Called once after the walk, for whole-file checks."""
