from __future__ import annotations

import ast

from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._http import http_exception_call, is_status_500, status_argument


class InternalErrorHttpException(Rule):
    """HTTPException with status 500

    ## What it does
    Reports a call constructing FastAPI's or Starlette's `HTTPException` (any import form
    or alias, as DDD002) whose status code — the first positional argument or
    `status_code=` — is 500, written as `500`,
    `status.HTTP_500_INTERNAL_SERVER_ERROR` (from `fastapi.status` or `starlette.status`,
    through any alias or `from ... import HTTP_500_INTERNAL_SERVER_ERROR`),
    `HTTPStatus.INTERNAL_SERVER_ERROR` (from `http`, also with `.value`, or
    `HTTPStatus(500)`) or `http.client.INTERNAL_SERVER_ERROR`. Applies to every file,
    layered or not.

    Not findings: other 5xx codes (`501`, `502`, `503`), a status held in a variable, and
    `status` or `HTTPStatus` names that are not imported from those modules. Known
    limitation: a constant defined as 500 elsewhere (`INTERNAL = 500`) is not followed.

    ## Why is this bad?
    The guide: "NEVER return raw HTTPException(status=500) from deep inside Services or
    CRUD." A 500 means an unexpected failure; raising it by hand hides the real error
    (no traceback reaches the logs) and duplicates what "the application's global
    exception handler" does. Expected violations "should be raised via custom Domain
    Exceptions defined within exceptions.py"; unexpected ones should simply propagate.

    ## Example
    ```python
    try:
        await payment_gateway.charge(order)
    except GatewayError:
        raise HTTPException(status_code=500, detail="Payment failed")
    ```

    ## Use instead
    ```python
    try:
        await payment_gateway.charge(order)
    except GatewayError as error:
        raise PaymentFailed(order.id) from error  # mapped to a status by the handler
    ```

    ## Options
    None.

    ## When not to use it
    A handler that deliberately maps a failed outside call to 500 with a message of its
    own is reported: raise a domain exception and map it in the global exception handler
    (or use 502/503 when an upstream failed). Keep a deliberate case with `# noqa: DDD006`.
    """

    code = "DDD006"
    required_words = ('HTTPException',)
    message = ("HTTPException with status 500: let unexpected errors propagate to the global "
               "exception handler, raise a domain exception for expected ones")
    scope = Scope.ANY_FILE
    since = "0.1.0"

    @on(ast.Call)
    def check_call(self, node: ast.Call) -> None:
        if http_exception_call(self.ctx, node) and is_status_500(self.ctx, status_argument(node)):
            self.report(node)
