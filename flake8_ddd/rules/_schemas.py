"""Schemas: what each module-level class of a file is (DDD401-DDD405).

One analysis per file (cached on the :class:`FileContext`), read by every rule of the group:
for every module-level class (``ctx.module_classes``: also inside module-level ``if``/``try``
blocks, never nested in a class or function), whether it is a Pydantic model, a SQLModel
class, a settings class, an enum, an ORM model; its own fields; and the classes of the same
module it inherits from. String bounds follow the module's aliases (``ctx.module_aliases``).

Base classes are resolved with ``ctx.qualified_name``, so ``pydantic.BaseModel``, ``import
pydantic as pd; pd.BaseModel`` and ``from pydantic import BaseModel as M`` are recognised and a
local class that happens to be called ``BaseModel`` is not. A class is also a Pydantic model
when it inherits a Pydantic model defined earlier in the same module, or a class imported from
a first-party schemas-layer module (``from app.core.schemas import BaseSchema``).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Dict, FrozenSet, Iterator, List, Optional, Set, Tuple

from flake8_ddd.layers import Layer
from flake8_ddd.library_classes import PYDANTIC_MODELS, SETTINGS_MODELS, SQLMODEL_MODELS
from flake8_ddd.option import Option
from flake8_ddd.project_facts import class_assignments
from flake8_ddd.rules._annotations import ANNOTATED, CLASS_VAR, parse_string_annotation

if TYPE_CHECKING:
    from flake8_ddd.context import FileContext

# -- options shared by the group ----------------------------------------------------------------

INPUT_SCHEMA_SUFFIXES = Option(
    "ddd-input-schema-suffixes", ("Create", "Update", "Request", "In"),
    "Class-name suffixes of input schemas in the schemas layer (DDD402).")
UPDATE_SCHEMA_SUFFIXES = Option(
    "ddd-update-schema-suffixes", ("Update",),
    "Class-name suffixes of update schemas, which must not declare immutable fields (DDD401).")
IMMUTABLE_FIELDS = Option(
    "ddd-immutable-fields", ("id", "created_at", "updated_at"),
    "Field names an update schema must not declare (DDD401).")
SCHEMA_INTENTS = Option(
    "ddd-schema-intents",
    ("Create", "Update", "Response", "Read", "Filter", "Base", "InDB", "List", "Query", "Request",
     "In", "Out", "Public", "Payload", "Params", "Input", "Output"),
    "Class-name suffixes that declare a schema's intent (DDD403), each also in the plural "
    "(Filters, Queries) and, when it ends in s, the singular (Param); input and update schema "
    "suffixes count too.")

# -- known names ----------------------------------------------------------------------------------

ENUM_BASES: FrozenSet[str] = frozenset(
    f"enum.{name}" for name in ("Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "ReprEnum"))
#: Model configuration that bounds every string field of a model (v2 and v1 spelling).
CONFIG_BOUND_KEYS = frozenset({"str_max_length", "max_anystr_length"})
ALIAS_KEYWORDS = ("alias", "validation_alias")


# -- the per-file analysis ------------------------------------------------------------------------

class ClassInfo:
    """What the schema rules know of one module-level class, filled in by the module's analysis."""

    def __init__(self, node: ast.ClassDef) -> None:
        self.node = node
        #: Pydantic ``BaseModel`` lineage (not SQLModel, not settings).
        self.pydantic = False
        self.sqlmodel = False
        self.settings = False
        self.enum = False
        self.orm = False
        #: ``str_max_length`` (or v1 ``max_anystr_length``) set in the model's configuration.
        self.config_bounds_str = False
        #: Bases defined earlier in the same module, in order.
        self.local_bases: List[ClassInfo] = []
        #: The class's own fields (annotated names, not ClassVar, not private), in order.
        self.fields: Dict[str, ast.AnnAssign] = {}

    @property
    def pydantic_model(self) -> bool:
        """A Pydantic model proper: not a settings class, a SQLModel class or an enum."""
        return self.pydantic and not (self.settings or self.sqlmodel or self.enum)

    @property
    def schema_like(self) -> bool:
        """A data schema: a Pydantic model or a SQLModel class that is not a table."""
        return (self.pydantic or self.sqlmodel) and not (self.orm or self.settings or self.enum)

    def effective_fields(self) -> Iterator[Tuple[str, ast.AnnAssign]]:
        """Own fields, then inherited ones from local bases (left to right), each name once."""
        seen: Set[str] = set()
        stack: List[ClassInfo] = [self]
        visited: Set[int] = set()
        while stack:
            info = stack.pop(0)
            if id(info) in visited:
                continue
            visited.add(id(info))
            for name, node in info.fields.items():
                if name not in seen:
                    seen.add(name)
                    yield name, node
            stack = info.local_bases + stack

    def bounds_all_strings(self) -> bool:
        if self.config_bounds_str:
            return True
        return any(base.bounds_all_strings() for base in self.local_bases)


