from __future__ import annotations

import ast

from flake8_ddd.layers import Layer
from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._schemas import class_outside, home_of


class OrmModelOutsideModels(Rule):
    """ORM model defined outside the models layer

    ## What it does
    Reports a module-level ORM model in a file of any layer other than models (schemas,
    routes, services, crud, core, ...). An ORM model is a class that assigns `__tablename__` in
    its body, or a class declared with the keyword `table=True` that inherits `SQLModel` (in any
    import form, directly or through a class of the same module) or a class imported from a
    first-party module.

    Decisions where the catalogue is silent: a class with `__abstract__ = True` is not a table;
    a `__tablename__` method (`@declared_attr`), which a declarative base in
    `app/core/database.py` uses to name tables, is not a finding; files with no layer
    (`main.py`, `migrations/`) and tests are not checked, nor is a file mapped to two layers one
    of which is models (`models+schemas`); classes nested in a class or function are not
    looked at.

    ## Why is this bad?
    The guide: "`models/`: ORM entity classes defining database tables" and "`models/`:
    SQLAlchemy ORM entity definitions." A table defined in a schemas or services module is
    missed by whoever looks for the database shape (and by migration autogeneration that
    imports the models package).

    ## Example
    ```python
    # app/orders/schemas/order.py
    class Order(Base):
        __tablename__ = "orders"
        id: Mapped[int] = mapped_column(primary_key=True)
    ```

    ## Use instead
    ```python
    # app/orders/models/order.py
    class Order(Base):
        __tablename__ = "orders"
        id: Mapped[int] = mapped_column(primary_key=True)
    ```

    ## Options
    None.

    ## When not to use it
    A project that keeps ORM models in one shared package (`app/db/models.py`) is
    reported only when that package has no `models` segment: map it with `ddd-layer-paths =
    app/db/models.py=models`. An association table declared next to a service for a test is
    silenced with `# noqa: DDD405`.
    """

    code = "DDD405"
    message = "ORM model {model} defined outside the models layer: move it to {place}"
    scope = Scope.LAYERS
    layers = frozenset(layer for layer in Layer if layer is not Layer.MODELS)
    since = "0.1.0"

    @on(ast.ClassDef)
    def check_class(self, node: ast.ClassDef) -> None:
        info = class_outside(self.ctx, node, Layer.MODELS)
        if info is not None and info.orm:
            self.report(node, model=node.name, place=home_of(self.ctx, Layer.MODELS))
