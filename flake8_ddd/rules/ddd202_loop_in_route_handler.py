from __future__ import annotations

import ast

from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._route_handlers import ROUTE_HANDLER_WORDS


class LoopInRouteHandler(Rule):
    """Loop statement in a route handler

    ## What it does
    Reports a `for`, `async for` or `while` statement in the body of a route handler (a
    function decorated with `@<anything>.get|post|put|patch|delete|head|options|trace|`
    `api_route|websocket(...)`), in any file, wherever it sits in the body (inside
    `with`, `try`, `if` blocks, or another loop: each loop statement is one finding).

    Comprehensions and generator expressions are not findings. A function defined inside
    the handler is its own scope: its loops are not the handler's (unless it is itself a
    route handler). Statements of a class body inside the handler run with the handler and
    count.

    ## Why is this bad?
    The guide's route layer rule: "NO BUSINESS LOGIC: Do not write loops, conditionals based
    on state, or rule validations here." A loop over data is business logic; it belongs in a
    service.

    ## Example
    ```python
    @router.post("/orders/{order_id}/ship", response_model=OrderRead)
    async def ship(order_id: int, service: OrderService = Depends(get_order_service)):
        order = await service.get(order_id)
        for line in order.lines:
            await service.reserve(line)
        return order
    ```

    ## Use instead
    ```python
    @router.post("/orders/{order_id}/ship", response_model=OrderRead)
    async def ship(order_id: int, service: OrderService = Depends(get_order_service)):
        return await service.ship(order_id)
    ```

    ## Options
    None.

    ## When not to use it
    A loop that only translates an exception (`while exc.__cause__:` to find the database
    error behind it) is reported: move the translation into an exception handler or a
    helper, or silence the line with `# noqa: DDD202`. Comprehensions are never findings,
    so building a response list does not need a loop statement.
    """

    code = "DDD202"
    message = "loop in route handler {name}(): move the logic into a service"
    scope = Scope.ANY_FILE
    required_words = ROUTE_HANDLER_WORDS
    since = "0.1.0"

    @on(ast.For, ast.AsyncFor, ast.While)
    def check_loop(self, node: ast.stmt) -> None:
        if self.ctx.in_route_handler:
            self.report(node, name=self.ctx.current_function.name)  # type: ignore[union-attr]
