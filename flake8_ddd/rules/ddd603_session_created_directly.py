from __future__ import annotations

import ast
from typing import Dict, FrozenSet, Optional, Tuple

from flake8_ddd.ast_names import glob_matcher, head_name, module_level_statements, parameter_names
from flake8_ddd.context import FileContext
from flake8_ddd.layers import Layer
from flake8_ddd.options import SESSION_FACTORIES
from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._database import SESSION_MAKERS, database_callable, database_name
from flake8_ddd.sessions import SESSION_CLASSES


class SessionCreatedDirectly(Rule):
    """Database session created directly instead of injected

    ## What it does
    Reports a call that creates a session: `Session(...)`/`AsyncSession(...)` imported
    from SQLAlchemy or SQLModel (any import form or alias), a call of a session factory
    named in `ddd-session-factories` (`SessionLocal()`, `async_session()`, imported under
    any alias or as `database.SessionLocal()`), and a call of a module-level name bound to
    `sessionmaker(...)`/`async_sessionmaker(...)`/`scoped_session(...)`. `async with
    async_session() as session:` counts. Checked in modules of any layer or of `core`,
    except the database module (`core/database.py`, `core/db.py`, `core/session.py`, or a
    module of such a core package), `dependencies` modules and the tasks layer (`tasks.py`,
    `tasks/`): a background job runs outside any request, where `Depends` cannot reach, and
    opens its own session.

    Decision: a factory that was injected is not a finding: a call of a parameter of an
    enclosing function (`def run(session_factory): session_factory()`) or of an attribute
    of an object (`self.session_factory()`). A job-like function outside the tasks layer
    (`run_purge_task()` in a service) is checked like any other code. Files without a layer
    (`main.py`, scripts, migrations) are not checked.

    ## Why is this bad?
    The guide: "Utilize dependency injection frameworks or patterns (e.g., FastAPI's
    Depends) to pass database sessions" into the layers, and routes "Must rely completely
    on Dependency Injection to receive Services and Database context". A session opened
    in place has its own transaction that the request's service cannot commit or roll
    back, and tests cannot substitute it.

    ## Example
    ```python
    # app/user/services/user.py
    from app.core.database import SessionLocal


    async def deactivate(user_id: int) -> None:
        async with SessionLocal() as session:
            ...
    ```

    ## Use instead
    ```python
    # app/user/services/user.py
    async def deactivate(db: AsyncSession, user_id: int) -> None:
        ...


    # app/user/routes/user.py
    @router.post("/{user_id}/deactivate", status_code=204)
    async def deactivate_user(user_id: int, db: AsyncSession = Depends(get_db)) -> None:
        await deactivate(db, user_id)
    ```

    ## Options
    `ddd-session-factories`: names of session factories (globs allowed) whose call
    creates a session.

    ## When not to use it
    Code that runs outside a request but lives outside the tasks layer (a worker package
    named `workers/`, agent tools, CLI commands) is reported: map its directory to the
    tasks layer (`ddd-layer-segments = workers=tasks`), pin a module with
    `# ddd: layer=tasks`, or silence it with `per-file-ignores = app/*/workers/*:DDD603`.
    One call: `# noqa: DDD603`.
    """

    code = "DDD603"
    message = ("session created with {name}() outside the database module, dependencies and tasks: "
               "receive it through Depends (a background job belongs in the tasks layer)")
    scope = Scope.ANY_LAYERED_FILE
    since = "0.1.0"
    options = (SESSION_FACTORIES,)

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        location = ctx.location
        self._exempt = (location.is_database_module or location.is_dependencies_module
                        or location.has(Layer.TASKS))
        self._factories = ctx.config.get(SESSION_FACTORIES)
        self._is_factory = glob_matcher(self._factories)
        self._bound: Optional[FrozenSet[str]] = None
        self._by_name: Dict[Tuple[str, Optional[str]], Tuple[Optional[str], bool]] = {}

    @on(ast.Call)
    def check_call(self, node: ast.Call) -> None:
        if self._exempt:
            return
        func = node.func
        if type(func) is ast.Name:
            name = self._called_name(func)
        else:
            # ``x.y.Session()`` counts only when ``x`` is imported (or bound here): most calls
            # (``self.crud.get()``, ``session.execute()``) are dismissed without a look-up.
            head = head_name(func)
            if head is None or not self.ctx.may_name_something(head):
                return
            qualified = self.ctx.qualified_name(func)  # once for both questions
            name = database_name(qualified, SESSION_CLASSES) or self._factory_attribute(func, qualified)
        if name is not None:
            self.report(node, name=name)

    def _called_name(self, func: ast.Name) -> Optional[str]:
        """What ``name()`` creates: a session class, or a factory (unless a parameter)."""
        qualified = self.ctx.qualified_name(func)
        # The same few names are called again and again (``select``, ``Depends``): what a name
        # and its resolution are is kept for the file; only the parameter test is positional.
        key = (func.id, qualified)
        known = self._by_name.get(key)
        if known is None:
            resolved = qualified.rsplit(".", 1)[-1] if qualified else func.id
            is_factory = self._is_factory
            session_class = database_name(qualified, SESSION_CLASSES)
            known = self._by_name[key] = (session_class, session_class is None and bool(
                is_factory(resolved) or is_factory(func.id) or func.id in self._bound_factories()))
        session_class, factory = known
        if session_class is not None:
            return session_class
        if factory and func.id not in parameter_names(self.ctx.function_stack):
            return func.id
        return None

    def _factory_attribute(self, func: ast.AST, qualified: Optional[str]) -> Optional[str]:
        if isinstance(func, ast.Attribute) and qualified is not None and self._is_factory(func.attr):
            return func.attr
        return None

    def _bound_factories(self) -> FrozenSet[str]:
        """Module-level names bound to ``sessionmaker(...)`` and its relatives."""
        if self._bound is None:
            names = set()
            tree = self.ctx.tree
            for statement in module_level_statements(getattr(tree, "body", [])):
                value = getattr(statement, "value", None)
                if not (isinstance(statement, (ast.Assign, ast.AnnAssign)) and isinstance(value, ast.Call)):
                    continue
                if database_callable(self.ctx, value.func, SESSION_MAKERS) is None:
                    continue
                targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                names.update(t.id for t in targets if isinstance(t, ast.Name))
            self._bound = frozenset(names)
        return self._bound
