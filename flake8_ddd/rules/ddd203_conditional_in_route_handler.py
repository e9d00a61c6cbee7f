from __future__ import annotations

import ast
from typing import Set

from flake8_ddd.context import FileContext
from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._http import is_http_exception
from flake8_ddd.rules._route_handlers import ROUTE_HANDLER_WORDS, is_missing_result_guard

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

    Nor is the mapping of a missing result to HTTP, which the guide also gives the route:
    `if x is None:` or `if not x:` on one plain name, with no `elif`/`else`, whose body is
    only a `raise` of FastAPI's or Starlette's `HTTPException` (any import form or alias).
    Everything else stays a finding: a test on an attribute (`if user.deleted_at is None:`),
    two names (`if a is None or b is None:`), `is not None`, a body that logs before
    raising, a raise of a domain exception, a `return` instead of a raise.

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

    ## When not to use it
    Some conditionals are presentation rather than business decisions, and a team may keep
    them: choosing a response envelope from a service result (`if count > 0: return
    success()`), a `return` of a redirect for a missing result, or picking the HTTP status
    while translating a caught exception (`if isinstance(exc, UniqueViolation):`). Move such
    code into a helper (a dependency, a response builder, an exception handler), or silence
    the line with `# noqa: DDD203`; `per-file-ignores = app/*/routes/legacy.py:DDD203` for a
    whole module.
    """

    code = "DDD203"
    message = "conditional in route handler {name}(): {remedy}"
    scope = Scope.ANY_FILE
    required_words = ROUTE_HANDLER_WORDS
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
        if is_missing_result_guard(self.ctx, node):
            return
        remedy = ("check it in the service, raise a domain exception there and translate it "
                  "here with try/except" if self._raises_http(node) else "move the decision into a service")
        self.report(node, name=self.ctx.current_function.name, remedy=remedy)  # type: ignore[union-attr]

    def _raises_http(self, node: ast.stmt) -> bool:
        """Whether the statement's own branches raise an ``HTTPException``."""
        for child in ast.walk(node):
            if isinstance(child, ast.Raise) and child.exc is not None:
                exc = child.exc.func if isinstance(child.exc, ast.Call) else child.exc
                if is_http_exception(self.ctx, exc):
                    return True
        return False
