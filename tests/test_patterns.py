"""Team-defined pattern rules (DDD900–DDD999) at work: which files, what they match, what the
messages say, with the real ast-grep-py; generated programs never make them fail."""

from __future__ import annotations

import ast
import warnings

import ast_grep_py  # noqa: F401 - the tests need the real package (it is in the test extra)
import hypothesmith
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from flake8_ddd import engine, patterns
from flake8_ddd.engine import lint_source, lint_tree
from flake8_ddd.layers import Layer
from harness import FIXTURES
from pattern_support import (
    HOUSE_RULES, LAYER_PATHS, NO_LAYER_PATH, PRINT_RULE, PROPERTY_CONFIG, TEST_PATHS, cfg, found,
    lines_codes, table)

#: hypothesmith compiles what it generates, and some of it draws SyntaxWarnings.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")


# --- layers --------------------------------------------------------------------------------

@pytest.mark.parametrize("layer", list(Layer), ids=[layer.value for layer in Layer])
def test_a_rule_runs_on_the_files_of_its_layer_only(layer):
    config = cfg(table(layers=[layer.value]))
    for other, path in LAYER_PATHS.items():
        expected = {(1, "DDD901")} if other is layer else set()
        assert lines_codes("print(1)\n", path, config) == expected, (layer, other)
    assert lines_codes("print(1)\n", NO_LAYER_PATH, config) == set()
    for path in TEST_PATHS:
        assert lines_codes("print(1)\n", path, config) == set()


def test_a_rule_with_several_layers():
    config = cfg(table(layers=["routes", "tasks"]))
    hit = {layer for layer, path in LAYER_PATHS.items() if lines_codes("print(1)\n", path, config)}
    assert hit == {Layer.ROUTES, Layer.TASKS}


def test_a_rule_without_layers_runs_on_every_non_test_file():
    config = cfg(table())
    for path in [*LAYER_PATHS.values(), NO_LAYER_PATH, "migrations/versions/0001_init.py"]:
        assert lines_codes("print(1)\n", path, config) == {(1, "DDD901")}, path
    for path in TEST_PATHS:
        assert lines_codes("print(1)\n", path, config) == set(), path


def test_layer_options_and_pins_apply_to_pattern_rules():
    layer_options = {"ddd-layer-paths": ["legacy/*.py=services"],
                     "ddd-layer-exclude": ["app/shop/services/gen_*"]}
    config = cfg(table(layers=["services"]), **layer_options)
    assert lines_codes("print(1)\n", "legacy/billing.py", config) == {(1, "DDD901")}
    assert lines_codes("print(1)\n", "app/shop/services/gen_x.py", config) == set()
    assert lines_codes("# ddd: layer=services\nprint(1)\n", "scripts/x.py", config) == {(2, "DDD901")}


# --- matching and messages -----------------------------------------------------------------

def test_position_is_the_start_of_the_match_and_the_message_has_the_code():
    source = """\
    import logging


    def total(order):
        x = 1; print(order.id,
                     order.total)
        return [print(i) for i in order.items]
    """
    config = cfg(dict(PRINT_RULE))
    assert found(source, LAYER_PATHS[Layer.SERVICES], config) == [
        (5, 11, "DDD901", "DDD901 print() in services: use the logger (order.id, order.total)"),
        (7, 12, "DDD901", "DDD901 print() in services: use the logger (i)"),
    ]


def test_meta_variables_in_the_message():
    """``$X`` is one node's text, ``$$$X`` the source from its first to its last node (folded
    to one line), and a meta-variable this match did not bind (another branch of ``any``) is
    empty."""
    rule = table(message="$OBJ.$METH() with [$$$ARGS] or ($ONE) in crud",
                 rule={"any": [{"pattern": "$OBJ.$METH($ONE)"}, {"pattern": "$OBJ.$METH($$$ARGS)"}]},
                 constraints={"METH": {"regex": "^(now|utcnow)$"}})
    source = ("a = datetime.now()\nb = datetime.datetime.utcnow(\n    tz,\n    2)\n"
              "c = datetime.today()\nd = dt.now(timezone.utc)\n")
    assert [m for _, _, _, m in found(source, NO_LAYER_PATH, cfg(rule))] == [
        "DDD901 datetime.now() with [] or () in crud",
        "DDD901 datetime.datetime.utcnow() with [tz, 2] or () in crud",
        "DDD901 dt.now() with [] or (timezone.utc) in crud",
    ]


def test_a_long_meta_variable_value_is_folded_and_cut():
    config = cfg(table(message="call of $F", rule={"pattern": "$F($$$)"}))
    name = "x" * 120
    [(_, _, _, message)] = found(f"{name}()\n", NO_LAYER_PATH, config)
    assert message == "DDD901 call of " + "x" * 77 + "..."


def test_message_braces_and_dollars_are_literal_text():
    config = cfg(table(message="costs $5 {not_a_field} {0}: keep $F", rule={"pattern": "$F()"}))
    [(_, _, _, message)] = found("go()\n", NO_LAYER_PATH, config)
    assert message == "DDD901 costs $5 {not_a_field} {0}: keep go"


