from __future__ import annotations

from flake8_ddd.layers import Layer
from flake8_ddd.rule import Rule, Scope
from flake8_ddd.rules._project import ReportsHttpException


class HttpExceptionInCrud(ReportsHttpException, Rule):
    """HTTPException raised or constructed in the CRUD layer

    ## What it does
    Reports FastAPI's or Starlette's `HTTPException` raised or constructed in a module of
    the crud layer (including the generic base in `app/core/crud.py`). The name is resolved
    through the imports, so every form counts: `from fastapi import HTTPException`, an
    alias, `fastapi.HTTPException`, `fastapi.exceptions.HTTPException`,
    `starlette.exceptions.HTTPException` and `starlette.HTTPException`.

    `raise HTTPException(...)` is one finding, at the call; building the exception without
    raising it is reported at the call too, and `raise HTTPException` (the bare class) at
    the `raise`.

    A class of the project that inherits `HTTPException`, directly or through other classes
    of the project, wherever it is defined, counts the same (found through imports, aliases
    and package re-exports, as in DDD002); the message names it.
    Decision: only a name written in CapWords (`NotFound`, `errors.NotFound`), as PEP 8 names
    classes, is looked up as a project class; a call of `make_error()` is not.

    Not findings: a class named `HTTPException` that is not imported from fastapi or
    starlette, and a project class that does not inherit it; catching or testing the class.
    Known limitation: the class reached through a variable is not recognised.

    ## Why is this bad?
    The guide: "STRICT RULE: NEVER throw raw `HTTPException` from Services or CRUD layers."
    The CRUD layer holds "Clean Python interfaces for DB interactions ONLY"; "Deep layers
    (Service/CRUD) MUST exclusively raise custom Python Exceptions representing domain
    errors", and deciding the HTTP status belongs to the route or the global handler.

    ## Example
    ```python
    from fastapi import HTTPException


    async def get_or_404(session: AsyncSession, user_id: int) -> User:
        user = await session.get(User, user_id)
        if user is None:
            raise HTTPException(404, "User not found")
        return user
    ```

    ## Use instead
    ```python
    async def get(session: AsyncSession, user_id: int) -> User | None:
        return await session.get(User, user_id)
    ```

    ## Options
    None.
    """

    code = "DDD003"
    message = ("{exception} in the CRUD layer: return the data (or raise a custom domain "
               "exception) and let the route choose the HTTP status")
    scope = Scope.LAYERS
    layers = frozenset({Layer.CRUD})
    since = "0.1.0"
