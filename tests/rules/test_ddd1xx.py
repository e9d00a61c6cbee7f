"""Layer imports (DDD101-DDD105): cases that need options, messages, several files on disk, or
a specific assertion beyond the fixtures."""

from __future__ import annotations

from harness import codes, config, lint, lint_messages, make_project

IMPORTS = config(selected=("DDD1",))
SHOP_MODELS = """\
    from pydantic import BaseModel
    from sqlalchemy.orm import DeclarativeBase


    class Base(DeclarativeBase):
        pass


    class Item(Base):
        __tablename__ = "items"


    class ItemResponse(BaseModel):
        name: str
    """
ROUTE = "app/user/routes/users.py"


# --- DDD101-DDD105 ----------------------------------------------------------------------------------

def test_one_finding_per_statement_naming_every_module():
    messages = lint_messages("from app.catalog import crud, routes, services\n",
                             "app/billing/services/invoice.py", IMPORTS)
    assert messages == [  # the upward import of catalog's routes is DDD103's, not also DDD102's
        "1:1: DDD103 imports crud module app.catalog.crud of feature catalog, routes module "
        "app.catalog.routes of feature catalog: go through that feature's service",
    ]


def test_names_from_one_module_are_one_finding_naming_the_module():
    messages = lint_messages("from app.user.crud.user import UserCRUD, user_crud as crud\n",
                             ROUTE, IMPORTS)
    assert messages == ["1:1: DDD101 route module imports CRUD module app.user.crud.user: "
                        "call the feature's service instead"]


def test_imported_name_that_looks_like_a_segment_does_not_move_the_target():
    # ``router`` is a routes segment and ``product`` would become the feature if the name counted
    router = "from app.user.routes.users import router\n"
    assert codes(lint(router, "app/user/tasks.py", IMPORTS), "DDD1") == set()
    models = "from app.user.services.user import models, crud\n"
    assert codes(lint(models, "app/user/routes/u.py", IMPORTS), "DDD1") == set()


def test_sibling_in_a_package_named_like_a_layer_is_not_another_layer():
    """Netflix Dispatch has a feature named ``service``: feedback/service/models.py."""
    source = "from .enums import Rating\nfrom dispatch.feedback.service.views import router\n"
    # the sibling enums module is not "services"; views.py is routes by its own name
    assert codes(lint(source, "dispatch/feedback/service/models.py", IMPORTS), "DDD1") == {(2, "DDD102")}
    upward = "from app.user.services.user import UserService\n"
    assert codes(lint(upward, "app/user/crud/user.py", IMPORTS), "DDD1") == {(1, "DDD102")}


def test_module_of_core_is_located_by_the_imported_name():
    assert codes(lint("from app.core import crud\n", ROUTE, IMPORTS), "DDD1") == {(1, "DDD101")}
    assert codes(lint("from app.core import settings, database\n", ROUTE, IMPORTS), "DDD1") == set()


def test_relative_imports_from_a_package_init():
    source = "from .users import router\nfrom ..crud import user_crud\nfrom ..services import s\n"
    assert codes(lint(source, "app/user/routes/__init__.py", IMPORTS), "DDD1") == {(2, "DDD101")}
    siblings = "from .user import user_crud\nfrom ..models import User\n"
    assert codes(lint(siblings, "app/user/crud/__init__.py", IMPORTS), "DDD1") == set()
    beyond_the_top = "from .....x import y\nfrom . import z\n"
    assert codes(lint(beyond_the_top, "app/user/crud/a.py", IMPORTS), "DDD1") == set()


def test_third_party_and_other_top_level_packages_are_not_layer_imports():
    source = ("from fastapi.openapi import models\nfrom pydantic import schema\n"
              "import services.crud\nfrom shared.crud import base\n")
    assert codes(lint(source, ROUTE, IMPORTS), "DDD1") == set()
    cfg = config(ddd_app_packages="shared", selected=("DDD1",))
    # ``shared`` is an application package whose first directory is a layer (no feature)
    assert codes(lint(source, ROUTE, cfg), "DDD1") == {(4, "DDD101")}


def test_file_with_two_layers_is_judged_by_its_highest_rank(tmp_path, monkeypatch):
    make_project(tmp_path, {}, setup_cfg="[flake8]\n")
    monkeypatch.chdir(tmp_path)
    cfg = config(ddd_layer_paths="app/*/models.py=models+schemas", selected=("DDD1",))
    source = ("from app.shop.crud import item_crud\n"
              "from app.shop.schemas import ItemResponse\n"
              "from app.shop.models import Item\n"
              "from app.shop.services import pricing\n")
    assert codes(lint(source, str(tmp_path / "app/shop/models.py"), cfg), "DDD1") == {
        (1, "DDD102"), (4, "DDD102")}
    pinned = "# ddd: layer=crud+services\nfrom app.shop.services import a\nfrom app.shop.routes import b\n"
    assert codes(lint(pinned, str(tmp_path / "app/shop/logic.py"), cfg), "DDD1") == {(3, "DDD102")}