def test_inside_and_not_composition():
    rule = table(
        code="DDD910", message="$S.commit() in a crud method outside a unit of work: let the service commit",
        layers=["crud"],
        rule={"pattern": "$S.commit()",
              "inside": {"kind": "function_definition", "stopBy": "end"},
              "not": {"inside": {"pattern": "async with $UOW.begin(): $$$", "stopBy": "end"}}})
    source = """\
    session.commit()


    class OrderRepository:
        async def save(self, order):
            await self.session.commit()
            async with self.session.begin():
                await self.session.commit()

        def helper(self):
            def inner():
                db.commit()
            return inner
    """
    assert found(source, LAYER_PATHS[Layer.CRUD], cfg(rule)) == [
        (6, 14, "DDD910", "DDD910 self.session.commit() in a crud method outside a unit of work: "
                          "let the service commit"),
        (12, 12, "DDD910", "DDD910 db.commit() in a crud method outside a unit of work: "
                           "let the service commit"),
    ]


def test_has_any_all_kind_regex_and_utils():
    rule = table(
        code="DDD920", message="route handler $NAME takes a raw dict body: declare a schema",
        rule={"all": [
            {"kind": "function_definition"},
            {"has": {"field": "name", "pattern": "$NAME"}},
            {"has": {"field": "parameters", "has": {"matches": "dict-param"}}},
        ]},
        utils={"dict-param": {"kind": "typed_parameter",
                              "has": {"field": "type", "regex": "^(dict|Dict)(\\[.*\\])?$"}}})
    source = """\
    async def create(body: dict):
        ...


    async def update(body: Dict[str, int], n: int):
        ...


    async def fine(body: OrderCreate):
        ...
    """
    assert lines_codes(source, LAYER_PATHS[Layer.ROUTES], cfg(rule)) == {(1, "DDD920"), (5, "DDD920")}


def test_every_match_is_reported_once_and_nested_matches_each():
    config = cfg(table(message="print of $$$A", rule={"pattern": "print($$$A)"}))
    result = found("print(print(1))\n", NO_LAYER_PATH, config)
    assert [(line, col) for line, col, _, _ in result] == [(1, 0), (1, 6)]


def test_columns_count_characters():
    config = cfg(table(rule={"pattern": "print($$$ARGS)"}))
    [(line, col, _, _)] = found('x = "\u00e9\u00e9"; print(1)\n', NO_LAYER_PATH, config)
    assert (line, col) == (1, 10)


def test_pattern_rules_run_beside_the_built_in_rules():
    config = cfg(table(code="DDD930", layers=["crud"], rule={"pattern": "$S.flush()"}))
    source = "async def f(session):\n    await session.commit()\n    await session.flush()\n"
    codes = {(f.line, f.code) for f in lint_source(source, str(FIXTURES / LAYER_PATHS[Layer.CRUD]), config)}
    assert {(2, "DDD001"), (3, "DDD930")} <= codes


def test_several_rules_share_one_parse(monkeypatch):
    parses = []
    real = ast_grep_py.SgRoot

    def counting(source, language):
        parses.append(language)
        return real(source, language)

    config = cfg(*[table(code=f"DDD9{n:02d}", rule={"pattern": f"f{n}()"}) for n in range(10)])
    monkeypatch.setattr(ast_grep_py, "SgRoot", counting)
    source = "".join(f"f{n}()\n" for n in range(10))
    assert len(found(source, NO_LAYER_PATH, config)) == 10
    assert parses == ["python"]


def test_files_no_pattern_rule_applies_to_are_not_parsed_by_ast_grep(monkeypatch):
    config = cfg(table(layers=["services"]))

    def fail(*args, **kwargs):
        raise AssertionError("parsed by ast-grep")

    monkeypatch.setattr(engine, "run_pattern_rules", fail)
    for path in [LAYER_PATHS[Layer.CRUD], NO_LAYER_PATH, *TEST_PATHS]:
        lint_source("print(1)\n", str(FIXTURES / path), config)


def test_no_walk_fast_path_is_kept(monkeypatch):
    """A test file gets neither the walk nor ast-grep, with pattern rules declared."""
    def fail(*args, **kwargs):
        raise AssertionError("walked")

    monkeypatch.setattr(engine.Walk, "run", fail)
    monkeypatch.setattr(engine, "run_pattern_rules", fail)
    config = cfg(table())
    for path in TEST_PATHS:
        assert lint_tree(ast.parse("print(1)\n"), path, ["print(1)\n"], config) == []


def test_ast_grep_failing_to_parse_keeps_the_built_in_findings(monkeypatch):
    config = cfg(table(layers=["crud"]))

    def broken(source, language):
        raise RuntimeError("parser")

    monkeypatch.setattr(ast_grep_py, "SgRoot", broken)
    source = "def f(session):\n    session.commit()\n    print(1)\n"
    result = lint_source(source, str(FIXTURES / LAYER_PATHS[Layer.CRUD]), config)
    assert {(f.line, f.code) for f in result} >= {(1, "DDD000"), (2, "DDD001")}
    assert "DDD000 internal error in pattern rules: RuntimeError: parser" in [f.message for f in result]


