"""Team-defined pattern rules (DDD900–DDD999), with the real ast-grep-py and the real flake8."""

from __future__ import annotations

import ast
import json
import os
import pickle
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any, Dict, List, Set, Tuple

import ast_grep_py  # noqa: F401 - the tests need the real package (it is in the test extra)
import hypothesmith
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from flake8_ddd import docs, engine, patterns
from flake8_ddd.engine import lint_source, lint_tree
from flake8_ddd.layers import Layer
from flake8_ddd.configuration import build_config
from flake8_ddd.option import ConfigError
from flake8_ddd.options import PATTERN_RULES_KEY, Config
from harness import ALL_GROUPS, FIXTURES, codes, make_project, run_flake8

#: hypothesmith compiles what it generates, and some of it draws SyntaxWarnings.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")
ROOT = Path(__file__).parent.parent
DOC = ROOT / "docs" / "pattern-rules.md"

#: A file of each layer (paths below the fixtures root, which is a project root).
LAYER_PATHS = {
    Layer.ROUTES: "app/shop/routes/orders.py",
    Layer.SERVICES: "app/shop/services/orders.py",
    Layer.CRUD: "app/shop/crud/orders.py",
    Layer.SCHEMAS: "app/shop/schemas/orders.py",
    Layer.MODELS: "app/shop/models/orders.py",
    Layer.DEPENDENCIES: "app/shop/dependencies.py",
    Layer.EXCEPTIONS: "app/shop/exceptions.py",
    Layer.TASKS: "app/shop/tasks.py",
    Layer.CORE: "app/core/clock.py",
    Layer.APIS: "app/apis/payments.py",
}
NO_LAYER_PATH = "app/main.py"
TEST_PATHS = ("app/shop/tests/test_orders.py", "app/shop/services/test_orders.py", "conftest.py")
PRINT_RULE = {"code": "DDD901", "message": "print() in services: use the logger ($$$ARGS)",
              "layers": ["services"], "rule": {"pattern": "print($$$ARGS)"}}


def table(code: str = "DDD901", message: str = "found: remove it", **keys: Any) -> Dict[str, Any]:
    keys.setdefault("rule", {"pattern": "print($$$ARGS)"})
    return {"code": code, "message": message, **keys}


def cfg(*tables: Dict[str, Any], **raw: Any) -> Config:
    raw[PATTERN_RULES_KEY] = list(tables)
    return build_config(raw, select=ALL_GROUPS)


def found(source: str, path: str, config: Config) -> List[Tuple[int, int, str, str]]:
    """``(line, col, code, message)`` of the DDD9xx findings (and DDD000) in ``source``."""
    return [(f.line, f.col, f.code, f.message)
            for f in lint_source(textwrap.dedent(source), str(FIXTURES / path), config)
            if f.code.startswith("DDD9") or f.code == "DDD000"]


def lines_codes(source: str, path: str, config: Config) -> Set[Tuple[int, str]]:
    return {(line, code) for line, _, code, _ in found(source, path, config)}


def config_error(*tables: Any, **raw: Any) -> str:
    with pytest.raises(ConfigError) as caught:
        if tables:
            raw[PATTERN_RULES_KEY] = list(tables)
        build_config(raw)
    message = str(caught.value)
    assert "\n" not in message and message.strip() == message, message
    return message


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


# --- configuration: files, inline tables, validation ---------------------------------------

def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_rules_file_and_inline_rules_together(tmp_path, monkeypatch):
    write(tmp_path / "rules" / "ddd.toml", """\
        [[rule]]
        code = "ddd905"
        message = "eval() call: never"
        rule = { pattern = "eval($$$)" }
    """)
    monkeypatch.chdir(tmp_path)
    config = cfg(dict(PRINT_RULE), **{"ddd-pattern-rules-file": "rules/ddd.toml"})
    assert [r.code for r in config.pattern_rules] == ["DDD901", "DDD905"]
    assert lines_codes("eval(x)\nprint(1)\n", LAYER_PATHS[Layer.SERVICES], config) == {
        (1, "DDD905"), (2, "DDD901")}


