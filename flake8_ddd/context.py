"""Facts about one file, computed once and shared by every rule.

The layer and feature, the import table (local name -> qualified name), route handlers,
session-like receivers and the function the walk is currently inside.
"""

from __future__ import annotations

import ast
import builtins
import fnmatch
import re
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, TypeVar

from flake8_ddd.layers import Location, locate_file, locate_module, resolve_relative
from flake8_ddd.options import SESSION_NAMES, Config

ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace",
                           "api_route", "websocket"})
SESSION_CLASSES = frozenset({"Session", "AsyncSession"})
#: ``<owner>.session`` is Starlette's cookie session when the owner is annotated with one of these.
CONNECTION_CLASSES = frozenset({"Request", "WebSocket", "HTTPConnection"})
#: Top-level packages whose objects may be database sessions (``typing``: ``Any`` says nothing).
NOT_FOREIGN_PACKAGES = frozenset({"sqlalchemy", "sqlmodel", "typing", "typing_extensions"})
BUILTIN_NAMES = frozenset(dir(builtins))
FunctionNode = (ast.FunctionDef, ast.AsyncFunctionDef)
T = TypeVar("T")
TYPE_ALIAS = getattr(ast, "TypeAlias", None)


def dotted_name(node: ast.AST) -> Optional[str]:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def last_name(node: ast.AST) -> Optional[str]:
    """The last part of a Name/Attribute (``session`` for ``self.session``)."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def call_method(node: ast.Call) -> Optional[str]:
    """The method name of ``receiver.method(...)`` calls."""
    return node.func.attr if isinstance(node.func, ast.Attribute) else None


def _params(function: ast.AST) -> List[ast.arg]:
    args = getattr(function, "args", None)
    return args.posonlyargs + args.args + args.kwonlyargs if args is not None else []


def module_level_statements(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, descending into if/try/with blocks but not into defs."""
    stack = list(reversed(body))
    while stack:
        statement = stack.pop()
        yield statement
        nested: List[ast.stmt] = []
        if isinstance(statement, (ast.If, ast.While, ast.For, ast.AsyncFor)):
            nested = statement.body + statement.orelse
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            nested = statement.body
        elif isinstance(statement, ast.Try) or statement.__class__.__name__ == "TryStar":
            nested = statement.body + statement.orelse + statement.finalbody  # type: ignore[attr-defined]
            for handler in statement.handlers:  # type: ignore[attr-defined]
                nested = nested + handler.body
        stack.extend(reversed(nested))


