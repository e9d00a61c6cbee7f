from __future__ import annotations

import ast

from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._route_handlers import ROUTE_HANDLER_WORDS


class SyncRouteHandler(Rule):
    """Route handler defined with def instead of async def

    ## What it does
    Reports a route handler (a function decorated with
    `@<anything>.get|post|put|patch|delete|head|options|trace|api_route|websocket(...)`, in
    any file, including methods of class-based views) defined with `def`. Reported at the
    `def` line. `async def` handlers are not findings, whatever they call.

    ## Why is this bad?
    The guide: "Asynchronous First: All I/O bound operations (database calls, external HTTP
    requests, file access) must use async/await paradigms to maintain high throughput." A
    plain `def` handler runs in FastAPI's thread pool and cannot await the async session or
    the async services the other layers provide.

    ## Example
    ```python
    @router.post("/orders/{order_id}/cancel", response_model=OrderRead)
    def cancel_order(order_id: int, service: OrderService = Depends(get_order_service)):
        return service.cancel(order_id)
    ```

    ## Use instead
    ```python
    @router.post("/orders/{order_id}/cancel", response_model=OrderRead)
    async def cancel_order(order_id: int, service: OrderService = Depends(get_order_service)):
        return await service.cancel(order_id)
    ```

    ## Options
    None.

    ## When not to use it
    FastAPI runs a `def` handler in a worker thread, so a handler that does no I/O (a stub
    that only raises 501, a CPU-only transformation) blocks nothing; it is still reported
    because the guide wants `async def` everywhere. Keep such a handler with
    `# noqa: DDD501` on its `def` line, or silence a legacy module with `per-file-ignores`.
    """

    code = "DDD501"
    message = "route handler {name}() is defined with def: use async def and await its I/O"
    scope = Scope.ANY_FILE
    required_words = ROUTE_HANDLER_WORDS
    since = "0.1.0"

    @on(ast.FunctionDef)
    def check_function(self, node: ast.FunctionDef) -> None:
        if self.ctx.is_route_handler(node):
            self.report(node, name=node.name)
