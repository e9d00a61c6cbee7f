from __future__ import annotations

import ast
from typing import Optional

from flake8_ddd.ast_names import last_name
from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._route_handlers import ROUTE_HANDLER_WORDS, decorator_status, is_bodiless_status

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

    A handler whose `status_code=` has no body is not a finding either: 204, 205, 304,
    `status.HTTP_204_NO_CONTENT` (FastAPI or Starlette), `HTTPStatus.NO_CONTENT` and their
    205/304 relatives; there is nothing to type. A 204 listed only in `responses={...}` is
    documentation, not the handler's status. When the handler returns a response object
    (`return StreamingResponse(...)`), the message names it: `response_class=` is the fix.

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

    ## When not to use it
    A handler whose status is chosen at run time (`status_code=code`) and has no body is
    still reported: add `-> None` (or `response_class=Response`). A project that types
    responses some other way (a decorator of its own that sets `response_model`) silences
    the rule for its routes with `per-file-ignores = app/*/routes/*:DDD205`; one handler
    with `# noqa: DDD205` on its `def` line.
    """

    code = "DDD205"
    message = "route handler {name}() has no response typing: {remedy}"
    scope = Scope.ANY_FILE
    required_words = ROUTE_HANDLER_WORDS
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
        if is_bodiless_status(self.ctx, decorator_status(decorator)):
            return
        returned = returned_response_class(node)
        remedy = (f"it returns {returned}, add response_class={returned}" if returned
                  else "add response_model= or a return annotation")
        self.report(node, name=node.name, remedy=remedy)  # type: ignore[attr-defined]


def returned_response_class(function: ast.AST) -> Optional[str]:
    """The class of a response object the handler returns (``return RedirectResponse(...)``)."""
    for node in ast.walk(function):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Call):
            name = last_name(node.value.func)
            if name and name.endswith("Response") and name[:1].isupper():
                return name
    return None
