"""The single walk: every active rule's handlers are dispatched from one pass over the tree."""

from __future__ import annotations

import ast
import functools
from typing import Callable, Dict, FrozenSet, List, NamedTuple, Optional, Sequence, Set, Tuple, Type

from flake8_ddd.context import FileContext
from flake8_ddd.layers import Location, locate_file
from flake8_ddd.options import Config
from flake8_ddd.patterns import pattern_rules_for, run_pattern_rules
from flake8_ddd.diagnostics import Finding, internal_error
from flake8_ddd.rule import Rule
from flake8_ddd.registry import all_rules

#: A handler in a dispatch table: (index of the rule in the walk's rule list, its function).
Handler = Tuple[int, Callable[[Rule, ast.AST], None]]


class _Marker:
    """An entry on the walk's stack that is not a node."""


#: Leave the node below the marker on the stack.
_LEAVE = _Marker()
#: Push the function below the marker on ``function_stack``: its body starts.
_BODY_START = _Marker()
#: Pop ``function_stack``: the body of its innermost function ends.
_BODY_END = _Marker()

_AST_CLASSES = tuple(cls for cls in vars(ast).values()
                     if isinstance(cls, type) and issubclass(cls, ast.AST) and cls is not ast.AST
                     and cls.__module__ == "ast")
#: Node classes that never have children (expression contexts, operators) and node classes
#: whose fields hold no node a rule could handle (names, constants, aliases, ``pass``).
_LEAF_TYPES = frozenset(cls for cls in _AST_CLASSES if not cls._fields)
_TERMINAL_TYPES = _LEAF_TYPES | {ast.Name, ast.Constant, ast.alias, ast.Pass, ast.Break,
                                 ast.Continue, ast.Global, ast.Nonlocal}
#: Field values that are never nodes: the walk skips them by type instead of ``isinstance``.
_SCALAR_TYPES = frozenset({type(None), str, bytes, int, float, complex, bool, type(...)})
#: Fields that only ever hold names or numbers, never nodes.
_SCALAR_FIELDS = frozenset({"id", "attr", "arg", "asname", "module", "level", "is_async",
                            "conversion", "simple", "type_comment", "kind", "tag"})


def _child_fields(cls: type) -> Tuple[str, ...]:
    """The fields of a node class that may hold child nodes, last first (the walk pushes
    children in reverse so that it pops them in order)."""
    return tuple(reversed([f for f in getattr(cls, "_fields", ()) if f not in _SCALAR_FIELDS]))


_CHILD_FIELDS: Dict[type, Tuple[str, ...]] = {cls: _child_fields(cls) for cls in _AST_CLASSES}
#: Fields that only ever hold leaf nodes (expression contexts, operators): a walk whose rules
#: handle no leaf type never reads them (``self.x`` is then one field, not two).
_LEAF_FIELDS = frozenset({"ctx", "op", "ops"})


#: What the walk does on entering a node of one type, beyond pushing its children: (enter
#: handlers, whether the type has leave handlers, whether it is an import statement, whether it
#: is a function). See ``Dispatch.steps``.
Action = Tuple[Tuple[Handler, ...], bool, bool, bool]
#: The action of the walk's own markers.
_MARKER_ACTION: Action = ((), False, False, False)
#: What the walk needs of a node type: its action (None: only push its children) and the
#: fields it reads children from.
Step = Tuple[Optional[Action], Tuple[str, ...]]


class Dispatch(NamedTuple):
    """What a walk needs of a rule set, built once per set of rule classes (not per file)."""

    enter: Dict[type, Tuple[Handler, ...]]
    leave: Dict[type, Tuple[Handler, ...]]
    #: Node and value types never pushed: terminal nodes no rule handles, and scalars.
    skip: FrozenSet[type]
    #: Each node type's step: one lookup per node tells the walk whether the type needs more
    #: than its children pushed (handlers, imports, functions, markers) and where they are.
    steps: Dict[type, Step]

    @classmethod
    def build(cls, enter: Dict[type, Tuple[Handler, ...]], leave: Dict[type, Tuple[Handler, ...]],
              skip: FrozenSet[type]) -> "Dispatch":
        imports, functions = (ast.Import, ast.ImportFrom), (ast.FunctionDef, ast.AsyncFunctionDef)
        actions: Dict[type, Action] = {
            t: (enter.get(t, ()), t in leave, t in imports, t in functions)
            for t in {*enter, *leave, *imports, *functions}}
        unread = _LEAF_FIELDS if _LEAF_TYPES <= skip else frozenset()
        steps: Dict[type, Step] = {
            t: (actions.get(t), tuple(f for f in fields if f not in unread))
            for t, fields in _CHILD_FIELDS.items()}
        steps[_Marker] = (_MARKER_ACTION, ())
        return cls(enter, leave, skip, steps)

    def step(self, node_type: type) -> Step:
        """The step of a node type the table was not built with (a class ``ast`` gained)."""
        found = self.steps[node_type] = (None, _child_fields(node_type))
        return found