def test_a_rule_failing_at_run_time_is_one_ddd000(monkeypatch):
    config = cfg(table(code="DDD950"), table(code="DDD951", rule={"pattern": "go()"}))
    real = ast_grep_py.SgRoot

    class Root:
        def __init__(self, source, language):
            self.real = real(source, language).root()

        def root(self):
            return self

        def find_all(self, config):
            if config["rule"] == {"pattern": "print($$$ARGS)"}:
                raise RuntimeError("boom\n\nStack backtrace:\n  0: x")
            return self.real.find_all(config=config)

    monkeypatch.setattr(ast_grep_py, "SgRoot", Root)
    assert found("print(1)\ngo()\n", NO_LAYER_PATH, config) == [
        (1, 0, "DDD000", "DDD000 internal error in DDD950: RuntimeError: boom"),
        (2, 0, "DDD951", "DDD951 found: remove it"),
    ]


# --- properties ----------------------------------------------------------------------------

PROPERTY_PATHS = st.sampled_from([*LAYER_PATHS.values(), NO_LAYER_PATH])
FAST = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


def _check_generated(source: str, path: str) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        assume(False)
    lines = source.splitlines(True)
    result = lint_tree(tree, str(FIXTURES / path), lines, PROPERTY_CONFIG)
    assert not [f for f in result if f.code == "DDD000"], result
    for finding in result:
        assert 1 <= finding.line <= max(len(lines), 1) and finding.col >= 0
        assert "\n" not in finding.message and finding.message.startswith(finding.code + " ")


@FAST
@given(source=hypothesmith.from_grammar(), path=PROPERTY_PATHS)
def test_generated_programs_never_make_a_pattern_rule_fail(source, path):
    _check_generated(source, path)


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))  # slow generator
@given(source=hypothesmith.from_node(), path=PROPERTY_PATHS)
def test_generated_syntax_trees_never_make_a_pattern_rule_fail(source, path):
    _check_generated(source, path)


SNIPPETS = [
    "print(x)", "print()", "datetime.now()", "dt.datetime.utcnow(tz)", "await db.commit()",
    "session.commit()", "import boto3", "from boto3 import client", "x = lambda: 0", "s = 'print'",
    "with s.begin():\n    s.commit()", "if x:\n    eval(x)", "class OrderManager:\n    pass",
    "async with s.begin():\n    await s.commit()", "f(a, *b, **c)", "return x",
]
MODULES = st.lists(st.tuples(st.sampled_from(SNIPPETS), st.integers(0, 2)), max_size=8)


def _module(parts) -> str:
    out = []
    for snippet, depth in parts:
        prefix = ""
        for level in range(depth):
            out.append("    " * level + ("async def f():" if level % 2 else "def g():"))
            prefix = "    " * (level + 1)
        out += [prefix + line for line in snippet.splitlines()]
    return "\n".join(out) + "\n"


@settings(max_examples=80, deadline=None)
@given(parts=MODULES, path=PROPERTY_PATHS)
def test_the_word_prefilter_never_changes_the_findings(parts, path):
    source = _module(parts)
    try:
        ast.parse(source)
    except SyntaxError:
        assume(False)
    location_rules = patterns.pattern_rules_for(
        __import__("flake8_ddd.layers", fromlist=["locate_file"]).locate_file(
            str(FIXTURES / path), PROPERTY_CONFIG.layer), PROPERTY_CONFIG.pattern_rules + HOUSE_RULES)
    fast = patterns.run_pattern_rules(location_rules, source)
    slow = patterns.run_pattern_rules(location_rules, source, prefilter=False)
    assert fast == slow


def test_a_file_without_the_required_words_is_not_parsed(monkeypatch):
    commit_in_def = {"pattern": "$S.commit()", "inside": {"pattern": "def $F(): $$$"}}
    config = cfg(dict(PRINT_RULE), table(code="DDD902", rule=commit_in_def))
    assert [r.words for r in config.pattern_rules] == [("print",), ("commit", "def")]

    def fail(*args, **kwargs):
        raise AssertionError("parsed by ast-grep")

    monkeypatch.setattr(ast_grep_py, "SgRoot", fail)
    assert found("def f():\n    return x\n", LAYER_PATHS[Layer.SERVICES], config) == []


@settings(max_examples=40, deadline=None)
@given(message=st.text(max_size=40).filter(lambda s: s.strip() and "\n" not in s and "\r" not in s))
def test_any_one_line_message_without_meta_variables_is_reported_verbatim(message):
    assume(not patterns.META_VARIABLE.search(message))
    config = cfg(table(message=message, rule={"pattern": "f()"}))
    [(_, _, _, text)] = found("f()\n", NO_LAYER_PATH, config)
    assert text == f"DDD901 {message.strip()}"
