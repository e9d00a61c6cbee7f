"""The flake8 plugin, driven through the real flake8 program."""

from __future__ import annotations

import ast
import os

import pytest

from flake8_ddd.engine import Walk, lint_tree
from flake8_ddd.options import Config
from flake8_ddd.plugin import Plugin
from flake8_ddd.diagnostics import INTERNAL_ERROR_CODE
from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.registry import all_rules
from harness import FIXTURES, TEST_RULE_DOC, codes, config, make_project, run_flake8

COMMIT_IN_CRUD = "async def save(session):\n    await session.commit()\n"


def test_entry_point_is_loaded_by_flake8(tmp_path):
    make_project(tmp_path, {"app/orders/crud/order.py": COMMIT_IN_CRUD})
    result = run_flake8(["--select=DDD", "."], tmp_path)
    assert codes(result) == {(os.path.join("app", "orders", "crud", "order.py"), 2, "DDD001")}
    version = run_flake8(["--version"], tmp_path).stdout
    assert "flake8-ddd" in version


def test_noqa_and_per_file_ignores(tmp_path):
    make_project(tmp_path, {
        "app/orders/crud/a.py": "async def f(session):\n    await session.commit()  # noqa: DDD001\n"
                                "    await session.rollback()\n",
        "app/orders/crud/b.py": COMMIT_IN_CRUD,
        "app/orders/crud/c.py": "async def f(session):\n    await session.commit()  # noqa: DDD004\n",
    }, setup_cfg="[flake8]\nper-file-ignores = app/orders/crud/b.py:DDD001\n")
    result = run_flake8(["--select=DDD", "."], tmp_path)
    assert codes(result) == {
        (os.path.join("app", "orders", "crud", "a.py"), 3, "DDD004"),
        (os.path.join("app", "orders", "crud", "c.py"), 2, "DDD001"),
    }


def test_select_without_ddd_drops_plugin_codes_and_extend_select_restores_them(tmp_path):
    make_project(tmp_path, {"app/orders/crud/order.py": COMMIT_IN_CRUD})
    assert not codes(run_flake8(["--select=E,W,F", "."], tmp_path))
    assert codes(run_flake8(["--select=E,W,F", "--extend-select=DDD", "."], tmp_path))


@pytest.mark.parametrize("how", ["absolute", "dot-relative", "subdirectory", "stdin"])
def test_paths_spelled_any_way_give_the_same_layer(tmp_path, how):
    make_project(tmp_path, {"app/orders/crud/order.py": COMMIT_IN_CRUD})
    target = tmp_path / "app" / "orders" / "crud" / "order.py"
    cwd, args, stdin = tmp_path, [], None
    if how == "absolute":
        args = [str(target)]
    elif how == "dot-relative":
        args = ["./app/orders/crud/order.py"]
    elif how == "subdirectory":
        cwd, args = tmp_path / "app" / "orders", ["crud/order.py"]
    else:
        args, stdin = ["--stdin-display-name", "app/orders/crud/order.py", "-"], COMMIT_IN_CRUD
    result = run_flake8(["--select=DDD", *args], cwd, stdin=stdin)
    assert [line for line in result.stdout.splitlines() if "DDD001" in line], result.stdout + result.stderr


def test_checkout_below_a_services_directory_is_not_the_services_layer(tmp_path):
    project = tmp_path / "services" / "shop"
    project.mkdir(parents=True)
    make_project(project, {"main.py": "from fastapi import HTTPException\n"
                                      "raise HTTPException(status_code=404)\n"})
    assert not codes(run_flake8(["--select=DDD", str(project / "main.py")], tmp_path))