@functools.lru_cache(maxsize=512)
def dispatch_for(rule_classes: Tuple[Type[Rule], ...]) -> Dispatch:
    enter: Dict[type, List[Handler]] = {}
    leave: Dict[type, List[Handler]] = {}
    for index, cls in enumerate(rule_classes):
        for node_type, names in cls.enter_handlers.items():
            enter.setdefault(node_type, []).extend((index, getattr(cls, n)) for n in names)
        for node_type, names in cls.leave_handlers.items():
            leave.setdefault(node_type, []).extend((index, getattr(cls, n)) for n in names)
    skip = _TERMINAL_TYPES.difference(enter, leave) | _SCALAR_TYPES
    return Dispatch.build({t: tuple(h) for t, h in enter.items()},
                          {t: tuple(h) for t, h in leave.items()}, frozenset(skip))


def enabled_rules(config: Config, rules: Optional[Sequence[Type[Rule]]] = None) -> Tuple[Type[Rule], ...]:
    """Rules switched on by the configuration (opt-in ones only when selected by name/group)."""
    # Asked once per file with the same configuration object: remembered per (config, rules).
    key = (id(config), None if rules is None else tuple(rules))
    known = _ENABLED.get(key)
    if known is not None and known[0] is config:
        return known[1]
    found = tuple(r for r in (all_rules() if rules is None else rules) if config.enables(r))
    if len(_ENABLED) > 64:
        _ENABLED.clear()
    _ENABLED[key] = (config, found)
    return found


_ENABLED: Dict[Tuple[int, object], Tuple[Config, Tuple[Type[Rule], ...]]] = {}


def rules_for(location: Location, rules: Sequence[Type[Rule]]) -> List[Type[Rule]]:
    return list(_applicable(location, tuple(rules)))


def _applicable(location: Location, rules: Tuple[Type[Rule], ...]) -> Tuple[Type[Rule], ...]:
    if location.is_test:
        return ()
    candidates, custom = _rules_by_scope(location.layers, location.stem == "__init__", rules)
    if custom:
        return tuple(r for r in candidates if r not in custom or r.applies_to(location))
    return candidates


@functools.lru_cache(maxsize=1024)
def _rules_by_scope(layers: FrozenSet[object], is_package: bool, rules: Tuple[Type[Rule], ...]
                    ) -> Tuple[Tuple[Type[Rule], ...], FrozenSet[Type[Rule]]]:
    """The rules that apply to every file with these layers (``Rule.applies_to`` reads only
    the layers and whether the file is a package's ``__init__``), shared by all such files;
    rules with an ``applies_to`` of their own are kept, to be asked per file (the second set)."""
    probe = _Probe(layers, "__init__" if is_package else "")
    custom = frozenset(r for r in rules if r.applies_to.__func__ is not _DEFAULT_APPLIES_TO)
    return tuple(r for r in rules if r in custom or r.applies_to(probe)), custom  # type: ignore[arg-type]


class _Probe(NamedTuple):
    """The two fields of a :class:`Location` the default ``applies_to`` reads."""

    layers: FrozenSet[object]
    stem: str


_DEFAULT_APPLIES_TO = Rule.applies_to.__func__  # type: ignore[attr-defined]


class Walk:
    """One pass over a module, calling the handlers of the rules that apply to this file.

    Enter handlers run in the order of a plain recursive pre-order walk (children in
    ``ast.iter_child_nodes`` order), leave handlers in post-order. A function is on
    ``ctx.function_stack`` exactly while its body is walked: its decorators, defaults and
    annotations are evaluated outside it. Imports inside a function are given to the context
    as that function's own; module-level ones come from the context's scan. A rule that
    raises is reported once as DDD000, its other handlers are skipped and its findings
    dropped; the other rules are not affected.
    """

    def __init__(self, ctx: FileContext, rule_classes: Sequence[Type[Rule]]) -> None:
        self.ctx = ctx
        classes = tuple(rule_classes)
        self.rules = [cls(ctx) for cls in classes]
        self.dispatch = dispatch_for(classes)
        self.failed: Set[int] = set()
        self.failures: List[Finding] = []

    def _fail(self, index: int, error: BaseException) -> None:
        """A rule raised: one DDD000, and the rule is skipped from now on."""
        self.failed.add(index)
        self.failures.append(internal_error(self.rules[index].code, error))

    def _call(self, handlers: Tuple[Handler, ...], node: ast.AST) -> None:
        """Call each handler of a rule that has not failed; a rule that raises fails."""
        failed, rules = self.failed, self.rules
        for index, handler in handlers:
            if not (failed and index in failed):
                try:
                    handler(rules[index], node)
                except Exception as error:  # a rule's bug must never take flake8 down
                    self._fail(index, error)

    def run(self) -> List[Finding]:
        self._walk()
        for index, rule in enumerate(self.rules):
            if index not in self.failed:
                try:
                    rule.finish()
                except Exception as error:  # a rule's bug must never take flake8 down
                    self._fail(index, error)
        return [f for index, rule in enumerate(self.rules) if index not in self.failed
                for f in rule.findings] + self.failures

    def _walk(self) -> None:
        # The hot loop of the whole linter (every node of every file passes here once), so it
        # is written out by hand: children are read from a per-class table of the fields that
        # can hold nodes (``_CHILD_FIELDS``), and a value whose type is in ``skip`` (scalars,
        # names, constants and other nodes without children that no handler wants) is never
        # pushed. tests/test_engine_walk.py checks the order against a plain recursive walk.
        ctx, call = self.ctx, self._call
        _, leave, skip, steps = self.dispatch
        function_stack = ctx.function_stack
        stack: List[object] = [ctx.tree]
        push, pop = stack.append, stack.pop
        while stack:
            node = pop()
            node_type = type(node)
            action, fields = steps.get(node_type) or self.dispatch.step(node_type)
            if action is not None:
                if action is _MARKER_ACTION:
                    if node is _LEAVE:
                        done = pop()
                        call(leave[type(done)], done)
                    elif node is _BODY_START:
                        function_stack.append(pop())  # type: ignore[arg-type]
                    else:
                        function_stack.pop()
                    continue
                handlers, leaves, is_import, is_function = action
                if is_import and function_stack:
                    ctx.add_local_import(node)  # type: ignore[arg-type]
                if handlers:
                    call(handlers, node)
                if leaves:
                    push(node)
                    push(_LEAVE)
                if is_function:
                    _push_function_children(node, fields, push, skip)  # type: ignore[arg-type]
                    continue
            for name in fields:
                value = getattr(node, name, None)
                if type(value) is list:
                    for child in reversed(value):
                        if type(child) not in skip:
                            push(child)
                elif type(value) not in skip:
                    push(value)


