from __future__ import annotations

import ast

from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._database import ENGINE_FACTORIES, database_callable


class EngineCreatedOutsideDatabaseModule(Rule):
    """Engine or session factory created outside the database module

    ## What it does
    Reports a call of `create_engine`, `create_async_engine`, `sessionmaker`,
    `async_sessionmaker`, `scoped_session` or `async_scoped_session` imported from
    SQLAlchemy or SQLModel (any submodule, alias, or `import sqlalchemy as sa` form) in a
    module of any layer or of `core`, except the database module (`core/database.py`,
    `core/db.py`, `core/session.py`, or a module of such a core package).

    Decision: files without a layer (`main.py`, scripts, `migrations/env.py`, which
    legitimately builds its own engine) are not checked. A local function of the same
    name is not a finding.

    ## Why is this bad?
    The guide: `core/database.py` owns "Database engine and session lifecycles", one of
    the "Application-wide singletons". An engine built elsewhere opens a second connection
    pool with its own settings and escapes the session lifecycle the application manages.

    ## Example
    ```python
    # app/report/services/export.py
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    engine = create_async_engine(settings.database_url)
    SessionLocal = async_sessionmaker(engine)
    ```

    ## Use instead
    ```python
    # app/report/services/export.py
    async def export(db: AsyncSession) -> Report:
        ...
    ```

    ## Options
    None.

    ## When not to use it
    A dependency-injection module that also creates the engines (`modules/dependencies.py`
    with `create_async_engine(...)`) is reported: move the engines to the database module,
    or name that module in `ddd-database-names`. A test helper engine outside `tests/` takes
    `# noqa: DDD602`.
    """

    code = "DDD602"
    required_words = ('create_engine', 'create_async_engine', 'sessionmaker', 'scoped_session')
    message = ("{name}() outside the database module: create the engine and session factory "
               "once in core database")
    scope = Scope.ANY_LAYERED_FILE
    since = "0.1.0"

    @on(ast.Call)
    def check_call(self, node: ast.Call) -> None:
        if self.ctx.location.is_database_module:
            return
        name = database_callable(self.ctx, node.func, ENGINE_FACTORIES)
        if name is not None:
            self.report(node, name=name)
