from __future__ import annotations

import ast

from flake8_ddd.layers import Layer
from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._schemas import (
    INPUT_SCHEMA_SUFFIXES,
    SCHEMA_INTENTS,
    UPDATE_SCHEMA_SUFFIXES,
    has_suffix,
    module_schemas,
)


class SchemaWithoutIntent(Rule):
    """Schema class whose name declares no intent

    ## What it does
    Reports a schema class of the schemas layer whose name does not end in one of `Create`,
    `Update`, `Response`, `Read`, `Filter`, `Base`, `InDB`, `List`, `Query` (configurable; the
    input and update schema suffixes count too).

    A schema class is a module-level class that is a Pydantic model (`pydantic.BaseModel`,
    `RootModel`, v1 `BaseModel`/`GenericModel`, in any import form), a `SQLModel` class that
    is not a table, a subclass of such a class of the same module, or a subclass of a class
    imported from a first-party schemas module (`from app.core.schemas import BaseSchema`).
    Decisions where the catalogue is silent: enums, `TypedDict`s, dataclasses, settings
    classes, exceptions and other plain classes kept in a schemas module are not schemas;
    private helpers (`_Name`) are not reported.

    ## Why is this bad?
    The guide: "Split schemas specifically by intent: Create, Update, Response, filters, etc.
    This prevents users from manually passing immutable fields to update endpoints." A schema
    called `Order` ends up used for input and output alike.

    ## Example
    ```python
    class Order(BaseModel):
        id: int
        note: str
    ```

    ## Use instead
    ```python
    class OrderResponse(BaseModel):
        id: int
        note: str
    ```

    ## Options
    - `ddd-schema-intents`: the accepted name suffixes.
    - `ddd-input-schema-suffixes`, `ddd-update-schema-suffixes` (shared with DDD401/DDD402):
      also accepted.
    """

    code = "DDD403"
    message = "schema {schema} does not name its intent: end the name with one of {intents}"
    scope = Scope.LAYERS
    layers = frozenset({Layer.SCHEMAS})
    since = "0.1.0"
    opt_in = True
    options = (SCHEMA_INTENTS, INPUT_SCHEMA_SUFFIXES, UPDATE_SCHEMA_SUFFIXES)

    @on(ast.ClassDef)
    def check_class(self, node: ast.ClassDef) -> None:
        if node.name.startswith("_"):
            return
        info = module_schemas(self.ctx).info(node)
        if info is None or not info.schema_like:
            return
        config = self.ctx.config
        intents = config.get(SCHEMA_INTENTS)
        accepted = intents + config.get(INPUT_SCHEMA_SUFFIXES) + config.get(UPDATE_SCHEMA_SUFFIXES)
        if not has_suffix(node.name, accepted):
            self.report(node, schema=node.name, intents=", ".join(intents))
