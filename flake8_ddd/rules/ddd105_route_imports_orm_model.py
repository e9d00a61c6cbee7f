from __future__ import annotations

import ast

from flake8_ddd.layers import Layer
from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._project import orm_imports, short_name


class RouteImportsOrmModel(Rule):
    """Routes layer imports ORM models

    ## What it does
    Reports an import statement in a module of the routes layer that brings in ORM models:
    an imported name that is an ORM class of the project (`from app.user.models import
    User`, `from ..models.user import User as Account`, a class re-exported by a package's
    `__init__.py`), or a whole module that defines ORM classes (`import app.user.models`,
    `from app.user import models`, `from app.user.models import *`), or a package of the
    models layer that re-exports them. Each statement is reported once, naming every ORM
    class or module it imports. Opt-in.

    An ORM class is one the project index knows as such, from any module: a class that
    declares `__tablename__`, a SQLModel class with `table=True`, or a class below a
    SQLAlchemy declarative base (`DeclarativeBase` subclass, `declarative_base()`) that is
    neither that base nor `__abstract__`. So a `models.py` that holds only Pydantic classes
    is not reported, and an ORM class imported from a module of any name is.

    Decision: imports under `if TYPE_CHECKING:` (type hints only) are reported too: the
    route still knows the ORM entity. Files in `core` get only DDD104. A module the project
    index cannot see (outside the project) is not reported.

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
    message = "route module imports ORM {found}: type routes with the feature's schemas"
    scope = Scope.LAYERS
    layers = frozenset({Layer.ROUTES})
    since = "0.1.0"
    opt_in = True

    @on(ast.Import, ast.ImportFrom)
    def check_import(self, node: ast.AST) -> None:
        if self.ctx.location.in_core:
            return
        found = orm_imports(self.ctx, node)
        if found:
            self.report(node, found=", ".join(
                f"class {short_name(name)} ({name.rsplit('.', 1)[0]})" if kind == "class"
                else f"module {name}" for kind, name in found))
