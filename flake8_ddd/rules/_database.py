"""Database calls: session methods, SQLAlchemy statement constructors, engine and session
factories, session classes.

Decisions recorded here apply to every rule that uses them:

- A *session method call* is ``receiver.method(...)`` where ``receiver`` is session-like
  (``ctx.is_session_receiver``: last part ``db``/``session``/``db_session``/``*_session``,
  configurable with ``ddd-session-names``, or a parameter annotated ``Session``/``AsyncSession``).
  ``payload.get(...)``, ``request.headers.get(...)``, ``customer_service.delete(session, ...)``
  are therefore not session calls, and neither are Starlette's cookie session nor names bound
  to third-party client sessions (see ``FileContext.is_session_receiver``). Names bound to
  first-party factories (``async with SessionLocal() as session``) stay sessions.
- A *statement constructor* is ``select``/``insert``/``update``/``delete``/``text`` whose
  qualified name (``ctx.qualified_name``, so aliases and ``import sqlalchemy as sa`` work) is in
  one of the modules SQLAlchemy and SQLModel export them from: ``sqlalchemy``, ``sqlalchemy.sql``,
  ``sqlalchemy.sql.expression``, ``sqlalchemy.future`` and ``sqlmodel``. A local or third-party
  function of the same name (an HTML helper's ``.select(...)``) is not one.
- Engine and session factories (``create_engine``, ``sessionmaker``, ...) are recognised the
  same way, from ``sqlalchemy`` or ``sqlmodel`` under any import form or alias; so are the
  session classes (``sessions.SESSION_CLASSES``, which session annotations use too).
"""

from __future__ import annotations

import ast
import functools
from typing import TYPE_CHECKING, Callable, ClassVar, FrozenSet, Optional, Set

from flake8_ddd.ast_names import dotted_name, last_name
from flake8_ddd.rule import on

if TYPE_CHECKING:
    from flake8_ddd.context import FileContext

#: Session methods that read or write data: DDD201 (routes) and, minus the allowed ones, DDD302.
QUERY_METHODS: FrozenSet[str] = frozenset({
    "execute", "scalars", "scalar", "query", "get", "add", "add_all", "delete", "merge", "flush",
    "refresh", "exec", "stream"})
#: Transaction boundaries; DDD502 counts them as database work of a plain ``def``.
TRANSACTION_METHODS: FrozenSet[str] = frozenset({"commit", "rollback"})
#: Session methods a service may call itself (it owns the transaction and, in the guide's words,
#: "flush/commit using the DB session"), for DDD302.
SERVICE_ALLOWED_METHODS: FrozenSet[str] = frozenset({
    "commit", "rollback", "flush", "begin", "begin_nested", "close", "refresh", "expire",
    "expunge"})
#: ``AsyncSession`` methods that return an awaitable (DDD503). ``add``, ``add_all``,
#: ``expunge`` and ``expunge_all`` are synchronous.
ASYNC_SESSION_AWAITABLES: FrozenSet[str] = frozenset({
    "execute", "scalars", "scalar", "get", "commit", "rollback", "flush", "refresh", "delete",
    "merge", "close", "stream", "run_sync"})

#: SQLAlchemy/SQLModel callables that build engines and session factories (DDD602).
ENGINE_FACTORIES: FrozenSet[str] = frozenset({
    "create_engine", "create_async_engine", "sessionmaker", "async_sessionmaker",
    "scoped_session", "async_scoped_session"})
#: The ones whose result is a session factory (a name bound to it is a factory, DDD603).
SESSION_MAKERS: FrozenSet[str] = frozenset({
    "sessionmaker", "async_sessionmaker", "scoped_session", "async_scoped_session"})
DATABASE_PACKAGES: FrozenSet[str] = frozenset({"sqlalchemy", "sqlmodel"})

STATEMENT_CONSTRUCTORS: FrozenSet[str] = frozenset({"select", "insert", "update", "delete", "text"})
STATEMENT_MODULES: FrozenSet[str] = frozenset({
    "sqlalchemy", "sqlalchemy.sql", "sqlalchemy.sql.expression", "sqlalchemy.future", "sqlmodel"})


