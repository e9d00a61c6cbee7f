from __future__ import annotations

import ast

from flake8_ddd.layers import Layer
from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._project import defines_http_exception

#: Where an HTTP exception class belongs: the transport side.
HTTP_LAYERS = frozenset({Layer.ROUTES, Layer.DEPENDENCIES})


class HttpExceptionSubclassOutsideRoutes(Rule):
    """Exception class that inherits HTTPException outside the routes and dependencies layers

    ## What it does
    Reports a module-level class that inherits FastAPI's or Starlette's `HTTPException`,
    directly or through other classes of the project defined in any module
    (`class NotFound(AppHTTPError)` where `AppHTTPError(HTTPException)` lives in
    `app/core/exceptions.py`), in any file outside the routes and dependencies layers:
    exceptions modules, services, core, files without a layer. Bases are resolved through
    imports, aliases and package re-exports. Opt-in.

    It is reported at the class that knows HTTP; the raises of such a class in the services
    and CRUD layers are DDD002 and DDD003. A class that only shares a name with
    `HTTPException` (a local class, another library's) is not a finding.

    Decision: the application-wide base class in `core/exceptions.py` is reported too: it is
    the class that makes every domain exception below it an HTTP one. Classes nested in a
    class or function are not checked.

    ## Why is this bad?
    The guide: "Expected violations (e.g. data missing, insufficient permissions, limits
    exceeded) should be raised via custom Domain Exceptions defined within exceptions.py"
    and "Let the application's global exception handler or route try-catch block securely
    translate these to HTTP formatting to maintain a decoupled architecture." A domain
    exception that inherits `HTTPException` carries a status code into every layer that
    raises it, so services "know what an HTTP request/response" is through it.

    ## Example
    ```python
    # app/user/exceptions.py
    from fastapi import HTTPException


    class UserNotFound(HTTPException):
        def __init__(self) -> None:
            super().__init__(status_code=404, detail="User not found")
    ```

    ## Use instead
    ```python
    # app/user/exceptions.py
    class UserNotFound(Exception):
        pass


    # app/main.py (or the route): translate it once
    @app.exception_handler(UserNotFound)
    async def user_not_found(request: Request, error: UserNotFound) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": "User not found"})
    ```

    ## Options
    None.
    """

    code = "DDD009"
    message = ("exception class {name} inherits HTTPException outside the routes and "
               "dependencies layers: make it a plain domain exception and map it to HTTP in "
               "the route or an exception handler")
    scope = Scope.ANY_FILE
    opt_in = True
    since = "0.2.0"

    @on(ast.ClassDef)
    def check_class(self, node: ast.ClassDef) -> None:
        if self.ctx.layers & HTTP_LAYERS or self.ctx.function_stack:
            return
        if defines_http_exception(self.ctx, node):
            self.report(node, name=node.name)
