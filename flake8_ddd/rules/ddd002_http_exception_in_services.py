from __future__ import annotations

from flake8_ddd.layers import Layer
from flake8_ddd.rule import Rule, Scope
from flake8_ddd.rules._project import ReportsHttpException


class HttpExceptionInServices(ReportsHttpException, Rule):
    """HTTPException raised or constructed in the services layer

    ## What it does
    Reports FastAPI's or Starlette's `HTTPException` raised or constructed in a module of
    the services layer. The name is resolved through the imports, so every form counts:
    `from fastapi import HTTPException`, an alias (`... import HTTPException as E`),
    `fastapi.HTTPException`, `fastapi.exceptions.HTTPException`,
    `starlette.exceptions.HTTPException` and `starlette.HTTPException`.

    `raise HTTPException(...)` is one finding, at the call; building the exception without
    raising it (`error = HTTPException(...)`, `return HTTPException(...)`) is reported at the
    call too, and `raise HTTPException` (the bare class) at the `raise`.

    A class of the project that inherits `HTTPException`, directly or through other classes
    of the project, wherever it is defined, counts the same: `raise UserNotFound()` where
    `app/user/exceptions.py` declares `class UserNotFound(AppHTTPError)` and
    `app/core/exceptions.py` declares `class AppHTTPError(HTTPException)`. The class is found
    through the imports, aliases (`import ... as Missing`, `Missing = UserNotFound`) and
    package re-exports (`from .exceptions import *` in an `__init__.py`); the message names
    it. The classes of the whole project are known from the project index (built once per
    run, see the README), so an edit to `exceptions.py` changes the findings of the
    services that raise its classes.
    Decision: only a name written in CapWords (`NotFound`, `errors.NotFound`), as PEP 8 names
    classes, is looked up as a project class; a call of `make_error()` is not.

    Not findings: a class named `HTTPException` that is not imported from fastapi or
    starlette, and a project class that does not inherit it; catching
    (`except HTTPException:`) or testing (`isinstance`) the class. Known limitation: the
    class reached through a variable (`cls = HTTPException; raise cls(...)`) is not
    recognised. The class definition itself is DDD008 in a services module, and DDD009
    (opt-in) wherever it is outside the routes and dependencies layers.

    ## Why is this bad?
    The guide: "STRICT RULE: NEVER throw raw `HTTPException` from Services or CRUD layers."
    Services must be "Completely agnostic to the transport layer"; "Deep layers
    (Service/CRUD) MUST exclusively raise custom Python Exceptions representing domain
    errors", which the route or the global exception handler translates to an HTTP status.

    ## Example
    ```python
    from fastapi import HTTPException


    async def get_user(self, user_id: int) -> User:
        user = await self.crud.get(self.session, user_id)
        if user is None:
            raise HTTPException(status_code=404, detail="User not found")
        return user
    ```

    ## Use instead
    ```python
    from app.user.exceptions import UserNotFound


    async def get_user(self, user_id: int) -> User:
        user = await self.crud.get(self.session, user_id)
        if user is None:
            raise UserNotFound(user_id)
        return user
    ```

    ## Options
    None.
    """

    code = "DDD002"
    message = ("{exception} in the services layer: raise a custom domain exception and "
               "translate it to an HTTP status in the route")
    scope = Scope.LAYERS
    layers = frozenset({Layer.SERVICES})
    since = "0.1.0"
