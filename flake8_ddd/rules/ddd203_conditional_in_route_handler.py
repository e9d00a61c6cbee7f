from __future__ import annotations

import ast
from typing import Set

from flake8_ddd.context import FileContext
from flake8_ddd.rule import Rule, Scope, on

#: ``ast.Match`` exists on Python 3.10+ only.
CONDITIONAL_STATEMENTS = tuple(t for t in (ast.If, getattr(ast, "Match", None)) if t is not None)


class ConditionalInRouteHandler(Rule):
    """Conditional statement in a route handler

    ## What it does
    Reports an `if` or `match` statement in the body of a route handler (a function decorated
    with `@<anything>.get|post|put|patch|delete|head|options|trace|api_route|websocket(...)`),
    in any file, wherever it sits in the body (inside `with`, `try`, loops or another `if`).

    An `if`/`elif`/`else` chain is one statement and one finding, at the `if`; an `if`
    nested inside a branch is a finding of its own. Conditional expressions (`a if c else b`),
    `assert`, boolean operators and comprehension filters are not findings. A function
    defined inside the handler is its own scope (its statements are not the handler's unless
    it is itself a route handler). `try`/`except` is not a finding: translating domain
    exceptions into HTTP errors is the route's job.

    ## Why is this bad?
    The guide's route layer rule: "NO BUSINESS LOGIC: Do not write loops, conditionals based
    on state, or rule validations here." Decisions on state belong in a service, which
    raises a domain exception the route translates.

    ## Example
    ```python
    @router.delete("/users/{user_id}", status_code=204, response_class=Response)
    async def delete_user(user_id: int, service: UserService = Depends(get_user_service)):
        user = await service.get(user_id)
        if user.is_admin:
            raise HTTPException(status_code=403)
        await service.delete(user)
    ```

    ## Use instead
    ```python
    @router.delete("/users/{user_id}", status_code=204, response_class=Response)
    async def delete_user(user_id: int, service: UserService = Depends(get_user_service)):
        try:
            await service.delete(user_id)
        except AdminUserDeletion:
            raise HTTPException(status_code=403)
    ```

    ## Options
    None.
    """

    code = "DDD203"
    message = "conditional in route handler {name}(): move the decision into a service"
    scope = Scope.ANY_FILE
    since = "0.1.0"

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.elif_branches: Set[int] = set()

    @on(*CONDITIONAL_STATEMENTS)
    def check_conditional(self, node: ast.stmt) -> None:
        if isinstance(node, ast.If) and len(node.orelse) == 1:
            branch = node.orelse[0]
            # `elif` starts in the column of its `if`; an `if` nested under `else:` is indented.
            if isinstance(branch, ast.If) and branch.col_offset == node.col_offset:
                self.elif_branches.add(id(branch))
        if id(node) in self.elif_branches or not self.ctx.in_route_handler:
            return
        self.report(node, name=self.ctx.current_function.name)  # type: ignore[union-attr]
