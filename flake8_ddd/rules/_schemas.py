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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, FrozenSet, Iterator, List, Optional, Set, Tuple

from flake8_ddd.layers import Layer
from flake8_ddd.options import Option

if TYPE_CHECKING:
    from flake8_ddd.context import FileContext

# -- options shared by the group ----------------------------------------------------------------

INPUT_SCHEMA_SUFFIXES = Option(
    "ddd-input-schema-suffixes", ("Create", "Update"),
    "Class-name suffixes of input schemas in the schemas layer (DDD402).")
UPDATE_SCHEMA_SUFFIXES = Option(
    "ddd-update-schema-suffixes", ("Update",),
    "Class-name suffixes of update schemas, which must not declare immutable fields (DDD401).")
IMMUTABLE_FIELDS = Option(
    "ddd-immutable-fields", ("id", "created_at", "updated_at"),
    "Field names an update schema must not declare (DDD401).")
SCHEMA_INTENTS = Option(
    "ddd-schema-intents",
    ("Create", "Update", "Response", "Read", "Filter", "Base", "InDB", "List", "Query"),
    "Class-name suffixes that declare a schema's intent (DDD403); input and update schema "
    "suffixes count too.")

# -- known names ----------------------------------------------------------------------------------

PYDANTIC_MODELS: FrozenSet[str] = frozenset({
    "pydantic.BaseModel", "pydantic.main.BaseModel",
    "pydantic.RootModel", "pydantic.root_model.RootModel",
    "pydantic.v1.BaseModel", "pydantic.v1.main.BaseModel",
    "pydantic.generics.GenericModel", "pydantic.v1.generics.GenericModel",
})
SQLMODEL_MODELS: FrozenSet[str] = frozenset({"sqlmodel.SQLModel", "sqlmodel.main.SQLModel"})
SETTINGS_MODELS: FrozenSet[str] = frozenset({
    "pydantic_settings.BaseSettings", "pydantic_settings.main.BaseSettings",
    "pydantic.BaseSettings", "pydantic.env_settings.BaseSettings",
    "pydantic.v1.BaseSettings", "pydantic.v1.env_settings.BaseSettings",
})
ENUM_BASES: FrozenSet[str] = frozenset(
    f"enum.{name}" for name in ("Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "ReprEnum"))

STR_TYPES: FrozenSet[str] = frozenset({"str", "builtins.str"})
_TYPING = ("typing", "typing_extensions")
OPTIONAL = frozenset(f"{m}.Optional" for m in _TYPING)
UNION = frozenset(f"{m}.Union" for m in _TYPING)
ANNOTATED = frozenset(f"{m}.Annotated" for m in _TYPING)
CLASS_VAR = frozenset(f"{m}.ClassVar" for m in _TYPING)
NEW_TYPE = frozenset(f"{m}.NewType" for m in _TYPING)
CONSTR: FrozenSet[str] = frozenset({
    "pydantic.constr", "pydantic.types.constr", "pydantic.v1.constr", "pydantic.v1.types.constr"})
MAX_LEN = frozenset({"annotated_types.MaxLen"})
LEN = frozenset({"annotated_types.Len"})
#: Keywords of ``Field``/``constr``/``StringConstraints`` that bound a string (``regex`` is
#: pydantic v1's name for ``pattern``).
BOUND_KEYWORDS = frozenset({"max_length", "pattern", "regex"})
#: Model configuration that bounds every string field of a model (v2 and v1 spelling).
CONFIG_BOUND_KEYS = frozenset({"str_max_length", "max_anystr_length"})
ALIAS_KEYWORDS = ("alias", "validation_alias")
MAX_DEPTH = 20


# -- the per-file analysis ------------------------------------------------------------------------

@dataclass(eq=False)
class ClassInfo:
    node: ast.ClassDef
    #: Pydantic ``BaseModel`` lineage (not SQLModel, not settings).
    pydantic: bool = False
    sqlmodel: bool = False
    settings: bool = False
    enum: bool = False
    orm: bool = False
    #: ``str_max_length`` (or v1 ``max_anystr_length``) set in the model's configuration.
    config_bounds_str: bool = False
    #: Bases defined earlier in the same module, in order.
    local_bases: List["ClassInfo"] = field(default_factory=list)
    #: The class's own fields (annotated names, not ClassVar, not private), in order.
    fields: Dict[str, ast.AnnAssign] = field(default_factory=dict)

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
        annotation = _parse_string(annotation) or annotation
        if isinstance(annotation, ast.Subscript):
            annotation = annotation.value
        return self.ctx.qualified_name(annotation) in CLASS_VAR

    # -- string fields ----------------------------------------------------------------------------

    def str_bound(self, annotation: Optional[ast.AST]) -> Optional[bool]:
        """None when the annotation is not a ``str`` type (optionally with None); else whether it
        is bounded by ``max_length``/``pattern``."""
        result = self._str_bound(annotation, 0, frozenset())
        return None if result is _NONE_TYPE else result  # type: ignore[return-value]

    def _str_bound(self, node: Optional[ast.AST], depth: int, seen: FrozenSet[str]) -> object:
        if node is None or depth > MAX_DEPTH:
            return None
        ctx = self.ctx
        if isinstance(node, ast.Constant):
            if node.value is None:
                return _NONE_TYPE
            parsed = _parse_string(node)
            return self._str_bound(parsed, depth + 1, seen) if parsed is not None else None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self._union([node.left, node.right], depth, seen)
        if isinstance(node, ast.Subscript):
            wrapper = ctx.qualified_name(node.value)
            inner = node.slice
            elements = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
            if wrapper in OPTIONAL:
                return self._union(elements + [ast.Constant(None)], depth, seen)
            if wrapper in UNION:
                return self._union(elements, depth, seen)
            if wrapper in ANNOTATED and elements:
                base = self._str_bound(elements[0], depth + 1, seen)
                if base is False and any(_is_bound(ctx, meta) for meta in elements[1:]):
                    return True
                return base
            return None
        if isinstance(node, ast.Call):
            function = ctx.qualified_name(node.func)
            if function in CONSTR:
                return _has_bound_keyword(node)
            if function in NEW_TYPE and len(node.args) == 2:
                return self._str_bound(node.args[1], depth + 1, seen)
            return None
        if isinstance(node, ast.Name) and node.id in self.aliases and node.id not in seen:
            return self._str_bound(self.aliases[node.id], depth + 1, seen | {node.id})
        if isinstance(node, (ast.Name, ast.Attribute)):
            return False if ctx.qualified_name(node) in STR_TYPES else None
        return None

    def _union(self, elements: List[ast.AST], depth: int, seen: FrozenSet[str]) -> object:
        results = []
        for element in _flatten_or(elements):
            result = self._str_bound(element, depth + 1, seen)
            if result is None:
                return None
            if result is not _NONE_TYPE:
                results.append(result)
        if not results:
            return _NONE_TYPE
        return all(results)

    def field_is_unbounded_str(self, field_node: ast.AnnAssign) -> bool:
        """A ``str`` field bounded neither in its annotation nor by a ``Field(...)`` default."""
        if self.str_bound(field_node.annotation) is not False:
            return False
        return not (field_node.value is not None and _is_bound(self.ctx, field_node.value))


_NONE_TYPE = object()


def _flatten_or(elements: List[ast.AST]) -> Iterator[ast.AST]:
    """The members of ``a | b | c`` unions (iteratively: a long chain nests deeply)."""
    stack = list(reversed(elements))
    while stack:
        element = stack.pop()
        if isinstance(element, ast.BinOp) and isinstance(element.op, ast.BitOr):
            stack.extend((element.right, element.left))
        else:
            yield element


def _parse_string(node: ast.AST) -> Optional[ast.AST]:
    """The expression inside a string annotation (``"str | None"``), or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return ast.parse(node.value.strip(), mode="eval").body
        except (SyntaxError, ValueError):
            return None
    return None


def _has_bound_keyword(call: ast.Call) -> bool:
    for keyword in call.keywords:
        if keyword.arg is None:  # Field(**limits): cannot tell, assume bounded
            return True
        if keyword.arg in BOUND_KEYWORDS and not (
                isinstance(keyword.value, ast.Constant) and keyword.value.value is None):
            return True
    return False


def _is_bound(ctx: FileContext, node: ast.AST) -> bool:
    """Whether ``node`` (Annotated metadata or a field default) bounds a string's length/shape.

    Any call with a ``max_length``/``pattern``/``regex`` keyword counts (``Field``,
    ``StringConstraints``, ``constr``, FastAPI's ``Query``, a project's own ``Field`` wrapper),
    as do ``annotated_types.MaxLen(n)`` and ``annotated_types.Len(min, max)``.
    """
    if not isinstance(node, ast.Call):
        return False
    if _has_bound_keyword(node):
        return True
    function = ctx.qualified_name(node.func)
    if function in MAX_LEN:
        return bool(node.args)
    if function in LEN:
        return len(node.args) >= 2 and not (
            isinstance(node.args[1], ast.Constant) and node.args[1].value is None)
    return False


def _declares_table_name(node: ast.ClassDef) -> bool:
    """``__tablename__ = ...`` in the body of a class that is not ``__abstract__ = True``."""
    names: Dict[str, ast.AST] = {}
    for statement in node.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    names[target.id] = statement.value
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            if statement.value is not None:
                names[statement.target.id] = statement.value
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


# -- names and fields -----------------------------------------------------------------------------

def has_suffix(name: str, suffixes: Tuple[str, ...]) -> bool:
    return any(name.endswith(suffix) for suffix in suffixes)


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
