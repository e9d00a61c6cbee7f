from __future__ import annotations

import ast

from flake8_ddd.layers import Layer
from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._import_targets import offending_targets


class RouteImportsCrud(Rule):
    """Routes layer imports the CRUD layer, bypassing the service

    ## What it does
    Reports an import statement in a module of the routes layer whose first-party target
    is in the crud layer: `from app.user.crud import user_crud`, `from ..crud import
    user_crud`, `import app.user.crud.user`, `from app.user import crud`. The generic
    `app/core/crud.py` is in the crud layer too. Each statement is reported once, naming
    every CRUD module it imports.

    Decision: imports under `if TYPE_CHECKING:` and inside functions are reported too: the
    dependency direction is what matters, not when the import runs. Third-party modules
    that happen to contain a layer name (`fastapi.openapi.models`) are never layer imports.
    Files in `core` get only DDD104.

    ## Why is this bad?
    The guide: the route layer must "invoke services" and "NO DATABASE QUERIES: Do not
    directly query the ORM from a route", while the service layer "Interacts with the data
    layer exclusively through the module's crud/ layer instances". A route that calls CRUD
    directly skips the business rules and the transaction boundary the service owns.

    ## Example
    ```python
    # app/user/routes/user.py
    from app.user.crud import user_crud


    @router.get("/{user_id}", response_model=UserResponse)
    async def read_user(user_id: int, db: AsyncSession = Depends(get_db)) -> User:
        return await user_crud.get(db, user_id)
    ```

    ## Use instead
    ```python
    # app/user/routes/user.py
    from app.user.services.user import UserService, get_user_service


    @router.get("/{user_id}", response_model=UserResponse)
    async def read_user(user_id: int, service: UserService = Depends(get_user_service)) -> User:
        return await service.get_user(user_id)
    ```

    ## Options
    None.

    ## When not to use it
    A project without services (routes call crud directly by design) is reported on every
    route module: leave the rule off (`extend-ignore = DDD101`) until it has services, or
    per module with `per-file-ignores = app/*/routes/admin.py:DDD101`. One import:
    `# noqa: DDD101`.
    """

    code = "DDD101"
    message = "route module imports CRUD module {module}: call the feature's service instead"
    scope = Scope.LAYERS
    layers = frozenset({Layer.ROUTES})
    since = "0.1.0"

    @on(ast.Import, ast.ImportFrom)
    def check_import(self, node: ast.AST) -> None:
        if self.ctx.location.in_core:
            return
        found = offending_targets(self.ctx, node, lambda t: Layer.CRUD in t.location.layers)
        if found:
            self.report(node, module=", ".join(t.shown for t in found))
