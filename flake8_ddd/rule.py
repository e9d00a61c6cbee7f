"""The rule base class: metadata, documentation checks, handler marks and reporting."""

from __future__ import annotations

import ast
import enum
import re
from typing import TYPE_CHECKING, Callable, ClassVar, Dict, FrozenSet, List, Tuple

from flake8_ddd.diagnostics import Finding
from flake8_ddd.layers import Layer, Location
from flake8_ddd.option import Option

if TYPE_CHECKING:
    from flake8_ddd.context import FileContext

CODE_PATTERN = re.compile(r"^DDD\d{3}$")
DOC_SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Options")
VERSION_PATTERN = re.compile(r"^\d+\.\d+\.\d+$")


class Scope(enum.Enum):
    """Which files a rule looks at (test files never). The value is the docs' wording."""

    #: Every file, with or without a layer (route-handler rules, DDD006).
    ANY_FILE = "any file"
    #: Every file that has a layer.
    ANY_LAYERED_FILE = "any file with a layer"
    #: The files of the rule's ``layers`` (at least one).
    LAYERS = "layers"
    #: A feature package's ``__init__.py`` (the rule looks at the package's directory).
    FEATURE_PACKAGE = "feature packages' `__init__.py`"


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
    #: Version that introduced the rule (required, no default).
    since: ClassVar[str]
    #: Which files the rule looks at (required, no default).
    scope: ClassVar[Scope]
    #: With ``Scope.LAYERS``: the layers whose files the rule looks at; empty otherwise.
    layers: ClassVar[FrozenSet[Layer]] = frozenset()
    #: Whether findings depend on other files than the one checked (a cached result of the
    #: file alone may be stale).
    reads_other_files: ClassVar[bool] = False
    opt_in: ClassVar[bool] = False
    #: Words of which at least one must occur in a file's text for the rule to find anything in
    #: it (e.g. the last part of every qualified name it matches); the rule is not even
    #: instantiated for other files. Empty: the rule always runs.
    required_words: ClassVar[Tuple[str, ...]] = ()
    options: ClassVar[Tuple[Option, ...]] = ()
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
        if not VERSION_PATTERN.match(getattr(cls, "since", None) or ""):
            raise TypeError(f"{cls.code}: since must name the version that introduced it (e.g. 0.1.0)")
        _check_scope(cls)
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
    def applies_to(cls, location: Location) -> bool:
        """Whether the rule looks at a (non-test) file located at ``location``."""
        scope = cls.scope
        if scope is Scope.LAYERS:
            return bool(cls.layers & location.layers)
        if scope is Scope.ANY_LAYERED_FILE:
            return bool(location.layers)
        if scope is Scope.FEATURE_PACKAGE:
            return location.stem == "__init__"
        return True

    @classmethod
    def scope_text(cls) -> str:
        """Where the rule looks, in words (``crud, services``, ``any file``)."""
        if cls.scope is Scope.LAYERS:
            return ", ".join(sorted(layer.value for layer in cls.layers))
        return cls.scope.value

    # -- reporting ----------------------------------------------------------------------------

    def report(self, node: ast.AST, **values: object) -> None:
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        self.findings.append(Finding(line, col, self.code, f"{self.code} {self.message.format(**values)}"))

    def finish(self) -> None:
        """Called once after the walk, for whole-file checks."""


def _check_scope(cls: type) -> None:
    code = getattr(cls, "code", "")
    scope = getattr(cls, "scope", None)
    if not isinstance(scope, Scope):
        raise TypeError(f"{code}: scope must be a Scope (Scope.LAYERS, Scope.ANY_FILE, ...)")
    if (scope is Scope.LAYERS) != bool(getattr(cls, "layers", None)):
        raise TypeError(f"{code}: layers are given with Scope.LAYERS and only then")
