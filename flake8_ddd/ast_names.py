"""Names read off the syntax tree alone, without any per-file state.

Dotted and last names of expressions, the names a statement binds, a function's parameter
names, module-level statements, and glob matching of names against an option's patterns.
"""

from __future__ import annotations

import ast
import fnmatch
import functools
import re
import warnings
from typing import Callable, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

FunctionNode = (ast.FunctionDef, ast.AsyncFunctionDef)
#: ``type X = ...`` (Python 3.12+); None before.
TYPE_ALIAS = getattr(ast, "TypeAlias", None)


def dotted_name(node: ast.AST) -> Optional[str]:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    # Asked for nearly every call by several rules: ``a`` and ``a.b`` without building a list.
    node_type = type(node)
    if node_type is ast.Name:
        return node.id  # type: ignore[attr-defined]
    if node_type is ast.Attribute and type(node.value) is ast.Name:  # type: ignore[attr-defined]
        return f"{node.value.id}.{node.attr}"  # type: ignore[attr-defined]
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def last_name(node: ast.AST) -> Optional[str]:
    """The last part of a Name/Attribute (``session`` for ``self.session``)."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def head_name(node: ast.AST) -> Optional[str]:
    """The name a Name/Attribute chain starts from (``self`` for ``self.crud.get``), else None."""
    while type(node) is ast.Attribute:
        node = node.value  # type: ignore[attr-defined]
    return node.id if type(node) is ast.Name else None  # type: ignore[attr-defined]


def call_method(node: ast.Call) -> Optional[str]:
    """The method name of ``receiver.method(...)`` calls."""
    return node.func.attr if isinstance(node.func, ast.Attribute) else None


def parameters(function: ast.AST) -> List[ast.arg]:
    """Positional-only, ordinary and keyword-only parameters of a function node."""
    args = getattr(function, "args", None)
    return args.posonlyargs + args.args + args.kwonlyargs if args is not None else []


def parameter_names(functions: Iterable[ast.AST]) -> Set[str]:
    """Every parameter name of the given function nodes, ``*args`` and ``**kwargs`` included."""
    names = set()
    for function in functions:
        names.update(arg.arg for arg in parameters(function))
        args = getattr(function, "args", None)
        for arg in (args.vararg, args.kwarg) if args is not None else ():
            if arg is not None:
                names.add(arg.arg)
    return names


def matches_any(name: str, patterns: Iterable[str]) -> bool:
    """Exact names or globs (``*Base``) from an option."""
    return glob_matcher(patterns)(name)


def glob_matcher(patterns: Iterable[str]) -> Callable[[str], bool]:
    """``matches_any`` for one option value, to keep where a rule asks for every call."""
    return _glob_matcher(patterns if isinstance(patterns, (tuple, frozenset)) else tuple(patterns))


@functools.lru_cache(maxsize=256)
def _glob_matcher(patterns: Iterable[str]) -> Callable[[str], bool]:
    """One compiled regular expression for all the globs (what ``fnmatchcase`` does for one
    at a time), built once per option value instead of once per name and pattern."""
    if not patterns:
        return lambda name: False
    expression = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns))
    return lambda name: expression.match(name) is not None


def module_level_statements(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, descending into if/for/while/try/with/match blocks but not into
    classes or functions."""
    stack = list(reversed(body))
    while stack:
        statement = stack.pop()
        yield statement
        if type(statement) in _BLOCK_STATEMENTS:  # most statements hold no block: one lookup
            stack.extend(reversed(_blocks(statement)))


#: Statements whose blocks run at the level they appear in (``TryStar`` and ``Match`` when the
#: Python version has them).
_BLOCK_STATEMENTS = frozenset(getattr(ast, name) for name in (
    "If", "While", "For", "AsyncFor", "With", "AsyncWith", "Try", "TryStar", "Match")
    if hasattr(ast, name))


def _blocks(statement: ast.stmt) -> List[ast.stmt]:
    """The statements of a block statement's blocks, in source order of the fields."""
    if isinstance(statement, (ast.If, ast.While, ast.For, ast.AsyncFor)):
        return statement.body + statement.orelse
    if isinstance(statement, (ast.With, ast.AsyncWith)):
        return statement.body
    if statement.__class__.__name__ == "Match":
        return [s for case in statement.cases for s in case.body]  # type: ignore[attr-defined]
    nested = statement.body + statement.orelse + statement.finalbody  # type: ignore[attr-defined]
    for handler in statement.handlers:  # type: ignore[attr-defined]
        nested = nested + handler.body
    return nested


def bound_names(statement: ast.stmt) -> Iterator[str]:
    """Names a class, function or assignment statement binds (imports are not included)."""
    if isinstance(statement, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
        yield statement.name
    elif isinstance(statement, ast.Assign):
        for target in statement.targets:
            yield from target_names(target)
    elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
        yield from target_names(statement.target)


def target_names(target: ast.AST) -> Iterator[str]:
    """Names an assignment target binds (``a, (b, *c)`` -> a, b, c)."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from target_names(element)
    elif isinstance(target, ast.Starred):
        yield from target_names(target.value)


def alias_assignment(statement: ast.stmt) -> Optional[Tuple[str, ast.AST]]:
    """``(name, value)`` of ``name = value``, ``name: T = value`` or ``type name = value``."""
    target: Optional[ast.AST] = None
    value: Optional[ast.AST] = None
    if isinstance(statement, ast.Assign):
        if len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
    elif isinstance(statement, ast.AnnAssign):
        target, value = statement.target, statement.value
    elif TYPE_ALIAS is not None and isinstance(statement, TYPE_ALIAS):
        target, value = statement.name, statement.value  # type: ignore[attr-defined]
    if isinstance(target, ast.Name) and value is not None:
        return target.id, value
    return None


def parse_string_annotation(node: ast.AST) -> Optional[ast.AST]:
    """The expression inside a string annotation (``"str | None"``), or None.

    Silent: a bad escape in the string warns once per parse, which a linter must not print;
    anything that does not parse (NUL bytes, absurd nesting) is simply not an annotation.
    """
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(node.value.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
