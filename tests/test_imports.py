"""Imports and structure (DDD101-DDD105, DDD601-DDD605): cases that need options, messages,
several files on disk, or a specific assertion beyond the fixtures."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict

import pytest

from flake8_ddd.engine import lint_source
from flake8_ddd.rules._imports import is_database_module, is_settings_module
from flake8_ddd.layers import locate_parts, LayerConfig
from harness import config, lint, lint_messages

IMPORTS = config(selected=("DDD1",))
STRUCTURE = config(selected=("DDD6",))
OWN = ("DDD1", "DDD6")


def codes(source: str, path: str, cfg=IMPORTS) -> set:
    """This group's findings only (``selected`` switches opt-in codes on, never others off)."""
    return {(line, code) for line, code in lint(source, path, cfg) if code.startswith(OWN)}


# --- DDD101-DDD105 ----------------------------------------------------------------------------------

def test_one_finding_per_statement_naming_every_module():
    messages = lint_messages("from app.catalog import crud, routes, services\n",
                             "app/billing/services/invoice.py", IMPORTS)
    assert messages == [
        "1:1: DDD102 services module imports routes module app.catalog.routes: a layer may only "
        "import lower layers (routes, tasks, dependencies > services > crud > models, schemas)",
        "1:1: DDD103 imports crud module app.catalog.crud of feature catalog, routes module "
        "app.catalog.routes of feature catalog: go through that feature's service",
    ]


def test_names_from_one_module_are_one_finding_naming_the_module():
    messages = lint_messages("from app.user.crud.user import UserCRUD, user_crud as crud\n",
                             "app/user/routes/users.py", IMPORTS)
    assert messages == ["1:1: DDD101 route module imports CRUD module app.user.crud.user: "
                        "call the feature's service instead"]


def test_imported_name_that_looks_like_a_segment_does_not_move_the_target():
    # ``router`` is a routes segment and ``product`` would become the feature if the name counted
    assert codes("from app.user.routes.users import router\n", "app/user/tasks.py") == set()
    assert codes("from app.user.services.user import models, crud\n", "app/user/routes/u.py") == set()


def test_sibling_in_a_package_named_like_a_layer_is_not_another_layer():
    """Netflix Dispatch has a feature named ``service``: feedback/service/models.py."""
    source = "from .enums import Rating\nfrom dispatch.feedback.service.views import router\n"
    # the sibling enums module is not "services"; views.py is routes by its own name
    assert codes(source, "dispatch/feedback/service/models.py") == {(2, "DDD102")}
    upward = "from app.user.services.user import UserService\n"
    assert codes(upward, "app/user/crud/user.py") == {(1, "DDD102")}


def test_module_of_core_is_located_by_the_imported_name():
    assert codes("from app.core import crud\n", "app/user/routes/users.py") == {(1, "DDD101")}
    assert codes("from app.core import settings, database\n", "app/user/routes/users.py") == set()


def test_relative_imports_from_a_package_init():
    source = "from .users import router\nfrom ..crud import user_crud\nfrom ..services import s\n"
    assert codes(source, "app/user/routes/__init__.py") == {(2, "DDD101")}
    siblings = "from .user import user_crud\nfrom ..models import User\n"
    assert codes(siblings, "app/user/crud/__init__.py") == set()
    assert codes("from .....x import y\nfrom . import z\n", "app/user/crud/a.py") == set()


def test_third_party_and_other_top_level_packages_are_not_layer_imports():
    source = ("from fastapi.openapi import models\nfrom pydantic import schema\n"
              "import services.crud\nfrom shared.crud import base\n")
    assert codes(source, "app/user/routes/users.py") == set()
    cfg = config(ddd_app_packages="shared", selected=("DDD1",))
    # ``shared`` holds the crud segment, so it is a feature of its own (DDD103 too)
    assert codes(source, "app/user/routes/users.py", cfg) == {(4, "DDD101"), (4, "DDD103")}


def test_file_with_two_layers_is_judged_by_its_highest_rank(tmp_path, monkeypatch):
    (tmp_path / "setup.cfg").write_text("[flake8]\n")
    monkeypatch.chdir(tmp_path)
    cfg = config(ddd_layer_paths="app/*/models.py=models+schemas", selected=("DDD1",))
    source = ("from app.shop.crud import item_crud\n"
              "from app.shop.schemas import ItemResponse\n"
              "from app.shop.models import Item\n"
              "from app.shop.services import pricing\n")
    assert codes(source, str(tmp_path / "app/shop/models.py"), cfg) == {(1, "DDD102"), (4, "DDD102")}
    pinned = "# ddd: layer=crud+services\nfrom app.shop.services import a\nfrom app.shop.routes import b\n"
    assert codes(pinned, str(tmp_path / "app/shop/logic.py"), cfg) == {(3, "DDD102")}


