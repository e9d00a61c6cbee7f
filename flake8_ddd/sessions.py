"""Sessions: which names and annotations in a file denote a SQLAlchemy database session.

Mixed into :class:`~flake8_ddd.context.FileContext`, whose module scan (imports, aliases) and
function stack it reads: a *session-like receiver* is a parameter annotated ``Session``/
``AsyncSession`` (directly, through ``Annotated``/``Optional``/``Union`` or a module alias), or
a name or attribute whose last part matches ``ddd-session-names``, unless it is Starlette's
cookie session or a name bound to a third-party client session.
"""

from __future__ import annotations

import ast
import fnmatch
import functools
import re
from typing import Callable, Dict, FrozenSet, List, Optional, Tuple

from flake8_ddd.ast_names import FunctionNode, last_name, parameters, parse_string_annotation
from flake8_ddd.options import SESSION_NAMES, Config

#: SQLAlchemy/SQLModel session classes (annotations of session parameters; DDD603).
SESSION_CLASSES = frozenset({"Session", "AsyncSession"})
#: ``<owner>.session`` is Starlette's cookie session when the owner is annotated with one of these.
CONNECTION_CLASSES = frozenset({"Request", "WebSocket", "HTTPConnection"})
#: Top-level packages whose objects may be database sessions (``typing``: ``Any`` says nothing).
NOT_FOREIGN_PACKAGES = frozenset({"sqlalchemy", "sqlmodel", "typing", "typing_extensions"})


@functools.lru_cache(maxsize=64)
def _session_matchers(names: Tuple[str, ...]) -> Tuple[FrozenSet[str], Optional["re.Pattern[str]"]]:
    """The exact ``ddd-session-names`` and one expression for the globs, once per option value."""
    exact = frozenset(n for n in names if not any(c in n for c in "*?["))
    patterns = [fnmatch.translate(n) for n in names if any(c in n for c in "*?[")]
    return exact, re.compile("|".join(patterns)) if patterns else None


