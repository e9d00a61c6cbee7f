from __future__ import annotations

import ast

from flake8_ddd.layers import Layer
from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._import_targets import ImportTarget, offending_targets


class RouteImportsOrmModel(Rule):
    """Routes layer imports ORM models

    ## What it does
    Reports an import statement in a module of the routes layer whose first-party target
    is in the models layer: `from app.user.models import User`, `from ..models.user import
    User`, `import app.user.models`. Each statement is reported once, naming every models
    module it imports. Opt-in.

    Decision: a target that a `ddd-layer-paths` glob puts in both the models and the
    schemas layer (`app/*/models.py=models+schemas`) is not reported: the imported name
    may be a schema. Imports under `if TYPE_CHECKING:` (type hints only) are reported
    too: the route still knows the ORM entity. Files in `core` get only DDD104.

    ## Why is this bad?
    The guide: routes "Parse inputs, delegate to Services, map Service exceptions, and
    return HTTP responses" using "your schemas/ models for response typing", with
    "NO direct ORM/database queries". A route that handles ORM entities leaks the database
    shape into the API and tempts lazy loads and queries in the handler.

    ## Example
    ```python
    # app/user/routes/user.py
    from app.user.models import User


    @router.get("/{user_id}")
    async def read_user(user_id: int, service: UserService = Depends(get_user_service)) -> User:
        return await service.get_user(user_id)
    ```

    ## Use instead
    ```python
    # app/user/routes/user.py
    from app.user.schemas import UserResponse


    @router.get("/{user_id}", response_model=UserResponse)
    async def read_user(user_id: int, service: UserService = Depends(get_user_service)) -> UserResponse:
        return await service.get_user(user_id)
    ```

    ## Options
    None.
    """

    code = "DDD105"
    message = "route module imports ORM model module {module}: type routes with the feature's schemas"
    scope = Scope.LAYERS
    layers = frozenset({Layer.ROUTES})
    since = "0.1.0"
    opt_in = True

    @on(ast.Import, ast.ImportFrom)
    def check_import(self, node: ast.AST) -> None:
        if self.ctx.location.in_core:
            return

        def orm(target: ImportTarget) -> bool:
            layers = target.location.layers
            return Layer.MODELS in layers and Layer.SCHEMAS not in layers

        found = offending_targets(self.ctx, node, orm)
        if found:
            self.report(node, module=", ".join(t.shown for t in found))
