"""Facts about one file, computed once and shared by every rule.

Where the file sits (its :class:`~flake8_ddd.layers.Location`, which also says whether it is
the settings or database module), what the module binds at module level (imports, aliases,
names, classes: one scan when the context is built), the imports of the functions the walk is
inside (scoped to them), route handlers, and (``ctx.sessions``) session-like receivers.
"""

from __future__ import annotations

import ast
import builtins
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Optional, Sequence, Set, Tuple, TypeVar

from flake8_ddd.ast_names import (alias_assignment, bound_names, dotted_name, last_name,
                                  module_level_statements)
from flake8_ddd.layers import Location, locate_file, locate_module, resolve_relative
from flake8_ddd.options import Config
from flake8_ddd.sessions import SessionFacts

ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace",
                           "api_route", "websocket"})
BUILTIN_NAMES = frozenset(dir(builtins))
T = TypeVar("T")
#: Statements that may bind a module-level name or alias (``type X = ...`` from Python 3.12).
_ASSIGNMENTS = frozenset(getattr(ast, name) for name in ("Assign", "AnnAssign", "AugAssign", "TypeAlias")
                         if hasattr(ast, name))


class FileContext(SessionFacts):
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
        self.function_stack: List[ast.AST] = []
        self._local_imports: Dict[int, Dict[str, str]] = {}
        self._route_decorators: Dict[int, Optional[ast.Call]] = {}
        self._shared: Dict[str, Any] = {}
        self._last_qualified: Tuple[Optional[ast.AST], Optional[str]] = (None, None)
        if isinstance(tree, ast.Module):
            self._read_module_level(tree.body)
        self._init_sessions()

    def shared(self, key: str, compute: Callable[["FileContext"], T]) -> T:
        """A fact of the whole module that a rule group computes once per file
        (``compute(ctx)``) and shares. It is computed at module level, whatever function the
        walk is in: names resolve through module-level imports only."""
        try:
            return self._shared[key]
        except KeyError:
            inside = self.function_stack[:]
            del self.function_stack[:]
            try:
                value = self._shared[key] = compute(self)
            finally:
                self.function_stack[:] = inside
            return value

    def release(self) -> None:
        """Drop the per-file facts once the walk is done. Shared facts may point back at the
        context (``ModuleSchemas.ctx``): without this, each file's tree would stay alive in a
        reference cycle until the garbage collector runs, and with the collector off, forever."""
        self._shared.clear()
        self._last_qualified = (None, None)
        self._local_imports.clear()
        self._route_decorators.clear()
        self._session_params.clear()
        self._function_bindings.clear()

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
        imports, aliases = self.imports, self.module_aliases
        # One exact type test per statement (every file is read here): only imports, classes,
        # functions and assignments bind names; the rest (``Expr``, blocks) bind none.
        for statement in module_level_statements(body):
            kind = type(statement)
            if kind is ast.ImportFrom or kind is ast.Import:
                self._read_import(statement, imports)
            elif kind is ast.ClassDef:
                bound.add(statement.name)  # type: ignore[attr-defined]
                aliases.pop(statement.name, None)  # type: ignore[attr-defined]
                self.module_classes.append(statement)  # type: ignore[arg-type]
                self._read_class_imports(statement)  # type: ignore[arg-type]
            elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                bound.add(statement.name)  # type: ignore[attr-defined]
            elif kind in _ASSIGNMENTS:
                bound.update(bound_names(statement))
                alias = alias_assignment(statement)
                if alias is not None:
                    aliases[alias[0]] = alias[1]
        self.module_bound_names = frozenset(bound)

    def _read_class_imports(self, node: ast.ClassDef) -> None:
        """Imports in a class body (and its nested classes) count as module-level ones."""
        for statement in module_level_statements(node.body):
            kind = type(statement)
            if kind is ast.ImportFrom or kind is ast.Import:
                self._read_import(statement, self.imports)
            elif kind is ast.ClassDef:
                self._read_class_imports(statement)  # type: ignore[arg-type]

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

    @property
    def names_resolve_alike(self) -> bool:
        """Whether a dotted name resolves the same wherever it is in the file: no function
        walked so far has imports of its own. Rules may then keep answers per name."""
        return not self._local_imports

    def may_name_something(self, head: str) -> bool:
        """Whether a dotted name starting with ``head`` can resolve to more than a builtin:
        ``head`` is imported (at module level, or in a function when any has imports) or bound
        at module level. A cheap first test for handlers that look names up on most calls."""
        return head in self.imports or head in self.module_bound_names or bool(self._local_imports)

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
        return locate_module(dotted, self.config.layer, self.location.root)

    def qualified_name(self, node: ast.AST) -> Optional[str]:
        """``fastapi.HTTPException`` for ``E`` after ``from fastapi import HTTPException as E``.

        Names that were not imported resolve to None, except builtins (``ValueError``),
        which resolve to themselves unless shadowed by an import.
        """
        # Rules ask about the same callee one after the other (DDD603, DDD204, DDD302, ...):
        # the last answer is kept while no function has imports of its own (then the answer
        # depends on the node alone; the reference also keeps the node from being reused).
        if node is self._last_qualified[0] and not self._local_imports:
            return self._last_qualified[1]
        node_type = type(node)
        if node_type is ast.Name:  # the common cases without building the dotted name
            head, rest = node.id, ""  # type: ignore[attr-defined]
        elif node_type is ast.Attribute and type(node.value) is ast.Name:  # type: ignore[attr-defined]
            head, rest = node.value.id, node.attr  # type: ignore[attr-defined]
        else:
            name = dotted_name(node)
            if name is None:
                return None
            head, _, rest = name.partition(".")
        target = self.imports.get(head) if not self._local_imports else self.imported(head)
        if target is None:
            qualified = head if head in BUILTIN_NAMES and not rest else None
        else:
            qualified = f"{target}.{rest}" if rest else target
        if not self._local_imports:
            self._last_qualified = (node, qualified)
        return qualified

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
