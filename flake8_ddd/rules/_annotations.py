"""Type annotations: the ``typing`` wrappers, string annotations, and whether a ``str``
annotation is bounded in length or shape (DDD402).

A string is bounded by ``max_length``/``pattern`` (``regex`` in pydantic v1) in ``Field(...)``,
``constr(...)``, ``Annotated[str, Field(...)|StringConstraints(...)]``, ``annotated_types``'
``MaxLen``/``Len``, including through a type alias of the same module (``ctx.module_aliases``).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, FrozenSet, Iterator, List, Optional

from flake8_ddd.ast_names import parse_string_annotation

if TYPE_CHECKING:
    from flake8_ddd.context import FileContext

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
MAX_DEPTH = 20
#: What ``_str_bound`` returns for ``None`` (a union member that neither bounds nor unbounds).
_NONE_TYPE = object()


def str_bound(ctx: FileContext, annotation: Optional[ast.AST]) -> Optional[bool]:
    """None when the annotation is not a ``str`` type (optionally with None); else whether it
    is bounded by ``max_length``/``pattern``."""
    result = _str_bound(ctx, annotation, 0, frozenset())
    return None if result is _NONE_TYPE else result  # type: ignore[return-value]


def _str_bound(ctx: FileContext, node: Optional[ast.AST], depth: int, seen: FrozenSet[str]) -> object:
    if node is None or depth > MAX_DEPTH:
        return None
    if isinstance(node, ast.Constant):
        if node.value is None:
            return _NONE_TYPE
        parsed = parse_string_annotation(node)
        return _str_bound(ctx, parsed, depth + 1, seen) if parsed is not None else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union(ctx, [node.left, node.right], depth, seen)
    if isinstance(node, ast.Subscript):
        wrapper = ctx.qualified_name(node.value)
        inner = node.slice
        elements = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
        if wrapper in OPTIONAL:
            return _union(ctx, elements + [ast.Constant(None)], depth, seen)
        if wrapper in UNION:
            return _union(ctx, elements, depth, seen)
        if wrapper in ANNOTATED and elements:
            base = _str_bound(ctx, elements[0], depth + 1, seen)
            if base is False and any(_is_bound(ctx, meta) for meta in elements[1:]):
                return True
            return base
        return None
    if isinstance(node, ast.Call):
        function = ctx.qualified_name(node.func)
        if function in CONSTR:
            return _has_bound_keyword(node)
        if function in NEW_TYPE and len(node.args) == 2:
            return _str_bound(ctx, node.args[1], depth + 1, seen)
        return None
    if isinstance(node, ast.Name) and node.id in ctx.module_aliases and node.id not in seen:
        return _str_bound(ctx, ctx.module_aliases[node.id], depth + 1, seen | {node.id})
    if isinstance(node, (ast.Name, ast.Attribute)):
        return False if ctx.qualified_name(node) in STR_TYPES else None
    return None


def _union(ctx: FileContext, elements: List[ast.AST], depth: int, seen: FrozenSet[str]) -> object:
    results = []
    for element in _flatten_or(elements):
        result = _str_bound(ctx, element, depth + 1, seen)
        if result is None:
            return None
        if result is not _NONE_TYPE:
            results.append(result)
    if not results:
        return _NONE_TYPE
    return all(results)


def field_is_unbounded_str(ctx: FileContext, field_node: ast.AnnAssign) -> bool:
    """A ``str`` field bounded neither in its annotation nor by a ``Field(...)`` default."""
    if str_bound(ctx, field_node.annotation) is not False:
        return False
    return not (field_node.value is not None and _is_bound(ctx, field_node.value))


def _flatten_or(elements: List[ast.AST]) -> Iterator[ast.AST]:
    """The members of ``a | b | c`` unions (iteratively: a long chain nests deeply)."""
    stack = list(reversed(elements))
    while stack:
        element = stack.pop()
        if isinstance(element, ast.BinOp) and isinstance(element.op, ast.BitOr):
            stack.extend((element.right, element.left))
        else:
            yield element


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