def test_target_with_two_layers_is_judged_by_its_lowest_rank(tmp_path, monkeypatch):
    (tmp_path / "setup.cfg").write_text("[flake8]\n")
    monkeypatch.chdir(tmp_path)
    cfg = config(ddd_layer_paths="app/*/models.py=models+schemas, app/*/repo_impl.py=crud",
                 selected=("DDD1",))
    route = str(tmp_path / "app/shop/routes/items.py")
    # models+schemas: the imported name may be a schema, so DDD105 stays quiet
    assert codes("from app.shop.models import ItemResponse\n", route, cfg) == set()
    assert codes("from app.shop.models import ItemResponse\n", route) == {(1, "DDD105")}
    # a glob naming a module without a layer segment is applied to import targets too
    assert codes("from app.shop.repo_impl import ItemRepository\n", route, cfg) == {(1, "DDD101")}
    assert codes("import app.shop.repo_impl\n", route, cfg) == {(1, "DDD101")}


def test_excluded_targets_have_no_layer(tmp_path, monkeypatch):
    (tmp_path / "setup.cfg").write_text("[flake8]\n")
    monkeypatch.chdir(tmp_path)
    cfg = config(ddd_layer_exclude="app/legacy/*", selected=("DDD1",))
    route = str(tmp_path / "app/shop/routes/items.py")
    assert codes("from app.legacy.crud import old\n", route, cfg) == set()
    assert codes("from app.legacy.crud import old\n", route) == {(1, "DDD101"), (1, "DDD103")}


def test_layer_first_project_has_no_other_feature():
    """full-stack-fastapi-template style: app/crud.py, app/models.py, app/api/routes/*.py."""
    route = "app/api/routes/items.py"
    assert codes("from app import crud\nfrom app.models import Item\n", route) == {
        (1, "DDD101"), (2, "DDD105")}
    assert codes("from app import crud\nfrom app.models import User\nfrom app.core.config import settings\n",
                 "app/core/db.py") == set()
    assert codes("from app.user.models import User\n", "app/core/db.py") == {(1, "DDD104")}
    assert codes("from app.crud import base\n", "app/user/services/user.py") == set()


def test_importer_without_feature_or_rank():
    assert codes("from app.user.crud import x\nfrom app.user.routes import r\n", "app/apis/v1.py") == set()
    assert codes("from app.user.crud import x\n", "app/main.py") == set()
    assert codes("from app.user.crud import x\n", "app/user/exceptions.py") == set()
    assert codes("from app.user.crud import x\n", "app/billing/exceptions.py") == {(1, "DDD103")}


def test_core_files_get_only_ddd104():
    source = "from app.user.services import s\nfrom app.user.routes import r\nfrom app.core.x import y\n"
    assert codes(source, "app/core/crud.py") == {(1, "DDD104"), (2, "DDD104")}
    assert codes(source, "app/core/models/base.py") == {(1, "DDD104"), (2, "DDD104")}


def test_route_imports_orm_model_is_opt_in():
    source = "from app.user.models import User\n"
    assert codes(source, "app/user/routes/users.py", config(selected=("DDD",))) == set()
    assert codes(source, "app/user/routes/users.py", config(selected=("DDD105",))) == {(1, "DDD105")}
    assert codes(source, "app/user/routes/users.py", config(selected=("DDD10",))) == {(1, "DDD105")}


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
    assert codes(ENV, path, STRUCTURE) == expected


def test_environment_read_message():
    assert lint_messages("from os import getenv as g\nX = g('X')\n", "app/user/services/s.py", STRUCTURE) == [
        "2:5: DDD601 environment read through g outside the settings module: load it in core "
        "settings and inject the value"]


def test_special_core_modules_helpers():
    cfg = LayerConfig()
    assert is_settings_module(locate_parts(("app", "core", "settings", "__init__"), cfg))
    assert is_database_module(locate_parts(("app", "core", "db", "base"), cfg))
    assert not is_settings_module(locate_parts(("app", "user", "settings"), cfg))
    assert not is_database_module(locate_parts(("app", "core", "crud"), cfg))


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
    ("app/user/tasks.py", {(3, "DDD602"), (4, "DDD603")}),
    ("app/core/middleware.py", {(3, "DDD602"), (4, "DDD603")}),
    ("main.py", set()),                             # no layer: not checked
    ("migrations/env.py", set()),
])
def test_engines_and_sessions_by_file(path, expected):
    assert codes(ENGINE, path, STRUCTURE) == expected


def test_configured_session_factories():
    source = ("from app.core.database import make_session, SessionLocal\n"
              "def f():\n    a = make_session()\n    b = SessionLocal()\n    return a, b\n")
    assert codes(source, "app/user/services/user.py", STRUCTURE) == {(4, "DDD603")}
    cfg = config(ddd_session_factories="make_*", selected=("DDD6",))
    assert codes(source, "app/user/services/user.py", cfg) == {(3, "DDD603")}


def test_session_factory_parameter_or_attribute_is_injected():
    source = ("async def run(SessionLocal, *, async_session):\n"
              "    async with SessionLocal() as a, async_session() as b:\n"
              "        return a, b\n"
              "def g(self):\n    return self.SessionLocal()\n")
    assert codes(source, "app/user/services/user.py", STRUCTURE) == set()


# --- DDD604 -----------------------------------------------------------------------------------------------

