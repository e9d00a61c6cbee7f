from __future__ import annotations

import ast

from flake8_ddd.rule import Rule, Scope, on

#: Decorator keywords that give a route its response typing.
RESPONSE_KEYWORDS = frozenset({"response_model", "response_class"})


class RouteWithoutResponseModel(Rule):
    """Route handler without response typing

    ## What it does
    Reports a route handler (a function decorated with
    `@<anything>.get|post|put|patch|delete|head|options|trace|api_route(...)`, in any file)
    whose route decorator has neither a `response_model=` nor a `response_class=` keyword
    and which has no return annotation. Reported at the `def` line.

    Decisions: any value of the keyword counts, `response_model=None` included (it is an
    explicit choice); any return annotation counts, `-> None` included; a decorator that
    spreads `**kwargs` may carry the keyword and is not reported. `@x.websocket(...)`
    handlers are not findings: a WebSocket route has no HTTP response to type and its
    decorator takes no `response_model`. With stacked route decorators the outermost one is
    checked.

    ## Why is this bad?
    The guide: "Execute the service, catch any exceptions, and return the data utilizing your
    schemas/ models for response typing", and "Strict Typing: Use strong type hints along with
    strict validation models (e.g., Pydantic) to ensure predictable data schemas in and out."
    Without a response model FastAPI serialises whatever the handler returns, ORM internals
    included, and the OpenAPI schema has no response type.

    ## Example
    ```python
    @router.get("/users/{user_id}")
    async def read_user(user_id: int, service: UserService = Depends(get_user_service)):
        return await service.get(user_id)
    ```

    ## Use instead
    ```python
    @router.get("/users/{user_id}", response_model=UserRead)
    async def read_user(user_id: int, service: UserService = Depends(get_user_service)):
        return await service.get(user_id)
    ```

    ## Options
    None.
    """

    code = "DDD205"
    message = "route handler {name}() has no response typing: add response_model= or a return annotation"
    scope = Scope.ANY_FILE
    since = "0.1.0"

    @on(ast.FunctionDef, ast.AsyncFunctionDef)
    def check_function(self, node: ast.AST) -> None:
        decorator = self.ctx.route_decorator(node)
        if decorator is None or node.returns is not None:  # type: ignore[attr-defined]
            return
        if decorator.func.attr == "websocket":  # type: ignore[attr-defined]
            return
        if any(k.arg is None or k.arg in RESPONSE_KEYWORDS for k in decorator.keywords):
            return
        self.report(node, name=node.name)  # type: ignore[attr-defined]
