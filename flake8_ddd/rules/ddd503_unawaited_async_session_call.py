from __future__ import annotations

import ast
from typing import Dict, List, Optional, Set, Tuple

from flake8_ddd.ast_names import call_method
from flake8_ddd.context import FileContext
from flake8_ddd.rule import Rule, Scope, on, on_leave
from flake8_ddd.rules._database import ASYNC_SESSION_AWAITABLES, describe_call

COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp)
#: Builtins that use their arguments as values: a coroutine passed to one was meant to be its
#: result (``len(list(rows))``), it is not handed on to code that may await it.
RESULT_CONSUMERS = frozenset({
    "list", "len", "sorted", "tuple", "set", "frozenset", "dict", "iter", "next", "enumerate",
    "zip", "sum", "min", "max", "any", "all", "bool", "str", "repr", "reversed", "map", "filter",
    "print"})
#: Arguments that may carry a call's coroutine whatever the names hold (see ``_hand_on``).
_MAY_HOLD_CALL = frozenset({ast.Call, ast.Starred, ast.IfExp})


class UnawaitedAsyncSessionCall(Rule):
    """AsyncSession coroutine never awaited

    ## What it does
    Reports, inside an `async def` in any (non-test) file, a call of an awaitable
    `AsyncSession` method (`execute`, `scalars`, `scalar`, `get`, `commit`, `rollback`,
    `flush`, `refresh`, `delete`, `merge`, `close`, `stream`, `run_sync`) on a name annotated
    `AsyncSession` (a parameter of the function or of an enclosing one, directly, through
    `Annotated`/`Optional`/`X | None`, or through a module-level alias) whose result is never
    awaited. `add`, `add_all`, `expunge` and `expunge_all` are synchronous and not findings.

    Reported: a call used as a statement (`session.commit()`), as a receiver or operand
    (`session.execute(q).scalars()`, `if session.get(User, 1):`), or assigned to a name that
    is never handed on afterwards in the function. Not reported, because the coroutine is
    handed on to code that may await it: a call that is awaited (`await session.commit()`),
    returned, yielded, returned by a lambda, passed as an argument to any call
    (`asyncio.gather(...)`, `asyncio.create_task(...)`, `tasks.append(...)`), put in a
    list/tuple/set/dict display or a comprehension, stored in an attribute, subscript or
    unpacking target, or assigned to a name that is later awaited, returned, yielded, passed
    as an argument or put in a display (`result = session.execute(q)` ... `await result`).
    Both branches of a conditional expression share its fate.

    A coroutine used as if it were the result is reported, kept in a name or not: passed to
    a builtin that reads values (`list`, `len`, `sorted`, `tuple`, `set`, `dict`, `iter`,
    `next`, `enumerate`, `zip`, `sum`, `min`, `max`, `any`, `all`, `map`, `filter`, ...:
    `rows = session.scalars(q)` ... `len(list(rows))`), or kept in a name that is then only
    iterated, indexed or has an attribute read (`rows.all()`).

    Known limitations: a receiver typed only through a class attribute (`self.session`) or
    a local variable annotation is not known to be an `AsyncSession`; a name assigned twice
    before being awaited counts as handed on for both calls.

    ## Why is this bad?
    The guide: "Asynchronous First: All I/O bound operations (database calls, external HTTP
    requests, file access) must use async/await paradigms." An `AsyncSession` method that is
    not awaited does nothing: the query never runs, the commit never happens, and Python only
    warns "coroutine was never awaited" at garbage collection.

    ## Example
    ```python
    async def rename(self, session: AsyncSession, user: User, name: str) -> None:
        user.name = name
        session.commit()
    ```

    ## Use instead
    ```python
    async def rename(self, session: AsyncSession, user: User, name: str) -> None:
        user.name = name
        await session.commit()
    ```

    ## Options
    None.

    ## When not to use it
    Code that deliberately keeps a session coroutine to schedule it later through a helper
    the rule cannot see (`pending = session.commit()` ... `loop.call_soon(...)`) is reported
    when the name is only read as a value: pass the coroutine itself on, or add
    `# noqa: DDD503`. Projects on a synchronous `Session` never see this rule fire: it looks
    only at receivers annotated `AsyncSession`.
    """

    code = "DDD503"
    message = "{call} on an AsyncSession is never awaited: add await (before using its result)"
    scope = Scope.ANY_FILE
    since = "0.1.0"
    # Only a receiver annotated AsyncSession counts, and every way to write that annotation
    # (import, alias, string, attribute) spells the class name in the file.
    required_words = ("AsyncSession",)

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        #: Calls whose coroutine is handed on (awaited, returned, passed, stored, ...).
        self.handed_on: Set[int] = set()
        #: Calls assigned to a plain name: id(call) -> name.
        self.assigned: Dict[int, str] = {}
        #: Unawaited calls kept in a name, per function: (id(function), name) -> calls.
        self.pending: Dict[Tuple[int, str], List[ast.Call]] = {}

    # -- where a coroutine goes ----------------------------------------------------------------

    def _hand_on(self, node: Optional[ast.AST]) -> None:
        if isinstance(node, ast.Starred):
            node = node.value
        if isinstance(node, ast.IfExp):
            self._hand_on(node.body)
            self._hand_on(node.orelse)
        elif isinstance(node, ast.Call):
            self.handed_on.add(id(node))
        elif self.pending and isinstance(node, ast.Name):
            for function in reversed(self.ctx.function_stack):
                if self.pending.pop((id(function), node.id), None) is not None:
                    break

    def _assign(self, target: ast.AST, value: Optional[ast.AST]) -> None:
        if value is None:
            return
        if not isinstance(target, ast.Name):
            self._hand_on(value)
        elif isinstance(value, ast.IfExp):
            self._assign(target, value.body)
            self._assign(target, value.orelse)
        elif isinstance(value, ast.Call):
            self.assigned[id(value)] = target.id
        else:
            self._hand_on(value)

    @on(ast.Await, ast.Return, ast.Yield, ast.YieldFrom)
    def handed_on_by_value(self, node: ast.AST) -> None:
        self._hand_on(node.value)  # type: ignore[attr-defined]

    @on(ast.Lambda)
    def handed_on_by_lambda(self, node: ast.Lambda) -> None:
        self._hand_on(node.body)

    @on(ast.List, ast.Tuple, ast.Set)
    def handed_on_in_display(self, node: ast.AST) -> None:
        for element in node.elts:  # type: ignore[attr-defined]
            self._hand_on(element)

    @on(ast.Dict)
    def handed_on_in_dict(self, node: ast.Dict) -> None:
        for value in node.values:
            self._hand_on(value)

    @on(*COMPREHENSIONS)
    def handed_on_in_comprehension(self, node: ast.AST) -> None:
        self._hand_on(node.elt)  # type: ignore[attr-defined]

    @on(ast.DictComp)
    def handed_on_in_dict_comprehension(self, node: ast.DictComp) -> None:
        self._hand_on(node.value)

    @on(ast.Assign)
    def check_assign(self, node: ast.Assign) -> None:
        if len(node.targets) == 1:
            self._assign(node.targets[0], node.value)
        else:
            self._hand_on(node.value)

    @on(ast.AnnAssign, ast.NamedExpr)
    def check_annotated_assign(self, node: ast.AST) -> None:
        self._assign(node.target, node.value)  # type: ignore[attr-defined]

    # -- the session calls ---------------------------------------------------------------------

    @on(ast.Call)
    def check_call(self, node: ast.Call) -> None:
        if self._consumes_result(node):
            for argument in node.args:
                self._used_as_result(argument)
        else:
            # Only a call (maybe starred or in ``a if c else b``) or, while some coroutine is
            # kept in a name, a name can be handed on: most arguments are skipped by type.
            pending = self.pending
            for argument in node.args:
                if pending or type(argument) in _MAY_HOLD_CALL:
                    self._hand_on(argument)
            for keyword in node.keywords:
                if pending or type(keyword.value) in _MAY_HOLD_CALL:
                    self._hand_on(keyword.value)
        function = self.ctx.current_function
        if (not isinstance(function, ast.AsyncFunctionDef) or id(node) in self.handed_on
                or call_method(node) not in ASYNC_SESSION_AWAITABLES
                or not self.ctx.is_async_session_receiver(node.func.value)):  # type: ignore[attr-defined]
            return
        name = self.assigned.get(id(node))
        if name is None:
            self.report(node, call=describe_call(node))
        else:
            self.pending.setdefault((id(function), name), []).append(node)

    def _consumes_result(self, node: ast.Call) -> bool:
        """``list(x)``, ``len(x)``, ``sorted(x)``...: a builtin (not shadowed by an import)
        that uses its argument as a value, never awaits it."""
        func = node.func
        return (isinstance(func, ast.Name) and func.id in RESULT_CONSUMERS
                and self.ctx.imported(func.id) is None)

    def _used_as_result(self, node: ast.AST) -> None:
        """A name holding an unawaited coroutine, used as if it held the result."""
        if isinstance(node, ast.Starred):
            node = node.value
        if self.pending and isinstance(node, ast.Name):
            for function in reversed(self.ctx.function_stack):
                calls = self.pending.pop((id(function), node.id), None)
                if calls is not None:
                    for call in calls:
                        self.report(call, call=describe_call(call))
                    break

    @on_leave(ast.AsyncFunctionDef)
    def check_function_end(self, node: ast.AsyncFunctionDef) -> None:
        for key in [key for key in self.pending if key[0] == id(node)]:
            for call in self.pending.pop(key):
                self.report(call, call=describe_call(call))