def test_target_with_two_layers_is_judged_by_its_lowest_rank(tmp_path, monkeypatch):
    make_project(tmp_path, {}, setup_cfg="[flake8]\n")
    monkeypatch.chdir(tmp_path)
    cfg = config(ddd_layer_paths="app/*/models.py=models+schemas, app/*/repo_impl.py=crud",
                 selected=("DDD1",))
    route = str(tmp_path / "app/shop/routes/items.py")
    # DDD105 looks at what the name is, whatever layers the module has
    make_project(tmp_path, {"app/shop/models.py": SHOP_MODELS})
    for cfg_used in (cfg, IMPORTS):
        assert codes(lint("from app.shop.models import ItemResponse\n", route, cfg_used), "DDD1") == set()
        assert codes(lint("from app.shop.models import Item\n", route, cfg_used), "DDD1") == {
            (1, "DDD105")}
    # a glob naming a module without a layer segment is applied to import targets too
    assert codes(lint("from app.shop.repo_impl import ItemRepository\n", route, cfg), "DDD1") == {
        (1, "DDD101")}
    assert codes(lint("import app.shop.repo_impl\n", route, cfg), "DDD1") == {(1, "DDD101")}


def test_excluded_targets_have_no_layer(tmp_path, monkeypatch):
    make_project(tmp_path, {}, setup_cfg="[flake8]\n")
    monkeypatch.chdir(tmp_path)
    cfg = config(ddd_layer_exclude="app/legacy/*", selected=("DDD1",))
    route = str(tmp_path / "app/shop/routes/items.py")
    assert codes(lint("from app.legacy.crud import old\n", route, cfg), "DDD1") == set()
    assert codes(lint("from app.legacy.crud import old\n", route, IMPORTS), "DDD1") == {
        (1, "DDD101"), (1, "DDD103")}


def test_layer_first_project_has_no_other_feature(tmp_path, monkeypatch):
    """full-stack-fastapi-template style: app/crud.py, app/models.py, app/api/routes/*.py
    (on disk: in ``from app import crud``, ``crud`` is a module because the project has it)."""
    make_project(tmp_path, {"app/__init__.py": "", "app/crud.py": "", "app/models.py": ""})
    monkeypatch.chdir(tmp_path)
    route = str(tmp_path / "app/api/routes/items.py")
    core_db = str(tmp_path / "app/core/db.py")
    # (no DDD105: there is no app/models.py defining an ORM class Item beside the fixtures)
    assert codes(lint("from app import crud\nfrom app.models import Item\n", route, IMPORTS), "DDD1") == {
        (1, "DDD101")}
    core = "from app import crud\nfrom app.models import User\nfrom app.core.config import settings\n"
    assert codes(lint(core, core_db, IMPORTS), "DDD1") == set()
    feature_model = "from app.user.models import User\n"
    assert codes(lint(feature_model, core_db, IMPORTS), "DDD1") == {(1, "DDD104")}
    service = str(tmp_path / "app/user/services/user.py")
    assert codes(lint("from app.crud import base\n", service, IMPORTS), "DDD1") == set()


def test_importer_without_feature_or_rank():
    two = "from app.user.crud import x\nfrom app.user.routes import r\n"
    assert codes(lint(two, "app/apis/v1.py", IMPORTS), "DDD1") == set()
    assert codes(lint("from app.user.crud import x\n", "app/main.py", IMPORTS), "DDD1") == set()
    assert codes(lint("from app.user.crud import x\n", "app/user/exceptions.py", IMPORTS), "DDD1") == set()
    assert codes(lint("from app.user.crud import x\n", "app/billing/exceptions.py", IMPORTS), "DDD1") == {
        (1, "DDD103")}


def test_core_files_get_only_ddd104():
    source = "from app.user.services import s\nfrom app.user.routes import r\nfrom app.core.x import y\n"
    assert codes(lint(source, "app/core/crud.py", IMPORTS), "DDD1") == {(1, "DDD104"), (2, "DDD104")}
    assert codes(lint(source, "app/core/models/base.py", IMPORTS), "DDD1") == {(1, "DDD104"), (2, "DDD104")}


def test_route_imports_orm_model_is_opt_in():
    source = "from app.catalog.models.product import Product\n"
    assert codes(lint(source, ROUTE, config(selected=("DDD",))), "DDD1") == set()
    assert codes(lint(source, ROUTE, config(selected=("DDD105",))), "DDD1") == {(1, "DDD105")}
    assert codes(lint(source, ROUTE, config(selected=("DDD10",))), "DDD1") == {(1, "DDD105")}


def test_route_imports_orm_model_names_the_class_and_knows_pydantic_only_models(tmp_path):
    make_project(tmp_path, {
        "app/shop/models.py": SHOP_MODELS,
        "app/shop/views.py": "from pydantic import BaseModel\n\n\nclass Card(BaseModel):\n    x: int\n",
        "app/shop/__init__.py": "",
        "app/catalog/models/__init__.py": "from app.shop.models import Item\n",
    })
    route = str(tmp_path / "app/shop/routes/items.py")
    messages = lint_messages("from ..models import Item as Row, ItemResponse\nimport app.shop.models\n"
                             "from app.shop import views\nfrom app.catalog import models\n",
                             route, config(selected=("DDD105",)))
    assert messages == [
        "1:1: DDD105 route module imports ORM class Item (app.shop.models): type routes with the "
        "feature's schemas",
        "2:1: DDD105 route module imports ORM module app.shop.models: type routes with the "
        "feature's schemas",
        "4:1: DDD105 route module imports ORM module app.catalog.models: type routes with the "
        "feature's schemas",
    ]


def test_core_imports_feature_message_names_the_feature_and_the_way_out():
    messages = lint_messages("from app.common.errors import AppError\n", "app/core/middleware.py", IMPORTS)
    assert messages == [
        "1:1: DDD104 core module imports app.common.errors of feature common: core must not depend on "
        "features; move what core needs into core, or list common in ddd-grouping-dirs if it is shared "
        "code, not a feature"]