class ModuleSchemas:
    """Type aliases and class facts of one module."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.aliases = ctx.module_aliases
        self.by_node: Dict[int, ClassInfo] = {}
        local: Dict[str, ClassInfo] = {}
        for node in ctx.module_classes:
            info = local[node.name] = self._classify(node, local)
            self.by_node[id(node)] = info

    def info(self, node: ast.ClassDef) -> Optional[ClassInfo]:
        """Facts about a module-level class; None for classes nested in a class or function."""
        return self.by_node.get(id(node))

    # -- classes ----------------------------------------------------------------------------------

    def _classify(self, node: ast.ClassDef, local: Dict[str, ClassInfo]) -> ClassInfo:
        info = ClassInfo(node)
        ctx = self.ctx
        table_base = False
        for base in node.bases:
            if isinstance(base, ast.Subscript):  # RootModel[list[int]], Generic[T]
                base = base.value
            known = local.get(base.id) if isinstance(base, ast.Name) else None
            if known is not None:
                info.local_bases.append(known)
                info.pydantic |= known.pydantic
                info.sqlmodel |= known.sqlmodel
                info.settings |= known.settings
                info.enum |= known.enum
                table_base |= known.sqlmodel
                continue
            qualified = ctx.qualified_name(base)
            if qualified is None:
                continue
            if qualified in PYDANTIC_MODELS:
                info.pydantic = True
            elif qualified in SQLMODEL_MODELS:
                info.sqlmodel = table_base = True
            elif qualified in SETTINGS_MODELS:
                info.settings = True
            elif qualified in ENUM_BASES:
                info.enum = True
            elif "." in qualified and ctx.is_first_party(qualified):
                table_base = True
                module = qualified.rsplit(".", 1)[0]
                if ctx.locate_import(module).has(Layer.SCHEMAS):
                    info.pydantic = True
        info.orm = _declares_table_name(node) or (table_base and _table_keyword(node))
        info.config_bounds_str = _config_bounds_str(node)
        for statement in node.body:
            if (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
                    and not statement.target.id.startswith("_")
                    and statement.target.id != "model_config"
                    and not self._is_class_var(statement.annotation)):
                info.fields[statement.target.id] = statement
        return info

    def _is_class_var(self, annotation: ast.AST) -> bool:
        annotation = parse_string_annotation(annotation) or annotation
        if isinstance(annotation, ast.Subscript):
            annotation = annotation.value
        return self.ctx.qualified_name(annotation) in CLASS_VAR


def _declares_table_name(node: ast.ClassDef) -> bool:
    """``__tablename__ = ...`` in the body of a class that is not ``__abstract__ = True``."""
    names = class_assignments(node)
    if "__tablename__" not in names:
        return False
    abstract = names.get("__abstract__")
    return not (isinstance(abstract, ast.Constant) and abstract.value is True)


def _table_keyword(node: ast.ClassDef) -> bool:
    return any(k.arg == "table" and isinstance(k.value, ast.Constant) and k.value.value is True
               for k in node.keywords)


def _bounding_value(value: ast.AST) -> bool:
    return not (isinstance(value, ast.Constant) and value.value is None)


def _config_bounds_str(node: ast.ClassDef) -> bool:
    """``str_max_length`` in class keywords, ``model_config = ConfigDict(...)``/``{...}``, or
    ``str_max_length``/``max_anystr_length`` in a nested v1 ``class Config``."""
    if any(k.arg in CONFIG_BOUND_KEYS and _bounding_value(k.value) for k in node.keywords):
        return True
    for statement in node.body:
        value: Optional[ast.AST] = None
        if isinstance(statement, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "model_config" for t in statement.targets):
            value = statement.value
        elif (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
              and statement.target.id == "model_config"):
            value = statement.value
        if isinstance(value, ast.Call):
            if any(k.arg in CONFIG_BOUND_KEYS and _bounding_value(k.value) for k in value.keywords):
                return True
        elif isinstance(value, ast.Dict):
            for key, item in zip(value.keys, value.values):
                if (isinstance(key, ast.Constant) and key.value in CONFIG_BOUND_KEYS
                        and _bounding_value(item)):
                    return True
        if isinstance(statement, ast.ClassDef) and statement.name == "Config":
            for inner in statement.body:
                if isinstance(inner, ast.Assign) and _bounding_value(inner.value) and any(
                        isinstance(t, ast.Name) and t.id in CONFIG_BOUND_KEYS for t in inner.targets):
                    return True
    return False


def module_schemas(ctx: FileContext) -> ModuleSchemas:
    """The analysis of ``ctx``'s module, computed on first use and shared by the DDD4xx rules."""
    return ctx.shared("schemas", ModuleSchemas)


def class_outside(ctx: FileContext, node: ast.ClassDef, layer: Layer) -> Optional[ClassInfo]:
    """What the module-level class ``node`` is, when its file is not in ``layer`` (a file can
    be in two, ``core/schemas.py``); None otherwise (DDD404, DDD405)."""
    if layer in ctx.layers:
        return None
    return module_schemas(ctx).info(node)


def home_of(ctx: FileContext, layer: Layer) -> str:
    """Where a class of ``layer`` belongs, for a message: the feature's ``user/schemas/``, or a
    core module for a file outside any feature."""
    feature = ctx.location.feature
    if feature and not ctx.location.in_core:
        return f"{feature}/{layer.value}/"
    return f"a {layer.value} module (core/{layer.value}.py for shared ones)"


# -- names and fields -----------------------------------------------------------------------------

def has_suffix(name: str, suffixes: Tuple[str, ...]) -> bool:
    return name.endswith(tuple(suffixes))


def field_aliases(ctx: FileContext, field_node: ast.AnnAssign) -> Iterator[str]:
    """``alias=``/``validation_alias=`` string constants of a ``Field(...)`` default or of
    ``Field(...)`` metadata in ``Annotated[...]``."""
    calls: List[ast.AST] = []
    if field_node.value is not None:
        calls.append(field_node.value)
    annotation = field_node.annotation
    if isinstance(annotation, ast.Subscript) and ctx.qualified_name(annotation.value) in ANNOTATED:
        inner = annotation.slice
        if isinstance(inner, ast.Tuple):
            calls.extend(inner.elts[1:])
    for call in calls:
        if isinstance(call, ast.Call):
            for keyword in call.keywords:
                if (keyword.arg in ALIAS_KEYWORDS and isinstance(keyword.value, ast.Constant)
                        and isinstance(keyword.value.value, str)):
                    yield keyword.value.value