def test_crud_base_option():
    source = ("from app.core.repository import BaseRepository\nfrom app.core.crud import CRUDBase\n"
              "class A(BaseRepository):\n    pass\nclass B(CRUDBase):\n    pass\n")
    path = "app/user/crud/user.py"
    assert codes(source, path, STRUCTURE) == set()   # both bases come from crud-layer modules
    local = "class A(BaseRepository):\n    pass\nclass B(CRUDBase):\n    pass\nclass C:\n    pass\n"
    assert codes(local, path, STRUCTURE) == {(1, "DDD604"), (5, "DDD604")}
    cfg = config(ddd_crud_base="BaseRepository, *Repo", selected=("DDD6",))
    assert codes(local, path, cfg) == {(3, "DDD604"), (5, "DDD604")}
    assert codes("class UserRepo:\n    pass\n", path, cfg) == set()   # the base itself


def test_crud_helpers_are_not_findings():
    source = ("from pydantic import BaseModel\nfrom sqlalchemy.orm import DeclarativeBase\n"
              "class Filters(BaseModel):\n    name: str\n"
              "class Row(DeclarativeBase):\n    __tablename__ = 'rows'\n"
              "class Missing(LookupError):\n    pass\n"
              "class Gone(DomainError):\n    pass\n")
    assert codes(source, "app/user/crud/user.py", config(selected=("DDD604",))) == set()


def test_crud_class_rule_skips_core_and_is_opt_in():
    source = "class Helper:\n    pass\n"
    assert codes(source, "app/core/crud.py", STRUCTURE) == set()
    assert codes(source, "app/user/crud/user.py", config(selected=("DDD",))) == set()
    assert codes(source, "app/user/crud/user.py", config(selected=("DDD604",))) == {(1, "DDD604")}


def test_crud_class_message():
    assert lint_messages("class UserCRUD:\n    pass\n", "app/user/crud/user.py", STRUCTURE) == [
        "1:1: DDD604 CRUD class UserCRUD does not inherit CRUDBase: inherit the generic base from core crud"]


# --- DDD605 -------------------------------------------------------------------------------------------------

def project(root: Path, files: Dict[str, str]) -> Path:
    (root / "setup.cfg").write_text("[flake8]\n")
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def feature_findings(root: Path, relative: str, cfg=STRUCTURE) -> set:
    path = root / relative
    text = path.read_text() if path.exists() else ""
    return codes(text, str(path), cfg)


def test_feature_without_tests(tmp_path, monkeypatch):
    root = project(tmp_path, {
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
        "1:1: DDD605 feature package shop has no tests/ directory: add the feature's tests in shop/tests/"]
    # the same through relative spellings
    assert [f.code for f in lint_source("", "app/shop/__init__.py", STRUCTURE)] == ["DDD605"]
    assert [f.code for f in lint_source("", "./app/shop/__init__.py", STRUCTURE)] == ["DDD605"]
    monkeypatch.chdir(root / "app")
    assert [f.code for f in lint_source("", "shop/__init__.py", STRUCTURE)] == ["DDD605"]


def test_top_level_package_holding_features_is_the_application(tmp_path, monkeypatch):
    root = project(tmp_path, {
        "src/dispatch/__init__.py": "", "src/dispatch/models.py": "",
        "src/dispatch/incident/__init__.py": "", "src/dispatch/incident/service.py": "",
        "src/dispatch/incident/views.py": "",
        "src/dispatch/incident/severity/__init__.py": "", "src/dispatch/incident/severity/service.py": "",
    })
    monkeypatch.chdir(root)
    assert feature_findings(root, "src/dispatch/__init__.py") == set()
    assert feature_findings(root, "src/dispatch/incident/__init__.py") == {(1, "DDD605")}
    assert feature_findings(root, "src/dispatch/incident/severity/__init__.py") == {(1, "DDD605")}


def test_feature_rule_never_fails_on_stdin_or_missing_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for filename in ("stdin", "-", "app/ghost/__init__.py", str(tmp_path / "nope" / "__init__.py")):
        findings = lint_source("", filename, STRUCTURE)
        assert findings == [], filename


def test_feature_rule_is_opt_in(tmp_path, monkeypatch):
    root = project(tmp_path, {"app/shop/__init__.py": "", "app/shop/crud.py": ""})
    monkeypatch.chdir(root)
    assert feature_findings(root, "app/shop/__init__.py", config(selected=("DDD",))) == set()
    assert feature_findings(root, "app/shop/__init__.py", config(selected=("DDD60",))) == {(1, "DDD605")}


# --- whole-group sanity: every decision above keeps the walk crash-free on odd trees ------------------

@pytest.mark.parametrize("source", [
    "from . import *\n", "from .. import x\n", "import a.b.c as d\n", "os.environ = {}\n",
    "class A(object()[0]): pass\n", "class B(*bases, **kw): pass\n", "x()()\n",
    "async def f():\n    async with a() as b, c() as d: pass\n",
])
def test_odd_code_never_fails(source):
    for path in ("app/user/crud/x.py", "app/user/routes/x.py", "app/core/x.py", "app/user/__init__.py"):
        found = lint_source(source, path, config())
        assert not [f for f in found if f.code == "DDD000"], (path, found)
        ast.parse(source)
