"""Cross-file facts for the rules: the project index seen from the file being checked.

Used by DDD002/DDD003 (raises of project HTTPException subclasses), DDD009 (the class that makes
a domain exception an HTTP one), DDD105 (imports of real ORM classes) and DDD402 (schemas used
as request bodies and subclasses of input schemas).

The index (:mod:`flake8_ddd.project_index`) is the one of the project the file belongs to,
built or loaded once per process; the file's own facts come from the tree being checked, so an
unsaved editor buffer or a file on stdin counts as it is. A name is resolved with the file's
imports (``ctx.qualified_name``), else as a module-level name of the file itself.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Tuple

from flake8_ddd.ast_names import dotted_name, head_name, last_name
from flake8_ddd.layers import Layer
from flake8_ddd.project_facts import FileFacts, module_name, read_facts
from flake8_ddd.project_index import BODY, HTTP, ORM, ProjectIndex
from flake8_ddd.project_store import index_for
from flake8_ddd.rule import on
from flake8_ddd.rules._http import http_exception_use

if TYPE_CHECKING:
    from flake8_ddd.context import FileContext

HTTP_EXCEPTION = "HTTPException"
#: Not yet looked up (None is an answer: "raises no HTTP exception").
_UNKNOWN = object()


def own_facts(ctx: FileContext) -> FileFacts:
    """The facts of the file being checked, read from its tree (no other file is read)."""
    return ctx.shared("project_facts", lambda c: read_facts(c.tree, c.location.module_parts))


def project(ctx: FileContext) -> ProjectIndex:
    """The project index, with this file's facts as they are in the tree being checked."""
    return ctx.shared("project", lambda c: index_for(c.filename).seen_from(
        own_module(c), "".join(c.lines), lambda: own_facts(c)))


def own_module(ctx: FileContext) -> str:
    return module_name(ctx.location.module_parts)


def qualify(ctx: FileContext, expr: ast.AST) -> Optional[str]:
    """The qualified name ``expr`` denotes: through the imports, or a module-level name of
    this file (``NotFound`` defined or aliased above). None for anything else."""
    qualified = ctx.qualified_name(expr)
    if qualified is not None:
        return qualified if "." in qualified else None
    name = dotted_name(expr)
    if name is None:
        return None
    if name.split(".", 1)[0] in ctx.module_bound_names:
        return f"{own_module(ctx)}.{name}"
    return None


def short_name(qualified: str) -> str:
    return qualified.rsplit(".", 1)[-1]


# --- DDD002, DDD003 -----------------------------------------------------------------------------

def http_exception_class(ctx: FileContext, expr: ast.AST) -> Optional[str]:
    """The resolved name of the project class ``expr`` denotes when it inherits HTTPException."""
    qualified = qualify(ctx, expr)
    if qualified is None:
        return None
    index = project(ctx)
    resolved = index.resolve(qualified)
    return resolved if HTTP in index.kinds(resolved) else None


def http_exception_raised(ctx: FileContext, node: ast.AST) -> Optional[str]:
    """What a ``Call``/``Raise`` raises or constructs, when it is ``HTTPException`` itself
    (any import form) or a project subclass of it: ``HTTPException`` or ``NotFound``."""
    if http_exception_use(ctx, node):
        return HTTP_EXCEPTION
    if isinstance(node, ast.Call):
        expr: Optional[ast.AST] = node.func
    elif isinstance(node, ast.Raise) and node.exc is not None and not isinstance(node.exc, ast.Call):
        expr = node.exc
    else:
        return None
    written = last_name(expr)
    if written is None or not written[:1].isupper():  # classes are CapWords (PEP 8)
        return None
    found = http_exception_class(ctx, expr)
    return short_name(found) if found else None


def describe_exception(name: str) -> str:
    """``HTTPException``, or ``NotFound (a subclass of HTTPException)`` for a project class."""
    return name if name == HTTP_EXCEPTION else f"{name} (a subclass of {HTTP_EXCEPTION})"