def test_rules_file_as_the_flake8_option_value_list(tmp_path, monkeypatch):
    write(tmp_path / "a.toml", '[[rule]]\ncode = "DDD901"\nmessage = "a: x"\nrule = { pattern = "a()" }\n')
    write(tmp_path / "b.toml", '[[rule]]\ncode = "DDD902"\nmessage = "b: x"\nrule = { pattern = "b()" }\n')
    monkeypatch.chdir(tmp_path)
    config = build_config({"ddd-pattern-rules-file": ["a.toml", "b.toml"]})
    assert [r.code for r in config.pattern_rules] == ["DDD901", "DDD902"]
    config = build_config({"ddd-pattern-rules-file": "a.toml,\n b.toml"})
    assert [r.code for r in config.pattern_rules] == ["DDD901", "DDD902"]


def test_empty_declarations_need_nothing(monkeypatch):
    monkeypatch.setitem(sys.modules, "ast_grep_py", None)  # importing it now fails
    assert build_config({PATTERN_RULES_KEY: []}).pattern_rules == ()
    config = build_config({})
    assert config.pattern_rules == ()
    source = "async def f(session):\n    await session.commit()\n"
    crud_file = str(FIXTURES / LAYER_PATHS[Layer.CRUD])
    assert {f.code for f in lint_source(source, crud_file, config)} == {"DDD001"}


def test_declaring_rules_without_ast_grep_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ast_grep_py", None)
    message = config_error(dict(PRINT_RULE))
    assert "ast-grep-py is not installed" in message and "flake8-ddd[patterns]" in message
    assert "DDD901" in message


def test_the_config_is_picklable_for_worker_processes():
    config = cfg(dict(PRINT_RULE))
    copy = pickle.loads(pickle.dumps(config))
    assert copy.pattern_rules == config.pattern_rules
    assert copy.pattern_rules[0].matcher == {"rule": {"pattern": "print($$$ARGS)"}}


BAD_TABLES = [
    # (table, words the one-line error must contain)
    (table(code="DDD899"), ["#1", "DDD899", "DDD900-DDD999"]),
    (table(code="DDD1000"), ["DDD1000", "DDD900-DDD999"]),
    (table(code="E901"), ["E901", "DDD900-DDD999"]),
    (table(code="DDD000"), ["DDD000", "DDD900-DDD999"]),
    (table(code=901), ["#1", "901", "DDD900-DDD999"]),
    ({"message": "x: y", "rule": {"pattern": "f()"}}, ["#1", "'code' is missing"]),
    ({"code": "DDD901", "rule": {"pattern": "f()"}}, ["DDD901", "'message' is missing"]),
    ({"code": "DDD901", "message": "x: y"}, ["DDD901", "'rule' is missing"]),
    (table(message=""), ["DDD901", "message"]),
    (table(message="two\nlines"), ["DDD901", "one line"]),
    (table(layers=["service"]), ["DDD901", "unknown layer 'service'", "services"]),
    (table(layers=["routes", "handlers"]), ["DDD901", "unknown layer 'handlers'"]),
    (table(layers=[]), ["DDD901", "'layers' is empty"]),
    (table(layers=[1]), ["DDD901", "'layers' must be a list"]),
    (table(severity="error"), ["DDD901", "unknown key 'severity'"]),
    (table(name="Print In Services"), ["DDD901", "kebab-case"]),
    (table(rule="print($$$)"), ["DDD901", "'rule' must be a table"]),
    (table(rule={"pattern": "print($$$ARGS"}), ["DDD901", "not valid Python", "print($$$ARGS"]),
    (table(rule={"pattern": "f()", "inside": {"pattern": "def", "stopBy": "end"}}),
     ["DDD901", "'def' is not valid Python"]),
    (table(rule={"kind": "no_such_kind"}), ["DDD901", "invalid ast-grep rule", "no_such_kind"]),
    (table(rule={"patern": "f()"}), ["DDD901", "invalid ast-grep rule", "unknown field `patern`"]),
    (table(rule={}), ["DDD901", "invalid ast-grep rule", "positive matcher"]),
    (table(rule={"pattern": ""}), ["DDD901", "invalid ast-grep rule"]),
    (table(rule={"regex": "("}), ["DDD901", "invalid ast-grep rule", "regex"]),
    (table(rule={"matches": "nothing"}), ["DDD901", "invalid ast-grep rule", "nothing"]),
    (table(rule={"pattern": "f($A)"}, constraints={"B": {"regex": "x"}}),
     ["DDD901", "invalid ast-grep rule", "`B`"]),
    (table(message="call of $FUNC: drop it", rule={"pattern": "$F()"}),
     ["DDD901", "$FUNC", "defined: $F"]),
    (table(message="call of $_F: drop it", rule={"pattern": "$_F()"}), ["DDD901", "$_F"]),
    (table(message="call of $X: drop it", rule={"pattern": "$F()", "not": {"pattern": "$X()"}}),
     ["DDD901", "$X"]),
    (table(message="$$$ARGS: drop it", rule={"kind": "call"}), ["DDD901", "$ARGS", "defined: none"]),
]


