from __future__ import annotations

import ast

from flake8_ddd.ast_names import call_method, dotted_name
from flake8_ddd.layers import Layer
from flake8_ddd.rule import Rule, Scope, on

TRANSACTION_METHODS = frozenset({"commit", "rollback"})


class TransactionInRoute(Rule):
    """Session commit or rollback in a route

    ## What it does
    Reports `.commit()` and `.rollback()` calls, awaited or not, on a session-like receiver
    (a name or attribute whose last part is `db`, `session`, `db_session` or ends in
    `_session`, configurable with `ddd-session-names`, or a parameter annotated
    `Session`/`AsyncSession`) made in a module of the routes layer, or inside a route
    handler in any file (e.g. handlers declared in `main.py`).

    Decision: "inside a route handler" means that any enclosing function is a route
    handler, so a helper function nested in a handler's body counts too.
    Not findings: `.commit()` on a receiver that is not session-like
    (`transaction.commit()`, `repo.commit()`), and commits in services, which own the
    transaction.

    ## Why is this bad?
    The guide: services own the database transaction boundaries — "Services are strictly
    responsible for calling session.commit() or session.rollback()" — while routes only
    "invoke services, and format HTTP responses" with "NO DATABASE QUERIES". A commit in the
    route splits one business operation across two layers and makes the service impossible
    to reuse (from a task, a CLI or another service) with the same guarantees.

    ## Example
    ```python
    @router.post("/users", response_model=UserResponse)
    async def create_user(data: UserCreate, db: AsyncSession = Depends(get_db)) -> User:
        user = await user_service.create(db, data)
        await db.commit()
        return user
    ```

    ## Use instead
    ```python
    @router.post("/users", response_model=UserResponse)
    async def create_user(data: UserCreate, service: UserService = Depends(get_user_service)) -> User:
        return await service.create(data)  # the service commits
    ```

    ## Options
    None (the receivers follow the global option `ddd-session-names`).

    ## When not to use it
    An endpoint that opens and finishes a short-lived session of its own on purpose (an
    OAuth token endpoint storing a token id) is reported: move the work into a service, or
    silence the line with `# noqa: DDD005`. A receiver that only looks like a session is
    silenced with `ddd-session-names`.
    """

    code = "DDD005"
    message = "{receiver}.{method}() in a route: the service owns the transaction, {verb} there"
    scope = Scope.ANY_FILE
    since = "0.1.0"
    required_words = tuple(sorted(TRANSACTION_METHODS))  # method names, written as they are

    @on(ast.Call)
    def check_call(self, node: ast.Call) -> None:
        method = call_method(node)
        if method not in TRANSACTION_METHODS:
            return
        receiver = node.func.value  # type: ignore[attr-defined]
        if not self.ctx.is_session_receiver(receiver) or not self._in_route():
            return
        self.report(node, receiver=dotted_name(receiver) or "session", method=method,
                    verb="commit" if method == "commit" else "roll back")

    def _in_route(self) -> bool:
        ctx = self.ctx
        if Layer.ROUTES in ctx.layers:
            return True
        return any(ctx.is_route_handler(function) for function in ctx.function_stack)
