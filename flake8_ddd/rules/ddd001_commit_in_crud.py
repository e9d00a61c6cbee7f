from __future__ import annotations

import ast

from flake8_ddd.ast_names import call_method, dotted_name
from flake8_ddd.layers import Layer
from flake8_ddd.rule import Rule, Scope, on


BEGIN_REMEDY = "it commits when its block ends; flush here and let the service own the transaction"


class CommitInCrud(Rule):
    """Transaction commit in the CRUD layer.

    ## What it does
    Reports every `.commit()` call, awaited or not, on any receiver, in a module of the
    crud layer (including the generic base in `app/core/crud.py`), and a transaction opened
    with `begin()` on a session-like receiver, awaited (`await session.begin()`) or entered
    (`async with session.begin():`, `with db.begin():`), which commits when its block ends.
    `begin_nested()` opens a savepoint and is not a finding; neither is `engine.begin()` (a
    connection, not a session) nor a `session.begin()` that is neither awaited nor entered.

    ## Why is this bad?
    The guide: "NEVER CALL session.commit() WITHIN CRUD: The CRUD layer should only query
    data, add objects to the session (session.add()), or flush changes to obtain newly
    generated primary keys (session.flush())." Services own the transaction boundaries; a
    commit inside a CRUD method makes a multi-step service operation impossible to roll back.

    ## Example
    ```python
    async def create(self, session: AsyncSession, user: User) -> User:
        session.add(user)
        await session.commit()
        return user
    ```

    ## Use instead
    ```python
    async def create(self, session: AsyncSession, user: User) -> User:
        session.add(user)
        await session.flush()
        return user
    ```

    ## Options
    None.

    ## When not to use it
    In a project whose crud functions are the units of work (no service layer commits),
    every write is reported: leave the rule off (`extend-ignore = DDD001`) until services
    own the transaction. A directory named like the crud layer that holds something else
    (`registry/repositories/` for git repositories of a registry) makes its services look
    like crud: map the name with `ddd-layer-segments = repositories=none` or pin the module
    with `# ddd: layer=services`. One deliberate commit (a migration helper): `# noqa: DDD001`.
    """

    code = "DDD001"
    message = "{call} in the CRUD layer: {remedy}"
    scope = Scope.LAYERS
    layers = frozenset({Layer.CRUD})
    since = "0.1.0"
    required_words = ("commit", "begin")  # method names, written as they are

    @on(ast.Call)
    def check_call(self, node: ast.Call) -> None:
        if call_method(node) == "commit":
            receiver = dotted_name(node.func.value) or "session"  # type: ignore[attr-defined]
            self.report(node, call=f"{receiver}.commit()", remedy="flush here and let the service commit")

    @on(ast.Await)
    def check_await(self, node: ast.Await) -> None:
        self._check_begin(node.value)

    @on(ast.With, ast.AsyncWith)
    def check_with(self, node: ast.AST) -> None:
        for item in node.items:  # type: ignore[attr-defined]
            self._check_begin(item.context_expr)

    def _check_begin(self, node: ast.AST) -> None:
        """``session.begin()`` awaited or entered: a transaction that commits at its end."""
        if not (isinstance(node, ast.Call) and call_method(node) == "begin"):
            return
        receiver = node.func.value  # type: ignore[attr-defined]
        if self.ctx.is_session_receiver(receiver):
            name = dotted_name(receiver) or "session"
            self.report(node, call=f"{name}.begin()", remedy=BEGIN_REMEDY)