@pytest.mark.parametrize("bad,words", BAD_TABLES, ids=[str(i) for i in range(len(BAD_TABLES))])
def test_bad_rule_is_one_line_naming_it(bad, words):
    message = config_error(bad)
    for word in words:
        assert word in message, (word, message)
    assert "Stack backtrace" not in message and "Traceback" not in message


def test_colliding_codes(monkeypatch):
    message = config_error(table(code="DDD901"), table(code="DDD901", rule={"pattern": "g()"}))
    assert "DDD901" in message and "already used by the pattern rule" in message

    class Registered:
        code = "DDD950"
        options = ()

    monkeypatch.setattr("flake8_ddd.configuration.all_rules", lambda: (Registered,))
    message = config_error(table(code="DDD950"))
    assert "DDD950" in message and "already used by a built-in rule" in message


def test_inline_rules_must_be_an_array_of_tables():
    assert "array of tables" in config_error(**{PATTERN_RULES_KEY: {"code": "DDD901"}})
    assert "expected a table" in config_error("DDD901")


@pytest.mark.parametrize("content,words", [
    ('[[rule]]\ncode = "DDD901"\nmessage = "x\n', ["ddd.toml", "invalid TOML", "line 3"]),
    ('[[rules]]\ncode = "DDD901"\n', ["ddd.toml", "unknown top-level key 'rules'", "[[rule]]"]),
    ('[rule]\ncode = "DDD901"\n', ["ddd.toml", "array of tables"]),
    ('[[rule]]\ncode = "DDD901"\nmessage = "m: x"\nrule = { pattern = "f(" }\n',
     ["DDD901 in ddd.toml", "not valid Python"]),
    ('[[rule]]\ncode = "DDD901"\nmessage = "m: x"\nlayers = ["views"]\nrule = { pattern = "f()" }\n',
     ["DDD901 in ddd.toml", "unknown layer 'views'"]),
])
def test_bad_rules_file_is_one_line(tmp_path, monkeypatch, content, words):
    write(tmp_path / "ddd.toml", content)
    monkeypatch.chdir(tmp_path)
    message = config_error(**{"ddd-pattern-rules-file": "ddd.toml"})
    for word in words:
        assert word in message, (word, message)


def test_missing_rules_file_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    message = config_error(**{"ddd-pattern-rules-file": "nope.toml"})
    assert "ddd-pattern-rules-file" in message and "'nope.toml'" in message


def test_documentation_helpers():
    config = cfg(dict(PRINT_RULE, name="print-in-services", note="Services log; they never print."))
    rule = config.pattern_rules[0]
    text = docs.render_pattern_rule(rule)
    assert text.startswith("# print-in-services (DDD901)\n")
    assert "Message: `DDD901 print() in services: use the logger ($$$ARGS)`" in text
    assert "Applies to: services" in text and "Services log; they never print." in text
    assert 'rule = { pattern = "print($$$ARGS)" }' in text
    assert docs.listing_line(rule).startswith("DDD901  print-in-services ")
    as_dict = json.loads(json.dumps(docs.pattern_rule_as_dict(rule)))
    assert as_dict["code"] == "DDD901" and as_dict["pattern"] == {"rule": {"pattern": "print($$$ARGS)"}}


# --- the documented house rules ------------------------------------------------------------

def documented_rules_file() -> str:
    """The first ```toml block of docs/pattern-rules.md: the rules file users copy."""
    return re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)[0]


