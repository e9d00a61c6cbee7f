"""Team-defined pattern rules (DDD900–DDD999) as declared: rules files and inline tables, their
validation, their documentation, and the real flake8 running them."""

from __future__ import annotations

import json
import os
import pickle
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List, Set, Tuple

import ast_grep_py  # noqa: F401 - the tests need the real package (it is in the test extra)
import pytest

from flake8_ddd import docs
from flake8_ddd.engine import lint_source
from flake8_ddd.layers import Layer
from flake8_ddd.configuration import build_config
from flake8_ddd.options import PATTERN_RULES_KEY
from harness import FIXTURES, codes, make_project, run_flake8
from pattern_support import (
    DOC, HOUSE_RULES, LAYER_PATHS, NO_LAYER_PATH, PRINT_RULE, PROPERTY_CONFIG, TEST_PATHS, cfg,
    config_error, documented_rules_file, lines_codes, table)


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
