"""Built-in exception classes, as names in the checked code (DDD007, DDD008, DDD604)."""

from __future__ import annotations

import ast
import builtins
from typing import TYPE_CHECKING, FrozenSet, Optional

from flake8_ddd.ast_names import dotted_name

if TYPE_CHECKING:
    from flake8_ddd.context import FileContext

#: Names of the built-in exception classes of the running Python.
BUILTIN_EXCEPTION_NAMES: FrozenSet[str] = frozenset(
    name for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException))
#: Those that are warning categories.
BUILTIN_WARNING_NAMES: FrozenSet[str] = frozenset(
    name for name in BUILTIN_EXCEPTION_NAMES if issubclass(getattr(builtins, name), Warning))


def builtin_exception_name(ctx: FileContext, expr: ast.AST) -> Optional[str]:
    """``ValueError`` when ``expr`` denotes the built-in class (``builtins.ValueError`` too).

    None when the name is shadowed by an import or by a module-level definition
    (``ctx.module_bound_names``).
    """
    name = ctx.qualified_name(expr)
    if name is None:
        return None
    if name.startswith("builtins."):
        name = name[len("builtins."):]
    elif dotted_name(expr) in ctx.module_bound_names:
        return None
    return name if name in BUILTIN_EXCEPTION_NAMES else None
