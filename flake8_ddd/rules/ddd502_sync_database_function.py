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
    """

    code = "DDD502"
    message = "def {name}() calls {call}: make it async def and await the session"
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
        if (isinstance(function, ast.FunctionDef) and id(function) not in self.candidates
                and is_database_call(self.ctx, node, methods=SYNC_SESSION_METHODS, constructors=False)
                and not self._synchronous_on_async_session(node)):
            self.candidates[id(function)] = (function, node)

    def _synchronous_on_async_session(self, node: ast.Call) -> bool:
        """``session.add(x)`` on an ``AsyncSession``: no I/O, nothing to await."""
        return (call_method(node) not in ASYNC_SESSION_AWAITABLES
                and self.ctx.is_async_session_receiver(node.func.value))  # type: ignore[attr-defined]

    def finish(self) -> None:
        for function, call in self.candidates.values():
            if function.name not in self.run_sync_names:
                self.report(function, name=function.name, call=describe_call(call))