class SessionFacts:
    """The session part of a file's context (see the module docstring)."""

    # Provided by FileContext.
    config: Config
    function_stack: List[ast.AST]
    module_aliases: Dict[str, ast.AST]
    qualified_name: Callable[[ast.AST], Optional[str]]
    resolved_last_name: Callable[[ast.AST], Optional[str]]
    is_first_party: Callable[..., bool]

    def _init_sessions(self) -> None:
        """Called once by FileContext, after its module scan."""
        self._session_exact, self._session_pattern = _session_matchers(tuple(self.config.get(SESSION_NAMES)))
        self._session_params: Dict[int, Dict[str, str]] = {}
        self._function_bindings: Dict[int, Dict[str, bool]] = {}
        #: Module aliases of a session type (``DB = Annotated[AsyncSession, ...]``), in order
        #: (an alias may name an earlier one); read at module level, as the module scan is.
        self.session_aliases: Dict[str, str] = {}
        for name, value in self.module_aliases.items():
            kind = self.session_kind(value)
            if kind:
                self.session_aliases[name] = kind

    def session_kind(self, annotation: Optional[ast.AST]) -> Optional[str]:
        """``"Session"`` or ``"AsyncSession"`` when an annotation denotes a SQLAlchemy session."""
        if annotation is None:
            return None
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            annotation = parse_string_annotation(annotation)
            if annotation is None:
                return None
        if isinstance(annotation, ast.Subscript):
            inner = annotation.slice
            elements = inner.elts if isinstance(inner, ast.Tuple) else [inner]
            wrapper = self.resolved_last_name(annotation.value)
            if wrapper == "Annotated":
                elements = elements[:1]
            if wrapper not in ("Annotated", "Optional", "Union"):
                return None
            return next((k for k in map(self.session_kind, elements) if k), None)
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            return self.session_kind(annotation.left) or self.session_kind(annotation.right)
        name = self.resolved_last_name(annotation)
        if name in SESSION_CLASSES:
            return name
        if isinstance(annotation, ast.Name):
            return self.session_aliases.get(annotation.id)
        return None

    def session_params(self, function: Optional[ast.AST]) -> Dict[str, str]:
        """Parameters of ``function`` annotated as a session: name -> Session/AsyncSession."""
        if function is None or not isinstance(function, FunctionNode):
            return {}
        key = id(function)
        found = self._session_params.get(key)
        if found is None:
            found = {}
            for arg in parameters(function):
                kind = self.session_kind(arg.annotation)
                if kind:
                    found[arg.arg] = kind
            self._session_params[key] = found
        return found

    def _annotated_session(self, node: ast.AST) -> Optional[str]:
        if isinstance(node, ast.Name):
            for function in reversed(self.function_stack):
                kind = self.session_params(function).get(node.id)
                if kind:
                    return kind
        return None

    def is_session_receiver(self, node: ast.AST) -> bool:
        """A session-annotated parameter, or a name/attribute whose last part is session-like.

        A session-like name is not a database session when it is Starlette's cookie session
        (``request.session`` on a parameter annotated ``Request``/``WebSocket``/
        ``HTTPConnection``) or a name the enclosing function binds to a third-party,
        non-SQLAlchemy object (``session: aiohttp.ClientSession``, ``async with
        aiohttp.ClientSession() as session``, ``session = requests.Session()``).
        """
        name = last_name(node)
        if name is None:
            return False
        if self._annotated_session(node) is not None:
            return True
        if not (name in self._session_exact or (self._session_pattern and self._session_pattern.match(name))):
            return False
        if isinstance(node, ast.Attribute):
            return not self._is_connection_session(node)
        return not (isinstance(node, ast.Name) and self._is_foreign_binding(node.id))

    def _param_annotation(self, name: str) -> Tuple[bool, Optional[ast.AST]]:
        """(found, annotation) of the innermost enclosing function's parameter ``name``."""
        for function in reversed(self.function_stack):
            for arg in parameters(function):
                if arg.arg == name:
                    return True, arg.annotation
        return False, None

    def _is_connection_session(self, node: ast.Attribute) -> bool:
        if node.attr != "session" or not isinstance(node.value, ast.Name):
            return False
        found, annotation = self._param_annotation(node.value.id)
        return found and annotation is not None and self.resolved_last_name(annotation) in CONNECTION_CLASSES

    def is_foreign_object(self, node: Optional[ast.AST]) -> bool:
        """A class or factory imported from a third-party library other than SQLAlchemy/SQLModel."""
        if not isinstance(node, (ast.Name, ast.Attribute)):
            return False
        qualified = self.qualified_name(node)
        if qualified is None or "." not in qualified:
            return False
        return qualified.split(".")[0] not in NOT_FOREIGN_PACKAGES and not self.is_first_party(qualified)

    def _is_foreign_binding(self, name: str) -> bool:
        """Whether the innermost function that binds ``name`` binds it to a foreign object."""
        for function in reversed(self.function_stack):
            param = next((arg for arg in parameters(function) if arg.arg == name), None)
            if param is not None:
                return self.is_foreign_object(param.annotation)
            bindings = self._bindings(function)
            if name in bindings:
                return bindings[name]
        return False

    def _bindings(self, function: ast.AST) -> Dict[str, bool]:
        """Names a function binds by ``with ... as name`` or ``name = ...``: name -> foreign."""
        key = id(function)
        found = self._function_bindings.get(key)
        if found is None:
            found = {}
            for node in ast.walk(function):
                if isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
                    target, value = node.optional_vars, node.context_expr
                elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target, value = node.targets[0], node.value
                else:
                    continue
                if isinstance(target, ast.Name):
                    foreign = isinstance(value, ast.Call) and self.is_foreign_object(value.func)
                    found[target.id] = found.get(target.id, False) or foreign
            self._function_bindings[key] = found
        return found

    def is_async_session_receiver(self, node: ast.AST) -> bool:
        """A name annotated ``AsyncSession`` (directly, via Annotated/Optional or an alias)."""
        return self._annotated_session(node) == "AsyncSession"