class ReportsHttpException:
    """The check of DDD002 and DDD003, mixed into each rule (listed before ``Rule``): every
    ``HTTPException``, or project subclass of it, raised or constructed, named in the message."""

    ctx: FileContext
    report: Callable[..., None]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)  # type: ignore[call-arg]
        self._raised_by_name: Dict[Optional[str], Optional[str]] = {}

    @on(ast.Call, ast.Raise)
    def check(self, node: ast.AST) -> None:
        # Most calls are of a name the file neither imports nor binds (``self.crud.get()``,
        # ``session.execute()``), which cannot denote a class: dismissed before any look-up.
        expr = node.func if type(node) is ast.Call else node.exc  # type: ignore[attr-defined]
        head = head_name(expr) if expr is not None else None
        if head is None or not self.ctx.may_name_something(head):
            return
        if not self.ctx.names_resolve_alike:
            raised = http_exception_raised(self.ctx, node)
        else:
            # The answer depends on the dotted name alone (``Foo(...)`` and ``raise Foo`` alike):
            # the few names a file calls again and again are looked up in the index once.
            name = dotted_name(expr)
            known = self._raised_by_name.get(name, _UNKNOWN)
            raised = self._raised_by_name[name] = (
                http_exception_raised(self.ctx, node) if known is _UNKNOWN else known)
        if raised:
            self.report(node, exception=describe_exception(raised))


# --- DDD009 -------------------------------------------------------------------------------------

def defines_http_exception(ctx: FileContext, node: ast.ClassDef) -> bool:
    """Whether the module-level class ``node`` inherits HTTPException (through any classes)."""
    if not any(c.name == node.name for c in own_facts(ctx).classes):
        return False
    return HTTP in project(ctx).kinds(f"{own_module(ctx)}.{node.name}")


# --- DDD105 -------------------------------------------------------------------------------------

def orm_imports(ctx: FileContext, node: ast.AST) -> List[Tuple[str, str]]:
    """What an import statement brings in that is ORM: ``("class", "app.user.models.User")``
    for an ORM class of the project, ``("module", "app.user.models")`` for a module that defines
    ORM classes (or a models-layer package that re-exports them)."""
    found: List[Tuple[str, str]] = []
    index = project(ctx)
    if isinstance(node, ast.ImportFrom):
        source = ctx.import_from_module(node)
        if source is None:
            return found
        for alias in node.names:
            if alias.name == "*":
                if _holds_orm(ctx, index, source):
                    found.append(("module", source))
                continue
            target = f"{source}.{alias.name}"
            resolved = index.resolve(target)
            if ORM in index.kinds(resolved):
                found.append(("class", resolved))
            elif index.facts(target) is not None and _holds_orm(ctx, index, target):
                found.append(("module", target))
    elif isinstance(node, ast.Import):
        for alias in node.names:
            if _holds_orm(ctx, index, alias.name):
                found.append(("module", alias.name))
    return found


def _holds_orm(ctx: FileContext, index: ProjectIndex, module: str) -> bool:
    orm = index.module_orm(module)
    return orm == "defines" or (orm == "exports" and ctx.locate_import(module).has(Layer.MODELS))


# --- DDD402 -------------------------------------------------------------------------------------

def input_schema_reason(ctx: FileContext, node: ast.ClassDef, suffixes: Tuple[str, ...]) -> Optional[str]:
    """Why the module-level class ``node`` of a schemas module is an input schema: its name
    ends in an input suffix, a route handler takes it as a request body, or it inherits a class
    that is one of those (a schemas-layer class with an input suffix, or a body schema)."""
    if node.name.endswith(suffixes):
        return "suffix"
    if not any(c.name == node.name for c in own_facts(ctx).classes):
        return None
    index = project(ctx)
    qualified = f"{own_module(ctx)}.{node.name}"
    if BODY in index.kinds(qualified):
        return "body"
    for ancestor in sorted(index.lineage(qualified)[0]):
        module, _, name = ancestor.rpartition(".")
        if BODY in index.kinds(ancestor) or (
                name.endswith(suffixes) and ctx.locate_import(module).has(Layer.SCHEMAS)):
            return f"subclass of {name}"
    return None