@pytest.mark.parametrize("option,value", [
    ("--ddd-layer-paths", "app/*.py"),
    ("--ddd-layer-paths", "app/*.py=nolayer"),
    ("--ddd-layer-segments", "handlers"),
    ("--ddd-session-names", "db;session"),
])
def test_malformed_option_is_one_line_naming_it(tmp_path, option, value):
    make_project(tmp_path, {"app/orders/crud/order.py": COMMIT_IN_CRUD})
    result = run_flake8([f"{option}={value}", "."], tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and option.lstrip("-") in lines[0] and "expected" in lines[0], result.stderr


def test_malformed_option_in_config_file(tmp_path):
    make_project(tmp_path, {"app/orders/crud/order.py": COMMIT_IN_CRUD},
                 setup_cfg="[flake8]\nddd-layer-paths =\n    app/legacy/*.py\n")
    result = run_flake8(["."], tmp_path)
    assert result.returncode == 2 and "ddd-layer-paths" in result.stderr
    assert "Traceback" not in result.stderr


def test_layer_options_from_config_file(tmp_path):
    make_project(tmp_path, {"src/legacy/handlers.py": COMMIT_IN_CRUD,
                            "src/legacy/repo_impl.py": COMMIT_IN_CRUD},
                 setup_cfg="[flake8]\nddd-layer-paths =\n    src/legacy/repo_*.py=crud\n")
    assert codes(run_flake8(["--select=DDD", "."], tmp_path)) == {
        (os.path.join("src", "legacy", "repo_impl.py"), 2, "DDD001")}


OPT_IN = [r.code for r in all_rules() if r.opt_in]


@pytest.mark.skipif(not OPT_IN, reason="no opt-in rule registered")
@pytest.mark.parametrize("selection,expect_opt_in", [
    (["--select=DDD"], False),
    ([], False),
    (["--extend-ignore=E501"], False),
    (["--ignore=E501"], False),
    (["--select=DDD", "--extend-select=OPT"], True),
    (["--extend-select=OPTGROUP"], True),
    (["--select=DDD,OPT"], True),
])
def test_opt_in_codes_only_when_named(selection, expect_opt_in):
    """One flake8 run per option set, naming every opt-in code (or its group) at once."""
    groups = ",".join(sorted({code[:5] for code in OPT_IN}))
    args = [a.replace("OPTGROUP", groups).replace("OPT", ",".join(OPT_IN)) for a in selection]
    result = run_flake8(["--isolated", "--jobs=1", *args, "."], FIXTURES)
    reported = {code for _, _, code in codes(result, *OPT_IN)}
    assert (reported == set(OPT_IN)) if expect_opt_in else not reported


class Exploding(Rule):
    # Raises on every call, to prove a rule's bug never takes flake8 down.
    __doc__ = TEST_RULE_DOC
    code = "DDD899"
    message = "never reported: never"
    scope = Scope.ANY_FILE
    since = "0.1.0"

    @on(ast.Call)
    def explode(self, node):
        raise RuntimeError("boom")


def test_a_failing_rule_becomes_one_ddd000_and_others_still_report():
    source = COMMIT_IN_CRUD + "x = len([])\n"
    path = str(FIXTURES / "app" / "orders" / "crud" / "boom.py")
    findings = lint_tree(ast.parse(source), path, source.splitlines(True), config(),
                         rules=[*all_rules(), Exploding])
    assert [f.code for f in findings].count(INTERNAL_ERROR_CODE) == 1
    assert ("DDD001", 2) in {(f.code, f.line) for f in findings}
    failure = next(f for f in findings if f.code == INTERNAL_ERROR_CODE)
    assert failure.line == 1 and failure.message.startswith("DDD000 internal error in DDD899: RuntimeError")


def test_plugin_run_survives_an_engine_failure(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("engine")

    monkeypatch.setattr("flake8_ddd.plugin.lint_tree", broken)
    results = list(Plugin(ast.parse("x = 1"), "app/a/crud/x.py", ["x = 1\n"]).run())
    assert len(results) == 1 and results[0][2].startswith("DDD000 internal error in flake8-ddd")


def test_files_where_no_rule_applies_are_not_walked(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("walked")

    monkeypatch.setattr(Walk, "run", fail)
    tree = ast.parse("x = 1\n")
    for path in ("app/orders/tests/test_x.py", "conftest.py"):
        assert lint_tree(tree, path, ["x = 1\n"], Config()) == []


def test_a_failure_in_the_shared_facts_becomes_one_ddd000(monkeypatch):
    def broken(*args, **kwargs):
        raise RecursionError("facts")

    monkeypatch.setattr("flake8_ddd.engine.FileContext", broken)
    source = COMMIT_IN_CRUD
    findings = lint_tree(ast.parse(source), str(FIXTURES / "app/orders/crud/x.py"),
                         source.splitlines(True), config())
    assert [(f.line, f.code) for f in findings] == [(1, INTERNAL_ERROR_CODE)]
    assert findings[0].message == "DDD000 internal error in flake8-ddd: RecursionError: facts"


class ExplodingTwice(Exploding):
    __doc__ = Exploding.__doc__  # raises in two handlers of the same node type

    code = "DDD898"

    @on(ast.Call)
    def explode_again(self, node):
        raise KeyError("again")


def test_a_rule_failing_in_two_handlers_of_one_node_is_reported_once():
    source = COMMIT_IN_CRUD
    path = str(FIXTURES / "app" / "orders" / "crud" / "boom.py")
    findings = lint_tree(ast.parse(source), path, source.splitlines(True), config(),
                         rules=[*all_rules(), ExplodingTwice])
    assert [f.code for f in findings].count(INTERNAL_ERROR_CODE) == 1
    assert ("DDD001", 2) in {(f.code, f.line) for f in findings}


def test_a_flake8_run_in_a_long_lived_process_sees_the_tree_as_it_is_now(tmp_path, monkeypatch, capsys):
    """An editor may run flake8 again and again in one process. Within a run the plugin reads
    each directory once (one moment per run, keyed on the run's configuration); the next run
    sees a package made meanwhile: ``app/user/api/x.py`` is a routes module until an
    ``__init__.py`` in ``api/`` makes ``api`` a top-level package without a layer."""
    from flake8.main.application import Application

    route = "from app.user.crud.user import save\n"
    make_project(tmp_path, {"app/user/api/x.py": route, "app/user/api/y.py": route})
    monkeypatch.chdir(tmp_path)

    def findings() -> set:
        Application().run(["--select=DDD", "--jobs", "1", "."])
        return {line.split(":")[0] for line in capsys.readouterr().out.splitlines() if "DDD101" in line}

    assert findings() == {os.path.join(".", "app", "user", "api", n) for n in ("x.py", "y.py")}
    (tmp_path / "app" / "user" / "api" / "__init__.py").write_text("")
    assert findings() == set()