class FileContext:
    """Per-file facts. Built once per file; rules read it, the walker keeps it current."""

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str], config: Config,
                 location: Optional[Location] = None) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines
        self.config = config
        self.location = location or locate_file(filename, config.layer, lines)
        self.imports: Dict[str, str] = {}
        self.session_aliases: Dict[str, str] = {}
        self.function_stack: List[ast.AST] = []
        self._session_params: Dict[int, Dict[str, str]] = {}
        self._route_decorators: Dict[int, Optional[ast.Call]] = {}
        self._function_bindings: Dict[int, Dict[str, bool]] = {}
        self._shared: Dict[str, Any] = {}
        names = config.get(SESSION_NAMES)
        self._session_exact = frozenset(n for n in names if not any(c in n for c in "*?["))
        patterns = [fnmatch.translate(n) for n in names if any(c in n for c in "*?[")]
        self._session_pattern = re.compile("|".join(patterns)) if patterns else None
        if isinstance(tree, ast.Module):
            self._read_module_level(tree.body)

    def shared(self, key: str, compute: Callable[["FileContext"], T]) -> T:
        """A fact a rule group computes once per file (``compute(ctx)``) and shares."""
        try:
            return self._shared[key]
        except KeyError:
            value = self._shared[key] = compute(self)
            return value

    # -- where the file is ---------------------------------------------------------------------

    @property
    def layers(self) -> frozenset:
        return self.location.layers

    @property
    def feature(self) -> Optional[str]:
        return self.location.feature

    # -- imports -------------------------------------------------------------------------------

    def _read_module_level(self, body: Sequence[ast.stmt]) -> None:
        for statement in module_level_statements(body):
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                self.add_import(statement)
            elif isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                self._note_alias(statement.targets[0], statement.value)
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                self._note_alias(statement.target, statement.value)
            elif TYPE_ALIAS is not None and isinstance(statement, TYPE_ALIAS):
                self._note_alias(statement.name, statement.value)  # type: ignore[attr-defined]

    def _note_alias(self, target: ast.AST, value: ast.AST) -> None:
        if isinstance(target, ast.Name):
            kind = self.session_kind(value)
            if kind:
                self.session_aliases[target.id] = kind

    def add_import(self, node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.imports[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    self.imports[top] = top
        elif isinstance(node, ast.ImportFrom):
            module = self.import_from_module(node)
            if module is None:
                return
            for alias in node.names:
                if alias.name != "*":
                    self.imports[alias.asname or alias.name] = f"{module}.{alias.name}"

    def import_from_module(self, node: ast.ImportFrom) -> Optional[str]:
        """The absolute dotted module of a ``from ... import``, relative ones resolved."""
        parts = self.location.module_parts
        is_package = self.location.stem == "__init__"
        if is_package:
            parts = parts[:-1]
        return resolve_relative(node.module, node.level or 0, parts, is_package)

    def import_targets(self, node: ast.AST) -> Iterator[str]:
        """Dotted names an import statement brings in (``from a.b import c`` -> ``a.b.c``)."""
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            module = self.import_from_module(node)
            if module is None:
                return
            for alias in node.names:
                yield module if alias.name == "*" else f"{module}.{alias.name}"

    def is_first_party(self, dotted: str, level: int = 0) -> bool:
        """Whether an import target belongs to the application being checked."""
        if level:
            return True
        top = dotted.split(".")[0]
        if top in self.config.layer.app_packages:
            return True
        parts = self.location.module_parts
        return len(parts) > 1 and top in parts[:-1]

    def locate_import(self, dotted: str) -> Location:
        return locate_module(dotted, self.config.layer)

    def qualified_name(self, node: ast.AST) -> Optional[str]:
        """``fastapi.HTTPException`` for ``E`` after ``from fastapi import HTTPException as E``.

        Names that were not imported resolve to None, except builtins (``ValueError``),
        which resolve to themselves unless shadowed by an import.
        """
        name = dotted_name(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        target = self.imports.get(head)
        if target is None:
            return name if head in BUILTIN_NAMES and not rest else None
        return f"{target}.{rest}" if rest else target

    def resolved_last_name(self, node: ast.AST) -> Optional[str]:
        """Last part of the import-resolved name (``Session`` for ``S`` after ``import ... as S``)."""
        qualified = self.qualified_name(node)
        return qualified.rsplit(".", 1)[-1] if qualified else last_name(node)

    # -- functions -----------------------------------------------------------------------------

    @property
    def current_function(self) -> Optional[ast.AST]:
        return self.function_stack[-1] if self.function_stack else None

    def route_decorator(self, function: ast.AST) -> Optional[ast.Call]:
        """The ``@x.get(...)``-style decorator call that makes ``function`` a route handler."""
        key = id(function)
        if key not in self._route_decorators:
            found = None
            for decorator in getattr(function, "decorator_list", ()):
                if (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
                        and decorator.func.attr in ROUTE_METHODS):
                    found = decorator
                    break
            self._route_decorators[key] = found
        return self._route_decorators[key]

    def is_route_handler(self, function: Optional[ast.AST]) -> bool:
        return function is not None and self.route_decorator(function) is not None

    @property
    def in_route_handler(self) -> bool:
        """Whether the innermost enclosing function is a route handler."""
        return self.is_route_handler(self.current_function)

    # -- sessions ------------------------------------------------------------------------------

    def session_kind(self, annotation: Optional[ast.AST]) -> Optional[str]:
        """``"Session"`` or ``"AsyncSession"`` when an annotation denotes a SQLAlchemy session."""
        if annotation is None:
            return None
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except (SyntaxError, ValueError):  # ValueError: NUL bytes on Python < 3.12
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
            args = function.args
            for arg in args.posonlyargs + args.args + args.kwonlyargs:
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
            for arg in _params(function):
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
            param = next((arg for arg in _params(function) if arg.arg == name), None)
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
