"""What one module tells the project index: compact facts read from its syntax tree.

The facts of a module are small tuples of strings (cheap to pickle and to store as JSON):

- the names it binds at module level to other objects: imports (``from .errors import
  NotFound as Missing`` -> ``("Missing", "app.user.errors.NotFound")``) and plain aliases
  (``Missing = NotFound``), each resolved to a qualified name as far as the module itself knows;
- the modules it star-imports;
- its module-level classes, with their bases as qualified names and a few flags
  (``__tablename__``, ``table=True``, ``__abstract__ = True``), plus the names bound to a
  SQLAlchemy declarative base by a call (``Base = declarative_base()``);
- the types route handlers take as request-body parameters (qualified names, still unchecked:
  the index keeps the ones that turn out to be Pydantic classes of the project).

Nothing here looks at other files; :mod:`flake8_ddd.project_index` resolves the facts of all
modules together.
"""

from __future__ import annotations

import ast
import builtins
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from flake8_ddd.ast_names import dotted_name, last_name, module_level_statements, parse_string_annotation

#: Decorator methods that make a function a route handler (as in ``FileContext``).
ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace",
                           "api_route", "websocket"})
#: Parameter markers that take a value from elsewhere than the request body.
NOT_BODY_MARKERS = frozenset({"Depends", "Security", "Query", "Path", "Header", "Cookie"})
#: Wrappers whose arguments are the parameter's types (``list[ItemIn]``, ``ItemIn | None``).
TYPE_WRAPPERS = frozenset({"Optional", "Union", "List", "list", "Sequence", "set", "Set",
                           "frozenset", "FrozenSet", "tuple", "Tuple", "Iterable"})
ANNOTATED = "Annotated"
#: Calls that create a SQLAlchemy declarative base class (``Base = declarative_base()``).
DECLARATIVE_FACTORIES = frozenset({"declarative_base", "generate_base"})
BUILTIN_NAMES = frozenset(dir(builtins))
MAX_NESTING = 50

#: Class flags: declares ``__tablename__``; ``table=True``; ``__abstract__ = True``;
#: a declarative base made by a call or by ``@as_declarative``.
TABLENAME, TABLE_KEYWORD, ABSTRACT, DECLARATIVE = "t", "T", "a", "D"


class ClassFacts(NamedTuple):
    name: str
    #: Qualified names of the bases that could be resolved (``fastapi.HTTPException``,
    #: ``app.user.errors.UserError``); bases that are not names are left out.
    bases: Tuple[str, ...]
    flags: str


class FileFacts(NamedTuple):
    #: ``app.user.errors`` (a package's ``__init__`` is the package).
    module: str
    #: Module-level names bound to something elsewhere: (local name, qualified name).
    names: Tuple[Tuple[str, str], ...]
    stars: Tuple[str, ...]
    classes: Tuple[ClassFacts, ...]
    #: Qualified names of types used as request-body parameters of route handlers.
    bodies: Tuple[str, ...]

    def to_json(self) -> list:
        return [self.module, [list(n) for n in self.names], list(self.stars),
                [[c.name, list(c.bases), c.flags] for c in self.classes], list(self.bodies)]

    @classmethod
    def from_json(cls, data: list) -> "FileFacts":
        module, names, stars, classes, bodies = data
        return cls(str(module), tuple((str(a), str(b)) for a, b in names),
                   tuple(str(s) for s in stars),
                   tuple(ClassFacts(str(n), tuple(str(b) for b in bs), str(f)) for n, bs, f in classes),
                   tuple(str(b) for b in bodies))


