from __future__ import annotations

import ast
from typing import Dict

from flake8_ddd.ast_names import matches_any
from flake8_ddd.context import FileContext
from flake8_ddd.layers import Layer
from flake8_ddd.option import Option
from flake8_ddd.rule import Rule, Scope, on, on_leave
from flake8_ddd.rules._exceptions import BUILTIN_EXCEPTION_NAMES

CRUD_BASE = Option(
    "ddd-crud-base", ("CRUDBase",),
    "Names (globs allowed) of the generic CRUD base classes every crud-layer class must inherit.")

#: Bases that make a class a helper rather than a repository: protocols, enums, typed
#: records, Pydantic/SQLModel models and exceptions.
HELPER_BASES = frozenset({
    "Protocol", "Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "TypedDict", "NamedTuple",
    "BaseModel", "SQLModel", "Exception", "BaseException"})
HELPER_SUFFIXES = ("Error", "Exception")


class CrudClassWithoutBase(Rule):
    """Class in the CRUD layer that does not inherit the generic CRUD base

    ## What it does
    Reports a module-level class in the crud layer none of whose bases is the generic
    base (`CRUDBase`, configurable with `ddd-crud-base`; `CRUDBase[User, UserCreate,
    UserUpdate]`, an alias and `crud.CRUDBase` count). A class also complies when it
    inherits a class of the same module that complies, or a class imported from another
    first-party crud-layer module (assumed to derive from the base). Opt-in.

    Decision: not findings are the base class itself (a class named in `ddd-crud-base`),
    private classes (`_Row`), nested classes and classes defined in functions, and helper
    classes: protocols, enums, `TypedDict`, `NamedTuple`, `@dataclass` classes, Pydantic
    or SQLModel models, ORM models (`__tablename__` in the body) and exceptions — other
    rules (DDD008, DDD404, DDD405) cover misplaced ones. Modules under `core/` (the home of
    the generic bases, `core/crud.py`) are not checked.

    ## Why is this bad?
    The guide: the CRUD layer must "Inherit generic behaviors from app/core/crud.py whenever
    possible" — "a generic CRUDBase class". A hand-rolled repository re-implements `get`,
    `create`, `update` and `remove`, each with its own subtle differences.

    ## Example
    ```python
    # app/user/crud/user.py
    class UserCRUD:
        async def get(self, db: AsyncSession, user_id: int) -> User | None:
            return await db.get(User, user_id)
    ```

    ## Use instead
    ```python
    # app/user/crud/user.py
    from app.core.crud import CRUDBase


    class UserCRUD(CRUDBase[User, UserCreate, UserUpdate]):
        async def get_by_email(self, db: AsyncSession, email: str) -> User | None:
            ...
    ```

    ## Options
    `ddd-crud-base`: names of the generic base classes (globs allowed).

    ## When not to use it
    Crud classes that cannot share a generic base (a read-only view over a reporting
    database) are reported: list their own base in `ddd-crud-base`, or silence the class
    with `# noqa: DDD604`. This rule is opt-in.
    """

    code = "DDD604"
    message = "CRUD class {name} does not inherit {base}: inherit the generic base from core crud"
    scope = Scope.LAYERS
    layers = frozenset({Layer.CRUD})
    since = "0.1.0"
    opt_in = True
    options = (CRUD_BASE,)

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._bases = ctx.config.get(CRUD_BASE)
        self._class_depth = 0
        #: Module-level classes seen so far: name -> inherits the base.
        self._compliant: Dict[str, bool] = {}

    @on(ast.ClassDef)
    def check_class(self, node: ast.ClassDef) -> None:
        nested = self._class_depth > 0 or bool(self.ctx.function_stack)
        self._class_depth += 1
        if nested or self.ctx.location.in_core:
            return
        if matches_any(node.name, self._bases):
            self._compliant[node.name] = True
            return
        compliant = any(self._inherits_base(base) for base in node.bases)
        self._compliant[node.name] = compliant
        if compliant or node.name.startswith("_") or self._is_helper(node):
            return
        self.report(node, name=node.name, base=self._bases[0] if self._bases else "CRUDBase")

    @on_leave(ast.ClassDef)
    def leave_class(self, node: ast.ClassDef) -> None:
        self._class_depth -= 1

    def _inherits_base(self, base: ast.AST) -> bool:
        while isinstance(base, ast.Subscript):
            base = base.value
        name = self.ctx.resolved_last_name(base)
        if name is None:
            return False
        if matches_any(name, self._bases):
            return True
        if isinstance(base, ast.Name) and self._compliant.get(base.id):
            return True
        qualified = self.ctx.qualified_name(base)
        if qualified is None or "." not in qualified:
            return False
        module = qualified.rpartition(".")[0]
        if not self.ctx.is_first_party(module):
            return False
        return Layer.CRUD in self.ctx.locate_import(module).layers

    def _is_helper(self, node: ast.ClassDef) -> bool:
        for base in node.bases:
            while isinstance(base, ast.Subscript):
                base = base.value
            name = self.ctx.resolved_last_name(base)
            if name and (name in HELPER_BASES or name in BUILTIN_EXCEPTION_NAMES
                         or name.endswith(HELPER_SUFFIXES)):
                return True
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if self.ctx.resolved_last_name(target) == "dataclass":
                return True
        for statement in node.body:
            targets = (statement.targets if isinstance(statement, ast.Assign)
                       else [statement.target] if isinstance(statement, ast.AnnAssign) else [])
            if any(isinstance(t, ast.Name) and t.id == "__tablename__" for t in targets):
                return True
        return False
