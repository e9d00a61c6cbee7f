"""Configuration and structure (DDD601-DDD605): cases that need options, messages, several files
on disk, or a specific assertion beyond the fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from flake8_ddd.engine import lint_source
from flake8_ddd.layers import LayerConfig, locate_parts
from harness import codes, config, lint, lint_messages, make_project

STRUCTURE = config(selected=("DDD6",))


# --- DDD601 -------------------------------------------------------------------------------------------

ENV = "import os\nA = os.environ['A']\nB = os.getenv('B')\n"


@pytest.mark.parametrize("path,expected", [
    ("app/core/settings.py", set()),
    ("app/core/config.py", set()),
    ("app/core/settings/__init__.py", set()),
    ("app/core/config/production.py", set()),
    ("app/core/database.py", {(2, "DDD601"), (3, "DDD601")}),
    ("app/core/logging.py", {(2, "DDD601"), (3, "DDD601")}),
    ("app/user/config.py", set()),            # no layer: not checked
    ("app/user/settings/base.py", set()),
    ("main.py", set()),
    ("app/user/services/config.py", {(2, "DDD601"), (3, "DDD601")}),
    ("app/apis/v1.py", {(2, "DDD601"), (3, "DDD601")}),
])
def test_environment_reads_by_file(path, expected):
    assert codes(lint(ENV, path, STRUCTURE), "DDD6") == expected


def test_environment_read_message():
    assert lint_messages("from os import getenv as g\nX = g('X')\n", "app/user/services/s.py", STRUCTURE) == [
        "2:5: DDD601 environment read through g outside the settings module: load it in core "
        "settings and inject the value"]


def test_special_core_modules_helpers():
    cfg = LayerConfig()
    assert locate_parts(("app", "core", "settings", "__init__"), cfg).is_settings_module
    assert locate_parts(("app", "core", "db", "base"), cfg).is_database_module
    assert not locate_parts(("app", "user", "settings"), cfg).is_settings_module
    assert not locate_parts(("app", "core", "crud"), cfg).is_database_module


# --- DDD602 / DDD603 ------------------------------------------------------------------------------------

ENGINE = ("from sqlalchemy import create_engine\nfrom sqlalchemy.orm import Session\n"
          "engine = create_engine('sqlite://')\nsession = Session(engine)\n")


@pytest.mark.parametrize("path,expected", [
    ("app/core/database.py", set()),
    ("app/core/db.py", set()),
    ("app/core/session.py", set()),
    ("app/core/db/engine.py", set()),
    ("app/user/dependencies.py", {(3, "DDD602")}),   # dependencies may open sessions, not engines
    ("app/user/services/user.py", {(3, "DDD602"), (4, "DDD603")}),
    ("app/user/tasks.py", {(3, "DDD602")}),   # background jobs open their own session
    ("app/core/middleware.py", {(3, "DDD602"), (4, "DDD603")}),
    ("main.py", set()),                             # no layer: not checked
    ("migrations/env.py", set()),
])
def test_engines_and_sessions_by_file(path, expected):
    assert codes(lint(ENGINE, path, STRUCTURE), "DDD6") == expected


def test_configured_session_factories():
    source = ("from app.core.database import make_session, SessionLocal\n"
              "def f():\n    a = make_session()\n    b = SessionLocal()\n    return a, b\n")
    assert codes(lint(source, "app/user/services/user.py", STRUCTURE), "DDD6") == {(4, "DDD603")}
    cfg = config(ddd_session_factories="make_*", selected=("DDD6",))
    assert codes(lint(source, "app/user/services/user.py", cfg), "DDD6") == {(3, "DDD603")}


def test_session_factory_parameter_or_attribute_is_injected():
    source = ("async def run(SessionLocal, *, async_session):\n"
              "    async with SessionLocal() as a, async_session() as b:\n"
              "        return a, b\n"
              "def g(self):\n    return self.SessionLocal()\n")
    assert codes(lint(source, "app/user/services/user.py", STRUCTURE), "DDD6") == set()


# --- DDD604 -----------------------------------------------------------------------------------------------

def test_crud_base_option():
    source = ("from app.core.repository import BaseRepository\nfrom app.core.crud import CRUDBase\n"
              "class A(BaseRepository):\n    pass\nclass B(CRUDBase):\n    pass\n")
    path = "app/user/crud/user.py"
    assert codes(lint(source, path, STRUCTURE), "DDD6") == set()   # both bases come from crud-layer modules
    local = "class A(BaseRepository):\n    pass\nclass B(CRUDBase):\n    pass\nclass C:\n    pass\n"
    assert codes(lint(local, path, STRUCTURE), "DDD6") == {(1, "DDD604"), (5, "DDD604")}
    cfg = config(ddd_crud_base="BaseRepository, *Repo", selected=("DDD6",))
    assert codes(lint(local, path, cfg), "DDD6") == {(3, "DDD604"), (5, "DDD604")}
    assert codes(lint("class UserRepo:\n    pass\n", path, cfg), "DDD6") == set()   # the base itself


def test_crud_helpers_are_not_findings():
    source = ("from pydantic import BaseModel\nfrom sqlalchemy.orm import DeclarativeBase\n"
              "class Filters(BaseModel):\n    name: str\n"
              "class Row(DeclarativeBase):\n    __tablename__ = 'rows'\n"
              "class Missing(LookupError):\n    pass\n"
              "class Gone(DomainError):\n    pass\n")
    assert codes(lint(source, "app/user/crud/user.py", config(selected=("DDD604",))), "DDD6") == set()


def test_crud_class_rule_skips_core_and_is_opt_in():
    source = "class Helper:\n    pass\n"
    assert codes(lint(source, "app/core/crud.py", STRUCTURE), "DDD6") == set()
    assert codes(lint(source, "app/user/crud/user.py", config(selected=("DDD",))), "DDD6") == set()
    opted_in = config(selected=("DDD604",))
    assert codes(lint(source, "app/user/crud/user.py", opted_in), "DDD6") == {(1, "DDD604")}


def test_crud_class_message():
    assert lint_messages("class UserCRUD:\n    pass\n", "app/user/crud/user.py", STRUCTURE) == [
        "1:1: DDD604 CRUD class UserCRUD does not inherit CRUDBase: inherit the generic base from core crud"]


# --- DDD605 -------------------------------------------------------------------------------------------------

def feature_findings(root: Path, relative: str, cfg=STRUCTURE) -> set:
    path = root / relative
    text = path.read_text() if path.exists() else ""
    return codes(lint(text, str(path), cfg), "DDD6")


def test_feature_without_tests(tmp_path, monkeypatch):
    root = make_project(tmp_path, {
        "app/__init__.py": "", "app/core/__init__.py": "", "app/core/crud.py": "",
        "app/shop/__init__.py": "", "app/shop/crud/__init__.py": "", "app/shop/service.py": "",
        "app/cart/__init__.py": '"""Cart."""\n', "app/cart/models.py": "", "app/cart/tests/__init__.py": "",
        "app/blog/__init__.py": "", "app/blog/routes.py": "", "app/blog/test/test_x.py": "",
        "app/utils/__init__.py": "", "app/utils/strings.py": "",
        "app/core/db/__init__.py": "", "app/core/db/models.py": "",
    })
    monkeypatch.chdir(root)
    assert feature_findings(root, "app/shop/__init__.py") == {(1, "DDD605")}
    assert feature_findings(root, "app/cart/__init__.py") == set()   # has tests/
    assert feature_findings(root, "app/blog/__init__.py") == set()   # has test/
    assert feature_findings(root, "app/utils/__init__.py") == set()  # no layer module: not a feature
    assert feature_findings(root, "app/__init__.py") == set()        # holds core/: the application
    assert feature_findings(root, "app/core/__init__.py") == set()
    assert feature_findings(root, "app/core/db/__init__.py") == set()  # inside core
    assert feature_findings(root, "app/shop/crud/__init__.py") == set()  # a layer package
    assert feature_findings(root, "app/shop/service.py") == set()
    assert lint_messages("", str(root / "app/shop/__init__.py"), STRUCTURE) == [
        "1:1: DDD605 feature package shop has no tests: add them in shop/tests/ or in the central tree "
        "(tests/shop/, tests/unit/shop/)"]
    # the same through relative spellings
    assert [f.code for f in lint_source("", "app/shop/__init__.py", STRUCTURE)] == ["DDD605"]
    assert [f.code for f in lint_source("", "./app/shop/__init__.py", STRUCTURE)] == ["DDD605"]
    monkeypatch.chdir(root / "app")
    assert [f.code for f in lint_source("", "shop/__init__.py", STRUCTURE)] == ["DDD605"]


def test_top_level_package_holding_features_is_the_application(tmp_path, monkeypatch):
    root = make_project(tmp_path, {
        "src/dispatch/__init__.py": "", "src/dispatch/models.py": "",
        "src/dispatch/incident/__init__.py": "", "src/dispatch/incident/service.py": "",
        "src/dispatch/incident/views.py": "",
        "src/dispatch/incident/severity/__init__.py": "", "src/dispatch/incident/severity/service.py": "",
    })
    monkeypatch.chdir(root)
    assert feature_findings(root, "src/dispatch/__init__.py") == set()
    assert feature_findings(root, "src/dispatch/incident/__init__.py") == {(1, "DDD605")}
    # revision 2: a package nested in a feature belongs to it, it is no feature of its own
    assert feature_findings(root, "src/dispatch/incident/severity/__init__.py") == set()


def test_feature_tests_in_a_central_tree(tmp_path, monkeypatch):
    names = ("orders", "billing", "returns", "pricing", "refunds", "stock")
    files = {f"src/shop/{name}/{file}": "" for name in names for file in ("__init__.py", "crud.py")}
    files.update({"src/shop/__init__.py": "",
                  "tests/unit/orders/test_create.py": "",            # tests/unit/<feature>/
                  "tests/billing/__init__.py": "",                   # tests/<feature>/
                  "tests/unit/test_returns_service.py": "",         # flat: test_<feature>_*.py
                  "tests/unit/test_price.py": "",                   # another name: not pricing's
                  "tests/a/b/c/refunds/test_x.py": ""})             # deeper than three levels
    root = make_project(tmp_path / "project", files)
    (tmp_path / "tests" / "stock").mkdir(parents=True)                 # above the project root
    monkeypatch.chdir(root)
    found = {name: feature_findings(root, f"src/shop/{name}/__init__.py") for name in names}
    assert found == {"orders": set(), "billing": set(), "returns": set(), "pricing": {(1, "DDD605")},
                     "refunds": {(1, "DDD605")}, "stock": {(1, "DDD605")}}


def test_feature_rule_never_fails_on_stdin_or_missing_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for filename in ("stdin", "-", "app/ghost/__init__.py", str(tmp_path / "nope" / "__init__.py")):
        findings = lint_source("", filename, STRUCTURE)
        assert findings == [], filename


def test_feature_rule_is_opt_in(tmp_path, monkeypatch):
    root = make_project(tmp_path, {"app/shop/__init__.py": "", "app/shop/crud.py": ""})
    monkeypatch.chdir(root)
    assert feature_findings(root, "app/shop/__init__.py", config(selected=("DDD",))) == set()
    assert feature_findings(root, "app/shop/__init__.py", config(selected=("DDD60",))) == {(1, "DDD605")}