def _push_function_children(node: ast.AST, fields: Tuple[str, ...], push: Callable[[object], None],
                            skip: FrozenSet[type]) -> None:
    """A function's children, as the walk pushes any node's, with its body between a
    ``_BODY_START`` and a ``_BODY_END`` marker."""
    for name in fields:
        value = getattr(node, name, None)
        if name == "body":
            push(_BODY_END)
        if type(value) is list:
            for child in reversed(value):
                if type(child) not in skip:
                    push(child)
        elif type(value) not in skip:
            push(value)
        if name == "body":
            push(node)
            push(_BODY_START)


@functools.lru_cache(maxsize=1024)
def _plan(rules: Tuple[Type[Rule], ...]) -> Tuple[Tuple[Tuple[Type[Rule], Tuple[str, ...]], ...],
                                                  Tuple[Tuple[Type[Rule], Tuple[str, ...]], ...], bool]:
    """The rules that walk and those that judge the findings after it (``after_walk``, DDD010),
    each with its required words, and whether any rule has some; once per rule list."""
    walked = tuple((rule, rule.required_words) for rule in rules if not hasattr(rule, "after_walk"))
    after = tuple((rule, rule.required_words) for rule in rules if hasattr(rule, "after_walk"))
    return walked, after, any(rule.required_words for rule in rules)


def lint_tree(tree: ast.AST, filename: str, lines: Sequence[str], config: Config,
              rules: Optional[Sequence[Type[Rule]]] = None) -> List[Finding]:
    """Findings for one parsed file; the tree is not walked when no enabled rule applies,
    and ast-grep does not parse it when no pattern rule applies."""
    location = locate_file(filename, config.layer, lines)
    walked, after, worded = _plan(_applicable(location, enabled_rules(config, rules)))
    if worded:
        in_text = "".join(lines).__contains__
        active = [rule for rule, words in walked if not words or any(map(in_text, words))]
        after = [rule for rule, words in after if not words or any(map(in_text, words))]
    else:
        active = [rule for rule, _ in walked]
        after = [rule for rule, _ in after]
    patterns = pattern_rules_for(location, config.pattern_rules) if config.pattern_rules else ()
    if not active and not patterns and not after:
        return []
    findings: List[Finding] = []
    if active:
        ctx: Optional[FileContext] = None
        try:
            ctx = FileContext(tree, filename, lines, config, location)
            findings = Walk(ctx, active).run()
        except Exception as error:  # shared facts failed: no rule could run on this file
            findings = [internal_error("flake8-ddd", error)]
        finally:
            if ctx is not None:
                ctx.release()
    if patterns:
        findings += run_pattern_rules(patterns, "".join(lines))
    for rule in after:
        try:
            findings += rule.after_walk(lines, findings)  # type: ignore[attr-defined]
        except Exception as error:  # a rule's bug must never take flake8 down
            findings.append(internal_error(rule.code, error))
    findings.sort(key=lambda f: (f.line, f.col, f.code))
    return findings


def lint_source(source: str, filename: str, config: Optional[Config] = None,
                rules: Optional[Sequence[Type[Rule]]] = None) -> List[Finding]:
    """Parse and lint source text (raises SyntaxError for invalid Python)."""
    tree = ast.parse(source, filename)
    return lint_tree(tree, filename, source.splitlines(True), config or Config(), rules)
