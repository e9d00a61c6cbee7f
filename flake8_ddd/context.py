"""Facts about one file, computed once and shared by every rule.

Where the file sits (its :class:`~flake8_ddd.layers.Location`, which also says whether it is
the settings or database module), what the module binds at module level (imports, aliases,
names, classes: one scan when the context is built), the imports of the functions the walk is
inside (scoped to them), route handlers and session-like receivers.
"""

from __future__ import annotations

import ast
import builtins
import fnmatch
import re
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Optional, Sequence, Set, Tuple, TypeVar

from flake8_ddd.ast_names import (FunctionNode, alias_assignment, bound_names, dotted_name, last_name,
                                  module_level_statements, parameters)
from flake8_ddd.layers import Location, locate_file, locate_module, resolve_relative
from flake8_ddd.options import SESSION_NAMES, Config

#: SQLAlchemy/SQLModel session classes (annotations of session parameters; DDD603).
SESSION_CLASSES = frozenset({"Session", "AsyncSession"})
ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace",
                           "api_route", "websocket"})
#: ``<owner>.session`` is Starlette's cookie session when the owner is annotated with one of these.
CONNECTION_CLASSES = frozenset({"Request", "WebSocket", "HTTPConnection"})
#: Top-level packages whose objects may be database sessions (``typing``: ``Any`` says nothing).
NOT_FOREIGN_PACKAGES = frozenset({"sqlalchemy", "sqlmodel", "typing", "typing_extensions"})
BUILTIN_NAMES = frozenset(dir(builtins))
T = TypeVar("T")


class FileContext:
    """Per-file facts. Built once per file; rules read it, the walk keeps ``function_stack``
    (the functions whose body is being walked, innermost last) and their imports current."""

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str], config: Config,
                 location: Optional[Location] = None) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines
        self.config = config
        self.location = location or locate_file(filename, config.layer, lines)
        #: Module-level imports (also in if/try/with blocks and class bodies): local name ->
        #: qualified name. Imports inside functions are in ``_local_imports``.
        self.imports: Dict[str, str] = {}
        #: Module-level ``Name = value`` / ``Name: T = value`` / ``type Name = value``, in
        #: order; a later class of the same name removes the alias.
        self.module_aliases: Dict[str, ast.AST] = {}
        #: Names bound at module level by classes, functions and assignments (not imports).
        self.module_bound_names: FrozenSet[str] = frozenset()
        #: Module-level classes (not nested in a class or function), in order.
        self.module_classes: List[ast.ClassDef] = []
        #: Module aliases of a session type (``DB = Annotated[AsyncSession, ...]``).
        self.session_aliases: Dict[str, str] = {}
        self.function_stack: List[ast.AST] = []
        self._local_imports: Dict[int, Dict[str, str]] = {}
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

    # -- the module level ----------------------------------------------------------------------

    def _read_module_level(self, body: Sequence[ast.stmt]) -> None:
        bound: Set[str] = set()
        for statement in module_level_statements(body):
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                self._read_import(statement, self.imports)
                continue
            bound.update(bound_names(statement))
            alias = alias_assignment(statement)
            if alias is not None:
                self.module_aliases[alias[0]] = alias[1]
            elif isinstance(statement, ast.ClassDef):
                self.module_aliases.pop(statement.name, None)
                self.module_classes.append(statement)
                self._read_class_imports(statement)
        self.module_bound_names = frozenset(bound)
        for name, value in self.module_aliases.items():
            kind = self.session_kind(value)
            if kind:
                self.session_aliases[name] = kind

    def _read_class_imports(self, node: ast.ClassDef) -> None:
        """Imports in a class body (and its nested classes) count as module-level ones."""
        for statement in module_level_statements(node.body):
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                self._read_import(statement, self.imports)
            elif isinstance(statement, ast.ClassDef):
                self._read_class_imports(statement)

    # -- imports -------------------------------------------------------------------------------

    def add_local_import(self, node: ast.AST) -> None:
        """An import statement inside the innermost function being walked (visible to the rest
        of that function's body, never after it)."""
        scope = self._local_imports.setdefault(id(self.function_stack[-1]), {})
        self._read_import(node, scope)

    def _read_import(self, node: ast.AST, scope: Dict[str, str]) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    scope[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    scope[top] = top
        elif isinstance(node, ast.ImportFrom):
            module = self.import_from_module(node)
            if module is None:
                return
            for alias in node.names:
                if alias.name != "*":
                    scope[alias.asname or alias.name] = f"{module}.{alias.name}"

    def imported(self, name: str) -> Optional[str]:
        """What the local ``name`` was imported as here (innermost function first), or None."""
        if self._local_imports:
            for function in reversed(self.function_stack):
                scope = self._local_imports.get(id(function))
                if scope is not None and name in scope:
                    return scope[name]
        return self.imports.get(name)

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
        """Where an import target sits (path globs and exclusions applied)."""
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
        target = self.imported(head)
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
        """The innermost function whose body is being walked (never while its decorators,
        defaults or annotations are: they are evaluated outside it)."""
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
