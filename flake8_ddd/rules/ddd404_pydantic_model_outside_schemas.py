from __future__ import annotations

import ast

from flake8_ddd.layers import Layer
from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._schemas import class_outside, home_of


class PydanticModelOutsideSchemas(Rule):
    """Pydantic model defined outside the schemas layer

    ## What it does
    Reports a module-level Pydantic model — a subclass of `pydantic.BaseModel`, `RootModel` or
    v1 `BaseModel`/`GenericModel` in any import form, of such a class of the same module, or of
    a class imported from a first-party schemas module — in a file of any layer other than
    schemas (routes, services, crud, models, core, ...). Files with no layer (`main.py`,
    `migrations/`) and tests are not checked; a file mapped to two layers one of which is
    schemas (`models+schemas`) is not either.

    Decisions where the catalogue is silent: settings classes (`BaseSettings`) are not
    findings, nor are `SQLModel` classes (with or without `table=True`: SQLModel merges the ORM
    model and the schema by design), enums, dataclasses and `TypedDict`s; classes nested in a
    class or function are not looked at.

    ## Why is this bad?
    The guide: "`schemas/`: Pydantic input/output schemas (split by intent: Create, Update,
    Response)." and "Define the Data Shape: Start with schemas/. Define the Pydantic models
    for your incoming request, your updates, and your outward response." A request body
    declared next to the route or the service is invisible to whoever looks for the API's
    data shapes and is easily reused for the wrong intent.

    ## Example
    ```python
    # app/orders/routes/orders.py
    class OrderIn(BaseModel):
        note: str = Field(max_length=500)
    ```

    ## Use instead
    ```python
    # app/orders/schemas/order.py
    class OrderCreate(BaseModel):
        note: str = Field(max_length=500)
    ```

    ## Options
    None.

    ## When not to use it
    Pydantic classes that are not request or response schemas (settings objects built on
    `BaseModel`, event payloads of a message bus) are reported outside `schemas/`: map their
    module with `ddd-layer-paths` (e.g. `app/*/events.py=schemas`), or silence it with
    `per-file-ignores`; one class with `# noqa: DDD404`. This rule is opt-in for that
    reason.
    """

    code = "DDD404"
    message = "Pydantic model {model} defined outside the schemas layer: move it to {place}"
    scope = Scope.LAYERS
    layers = frozenset(layer for layer in Layer if layer is not Layer.SCHEMAS)
    since = "0.1.0"
    opt_in = True

    @on(ast.ClassDef)
    def check_class(self, node: ast.ClassDef) -> None:
        info = class_outside(self.ctx, node, Layer.SCHEMAS)
        if info is not None and info.pydantic_model:
            self.report(node, model=node.name, place=home_of(self.ctx, Layer.SCHEMAS))