HOUSE_FILES = {
    "app/billing/services/invoice.py": """\
        import logging

        logger = logging.getLogger(__name__)


        class InvoiceService:
            async def issue(self, invoice, total):
                logger.info("issuing %s", invoice.id)
                print(invoice.id, total)  # error: DDD901
                print()  # noqa: DDD901
                return invoice
    """,
    "app/billing/routes/export.py": """\
        from fastapi import APIRouter

        import boto3  # error: DDD902
        import botocore.exceptions as aws_errors  # error: DDD902
        from boto3.s3.transfer import TransferConfig  # error: DDD902
        from .boto3_names import BUCKET
        import boto3x

        router = APIRouter()
    """,
    "app/billing/crud/invoice.py": """\
        import datetime as dt
        from datetime import date, datetime

        NOW_AT_IMPORT = datetime.now()


        class InvoiceRepository:
            async def mark_paid(self, invoice):
                invoice.paid_at = datetime.now()  # error: DDD903
                invoice.due = date.today()  # error: DDD903
                invoice.stamp = dt.datetime.utcnow()  # error: DDD903
                invoice.other = self.clock.now()
                return invoice
    """,
    # The same code in other layers: no finding.
    "app/billing/crud/printing.py": "def f(x):\n    print(x)\n    import boto3\n",
    "app/billing/services/clock.py": "def f():\n    return datetime.now()\n",
}


def expected_markers(files: Dict[str, str]) -> Set[Tuple[str, int, str]]:
    out = set()
    for relative, text in files.items():
        for number, line in enumerate(textwrap.dedent(text).splitlines(), start=1):
            match = re.search(r"# error: (DDD\d{3})$", line)
            if match:
                out.add((os.path.normpath(relative), number, match.group(1)))
    return out


def test_the_documented_house_rules_work_through_flake8(tmp_path):
    write(tmp_path / "ddd-rules.toml", documented_rules_file())
    make_project(tmp_path, HOUSE_FILES,
                 setup_cfg="[flake8]\nextend-select = DDD\nddd-pattern-rules-file = ddd-rules.toml\n")
    result = run_flake8(["--select=DDD", "."], tmp_path)
    assert codes(result, "DDD9") == expected_markers(HOUSE_FILES), result.stdout + result.stderr
    assert result.returncode == 1 and not result.stderr
    text = result.stdout
    assert "DDD901 print(invoice.id, total) in the services layer: log with the module's logger" in text
    assert "DDD902 routes import botocore.exceptions: wrap AWS" in text
    assert "DDD903 dt.datetime.utcnow() in a CRUD method: take the timestamp" in text


def test_the_pattern_shown_by_the_rule_command_is_the_declared_toml():
    toml = __import__("tomllib") if sys.version_info >= (3, 11) else __import__("tomli")
    for rule in HOUSE_RULES + PROPERTY_CONFIG.pattern_rules:
        shown = docs.render_pattern_rule(rule).split("```toml\n", 1)[1].split("```", 1)[0]
        assert toml.loads(shown) == dict(rule.matcher)


def test_the_documented_inline_form_loads():
    inline = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)[1]
    toml = __import__("tomllib") if sys.version_info >= (3, 11) else __import__("tomli")
    tables = toml.loads(inline)["tool"]["flake8-ddd"]["pattern-rules"]
    assert [r.code for r in cfg(*tables).pattern_rules] == ["DDD901"]


# --- through the real flake8 ---------------------------------------------------------------

LAYER_RULES = "".join(
    f'[[rule]]\ncode = "DDD91{i}"\nmessage = "print in {layer.value}: log"\n'
    f'layers = ["{layer.value}"]\nrule = {{ pattern = "print($$$A)" }}\n\n'
    for i, layer in enumerate(Layer))


def test_flake8_a_rule_per_layer_kind(tmp_path):
    files = {path: "print(1)\n" for path in [*LAYER_PATHS.values(), NO_LAYER_PATH, *TEST_PATHS]}
    write(tmp_path / "ddd-rules.toml", LAYER_RULES)
    make_project(tmp_path, files, setup_cfg="[flake8]\nddd-pattern-rules-file = ddd-rules.toml\n")
    result = run_flake8(["."], tmp_path)
    assert codes(result, "DDD9") == {(os.path.normpath(path), 1, f"DDD91{i}")
                                     for i, (layer, path) in enumerate(LAYER_PATHS.items())}, result.stderr


