from __future__ import annotations

import ast
from typing import Set

from flake8_ddd.layers import Layer
from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._annotations import field_is_unbounded_str
from flake8_ddd.rules._project import input_schema_reason
from flake8_ddd.rules._schemas import INPUT_SCHEMA_SUFFIXES, module_schemas


class UnboundedStrInInputSchema(Rule):
    """Input schema with a string field of unbounded length

    ## What it does
    Reports a `str` field (`str`, `str | None`, `Optional[str]`, `Union[str, None]`, also
    quoted, and `constr(...)`) of an input schema — a class of the schemas layer whose name ends
    in `Create`, `Update`, `Request` or `In` (configurable) — that has neither `max_length` nor
    `pattern`. A bound counts in `Field(...)` given as the default
    (`name: str = Field(max_length=50)`), in `constr(...)`, in the metadata of `Annotated[str, Field(...)]` /
    `Annotated[str, StringConstraints(...)]`, also through a type alias of the same module
    (`Name = Annotated[...]`, `Name: TypeAlias = ...`, `type Name = ...`) and inside
    `Optional[...]` / `X | None`. `min_length` alone is not a bound.

    Whatever its name, a schema class is an input schema too when a route handler anywhere
    in the project takes it as a request-body parameter (`payload: UserLogin`,
    `Annotated[UserLogin, Body()]`, `list[...]`, `Optional[...]`, `X | None`; not parameters
    marked `Depends`, `Query`, `Path`, `Header`, `Cookie` or `Security`), and when it inherits
    an input schema of another module (a schemas-layer class with an input suffix, or a body
    schema). These facts come from the project index (see the README).

    Decisions where the catalogue is silent:
    - pydantic v1's `regex=` counts like `pattern=`; so do `annotated_types.MaxLen(n)` and
      `Len(min, max)`, and any call with a `max_length`/`pattern` keyword (a project's own
      `Field` wrapper, FastAPI's `Query`); `Field(**limits)` is assumed to bound;
    - `str_max_length` in the model configuration (`model_config = ConfigDict(...)`, class
      keywords, v1 `class Config: max_anystr_length`) bounds every string field of the model
      and of its subclasses in the module;
    - fields inherited from a class of the same module count (the usual
      `class OrderCreate(OrderBase): pass`); such a finding is reported at the field in the
      base class, once, however many input schemas inherit it;
    - `typing.NewType("Name", str)` is a `str`; unions with other types (`str | int`),
      containers (`list[str]`), `EmailStr`, `Literal[...]`, enums and aliases imported from
      other modules are not findings; field validators are not bounds.

    ## Why is this bad?
    The guide: "Enforce strict input validation (string lengths, boundary values, Regex) at
    this level." An unbounded string lets a client send megabytes into a column, a log line or
    an e-mail template; the database error comes later and as a 500.

    ## Example
    ```python
    class OrderCreate(BaseModel):
        note: str | None = None
    ```

    ## Use instead
    ```python
    class OrderCreate(BaseModel):
        note: str | None = Field(None, max_length=500)
    ```

    ## Options
    - `ddd-input-schema-suffixes`: class-name suffixes of input schemas.
    """

    code = "DDD402"
    message = ("input schema {schema} has the unbounded str field {field!r}: "
               "add max_length or pattern (Field, constr or StringConstraints)")
    scope = Scope.LAYERS
    layers = frozenset({Layer.SCHEMAS})
    since = "0.1.0"
    options = (INPUT_SCHEMA_SUFFIXES,)

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self.reported: Set[int] = set()

    @on(ast.ClassDef)
    def check_class(self, node: ast.ClassDef) -> None:
        if input_schema_reason(self.ctx, node, self.ctx.config.get(INPUT_SCHEMA_SUFFIXES)) is None:
            return
        info = module_schemas(self.ctx).info(node)
        if info is None or info.enum or info.bounds_all_strings():
            return
        for name, field_node in info.effective_fields():
            if id(field_node) not in self.reported and field_is_unbounded_str(self.ctx, field_node):
                self.reported.add(id(field_node))
                self.report(field_node, schema=node.name, field=name)
