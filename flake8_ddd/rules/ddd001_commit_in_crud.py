from __future__ import annotations

import ast

from flake8_ddd.ast_names import call_method, dotted_name
from flake8_ddd.layers import Layer
from flake8_ddd.rule import Rule, Scope, on


class CommitInCrud(Rule):
    """Transaction commit in the CRUD layer.

    ## What it does
    Reports every `.commit()` call, awaited or not, on any receiver, in a module of the
    crud layer (including the generic base in `app/core/crud.py`).

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
    """

    code = "DDD001"
    message = "{receiver}.commit() in the CRUD layer: flush here and let the service commit"
    scope = Scope.LAYERS
    layers = frozenset({Layer.CRUD})
    since = "0.1.0"

    @on(ast.Call)
    def check_call(self, node: ast.Call) -> None:
        if call_method(node) == "commit":
            receiver = dotted_name(node.func.value) or "session"  # type: ignore[attr-defined]
            self.report(node, receiver=receiver)
