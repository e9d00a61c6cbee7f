from __future__ import annotations

import ast
from typing import Dict

from flake8_ddd.layers import Location
from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._database import QUERY_METHODS, is_session_method_call
from flake8_ddd.rules._schemas import module_schemas

#: What the finding lists, in this order: singular -> plural.
KINDS = {"route handler": "route handlers", "session query": "session queries",
         "ORM class": "ORM classes", "Pydantic class": "Pydantic classes"}


def is_migration(tree: ast.AST) -> bool:
    """An Alembic revision: a module-level ``down_revision = ...``."""
    return any(isinstance(statement, (ast.Assign, ast.AnnAssign)) and any(
        isinstance(target, ast.Name) and target.id == "down_revision"
        for target in (statement.targets if isinstance(statement, ast.Assign) else [statement.target]))
        for statement in getattr(tree, "body", ()))


class LayerCodeWithoutLayer(Rule):
    """Layer code in a module that has no layer

    ## What it does
    Reports line 1 of a module that has no layer (no layer segment in its path, no
    `ddd-layer-paths` glob, no `# ddd: layer=` pin) but holds code that belongs to a layer:
    route handlers (`@router.get(...)` and the other route decorators), session queries
    (`session.execute(...)`, `db.query(...)`, ... on a session-like receiver), ORM classes
    (`__tablename__`, `SQLModel` with `table=True`) or Pydantic models. The message counts
    what was found. The layer rules never check such a module, so its commits, queries in
    routes or unbounded strings go unreported; this rule shows where. Opt-in.

    Not reported: tests, files excluded with `ddd-layer-exclude` or pinned `# ddd: layer=none`
    (a deliberate "no layer"), the settings and database modules (`app/config.py`,
    `app/db/session.py`: their role is known), Alembic revisions (a module-level
    `down_revision`), settings classes (`BaseSettings`), enums, dataclasses. `flake8-ddd layers` lists every
    file's layer and `flake8-ddd init` proposes a configuration that maps such modules.

    ## Why is this bad?
    The guide groups code by layer ("`routes/`: HTTP handlers and endpoints", "`crud/`: SQL
    queries and atomic DB operations", "`schemas/`: Pydantic input/output schemas",
    "`models/`: SQLAlchemy ORM entity definitions") and every rule of this plugin is one of
    its layer rules made checkable: code outside any layer escapes all of them silently.

    ## Example
    ```python
    # app/user/handlers.py: "handlers" is no layer segment
    @router.get("/users/{user_id}")
    async def read_user(user_id: int, session: SessionDep) -> UserRead:
        return await session.get(User, user_id)
    ```

    ## Use instead
    ```python
    # app/user/routes.py, or keep the name and map it:
    # [tool.flake8-ddd] ddd-layer-segments = ["handlers=routes"]
    @router.get("/users/{user_id}")
    async def read_user(user_id: int, service: UserServiceDep) -> UserRead:
        return await service.get(user_id)
    ```

    ## Options
    None (`ddd-layer-segments`, `ddd-layer-paths` and `ddd-layer-exclude` decide what has a
    layer).
    """

    code = "DDD606"
    message = ("module has no layer but holds layer code ({found}): the layer rules never "
               "check it; give it a layer (a segment name, ddd-layer-paths or a ddd: layer "
               "pin) or exclude it with ddd-layer-exclude")
    scope = Scope.ANY_FILE
    since = "0.2.0"
    opt_in = True

    @classmethod
    def applies_to(cls, location: Location) -> bool:
        return (not location.layers and location.role is None
                and location.decided_by not in ("exclude", "pin"))

    @classmethod
    def scope_text(cls) -> str:
        return "files without a layer"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.found: Dict[str, int] = dict.fromkeys(KINDS, 0)

    @on(ast.FunctionDef, ast.AsyncFunctionDef)
    def check_function(self, node: ast.AST) -> None:
        if self.ctx.is_route_handler(node):
            self.found["route handler"] += 1

    @on(ast.Call)
    def check_call(self, node: ast.Call) -> None:
        if is_session_method_call(self.ctx, node, QUERY_METHODS):
            self.found["session query"] += 1

    @on(ast.ClassDef)
    def check_class(self, node: ast.ClassDef) -> None:
        info = module_schemas(self.ctx).info(node)
        if info is None:
            return
        if info.orm:
            self.found["ORM class"] += 1
        elif info.pydantic_model:
            self.found["Pydantic class"] += 1

    def finish(self) -> None:
        if self.ctx.layers or is_migration(self.ctx.tree):
            return
        parts = [f"{count} {kind if count == 1 else KINDS[kind]}"
                 for kind, count in self.found.items() if count]
        if parts:
            self.report(self.ctx.tree, found=", ".join(parts))
