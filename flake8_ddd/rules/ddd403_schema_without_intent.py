from __future__ import annotations

import ast
import functools
from typing import List, Tuple

from flake8_ddd.layers import Layer
from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._schemas import (
    INPUT_SCHEMA_SUFFIXES,
    SCHEMA_INTENTS,
    UPDATE_SCHEMA_SUFFIXES,
    has_suffix,
    module_schemas,
)


@functools.lru_cache(maxsize=32)  # asked for every class with the same configured tuple
def intent_forms(intents: Tuple[str, ...]) -> Tuple[str, ...]:
    """Each intent, its plural (``Filters``, ``Queries``, ``Statuses``) and, for one that ends
    in ``s``, its singular (``Param`` of ``Params``)."""
    forms: List[str] = []
    for intent in intents:
        forms += [intent, intent + "s", intent + "es"]
        if intent.endswith("y"):
            forms.append(intent[:-1] + "ies")
        if intent.endswith("s") and len(intent) > 1:
            forms.append(intent[:-1])
    return tuple(forms)


class SchemaWithoutIntent(Rule):
    """Schema class whose name declares no intent

    ## What it does
    Reports a schema class of the schemas layer whose name does not end in one of `Create`,
    `Update`, `Response`, `Read`, `Filter`, `Base`, `InDB`, `List`, `Query`, `Request`, `In`,
    `Out`, `Public`, `Payload`, `Params`, `Input`, `Output` (configurable; the input and
    update schema suffixes count too), or in the plural of one (`ArticlesFilters`,
    `OrderQueries`). Decisions: `Input`/`Output` are accepted as the long forms of
    `In`/`Out`, and an intent ending in `s` also in the singular (`DeleteOrderParam`). The
    match is case-sensitive, so `UserLogin` and `PageLayout` do not end in `In`/`Out`.

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

    ## When not to use it
    Component schemas nested inside another one (`Pricing` inside `BrainOutput`, a
    `WorkflowLayoutViewport` field) have no intent of their own and are reported: keep them
    in a module of components silenced with `per-file-ignores =
    app/*/schemas/components.py:DDD403`, or name them with a suffix of your own added to
    `ddd-schema-intents` (e.g. `Search`, `Detail`, `Item`, which projects use for
    filters, reads and list entries). One class: `# noqa: DDD403`.
    """

    code = "DDD403"
    message = "schema {schema} does not name its intent: end the name with one of {intents} (or its plural)"
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
        if not has_suffix(node.name, intent_forms(accepted)):
            self.report(node, schema=node.name, intents=", ".join(intents))