def is_session_method_call(ctx: FileContext, call: ast.Call, methods: FrozenSet[str]) -> bool:
    """``session.<method>(...)`` for a method in ``methods`` on a session-like receiver."""
    func = call.func
    if type(func) is not ast.Attribute or func.attr not in methods:  # type: ignore[attr-defined]
        return False
    return ctx.is_session_receiver(func.value)  # type: ignore[attr-defined]


def is_statement_constructor(ctx: FileContext, call: ast.Call) -> bool:
    """``select(...)`` & co. imported from SQLAlchemy or SQLModel (any import form or alias)."""
    qualified = ctx.qualified_name(call.func)
    if qualified is None:
        return False
    module, _, name = qualified.rpartition(".")
    return name in STATEMENT_CONSTRUCTORS and module in STATEMENT_MODULES


def is_database_call(ctx: FileContext, call: ast.Call, allowed: FrozenSet[str] = frozenset(), *,
                     methods: FrozenSet[str] = QUERY_METHODS, constructors: bool = True) -> bool:
    """A call that touches the database: a session method from ``methods`` not in ``allowed``,
    or (when ``constructors``) a SQLAlchemy statement constructor.

    DDD201 uses the defaults, DDD302 passes ``allowed=SERVICE_ALLOWED_METHODS``, DDD502 passes
    ``methods=QUERY_METHODS | TRANSACTION_METHODS, constructors=False`` (building a statement is
    not I/O; executing it is).
    """
    if is_session_method_call(ctx, call, _without(methods, allowed) if allowed else methods):
        return True
    return constructors and is_statement_constructor(ctx, call)


@functools.lru_cache(maxsize=16)
def _without(methods: FrozenSet[str], allowed: FrozenSet[str]) -> FrozenSet[str]:
    """``methods - allowed``, built once per pair rather than once per call."""
    return methods - allowed


def describe_call(call: ast.Call) -> str:
    """``db.execute()``, ``sa.select()`` or ``self.session.get()`` for messages."""
    name = dotted_name(call.func)
    if name is None:
        name = "." + (last_name(call.func) or "call")
    return f"{name}()"


def database_callable(ctx: FileContext, func: ast.AST, names: FrozenSet[str]) -> Optional[str]:
    """The name from ``names`` when ``func`` is that SQLAlchemy/SQLModel callable (any import
    form or alias: ``sa.create_engine``, ``from sqlalchemy.orm import sessionmaker as sm``)."""
    return database_name(ctx.qualified_name(func), names)


def database_name(qualified: Optional[str], names: FrozenSet[str]) -> Optional[str]:
    """:func:`database_callable` for a qualified name already resolved."""
    if qualified is None or "." not in qualified:
        return None
    name = qualified.rsplit(".", 1)[1]
    if name in names and qualified.split(".", 1)[0] in DATABASE_PACKAGES:
        return name
    return None


class OncePerAccess:
    """Reporting "the call (once per line)": one finding per line, and none for a call nested
    in the arguments of a call already reported (``db.execute(select(User))`` is one access,
    however the statement is wrapped over lines)."""

    def __init__(self) -> None:
        self._lines: Set[int] = set()
        self._covered: Set[int] = set()

    def first(self, call: ast.Call) -> bool:
        if call.lineno in self._lines or id(call) in self._covered:
            return False
        self._lines.add(call.lineno)
        self._covered.update(id(node) for node in ast.walk(call) if isinstance(node, ast.Call))
        return True


class ReportsDatabaseAccess:
    """The check of DDD201 and DDD302, mixed into each rule (listed before ``Rule``): every
    database call (:func:`is_database_call`, session methods in ``allowed_methods`` excepted),
    once per access (:class:`OncePerAccess`)."""

    allowed_methods: ClassVar[FrozenSet[str]] = frozenset()
    ctx: FileContext
    report: Callable[..., None]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)  # type: ignore[call-arg]
        self.once = OncePerAccess()

    @on(ast.Call)
    def check_call(self, node: ast.Call) -> None:
        if is_database_call(self.ctx, node, self.allowed_methods) and self.once.first(node):
            self.report(node, call=describe_call(node))