SERVICES_FILE = """\
def f(x):
    print(x)
    print(x)  # noqa: DDD901
    print(x)  # noqa: DDD902
    print(x)  # noqa
    eval(x)
"""
TWO_RULES = textwrap.dedent("""\
    [[rule]]
    code = "DDD901"
    message = "print($$$A) in services: log"
    layers = ["services"]
    rule = { pattern = "print($$$A)" }

    [[rule]]
    code = "DDD902"
    message = "eval in services: never"
    layers = ["services"]
    rule = { pattern = "eval($$$)" }
""")


@pytest.mark.parametrize("args,cfg_text,expected", [
    ([], "", {2: "DDD901", 4: "DDD901", 6: "DDD902"}),
    (["--extend-ignore=DDD901"], "", {6: "DDD902"}),
    (["--extend-ignore=DDD9"], "", {}),
    (["--select=E,W,F"], "", {}),
    (["--select=E,W,F", "--extend-select=DDD9"], "", {2: "DDD901", 4: "DDD901", 6: "DDD902"}),
    (["--select=DDD902"], "", {6: "DDD902"}),
    ([], "per-file-ignores = app/shop/services/*.py:DDD902\n", {2: "DDD901", 4: "DDD901"}),
], ids=["default", "extend-ignore-code", "extend-ignore-group", "select-without-ddd",
        "extend-select-group", "select-code", "per-file-ignores"])
def test_flake8_noqa_select_ignore_per_file_ignores(tmp_path, args, cfg_text, expected):
    write(tmp_path / "ddd-rules.toml", TWO_RULES)
    make_project(tmp_path, {"app/shop/services/orders.py": SERVICES_FILE},
                 setup_cfg="[flake8]\nddd-pattern-rules-file = ddd-rules.toml\n" + cfg_text)
    result = run_flake8(args + ["app"], tmp_path)
    path = os.path.join("app", "shop", "services", "orders.py")
    assert codes(result, "DDD9") == {(path, line, code) for line, code in expected.items()}, result.stderr
    if 2 in expected:
        assert f"{path}:2:5: DDD901 print(x) in services: log" in result.stdout


def test_flake8_option_on_the_command_line_and_stdin(tmp_path):
    write(tmp_path / "rules" / "ddd.toml", TWO_RULES)
    make_project(tmp_path, {}, setup_cfg="[flake8]\n")
    result = run_flake8(["--ddd-pattern-rules-file=rules/ddd.toml", "--stdin-display-name",
                         "app/shop/services/orders.py", "-"], tmp_path, stdin=SERVICES_FILE)
    expected = {(2, "DDD901"), (4, "DDD901"), (6, "DDD902")}
    assert {(line, code) for _, line, code in codes(result, "DDD9")} == expected, result.stderr


def test_flake8_jobs_run_pattern_rules_in_workers(tmp_path):
    files = {f"app/shop/services/m{n}.py": "print(1)\n" for n in range(8)}
    write(tmp_path / "ddd-rules.toml", TWO_RULES)
    make_project(tmp_path, files, setup_cfg="[flake8]\nddd-pattern-rules-file = ddd-rules.toml\n")
    result = run_flake8(["--jobs=2", "."], tmp_path)
    assert len(codes(result, "DDD9")) == 8, result.stderr


FLAKE8_BAD = [
    ('[[rule]]\ncode = "DDD9999"\nmessage = "m: x"\nrule = { pattern = "f()" }\n', "DDD9999"),
    ('[[rule]]\ncode = "DDD899"\nmessage = "m: x"\nrule = { pattern = "f()" }\n', "DDD899"),
    ('[[rule]]\ncode = "DDD901"\nmessage = "m: x"\nrule = { pattern = "f()" }\n'
     '[[rule]]\ncode = "DDD901"\nmessage = "m: y"\nrule = { pattern = "g()" }\n', "already used"),
    ('[[rule]]\ncode = "DDD901"\nmessage = "m: x"\nlayers = ["repository"]\nrule = { pattern = "f()" }\n',
     "unknown layer 'repository'"),
    ('[[rule]]\ncode = "DDD901"\nmessage = "m: x"\nrule = { kind = "callz" }\n', "callz"),
    ('[[rule]]\ncode = "DDD901"\nmessage = "m: x"\nrule = { pattern = "print($$$A" }\n', "not valid Python"),
    ('[[rule]]\ncode = "DDD901"\nmessage = "m: $F"\nrule = { pattern = "$G()" }\n', "$F"),
    ('[[rule]]\ncode = "DDD901"\nmessage = "m: x"\nrule = { pattern = "f()" }\nsevirity = 1\n', "sevirity"),
    ('[[rule]]\ncode = "DDD901"\n message = \n', "invalid TOML"),
]