def module_name(module_parts: Sequence[str]) -> str:
    """``app.user`` for ``("app", "user", "__init__")``; ``app.user.errors`` otherwise."""
    parts = list(module_parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def empty_facts(module: str) -> FileFacts:
    return FileFacts(module, (), (), (), ())


def resolve_relative(module: Optional[str], level: int, package: Sequence[str]) -> Optional[str]:
    """``from ..x import y`` inside ``package`` (the importing module's package parts)."""
    if not level:
        return module
    parts = list(package)
    if level - 1 > len(parts):
        return None
    parts = parts[: len(parts) - (level - 1)]
    if module:
        parts.extend(module.split("."))
    return ".".join(parts) if parts else None


class _Reader:
    """Reads one module's facts; ``local`` maps every module-level name to a qualified name."""

    def __init__(self, module: str, is_package: bool) -> None:
        self.module = module
        self.package = module.split(".") if is_package else module.split(".")[:-1]
        self.local: Dict[str, str] = {}
        self.names: Dict[str, str] = {}
        self.stars: List[str] = []
        self.classes: List[ClassFacts] = []
        self.bodies: List[str] = []

    def qualify(self, node: ast.AST) -> Optional[str]:
        name = dotted_name(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        target = self.local.get(head)
        if target is None:
            return f"builtins.{name}" if head in BUILTIN_NAMES and not rest else None
        return f"{target}.{rest}" if rest else target

    def read(self, tree: ast.AST, routes: bool = True) -> FileFacts:
        for statement in module_level_statements(getattr(tree, "body", [])):
            if isinstance(statement, ast.Import):
                for alias in statement.names:
                    if alias.asname:
                        self._bind(alias.asname, alias.name)
                    else:
                        top = alias.name.split(".")[0]
                        self.local[top] = top
            elif isinstance(statement, ast.ImportFrom):
                self._import_from(statement)
            elif isinstance(statement, ast.ClassDef):
                self._class(statement)
            elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
                self._assign(statement)
        if routes:
            self._route_bodies(getattr(tree, "body", []))
        return FileFacts(self.module, tuple(self.names.items()), tuple(self.stars),
                         tuple(self.classes), tuple(dict.fromkeys(self.bodies)))

    def _bind(self, name: str, qualified: str) -> None:
        self.local[name] = self.names[name] = qualified

    def _import_from(self, node: ast.ImportFrom) -> None:
        source = resolve_relative(node.module, node.level or 0, self.package)
        if source is None:
            return
        for alias in node.names:
            if alias.name == "*":
                self.stars.append(source)
            else:
                self._bind(alias.asname or alias.name, f"{source}.{alias.name}")

    def _assign(self, node: ast.AST) -> None:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        else:
            targets, value = [node.target], node.value  # type: ignore[attr-defined]
        if value is None or len(targets) != 1 or not isinstance(targets[0], ast.Name):
            return
        name = targets[0].id
        if isinstance(value, ast.Call) and last_name(value.func) in DECLARATIVE_FACTORIES:
            self.classes.append(ClassFacts(name, (), DECLARATIVE))
            self.local[name] = f"{self.module}.{name}"
            return
        qualified = self.qualify(value) if isinstance(value, (ast.Name, ast.Attribute)) else None
        if qualified is not None:
            self._bind(name, qualified)
        else:
            self.local.pop(name, None)
            self.names.pop(name, None)

    def _class(self, node: ast.ClassDef) -> None:
        bases: List[str] = []
        for base in node.bases:
            if isinstance(base, ast.Subscript):  # Generic[T], RootModel[list[int]]
                base = base.value
            qualified = self.qualify(base)
            if qualified is not None:
                bases.append(qualified)
        flags = ""
        assigned = class_assignments(node)
        if "__tablename__" in assigned:
            flags += TABLENAME
        if any(k.arg == "table" and isinstance(k.value, ast.Constant) and k.value.value is True
               for k in node.keywords):
            flags += TABLE_KEYWORD
        abstract = assigned.get("__abstract__")
        if isinstance(abstract, ast.Constant) and abstract.value is True:
            flags += ABSTRACT
        if any(last_name(d.func if isinstance(d, ast.Call) else d) == "as_declarative"
               for d in node.decorator_list):
            flags += DECLARATIVE
        self.classes.append(ClassFacts(node.name, tuple(bases), flags))
        self.local[node.name] = f"{self.module}.{node.name}"
        self.names.pop(node.name, None)

    # -- request bodies ------------------------------------------------------------------------

    def _route_bodies(self, body: Sequence[ast.stmt]) -> None:
        """Body parameters of route handlers anywhere in the module (also in router factories
        and classes), found by walking statements only."""
        stack = [(statement, 0) for statement in reversed(body)]
        while stack:
            statement, depth = stack.pop()
            if depth > MAX_NESTING:
                continue
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and _is_route(statement):
                self._handler_bodies(statement)
            for name in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(statement, name, None)
                if isinstance(children, list):
                    stack.extend((c, depth + 1) for c in reversed(children) if isinstance(c, ast.AST))

    def _handler_bodies(self, function: ast.AST) -> None:
        args = function.args  # type: ignore[attr-defined]
        params = args.posonlyargs + args.args + args.kwonlyargs
        defaults: List[Optional[ast.AST]] = [None] * (len(args.posonlyargs + args.args) - len(args.defaults))
        defaults += list(args.defaults) + list(args.kw_defaults)
        for param, default in zip(params, defaults):
            if param.annotation is None or _marker(default) in NOT_BODY_MARKERS:
                continue
            self.bodies.extend(self._body_types(param.annotation, 0))

    def _body_types(self, node: ast.AST, depth: int) -> List[str]:
        if depth > MAX_NESTING:
            return []
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            parsed = parse_string_annotation(node)
            if parsed is None:
                return []
            node = parsed
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self._body_types(node.left, depth + 1) + self._body_types(node.right, depth + 1)
        if isinstance(node, ast.Subscript):
            wrapper = last_name(node.value)
            inner = node.slice
            elements = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
            if wrapper == ANNOTATED and elements:
                if any(_marker(meta) in NOT_BODY_MARKERS for meta in elements[1:]):
                    return []
                return self._body_types(elements[0], depth + 1)
            if wrapper in TYPE_WRAPPERS:
                return [t for e in elements for t in self._body_types(e, depth + 1)]
            return []
        if isinstance(node, (ast.Name, ast.Attribute)):
            qualified = self.qualify(node)
            return [qualified] if qualified and not qualified.startswith("builtins.") else []
        return []


def _marker(node: Optional[ast.AST]) -> Optional[str]:
    """``Depends`` for ``Depends(get_db)`` / ``fastapi.Depends(...)``."""
    return last_name(node.func) if isinstance(node, ast.Call) else None


def _is_route(function: ast.AST) -> bool:
    decorators = getattr(function, "decorator_list", ())
    return any(isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)
               and d.func.attr in ROUTE_METHODS for d in decorators)


def class_assignments(node: ast.ClassDef) -> Dict[str, ast.AST]:
    found: Dict[str, ast.AST] = {}
    for statement in node.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = statement.value
        elif (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
              and statement.value is not None):
            found[statement.target.id] = statement.value
    return found


def read_facts(tree: ast.AST, module_parts: Sequence[str], routes: bool = True) -> FileFacts:
    """The facts of one parsed module whose path segments are ``module_parts``; without
    ``routes``, no request bodies (the project store reads them only in modules whose text
    has a route decorator, the only ones whose bodies it ever consults)."""
    is_package = bool(module_parts) and module_parts[-1] == "__init__"
    return _Reader(module_name(module_parts), is_package).read(tree, routes)
