from __future__ import annotations

import ast
from typing import Dict, Set, Tuple

from flake8_ddd.ast_names import call_method, last_name
from flake8_ddd.context import FileContext
from flake8_ddd.layers import Layer
from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._database import (
    ASYNC_SESSION_AWAITABLES, QUERY_METHODS, TRANSACTION_METHODS, describe_call, is_database_call)

SYNC_SESSION_METHODS = QUERY_METHODS | TRANSACTION_METHODS
#: Session methods that are synchronous on an ``AsyncSession`` too: there is nothing to await.
NEVER_AWAITED = frozenset({"add", "add_all"})


class SyncDatabaseFunction(Rule):
    """Plain def doing database work in the crud or services layer

    ## What it does
    Reports, in a module of the crud or services layer, a function defined with `def` whose
    own body calls a session method (`execute`, `scalars`, `scalar`, `query`, `get`, `add`,
    `add_all`, `delete`, `merge`, `flush`, `refresh`, `exec`, `stream`, `commit`,
    `rollback`) on a session-like receiver (a name or attribute whose last part is `db`,
    `session`, `db_session` or ends in `_session`, or a parameter annotated
    `Session`/`AsyncSession`). Reported once per function, at its `def` line. On a parameter
    annotated `AsyncSession`, only its awaitable methods count: `session.add(obj)` does no I/O
    and there is nothing to await.

    Each function is its own scope: calls inside a nested `def`/`async def` count for the
    nested function only, never for the one around it (a lambda counts for its enclosing
    function). Building a statement (`select(User)`) is not database work. A plain `def` whose
    name is passed to `run_sync(...)` in the same module (`await session.run_sync(_load)`) is
    not a finding: `AsyncSession.run_sync` exists to run such synchronous code.
    Session-like receivers are recognised as for DDD201 (`http_session.get(...)` on an
    `aiohttp.ClientSession` is not one).

    The message names the function's first awaitable session call (`commit`, `execute`, ...)
    and says to await it; when the function only calls `add`/`add_all`, which are
    synchronous on an `AsyncSession` too, it says to switch to an `AsyncSession` and that
    those calls stay un-awaited.

    ## Why is this bad?
    The guide: "Asynchronous First: All I/O bound operations (database calls, external HTTP
    requests, file access) must use async/await paradigms to maintain high throughput." A
    synchronous session call blocks the event loop (or a worker thread) for the whole round
    trip to the database.

    ## Example
    ```python
    def get_by_email(db: Session, email: str) -> User | None:
        return db.scalars(select(User).where(User.email == email)).first()
    ```

    ## Use instead
    ```python
    async def get_by_email(db: AsyncSession, email: str) -> User | None:
        return (await db.scalars(select(User).where(User.email == email))).first()
    ```

    ## Options
    None of its own; session-like names come from the global `ddd-session-names`.

    ## When not to use it
    A project (or a module) that runs on a synchronous `Session` by design, in a worker
    thread or a sync-only job, is reported function by function: leave the rule off there
    with `per-file-ignores = app/*/crud/legacy_*.py:DDD502` (or `extend-ignore = DDD502` for
    the whole project until it moves to `AsyncSession`). A receiver that only looks like a
    session is silenced with `ddd-session-names`; one function with `# noqa: DDD502` on its
    `def` line.
    """

    code = "DDD502"
    message = "def {name}() calls {call} on a synchronous session: {remedy}"
    scope = Scope.LAYERS
    layers = frozenset({Layer.CRUD, Layer.SERVICES})
    since = "0.1.0"

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.candidates: Dict[int, Tuple[ast.FunctionDef, ast.Call]] = {}
        self.run_sync_names: Set[str] = set()

    @on(ast.Call)
    def check_call(self, node: ast.Call) -> None:
        if call_method(node) == "run_sync" and node.args:
            name = last_name(node.args[0])
            if name:
                self.run_sync_names.add(name)
        function = self.ctx.current_function
        if not isinstance(function, ast.FunctionDef):
            return
        found = self.candidates.get(id(function))
        if found is not None and call_method(found[1]) not in NEVER_AWAITED:
            return  # the function's first awaitable session call is named already
        if (is_database_call(self.ctx, node, methods=SYNC_SESSION_METHODS, constructors=False)
                and not self._synchronous_on_async_session(node)
                and (found is None or call_method(node) not in NEVER_AWAITED)):
            self.candidates[id(function)] = (function, node)

    def _synchronous_on_async_session(self, node: ast.Call) -> bool:
        """``session.add(x)`` on an ``AsyncSession``: no I/O, nothing to await."""
        return (call_method(node) not in ASYNC_SESSION_AWAITABLES
                and self.ctx.is_async_session_receiver(node.func.value))  # type: ignore[attr-defined]

    def finish(self) -> None:
        for function, call in self.candidates.values():
            if function.name in self.run_sync_names:
                continue
            if call_method(call) in NEVER_AWAITED:
                remedy = (f"use an AsyncSession in an async def ({call_method(call)}() itself "
                          "stays un-awaited; await its queries, flush and commit)")
            else:
                remedy = "make it async def on an AsyncSession and await the call"
            self.report(function, name=function.name, call=describe_call(call), remedy=remedy)
