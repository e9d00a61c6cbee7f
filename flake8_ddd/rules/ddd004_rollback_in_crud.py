from __future__ import annotations

import ast

from flake8_ddd.ast_names import call_method, dotted_name
from flake8_ddd.layers import Layer
from flake8_ddd.rule import Rule, Scope, on


class RollbackInCrud(Rule):
    """Transaction rollback in the CRUD layer

    ## What it does
    Reports every `.rollback()` call, awaited or not, on any receiver, in a module of the
    crud layer (including the generic base in `app/core/crud.py`), like DDD001 does for
    `.commit()`. A `getattr(session, "rollback")` or a method merely named like it
    (`rollback_order()`) is not a finding.

    ## Why is this bad?
    The guide: services own the database transaction boundaries — "Services are strictly
    responsible for calling session.commit() or session.rollback()" — and the CRUD layer
    "should only query data, add objects to the session (session.add()), or flush changes".
    A rollback inside a CRUD method silently discards the work of the whole service
    operation that called it.

    ## Example
    ```python
    async def create(session: AsyncSession, user: User) -> User | None:
        session.add(user)
        try:
            await session.flush()
        except IntegrityError:
            await session.rollback()
            return None
        return user
    ```

    ## Use instead
    ```python
    async def create(session: AsyncSession, user: User) -> User:
        session.add(user)
        await session.flush()  # the service catches IntegrityError and rolls back
        return user
    ```

    ## Options
    None.

    ## When not to use it
    A crud method that must undo its own partial write before re-raising (a bulk insert
    that catches `IntegrityError`) is reported: let the exception reach the service, which
    rolls back, or silence the line with `# noqa: DDD004`. In a project whose crud functions
    are the units of work, leave the rule off (`extend-ignore = DDD004`) with DDD001.
    """

    code = "DDD004"
    message = "{receiver}.rollback() in the CRUD layer: let the service own the transaction"
    scope = Scope.LAYERS
    layers = frozenset({Layer.CRUD})
    since = "0.1.0"
    required_words = ("rollback",)  # a method name, written as it is

    @on(ast.Call)
    def check_call(self, node: ast.Call) -> None:
        if call_method(node) == "rollback":
            receiver = dotted_name(node.func.value) or "session"  # type: ignore[attr-defined]
            self.report(node, receiver=receiver)