@pytest.mark.parametrize("content,word", FLAKE8_BAD, ids=[w for _, w in FLAKE8_BAD])
def test_flake8_bad_rules_exit_2_with_one_line(tmp_path, content, word):
    write(tmp_path / "ddd-rules.toml", content)
    make_project(tmp_path, {"app/shop/services/orders.py": "print(1)\n"},
                 setup_cfg="[flake8]\nddd-pattern-rules-file = ddd-rules.toml\n")
    result = run_flake8(["."], tmp_path)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(lines) == 1 and lines[0].startswith("flake8-ddd: ") and word in lines[0], result.stderr
    assert "Traceback" not in result.stderr and not result.stdout


def test_flake8_missing_rules_file_exit_2(tmp_path):
    make_project(tmp_path, {"app/shop/services/orders.py": "print(1)\n"},
                 setup_cfg="[flake8]\nddd-pattern-rules-file = missing.toml\n")
    result = run_flake8(["."], tmp_path)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "missing.toml" in result.stderr and "Traceback" not in result.stderr


def run_flake8_without_ast_grep(args: List[str], cwd: Path, shadow: Path) -> subprocess.CompletedProcess:
    """flake8 in a process where ``import ast_grep_py`` fails, as when the extra is missing."""
    write(shadow / "ast_grep_py" / "__init__.py", 'raise ImportError("No module named ast_grep_py")\n')
    path = os.pathsep.join(filter(None, [str(shadow), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=path)
    return subprocess.run([sys.executable, "-m", "flake8", *args], cwd=str(cwd), env=env,
                          capture_output=True, text=True, timeout=600)


def test_flake8_without_ast_grep(tmp_path):
    project = tmp_path / "project"
    make_project(project, {"app/shop/crud/orders.py": "def f(session):\n    session.commit()\n"},
                 setup_cfg="[flake8]\n")
    write(project / "ddd-rules.toml", TWO_RULES)
    plain = run_flake8_without_ast_grep(["--select=DDD", "."], project, tmp_path / "shadow")
    assert plain.returncode == 1 and "DDD001" in plain.stdout and not plain.stderr, plain.stderr
    declared = run_flake8_without_ast_grep(["--ddd-pattern-rules-file=ddd-rules.toml", "."], project,
                                           tmp_path / "shadow")
    lines = declared.stderr.strip().splitlines()
    assert declared.returncode == 2 and len(lines) == 1, declared.stderr
    assert "pip install 'flake8-ddd[patterns]'" in lines[0] and "Traceback" not in declared.stderr


# --- properties ----------------------------------------------------------------------------

PROPERTY_CONFIG = cfg(
    table(code="DDD990", message="print of $$$A: x", rule={"pattern": "print($$$A)"}),
    table(code="DDD991", message="$S.commit() in a def: x", layers=["crud", "services"],
          rule={"pattern": "$S.commit()", "inside": {"kind": "function_definition", "stopBy": "end"},
                "not": {"inside": {"kind": "with_statement", "stopBy": "end"}}}),
    table(code="DDD992", message="call of $F with $$$ARGS: x",
          rule={"pattern": "$F($$$ARGS)"}, constraints={"F": {"regex": "^[a-z]"}}),
    table(code="DDD993", message="class $C: x", layers=["models", "schemas", "routes"],
          rule={"kind": "class_definition", "has": {"field": "name", "pattern": "$C"}}),
    table(code="DDD994", message="string: x", rule={"any": [{"kind": "string"}, {"kind": "lambda"}]}),
)
HOUSE_RULES = cfg(*__import__("tomllib" if sys.version_info >= (3, 11) else "tomli").loads(
    documented_rules_file())["rule"]).pattern_rules
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
