from __future__ import annotations

import ast

from flake8_ddd.layers import Layer
from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._schemas import (
    IMMUTABLE_FIELDS,
    UPDATE_SCHEMA_SUFFIXES,
    field_aliases,
    has_suffix,
    module_schemas,
)


class ImmutableFieldInUpdateSchema(Rule):
    """Update schema that declares an immutable field

    ## What it does
    Reports a field named `id`, `created_at` or `updated_at` (configurable) declared in the body
    of a class of the schemas layer whose name ends in `Update` (configurable). A field is an
    annotated class attribute (`id: int | None = None`); a field whose `Field(...)` (as default
    or in `Annotated[...]`) has `alias=`/`validation_alias=` equal to an immutable name counts
    too, since clients then send that key.

    Decisions where the catalogue is silent: only module-level classes are looked at; the
    rule goes by the class name (any base class, except enums); `ClassVar` and private
    (`_name`) attributes are not fields; a field inherited from a base class is not reported
    (the catalogue says "declares"; move it out of the shared base instead).

    ## Why is this bad?
    The guide: "Split schemas specifically by intent: Create, Update, Response, filters, etc.
    This prevents users from manually passing immutable fields to update endpoints." An
    `id` or a timestamp in an update body lets a client overwrite what only the database or
    the service may set.

    ## Example
    ```python
    class OrderUpdate(BaseModel):
        id: int
        note: str | None = Field(None, max_length=500)
    ```

    ## Use instead
    ```python
    class OrderUpdate(BaseModel):
        note: str | None = Field(None, max_length=500)
    ```

    ## Options
    - `ddd-immutable-fields`: the field names an update schema must not declare.
    - `ddd-update-schema-suffixes`: class-name suffixes of update schemas.

    ## When not to use it
    An update schema that needs `id` to address one of many rows in a bulk update
    (`UpdateConfigsParam` with `id`) is reported: take the id from the path or a wrapper
    schema, or remove the name from `ddd-immutable-fields`; one field: `# noqa: DDD401`.
    """

    code = "DDD401"
    message = ("update schema {schema} declares the immutable field {field}: "
               "remove it, clients must not set it")
    scope = Scope.LAYERS
    layers = frozenset({Layer.SCHEMAS})
    since = "0.1.0"
    options = (IMMUTABLE_FIELDS, UPDATE_SCHEMA_SUFFIXES)

    @on(ast.ClassDef)
    def check_class(self, node: ast.ClassDef) -> None:
        config = self.ctx.config
        if not has_suffix(node.name, config.get(UPDATE_SCHEMA_SUFFIXES)):
            return
        info = module_schemas(self.ctx).info(node)
        if info is None or info.enum:
            return
        immutable = set(config.get(IMMUTABLE_FIELDS))
        for name, field_node in info.fields.items():
            if name in immutable:
                self.report(field_node, schema=node.name, field=repr(name))
                continue
            alias = next((a for a in field_aliases(self.ctx, field_node) if a in immutable), None)
            if alias is not None:
                self.report(field_node, schema=node.name, field=f"{alias!r} (alias of {name!r})")
